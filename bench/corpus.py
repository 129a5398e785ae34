"""Benchmark corpora built from the public question sets in ../shared/benchmarks."""

from __future__ import annotations

import json
import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"


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


def write_corpus(folder: Path, limit: int | None = None) -> int:
    """One .txt file per passage under `folder`; returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True)
    items = passages()[:limit]
    for i, (title, text) in enumerate(items):
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "passage"
        (folder / f"{i:05d}-{slug}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    return len(items)
