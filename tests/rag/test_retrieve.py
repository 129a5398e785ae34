"""Retrieval contract, on embedded and server Chroma."""

from __future__ import annotations

import pytest

from index.chunking import chunk_text
from index.ingest import Ingestor
from index.layout import chunk_rows
from index.readers import Document, text_sha256
from index.store import open_store
from rag.errors import InvalidInput
from rag.retrieve import Filters, Retriever


def write(folder, name, text):
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    write(folder, "bomb.txt", "date 2021-01-06\n\nThe pipe bomb was found near the DNC at 1:05 p.m. by an officer.")
    write(folder, "rally.txt", "date 2024-07-13\n\nThe rally in Butler, Pennsylvania ended when a gunman fired from a roof.")
    write(folder, "weather.md", "# Weather\n\nIt rained all week in Seattle and the rivers rose.")
    return folder


def ingest(settings, embedder, *paths):
    return Ingestor(open_store(settings, for_writing=True), embedder, settings.index).ingest(list(paths))


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_modes_find_the_right_document(store_settings, docs, real_embedder, mode):
    ingest(store_settings, real_embedder, docs)
    retriever = Retriever(open_store(store_settings, for_querying=True), real_embedder)
    hits = retriever.retrieve("Where was the pipe bomb found?", 2, mode=mode)
    assert hits[0].source.endswith("bomb.txt")
    assert hits[0].text in (docs / "bomb.txt").read_text(encoding="utf-8")
    assert [h.rank for h in hits] == list(range(len(hits)))


def test_bm25_mirror_follows_adds_updates_and_removals(store_settings, docs, hash_embedder):
    ingest(store_settings, hash_embedder, docs)
    retriever = Retriever(open_store(store_settings, for_querying=True), hash_embedder)
    assert retriever.retrieve("gunman roof", 1, mode="bm25")[0].source.endswith("rally.txt")
    indexed = len(retriever.bm25)

    write(docs, "rally.txt", "The rally was calm and nothing happened.")
    write(docs, "new.txt", "A gunman climbed a roof in a new story.")
    ingest(store_settings, hash_embedder, docs)
    hits = retriever.retrieve("gunman roof", 3, mode="bm25")
    assert [h.source.rsplit("/", 1)[-1] for h in hits] == ["new.txt"]
    assert len(retriever.bm25) == indexed + 1

    from index.commands import run_remove

    run_remove(store_settings, str(docs / "new.txt"))
    assert retriever.retrieve("gunman roof", 3, mode="bm25") == []


def test_sync_is_incremental(store_settings, docs, hash_embedder, monkeypatch):
    ingest(store_settings, hash_embedder, docs)
    retriever = Retriever(open_store(store_settings, for_querying=True), hash_embedder)
    retriever.retrieve("rain", 1)
    loaded = []
    original = retriever._load
    monkeypatch.setattr(retriever, "_load", lambda ids, committed: loaded.append(list(ids)) or original(ids, committed))
    retriever.retrieve("rain", 1)
    assert loaded == []  # nothing changed: nothing reloaded
    write(docs, "weather.md", "# Weather\n\nSunny now.")
    ingest(store_settings, hash_embedder, docs)
    retriever.retrieve("sunny", 1)
    assert len(loaded) == 1 and len(loaded[0]) == 1  # only the changed document


def test_filters_by_source_and_date(store_settings, docs, real_embedder):
    ingest(store_settings, real_embedder, docs)
    retriever = Retriever(open_store(store_settings, for_querying=True), real_embedder)
    bomb = str(docs / "bomb.txt")
    for mode in ("hybrid", "dense", "bm25"):
        only = retriever.retrieve("gunman on a roof", 3, Filters(sources=(bomb,)), mode=mode)
        assert {h.source for h in only} <= {bomb}
        dated = retriever.retrieve("pipe bomb", 3, Filters(date_from="2024-01-01"), mode=mode)
        assert all(h.date and h.date >= "2024-01-01" for h in dated)
        upto = retriever.retrieve("rally", 3, Filters(date_to="2022-12-31"), mode=mode)
        assert all(h.date and h.date <= "2022-12-31" for h in upto)


def test_bad_date_filter_is_refused():
    with pytest.raises(InvalidInput, match="date_from must be a date"):
        Filters(date_from="yesterday")


def test_half_written_documents_are_never_returned(store_settings, docs, real_embedder):
    ingest(store_settings, real_embedder, docs / "weather.md")
    store = open_store(store_settings, for_querying=True)
    text = "Secret plans about the pipe bomb were half written."
    document = Document("halfwritten00001", "/x/half.txt", "Half", None, text_sha256(text), text)
    chunks = chunk_text(text, 800, 150)
    # Chunks are stored but the registry record (the commit marker) is not: as after a crash.
    store.chunks.upsert(
        ids=[f"{document.id}:0"], embeddings=real_embedder.embed([chunks[0].text]), documents=[chunks[0].text],
        metadatas=[{"document_id": document.id, "source": document.source, "title": "Half",
                    "doc_sha256": document.sha256, "chunk_index": 0, "start_char": 0, "end_char": len(text)}],
    )
    retriever = Retriever(store, real_embedder)
    for mode in ("hybrid", "dense", "bm25"):
        assert all(h.document_id != document.id for h in retriever.retrieve("pipe bomb plans", 5, mode=mode))


def test_a_chunk_rewritten_after_the_last_sync_is_never_returned(store_settings, docs, real_embedder):
    # As while another process rewrites a document: its new chunks are stored, its registry
    # record (the commit) is not written yet. Text and metadata are fetched only for the chunks
    # fusion keeps, so the check that they are the committed version happens there.
    ingest(store_settings, real_embedder, docs)
    store = open_store(store_settings, for_querying=True)
    retriever = Retriever(store, real_embedder)
    assert retriever.retrieve("pipe bomb", 1)[0].source.endswith("bomb.txt")
    old = store.chunks.get(where={"source": str(docs / "bomb.txt")}, include=["documents", "metadatas"])
    text = "Rewritten: the pipe bomb story, not committed yet."
    store.chunks.delete(ids=old["ids"])
    store.chunks.add(
        ids=old["ids"], embeddings=real_embedder.embed([text] * len(old["ids"])), documents=[text] * len(old["ids"]),
        metadatas=[{**meta, "doc_sha256": text_sha256(text)} for _, _, meta in chunk_rows(old)],
    )
    for mode in ("hybrid", "dense", "bm25"):
        hits = retriever.retrieve("pipe bomb story", 3, mode=mode)
        assert all(not h.source.endswith("bomb.txt") for h in hits)
        assert all(h.text in (docs / h.source.rsplit("/", 1)[-1]).read_text(encoding="utf-8") for h in hits)
        if mode == "dense":
            assert len(hits) == 2  # the next ones fill in: the two committed documents


def test_the_same_corpus_ranks_the_same_in_another_folder(tmp_path, real_embedder):
    """Chunk ids hash the file's path, so ties (equal BM25 scores, equal fused ranks: 2 and 5
    against 5 and 2) went by where the corpus lay: two fresh evaluation folders retrieved
    different top 5s for 37 of 200 CLAPNQ dev questions."""
    import shutil
    from pathlib import Path

    from rag.settings import Settings

    corpus = Path(__file__).resolve().parents[2] / "eval" / "transfer" / "corpus"
    questions = ["Who is the facilities contact?", "When is the kitchen cleaned?", "How often should I descale?",
                 "Who built the first bicycle?", "Where is the parking garage?", "What is the tank's capacity?",
                 "When does the front door open?", "Who invented the pneumatic tyre?"]
    rankings = []
    for name in ("first", "second place"):
        folder = tmp_path / name / "notes"
        shutil.copytree(corpus, folder)
        settings = Settings(data_dir=tmp_path / name / "data", chroma_url=None, index={"embed_backend": "torch"})
        ingest(settings, real_embedder, folder)
        retriever = Retriever(open_store(settings, for_querying=True), real_embedder)
        rankings.append({(q, mode): [(Path(p.source).name, p.start_char) for p in retriever.retrieve(q, 5, mode=mode)]
                         for q in questions for mode in ("hybrid", "bm25", "dense")})
    assert rankings[0] == rankings[1]


def test_a_documents_opening_is_read_for_its_later_passages(store_settings, tmp_path, hash_embedder):
    """`openings` brings the chunk a retrieved document starts with (where a paper names its
    authors), ranked after the passages, once a document, and nothing for a document whose
    opening is among them already."""
    folder = tmp_path / "docs"
    folder.mkdir()
    paper = "Canopy and heat\n\nInes Marchetti and Tomasz Wrobel\n\n" + "Trees cool the street at night. " * 200
    write(folder, "paper.txt", paper)
    write(folder, "note.txt", "A short note about rivers.")
    store_settings.index.chunk_size = 400
    ingest(store_settings, hash_embedder, folder)
    retriever = Retriever(open_store(store_settings, for_querying=True), hash_embedder)
    later = [p for p in retriever.retrieve("Trees cool the street at night", 10, mode="bm25") if p.start_char > 0][:2]
    assert later and all(p.source.endswith("paper.txt") for p in later)
    openings = retriever.openings(later)
    assert [(p.start_char, p.rank) for p in openings] == [(0, len(later))]
    assert openings[0].text.startswith("Canopy and heat") and paper.startswith(openings[0].text)
    assert retriever.openings(later + openings) == []
