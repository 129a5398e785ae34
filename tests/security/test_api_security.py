"""API security: per-key rate limits (429 + Retry-After), uploads only (no server paths),
and API keys never written to logs."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.limits import RateLimiter
from tests.support.paths import REPO, SEEDS
from tests.support.servers import free_port

KEYS = "alpha-key-0123456789,beta-key-9876543210"


def limited(settings, per_minute=1, burst=3, keys=""):
    api = settings.api.model_copy(update={"rate_limit_per_minute": per_minute, "rate_limit_burst": burst})
    return settings.model_copy(update={"api": api, "api_keys": SecretStr(keys)})


def test_token_bucket_allows_bursts_then_the_rate():
    now = [0.0]
    limiter = RateLimiter(per_minute=60, burst=2, clock=lambda: now[0])
    assert limiter.acquire("a") == 0 and limiter.acquire("a") == 0
    assert limiter.acquire("a") == pytest.approx(1.0)
    assert limiter.acquire("b") == 0, "another identity has its own bucket"
    now[0] = 1.0
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") > 0


def test_token_bucket_memory_is_bounded():
    limiter = RateLimiter(per_minute=60, burst=1, max_identities=100)
    for i in range(1000):
        limiter.acquire(f"addr:{i}")
    assert len(limiter._buckets) == 100


def test_over_the_limit_is_429_with_retry_after(settings, hash_embedder):
    with TestClient(create_app(limited(settings), hash_embedder)) as client:
        statuses = [client.get("/v1/collections").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        refused = client.get("/v1/collections")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert refused.json()["error"]["code"] == "rate_limited"
        assert client.get("/healthz").status_code == 200, "health checks are never limited"
        assert client.get("/readyz").status_code in (200, 503), "readiness is never limited (503 while warming up)"


def test_each_key_has_its_own_bucket_and_wrong_keys_count_against_the_address(settings, hash_embedder):
    alpha, beta = KEYS.split(",")
    with TestClient(create_app(limited(settings, keys=KEYS), hash_embedder)) as client:
        as_alpha = {"Authorization": f"Bearer {alpha}"}
        assert [client.get("/v1/collections", headers=as_alpha).status_code for _ in range(4)] == [200, 200, 200, 429]
        assert client.get("/v1/collections", headers={"Authorization": f"Bearer {beta}"}).status_code == 200
        guesses = [client.get("/v1/collections", headers={"Authorization": f"Bearer guess{i}"}).status_code for i in range(4)]
        assert guesses == [401, 401, 401, 429], "guessing keys is rate limited by address"


def test_zero_turns_the_limit_off(settings, hash_embedder):
    with TestClient(create_app(limited(settings, per_minute=0), hash_embedder)) as client:
        assert {client.get("/metrics").status_code for _ in range(100)} == {200}


def test_openapi_documents_429_with_retry_after(settings, hash_embedder):
    with TestClient(create_app(settings, hash_embedder)) as client:
        spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path in ("/healthz", "/readyz"):
                continue
            response = operation["responses"].get("429")
            assert response and "Retry-After" in response["headers"], f"{method.upper()} {path}"


def test_upload_names_are_never_read_as_server_paths(settings, hash_embedder, tmp_path):
    """The API reads uploads only: a file name that looks like a server path names the upload,
    and the file at that path is not read."""
    secret = tmp_path / "secret.txt"
    secret.write_text("The vault code is 4711.", encoding="utf-8")
    with TestClient(create_app(settings, hash_embedder)) as client:
        for name in (str(secret), "file://" + str(secret), "..\\..\\" + secret.name):
            files = [("files", (name, b"Harmless uploaded words.", "text/plain"))]
            job = client.post("/v1/documents?collection=paths&wait=true", files=files)
            assert job.status_code == 201, job.text
            result = job.json()["result"]
            [source] = result["added"] + result["updated"] + result["unchanged"]
            assert source == "upload://secret.txt"
            [document] = client.get("/v1/documents?collection=paths").json()
            text = client.get(f"/v1/documents/{document['id']}?collection=paths").json()["text"]
            assert text == "Harmless uploaded words." and "4711" not in text


def test_api_keys_never_reach_the_logs_in_process(settings, hash_embedder, caplog):
    alpha, _ = KEYS.split(",")
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(settings.model_copy(update={"api_keys": SecretStr(KEYS)}), hash_embedder)) as client:
        client.get("/v1/collections", headers={"Authorization": f"Bearer {alpha}"})
        client.get("/v1/collections", headers={"Authorization": "Bearer alpha-key-guess"})
        client.post("/v1/ask", json={"question": "ok?", "collection": "nope"}, headers={"Authorization": f"Bearer {alpha}"})
        client.get("/metrics", headers={"Authorization": f"Bearer {alpha}"})
    assert caplog.records, "debug logging captured something"
    for secret in (*KEYS.split(","), "alpha-key-guess"):
        assert secret not in caplog.text


@pytest.mark.slow
def test_api_keys_never_reach_the_server_log(tmp_path):
    """`rag -vv serve` (debug logs, uvicorn access log) with keys in use: no key in its output."""
    alpha, beta = KEYS.split(",")
    port = free_port()
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), "RAG_API_KEYS": KEYS}
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen([sys.executable, "-m", "rag", "-vv", "serve", "--port", str(port)], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(f"{url}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                    time.sleep(0.2)
            auth = {"Authorization": f"Bearer {alpha}"}
            files = [("files", ("seed.txt", next(SEEDS.glob("*.txt")).read_bytes(), "text/plain"))]
            assert httpx.post(f"{url}/v1/documents?wait=true", files=files, headers=auth, timeout=120).status_code == 201
            assert httpx.post(f"{url}/v1/ask", json={"question": "When was the pipe bomb found?"}, headers=auth, timeout=60).status_code == 200
            assert httpx.get(f"{url}/v1/documents", headers={"Authorization": f"Bearer {beta}x"}, timeout=30).status_code == 401
        finally:
            server.terminate()
            server.wait(30)
    text = log.read_text()
    assert "GET /healthz" in text or "/healthz" in text, "the access log was on"
    assert alpha not in text and beta not in text
