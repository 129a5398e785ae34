"""The `rag` command: a thin door onto `index/` and `rag/`.

Exit codes: 0 success, 1 a problem the message explains, 2 bad usage or settings.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from rag.errors import RagError

if TYPE_CHECKING:
    from rag.settings import Settings

app = typer.Typer(
    name="rag",
    help="Answers questions about your documents, citing the exact passages.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

CollectionOpt = Annotated[
    Optional[str], typer.Option("--collection", "-c", help="Collection name (default: RAG_COLLECTION or 'default').")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def load_settings() -> "Settings":
    """Settings from the environment, or a clear message and exit code 2."""
    from pydantic import ValidationError

    from rag.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"RAG_{'__'.join(str(p).upper() for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise _fail(f"invalid settings: {problems}", 2) from None


@app.callback()
def _main(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True, help="-v for info, -vv for debug logs.")] = 0,
) -> None:
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.", show_default=False)],
    collection: CollectionOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="Also remove indexed documents under PATH whose files are gone.")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the collection first and ingest from scratch.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Read, chunk, embed and store documents (.txt .md .html .pdf .docx)."""
    from index.commands import run_ingest

    settings = load_settings()
    try:
        report = run_ingest(settings, paths, collection, prune=prune, rebuild=rebuild, progress=not as_json)
    except RagError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    name = collection or settings.collection
    typer.echo(
        f"Collection {name!r}: {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.unchanged)} unchanged, {len(report.removed)} removed, "
        f"{len(report.skipped)} skipped; {report.chunks} chunks written."
    )
    for skipped in report.skipped:
        typer.echo(f"  skipped {skipped.source}: {skipped.reason}")


@app.command()
def documents(collection: CollectionOpt = None, as_json: JsonOpt = False) -> None:
    """List the documents in a collection: id, source, title, date and chunk count."""
    from index.store import open_store

    settings = load_settings()
    try:
        records = sorted(open_store(settings, collection).records(), key=lambda r: r.source)
    except RagError as exc:
        raise _fail(str(exc)) from None
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


@app.command()
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
        raise _fail(str(exc)) from None
    if as_json:
        typer.echo(json.dumps({"removed": {"id": record.id, "source": record.source}}))
    else:
        typer.echo(f"Removed {record.id} ({record.source}).")


@app.command()
def collections(as_json: JsonOpt = False) -> None:
    """List the collections."""
    from index.store import connect, list_collections

    settings = load_settings()
    try:
        names = list_collections(connect(settings))
    except RagError as exc:
        raise _fail(str(exc)) from None
    typer.echo(json.dumps(names) if as_json else ("\n".join(names) or "No collections yet."))


def main() -> None:
    """Entry point: usage errors exit 2 (typer), any unexpected failure one line and exit 1."""
    try:
        app()
    except RagError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        logging.getLogger("rag").debug("unexpected error", exc_info=True)
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc} (run with -vv for details)", err=True)
        sys.exit(1)
