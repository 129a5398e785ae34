"""Asking questions with the signature of `Pipeline.ask`, in this process or through a running
`rag serve`: the CLI holds one `Asker` and does not care which."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from rag import errors
from rag.errors import RagError, ServerUnavailable

if TYPE_CHECKING:
    from rag.filters import Filters
    from rag.schema import Answer
    from rag.settings import Settings


class Asker(Protocol):
    """What answers a question: `rag.pipeline.Pipeline` or `RemoteAsker`."""

    def ask(self, question: str, top_k: int | None = None, filters: "Filters | None" = None) -> "Answer": ...


# The server's error codes (api/errors.py) back into the exception tree, so a refused question is
# the same error whether it was asked here or there.
_BY_CODE = {
    cls.code: cls
    for cls in (errors.ConfigError, errors.StoreUnavailable, errors.FingerprintMismatch, errors.UnknownCollection,
                errors.DocumentNotFound, errors.InvalidInput, errors.LlmUnavailable)
}


class RemoteAsker:
    """Answers through the running `rag serve` at `settings.server_url`: nothing is loaded here."""

    def __init__(self, settings: "Settings", collection: str | None = None, timeout: float = 120):
        import httpx

        self.server_url = settings.server_url or ""
        self.collection = collection
        keys = settings.api_key_list
        headers = {"Authorization": f"Bearer {keys[0]}"} if keys else {}
        self._http = httpx.Client(timeout=timeout, headers=headers)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "RemoteAsker":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def ask(self, question: str, top_k: int | None = None, filters: "Filters | None" = None) -> "Answer":
        import httpx

        from rag.schema import Answer

        body: dict = {"question": question, "top_k": top_k, "collection": self.collection}
        if filters is not None:
            wanted = {"sources": list(filters.sources), "date_from": filters.date_from, "date_to": filters.date_to}
            body["filters"] = {k: v for k, v in wanted.items() if v} or None
        try:
            response = self._http.post(
                f"{self.server_url.rstrip('/')}/v1/ask", json={k: v for k, v in body.items() if v is not None}
            )
        except httpx.HTTPError as exc:
            raise ServerUnavailable(
                f"cannot reach the rag server at {self.server_url} ({exc}). Start it with "
                "`rag serve`, or unset RAG_SERVER_URL to answer in this process."
            ) from None
        if response.status_code == 200:
            return Answer.model_validate_json(response.content)
        try:
            error = response.json()["error"]
            problem, code = str(error["message"]), error.get("code")
        except (ValueError, KeyError, TypeError, AttributeError):
            problem, code = f"HTTP {response.status_code}: {response.text[:200]}", None
        raise _BY_CODE.get(code, RagError)(f"the rag server at {self.server_url} says: {problem}")
