"""`GroundedRetriever`: our hybrid retrieval over a collection as a LlamaIndex `BaseRetriever`."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from llama_index.core.base.base_retriever import BaseRetriever

from rag.llamaindex.filters import to_filters
from rag.llamaindex.nodes import passage_nodes

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore, QueryBundle
    from llama_index.core.vector_stores.types import MetadataFilters

    from rag.pipeline import Pipeline


class GroundedRetriever(BaseRetriever):
    """Hybrid search (dense + BM25, fused) over the pipeline's collection. Each node is one
    stored chunk: `node.text` is exactly `document_text[start_char_idx:end_char_idx]`, with the
    document id, source, title and date in its metadata; `score` is the fused score.

    `filters` (LlamaIndex `MetadataFilters`) narrow it by source and date (`filters.SUPPORTED`).
    """

    def __init__(self, pipeline: "Pipeline", top_k: int | None = None, filters: "MetadataFilters | None" = None, **kwargs):
        super().__init__(**kwargs)
        self.pipeline = pipeline
        self.top_k = pipeline.settings.retrieval.top_k if top_k is None else top_k
        self.filters = to_filters(filters)  # refused now, at construction, when they do not map

    def _retrieve(self, query_bundle: "QueryBundle") -> list["NodeWithScore"]:
        # The question is embedded with the collection's own model, whatever embedding a
        # LlamaIndex caller put in the bundle (vectors of another model would mean nothing here).
        question = self.pipeline.check_question(query_bundle.query_str)
        with self.pipeline.store.storage_errors():
            passages = self.pipeline.retriever.retrieve(
                question, self.top_k, self.filters, mode=self.pipeline.settings.retrieval.mode,
            )
        return passage_nodes(passages)

    async def _aretrieve(self, query_bundle: "QueryBundle") -> list["NodeWithScore"]:
        return await asyncio.to_thread(self._retrieve, query_bundle)
