"""From a question to a cited answer: retrieve, select, compose. The one path that the CLI,
the API and the evaluation all use."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Callable, NamedTuple

from index.embedding import Embedder, check_backend, embedder_from_settings
from index.fingerprint import Fingerprint
from index.headings import term_above
from index.store import open_store
from rag.calibration import CALIBRATION_PATH, load_calibration
from rag.draft import Draft
from rag.errors import InvalidInput, LlmUnavailable, check_text
from rag.extractive import ExtractiveAnswerer
from rag.front_matter import asks_front_matter
from rag.reader import model_version, shared_reader
from rag.retrieve import Filters, Passage, Retriever
from rag.schema import Answer, AnswerSentence, Citation, RetrievedPassage, display_text
from rag.settings import IndexSettings, Settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

    from rag.extractive import Candidate
    from rag.llm.answer import LlmAnswerer
    from rag.llm.backend import LlmBackend

def config_fingerprint(settings: Settings) -> str:
    """Hash of everything that shapes an answer: index, retrieval and answer settings and the
    answerer's calibration. Where the data lives does not count."""
    payload = {
        "index": asdict(Fingerprint.from_settings(settings)),
        "retrieval": settings.retrieval.model_dump(),
        "answer": settings.answer.model_dump(),
        "calibration": hashlib.sha256(CALIBRATION_PATH.read_bytes()).hexdigest()[:16],
        "reader": model_version(),
    }
    if settings.llm.backend != "extractive":
        from rag.checker import model_version as checker_version
        from rag.prompts import PROMPT_VERSION
        from rag.verify import SUPPORT_CALIBRATION_PATH

        payload["llm"] = settings.llm.model_dump(
            include={"backend", "model", "max_tokens", "temperature", "keep_unsupported"}
        ) | {
            "gguf": settings.llm.gguf_path.name if settings.llm.gguf_path else None,
            "prompts": PROMPT_VERSION,
            "support_calibration": hashlib.sha256(SUPPORT_CALIBRATION_PATH.read_bytes()).hexdigest()[:16],
            "checker": checker_version(),
        }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


class Pipeline:
    """Answers questions over one collection."""

    def __init__(
        self, settings: Settings, collection: str | None = None, embedder: Embedder | None = None,
        llm: "LlmBackend | LLM | None" = None, embedder_for: Callable[[IndexSettings], Embedder] | None = None,
    ):
        """`embedder`, when given, is used as it is; otherwise `embedder_for` (a cache shared by
        collections, say) or a new one makes the embedder of the collection's own backend.
        `llm`: a backend, or any LlamaIndex `LLM` (`rag.llamaindex.llm`), that writes the answers
        in place of the one the settings name; its answers are checked the same way."""
        self.store = open_store(settings, collection, for_querying=True)
        self.settings = settings = settings.model_copy(update={"index": self.store.index_settings})
        self.embedder = embedder or (embedder_for or embedder_from_settings)(settings.index)
        check_backend(self.embedder, settings.index, self.store.name)
        self.retriever = Retriever(self.store, self.embedder, candidates=settings.retrieval.candidates)
        self.answerer = ExtractiveAnswerer(
            self.embedder, load_calibration(), settings.answer.max_sentences, settings.answer.abstain_threshold,
            reader=shared_reader(),
        )
        self.fingerprint = config_fingerprint(settings)
        self.llm_answerer = self._llm_answerer(llm)
        if llm is not None and self.llm_answerer is not None:  # an LLM the settings do not name shapes answers too
            self.fingerprint = hashlib.sha256(f"{self.fingerprint}:{self.llm_answerer.label}".encode()).hexdigest()[:16]

    def _llm_answerer(self, llm: "LlmBackend | LLM | None") -> "LlmAnswerer | None":
        if llm is not None:
            from rag.llamaindex.llm import LlamaIndexBackend, is_llama_index_llm

            if is_llama_index_llm(llm):
                llm = LlamaIndexBackend(llm)
        if llm is None:
            from rag.llm.backend import backend_from_settings

            llm = backend_from_settings(self.settings.llm)
        if llm is None:
            return None
        from rag.llm.answer import LlmAnswerer
        from rag.verify import SupportScorer

        return LlmAnswerer(llm, SupportScorer(), self.settings.llm)

    def condense(self, history: list[str], question: str) -> str | None:
        """A standalone version of a follow-up question, written by the LLM; None without an
        LLM, when it is switched off, or when the LLM fails or writes something unusable."""
        if self.llm_answerer is None or not self.settings.llm.condense_followups or not history:
            return None
        from rag.llm.backend import complete
        from rag.prompts import condense_messages

        try:
            text = complete(self.llm_answerer.backend, condense_messages(history, question), max_tokens=96, temperature=0.0)
        except LlmUnavailable as exc:
            log.warning("could not condense the follow-up (%s); using the heuristic", exc)
            return None
        line = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
        if not line or len(line) > 3 * len(question) + 200 or not any(ch.isalpha() for ch in line):
            return None
        return line

    def warm_up(self) -> None:
        """Do now what the first question would otherwise pay for: load the embedding model and
        run it once, bring the BM25 mirror in step with the collection, and go through
        retrieval and sentence selection once (never the LLM)."""
        question = "warm up"
        vector = self.embedder.embed([question])[0]
        with self.store.storage_errors():
            passages = self.retriever.retrieve(question, self.settings.retrieval.top_k, mode=self.settings.retrieval.mode,
                                               query_vector=vector)
        self.answerer.select(question, passages, vector, self.retriever.bm25.idf)

    def check_question(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise InvalidInput("question must not be empty")
        check_text(question, "the question")
        limit = self.settings.answer.max_question_chars
        if len(question) > limit:
            raise InvalidInput(f"question must be at most {limit} characters, got {len(question)}")
        return question.strip()

    def checked(self, question: str, top_k: int | None = None) -> "Checked":
        """The question and top_k as `ask` will use them, or InvalidInput: a door that must
        refuse bad input before it starts answering (a stream) checks once, here."""
        question = self.check_question(question)
        top_k = self.settings.retrieval.top_k if top_k is None else top_k
        if not 1 <= top_k <= 50:
            raise InvalidInput(f"top_k must be between 1 and 50, got {top_k}")
        return Checked(question, top_k)

    def ask(
        self, question: "str | Checked", top_k: int | None = None, filters: Filters | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Answer:
        """The cited answer. With an LLM configured, `on_token` sees its text as it is written
        (unchecked); the returned answer is the checked one. `question` may come from
        `checked` (then `top_k` is its own)."""
        question, top_k = question if isinstance(question, Checked) else self.checked(question, top_k)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        vector = self.embedder.embed([question])[0]
        timings["embed"] = (time.perf_counter() - started) * 1000
        mark = time.perf_counter()
        with self.store.storage_errors():  # a damaged or vanished data directory: a clear error
            passages = self.retriever.retrieve(
                question, top_k, filters, mode=self.settings.retrieval.mode, query_vector=vector
            )
            if passages and asks_front_matter(question):  # "Who wrote ...?": the opening names the authors
                passages += self.retriever.openings(passages)
        timings["retrieve"] = (time.perf_counter() - mark) * 1000
        mark = time.perf_counter()
        selection = self.answerer.select(question, passages, vector, self.retriever.bm25.idf)
        timings["answer"] = (time.perf_counter() - mark) * 1000
        draft = compose([] if selection.abstained else selection.sentences, passages)
        if self.llm_answerer is not None and passages:
            draft = self._llm_draft(question, passages, draft, timings, on_token)
        timings["total"] = (time.perf_counter() - started) * 1000
        return self._answer(question, draft, passages, selection.answerability, timings)

    def check_generated(self, question: str, generated: str, answerability: float = 0.0) -> Answer:
        """The checked answer for text an LLM wrote earlier (to re-check it offline): the
        question's passages are retrieved again; nothing is generated."""
        question, top_k = self.checked(question)
        passages = self.retriever.retrieve(question, top_k, mode=self.settings.retrieval.mode)
        if passages and asks_front_matter(question):  # as `ask` read them
            passages += self.retriever.openings(passages)
        return self._answer(question, self.llm_answerer.check(generated, passages), passages, answerability, {})

    def _answer(self, question: str, draft: Draft, passages: list[Passage], answerability: float,
                timings: dict[str, float]) -> Answer:
        """The one place an `Answer` is made: the draft, with what the pipeline knows."""
        return Answer(
            question=question,
            answerability=round(answerability, 4),
            passages=[RetrievedPassage(**{k: getattr(p, k) for k in RetrievedPassage.model_fields}) for p in passages],
            timings_ms={k: round(v, 2) for k, v in timings.items()},
            config_fingerprint=self.fingerprint,
            collection=self.store.name,
            **{f.name: getattr(draft, f.name) for f in fields(draft)},
        )

    def _llm_draft(self, question: str, passages: list[Passage], extractive: Draft, timings: dict[str, float],
                   on_token: Callable[[str], None] | None) -> Draft:
        """The LLM's checked draft, or the extractive one with a warning when the LLM fails."""
        llm = self.llm_answerer
        mark = time.perf_counter()
        try:
            # Sentences are checked as the LLM finishes them; "verify" is what is left after it stops.
            with llm.prechecks(passages) as prechecks:
                generated = llm.generate(question, passages, on_token, prechecks)
                timings["generate"] = (time.perf_counter() - mark) * 1000
                mark = time.perf_counter()
                draft = llm.check(generated, passages, prechecks)
                timings["verify"] = (time.perf_counter() - mark) * 1000
            return draft
        except LlmUnavailable as exc:
            timings.setdefault("generate", (time.perf_counter() - mark) * 1000)
            log.warning("LLM answer failed (%s); answering extractively", exc)
            extractive.warnings = [*extractive.warnings, f"The LLM could not answer ({exc}); this is the extractive answer."]
            return extractive


class Checked(NamedTuple):
    """A question and top_k that `Pipeline.checked` accepted."""

    question: str
    top_k: int


def compose(chosen: list["Candidate"], passages: list[Passage]) -> Draft:
    """The extractive draft: the chosen sentences quoted with [n] markers and their citations."""
    citations, sentences, parts = [], [], []
    for number, candidate in enumerate(chosen, start=1):
        passage = passages[candidate.passage]
        offset = candidate.start_char - passage.start_char
        end = offset + candidate.end_char - candidate.start_char
        # The first sentence of a term's description is quoted with its term ("-r,
        # --no-run-if-empty" over "If the standard input ... do not run the command.").
        at = next((i for i, (start, _) in enumerate(passage.spans) if start == offset), None)
        lead = term_above(passage.text, passage.spans, at) if at is not None else None
        offset = offset if lead is None else lead
        quote = passage.text[offset:end]
        citations.append(Citation(
            id=number, document_id=passage.document_id, source=passage.source, title=passage.title,
            start_char=passage.start_char + offset, end_char=candidate.end_char, quote=quote,
            score=round(candidate.probability, 4),
        ))
        # A sentence inside a transcript's turn says who said it, as the turn's label does for its
        # first: "Ama Owusu: I'll send it to them, ..." (the quote is the sentence alone).
        text = f"{candidate.speaker}: {display_text(quote)}" if candidate.speaker else display_text(quote)
        sentences.append(AnswerSentence(text=text, citation_ids=[number], supported=True, support_score=1.0))
        parts.append(f"{text} [{number}]")
    if not parts:
        return Draft()
    return Draft(answer=" ".join(parts), abstained=False, citations=citations, sentences=sentences)
