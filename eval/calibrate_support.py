"""Fit the support scorer on ExpertQA `*_val` and report it on `*_test`.

    python -m eval.calibrate_support [--out rag/support_calibration.json]

Fitted on val claims that have evidence text; the threshold maximises balanced accuracy there; test is only scored, never tuned on.
Scores are reported for all labelled claims and for those that have evidence text (the
setting of published checkers; a claim without evidence is trivially unsupported).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from eval.calibrate import fit
from eval.expertqa import balanced_scores, load_claims
from index.embedding import SentenceTransformerEmbedder
from rag.extractive import feature_matrix
from rag.verify import SUPPORT_CALIBRATION_PATH, SUPPORT_FEATURES, SupportCalibration, SupportScorer, support_features


def features_of(claims, embed, with_flag: bool = False) -> np.ndarray:
    names = SUPPORT_FEATURES + (("has_evidence",) if with_flag else ())
    return feature_matrix([support_features(c.claim, c.evidence, embed) for c in claims], names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SUPPORT_CALIBRATION_PATH)
    args = parser.parse_args()
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
    args.out.write_text(json.dumps({"model": model.as_dict(), "threshold": round(float(threshold), 4), "metrics": report}, indent=2) + "\n")
    assert scorer.calibration is calibration
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
