"""Benchmark corpora ingested into their own collections, reused across runs."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from eval.datasets import Corpus
from index.embedding import Embedder, embedder_from_settings
from index.ingest import Ingestor
from index.store import ChunkStore, open_store
from rag.settings import IndexSettings, Settings


def ingest_corpus(
    settings: Settings, name: str, corpus: Corpus, embedder: Embedder | None = None,
    embedder_for: Callable[[IndexSettings], Embedder] = embedder_from_settings,
) -> tuple[ChunkStore, Embedder]:
    """Collection `bench-NAME` holding `corpus` (unchanged files are not embedded again), and
    the embedder it was built with: `embedder`, or `embedder_for` the collection's own backend."""
    folder = corpus.write(Path(settings.data_dir) / "corpora" / name)
    store = open_store(settings, f"bench-{name}", for_writing=True)
    embedder = embedder or embedder_for(store.index_settings or settings.index)
    Ingestor(store, embedder, settings.index).ingest([folder], prune=True)
    return store, embedder
