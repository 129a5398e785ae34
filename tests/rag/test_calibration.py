"""The answerer's fitted linear models: bounds keep a coefficient from extrapolating."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.calibration import LinearModel, load_calibration


def _model(**bounds) -> LinearModel:
    return LinearModel(("margin", "top"), np.array([1.0, 0.0]), np.array([2.0, 1.0]), np.array([-1.0, 1.0]), 0.5, **bounds)


def test_a_bounded_model_counts_a_value_beyond_its_range_as_the_bound():
    bounded = _model(low=np.array([0.0, -3.0]), high=np.array([5.0, 3.0]))
    rows = np.array([[8.3, 1.0], [5.0, 1.0], [2.0, 9.0], [2.0, 3.0]])
    logits = bounded.logits(rows)
    assert logits[0] == pytest.approx(logits[1]) and logits[2] == pytest.approx(logits[3])
    unbounded = _model().logits(rows)
    assert unbounded[0] < logits[0] and unbounded[2] > logits[2]  # without bounds, both extrapolate
    assert bounded.logits(np.array([[2.0, 1.0]]))[0] == pytest.approx(_model().logits(np.array([[2.0, 1.0]]))[0])


def test_bounds_round_trip_and_a_model_without_them_still_loads():
    bounded = _model(low=np.array([0.0, -3.0]), high=np.array([5.0, 3.0]))
    again = LinearModel.from_dict(json.loads(json.dumps(bounded.as_dict())))
    assert again.low.tolist() == [0.0, -3.0] and again.high.tolist() == [5.0, 3.0]
    plain = LinearModel.from_dict(_model().as_dict())
    assert plain.low is None and "low" not in plain.as_dict()


def test_the_committed_answerability_model_is_bounded_to_what_calibration_saw():
    model = load_calibration().answerable
    assert model.low is not None and model.high is not None
    assert model.low.shape == model.high.shape == (len(model.features),)
    assert np.all(model.low <= model.high)
    margin = model.features.index("margin")
    assert model.high[margin] < 8.0  # the two-document margin that once declined an answer


def test_fit_bounds_each_feature_to_its_quantiles():
    from eval.calibrate import fit

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(400, 2))
    labels = rows[:, 0] + rng.normal(scale=0.5, size=400) > 0
    model = fit(rows, labels, ("a", "b"), np.ones(400), bound=0.05)
    assert model.low == pytest.approx(np.quantile(rows, 0.05, axis=0))
    assert model.high == pytest.approx(np.quantile(rows, 0.95, axis=0))
    assert fit(rows, labels, ("a", "b"), np.ones(400)).low is None


def test_the_threshold_declines_half_the_unanswerable_unless_that_declines_too_many_answerable():
    from eval.calibrate import choose_threshold

    # Two dev sets of 10 answerable and 10 unanswerable questions each.
    answerable = np.linspace(0.20, 0.95, 10)
    hard = np.linspace(0.10, 0.60, 10)  # unanswerable questions that look answerable
    easy = np.linspace(0.01, 0.20, 10)
    probs = np.concatenate([answerable, hard, answerable, easy])
    labels = np.array(([True] * 10 + [False] * 10) * 2)
    datasets = np.array(["a"] * 20 + ["b"] * 20)
    uncapped = choose_threshold(probs, labels, datasets, 0.5, 1.0)
    assert uncapped == pytest.approx(np.quantile(hard, 0.5))  # the harder set sets it
    assert np.mean(hard < uncapped) >= 0.5 and np.mean(answerable < uncapped) == 0.2
    capped = choose_threshold(probs, labels, datasets, 0.5, 0.1)
    assert np.mean(answerable < capped) == pytest.approx(0.1)  # one of ten declined, not two
    assert answerable[1] - 1e-4 < capped <= answerable[1] and capped < uncapped
    # Stored to 4 places (`Calibration.as_dict`), it stays the same: it was rounded down already.
    assert round(capped, 4) == capped
    # A cap that the decline target already respects changes nothing.
    assert choose_threshold(probs, labels, datasets, 0.5, 0.3) == uncapped
    # Declining nothing answerable: the threshold sits at the lowest answerable probability.
    assert choose_threshold(probs, labels, datasets, 0.5, 0.0) == pytest.approx(answerable[0], abs=1e-4)


def test_calibrate_refuses_shares_that_are_not_shares(tmp_path):
    from eval.calibrate import calibrate
    from rag.errors import InvalidInput
    from rag.settings import Settings

    for target, cap, named in ((0.0, 0.1, "--decline-target"), (0.5, 1.5, "--false-abstention-cap"),
                               (float("nan"), 0.1, "--decline-target"), (0.5, float("nan"), "--false-abstention-cap")):
        with pytest.raises(InvalidInput, match=named):
            calibrate(Settings(data_dir=tmp_path), top_k=5, out=tmp_path / "c.json", cache=None, reader=None,
                      reader_candidates=3, decline_target=target, answerable_drop=(), false_abstention_cap=cap)
    assert not (tmp_path / "c.json").exists()
