"""`rag ingest`, `rag documents` and `rag remove`: documents into and out of a collection."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator

import typer

from rag.cli.common import CollectionOpt, JsonOpt, failed, load_settings
from rag.errors import RagError

if TYPE_CHECKING:
    from index.ingest import FileProgress


def register(app: typer.Typer) -> None:
    """Add the document verbs to `app`."""
    app.command()(ingest)
    app.command()(documents)
    app.command()(remove)


def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.", show_default=False)],
    collection: CollectionOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="Also remove indexed documents under PATH whose files are gone.")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the collection first and ingest from scratch.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Read, chunk, embed and store documents (.txt .md .rst .html .pdf .docx .eml .mbox .csv .tsv .vtt .srt .json .jsonl; .pptx .epub .ipynb .xlsx .odt .rtf .tex with the readers extra)."""
    from index.commands import run_ingest

    settings = load_settings()
    try:
        with _progress_bar(enabled=not as_json) as on_file:
            report = run_ingest(settings, paths, collection, prune=prune, rebuild=rebuild, on_file=on_file)
    except RagError as exc:
        raise failed(exc) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    name = settings.collection if collection is None else collection
    refreshed = f" ({len(report.refreshed)} given their headings)" if report.refreshed else ""
    typer.echo(
        f"Collection {name!r}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged{refreshed}, {len(report.removed)} removed, "
        f"{len(report.skipped)} skipped; {report.chunks} chunks written."
    )
    for line in skipped_summary(report.skipped, every=bool((ctx.find_root().obj or {}).get("verbose"))):
        typer.echo(line)


@contextmanager
def _progress_bar(enabled: bool) -> Iterator["FileProgress | None"]:
    """`rag ingest`'s bar on stderr (drawn on a terminal only), fed by the ingest's file
    callbacks; it starts with the first file read, so an ingest that fails before draws none."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.description}"), console=console, disable=not console.is_terminal,
    )
    task: TaskID | None = None

    def on_file(path: Path, done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task("", total=None)
        bar.update(task, completed=done, total=total, description=path.name[-40:])

    try:
        yield on_file
    finally:
        if task is not None:
            bar.stop()


SKIPPED_SHOWN = 5  # skipped files listed one a line; more are summarised by kind


def skipped_summary(skipped: list, every: bool = False) -> list[str]:
    """Lines about the skipped files: one a file when they are few (or `every`), else counts by
    kind (file type for the unsupported ones, reason for the rest)."""
    if every or len(skipped) <= SKIPPED_SHOWN:
        return [f"  skipped {s.source}: {s.reason}" for s in skipped]
    from collections import Counter

    unsupported: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for s in skipped:
        if s.reason.startswith("unsupported file type"):
            unsupported[Path(s.source).suffix.lower() or "(no extension)"] += 1
        else:
            reasons[s.reason] += 1
    lines = []
    if unsupported:
        kinds = ", ".join(f"{n} {suffix}" for suffix, n in sorted(unsupported.items(), key=lambda kv: (-kv[1], kv[0])))
        lines.append(f"  skipped {sum(unsupported.values())} of unsupported types: {kinds}")
    lines += [f"  skipped {n}: {reason}" for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines.append("  (-v or --json lists every skipped file with its reason)")
    return lines


def documents(collection: CollectionOpt = None, as_json: JsonOpt = False) -> None:
    """List the documents in a collection: id, source, title, date and chunk count."""
    from index.store import open_store

    settings = load_settings()
    try:
        records = sorted(open_store(settings, collection).records(), key=lambda r: r.source)
    except RagError as exc:
        raise failed(exc) from None
    if as_json:
        rows = [
            {"id": r.id, "source": r.source, "title": r.title, "date": r.date, "chunks": r.chunks}
            for r in records
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not records:
        typer.echo("No documents. Add some with `rag ingest PATH`.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "title", "date", "chunks", "source")
    for r in records:
        table.add_row(r.id, r.title, r.date or "", str(r.chunks), r.source)
    Console().print(table)


def remove(
    document: Annotated[str, typer.Argument(help="Document id or source path, as `rag documents` shows.")],
    collection: CollectionOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Remove one document and its chunks from a collection."""
    from index.commands import run_remove

    settings = load_settings()
    try:
        record = run_remove(settings, document, collection)
    except RagError as exc:
        raise failed(exc) from None
    if as_json:
        typer.echo(json.dumps({"removed": {"id": record.id, "source": record.source}}))
    else:
        typer.echo(f"Removed {record.id} ({record.source}).")
