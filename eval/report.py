"""Evaluation reports: metrics.json, report.md and a self-contained report.html (rendered from
`eval/templates/report.html.j2`)."""

from __future__ import annotations

import json
import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from eval.metrics import accuracy_coverage
from eval.suite import __doc__ as DEFINITIONS

PACKAGES = ("grounded-rag", "chromadb", "sentence-transformers", "torch", "llama-index-core", "numpy")


def environment(settings_model: str, backend: str | None = None) -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(), "machine": platform.machine(), "embed_model": settings_model,
            "embed_backend": backend, "packages": versions}


def _flat(summary: dict, side: str) -> dict[str, float | None]:
    out = {}
    for group, values in summary.get(side, {}).items():
        for key, value in values.items():
            if isinstance(value, dict):
                for sub, number in value.items():
                    out[f"{group}.{key}.{sub}"] = number
            else:
                out[f"{group}.{key}"] = value
    return out


def headline_rows(summary: dict) -> list[tuple[str, str, str]]:
    ours, base = _flat(summary, "ours"), _flat(summary, "baseline")
    fmt = lambda v: "-" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))  # noqa: E731
    return [(key, fmt(ours.get(key)), fmt(base.get(key)) if base else "-") for key in ours]


def _latency(values: list[float], bins: int = 20) -> dict | None:
    """The histogram the report draws: counts of `bins` equal bins from 0 to the slowest."""
    if not values:
        return None
    top = max(values) or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int(value / top * bins))] += 1
    return {"counts": counts, "tallest": max(counts) or 1, "top": top}


@lru_cache(maxsize=1)
def _templates():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(loader=PackageLoader("eval", "templates"), autoescape=True, undefined=StrictUndefined)


def render_html(result: dict, summary: dict, env: dict, table: list[tuple[str, str, str]]) -> str:
    """report.html: the headline table, the accuracy-coverage curve, the latency histogram and
    every question, self-contained (Jinja2, autoescaped: questions and answers are data)."""
    rows = result["rows"]
    points, _ = accuracy_coverage([r["answerability"] for r in rows], [r["would_be_correct"] for r in rows])
    return _templates().get_template("report.html.j2").render(
        result=result, summary=summary, env=env, table=table, rows=rows, points=points,
        latency=_latency([r["timings_ms"].get("total", 0.0) for r in rows]),
        definitions=DEFINITIONS.strip(), environment=json.dumps(env, indent=2),
    )


def write_reports(result: dict, summary: dict, env: dict, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rows = result["rows"]
    metrics = {
        "dataset": result["dataset"], "split": result.get("split"), "config_fingerprint": result["config_fingerprint"],
        "abstain_threshold": result["threshold"], "corpus_sha256": result["corpus"], "environment": env, **summary,
    }
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    table = headline_rows(summary)
    md = [
        f"# Evaluation: {result['dataset']}" + (f" ({result['split']})" if result.get("split") else ""),
        "",
        f"{summary['questions']} questions ({summary['answerable']} answerable, {summary['unanswerable']} unanswerable). "
        f"Config {result['config_fingerprint']}, abstention threshold {result['threshold']:.3f}, "
        f"model {env['embed_model']} ({env.get('embed_backend') or 'torch'}).",
        "",
        "| metric | ours | baseline |",
        "|---|---|---|",
        *[f"| {key} | {ours} | {base} |" for key, ours, base in table],
        "",
        "## Questions that went wrong",
        "",
        *[f"- `{r['id']}` {r.get('asked', r['question'])}: {r['problem']}" for r in rows if r["problem"]],
        "",
        "## Definitions",
        "",
        "```",
        DEFINITIONS.strip(),
        "```",
    ]
    (folder / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    (folder / "report.html").write_text(render_html(result, summary, env, table), encoding="utf-8")
    return [folder / "metrics.json", folder / "report.md", folder / "report.html"]


def check_thresholds(summary: dict, thresholds: dict) -> list[str]:
    """Metrics below their floor (or above their ceiling, for keys under 'max')."""
    flat = _flat(summary, "ours")
    failures = []
    for key, floor in thresholds.get("min", {}).items():
        value = flat.get(key)
        if value is None or value < floor:
            failures.append(f"{key} = {value} is below its floor {floor}")
    for key, ceiling in thresholds.get("max", {}).items():
        value = flat.get(key)
        if value is None or value > ceiling:
            failures.append(f"{key} = {value} is above its ceiling {ceiling}")
    return failures
