"""Benchmark corpora built from the public question sets in ../shared/benchmarks.

`write_corpus` writes the passages as they are; `write_synthetic` writes a corpus of any
size in chunks by repeating the passages as variants whose sentences are reordered by a
seeded shuffle and tagged with the variant number, so every chunk is distinct.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"
CHUNK_SIZE, CHUNK_OVERLAP = 800, 150


def passages() -> list[tuple[str, str]]:
    """(title, text) of every distinct CLAPNQ passage and SQuAD 2.0 context."""
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for name in ("clapnq_dev_answerable.jsonl", "clapnq_dev_unanswerable.jsonl"):
        for line in (BENCHMARKS / "clapnq" / name).read_text(encoding="utf-8").splitlines():
            passage = json.loads(line)["passages"][0]
            if passage["text"] not in seen:
                seen.add(passage["text"])
                out.append((passage["title"], passage["text"]))
    queries = json.loads((BENCHMARKS / "squad2" / "queries.json").read_text(encoding="utf-8"))["queries"]
    for query in queries:
        if query["context"] not in seen:
            seen.add(query["context"])
            out.append((query["context"].split(".")[0][:60], query["context"]))
    return out


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "passage"


def write_corpus(folder: Path, limit: int | None = None) -> int:
    """One .txt file per passage under `folder`; returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    items = passages()[:limit]
    for i, (title, text) in enumerate(items):
        (folder / f"{i:05d}-{_slug(title)}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    return len(items)


def variants():
    """(file name, text) of passage variants without end: variant 0 is the passages as they are."""
    from index.sentences import sentence_spans

    items = passages()
    split = [[text[s:e] for s, e in sentence_spans(text)] for _, text in items]
    variant = 0
    while True:
        rng = random.Random(variant)
        for i, ((title, text), sentences) in enumerate(zip(items, split)):
            if variant:
                sentences = sentences[:]
                rng.shuffle(sentences)
                text = f"Variant {variant}. " + " ".join(sentences)
            yield f"v{variant:03d}-{i:05d}-{_slug(title)}.txt", f"{title}\n\n{text}\n"
        variant += 1


def write_synthetic(folder: Path, chunks: int) -> tuple[int, int]:
    """Files under `folder` that chunk (with the default settings) into exactly `chunks`
    distinct chunks, the last document cut short if needed; returns (files, chunks)."""
    from index.chunking import chunk_text

    folder.mkdir(parents=True, exist_ok=True)
    total = files = 0
    seen: set[str] = set()
    for name, text in variants():
        pieces = chunk_text(text, CHUNK_SIZE, CHUNK_OVERLAP)
        if any(piece.text in seen for piece in pieces) or len({piece.text for piece in pieces}) < len(pieces):
            continue  # a chunk met before (passages overlap; short ones shuffle back to their order)
        if total + len(pieces) > chunks:
            need = chunks - total
            if need <= 0:
                break
            text = text[: pieces[need - 1].end_char]
            pieces = chunk_text(text, CHUNK_SIZE, CHUNK_OVERLAP)
            if len(pieces) != need:
                continue  # cut text chunked differently: try the next document
        (folder / name).write_text(text, encoding="utf-8")
        seen.update(piece.text for piece in pieces)
        total += len(pieces)
        files += 1
        if total == chunks:
            break
    return files, total


def read_synthetic(folder: Path) -> list[tuple[str, str]]:
    """(source, text) of every file of a synthetic corpus, in name order."""
    return [(str(path), path.read_text(encoding="utf-8")) for path in sorted(folder.iterdir())]


def chunk_texts(limit: int) -> list[str]:
    """The first `limit` chunks of the passages, chunked as ingest does (for encoding tests)."""
    from index.chunking import chunk_text

    out: list[str] = []
    for _name, text in variants():
        out.extend(c.text for c in chunk_text(text, CHUNK_SIZE, CHUNK_OVERLAP))
        if len(out) >= limit:
            return out[:limit]
    return out
