"""The `rag` command, in-process through typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app
from tests.support.paths import SEEDS

runner = CliRunner()


@pytest.fixture
def env(tmp_path):
    return {"RAG_DATA_DIR": str(tmp_path / "data")}


@pytest.fixture
def folder(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), docs / "seed.txt")
    (docs / "bad.txt").write_bytes(b"\xff\xfe\x00\x00")
    return docs


def invoke(args, env):
    return runner.invoke(app, args, env=env, catch_exceptions=False)


def test_ingest_json_documents_and_remove(env, folder, real_embedder):
    result = invoke(["ingest", str(folder), "--json"], env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"added", "updated", "unchanged", "refreshed", "removed", "skipped", "chunks"}
    assert report["added"] == [str(folder / "seed.txt")]
    assert report["skipped"][0]["source"] == str(folder / "bad.txt") and report["skipped"][0]["reason"]
    assert report["chunks"] > 5

    again = json.loads(invoke(["ingest", str(folder), "--json"], env).stdout)
    assert again["unchanged"] == [str(folder / "seed.txt")] and again["chunks"] == 0

    docs = json.loads(invoke(["documents", "--json"], env).stdout)
    assert [(d["title"][:27], d["date"], d["chunks"]) for d in docs] == [
        ("Communication failures by t", "2024-07-20", report["chunks"])
    ]
    human = invoke(["documents"], env)
    assert docs[0]["id"] in human.stdout

    removed = invoke(["remove", docs[0]["id"], "--json"], env)
    assert json.loads(removed.stdout)["removed"]["id"] == docs[0]["id"]
    assert json.loads(invoke(["documents", "--json"], env).stdout) == []


def test_human_summary_names_skipped_files(env, folder, real_embedder):
    result = invoke(["ingest", str(folder)], env)
    assert result.exit_code == 0
    assert "1 added, 0 updated, 0 unchanged, 0 removed, 1 skipped" in result.stdout
    assert "bad.txt" in result.stdout


def test_missing_path_is_a_clear_error(env, tmp_path):
    result = invoke(["ingest", str(tmp_path / "nope")], env)
    assert result.exit_code == 2  # a path that is not there is bad usage
    assert "No such file or folder" in result.stderr


def test_unknown_collection_and_unknown_document(env, folder, real_embedder):
    assert invoke(["documents", "-c", "nothing"], env).exit_code == 1
    invoke(["ingest", str(folder / "seed.txt")], env)
    result = invoke(["remove", "0000000000000000"], env)
    assert result.exit_code == 1 and "rag documents" in result.stderr
    bad = invoke(["documents", "-c", "bad name!"], env)
    assert bad.exit_code == 2 and "Invalid collection name" in bad.stderr
    empty = invoke(["documents", "-c", ""], env)  # not the default collection
    assert empty.exit_code == 2 and "Invalid collection name ''" in empty.stderr


def test_invalid_settings_exit_2_naming_the_variable(env, folder):
    result = invoke(["ingest", str(folder)], {**env, "RAG_INDEX__CHUNK_SIZE": "ten"})
    assert result.exit_code == 2
    assert "RAG_INDEX__CHUNK_SIZE" in result.stderr


def test_rebuild_after_changing_chunk_size(env, folder, real_embedder):
    invoke(["ingest", str(folder)], env)
    changed = {**env, "RAG_INDEX__CHUNK_SIZE": "400"}
    refused = invoke(["ingest", str(folder)], changed)
    assert refused.exit_code == 1 and "--rebuild" in refused.stderr
    rebuilt = invoke(["ingest", str(folder), "--rebuild", "--json"], changed)
    assert rebuilt.exit_code == 0 and json.loads(rebuilt.stdout)["added"]


def test_unreachable_chroma_server_is_a_clear_error(env):
    result = invoke(["documents"], {**env, "RAG_CHROMA_URL": "http://127.0.0.1:1"})
    assert result.exit_code == 1
    assert "Cannot reach the Chroma server at http://127.0.0.1:1" in result.stderr


def test_cli_against_a_chroma_server(env, folder, chroma_server, real_embedder):
    server_env = {**env, "RAG_CHROMA_URL": chroma_server.url, "RAG_COLLECTION": "cli-server"}
    report = json.loads(invoke(["ingest", str(folder), "--json"], server_env).stdout)
    assert report["added"] == [str(folder / "seed.txt")]
    assert "cli-server" in json.loads(invoke(["collections", "--json"], server_env).stdout)
    assert not (Path(env["RAG_DATA_DIR"]) / "chroma").exists()  # nothing went to embedded Chroma


def test_ask_on_first_use_ingests_the_demo_corpus(env):
    result = invoke(["ask", "What time was the pipe bomb discovered?", "--json"], env)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert "1:05 p.m." in answer["answer"] and not answer["abstained"]
    assert {"answer", "abstained", "citations", "sentences", "passages", "timings_ms", "config_fingerprint"} <= set(answer)
    human = invoke(["ask", "What time was the pipe bomb discovered?"], env)
    assert "[1]" in human.stdout and "secret-service" in human.stdout


def test_a_relative_source_filter_names_a_file_here(env, monkeypatch):
    """Sources are stored as absolute paths; `--source seeds/x.txt` from the folder above means that file."""
    seed = next(SEEDS.glob("*.txt"))
    monkeypatch.chdir(SEEDS.parent)
    relative = invoke(["ask", "What time was the pipe bomb discovered?", "--source", f"seeds/{seed.name}", "--json"], env)
    answer = json.loads(relative.stdout)
    assert not answer["abstained"] and {c["source"] for c in answer["citations"]} == {str(seed)}
    elsewhere = invoke(["ask", "What time was the pipe bomb discovered?", "--source", "seeds/other.txt", "--json"], env)
    assert json.loads(elsewhere.stdout)["abstained"]


def test_ask_batch_in_order_with_errors_per_line(env, tmp_path):
    batch = tmp_path / "questions.txt"
    batch.write_bytes(
        b'What time was the pipe bomb discovered?\n{"question": "Who is the DHS inspector general?"}\n'
        b'{"question": 5}\n{not json\n\n'
        b'caf\xe9 latin-1, not UTF-8?\n{"question": "\\ud800 when?"}\nWhen was the pipe bomb discovered?\n'
    )
    result = invoke(["ask", "--batch", str(batch)], env)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 7
    assert lines[0]["question"].startswith("What time") and lines[1]["question"].startswith("Who is")
    assert lines[2]["line"] == 3 and "question" in lines[2]["error"]["message"]
    assert lines[3]["line"] == 4 and "JSON" in lines[3]["error"]["message"]
    assert lines[4]["line"] == 6 and "not UTF-8" in lines[4]["error"]["message"]
    assert lines[5]["line"] == 7 and "unpaired surrogate" in lines[5]["error"]["message"]
    assert lines[6]["question"] == "When was the pipe bomb discovered?" and not lines[6]["abstained"]  # the batch went on


def test_ask_usage_errors(env):
    assert invoke(["ask"], env).exit_code == 2
    assert invoke(["ask", "q?", "--batch", "x"], env).exit_code == 2
    bad = invoke(["ask", "q?", "--top-k", "0"], env)
    assert bad.exit_code == 2 and "between 1 and 50" in bad.stderr
    date = invoke(["ask", "q?", "--from", "2024-13-45"], env)
    assert date.exit_code == 2 and "date_from must be a date" in date.stderr
    assert invoke(["ask", "  "], env).exit_code == 2
    # Bytes that are not UTF-8 in an argument reach Python as surrogates (\xff -> U+DCFF).
    undecodable = invoke(["ask", "\udcff when?"], env)
    assert undecodable.exit_code == 2 and "unpaired surrogate (U+DCFF)" in undecodable.stderr
    assert "Traceback" not in undecodable.output and "TypeError" not in undecodable.output
    empty_name = invoke(["ask", "q?", "-c", ""], env)
    assert empty_name.exit_code == 2 and "Invalid collection name ''" in empty_name.stderr


@pytest.mark.parametrize("port", ["0", "70000", "-1"])
def test_serve_refuses_a_port_out_of_range(env, port):
    result = invoke(["serve", "--port", port], env)
    assert result.exit_code == 2 and "--port must be between 1 and 65535" in result.stderr


def test_chat_in_process(env):
    result = runner.invoke(
        app, ["chat"], env=env, input=b"caf\xe9?\nWhat time was the pipe bomb discovered?\n/sources\n/quit\n"
    )
    assert result.exit_code == 0, result.output
    assert "error: the question is not valid text" in result.stdout  # a line that is not UTF-8: that turn only
    assert "1:05 p.m." in result.stdout and "chars" in result.stdout
