"""Conversations: follow-up questions resolved from the history, and the `rag chat` REPL.

In a terminal the REPL reads lines with prompt_toolkit (line editing, arrow-key history kept in
a file, Ctrl-C cancels the line, Ctrl-D leaves); from a pipe it reads plain lines, so scripts
see the same output as always.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TextIO

from rag.follow_ups import referent
from rag.lexical import STOPWORDS, WH_WORDS, words
from rag.schema import Answer

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import History
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

_FOLLOW_UP = re.compile(
    r"\b(it|its|it's|he|him|his|she|her|hers|they|them|their|that|this|those|these|there|then|the same)\b"
    r"|^\W*(and|but|also|what about|how about|and what|so)\b",
    re.I,
)
_WH = WH_WORDS | {"many", "much", "long"}  # "how many" asks a count: no word of it names the subject


@dataclass
class Turn:
    question: str
    resolved: str
    answer: Answer | None = None  # None for earlier turns a client sends back (their answers are not needed)


@dataclass
class Conversation:
    """The history of one chat; turns questions that lean on it into standalone ones."""

    turns: list[Turn] = field(default_factory=list)
    condense: Callable[[list[str], str], str | None] | None = None

    @classmethod
    def of(cls, earlier: list[str]) -> "Conversation":
        """A conversation whose turns are the `earlier` questions, oldest first, each resolved
        (without an LLM) as it was when asked."""
        conversation = cls()
        for question in earlier:
            conversation.add(question, conversation.resolve(question))
        return conversation

    def resolve(self, question: str) -> str:
        """`question` made standalone when it is a follow-up: rewritten by the LLM when one is
        configured (`condense`), else with what its pronoun points to in the previous turn
        added (`rag.follow_ups.referent`), else with the previous turn's words added."""
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
        pointed = referent(question, previous)
        if pointed:
            return f"{question.rstrip()} ({pointed})"
        carried = [
            w for w in dict.fromkeys(words(previous))
            if w not in STOPWORDS and w not in _WH and w not in set(words(question))
        ]
        return f"{question.rstrip()} ({' '.join(carried)})" if carried else question

    def add(self, question: str, resolved: str, answer: Answer | None = None) -> None:
        self.turns.append(Turn(question, resolved, answer))

    def reset(self) -> None:
        self.turns.clear()


HELP = """Ask a question, or type a command:
  /sources   show the passages cited by the last answer
  /history   show the questions asked so far
  /reset     forget the conversation
  /quit      leave (also /exit, Ctrl-D)
In a terminal, Up and Down recall earlier questions; Ctrl-C drops the line or stops an answer."""


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
    condense: Callable[[list[str], str], str | None] | None = None, *,
    history_path: Path | None = None, terminal_input: Input | None = None, terminal_output: Output | None = None,
) -> int:
    """Read questions and commands until /quit or end of input; returns the number of answers.

    When `read` and stdout are a terminal (or `terminal_input` is given: prompt_toolkit's own
    input, as tests pass), lines come from a prompt_toolkit session whose history is kept in
    `history_path` (default: DATA_DIR/chat_history); Ctrl-C drops the line or stops the answer
    being written, Ctrl-D on an empty line leaves. Otherwise lines are read from `read`, and
    Ctrl-C ends the chat with one line on stderr and exit status 130 (SystemExit)."""
    conversation = Conversation(condense=condense)
    write("Ask about your documents. /help lists commands.")
    in_terminal = terminal_input is not None or (read.isatty() and sys.stdout.isatty())
    if in_terminal:
        session = _session(history_path, write, terminal_input, terminal_output)
        next_line: Callable[[], str] = partial(session.prompt, prompt)
    else:
        next_line = partial(_plain_line, read, prompt)
    answered = 0
    while True:
        try:
            text = next_line().strip()
        except KeyboardInterrupt:
            if not in_terminal:
                _interrupted()
            continue  # Ctrl-C at the prompt: the line is dropped, a fresh prompt follows
        except EOFError:
            if in_terminal:
                write("Goodbye.")
            break
        if not text:
            continue
        if text.lower() in ("/quit", "/exit", "/q"):
            if in_terminal:
                write("Goodbye.")
            break
        try:
            answered += _turn(text, conversation, ask, write)
        except KeyboardInterrupt:
            if not in_terminal:
                _interrupted()
            write("Answer stopped.")
    return answered


def _turn(text: str, conversation: Conversation, ask: Callable[[str], Answer], write: Callable[[str], None]) -> int:
    """One command or question; 1 when a question was answered."""
    command = text.lower()
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
            return 0
        conversation.add(text, resolved, answer)
        write(format_answer(answer))
        return 1
    return 0


def _plain_line(read: TextIO, prompt: str) -> str:
    """The next line of a pipe or file; EOFError at its end. A prompt, if any, goes to stderr:
    stdout is not a terminal here, and what is written there is the answers."""
    if read.isatty():
        sys.stderr.write(prompt)
        sys.stderr.flush()
    line = read.readline()
    if not line:
        raise EOFError
    return line


def _interrupted() -> None:
    sys.stderr.write("Interrupted (Ctrl-C): chat ended.\n")
    raise SystemExit(130)


def _session(
    history_path: Path | None, write: Callable[[str], None], terminal_input: Input | None, terminal_output: Output | None
) -> PromptSession:
    from prompt_toolkit import PromptSession

    if history_path is None:
        from rag.settings import Settings

        history_path = Settings().data_dir / "chat_history"
    history, problem = _history(history_path)
    if problem:
        write(f"note: questions are not saved for next time ({problem})")
    return PromptSession(history=history, input=terminal_input, output=terminal_output)


def _history(path: Path) -> tuple[History, str | None]:
    """The file history at `path`, or an in-memory one and why, when the file cannot be written."""
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    class _TolerantFileHistory(FileHistory):
        """A FileHistory that goes on in memory when the file cannot be read or written any
        more (a full disk, a removed directory) instead of ending the chat."""

        def load_history_strings(self) -> list[str]:
            try:
                return list(super().load_history_strings())
            except OSError:
                return []

        def store_string(self, string: str) -> None:
            try:
                super().store_string(string)
            except OSError:
                pass

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "ab"):
            pass
    except OSError as exc:
        return InMemoryHistory(), f"cannot write {path}: {exc.strerror or exc}"
    return _TolerantFileHistory(str(path)), None
