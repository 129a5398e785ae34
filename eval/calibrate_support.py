"""Choose the support checker's settings on ExpertQA val claims it was not trained on, and
report it on ExpertQA test (never tuned on).

    rag eval calibrate-support [--out rag/support_calibration.json] [--sample N]

The checker (`rag/checker.py`) trains on three quarters of the val questions
(`eval.checker_data.holdout`); the other quarter chooses how many evidence sentences it reads
per claim, the threshold (the highest balanced accuracy) and the lexical guards (kept only
when they raise it). Scores are reported for claims with evidence text (the setting of
published checkers) and for all labelled claims (a claim without evidence is unsupported).
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict
from pathlib import Path
from typing import Sequence

import numpy as np

from eval.checker_data import holdout
from eval.expertqa import Claim, balanced_scores, load_claims
from rag.checker import Checker, shared_checker
from rag.verify import Guards, SupportCalibration, SupportScorer, coverage, guard_failures

CANDIDATES = (1, 2, 3, 4, 6, 12)
GUARD_OPTIONS = tuple(Guards(n, m, c) for n in (False, True) for m in (False, True) for c in (0.0, 0.3, 0.5))


def sample(items: list, size: int | None, seed: int = 7) -> list:
    if size is None or size >= len(items):
        return items
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)  # nosec B311 - a seeded evaluation sample, not security
    return [items[i] for i in sorted(order[:size])]


def held_out_val() -> list[Claim]:
    """Val claims with evidence whose question the checker never trained on."""
    return [c for c in load_claims("val", with_question=True)[0] if c.evidence and holdout(c.question)]


def scores_of(claims: Sequence[Claim], calibration: SupportCalibration, checker: Checker | None = None) -> np.ndarray:
    scorer = SupportScorer(calibration, checker, settle=False)
    return np.array([scorer.score(c.claim, c.evidence) for c in claims])


def best_threshold(scores: np.ndarray, gold: list[bool]) -> tuple[float, float]:
    """(balanced accuracy, threshold) at the best of a grid of score quantiles."""
    grid = np.unique(np.quantile(scores, np.linspace(0.02, 0.98, 193)))
    return max((balanced_scores(list(scores >= t), gold)["balanced_accuracy"], round(float(t), 4)) for t in grid)


def guarded(scores: np.ndarray, claims: Sequence[Claim], threshold: float, guards: Guards) -> np.ndarray:
    """`scores` as the scorer gives them with `guards` on (a failing claim: at most half the threshold)."""
    return np.array([
        min(score, threshold / 2) if guard_failures(c.claim, c.evidence, coverage(c.claim, c.evidence), guards) else score
        for score, c in zip(scores, claims)
    ])


def choose(val: Sequence[Claim], checker: Checker, counts: Sequence[int] = CANDIDATES) -> tuple[SupportCalibration, dict]:
    """The fewest candidate sentences (of `counts`) within half a point of the best, its
    threshold, and the guards that raise balanced accuracy on `val`."""
    version = checker.version
    gold = [c.supported for c in val]
    trials, raw = {}, {}
    for k in counts:
        raw[k] = scores_of(val, SupportCalibration(0.5, k, version), checker)
        accuracy, threshold = best_threshold(raw[k], gold)
        trials[k] = (accuracy, threshold)
        print(f"candidates {k}: balanced accuracy {accuracy:.4f} at {threshold:.4f}", flush=True)
    # The fewest sentences within half a point of the best: reading is the cost of checking.
    top = max(a for a, _ in trials.values())
    k = min(k for k, (a, _) in trials.items() if a >= top - 0.005)
    calibration = SupportCalibration(trials[k][1], k, version)
    guards = {}
    for option in GUARD_OPTIONS:
        scores = guarded(raw[k], val, calibration.threshold, option)
        guards[option] = balanced_scores(list(scores >= calibration.threshold), gold)["balanced_accuracy"]
    plain = guards[Guards(False, False, 0.0)]
    best = max(guards, key=lambda g: (guards[g], -(g.numbers + g.names + (g.min_coverage > 0))))
    chosen = best if guards[best] > plain else Guards(False, False, 0.0)
    report = {"candidates": {str(k): {"balanced_accuracy": a, "threshold": t} for k, (a, t) in trials.items()},
              "guards": [{**asdict(g), "balanced_accuracy": a} for g, a in guards.items()]}
    return SupportCalibration(calibration.threshold, k, version, chosen), report


def calibrate_support(out: Path, size: int | None, model: Path | None = None, max_candidates: int | None = None) -> None:
    """Choose the checker's settings on the held-out val claims, measure them on test, and
    write both to `out`; `size`: a seeded sample of that many claims per split. `model`: a
    checker other than the committed one; `max_candidates`: read at most that many sentences
    per cited passage (what checking costs grows with them)."""
    checker = shared_checker() if model is None else Checker(model)
    counts = [k for k in CANDIDATES if max_candidates is None or k <= max_candidates] or [1]
    val = sample(held_out_val(), size)
    calibration, trials = choose(val, checker, counts)
    val_scores = scores_of(val, calibration, checker)
    test, left_out = load_claims("test")
    test = sample(test, size)
    predicted = list(scores_of(test, calibration, checker) >= calibration.threshold)
    gold = [c.supported for c in test]
    with_evidence = [i for i, c in enumerate(test) if c.evidence]
    report = {
        "val_held_out_claims_with_evidence": balanced_scores(list(val_scores >= calibration.threshold),
                                                             [c.supported for c in val]),
        "test_all_claims": balanced_scores(predicted, gold),
        "test_claims_with_evidence": balanced_scores([predicted[i] for i in with_evidence], [gold[i] for i in with_evidence]),
        "test_left_out_partial_or_unlabelled": left_out, "sample": size, "trials": trials,
    }
    out.write_text(json.dumps({**calibration.as_dict(), "metrics": report}, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "trials"}, indent=2))
    print(f"chosen: {json.dumps(calibration.as_dict())} -> {out}")


if __name__ == "__main__":
    raise SystemExit("`python -m eval.calibrate_support` is now `rag eval calibrate-support`, with the same options.")
