"""An in-process GGUF model through llama-cpp-python (the optional extra `llamacpp`)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

from rag.errors import ConfigError, LlmUnavailable
from rag.llm.backend import Messages
from rag.settings import LlmSettings

INSTALL = "pip install -e '.[llamacpp]' (build with CMAKE_ARGS=\"-DGGML_NATIVE=OFF\" on CPUs that lack AVX-512)"


class LlamaCpp:
    """Loads the model on first use; one generation at a time (llama.cpp contexts are not
    thread-safe)."""

    name = "llamacpp"

    def __init__(self, settings: LlmSettings):
        if settings.gguf_path is None:
            raise ConfigError("RAG_LLM=llamacpp needs a model file: set RAG_LLM_GGUF_PATH=/path/to/model.gguf")
        path = Path(settings.gguf_path).expanduser()
        if not path.is_file():
            raise ConfigError(f"RAG_LLM_GGUF_PATH {str(path)!r} is not a file; point it at a .gguf model")
        self.path = path
        self.settings = settings
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        if self._model is None:
            try:
                from llama_cpp import Llama
            except ImportError:
                raise ConfigError(f"RAG_LLM=llamacpp needs llama-cpp-python: {INSTALL}") from None
            try:
                self._model = Llama(
                    model_path=str(self.path), n_ctx=self.settings.context_tokens,
                    chat_format=self.settings.chat_format, verbose=False,
                )
            except (ValueError, RuntimeError, OSError) as exc:
                raise LlmUnavailable(f"cannot load {self.path}: {exc}") from None
        return self._model

    def stream(self, messages: Messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        with self._lock:
            model = self._load()
            try:
                chunks = model.create_chat_completion(
                    messages=list(messages), max_tokens=max_tokens, temperature=temperature, stream=True
                )
                for chunk in chunks:
                    content = chunk["choices"][0].get("delta", {}).get("content")
                    if content:
                        yield content
            except (ValueError, RuntimeError, KeyError, IndexError) as exc:
                raise LlmUnavailable(f"llama.cpp generation failed: {exc}") from None


_SHARED: dict[tuple[str, int], LlamaCpp] = {}
_SHARED_LOCK = threading.Lock()


def shared_model(settings: LlmSettings) -> LlamaCpp:
    """One in-process model per file and context size, however many pipelines use it."""
    backend = LlamaCpp(settings)
    with _SHARED_LOCK:
        return _SHARED.setdefault((str(backend.path.resolve()), settings.context_tokens), backend)
