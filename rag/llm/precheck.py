"""Checking an LLM's sentences while it is still writing.

An LLM writes its answer a sentence at a time, and the checker can read a sentence as soon as
the next one has begun (by then its citation markers are known: a marker group that opens the
next piece still belongs to it). `Prechecks` is fed the text as it streams and judges each
finished sentence on one worker thread, so that when the LLM stops only its last sentence is
left to check. `LlmAnswerer.check` takes the judgements it finds here and reads the rest
itself: a sentence the final text splits or cites differently is judged again, never reused.
"""

from __future__ import annotations

import re
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:
    from rag.llm.answer import DraftSentence
    from rag.verify import Judgement

Key = tuple[str, tuple[int, ...]]
# What can end a sentence or its markers (`index.sentences` ends sentences at .!?… and their
# full-width forms; a marker group "[1]" may follow).
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f\]\n]")
_OPEN_MARKER = re.compile(r"\[[\d,;\s]*$")


def key(sentence: "DraftSentence") -> Key:
    return sentence.text, tuple(sentence.markers)


class Prechecks:
    """Judgements of the sentences written so far, made on a worker thread.

    `judge(sentence)` is what `LlmAnswerer` does to one sentence; `parse(text)` splits text
    into sentences as the final check will. Use as a context manager: leaving it drops any
    judgement still waiting."""

    def __init__(self, judge: Callable[["DraftSentence"], list["Judgement"]],
                 parse: Callable[[str], list["DraftSentence"]]):
        self._judge = judge
        self._parse = parse
        self._text: list[str] = []
        self._ended = False  # a sentence end came since the last parse
        self._futures: dict[Key, Future] = {}
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> "Prechecks":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def feed(self, token: str) -> None:
        """Take the next piece of the LLM's text. The text is parsed only when a sentence has
        ended and a word has begun since (in this piece or a later one, and not inside a
        marker group), so a long answer is parsed about once a sentence."""
        self._text.append(token)
        ends = list(_SENTENCE_END.finditer(token))
        if ends:
            self._ended = True
        after = token[ends[-1].end():] if ends else token
        if self._ended and any(ch.isalpha() for ch in after):
            text = "".join(self._text)
            if not _OPEN_MARKER.search(text):
                self._ended = False
                self._submit(self._parse(text)[:-1])  # the last may be unfinished

    def _submit(self, finished: Sequence["DraftSentence"]) -> None:
        for sentence in finished:
            if not sentence.markers or key(sentence) in self._futures:
                continue
            for (text, _), earlier in self._futures.items():
                if text == sentence.text:
                    earlier.cancel()  # the same sentence, since cited differently: not needed if not begun
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="precheck")
            self._futures[key(sentence)] = self._pool.submit(self._judge, sentence)

    def judged(self, sentence: "DraftSentence") -> list["Judgement"] | None:
        """The judgement made while the LLM wrote, waiting for it if it is being made; None
        when this sentence (with these markers) was not judged early."""
        future = self._futures.get(key(sentence))
        if future is None or future.cancelled():
            return None
        return future.result()

    @property
    def submitted(self) -> int:
        return len(self._futures)
