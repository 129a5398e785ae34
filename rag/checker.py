"""The support checker: a cross-encoder that scores whether evidence supports a claim.

It reads the claim against one evidence sentence followed by the sentences around it (a
claim often needs its neighbour: a name in one sentence, the fact in the next), and returns a
logit: above 0, supported. A claim is judged against its best candidate sentences (MiniCheck's
way with long evidence: split it, judge each piece, keep the best). Trained from the bundled
all-MiniLM-L6-v2 weights by `rag eval train-checker` on public claim/evidence sets with
human labels (see `rag/models/checker.md`, the model card), int8 ONNX on onnxruntime.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

from index.sentences import sentence_spans
from rag import cross_encoder
from rag.cross_encoder import MODEL_DIR, CrossEncoder
from rag.lexical import terms

CHECKER_PATH = MODEL_DIR / "checker.onnx"
MAX_TOKENS = 128  # for a model file that does not say how long a pair it reads
TRUNCATION = "longest_first"  # a long claim is cut too, never refused
CONTEXT_CHARS = 320  # neighbouring text read with a sentence (the nearest two always)
MAX_PIECE = 400  # characters: longer runs of text without a sentence end are cut at spaces
# A sentence end that lost its space (text scraped from web pages: "...lack features.That means").
_GLUED_END = re.compile(r"(?<=[A-Za-z0-9)][.?!])(?=[A-Z][a-z])")


def evidence_spans(text: str, sentences: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Offsets of the pieces of `text` the checker judges: its sentences (`sentences`, when the
    caller has split it already), also split where a sentence end lost its space, and cut at a
    space when longer than MAX_PIECE."""
    spans = []
    for start, end in sentence_spans(text) if sentences is None else sentences:
        cuts = [start, *(start + m.start() for m in _GLUED_END.finditer(text, start, end)), end]
        for a, b in zip(cuts, cuts[1:]):
            while b - a > MAX_PIECE:
                cut = text.rfind(" ", a + MAX_PIECE // 2, a + MAX_PIECE)
                cut = cut if cut > a else a + MAX_PIECE
                spans.append((a, cut))
                a = cut + 1 if text[cut:cut + 1] == " " else cut
            if text[a:b].strip():
                spans.append((a, b))
    return spans


def evidence_text(sentences: Sequence[str], index: int, budget: int = CONTEXT_CHARS) -> str:
    """The second segment the checker sees: sentence `index`, then the sentences around it,
    nearest first (the one before, the one after, ...) in reading order, while they fit in
    `budget` characters (the tokenizer cuts the end of a pair that is still too long)."""
    chosen, used = [], len(sentences[index])
    for step in range(1, len(sentences)):
        added = False
        for i in (index - step, index + step):
            if 0 <= i < len(sentences) and (used + len(sentences[i]) <= budget or step == 1):
                chosen.append(i)
                used += len(sentences[i]) + 1
                added = True
        if not added:
            break
    context = " ".join(sentences[i] for i in sorted(chosen))
    return f"{sentences[index]} [SEP] {context}" if context else sentences[index]


def overlap(claim: str, sentences: Sequence[str], window: int = 1) -> np.ndarray:
    """Share of the claim's content terms in each sentence with `window` neighbours each side."""
    claim_terms = set(terms(claim))
    if not claim_terms:
        return np.zeros(len(sentences))
    sets = [set(terms(s)) for s in sentences]
    return np.array([
        len(claim_terms & set().union(*sets[max(0, i - window):i + window + 1])) / len(claim_terms)
        for i in range(len(sets))
    ])


def candidates(claim: str, sentences: Sequence[str], limit: int) -> list[int]:
    """The indices of the `limit` sentences most worth checking, best first: by the claim's
    terms in the sentence itself, then in it with its neighbours."""
    score = overlap(claim, sentences, 0) + 0.5 * overlap(claim, sentences)
    return [int(i) for i in np.argsort(-score, kind="stable")[:limit]]


def model_version(path: Path = CHECKER_PATH) -> str:
    return cross_encoder.model_version(path)


class Checker(CrossEncoder):
    """Scores (claim, evidence sentence with its neighbours) pairs with the int8 ONNX checker."""

    def __init__(self, path: Path = CHECKER_PATH, batch_size: int = 1):
        """`batch_size` 1, as the reader: dynamic int8 quantises activations per batch, so a pair
        scored beside others moves with them; read alone, a claim against a piece scores the same
        whatever else is checked with it, in calibration and in an answer, and reading until one
        piece supports gives the verdict that reading every candidate does."""
        super().__init__(path, MAX_TOKENS, "rag eval train-checker --export PATH", batch_size, TRUNCATION)

    def score(self, claim: str, sentences: Sequence[str], indices: Sequence[int]) -> np.ndarray:
        """One logit per index: how surely sentence `i` (with its neighbours) supports `claim`."""
        texts = [evidence_text(sentences, i) for i in indices]
        return self.score_pairs([claim] * len(texts), texts)


@lru_cache(maxsize=2)
def shared_checker(path: Path = CHECKER_PATH) -> Checker:
    """One checker per model file for the whole process (loaded on first use)."""
    return Checker(path)
