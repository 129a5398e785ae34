"""ExpertQA claims with evidence and human support labels, for the support scorer.

Labels: Complete = supported; Missing and Incomplete = not supported. Partial (and N/A or
absent labels) are left out of the scores, since annotators judged the claim only partly
supported; their count is reported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from eval.datasets import default_benchmarks_dir

_HEADER = re.compile(r"^\[\d+\][^\n]*\n+")


@dataclass(frozen=True)
class Claim:
    claim: str
    evidence: tuple[str, ...]
    supported: bool
    question: str = ""


def load_claims(split: str, root: Path | None = None, with_question: bool = False) -> tuple[list[Claim], int]:
    """(claims with a usable label, number left out as Partial/N/A) for 'val' or 'test';
    `with_question` keeps each claim's question (what the checker's val hold-out splits on)."""
    root = (root or default_benchmarks_dir()) / "expertqa"
    claims, left_out = [], 0
    for prefix in ("rand", "domain"):
        for line in (root / f"{prefix}_{split}.jsonl").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for answer in record.get("answers", {}).values():
                for claim in answer.get("claims", []) or []:
                    label = claim.get("support")
                    if label not in ("Complete", "Missing", "Incomplete"):
                        left_out += 1
                        continue
                    evidence = tuple(_HEADER.sub("", e, count=1) for e in claim.get("evidence") or [] if e.strip())
                    claims.append(Claim(claim["claim_string"], evidence, label == "Complete",
                                        record["question"] if with_question else ""))
    return claims, left_out


def balanced_scores(predicted: list[bool], gold: list[bool]) -> dict[str, float]:
    tp = sum(p and g for p, g in zip(predicted, gold))
    tn = sum(not p and not g for p, g in zip(predicted, gold))
    fp = sum(p and not g for p, g in zip(predicted, gold))
    fn = sum(not p and g for p, g in zip(predicted, gold))
    recall = tp / (tp + fn) if tp + fn else 0.0
    specificity = tn / (tn + fp) if tn + fp else 0.0
    return {
        "balanced_accuracy": round((recall + specificity) / 2, 4),
        "precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
        "recall": round(recall, 4),
        "claims": len(gold),
        "supported_share": round(sum(gold) / len(gold), 4) if gold else 0.0,
    }
