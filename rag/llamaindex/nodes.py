"""Our passages as LlamaIndex nodes: a `TextNode` per chunk whose `start_char_idx` and
`end_char_idx` are exact offsets into the stored document text (so
`document_text[start_char_idx:end_char_idx] == node.text`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore

    from rag.retrieve import Passage
    from rag.schema import Answer, RetrievedPassage


def to_node(passage: "Passage | RetrievedPassage", score: float | None = None, **extra: object) -> "NodeWithScore":
    from llama_index.core.schema import NodeRelationship, NodeWithScore, RelatedNodeInfo, TextNode

    metadata = {
        "document_id": passage.document_id, "source": passage.source, "title": passage.title,
        "date": passage.date, "dense_score": passage.dense_score, "bm25_score": passage.bm25_score, **extra,
    }
    node = TextNode(
        id_=passage.chunk_id,
        text=passage.text,
        start_char_idx=passage.start_char,
        end_char_idx=passage.end_char,
        metadata=metadata,
        # What a prompt or an embedding built by LlamaIndex sees of a node: its title, not the scores.
        excluded_llm_metadata_keys=[k for k in metadata if k != "title"],
        excluded_embed_metadata_keys=list(metadata),
        relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=passage.document_id)},
    )
    return NodeWithScore(node=node, score=passage.score if score is None else score)


def cited_nodes(answer: "Answer") -> list["NodeWithScore"]:
    """The passages an answer cites, in the order of their first citation; each node's
    `citation_ids` metadata lists the markers [n] that point into it."""
    cited: dict[int, list[int]] = {}
    for citation in answer.citations:
        for index, passage in enumerate(answer.passages):
            if (passage.document_id == citation.document_id
                    and passage.start_char <= citation.start_char and citation.end_char <= passage.end_char):
                cited.setdefault(index, []).append(citation.id)
                break
    return [to_node(answer.passages[index], citation_ids=ids) for index, ids in cited.items()]


def passage_nodes(passages: Sequence["Passage"]) -> list["NodeWithScore"]:
    return [to_node(passage) for passage in passages]
