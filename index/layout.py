"""How a collection is laid out in Chroma: names, ids and the shape of stored metadata.

For a collection NAME there are three Chroma collections:
- `NAME` holds one record per chunk: vector and metadata (the chunk text, document id,
  source, title, date, offsets, the document's text hash, and the vectors of the chunk's
  sentences that the answerer compares with questions: `index.sentence_vectors`). The keys
  queries filter on (document id, source, date) are metadata keys of their own; the rest are
  one JSON value (`PACKED_KEY`); collections written before keep every key apart. Chunks are
  added, never upserted, under ids that carry their document's text hash (`chunk_id`). The text
  is a metadata value rather than Chroma's document because Chroma builds a trigram
  full-text index over documents, which retrieval never uses (BM25 runs on its own mirror)
  and which cost more than all other writes together; collections written before keep the
  text as the document, and `chunk_rows` reads both;
- `NAME__texts` holds each document's full text (so any citation can be checked), as a
  metadata value for the same reason (there, too, the full-text index was a large share of
  write time). Collections written before keep it as the registry record's document;
  `ChunkStore.document_text` reads both;
- `NAME__docs` holds one record per document: its metadata. A document's registry record is
  written only after its chunks and text, so it doubles as the commit marker that makes
  interrupted ingests recoverable. Listing documents reads only these small records.

The chunk collection's metadata carries the fingerprint (`index.fingerprint`). Reading and
writing these collections is `index.store.ChunkStore`'s work.
"""

from __future__ import annotations

import json
import logging
import re
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from index.readers import Document
from rag.errors import InvalidInput

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

REGISTRY_SUFFIX = "__docs"
TEXTS_SUFFIX = "__texts"
SUFFIXES = (REGISTRY_SUFFIX, TEXTS_SUFFIX)
# The API's ingest jobs (`index.jobs`): a collection of the store, not one of the user's.
JOBS_COLLECTION = "rag__jobs"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,61}[A-Za-z0-9]$")
CHUNK_TEXT_KEY = "text"
# A chunk's metadata that no query filters on (text, title, offsets, hash, sentence vectors, ...),
# and a document's whole registry record, are stored as one JSON value under this key: Chroma
# writes a row and an index entry per key, so packing them makes chunk writes cheaper. Only the
# chunk keys filtered on (`FILTERED_KEYS`) stay apart. Collections written before keep every key
# apart; `chunk_rows` and `DocumentRecord.from_chroma` read both.
PACKED_KEY = "rag_chunk"
FILTERED_KEYS = ("document_id", "source", "date_int")
OUTLINED_KEY = "outlined"  # in a registry record: the outline version its chunks carry
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentRecord:
    id: str
    source: str
    title: str
    date: str | None
    sha256: str
    chunks: int
    # The `index.headings.OUTLINE_VERSION` its chunks' outlines were found with, 0 for none
    # (records written before outlines were stored): the next ingest of an unchanged file whose
    # version is older writes them again (`ChunkStore.add_outlines`) without embedding.
    outlined: int = 0

    @classmethod
    def from_chroma(cls, doc_id: str, meta: dict[str, Any]) -> "DocumentRecord":
        """The record stored under `doc_id`: one JSON value (`PACKED_KEY`), or in registries
        written before, one metadata key per field."""
        meta = unpacked(meta)
        return cls(
            id=doc_id,
            source=str(meta["source"]),
            title=str(meta.get("title", "")),
            date=meta.get("date") or None,
            sha256=str(meta["sha256"]),
            chunks=int(meta.get("chunks", 0)),
            outlined=int(meta.get(OUTLINED_KEY, 0)),
        )


def record_or_none(doc_id: str, meta: dict[str, Any]) -> DocumentRecord | None:
    """The record, or None (logged) when it is damaged: the document then counts as not stored,
    so its chunks are never cited and the next ingest of its file writes it again."""
    try:
        return DocumentRecord.from_chroma(doc_id, meta)
    except (KeyError, TypeError, ValueError):
        log.warning("document %s has a damaged registry record; ingest its file again to restore it", doc_id)
        return None


def unpacked(metadata: dict[str, Any] | None) -> dict[str, Any]:
    """Stored metadata with its `PACKED_KEY` value spread out (ValueError when that is damaged).
    The packed value wins: Chroma's upsert merges keys, so a record of the older layout updated
    since keeps its stale keys beside the new value."""
    metadata = dict(metadata or {})
    packed = metadata.pop(PACKED_KEY, None)
    return metadata if packed is None else {**metadata, **json.loads(packed)}


def pack(metadata: dict[str, Any]) -> dict[str, Any]:
    """`metadata` as stored: the keys queries filter on, and the rest as one JSON value."""
    stored = {key: metadata[key] for key in FILTERED_KEYS if key in metadata}
    stored[PACKED_KEY] = json.dumps({k: v for k, v in metadata.items() if k not in FILTERED_KEYS}, ensure_ascii=False)
    return stored


def date_int(date: str) -> int:
    """An ISO date (YYYY-MM-DD) as the number stored under `date_int`, which date filters compare."""
    return int(date.replace("-", ""))


def chunk_filter(sources: Sequence[str] = (), date_from: str | None = None, date_to: str | None = None) -> dict | None:
    """The Chroma `where` on chunk metadata for chunks of documents from `sources` (any, when
    empty) dated within `date_from`..`date_to` (ISO dates, inclusive; an undated chunk passes no
    date bound); None for no filter."""
    clauses: list[dict] = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if date_from:
        clauses.append({"date_int": {"$gte": date_int(date_from)}})
    if date_to:
        clauses.append({"date_int": {"$lte": date_int(date_to)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def placeholder(doc_id: str) -> list[float]:
    """The one-number vector a registry record or text is stored with (Chroma wants one; nothing
    searches these collections). Spread by id, not all equal: Chroma's index builds faster when
    its points differ."""
    return [zlib.crc32(doc_id.encode()) / 2**32]


def chunk_id(document: Document, index: int) -> str:
    """A chunk's id: its document's id, the start of the document's text hash, its index. Ids
    of one version of a document never meet another version's, even when two processes write
    the document at once: a stored chunk is only ever added, never overwritten, and the
    registry's hash decides which version counts."""
    return f"{document.id}:{document.sha256[:8]}:{index}"


def first_chunk_ids(doc_id: str, sha256: str) -> list[str]:
    """The ids the chunk a document's version starts with may have: today's layout, then the
    older one (DOCUMENT:N)."""
    return [f"{doc_id}:{sha256[:8]}:0", f"{doc_id}:0"]


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
            metadata = unpacked(metadata)
        except (TypeError, ValueError):
            log.warning("chunk %s has damaged metadata; it is left out until its document is ingested again", cid)
            continue
        text = metadata.pop(CHUNK_TEXT_KEY, None)
        yield cid, text if text is not None else (document or ""), metadata


def validate_collection_name(name: str) -> str:
    if not _NAME.match(name) or any(suffix in name for suffix in SUFFIXES) or name == JOBS_COLLECTION:
        raise InvalidInput(
            f"Invalid collection name {name!r}: use 3-63 letters, digits, '-' or '_', starting and "
            f"ending with a letter or digit, without '{REGISTRY_SUFFIX}' or '{TEXTS_SUFFIX}', and not "
            f"{JOBS_COLLECTION!r} (the API's jobs)."
        )
    return name


def all_names(client: "ClientAPI") -> set[str]:
    """The names of every Chroma collection of `client`, the registries and texts included."""
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def user_collections(names: set[str]) -> list[str]:
    """The user's collections among Chroma collection `names`: no registries, texts or jobs."""
    return sorted(n for n in names if not n.endswith(SUFFIXES) and n != JOBS_COLLECTION)


def list_collections(client: "ClientAPI") -> list[str]:
    return user_collections(all_names(client))
