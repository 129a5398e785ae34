"""The headline table of every report under a folder, as Markdown (docs/evaluation.md).

    python -m eval.headline .rag/reports > docs/evaluation.md

Benchmark reports stay under the data directory (they quote benchmark text, which is not
copied into the repository); only this table, and the seed gold set's full report in
docs/reports/seed, are committed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROWS = [
    ("answers.accuracy", "correct on answerable"),
    ("answers.token_f1", "token F1 (answerable)"),
    ("abstention.decline_recall", "unanswerable declined"),
    ("abstention.false_abstention", "answerable declined"),
    ("abstention.auc_accuracy_coverage", "AUC accuracy-coverage"),
    ("retrieval.hit@5", "hit@5"),
    ("retrieval.rr@10", "MRR@10"),
    ("retrieval.ndcg@10", "nDCG@10"),
    ("grounding.citation_exactness", "citation exactness"),
    ("grounding.alce_citation_recall", "ALCE citation recall"),
    ("grounding.alce_citation_precision", "ALCE citation precision"),
    ("latency_ms.total.p50", "latency p50 ms"),
    ("latency_ms.total.p95", "latency p95 ms"),
]


def _get(data: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) and value <= 1.0 else f"{value:g}"


def render(folder: Path) -> str:
    reports = sorted(folder.glob("*/metrics.json"))
    qa = [(p.parent.name, json.loads(p.read_text())) for p in reports if "ours" in json.loads(p.read_text())]
    support = [(p.parent.name, json.loads(p.read_text())) for p in reports if json.loads(p.read_text()).get("dataset") == "expertqa"]
    out = ["# Evaluation", "", "Regenerate with `bash eval/reports.sh`; each report folder (under `.rag/reports/`; the seed",
           "gold set's in `docs/reports/seed/`) holds `metrics.json`, `report.md` and `report.html` (definitions of every metric are in them and in",
           "`eval/suite.py`). Baseline: a naive LlamaIndex pipeline (VectorStoreIndex over Chroma, default",
           "chunking, dense top-5, best sentence, never abstains). '-' means not measured for that side.",
           "Latencies here come from evaluation runs on 2 shared cores and are noisy; `bench/ask.py` and",
           "`bench/load.py` measure speed.", ""]
    if qa:
        header = "| metric | " + " | ".join(f"{name} ours | {name} baseline" for name, _ in qa) + " |"
        out += [header, "|---" * (1 + 2 * len(qa)) + "|"]
        counts = [f"{m['questions']} ({m['answerable']}/{m['unanswerable']})" for _, m in qa]
        out.append("| questions (answerable/unanswerable) | " + " | ".join(f"{c} | {c}" for c in counts) + " |")
        for key, label in ROWS:
            cells = " | ".join(f"{_fmt(_get(m['ours'], key))} | {_fmt(_get(m.get('baseline', {}), key))}" for _, m in qa)
            out.append(f"| {label} | {cells} |")
        first = qa[0][1]
        out += ["", f"Config fingerprint {first['config_fingerprint']}, model {first['environment']['embed_model']}, "
                f"packages {', '.join(f'{k} {v}' for k, v in first['environment']['packages'].items() if v)}."]
    for name, m in support:
        out += ["", f"## Support scorer on ExpertQA ({name})", "", m.get("labels", ""), "",
                "| claims | balanced accuracy | precision | recall | n |", "|---|---|---|---|---|"]
        for split in ("val", "test"):
            for subset in ("all_claims", "claims_with_evidence"):
                s = _get(m, f"{split}.{subset}")
                if s:
                    out.append(
                        f"| {split} {subset.replace('_', ' ')} | {s['balanced_accuracy']:.3f} | {s['precision']:.3f} "
                        f"| {s['recall']:.3f} | {s['claims']} |"
                    )
        out += ["", "Published claim-support checkers reach about 59% balanced accuracy on ExpertQA "
                "(LLM-AggreFact; claims with evidence)."]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render(Path(sys.argv[1] if len(sys.argv) > 1 else ".rag/reports")))
