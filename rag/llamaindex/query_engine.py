"""`GroundedQueryEngine`: our cited answers as a LlamaIndex query engine."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Iterator

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.response.schema import Response, StreamingResponse

from rag.llamaindex.filters import to_filters
from rag.llamaindex.nodes import cited_nodes

if TYPE_CHECKING:
    from llama_index.core.schema import QueryBundle
    from llama_index.core.vector_stores.types import MetadataFilters

    from rag.pipeline import Pipeline
    from rag.schema import Answer


class GroundedQueryEngine(BaseQueryEngine):
    """Answers with `Pipeline.ask`: `response` is our answer text (with its [n] markers, or
    "The documents do not say."), `source_nodes` the cited passages (each node's
    `citation_ids` metadata names its markers), and `metadata` holds the whole `Answer`
    (`metadata["answer"]`: citations with quotes and offsets, support scores, warnings) with
    `abstained` and `citations` at hand.

    With `streaming=True` a query returns a LlamaIndex `StreamingResponse` whose generator
    yields the checked answer a sentence at a time: an LLM's text is streamed only once it has
    been checked, since unchecked sentences may be removed.
    """

    def __init__(
        self, pipeline: "Pipeline", top_k: int | None = None, filters: "MetadataFilters | None" = None,
        streaming: bool = False, **kwargs,
    ):
        super().__init__(kwargs.pop("callback_manager", None))
        self.pipeline = pipeline
        self.top_k = top_k
        self.filters = to_filters(filters)
        self.streaming = streaming

    def _get_prompt_modules(self) -> dict:
        return {}

    def answer(self, question: str) -> "Answer":
        return self.pipeline.ask(question, self.top_k, self.filters)

    def _query(self, query_bundle: "QueryBundle") -> Response | StreamingResponse:
        answer = self.answer(query_bundle.query_str)
        metadata = {"answer": answer, "abstained": answer.abstained, "citations": [c.model_dump() for c in answer.citations]}
        nodes = cited_nodes(answer)
        if self.streaming:
            return StreamingResponse(response_gen=_sentences(answer), source_nodes=nodes, metadata=metadata)
        return Response(response=answer.answer, source_nodes=nodes, metadata=metadata)

    async def _aquery(self, query_bundle: "QueryBundle") -> Response | StreamingResponse:
        return await asyncio.to_thread(self._query, query_bundle)


def _sentences(answer: "Answer") -> Iterator[str]:
    """The answer text in pieces that join to exactly `answer.answer`."""
    pieces = [s.text + "".join(f" [{n}]" for n in s.citation_ids) for s in answer.sentences]
    if " ".join(pieces) != answer.answer:
        yield answer.answer
        return
    for i, piece in enumerate(pieces):
        yield ("" if i == 0 else " ") + piece
