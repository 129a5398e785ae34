"""`rag ask` and `rag chat`: questions answered in this process, or by the `rag serve` at
RAG_SERVER_URL, through one `Asker` and one loop."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from rag.cli.common import CollectionOpt, JsonOpt, announce_data_dir, fail, failed, load_settings
from rag.errors import RagError, ServerUnavailable

if TYPE_CHECKING:
    from rag.client import Asker
    from rag.filters import Filters
    from rag.settings import Settings


def register(app: typer.Typer) -> None:
    """Add the question verbs to `app`."""
    app.command()(ask)
    app.command()(chat)


def pipeline_for(settings: "Settings", collection: str | None):
    """The answering pipeline. When no collection is named and the default one does not exist
    yet, the demo corpus answers, from a collection of its own (indexed on first use), so it
    never mixes with the user's documents (`rag.demo`)."""
    from index.client import connect
    from index.layout import list_collections
    from rag.demo import DEMO_COLLECTION, answering_collection, seeds_dir
    from rag.pipeline import Pipeline

    name = settings.collection if collection is None else collection
    if collection is None and not settings.chroma_url:
        existing = list_collections(connect(settings))
        seeds = seeds_dir()
        if name not in existing and DEMO_COLLECTION not in existing and seeds is not None:
            from index.commands import run_ingest

            typer.echo(f"First use: indexing the demo corpus in {seeds} into its own collection {DEMO_COLLECTION!r} ...", err=True)
            run_ingest(settings, [seeds], DEMO_COLLECTION)
            existing = [*existing, DEMO_COLLECTION]
        name = answering_collection(settings, None, existing)
        if name == DEMO_COLLECTION:
            typer.echo(
                f"Answering from the demo corpus (collection {DEMO_COLLECTION!r}): `rag ingest PATH` adds your "
                f"documents to {settings.collection!r}, which answers from then on.", err=True,
            )
    return Pipeline(settings, name)


def asker_for(settings: "Settings", collection: str | None) -> "Asker":
    """The server at RAG_SERVER_URL when one is set, else the pipeline in this process."""
    if settings.server_url:
        from rag.client import RemoteAsker

        return RemoteAsker(settings, collection)
    announce_data_dir(settings)
    return pipeline_for(settings, collection)


def read_batch(path: Path) -> list[tuple[int, str | None, str | None]]:
    """(line number, question or None, problem or None) for each non-empty line; a line that is
    not UTF-8 is a problem of its own line, and the others are still answered."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read() if stream is not None else sys.stdin.read().encode("utf-8", "surrogateescape")
    else:
        data = path.read_bytes()
    out = []
    for number, raw in enumerate(data.removeprefix(b"\xef\xbb\xbf").splitlines(), start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            out.append((number, None, f"not UTF-8 text (byte {exc.start + 1} of the line); save the file as UTF-8"))
            continue
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                question = json.loads(line).get("question")
            except (json.JSONDecodeError, AttributeError):
                out.append((number, None, "not valid JSON"))
                continue
            if not isinstance(question, str):
                out.append((number, None, "no 'question' string field"))
                continue
            out.append((number, question, None))
        else:
            out.append((number, line.strip(), None))
    return out


def _format(answer) -> str:
    from rag.chat import format_answer

    return format_answer(answer)


def ask(
    question: Annotated[Optional[str], typer.Argument(help="The question.", show_default=False)] = None,
    collection: CollectionOpt = None,
    top_k: Annotated[Optional[int], typer.Option("--top-k", "-k", help="Passages to retrieve (1-50).")] = None,
    batch: Annotated[Optional[Path], typer.Option("--batch", help="File of questions (one a line, or JSONL with 'question'); '-' for stdin. Prints one JSON result a line.")] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Only passages from this document source, as `rag documents` shows it; a relative path is taken from the current folder (repeatable).")] = None,
    date_from: Annotated[Optional[str], typer.Option("--from", help="Only documents dated on or after YYYY-MM-DD.")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="Only documents dated on or before YYYY-MM-DD.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Answer a question from the documents, citing the passages each sentence comes from."""
    from rag.filters import Filters

    if (question is None) == (batch is None):
        raise fail("give either a QUESTION or --batch FILE", 2)
    # Sources are stored as absolute paths (or upload://NAME): a relative path names a file here.
    source = [s if "://" in s or Path(s).is_absolute() else str(Path(s).absolute()) for s in source] if source else source
    settings = load_settings(local=False)
    try:
        questions = read_batch(batch) if batch is not None else [(1, question, None)]
    except OSError as exc:
        raise fail(f"cannot read {batch}: {exc.strerror or exc}") from None
    try:
        filters = Filters(tuple(source or ()), date_from, date_to)
        asker = asker_for(settings, collection)
        with contextlib.closing(asker) if hasattr(asker, "close") else contextlib.nullcontext():
            _answer_each(asker, questions, top_k, filters, batch is not None, as_json)
    except RagError as exc:
        raise failed(exc) from None


def _answer_each(asker: "Asker", questions: list[tuple[int, str | None, str | None]], top_k: int | None,
                 filters: "Filters", batch: bool, as_json: bool) -> None:
    """Print each answer; in a batch, one JSON line each and a refused line as an error line."""
    for number, text, problem in questions:
        if problem is None:
            try:
                answer = asker.ask(text, top_k, filters)
            except ServerUnavailable:
                raise
            except RagError as exc:
                if not batch:
                    raise
                problem = str(exc)
            else:
                if batch:
                    typer.echo(answer.model_dump_json())
                else:
                    typer.echo(answer.model_dump_json(indent=2) if as_json else _format(answer))
                continue
        typer.echo(json.dumps({"line": number, "error": {"code": "invalid_input", "message": problem}}))


def chat(collection: CollectionOpt = None) -> None:
    """A chat about your documents: follow-up questions use the conversation."""
    from rag.chat import run_repl

    settings = load_settings()
    try:
        pipeline = pipeline_for(settings, collection)
    except RagError as exc:
        raise failed(exc) from None
    if hasattr(sys.stdin, "reconfigure"):  # a line that is not UTF-8 becomes one refused question, not the end of the chat
        sys.stdin.reconfigure(errors="surrogateescape")
    run_repl(pipeline.ask, sys.stdin, typer.echo, condense=pipeline.condense)
