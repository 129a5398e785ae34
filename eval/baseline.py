"""The naive baseline: dense top-k from Chroma, the single most similar sentence, never abstains."""

from __future__ import annotations

import numpy as np

from index.embedding import Embedder
from index.sentences import sentence_spans
from rag.retrieve import Retriever


def baseline_answer(retriever: Retriever, embedder: Embedder, question: str, top_k: int) -> str:
    vector = embedder.embed([question])[0]
    passages = retriever.retrieve(question, top_k, mode="dense", query_vector=vector)
    sentences = [p.text[s:e] for p in passages for s, e in sentence_spans(p.text)]
    if not sentences:
        return ""
    scores = embedder.embed(sentences) @ vector
    return sentences[int(np.argmax(scores))]
