import numpy as np
import pytest

from index.embedding import SentenceTransformerEmbedder, canonical_model_name
from rag.errors import ConfigError
from tests.support.embedders import HashEmbedder


def test_bundled_model_gives_normalised_384_dim_vectors(real_embedder):
    vectors = real_embedder.embed(["The pipe bomb was found.", "A pipe bomb was discovered.", "Cats purr."])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert real_embedder.embed([]).shape == (0, 384)


def test_model_aliases_share_one_name():
    assert canonical_model_name("sentence-transformers/all-MiniLM-L6-v2") == "all-MiniLM-L6-v2"
    assert canonical_model_name("/models/mine") == "/models/mine"


def test_missing_model_folder_is_a_clear_error(tmp_path):
    embedder = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(ConfigError, match="does not exist.*RAG_INDEX__EMBED_MODEL"):
        embedder.embed(["x"])


def test_hash_embedder_is_deterministic_and_normalised():
    a, b = HashEmbedder(32).embed(["same words here"]), HashEmbedder(32).embed(["same words here"])
    assert np.array_equal(a, b) and np.isclose(np.linalg.norm(a), 1.0)
