"""From a question to a cited answer: retrieve, select, compose. The one path that the CLI,
the API and the evaluation all use."""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict
from typing import TYPE_CHECKING

from index.embedding import Embedder, embedder_from_settings
from index.store import Fingerprint, open_store
from rag.errors import InvalidInput
from rag.extractive import CALIBRATION_PATH, ExtractiveAnswerer, load_calibration
from rag.retrieve import Filters, Passage, Retriever
from rag.schema import ABSTAIN_TEXT, Answer, AnswerSentence, Citation, RetrievedPassage
from rag.settings import Settings

if TYPE_CHECKING:
    from rag.extractive import Candidate

_MARKER = re.compile(r"\[(\d{1,3})\]")


def config_fingerprint(settings: Settings) -> str:
    """Hash of everything that shapes an answer: index, retrieval and answer settings and the
    answerer's calibration. Where the data lives does not count."""
    payload = {
        "index": asdict(Fingerprint.from_settings(settings)),
        "retrieval": settings.retrieval.model_dump(),
        "answer": settings.answer.model_dump(),
        "calibration": hashlib.sha256(CALIBRATION_PATH.read_bytes()).hexdigest()[:16],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def display_text(sentence: str) -> str:
    """A quoted sentence as shown in an answer: one line, and bracketed numbers from the source
    shown as (n) so they can never pass for citation markers."""
    return _MARKER.sub(r"(\1)", " ".join(sentence.split()))


class Pipeline:
    """Answers questions over one collection."""

    def __init__(self, settings: Settings, collection: str | None = None, embedder: Embedder | None = None):
        self.settings = settings
        self.store = open_store(settings, collection, for_querying=True)
        self.embedder = embedder or embedder_from_settings(settings.index)
        self.retriever = Retriever(self.store, self.embedder, candidates=settings.retrieval.candidates)
        self.answerer = ExtractiveAnswerer(
            self.embedder, load_calibration(), settings.answer.max_sentences, settings.answer.abstain_threshold
        )
        self.fingerprint = config_fingerprint(settings)

    def check_question(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidInput("question must not be empty")
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise InvalidInput(f"question must be at most {limit} characters, got {len(question)}")
        return question.strip()

    def ask(self, question: str, top_k: int | None = None, filters: Filters | None = None) -> Answer:
        question = self.check_question(question)
        top_k = self.settings.retrieval.top_k if top_k is None else top_k
        if not 1 <= top_k <= 50:
            raise InvalidInput(f"top_k must be between 1 and 50, got {top_k}")
        timings: dict[str, float] = {}
        started = time.perf_counter()
        vector = self.embedder.embed([question])[0]
        timings["embed"] = (time.perf_counter() - started) * 1000
        mark = time.perf_counter()
        passages = self.retriever.retrieve(
            question, top_k, filters, mode=self.settings.retrieval.mode, query_vector=vector
        )
        timings["retrieve"] = (time.perf_counter() - mark) * 1000
        mark = time.perf_counter()
        selection = self.answerer.select(question, passages, vector, self.retriever.bm25.idf)
        timings["answer"] = (time.perf_counter() - mark) * 1000
        chosen = [] if selection.abstained else selection.sentences
        answer = compose(question, chosen, passages, selection.answerability)
        timings["total"] = (time.perf_counter() - started) * 1000
        return answer.model_copy(update={
            "timings_ms": {k: round(v, 2) for k, v in timings.items()},
            "config_fingerprint": self.fingerprint,
            "collection": self.store.name,
        })


def compose(question: str, chosen: list["Candidate"], passages: list[Passage], answerability: float) -> Answer:
    """The answer text with [n] markers, its citations and sentences, from chosen candidates."""
    citations, sentences, parts = [], [], []
    for number, candidate in enumerate(chosen, start=1):
        passage = passages[candidate.passage]
        offset = candidate.start_char - passage.start_char
        quote = passage.text[offset : offset + candidate.end_char - candidate.start_char]
        citations.append(Citation(
            id=number, document_id=passage.document_id, source=passage.source, title=passage.title,
            start_char=candidate.start_char, end_char=candidate.end_char, quote=quote,
            score=round(candidate.probability, 4),
        ))
        text = display_text(quote)
        sentences.append(AnswerSentence(text=text, citation_ids=[number], supported=True, support_score=1.0))
        parts.append(f"{text} [{number}]")
    return Answer(
        question=question,
        answer=" ".join(parts) if parts else ABSTAIN_TEXT,
        abstained=not parts,
        answerability=round(answerability, 4),
        citations=citations,
        sentences=sentences,
        passages=[RetrievedPassage(**{k: getattr(p, k) for k in RetrievedPassage.model_fields}) for p in passages],
        config_fingerprint="",
        collection="",
    )
