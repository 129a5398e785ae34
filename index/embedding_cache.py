"""One cache of encoded text per embedder: the answerer asks for the same passages' sentence
vectors and the same short texts again and again, and each is encoded once.

`CachingEmbedder` wraps any `Embedder`. Its `embed` remembers each text's vector; `cached`
remembers any other per-text product of the model (the pooled sentence vectors of a chunk,
`index.sentence_vectors`) in the same least-recently-used store, which is bounded by the
number of vectors it holds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

if TYPE_CHECKING:
    from index.embedding import Embedder
    from index.sentence_vectors import TokenEmbeddings


class CachingEmbedder:
    """An `Embedder` that remembers what it encoded (thread-safe)."""

    def __init__(self, inner: "Embedder", capacity: int = 40_000):
        """`capacity`: vectors kept (a chunk's sentence vectors count one each)."""
        self.inner = inner
        self.capacity = capacity
        self._entries: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    @classmethod
    def of(cls, embedder: "Embedder") -> "CachingEmbedder":
        """`embedder` itself when it caches already, else it wrapped."""
        return embedder if isinstance(embedder, cls) else cls(embedder)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def __getattr__(self, attribute: str):
        return getattr(self.inner, attribute)  # the backend's own attributes (backend, model...)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(self.cached("embed", texts, lambda missing: list(self.inner.embed(missing))))

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenEmbeddings]]:
        return self.inner.embed_with_tokens(texts)  # ingest's path: each text is seen once

    def cached(
        self, kind: str, texts: Sequence[str], compute: Callable[[list[str]], Sequence[np.ndarray]],
    ) -> list[np.ndarray]:
        """`compute(missing)`'s result for each of `texts` (one array per text), computed once
        per distinct text not already held under `kind`."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if (kind, t) not in self._entries))
        fresh = dict(zip(missing, compute(missing))) if missing else {}
        out = []
        with self._lock:
            for text, value in fresh.items():
                if (kind, text) not in self._entries:
                    self._entries[(kind, text)] = value
                    self._held += _size(value)
            for text in texts:
                value = fresh.get(text)
                if value is None:
                    value = self._entries[(kind, text)]
                    self._entries.move_to_end((kind, text))
                out.append(value)
            while self._held > self.capacity and len(self._entries) > 1:
                _, dropped = self._entries.popitem(last=False)
                self._held -= _size(dropped)
        return out


def _size(value: np.ndarray) -> int:
    return 1 if value.ndim < 2 else max(1, len(value))
