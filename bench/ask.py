"""Warm `rag ask` latency on the seed corpus, per stage.

    python bench/ask.py [--repeat 3] [--out bench/results/ask.json]

Ingests seeds/ into a fresh data directory, loads the pipeline once, then answers every
question of eval/gold/seed.jsonl `--repeat` times and reports p50/p95 of each stage.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eval.datasets import load_gold  # noqa: E402
from index.commands import run_ingest  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.settings import Settings  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("bench/results/ask.json"))
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="rag-ask-")), chroma_url=None)
    run_ingest(settings, [ROOT / "seeds"])
    started = time.perf_counter()
    pipeline = Pipeline(settings)
    pipeline.ask("warm up: who reviewed the report?")
    load_s = time.perf_counter() - started
    questions = [q.question for q in load_gold(ROOT / "eval" / "gold" / "seed.jsonl")]
    # Pass 1 meets each passage for the first time; later passes find its sentence vectors cached.
    passes: dict[str, dict[str, list[float]]] = {"first_pass": {}, "repeat_passes": {}}
    for round_ in range(args.repeat):
        bucket = passes["first_pass" if round_ == 0 else "repeat_passes"]
        for question in questions:
            for stage, ms in pipeline.ask(question).timings_ms.items():
                bucket.setdefault(stage, []).append(ms)
    result = {
        "questions": len(questions),
        "repeat": args.repeat,
        "pipeline_load_and_first_answer_s": round(load_s, 2),
        **{
            name: {stage: {"p50": round(statistics.median(v), 1), "p95": round(percentile(v, 0.95), 1)} for stage, v in stages.items()}
            for name, stages in passes.items() if stages
        },
    }
    print(f"{'pass':<15}{'stage':<10}{'p50 ms':>10}{'p95 ms':>10}")
    for name in passes:
        for stage, row in result.get(name, {}).items():
            print(f"{name:<15}{stage:<10}{row['p50']:>10.1f}{row['p95']:>10.1f}")
    print(f"pipeline load + first answer: {load_s:.2f} s; {len(questions)} questions x {args.repeat} passes")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
