"""Training pairs for the support checker (`rag/checker.py`), from `../shared/training/claims/`
and ExpertQA's `*_val` files (never its `*_test` files).

Every source's label becomes supported (1) or not (0); partial support is not support. Long
evidence is split into sentences and the claim is paired with its best sentence (most shared
terms, with its neighbours as context), the piece the checker will judge at answer time.
Added negatives: supported claims with one of their numbers changed, which the evidence then
no longer supports (the error a small model glosses over and an LLM makes).
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from rag.checker import CONTEXT_CHARS, evidence_spans, evidence_text, overlap

TRAINING = Path(__file__).resolve().parents[2] / "shared" / "training" / "claims"
BENCHMARKS = Path(__file__).resolve().parents[2] / "shared" / "benchmarks"
_FEVER_TOKENS = [(" -LRB- ", " ("), ("-LRB- ", "("), (" -RRB-", ")"), ("-LSB-", "["), ("-RSB-", "]"), ("``", '"'),
                 ("''", '"'), (" ,", ","), (" .", "."), (" ;", ";"), (" :", ":"), (" 's", "'s"), (" n't", "n't"),
                 ("( ", "("), (" )", ")")]
_NUMBER = re.compile(r"\b\d[\d,.]*\d\b|\b\d\b")
_HEADER = re.compile(r"^\[\d+\][^\n]*\n+")


@dataclass(frozen=True)
class Example:
    claim: str
    evidence: str  # the checker's second segment (`rag.checker.evidence_text`)
    label: float
    source: str


def sentences_of(texts: Sequence[str]) -> list[str]:
    return [t[s:e] for t in texts for s, e in evidence_spans(t)]


def best_pair(claim: str, sentences: Sequence[str], budget: int = CONTEXT_CHARS) -> str | None:
    """The claim's evidence segment: the first sentence whose window (it and its neighbours)
    holds the most of the claim's terms. (The answer-time order, `rag.checker.candidates`,
    also weighs the sentence alone; the committed checker was trained on this pairing.)"""
    if not sentences:
        return None
    return evidence_text(sentences, int(np.argmax(overlap(claim, sentences))), budget)


def _fever_text(text: str) -> str:
    for old, new in _FEVER_TOKENS:
        text = text.replace(old, new)
    return text.strip()


def fever(root: Path, budget: int = CONTEXT_CHARS) -> Iterator[Example]:
    folder = root / "fever"
    lines = [(folder / f"{name}.txt").read_text(encoding="utf-8").splitlines() for name in ("claim", "evidence", "label")]
    for claim, evidence, label in zip(*lines):
        pair = best_pair(_fever_text(claim), sentences_of([_fever_text(evidence)]), budget)
        if pair:
            yield Example(_fever_text(claim), pair, float(label.strip() == "entailment"), "fever")


def factcheck_gpt(root: Path, budget: int = CONTEXT_CHARS) -> Iterator[Example]:
    for line in (root / "factcheck-gpt" / "subtask3_claim_evidence_stance.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        pair = best_pair(record["claim"], sentences_of([record["evidence"]]), budget)
        if pair:
            yield Example(record["claim"], pair, float(record["stance"] == "completely-support"), "factcheck-gpt")


def wice(root: Path, budget: int = CONTEXT_CHARS) -> Iterator[Example]:
    """Claims against their cited page: the smallest annotated set of supporting sentences as
    evidence where there is one (for partial support too, as a hard negative), else the best
    sentence of the page."""
    for split in ("dev", "test"):
        for line in (root / "wice" / f"claim_{split}.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            sets = [s for s in record.get("supporting_sentences") or [] if s]
            evidence = record["evidence"]
            chosen = [evidence[i] for i in sorted(min(sets, key=len))] if sets else evidence
            pair = best_pair(record["claim"], [s for s in chosen if s.strip()], budget)
            if pair:
                yield Example(record["claim"], pair, float(record["label"] == "supported"), "wice")


def begin(root: Path, budget: int = CONTEXT_CHARS) -> Iterator[Example]:
    for path in sorted((root / "begin").glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                label = (row.get("begin_label") or "").strip()
                if label not in ("Fully attributable", "Not fully attributable", "Generic"):
                    continue
                pair = best_pair(row["response"], sentences_of([row["knowledge"]]), budget)
                if pair:
                    yield Example(row["response"], pair, float(label == "Fully attributable"), "begin")


def holdout(question: str) -> bool:
    """A quarter of ExpertQA's val questions choose the threshold and are never trained on."""
    return hashlib.sha256(question.encode("utf-8")).hexdigest()[-1] in "0123"


@dataclass(frozen=True)
class ValClaim:
    claim: str
    sentences: tuple[str, ...]
    label: str  # Complete, Partial, Incomplete, Missing


def expertqa_val(root: Path = BENCHMARKS) -> tuple[list[ValClaim], list[ValClaim]]:
    """ExpertQA val claims with evidence, as (training part, held-out part)."""
    train, held = [], []
    for prefix in ("rand", "domain"):
        for line in (root / "expertqa" / f"{prefix}_val.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for answer in record.get("answers", {}).values():
                for claim in answer.get("claims", []) or []:
                    label = claim.get("support")
                    evidence = [_HEADER.sub("", e, count=1) for e in claim.get("evidence") or [] if e.strip()]
                    if label not in ("Complete", "Partial", "Incomplete", "Missing") or not evidence:
                        continue
                    item = ValClaim(claim["claim_string"], tuple(sentences_of(evidence)), label)
                    if item.sentences:
                        (held if holdout(record["question"]) else train).append(item)
    return train, held


def number_swaps(examples: Sequence[Example], rng: random.Random, limit: int) -> list[Example]:
    """Supported claims with a number that their evidence holds changed to one it does not."""
    out = []
    for example in examples:
        if example.label < 1:
            continue
        numbers = [m for m in _NUMBER.finditer(example.claim) if m.group() in example.evidence]
        if not numbers:
            continue
        match = rng.choice(numbers)
        digits = match.group()
        value = int(re.sub(r"\D", "", digits)[-3:] or "0")
        changed = str(value + rng.choice((1, 2, 3, 5, 10, 20)))
        claim = example.claim[:match.start()] + changed + example.claim[match.end():]
        if changed not in example.evidence:
            out.append(Example(claim, example.evidence, 0.0, "swap"))
        if len(out) >= limit:
            break
    return out


SOURCES = ("fever", "factcheck-gpt", "wice", "begin", "expertqa-val", "swap")


def build(root: Path = TRAINING, benchmarks: Path = BENCHMARKS, seed: int = 17, swaps: int = 1500,
          limit: int | None = None, sources: Sequence[str] = SOURCES,
          context_chars: int = CONTEXT_CHARS) -> tuple[list[Example], list[ValClaim]]:
    """(training examples in a seeded order, ExpertQA val claims held out for the threshold).
    `limit` keeps a seeded sample of that many examples (for quick runs and CI)."""
    rng = random.Random(seed)  # nosec B311 - a seeded data order, not security
    readers = {"fever": fever, "factcheck-gpt": factcheck_gpt, "wice": wice, "begin": begin}
    examples = [e for name, read in readers.items() if name in sources for e in read(root, context_chars)]
    train_claims, held = expertqa_val(benchmarks)
    for item in train_claims if "expertqa-val" in sources else []:
        pair = best_pair(item.claim, item.sentences, context_chars)
        if pair:
            examples.append(Example(item.claim, pair, float(item.label == "Complete"), "expertqa-val"))
    shuffled = examples[:]
    rng.shuffle(shuffled)
    if "swap" in sources:
        examples.extend(number_swaps(shuffled, rng, swaps))
    rng.shuffle(examples)
    if limit is not None:
        examples = examples[:limit]
    return examples, held
