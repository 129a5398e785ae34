"""Support checking: does a passage (or several) support a sentence? Offline, deterministic.

The trained checker (`rag.checker`) reads the claim against the evidence sentences most worth
reading (by shared terms), each with its neighbours, and the best of them decides: the
support score is the sigmoid of its logit, and `supported` means it reaches the threshold
chosen on ExpertQA's held-out val claims (`rag eval calibrate-support`). Candidates are read
best first and reading stops once one reaches the threshold (`SupportScorer.settle`). Lexical
guards (a number or a name the cited text lacks) apply on top where they measured better.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Sequence

from rag.checker import Checker, candidates, evidence_spans, evidence_text, overlap, shared_checker
from rag.errors import ConfigError
from rag.injection import is_instruction
from rag.lexical import STOPWORDS, words

SUPPORT_CALIBRATION_PATH = Path(__file__).with_name("support_calibration.json")
_MARKERS = re.compile(r"\s*\[\d{1,3}\]")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z][\w'\u2019-]*")
MAX_PIECES = 400  # evidence pieces considered for one claim


@dataclass(frozen=True)
class Guards:
    """Lexical checks a supported claim must also pass: facts a small model can gloss over
    (a changed number, a swapped name, a claim pieced together from scattered words)."""

    numbers: bool = True
    names: bool = True
    min_coverage: float = 0.0

    @classmethod
    def from_dict(cls, data: dict | None) -> "Guards":
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class SupportCalibration:
    threshold: float  # on the support score (the sigmoid of the checker's logit)
    candidates: int  # evidence sentences the checker reads per claim
    model: str  # the checker's version (`rag.checker.model_version`) it was chosen with
    guards: Guards = Guards(numbers=False, names=False)

    def as_dict(self) -> dict:
        return {"threshold": self.threshold, "candidates": self.candidates, "model": self.model,
                "guards": asdict(self.guards)}


@dataclass(frozen=True)
class Judgement:
    """The checker's verdict on a claim: its score and the evidence piece that decided it
    (`evidence` index, and offsets within that text)."""

    score: float
    evidence: int = -1
    start: int = 0
    end: int = 0


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").rstrip(".:") for n in _NUMBER.findall(text)}


def guard_failures(claim: str, evidence: Sequence[str], coverage: float, guards: Guards) -> list[str]:
    """Why the claim fails the guards (empty when it passes). `coverage`: the largest share
    of the claim's terms found in one place of the evidence (`rag.checker.overlap`)."""
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
    if coverage < guards.min_coverage:
        failures.append(f"only {coverage:.0%} of its words are in any one place of the cited text")
    return failures


def coverage(claim: str, evidence: Sequence[str]) -> float:
    """The largest share of the claim's terms found in one place (a sentence and its
    neighbours) of the evidence: what the `min_coverage` guard reads."""
    claim = strip_markers(claim)
    shares = [overlap(claim, [t[s:e] for s, e in evidence_spans(t)]) for t in evidence if t.strip()]
    return max((float(x.max()) for x in shares if len(x)), default=0.0)


@lru_cache(maxsize=2)
def load_support_calibration(path: Path = SUPPORT_CALIBRATION_PATH) -> SupportCalibration:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SupportCalibration(float(data["threshold"]), int(data["candidates"]), str(data["model"]),
                                  Guards.from_dict(data.get("guards")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"Cannot load the support calibration {path} ({exc}); regenerate it with `rag eval calibrate-support`."
        ) from None


def strip_markers(text: str) -> str:
    return _MARKERS.sub("", text).strip()


class SupportScorer:
    """Probability that `evidence` supports `claim`, and the calibrated yes/no.

    `settle`: stop reading a claim's candidate pieces once one reaches the threshold. The
    verdict is the same as reading them all (the best score can only rise); the score of a
    supported claim is then the best of the pieces read, at least the threshold. Choosing the
    threshold needs every score whole, so calibration reads them all (`settle=False`)."""

    def __init__(self, calibration: SupportCalibration | None = None, checker: Checker | None = None,
                 settle: bool = True):
        self.calibration = calibration or load_support_calibration()
        self.checker = checker or shared_checker()
        self.settle = settle

    def judge_each(
        self, claim: str, evidence: Sequence[str], sentences: Sequence[Sequence[tuple[int, int]]] | None = None,
    ) -> list[Judgement]:
        """One judgement per evidence text: the checker reads the text's `candidates` pieces
        with the most shared terms, each with its neighbours, and the best one read decides
        (with `settle`, reading stops for every text once one text's piece reaches the threshold).
        Pieces are read rank by rank (every text's best candidate first), so a claim the first
        ones support costs one reading per text. `sentences`: each text's
        sentence spans, when the caller has them already."""
        claim = strip_markers(claim)
        # ranked[r]: each text's r-th candidate, as (text, its pieces, the piece's index)
        ranked: list[list[tuple[int, list[str], int]]] = []
        shares: dict[int, float] = {}
        spans_of: dict[int, list[tuple[int, int]]] = {}
        for n, text in enumerate(evidence):
            pieces_at = evidence_spans(text, None if sentences is None else sentences[n])
            spans = [(s, e) for s, e in pieces_at if not is_instruction(text[s:e])][:MAX_PIECES]
            if not claim or not spans:
                continue
            pieces = [text[s:e] for s, e in spans]
            shares[n], spans_of[n] = float(overlap(claim, pieces).max()), spans
            for rank, i in enumerate(candidates(claim, pieces, self.calibration.candidates)):
                if rank == len(ranked):
                    ranked.append([])
                ranked[rank].append((n, pieces, i))
        coverage = max(shares.values(), default=0.0)
        failed = bool(shares) and bool(guard_failures(claim, evidence, coverage, self.calibration.guards))
        best: dict[int, Judgement] = {}
        for jobs in ranked:
            logits = self.checker.score_pairs([claim] * len(jobs), [evidence_text(pieces, i) for _, pieces, i in jobs])
            for (n, _, i), logit in zip(jobs, logits):
                score = 1.0 / (1.0 + math.exp(-float(logit)))
                if n not in best or score > best[n].score:
                    best[n] = Judgement(score, n, *spans_of[n][i])
            # A failed guard caps the score below the threshold whatever is read: the first
            # rank only chooses each text's quote.
            if self.settle and (failed or max(j.score for j in best.values()) >= self.calibration.threshold):
                break
        cap = self.calibration.threshold / 2
        return [
            Judgement(min(best[n].score, cap) if failed else best[n].score, n, best[n].start, best[n].end)
            if n in best else Judgement(0.0, n) for n in range(len(evidence))
        ]

    def judge(self, claim: str, evidence: Sequence[str]) -> Judgement:
        """The best-supported reading of `claim` over all of `evidence`."""
        return max(self.judge_each(claim, evidence), key=lambda j: j.score, default=Judgement(0.0))

    def score(self, claim: str, evidence: Sequence[str]) -> float:
        """The support probability; a claim that fails a guard scores at most half the
        threshold, so `supported` is always `score >= threshold`."""
        return self.judge(claim, evidence).score

    def supports(self, claim: str, evidence: Sequence[str]) -> bool:
        return self.score(claim, evidence) >= self.calibration.threshold


