"""Conversations: follow-up questions resolved from the history, and the `rag chat` REPL."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, TextIO

from rag.lexical import STOPWORDS, words
from rag.schema import Answer

_FOLLOW_UP = re.compile(
    r"\b(it|its|it's|he|him|his|she|her|hers|they|them|their|that|this|those|these|there|then|the same)\b"
    r"|^\W*(and|but|also|what about|how about|and what|so)\b",
    re.I,
)
_WH = {"what", "when", "where", "who", "whom", "whose", "why", "how", "which", "many", "much", "long"}


@dataclass
class Turn:
    question: str
    resolved: str
    answer: Answer


@dataclass
class Conversation:
    """The history of one chat; turns questions that lean on it into standalone ones."""

    turns: list[Turn] = field(default_factory=list)
    condense: Callable[[list[str], str], str | None] | None = None

    def resolve(self, question: str) -> str:
        """`question` made standalone when it is a follow-up: rewritten by the LLM when one is
        configured (`condense`), else with the subject of the previous turn added."""
        if not self.turns:
            return question
        content = [w for w in words(question) if w not in STOPWORDS and w not in _WH]
        if not _FOLLOW_UP.search(question) and len(content) > 2:
            return question
        if self.condense is not None:
            rewritten = self.condense([t.resolved for t in self.turns], question)
            if rewritten:
                return rewritten
        previous = self.turns[-1].resolved
        carried = [
            w for w in dict.fromkeys(words(previous))
            if w not in STOPWORDS and w not in _WH and w not in set(words(question))
        ]
        return f"{question.rstrip()} ({' '.join(carried)})" if carried else question

    def add(self, question: str, resolved: str, answer: Answer) -> None:
        self.turns.append(Turn(question, resolved, answer))

    def reset(self) -> None:
        self.turns.clear()


HELP = """Ask a question, or type a command:
  /sources   show the passages cited by the last answer
  /history   show the questions asked so far
  /reset     forget the conversation
  /quit      leave (also /exit, Ctrl-D)"""


def format_answer(answer: Answer) -> str:
    flagged = {s.text for s in answer.sentences if not s.supported}
    lines = [answer.answer]
    if flagged:
        lines.append("")
        lines.extend(f"(not supported by its sources) {text}" for text in flagged)
    if answer.citations:
        lines.append("")
        for citation in answer.citations:
            lines.append(f"[{citation.id}] {citation.title} ({citation.source}, chars {citation.start_char}-{citation.end_char})")
            lines.append(f"    \u201c{' '.join(citation.quote.split())}\u201d")
    if answer.removed_sentences:
        lines.append("")
        lines.append(f"Removed {len(answer.removed_sentences)} sentence(s) the sources do not support:")
        lines.extend(f"  - {s.text}" for s in answer.removed_sentences)
    lines.extend(f"warning: {w}" for w in answer.warnings if not w.startswith("removed "))
    return "\n".join(lines)


def run_repl(
    ask: Callable[[str], Answer], read: TextIO, write: Callable[[str], None], prompt: str = "you> ",
    condense: Callable[[list[str], str], str | None] | None = None,
) -> int:
    """Read questions and commands until /quit or end of input; returns the number of answers."""
    conversation = Conversation(condense=condense)
    write("Ask about your documents. /help lists commands.")
    answered = 0
    while True:
        write(prompt) if read.isatty() else None
        line = read.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        command = text.lower()
        if command in ("/quit", "/exit", "/q"):
            break
        if command == "/help":
            write(HELP)
        elif command == "/reset":
            conversation.reset()
            write("Conversation reset.")
        elif command == "/history":
            write("\n".join(f"{i}. {t.question}" for i, t in enumerate(conversation.turns, 1)) or "No questions yet.")
        elif command == "/sources":
            last = conversation.turns[-1].answer if conversation.turns else None
            if last is None or not last.citations:
                write("No sources to show.")
            else:
                write("\n".join(f"[{c.id}] {c.source} ({c.start_char}-{c.end_char}): {c.quote}" for c in last.citations))
        elif command.startswith("/"):
            write(f"Unknown command {text!r}. /help lists commands.")
        else:
            try:
                resolved = conversation.resolve(text)
                answer = ask(resolved)
            except Exception as exc:  # noqa: BLE001 - a bad turn must not end the chat
                write(f"error: {exc}")
                continue
            conversation.add(text, resolved, answer)
            write(format_answer(answer))
            answered += 1
    return answered
