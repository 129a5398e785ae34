"""The one answer schema, shared by the CLI's --json, the HTTP API and streaming."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

ABSTAIN_TEXT = "The documents do not say."
SOURCE_MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_BROKEN_WORD = re.compile(r"(?<=\w)[\u2010\u00ad][^\S\r\n]*(?:\r\n|\r|\n)[^\S\r\n]*(?=\w)")
_QUOTE_MARKS = re.compile(r"^[^\S\r\n]*(?:>[^\S\r\n]?)+", re.M)  # "> " opening a quoted line of an e-mail


def unwrapped(text: str) -> str:
    """`text` as models and word matching should read it: the words a typesetter hyphenated
    across lines whole again ("par" and "ticular" either side of a line break become
    "particular": `man` breaks words with U+2010 HYPHEN, other tools with a soft hyphen, which
    is dropped anywhere), and without the "> " marks that open the lines of a quoted e-mail.
    Offsets into the result are not offsets into `text`: quotes and citations keep the source's."""
    if "\u2010" in text or "\u00ad" in text:
        text = _BROKEN_WORD.sub("", text).replace("\u00ad", "")
    if ">" in text:
        text = _QUOTE_MARKS.sub("", text)
    return text


def display_text(sentence: str) -> str:
    """Document text as shown in an answer or a prompt: one line, read as `unwrapped` reads it,
    and bracketed numbers from the source shown as (n) so they can never pass for
    citation markers."""
    return SOURCE_MARKER.sub(r"(\1)", " ".join(unwrapped(sentence).split()))


class Citation(BaseModel):
    """A checkable source: `quote` is exactly the document text at [start_char, end_char)."""

    id: int = Field(description="The marker number n used as [n] in the answer.")
    document_id: str
    source: str = Field(description="Where the document came from (its file path for ingested files).")
    title: str
    start_char: int = Field(ge=0)
    end_char: int = Field(ge=0)
    quote: str
    score: float = Field(description="How strongly this passage answers the question (0-1).")


class AnswerSentence(BaseModel):
    text: str = Field(description="The sentence as it appears in the answer, without markers.")
    citation_ids: list[int]
    supported: bool = Field(description="Whether the cited passages support the sentence.")
    support_score: float = Field(description="Support of the sentence by its citations (0-1).")
    passage_ids: list[int] = Field(
        default_factory=list, description="1-based positions in `passages` of the passages the sentence cites."
    )


class RetrievedPassage(BaseModel):
    chunk_id: str
    document_id: str
    source: str
    title: str
    date: str | None = None
    start_char: int
    end_char: int
    text: str
    score: float = Field(description="Fused retrieval score (reciprocal rank fusion).")
    dense_score: float | None = Field(None, description="Cosine similarity to the question.")
    bm25_score: float | None = None


class Answer(BaseModel):
    question: str
    answer: str = Field(description="Answer text; each sentence ends with its [n] citation markers.")
    abstained: bool = Field(description="True when the documents do not answer the question.")
    answerability: float = Field(description="Calibrated probability that the documents answer it.")
    citations: list[Citation] = Field(default_factory=list)
    sentences: list[AnswerSentence] = Field(default_factory=list)
    passages: list[RetrievedPassage] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    config_fingerprint: str = Field(description="Hash of every setting that shapes the answer.")
    collection: str
    warnings: list[str] = Field(
        default_factory=list, description="What went wrong but was handled: an LLM fallback, dropped markers, removed sentences."
    )
    answered_by: str = Field("extractive", description="extractive, or the LLM backend and model that wrote the answer.")
    generated: str | None = Field(None, description="The LLM's text before checking (None for extractive answers).")
    removed_sentences: list[AnswerSentence] = Field(
        default_factory=list, description="LLM sentences removed because their citations do not support them."
    )
