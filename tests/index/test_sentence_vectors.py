"""Sentence vectors pooled from a chunk's token vectors: made at ingest, stored, read back,
and the same as the answerer would compute for a chunk stored without them."""

from __future__ import annotations

import base64
import dataclasses

import numpy as np
import pytest

from index.ingest import Ingestor
from index.layout import chunk_rows
from index.sentence_vectors import (
    METADATA_KEY,
    SentenceVectorSource,
    TokenEmbeddings,
    decode,
    embed_chunks,
    encode,
    pool,
)
from index.sentences import sentence_spans
from index.store import open_store
from rag.pipeline import Pipeline
from rag.retrieve import Passage
from tests.support.paths import SEEDS

CHUNK = (
    "The pipe bomb was discovered on the morning of January 6. Investigators reviewed hours of "
    "surveillance footage from the area. Cats purr when they are content. The quarterly report "
    "shows revenue grew by twelve percent."
)


def unit_rows(count: int, dimension: int, seed: int = 0) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(count, dimension)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_encode_decode_round_trip_keeps_direction():
    spans = sentence_spans(CHUNK)
    vectors = unit_rows(len(spans), 384)
    decoded = decode(encode(spans, vectors), CHUNK, 384)
    assert decoded is not None and decoded.shape == vectors.shape and decoded.dtype == np.float32
    assert (decoded * vectors).sum(axis=1).min() > 0.999  # int8 with one scale per vector
    assert np.allclose(np.linalg.norm(decoded, axis=1), 1.0, atol=1e-5)


def test_a_chunk_with_no_sentence_round_trips_to_no_rows():
    assert decode(encode([], np.zeros((0, 8), np.float32)), "   ", 8).shape == (0, 8)


@pytest.mark.parametrize(
    "blob",
    [None, "", 17, "not base64 at all!", base64.b64encode(b"\x01\x02").decode(), "é"],
)
def test_missing_or_damaged_blobs_are_ignored(blob):
    assert decode(blob, CHUNK, 384) is None


def test_blobs_for_other_text_format_or_dimension_are_ignored():
    spans = sentence_spans(CHUNK)
    blob = encode(spans, unit_rows(len(spans), 384))
    assert decode(blob, CHUNK.replace("Cats purr", "Cats purr loudly"), 384) is None  # other sentences
    assert decode(blob, CHUNK, 256) is None  # another model's dimension
    payload = bytearray(base64.b64decode(blob))
    payload[0] = 99  # a format this code does not know
    assert decode(base64.b64encode(bytes(payload)).decode(), CHUNK, 384) is None
    assert decode(base64.b64encode(bytes(payload[:-1])).decode(), CHUNK, 384) is None  # truncated


def test_pool_averages_the_tokens_inside_each_span():
    tokens = TokenEmbeddings(
        np.array([[1, 0], [0, 1], [1, 1], [5, 5]], dtype=np.float32),
        np.array([[0, 3], [4, 7], [9, 12], [20, 25]]),
    )
    vectors, empty = pool(tokens, [(0, 7), (9, 12), (13, 18)])
    assert np.allclose(vectors[0], [2 ** -0.5, 2 ** -0.5]) and np.allclose(vectors[1], [2 ** -0.5, 2 ** -0.5])
    assert empty == [2] and not vectors[2].any()


@pytest.mark.slow
def test_pooled_vectors_stand_for_their_own_sentences(real_embedder):
    """The model's chunk vector is unchanged, and each pooled sentence vector is nearest to that
    same sentence encoded alone, among the chunk's sentences."""
    vectors, [(spans, pooled)] = embed_chunks(real_embedder, [CHUNK])
    assert spans == sentence_spans(CHUNK) and pooled.shape == (4, 384)
    assert float(vectors[0] @ real_embedder.embed([CHUNK])[0]) > 0.9999
    alone = real_embedder.embed([CHUNK[s:e] for s, e in spans])
    similarity = pooled @ alone.T
    assert list(similarity.argmax(axis=1)) == [0, 1, 2, 3]
    assert similarity.diagonal().min() > 0.5


@pytest.mark.slow
def test_sentences_past_the_model_window_are_encoded_alone(real_embedder):
    long_chunk = " ".join(f"Sentence number {i} talks about topic {i} at some length here." for i in range(60))
    _, [(spans, pooled)] = embed_chunks(real_embedder, [long_chunk])
    assert len(spans) == 60 and np.allclose(np.linalg.norm(pooled, axis=1), 1.0, atol=1e-5)
    s, e = spans[-1]
    assert float(pooled[-1] @ real_embedder.embed([long_chunk[s:e]])[0]) > 0.9999


def test_ingest_stores_sentence_vectors_for_every_chunk(settings, hash_embedder):
    store = open_store(settings, for_writing=True)
    Ingestor(store, hash_embedder, settings.index).ingest([SEEDS])
    got = store.chunks.get(include=["documents", "metadatas"])
    assert got["ids"]
    for _, text, meta in chunk_rows(got):
        vectors = decode(meta[METADATA_KEY], text, hash_embedder.dimension)
        assert vectors is not None and len(vectors) == len(sentence_spans(text))


class CountingSource(SentenceVectorSource):
    def __init__(self, embedder):
        super().__init__(embedder)
        self.pooled_now = 0

    def __call__(self, passages):
        self.pooled_now += sum(decode(p.sentence_vectors, p.text, self.embedder.dimension) is None for p in passages)
        return super().__call__(passages)


@pytest.mark.slow
def test_answers_read_stored_vectors_and_match_vectors_pooled_on_demand(tmp_path, real_embedder):
    """The answerer encodes no sentence of a passage that carries its vectors; without them
    (an older collection, a damaged blob) it pools them itself, and the features agree."""
    from rag.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="sentences", index={"embed_backend": "torch"})
    Ingestor(open_store(settings, for_writing=True), real_embedder, settings.index).ingest([SEEDS])
    pipeline = Pipeline(settings, embedder=real_embedder)
    source = CountingSource(real_embedder)
    pipeline.answerer.passage_sentence_vectors = source
    question = "How old was the fire chief who was killed?"
    vector = real_embedder.embed([question])[0]
    passages = pipeline.retriever.retrieve(question, 5, query_vector=vector)
    assert all(p.sentence_vectors for p in passages)
    stored = source(passages)
    assert source.pooled_now == 0
    stripped = [dataclasses.replace(p, sentence_vectors=None) for p in passages]
    damaged = [dataclasses.replace(p, sentence_vectors=p.sentence_vectors[:-8]) for p in passages]
    for variant in (stripped, damaged):
        fresh = SentenceVectorSource(real_embedder)(variant)
        for a, b in zip(stored, fresh):
            assert a.shape == b.shape and (a * b).sum(axis=1).min() > 0.999
    answer = pipeline.ask(question)
    assert not answer.abstained and "50" in answer.answer
    assert "sentence_vectors" not in answer.model_dump_json()


def test_passages_without_stored_vectors_are_pooled_once_and_cached(hash_embedder):
    source = SentenceVectorSource(hash_embedder)
    passage = Passage("c", "d", "s.txt", "s", None, 0, len(CHUNK), CHUNK, 1.0)
    calls = []
    original = hash_embedder.embed_with_tokens
    hash_embedder.embed_with_tokens = lambda texts: calls.append(list(texts)) or original(texts)
    first, second = source([passage, passage]), source([passage])
    assert calls == [[CHUNK]]
    assert np.array_equal(first[0], second[0]) and first[0].shape == (4, hash_embedder.dimension)


@pytest.mark.slow
def test_a_model_without_character_offsets_encodes_each_sentence_alone(real_embedder, monkeypatch):
    """A slow tokenizer gives no offsets: every sentence falls back to being encoded on its own."""
    monkeypatch.setattr(type(real_embedder.model.tokenizer), "is_fast", property(lambda self: False))
    vectors, [(spans, pooled)] = embed_chunks(real_embedder, [CHUNK])
    alone = real_embedder.embed([CHUNK[s:e] for s, e in spans])
    assert np.allclose(pooled, alone, atol=1e-5)
    assert float(vectors[0] @ real_embedder.embed([CHUNK])[0]) > 0.9999


def test_storing_sentence_vectors_can_be_turned_off(settings, hash_embedder):
    """Off: chunks carry no blob (a smaller data directory); the answerer pools them on demand."""
    index = settings.index.model_copy(update={"store_sentence_vectors": False})
    store = open_store(settings, for_writing=True)
    Ingestor(store, hash_embedder, index).ingest([SEEDS])
    rows = list(chunk_rows(store.chunks.get(include=["documents", "metadatas"])))
    assert rows and all(METADATA_KEY not in meta for _, _, meta in rows)
    passages = [Passage(i, "d", "s", "t", None, 0, len(text), text, 1.0) for i, text, _ in rows]
    pooled = SentenceVectorSource(hash_embedder)(passages)
    assert [len(vectors) for vectors in pooled] == [len(sentence_spans(text)) for _, text, _ in rows]


def test_pool_matches_averaging_each_span_on_its_own():
    """The pooling gives what averaging each span's tokens one span at a time gives,
    with spans that hold no token, tokens straddling a span's edge, empty tokens, gaps between
    spans, overlapping spans and tokens out of text order."""
    rng = np.random.default_rng(3)
    for case in range(200):
        count = int(rng.integers(0, 30))
        starts = np.sort(rng.integers(0, 200, count))
        ends = starts + rng.integers(0, 8, count)  # some empty tokens (end == start)
        tokens = TokenEmbeddings(rng.normal(size=(count, 8)).astype(np.float32), np.stack([starts, ends], axis=1).reshape(count, 2))
        cuts = np.sort(rng.choice(np.arange(1, 210), size=int(rng.integers(1, 8)), replace=False))
        spans = [(int(a), int(b)) for a, b in zip(np.r_[0, cuts[:-1]], cuts)]
        if case % 4 == 1:  # gaps between spans
            spans = [(a + int(rng.integers(0, 3)), max(a + 1, b - int(rng.integers(0, 3)))) for a, b in spans]
        elif case % 4 == 2:  # overlapping spans
            spans = [(a, b + int(rng.integers(0, 20))) for a, b in spans]
        elif case % 4 == 3 and count > 1:  # tokens out of text order
            order = rng.permutation(count)
            tokens = TokenEmbeddings(tokens.vectors[order], tokens.offsets[order])
            starts, ends = tokens.offsets[:, 0], tokens.offsets[:, 1]
        vectors, empty = pool(tokens, spans)
        for row, (start, end) in enumerate(spans):
            inside = (starts >= start) & (ends <= end) & (ends > starts)
            if not inside.any():
                assert row in empty and not vectors[row].any()
                continue
            mean = tokens.vectors[inside].mean(axis=0)
            assert row not in empty
            assert np.allclose(vectors[row], mean / np.linalg.norm(mean), atol=1e-5)
        assert vectors.dtype == np.float32 and vectors.shape == (len(spans), 8)
