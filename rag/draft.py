"""What an answerer hands back: the parts of an answer it decides. Only `Pipeline` turns a
draft into the `Answer` users see, adding the question, passages, answerability, timings and
fingerprint, so an answer is built in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.schema import ABSTAIN_TEXT, AnswerSentence, Citation


@dataclass
class Draft:
    """An answer's text with [n] markers, its citations and sentences, and what was dropped."""

    answer: str = ABSTAIN_TEXT
    abstained: bool = True
    citations: list[Citation] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    removed_sentences: list[AnswerSentence] = field(default_factory=list)
    answered_by: str = "extractive"
    generated: str | None = None
