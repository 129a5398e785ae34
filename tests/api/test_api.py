"""The HTTP API: in-process (TestClient) and over real HTTP on 127.0.0.1 (uvicorn)."""

from __future__ import annotations

import json
import os
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from index.commands import run_ingest
from rag.settings import Settings
from tests.support.paths import SEEDS
from tests.support.servers import ChromaServer, UvicornThread, wait_warm

QUESTION = "What time was the pipe bomb discovered?"


@pytest.fixture(scope="module")
def seeded_settings(tmp_path_factory):
    settings = Settings(data_dir=tmp_path_factory.mktemp("api") / "data", chroma_url=None, collection="default", index={"embed_backend": "torch"})  # the backend of real_embedder
    settings = settings.model_copy(update={"api": settings.api.model_copy(update={"rate_limit_per_minute": 0})})  # tested in tests/security
    run_ingest(settings, [SEEDS])
    return settings


@pytest.fixture(scope="module")
def client(seeded_settings, real_embedder):
    with TestClient(create_app(seeded_settings, real_embedder)) as test_client:
        wait_warm(test_client)
        yield test_client


def sse_events(text: str) -> list[tuple[str, object]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings_ms"}


def test_health_and_readiness(client):
    assert client.get("/healthz").json() == {"status": "ok", "worker": os.getpid()}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["embedding_dimension"] == 384


def test_warm_up_loads_the_default_collection_in_the_background(client):
    # `client` entered the app's lifespan, which started the warm-up: once /readyz says it is
    # done, the default collection's pipeline is open and its BM25 mirror filled.
    warm_up = wait_warm(client)["warm_up"]
    assert warm_up["status"] == "done" and warm_up["seconds"] >= 0
    pipeline = client.app.state.rag._pipelines["default"]
    assert len(pipeline.retriever.bm25) > 0


def test_while_warming_up_health_answers_readiness_waits_and_questions_are_answered(seeded_settings, real_embedder, monkeypatch):
    from rag.pipeline import Pipeline

    release = threading.Event()
    original = Pipeline.warm_up

    def slow_warm_up(self):
        assert release.wait(60), "the test never released the warm-up"
        original(self)

    monkeypatch.setattr(Pipeline, "warm_up", slow_warm_up)
    with TestClient(create_app(seeded_settings, real_embedder)) as warming:
        assert warming.get("/healthz").status_code == 200
        ready = warming.get("/readyz")
        assert ready.status_code == 503 and ready.json()["error"]["code"] == "warming_up"
        assert ready.json()["warm_up"]["status"] == "running"
        asked = warming.post("/v1/ask", json={"question": QUESTION})
        assert asked.status_code == 200 and not asked.json()["abstained"]
        release.set()
        assert wait_warm(warming)["warm_up"]["status"] == "done"
        assert warming.get("/readyz").status_code == 200


def test_warm_up_can_be_turned_off(seeded_settings, real_embedder):
    settings = seeded_settings.model_copy(update={"api": seeded_settings.api.model_copy(update={"warm_up": False})})
    with TestClient(create_app(settings, real_embedder)) as lazy:
        assert lazy.app.state.rag._pipelines == {}
        assert lazy.get("/readyz").json()["warm_up"] == {"status": "off"}
        assert lazy.post("/v1/ask", json={"question": QUESTION}).status_code == 200
        assert "default" in lazy.app.state.rag._pipelines


@pytest.mark.slow
def test_warm_up_loads_the_model(seeded_settings):
    app = create_app(seeded_settings)  # the app's own embedder, not the test session's
    assert app.state.rag.embedder_for.made() == {} and not app.state.rag._pipelines
    with TestClient(app) as warm:
        assert wait_warm(warm)["warm_up"]["status"] == "done"
        assert app.state.rag.pipeline(None).embedder._model is not None


def test_warm_up_without_the_default_collection_loads_the_model_and_starts(tmp_path, real_embedder):
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="none-yet", index={"embed_backend": "torch"})
    with TestClient(create_app(settings, real_embedder)) as empty:
        assert wait_warm(empty)["warm_up"]["status"] == "done"
        missing = empty.post("/v1/ask", json={"question": QUESTION})
        assert missing.status_code == 422 and missing.json()["error"]["code"] == "unknown_collection"


def test_ask_returns_the_answer_schema(client):
    response = client.post("/v1/ask", json={"question": QUESTION})
    assert response.status_code == 200
    answer = response.json()
    assert "1:05 p.m." in answer["answer"] and not answer["abstained"]
    citation = answer["citations"][0]
    document = client.get(f"/v1/documents/{citation['document_id']}").json()
    assert document["text"][citation["start_char"] : citation["end_char"]] == citation["quote"]


def test_streamed_answer_assembles_to_the_plain_one(client):
    plain = client.post("/v1/ask", json={"question": QUESTION}).json()
    streamed = client.post("/v1/ask", json={"question": QUESTION, "stream": True})
    assert streamed.headers["content-type"].startswith("text/event-stream")
    events = sse_events(streamed.text)
    names = [name for name, _ in events]
    assert names[0] == "passages" and names[-1] == "done"
    assert names.index("citations") > max(i for i, n in enumerate(names) if n == "delta")
    assert "".join(data["text"] for name, data in events if name == "delta") == plain["answer"]
    done = events[-1][1]
    assert without_timings(done) == without_timings(plain)


def test_chat_resolves_follow_ups(client):
    response = client.post("/v1/chat", json={"messages": [
        {"role": "user", "content": "Where was the pipe bomb placed?"},
        {"role": "assistant", "content": "Next to a bench."},
        {"role": "user", "content": "and when was it found?"},
    ]})
    body = response.json()
    assert response.status_code == 200
    assert "pipe" in body["resolved_question"] and "bomb" in body["resolved_question"]


def test_streamed_chat_sends_the_resolved_question_then_the_answer(client):
    messages = [{"role": "user", "content": "Where was the pipe bomb placed?"}, {"role": "user", "content": "and when was it found?"}]
    plain = client.post("/v1/chat", json={"messages": messages}).json()
    streamed = client.post("/v1/chat", json={"messages": messages, "stream": True})
    assert streamed.status_code == 200 and streamed.headers["content-type"].startswith("text/event-stream")
    events = sse_events(streamed.text)
    assert events[0] == ("question", {"resolved_question": plain["resolved_question"]})
    assert [name for name, _ in events][1] == "passages" and events[-1][0] == "done"
    assert "".join(data["text"] for name, data in events if name == "delta") == plain["answer"]
    resolved = plain.pop("resolved_question")
    assert without_timings(events[-1][1]) == without_timings(plain) and resolved != messages[-1]["content"]
    refused = client.post("/v1/chat", json={"messages": messages, "stream": True, "collection": "nwes"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unknown_collection"


def test_create_a_collection(client):
    created = client.post("/v1/collections", json={"name": "made-empty"})
    assert created.status_code == 201 and created.json() == {"name": "made-empty", "created": True}
    assert "made-empty" in client.get("/v1/collections").json()
    assert client.get("/v1/documents?collection=made-empty").json() == []
    assert client.post("/v1/ask", json={"question": QUESTION, "collection": "made-empty"}).json()["abstained"]
    again = client.post("/v1/collections", json={"name": "made-empty"})
    assert again.status_code == 200 and again.json() == {"name": "made-empty", "created": False}
    existing = client.post("/v1/collections", json={"name": "default"})
    assert existing.status_code == 200 and not existing.json()["created"]
    for body in ({"name": "no"}, {"name": "bad name"}, {"name": "x__docs"}, {"name": ""}, {}, {"name": "ok-name", "extra": 1}):
        refused = client.post("/v1/collections", json=body)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "invalid_input", body
    assert "no" not in client.get("/v1/collections").json()


def test_openai_compatible_completions(client):
    messages = [{"role": "user", "content": QUESTION}]
    plain = client.post("/v1/chat/completions", json={"model": "rag", "messages": messages}).json()
    assert plain["object"] == "chat.completion"
    content = plain["choices"][0]["message"]["content"]
    assert "1:05 p.m." in content and "[1]" in content and plain["citations"][0]["id"] == 1
    streamed = client.post("/v1/chat/completions", json={"model": "rag", "messages": messages, "stream": True})
    chunks = [line[6:] for line in streamed.text.splitlines() if line.startswith("data: ")]
    assert chunks[-1] == "[DONE]"
    parsed = [json.loads(chunk) for chunk in chunks[:-1]]
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in parsed) == content
    assert parsed[-1]["choices"][0]["finish_reason"] == "stop" and parsed[-1]["citations"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"question": ""}, "must not be empty"),
        ({"question": "   "}, "must not be empty"),
        ({"question": "x" * 2001}, "at most 2000 characters"),
        ({"question": "ok?", "top_k": 0}, "top_k"),
        ({"question": "ok?", "top_k": 51}, "top_k"),
        ({"question": "ok?", "collection": "nwes"}, "Unknown collection 'nwes'"),
        ({"question": "ok?", "filters": {"date_from": "yesterday"}}, "date_from must be a date"),
        ({"question": 5}, "question"),
        ({"questio": "typo"}, "question"),
        ({}, "question"),
    ],
)
def test_invalid_input_is_422_with_the_error_shape(client, body, fragment):
    response = client.post("/v1/ask", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and fragment in error["message"]


def test_malformed_json_and_unknown_routes(client):
    bad = client.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert bad.status_code == 422 and "not valid JSON" in bad.json()["error"]["message"]
    assert client.get("/v1/nothing").json()["error"]["code"] == "not_found"
    assert client.get("/v1/documents/ffffffffffffffff").status_code == 404
    assert client.get("/v1/jobs/nope").status_code == 404
    assert client.delete("/v1/documents/ffffffffffffffff").json()["error"]["code"] == "document_not_found"


def test_upload_then_ask_then_delete(client):
    files = [("files", ("notes.md", b"# Garden notes\n\nThe blue heron nested by the east pond in 2021.\n", "text/markdown"))]
    job = client.post("/v1/documents?collection=garden&wait=true", files=files)
    assert job.status_code == 201, job.text
    assert job.json()["status"] == "done" and job.json()["result"]["added"] == ["upload://notes.md"]
    assert "garden" in client.get("/v1/collections").json()
    listed = client.get("/v1/documents?collection=garden").json()
    assert [d["source"] for d in listed] == ["upload://notes.md"]
    answer = client.post("/v1/ask", json={"question": "Where did the blue heron nest?", "collection": "garden"}).json()
    assert answer["citations"] and answer["citations"][0]["source"] == "upload://notes.md"
    deleted = client.delete(f"/v1/documents/{listed[0]['id']}?collection=garden")
    assert deleted.status_code == 200
    assert client.get("/v1/documents?collection=garden").json() == []
    assert client.post("/v1/ask", json={"question": "Where did the blue heron nest?", "collection": "garden"}).json()["abstained"]


def test_upload_as_a_background_job(client):
    response = client.post("/v1/documents?collection=jobs", files=[("files", ("a.txt", b"Alpha text here.", "text/plain"))])
    assert response.status_code == 202
    job_id = response.json()["id"]
    for _ in range(200):
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done" and job["result"]["chunks"] == 1


def test_upload_errors(client, seeded_settings):
    unsupported = client.post("/v1/documents", files=[("files", ("x.exe", b"MZ", "application/octet-stream"))])
    assert unsupported.status_code == 422 and unsupported.json()["error"]["code"] == "unsupported_type"
    limit = int(seeded_settings.api.max_upload_mb * 2**20)
    huge = client.post("/v1/documents", files=[("files", ("big.txt", b"a" * (limit + 1), "text/plain"))])
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "upload_too_large"
    traversal = client.post("/v1/documents?collection=paths&wait=true", files=[("files", ("../../etc/evil.txt", b"Evil text.", "text/plain"))])
    assert traversal.json()["result"]["added"] == ["upload://evil.txt"]
    binary = client.post("/v1/documents?collection=paths&wait=true", files=[("files", ("bin.txt", b"\x00\x01\x02", "text/plain"))])
    assert binary.json()["result"]["skipped"][0]["reason"].startswith("binary content")
    bad_name = client.post("/v1/documents?collection=bad%20name", files=[("files", ("a.txt", b"x", "text/plain"))])
    assert bad_name.status_code == 422


def test_auth_on(seeded_settings, real_embedder):
    settings = seeded_settings.model_copy(update={"api_keys": SecretStr("s3cret-key,other-key")})
    with TestClient(create_app(settings, real_embedder)) as authed:
        wait_warm(authed)
        assert authed.get("/healthz").status_code == 200 and authed.get("/readyz").status_code == 200
        missing = authed.post("/v1/ask", json={"question": QUESTION})
        assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
        wrong = authed.post("/v1/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = authed.post("/v1/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer other-key"})
        assert right.status_code == 200
        assert "s3cret-key" not in repr(settings) and "s3cret-key" not in authed.get("/metrics", headers={"Authorization": "Bearer s3cret-key"}).text


def test_metrics_count_requests_and_stages(client):
    client.post("/v1/ask", json={"question": QUESTION})
    text = client.get("/metrics").text
    assert 'rag_requests_total{method="POST",route="/v1/ask",status="200"}' in text
    assert 'rag_stage_seconds_count{stage="retrieve"}' in text


def test_openapi_documents_every_route_and_error(client):
    spec = client.get("/openapi.json").json()
    for path in ("/v1/ask", "/v1/chat", "/v1/chat/completions", "/v1/documents", "/v1/documents/{document_id}",
                 "/v1/jobs/{job_id}", "/v1/collections", "/healthz", "/readyz", "/metrics"):
        assert path in spec["paths"], path
    assert set(spec["paths"]["/v1/collections"]) == {"get", "post"}
    assert "422" in spec["paths"]["/v1/ask"]["post"]["responses"]
    assert "503" in spec["paths"]["/v1/ask"]["post"]["responses"]


def test_real_http_server_on_loopback(seeded_settings, real_embedder):
    with UvicornThread(create_app(seeded_settings, real_embedder)) as server:
        answer = httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=60).json()
        assert "1:05 p.m." in answer["answer"]
        with httpx.stream("POST", f"{server.url}/v1/ask", json={"question": QUESTION, "stream": True}, timeout=60) as stream:
            body = "".join(stream.iter_text())
        assert sse_events(body)[-1][0] == "done"
        assert httpx.post(f"{server.url}/v1/ask", json={"question": ""}, timeout=30).status_code == 422


@pytest.mark.slow
def test_chroma_server_down_gives_503_and_recovers(tmp_path, real_embedder):
    chroma = ChromaServer(tmp_path / "chroma")
    chroma.start()
    try:
        settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma.url, collection="outage", index={"embed_backend": "torch"})
        with UvicornThread(create_app(settings.model_copy(update={"chroma_url": "http://127.0.0.1:9"}), real_embedder)) as down:
            # Chroma unreachable at start-up: the warm-up fails, the server starts all the same.
            assert httpx.get(f"{down.url}/healthz", timeout=30).status_code == 200
            assert httpx.get(f"{down.url}/readyz", timeout=30).status_code == 503
            deadline = time.monotonic() + 60
            while down.server.config.app.state.rag.warm_up_status["status"] == "running" and time.monotonic() < deadline:
                time.sleep(0.05)
            assert down.server.config.app.state.rag.warm_up_status["status"] == "failed"
            assert httpx.get(f"{down.url}/readyz", timeout=30).json()["error"]["code"] == "store_unavailable"
        with UvicornThread(create_app(settings, real_embedder)) as server:
            files = [("files", ("seed.txt", next(SEEDS.glob("*.txt")).read_bytes(), "text/plain"))]
            assert httpx.post(f"{server.url}/v1/documents?wait=true", files=files, timeout=120).status_code == 201
            assert httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=60).status_code == 200
            chroma.stop()
            down = httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=60)
            assert down.status_code == 503, down.text
            assert down.json()["error"]["code"] == "store_unavailable"
            assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 503
            assert httpx.get(f"{server.url}/v1/documents", timeout=30).status_code == 503
            chroma.start()
            back = httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=60)
            assert back.status_code == 200 and "1:05 p.m." in back.json()["answer"]
            assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 200
    finally:
        chroma.stop()


def test_concurrent_asks_and_uploads(seeded_settings, real_embedder):
    from concurrent.futures import ThreadPoolExecutor

    with UvicornThread(create_app(seeded_settings, real_embedder)) as server:
        def ask(i: int) -> int:
            return httpx.post(f"{server.url}/v1/ask", json={"question": QUESTION}, timeout=120).status_code

        def upload(i: int) -> int:
            files = [("files", (f"c{i}.txt", f"Concurrent note {i} about herons.".encode(), "text/plain"))]
            return httpx.post(f"{server.url}/v1/documents?collection=busy&wait=true", files=files, timeout=120).status_code

        with ThreadPoolExecutor(8) as pool:
            upload_futures = [pool.submit(upload, i) for i in range(4)]
            ask_futures = [pool.submit(ask, i) for i in range(16)]
            asks = [f.result() for f in ask_futures]
            uploads = [f.result() for f in upload_futures]
        assert asks == [200] * 16 and uploads == [201] * 4
        listed = httpx.get(f"{server.url}/v1/documents?collection=busy", timeout=30).json()
        assert sorted(d["source"] for d in listed) == [f"upload://c{i}.txt" for i in range(4)]


def test_delete_a_collection(client):
    upload = client.post("/v1/documents?collection=to-delete&wait=true", files=[("files", ("a.txt", b"Alpha text about herons.", "text/plain"))])
    assert upload.status_code == 201, upload.text
    assert client.post("/v1/ask", json={"question": "What is the text about?", "collection": "to-delete"}).status_code == 200
    deleted = client.delete("/v1/collections/to-delete")
    assert deleted.status_code == 200 and deleted.json() == {"name": "to-delete", "documents": 1, "chunks": 1}
    assert "to-delete" not in client.get("/v1/collections").json()
    again = client.delete("/v1/collections/to-delete")
    assert again.status_code == 404 and again.json()["error"]["code"] == "unknown_collection"
    gone = client.post("/v1/ask", json={"question": "What is the text about?", "collection": "to-delete"})
    assert gone.status_code == 422 and gone.json()["error"]["code"] == "unknown_collection"
    for name in ("x__docs", "rag__jobs", "no"):
        assert client.delete(f"/v1/collections/{name}").status_code == 422, name
    # Made again under the same name: answered from the new documents, not the deleted ones.
    client.post("/v1/documents?collection=to-delete&wait=true", files=[("files", ("b.txt", b"Beta text about owls.", "text/plain"))])
    answer = client.post("/v1/ask", json={"question": "What is the text about?", "collection": "to-delete", "top_k": 5}).json()
    assert [p["text"] for p in answer["passages"]] == ["Beta text about owls."]
    assert client.get("/v1/documents").json(), "the default collection is untouched"


def test_the_demo_corpus_answers_until_the_default_collection_exists(tmp_path, real_embedder):
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="default", index={"embed_backend": "torch"})
    settings = settings.model_copy(update={"api": settings.api.model_copy(update={"rate_limit_per_minute": 0, "warm_up": False})})
    run_ingest(settings, [SEEDS], "demo")
    with TestClient(create_app(settings, real_embedder)) as demo:
        first = demo.post("/v1/ask", json={"question": QUESTION}).json()
        assert first["collection"] == "demo" and "1:05 p.m." in first["answer"]
        upload = demo.post("/v1/documents?wait=true", files=[("files", ("office.md", b"The parking garage code is 4711.", "text/markdown"))])
        assert upload.status_code == 201 and upload.json()["collection"] == "default"
        mine = demo.post("/v1/ask", json={"question": "What is the parking garage code?"}).json()
        assert mine["collection"] == "default" and "4711" in mine["answer"]
        assert {p["source"] for p in mine["passages"]} == {"upload://office.md"}
        assert demo.post("/v1/ask", json={"question": QUESTION}).json()["abstained"]
