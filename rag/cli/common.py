"""What every `rag` verb shares: settings read once at the edge, one error format, common options.

Exit codes: 0 success, 1 a problem the message explains, 2 bad usage or settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from rag.errors import InvalidInput, RagError

if TYPE_CHECKING:
    from rag.settings import Settings

CollectionOpt = Annotated[
    Optional[str], typer.Option("--collection", "-c", help="Collection name (default: RAG_COLLECTION or 'default').")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print `error: message` on stderr; the exit to raise with `code`."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def failed(exc: RagError) -> typer.Exit:
    """`fail` for a RagError: exit 2 for a value the user gave that is not allowed (bad usage), 1 otherwise."""
    return fail(str(exc), 2 if isinstance(exc, InvalidInput) else 1)


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
        raise fail(f"invalid settings: {problems}", 2) from None
    if local:
        announce_data_dir(settings)
    return settings


def announce_data_dir(settings: "Settings") -> None:
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
