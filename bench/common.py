"""Small helpers the benchmark scripts share: percentiles, peak memory, the machine, JSON out."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
from pathlib import Path

# The configuration the benchmarks call "ours": the fast embedding path (RAG_INDEX__EMBED_BACKEND
# in the environment chooses another).
BACKEND = os.environ.get("RAG_INDEX__EMBED_BACKEND") or "onnx-int8"
# Whether ours embeds in a worker process (`index.embed_worker`); the default, off, unless set.
EMBED_WORKER = os.environ.get("RAG_INDEX__EMBED_WORKER") or "off"


def bench_env(**extra: str) -> dict[str, str]:
    """The environment for a `rag` subprocess: the caller's without RAG_* settings, plus ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_INDEX__EMBED_BACKEND=BACKEND, RAG_API__RATE_LIMIT_PER_MINUTE="0", **extra)
    return env


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of `values` (share in 0-1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def latency_summary(ms: list[float]) -> dict[str, float]:
    return {f"p{p}": round(percentile(ms, p / 100), 1) for p in (50, 95, 99)} | {"n": len(ms)}


def peak_rss_mib(pid: int | str = "self") -> float:
    """Peak resident memory (VmHWM) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmHWM in /proc status")


def rss_mib(pid: int | str = "self") -> float:
    """Current resident memory (VmRSS) of a process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError("no VmRSS in /proc status")


def machine() -> str:
    """CPU model, cores, memory and Python: what the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        memory = f", {mem / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        memory = ""
    return f"{cpu}, {os.cpu_count()} cores{memory}, Linux {platform.release()}, Python {platform.python_version()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_json(path: Path, data: dict) -> None:
    """Numbers only: benchmark outputs never quote benchmark text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")


def load_average() -> list[float]:
    """1, 5 and 15 minute load averages: how busy the shared cores were."""
    return [round(x, 2) for x in os.getloadavg()]


def serve(env: dict[str, str], timeout_s: float = 300.0) -> tuple[subprocess.Popen, str]:
    """`rag serve` on a free loopback port with `env`, and its URL, once `/readyz` says ready."""
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "rag", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=Path(__file__).resolve().parents[1], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=60).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise RuntimeError(f"rag serve exited with {server.returncode}")
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"rag serve was not ready within {timeout_s:g} s")
