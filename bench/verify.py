"""What support checking adds to an LLM answer: 5 sentences over 5 passages.

    python bench/verify.py [--repeat 30] [--out docs/bench/verify.json] [--model X.onnx --calibration X.json]

Passages are 5 chunks of the seed article as the index cuts them (800 characters); the answer
is 5 sentences, each a paraphrase-length piece of one passage citing it (and, in the second
row, citing two passages). Timed: the checker reading every sentence against its cited
passages (`SupportScorer.judge_each`, which also picks each citation's quote), p50 and p95 over
`--repeat` runs after one warm-up, in one process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import load_average, machine, write_json  # noqa: E402


def workload() -> tuple[list[str], list[str]]:
    from index.chunking import chunk_text
    from index.sentences import sentence_spans

    seed = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    chunks = [c.text for c in chunk_text(seed, 800, 150)][2:7]
    claims = []
    for chunk in chunks:
        start, end = max(sentence_spans(chunk), key=lambda span: span[1] - span[0])
        words = chunk[start:end].split()
        claims.append(" ".join(words[: min(len(words), 24)]).rstrip(",;") + ".")
    return chunks, claims


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "verify.json")
    parser.add_argument("--model", type=Path, help="a checker .onnx other than the committed one")
    parser.add_argument("--calibration", type=Path, help="its support calibration (rag eval calibrate-support --out)")
    args = parser.parse_args()
    from rag.checker import CHECKER_PATH, Checker, model_version
    from rag.verify import SUPPORT_CALIBRATION_PATH, SupportScorer, load_support_calibration

    model = args.model or CHECKER_PATH
    passages, claims = workload()
    scorer = SupportScorer(load_support_calibration(args.calibration or SUPPORT_CALIBRATION_PATH), Checker(model))
    scorer.checker.load()
    rows = {}
    for cited in (1, 2):
        def check(cited: int = cited) -> list:
            return [scorer.judge_each(claim, [passages[(n + k) % len(passages)] for k in range(cited)])
                    for n, claim in enumerate(claims)]

        judged = check()
        runs = []
        for _ in range(args.repeat):
            mark = time.perf_counter()
            check()
            runs.append((time.perf_counter() - mark) * 1000)
        runs.sort()
        rows[f"{cited}_cited_each"] = {
            "p50_ms": round(statistics.median(runs), 1), "p95_ms": round(runs[int(0.95 * (len(runs) - 1))], 1),
            "pairs_read": len(claims) * cited * scorer.calibration.candidates,
            "supported": sum(max(j.score for j in js) >= scorer.calibration.threshold for js in judged),
        }
    result = {"machine": machine(), "load_average": load_average(), "model": model_version(model),
              "model_mb": round(model.stat().st_size / 1e6, 1), "max_tokens": scorer.checker.max_tokens,
              "candidates": scorer.calibration.candidates,
              "sentences": len(claims), "passages": len(passages), "rows": rows}
    print(f"checker {result['model']} ({result['model_mb']} MB), {result['candidates']} sentence(s) read per cited passage")
    print(f"{'answer':<28}{'p50 ms':>9}{'p95 ms':>9}{'pairs':>7}{'supported':>11}")
    for name, row in rows.items():
        label = f"5 sentences, {name[0]} cited each"
        print(f"{label:<28}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['pairs_read']:>7}{row['supported']:>8}/5")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
