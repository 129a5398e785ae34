"""A deterministic embedder for fast unit tests of the code around the embedding seam
(`index.embedding.Embedder`): no model, and the same vectors on every machine."""

from __future__ import annotations

import hashlib
import re
from typing import Sequence

import numpy as np

from index.sentence_vectors import TokenEmbeddings


class HashEmbedder:
    """Deterministic bag-of-words hashing vectors: texts sharing words are close. For tests."""

    runs_in_worker = True

    def __init__(self, dimension: int = 64):
        self._dimension = dimension

    @property
    def name(self) -> str:
        return f"hash-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
                out[row, int.from_bytes(digest[:4], "little") % self._dimension] += 1.0
            out[row, 0] += 1e-3  # no zero vectors
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenEmbeddings]]:
        """Each whitespace-separated word is a token whose vector is the word's own hash vector."""
        tokens = []
        for text in texts:
            spans = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
            vectors = self.embed([text[s:e] for s, e in spans]) if spans else np.zeros((0, self._dimension), np.float32)
            tokens.append(TokenEmbeddings(vectors, np.array(spans, dtype=np.int64).reshape(len(spans), 2)))
        return self.embed(texts), tokens
