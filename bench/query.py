"""Warm query latency at each corpus size: ours in-process and over HTTP, and the naive pipeline.

    python bench/query.py [--sizes 1000 10000 100000] [--questions 100] [--work DIR]
                          [--out docs/bench/query.json]

Uses the collections bench/ingest.py left under --work. Questions are the SQuAD 2.0 and
CLAPNQ dev questions (answerable and not), interleaved. Everything is loaded and warmed up
before the clock starts. Each question is asked twice: the first pass meets its passages for
the first time (their sentence vectors come from the store, stored at ingest; only the short
windows around answer values are encoded), the second finds those windows cached; both are
reported. Stages: "retrieval" is embedding the question plus hybrid search (naive: its
retriever), "answer" is the whole answer. Over HTTP, `rag serve` answers `/v1/ask` one
request at a time; the seconds from its start to `/readyz` (model and BM25 mirror warmed up)
and its peak resident memory (VmHWM, read from /proc at the end) are recorded.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import BACKEND, bench_env, latency_summary, load_average, machine, peak_rss_mib, rss_mib, serve, write_json  # noqa: E402
from bench.ingest import data_dir  # noqa: E402

PASSES = ("first_pass", "repeat_pass")


def questions(limit: int) -> list[str]:
    from eval.datasets import load_benchmark

    sets = [[q.question for q in load_benchmark(name, "dev")[0]] for name in ("squad2", "clapnq")]
    mixed = [q for pair in zip(*sets) for q in pair]
    return mixed[:limit]


def ours_in_process(data: Path, asked: list[str]) -> dict:
    from rag.pipeline import Pipeline
    from rag.settings import IndexSettings, Settings

    pipeline = Pipeline(Settings(data_dir=data, chroma_url=None, collection="bench", index=IndexSettings(embed_backend=BACKEND)))
    for question in ("warm up: who founded it?", "warm up: when did it happen?"):
        pipeline.ask(question)
    out = {}
    for name in PASSES:
        retrieval, answer = [], []
        for question in asked:
            timings = pipeline.ask(question).timings_ms
            retrieval.append(timings["embed"] + timings["retrieve"])
            answer.append(timings["total"])
        out[name] = {"retrieval": latency_summary(retrieval), "answer": latency_summary(answer)}
    return out


def naive_in_process(data: Path, asked: list[str]) -> dict:
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from eval.baseline import LlamaIndexBaseline, _embedding_adapter
    from index.client import connect
    from index.embedding import SentenceTransformerEmbedder
    from rag.settings import Settings

    LlamaSettings.llm = None
    embedder = SentenceTransformerEmbedder()
    client = connect(Settings(data_dir=data, chroma_url=None))
    # The index bench/ingest.py built, opened as it is (the constructor would rebuild it).
    baseline = LlamaIndexBaseline.__new__(LlamaIndexBaseline)
    baseline.embedder, baseline.top_k, baseline._vectors = embedder, 5, {}
    store = ChromaVectorStore(chroma_collection=client.get_collection("bench-llamaindex"))
    baseline.index = VectorStoreIndex.from_vector_store(store, embed_model=_embedding_adapter(embedder))
    baseline.retriever = baseline.index.as_retriever(similarity_top_k=5)
    for question in ("warm up: who founded it?", "warm up: when did it happen?"):
        baseline.answer(question)
    out = {}
    for name in PASSES:
        retrieval, answer = [], []
        for question in asked:
            started = time.perf_counter()
            baseline.retriever.retrieve(question)
            retrieval.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            baseline.answer(question)
            answer.append((time.perf_counter() - started) * 1000)
        out[name] = {"retrieval": latency_summary(retrieval), "answer": latency_summary(answer)}
    return out


def start_server(data: Path, collection: str = "bench") -> tuple[subprocess.Popen, str]:
    return serve(bench_env(RAG_DATA_DIR=str(data), RAG_COLLECTION=collection,
                           RAG_INDEX__MODEL_CACHE_DIR=str((ROOT / ".rag" / "models").resolve())))


def ours_over_http(data: Path, asked: list[str]) -> dict:
    import httpx

    started = time.perf_counter()
    server, url = start_server(data)
    ready_s = time.perf_counter() - started  # process start, model and BM25 mirror warm-up
    try:
        with httpx.Client(timeout=120) as http:
            for question in ("warm up: who founded it?", "warm up: when did it happen?"):
                http.post(f"{url}/v1/ask", json={"question": question}).raise_for_status()
            out: dict = {}
            for name in PASSES:
                answer = []
                for question in asked:
                    started = time.perf_counter()
                    http.post(f"{url}/v1/ask", json={"question": question}).raise_for_status()
                    answer.append((time.perf_counter() - started) * 1000)
                out[name] = {"answer": latency_summary(answer)}
        out["server_ready_s"] = round(ready_s, 1)
        out["server_peak_rss_mib"] = peak_rss_mib(server.pid)
        out["server_rss_mib"] = rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    return out


def _child(kind: str, data: Path, limit: int) -> None:
    asked = questions(limit)
    result = {"ours": ours_in_process, "naive": naive_in_process, "http": ours_over_http}[kind](data, asked)
    if kind != "http":
        result["process_peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


def measure(kind: str, data: Path, limit: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--data", str(data), "--questions", str(limit)],
        capture_output=True, text=True, cwd=ROOT,
    )
    if done.returncode:
        raise RuntimeError(f"{kind} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--questions-largest", type=int, default=60, help="Questions at the largest size.")
    parser.add_argument("--work", type=Path, default=Path(".rag/bench"))
    parser.add_argument("--out", type=Path, default=Path("docs/bench/query.json"))
    parser.add_argument("--child", choices=["ours", "naive", "http"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.data, args.questions)
        return
    work = args.work.resolve()
    result = {"machine": machine(), "sizes": {}}
    if args.out.exists():
        result["sizes"] = json.loads(args.out.read_text()).get("sizes", {})
    for size in sorted(args.sizes):
        limit = args.questions_largest if size == max(args.sizes) and len(args.sizes) > 1 else args.questions
        row: dict = {"questions": limit}
        for kind, folder in (("ours", "ours"), ("http", "ours"), ("naive", "naive")):
            data = data_dir(work, folder, size)
            if not data.is_dir():
                row[kind] = None  # not ingested at this size (naive runs on a sample above --full-up-to)
                continue
            row[kind] = measure(kind, data, limit)
            first = row[kind]["first_pass"]
            print(f"{size:>7} {kind:<6} answer p50 {first['answer']['p50']:>7.1f} ms p95 {first['answer']['p95']:>7.1f}"
                  + (f"  retrieval p50 {first['retrieval']['p50']:>6.1f} ms" if "retrieval" in first else ""), flush=True)
        row["load_average_after"] = load_average()
        result["sizes"][str(size)] = row
        write_json(args.out, result)


if __name__ == "__main__":
    main()
