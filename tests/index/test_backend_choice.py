"""The `auto` embedding backend: new collections of the bundled model get onnx-int8, every
existing collection keeps the backend it was built with, and vectors are never mixed."""

from __future__ import annotations

import pytest

from api.state import AppState
from index.client import connect
from index.embedding import SentenceTransformerEmbedder, resolve_backend
from index.fingerprint import Fingerprint
from index.ingest import Ingestor
from index.onnx_embedding import OnnxInt8Embedder
from index.store import open_store
from rag.errors import ConfigError
from rag.pipeline import Pipeline
from rag.settings import BUNDLED_MODEL, IndexSettings, Settings
from tests.support.embedders import HashEmbedder
from tests.support.paths import SEEDS


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", chroma_url=None, collection="test")


def with_index(settings: Settings, **index) -> Settings:
    return settings.model_copy(update={"index": settings.index.model_copy(update=index)})


def test_auto_is_the_default_and_resolves_per_collection():
    auto = IndexSettings()
    assert auto.embed_backend == "auto"
    assert resolve_backend(auto) == "onnx-int8"  # a new collection of the bundled model
    assert resolve_backend(IndexSettings(embed_model=f"sentence-transformers/{BUNDLED_MODEL}")) == "onnx-int8"
    assert resolve_backend(IndexSettings(embed_model="/models/my-own-model")) == "torch"  # int8 quality unmeasured
    assert resolve_backend(auto, recorded="torch") == "torch"
    assert resolve_backend(auto, recorded="onnx-int8") == "onnx-int8"
    for explicit in ("torch", "onnx-int8"):
        assert resolve_backend(IndexSettings(embed_backend=explicit), recorded="torch") == explicit


def test_a_new_collection_is_built_with_onnx_int8(settings):
    assert settings.index.embed_backend == "auto"
    store = open_store(settings, for_writing=True)
    assert store.index_settings.embed_backend == "onnx-int8"
    assert store.chunks.metadata["rag_embed_backend"] == "onnx-int8"
    explicit = with_index(settings, embed_backend="onnx-int8")
    assert store.chunks.metadata["rag_fingerprint"] == Fingerprint.from_settings(explicit).digest


def test_an_existing_torch_collection_keeps_torch_under_auto(settings):
    torch_settings = with_index(settings, embed_backend="torch")
    Ingestor(open_store(torch_settings, for_writing=True), HashEmbedder(), torch_settings.index).ingest([SEEDS])
    for purpose in ({"for_querying": True}, {"for_writing": True}):
        store = open_store(settings, **purpose)  # auto: no FingerprintMismatch
        assert store.index_settings.embed_backend == "torch"


def test_a_collection_from_before_the_backend_was_recorded_is_torch(settings):
    torch_settings = with_index(settings, embed_backend="torch")
    store = open_store(torch_settings, for_writing=True)
    legacy = {k: v for k, v in store.chunks.metadata.items() if k not in ("rag_embed_backend", "rag_embed_export")}
    client = connect(settings)
    client.get_collection(store.name).modify(metadata=legacy)
    assert "rag_embed_backend" not in client.get_collection(store.name).metadata
    assert open_store(settings, for_querying=True).index_settings.embed_backend == "torch"


def test_an_embedder_of_the_other_backend_is_refused(settings):
    """int8 and fp32 vectors never meet in one collection, whoever wires the embedder."""
    store = open_store(settings, for_writing=True)  # onnx-int8
    with pytest.raises(ConfigError, match="embedded with the onnx-int8 backend but this embedder runs torch"):
        Ingestor(store, SentenceTransformerEmbedder(), settings.index)
    with pytest.raises(ConfigError, match="RAG_INDEX__EMBED_BACKEND=onnx-int8"):
        Pipeline(settings, embedder=SentenceTransformerEmbedder())


def test_the_server_keeps_one_embedder_per_backend(settings):
    """Two collections built with different backends, one server: each gets its own model,
    loaded lazily and shared with any other collection of that backend."""
    open_store(with_index(settings, embed_backend="torch"), "old-one", for_writing=True)
    open_store(settings, "new-one", for_writing=True)
    open_store(settings, "new-two", for_writing=True)
    state = AppState(settings)
    old, new, other = (state.pipeline(name).embedder for name in ("old-one", "new-one", "new-two"))
    assert isinstance(old, SentenceTransformerEmbedder) and isinstance(new, OnnxInt8Embedder)
    assert new is other
    assert state.pipeline("old-one").settings.index.embed_backend == "torch"


def test_readiness_with_a_default_collection_this_server_cannot_open(settings):
    """A default collection built with other chunking settings fails the warm-up, but /readyz
    still answers (200, with the warm-up's failure), never a 500."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.support.servers import wait_warm

    other = settings.model_copy(update={"collection": "default", "index": settings.index.model_copy(update={"chunk_size": 500})})
    open_store(other, for_writing=True)
    with TestClient(create_app(settings.model_copy(update={"collection": "default"}))) as client:
        body = wait_warm(client)
        assert body["warm_up"]["status"] == "failed" and "chunk_size" in body["warm_up"]["error"]
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["embedding_dimension"] == 384
