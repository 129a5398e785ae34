"""One contract for ingestion and storage, run against embedded Chroma and a real
`chroma run` server (the `store_settings` fixture gives both)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from index.client import connect
from index.fingerprint import Fingerprint
from index.ingest import Ingestor
from index.layout import CHUNK_TEXT_KEY, PACKED_KEY, chunk_rows
from index.sentence_vectors import METADATA_KEY as SENTENCE_VECTORS_KEY
from index.store import ChunkStore, open_store
from rag.errors import FingerprintMismatch, UnknownCollection
from rag.retrieve import Retriever
from rag.settings import Settings
from tests.support.index_snapshots import snapshot
from tests.support.paths import SEEDS


class CountingEmbedder:
    """Wraps a real embedder and counts what it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.texts_embedded = 0

    @property
    def name(self):
        return self.inner.name

    @property
    def dimension(self):
        return self.inner.dimension

    def embed(self, texts):
        self.texts_embedded += len(texts)
        return self.inner.embed(texts)

    def embed_with_tokens(self, texts):
        self.texts_embedded += len(texts)
        return self.inner.embed_with_tokens(texts)


def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), folder / "seed.txt")
    (folder / "alpha.md").write_text("# Alpha\n\nAlpha beta gamma. " * 30, encoding="utf-8")
    (folder / "beta.txt").write_text("Beta delta epsilon.\r\n" * 60, encoding="utf-8")
    return folder


def ingestor(settings: Settings, embedder) -> Ingestor:
    return Ingestor(open_store(settings, for_writing=True), embedder, settings.index)


def test_chunks_carry_offsets_into_the_stored_text(store_settings, tmp_path, hash_embedder):
    folder = corpus(tmp_path)
    report = ingestor(store_settings, hash_embedder).ingest([folder])
    assert len(report.added) == 3 and report.chunks > 3 and not report.skipped
    store = open_store(store_settings)
    got = store.chunks.get(include=["documents", "metadatas"])
    assert len(got["ids"]) == report.chunks == store.count_chunks()
    texts = {r.id: store.document_text(r.id) for r in store.records()}
    for _, text, meta in chunk_rows(got):
        assert texts[meta["document_id"]][meta["start_char"] : meta["end_char"]] == text
        assert meta["doc_sha256"] and meta["source"] and meta["title"]
    seed = next(r for r in store.records() if r.source.endswith("seed.txt"))
    assert seed.date == "2024-07-20"
    assert texts[seed.id] == (folder / "seed.txt").read_text(encoding="utf-8")


def test_real_model_vectors_find_the_right_chunk(store_settings, tmp_path, real_embedder):
    ingestor(store_settings, real_embedder).ingest([corpus(tmp_path)])
    store = open_store(store_settings)
    query = real_embedder.embed(["Who reviewed the inspector general report before it was sent to Mayorkas?"])
    hits = store.chunks.query(query_embeddings=query, n_results=2, include=["documents", "metadatas"])
    first = {key: hits[key][0] for key in ("ids", "documents", "metadatas")}
    assert "Kimberly Cheatle" in " ".join(text for _, text, _ in chunk_rows(first))


def test_reingest_of_unchanged_files_embeds_nothing(store_settings, tmp_path, real_embedder):
    folder = corpus(tmp_path)
    counting = CountingEmbedder(real_embedder)
    first = ingestor(store_settings, counting).ingest([folder])
    before = snapshot(open_store(store_settings))
    counting.texts_embedded = 0
    second = ingestor(store_settings, counting).ingest([folder])
    assert counting.texts_embedded == 0
    assert sorted(second.unchanged) == sorted(first.added) and second.chunks == 0
    assert snapshot(open_store(store_settings)) == before


def test_changed_file_replaces_its_chunks(store_settings, tmp_path, hash_embedder):
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    (folder / "beta.txt").write_text("Completely new short text.", encoding="utf-8")
    report = ingestor(store_settings, hash_embedder).ingest([folder])
    assert report.updated == [str(folder / "beta.txt")] and len(report.unchanged) == 2
    store = open_store(store_settings)
    record = next(r for r in store.records() if r.source.endswith("beta.txt"))
    got = store.chunks.get(where={"document_id": record.id}, include=["documents", "metadatas"])
    assert [text for _, text, _ in chunk_rows(got)] == ["Completely new short text."] and record.chunks == 1


def test_prune_removes_documents_whose_files_are_gone(store_settings, tmp_path, hash_embedder):
    folder = corpus(tmp_path)
    other = tmp_path / "other.txt"
    other.write_text("Outside the folder.", encoding="utf-8")
    ingestor(store_settings, hash_embedder).ingest([folder, other])
    (folder / "alpha.md").unlink()
    other.unlink()
    kept = ingestor(store_settings, hash_embedder).ingest([folder])
    assert kept.removed == []  # without --prune nothing is removed
    report = ingestor(store_settings, hash_embedder).ingest([folder], prune=True)
    assert report.removed == [str(folder / "alpha.md")]  # other.txt is not under the folder
    store = open_store(store_settings)
    sources = sorted(Path(r.source).name for r in store.records())
    assert sources == ["beta.txt", "other.txt", "seed.txt"]
    alpha_chunks = [m for m in store.chunks.get(include=["metadatas"])["metadatas"] if m["source"].endswith("alpha.md")]
    assert alpha_chunks == []
    assert store.text_document_ids() == {r.id for r in store.records()}  # its text went too


def test_remove_one_document(store_settings, tmp_path, hash_embedder):
    from index.commands import run_remove

    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    record = run_remove(store_settings, str(folder / "seed.txt"))
    store = open_store(store_settings)
    assert store.get_record(record.id) is None
    assert store.chunks.get(where={"document_id": record.id})["ids"] == []
    assert store.document_text(record.id) is None and record.id not in store.text_document_ids()
    assert len(store.records()) == 2


def test_bad_files_are_skipped_and_stored_documents_survive(store_settings, tmp_path, hash_embedder):
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    before = snapshot(open_store(store_settings))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    (folder / "latin1.txt").write_bytes("caf\u00e9".encode("latin-1"))
    (folder / "sheet.xlsx").write_bytes(b"PK")
    (folder / "beta.txt").write_bytes(b"\xff\xfe broken now")  # a stored file turns bad
    report = ingestor(store_settings, hash_embedder).ingest([folder])
    reasons = {Path(s.source).name: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "binary.txt", "latin1.txt", "sheet.xlsx", "beta.txt"}
    assert all(reasons.values())
    assert snapshot(open_store(store_settings)) == before


def test_fingerprint_mismatch_is_refused_and_rebuild_fixes_it(store_settings, tmp_path, hash_embedder):

    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    changed = store_settings.model_copy(
        update={"index": store_settings.index.model_copy(update={"chunk_size": 500})}
    )
    with pytest.raises(FingerprintMismatch, match=r"chunk_size.*--rebuild"):
        open_store(changed, for_writing=True)
    changed_model = store_settings.model_copy(
        update={"index": store_settings.index.model_copy(update={"embed_model": "some/other-model"})}
    )
    with pytest.raises(FingerprintMismatch, match="embed_model"):
        open_store(changed_model, for_writing=True)
    ChunkStore.drop(connect(changed), changed.collection)
    store = open_store(changed, for_writing=True)
    Ingestor(store, hash_embedder, changed.index).ingest([folder])
    assert store.chunks.metadata["rag_chunk_size"] == 500
    assert Fingerprint.from_settings(changed).digest == store.chunks.metadata["rag_fingerprint"]


def test_collections_keep_corpora_apart(store_settings, tmp_path, hash_embedder):
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder / "seed.txt"])
    other = store_settings.model_copy(update={"collection": store_settings.collection + "-b"})
    ingestor(other, hash_embedder).ingest([folder / "alpha.md"])
    assert [Path(r.source).name for r in open_store(store_settings).records()] == ["seed.txt"]
    assert [Path(r.source).name for r in open_store(other).records()] == ["alpha.md"]


def test_unknown_collection_lists_the_known_ones(store_settings, tmp_path, hash_embedder):
    ingestor(store_settings, hash_embedder).ingest([corpus(tmp_path) / "seed.txt"])
    with pytest.raises(UnknownCollection, match=f"Unknown collection 'nwes'.*{store_settings.collection}"):
        open_store(store_settings, "nwes")


def test_threads_opening_a_fresh_embedded_store_at_once_all_succeed(tmp_path):
    """The API's background warm-up and a first request open the store together."""
    import threading

    settings = Settings(data_dir=tmp_path / "fresh", chroma_url=None, index={"embed_backend": "torch"})
    barrier, errors = threading.Barrier(6), []

    def open_it():
        barrier.wait()
        try:
            connect(settings).heartbeat()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def test_collections_with_the_text_as_chroma_document_still_read(store_settings, tmp_path, hash_embedder):
    """Collections written before the chunk text moved into metadata keep it as the Chroma
    document: they are read, searched and cited the same."""
    ingestor(store_settings, hash_embedder).ingest([corpus(tmp_path)])
    store = open_store(store_settings)
    question = "Who reviewed the inspector general report?"
    before = [(p.document_id, p.chunk_id, p.text, p.start_char, p.end_char) for p in Retriever(store, hash_embedder).retrieve(question, 8)]
    got = store.chunks.get(include=["embeddings", "documents", "metadatas"])
    rows = {chunk_id: (text, meta) for chunk_id, text, meta in chunk_rows(got)}
    store.chunks.delete(ids=got["ids"])
    store.chunks.add(  # every key apart, the text as the Chroma document
        ids=got["ids"], embeddings=got["embeddings"], documents=[rows[i][0] for i in got["ids"]],
        metadatas=[rows[i][1] for i in got["ids"]],
    )
    old = open_store(store_settings)
    stored = old.chunks.get(include=["documents", "metadatas"])
    assert all(CHUNK_TEXT_KEY not in m and PACKED_KEY not in m and "start_char" in m for m in stored["metadatas"])
    assert all(stored["documents"])
    after = [(p.document_id, p.chunk_id, p.text, p.start_char, p.end_char) for p in Retriever(old, hash_embedder).retrieve(question, 8)]
    assert after == before and len(before) == 8
    records = {r.id: old.document_text(r.id) for r in old.records()}
    for document_id, _, text, start, end in after:
        assert records[document_id][start:end] == text


def test_reading_ahead_keeps_file_order_and_stops_at_a_failing_file(settings, tmp_path, hash_embedder, monkeypatch):
    """Files are read one batch ahead of the model in a thread: the report keeps file order,
    and an unexpected read failure stops the ingest with that error, after committing every
    batch embedded before it and nothing after."""
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(12):
        (folder / f"f{i:02d}.txt").write_text(f"Document number {i} talks about topic {i}. " * 5, encoding="utf-8")
    index = settings.index.model_copy(update={"write_batch_size": 2})
    report = Ingestor(open_store(settings, for_writing=True), hash_embedder, index).ingest([folder])
    assert report.added == [str(folder / f"f{i:02d}.txt") for i in range(12)]

    import index.ingest as ingest_module

    real_read = ingest_module.read_file

    def failing(path, max_bytes):
        if path.name == "g07.txt":
            raise RuntimeError("disk went away")
        return real_read(path, max_bytes)

    other = tmp_path / "other"
    other.mkdir()
    for i in range(12):
        (other / f"g{i:02d}.txt").write_text(f"Another document {i} about subject {i}. " * 5, encoding="utf-8")
    monkeypatch.setattr(ingest_module, "read_file", failing)
    with pytest.raises(RuntimeError, match="disk went away"):
        Ingestor(open_store(settings, for_writing=True), hash_embedder, index).ingest([other])
    stored = {Path(r.source).name for r in open_store(settings).records() if r.source.startswith(str(other))}
    # One chunk a file, two a batch: the batch holding g06 and g07 never reaches the model.
    assert stored == {f"g{i:02d}.txt" for i in range(6)}


def test_documents_written_with_the_text_in_the_registry_still_read(store_settings, tmp_path, hash_embedder):
    """Collections written before document texts moved to `NAME__texts` keep each text as its
    registry record's Chroma document: citations are checked against it the same, and a changed
    file replaces it."""
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    store = open_store(store_settings)
    records = store.records()
    texts = {r.id: store.document_text(r.id) for r in records}
    store.registry.delete(ids=[r.id for r in records])
    store.registry.add(  # every field its own key, the text as the Chroma document
        ids=[r.id for r in records], embeddings=[[1.0]] * len(records), documents=[texts[r.id] for r in records],
        metadatas=[{"source": r.source, "title": r.title, "sha256": r.sha256, "chunks": r.chunks, **({"date": r.date} if r.date else {})}
                   for r in records],
    )
    store.texts.delete(ids=list(texts))
    old = open_store(store_settings)
    assert old.text_document_ids() == set()
    assert {r.id: old.document_text(r.id) for r in old.records()} == texts
    # records of that layout predate outlines too
    assert sorted(old.records(), key=lambda r: r.id) == sorted((replace(r, outlined=0) for r in records), key=lambda r: r.id)
    (folder / "beta.txt").write_text("Beta changed entirely. " * 40, encoding="utf-8")
    report = ingestor(store_settings, hash_embedder).ingest([folder])
    assert report.updated == [str(folder / "beta.txt")]
    # the unchanged ones were given their outlines, and their texts still read from the old place
    assert sorted(report.refreshed) == sorted(r.source for r in records if not r.source.endswith("beta.txt"))
    store = open_store(store_settings)
    assert all(r.outlined for r in store.records())
    assert all(store.document_text(r.id) == texts[r.id] for r in records if not r.source.endswith("beta.txt"))
    beta = next(r for r in store.records() if r.source.endswith("beta.txt"))
    assert store.document_text(beta.id) == "Beta changed entirely. " * 40
    # The record written over the old one (Chroma merges keys on upsert) reads as the new version,
    # so the new chunks count as committed and are found.
    assert beta.chunks == len(store.chunks.get(where={"document_id": beta.id})["ids"])
    assert beta.sha256 == next(meta["doc_sha256"] for _, _, meta in chunk_rows(store.chunks.get(where={"document_id": beta.id}, include=["documents", "metadatas"])))
    hits = Retriever(store, hash_embedder).retrieve("Beta changed entirely", 3)
    assert hits[0].document_id == beta.id and "Beta changed entirely" in hits[0].text


def test_a_text_left_without_its_record_is_swept_by_prune(store_settings, tmp_path, hash_embedder):
    """An ingest stopped after writing a document's chunks and text but before its record (the
    commit marker) leaves them behind; `--prune` sweeps both."""
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    store = open_store(store_settings)
    seed = next(r for r in store.records() if r.source.endswith("seed.txt"))
    store.registry.delete(ids=[seed.id])  # as if the ingest died before committing it
    (folder / "seed.txt").unlink()
    ingestor(store_settings, hash_embedder).ingest([folder], prune=True)
    store = open_store(store_settings)
    assert seed.id not in store.text_document_ids() and store.chunks.get(where={"document_id": seed.id})["ids"] == []
    assert store.text_document_ids() == {r.id for r in store.records()}


def test_orphan_chunks_of_either_id_layout_are_found_from_ids_and_swept(store_settings, tmp_path, hash_embedder):
    """`chunk_document_ids` reads chunk ids only (metadata would bring every chunk's text and
    sentence vectors): it names the same documents the chunks' metadata does, for ids of today's
    layout (DOCUMENT:HASH8:N) and the older one (DOCUMENT:N), and prune sweeps chunks left without a record."""
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    store = open_store(store_settings)
    orphans = {"0123456789abcdef": "0123456789abcdef:0", "fedcba9876543210": "fedcba9876543210:1a2b3c4d:0"}
    store.chunks.add(
        ids=list(orphans.values()), embeddings=hash_embedder.embed(["left over", "left over too"]),
        metadatas=[{"document_id": doc, "source": f"/gone/{doc}.txt"} for doc in orphans],
    )
    from_metadata = {str(m["document_id"]) for m in store.chunks.get(include=["metadatas"])["metadatas"]}
    assert store.chunk_document_ids() == from_metadata == {r.id for r in store.records()} | set(orphans)
    ingestor(store_settings, hash_embedder).ingest([folder], prune=True)
    store = open_store(store_settings)
    assert store.chunk_document_ids() == {r.id for r in store.records()}
    assert store.chunks.get(ids=list(orphans.values()))["ids"] == []


def test_a_large_document_text_is_kept_exactly(store_settings, tmp_path, hash_embedder):
    folder = tmp_path / "large"
    folder.mkdir()
    text = "".join(f"Line {i}: caf\u00e9 na\u00efve \u2014 \U0001F600 end.\n" for i in range(60_000))  # about 2.5 MB
    (folder / "big.txt").write_text(text, encoding="utf-8")
    index = store_settings.index.model_copy(update={"store_sentence_vectors": False})
    Ingestor(open_store(store_settings, for_writing=True), hash_embedder, index).ingest([folder])
    store = open_store(store_settings)
    [record] = store.records()
    assert store.document_text(record.id) == text


def test_chunks_left_by_an_interrupted_write_of_the_same_version_are_replaced(store_settings, tmp_path, hash_embedder):
    """Chunks are added, not upserted: a chunk of the same document version left by a write that
    died before its record (same ids) must be deleted first, not kept as it was."""
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    store = open_store(store_settings)
    seed = next(r for r in store.records() if r.source.endswith("seed.txt"))
    got = store.chunks.get(where={"document_id": seed.id}, include=["embeddings", "documents", "metadatas"])
    damaged = [{**meta, CHUNK_TEXT_KEY: "left over"} for _, _, meta in chunk_rows(got)]
    store.chunks.delete(ids=got["ids"])
    store.chunks.add(ids=got["ids"], embeddings=got["embeddings"], metadatas=damaged)
    assert {text for _, text, _ in chunk_rows(store.chunks.get(ids=got["ids"], include=["documents", "metadatas"]))} == {"left over"}
    store.registry.delete(ids=[seed.id])  # as if the ingest died before committing it
    report = ingestor(store_settings, hash_embedder).ingest([folder])
    assert report.added == [str(folder / "seed.txt")]
    store = open_store(store_settings)
    again = store.chunks.get(where={"document_id": seed.id}, include=["documents", "metadatas"])
    assert sorted(again["ids"]) == sorted(got["ids"])
    text = store.document_text(seed.id)
    for _, chunk_text, meta in chunk_rows(again):
        assert chunk_text != "left over" and chunk_text == text[meta["start_char"]:meta["end_char"]]


def test_two_versions_of_a_document_never_share_chunk_ids(store_settings, tmp_path, hash_embedder):
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    before = set(open_store(store_settings).chunks.get()["ids"])
    (folder / "beta.txt").write_text("Beta delta epsilon, edited.\r\n" * 60, encoding="utf-8")
    ingestor(store_settings, hash_embedder).ingest([folder])
    store = open_store(store_settings)
    beta = next(r for r in store.records() if r.source.endswith("beta.txt"))
    fresh = set(store.chunks.get(where={"document_id": beta.id})["ids"])
    assert fresh and not fresh & before


def test_chunk_metadata_keeps_apart_only_the_keys_queries_filter_on(store_settings, tmp_path, hash_embedder):
    ingestor(store_settings, hash_embedder).ingest([corpus(tmp_path)])
    store = open_store(store_settings)
    raw = store.chunks.get(include=["documents", "metadatas"])
    assert raw["ids"] and all(set(m) <= {"document_id", "source", "date_int", PACKED_KEY} for m in raw["metadatas"])
    for _, text, meta in chunk_rows(raw):
        assert text and {"title", "doc_sha256", "chunk_index", "start_char", "end_char", SENTENCE_VECTORS_KEY} <= set(meta)


def test_a_chunk_with_damaged_metadata_is_left_out_not_fatal(store_settings, tmp_path, hash_embedder):
    ingestor(store_settings, hash_embedder).ingest([corpus(tmp_path)])
    store = open_store(store_settings)
    question = "Who reviewed the inspector general report?"
    [first] = Retriever(store, hash_embedder).retrieve(question, 1)
    store.chunks.update(ids=[first.chunk_id], metadatas=[{PACKED_KEY: "{not json"}])
    fresh = open_store(store_settings)
    rows = list(chunk_rows(fresh.chunks.get(include=["documents", "metadatas"])))
    assert rows and first.chunk_id not in {chunk_id for chunk_id, _, _ in rows}
    hits = Retriever(fresh, hash_embedder).retrieve(question, 3)
    assert hits and first.chunk_id not in {h.chunk_id for h in hits}


def test_a_damaged_registry_record_counts_as_not_stored_until_ingested_again(store_settings, tmp_path, hash_embedder):
    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    store = open_store(store_settings)
    assert all(set(m) == {PACKED_KEY} for m in store.registry.get(include=["metadatas"])["metadatas"])
    seed = next(r for r in store.records() if r.source.endswith("seed.txt"))
    store.registry.update(ids=[seed.id], metadatas=[{PACKED_KEY: "{not json"}])
    fresh = open_store(store_settings)
    assert seed.id not in {r.id for r in fresh.records()} and fresh.get_record(seed.id) is None
    hits = Retriever(fresh, hash_embedder).retrieve("Who reviewed the inspector general report?", 5)
    assert all(h.document_id != seed.id for h in hits)
    report = ingestor(store_settings, hash_embedder).ingest([folder])
    assert report.added == [str(folder / "seed.txt")]
    assert open_store(store_settings).get_record(seed.id) == seed


def test_the_first_batch_is_small_so_the_model_starts_early(settings, tmp_path, hash_embedder, monkeypatch):
    """The model starts after a few files, not a whole write batch of them; later batches are full."""
    import index.embed_worker as embed_worker_module
    import index.ingest as ingest_module

    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(300):
        (folder / f"f{i:03d}.txt").write_text(f"Document number {i} talks about topic {i}. " * 5, encoding="utf-8")
    sizes = []
    real_embed_chunks = embed_worker_module.embed_chunks
    monkeypatch.setattr(embed_worker_module, "embed_chunks", lambda embedder, texts: (sizes.append(len(texts)), real_embed_chunks(embedder, texts))[1])
    index = settings.index.model_copy(update={"write_batch_size": 100})
    report = Ingestor(open_store(settings, for_writing=True), hash_embedder, index).ingest([folder])
    assert len(report.added) == 300 and sum(sizes) == report.chunks == 300
    assert sizes == [100, 100, 100]  # write batches smaller than the first batch's limit: unchanged
    sizes.clear()
    monkeypatch.setattr(ingest_module, "_FIRST_BATCH_CHUNKS", 8)
    other = tmp_path / "other"
    shutil.copytree(folder, other)
    report = Ingestor(open_store(settings, for_writing=True), hash_embedder, index).ingest([other])
    assert sizes == [8, 100, 100, 92] and report.chunks == 300


def test_listing_reads_every_page(store_settings, tmp_path, hash_embedder, monkeypatch):
    import index.store as store_module

    folder = corpus(tmp_path)
    ingestor(store_settings, hash_embedder).ingest([folder])
    store = open_store(store_settings)
    everything = {r.id for r in store.records()}
    chunk_docs, text_docs = store.chunk_document_ids(), store.text_document_ids()
    assert len(everything) == 3
    for page in (1, 2, 3):
        monkeypatch.setattr(store_module, "_PAGE", page)
        assert {r.id for r in store.records()} == everything
        assert store.chunk_document_ids() == chunk_docs == everything and store.text_document_ids() == text_docs == everything


def _as_stored_before_outlines(store: ChunkStore, sources: tuple[str, ...] = ()) -> None:
    """Make the store look written before chunks carried outlines: no outline in any chunk's
    metadata, no `outlined` mark in the registry (only the documents from `sources`, if given)."""
    import json

    from index.headings import METADATA_KEY as OUTLINE_KEY
    from index.layout import OUTLINED_KEY, pack, unpacked

    records = store.registry.get(include=["metadatas"])
    chosen = [i for i, m in zip(records["ids"], records["metadatas"])
              if not sources or unpacked(m)["source"].endswith(sources)]
    got = store.chunks.get(where={"document_id": {"$in": chosen}}, include=["metadatas"])
    bare = [pack({k: v for k, v in unpacked(m).items() if k != OUTLINE_KEY}) for m in got["metadatas"]]
    store.chunks.update(ids=got["ids"], metadatas=bare)
    for doc_id, metadata in zip(records["ids"], records["metadatas"]):
        if doc_id in chosen:
            record = {k: v for k, v in unpacked(metadata).items() if k != OUTLINED_KEY}
            store.registry.update(ids=[doc_id], metadatas=[{PACKED_KEY: json.dumps(record)}])


def _outlines(store: ChunkStore) -> dict[str, object]:
    from index.headings import METADATA_KEY as OUTLINE_KEY

    got = store.chunks.get(include=["metadatas"])
    return {cid: meta.get(OUTLINE_KEY) for cid, _, meta in chunk_rows({**got, "documents": [None] * len(got["ids"])})}


def test_chunks_stored_before_outlines_get_them_at_the_next_ingest_without_embedding(store_settings, tmp_path, hash_embedder):
    folder = corpus(tmp_path)
    counting = CountingEmbedder(hash_embedder)
    first = ingestor(store_settings, counting).ingest([folder])
    store = open_store(store_settings)
    outlines = _outlines(store)
    assert all(outlines.values()) and all(r.outlined for r in store.records())
    vectors = store.chunks.get(include=["embeddings"])
    _as_stored_before_outlines(store)
    assert not any(_outlines(store).values()) and not any(r.outlined for r in store.records())

    counting.texts_embedded = 0
    second = ingestor(store_settings, counting).ingest([folder])
    assert counting.texts_embedded == 0 and second.chunks == 0
    assert sorted(second.refreshed) == sorted(second.unchanged) == sorted(first.added) and not second.updated
    store = open_store(store_settings)
    assert _outlines(store) == outlines and all(r.outlined for r in store.records())
    after = store.chunks.get(include=["embeddings"])
    assert after["ids"] == vectors["ids"] and (after["embeddings"] == vectors["embeddings"]).all()
    third = ingestor(store_settings, counting).ingest([folder])  # nothing left to do
    assert not third.refreshed and sorted(third.unchanged) == sorted(first.added) and counting.texts_embedded == 0


def test_an_old_document_chunked_otherwise_is_stored_again(store_settings, tmp_path, hash_embedder):
    """Stored by a version that chunked it differently: its outlines cannot be laid on its
    chunks, so the next ingest stores it as a fresh one would; the others are only refreshed."""
    from index.layout import pack, unpacked

    folder = corpus(tmp_path)
    counting = CountingEmbedder(hash_embedder)
    first = ingestor(store_settings, counting).ingest([folder])
    store = open_store(store_settings)
    _as_stored_before_outlines(store)
    alpha = next(r for r in store.records() if r.source.endswith("alpha.md"))
    got = store.chunks.get(where={"document_id": alpha.id}, include=["metadatas"])
    moved = unpacked(got["metadatas"][0])
    moved["end_char"] -= 1  # a chunk that ended elsewhere
    store.chunks.update(ids=got["ids"][:1], metadatas=[pack(moved)])

    counting.texts_embedded = 0
    second = ingestor(store_settings, counting).ingest([folder])
    assert second.updated == [alpha.source] and second.chunks == alpha.chunks == counting.texts_embedded
    assert sorted(second.refreshed) == sorted(s for s in first.added if s != alpha.source)
    store = open_store(store_settings)
    text = store.document_text(alpha.id)
    rows = list(chunk_rows(store.chunks.get(where={"document_id": alpha.id}, include=["documents", "metadatas"])))
    assert len(rows) == alpha.chunks and all(text[m["start_char"]:m["end_char"]] == t for _, t, m in rows)
    assert all(r.outlined for r in store.records()) and all(_outlines(store).values())


def test_outlines_found_by_an_older_version_are_found_again(store_settings, tmp_path, hash_embedder, monkeypatch):
    """When headings come to be found otherwise (`OUTLINE_VERSION` raised), the next ingest of
    unchanged files writes their chunks' outlines again, embedding nothing."""
    import index.ingest
    import index.store

    folder = corpus(tmp_path)
    monkeypatch.setattr(index.store, "OUTLINE_VERSION", 1)
    first = ingestor(store_settings, hash_embedder).ingest([folder])
    assert {r.outlined for r in open_store(store_settings).records()} == {1}
    monkeypatch.setattr(index.store, "OUTLINE_VERSION", 2)
    monkeypatch.setattr(index.ingest, "OUTLINE_VERSION", 2)
    counting = CountingEmbedder(hash_embedder)
    second = ingestor(store_settings, counting).ingest([folder])
    assert sorted(second.refreshed) == sorted(first.added) and counting.texts_embedded == 0
    assert {r.outlined for r in open_store(store_settings).records()} == {2}
