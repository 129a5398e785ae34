"""Ingest throughput and peak memory: ours, the naive LlamaIndex pipeline, and bare encoding.

    python bench/ingest.py [--sizes 1000 10000 100000] [--full-up-to 10000] [--work DIR]
                           [--out docs/bench/ingest.json]

For each size a synthetic corpus of exactly that many chunks is written (benchmark passages
as distinct variants, `bench/corpus.py`). Each measurement runs in its own process (so peak
memory, VmHWM, is that pipeline's alone), with the model loaded and warm before the clock starts:
- ours: `rag ingest` (read, chunk, embed with the configured backend, write to embedded Chroma);
- naive: LlamaIndex `VectorStoreIndex.from_documents` over Chroma, default settings, with the
  same bundled model in torch fp32 (the LlamaIndex default embedding needs OpenAI);
- bare encode: the same chunks through the embedding model alone, no reading or writing:
  `SentenceTransformer.encode` (torch fp32) and our onnx-int8 embedder.
Sizes above `--full-up-to` run ours in full; naive and bare encoding are not run again there,
and their rates are those measured on the largest full size (a fixed sample, reported as such).
Runs with different sizes can share the results file (each merges its sizes in).
The ingested data directories are kept under --work for bench/query.py.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import load_average, machine, peak_rss_mib, write_json  # noqa: E402

KINDS = ("ours", "naive", "bare-torch", "bare-onnx")


def corpus_dir(work: Path, size: int) -> Path:
    return work / f"corpus-{size}"


def data_dir(work: Path, kind: str, size: int) -> Path:
    return work / f"data-{kind}-{size}"


def _chunks(folder: Path) -> list[str]:
    from index.chunking import chunk_text
    from index.readers import read_file
    from rag.settings import IndexSettings

    index = IndexSettings()
    return [c.text for path in sorted(folder.iterdir()) for c in chunk_text(read_file(path, 2**30).text, index.chunk_size, index.chunk_overlap)]


def worker(kind: str, folder: Path, data: Path) -> dict:
    """One measurement, in this process; returns seconds, chunks and peak memory."""
    from index.embedding import SentenceTransformerEmbedder, embedder_from_settings
    from rag.settings import IndexSettings, Settings

    settings = Settings(data_dir=data, chroma_url=None, collection="bench")
    if kind == "ours":
        from index.ingest import Ingestor
        from index.store import open_store

        embedder = embedder_from_settings(settings.index)
        embedder.embed(["warm up"])
        started = time.perf_counter()
        report = Ingestor(open_store(settings, for_writing=True), embedder, settings.index).ingest([folder])
        seconds, chunks = time.perf_counter() - started, report.chunks
    elif kind == "naive":
        from bench.corpus import read_synthetic
        from eval.baseline import LlamaIndexBaseline
        from index.store import connect

        embedder = SentenceTransformerEmbedder()
        embedder.embed(["warm up"])
        client = connect(settings)
        started = time.perf_counter()
        texts = read_synthetic(folder)  # reading the files is part of its ingest, as it is of ours
        LlamaIndexBaseline(client, "bench", texts, embedder)
        seconds = time.perf_counter() - started
        chunks = client.get_collection("bench-llamaindex").count()
    else:
        chunk_texts = _chunks(folder)
        embedder = SentenceTransformerEmbedder() if kind == "bare-torch" else embedder_from_settings(IndexSettings(embed_backend="onnx-int8"))
        embedder.embed(chunk_texts[:64])  # warm up
        started = time.perf_counter()
        embedder.embed(chunk_texts)
        seconds, chunks = time.perf_counter() - started, len(chunk_texts)
    return {"seconds": round(seconds, 2), "chunks": chunks, "chunks_per_s": round(chunks / seconds, 1), "peak_rss_mib": peak_rss_mib()}


def measure(kind: str, folder: Path, data: Path) -> dict:
    shutil.rmtree(data, ignore_errors=True)  # a kept data directory would make ingest a no-op
    done = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--corpus", str(folder), "--data", str(data)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"{kind} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _complete(result: dict, full_up_to: int) -> None:
    """Fill the sizes measured for ours only with the naive and bare rates of the largest full
    size (a fixed sample, marked `sample_of`), and compute the ratios where all are present."""
    full = [int(s) for s, row in result["sizes"].items() if all(k in row and "sample_of" not in row[k] for k in KINDS)]
    for size, row in result["sizes"].items():
        if full:
            sample = max(full)
            for kind in KINDS:
                if kind not in row or "sample_of" in row[kind]:
                    row[kind] = {**result["sizes"][str(sample)][kind], "sample_of": sample}
        if all(kind in row for kind in KINDS):
            bare = row["bare-onnx"] if result["backend"] == "onnx-int8" else row["bare-torch"]
            row["overhead_over_bare"] = round(bare["chunks_per_s"] / row["ours"]["chunks_per_s"] - 1, 4)
            row["ours_over_naive"] = round(row["ours"]["corpus_chunks_per_s"] / row["naive"]["corpus_chunks_per_s"], 2)


def _save(out: Path, size: int, row: dict, full_up_to: int) -> dict:
    """Merge one size into the results file (two runs with different sizes may share it)."""
    from rag.settings import IndexSettings

    result = json.loads(out.read_text()) if out.exists() else {}
    result.update(machine=machine(), backend=IndexSettings().embed_backend)
    result.setdefault("sizes", {})[str(size)] = row
    result["sizes"] = dict(sorted(result["sizes"].items(), key=lambda item: int(item[0])))
    _complete(result, full_up_to)
    write_json(out, result)
    return result


def run(sizes: list[int], full_up_to: int, work: Path, out: Path) -> dict:
    from bench.corpus import write_synthetic

    result: dict = {"sizes": {}}
    for size in sizes:
        folder = corpus_dir(work, size)
        if not folder.is_dir():
            write_synthetic(folder, size)
        row: dict = {"files": len(list(folder.iterdir()))}
        kinds = KINDS if size <= full_up_to else ("ours",)
        for kind in kinds:
            row[kind] = measure(kind, folder, data_dir(work, kind, size))
            # Throughput over the same corpus: our chunk count over the pipeline's time.
            row[kind]["corpus_chunks_per_s"] = round(size / row[kind]["seconds"], 1)
            print(f"{size:>7} {kind:<11} {row[kind]['seconds']:>9.1f} s {row[kind]['chunks_per_s']:>8.1f} chunks/s "
                  f"{row[kind]['peak_rss_mib']:>8.0f} MiB", flush=True)
        row["load_average_after"] = load_average()
        result = _save(out, size, row, full_up_to)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--full-up-to", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path(".rag/bench"))
    parser.add_argument("--out", type=Path, default=Path("docs/bench/ingest.json"))
    parser.add_argument("--worker", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.corpus, args.data)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    result = run(sorted(args.sizes), args.full_up_to, args.work.resolve(), args.out)
    print(f"\n{'chunks':>8}{'ours/s':>9}{'bare onnx/s':>13}{'bare torch/s':>14}{'naive/s':>9}{'overhead':>10}{'ours/naive':>12}")
    for size, row in result["sizes"].items():
        if "overhead_over_bare" not in row:
            continue
        print(f"{size:>8}{row['ours']['chunks_per_s']:>9}{row['bare-onnx']['chunks_per_s']:>13}{row['bare-torch']['chunks_per_s']:>14}"
              f"{row['naive']['corpus_chunks_per_s']:>9}{row['overhead_over_bare']:>+10.1%}{row['ours_over_naive']:>11}x")


if __name__ == "__main__":
    main()
