"""Chroma storage: a collection of chunk vectors, and a registry of whole documents.

For a collection NAME there are three Chroma collections:
- `NAME` holds one record per chunk: vector and metadata (the chunk text, document id,
  source, title, date, offsets, the document's text hash, and the vectors of the chunk's
  sentences that the answerer compares with questions: `index.sentence_vectors`). The keys
  queries filter on (document id, source, date) are metadata keys of their own; the rest are
  one JSON value (`PACKED_KEY`); collections written before keep every key apart. Chunks are
  added, never upserted, under ids that carry their document's text hash (`chunk_id`). The text
  is a metadata value rather than Chroma's document because Chroma builds a trigram
  full-text index over documents, which retrieval never uses (BM25 runs on its own mirror)
  and which cost more than all other writes together (0.8 of 1.2 ms CPU a chunk); collections
  written before keep the text as the document, and `chunk_rows` reads both;
- `NAME__texts` holds each document's full text (so any citation can be checked), as a
  metadata value for the same reason (the full-text index was half of all write time at 10k
  chunks). Collections written before keep it as the registry record's document; `document_text` reads both;
- `NAME__docs` holds one record per document: its metadata. A document's registry record is
  written only after its chunks and text, so it doubles as the commit marker that makes
  interrupted ingests recoverable. Listing documents reads only these small records.

The collection's metadata carries the fingerprint of the embedding model, its backend
(torch fp32 or ONNX int8) and chunking parameters; opening it with other settings raises `FingerprintMismatch`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from index.chunking import CHUNKER_VERSION, Chunk
from index.client import Source, connect, data_dir_problem, source
from index.embedding import canonical_model_name, with_backend
from index.readers import Document
from index.sentence_vectors import METADATA_KEY as SENTENCE_VECTORS_KEY
from rag.errors import FingerprintMismatch, InvalidInput, RagError, StoreUnavailable, UnknownCollection
from rag.settings import IndexSettings, Settings

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

REGISTRY_SUFFIX = "__docs"
TEXTS_SUFFIX = "__texts"
_SUFFIXES = (REGISTRY_SUFFIX, TEXTS_SUFFIX)
# The API's ingest jobs (`api.jobs`): a collection of the store, not one of the user's.
JOBS_COLLECTION = "rag__jobs"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,61}[A-Za-z0-9]$")
_FINGERPRINT_KEYS = ("embed_model", "embed_backend", "embed_export", "chunker", "chunk_size", "chunk_overlap")
# The int8 export recipe that collections were built with before it was recorded.
_UNRECORDED_EXPORT = "2"
# Records read a page at a time. Chroma pages by offset, so each page costs more the further in it
# starts: 60k registry records took 5.1 s in pages of 1,000 and 1.3 s in pages of 20,000. One
# `get` of everything fails on SQLite's limit of variables somewhere above that.
_PAGE = 10_000
log = logging.getLogger(__name__)
CHUNK_TEXT_KEY = "text"
# A chunk's metadata that no query filters on (text, title, offsets, hash, sentence vectors, ...),
# and a document's whole registry record, are stored as one JSON value under this key: Chroma
# writes a row and an index entry per key, and packing them cut chunk writes by about a fifth at
# 10k chunks. Only the chunk keys filtered on (`_FILTERED_KEYS`) stay apart. Collections written
# before keep every key apart; `chunk_rows` and `DocumentRecord.from_chroma` read both.
PACKED_KEY = "rag_chunk"
_FILTERED_KEYS = ("document_id", "source", "date_int")


@dataclass(frozen=True)
class Fingerprint:
    """What decides the vectors in a collection; changing any of it needs a rebuild."""

    embed_model: str
    chunk_size: int
    chunk_overlap: int
    chunker: str = CHUNKER_VERSION
    embed_backend: str = "torch"  # int8 vectors differ from fp32 ones: never mixed
    embed_export: str = ""  # the int8 export recipe (index.onnx_embedding.EXPORT_VERSION); "" for torch

    @classmethod
    def from_settings(cls, settings: Settings) -> "Fingerprint":
        """The fingerprint of a collection built with `settings` (`auto`: a new collection's)."""
        from index.embedding import resolve_backend

        backend = resolve_backend(settings.index)
        export = ""
        if backend == "onnx-int8":
            from index.onnx_embedding import EXPORT_VERSION

            export = EXPORT_VERSION
        return cls(
            embed_model=canonical_model_name(settings.index.embed_model),
            embed_backend=backend,
            embed_export=export,
            chunk_size=settings.index.chunk_size,
            chunk_overlap=settings.index.chunk_overlap,
        )

    @property
    def digest(self) -> str:
        # The torch backend, and the int8 recipe that was current before recipes were recorded,
        # are left out of the digest, so collections stamped before keep their fingerprint.
        fields = {key: getattr(self, key) for key in _FINGERPRINT_KEYS}
        if fields["embed_backend"] == "torch":
            del fields["embed_backend"]
        if fields["embed_export"] in ("", _UNRECORDED_EXPORT):
            del fields["embed_export"]
        payload = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def as_metadata(self) -> dict[str, Any]:
        return {"rag_fingerprint": self.digest, **{f"rag_{k}": getattr(self, k) for k in _FINGERPRINT_KEYS}}


@dataclass(frozen=True)
class DocumentRecord:
    id: str
    source: str
    title: str
    date: str | None
    sha256: str
    chunks: int

    @classmethod
    def from_chroma(cls, doc_id: str, meta: dict[str, Any]) -> "DocumentRecord":
        """The record stored under `doc_id`: one JSON value (`PACKED_KEY`), or in registries
        written before, one metadata key per field."""
        meta = _unpacked(meta)
        return cls(
            id=doc_id,
            source=str(meta["source"]),
            title=str(meta.get("title", "")),
            date=meta.get("date") or None,
            sha256=str(meta["sha256"]),
            chunks=int(meta.get("chunks", 0)),
        )


def _unpacked(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Stored metadata with its `PACKED_KEY` value spread out (ValueError when that is damaged).
    The packed value wins: Chroma's upsert merges keys, so a record of the older layout updated
    since keeps its stale keys beside the new value."""
    metadata = dict(metadata or {})
    packed = metadata.pop(PACKED_KEY, None)
    return metadata if packed is None else {**metadata, **json.loads(packed)}


def _record(doc_id: str, meta: dict[str, Any]) -> DocumentRecord | None:
    """The record, or None (logged) when it is damaged: the document then counts as not stored,
    so its chunks are never cited and the next ingest of its file writes it again."""
    try:
        return DocumentRecord.from_chroma(doc_id, meta)
    except (KeyError, TypeError, ValueError):
        log.warning("document %s has a damaged registry record; ingest its file again to restore it", doc_id)
        return None


def placeholder(doc_id: str) -> list[float]:
    """The one-number vector a registry record or text is stored with (Chroma wants one; nothing
    searches these collections). Spread by id, not all equal: Chroma's index builds about a fifth
    faster when its points differ."""
    return [zlib.crc32(doc_id.encode()) / 2**32]


def chunk_id(document: Document, index: int) -> str:
    """A chunk's id: its document's id, the start of the document's text hash, its index. Ids
    of one version of a document never meet another version's, even when two processes write
    the document at once: a stored chunk is only ever added, never overwritten, and the
    registry's hash decides which version counts."""
    return f"{document.id}:{document.sha256[:8]}:{index}"


def document_of(chunk: str) -> str:
    """The document id a chunk id starts with, in `chunk_id`'s layout and the older `DOCUMENT:N`
    (document ids are hex digests, `index.readers.document_id`: no colon)."""
    return chunk.split(":", 1)[0]


def chunk_rows(got: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(chunk id, text, metadata without the text) of each chunk in a Chroma `get` result that
    included documents and metadatas: the text is a metadata value, or in collections written
    before that, the Chroma document."""
    for cid, document, metadata in zip(got["ids"], got["documents"], got["metadatas"]):
        try:
            metadata = _unpacked(metadata)
        except (TypeError, ValueError):
            log.warning("chunk %s has damaged metadata; it is left out until its document is ingested again", cid)
            continue
        text = metadata.pop(CHUNK_TEXT_KEY, None)
        yield cid, text if text is not None else (document or ""), metadata


def _pack(metadata: dict[str, Any]) -> dict[str, Any]:
    """`metadata` as stored: the keys queries filter on, and the rest as one JSON value."""
    stored = {key: metadata[key] for key in _FILTERED_KEYS if key in metadata}
    stored[PACKED_KEY] = json.dumps({k: v for k, v in metadata.items() if k not in _FILTERED_KEYS}, ensure_ascii=False)
    return stored


def validate_collection_name(name: str) -> str:
    if not _NAME.match(name) or any(suffix in name for suffix in _SUFFIXES) or name == JOBS_COLLECTION:
        raise InvalidInput(
            f"Invalid collection name {name!r}: use 3-63 letters, digits, '-' or '_', starting and "
            f"ending with a letter or digit, without '{REGISTRY_SUFFIX}' or '{TEXTS_SUFFIX}', and not "
            f"{JOBS_COLLECTION!r} (the API's jobs)."
        )
    return name


def list_collections(client: "ClientAPI") -> list[str]:
    return _user_collections(_all_names(client))


def _user_collections(names: set[str]) -> list[str]:
    return sorted(n for n in names if not n.endswith(_SUFFIXES) and n != JOBS_COLLECTION)


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
        names = _all_names(origin.client())
        existing = _user_collections(names)
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
        wanted = expected.as_metadata()
        differences = [
            f"{key[4:]}: collection has {stored.get(key)!r}, settings say {wanted[key]!r}"
            for key in wanted
            if key != "rag_fingerprint" and stored.get(key) != wanted[key]
        ]
        raise FingerprintMismatch(
            f"Collection {self.name!r} was built with other embedding or chunking settings ("
            + "; ".join(differences or ["no fingerprint recorded"])
            + "). Mixing vectors would give wrong results. Restore the settings, or rebuild it "
            f"with `rag ingest PATH --collection {self.name} --rebuild`."
        )

    @staticmethod
    def drop(origin: "Source | ClientAPI", name: str) -> bool:
        """Delete a collection, its registry and its texts; False when there was none."""
        origin = origin if isinstance(origin, Source) else Source(origin)
        with origin.writing():
            client = origin.client()
            names = _all_names(client)
            full = [n for n in (name, *(name + suffix for suffix in _SUFFIXES)) if n in names]
            for each in full:
                client.delete_collection(each)
        return name in full

    # -- documents ---------------------------------------------------------------------

    def get_record(self, doc_id: str) -> DocumentRecord | None:
        with self.storage_errors():
            got = self.registry.get(ids=[doc_id], include=["metadatas"])
        if not got["ids"]:
            return None
        return _record(got["ids"][0], got["metadatas"][0])

    def records(self) -> list[DocumentRecord]:
        with self.storage_errors():
            return [
                record for got in _pages(self.registry, ["metadatas"])
                for i, m in zip(got["ids"], got["metadatas"]) if (record := _record(i, m)) is not None
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
                base["date_int"] = int(document.date.replace("-", ""))
            for chunk in chunks:
                ids.append(chunk_id(document, chunk.index))
                metadatas.append({
                    **base, "chunk_index": chunk.index, "start_char": chunk.start_char, "end_char": chunk.end_char,
                    CHUNK_TEXT_KEY: chunk.text,
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
            record = {"source": document.source, "title": document.title, "sha256": document.sha256, "chunks": len(chunks)}
            if document.date:
                record["date"] = document.date
            records.append({PACKED_KEY: json.dumps(record, ensure_ascii=False)})  # one key: see PACKED_KEY
        with self.writing():
            self.chunks.delete(where={"document_id": {"$in": doc_ids}})
            # `add`, not `upsert`: the delete above removed every id of these documents, and
            # ids carry the text's hash (`chunk_id`), so no id can already be there. (`upsert`
            # looks each id up first: 17% more time for the same rows, measured at 10k chunks.)
            for part in _batches(len(ids), self._max_batch):
                self.chunks.add(ids=ids[part], embeddings=vectors[part], metadatas=[_pack(m) for m in metadatas[part]])
            for part in _batches(len(items), self._max_batch):
                self.texts.upsert(
                    ids=doc_ids[part], embeddings=placeholders[part],
                    metadatas=[{CHUNK_TEXT_KEY: document.text} for document, _ in items[part]],
                )
            for part in _batches(len(items), self._max_batch):
                self.registry.upsert(ids=doc_ids[part], embeddings=placeholders[part], metadatas=records[part])

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


def _all_names(client: "ClientAPI") -> set[str]:
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


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
