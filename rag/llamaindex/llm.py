"""Any LlamaIndex `LLM` as the writer of the LLM answer path (`rag.llm.backend.LlmBackend`).

Every LlamaIndex LLM integration (OpenAI, Anthropic, Ollama, vLLM, a local llama.cpp, ...) then
writes answers that go through the same checking, fallback and warnings as the built-in
OpenAI-compatible backend: `Pipeline(settings, llm=llama_index_llm)` wraps it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from rag.errors import LlmUnavailable

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from rag.llm.backend import Messages


class LlamaIndexBackend:
    """Streams a chat completion from a LlamaIndex `LLM`; its failures become `LlmUnavailable`
    (the pipeline then answers extractively, with a warning)."""

    def __init__(self, llm: "LLM"):
        self.llm = llm
        model = getattr(llm.metadata, "model_name", None) or "unknown"
        self.name = "llamaindex"
        self.label = f"llamaindex:{type(llm).__name__}:{model}"  # the answer's `answered_by`

    def stream(self, messages: "Messages", *, max_tokens: int, temperature: float) -> Iterator[str]:
        from llama_index.core.llms import ChatMessage

        chat = [ChatMessage(role=m["role"], content=m["content"]) for m in messages]
        # A LlamaIndex LLM carries its own token limit and temperature (set when it is made):
        # integrations differ in which call arguments they accept, so none are passed.
        try:
            for chunk in self.llm.stream_chat(chat):
                if chunk.delta:
                    yield chunk.delta
        except LlmUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - integrations raise their own error types
            raise LlmUnavailable(f"{self.label} failed: {type(exc).__name__}: {exc}") from exc


def is_llama_index_llm(value: object) -> bool:
    try:
        from llama_index.core.base.llms.base import BaseLLM
    except ImportError:  # pragma: no cover - llama-index-core is a dependency
        return False
    return isinstance(value, BaseLLM)
