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

from rag.errors import InvalidInput, RagError

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


def _failed(exc: RagError) -> typer.Exit:
    """`_fail` for a RagError: exit 2 for a value the user gave that is not allowed (bad usage), 1 otherwise."""
    return _fail(str(exc), 2 if isinstance(exc, InvalidInput) else 1)


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
        raise _failed(exc) from None
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    name = settings.collection if collection is None else collection
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
        raise _failed(exc) from None
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
        raise _failed(exc) from None
    if as_json:
        typer.echo(json.dumps({"removed": {"id": record.id, "source": record.source}}))
    else:
        typer.echo(f"Removed {record.id} ({record.source}).")


def _pipeline(settings: "Settings", collection: str | None):
    """The answering pipeline; with an empty data directory, the demo corpus is ingested first."""
    from index.store import connect, list_collections
    from rag.pipeline import Pipeline

    name = settings.collection if collection is None else collection
    if not settings.chroma_url and name == settings.collection and name not in list_collections(connect(settings)):
        seeds = Path(__file__).resolve().parent.parent / "seeds"
        if seeds.is_dir():
            from index.commands import run_ingest

            typer.echo(f"First use: indexing the demo corpus in {seeds} ...", err=True)
            run_ingest(settings, [seeds], name)
    return Pipeline(settings, name)


def _read_batch(path: Path) -> list[tuple[int, str | None, str | None]]:
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


def _ask_server(settings: "Settings", questions: list[tuple[int, str | None, str | None]], collection: str | None,
                top_k: int | None, filters: dict | None, as_json: bool, batch: bool) -> None:
    """Answer through the running `rag serve` at RAG_SERVER_URL: nothing is loaded here."""
    import httpx

    from rag.schema import Answer

    url = f"{settings.server_url.rstrip('/')}/v1/ask"
    keys = settings.api_key_list
    headers = {"Authorization": f"Bearer {keys[0]}"} if keys else {}
    with httpx.Client(timeout=120, headers=headers) as http:
        for number, text, problem in questions:
            if problem is None:
                body = {"question": text, "top_k": top_k, "collection": collection, "filters": filters}
                try:
                    response = http.post(url, json={k: v for k, v in body.items() if v is not None})
                except httpx.HTTPError as exc:
                    raise _fail(
                        f"cannot reach the rag server at {settings.server_url} ({exc}). Start it with "
                        "`rag serve`, or unset RAG_SERVER_URL to answer in this process."
                    ) from None
                if response.status_code == 200:
                    answer = Answer.model_validate_json(response.content)
                    if batch:
                        typer.echo(answer.model_dump_json())
                    else:
                        typer.echo(answer.model_dump_json(indent=2) if as_json else _format(answer))
                    continue
                try:
                    error = response.json()["error"]
                    problem, kind = str(error["message"]), error.get("code")
                except (ValueError, KeyError, TypeError, AttributeError):
                    problem, kind = f"HTTP {response.status_code}: {response.text[:200]}", None
                if not batch:  # a question or value the server refuses is bad usage, as in this process
                    raise _fail(f"the rag server at {settings.server_url} says: {problem}", 2 if kind == "invalid_input" else 1)
            typer.echo(json.dumps({"line": number, "error": {"code": "invalid_input", "message": problem}}))


def _format(answer) -> str:
    from rag.chat import format_answer

    return format_answer(answer)


@app.command()
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
    if (question is None) == (batch is None):
        raise _fail("give either a QUESTION or --batch FILE", 2)
    # Sources are stored as absolute paths (or upload://NAME): a relative path names a file here.
    source = [s if "://" in s or Path(s).is_absolute() else str(Path(s).absolute()) for s in source] if source else source
    settings = load_settings()
    if settings.server_url:
        try:
            questions = _read_batch(batch) if batch is not None else [(1, question, None)]
        except OSError as exc:
            raise _fail(f"cannot read {batch}: {exc.strerror or exc}") from None
        wanted = {"sources": source, "date_from": date_from, "date_to": date_to}
        filters = {k: v for k, v in wanted.items() if v} or None
        _ask_server(settings, questions, collection, top_k, filters, as_json, batch is not None)
        return
    from rag.retrieve import Filters

    try:
        filters = Filters(tuple(source or ()), date_from, date_to)
        pipeline = _pipeline(settings, collection)
        if batch is not None:
            for number, text, problem in _read_batch(batch):
                if problem is None:
                    try:
                        typer.echo(pipeline.ask(text, top_k, filters).model_dump_json())
                        continue
                    except RagError as exc:
                        problem = str(exc)
                typer.echo(json.dumps({"line": number, "error": {"code": "invalid_input", "message": problem}}))
            return
        answer = pipeline.ask(question, top_k, filters)
    except OSError as exc:
        raise _fail(f"cannot read {batch}: {exc.strerror or exc}") from None
    except RagError as exc:
        raise _failed(exc) from None
    typer.echo(answer.model_dump_json(indent=2) if as_json else _format(answer))


@app.command()
def chat(collection: CollectionOpt = None) -> None:
    """A chat about your documents: follow-up questions use the conversation."""
    from rag.chat import run_repl

    settings = load_settings()
    try:
        pipeline = _pipeline(settings, collection)
    except RagError as exc:
        raise _failed(exc) from None
    if hasattr(sys.stdin, "reconfigure"):  # a line that is not UTF-8 becomes one refused question, not the end of the chat
        sys.stdin.reconfigure(errors="surrogateescape")
    run_repl(pipeline.ask, sys.stdin, typer.echo, condense=pipeline.condense)


@app.command()
def serve(
    host: Annotated[Optional[str], typer.Option(help="Address to bind (default 127.0.0.1: this machine only).")] = None,
    port: Annotated[Optional[int], typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[int, typer.Option(help="Worker processes; more than 1 needs RAG_CHROMA_URL.")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    settings = load_settings()
    host = host or settings.api.host
    port = settings.api.port if port is None else port
    if not 1 <= port <= 65535:
        raise _fail(f"--port must be between 1 and 65535, got {port}", 2)
    if workers > 1 and not settings.chroma_url:
        raise _fail(
            "several workers cannot share embedded Chroma; start a server (`chroma run --path DIR`) and "
            "set RAG_CHROMA_URL, or use --workers 1", 2
        )
    if workers > 1:
        _serve_workers(host, port, workers)
        return
    from api.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def _serve_workers(host: str, port: int, workers: int) -> None:
    """`workers` uvicorn processes; their /metrics count every worker's requests, through a
    fresh directory for prometheus-client's multiprocess mode (unless one is set already)."""
    import os
    import shutil
    import tempfile

    import uvicorn

    from api.metrics import MULTIPROC_ENV

    made = None
    if not os.environ.get(MULTIPROC_ENV):
        made = os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="rag-metrics-")
    try:
        uvicorn.run("api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="info")
    finally:
        if made is not None:
            shutil.rmtree(made, ignore_errors=True)


@app.command(name="eval")
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
        raise _fail("give either --gold FILE or --benchmark NAME", 2)
    if split not in ("dev", "test", "all"):
        raise _fail(f"--split must be dev, test or all, got {split!r}", 2)
    settings = load_settings()
    try:
        failures = run_eval(settings, gold, benchmark, split, corpus, baseline, report, check, typer.echo)
    except (RagError, OSError) as exc:
        raise _fail(str(exc)) from None
    if failures:
        for failure in failures:
            typer.echo(f"below threshold: {failure}", err=True)
        raise typer.Exit(1)


@app.command()
def collections(as_json: JsonOpt = False) -> None:
    """List the collections."""
    from index.store import connect, list_collections

    settings = load_settings()
    try:
        names = list_collections(connect(settings))
    except RagError as exc:
        raise _failed(exc) from None
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
