"""Request and response bodies of the HTTP API (answers use `rag.schema.Answer`)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from rag.errors import InvalidInput, check_text
from rag.schema import Answer


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorDetail


AUTH_AND_STORE_ERRORS = {
    401: "Missing or wrong API key.",
    413: "The request body is over the limit (4 MiB; uploads RAG_API__MAX_UPLOAD_MB).",
    429: "Too many requests for this key or address (RAG_API__RATE_LIMIT_PER_MINUTE); `Retry-After` says when to retry.",
    503: "The Chroma store cannot be reached, or its data directory cannot be written.",
}


def error_responses(**by_status: str) -> dict:
    """OpenAPI `responses` for the error shape: the auth, rate-limit and store errors every
    route can give, plus the route's own (`e422="..."`)."""
    described = {**AUTH_AND_STORE_ERRORS, **{int(k[1:]): v for k, v in by_status.items()}}
    responses = {status: {"model": ErrorResponse, "description": text} for status, text in sorted(described.items())}
    responses[429]["headers"] = {"Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}}
    return responses


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def _unicode(value: str, what: str) -> str:
    """`rag.errors.check_text` as a field error (pydantic reports a ValueError against the field)."""
    try:
        return check_text(value, what)
    except InvalidInput as exc:
        raise ValueError(str(exc)) from None


def plain_text(value: str) -> str:
    """Text a person typed: no control characters (tab and line breaks are fine), and not only
    invisible characters (zero-width and direction marks)."""
    _unicode(value, "the value")
    if found := _CONTROL.search(value):
        raise ValueError(f"contains the control character U+{ord(found.group()):04X} at position {found.start()}; remove it")
    if value and not _INVISIBLE.sub("", value):
        raise ValueError("must not be empty (it holds only invisible characters)")
    return value


def not_boolean(value: object) -> object:
    """A count given as true or false is a mistake, not 1 or 0 (numbers as strings are read as numbers)."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true or false")
    return value


# Passages to retrieve: 1-50, and never a boolean.
TopK = Annotated[Annotated[int, Field(ge=1, le=50)] | None, BeforeValidator(not_boolean)]


class DateFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sources: list[str] = Field(default_factory=list, max_length=100, description="Only these document sources.")
    date_from: str | None = Field(None, description="Only documents dated on or after YYYY-MM-DD.")
    date_to: str | None = Field(None, description="Only documents dated on or before YYYY-MM-DD.")

    @field_validator("sources")
    @classmethod
    def _text_sources(cls, value: list[str]) -> list[str]:
        return [_unicode(source, "a source") for source in value]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question, in plain language (at most RAG_ANSWER__MAX_QUESTION_CHARS characters).")
    top_k: TopK = Field(None, description="Passages to retrieve, 1-50.")
    collection: str | None = Field(None, description="Collection to ask (default: the configured one).")
    filters: DateFilters | None = None
    stream: bool = Field(False, description="Answer as Server-Sent Events.")

    @field_validator("question")
    @classmethod
    def _plain_question(cls, value: str) -> str:
        return plain_text(value)



class Message(BaseModel):
    role: Literal["system", "user", "assistant"]
    content: str = Field(description="The text; OpenAI's list of parts is accepted when every part is text.")

    @field_validator("content", mode="before")
    @classmethod
    def _joined_parts(cls, value: object) -> object:
        """OpenAI clients may send `[{"type": "text", "text": "..."}, ...]`: the texts, one a line."""
        if not isinstance(value, list):
            return value
        texts = []
        for part in value:
            if not isinstance(part, dict) or part.get("type") != "text" or not isinstance(part.get("text"), str):
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise ValueError(f"only text parts are supported (a part of type {kind!r} is not); send the question as text")
            texts.append(part["text"])
        return "\n".join(texts)

    @field_validator("content")
    @classmethod
    def _plain_content(cls, value: str) -> str:
        return plain_text(value)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messages: list[Message] = Field(min_length=1, max_length=200, description="The conversation; the last user message is answered.")
    top_k: TopK = None
    collection: str | None = None
    filters: DateFilters | None = None
    stream: bool = Field(False, description="Answer as Server-Sent Events: `question` (the resolved question), then those of /v1/ask.")



class ChatResponse(Answer):
    resolved_question: str = Field(description="The question as answered, with context from the history.")


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    model: str = Field("rag", description=(
        "A collection name picks the collection to answer from (GET /v1/models lists them); "
        "any other value answers from the default collection."
    ))
    messages: list[Message] = Field(min_length=1, max_length=200)
    stream: bool = False


class NewCollection(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="3-63 letters, digits, '-' or '_', starting and ending with a letter or digit.")


class CollectionCreated(BaseModel):
    name: str
    created: bool = Field(description="False when the collection already existed (nothing was changed).")


class CollectionDeleted(BaseModel):
    name: str
    documents: int = Field(description="Documents the collection held.")
    chunks: int = Field(description="Chunks (vectors) the collection held.")


class DocumentInfo(BaseModel):
    id: str
    source: str
    title: str
    date: str | None
    sha256: str
    chunks: int


class DocumentWithText(DocumentInfo):
    text: str = Field(description="The full text that citation offsets point into.")


class IngestSummary(BaseModel):
    added: list[str]
    updated: list[str]
    unchanged: list[str]
    refreshed: list[str] = Field(
        default_factory=list,
        description="Unchanged documents stored by an earlier version whose chunks were given the headings above them (nothing embedded again).",
    )
    removed: list[str]
    skipped: list[dict[str, str]]
    chunks: int


class Job(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    collection: str
    files: int
    result: IngestSummary | None = None
    error: ErrorDetail | None = None
