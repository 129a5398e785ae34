"""The reading model: a cross-encoder that scores whether a sentence answers a question.

It reads the question against the candidate sentence and the sentence before it (the answer
often sits right after the sentence that repeats the question's words), and returns a logit:
above 0, the sentence states the answer. Trained from the bundled all-MiniLM-L6-v2 weights
by `rag eval train-reader` on SQuAD 1.1 (see `rag/models/reader.md`, the model card),
exported to ONNX with int8 weights and run with onnxruntime: no torch at answer time.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from rag import cross_encoder
from rag.cross_encoder import INPUTS, MODEL_DIR, CrossEncoder, encode_pairs

if TYPE_CHECKING:
    from tokenizers import Tokenizer

__all__ = ["INPUTS", "MAX_TOKENS", "READER_PATH", "Reader", "encode_pairs", "load_tokenizer", "model_version",
           "pair_text", "shared_reader"]

READER_PATH = MODEL_DIR / "reader.onnx"
MAX_TOKENS = 112


def pair_text(sentence: str, previous: str, heading: str = "") -> str:
    """The second segment the reader sees: the sentence, then as context the heading it sits
    under (for a reader trained with one) and the sentence before it, which is cut first when
    the pair is too long (truncation takes only from the second segment's end)."""
    if heading:
        return f"{sentence} [SEP] {heading} [SEP] {previous}" if previous else f"{sentence} [SEP] {heading}"
    return f"{sentence} [SEP] {previous}" if previous else sentence


def load_tokenizer(max_tokens: int = MAX_TOKENS) -> "Tokenizer":
    return cross_encoder.load_tokenizer(max_tokens)


def model_version(path: Path = READER_PATH) -> str:
    """The first 12 hex digits of the model file's SHA-256 (part of the config fingerprint)."""
    return cross_encoder.model_version(path)


class Reader(CrossEncoder):
    """Scores (question, sentence, previous sentence, heading) with the int8 ONNX reader; the
    heading only for a model trained to read it."""

    def __init__(self, path: Path = READER_PATH, batch_size: int = 1):
        """`batch_size` 1: dynamic int8 quantises activations per batch, so a sentence scored
        beside others moves with them; read alone, a sentence scores the same in calibration
        and at answer time, whatever else was retrieved."""
        super().__init__(path, MAX_TOKENS, "rag eval train-reader --export PATH", batch_size)

    @property
    def reads_headings(self) -> bool:
        """Whether the model was trained with each sentence's heading in its context."""
        return self.metadata.get("context") == "heading"

    def score(self, question: str, sentences: Sequence[str], previous: Sequence[str],
              headings: Sequence[str] | None = None) -> np.ndarray:
        """One logit per sentence: how surely it answers `question`. `headings` (the section or
        document title above each sentence) are read only by a reader trained with them."""
        if headings is None or not self.reads_headings:
            headings = [""] * len(sentences)
        texts = [pair_text(s, p, h) for s, p, h in zip(sentences, previous, headings)]
        return self.score_pairs([question] * len(texts), texts)


@lru_cache(maxsize=2)
def shared_reader(path: Path = READER_PATH) -> Reader:
    """One reader per model file for the whole process (loaded on first use): every pipeline
    and collection shares its session."""
    return Reader(path)
