"""What the CLI and the API call to change a collection, wired from settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from index.client import source
from index.embedding import embedder_from_settings
from index.ingest import FileProgress, IngestReport, Ingestor
from index.layout import DocumentRecord, validate_collection_name
from index.store import ChunkStore, open_store
from rag.errors import DocumentNotFound, UnknownCollection
from rag.settings import Settings


def run_ingest(
    settings: Settings,
    paths: Sequence[Path],
    collection: str | None = None,
    *,
    prune: bool = False,
    rebuild: bool = False,
    on_file: FileProgress | None = None,
) -> IngestReport:
    """Ingest `paths` into `collection` (default from settings); `on_file` hears of each file read."""
    name = settings.collection if collection is None else collection
    if rebuild:
        ChunkStore.drop(source(settings), name)
    store = open_store(settings, name, for_writing=True)
    index = store.index_settings or settings.index
    embedder = embedder_from_settings(index)
    return Ingestor(store, embedder, index, on_file=on_file).ingest(paths, prune=prune)


def run_remove(settings: Settings, document: str, collection: str | None = None) -> DocumentRecord:
    """Remove a document named by id or source path; returns its record."""
    store = open_store(settings, collection)
    record = store.get_record(document)
    if record is None:
        source = os.path.abspath(document)
        record = next((r for r in store.records() if r.source in (document, source)), None)
    if record is None:
        raise DocumentNotFound(
            f"No document {document!r} in collection {store.name!r}. `rag documents` lists them."
        )
    store.delete_document(record.id)
    return record


def collection_size(settings: Settings, name: str) -> tuple[int, int]:
    """(documents, chunks) of collection `name`; UnknownCollection when there is none."""
    store = open_store(settings, name)
    return len(store.records()), store.count_chunks()


def run_delete_collection(settings: Settings, name: str) -> None:
    """Delete collection `name` with its registry and texts; UnknownCollection when there is none."""
    validate_collection_name(name)
    if not ChunkStore.drop(source(settings), name):
        raise UnknownCollection(f"No collection {name!r} to delete; `rag collections` lists them.")
