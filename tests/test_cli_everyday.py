"""The `rag` command's everyday edges: where state lives, the demo corpus kept apart from the
user's documents, deleting a collection, skipped files summarised, one error format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.cli import app, verbosity_args
from rag.data_dir import project_data_dir
from tests.support.paths import SEEDS

runner = CliRunner()
RAG = str(Path(sys.executable).with_name("rag"))


def invoke(args, env, input=None):
    return runner.invoke(app, args, env=env, input=input, catch_exceptions=False)


def test_the_data_dir_is_the_nearest_dot_rag_above_else_the_users(tmp_path, monkeypatch):
    home = tmp_path / "share"
    project = tmp_path / "project"
    (project / "notes" / "deep").mkdir(parents=True)
    env = {"XDG_DATA_HOME": str(home)}
    monkeypatch.chdir(project / "notes" / "deep")
    # The user's directory, unless this machine has a .rag above the temporary folder.
    users = project_data_dir(tmp_path) or home / "grounded-rag"
    existed = users.exists()
    first = invoke(["collections"], env)
    assert first.exit_code == 0, first.output
    assert (f"Created the data directory {users}" in first.stderr) != existed and users.is_dir()
    assert f"the data directory {users}" in first.stdout
    monkeypatch.chdir(tmp_path)  # another folder: the same directory, and nothing new to say
    again = invoke(["collections"], env)
    assert "Created" not in again.stderr and str(users) in again.stdout

    (project / ".rag").mkdir()  # a project's own, as earlier versions made in ./.rag
    monkeypatch.chdir(project / "notes" / "deep")
    assert project_data_dir() == project / ".rag"
    assert str(project / ".rag") in invoke(["collections"], env).stdout
    assert project_data_dir(tmp_path) == project_data_dir(tmp_path.parent)  # nothing of its own here


def test_the_demo_corpus_stays_apart_from_the_users_documents(tmp_path, real_embedder):
    env = {"RAG_DATA_DIR": str(tmp_path / "data")}
    first = invoke(["ask", "What time was the pipe bomb discovered?", "--json"], env)
    assert first.exit_code == 0, first.output
    assert "1:05 p.m." in json.loads(first.stdout)["answer"]
    assert "collection 'demo'" in first.stderr
    assert json.loads(invoke(["collections", "--json"], env).stdout) == ["demo"]

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "office.md").write_text("# Office\n\nThe security officer is Ahmed Khan.\n", encoding="utf-8")
    assert invoke(["ingest", str(notes)], env).exit_code == 0
    answer = json.loads(invoke(["ask", "Who is the security officer?", "--json"], env).stdout)
    assert "Ahmed Khan" in answer["answer"]
    assert {c["source"] for c in answer["citations"]} == {str(notes / "office.md")}
    assert {p["source"] for p in answer["passages"]} == {str(notes / "office.md")}, "the demo corpus mixed in"
    mine = invoke(["ask", "When was the pipe bomb discovered?", "--json"], env)
    assert "demo" not in mine.stderr and json.loads(mine.stdout)["abstained"]
    assert json.loads(invoke(["collections", "--json"], env).stdout) == ["default", "demo"]
    assert "1:05 p.m." in json.loads(invoke(["ask", "When was the pipe bomb discovered?", "-c", "demo", "--json"], env).stdout)["answer"]


def test_delete_a_collection_asks_unless_yes(tmp_path, real_embedder):
    env = {"RAG_DATA_DIR": str(tmp_path / "data")}
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("Alpha.\n", encoding="utf-8")
    assert invoke(["ingest", str(notes), "-c", "keep"], env).exit_code == 0
    assert invoke(["ingest", str(notes), "-c", "scratch"], env).exit_code == 0

    unasked = invoke(["collections", "delete", "scratch"], env)  # no terminal to ask in
    assert unasked.exit_code == 2 and "--yes" in unasked.stderr
    assert "scratch" in json.loads(invoke(["collections", "--json"], env).stdout)

    done = invoke(["collections", "delete", "scratch", "--yes"], env)
    assert done.exit_code == 0 and "Deleted collection 'scratch' (1 documents, 1 chunks)" in done.stdout
    assert json.loads(invoke(["collections", "--json"], env).stdout) == ["keep"]
    missing = invoke(["collections", "delete", "scratch", "--yes"], env)
    assert missing.exit_code == 1 and "error: Unknown collection 'scratch'" in missing.stderr
    assert invoke(["collections", "delete", "x__docs", "--yes"], env).exit_code == 2
    assert json.loads(invoke(["documents", "-c", "keep", "--json"], env).stdout)[0]["source"] == str(notes / "a.md")


def test_many_skipped_files_are_summarised_by_kind(tmp_path, real_embedder):
    env = {"RAG_DATA_DIR": str(tmp_path / "data")}
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "note.md").write_text("A note.\n", encoding="utf-8")
    for i in range(12):
        (folder / f"photo{i}.png").write_bytes(b"\x89PNG")
    (folder / "sheet.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "Makefile").write_text("all:\n", encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    summary = invoke(["ingest", str(folder)], env)
    lines = summary.stdout.splitlines()
    assert "15 skipped" in lines[0]
    assert "  skipped 14 of unsupported types: 12 .png, 1 (no extension), 1 .xls" in lines
    assert "  skipped 1: empty file" in lines
    assert not any("photo3.png" in line for line in lines)
    every = invoke(["-v", "ingest", str(folder), "--prune"], env)
    assert sum("skipped" in line and ".png:" in line for line in every.stdout.splitlines()) == 12
    report = json.loads(invoke(["ingest", str(folder), "--json"], env).stdout)
    assert len(report["skipped"]) == 15 and all(s["reason"] for s in report["skipped"])


def test_usage_errors_look_like_every_other_error():
    done = subprocess.run([RAG, "nope"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "error: No such command 'nope'." and "Error" not in done.stderr
    missing = subprocess.run([RAG, "ingest"], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and missing.stderr.splitlines()[-1] == "error: Missing argument 'paths'."
    helped = subprocess.run([RAG, "--help"], capture_output=True, text=True, timeout=60)
    verbose = next(line for line in helped.stdout.splitlines() if "--verbose" in line)
    assert "<int>" not in verbose


@pytest.mark.parametrize("args, expected", [
    (["--verbose", "2", "ask", "q"], ["-v", "-v", "ask", "q"]),
    (["--verbose=1", "collections"], ["-v", "collections"]),
    (["-vv", "ask", "--verbose"], ["-vv", "ask", "--verbose"]),
    (["ask", "--", "--verbose", "3"], ["ask", "--", "--verbose", "3"]),
])
def test_verbose_takes_a_level_too(args, expected):
    assert verbosity_args(args) == expected


def test_the_readme_chroma_server_does_not_take_rag_serves_port():
    readme = (SEEDS.parent / "README.md").read_text(encoding="utf-8")
    assert "chroma run" in readme
    for line in readme.splitlines():
        if "chroma run" in line or line.startswith("| `RAG_CHROMA_URL`"):
            assert ":8000" not in line and "--port 8000" not in line, line
