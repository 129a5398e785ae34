"""`rag eval`: the CI gate on the seed gold set, reproducibility, reports, metric definitions."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from eval.datasets import SEEDS, Corpus, load_gold
from eval.metrics import accuracy_coverage, ndcg, percentile, reciprocal_rank
from eval.report import check_thresholds
from eval.suite import run_suite, summarize
from rag.cli import app
from rag.settings import Settings

REPO = SEEDS.parent


def seed_corpus() -> Corpus:
    return Corpus([(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.iterdir())])


@pytest.mark.slow
@pytest.mark.parametrize("backend", [None, "torch"])
def test_seed_gold_set_meets_the_thresholds_kept_in_the_repo(tmp_path, backend):
    """The CI gate: fails the build when a metric falls below eval/thresholds/seed.json, with the
    default embedding backend (onnx-int8 for a new collection) and with torch."""
    env = {"RAG_DATA_DIR": str(tmp_path / "data")} | ({"RAG_INDEX__EMBED_BACKEND": backend} if backend else {})
    result = CliRunner().invoke(
        app,
        ["eval", "--gold", str(REPO / "eval/gold/seed.jsonl"), "--report", str(tmp_path / "report"),
         "--check", str(REPO / "eval/thresholds/seed.json")],
        env=env,
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "report" / "metrics.json").read_text())
    assert metrics["ours"]["grounding"]["citation_exactness"] == 1.0
    assert metrics["environment"]["embed_backend"] == (backend or "onnx-int8")
    assert metrics["config_fingerprint"] and metrics["corpus_sha256"] and metrics["environment"]["packages"]["chromadb"]
    html = (tmp_path / "report" / "report.html").read_text()
    assert "<svg" in html and "seed-001" in html
    assert "## Definitions" in (tmp_path / "report" / "report.md").read_text()


def test_two_runs_give_identical_metrics(tmp_path, real_embedder):
    questions = load_gold(REPO / "eval/gold/seed.jsonl")[:8]
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, index={"embed_backend": "torch"})
    first = summarize(run_suite(settings, "seed", questions, seed_corpus(), embedder=real_embedder))
    second = summarize(run_suite(settings, "seed", questions, seed_corpus(), embedder=real_embedder))
    for summary in (first, second):
        summary["ours"].pop("latency_ms")
    assert first == second


def test_thresholds_check_reports_what_fell():
    summary = {"ours": {"answers": {"accuracy": 0.5}, "abstention": {"false_abstention": 0.3}}}
    assert check_thresholds(summary, {"min": {"answers.accuracy": 0.4}, "max": {"abstention.false_abstention": 0.5}}) == []
    failures = check_thresholds(summary, {"min": {"answers.accuracy": 0.6, "missing.metric": 1}, "max": {"abstention.false_abstention": 0.2}})
    assert len(failures) == 3 and "answers.accuracy = 0.5 is below its floor 0.6" in failures


def test_eval_usage_errors(tmp_path):
    runner = CliRunner()
    assert runner.invoke(app, ["eval"]).exit_code == 2
    bad = runner.invoke(app, ["eval", "--benchmark", "nope"], env={"RAG_DATA_DIR": str(tmp_path)})
    assert bad.exit_code == 1 and "Unknown benchmark 'nope'" in bad.stderr
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"id": 1}\n')
    broken = runner.invoke(app, ["eval", "--gold", str(gold)], env={"RAG_DATA_DIR": str(tmp_path)})
    assert broken.exit_code == 1 and "g.jsonl:1" in broken.stderr


def test_retrieval_and_abstention_metrics_on_hand_computed_cases():
    assert reciprocal_rank([False, False, True]) == pytest.approx(1 / 3)
    assert reciprocal_rank([False, False]) == 0.0
    # one relevant item at rank 2: DCG = 1/log2(3); ideal = 1/log2(2) = 1
    assert ndcg([False, True], 1) == pytest.approx(0.6309, abs=1e-4)
    assert ndcg([True, True], 2) == pytest.approx(1.0)
    assert ndcg([False, True, True], 1) == pytest.approx((1 / 1.585 + 1 / 2) / (1 + 1 / 1.585), abs=1e-3)  # never above 1
    points, area = accuracy_coverage([0.9, 0.8, 0.1], [True, False, True])
    assert points == [(1 / 3, 1.0), (2 / 3, 0.5), (1.0, 2 / 3)]
    # 1/3 * 1 + 1/3 * (1 + 0.5) / 2 + 1/3 * (0.5 + 2/3) / 2
    assert area == pytest.approx(1 / 3 + 0.25 + 7 / 36)
    assert percentile([4, 1, 3, 2], 0.5) == 2 and percentile([4, 1, 3, 2], 0.95) == 4 and percentile([], 0.5) == 0.0


def test_headline_table_from_report_folders(tmp_path):
    from eval.headline import render

    folder = tmp_path / "seed"
    folder.mkdir()
    metrics = {
        "dataset": "seed", "questions": 3, "answerable": 2, "unanswerable": 1, "config_fingerprint": "abc",
        "environment": {"embed_model": "m", "packages": {"chromadb": "1"}},
        "ours": {"answers": {"accuracy": 0.5}, "latency_ms": {"total": {"p50": 12.0}}},
        "baseline": {"answers": {"accuracy": 0.25}},
    }
    (folder / "metrics.json").write_text(json.dumps(metrics))
    table = render(tmp_path)
    assert "| correct on answerable | 0.500 | 0.250 |" in table
    assert "| latency p50 ms | 12 | - |" in table
