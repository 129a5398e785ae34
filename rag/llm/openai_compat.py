"""Any OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server, LM Studio, OpenAI),
streamed over HTTP with timeouts and retries with backoff."""

from __future__ import annotations

import json
import logging
import time
from typing import Iterator

import httpx

from rag.errors import LlmUnavailable
from rag.llm.backend import Messages
from rag.settings import LlmSettings

log = logging.getLogger(__name__)
RETRY_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


class OpenAICompatible:
    """POST {base_url}/chat/completions with stream=true; yields the content deltas."""

    name = "openai"

    def __init__(self, settings: LlmSettings, client: httpx.Client | None = None):
        self.settings = settings
        headers = {"Accept": "text/event-stream"}
        key = settings.api_key.get_secret_value()
        if key:
            headers["Authorization"] = f"Bearer {key}"
        timeout = httpx.Timeout(settings.timeout_s, connect=min(10.0, settings.timeout_s))
        self.client = client or httpx.Client(headers=headers, timeout=timeout)

    @property
    def url(self) -> str:
        return f"{self.settings.base_url}/chat/completions"

    def stream(self, messages: Messages, *, max_tokens: int, temperature: float) -> Iterator[str]:
        body = {
            "model": self.settings.model, "messages": list(messages), "stream": True,
            "max_tokens": max_tokens, "temperature": temperature,
        }
        deadline = time.monotonic() + self.settings.timeout_s
        delay = self.settings.backoff_s
        for attempt in range(self.settings.retries + 1):
            last = attempt == self.settings.retries
            try:
                yielded = False
                for token in self._attempt(body, deadline):
                    yielded = True
                    yield token
                return
            except _Retryable as exc:
                if last or yielded or time.monotonic() + delay >= deadline:
                    raise LlmUnavailable(f"{self.url}: {exc}") from None
                log.warning("LLM endpoint %s: %s; retrying in %.1fs", self.url, exc, delay)
                time.sleep(delay)
                delay *= 2

    def _attempt(self, body: dict, deadline: float) -> Iterator[str]:
        try:
            with self.client.stream("POST", self.url, json=body) as response:
                if response.status_code in RETRY_STATUS:
                    raise _Retryable(f"HTTP {response.status_code}")
                if response.status_code >= 400:
                    detail = response.read()[:300].decode("utf-8", "replace")
                    raise LlmUnavailable(f"{self.url}: HTTP {response.status_code}: {detail}")
                content_type = response.headers.get("content-type", "")
                if "text/event-stream" not in content_type:
                    # Some servers ignore stream=true and send one JSON body.
                    yield _message_content(_json(response.read()))
                    return
                for line in response.iter_lines():
                    if time.monotonic() > deadline:
                        raise LlmUnavailable(f"{self.url}: no complete answer within {self.settings.timeout_s:g}s")
                    token = _event_content(line)
                    if token is _DONE:
                        return
                    if token:
                        yield token
        except (httpx.ConnectError, httpx.TimeoutException, httpx.RemoteProtocolError) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from None
        except httpx.HTTPError as exc:
            raise LlmUnavailable(f"{self.url}: {type(exc).__name__}: {exc}") from None


class _Retryable(Exception):
    pass


_DONE = object()


def _json(raw: bytes) -> dict:
    try:
        data = json.loads(raw)
    except ValueError:
        raise LlmUnavailable(f"the endpoint sent something that is not JSON: {raw[:120]!r}") from None
    if not isinstance(data, dict):
        raise LlmUnavailable(f"the endpoint sent JSON that is not an object: {raw[:120]!r}")
    return data


def _message_content(data: dict) -> str:
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LlmUnavailable(f"the endpoint's reply has no choices[0].message.content: {str(data)[:160]}") from None
    return content if isinstance(content, str) else ""


def _event_content(line: str):
    """The text of one server-sent event line, `_DONE` at the end, None for other lines."""
    if not line.startswith("data:"):
        return None
    payload = line[5:].strip()
    if payload == "[DONE]":
        return _DONE
    data = _json(payload.encode())
    if "error" in data:
        raise LlmUnavailable(f"the endpoint reported an error: {str(data['error'])[:200]}")
    try:
        choice = data["choices"][0]
    except (KeyError, IndexError, TypeError):
        raise LlmUnavailable(f"a streamed event has no choices: {payload[:160]}") from None
    delta = choice.get("delta") or choice.get("message") or {}
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is None and isinstance(choice.get("text"), str):
        content = choice["text"]
    return content if isinstance(content, str) else None
