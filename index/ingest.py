"""Ingestion: files in, chunks and vectors out, incrementally and safely.

Unchanged documents (same text hash) are skipped without embedding; those stored before chunks
carried their outlines, or before headings were found as they are now, get them, still without
embedding (`refreshed`). Changed ones have their
chunks replaced. Chunks of many documents are embedded together in batches, and each
document's registry record is written only after its chunks, so an ingest killed at any
point and run again ends exactly where a clean run would.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from index.chunking import Chunk, chunk_text
from index.embed_worker import Embedded, Embedding, embed_here
from index.embedding import Embedder, check_backend
from index.headings import OUTLINE_VERSION
from index.layout import DocumentRecord
from index.readers import Document, read_bytes, read_file
from index.store import ChunkStore
from rag.errors import InvalidInput, SkipFile
from rag.settings import IndexSettings

log = logging.getLogger(__name__)
# Chunks in the first batch of an ingest: see `Ingestor._run`.
_FIRST_BATCH_CHUNKS = 128
# Told of each file once it is read: its name, the files read so far and the files in all. A
# door that shows progress (the CLI's bar) passes one down; nothing in `index/` draws.
FileProgress = Callable[[Path, int, int], None]


@dataclass
class Skipped:
    source: str
    reason: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Unchanged documents (also in `unchanged`) whose stored chunks were given the headings above
    # them, stored since (`ChunkStore.add_outlines`): nothing embedded again.
    refreshed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks: int = 0

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refreshed": self.refreshed,
            "removed": self.removed,
            "skipped": [{"source": s.source, "reason": s.reason} for s in self.skipped],
            "chunks": self.chunks,
        }


def _nothing_to_embed() -> Embedded:
    """The embedding of a batch with nothing to embed (every document in it only refreshed)."""
    return np.zeros((0, 0), dtype=np.float32), None


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[Skipped]]:
    """Files named, and files under folders named (hidden ones left out), sorted and unique."""
    found: dict[str, Path] = {}
    skipped: list[Skipped] = []
    for path in paths:
        if not path.exists():
            raise InvalidInput(f"No such file or folder: {path}")
        if path.is_file():
            found.setdefault(str(path.resolve()), path.absolute())
            continue
        if not path.is_dir():
            skipped.append(Skipped(str(path.absolute()), "not a regular file or folder"))
            continue
        for root, dirs, files in os.walk(path, onerror=lambda e: skipped.append(
            Skipped(str(e.filename), f"cannot list the folder ({e.strerror})"))):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in files:
                if not name.startswith("."):
                    file = Path(root, name)
                    found.setdefault(str(file.resolve()), file.absolute())
    return sorted(found.values()), skipped


def safe_name(name: str) -> str:
    """An uploaded file's base name, without any folder part (no path traversal)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().replace("\x00", "")
    if base in ("", ".", ".."):
        raise InvalidInput(f"Invalid file name {name!r}: give a plain file name such as notes.txt")
    return base[:255]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # reading it will say what is wrong


def _under(source: str, roots: list[Path]) -> bool:
    return any(source == str(root) or source.startswith(str(root).rstrip(os.sep) + os.sep) for root in roots)


@dataclass
class _Pending:
    document: Document
    chunks: list[Chunk]
    is_update: bool
    refresh: bool = False  # unchanged: only its chunks' outlines are written, nothing embedded


class Ingestor:
    """Ingests files into one `ChunkStore` with one `Embedder`."""

    def __init__(
        self,
        store: ChunkStore,
        embedder: Embedder,
        settings: IndexSettings,
        on_file: FileProgress | None = None,
    ):
        check_backend(embedder, store.index_settings, store.name)
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self._on_file = on_file or (lambda _path, _done, _total: None)
        self._max_bytes = int(settings.max_file_mb * 2**20)

    def ingest(self, paths: Iterable[Path], prune: bool = False) -> IngestReport:
        paths = [Path(p) for p in paths]
        files, skipped = discover(paths)
        report = IngestReport(skipped=skipped)
        loaders = [(str(path), path.name, lambda path=path: read_file(path, self._max_bytes)) for path in files]
        known = self._run(loaders, report, lambda: sum(map(_size, files)))
        if prune:
            self._prune([p.absolute() for p in paths], known, report)
        return report

    def ingest_bytes(self, files: Iterable[tuple[str, bytes]], source_prefix: str = "upload://") -> IngestReport:
        """Ingest uploaded files given as (file name, bytes); the source is prefix + base name."""
        report = IngestReport()
        loaders, sizes = [], []
        for name, data in files:
            sizes.append(len(data))
            base = safe_name(name)
            source = source_prefix + base
            loaders.append((source, base, lambda data=data, base=base, source=source: read_bytes(data, base, source, self._max_bytes)))
        self._run(loaders, report, lambda: sum(sizes))
        return report

    def _run(
        self, loaders: list[tuple[str, str, Callable[[], Document]]], report: IngestReport, input_bytes: Callable[[], int]
    ) -> dict[str, DocumentRecord]:
        """Load, chunk, embed and store each document; returns the records known before.
        `input_bytes` gives the input's size, asked only if a worker may be wanted."""
        known = {record.id: record for record in self.store.records()}
        queue = iter(enumerate(loaders, start=1))
        # A reader thread reads and chunks the next batch while this thread embeds and stores
        # the current one, so the model never waits for files. In one process, storing is not
        # overlapped with embedding: Chroma's writes hold the interpreter lock for their whole
        # length, which stalls the model loop anyway, and on two cores its index building slowed
        # the model's own threads by more than the write took (storing in turn measured faster
        # than storing alongside: docs/bench/notes.md). With `embed_worker` set, a large ingest
        # embeds in a worker process instead (`index.embed_worker`), one batch ahead of the
        # writes here.
        # The first batch is small, so the model starts after a few files rather than after
        # reading a whole batch of them; the reader fills the next meanwhile.
        first = min(self.settings.write_batch_size, _FIRST_BATCH_CHUNKS)
        in_flight: deque[tuple[list[_Pending], Callable[[], Embedded]]] = deque()
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-reader") as reader,
            Embedding(self.embedder, self.settings, input_bytes) as embedding,
        ):
            reading = reader.submit(self._read_batch, queue, len(loaders), known, report, first)
            while True:
                batch = reading.result()
                if batch:
                    reading = reader.submit(self._read_batch, queue, len(loaders), known, report, self.settings.write_batch_size)
                    texts = [c.text for item in batch if not item.refresh for c in item.chunks]
                    in_flight.append((batch, embedding.submit(texts) if texts else _nothing_to_embed))
                # With a worker, the newest batch is being embedded there while the one before is written here.
                while in_flight and (not batch or len(in_flight) > embedding.ahead):
                    done, embedded = in_flight.popleft()
                    vectors, blobs = embedded()
                    self._write(done, vectors, blobs, report)
                if not batch:
                    break
        return known

    def _read_batch(
        self, queue: Iterator[tuple[int, tuple[str, str, Callable[[], Document]]]], total: int,
        known: dict[str, DocumentRecord], report: IngestReport, limit: int,
    ) -> list[_Pending]:
        """The next documents to embed, up to `limit` chunks (more if one document alone has
        more); empty when every file has been read."""
        batch: list[_Pending] = []
        chunks = 0
        for done, (source, name, load) in queue:
            item = self._prepare(source, load, known, report)
            self._on_file(Path(name), done, total)
            if item is None:
                continue
            batch.append(item)
            chunks += len(item.chunks)
            if chunks >= limit:
                break
        return batch

    def _prepare(
        self, source: str, load: Callable[[], Document], known: dict[str, DocumentRecord], report: IngestReport
    ) -> _Pending | None:
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:
            shown = source.encode("utf-8", "replace").decode()
            report.skipped.append(Skipped(shown, "file name is not valid UTF-8; rename it"))
            return None
        try:
            document = load()
        except SkipFile as exc:
            report.skipped.append(Skipped(source, str(exc)))
            return None
        record = known.get(document.id)
        unchanged = record is not None and record.sha256 == document.sha256
        if unchanged and record.outlined >= OUTLINE_VERSION:
            report.unchanged.append(source)
            return None
        chunks = chunk_text(document.text, self.settings.chunk_size, self.settings.chunk_overlap)
        # Stored before chunks carried outlines, or before headings were found as they are now:
        # `_write` gives them theirs, or stores it again where chunking has changed since.
        return _Pending(document, chunks, is_update=record is not None, refresh=unchanged)

    def _write(self, pending: list[_Pending], vectors: np.ndarray, blobs: list[str] | None, report: IngestReport) -> None:
        # One model run gave the chunk vectors and, pooled from its token vectors, the answerer's
        # sentence vectors (stored with each chunk: nothing to encode at question time).
        stale = []
        for item in pending:
            if not item.refresh:
                continue
            if self.store.add_outlines(item.document, item.chunks):
                report.unchanged.append(item.document.source)
                report.refreshed.append(item.document.source)
                log.info("gave the stored chunks of %s their headings", item.document.source)
            else:
                stale.append(item)  # chunked otherwise when stored: see `_restore`
        fresh = [item for item in pending if not item.refresh]
        self.store.replace_documents([(item.document, item.chunks) for item in fresh], vectors, blobs)
        if stale:
            self._restore(stale)
        for item in fresh + stale:
            report.chunks += len(item.chunks)
            (report.updated if item.is_update else report.added).append(item.document.source)
            log.info("stored %s (%d chunks)", item.document.source, len(item.chunks))

    def _restore(self, stale: list[_Pending]) -> None:
        """Store again, here and now, unchanged documents whose stored chunks are not the chunks
        chunking gives today (stored by an older version): they keep their text and become
        what a fresh ingest would store. Rare, so embedded in this process, off the pipeline."""
        texts = [c.text for item in stale for c in item.chunks]
        vectors, blobs = embed_here(self.embedder, texts, self.settings.store_sentence_vectors)
        self.store.replace_documents([(item.document, item.chunks) for item in stale], vectors, blobs)

    def _prune(self, roots: list[Path], known: dict[str, DocumentRecord], report: IngestReport) -> None:
        for record in known.values():
            if _under(record.source, roots) and not os.path.exists(record.source):
                self.store.delete_document(record.id)
                report.removed.append(record.source)
        live = {record.id for record in self.store.records()}
        self.store.delete_orphans(self.store.chunk_document_ids() - live, self.store.text_document_ids() - live)

