"""The fingerprint of what decides a collection's vectors: embedding model, its backend (torch
fp32 or ONNX int8) and chunking parameters. It is recorded in the chunk collection's metadata;
`index.store` refuses to open a collection with settings whose fingerprint differs
(`FingerprintMismatch`)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from index.chunking import CHUNKER_VERSION
from index.embedding import canonical_model_name
from rag.settings import Settings

FINGERPRINT_KEYS = ("embed_model", "embed_backend", "embed_export", "chunker", "chunk_size", "chunk_overlap")
# The int8 export recipe that collections were built with before it was recorded.
_UNRECORDED_EXPORT = "2"


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
        fields = {key: getattr(self, key) for key in FINGERPRINT_KEYS}
        if fields["embed_backend"] == "torch":
            del fields["embed_backend"]
        if fields["embed_export"] in ("", _UNRECORDED_EXPORT):
            del fields["embed_export"]
        payload = json.dumps(fields, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    def as_metadata(self) -> dict[str, Any]:
        return {"rag_fingerprint": self.digest, **{f"rag_{k}": getattr(self, k) for k in FINGERPRINT_KEYS}}

    def differences(self, stored: dict[str, Any]) -> list[str]:
        """How a collection's metadata `stored` differs from this fingerprint, one line a field."""
        wanted = self.as_metadata()
        return [
            f"{key[4:]}: collection has {stored.get(key)!r}, settings say {wanted[key]!r}"
            for key in wanted
            if key != "rag_fingerprint" and stored.get(key) != wanted[key]
        ]
