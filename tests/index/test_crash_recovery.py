"""An ingest killed with SIGKILL and run again leaves the index exactly as a clean run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from index.ingest import Ingestor
from index.store import open_store
from tests.support.index_snapshots import sentence_vectors, snapshot
from tests.support.paths import REPO, SEEDS


def make_corpus(folder):
    folder.mkdir()
    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    paragraphs = [p for p in seed.split("\n\n") if p.strip()]
    for i in range(30):
        rng = random.Random(i)
        body = "\n\n".join(rng.sample(paragraphs, 6))
        (folder / f"doc{i:02d}.txt").write_text(f"Document {i}\n\n{body}\n", encoding="utf-8")


def run_ingest(data_dir, folder, kill_after_stored: float | None):
    # torch, as real_embedder that builds the clean index: the two must give the same vectors.
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "RAG_INDEX__WRITE_BATCH_SIZE": "4", "RAG_INDEX__EMBED_BACKEND": "torch"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag", "-v", "ingest", str(folder), "--json"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    if kill_after_stored is None:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        return True
    for line in proc.stderr:
        if "stored" in line:
            break
    time.sleep(kill_after_stored)
    finished = proc.poll() is not None
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    return finished


@pytest.mark.slow
def test_sigkill_then_rerun_equals_a_clean_build(tmp_path, settings, real_embedder):
    folder = tmp_path / "docs"
    make_corpus(folder)
    killed_dir = tmp_path / "killed"
    rng = random.Random(7)
    killed_mid_run = 0
    for _ in range(3):
        if not run_ingest(killed_dir, folder, kill_after_stored=rng.uniform(0.0, 1.5)):
            killed_mid_run += 1
    assert killed_mid_run >= 1, "no kill landed during an ingest"
    run_ingest(killed_dir, folder, kill_after_stored=None)

    index = settings.index.model_copy(update={"embed_backend": "torch"})
    clean = settings.model_copy(update={"data_dir": tmp_path / "clean", "collection": "default", "index": index})
    Ingestor(open_store(clean, for_writing=True), real_embedder, clean.index).ingest([folder])

    recovered_settings = clean.model_copy(update={"data_dir": killed_dir})
    recovered, expected = open_store(recovered_settings), open_store(clean)
    assert snapshot(recovered) == snapshot(expected)
    assert recovered.count_chunks() == expected.count_chunks()
    ids = sorted(snapshot(expected)["chunks"])
    a = recovered.chunks.get(ids=ids, include=["embeddings"])
    b = expected.chunks.get(ids=ids, include=["embeddings"])
    order_a = np.array(a["embeddings"])[np.argsort(a["ids"])]
    order_b = np.array(b["embeddings"])[np.argsort(b["ids"])]
    assert np.allclose(order_a, order_b, atol=1e-4)
    got, want = sentence_vectors(recovered, real_embedder.dimension), sentence_vectors(expected, real_embedder.dimension)
    assert got.keys() == want.keys()
    for chunk_id in want:  # int8 per vector: batch-order float noise may move a step
        assert np.allclose(got[chunk_id], want[chunk_id], atol=0.02), chunk_id
