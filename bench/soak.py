"""A bounded soak of the HTTP API: steady questions from concurrent clients for a few minutes.

    python bench/soak.py [--minutes 3] [--clients 4] [--window 30] [--out bench/results/soak.json]

Starts `rag serve` on 127.0.0.1 (loopback only, rate limit off) with a fresh data directory
holding the seed corpus, warms it up, then has CLIENTS clients ask the seed gold questions
in a loop until MINUTES are up, and stops the server. The run is cut into windows of WINDOW
seconds; for each it reports requests, errors, p50/p95 latency and the server's resident
memory. Verdict: no errors, and from the first window to the last, p95 latency and resident
memory each grow less than 10%. Exit code 1 when the verdict fails.
"""

from __future__ import annotations

import argparse
import json
import os
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

from bench.common import percentile, rss_mib, serve  # noqa: E402

LIMIT_PCT = 10.0


def start_server(data_dir: str) -> tuple[subprocess.Popen, str]:
    """The seed corpus ingested into `data_dir`, and `rag serve` over it (default settings, rate limit off)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_DATA_DIR=data_dir, RAG_API__RATE_LIMIT_PER_MINUTE="0")
    subprocess.run([sys.executable, "-m", "rag", "ingest", str(ROOT / "seeds")], cwd=ROOT, env=env, check=True, capture_output=True)
    return serve(env, timeout_s=180)


def soak(url: str, pid: int, questions: list[str], clients: int, seconds: float, window: float) -> list[dict]:
    samples: list[tuple[float, float, bool]] = []  # (finished at, seconds, ok)
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds

    def client(index: int) -> None:
        n = index
        with httpx.Client(timeout=60) as http:
            while time.monotonic() < deadline:
                begin = time.perf_counter()
                try:
                    ok = http.post(f"{url}/v1/ask", json={"question": questions[n % len(questions)]}).status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    samples.append((time.monotonic() - started, time.perf_counter() - begin, ok))
                n += clients

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    memory: list[float] = []
    windows = max(1, int(seconds // window))
    for w in range(windows):
        time.sleep(max(0.0, started + (w + 1) * window - time.monotonic()))
        memory.append(rss_mib(pid))
    for thread in threads:
        thread.join()
    rows = []
    for w in range(windows):
        inside = [(s, ok) for at, s, ok in samples if w * window <= at < (w + 1) * window or (w == windows - 1 and at >= (w + 1) * window)]
        latencies = [s for s, _ in inside]
        rows.append({
            "window": w + 1,
            "requests": len(inside),
            "errors": sum(not ok for _, ok in inside),
            "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
            "rss_mib": round(memory[w], 1),
        })
    return rows


def growth(first: float, last: float) -> float:
    return round((last - first) / first * 100, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=3.0, help="How long to soak (default 3).")
    parser.add_argument("--clients", type=int, default=4, help="Concurrent clients (default 4).")
    parser.add_argument("--window", type=float, default=30.0, help="Seconds per reporting window (default 30).")
    parser.add_argument("--warmup", type=int, default=40, help="Questions asked before measuring (default 40).")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "soak.json")
    args = parser.parse_args()

    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "gold" / "seed.jsonl").read_text().splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="rag-soak-") as data_dir:
        server, url = start_server(data_dir)
        try:
            with httpx.Client(timeout=60) as http:
                for i in range(args.warmup):
                    http.post(f"{url}/v1/ask", json={"question": questions[i % len(questions)]})
            rows = soak(url, server.pid, questions, args.clients, args.minutes * 60, args.window)
        finally:
            server.terminate()
            server.wait(30)

    first, last = rows[0], rows[-1]
    summary = {
        "minutes": args.minutes,
        "clients": args.clients,
        "requests": sum(r["requests"] for r in rows),
        "errors": sum(r["errors"] for r in rows),
        "p95_drift_pct": growth(first["p95_ms"], last["p95_ms"]),
        "rss_growth_pct": growth(first["rss_mib"], last["rss_mib"]),
        "limit_pct": LIMIT_PCT,
    }
    summary["ok"] = summary["errors"] == 0 and summary["p95_drift_pct"] < LIMIT_PCT and summary["rss_growth_pct"] < LIMIT_PCT

    print(f"{'window':>6} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'RSS MiB':>8}")
    for r in rows:
        print(f"{r['window']:>6} {r['requests']:>8} {r['errors']:>6} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['rss_mib']:>8}")
    print(
        f"\n{summary['requests']} questions from {args.clients} clients in {args.minutes:g} min: {summary['errors']} errors, "
        f"p95 drift {summary['p95_drift_pct']:+}%, RSS growth {summary['rss_growth_pct']:+}% "
        f"(limits: 0 errors, under {LIMIT_PCT:g}%): {'PASS' if summary['ok'] else 'FAIL'}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"summary": summary, "windows": rows}, indent=2) + "\n")
    print(f"wrote {args.out}")
    sys.exit(0 if summary["ok"] else 1)


if __name__ == "__main__":
    main()
