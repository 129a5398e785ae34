"""The onnx-int8 embedding path against torch fp32: speed, and retrieval quality on the dev splits.

    python bench/quantized.py [--chunks 256] [--repeat 3] [--out docs/bench/quantized.json]

Speed: both backends encode the same benchmark chunks, interleaved, `--repeat` times; the best
of each (wall and process CPU time) gives the ratio. Quality: `eval.retrieval.measure` (hit@1,
hit@5, MRR over answerable questions) on the SQuAD 2.0 and CLAPNQ dev splits, each backend in
its own collections over the same corpus files (so the same chunk ids), in the same run; plus
the cosine between the two backends' vectors.
The target: at least 1.5x faster and within 1 point (0.01) of torch on every retrieval metric.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load_average, machine, write_json  # noqa: E402
from bench.corpus import chunk_texts  # noqa: E402
from eval.retrieval import measure  # noqa: E402
from index.embedding import embedder_from_settings  # noqa: E402
from rag.settings import IndexSettings, Settings  # noqa: E402

BACKENDS = ("torch", "onnx-int8")


def speed(chunks: list[str], repeat: int) -> dict:
    embedders = {backend: embedder_from_settings(IndexSettings(embed_backend=backend)) for backend in BACKENDS}
    for embedder in embedders.values():
        embedder.embed(chunks[:8])  # load and warm up
    best = {backend: {"wall_s": float("inf"), "cpu_s": float("inf")} for backend in BACKENDS}
    for _ in range(repeat):
        for backend, embedder in embedders.items():
            wall, cpu = time.perf_counter(), time.process_time()
            embedder.embed(chunks)
            best[backend]["wall_s"] = min(best[backend]["wall_s"], time.perf_counter() - wall)
            best[backend]["cpu_s"] = min(best[backend]["cpu_s"], time.process_time() - cpu)
    reference, quantised = (embedders[b].embed(chunks) for b in BACKENDS)
    cosine = (reference * quantised).sum(axis=1)
    return {
        "chunks": len(chunks),
        **{b: {k: round(v, 2) for k, v in row.items()} | {"chunks_per_s": round(len(chunks) / row["wall_s"], 1)} for b, row in best.items()},
        "speedup_wall": round(best["torch"]["wall_s"] / best["onnx-int8"]["wall_s"], 2),
        "speedup_cpu": round(best["torch"]["cpu_s"] / best["onnx-int8"]["cpu_s"], 2),
        "cosine_mean": round(float(cosine.mean()), 4),
        "cosine_min": round(float(cosine.min()), 4),
    }


def quality(k: int = 5) -> dict:
    """Both backends over the same corpus files: document ids come from file paths, and hybrid
    retrieval breaks ties in fused rank by chunk id, so corpora written to two folders would
    break ties differently, enough to move hybrid hit@1 between two runs of the same backend
    (docs/bench/notes.md). Each backend gets fresh collections; the files stay."""
    from index.client import connect
    from index.store import ChunkStore

    out: dict = {}
    data_dir = Path(tempfile.mkdtemp(prefix="rag-quant-"))
    for backend in BACKENDS:
        settings = Settings(data_dir=data_dir, chroma_url=None, index=IndexSettings(embed_backend=backend))
        client = connect(settings)
        for name in ("squad2", "clapnq"):
            ChunkStore.drop(client, f"bench-{name}")  # the other backend's vectors
            out.setdefault(name, {})[backend] = measure(settings, name, "dev", k)
    for _name, rows in out.items():
        rows["worst_drop"] = round(max(
            rows["torch"][mode][metric] - rows["onnx-int8"][mode][metric]
            for mode in ("dense", "hybrid") for metric in rows["torch"][mode]
        ), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=256)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("docs/bench/quantized.json"))
    args = parser.parse_args()
    result = {"machine": machine(), "speed": speed(chunk_texts(args.chunks), args.repeat), "retrieval": quality()}
    s = result["speed"]
    print(f"{'backend':<12}{'wall s':>9}{'cpu s':>9}{'chunks/s':>10}")
    for backend in BACKENDS:
        print(f"{backend:<12}{s[backend]['wall_s']:>9.2f}{s[backend]['cpu_s']:>9.2f}{s[backend]['chunks_per_s']:>10.1f}")
    print(f"speed-up {s['speedup_wall']}x wall, {s['speedup_cpu']}x CPU; cosine to fp32 mean {s['cosine_mean']}, min {s['cosine_min']}")
    for name, rows in result["retrieval"].items():
        print(f"\n{name} dev{'':<4}" + "".join(f"{b + ' ' + m:>22}" for b in BACKENDS for m in ("hit@1", "hit@5", "mrr")))
        for mode in ("dense", "bm25", "hybrid"):
            print(f"{mode:<12}" + "".join(f"{rows[b][mode][m]:>22.3f}" for b in BACKENDS for m in ("hit@1", "hit@5", "mrr")))
        print(f"worst drop (dense, hybrid): {rows['worst_drop']:+.3f}")
    result["load_average_after"] = load_average()
    write_json(args.out, result)


if __name__ == "__main__":
    main()
