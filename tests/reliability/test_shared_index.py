"""One index seen the same by every process.

Real processes: `rag serve` and the `rag` command on one embedded data directory, and two API
workers of `rag serve --workers 2` on a `chroma run` server. Embedded Chroma keeps a collection's
vector index in the memory of each process that opened it; these tests fail when a process
answers from, or writes from, a view older than another process's last write.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.paths import SEEDS
from tests.support.servers import ChromaServer, free_port

RAG = str(Path(sys.executable).with_name("rag"))
QUESTION = "What is the parking garage code?"
# Enough text that the ingest's vectors reach Chroma's on-disk index (a few chunks stay in its
# write log, which every process reads; a larger write is where a stale process went blind).
FILLER = [p for p in next(SEEDS.glob("*.txt")).read_text(encoding="utf-8").split("\n\n") if len(p) > 200]


def rag_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update({
        "RAG_DATA_DIR": str(data_dir), "RAG_COLLECTION": "default", "RAG_API__RATE_LIMIT_PER_MINUTE": "0",
        "RAG_INDEX__MODEL_CACHE_DIR": os.environ["RAG_INDEX__MODEL_CACHE_DIR"], **extra,
    })
    return env


def rag(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([RAG, *args], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"rag {' '.join(args)}: {done.stderr}"
    return done.stdout


class Serve:
    """`rag serve` as its own process, on a free port of 127.0.0.1."""

    def __init__(self, env: dict[str, str], workers: int = 1):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [RAG, "serve", "--port", str(self.port), "--workers", str(workers)]
        self.env = env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Serve":
        self.process = subprocess.Popen(self.args, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"rag serve exited with {self.process.returncode}: {self.process.stderr.read()}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=30).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("rag serve did not become ready")

    def __exit__(self, *exc) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def key(answer: dict) -> tuple:
    """What must be equal between two processes' answers."""
    return (
        answer["answer"], answer["abstained"],
        [(c["document_id"], c["start_char"], c["end_char"], c["quote"]) for c in answer["citations"]],
    )


def office(folder: Path, code: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "office.md"
    path.write_text(f"# Office notes\n\nThe parking garage code is {code}.\n\n" + "\n\n".join(FILLER[:12]) + "\n", encoding="utf-8")
    return path


def both_answers(server: Serve, env: dict[str, str]) -> tuple[dict, dict]:
    over_http = httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=120)
    assert over_http.status_code == 200, over_http.text
    return over_http.json(), json.loads(rag(env, "ask", QUESTION, "--json"))


@pytest.mark.slow
def test_a_server_sees_every_cli_write_to_its_embedded_directory(tmp_path):
    env = rag_env(tmp_path / "data")
    rag(env, "ingest", str(SEEDS))
    notes = tmp_path / "notes"
    with Serve(env) as server:
        assert httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=120).json()["abstained"]

        path = office(notes, "4711")
        rag(env, "ingest", str(notes))
        served, cli = both_answers(server, env)
        assert "4711" in cli["answer"] and key(served) == key(cli)
        cited = next(p for p in served["passages"] if "4711" in p["text"])
        assert cited["dense_score"] is not None, "the server's vector search does not see the CLI's chunks"

        office(notes, "9034")  # an update
        rag(env, "ingest", str(notes))
        served, cli = both_answers(server, env)
        assert "9034" in cli["answer"] and "4711" not in served["answer"] and key(served) == key(cli)

        # A write by the server after the CLI's: nothing the CLI stored is lost from the vectors.
        upload = httpx.post(
            f"{server.url}/v1/documents", params={"wait": "true"},
            files=[("files", ("visitors.md", b"# Visitors\n\nVisitors sign in at the front desk.\n" + "\n\n".join(FILLER[12:24]).encode()))],
            timeout=300,
        )
        assert upload.status_code == 201, upload.text
        served, cli = both_answers(server, env)
        assert "9034" in served["answer"] and key(served) == key(cli)
        assert next(p for p in cli["passages"] if "9034" in p["text"])["dense_score"] is not None

        rag(env, "remove", str(path))
        served, cli = both_answers(server, env)
        assert served["abstained"] and key(served) == key(cli)
        seeds = "When was the pipe bomb discovered?"
        assert not httpx.post(f"{server.url}/v1/ask", json={"question": seeds}, timeout=120).json()["abstained"]


def worker_connections(url: str, wanted: int = 2, tries: int = 60) -> list[tuple[int, httpx.Client]]:
    """Keep-alive connections that stay with one worker each, one per worker (`/healthz` names it)."""
    found: dict[int, httpx.Client] = {}
    for _ in range(tries):
        client = httpx.Client(base_url=url, timeout=120)
        pid = client.get("/healthz").json()["worker"]
        if pid in found:
            client.close()
        else:
            found[pid] = client
        if len(found) == wanted:
            return sorted(found.items())
    raise AssertionError(f"found {len(found)} of {wanted} workers")


@pytest.mark.slow
def test_two_api_workers_on_a_chroma_server_share_jobs_and_metrics(tmp_path):
    chroma = ChromaServer(tmp_path / "chroma")
    chroma.start()
    try:
        env = rag_env(tmp_path / "data", RAG_CHROMA_URL=chroma.url, RAG_API__WARM_UP="false")
        with Serve(env, workers=2) as server:
            (first_pid, first), (second_pid, second) = worker_connections(server.url)
            assert first_pid != second_pid
            note = b"# Office\n\nThe parking garage code is 4711.\n"
            job = first.post("/v1/documents", files=[("files", ("office.md", note))]).json()
            deadline, polled = time.monotonic() + 240, 1
            while (seen := second.get(f"/v1/jobs/{job['id']}")).json()["status"] not in ("done", "failed"):
                assert seen.status_code == 200 and time.monotonic() < deadline
                polled += 1
                time.sleep(0.2)
            assert seen.json()["status"] == "done", seen.text
            assert first.get(f"/v1/jobs/{job['id']}").json() == seen.json()
            assert second.post("/v1/ask", json={"question": QUESTION}).json()["answer"].count("4711") == 1
            assert first.get("/v1/jobs/nope").status_code == 404

            for client in (first, second):
                client.get("/healthz")
            counts = [metric(client.get("/metrics").text, "GET", "/healthz") for client in (first, second)]
            polls = [metric(client.get("/metrics").text, "GET", "/v1/jobs/{job_id}") for client in (first, second)]
        # Every /healthz call made above, whichever worker answered it, counted once, in both views.
        assert counts[0] == counts[1] >= 4
        assert polls[0] == polls[1] == polled + 1
    finally:
        chroma.stop()


def metric(text: str, method: str, route: str) -> float:
    prefix = f'rag_requests_total{{method="{method}",route="{route}",status="200"}} '
    values = [float(line[len(prefix):]) for line in text.splitlines() if line.startswith(prefix)]
    assert values, f"no {prefix!r} in /metrics"
    return sum(values)
