"""What an index holds, read back for comparing two indexes built from the same files."""

from __future__ import annotations

import numpy as np

from index.layout import chunk_rows
from index.sentence_vectors import METADATA_KEY as SENTENCE_VECTORS_KEY
from index.sentence_vectors import decode
from index.store import ChunkStore


def snapshot(store: ChunkStore) -> dict:
    """Everything stored, keyed by id, for comparing two indexes; the sentence vectors (floats,
    which differ in the last bits with batch composition) are compared by `sentence_vectors`."""
    chunks = store.chunks.get(include=["documents", "metadatas"])
    registry = store.registry.get(include=["documents", "metadatas"])
    return {
        "chunks": {
            i: (d, {k: v for k, v in m.items() if k != SENTENCE_VECTORS_KEY}) for i, d, m in chunk_rows(chunks)
        },
        "registry": {i: (d, m) for i, d, m in zip(registry["ids"], registry["documents"], registry["metadatas"])},
    }


def sentence_vectors(store: ChunkStore, dimension: int) -> dict[str, np.ndarray]:
    """Each chunk's decoded sentence vectors, keyed by chunk id (all must decode)."""
    got = store.chunks.get(include=["documents", "metadatas"])
    out = {}
    for chunk_id, text, meta in chunk_rows(got):
        vectors = decode(meta.get(SENTENCE_VECTORS_KEY), text, dimension)
        assert vectors is not None, f"chunk {chunk_id} has no usable sentence vectors"
        out[chunk_id] = vectors
    return out
