"""Retrieval quality of dense, BM25 and hybrid search on the benchmarks.

    rag eval retrieval [--split dev] [--k 5]

A hit is a retrieved chunk from the question's gold passage (SQuAD: the question's context;
CLAPNQ: its passage). Reports hit@1, hit@k and MRR@k over answerable questions.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.corpora import ingest_corpus
from eval.datasets import load_benchmark
from rag.retrieve import Retriever
from rag.settings import Settings

MODES = ("dense", "bm25", "hybrid")


def measure(settings: Settings, name: str, split: str, k: int) -> dict:
    questions, corpus = load_benchmark(name, split)
    store, embedder = ingest_corpus(settings, name, corpus)
    retriever = Retriever(store, embedder)
    stats = {mode: {"hit@1": 0, f"hit@{k}": 0, "mrr": 0.0} for mode in MODES}
    asked = [q for q in questions if q.answerable]
    for question in asked:
        vector = embedder.embed([question.question])[0]
        for mode in MODES:
            hits = retriever.retrieve(question.question, k, mode=mode, query_vector=vector)
            ranks = [i for i, h in enumerate(hits) if Path(h.source).name == question.source]
            if ranks:
                stats[mode]["hit@1"] += ranks[0] == 0
                stats[mode][f"hit@{k}"] += 1
                stats[mode]["mrr"] += 1 / (ranks[0] + 1)
    return {mode: {key: round(value / len(asked), 4) for key, value in row.items()} for mode, row in stats.items()}


def compare(settings: Settings, split: str, k: int, out: Path | None) -> None:
    """Print each benchmark's table of the three modes; with `out`, write them as JSON."""
    results = {}
    for name in ("squad2", "clapnq"):
        results[name] = measure(settings, name, split, k)
        print(f"\n{name} ({split})")
        print(f"{'mode':<10}" + "".join(f"{key:>10}" for key in results[name]["dense"]))
        for mode, row in results[name].items():
            print(f"{mode:<10}" + "".join(f"{value:>10.3f}" for value in row.values()))
    if out:
        out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    raise SystemExit("`python -m eval.retrieval` is now `rag eval retrieval`, with the same options.")
