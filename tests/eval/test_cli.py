"""`rag eval` as the eval package registers it: the measuring verb with its options, and the
model commands under it (their usage errors; training and fitting run in their own tests)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from rag.cli import app

REPO = Path(__file__).resolve().parents[2]
COMMANDS = ("calibrate", "calibrate-support", "llm-check", "train-reader", "train-checker", "retrieval")


def test_rag_eval_keeps_its_options_and_lists_the_model_commands():
    runner = CliRunner()
    assert "Measure retrieval, answers, grounding and abstention" in runner.invoke(app, ["--help"]).output
    shown = runner.invoke(app, ["eval", "--help"], env={"COLUMNS": "160"})
    assert shown.exit_code == 0
    for option in ("--gold", "--benchmark", "--split", "--corpus", "--baseline", "--report", "--check"):
        assert option in shown.output
    for command in COMMANDS:
        assert command in shown.output
        assert runner.invoke(app, ["eval", command, "--help"]).exit_code == 0


def test_rag_eval_bad_split_is_a_usage_error(tmp_path):
    bad = CliRunner().invoke(app, ["eval", "--gold", "g.jsonl", "--split", "train"], env={"RAG_DATA_DIR": str(tmp_path)})
    assert bad.exit_code == 2 and "--split must be dev, test or all, got 'train'" in bad.stderr


def test_model_commands_say_what_is_missing(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(app, ["eval", "train-reader", "--squad", str(tmp_path / "none.json")])
    assert missing.exit_code == 1 and "SQuAD 1.1 train file" in missing.stderr and "--squad PATH" in missing.stderr
    overlap = runner.invoke(app, ["eval", "train-reader", "--max-overlap", "0"])
    assert overlap.exit_code == 1 and "--max-overlap 0.0 is not a share" in overlap.stderr
    alone = runner.invoke(app, ["eval", "train-reader", "--overlapping", "0.2"])
    assert alone.exit_code == 1 and "give --max-overlap too" in alone.stderr
    share = runner.invoke(app, ["eval", "train-reader", "--untitled", "1.5"])
    assert share.exit_code == 1 and "--untitled 1.5 is not a share" in share.stderr
    bare = runner.invoke(app, ["eval", "train-reader", "--untitled", "0.3"])
    assert bare.exit_code == 1 and "it needs --headings" in bare.stderr
    claims = runner.invoke(app, ["eval", "train-checker", "--claims", str(tmp_path)])
    assert claims.exit_code == 1 and f"Training data missing under {tmp_path}" in claims.stderr
    sources = runner.invoke(app, ["eval", "train-checker", "--sources", "fever", "--sources", "nope"])
    assert sources.exit_code == 2 and "--sources must be among fever," in sources.stderr and "'nope'" in sources.stderr
    split = runner.invoke(app, ["eval", "retrieval", "--split", "train"])
    assert split.exit_code == 2 and "got 'train'" in split.stderr
    assert runner.invoke(app, ["eval", "llm-check"]).exit_code == 2  # --out is required


def test_the_old_module_commands_name_the_new_one(tmp_path):
    """`python -m eval.train_reader` (the older recipes' form) fails, naming `rag eval train-reader`."""
    done = subprocess.run([sys.executable, "-m", "eval.train_reader", "--squad", str(tmp_path / "none.json")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "`rag eval train-reader`" in done.stderr
