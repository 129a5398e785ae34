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
Sizes above `--full-up-to` (100k by default) would take hours of encoding on two busy cores,
so there the collection is first pre-filled with all but the last `--tail` chunks through the
real ingest path (reading, chunking, writing to Chroma) but with proxy vectors (real vectors of
the largest full size, drawn at random, plus noise); then ours ingests the last `--tail` chunks
for real, and that is the rate reported (chunks/s into a collection already that large). Naive
and bare encoding there are the rates of the largest size each ran at in full (a fixed sample,
marked `sample_of`). Runs with different sizes or --kinds share the results file.
The ingested data directories are kept under --work for bench/query.py.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BACKEND, EMBED_WORKER, load_average, machine, peak_rss_mib, write_json  # noqa: E402

KINDS = ("ours", "naive", "bare-torch", "bare-onnx")
SOURCE: list[Path] = []  # --source of a prefill worker


def corpus_dir(work: Path, size: int) -> Path:
    return work / f"corpus-{size}"


def data_dir(work: Path, kind: str, size: int) -> Path:
    """Where a pipeline's collection is kept; ours on a backend other than the default gets its
    own (bench/query.py reads the default one)."""
    if kind == "ours" and BACKEND != "onnx-int8":
        kind = f"{kind}-{BACKEND}"
    return work / f"data-{kind}-{size}"


def _chunks(folder: Path) -> list[str]:
    from index.chunking import chunk_text
    from index.readers import read_file
    from rag.settings import IndexSettings

    index = IndexSettings()
    return [c.text for path in sorted(folder.iterdir()) for c in chunk_text(read_file(path, 2**30).text, index.chunk_size, index.chunk_overlap)]


class ProxyEmbedder:
    """Stands in for the model when pre-filling a large collection: real vectors of the
    largest fully ingested size, drawn at random, with a little noise, so the collection has
    the size and the vector distribution of a real one without hours of encoding."""

    name, dimension = "all-MiniLM-L6-v2", 384

    def __init__(self, vectors):
        import numpy as np

        self._vectors, self._rng = vectors, np.random.default_rng(0)

    def embed(self, texts):
        import numpy as np

        picked = self._vectors[self._rng.integers(0, len(self._vectors), len(texts))]
        noisy = picked + self._rng.normal(0, 0.02, picked.shape).astype(np.float32)
        return (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)

    def embed_with_tokens(self, texts):
        """Proxy token vectors too: one "token" per sentence, so every chunk stores sentence
        vectors as a real ingest does (their size and the answerer's read path are real)."""
        import numpy as np

        from index.sentence_vectors import TokenEmbeddings
        from index.sentences import sentence_spans

        tokens = []
        for text in texts:
            spans = sentence_spans(text)
            vectors = self.embed(["s"] * len(spans)) if spans else np.zeros((0, self.dimension), np.float32)
            tokens.append(TokenEmbeddings(vectors, np.array(spans, dtype=np.int64).reshape(len(spans), 2)))
        return self.embed(texts), tokens


def connect_vectors(link: Path):
    """The vectors of the collection whose data directory `link` names (a text file)."""
    import numpy as np

    from index.client import connect
    from rag.settings import Settings

    collection = connect(Settings(data_dir=Path(link.read_text().strip()), chroma_url=None)).get_collection("bench")
    got = collection.get(include=["embeddings"], limit=20000)
    return np.asarray(got["embeddings"], dtype=np.float32)


def split_tail(folder: Path, tail: int) -> tuple[Path, Path]:
    """Move a corpus's files into head/ and tail/, the tail holding its last `tail` chunks."""
    from index.chunking import chunk_text
    from rag.settings import IndexSettings

    head_dir, tail_dir = folder / "head", folder / "tail"
    if head_dir.is_dir():
        return head_dir, tail_dir
    index = IndexSettings()
    files = sorted(p for p in folder.iterdir() if p.is_file())
    counts = [len(chunk_text(p.read_text(encoding="utf-8"), index.chunk_size, index.chunk_overlap)) for p in files]
    head_dir.mkdir()
    tail_dir.mkdir()
    remaining = sum(counts)
    for path, count in zip(files, counts):
        in_tail = remaining <= tail
        path.rename((tail_dir if in_tail else head_dir) / path.name)
        remaining -= count
    return head_dir, tail_dir


def worker(kind: str, folder: Path, data: Path) -> dict:
    """One measurement, in this process; returns wall seconds, CPU seconds (all of this process's
    threads: less sensitive than wall time to other work on shared cores), chunks and peak memory."""
    from index.embedding import SentenceTransformerEmbedder, embedder_from_settings
    from rag.settings import IndexSettings, Settings

    settings = Settings(data_dir=data, chroma_url=None, collection="bench", index=IndexSettings(embed_backend=BACKEND, embed_worker=EMBED_WORKER))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    children_cpu = children.ru_utime + children.ru_stime
    if kind == "ours":
        from index.ingest import Ingestor
        from index.store import open_store

        embedder = embedder_from_settings(settings.index)
        embedder.embed(["warm up"])
        started, cpu_started = time.perf_counter(), time.process_time()
        report = Ingestor(open_store(settings, for_writing=True), embedder, settings.index).ingest([folder])
        seconds, chunks = time.perf_counter() - started, report.chunks
        cpu = time.process_time() - cpu_started
    elif kind == "naive":
        from bench.corpus import read_synthetic
        from eval.baseline import LlamaIndexBaseline
        from index.client import connect

        embedder = SentenceTransformerEmbedder()
        embedder.embed(["warm up"])
        client = connect(settings)
        started, cpu_started = time.perf_counter(), time.process_time()
        texts = read_synthetic(folder)  # reading the files is part of its ingest, as it is of ours
        LlamaIndexBaseline(client, "bench", texts, embedder)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        chunks = client.get_collection("bench-llamaindex").count()
    elif kind == "prefill":
        from index.ingest import Ingestor
        from index.store import open_store

        source = connect_vectors(SOURCE[0])
        started, cpu_started = time.perf_counter(), time.process_time()
        report = Ingestor(open_store(settings, for_writing=True), ProxyEmbedder(source), settings.index).ingest([folder])
        seconds, chunks = time.perf_counter() - started, report.chunks
        cpu = time.process_time() - cpu_started
    else:
        chunk_texts = _chunks(folder)
        embedder = SentenceTransformerEmbedder() if kind == "bare-torch" else embedder_from_settings(IndexSettings(embed_backend="onnx-int8"))
        embedder.embed(chunk_texts[:64])  # warm up
        started, cpu_started = time.perf_counter(), time.process_time()
        embedder.embed(chunk_texts)
        seconds, chunks = time.perf_counter() - started, len(chunk_texts)
        cpu = time.process_time() - cpu_started
    # An embedding worker process (`index.embed_worker`) has exited by now: its CPU time and
    # peak memory are counted too (the peaks added: an upper bound on the pair's together).
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    worker_cpu = children.ru_utime + children.ru_stime - children_cpu
    worker_peak = children.ru_maxrss / 1024 if worker_cpu > 0 else 0.0
    return {"seconds": round(seconds, 2), "cpu_s": round(cpu + worker_cpu, 2), "chunks": chunks, "chunks_per_s": round(chunks / seconds, 1),
            "peak_rss_mib": round(peak_rss_mib() + worker_peak, 1), "worker_cpu_s": round(worker_cpu, 2), "worker_peak_rss_mib": round(worker_peak, 1)}


def measure(kind: str, folder: Path, data: Path, fresh: bool = True) -> dict:
    if fresh:
        shutil.rmtree(data, ignore_errors=True)  # a kept data directory would make ingest a no-op
    done = subprocess.run(
        [sys.executable, __file__, "--worker", "ours" if kind == "ours-tail" else kind, "--corpus", str(folder), "--data", str(data)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"{kind} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _bare_kind(backend: str) -> str:
    """The bare encoding that ours is compared with: the same backend's."""
    return "bare-onnx" if backend == "onnx-int8" else "bare-torch"


def _complete(result: dict, full_up_to: int) -> None:
    """Fill each kind a size lacks with that kind's rate at the largest size where it ran in
    full (a fixed sample, marked `sample_of`), and compute the ratios where all are present."""
    for kind in KINDS:
        full = [int(s) for s, row in result["sizes"].items() if kind in row and "sample_of" not in row[kind]]
        for size, row in result["sizes"].items():
            if full and (kind not in row or "sample_of" in row[kind]) and max(full) != int(size):
                row[kind] = {**result["sizes"][str(max(full))][kind], "sample_of": max(full)}
    for row in result["sizes"].values():
        if all(kind in row for kind in KINDS):
            bare = row[_bare_kind(result["backend"])]
            row["overhead_over_bare"] = round(bare["chunks_per_s"] / row["ours"]["chunks_per_s"] - 1, 4)
            if "cpu_s" in bare and "cpu_s" in row["ours"] and "tail_of" not in row["ours"]:
                # The same in CPU time per chunk (both ran these chunks in full).
                row["overhead_over_bare_cpu"] = round(row["ours"]["cpu_s"] / row["ours"]["chunks"] / (bare["cpu_s"] / bare["chunks"]) - 1, 4)
            else:
                row.pop("overhead_over_bare_cpu", None)
            row["ours_over_naive"] = round(row["ours"]["corpus_chunks_per_s"] / row["naive"]["corpus_chunks_per_s"], 2)


def _save(out: Path, size: int, row: dict, full_up_to: int) -> dict:
    """Merge one size into the results file (two runs with different sizes may share it)."""
    result = json.loads(out.read_text()) if out.exists() else {}
    result.update(machine=machine(), backend=BACKEND)
    result.setdefault("sizes", {}).setdefault(str(size), {}).update(row)
    result["sizes"] = dict(sorted(result["sizes"].items(), key=lambda item: int(item[0])))
    _complete(result, full_up_to)
    write_json(out, result)
    return result


def _get_runs(row: dict | None) -> list[dict]:
    """The runs recorded in a results row (a row from before runs were recorded is one run)."""
    if not row or "sample_of" in row:
        return []
    return row.get("runs") or [{k: row[k] for k in ("seconds", "cpu_s", "load_average_after") if k in row}]


def run(sizes: list[int], full_up_to: int, work: Path, out: Path, kinds: list[str], tail: int, repeat: int = 1,
        append: bool = False) -> dict:
    from bench.corpus import write_synthetic

    result: dict = {"sizes": {}}
    for size in sizes:
        folder = corpus_dir(work, size)
        if not folder.is_dir():
            write_synthetic(folder, size)
        if size <= full_up_to:
            # With --repeat N the pipelines run in turn N times (ours, bare, ours, bare, ...) and
            # each keeps its fastest run: on shared cores other work only ever adds time, and
            # alternating spreads a slow spell over both sides.
            runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
            if append and out.exists():  # add to the runs already recorded at this size
                kept = json.loads(out.read_text()).get("sizes", {}).get(str(size), {})
                for kind in kinds:
                    runs[kind] = [
                        {**kept[kind], **run, "chunks_per_s": round(kept[kind]["chunks"] / run["seconds"], 1),
                         "corpus_chunks_per_s": round(size / run["seconds"], 1)}
                        for run in _get_runs(kept.get(kind))
                    ]
            for _ in range(repeat):
                for kind in kinds:
                    measured = measure(kind, folder, data_dir(work, kind, size))
                    # Throughput over the same corpus: our chunk count over the pipeline's time.
                    measured["corpus_chunks_per_s"] = round(size / measured["seconds"], 1)
                    measured["load_average_after"] = load_average()
                    _report(size, kind, measured)
                    runs[kind].append(measured)
                    best = min(runs[kind], key=lambda m: m["seconds"])
                    row = {kind: {**best, "runs": [{k: m[k] for k in ("seconds", "cpu_s", "load_average_after")} for m in runs[kind]]}}
                    row["files"] = sum(1 for p in folder.rglob("*.txt"))
                    row["load_average_after"] = load_average()
                    result = _save(out, size, row, full_up_to)
            continue
        # Above full_up_to: the collection is pre-filled to size - tail chunks with proxy
        # vectors (real text, real write path), then ours ingests the last `tail` chunks for real.
        head, rest = split_tail(folder, tail)
        data = data_dir(work, "ours", size)
        shutil.rmtree(data, ignore_errors=True)
        source = data.parent / data.name.replace("ours", "source")
        source.write_text(str(data_dir(work, "ours", full_up_to)))
        prefill = _prefill(head, data, source)
        _report(size, "prefill", prefill)
        ours = measure("ours-tail", rest, data, fresh=False)
        ours["corpus_chunks_per_s"] = ours["chunks_per_s"]
        ours["load_average_after"] = load_average()
        _report(size, "ours (tail)", ours)
        # Bare encoding of the tail's own chunks: the tail's texts are not the 10k corpus's (their
        # token counts differ), so only this says what ingesting them cost beyond the model.
        bare_kind = _bare_kind(BACKEND)
        bare = measure(bare_kind, rest, data_dir(work, bare_kind, size))
        _report(size, f"{bare_kind} (tail)", bare)
        row = {"ours": {**ours, "tail_of": size, "prefilled_chunks": prefill["chunks"]}, "prefill_proxy_vectors": prefill,
               "bare_on_tail": {**bare, "kind": bare_kind},
               "tail_overhead_over_bare": round(ours["seconds"] / bare["seconds"] - 1, 4) if bare["chunks"] == ours["chunks"] else None,
               "files": sum(1 for p in folder.rglob("*.txt")), "load_average_after": load_average()}
        result = _save(out, size, row, full_up_to)
    return result


def _prefill(head: Path, data: Path, source: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--worker", "prefill", "--corpus", str(head), "--data", str(data), "--source", str(source)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"prefill failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _report(size: int, kind: str, row: dict) -> None:
    print(f"{size:>7} {kind:<11} {row['seconds']:>9.1f} s {row['chunks_per_s']:>8.1f} chunks/s {row['peak_rss_mib']:>8.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--full-up-to", type=int, default=10000)
    parser.add_argument("--work", type=Path, default=Path(".rag/bench"))
    parser.add_argument("--out", type=Path, default=Path("docs/bench/ingest.json"))
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), help="Pipelines to run at full sizes.")
    parser.add_argument("--repeat", type=int, default=1, help="Run the pipelines in turn this many times at full sizes; each keeps its fastest run.")
    parser.add_argument("--append", action="store_true", help="Add to the runs already in --out at these sizes.")
    parser.add_argument("--tail", type=int, default=10000, help="Chunks ingested for real above --full-up-to.")
    parser.add_argument("--worker", choices=(*KINDS, "prefill"), help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        SOURCE[:] = [args.source] if args.source else []
        print(json.dumps(worker(args.worker, args.corpus, args.data)))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    result = run(sorted(args.sizes), args.full_up_to, args.work.resolve(), args.out, args.kinds, args.tail, args.repeat, args.append)
    print(f"\n{'chunks':>8}{'ours/s':>9}{'bare onnx/s':>13}{'bare torch/s':>14}{'naive/s':>9}{'overhead':>10}{'ours/naive':>12}")
    for size, row in result["sizes"].items():
        if "overhead_over_bare" not in row:
            continue
        print(f"{size:>8}{row['ours']['chunks_per_s']:>9}{row['bare-onnx']['chunks_per_s']:>13}{row['bare-torch']['chunks_per_s']:>14}"
              f"{row['naive']['corpus_chunks_per_s']:>9}{row['overhead_over_bare']:>+10.1%}{row['ours_over_naive']:>11}x")


if __name__ == "__main__":
    main()
