"""A data directory that is full, read-only or damaged: the CLI stops with a message that
names the directory and says what to do, and nothing already stored is lost.

Full and read-only are real: a small tmpfs (full) or a tmpfs remounted read-only, mounted in
a private user and mount namespace (`unshare -rm`), so the test needs no root and leaves no
mount behind. Where the kernel forbids such namespaces the two tests are skipped, saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.settings import Settings
from tests.support.paths import REPO, SEEDS

SEED_SOURCE = str(next(SEEDS.glob("*.txt")).absolute())


def namespaces_work(tmp: Path) -> str | None:
    """None when `unshare -rm` can mount a tmpfs here, else why not."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    target = tmp / "probe"
    target.mkdir(exist_ok=True)
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=1m tmpfs {target}"], capture_output=True, text=True)
    return None if probe.returncode == 0 else f"user and mount namespaces are not allowed here ({probe.stderr.strip()})"


def rag(step: str, *args: str) -> str:
    """A shell line that runs `rag ARGS`, keeping its output and exit code as OUT/STEP.*."""
    quoted = " ".join(f"'{a}'" for a in args)
    return f'"{sys.executable}" -m rag {quoted} > "$OUT/{step}.out" 2> "$OUT/{step}.err" && echo 0 > "$OUT/{step}.rc" || echo $? > "$OUT/{step}.rc"'


def run_in_namespace(lines: list[str], out: Path, data: Path) -> dict[str, tuple[int, str, str]]:
    """Run shell `lines` in a private user and mount namespace; {step: (exit code, stdout, stderr)}."""
    out.mkdir()
    env = {**os.environ, "OUT": str(out), "RAG_DATA_DIR": str(data), "PYTHONPATH": str(REPO)}
    done = subprocess.run(["unshare", "-rm", "sh", "-ec", "\n".join(lines)], cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return {p.stem: (int((out / f"{p.stem}.rc").read_text()), p.read_text(), (out / f"{p.stem}.err").read_text()) for p in out.glob("*.out")}


def documents(output: str) -> dict[str, tuple[str, str, int]]:
    return {d["source"]: (d["id"], d["title"], d["chunks"]) for d in json.loads(output)}


def du_kib(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) // 1024


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A data directory holding the seed article, built by the CLI."""
    data = tmp_path_factory.mktemp("seeded") / "data"
    env = {**os.environ, "RAG_DATA_DIR": str(data)}
    env = {k: v for k, v in env.items() if not k.startswith("RAG_") or k == "RAG_DATA_DIR"}
    done = subprocess.run([sys.executable, "-m", "rag", "ingest", str(SEEDS)], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return data


@pytest.fixture(scope="module")
def before(seeded) -> dict[str, tuple[str, int]]:
    listed = subprocess.run([sys.executable, "-m", "rag", "documents", "--json"], cwd=REPO, env={**os.environ, "RAG_DATA_DIR": str(seeded)}, capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr
    found = documents(listed.stdout)
    assert list(found) == [SEED_SOURCE]
    return found


def big_corpus(folder: Path, files: int = 15) -> Path:
    folder.mkdir()
    words = Path(SEED_SOURCE).read_text(encoding="utf-8").split()
    for i in range(files):
        rng = random.Random(i)
        (folder / f"big{i:02d}.txt").write_text(" ".join(rng.choice(words) for _ in range(3000)) + ".\n", encoding="utf-8")
    return folder


@pytest.mark.slow
def test_full_disk_stops_with_a_clear_error_and_loses_nothing(tmp_path, seeded, before):
    if reason := namespaces_work(tmp_path):
        pytest.skip(reason)
    data = tmp_path / "data"
    data.mkdir()
    corpus = big_corpus(tmp_path / "big")
    size_kib = du_kib(seeded) + 512  # room for the seed data and half a MiB more
    results = run_in_namespace([
        f"mount -t tmpfs -o size={size_kib}k tmpfs '{data}'",
        f"cp -a '{seeded}/.' '{data}/'",
        rag("ingest", "ingest", str(corpus), "--json"),
        f"mount -o remount,size=1g '{data}'",  # space freed
        rag("rerun", "ingest", str(corpus), "--json"),
        rag("after", "documents", "--json"),
    ], tmp_path / "out", data)

    rc, _, message = results["ingest"]
    assert rc == 1, message
    assert str(data) in message and "is full" in message and "RAG_DATA_DIR" in message, message
    assert "Traceback" not in message
    assert results["rerun"][0] == 0, results["rerun"][2]
    rc, listed, _ = results["after"]
    after = documents(listed)
    assert after[SEED_SOURCE] == before[SEED_SOURCE], "the stored document is intact"
    assert set(after) == {SEED_SOURCE} | {str(p) for p in corpus.glob("*.txt")}


@pytest.mark.slow
def test_read_only_data_dir_is_refused_clearly_and_kept(tmp_path, seeded, before):
    if reason := namespaces_work(tmp_path):
        pytest.skip(reason)
    data = tmp_path / "data"
    data.mkdir()
    new = tmp_path / "new.txt"
    new.write_text("A new note about herons.\n", encoding="utf-8")
    results = run_in_namespace([
        "mount -t tmpfs -o size=1g tmpfs " + f"'{data}'",
        f"cp -a '{seeded}/.' '{data}/'",
        f"mount -o remount,ro '{data}'",
        rag("ingest", "ingest", str(new)),
        rag("documents", "documents", "--json"),
        rag("ask", "ask", "When was the pipe bomb discovered?"),
        f"mount -o remount,rw '{data}'",
        rag("after", "documents", "--json"),
    ], tmp_path / "out", data)

    for step in ("ingest", "documents", "ask"):
        rc, _, message = results[step]
        assert rc == 1, (step, message)
        assert str(data) in message and "read-only" in message and "RAG_DATA_DIR" in message, (step, message)
    rc, listed, _ = results["after"]
    assert rc == 0 and documents(listed) == before


def damage(path: Path, how: str) -> None:
    if how == "garbage":
        path.write_bytes(random.Random(0).randbytes(100_000))
    else:
        with open(path, "r+b") as handle:
            handle.truncate(path.stat().st_size // 8)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["garbage", "truncated"])
def test_damaged_database_is_named_and_left_as_it_is(tmp_path, seeded, how):
    data = tmp_path / "data"
    shutil.copytree(seeded, data)
    database = data / "chroma" / "chroma.sqlite3"
    damage(database, how)
    digest = hashlib.sha256(database.read_bytes()).hexdigest()
    env = {**os.environ, "RAG_DATA_DIR": str(data)}
    for args in (["documents"], ["ingest", SEED_SOURCE]):
        done = subprocess.run([sys.executable, "-m", "rag", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 1, done.stdout + done.stderr
        assert str(database) in done.stderr and "damaged" in done.stderr and "backup" in done.stderr, done.stderr
    assert hashlib.sha256(database.read_bytes()).hexdigest() == digest, "the damaged file is not touched"

    settings = Settings(data_dir=data, chroma_url=None)
    with TestClient(create_app(settings, embedder=None)) as client:
        response = client.get("/v1/documents")
    assert response.status_code == 503 and "damaged" in response.json()["error"]["message"]
