"""`rag eval`: the eval package's own verb, registered with the `rag` command through the
`grounded_rag.commands` entry point group (pyproject.toml)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from rag.cli.common import fail, load_settings
from rag.errors import RagError


def register(app: typer.Typer) -> None:
    """Add `rag eval` to `app`."""
    app.command(name="eval")(evaluate)


def evaluate(
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Gold questions (JSONL).")] = None,
    benchmark: Annotated[Optional[str], typer.Option("--benchmark", help="squad2, clapnq or expertqa (the support scorer), read from ../shared/benchmarks.")] = None,
    split: Annotated[str, typer.Option("--split", help="dev, test or all (benchmarks).")] = "dev",
    corpus: Annotated[Optional[Path], typer.Option("--corpus", help="Folder of documents for --gold (default: seeds/).")] = None,
    baseline: Annotated[bool, typer.Option("--baseline", help="Also run the naive LlamaIndex pipeline, side by side.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Folder for metrics.json, report.md, report.html.")] = None,
    check: Annotated[Optional[Path], typer.Option("--check", help="Thresholds JSON; exit 1 when a metric falls below its floor.")] = None,
) -> None:
    """Measure retrieval, answers, grounding and abstention against gold questions."""
    from eval.commands import run_eval

    if (gold is None) == (benchmark is None):
        raise fail("give either --gold FILE or --benchmark NAME", 2)
    if split not in ("dev", "test", "all"):
        raise fail(f"--split must be dev, test or all, got {split!r}", 2)
    settings = load_settings()
    try:
        failures = run_eval(settings, gold, benchmark, split, corpus, baseline, report, check, typer.echo)
    except (RagError, OSError) as exc:
        raise fail(str(exc)) from None
    if failures:
        for failure in failures:
            typer.echo(f"below threshold: {failure}", err=True)
        raise typer.Exit(1)
