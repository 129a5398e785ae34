"""Cold start: time from `rag ask "..."` typed to the answer printed, on the seed corpus.

    python bench/startup.py [--repeat 5] [--out docs/bench/startup.json]

Each run is a new process (the operating system's file cache stays warm; nothing else is
shared). Four ways, side by side: our `rag ask` answering in its own process (with the
default settings, which build a new collection with onnx-int8, and with the torch backend); `rag ask` with
RAG_SERVER_URL set, through a running `rag serve`; and the naive LlamaIndex pipeline as a
script (import, load the model, open its Chroma index, answer). The seed corpus is ingested
(and the int8 model exported) before any clock starts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_env, load_average, machine, write_json  # noqa: E402

QUESTION = "When was the pipe bomb discovered?"
EXPECTED = "1:05 p.m."


def naive_ask(data: Path, question: str) -> None:
    """The naive pipeline's whole cold path, for timing as a subprocess."""
    from llama_index.core import Settings as LlamaSettings
    from llama_index.core import VectorStoreIndex
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from eval.baseline import LlamaIndexBaseline, _embedding_adapter
    from index.client import connect
    from index.embedding import SentenceTransformerEmbedder
    from rag.settings import Settings

    LlamaSettings.llm = None
    embedder = SentenceTransformerEmbedder()
    baseline = LlamaIndexBaseline.__new__(LlamaIndexBaseline)  # open, do not rebuild
    baseline.embedder, baseline.top_k, baseline._vectors = embedder, 5, {}
    collection = connect(Settings(data_dir=data, chroma_url=None)).get_collection("seeds-llamaindex")
    baseline.index = VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=collection), embed_model=_embedding_adapter(embedder))
    baseline.retriever = baseline.index.as_retriever(similarity_top_k=5)
    print(baseline.answer(question)[0])


def timed(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - started
    if done.returncode or EXPECTED not in done.stdout:
        raise RuntimeError(f"{command} failed ({done.returncode}): {done.stdout[-500:]} {done.stderr[-1500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("docs/bench/startup.json"))
    parser.add_argument("--naive-ask", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_ask:
        naive_ask(args.naive_ask, QUESTION)
        return
    from bench.query import start_server
    from eval.baseline import LlamaIndexBaseline
    from index.client import connect
    from index.embedding import SentenceTransformerEmbedder
    from rag.settings import Settings

    data = Path(tempfile.mkdtemp(prefix="rag-startup-"))
    env = bench_env(RAG_DATA_DIR=str(data), RAG_INDEX__MODEL_CACHE_DIR=str((ROOT / ".rag" / "models").resolve()))
    env.pop("RAG_INDEX__EMBED_BACKEND")  # "ours" is what a user gets: the default (auto: onnx-int8 here)
    rag = str(Path(sys.executable).with_name("rag"))
    subprocess.run([rag, "ingest", str(ROOT / "seeds")], env=env, check=True, capture_output=True, cwd=ROOT)
    # The same with the torch backend, in its own data directory.
    torch_env = {**env, "RAG_DATA_DIR": tempfile.mkdtemp(prefix="rag-startup-torch-"), "RAG_INDEX__EMBED_BACKEND": "torch"}
    subprocess.run([rag, "ingest", str(ROOT / "seeds")], env=torch_env, check=True, capture_output=True, cwd=ROOT)
    texts = [(str(p), p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").iterdir()) if p.is_file()]
    LlamaIndexBaseline(connect(Settings(data_dir=data, chroma_url=None)), "seeds", texts, SentenceTransformerEmbedder())
    runs: dict[str, list[float]] = {"ours": [], "ours_torch": [], "ours_via_server": [], "naive": []}
    server, url = start_server(data, "default")
    try:
        timed([rag, "ask", QUESTION], {**env, "RAG_SERVER_URL": url})  # warms the server's pipeline
        for _ in range(args.repeat):
            runs["ours"].append(timed([rag, "ask", QUESTION], env))
            runs["ours_torch"].append(timed([rag, "ask", QUESTION], torch_env))
            runs["ours_via_server"].append(timed([rag, "ask", QUESTION], {**env, "RAG_SERVER_URL": url}))
            runs["naive"].append(timed([sys.executable, __file__, "--naive-ask", str(data)], env))
    finally:
        server.terminate()
        server.wait(30)
    result = {
        "machine": machine(), "backend": "auto (onnx-int8 for the new collection)", "load_average": load_average(), "repeat": args.repeat,
        **{name: {"median_s": round(statistics.median(v), 2), "min_s": round(min(v), 2), "max_s": round(max(v), 2)} for name, v in runs.items()},
    }
    result["naive_over_ours"] = round(result["naive"]["median_s"] / result["ours"]["median_s"], 2)
    print(f"{'cold rag ask':<18}{'median s':>10}{'min s':>8}{'max s':>8}")
    for name in runs:
        print(f"{name:<18}{result[name]['median_s']:>10}{result[name]['min_s']:>8}{result[name]['max_s']:>8}")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
