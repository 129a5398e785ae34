"""Fit the extractive answerer's two models on the benchmarks' dev splits.

    python -m eval.calibrate [--data-dir .rag] [--out rag/calibration.json]

Only dev data is used: the SQuAD 2.0 sample and CLAPNQ dev records (split by the SHA-256 of
the id as the benchmarks' README says; test records are never read here) and the project's
own dev questions over the seed article (`eval/gold/seed-dev.jsonl`: one long document and
paraphrased questions, the shape of a user's corpus, which the benchmarks' one-paragraph
contexts and word-for-word questions lack). The seed gold set `eval/gold/seed.jsonl` is the
test set and is never read here. Writes the coefficients, the abstention threshold and the
dev metrics they reach.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from eval.commands import SEEDS, corpus_from
from eval.corpora import ingest_corpus
from eval.datasets import load_benchmark, load_gold
from eval.metrics import contains_answer, normalize
from index.embedding import Embedders
from index.sentence_vectors import SentenceVectorSource
from rag.extractive import (
    ANSWERABLE_FEATURES, CALIBRATION_PATH, SELECT_FEATURES, Calibration, LinearModel,
    Candidate, build_candidates, context_features, feature_matrix, question_features, score,
)
from rag.retrieve import Retriever
from rag.settings import Settings


DECLINE_TARGET = 0.55
SEED_DEV = Path(__file__).resolve().parent / "gold" / "seed-dev.jsonl"
# 46 seed-dev questions against 892 benchmark ones: each counts this many times in the fit.
SEED_DEV_WEIGHT = 5.0
SECOND_RATIO = 0.5
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
                "labels": [_label(name, c.text, question) if question.answerable else False for c in candidates],
                "context": context_features(question.question, candidates, passages, retriever.bm25.idf),
            })
        print(f"{name}: {len(questions)} dev questions in {time.perf_counter() - started:.0f}s")
    return records


def fit(rows: np.ndarray, labels: np.ndarray, names, weights: np.ndarray, c: float = 1.0) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    mean, std = rows.mean(axis=0), rows.std(axis=0)
    std[std == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit((rows - mean) / std, labels, sample_weight=weights)
    return LinearModel(tuple(names), mean, std, model.coef_[0], float(model.intercept_[0]))


def _weight(record: dict) -> float:
    return SEED_DEV_WEIGHT if record["dataset"] == "seed-dev" else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(".rag"))
    parser.add_argument("--top-k", type=int, default=5)
    parser.add_argument("--out", type=Path, default=CALIBRATION_PATH)
    parser.add_argument("--cache", type=Path, default=None, help="Reuse collected features from this JSON file.")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir)

    if args.cache and args.cache.exists():
        records = json.loads(args.cache.read_text())
    else:
        records = collect(settings, args.top_k)
        if args.cache:
            args.cache.write_text(json.dumps(records))

    usable = [r for r in records if r["candidates"]]
    # The selector: every candidate of the answerable questions whose passages hold the answer;
    # each question weighs the same however many sentences its passages have.
    with_answer = [r for r in usable if r["answerable"] and any(r["labels"])]
    sel_rows = [f for r in with_answer for f in r["candidates"]]
    sel_labels = [l for r in with_answer for l in r["labels"]]
    sel_weights = [20 * _weight(r) / len(r["candidates"]) for r in with_answer for _ in r["candidates"]]
    selector = fit(feature_matrix(sel_rows, SELECT_FEATURES), np.array(sel_labels), SELECT_FEATURES, np.array(sel_weights))

    q_rows, q_labels, top_correct, datasets = [], [], [], []
    for record in usable:
        candidates = [Candidate(0, "", 0, 0, "", features=f) for f in record["candidates"]]
        score(candidates, selector)
        q_rows.append(question_features(candidates, record["context"]))
        q_labels.append(record["answerable"])
        best = int(np.argmax([c.logit for c in candidates]))
        top_correct.append(record["answerable"] and record["labels"][best])
        datasets.append(record["dataset"])
    labels, correct, datasets = np.array(q_labels), np.array(top_correct), np.array(datasets)
    # Answerability: weighted as above, then each class brought to the same total weight.
    q_weights = np.array([_weight(r) for r in usable])
    for value in (True, False):
        q_weights[labels == value] *= q_weights.sum() / (2 * q_weights[labels == value].sum())
    answerable = fit(feature_matrix(q_rows, ANSWERABLE_FEATURES), labels, ANSWERABLE_FEATURES, q_weights, c=0.3)
    probs = 1 / (1 + np.exp(-answerable.logits(feature_matrix(q_rows, ANSWERABLE_FEATURES))))

    def metrics(threshold: float, subset: np.ndarray) -> dict:
        answered = probs >= threshold
        ans, unans = subset & labels, subset & ~labels
        return {
            "accuracy_answerable": float((answered & correct)[ans].mean()),
            "declined_unanswerable": float((~answered)[unans].mean()),
            "false_abstention": float((~answered)[ans].mean()),
        }

    # The abstention threshold: the lowest at which each dev set declines at least
    # DECLINE_TARGET of its unanswerable questions (fewest false abstentions at that rate).
    best = max(
        float(np.quantile(probs[(datasets == d) & ~labels], DECLINE_TARGET)) for d in DATASETS
    )
    report = {d: metrics(best, datasets == d) for d in DATASETS}
    report["top_sentence_accuracy_no_abstention"] = {
        d: float(correct[(datasets == d) & labels].mean()) for d in DATASETS
    }
    calibration = Calibration(selector, answerable, float(best), SECOND_RATIO)
    trained_on = f"squad2 + clapnq dev, seed-dev (weight {SEED_DEV_WEIGHT:g})"
    args.out.write_text(json.dumps(calibration.as_dict({"dev_metrics": report, "trained_on": trained_on}), indent=2) + "\n")
    print(json.dumps({"threshold": round(float(best), 3), **report}, indent=2))


if __name__ == "__main__":
    main()
