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


def load_settings(local: bool = True) -> "Settings":
    """Settings from the environment, or a clear message and exit code 2. `local`: the command
    keeps state in the data directory (made, and announced, when it is new)."""
    from pydantic import ValidationError

    from rag.settings import Settings

    try:
        settings = Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"RAG_{'__'.join(str(p).upper() for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise _fail(f"invalid settings: {problems}", 2) from None
    if local:
        _announce_data_dir(settings)
    return settings


def _announce_data_dir(settings: "Settings") -> None:
    """Make the data directory when there is none yet, and say where it is: state that appears
    somewhere unexpected, or an empty index where one was expected, must never be silent."""
    import os

    if settings.data_dir.exists():
        return
    try:
        settings.data_dir.mkdir(parents=True)
    except OSError:
        return  # the command's own error names the directory and what to do
    how = "RAG_DATA_DIR" if os.environ.get("RAG_DATA_DIR") else "set RAG_DATA_DIR to use another"
    typer.echo(f"Created the data directory {settings.data_dir} ({how}).", err=True)


@app.callback()
def _main(
    ctx: typer.Context,
    verbose: Annotated[int, typer.Option(
        "--verbose", "-v", count=True, metavar="", show_default=False,
        help="More detail: -v lists every skipped file and logs info, -vv debug (or --verbose 1, --verbose 2).",
    )] = 0,
) -> None:
    ctx.obj = {"verbose": verbose}
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.", show_default=False)],
    collection: CollectionOpt = None,
    prune: Annotated[bool, typer.Option("--prune", help="Also remove indexed documents under PATH whose files are gone.")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Drop the collection first and ingest from scratch.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Read, chunk, embed and store documents (.txt .md .html .pdf .docx .csv; .pptx .epub .ipynb with the readers extra)."""
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
    for line in skipped_summary(report.skipped, every=bool((ctx.find_root().obj or {}).get("verbose"))):
        typer.echo(line)


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
    """The answering pipeline. When no collection is named and the default one does not exist
    yet, the demo corpus answers, from a collection of its own (indexed on first use), so it
    never mixes with the user's documents (`rag.demo`)."""
    from index.store import connect, list_collections
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
    settings = load_settings(local=False)
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

    _announce_data_dir(settings)
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
    """Serve the web page at / and the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    settings = load_settings()
    host = host or settings.api.host
    port = settings.api.port if port is None else port
    if not 1 <= port <= 65535:
        raise _fail(f"--port must be between 1 and 65535, got {port}", 2)
    if workers > 1 and not settings.chroma_url:
        raise _fail(
            "several workers need a Chroma server: start one (`chroma run --path DIR --port 8001`) and "
            "set RAG_CHROMA_URL=http://127.0.0.1:8001, or use --workers 1", 2
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


collections_app = typer.Typer(
    help="List the collections (and where they are stored), or delete one.", invoke_without_command=True,
)
app.add_typer(collections_app, name="collections")


@collections_app.callback()
def collections(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the collections, and the data directory or Chroma server that holds them."""
    if ctx.invoked_subcommand is not None:
        return
    from index.store import connect, list_collections

    settings = load_settings()
    try:
        names = list_collections(connect(settings))
    except RagError as exc:
        raise _failed(exc) from None
    if as_json:
        typer.echo(json.dumps(names))
        return
    where = f"Chroma server {settings.chroma_url}" if settings.chroma_url else f"data directory {settings.data_dir}"
    typer.echo(f"Collections in the {where}:" if names else f"No collections yet in the {where}.")
    for name in names:
        typer.echo(f"  {name}")


@collections_app.command("delete")
def delete_collection(
    name: Annotated[str, typer.Argument(help="The collection, as `rag collections` lists it.", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Delete without asking.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Delete a collection: its documents, chunks and vectors. Asks first unless --yes."""
    from index.commands import collection_size, run_delete_collection

    settings = load_settings()
    try:
        documents, chunks = collection_size(settings, name)
        if not yes:
            if not sys.stdin.isatty():
                raise _fail(f"deleting {name!r} needs confirming: run it in a terminal, or add --yes", 2)
            if not typer.confirm(f"Delete collection {name!r} ({documents} documents, {chunks} chunks)? This cannot be undone", default=False):
                typer.echo("Nothing deleted.")
                raise typer.Exit(1)
        run_delete_collection(settings, name)
    except RagError as exc:
        raise _failed(exc) from None
    if as_json:
        typer.echo(json.dumps({"deleted": name, "documents": documents, "chunks": chunks}))
    else:
        typer.echo(f"Deleted collection {name!r} ({documents} documents, {chunks} chunks).")


def _verbosity_args(args: list[str]) -> list[str]:
    """`--verbose N` and `--verbose=N` as N times `-v` (the option counts; typed with a level it
    would otherwise take N for a command name)."""
    out: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return out + args[i:]
        level = arg.partition("=")[2] if arg.startswith("--verbose=") else (
            args[i + 1] if arg == "--verbose" and i + 1 < len(args) and args[i + 1].isdigit() else None
        )
        if level is not None and level.isdigit():
            out += ["-v"] * int(level)
            i += 1 if "=" in arg else 2
            continue
        out.append(arg)
        i += 1
    return out


def main() -> None:
    """Entry point: usage errors exit 2 (typer), any unexpected failure one line and exit 1."""
    # typer's click (its own copy in recent versions): found from a class typer exports.
    usage_error, click_error = (next(c for c in typer.BadParameter.__mro__ if c.__name__ == n) for n in ("UsageError", "ClickException"))
    try:
        code = app(args=_verbosity_args(sys.argv[1:]), standalone_mode=False)
    except usage_error as exc:
        # One format for every error: click's own would say "Error:" in a box.
        if exc.ctx is not None:
            typer.echo(f"{exc.ctx.get_usage()}\nTry '{exc.ctx.command_path} --help' for help.", err=True)
        typer.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    except click_error as exc:
        typer.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except RagError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        logging.getLogger("rag").debug("unexpected error", exc_info=True)
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc} (run with -vv for details)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
