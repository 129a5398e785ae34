"""The naive baseline: LlamaIndex's VectorStoreIndex over Chroma with default chunking,
dense top-k, the single sentence most similar to the question, never abstains."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from index.embedding import Embedder
from index.sentences import sentence_spans

if TYPE_CHECKING:
    pass


def _embedding_adapter(embedder: Embedder) -> Any:
    from llama_index.core.embeddings import BaseEmbedding

    class Adapter(BaseEmbedding):
        """Our embedding model as a LlamaIndex embedding (so nothing is downloaded)."""

        def _get_query_embedding(self, query: str) -> list[float]:
            return embedder.embed([query])[0].tolist()

        def _get_text_embedding(self, text: str) -> list[float]:
            return embedder.embed([text])[0].tolist()

        def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts).tolist()

        async def _aget_query_embedding(self, query: str) -> list[float]:
            return self._get_query_embedding(query)

    return Adapter(model_name=embedder.name)


class LlamaIndexBaseline:
    """Built once per corpus into its own Chroma collection; answers with one sentence."""

    def __init__(self, client: Any, name: str, texts: list[tuple[str, str]], embedder: Embedder, top_k: int = 5):
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.core import Settings as LlamaSettings
        from llama_index.vector_stores.chroma import ChromaVectorStore

        LlamaSettings.llm = None
        self.embedder = embedder
        self.top_k = top_k
        collection_name = f"{name}-llamaindex"
        try:
            client.delete_collection(collection_name)
        except Exception:  # noqa: BLE001 - absent is fine
            pass
        collection = client.get_or_create_collection(collection_name, embedding_function=None)
        store = ChromaVectorStore(chroma_collection=collection)
        documents = [Document(text=text, metadata={"source": source}) for source, text in texts]
        self.index = VectorStoreIndex.from_documents(
            documents, storage_context=StorageContext.from_defaults(vector_store=store),
            embed_model=_embedding_adapter(embedder),
        )
        self.retriever = self.index.as_retriever(similarity_top_k=top_k)
        self._vectors: dict[str, np.ndarray] = {}

    def answer(self, question: str) -> tuple[str, list[tuple[str, str]]]:
        """The best sentence, and the retrieved (source, text) passages in rank order."""
        nodes = self.retriever.retrieve(question)
        passages = [(str(node.node.metadata.get("source", "")), node.node.get_content()) for node in nodes]
        sentences = [
            text[s:e] for node in nodes for text in [node.node.get_content()] for s, e in sentence_spans(text)
        ]
        if not sentences:
            return "", passages
        vector = self.embedder.embed([question])[0]
        missing = [s for s in dict.fromkeys(sentences) if s not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.embedder.embed(missing)))
        scores = np.array([self._vectors[s] @ vector for s in sentences])
        return sentences[int(np.argmax(scores))], passages
