"""OpenAI's `/v1/models` (the collections as models) and `model` picking the collection in
`/v1/chat/completions`: the real app over real HTTP on 127.0.0.1, embedded Chroma holding the
demo corpus in `default` and one note in `garden`."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from index.commands import run_ingest
from rag.settings import Settings
from tests.support.paths import SEEDS
from tests.support.servers import UvicornThread, wait_warm

QUESTION = "What time was the pipe bomb discovered?"
GARDEN_NOTE = "# Garden notes\n\nThe blue heron nested by the east pond in 2021.\n"
GARDEN_QUESTION = "Where did the blue heron nest?"


@dataclass
class Served:
    url: str
    settings: Settings
    http: httpx.Client


@pytest.fixture(scope="module")
def models_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("models-api")
    settings = Settings(data_dir=root / "data", chroma_url=None, collection="default", index={"embed_backend": "torch"})  # the backend of real_embedder
    settings = settings.model_copy(update={"api": settings.api.model_copy(update={"rate_limit_per_minute": 0})})
    run_ingest(settings, [SEEDS])
    notes = root / "garden"
    notes.mkdir()
    (notes / "heron.md").write_text(GARDEN_NOTE, encoding="utf-8")
    run_ingest(settings, [notes], collection="garden")
    return settings


@pytest.fixture(scope="module")
def served(models_settings: Settings, real_embedder):
    with UvicornThread(create_app(models_settings, real_embedder)) as server, httpx.Client(base_url=server.url, timeout=60) as http:
        wait_warm(http)  # the warm-up thread must not still be loading when the process exits
        yield Served(server.url, models_settings, http)


def completion(http: httpx.Client, question: str, **extra: object) -> dict:
    response = http.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": question}], **extra})
    assert response.status_code == 200, response.text
    return response.json()


def test_models_are_the_collections_in_openai_list_format(served):
    listed = served.http.get("/v1/models")
    assert listed.status_code == 200 and listed.headers["content-type"] == "application/json"
    body = listed.json()
    assert body["object"] == "list"
    assert [card["id"] for card in body["data"]] == served.http.get("/v1/collections").json() == ["default", "garden"]
    for card in body["data"]:
        assert card == {"id": card["id"], "object": "model", "created": 0, "owned_by": "grounded-rag"}


def test_one_model_and_an_unknown_one(served):
    assert served.http.get("/v1/models/garden").json() == {"id": "garden", "object": "model", "created": 0, "owned_by": "grounded-rag"}
    unknown = served.http.get("/v1/models/gpt-4o")
    assert unknown.status_code == 404
    error = unknown.json()["error"]
    assert set(error) == {"code", "message"} and error["code"] == "model_not_found"
    assert "'gpt-4o'" in error["message"] and "Available: default, garden." in error["message"]


def test_model_naming_a_collection_answers_from_it(served):
    garden = completion(served.http, GARDEN_QUESTION, model="garden")
    assert garden["model"] == "garden" and not garden["abstained"]
    assert garden["citations"] and all(c["source"].endswith("heron.md") for c in garden["citations"])
    assert "east pond" in garden["choices"][0]["message"]["content"]
    # The same question of the default collection (the demo corpus) finds no heron.
    default = completion(served.http, GARDEN_QUESTION, model="default")
    assert not any(c["source"].endswith("heron.md") for c in default["citations"])


@pytest.mark.parametrize("extra", [{}, {"model": "rag"}, {"model": "gpt-4o"}], ids=["no-model", "rag", "gpt-4o"])
def test_any_other_model_answers_from_the_default_collection(served, extra):
    answer = completion(served.http, QUESTION, **extra)
    assert answer["model"] == extra.get("model", "rag")
    assert "1:05 p.m." in answer["choices"][0]["message"]["content"] and answer["citations"]
    assert not any(c["source"].endswith("heron.md") for c in answer["citations"])


def test_streamed_completion_uses_the_collection_too(served):
    body = {"model": "garden", "stream": True, "messages": [{"role": "user", "content": GARDEN_QUESTION}]}
    with served.http.stream("POST", "/v1/chat/completions", json=body) as stream:
        lines = [line[6:] for line in stream.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    assert {chunk["model"] for chunk in chunks} == {"garden"}
    assert "east pond" in "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert all(c["source"].endswith("heron.md") for c in chunks[-1]["citations"]) and chunks[-1]["citations"]


def test_models_need_a_key_when_keys_are_set(models_settings, real_embedder):
    settings = models_settings.model_copy(update={"api_keys": SecretStr("s3cret-key")})
    client = TestClient(create_app(settings, real_embedder))  # no lifespan: nothing to warm up here
    assert client.get("/v1/models").status_code == 401
    assert client.get("/v1/models/garden").status_code == 401
    assert client.get("/v1/models", headers={"Authorization": "Bearer s3cret-key"}).json()["object"] == "list"


def test_the_openai_client_lists_models_and_asks_a_collection(served):
    openai = pytest.importorskip("openai", reason="the openai package is not installed (it is not a dependency)")
    client = openai.OpenAI(base_url=f"{served.url}/v1", api_key="unused", max_retries=0, timeout=60)
    assert [model.id for model in client.models.list()] == ["default", "garden"]
    assert client.models.retrieve("garden").owned_by == "grounded-rag"
    reply = client.chat.completions.create(model="garden", messages=[{"role": "user", "content": GARDEN_QUESTION}])
    assert "east pond" in reply.choices[0].message.content
