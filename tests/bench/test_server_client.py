"""`rag ask` through a running server (RAG_SERVER_URL), the path the cold-start benchmark
measures: the answer comes from the server, and nothing heavy is imported by the client."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from api.app import create_app
from index.ingest import Ingestor
from index.store import open_store
from rag.cli import app
from tests.support.paths import SEEDS
from tests.support.servers import UvicornThread


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    from rag.settings import Settings
    from tests.support.embedders import HashEmbedder

    settings = Settings(data_dir=tmp_path_factory.mktemp("server") / "data", chroma_url=None, collection="default")
    embedder = HashEmbedder()
    Ingestor(open_store(settings, for_writing=True), embedder, settings.index).ingest([SEEDS])
    with UvicornThread(create_app(settings, embedder)) as running:
        yield running


def test_ask_goes_to_the_server_and_prints_its_answer(server, tmp_path):
    env = {"RAG_SERVER_URL": server.url, "RAG_DATA_DIR": str(tmp_path / "empty")}
    result = CliRunner().invoke(app, ["ask", "When was the pipe bomb discovered?", "--json"], env=env)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["question"] == "When was the pipe bomb discovered?" and answer["collection"] == "default"
    assert not (tmp_path / "empty").exists()  # nothing was opened or indexed locally


def test_server_errors_and_batch_lines(server, tmp_path):
    env = {"RAG_SERVER_URL": server.url, "RAG_DATA_DIR": str(tmp_path)}
    unknown = CliRunner().invoke(app, ["ask", "x", "-c", "nope"], env=env)
    assert unknown.exit_code == 1 and "Unknown collection 'nope'" in unknown.output
    batch = CliRunner().invoke(app, ["ask", "--batch", "-"], input='Who reviewed it?\n{"q": 1}\n', env=env)
    lines = [json.loads(line) for line in batch.output.splitlines()]
    assert lines[0]["question"] == "Who reviewed it?" and lines[1]["error"]["message"] == "no 'question' string field"


def test_unreachable_server_is_a_clear_error(tmp_path):
    from tests.support.servers import free_port

    env = {"RAG_SERVER_URL": f"http://127.0.0.1:{free_port()}", "RAG_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(app, ["ask", "x"], env=env)
    assert result.exit_code == 1 and "cannot reach the rag server" in result.output and "unset RAG_SERVER_URL" in result.output


def test_the_client_closes_its_connections_even_on_an_error(server, tmp_path, monkeypatch):
    from rag.client import RemoteAsker

    closed = []
    original = RemoteAsker.close
    monkeypatch.setattr(RemoteAsker, "close", lambda self: (closed.append(self), original(self)))
    env = {"RAG_SERVER_URL": server.url, "RAG_DATA_DIR": str(tmp_path)}
    assert CliRunner().invoke(app, ["ask", "Who reviewed it?"], env=env).exit_code == 0
    assert CliRunner().invoke(app, ["ask", "x", "-c", "nope"], env=env).exit_code == 1
    assert len(closed) == 2


def test_the_client_path_imports_no_model_or_store(server, tmp_path):
    code = (
        "import sys; from rag.cli import main; sys.argv = ['rag', 'ask', 'Who reviewed it?']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'chromadb', 'onnxruntime', 'nltk') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"RAG_SERVER_URL": server.url, "RAG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr
