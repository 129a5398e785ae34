"""The static security scan (bandit, offline) finds nothing in the code.

Skipped checks and their reasons are in bandit.yaml; a finding is fixed, or marked on its
line with `# nosec BXXX - reason`."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import REPO


def test_bandit_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "-q", "-c", "bandit.yaml", "-r", "rag", "api", "index", "eval",
         "-f", "custom", "--msg-template", "{relpath}:{line} {test_id} {severity}: {msg}"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, "bandit findings:\n" + result.stdout + result.stderr
