"""Shared fixtures: settings in a temporary data directory, the real embedding model, and a
real `chroma run` server on 127.0.0.1 for the contract tests that run against both stores."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from index.embedding import SentenceTransformerEmbedder
from rag.settings import Settings
from tests.scripted_llm import ScriptedLLM
from tests.support.embedders import HashEmbedder

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chroma_binary() -> str:
    found = Path(sys.executable).with_name("chroma")
    return str(found) if found.exists() else (shutil.which("chroma") or "chroma")


class ChromaServer:
    """A real `chroma run` process on 127.0.0.1; can be stopped and started again."""

    def __init__(self, path: Path):
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [chroma_binary(), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1).read()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"chroma run exited with {self.process.returncode}")
                time.sleep(0.1)
        raise RuntimeError("chroma run did not answer within 30 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


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
    """A scripted OpenAI-compatible server on 127.0.0.1 (`tests/scripted_llm.py`)."""
    server = ScriptedLLM().start()
    yield server
    server.stop()
