"""Support scoring: does a passage (or several) support a sentence? Offline, deterministic.

Features of a (claim, evidence) pair: the best MiniLM cosine between the claim and an
evidence sentence (and a 2-sentence window), how much of the claim's content words, and of
its numbers and names, the evidence repeats, and negation agreement. A logistic model
calibrated on ExpertQA's `*_val` human labels (`python -m eval.calibrate_support`) turns
them into a probability; `supported` means it reaches the calibrated threshold.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from index.sentences import sentence_spans
from rag.errors import ConfigError
from rag.extractive import LinearModel, feature_matrix
from rag.injection import is_instruction
from rag.lexical import STOPWORDS, terms, words

SUPPORT_CALIBRATION_PATH = Path(__file__).with_name("support_calibration.json")
SUPPORT_FEATURES = (
    "cos_max", "cos_top2", "cos_window", "lex_recall", "lex_best", "key_recall", "negation_mismatch",
    "claim_length",
)
_MARKERS = re.compile(r"\s*\[\d{1,3}\]")
_KEY = re.compile(r"\b[A-Z][\w'-]*|\b\d[\d,.]*\b")
_NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot".split())
MAX_SENTENCES = 120


_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z][\w'\u2019-]*")


@dataclass(frozen=True)
class Guards:
    """Lexical checks a supported claim must also pass: facts that a small embedding model
    glosses over (a changed number, a swapped name, a claim pieced together from words
    scattered over the passage)."""

    numbers: bool = True
    names: bool = True
    min_coverage: float = 0.0
    min_similarity: float = 0.0

    @classmethod
    def from_dict(cls, data: dict | None) -> "Guards":
        return cls(**(data or {}))


@dataclass(frozen=True)
class SupportCalibration:
    model: LinearModel
    threshold: float
    guards: Guards = Guards(numbers=False, names=False)


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".:") for n in _NUMBER.findall(text)}


def guard_failures(
    claim: str, evidence: Sequence[str], lex_best: float, guards: Guards, cos_max: float = 1.0
) -> list[str]:
    """Why the claim fails the guards (empty when it passes). `lex_best` and `cos_max` are the
    support features of the same name."""
    claim = strip_markers(claim)
    joined = " ".join(evidence)
    failures = []
    if guards.numbers:
        missing = sorted(_numbers(claim) - _numbers(joined))
        if missing:
            failures.append(f"numbers not in the cited text: {', '.join(missing)}")
    if guards.names:
        evidence_words = set(words(joined))
        names = {w for match in _NAME.finditer(claim) for w in words(match.group()) if w not in STOPWORDS}
        missing = sorted(names - evidence_words)
        if missing:
            failures.append(f"names not in the cited text: {', '.join(missing)}")
    if lex_best < guards.min_coverage:
        failures.append(f"only {lex_best:.0%} of its words are in any one place of the cited text")
    if cos_max < guards.min_similarity:
        failures.append(f"no cited sentence says anything close (similarity {cos_max:.2f})")
    return failures


@lru_cache(maxsize=2)
def load_support_calibration(path: Path = SUPPORT_CALIBRATION_PATH) -> SupportCalibration:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        guards = Guards.from_dict(data.get("guards", {"numbers": False, "names": False}))
        return SupportCalibration(LinearModel.from_dict(data["model"]), float(data["threshold"]), guards)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"Cannot load the support calibration {path} ({exc}); regenerate it with `python -m eval.calibrate_support`."
        ) from None


def strip_markers(text: str) -> str:
    return _MARKERS.sub("", text).strip()


def _negated(text: str) -> bool:
    return any(w in _NEGATIONS or w.endswith("n't") for w in words(text))


def support_features(claim: str, evidence: Sequence[str], embed: Callable[[list[str]], np.ndarray]) -> dict[str, float]:
    claim = strip_markers(claim)
    sentences = [
        text[s:e] for text in evidence for s, e in sentence_spans(text) if not is_instruction(text[s:e])
    ][:MAX_SENTENCES]
    claim_terms = set(terms(claim))
    keys = {w for match in _KEY.finditer(claim) for w in words(match.group()) if w not in STOPWORDS}
    base = {"claim_length": math.log1p(len(claim) / 100.0), "has_evidence": float(bool(sentences))}
    if not sentences or not claim:
        return {**{name: 0.0 for name in SUPPORT_FEATURES}, **base}
    windows = [" ".join(sentences[i : i + 2]) for i in range(len(sentences))]
    vectors = embed([claim, *sentences, *windows])
    claim_vector, sentence_vectors, window_vectors = vectors[0], vectors[1 : 1 + len(sentences)], vectors[1 + len(sentences) :]
    cosines = np.sort(sentence_vectors @ claim_vector)[::-1]
    best = int(np.argmax(sentence_vectors @ claim_vector))
    everything = set().union(*(set(terms(s)) for s in sentences))
    evidence_words = set().union(*(set(words(s)) for s in sentences))
    per_sentence = [len(claim_terms & set(terms(" ".join(sentences[max(0, i - 1) : i + 2])))) for i in range(len(sentences))]
    return {
        "cos_max": float(cosines[0]),
        "cos_top2": float(cosines[:2].mean()),
        "cos_window": float((window_vectors @ claim_vector).max()),
        "lex_recall": len(claim_terms & everything) / len(claim_terms) if claim_terms else 0.0,
        "lex_best": max(per_sentence) / len(claim_terms) if claim_terms else 0.0,
        "key_recall": len(keys & evidence_words) / len(keys) if keys else 1.0,
        "negation_mismatch": float(_negated(claim) != _negated(sentences[best])),
        **base,
    }


class SupportScorer:
    """Probability that `evidence` supports `claim`, and the calibrated yes/no."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], calibration: SupportCalibration | None = None):
        self.embed = embed
        self.calibration = calibration or load_support_calibration()

    def score(self, claim: str, evidence: Sequence[str]) -> float:
        """The calibrated probability of support; a claim that fails a guard scores at most
        half the threshold, so `supported` is always `score >= threshold`."""
        row = support_features(claim, evidence, self.embed)
        if not row["has_evidence"]:
            return 0.0  # nothing to support it
        logit = float(self.calibration.model.logits(feature_matrix([row], self.calibration.model.features))[0])
        probability = 1.0 / (1.0 + math.exp(-logit))
        if guard_failures(claim, evidence, row["lex_best"], self.calibration.guards, row["cos_max"]):
            return min(probability, self.calibration.threshold / 2)
        return probability

    def supports(self, claim: str, evidence: Sequence[str]) -> bool:
        return self.score(claim, evidence) >= self.calibration.threshold
