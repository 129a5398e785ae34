"""`rag serve`: the API package's own verb, registered with the `rag` command through the
`grounded_rag.commands` entry point group (pyproject.toml)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from rag.cli.common import fail, load_settings


def register(app: typer.Typer) -> None:
    """Add `rag serve` to `app`."""
    app.command()(serve)


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
        raise fail(f"--port must be between 1 and 65535, got {port}", 2)
    if workers > 1 and not settings.chroma_url:
        raise fail(
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
