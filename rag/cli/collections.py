"""`rag collections`: list the collections and where they live, or delete one."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from rag.cli.common import JsonOpt, fail, failed, load_settings
from rag.errors import RagError


def register(app: typer.Typer) -> None:
    """Add `rag collections` (and `rag collections delete`) to `app`."""
    group = typer.Typer(
        help="List the collections (and where they are stored), or delete one.", invoke_without_command=True,
    )
    group.callback()(collections)
    group.command("delete")(delete_collection)
    app.add_typer(group, name="collections")


def collections(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the collections, and the data directory or Chroma server that holds them."""
    if ctx.invoked_subcommand is not None:
        return
    from index.client import connect
    from index.layout import list_collections

    settings = load_settings()
    try:
        names = list_collections(connect(settings))
    except RagError as exc:
        raise failed(exc) from None
    if as_json:
        typer.echo(json.dumps(names))
        return
    where = f"Chroma server {settings.chroma_url}" if settings.chroma_url else f"data directory {settings.data_dir}"
    typer.echo(f"Collections in the {where}:" if names else f"No collections yet in the {where}.")
    for name in names:
        typer.echo(f"  {name}")


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
                raise fail(f"deleting {name!r} needs confirming: run it in a terminal, or add --yes", 2)
            if not typer.confirm(f"Delete collection {name!r} ({documents} documents, {chunks} chunks)? This cannot be undone", default=False):
                typer.echo("Nothing deleted.")
                raise typer.Exit(1)
        run_delete_collection(settings, name)
    except RagError as exc:
        raise failed(exc) from None
    if as_json:
        typer.echo(json.dumps({"deleted": name, "documents": documents, "chunks": chunks}))
    else:
        typer.echo(f"Deleted collection {name!r} ({documents} documents, {chunks} chunks).")
