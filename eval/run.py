"""Answer quality against gold questions, ours beside the naive baseline in the same run.

    python -m eval.run --gold eval/gold/seed.jsonl
    python -m eval.run --benchmark squad2 --split dev

Correct on an answerable question: the answer (not an abstention) contains a gold answer
after SQuAD normalisation; for CLAPNQ, it quotes one of the annotators' selected sentences.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from eval.baseline import baseline_answer
from eval.corpora import ingest_corpus
from eval.datasets import Corpus, GoldQuestion, load_benchmark, load_gold
from eval.metrics import contains_answer, sentence_overlap
from rag.pipeline import Pipeline
from rag.settings import Settings

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def correct(question: GoldQuestion, text: str, dataset: str) -> bool:
    if dataset == "clapnq":
        return sentence_overlap(text, question.evidence)
    return contains_answer(text, question.answers)


def evaluate(settings: Settings, dataset: str, questions: list[GoldQuestion], corpus: Corpus, top_k: int = 5) -> dict:
    from index.embedding import embedder_from_settings

    embedder = embedder_from_settings(settings.index)
    store = ingest_corpus(settings, dataset, corpus, embedder)
    pipeline = Pipeline(settings, store.name, embedder=embedder)
    rows = []
    for question in questions:
        started = time.perf_counter()
        ours = pipeline.ask(question.question, top_k)
        ms = (time.perf_counter() - started) * 1000
        base = baseline_answer(pipeline.retriever, embedder, question.question, top_k)
        rows.append({
            "id": question.id, "question": question.question, "answerable": question.answerable,
            "answer": ours.answer, "abstained": ours.abstained, "answerability": ours.answerability,
            "correct": question.answerable and not ours.abstained and correct(question, ours.answer, dataset),
            "baseline": base,
            "baseline_correct": question.answerable and correct(question, base, dataset),
            "ms": round(ms, 1),
        })
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]

    def share(items, key):
        return round(sum(bool(r[key]) for r in items) / len(items), 4) if items else None

    return {
        "dataset": dataset, "questions": len(rows), "answerable": len(answerable), "unanswerable": len(unanswerable),
        "ours": {
            "accuracy_answerable": share(answerable, "correct"),
            "declined_unanswerable": share(unanswerable, "abstained"),
            "false_abstention": share(answerable, "abstained"),
        },
        "baseline": {
            "accuracy_answerable": share(answerable, "baseline_correct"),
            "declined_unanswerable": 0.0 if unanswerable else None,
            "false_abstention": 0.0,
        },
        "rows": rows,
    }


def print_table(result: dict) -> None:
    print(f"\n{result['dataset']}: {result['answerable']} answerable, {result['unanswerable']} unanswerable")
    print(f"{'metric':<26}{'ours':>10}{'baseline':>10}")
    for key in ("accuracy_answerable", "declined_unanswerable", "false_abstention"):
        ours, base = result["ours"][key], result["baseline"][key]
        print(f"{key:<26}{'-' if ours is None else f'{ours:.1%}':>10}{'-' if base is None else f'{base:.1%}':>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--gold", type=Path)
    source.add_argument("--benchmark", choices=["squad2", "clapnq"])
    parser.add_argument("--split", choices=["dev", "test", "all"], default="dev")
    parser.add_argument("--data-dir", type=Path, default=Path(".rag"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir)
    if args.gold:
        questions = load_gold(args.gold)
        corpus = Corpus([(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.iterdir()) if p.is_file()])
        result = evaluate(settings, args.gold.stem, questions, corpus)
    else:
        questions, corpus = load_benchmark(args.benchmark, args.split)
        result = evaluate(settings, args.benchmark, questions, corpus)
        result["split"] = args.split
    print_table(result)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
