"""Fit the extractive answerer's two models on the benchmarks' dev splits.

    rag eval calibrate [--data-dir .rag] [--out rag/calibration.json]

Only dev data is used: the SQuAD 2.0 sample and CLAPNQ dev records (split by the SHA-256 of
the id as the benchmarks' README says; test records are never read here) and the project's
own dev questions over the seed article (`eval/gold/seed-dev.jsonl`: one long document and
paraphrased questions, the shape of a user's corpus, which the benchmarks' one-paragraph
contexts and word-for-word questions lack). The seed gold set `eval/gold/seed.jsonl` is the
test set and is never read here. Writes the coefficients, the abstention threshold and the
dev metrics they reach.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from eval.corpora import ingest_corpus
from eval.datasets import SEEDS, corpus_from, load_benchmark, load_gold
from eval.metrics import contains_answer, normalize, roc_auc
from index.embedding import Embedders
from index.sentence_vectors import SentenceVectorSource
from rag.calibration import THRESHOLD_PLACES, Calibration, LinearModel, ReaderStage
from rag.errors import InvalidInput
from rag.extractive import (
    ANSWERABLE_FEATURES,
    RANK_FEATURES,
    READER_FEATURES,
    SELECT_FEATURES,
    Candidate,
    apply_reader,
    build_candidates,
    context_features,
    feature_matrix,
    question_features,
    reader_logits,
    reading_pool,
    score,
)
from rag.negation import affirmed
from rag.question import asked_value
from rag.reader import Reader
from rag.retrieve import Retriever
from rag.settings import Settings

# The share of each dev set's unanswerable questions the threshold declines at least: higher
# put one-line facts in small notes just under it (the measurements: docs/evaluation.md).
DECLINE_TARGET = 0.5
# ...unless that declines more than this share of some dev set's answerable questions (the
# issue's ceiling on false abstentions): then the threshold is the highest that does not. A
# question declined that the documents answer is what users meet first (the measurements:
# docs/evaluation.md).
FALSE_ABSTENTION_CAP = 0.10
SEED_DEV = Path(__file__).resolve().parent / "gold" / "seed-dev.jsonl"
# seed-dev is small beside the benchmarks' dev splits: each of its questions counts this many
# times in the fit.
SEED_DEV_WEIGHT = 5.0
SECOND_RATIO = 0.5
# Sentences the reader reads per question (the selector's best). With reader 626d128cda68, 3
# read as well as 4 on dev (355 against 356 correct, 67 against 74 answerable declined, 273
# against 276 unanswerable declined) and on the transfer sets, for a quarter less reading: the
# answer stage at 10,000 chunks took 56-68 ms p50 against 92-93 ms (docs/evaluation.md).
READ_CANDIDATES = 3
READ_AT_MOST = 12  # read this many in calibration, so smaller pools can be compared
# Answerability reads the reader and the ranker's verdict on the best sentence (READER_FEATURES,
# top_logit, margin), and the few question-level facts that mean the same in any corpus: whether
# the best sentence holds the kind of answer asked for, and whether the question's rarest term
# is missing from it and from the passages. The others measure the corpus as much as the answer
# (how a chunk mixes topics, how rare words are in a handful of documents, patterns of the
# benchmarks' questions): with them the dev splits set the bar and new documents' answerable
# questions were declined (eval/transfer*; docs/evaluation.md).
ANSWERABLE_KEPT = ("top_logit", "margin", "type_match", "type_other", "missing_top", "missing_all")
ANSWERABLE_DROP = tuple(n for n in ANSWERABLE_FEATURES if n not in ANSWERABLE_KEPT)
# Answerability's features are bounded to their 5th-95th percentiles on dev: beyond them a
# coefficient extrapolates. Over a two-document corpus the best sentence led the next by 8
# logits (dev: mean 1.5, sd 1.4) and margin's negative coefficient declined a sentence that
# answers word for word (tests/reliability/test_hostile_documents.py).
ANSWERABLE_BOUND = 0.05
# A second sentence joins only when the reader does not rule it out: the gate sits above where
# the reader puts sentences that do not answer, and fewer filler sentences help CLAPNQ, whose
# answers run over several sentences (docs/evaluation.md).
SECOND_READER = -1.5
DATASETS = ("squad2", "clapnq", "seed-dev")


def _label(name: str, text: str, question) -> bool:
    if name != "clapnq":
        return contains_answer(text, question.answers)
    norm = normalize(text)
    return any(norm and (norm in normalize(e) or normalize(e) in norm) for e in question.evidence)


def collect(settings: Settings, top_k: int) -> list[dict]:
    """Per dev question: its candidates' features and labels, and whether it is answerable."""
    embedders = Embedders()  # one model load per backend the dev collections are built with
    records = []
    for name in DATASETS:
        if name == "seed-dev":
            questions, corpus = load_gold(SEED_DEV), corpus_from(SEEDS)
        else:
            questions, corpus = load_benchmark(name, "dev")
        store, embedder = ingest_corpus(settings, name, corpus, embedder_for=embedders)
        retriever = Retriever(store, embedder)
        sentence_vectors = SentenceVectorSource(embedder)
        started = time.perf_counter()
        for question in questions:
            vector = embedder.embed([question.question])[0]
            passages = retriever.retrieve(question.question, top_k, query_vector=vector)
            candidates = build_candidates(
                question.question, passages, vector, embedder.embed, retriever.bm25.idf, sentence_vectors
            )
            records.append({
                "dataset": name,
                "answerable": question.answerable,
                "question": question.question,
                "candidates": [c.features for c in candidates],
                "texts": [c.text for c in candidates],
                "readings": [c.reading for c in candidates],
                "previous": [c.previous for c in candidates],
                "headings": [c.heading for c in candidates],
                "labels": [_label(name, c.text, question) if question.answerable else False for c in candidates],
                "context": context_features(question.question, candidates, passages, retriever.bm25.idf),
            })
        print(f"{name}: {len(questions)} dev questions in {time.perf_counter() - started:.0f}s")
    return records


def fit(
    rows: np.ndarray, labels: np.ndarray, names, weights: np.ndarray, c: float = 1.0, bound: float | None = None,
) -> LinearModel:
    """A logistic model on standardised features. With `bound`, each feature is first clipped to
    its [bound, 1 - bound] quantiles over `rows`, and the model keeps those bounds."""
    from sklearn.linear_model import LogisticRegression

    low = high = None
    if bound is not None:
        low, high = np.quantile(rows, bound, axis=0), np.quantile(rows, 1 - bound, axis=0)
        rows = np.clip(rows, low, high)
    mean, std = rows.mean(axis=0), rows.std(axis=0)
    std[std == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit((rows - mean) / std, labels, sample_weight=weights)
    return LinearModel(tuple(names), mean, std, model.coef_[0], float(model.intercept_[0]), low, high)


def _weight(record: dict) -> float:
    return SEED_DEV_WEIGHT if record["dataset"] == "seed-dev" else 1.0


def calibrate(
    settings: Settings, *, top_k: int, out: Path, cache: Path | None, reader: Reader | None,
    reader_candidates: int, decline_target: float, answerable_drop: Sequence[str],
    false_abstention_cap: float = FALSE_ABSTENTION_CAP,
) -> None:
    """Fit the selector, the reader stage (unless `reader` is None) and answerability on the
    dev records, choose the threshold, and write the calibration to `out`. `cache` keeps the
    collected features (and the reader's logits beside it) for the next run."""
    if not 0.0 < decline_target < 1.0:
        raise InvalidInput(f"--decline-target {decline_target} is not a share: give a number between 0 and 1, such as 0.5.")
    if not 0.0 <= false_abstention_cap <= 1.0:
        raise InvalidInput(f"--false-abstention-cap {false_abstention_cap} is not a share: give a number from 0 to 1 (1: no cap).")
    if cache and cache.exists():
        records = json.loads(cache.read_text())
    else:
        records = collect(settings, top_k)
        if cache:
            cache.write_text(json.dumps(records))

    usable = [r for r in records if r["candidates"]]
    # The selector: every candidate of the answerable questions whose passages hold the answer;
    # each question weighs the same however many sentences its passages have.
    with_answer = [r for r in usable if r["answerable"] and any(r["labels"])]
    sel_rows = [f for r in with_answer for f in r["candidates"]]
    sel_labels = [label for r in with_answer for label in r["labels"]]
    sel_weights = [20 * _weight(r) / len(r["candidates"]) for r in with_answer for _ in r["candidates"]]
    selector = fit(feature_matrix(sel_rows, SELECT_FEATURES), np.array(sel_labels), SELECT_FEATURES, np.array(sel_weights))

    stage = None
    if reader is not None:
        read_pools(usable, selector, reader, cache)
        stage = fit_reader_stage(usable, selector, reader_candidates, reader.version)
    q_rows, q_labels, top_correct, datasets = [], [], [], []
    for record in usable:
        candidates = _scored(record, selector, stage)
        q_rows.append(question_features(candidates, record["context"]))
        q_labels.append(record["answerable"])
        best = max(range(len(candidates)), key=lambda i: (candidates[i].logit, -i))
        top_correct.append(record["answerable"] and record["labels"][best])
        datasets.append(record["dataset"])
    labels, correct, datasets = np.array(q_labels), np.array(top_correct), np.array(datasets)
    # Answerability: weighted as above, then each class brought to the same total weight.
    q_weights = np.array([_weight(r) for r in usable])
    for value in (True, False):
        q_weights[labels == value] *= q_weights.sum() / (2 * q_weights[labels == value].sum())
    names = tuple(n for n in ANSWERABLE_FEATURES + (READER_FEATURES if stage else ()) if n not in answerable_drop)
    answerable = fit(feature_matrix(q_rows, names), labels, names, q_weights, c=0.3, bound=ANSWERABLE_BOUND)
    probs = 1 / (1 + np.exp(-answerable.logits(feature_matrix(q_rows, names))))

    def metrics(threshold: float, subset: np.ndarray) -> dict:
        answered = probs >= threshold
        ans, unans = subset & labels, subset & ~labels
        return {
            "accuracy_answerable": round(float((answered & correct)[ans].mean()), 4),
            "declined_unanswerable": round(float((~answered)[unans].mean()), 4),
            "false_abstention": round(float((~answered)[ans].mean()), 4),
            "auc": round(roc_auc(labels[subset].astype(float), probs[subset]), 4),
        }

    best = round(choose_threshold(probs, labels, datasets, decline_target, false_abstention_cap), THRESHOLD_PLACES)  # as stored
    report = {d: metrics(best, datasets == d) for d in DATASETS}
    report["top_sentence_accuracy_no_abstention"] = {
        d: round(float(correct[(datasets == d) & labels].mean()), 4) for d in DATASETS
    }
    calibration = Calibration(selector, answerable, float(best), SECOND_RATIO, stage)
    trained_on = (f"squad2 + clapnq dev, seed-dev (weight {SEED_DEV_WEIGHT:g}); decline target {decline_target:g}, "
                  f"false abstentions at most {false_abstention_cap:g}")
    out.write_text(json.dumps(calibration.as_dict({"dev_metrics": report, "trained_on": trained_on}), indent=2) + "\n")
    print(json.dumps({"threshold": round(float(best), 3), **report}, indent=2))


def choose_threshold(probs: np.ndarray, labels: np.ndarray, datasets: np.ndarray, decline_target: float,
                     false_abstention_cap: float) -> float:
    """The abstention threshold: the lowest at which each dev set declines at least
    `decline_target` of its unanswerable questions, lowered where needed so that no dev set
    declines more than `false_abstention_cap` of its answerable ones (a question is declined
    when its probability is below the threshold)."""
    names = [str(d) for d in dict.fromkeys(datasets.tolist())]
    declining = max(float(np.quantile(probs[(datasets == d) & ~labels], decline_target)) for d in names)
    capped = declining
    for d in names:
        answerable = np.sort(probs[(datasets == d) & labels])
        allowed = math.floor(false_abstention_cap * len(answerable) + 1e-9)  # declined at most
        if allowed < len(answerable):
            capped = min(capped, float(answerable[allowed]))
    if capped < declining:
        # Rounded down to the places the calibration file keeps: rounded up, it could pass
        # the answerable question it sits on, and decline one more than the cap allows.
        scale = 10 ** THRESHOLD_PLACES
        return math.floor(capped * scale) / scale
    return declining


def _scored(record: dict, selector: LinearModel, stage: ReaderStage | None) -> list[Candidate]:
    """The record's candidates scored as the answerer scores them (with the reader's cached
    logits for the pool the selector gives it)."""
    candidates = _selected(record, selector)
    if stage is not None:
        pool = reading_pool(candidates, stage.candidates, asked_value(record["question"]))
        apply_reader(candidates, [candidates[i] for i in pool], [record["reader"][str(i)] for i in pool], stage.ranker)
    return candidates


def _selected(record: dict, selector: LinearModel) -> list[Candidate]:
    """The record's candidates (their own copies of its features), scored by the selector."""
    candidates = [Candidate(0, "", 0, 0, t, features=dict(f)) for f, t in zip(record["candidates"], record["texts"])]
    score(candidates, selector)
    return candidates


def read_pools(records: list[dict], selector: LinearModel, reader: Reader, cache: Path | None) -> None:
    """Reader logits for each record's largest pool (READ_AT_MOST), remembered in the cache."""
    memo: dict[str, float] = {}
    memo_file = cache.with_suffix(f".reader-{reader.version}.json") if cache else None
    if memo_file and memo_file.exists():
        memo = json.loads(memo_file.read_text())
    started = time.perf_counter()
    for record in records:
        candidates = _selected(record, selector)
        pool = reading_pool(candidates, READ_AT_MOST, asked_value(record["question"]))
        if reader.reads_headings and "headings" not in record:
            raise InvalidInput(f"The cached dev records {cache} predate headings, which this reader reads: delete the file and rerun.")
        headings = record["headings"] if reader.reads_headings else None
        context = [record["previous"][i] + (f"\0{headings[i]}" if headings else "") for i in range(len(record["texts"]))]
        # what the reader reads: the text, or what an e-mail header line says (`rag.mail_headers`)
        read = [reading or text for reading, text in zip(record.get("readings") or record["texts"], record["texts"])]
        # a question asked with "not" is read twice where the sentence contrasts (`reader_logits`)
        rule = "\0negation" if affirmed(record["question"]) is not None else ""
        keys = [hashlib.sha256(f"{record['question']}\0{read[i]}\0{context[i]}{rule}".encode()).hexdigest()[:20] for i in pool]
        missing = [(i, k) for i, k in zip(pool, keys) if k not in memo]
        if missing:
            logits = reader_logits(reader, record["question"], [read[i] for i, _ in missing],
                                   [record["previous"][i] for i, _ in missing],
                                   [headings[i] for i, _ in missing] if headings else None)
            memo.update({k: float(v) for (_, k), v in zip(missing, logits)})
        record["reader"] = {str(i): memo[k] for i, k in zip(pool, keys)}
    if memo_file:
        memo_file.write_text(json.dumps(memo))
    print(f"reader: {sum(len(r['reader']) for r in records)} sentences read in {time.perf_counter() - started:.0f}s")


def fit_reader_stage(records: list[dict], selector: LinearModel, size: int, version: str) -> ReaderStage:
    """The ranker over (selector logit, reader logit), fitted on the pools of the answerable
    questions whose pool holds the answer, each question weighing the same."""
    rows, labels, weights = [], [], []
    for record in records:
        if not record["answerable"]:
            continue
        candidates = _selected(record, selector)
        pool = reading_pool(candidates, size, asked_value(record["question"]))
        if not any(record["labels"][i] for i in pool):
            continue
        for i in pool:
            rows.append({"logit": candidates[i].logit, "reader": record["reader"][str(i)]})
            labels.append(record["labels"][i])
            weights.append(20 * _weight(record) / len(pool))
    ranker = fit(feature_matrix(rows, RANK_FEATURES), np.array(labels), RANK_FEATURES, np.array(weights))
    return ReaderStage(size, ranker, SECOND_READER, version)


if __name__ == "__main__":
    raise SystemExit("`python -m eval.calibrate` is now `rag eval calibrate`, with the same options (--answerable-drop once per feature).")
