"""The committed support checker: it loads offline, is small and versioned, and its training
path runs end to end (on a tiny sample: a test of the path, not of quality)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.checker import CHECKER_PATH, Checker, candidates, evidence_text, model_version, overlap

CLAIMS = Path(__file__).resolve().parents[3] / "shared" / "training" / "claims"
BENCHMARKS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks"


def test_the_committed_checker_is_small_and_versioned():
    assert CHECKER_PATH.is_file()
    assert CHECKER_PATH.stat().st_size < 30 * 1024 * 1024
    assert len(model_version()) == 12
    assert CHECKER_PATH.with_suffix(".md").is_file()  # the model card


def test_the_checker_tells_support_from_contradiction():
    """Pairs the model itself (its weights dequantised, in fp32) judges with a margin of 2 logits
    or more: int8 kernels differ between CPUs (with AVX-512 VNNI or without), and "Paris is the
    capital of Germany." against "... of France." (fp32 0.33) came out below 0 on one and above
    on another."""
    checker = Checker()
    evidence = "The pipe bomb was found at 12:40 p.m. outside the DNC. [SEP] Police closed the street."
    logits = checker.score_pairs(
        ["The pipe bomb was found at 12:40 p.m.", "The pipe bomb was found at 3:15 p.m.", "The museum opens at 9 a.m. on Sundays."],
        [evidence, evidence, "The museum is closed on Sundays."],
    )
    assert logits[0] > 0 > logits[2] and logits[0] > logits[1]


def test_a_claim_longer_than_the_model_reads_is_cut_not_refused():
    long_claim = " ".join(["The committee approved the budget after a long debate"] * 30)
    assert Checker().score_pairs([long_claim], ["The committee approved the budget."]).shape == (1,)


def test_candidates_rank_sentences_by_shared_terms_with_their_neighbours():
    sentences = ["The weather was cold.", "Jonas Weber is the facilities contact.", "Lunch is at noon."]
    assert candidates("Who is the facilities contact? Jonas Weber.", sentences, 1) == [1]
    assert overlap("", sentences).tolist() == [0.0, 0.0, 0.0]
    assert evidence_text(sentences, 1).startswith("Jonas Weber is the facilities contact. [SEP] The weather")


@pytest.mark.slow
def test_training_runs_end_to_end_and_the_onnx_export_matches_torch(tmp_path):
    from eval import train_checker
    from eval.cli import invoke

    if not (CLAIMS / "fever" / "claim.txt").is_file() or not (BENCHMARKS / "expertqa").is_dir():
        pytest.skip(f"training data not at {CLAIMS} (../shared/training)")
    args = ["--claims", str(CLAIMS), "--benchmarks", str(BENCHMARKS), "--dir", str(tmp_path / "run"),
            "--examples", "24", "--held-out-claims", "12", "--batch-size", "8", "--checkpoint-every", "2",
            "--export", str(tmp_path / "checker.onnx")]
    invoke(["train-checker", *args], standalone=False)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["trained_steps"] == record["steps"] == 3
    assert all(len(digest) == 64 for digest in record["data_sha256"].values())
    assert "expertqa/rand_val.jsonl" in record["data_sha256"] and not any("test" in k for k in record["data_sha256"] if "expertqa" in k)
    assert record["export"]["max_abs_diff"] < 0.5
    assert (tmp_path / "checker.onnx").stat().st_size < 30 * 1024 * 1024
    checker = Checker(tmp_path / "checker.onnx")
    claim, evidence = train_checker.FIXED_PAIRS[0]
    assert abs(float(checker.score_pairs([claim], [evidence])[0]) - record["export"]["onnx"][0]) < 0.05
    assert set(record["held_out_expertqa_val"]) == {"candidates_1", "candidates_2", "candidates_4", "candidates_all"}
    invoke(["train-checker", *args], standalone=False)  # a rerun resumes from the checkpoint instead of training again
    again = json.loads((tmp_path / "run" / "run.json").read_text())
    assert again["trained_steps"] == record["trained_steps"] and again["checkpoint"] == record["checkpoint"]


def test_a_smaller_model_learns_from_a_teacher_and_says_how_long_a_pair_it_reads(tmp_path):
    from eval.cli import invoke

    if not (CLAIMS / "fever" / "claim.txt").is_file() or not (BENCHMARKS / "expertqa").is_dir():
        pytest.skip(f"training data not at {CLAIMS} (../shared/training)")
    args = ["--claims", str(CLAIMS), "--benchmarks", str(BENCHMARKS), "--dir", str(tmp_path / "run"),
            "--examples", "16", "--held-out-claims", "8", "--batch-size", "8", "--layers", "2", "--freeze-layers", "0",
            "--max-tokens", "48", "--teacher", str(CHECKER_PATH), "--teacher-weight", "0.5",
            "--export", str(tmp_path / "small.onnx")]
    invoke(["train-checker", *args], standalone=False)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["layers"] == 2 and record["teacher"] == model_version() and record["trained_steps"] == 2
    assert list((tmp_path / "run").glob("teacher-*.npy")), "the teacher's judgements are kept for a resumed run"
    small = Checker(tmp_path / "small.onnx")
    small.load()
    assert small.max_tokens == 48  # read from the model file, not the default
    assert (tmp_path / "small.onnx").stat().st_size < CHECKER_PATH.stat().st_size
    long_claim = " ".join(["The committee approved the budget after a long debate"] * 30)
    assert small.score_pairs([long_claim], ["The committee approved the budget."]).shape == (1,)
