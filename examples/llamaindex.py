"""A LlamaIndex app on an ingested collection: our retriever and query engine as LlamaIndex
parts, and a LlamaIndex LLM writing answers that our checker verifies.

    python examples/llamaindex.py [--data-dir DIR] [--collection NAME]

With an empty data directory the demo corpus (`seeds/`) is ingested first. Runs offline: the
LLM here is LlamaIndex's `MockLLM`; put any LlamaIndex LLM in its place (`OpenAILike`,
`Ollama`, ...) and its answers go through the same checking.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from llama_index.core.llms.mock import MockLLM
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters

from index.client import connect
from index.commands import run_ingest
from index.layout import list_collections
from rag.llamaindex.query_engine import GroundedQueryEngine
from rag.llamaindex.retriever import GroundedRetriever
from rag.pipeline import Pipeline
from rag.settings import Settings

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="The data directory (default: as `rag` finds it).")
    parser.add_argument("--collection", default="demo")
    args = parser.parse_args()
    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    if args.collection not in list_collections(connect(settings)):
        run_ingest(settings, [SEEDS], args.collection)
    pipeline = Pipeline(settings, args.collection)

    # 1. The retriever: LlamaIndex nodes with exact offsets into the stored document text.
    retriever = GroundedRetriever(pipeline, top_k=3)
    for hit in retriever.retrieve("When was the pipe bomb discovered?"):
        node = hit.node
        print(f"{hit.score:.4f} {node.metadata['title'][:50]!r} chars {node.start_char_idx}-{node.end_char_idx}")

    # 2. The query engine: our cited answer as a LlamaIndex Response.
    engine = GroundedQueryEngine(pipeline)
    for question in ("When was the pipe bomb discovered?", "What is the capital of Australia?"):
        response = engine.query(question)
        print(f"\nQ: {question}\nA: {response}")
        for citation in response.metadata["citations"]:
            print(f"  [{citation['id']}] {citation['source']} chars {citation['start_char']}-{citation['end_char']}: {citation['quote'][:70]!r}")

    # 3. Filters: LlamaIndex MetadataFilters on source and date.
    recent = MetadataFilters(filters=[MetadataFilter(key="date", value="2024-07-01", operator=FilterOperator.GTE)])
    print(f"\nWith a date filter: {GroundedQueryEngine(pipeline, filters=recent).query('When was the pipe bomb discovered?')}")

    # 4. Our retriever inside LlamaIndex's own query engine and response synthesizer (its answer
    #    is the LLM's, unchecked: our query engine above is the one that cites and abstains).
    native = RetrieverQueryEngine.from_args(retriever, llm=MockLLM(max_tokens=8))
    print(f"\nLlamaIndex's RetrieverQueryEngine over our retriever: {len(native.query('When was the pipe bomb discovered?').source_nodes)} source nodes")

    # 5. Any LlamaIndex LLM writes the answer; the checker keeps only what its citations support.
    checked = Pipeline(settings, args.collection, llm=MockLLM()).ask("When was the pipe bomb discovered?")
    print(f"\nWritten by {checked.answered_by}: {checked.answer}")
    print(f"  {len(checked.removed_sentences)} unsupported sentence(s) removed; warnings: {checked.warnings}")


if __name__ == "__main__":
    main()
