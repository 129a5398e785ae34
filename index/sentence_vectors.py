"""Sentence vectors pooled from a chunk's token embeddings, made once and stored with the chunk.

The answerer compares every sentence of the retrieved passages with the question. Encoding
those sentences when the question comes was most of an answer's time on passages never seen
before. Instead, the pass that embeds a chunk at ingest also yields its token embeddings, and
those are mean-pooled over each sentence's characters: one vector per sentence of the chunk,
at no extra model run. They travel in the chunk's metadata (int8, one scale per vector) and
come back with the passage. A passage without them (a collection ingested before they existed,
or a blob that does not match the chunk's sentences) gets them computed the same way when it
is first needed, so the answerer's features never mix kinds.

A sentence with no token inside the model's window (a chunk longer than the model's maximum
sequence length) is encoded on its own instead.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator, Protocol, Sequence

import numpy as np

from index.embedding_cache import CachingEmbedder
from index.sentences import sentence_spans

if TYPE_CHECKING:
    from index.embedding import Embedder

METADATA_KEY = "sentence_vectors"
FORMAT = 1
_HEADER = struct.Struct("<BHH")  # format, sentences, dimension
_STEP = 64  # texts whose token vectors are held at once

Span = tuple[int, int]


@dataclass(frozen=True)
class TokenEmbeddings:
    """One text's token vectors and each token's character span. Special tokens are left out,
    or kept with empty (0, 0) spans, which `pool` never counts."""

    vectors: np.ndarray  # (tokens, dimension) float32
    offsets: np.ndarray  # (tokens, 2) int: [start, end) into the text; (0, 0) for special tokens


def gather(batches: Iterator[tuple[list[int], np.ndarray, list[TokenEmbeddings]]], count: int, dimension: int) -> tuple[np.ndarray, list[TokenEmbeddings]]:
    """All of `token_batches`' output in input order: what `embed_with_tokens` returns."""
    out = np.zeros((count, dimension), dtype=np.float32)
    tokens: list[TokenEmbeddings | None] = [None] * count
    for rows, vectors, batch_tokens in batches:
        out[rows] = vectors
        for i, token_embeddings in zip(rows, batch_tokens):
            tokens[i] = token_embeddings
    return out, tokens  # type: ignore[return-value]


def pool(tokens: TokenEmbeddings, spans: Sequence[Span]) -> tuple[np.ndarray, list[int]]:
    """Unit vectors, one per span, the mean of the tokens lying inside it; also the indexes of
    spans no token lies in (their rows are zero). Tokens with empty offsets (special tokens)
    lie in no span."""
    dimension = tokens.vectors.shape[1]
    out = np.zeros((len(spans), dimension), dtype=np.float32)
    empty: list[int] = []
    starts, ends = tokens.offsets[:, 0], tokens.offsets[:, 1]
    # One span at a time, without BLAS: a matrix product here ran on OpenBLAS's threads,
    # which kept spinning into the next model run and slowed it.
    for row, (start, end) in enumerate(spans):
        inside = (starts >= start) & (ends <= end) & (ends > starts)
        if not inside.any():
            empty.append(row)
            continue
        total = tokens.vectors[inside].sum(axis=0)
        out[row] = total / max(float(np.sqrt((total * total).sum())), 1e-12)  # the mean's direction is the sum's
    return out, empty


def embed_chunks(embedder: "Embedder", texts: Sequence[str]) -> tuple[np.ndarray, list[tuple[list[Span], np.ndarray]]]:
    """Chunk vectors (as `embedder.embed` gives them) and, per chunk, its `sentence_spans` with
    one vector each, pooled from the same model run."""
    vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    per_chunk: list[tuple[list[Span], np.ndarray]] = [([], vectors[:0])] * len(texts)
    alone: list[tuple[int, int, str]] = []
    for rows, step_vectors, tokens in _token_batches(embedder, texts):
        vectors[rows] = step_vectors
        for index, token_embeddings in zip(rows, tokens):
            text = texts[index]
            spans = sentence_spans(text)
            pooled, empty = pool(token_embeddings, spans)
            per_chunk[index] = (spans, pooled)
            alone.extend((index, row, text[spans[row][0]:spans[row][1]]) for row in empty)
    if alone:  # sentences past the model's window
        encoded = embedder.embed([text for _, _, text in alone])
        for (index, row, _), vector in zip(alone, encoded):
            per_chunk[index][1][row] = vector
    return vectors, per_chunk


def _token_batches(embedder: "Embedder", texts: Sequence[str]) -> Iterator[tuple[list[int], np.ndarray, list[TokenEmbeddings]]]:
    """The embedder's own model batches when it yields them (`token_batches`), else steps of
    `_STEP` texts, longest first; either way only one step's token vectors are held at once."""
    batches = getattr(embedder, "token_batches", None)
    if batches is not None:
        yield from batches(texts)
        return
    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    for start in range(0, len(order), _STEP):
        rows = order[start:start + _STEP]
        step_vectors, tokens = embedder.embed_with_tokens([texts[i] for i in rows])
        yield rows, step_vectors, tokens


def encode(spans: Sequence[Span], vectors: np.ndarray) -> str:
    """The metadata string for a chunk's sentence vectors: spans, int8 vectors, scales."""
    count, dimension = vectors.shape
    scales = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    quantised = np.clip(np.rint(vectors / scales[:, None]), -127, 127).astype(np.int8)
    payload = (
        _HEADER.pack(FORMAT, count, dimension)
        + np.asarray(spans, dtype="<u4").reshape(count, 2).tobytes()
        + scales.astype("<f4").tobytes()
        + quantised.tobytes()
    )
    return base64.b64encode(payload).decode("ascii")


def decode(blob: object, text: str, dimension: int, spans: Sequence[Span] | None = None) -> np.ndarray | None:
    """The unit sentence vectors stored for `text`, one per `sentence_spans(text)` (`spans`, when
    the caller has split it already); None when the blob is missing, damaged, of another format
    or dimension, or made for other sentences."""
    if not isinstance(blob, str) or not blob:
        return None
    try:
        payload = base64.b64decode(blob.encode("ascii"), validate=True)
        version, count, stored_dimension = _HEADER.unpack_from(payload)
    except (binascii.Error, UnicodeEncodeError, struct.error, ValueError):
        return None
    if version != FORMAT or stored_dimension != dimension:
        return None
    size = _HEADER.size + count * 8 + count * 4 + count * dimension
    if len(payload) != size:
        return None
    offset = _HEADER.size
    stored = np.frombuffer(payload, dtype="<u4", count=count * 2, offset=offset).reshape(count, 2)
    offset += count * 8
    if [tuple(map(int, row)) for row in stored] != list(sentence_spans(text) if spans is None else spans):
        return None
    scales = np.frombuffer(payload, dtype="<f4", count=count, offset=offset)
    offset += count * 4
    quantised = np.frombuffer(payload, dtype=np.int8, count=count * dimension, offset=offset).reshape(count, dimension)
    vectors = quantised.astype(np.float32) * scales[:, None]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class _Chunk(Protocol):
    text: str
    sentence_vectors: str | None


class SentenceVectorSource:
    """Each passage's sentence vectors: those stored with its chunk, else pooled from the
    chunk's token vectors now (the same kind), remembered across questions in the embedder's
    cache (`CachingEmbedder`)."""

    def __init__(self, embedder: "Embedder"):
        self.embedder = CachingEmbedder.of(embedder)

    def __call__(self, passages: Sequence[_Chunk]) -> list[np.ndarray]:
        dimension = self.embedder.dimension
        out: list[np.ndarray | None] = [
            decode(p.sentence_vectors, p.text, dimension, getattr(p, "spans", None)) for p in passages
        ]
        missing = [p.text for p, rows in zip(passages, out) if rows is None]
        if not missing:
            return out  # type: ignore[return-value]
        pooled = iter(self.embedder.cached(
            "sentences", missing, lambda texts: [rows for _, rows in embed_chunks(self.embedder.inner, texts)[1]]
        ))
        return [next(pooled) if rows is None else rows for rows in out]
