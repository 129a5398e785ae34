"""The reading model alone: load time, resident memory it adds, and scoring latency.

    python bench/reader.py [--repeat 30] [--out docs/bench/reader.json]

Load is measured in a new process (import onnxruntime and tokenizers, open the int8 session);
memory is that process's resident set before and after loading and scoring; latency is one
question against 4, 8 and 16 sentences of seed-article length, each with its previous sentence
(what the answerer sends), p50 and p95 over `--repeat` runs after one warm-up.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import load_average, machine, write_json  # noqa: E402


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(repeat: int) -> dict:
    """Runs in its own process: what loading and scoring cost."""
    before = _rss_mib()
    started = time.perf_counter()
    from rag.reader import Reader

    reader = Reader()
    reader.load()
    load_s = time.perf_counter() - started
    loaded = _rss_mib()
    seed = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    from index.sentences import sentence_spans

    sentences = [seed[s:e] for s, e in sentence_spans(seed)][:40]
    question = "When was the pipe bomb discovered at the DNC headquarters?"
    latency = {}
    for count in (4, 8, 16):
        texts, previous = sentences[1:count + 1], sentences[:count]
        reader.score(question, texts, previous)
        runs = []
        for _ in range(repeat):
            mark = time.perf_counter()
            reader.score(question, texts, previous)
            runs.append((time.perf_counter() - mark) * 1000)
        runs.sort()
        latency[str(count)] = {"p50_ms": round(statistics.median(runs), 2), "p95_ms": round(runs[int(0.95 * (len(runs) - 1))], 2)}
    return {"load_s": round(load_s, 3), "rss_before_mib": round(before, 1), "rss_loaded_mib": round(loaded, 1),
            "rss_after_mib": round(_rss_mib(), 1), "latency": latency}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "reader.json")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.repeat)))
        return
    out = subprocess.run([sys.executable, __file__, "--child", "--repeat", str(args.repeat)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    from rag.reader import READER_PATH, model_version

    result.update(machine=machine(), load_average=load_average(), model=model_version(),
                  model_mb=round(READER_PATH.stat().st_size / 1e6, 1))
    print(f"reader {result['model']} ({result['model_mb']} MB): load {result['load_s']:.2f} s, "
          f"+{result['rss_after_mib'] - result['rss_before_mib']:.0f} MiB resident")
    print(f"{'sentences':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for count, row in result["latency"].items():
        print(f"{count:>10}{row['p50_ms']:>10}{row['p95_ms']:>10}")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
