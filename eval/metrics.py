"""Answer metrics with standard definitions (SQuAD normalisation, token F1, containment)."""

from __future__ import annotations

import re
import string
from collections import Counter

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation) | {"\u2018", "\u2019", "\u201c", "\u201d", "\u2013", "\u2014"}


def normalize(text: str) -> str:
    """SQuAD's normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def contains_answer(prediction: str, answers: list[str]) -> bool:
    """True when any gold answer, normalised, appears in the normalised prediction."""
    norm = f" {normalize(prediction)} "
    return any(f" {normalize(a)} " in norm for a in answers if normalize(a))


def token_f1(prediction: str, answers: list[str]) -> float:
    """Best token-level F1 of the prediction against any gold answer."""
    best = 0.0
    predicted = normalize(prediction).split()
    for answer in answers:
        gold = normalize(answer).split()
        common = Counter(predicted) & Counter(gold)
        overlap = sum(common.values())
        if not overlap:
            continue
        precision, recall = overlap / len(predicted), overlap / len(gold)
        best = max(best, 2 * precision * recall / (precision + recall))
    return best


def sentence_overlap(prediction: str, evidence: list[str]) -> bool:
    """True when the prediction quotes at least one gold evidence sentence (normalised)."""
    norm = normalize(prediction)
    return any(normalize(e) and normalize(e) in norm for e in evidence)
