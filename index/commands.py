"""What the CLI and the API call to change a collection, wired from settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

from index.client import source
from index.embedding import embedder_from_settings
from index.ingest import FileProgress, Ingestor, IngestReport
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


def remove_document(store: ChunkStore, doc_id: str) -> DocumentRecord | None:
    """Remove document `doc_id`, its chunks and its text from `store`; returns its record, or
    None when there is no such document (each door says so in its own words)."""
    record = store.get_record(doc_id)
    if record is not None:
        store.delete_document(record.id)
    return record


def find_document(store: ChunkStore, document: str) -> DocumentRecord | None:
    """The record of the document named by id or by source path (as given, or made absolute)."""
    record = store.get_record(document)
    if record is None:
        absolute = os.path.abspath(document)
        record = next((r for r in store.records() if r.source in (document, absolute)), None)
    return record


def run_remove(settings: Settings, document: str, collection: str | None = None) -> DocumentRecord:
    """Remove a document named by id or source path; returns its record."""
    store = open_store(settings, collection)
    found = find_document(store, document)
    record = remove_document(store, found.id) if found is not None else None
    if record is None:
        raise DocumentNotFound(
            f"No document {document!r} in collection {store.name!r}. `rag documents` lists them."
        )
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
