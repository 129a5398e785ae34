"""The quantised embedding path: the sentence-transformers model exported to ONNX once,
quantised to int8 weights, and run with onnxruntime (no torch at query time).

The export is made locally on first use (torch.onnx.export, onnxruntime's BERT graph
optimizer, then `quantize_dynamic` with per-channel int8 weights) and cached under `DATA_DIR/models/`; a file lock makes concurrent
processes wait for one export, and the finished file appears by atomic rename, so no process
ever reads half a model. Encoding matches sentence-transformers for mean-pooling models:
the model's own tokenizer (truncated at its max_seq_length), mean pooling over the attention
mask, L2 normalisation.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

import numpy as np

from index.sentence_vectors import TokenEmbeddings, gather
from rag.errors import ConfigError

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

EXPORT_VERSION = "2"  # bump when the export recipe changes: old cache entries are then ignored
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _model_files(location: Path) -> tuple[Path, int]:
    """The transformer folder of a sentence-transformers model and its max_seq_length, after
    checking the model is one this path reproduces (transformer, mean pooling, normalise)."""
    modules_file = location / "modules.json"
    modules = json.loads(modules_file.read_text()) if modules_file.is_file() else []
    kinds = [m.get("type", "").rsplit(".", 1)[-1] for m in modules]
    pooling_file = next((location / m["path"] / "config.json" for m in modules if m.get("type", "").endswith("Pooling")), None)
    pooling = json.loads(pooling_file.read_text()) if pooling_file and pooling_file.is_file() else {}
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens")
    )
    if kinds[:2] != ["Transformer", "Pooling"] or not mean_only or not (location / "tokenizer.json").is_file():
        raise ConfigError(
            f"The onnx-int8 embedding backend supports sentence-transformers models made of a transformer, "
            f"mean pooling and normalisation with a tokenizer.json; {str(location)!r} is not one. "
            "Set RAG_INDEX__EMBED_BACKEND=torch."
        )
    bert_config = location / "sentence_bert_config.json"
    max_len = json.loads(bert_config.read_text()).get("max_seq_length", 512) if bert_config.is_file() else 512
    return location, int(max_len)


def _cache_key(location: Path) -> str:
    """Names a cached export: the model's files (name, size, modification time) and the recipe."""
    parts = [EXPORT_VERSION]
    for path in sorted(location.rglob("*")):
        if path.is_file():
            stat = path.stat()
            parts.append(f"{path.relative_to(location)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def quantized_model_path(location: Path, cache_dir: Path) -> Path:
    """The int8 ONNX file for the model at `location`, exported and quantised on first use."""
    target_dir = cache_dir / f"{location.name}-onnx-int8-{_cache_key(location)}"
    target = target_dir / "model.onnx"
    if target.is_file():
        return target
    import fcntl

    target_dir.mkdir(parents=True, exist_ok=True)
    with open(target_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process exporting the same model: wait for it
        if not target.is_file():
            _export(location, target)
    return target


def _export(location: Path, target: Path) -> None:
    """Export with eager attention (a graph onnxruntime's BERT optimizer can fuse), fuse
    attention, GELU and layer norms, then quantise the weights to int8 per channel."""
    try:
        import onnx  # noqa: F401 - quantize_bert needs it: fail here with the message below
        import torch
        from onnxruntime.quantization import quantize_dynamic  # noqa: F401
        from transformers import AutoModel
    except ImportError as exc:
        raise ConfigError(
            f"Exporting the onnx-int8 embedding model (once, then cached) needs {exc.name}: "
            "pip install onnx (a dependency of this package: reinstall it), or set RAG_INDEX__EMBED_BACKEND=torch."
        ) from exc
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of `rag ingest`
    try:
        model = AutoModel.from_pretrained(str(location), attn_implementation="eager").eval()  # nosec B615 - a local model directory, no hub download
    finally:
        transformers_logging.enable_progress_bar()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    sample = {name: torch.ones((2, 8), dtype=torch.long) for name in _INPUTS}
    sample["attention_mask"][1, 5:] = 0  # trace with padding, so the mask path is exported
    quantize_bert(
        Encoder(), tuple(sample[name] for name in _INPUTS), target, output_name="last_hidden_state",
        num_heads=model.config.num_attention_heads, hidden_size=model.config.hidden_size,
    )


def quantize_bert(module: Any, sample: tuple, target: Path, output_name: str, num_heads: int, hidden_size: int) -> None:
    """Export a BERT-shaped torch module taking (input_ids, attention_mask, token_type_ids) to
    ONNX, fuse attention, GELU and layer norms, quantise the weights to int8 per channel, and
    move the result to `target` atomically. The reader's export uses it too."""
    import logging
    import warnings

    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model

    root = logging.getLogger()
    level = root.level
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        root.setLevel(logging.ERROR)  # the optimizer and quantizer log advisories on the root logger
        try:
            fp32, fused, int8 = (Path(tmp) / f"{stage}.onnx" for stage in ("fp32", "fused", "int8"))
            with torch.no_grad():
                torch.onnx.export(
                    module, sample, str(fp32),
                    input_names=list(_INPUTS), output_names=[output_name],
                    dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, output_name)},
                    opset_version=17, dynamo=False,
                )
            optimize_model(
                str(fp32), model_type="bert", num_heads=num_heads, hidden_size=hidden_size,
            ).save_model_to_file(str(fused))
            quantize_dynamic(
                str(fused), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        finally:
            root.setLevel(level)
        os.replace(int8, target)  # atomic: readers see no file or the whole file


def cpu_session(path: Path) -> "onnxruntime.InferenceSession":
    """An onnxruntime CPU session as every model here runs: all graph optimisations, quiet logs,
    and idle threads that sleep instead of spinning (on a few shared cores spinning steals the
    time the other threads need, and under load single queries came out several times slower)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxInt8Embedder:
    """A mean-pooling sentence-transformers model, int8-quantised, run by onnxruntime."""

    backend = "onnx-int8"
    runs_in_worker = True  # picklable without its session: `index.embed_worker` may load it in a child process

    def __init__(self, name: str, location: str, cache_dir: Path, batch_size: int = 64):
        self._name = name
        self._location = Path(location).expanduser()
        self._cache_dir = cache_dir
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._dimension: int | None = None
        self._pad_id = 0

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_session": None, "_tokenizer": None, "_lock": None}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _lock=threading.Lock())

    @property
    def name(self) -> str:
        return self._name

    def _load(self) -> tuple["onnxruntime.InferenceSession", "Tokenizer"]:
        with self._lock:
            if self._session is None:
                if not self._location.is_dir():
                    raise ConfigError(
                        f"Embedding model folder {str(self._location)!r} does not exist. The onnx-int8 backend "
                        "needs a local sentence-transformers model folder (or the bundled model); set "
                        "RAG_INDEX__EMBED_MODEL to one, or RAG_INDEX__EMBED_BACKEND=torch."
                    )
                from tokenizers import Tokenizer

                location, max_len = _model_files(self._location)
                model_file = quantized_model_path(location, self._cache_dir)
                tokenizer = Tokenizer.from_file(str(location / "tokenizer.json"))
                tokenizer.enable_truncation(max_len)
                tokenizer.no_padding()  # each batch is padded here, to its own longest text
                self._pad_id = tokenizer.token_to_id("[PAD]") or 0
                session = cpu_session(model_file)
                config = json.loads((location / "config.json").read_text())
                self._dimension = int(config["hidden_size"])
                self._tokenizer, self._session = tokenizer, session
            return self._session, self._tokenizer  # type: ignore[return-value]

    @property
    def dimension(self) -> int:
        self._load()
        return int(self._dimension)  # type: ignore[arg-type]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for rows, vectors, _ in self._batches(texts, with_tokens=False):
            out[rows] = vectors
        return out

    def embed_with_tokens(self, texts: Sequence[str]) -> tuple[np.ndarray, list[TokenEmbeddings]]:
        return gather(self.token_batches(texts), len(texts), self.dimension)

    def token_batches(self, texts: Sequence[str]) -> Iterator[tuple[list[int], np.ndarray, list[TokenEmbeddings]]]:
        """One model batch at a time: its rows (indexes into `texts`), their vectors and their
        token vectors. Only one batch's token vectors are held, however many texts come."""
        for rows, vectors, tokens in self._batches(texts, with_tokens=True):
            yield rows, vectors, tokens  # type: ignore[misc]

    def _batches(self, texts: Sequence[str], with_tokens: bool) -> Iterator[tuple[list[int], np.ndarray, list[TokenEmbeddings] | None]]:
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts))
        # Longest first in tokens, so each batch pads little. (Sorting by characters, as
        # sentence-transformers does, pads far more: tokens per character vary with numbers,
        # names and non-English text.)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        for start in range(0, len(order), self._batch_size):
            rows = order[start:start + self._batch_size]
            width = len(encodings[rows[0]].ids)
            ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            types = np.zeros((len(rows), width), dtype=np.int64)
            for j, i in enumerate(rows):
                encoding = encodings[i]
                length = len(encoding.ids)
                ids[j, :length] = encoding.ids
                mask[j, :length] = 1
                types[j, :length] = encoding.type_ids
            hidden = session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            vectors = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            tokens = None
            if with_tokens:
                # Views into this run's output, not copies (copying them cost ingest time for
                # nothing). Special tokens stay in, with their empty (0, 0) offsets, which no
                # sentence span contains: `pool` leaves them out.
                tokens = [
                    TokenEmbeddings(hidden[j, :len(encodings[i].ids)], np.array(encodings[i].offsets, dtype=np.int64).reshape(-1, 2))
                    for j, i in enumerate(rows)
                ]
            yield rows, vectors.astype(np.float32), tokens
