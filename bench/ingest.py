"""Ingest throughput against bare `SentenceTransformer.encode` on the same chunks.

    python bench/ingest.py [--limit N] [--out bench/results/ingest.json]

Builds a folder of .txt files from the benchmark passages, chunks them as ingest does,
times bare encoding of those chunks, then times a full `rag ingest` (read, chunk, embed,
write to embedded Chroma) into a fresh data directory, in the same process, and reports
chunks/s for both and the overhead ratio. Bare encoding runs before and after the ingest;
the faster of the two is the reference.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import write_corpus  # noqa: E402
from index.chunking import chunk_text  # noqa: E402
from index.embedding import SentenceTransformerEmbedder  # noqa: E402
from index.ingest import Ingestor  # noqa: E402
from index.readers import read_file  # noqa: E402
from index.store import open_store  # noqa: E402
from rag.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="Passages to use (default: all).")
    parser.add_argument("--out", type=Path, default=Path("bench/results/ingest.json"))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="rag-bench-"))
    files = write_corpus(work / "corpus", args.limit)
    settings = Settings(data_dir=work / "data", chroma_url=None, collection="bench")
    embedder = SentenceTransformerEmbedder(
        settings.index.embed_model, batch_size=settings.index.embed_batch_size
    )
    chunks = [
        c.text
        for path in sorted((work / "corpus").iterdir())
        for c in chunk_text(read_file(path, 2**30).text, settings.index.chunk_size, settings.index.chunk_overlap)
    ]
    model = embedder.model
    model.encode(chunks[:64], batch_size=settings.index.embed_batch_size)  # warm-up

    def bare() -> float:
        start = time.perf_counter()
        model.encode(chunks, batch_size=settings.index.embed_batch_size, normalize_embeddings=True)
        return time.perf_counter() - start

    bare_before = bare()
    start = time.perf_counter()
    report = Ingestor(open_store(settings, for_writing=True), embedder, settings.index).ingest([work / "corpus"])
    ours = time.perf_counter() - start
    bare_after = bare()
    assert report.chunks == len(chunks), (report.chunks, len(chunks))

    reference = min(bare_before, bare_after)
    result = {
        "files": files,
        "chunks": len(chunks),
        "chunk_size": settings.index.chunk_size,
        "bare_encode_s": [round(bare_before, 2), round(bare_after, 2)],
        "bare_chunks_per_s": round(len(chunks) / reference, 1),
        "ingest_s": round(ours, 2),
        "ingest_chunks_per_s": round(len(chunks) / ours, 1),
        "overhead": round(ours / reference - 1, 4),
        "machine": f"{platform.machine()} {platform.processor() or ''} python {platform.python_version()}".strip(),
    }
    print(f"{'pipeline':<28}{'seconds':>10}{'chunks/s':>12}")
    print(f"{'bare encode (best of 2)':<28}{reference:>10.2f}{result['bare_chunks_per_s']:>12.1f}")
    print(f"{'rag ingest':<28}{ours:>10.2f}{result['ingest_chunks_per_s']:>12.1f}")
    print(f"overhead over bare encoding: {result['overhead']:+.1%} ({len(chunks)} chunks, {files} files)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
