"""The grounded pipeline as LlamaIndex parts, on the demo corpus with the real model and Chroma:
the retriever's nodes are our retrieval, the query engine's answer is `rag ask`'s, and a
LlamaIndex LLM goes through the same checking and fallback."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from llama_index.core.llms import CustomLLM, LLMMetadata
from llama_index.core.llms.callbacks import llm_completion_callback
from llama_index.core.llms.mock import MockLLM
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters
from typer.testing import CliRunner

from index.commands import run_ingest
from rag.cli import app
from rag.errors import InvalidInput
from rag.llamaindex.query_engine import GroundedQueryEngine
from rag.llamaindex.retriever import GroundedRetriever
from rag.pipeline import Pipeline
from rag.settings import Settings
from tests.support.paths import REPO, SEEDS

QUESTIONS = [
    "When was the pipe bomb discovered?",
    "Who is the DHS inspector general behind the Jan. 6 report?",
    "How old was Thomas Matthew Crooks?",
    "What is the capital of Australia?",  # not in the documents
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("llamaindex") / "data"
    run_ingest(Settings(data_dir=root, chroma_url=None, collection="default"), [SEEDS])
    return root


@pytest.fixture(scope="module")
def pipeline(data_dir) -> Pipeline:
    return Pipeline(Settings(data_dir=data_dir, chroma_url=None, collection="default"))


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_retrievers_nodes_are_our_retrieval_with_exact_offsets(pipeline, question):
    nodes = GroundedRetriever(pipeline, top_k=6).retrieve(question)
    passages = pipeline.retriever.retrieve(question, 6, mode=pipeline.settings.retrieval.mode)
    assert [(n.node.node_id, n.score, n.node.start_char_idx, n.node.end_char_idx) for n in nodes] == [
        (p.chunk_id, p.score, p.start_char, p.end_char) for p in passages
    ]
    for node in nodes:
        text = pipeline.store.document_text(node.node.metadata["document_id"])
        assert text[node.node.start_char_idx : node.node.end_char_idx] == node.node.text
        assert node.node.ref_doc_id == node.node.metadata["document_id"]


def test_metadata_filters_map_onto_sources_and_dates(pipeline):
    sources = {r.source for r in pipeline.store.records()}
    one = sorted(sources)[0]
    nodes = GroundedRetriever(pipeline, top_k=10, filters=MetadataFilters(filters=[
        MetadataFilter(key="source", value=one, operator=FilterOperator.EQ),
    ])).retrieve("What happened?")
    assert nodes and {n.node.metadata["source"] for n in nodes} == {one}
    future = MetadataFilters(filters=[MetadataFilter(key="date", value="2999-01-01", operator=FilterOperator.GTE)])
    assert GroundedRetriever(pipeline, filters=future).retrieve("What happened?") == []
    for unmapped in (
        MetadataFilter(key="title", value="x", operator=FilterOperator.EQ),
        MetadataFilter(key="source", value="x", operator=FilterOperator.NE),
    ):
        with pytest.raises(InvalidInput, match="does not map"):
            GroundedRetriever(pipeline, filters=MetadataFilters(filters=[unmapped]))


def test_the_query_engine_answers_as_rag_ask_does(pipeline, data_dir):
    engine = GroundedQueryEngine(pipeline)
    runner = CliRunner()
    for question in QUESTIONS:
        response = engine.query(question)
        cli = runner.invoke(app, ["ask", question, "--json"], env={"RAG_DATA_DIR": str(data_dir)}, catch_exceptions=False)
        expected = json.loads(cli.stdout)
        answer = response.metadata["answer"]
        assert response.response == expected["answer"] == answer.answer
        assert [c.model_dump() for c in answer.citations] == expected["citations"] == response.metadata["citations"]
        assert response.metadata["abstained"] == expected["abstained"]
        cited = {n.node.node_id for n in response.source_nodes}
        assert len(cited) == len(response.source_nodes)
        for citation in answer.citations:  # every citation lies inside one of the source nodes
            assert any(
                n.node.metadata["document_id"] == citation.document_id
                and n.node.start_char_idx <= citation.start_char and citation.end_char <= n.node.end_char_idx
                and citation.id in n.node.metadata["citation_ids"]
                for n in response.source_nodes
            )
        if expected["abstained"]:
            assert response.source_nodes == []


def test_async_and_streaming_queries_give_the_same_answer(pipeline):
    question = QUESTIONS[0]
    plain = GroundedQueryEngine(pipeline).query(question)
    awaited = asyncio.run(GroundedQueryEngine(pipeline).aquery(question))
    assert awaited.response == plain.response and awaited.metadata["citations"] == plain.metadata["citations"]
    streamed = GroundedQueryEngine(pipeline, streaming=True).query(question)
    pieces = list(streamed.response_gen)
    assert len(pieces) >= 1 and "".join(pieces) == plain.response
    assert [n.node.node_id for n in streamed.source_nodes] == [n.node.node_id for n in plain.source_nodes]
    assert asyncio.run(GroundedRetriever(pipeline).aretrieve(question))[0].node.node_id == GroundedRetriever(pipeline).retrieve(question)[0].node.node_id


def test_a_llama_index_mock_llm_goes_through_checking(data_dir):
    """MockLLM writes back its prompt: the instructions and the passages. What reaches the
    answer must be supported by what it cites; the rest is removed, as for any LLM."""
    pipeline = Pipeline(Settings(data_dir=data_dir, chroma_url=None, collection="default"), llm=MockLLM())
    answer = pipeline.ask(QUESTIONS[0])
    assert answer.answered_by == "llamaindex:MockLLM:unknown"
    assert answer.generated and "assistant:" in answer.generated  # what MockLLM wrote, before checking
    assert answer.removed_sentences, "the echoed instructions are not supported by any passage"
    for sentence in answer.sentences:
        assert sentence.supported
    store = pipeline.store
    for citation in answer.citations:
        assert store.document_text(citation.document_id)[citation.start_char : citation.end_char] == citation.quote
    assert answer.config_fingerprint != Pipeline(Settings(data_dir=data_dir, chroma_url=None, collection="default")).fingerprint


class BrokenLLM(CustomLLM):
    """A LlamaIndex LLM whose endpoint is down."""

    @property
    def metadata(self) -> LLMMetadata:
        return LLMMetadata(model_name="broken")

    @llm_completion_callback()
    def complete(self, prompt, formatted=False, **kwargs):
        raise ConnectionError("connection refused")

    @llm_completion_callback()
    def stream_complete(self, prompt, formatted=False, **kwargs):
        raise ConnectionError("connection refused")


def test_a_failing_llama_index_llm_falls_back_to_the_extractive_answer(data_dir):
    settings = Settings(data_dir=data_dir, chroma_url=None, collection="default")
    answer = Pipeline(settings, llm=BrokenLLM()).ask(QUESTIONS[0])
    extractive = Pipeline(settings).ask(QUESTIONS[0])
    assert answer.answer == extractive.answer and answer.answered_by == "extractive"
    assert any("llamaindex:BrokenLLM:broken failed: ConnectionError: connection refused" in w for w in answer.warnings)


@pytest.mark.slow
def test_the_example_script_runs(tmp_path):
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / "llamaindex.py"), "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "1:05 p.m." in done.stdout and "[1]" in done.stdout
    assert "The documents do not say." in done.stdout
