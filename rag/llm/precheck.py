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
_SENTENCE_END = re.compile(r"[.!?\]\n]")


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
        ended and a new word has begun since, so a long answer is parsed about once a sentence."""
        self._text.append(token)
        if _SENTENCE_END.search(token):
            self._ended = True
        elif self._ended and any(ch.isalnum() for ch in token):
            self._ended = False
            self._submit(self._parse("".join(self._text))[:-1])  # the last may be unfinished

    def _submit(self, finished: Sequence["DraftSentence"]) -> None:
        for sentence in finished:
            if sentence.markers and key(sentence) not in self._futures:
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
