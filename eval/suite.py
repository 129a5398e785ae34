"""The evaluation: every gold question through the same pipeline the API uses, scored.

Definitions (also written into every report):
- hit@k: a retrieved passage among the first k is relevant. Relevant: it contains (after
  normalisation) one of the question's evidence spans; without evidence, it comes from the
  question's source document.
- recall@k: share of the question's evidence spans found in the first k passages.
- MRR@10: mean of 1/rank of the first relevant passage (0 if none in 10).
- nDCG@10: binary relevance, ideal ranking with as many relevant passages as evidence spans.
- accuracy: answerable questions whose answer (not an abstention) contains a gold answer
  after SQuAD normalisation; for CLAPNQ, quotes an annotators' selected sentence.
- token F1: best SQuAD token F1 against the gold answers (an abstention scores 0).
- quote precision / recall (CLAPNQ): quoted sentences that are selected sentences / selected
  sentences that are quoted.
- citation exactness: citations whose quote equals the document text at their offsets.
- decline precision / recall: declined questions that are unanswerable / unanswerable
  questions declined; false abstention: answerable questions declined.
- ALCE citation recall / precision (Gao et al. 2023), judged by the support scorer
  (rag/verify.py): answer sentences whose cited passages support them; citations that are
  needed or sufficient for a supported sentence.
- AUC accuracy-coverage: questions answered in order of answerability; area under accuracy
  (correct answers among those answered, over all questions) against coverage.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Callable

from eval.corpora import ingest_corpus
from eval.datasets import Corpus, GoldQuestion, as_bytes
from eval.metrics import (
    accuracy_coverage,
    contains_answer,
    ndcg,
    normalize,
    percentile,
    reciprocal_rank,
    sentence_overlap,
    token_f1,
)
from index.embedding import Embedder
from rag.chat import Conversation
from rag.pipeline import Pipeline
from rag.schema import Answer
from rag.settings import Settings
from rag.verify import SupportScorer


def as_asked(question: GoldQuestion) -> str:
    """The question as the chat asks it: a follow-up (one with a `history`) resolved against
    the earlier questions, each resolved in turn, as `rag chat` and the API do."""
    return Conversation.of(question.history).resolve(question.question)


def _relevant(text: str, source: str, question: GoldQuestion) -> bool:
    if question.evidence:
        norm = normalize(text)
        return any(normalize(e) and normalize(e) in norm for e in question.evidence)
    return question.source is not None and source.rsplit("/", 1)[-1] == question.source


def _correct(question: GoldQuestion, text: str, dataset: str) -> bool:
    if not question.answerable:
        return False
    if dataset == "clapnq":
        return sentence_overlap(text, question.evidence)
    return contains_answer(text, question.answers) if question.answers else sentence_overlap(text, question.evidence)


def _quotes_vs_selected(answer: Answer, question: GoldQuestion) -> tuple[float, float]:
    quoted = [normalize(c.quote) for c in answer.citations]
    selected = [normalize(e) for e in question.evidence]
    match = lambda a, b: a and b and (a in b or b in a)  # noqa: E731
    precision = sum(any(match(q, s) for s in selected) for q in quoted) / len(quoted) if quoted else 0.0
    recall = sum(any(match(q, s) for q in quoted) for s in selected) / len(selected) if selected else 0.0
    return precision, recall


def alce(answer: Answer, scorer: SupportScorer) -> dict[str, int]:
    """ALCE citation recall and precision counts (Gao et al. 2023), the support scorer judging.

    A sentence is recalled when its cited passages together support it. A citation is
    precise when its sentence is recalled and the citation either supports the sentence
    alone or is needed (the other citations alone do not support it).
    """
    def passage_of(citation) -> str:
        for p in answer.passages:
            if p.document_id == citation.document_id and p.start_char <= citation.start_char and citation.end_char <= p.end_char:
                return p.text
        return citation.quote

    by_id = {c.id: c for c in answer.citations}
    counts = {"sentences": 0, "recalled": 0, "citations": 0, "precise": 0}
    for sentence in answer.sentences:
        cited = [passage_of(by_id[n]) for n in sentence.citation_ids if n in by_id]
        counts["sentences"] += 1
        counts["citations"] += len(cited)
        if not cited or not scorer.supports(sentence.text, cited):
            continue
        counts["recalled"] += 1
        for i, passage in enumerate(cited):
            others = cited[:i] + cited[i + 1 :]
            if scorer.supports(sentence.text, [passage]) or not (others and scorer.supports(sentence.text, others)):
                counts["precise"] += 1
    return counts


def _problem(row: dict, threshold: float) -> str:
    if row["answerable"] and row["abstained"]:
        return f"declined an answerable question (answerability {row['answerability']:.2f} < {threshold:.2f})"
    if row["answerable"] and not row["correct"]:
        where = "the evidence was retrieved" if row["recall@5"] > 0 else "the evidence was not retrieved"
        return f"the answer holds no gold answer ({where})"
    if not row["answerable"] and not row["abstained"]:
        return "answered an unanswerable question"
    if row["citation_exact"] < 1.0:
        return "a citation quote differs from the source text"
    return ""


def run_suite(
    settings: Settings,
    dataset: str,
    questions: list[GoldQuestion],
    corpus: Corpus,
    *,
    baseline: bool = False,
    embedder: Embedder | None = None,
    progress: Callable[[int, int], None] | None = None,
    judge: bool = True,
) -> dict:
    """Rows per question, for ours and (optionally) the naive LlamaIndex baseline."""
    store, embedder = ingest_corpus(settings, dataset, corpus, embedder)
    scorer = SupportScorer() if judge else None
    pipeline = Pipeline(settings, store.name, embedder=embedder)
    forced = settings.model_copy(update={"answer": settings.answer.model_copy(update={"abstain_threshold": 0.0})})
    would_be = Pipeline(forced, store.name, embedder=embedder)
    records = store.records()
    texts = {r.id: store.document_text(r.id) for r in records}
    naive = None
    if baseline:
        from eval.baseline import LlamaIndexBaseline

        read = {Path(r.source).name: texts.get(r.id) or "" for r in records}  # a PDF's text as ingest read it
        naive = LlamaIndexBaseline(
            store.client, store.name,
            [(n, t if isinstance(t, str) else read.get(n, "")) for n, t in corpus.files], embedder,
        )
    rows = []
    for done, question in enumerate(questions, start=1):
        asked = as_asked(question)
        answer = pipeline.ask(asked)
        fallback = would_be.ask(asked).answer if answer.abstained else answer.answer
        ranked = pipeline.retriever.retrieve(asked, 10)
        relevant = [_relevant(p.text, p.source, question) for p in ranked]
        found5 = " ".join(normalize(p.text) for p in ranked[:5])
        evidence = [normalize(e) for e in question.evidence if normalize(e)]
        row = {
            "id": question.id, "question": question.question, "answerable": question.answerable,
            **({"asked": asked} if question.history else {}),
            "answer": answer.answer, "abstained": answer.abstained, "answerability": answer.answerability,
            "would_be_answer": fallback,
            "correct": (not answer.abstained) and _correct(question, answer.answer, dataset),
            "would_be_correct": _correct(question, fallback, dataset),
            "f1": 0.0 if answer.abstained or not question.answers else token_f1(answer.answer, question.answers),
            "citations": [c.model_dump() for c in answer.citations],
            "citation_exact": (
                sum(texts.get(c.document_id, "")[c.start_char : c.end_char] == c.quote for c in answer.citations)
                / len(answer.citations) if answer.citations else 1.0
            ),
            "sentences_supported": sum(s.supported for s in answer.sentences),
            "sentences": len(answer.sentences),
            "hit@1": any(relevant[:1]), "hit@5": any(relevant[:5]), "hit@10": any(relevant[:10]),
            "recall@5": sum(e in found5 for e in evidence) / len(evidence) if evidence else float(any(relevant[:5])),
            "rr@10": reciprocal_rank(relevant), "ndcg@10": ndcg(relevant, len(evidence) or 1),
            "timings_ms": answer.timings_ms,
        }
        if scorer is not None:
            row["alce"] = alce(answer, scorer)
        if dataset == "clapnq" and question.answerable:
            row["quote_precision"], row["quote_recall"] = _quotes_vs_selected(answer, question)
        if naive is not None:
            started = time.perf_counter()
            text, passages = naive.answer(asked)
            hits = [_relevant(p_text, p_source, question) for p_source, p_text in passages]
            row["baseline"] = {
                "answer": text, "correct": _correct(question, text, dataset),
                "hit@1": any(hits[:1]), "hit@5": any(hits[:5]), "rr@5": reciprocal_rank(hits[:5]),
                "f1": token_f1(text, question.answers) if question.answers else 0.0,
                "ms": round((time.perf_counter() - started) * 1000, 2),
            }
        row["problem"] = _problem(row, pipeline.answerer.threshold)
        rows.append(row)
        if progress:
            progress(done, len(questions))
    return {
        "dataset": dataset,
        "config_fingerprint": pipeline.fingerprint,
        "embed_backend": pipeline.settings.index.embed_backend,
        "threshold": pipeline.answerer.threshold,
        "corpus": {name: hashlib.sha256(as_bytes(content)).hexdigest() for name, content in corpus.files},
        "rows": rows,
        "baseline": baseline,
    }


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _ratio(rows: list[dict], part: str, whole: str) -> float | None:
    total = sum(r["alce"][whole] for r in rows if "alce" in r)
    return round(sum(r["alce"][part] for r in rows if "alce" in r) / total, 4) if total else None


def summarize(result: dict) -> dict:
    """The metrics of a run, ours and (when run) the baseline's, from its rows."""
    rows = result["rows"]
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    declined = [r for r in rows if r["abstained"]]
    _, auc = accuracy_coverage([r["answerability"] for r in rows], [r["would_be_correct"] for r in rows])
    citations = sum(len(r["citations"]) for r in rows)
    ours = {
        "retrieval": {
            key: _mean([float(r[key]) for r in answerable])
            for key in ("hit@1", "hit@5", "hit@10", "recall@5", "rr@10", "ndcg@10")
        },
        "answers": {
            "accuracy": _mean([float(r["correct"]) for r in answerable]),
            "token_f1": _mean([r["f1"] for r in answerable]),
        },
        "grounding": {
            "citation_exactness": round(sum(r["citation_exact"] * len(r["citations"]) for r in rows) / citations, 4) if citations else 1.0,
            "sentences_supported": round(sum(r["sentences_supported"] for r in rows) / max(1, sum(r["sentences"] for r in rows)), 4),
            "alce_citation_recall": _ratio(rows, "recalled", "sentences"),
            "alce_citation_precision": _ratio(rows, "precise", "citations"),
        },
        "abstention": {
            "decline_precision": _mean([float(not r["answerable"]) for r in declined]),
            "decline_recall": _mean([float(r["abstained"]) for r in unanswerable]),
            "false_abstention": _mean([float(r["abstained"]) for r in answerable]),
            "auc_accuracy_coverage": round(auc, 4),
        },
        "latency_ms": {
            stage: {"p50": round(percentile(values, 0.5), 2), "p95": round(percentile(values, 0.95), 2)}
            for stage in ("embed", "retrieve", "answer", "total")
            for values in [[r["timings_ms"][stage] for r in rows if stage in r["timings_ms"]]]
        },
    }
    if result["dataset"] == "clapnq":
        ours["answers"]["quote_precision"] = _mean([r["quote_precision"] for r in answerable if not r["abstained"]])
        ours["answers"]["quote_recall"] = _mean([r["quote_recall"] for r in answerable])
    summary = {"questions": len(rows), "answerable": len(answerable), "unanswerable": len(unanswerable), "ours": ours}
    if result.get("baseline"):
        summary["baseline"] = {
            "retrieval": {
                "hit@1": _mean([float(r["baseline"]["hit@1"]) for r in answerable]),
                "hit@5": _mean([float(r["baseline"]["hit@5"]) for r in answerable]),
            },
            "answers": {
                "accuracy": _mean([float(r["baseline"]["correct"]) for r in answerable]),
                "token_f1": _mean([r["baseline"]["f1"] for r in answerable]),
            },
            "abstention": {"decline_precision": None, "decline_recall": 0.0 if unanswerable else None, "false_abstention": 0.0},
            "latency_ms": {"total": {
                "p50": round(percentile([r["baseline"]["ms"] for r in rows], 0.5), 2),
                "p95": round(percentile([r["baseline"]["ms"] for r in rows], 0.95), 2),
            }},
        }
    return summary
