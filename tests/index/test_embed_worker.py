"""The embedding worker process: large ingests embed in a child process while this one writes.

What it stores must be exactly what an ingest in one process stores; anything wrong with the
worker must leave a complete ingest behind (embedded here instead), and the worker must never
outlive the ingest.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import index.embed_worker as embed_worker
from index.embed_worker import AUTO_MIN_BYTES, Embedding, EmbeddingWorker, WorkerFailed, _wanted
from index.embedding import embedder_from_settings
from index.ingest import Ingestor
from index.layout import chunk_rows
from index.store import open_store
from rag.settings import IndexSettings, Settings
from tests.support.embedders import HashEmbedder
from tests.support.paths import SEEDS


def _corpus(folder: Path, files: int = 12) -> Path:
    folder.mkdir()
    seed = next(p for p in SEEDS.iterdir() if p.is_file()).read_text(encoding="utf-8")
    for i in range(files):
        # distinct documents of a few chunks each, from the seed article's sentences
        (folder / f"doc{i:02d}.txt").write_text(f"Part {i}.\n\n" + seed[i * 400:i * 400 + 2500], encoding="utf-8")
    return folder


def _stored(settings: Settings) -> dict[str, tuple[np.ndarray, dict]]:
    store = open_store(settings)
    got = store.chunks.get(include=["embeddings", "metadatas", "documents"])
    vectors = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
    return {chunk: (vectors[chunk], meta) for chunk, _text, meta in chunk_rows(got)}


class _Spy:
    """Counts batches the worker gave back, in this process."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.results = 0
        self.workers: list[EmbeddingWorker] = []
        real_result, real_init = EmbeddingWorker.result, EmbeddingWorker.__init__

        def result(worker, ticket):
            out = real_result(worker, ticket)
            self.results += 1
            return out

        def init(worker, *args, **kwargs):
            real_init(worker, *args, **kwargs)
            self.workers.append(worker)

        monkeypatch.setattr(EmbeddingWorker, "result", result)
        monkeypatch.setattr(EmbeddingWorker, "__init__", init)


def _settings(tmp_path: Path, name: str, worker: str, **index) -> Settings:
    return Settings(
        data_dir=tmp_path / name, chroma_url=None, collection="test",
        index={"embed_backend": "onnx-int8", "embed_worker": worker, "write_batch_size": 8, **index},
    )


def test_a_worker_stores_exactly_what_one_process_stores(tmp_path, monkeypatch):
    """The real int8 model in a real child process: the same vectors, texts and sentence vectors."""
    folder = _corpus(tmp_path / "docs")
    spy = _Spy(monkeypatch)
    stored = {}
    for worker in ("on", "off"):
        settings = _settings(tmp_path, worker, worker)
        embedder = embedder_from_settings(settings.index)
        report = Ingestor(open_store(settings, for_writing=True), embedder, settings.index).ingest([folder])
        assert report.chunks > 24 and not report.skipped
        stored[worker] = _stored(settings)
    assert spy.results >= 3  # batches of 8 chunks: all but the first came from the worker
    assert spy.workers and not any(w._process.is_alive() for w in spy.workers)
    assert stored["on"].keys() == stored["off"].keys()
    for chunk, (vector, meta) in stored["on"].items():
        other_vector, other_meta = stored["off"][chunk]
        assert np.array_equal(vector, other_vector), chunk
        assert meta == other_meta, chunk  # text, offsets and the sentence-vector blob alike


def test_auto_starts_a_worker_only_for_large_inputs_and_models_that_can_move():
    embedder = HashEmbedder()
    assert not _wanted("auto", embedder, lambda: AUTO_MIN_BYTES - 1)
    assert _wanted("auto", embedder, lambda: AUTO_MIN_BYTES)
    assert _wanted("on", embedder, lambda: 10) and not _wanted("off", embedder, lambda: 10 * AUTO_MIN_BYTES)

    class Fixed(HashEmbedder):
        runs_in_worker = False  # e.g. one that holds what a child process cannot be given

    assert not _wanted("on", Fixed(), lambda: 10 * AUTO_MIN_BYTES)


def test_no_worker_by_default_nor_for_a_small_ingest_in_auto(settings, tmp_path, hash_embedder, monkeypatch):
    spy = _Spy(monkeypatch)
    folder = _corpus(tmp_path / "docs")
    assert IndexSettings().embed_worker == "off"
    for mode in ("off", "auto"):  # the corpus is far below AUTO_MIN_BYTES
        index = settings.index.model_copy(update={"embed_worker": mode})
        Ingestor(open_store(settings.model_copy(update={"collection": mode}), for_writing=True), hash_embedder, index).ingest([folder])
    assert spy.workers == []
    monkeypatch.setattr(embed_worker, "AUTO_MIN_BYTES", 1000)
    index = settings.index.model_copy(update={"embed_worker": "auto", "write_batch_size": 8})
    report = Ingestor(open_store(settings.model_copy(update={"collection": "big"}), for_writing=True), hash_embedder, index).ingest([folder])
    assert len(spy.workers) == 1 and spy.results >= 3 and len(report.added) == 12


class _DiesInAChild(HashEmbedder):
    """Embeds in the process that made it; in any other, the process dies (or, with `hang`, never
    answers) on the batch holding `marker`: a model that crashes or wedges the worker mid-ingest."""

    def __init__(self, marker: str, hang: bool = False):
        super().__init__()
        self.home, self.marker, self.hang = os.getpid(), marker, hang

    def embed_with_tokens(self, texts):
        if os.getpid() != self.home and any(self.marker in text for text in texts):
            if self.hang:
                import time

                time.sleep(3600)
            os._exit(3)
        return super().embed_with_tokens(texts)


@pytest.mark.parametrize("hang", [False, True], ids=["dies", "hangs"])
def test_a_worker_that_dies_or_hangs_mid_ingest_leaves_a_complete_ingest(tmp_path, monkeypatch, caplog, hang):
    folder = _corpus(tmp_path / "docs")
    spy = _Spy(monkeypatch)
    monkeypatch.setattr(embed_worker, "_WAIT_BASE_S", 3.0)
    monkeypatch.setattr(embed_worker, "_WAIT_PER_TEXT_S", 0.0)
    caplog.set_level(logging.WARNING, logger="index.embed_worker")
    stored = {}
    for worker in ("on", "off"):
        settings = _settings(tmp_path, worker, worker, embed_backend="torch")
        embedder = _DiesInAChild("Part 7.", hang=hang)
        report = Ingestor(open_store(settings, for_writing=True), embedder, settings.index).ingest([folder])
        assert len(report.added) == 12 and not report.skipped
        stored[worker] = _stored(settings)
    assert len(spy.workers) == 1 and 1 <= spy.results and not spy.workers[0]._process.is_alive()
    assert ("no answer within 3 s" if hang else "exited with code 3") in caplog.text
    assert "embedding the rest of this ingest in this process" in caplog.text
    assert stored["on"].keys() == stored["off"].keys()
    assert all(np.array_equal(stored["on"][c][0], stored["off"][c][0]) and stored["on"][c][1] == stored["off"][c][1] for c in stored["on"])


class _FailsInAChild(HashEmbedder):
    """Embeds in the process that made it, raises in any other: a model that breaks in the worker."""

    def __init__(self):
        super().__init__()
        self.home = os.getpid()

    def embed_with_tokens(self, texts):
        if os.getpid() != self.home:
            raise RuntimeError("no such file: model.onnx")
        return super().embed_with_tokens(texts)


def test_an_error_in_the_worker_is_logged_and_the_batch_embedded_here(tmp_path, caplog):
    folder = _corpus(tmp_path / "docs")
    caplog.set_level(logging.WARNING, logger="index.embed_worker")
    settings = _settings(tmp_path, "data", "on", embed_backend="torch")
    report = Ingestor(open_store(settings, for_writing=True), _FailsInAChild(), settings.index).ingest([folder])
    assert len(report.added) == 12 and report.chunks == len(_stored(settings))
    assert "RuntimeError: no such file: model.onnx" in caplog.text


def test_a_failed_write_stops_the_worker(tmp_path, monkeypatch):
    folder = _corpus(tmp_path / "docs")
    spy = _Spy(monkeypatch)
    settings = _settings(tmp_path, "data", "on", embed_backend="torch")
    store = open_store(settings, for_writing=True)
    writes = []
    real_replace = store.replace_documents

    def failing_replace(*args, **kwargs):
        writes.append(1)
        if len(writes) == 2:
            raise OSError("disk full")
        return real_replace(*args, **kwargs)

    monkeypatch.setattr(store, "replace_documents", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        Ingestor(store, HashEmbedder(), settings.index).ingest([folder])
    assert len(spy.workers) == 1 and not spy.workers[0]._process.is_alive()


def test_tickets_come_back_in_order_and_a_closed_worker_refuses_work():
    worker = EmbeddingWorker(HashEmbedder(), with_sentences=True)
    try:
        first, second = worker.submit(["one two. three."]), worker.submit(["four five."])
        with pytest.raises(ValueError, match="out of order"):
            worker.result(second)
        vectors, blobs = worker.result(first)
        assert vectors.shape == (1, 64) and len(blobs) == 1
        assert np.allclose(worker.result(second)[0], HashEmbedder().embed(["four five."]))
    finally:
        worker.close()
    assert not worker._process.is_alive()
    with pytest.raises(WorkerFailed):
        worker.submit(["six"])
    worker.close()  # idempotent


def test_closing_a_worker_that_is_still_starting_stops_it_at_once():
    import time

    started = time.monotonic()
    worker = EmbeddingWorker(HashEmbedder(), with_sentences=True)
    worker.close()
    assert not worker._process.is_alive() and time.monotonic() - started < 5


def test_an_ingest_with_nothing_to_embed_starts_no_worker(tmp_path, monkeypatch):
    folder = _corpus(tmp_path / "docs")
    settings = _settings(tmp_path, "data", "on", embed_backend="torch")
    Ingestor(open_store(settings, for_writing=True), HashEmbedder(), settings.index).ingest([folder])
    spy = _Spy(monkeypatch)
    report = Ingestor(open_store(settings, for_writing=True), HashEmbedder(), settings.index).ingest([folder])
    assert len(report.unchanged) == 12 and spy.workers == []


def test_embedding_keeps_the_first_batch_here_and_sends_the_rest(monkeypatch):
    sent = []
    monkeypatch.setattr(EmbeddingWorker, "submit", lambda worker, texts: sent.append(list(texts)) or len(sent) - 1)
    with Embedding(HashEmbedder(), IndexSettings(embed_worker="on"), lambda: 0) as embedding:
        assert embedding.ahead == 0 and embedding.worker is None  # started by the first batch
        first = embedding.submit(["alpha beta."])
        assert embedding.ahead == 1 and embedding.worker is not None
        embedding.submit(["gamma."])
        assert sent == [["gamma."]]
        vectors, blobs = first()
        assert vectors.shape == (1, 64) and blobs is not None
    assert embedding.ahead == 0 and embedding.worker is None


@pytest.mark.slow
def test_the_rag_command_ingests_through_a_worker(tmp_path):
    """`rag ingest` as a user runs it: the console script spawns the worker (which imports the
    script as its main module) and the ingest ends cleanly, with nothing on stderr but progress."""
    folder = _corpus(tmp_path / "docs")
    rag = Path(sys.executable).with_name("rag")
    command = [str(rag)] if rag.exists() else [sys.executable, "-m", "rag"]
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), "RAG_INDEX__EMBED_WORKER": "on",
           "RAG_INDEX__WRITE_BATCH_SIZE": "8"}
    done = subprocess.run([*command, "ingest", str(folder), "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "warning" not in done.stderr.lower()
    assert '"chunks"' in done.stdout
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None)
    assert len(open_store(settings).records()) == 12
