"""Shared fixtures: settings in a temporary data directory, the real embedding model, and a
real `chroma run` server on 127.0.0.1 for the contract tests that run against both stores."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from index.embedding import SentenceTransformerEmbedder
from rag.settings import Settings
from tests.support.embedders import HashEmbedder
from tests.support.scripted_llm import ScriptedLLM
from tests.support.servers import ChromaServer


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def real_embedder() -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2, loaded once for the whole run."""
    embedder = SentenceTransformerEmbedder()
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded-Chroma settings in a fresh data directory, ignoring the caller's RAG_* env.
    The torch backend, which `real_embedder` runs; the default (`auto`: onnx-int8 for new
    collections) is what the `rag` command tests and tests/index/test_backend_choice.py use."""
    return Settings(data_dir=tmp_path / "data", chroma_url=None, collection="test", index={"embed_backend": "torch"})


@pytest.fixture(params=["embedded", "server"])
def store_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The same settings against embedded Chroma and against the `chroma run` server."""
    if request.param == "embedded":
        return settings
    server: ChromaServer = request.getfixturevalue("chroma_server")
    unique = f"t{time.monotonic_ns() % 10**10}"
    return settings.model_copy(update={"chroma_url": server.url, "collection": unique})


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the int8 model export is cached for the whole run (about 10 s, made once)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def _no_rag_env(monkeypatch: pytest.MonkeyPatch, model_cache: Path) -> None:
    """Tests decide their own settings: drop RAG_* variables the caller may have set. The one
    set instead shares the int8 export between every test and `rag` process of the run,
    rather than exporting again into each test's data directory."""
    import os

    for name in list(os.environ):
        if name.startswith("RAG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RAG_INDEX__MODEL_CACHE_DIR", str(model_cache))


@pytest.fixture(scope="module")
def llm_server():
    """A scripted OpenAI-compatible server on 127.0.0.1 (`tests/support/scripted_llm.py`)."""
    server = ScriptedLLM().start()
    yield server
    server.stop()
