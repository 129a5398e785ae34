"""The `rag` command: a thin door onto `index/` and `rag/`.

Its own verbs live in the modules beside this one; other packages add theirs (`api` adds
`serve`, `eval` adds `eval`) through the `grounded_rag.commands` entry point group: each entry
point names a `register(app)` function. Exit codes: 0 success, 1 a problem the message
explains, 2 bad usage or settings.
"""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Annotated

import typer

from rag.errors import RagError

COMMANDS_GROUP = "grounded_rag.commands"


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


@lru_cache(maxsize=1)
def build_app() -> typer.Typer:
    """The `rag` command with its own verbs and every installed package's."""
    from rag.cli import ask, collections, documents

    app = typer.Typer(
        name="rag",
        help="Answers questions about your documents, citing the exact passages.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(_main)
    documents.register(app)
    ask.register(app)
    for entry in sorted(entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
        entry.load()(app)
    collections.register(app)
    return app


def __getattr__(name: str):
    # `from rag.cli import app`: built on first use, not when the module is imported.
    if name == "app":
        return build_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def verbosity_args(args: list[str]) -> list[str]:
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
        code = build_app()(args=verbosity_args(sys.argv[1:]), standalone_mode=False)
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
