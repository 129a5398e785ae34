"""The seam every LLM backend implements, and the factory that picks one from the settings."""

from __future__ import annotations

from typing import Iterator, Protocol, Sequence

from rag.settings import LlmSettings

Messages = Sequence[dict[str, str]]


class LlmBackend(Protocol):
    """Writes a chat completion, token by token. Raises `LlmUnavailable` when it cannot."""

    name: str

    def stream(self, messages: Messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        ...


def complete(backend: LlmBackend, messages: Messages, *, max_tokens: int, temperature: float) -> str:
    return "".join(backend.stream(messages, max_tokens=max_tokens, temperature=temperature))


def backend_from_settings(settings: LlmSettings) -> LlmBackend | None:
    """The configured backend, or None for the extractive answerer. Nothing is loaded or
    contacted here beyond what the backend's constructor needs."""
    if settings.backend == "openai":
        from rag.llm.openai_compat import OpenAICompatible

        return OpenAICompatible(settings)
    if settings.backend == "llamacpp":
        from rag.llm.llamacpp import shared_model

        return shared_model(settings)
    return None
