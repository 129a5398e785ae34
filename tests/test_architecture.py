"""The layers hold (import-linter's contracts in pyproject.toml), the linter is clean, and the
`rag` command lists the verbs every package registers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_import_contracts_are_kept():
    result = _run(str(BIN / "lint-imports"), "--no-cache")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_ruff_finds_nothing():
    result = _run(str(BIN / "ruff"), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout[-4000:]


def test_the_doors_register_their_verbs():
    from rag.cli import build_app

    names = {command.name or command.callback.__name__ for command in build_app().registered_commands}
    groups = {group.name for group in build_app().registered_groups}
    assert names | groups == {"ingest", "documents", "remove", "ask", "chat", "serve", "eval", "collections"}
