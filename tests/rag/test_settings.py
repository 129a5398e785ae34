from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.data_dir import project_data_dir
from rag.settings import Settings


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    settings = Settings()
    # No .rag here or above (unless the machine has one above the temporary folder): the user's.
    expected = project_data_dir(tmp_path) or tmp_path / "share" / "grounded-rag"
    assert settings.data_dir == expected
    assert settings.chroma_url is None
    assert settings.chroma_dir == expected / "chroma"
    (tmp_path / ".rag").mkdir()
    assert Settings().data_dir == tmp_path / ".rag"
    assert settings.index.embed_model == "all-MiniLM-L6-v2"


def test_environment_with_prefix_and_nested_groups(monkeypatch):
    monkeypatch.setenv("RAG_DATA_DIR", "/tmp/x")
    monkeypatch.setenv("RAG_CHROMA_URL", "http://127.0.0.1:9000/")
    monkeypatch.setenv("RAG_INDEX__CHUNK_SIZE", "600")
    monkeypatch.setenv("RAG_RETRIEVAL__TOP_K", "8")
    settings = Settings()
    assert settings.data_dir == Path("/tmp/x")
    assert settings.chroma_url == "http://127.0.0.1:9000"
    assert settings.index.chunk_size == 600
    assert settings.retrieval.top_k == 8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"chroma_url": "127.0.0.1:8000"}, "must start with http"),
        ({"index": {"chunk_size": 400, "chunk_overlap": 300}}, "less than half of chunk_size"),
        ({"index": {"chunk_size": 10}}, "greater than or equal to 100"),
        ({"index": {"chunk_sise": 500}}, "Extra inputs are not permitted"),
        ({"retrieval": {"top_k": 0}}, "greater than or equal to 1"),
    ],
)
def test_invalid_values_are_refused_with_a_reason(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        Settings(**kwargs)


def test_every_field_is_described():
    def walk(model):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            annotation = field.annotation
            if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
                walk(annotation)

    walk(Settings)
