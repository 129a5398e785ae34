"""Every benchmark, then docs/benchmarks.md: `python -m bench.all`.

    python -m bench.all [--sizes 1000 10000 100000] [--light | --quick] [--skip NAME ...]

Runs, in order, each as its own process (niced, so other work on the machine keeps going):
quantized (onnx-int8 against torch), ingest (ours, naive, bare encoding at each size), ingest-torch
(ours on the torch backend against bare torch encoding at 10k, like for like), query
(latency at each size, in-process and over HTTP, and server memory), startup (cold `rag ask`),
load (`/v1/ask` at 1, 4 and 16 clients), then bench/report.py. Results are JSON with numbers
only, in docs/bench/ (and the page docs/benchmarks.md); `--quick` is a smoke run at 300 chunks
with few repeats that writes to bench/results/ instead.
A run that stops part-way can be started again: ingest keeps the sizes it finished.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--quick", action="store_true",
                        help="300 chunks, few repeats, results in bench/results: checks the scripts run.")
    parser.add_argument("--results", type=Path, default=None,
                        help="Folder for the JSON (default docs/bench; bench/results with --quick).")
    parser.add_argument("--light", action="store_true",
                        help="What fits in about 90 minutes on two busy cores: naive and bare fp32 encoding at 1k only, "
                             "the last 5,000 chunks real at 100k, fewer questions and repeats.")
    parser.add_argument("--skip", nargs="*", default=[], choices=["quantized", "ingest", "ingest-torch", "query", "startup", "load", "reader", "verify"])
    args = parser.parse_args()
    sizes = [str(s) for s in ([300] if args.quick else args.sizes)]
    results = args.results or Path("bench/results" if args.quick else "docs/bench")
    full_up_to = str(min(int(s) for s in sizes) if args.quick else 10000)
    light = args.light and not args.quick
    ingest = [["bench/ingest.py", "--sizes", *sizes, "--full-up-to", full_up_to]]
    if light:
        small, full = [s for s in sizes if int(s) < 10000], [s for s in sizes if int(s) == 10000]
        large = [s for s in sizes if int(s) > 10000]
        ingest = ([["bench/ingest.py", "--sizes", *small]] if small else []) + (
            [["bench/ingest.py", "--sizes", *full, "--kinds", "ours", "bare-onnx", "--repeat", "3"]] if full else []) + (
            [["bench/ingest.py", "--sizes", *large, "--full-up-to", "10000", "--tail", "5000"]] if large else [])
    # Like for like in torch fp32 at the paired size (10k; the smallest with --quick), in turn:
    # the yardstick, bare SentenceTransformer encoding, against ours on the same backend.
    paired = [s for s in sizes if int(s) == int(full_up_to)] if args.quick else [s for s in sizes if int(s) == 10000]
    ingest_torch = [["bench/ingest.py", "--sizes", *paired, "--kinds", "ours", "bare-torch", "--repeat", "2" if args.quick else "3"]] if paired else []
    steps = {
        "quantized": [["bench/quantized.py"] + (["--chunks", "64", "--repeat", "1"] if args.quick else [])],
        "ingest": ingest,
        "ingest-torch": ingest_torch,
        "query": [["bench/query.py", "--sizes", *sizes] + (["--questions", "20"] if args.quick else
                                                          ["--questions", "40", "--questions-largest", "30"] if light else [])],
        "startup": [["bench/startup.py"] + (["--repeat", "2"] if args.quick else ["--repeat", "3"] if light else [])],
        "reader": [["bench/reader.py"] + (["--repeat", "5"] if args.quick else [])],
        "verify": [["bench/verify.py"] + (["--repeat", "5"] if args.quick else [])],
        "load": [["bench/load.py"] + (["--seconds", "3", "--max-requests", "40"] if args.quick else
                                      ["--seconds", "8", "--max-requests", "200"] if light else [])],
    }
    for name, commands in steps.items():
        if name in args.skip:
            continue
        for command in commands:
            started = time.perf_counter()
            command = [*command, "--out", str(results / f"{name}.json")]
            print(f"== {name}: {' '.join(command)}", flush=True)
            env = {**os.environ, "RAG_INDEX__EMBED_BACKEND": "torch"} if name == "ingest-torch" else None
            subprocess.run(["nice", "-n", "2", sys.executable, *command], cwd=ROOT, check=True, env=env)
            print(f"== {name} took {time.perf_counter() - started:.0f} s", flush=True)
    page = Path("docs/benchmarks.md") if results == Path("docs/bench") else results / "benchmarks.md"
    subprocess.run([sys.executable, "bench/report.py", "--results", str(results), "--out", str(page)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    print(f"== wrote {page}")


if __name__ == "__main__":
    main()
