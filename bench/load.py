"""Load on `/v1/ask` over loopback at 1, 4 and 16 concurrent clients.

    python bench/load.py [--seconds 15] [--max-requests 400] [--out docs/bench/load.json]

Starts `rag serve` on 127.0.0.1 (rate limit off) with a fresh data directory holding the seed corpus, then,
for each concurrency level, clients ask the seed gold questions in a loop until the time or
request budget is spent (bounded; loopback only). Reports requests/s, p50/p95 latency and errors.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BACKEND, bench_env, load_average, machine, peak_rss_mib, serve, write_json  # noqa: E402


def run_level(url: str, questions: list[str], clients: int, seconds: float, budget: int) -> dict:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counter = iter(range(budget))

    def client(index: int) -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < deadline:
                try:
                    n = next(counter)
                except StopIteration:
                    return
                started = time.perf_counter()
                try:
                    ok = http.post(f"{url}/v1/ask", json={"question": questions[(n + index) % len(questions)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": errors,
        "requests_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--max-requests", type=int, default=400)
    parser.add_argument("--out", type=Path, default=Path("docs/bench/load.json"))
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="rag-load-")
    # Rate limit off (bench_env): measure the service, not the limiter.
    env = bench_env(RAG_DATA_DIR=data_dir, RAG_INDEX__MODEL_CACHE_DIR=str((ROOT / ".rag" / "models").resolve()))
    subprocess.run([sys.executable, "-m", "rag", "ingest", str(ROOT / "seeds")], env=env, check=True, capture_output=True)
    server, url = serve(env, timeout_s=60)
    try:
        questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "gold" / "seed.jsonl").read_text().splitlines() if line.strip()]
        run_level(url, questions, 2, 3, 20)  # warm-up
        results = [run_level(url, questions, clients, args.seconds, args.max_requests) for clients in (1, 4, 16)]
        server_peak = peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(10)
    print(f"{'clients':>8}{'requests':>10}{'errors':>8}{'req/s':>8}{'p50 ms':>10}{'p95 ms':>10}")
    for row in results:
        print(f"{row['clients']:>8}{row['requests']:>10}{row['errors']:>8}{row['requests_per_s']:>8}{row['p50_ms']:>10}{row['p95_ms']:>10}")
    write_json(args.out, {"machine": machine(), "backend": BACKEND, "load_average": load_average(), "server_peak_rss_mib": server_peak, "levels": results})


if __name__ == "__main__":
    main()
