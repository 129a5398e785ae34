"""Hybrid retrieval: dense search in Chroma plus BM25 over the same chunks, fused by
reciprocal rank fusion.

The BM25 side is a mirror of the collection kept in this process. Every write to a
collection stamps it with a new generation token; before each search the mirror compares
tokens and, when they differ, applies only what changed (documents added, updated or
removed), so it never rebuilds per query. Only documents whose registry record is committed
and matches their chunks are searchable, on both sides, so an answer never cites a document
that is half written.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Sequence

import numpy as np

from index.embedding import Embedder
from index.headings import METADATA_KEY as OUTLINE_KEY
from index.headings import Outline, load_outline
from index.layout import first_chunk_ids
from index.sentence_vectors import METADATA_KEY as SENTENCE_VECTORS_KEY
from index.sentences import sentence_spans
from index.store import ChunkStore
from rag.filters import Filters
from rag.lexical import BM25Index, content_order

Mode = Literal["hybrid", "dense", "bm25"]
RRF_K = 60
# Documents per Chroma read when the mirror syncs: each read filters the whole collection, so
# fewer, larger reads make a large collection's first sync faster (docs/bench/notes.md).
_SYNC_BATCH = 1000


@dataclass
class Passage:
    """A retrieved chunk, with where it came from and how it scored."""

    chunk_id: str
    document_id: str
    source: str
    title: str
    date: str | None
    start_char: int
    end_char: int
    text: str
    score: float
    dense_score: float | None = None
    bm25_score: float | None = None
    rank: int = 0
    # The chunk's stored sentence vectors (`index.sentence_vectors`), read by the answerer.
    sentence_vectors: str | None = field(default=None, repr=False)
    # Its share of its document's headings (`index.headings.chunk_outlines`); None for a chunk
    # stored before ingest kept them, whose headings are found in its text alone.
    outline: Outline | None = field(default=None, repr=False)

    @cached_property
    def spans(self) -> list[tuple[int, int]]:
        """The passage's sentences as offsets into `text`, split once per question and shared
        by everything that reads them (sentence vectors, the answerer, the support checker)."""
        return sentence_spans(self.text)


@dataclass(frozen=True)
class _ChunkMeta:
    document_id: str
    source: str
    date_int: int | None


@dataclass
class _Mirror:
    """This process's view of a collection: committed documents and the BM25 index."""

    generation: object = None
    doc_sha: dict[str, str] = field(default_factory=dict)
    doc_chunks: dict[str, list[str]] = field(default_factory=dict)
    chunk_meta: dict[str, _ChunkMeta] = field(default_factory=dict)
    bm25: BM25Index = field(default_factory=BM25Index)


class Retriever:
    """Finds passages for a question in one collection."""

    def __init__(self, store: ChunkStore, embedder: Embedder, candidates: int = 30):
        self.store = store
        self.embedder = embedder
        self.candidates = candidates
        self._mirror = _Mirror()
        self._lock = threading.Lock()

    @property
    def bm25(self) -> BM25Index:
        return self._mirror.bm25

    # -- keeping the mirror in step ----------------------------------------------------

    def sync(self) -> None:
        """Bring the BM25 mirror up to date with the collection, applying only changes."""
        with self._lock:
            token = self.store.generation()
            if token == self._mirror.generation and token is not None:
                return
            committed = {record.id: record.sha256 for record in self.store.records()}
            mirror = self._mirror
            for doc_id in [d for d in mirror.doc_sha if committed.get(d) != mirror.doc_sha[d]]:
                self._drop(doc_id)
            todo = [d for d, sha in committed.items() if mirror.doc_sha.get(d) != sha]
            complete = True
            for start in range(0, len(todo), _SYNC_BATCH):
                complete &= self._load(todo[start : start + _SYNC_BATCH], committed)
            mirror.generation = token if complete else None

    def _drop(self, doc_id: str) -> None:
        mirror = self._mirror
        for chunk_id in mirror.doc_chunks.pop(doc_id, []):
            mirror.bm25.remove(chunk_id)
            mirror.chunk_meta.pop(chunk_id, None)
        mirror.doc_sha.pop(doc_id, None)

    def _load(self, doc_ids: Sequence[str], committed: dict[str, str]) -> bool:
        """Index the chunks of `doc_ids`; False if some were mid-write and must be retried."""
        by_doc: dict[str, list[tuple[str, str, dict]]] = {}
        for chunk_id, text, meta in self.store.chunks_of(doc_ids):
            by_doc.setdefault(str(meta["document_id"]), []).append((chunk_id, text, meta))
        complete = True
        for doc_id in doc_ids:
            chunks = by_doc.get(doc_id, [])
            if any(meta.get("doc_sha256") != committed[doc_id] for _, _, meta in chunks):
                complete = False  # a newer version is being written; try again next time
                continue
            mirror = self._mirror
            for chunk_id, text, meta in chunks:
                mirror.bm25.add(chunk_id, text)
                mirror.chunk_meta[chunk_id] = _ChunkMeta(doc_id, str(meta["source"]), meta.get("date_int"))
            mirror.doc_chunks[doc_id] = [chunk_id for chunk_id, _, _ in chunks]
            mirror.doc_sha[doc_id] = committed[doc_id]
        return complete

    # -- searching ---------------------------------------------------------------------

    def retrieve(
        self,
        question: str,
        top_k: int = 5,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> list[Passage]:
        filters = filters or Filters()
        self.sync()
        pool = max(self.candidates, top_k)
        dense: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            if query_vector is None:
                query_vector = self.embedder.embed([question])[0]
            dense = self._dense(query_vector, pool, filters)
        lexical: list[tuple[str, float]] = []
        if mode in ("hybrid", "bm25"):
            meta = self._mirror.chunk_meta
            lexical = self._mirror.bm25.search(question, pool, lambda cid: cid in meta and filters.allows(meta[cid]))
        return self._fuse(dense, lexical, top_k)

    def _dense(self, vector: np.ndarray, pool: int, filters: Filters) -> list[tuple[str, float]]:
        """Ids and cosine similarities of the nearest committed chunks; only those come back
        (`ChunkStore.nearest`), and `_fuse` fetches text and metadata for the chunks it keeps."""
        meta = self._mirror.chunk_meta
        if not meta:
            return []  # nothing committed yet: nothing to cite
        nearest = self.store.nearest(
            vector, pool, sources=filters.sources, date_from=filters.date_from, date_to=filters.date_to
        )
        return [(cid, similarity) for cid, similarity in nearest if cid in meta]

    def _fuse(self, dense: list[tuple[str, float]], lexical: list[tuple[str, float]], top_k: int) -> list[Passage]:
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (chunk_id, _) in enumerate(ranking):
                fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        # Equal fused scores are common (ranks 2 and 5 against 5 and 2): the better dense rank
        # goes first, then `content_order`, never the path-derived id alone.
        dense_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(dense)}
        order = sorted(fused, key=lambda cid: (-fused[cid], dense_rank.get(cid, len(dense)), content_order(cid)))
        dense_scores, bm25_scores = dict(dense), dict(lexical)
        out: list[Passage] = []
        start = 0
        while len(out) < top_k and start < len(order):
            batch = order[start : start + top_k - len(out)]
            start += len(batch)
            for passage in self._committed_passages(batch):
                passage.score = fused[passage.chunk_id]
                passage.dense_score = dense_scores.get(passage.chunk_id)
                passage.bm25_score = bm25_scores.get(passage.chunk_id)
                passage.rank = len(out)
                out.append(passage)
        return out

    def openings(self, passages: Sequence[Passage], documents: int = 2) -> list[Passage]:
        """The first chunk of each of the first `documents` documents among `passages` whose first
        chunk is not among them, ranked after them: where a paper names its authors. Read by id,
        the rest of a long document unread."""
        doc_ids = list(dict.fromkeys(p.document_id for p in passages))[:documents]
        have = {p.document_id for p in passages if p.start_char == 0}
        committed = self._mirror.doc_sha
        ids = [cid for d in doc_ids if d not in have and d in committed for cid in first_chunk_ids(d, committed[d])]
        out: list[Passage] = []
        for passage in self._committed_passages(ids) if ids else []:
            if passage.start_char == 0 and all(p.document_id != passage.document_id for p in out):
                passage.rank = len(passages) + len(out)
                out.append(passage)
        return out

    def _committed_passages(self, chunk_ids: list[str]) -> list[Passage]:
        """The passages of `chunk_ids`, in that order, leaving out any whose stored chunk is not
        the committed version of its document (one being rewritten now, or removed)."""
        found = {cid: (text, meta) for cid, text, meta in self.store.chunks_by_id(chunk_ids)}
        committed = self._mirror.doc_sha
        out = []
        for chunk_id in chunk_ids:
            if chunk_id not in found:
                continue
            text, meta = found[chunk_id]
            if committed.get(str(meta["document_id"])) == meta.get("doc_sha256"):
                out.append(_passage(chunk_id, text, meta, score=0.0))
        return out


def _passage(chunk_id: str, text: str, meta: dict, score: float) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        document_id=str(meta["document_id"]),
        source=str(meta["source"]),
        title=str(meta.get("title", "")),
        date=meta.get("date"),
        start_char=int(meta["start_char"]),
        end_char=int(meta["end_char"]),
        text=text,
        score=score,
        sentence_vectors=meta.get(SENTENCE_VECTORS_KEY),
        outline=load_outline(meta.get(OUTLINE_KEY)),
    )
