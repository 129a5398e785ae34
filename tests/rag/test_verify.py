"""The support scorer, with the real model and the committed calibration."""

from __future__ import annotations

import pytest

from eval.expertqa import balanced_scores
from rag.verify import SupportScorer, strip_markers, support_features


@pytest.fixture(scope="module")
def scorer(real_embedder):
    return SupportScorer(real_embedder.embed)


def test_markers_are_stripped_from_claims():
    assert strip_markers("It rained [1][2]. Then it stopped [3].") == "It rained. Then it stopped."


def test_supported_claims_score_above_unsupported_ones(scorer):
    passage = (
        "The pipe bomb was not discovered until 1:05 p.m. by a Capitol Police counter-surveillance officer. "
        "Vice President-elect Kamala Harris arrived at the DNC at 11:30 a.m."
    )
    supported = scorer.score("A Capitol Police officer found the pipe bomb at 1:05 p.m.", [passage])
    unsupported = scorer.score("The bomb squad defused three devices at the stadium in Ohio.", [passage])
    assert supported > unsupported
    assert scorer.supports("The pipe bomb was not discovered until 1:05 p.m.", [passage])
    assert scorer.score("Anything at all.", []) == 0.0 and not scorer.supports("Anything at all.", [])


def test_features_are_bounded(real_embedder):
    row = support_features("Kimberly Cheatle reviewed the report [2].", ["The report was reviewed by Kimberly Cheatle."], real_embedder.embed)
    assert row["key_recall"] == 1.0 and 0.0 < row["lex_recall"] <= 1.0 and row["has_evidence"] == 1.0
    assert -1.0 <= row["cos_max"] <= 1.0


def test_balanced_scores_on_a_hand_computed_case():
    # tp=2 fn=1 tn=1 fp=1: recall 2/3, specificity 1/2 -> balanced 7/12; precision 2/3
    scores = balanced_scores([True, True, False, False, True], [True, True, True, False, False])
    assert scores["balanced_accuracy"] == pytest.approx(7 / 12, abs=1e-4)
    assert scores["precision"] == pytest.approx(2 / 3, abs=1e-4) and scores["recall"] == pytest.approx(2 / 3, abs=1e-4)
