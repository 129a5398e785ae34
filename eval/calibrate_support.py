"""Fit the support scorer on ExpertQA `*_val` and report it on `*_test`.

    python -m eval.calibrate_support [--out rag/support_calibration.json]
    python -m eval.calibrate_support --guards [--sample N]   # choose the guards, keep the model

Fitted on val claims that have evidence text; the threshold maximises balanced accuracy there; test is only scored, never tuned on.
Scores are reported for all labelled claims and for those that have evidence text (the
setting of published checkers; a claim without evidence is trivially unsupported).
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import asdict
from pathlib import Path

import numpy as np

from eval.calibrate import fit
from eval.expertqa import balanced_scores, load_claims
from index.embedding import SentenceTransformerEmbedder
from rag.extractive import feature_matrix
from rag.verify import (
    SUPPORT_CALIBRATION_PATH, SUPPORT_FEATURES, Guards, SupportCalibration, SupportScorer, guard_failures,
    load_support_calibration, support_features,
)


def features_of(claims, embed, with_flag: bool = False) -> np.ndarray:
    names = SUPPORT_FEATURES + (("has_evidence",) if with_flag else ())
    return feature_matrix([support_features(c.claim, c.evidence, embed) for c in claims], names)


GUARD_MIN_PRECISION = 0.90


def memo_embed(embed):
    """`embed` remembering every text (ExpertQA claims share much of their evidence)."""
    memo: dict[str, np.ndarray] = {}

    def embed_memo(texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in memo]
        if missing:
            memo.update(zip(missing, embed(missing)))
        return np.vstack([memo[t] for t in texts])

    return embed_memo


def sample(claims, size: int | None, seed: int = 7):
    if size is None or size >= len(claims):
        return claims
    order = list(range(len(claims)))
    random.Random(seed).shuffle(order)  # nosec B311 - a seeded evaluation sample, not security
    return [claims[i] for i in sorted(order[:size])]


def choose_guards(out: Path, size: int | None) -> None:
    """Keep the fitted model and threshold; choose the guards on val claims with evidence: the
    highest balanced accuracy among settings whose precision reaches GUARD_MIN_PRECISION.
    Then report test (never tuned on)."""
    calibration = load_support_calibration(out)
    embed = memo_embed(SentenceTransformerEmbedder().embed)

    def scored(claims):
        rows = []
        for claim in claims:
            row = support_features(claim.claim, claim.evidence, embed)
            logit = float(calibration.model.logits(feature_matrix([row], calibration.model.features))[0])
            rows.append((claim, 1 / (1 + np.exp(-logit)), row["lex_best"], row["cos_max"]))
        return rows

    def predict(rows, guards):
        return [
            p >= calibration.threshold and not guard_failures(c.claim, c.evidence, lex, guards, cos)
            for c, p, lex, cos in rows
        ]

    val = scored(sample([c for c in load_claims("val")[0] if c.evidence], size))
    gold = [c.supported for c, *_ in val]
    options = [
        Guards(n, m, cov, sim) for n in (True, False) for m in (True, False)
        for cov in (0.0, 0.3, 0.4, 0.5) for sim in (0.0, 0.5, 0.6, 0.7)
    ]
    results = [(balanced_scores(predict(val, g), gold), g) for g in options]
    eligible = [r for r in results if r[0]["precision"] >= GUARD_MIN_PRECISION] or results
    best_scores, best = max(eligible, key=lambda r: r[0]["balanced_accuracy"])
    test = scored(sample([c for c in load_claims("test")[0] if c.evidence], size))
    test_gold = [c.supported for c, *_ in test]
    report = {
        "guards": asdict(best),
        "val_claims_with_evidence": best_scores,
        "val_without_guards": balanced_scores(predict(val, Guards(False, False, 0.0)), gold),
        "test_claims_with_evidence": balanced_scores(predict(test, best), test_gold),
        "test_without_guards": balanced_scores(predict(test, Guards(False, False, 0.0)), test_gold),
        "sample": size,
    }
    data = json.loads(out.read_text(encoding="utf-8"))
    data["guards"] = asdict(best)
    data["metrics"]["guards"] = report
    out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SUPPORT_CALIBRATION_PATH)
    parser.add_argument("--guards", action="store_true", help="choose the guards on val, keep the model")
    parser.add_argument("--sample", type=int, help="with --guards: a seeded random sample of N claims per split")
    args = parser.parse_args()
    if args.guards:
        return choose_guards(args.out, args.sample)
    embedder = SentenceTransformerEmbedder()
    # Fit on claims that have evidence text: without evidence the scorer says "unsupported"
    # by rule, and such claims would only teach the model to look for missing evidence.
    val = [c for c in load_claims("val")[0] if c.evidence]
    rows = features_of(val, embedder.embed)
    labels = np.array([c.supported for c in val])
    model = fit(rows, labels, SUPPORT_FEATURES, balanced=True)
    probs = 1 / (1 + np.exp(-model.logits(rows)))
    threshold = max(
        np.linspace(0.05, 0.95, 181),
        key=lambda t: balanced_scores(list(probs >= t), list(labels))["balanced_accuracy"],
    )
    calibration = SupportCalibration(model, float(threshold))
    test, left_out = load_claims("test")
    scorer = SupportScorer(embedder.embed, calibration)
    test_rows = features_of(test, embedder.embed, with_flag=True)
    test_probs = np.where(test_rows[:, -1] > 0, 1 / (1 + np.exp(-model.logits(test_rows[:, :-1]))), 0.0)
    predicted = list(test_probs >= threshold)
    gold = [c.supported for c in test]
    with_evidence = [i for i, c in enumerate(test) if c.evidence]
    report = {
        "threshold": round(float(threshold), 4),
        "val": balanced_scores(list(probs >= threshold), list(labels)),
        "test_all_claims": balanced_scores(predicted, gold),
        "test_claims_with_evidence": balanced_scores([predicted[i] for i in with_evidence], [gold[i] for i in with_evidence]),
        "test_left_out_partial_or_unlabelled": left_out,
    }
    args.out.write_text(json.dumps({
        "model": model.as_dict(), "threshold": round(float(threshold), 4), "metrics": report,
        "guards": {"numbers": False, "names": False, "min_coverage": 0.0},  # choose them again with --guards
    }, indent=2) + "\n")
    assert scorer.calibration is calibration
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
