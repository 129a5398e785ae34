"""Chroma storage: a collection of chunk vectors, a registry of whole documents and their texts.

`ChunkStore` is the only part of the project that reads or writes them (how they are laid out:
`index.layout`), and the only one that speaks Chroma: retrieval asks it for nearest chunks,
chunks by id and the chunks of documents. Opening a collection with settings whose fingerprint
differs from the one it was built with (`index.fingerprint`) raises `FingerprintMismatch`.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from index.chunking import Chunk
from index.client import Source, data_dir_problem, source
from index.embedding import with_backend
from index.fingerprint import Fingerprint
from index.headings import METADATA_KEY as OUTLINE_KEY
from index.headings import OUTLINE_VERSION, dump_outline
from index.layout import (
    CHUNK_TEXT_KEY,
    OUTLINED_KEY,
    PACKED_KEY,
    REGISTRY_SUFFIX,
    SUFFIXES,
    TEXTS_SUFFIX,
    DocumentRecord,
    all_names,
    chunk_filter,
    chunk_id,
    chunk_rows,
    date_int,
    document_of,
    list_collections,
    pack,
    placeholder,
    record_or_none,
    unpacked,
    user_collections,
    validate_collection_name,
)
from index.readers import Document
from index.sentence_vectors import METADATA_KEY as SENTENCE_VECTORS_KEY
from rag.errors import FingerprintMismatch, RagError, StoreUnavailable, UnknownCollection
from rag.settings import IndexSettings, Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

# Records read a page at a time. Chroma pages by offset, so each page costs more the further in it
# starts, and small pages make listing a large collection slow; one `get` of everything fails on
# SQLite's limit of variables in a large one (docs/bench/notes.md).
_PAGE = 10_000


def _pages(collection: "Collection", include: list) -> Iterator[dict]:
    """Every record of `collection`, a page of `_PAGE` at a time."""
    offset = 0
    while True:
        got = collection.get(include=include, limit=_PAGE, offset=offset)
        yield got
        if len(got["ids"]) < _PAGE:
            return
        offset += _PAGE


def _batches(n: int, size: int) -> Iterator[slice]:
    for start in range(0, n, size):
        yield slice(start, min(n, start + size))


class ChunkStore:
    """One collection: its chunk vectors, its document registry and the documents' texts.

    Its Chroma handles come from its `Source` and are fetched again whenever that opens a new
    client (an embedded directory another process wrote to: `index.client`); every write goes
    through the source's write lock.
    """

    def __init__(self, origin: Source, name: str):
        self.source = origin
        self.name = name
        self._handles: dict[str, "Collection"] = {}
        self._epoch = -1
        self._max_batch = max(1, min(origin.client().get_max_batch_size(), 5000))
        self.location: Path | None = origin.location  # embedded Chroma's directory, for error messages
        # The index settings this collection is embedded with (`auto` resolved): set by open_store.
        self.index_settings: IndexSettings | None = None

    @property
    def client(self) -> "ClientAPI":
        return self.source.client()

    def _handle(self, suffix: str) -> "Collection":
        self.source.refresh()
        if self._epoch != self.source.epoch:
            client = self.source.client()
            self._handles = {
                key: client.get_collection(self.name + key, embedding_function=None)
                for key in ("", REGISTRY_SUFFIX, TEXTS_SUFFIX)
            }
            self._epoch = self.source.epoch
        return self._handles[suffix]

    @property
    def chunks(self) -> "Collection":
        return self._handle("")

    @chunks.setter
    def chunks(self, handle: "Collection") -> None:
        self._handle("")
        self._handles[""] = handle

    @property
    def registry(self) -> "Collection":
        return self._handle(REGISTRY_SUFFIX)

    @registry.setter
    def registry(self, handle: "Collection") -> None:
        self._handle("")
        self._handles[REGISTRY_SUFFIX] = handle

    @property
    def texts(self) -> "Collection":
        return self._handle(TEXTS_SUFFIX)

    @contextmanager
    def storage_errors(self) -> Iterator[None]:
        """Turn a failure of embedded Chroma's files (disk full, read-only, damaged) into
        `StoreUnavailable` that names the directory and what to do."""
        try:
            yield
        except RagError:
            raise
        except Exception as exc:
            problem = data_dir_problem(self.location, exc) if self.location is not None else None
            if problem is None:
                raise
            raise StoreUnavailable(problem) from exc

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write: under the source's lock, then the collection's generation is bumped (after
        the directory's stamp, so a reader that sees the new generation sees the new stamp too)."""
        with self.storage_errors():
            with self.source.writing():
                yield
            self._bump_generation()

    # -- opening -----------------------------------------------------------------------

    @classmethod
    def open(
        cls, origin: Source, name: str, fingerprint: Fingerprint | None = None, create: bool = False,
        check: bool = True,
    ) -> "ChunkStore":
        """Open collection `name`; with `create`, make it (stamped with `fingerprint`) if absent.

        With a fingerprint (and `check`), an existing collection built with other settings is refused.
        """
        validate_collection_name(name)
        names = all_names(origin.client())
        existing = user_collections(names)
        if name not in existing and not create:
            available = ", ".join(existing) or "none yet; run `rag ingest PATH` first"
            raise UnknownCollection(f"Unknown collection {name!r}. Available: {available}.")
        if name not in existing and fingerprint is None:
            raise ValueError("creating a collection needs a fingerprint")
        missing = name not in existing or not {name + REGISTRY_SUFFIX, name + TEXTS_SUFFIX} <= names
        if missing:
            with origin.writing():
                client = origin.client()
                if name not in existing:
                    client.get_or_create_collection(
                        name, embedding_function=None, metadata=fingerprint.as_metadata(),
                        configuration={"hnsw": {"space": "cosine"}},
                    )
                client.get_or_create_collection(name + REGISTRY_SUFFIX, embedding_function=None, metadata={"rag_registry_of": name})
                client.get_or_create_collection(name + TEXTS_SUFFIX, embedding_function=None, metadata={"rag_texts_of": name})
        store = cls(origin, name)
        if fingerprint is not None and check:
            store.check_fingerprint(fingerprint)
        return store

    @property
    def recorded_backend(self) -> str:
        """The embedding backend this collection was built with (collections from before the
        backend was recorded were all built with torch)."""
        return str((self.chunks.metadata or {}).get("rag_embed_backend") or "torch")

    def check_fingerprint(self, expected: Fingerprint) -> None:
        stored = self.chunks.metadata or {}
        if stored.get("rag_fingerprint") == expected.digest:
            return
        raise FingerprintMismatch(
            f"Collection {self.name!r} was built with other embedding or chunking settings ("
            + "; ".join(expected.differences(stored) or ["no fingerprint recorded"])
            + "). Mixing vectors would give wrong results. Restore the settings, or rebuild it "
            f"with `rag ingest PATH --collection {self.name} --rebuild`."
        )

    @staticmethod
    def drop(origin: "Source | ClientAPI", name: str) -> bool:
        """Delete a collection, its registry and its texts; False when there was none."""
        origin = origin if isinstance(origin, Source) else Source(origin)
        with origin.writing():
            client = origin.client()
            names = all_names(client)
            full = [n for n in (name, *(name + suffix for suffix in SUFFIXES)) if n in names]
            for each in full:
                client.delete_collection(each)
        return name in full

    # -- documents ---------------------------------------------------------------------

    def get_record(self, doc_id: str) -> DocumentRecord | None:
        with self.storage_errors():
            got = self.registry.get(ids=[doc_id], include=["metadatas"])
        if not got["ids"]:
            return None
        return record_or_none(got["ids"][0], got["metadatas"][0])

    def records(self) -> list[DocumentRecord]:
        with self.storage_errors():
            return [
                record for got in _pages(self.registry, ["metadatas"])
                for i, m in zip(got["ids"], got["metadatas"]) if (record := record_or_none(i, m)) is not None
            ]

    def document_text(self, doc_id: str) -> str | None:
        with self.storage_errors():
            got = self.texts.get(ids=[doc_id], include=["metadatas"])
            if got["ids"]:
                return str((got["metadatas"][0] or {}).get(CHUNK_TEXT_KEY, ""))
            got = self.registry.get(ids=[doc_id], include=["documents"])  # written before texts moved out
        return (got["documents"][0] or "") if got["ids"] else None

    def replace_documents(
        self, items: Sequence[tuple[Document, Sequence[Chunk]]], vectors: np.ndarray,
        sentence_vectors: Sequence[str] | None = None,
    ) -> None:
        """Make the stored chunks of each document exactly its `chunks`, then commit the records.

        `vectors` holds one row per chunk, in the order of `items`; `sentence_vectors`, when
        given, one `index.sentence_vectors` string per chunk, kept in its metadata. All writes are batched:
        one delete, chunk adds of up to Chroma's batch size, the texts, then the registry records.
        """
        if not items:
            return
        ids, metadatas = [], []
        for document, chunks in items:
            base = {
                "document_id": document.id,
                "source": document.source,
                "title": document.title,
                "doc_sha256": document.sha256,
            }
            if document.date:
                base["date"] = document.date
                base["date_int"] = date_int(document.date)
            for chunk in chunks:
                ids.append(chunk_id(document, chunk.index))
                metadatas.append({
                    **base, "chunk_index": chunk.index, "start_char": chunk.start_char, "end_char": chunk.end_char,
                    CHUNK_TEXT_KEY: chunk.text,
                    **({OUTLINE_KEY: dump_outline(chunk.outline)} if chunk.outline is not None else {}),
                })
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} chunks but {len(vectors)} vectors")
        if sentence_vectors is not None:
            if len(sentence_vectors) != len(ids):
                raise ValueError(f"{len(ids)} chunks but {len(sentence_vectors)} sentence vector sets")
            for metadata, blob in zip(metadatas, sentence_vectors):
                metadata[SENTENCE_VECTORS_KEY] = blob
        doc_ids = [document.id for document, _ in items]
        placeholders = [placeholder(doc_id) for doc_id in doc_ids]  # for texts and registry alike
        records = []
        for document, chunks in items:
            records.append(_registry_record(document, chunks))
        with self.writing():
            self.chunks.delete(where={"document_id": {"$in": doc_ids}})
            # `add`, not `upsert`: the delete above removed every id of these documents, and
            # ids carry the text's hash (`chunk_id`), so no id can already be there. (`upsert`
            # looks each id up first, which costs time for nothing here.)
            for part in _batches(len(ids), self._max_batch):
                self.chunks.add(ids=ids[part], embeddings=vectors[part], metadatas=[pack(m) for m in metadatas[part]])
            for part in _batches(len(items), self._max_batch):
                self.texts.upsert(
                    ids=doc_ids[part], embeddings=placeholders[part],
                    metadatas=[{CHUNK_TEXT_KEY: document.text} for document, _ in items[part]],
                )
            for part in _batches(len(items), self._max_batch):
                self.registry.upsert(ids=doc_ids[part], embeddings=placeholders[part], metadatas=records[part])

    def add_outlines(self, document: Document, chunks: Sequence[Chunk]) -> bool:
        """Give the stored chunks of an unchanged `document` their outlines (`chunks`, as
        chunking it now gives them), with no embedding: only where the stored chunks are those
        very chunks (same offsets and text). False, with nothing written, where they differ
        (chunking changed since they were stored): the document must be stored again."""
        if any(chunk.outline is None for chunk in chunks):
            return False
        with self.storage_errors():
            stored = self.chunks.get(where={"document_id": document.id}, include=["metadatas"])
        by_id = dict(zip(stored["ids"], stored["metadatas"]))
        ids = [chunk_id(document, chunk.index) for chunk in chunks]
        if len(by_id) != len(ids):
            return False
        updated = []
        for cid, chunk in zip(ids, chunks):
            try:
                metadata = unpacked(by_id.get(cid))
            except (TypeError, ValueError):
                return False
            if (metadata.get("doc_sha256") != document.sha256 or metadata.get("start_char") != chunk.start_char
                    or metadata.get("end_char") != chunk.end_char):
                return False
            updated.append(pack({**metadata, OUTLINE_KEY: dump_outline(chunk.outline)}))
        with self.writing():
            # Chroma merges the keys given into the stored ones; the packed value, given whole,
            # wins over any key a collection of the older layout keeps apart (`unpacked`).
            for part in _batches(len(ids), self._max_batch):
                self.chunks.update(ids=ids[part], metadatas=updated[part])
            self.registry.upsert(ids=[document.id], embeddings=[placeholder(document.id)],
                                 metadatas=[_registry_record(document, chunks)])
        return True

    def delete_document(self, doc_id: str) -> None:
        """Remove a document: its record first (so it stops counting), then its chunks."""
        with self.writing():
            self.registry.delete(ids=[doc_id])
            self.chunks.delete(where={"document_id": doc_id})
            self.texts.delete(ids=[doc_id])

    def delete_orphans(self, chunk_documents: set[str], text_documents: set[str]) -> None:
        """Remove the chunks and texts of documents that have no registry record (an ingest that
        died before its commit, or a removal that died halfway)."""
        if not chunk_documents and not text_documents:
            return
        with self.writing():
            for orphan in sorted(chunk_documents):
                self.chunks.delete(where={"document_id": orphan})
            if text_documents:
                self.texts.delete(ids=sorted(text_documents))

    def generation(self) -> str | None:
        """A token that changes whenever the collection's documents change (any process)."""
        try:
            fresh = self.client.get_collection(self.name, embedding_function=None)
        except Exception as exc:  # noqa: BLE001 - Chroma's not-found error differs by client
            if self.name not in list_collections(self.client):
                raise UnknownCollection(f"Collection {self.name!r} was deleted; `rag collections` lists those there are.") from exc
            raise
        if fresh.id != self.chunks.id:  # deleted and made again under the same name: new handles
            self._epoch = -1
        value = (fresh.metadata or {}).get("rag_generation")
        return None if value is None else f"{fresh.id}:{value}"

    def _bump_generation(self) -> None:
        import uuid

        fresh = self.client.get_collection(self.name, embedding_function=None)
        self.chunks.modify(metadata={**(fresh.metadata or {}), "rag_generation": uuid.uuid4().hex})

    def chunk_document_ids(self) -> set[str]:
        """Document ids that have chunks stored (for sweeping orphans), from chunk ids alone
        (`document_of`): reading metadata would bring every chunk's text and sentence vectors along."""
        return {document_of(chunk) for got in _pages(self.chunks, []) for chunk in got["ids"]}

    def text_document_ids(self) -> set[str]:
        """Document ids that have a text stored (for sweeping orphans); reads ids only."""
        return {i for got in _pages(self.texts, []) for i in got["ids"]}

    def count_chunks(self) -> int:
        return self.chunks.count()

    # -- reading chunks ----------------------------------------------------------------

    def chunks_of(self, doc_ids: Sequence[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """(chunk id, text, metadata) of every stored chunk of the documents `doc_ids`, whichever
        version of a document each belongs to (`doc_sha256` in its metadata says), in one read."""
        got = self.chunks.get(where={"document_id": {"$in": list(doc_ids)}}, include=["documents", "metadatas"])
        return list(chunk_rows(got))

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> list[tuple[str, str, dict[str, Any]]]:
        """(chunk id, text, metadata) of the stored chunks among `chunk_ids`; ids not stored are left out."""
        got = self.chunks.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        return list(chunk_rows(got))

    def nearest(
        self, vector: np.ndarray, n: int, *, sources: Sequence[str] = (), date_from: str | None = None,
        date_to: str | None = None,
    ) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the `n` chunks nearest `vector`, best first, among those
        of documents from `sources` (any, when empty) dated within `date_from`..`date_to`
        (`index.layout.chunk_filter`). Only distances are read: fetching every candidate's text
        and metadata costs more than the search itself and grows with the collection
        (`chunks_by_id` fetches them for the chunks kept)."""
        got = self.chunks.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=n,
            where=chunk_filter(sources, date_from, date_to),
            include=["distances"],
        )
        return [(cid, 1.0 - float(distance)) for cid, distance in zip(got["ids"][0], got["distances"][0])]


def _registry_record(document: Document, chunks: Sequence[Chunk]) -> dict[str, Any]:
    """A document's registry record as stored: one packed value (see `PACKED_KEY`)."""
    record: dict[str, Any] = {"source": document.source, "title": document.title, "sha256": document.sha256, "chunks": len(chunks)}
    if document.date:
        record["date"] = document.date
    if all(chunk.outline is not None for chunk in chunks):
        record[OUTLINED_KEY] = OUTLINE_VERSION
    return {PACKED_KEY: json.dumps(record, ensure_ascii=False)}


def open_store(
    settings: Settings,
    collection: str | None = None,
    *,
    for_writing: bool = False,
    for_querying: bool = False,
) -> ChunkStore:
    """The store for `collection` (default from settings).

    For writing it is created if absent; for writing and for querying its fingerprint must
    match the settings (vectors from another model would be meaningless). Listing and
    removing documents accept any fingerprint. With the `auto` embedding backend the
    collection's own backend is used (a new collection's: see `resolve_backend`); the
    store's `index_settings` are the settings with it resolved, the ones to embed with.
    """
    origin = source(settings)
    location = origin.location
    name = settings.collection if collection is None else collection  # "" is refused as a name, not taken as the default
    try:
        # `auto` means the collection's own backend: open it first (a new one is stamped with
        # a new collection's backend), then check it against the settings resolved with it.
        fingerprint = Fingerprint.from_settings(settings) if (for_writing or for_querying) else None
        store = ChunkStore.open(origin, name, fingerprint=fingerprint, create=for_writing, check=False)
        if settings.index.embed_backend == "auto":
            settings = settings.model_copy(update={"index": with_backend(settings.index, store.recorded_backend)})
        if fingerprint is not None:
            store.check_fingerprint(Fingerprint.from_settings(settings))
    except RagError:
        raise
    except Exception as exc:
        problem = data_dir_problem(location, exc) if location is not None else None
        if problem is None:
            raise
        raise StoreUnavailable(problem) from exc
    store.index_settings = settings.index
    return store
