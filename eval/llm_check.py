"""What the checker does with a real LLM's answers on a gold set.

    RAG_LLM=openai RAG_LLM_BASE_URL=http://127.0.0.1:8080/v1 RAG_LLM_MODEL=gemma \\
        rag eval llm-check --gold eval/gold/seed.jsonl --out DIR

Ingests the seed corpus into its own collection, asks every gold question through the LLM
path, and writes `llm_check.jsonl` (per question: the LLM's raw text, the sentences kept with
their citations and support scores, the sentences removed) and `llm_check.json` (shares of
sentences kept and removed, abstentions, fallbacks). `--recheck FILE` re-runs only the
checking on saved raw texts (fast: no LLM), e.g. after recalibrating the support scorer.
Whether kept sentences are truly supported is then judged by hand on a sample.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.datasets import load_gold
from index.commands import run_ingest
from rag.errors import ConfigError
from rag.pipeline import Pipeline
from rag.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def summarize(rows: list[dict]) -> dict:
    generated = [r for r in rows if r["answered_by"] != "extractive"]
    kept = sum(len(r["sentences"]) for r in generated)
    removed = sum(len(r["removed"]) for r in generated)
    return {
        "questions": len(rows),
        "answered_by_llm": len(generated),
        "fell_back_to_extractive": len(rows) - len(generated),
        "llm_sentences": kept + removed,
        "kept": kept,
        "removed": removed,
        "kept_share": round(kept / (kept + removed), 4) if kept + removed else 0.0,
        "abstained": sum(r["abstained"] for r in rows),
        "answerable_with_kept_sentences": sum(bool(r["sentences"]) for r in generated if r["answerable"]),
        "unanswerable_with_kept_sentences": sum(bool(r["sentences"]) for r in generated if not r["answerable"]),
    }


def row(question, answer) -> dict:
    quotes = {c.id: c.quote for c in answer.citations}
    return {
        "id": question.id, "question": question.question, "answerable": question.answerable,
        "gold": question.answers, "answered_by": answer.answered_by, "abstained": answer.abstained,
        "generated": answer.generated, "warnings": answer.warnings,
        "sentences": [{"text": s.text, "support": s.support_score, "supported": s.supported,
                       "quotes": [quotes[i] for i in s.citation_ids]} for s in answer.sentences],
        "removed": [{"text": s.text, "support": s.support_score, "passages": s.passage_ids} for s in answer.removed_sentences],
        "passages": [p.text for p in answer.passages],
    }


def llm_check(settings: Settings, gold: Path, corpus: Path, out: Path, recheck: Path | None) -> None:
    """Ask (or, with `recheck`, only check again) every gold question through the LLM path;
    write the rows and their summary under `out`."""
    settings = settings.model_copy(update={"collection": "llm-check"})
    run_ingest(settings, [corpus])
    pipeline = Pipeline(settings)
    if pipeline.llm_answerer is None:
        raise ConfigError("Set RAG_LLM=openai (with RAG_LLM_BASE_URL, RAG_LLM_MODEL) or RAG_LLM=llamacpp first.")
    questions = load_gold(gold)
    saved = {}
    if recheck:
        saved = {r["id"]: r for r in map(json.loads, recheck.read_text(encoding="utf-8").splitlines())}
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    with (out / "llm_check.jsonl").open("w", encoding="utf-8") as rows_file:
        for question in questions:
            old = saved.get(question.id)
            if recheck and old is None:
                continue  # rechecking is offline: only what was saved
            if old is not None and not old["generated"]:
                rows.append(old)  # it fell back to extractive: nothing to check again
            elif old is not None:
                answer = pipeline.check_generated(question.question, old["generated"])
                rows.append(row(question, answer))
            else:
                rows.append(row(question, pipeline.ask(question.question)))
            rows_file.write(json.dumps(rows[-1], ensure_ascii=False) + "\n")
            rows_file.flush()
            print(f"{question.id}: kept {len(rows[-1]['sentences'])}, removed {len(rows[-1]['removed'])}", flush=True)
    summary = summarize(rows)
    (out / "llm_check.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    raise SystemExit("`python -m eval.llm_check` is now `rag eval llm-check`, with the same options.")
