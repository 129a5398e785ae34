"""Answer metrics with standard definitions (SQuAD normalisation, token F1, containment, ROC AUC)."""

from __future__ import annotations

import math
import re
import string
from collections import Counter

import numpy as np

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


# -- retrieval -------------------------------------------------------------------------------


def reciprocal_rank(relevant: list[bool]) -> float:
    """1 / rank of the first relevant item, 0 when none is."""
    return next((1.0 / (i + 1) for i, hit in enumerate(relevant) if hit), 0.0)


def ndcg(relevant: list[bool], total_relevant: int, k: int = 10) -> float:
    """Binary-relevance nDCG@k: DCG of the ranking over the DCG of an ideal one with
    `total_relevant` relevant items first (or as many as were found, if more: several
    chunks can hold the same evidence)."""
    dcg = sum(1.0 / math.log2(i + 2) for i, hit in enumerate(relevant[:k]) if hit)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(max(total_relevant, sum(relevant[:k]), 1), k)))
    return dcg / ideal


# -- abstention ------------------------------------------------------------------------------


def accuracy_coverage(scores: list[float], correct: list[bool]) -> tuple[list[tuple[float, float]], float]:
    """Answer accuracy against coverage as the abstention threshold moves.

    Questions are answered in order of decreasing answerability score; at coverage c (the
    share answered), accuracy is the share of those answered that are correct. Returns the
    curve and its area (trapezoids over coverage, starting at the first point).
    """
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    points, hits = [], 0
    for answered, index in enumerate(order, start=1):
        hits += correct[index]
        points.append((answered / len(order), hits / answered))
    area = sum((b[0] - a[0]) * (a[1] + b[1]) / 2 for a, b in zip(points, points[1:]))
    if points:
        area += points[0][0] * points[0][1]
    return points, area


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U over ranks); nan without both classes."""
    positive, negative = scores[labels > 0.5], scores[labels <= 0.5]
    if not len(positive) or not len(negative):
        return float("nan")
    ranks = np.argsort(np.argsort(np.concatenate([positive, negative]))) + 1
    return float((ranks[:len(positive)].sum() - len(positive) * (len(positive) + 1) / 2) / (len(positive) * len(negative)))
