"""Questions while a folder is ingested: 200 questions over real HTTP from 4 clients while
documents are being written; none fails, and every answer cites only documents that were
fully stored (their registry record, the commit marker, written) before it was given.

The ingest is slowed at the worst moment, between a batch's chunks and its registry records,
so that chunks of uncommitted documents sit in the index while questions about them arrive.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from api.app import create_app
from index.ingest import Ingestor
from index.store import open_store
from rag.settings import Settings
from tests.support.paths import SEEDS
from tests.support.servers import UvicornThread

DOCS = 20
QUESTIONS = 200
COLOURS = ["red", "green", "blue", "white", "black", "yellow"]


def make_folder(folder):
    folder.mkdir()
    filler = [p for p in next(SEEDS.glob("*.txt")).read_text(encoding="utf-8").split("\n\n") if len(p) > 200]
    for i in range(DOCS):
        rng = random.Random(i)
        fact = f"Lighthouse number {i} was painted {COLOURS[i % len(COLOURS)]} in {1900 + i}."
        body = "\n\n".join([fact, *rng.sample(filler, 2)])
        (folder / f"lighthouse{i:02d}.txt").write_text(f"Lighthouse {i} log\n\n{body}\n", encoding="utf-8")


class SlowCommits:
    """The registry of a store, with each commit held back until a few more answers were
    given (so questions and writes interleave however fast either is), and its start time
    recorded."""

    def __init__(self, registry, answered, answers_per_commit: int = 4):
        self._registry, self._answered, self._step = registry, answered, answers_per_commit
        self.started: dict[str, float] = {}

    def __getattr__(self, name):
        return getattr(self._registry, name)

    def upsert(self, ids, **kwargs):
        # Chunks are written, records not yet: the window under test.
        wanted = self._answered() + self._step
        deadline = time.monotonic() + 10
        while self._answered() < wanted and time.monotonic() < deadline:
            time.sleep(0.02)
        now = time.monotonic()
        for doc_id in ids:
            self.started.setdefault(doc_id, now)
        return self._registry.upsert(ids=ids, **kwargs)


@pytest.mark.slow
def test_questions_during_an_ingest_never_fail_or_cite_half_written_documents(tmp_path, real_embedder):
    folder = tmp_path / "lighthouses"
    make_folder(folder)
    settings = Settings(
        data_dir=tmp_path / "data", chroma_url=None, collection="default",
        index={"embed_backend": "torch", "write_batch_size": 1}, api={"rate_limit_per_minute": 0},
    )
    Ingestor(open_store(settings, for_writing=True), real_embedder, settings.index).ingest([SEEDS])
    store = open_store(settings, for_writing=True)
    results: list[tuple[float, int, dict]] = []
    commits = SlowCommits(store.registry, answered=lambda: len(results))
    store.registry = commits
    ingest_done = threading.Event()

    def ingest():
        try:
            Ingestor(store, real_embedder, settings.index).ingest([folder])
        finally:
            ingest_done.set()

    with UvicornThread(create_app(settings, real_embedder)) as server:

        def ask(k: int):
            i = k % DOCS
            response = httpx.post(f"{server.url}/v1/ask", json={"question": f"When was lighthouse number {i} painted?"}, timeout=120)
            results.append((time.monotonic(), response.status_code, response.json()))

        ingester = threading.Thread(target=ingest)
        ingester.start()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(ask, range(QUESTIONS)))
        ingester.join(300)
        assert ingest_done.is_set()
        documents = {d["id"]: d for d in httpx.get(f"{server.url}/v1/documents", timeout=30).json()}
        texts = {doc_id: httpx.get(f"{server.url}/v1/documents/{doc_id}", timeout=30).json()["text"] for doc_id in documents}

    assert [status for _, status, _ in results] == [200] * QUESTIONS, "no question fails"
    assert len(documents) == DOCS + 1, "every document is stored"
    during = [r for r in results if r[0] < max(commits.started.values())]
    assert len(during) >= 40, f"only {len(during)} answers came while the ingest was writing"
    cited_during = 0
    for answered_at, _, answer in results:
        for citation in answer["citations"]:
            doc_id = citation["document_id"]
            text = texts[doc_id]
            assert text[citation["start_char"] : citation["end_char"]] == citation["quote"]
            if doc_id in commits.started:  # one of the folder's documents
                assert commits.started[doc_id] < answered_at, f"{citation['source']} was cited before it was committed"
                cited_during += answered_at < max(commits.started.values())
    assert cited_during >= 5, "some answers cited documents of the folder while it was being ingested"
