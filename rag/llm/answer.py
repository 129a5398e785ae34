"""LLM-written answers, checked sentence by sentence against the passages they cite.

The LLM sees numbered passages and must end every sentence with their markers. What it
writes is then parsed: markers that name no passage are dropped, each sentence's support by
its cited passages is scored (`rag/verify.py`), unsupported sentences are removed (or kept,
flagged), and each citation quotes the span of the cited passage that best supports the
sentence, at exact document offsets. Nothing the LLM writes reaches the user unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Sequence

from index.sentences import sentence_spans
from rag.draft import Draft
from rag.errors import LlmUnavailable
from rag.injection import is_instruction
from rag.llm.backend import LlmBackend
from rag.llm.precheck import Prechecks
from rag.prompts import answer_messages
from rag.retrieve import Passage
from rag.schema import ABSTAIN_TEXT, AnswerSentence, Citation
from rag.settings import LlmSettings
from rag.verify import Judgement, SupportScorer

MARKERS = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
_LEADING_MARKERS = re.compile(r"^\s*(?:\[\d{1,3}(?:\s*[,;]\s*\d{1,3})*\]\s*)+")
_REFUSAL = re.compile(
    r"documents? (?:do|does) not (?:say|contain|mention|answer)|passages? (?:do|does) not (?:say|contain|mention|answer)"
    r"|not (?:stated|mentioned|found) in the (?:passages|documents)|cannot (?:be )?answer",
    re.I,
)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")


@dataclass
class DraftSentence:
    """One sentence of the LLM's text: its words without markers, and the markers it used."""

    text: str
    markers: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)


def _numbers(group: str) -> list[int]:
    return [int(n) for match in MARKERS.finditer(group) for n in re.split(r"\s*[,;]\s*", match.group(1))]


def parse_draft(generated: str, passage_count: int) -> list[DraftSentence]:
    """Sentences with their markers. A marker group that opens a sentence ("found. [1] Then")
    belongs to the sentence before it; numbers outside 1..passage_count are set aside."""
    sentences: list[DraftSentence] = []
    for start, end in sentence_spans(generated):
        piece = generated[start:end]
        lead = _LEADING_MARKERS.match(piece)
        if lead and sentences:
            _add(sentences[-1], _numbers(lead.group()), passage_count)
            piece = piece[lead.end():]
        text = _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(MARKERS.sub(" ", piece).split())).strip()
        if not any(ch.isalnum() for ch in text):
            if sentences:
                _add(sentences[-1], _numbers(piece), passage_count)
            continue
        sentence = DraftSentence(text)
        _add(sentence, _numbers(piece), passage_count)
        sentences.append(sentence)
    return sentences


def _add(sentence: DraftSentence, numbers: list[int], passage_count: int) -> None:
    for n in numbers:
        target = sentence.markers if 1 <= n <= passage_count else sentence.unknown
        if n not in target:
            target.append(n)


def is_refusal(generated: str) -> bool:
    text = " ".join(generated.split())
    return text.startswith(ABSTAIN_TEXT[:-1]) or (bool(_REFUSAL.search(text)) and not MARKERS.search(text))


class LlmAnswerer:
    """Asks the backend for a cited answer, then checks every sentence."""

    def __init__(self, backend: LlmBackend, scorer: SupportScorer, settings: LlmSettings):
        self.backend = backend
        self.scorer = scorer
        self.settings = settings

    @property
    def label(self) -> str:
        if getattr(self.backend, "label", None):  # a backend that names itself (a LlamaIndex LLM)
            return str(self.backend.label)
        if self.backend.name == "llamacpp":
            return f"llamacpp:{self.settings.gguf_path.name if self.settings.gguf_path else '?'}"
        return f"{self.backend.name}:{self.settings.model}"

    def prechecks(self, passages: Sequence[Passage]) -> Prechecks:
        """What `generate` feeds and `check` reads, to check sentences while the LLM writes."""
        return Prechecks(lambda draft: self._judge(draft, passages), lambda text: parse_draft(text, len(passages)))

    def generate(self, question: str, passages: Sequence[Passage], on_token: Callable[[str], None] | None = None,
                 prechecks: Prechecks | None = None) -> str:
        """The LLM's raw text. Raises LlmUnavailable when the backend fails or writes nothing usable.
        `prechecks` (from `self.prechecks(passages)`) is fed the text as it comes."""
        messages = answer_messages(question, [(p.title, p.text) for p in passages])
        pieces = []
        for token in self.backend.stream(messages, max_tokens=self.settings.max_tokens, temperature=self.settings.temperature):
            pieces.append(token)
            if on_token is not None:
                on_token(token)
            if prechecks is not None:
                prechecks.feed(token)
        generated = "".join(pieces).strip()
        if not generated:
            raise LlmUnavailable("the LLM returned an empty answer")
        if sum(ch.isalpha() for ch in generated) < 0.3 * len(generated):
            raise LlmUnavailable(f"the LLM returned garbled text: {generated[:80]!r}")
        return generated

    def _judge(self, draft: DraftSentence, passages: Sequence[Passage]) -> list[Judgement]:
        """One judgement per cited passage: its best piece read is the citation's quote, and the
        best of them is the sentence's support. Reading stops once a piece supports the sentence
        (`SupportScorer.settle`), so the other passages' quotes are their best pieces read by then
        (at least the one sharing the most words with the sentence)."""
        cited = [passages[m - 1] for m in draft.markers]
        return self.scorer.judge_each(draft.text, [p.text for p in cited], [p.spans for p in cited])

    def check(self, generated: str, passages: Sequence[Passage], prechecks: Prechecks | None = None) -> Draft:
        """The checked draft made from the LLM's text, using the judgements `prechecks` made
        while it was written."""
        base = {"answered_by": self.label, "generated": generated}
        if is_refusal(generated):
            return Draft(**base)
        drafts = parse_draft(generated, len(passages))
        if not any(d.markers for d in drafts):
            raise LlmUnavailable("the LLM's answer cites none of the passages")
        warnings = [
            f"dropped citation marker [{n}]: there are only {len(passages)} passages"
            for d in drafts for n in d.unknown
        ]
        kept: list[tuple[DraftSentence, list[Judgement], float, bool]] = []
        removed: list[AnswerSentence] = []
        for draft in drafts:
            early = prechecks.judged(draft) if prechecks is not None else None
            judged = early if early is not None else self._judge(draft, passages)
            support = max((j.score for j in judged), default=0.0)
            supported = bool(draft.markers) and support >= self.scorer.calibration.threshold
            if supported or self.settings.keep_unsupported:
                kept.append((draft, judged, support, supported))
            else:
                removed.append(AnswerSentence(text=draft.text, citation_ids=[], supported=False,
                                              support_score=round(support, 4), passage_ids=draft.markers))
        if removed:
            warnings.append(f"removed {len(removed)} of {len(drafts)} sentences that their cited passages do not support")
        citations, sentences, parts = self._cite(kept, passages)
        if not any(s.supported for s in sentences):
            return Draft(warnings=warnings, removed_sentences=removed,
                         sentences=sentences if self.settings.keep_unsupported else [], **base)
        return Draft(answer=" ".join(parts), abstained=False, citations=citations, sentences=sentences,
                     warnings=warnings, removed_sentences=removed, **base)

    def _cite(self, kept: list[tuple[DraftSentence, list[Judgement], float, bool]], passages: Sequence[Passage]):
        citations: list[Citation] = []
        by_span: dict[tuple[str, int, int], int] = {}
        sentences, parts = [], []
        for draft, judged, support, supported in kept:
            ids = []
            for marker, judgement in zip(draft.markers, judged):
                passage = passages[marker - 1]
                start, end = _quote_span(passage, judgement)
                key = (passage.document_id, passage.start_char + start, passage.start_char + end)
                if key not in by_span:
                    by_span[key] = len(citations) + 1
                    citations.append(Citation(
                        id=by_span[key], document_id=passage.document_id, source=passage.source, title=passage.title,
                        start_char=key[1], end_char=key[2], quote=passage.text[start:end],
                        score=round(judgement.score, 4),
                    ))
                if by_span[key] not in ids:
                    ids.append(by_span[key])
            sentences.append(AnswerSentence(text=draft.text, citation_ids=ids, supported=supported,
                                            support_score=round(support, 4), passage_ids=draft.markers))
            parts.append(" ".join([draft.text, "".join(f"[{n}]" for n in ids)]).strip())
        return citations, sentences, parts


def _quote_span(passage: Passage, judgement: Judgement) -> tuple[int, int]:
    """The checker's best piece of the passage, or (when it read none: only planted instructions
    or blank text) its first sentence, so every citation still quotes the passage verbatim."""
    if judgement.end > judgement.start:
        return judgement.start, judgement.end
    text = passage.text
    spans = [(s, e) for s, e in passage.spans if not is_instruction(text[s:e])] or passage.spans
    return spans[0] if spans else (0, len(text))
