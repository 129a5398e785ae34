"""Evaluation reports: metrics.json, report.md and a self-contained report.html."""

from __future__ import annotations

import html
import json
import platform
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


def _svg_curve(points: list[tuple[float, float]], width: int = 420, height: int = 260) -> str:
    pad = 36
    coords = " ".join(f"{pad + x * (width - 2 * pad):.1f},{height - pad - y * (height - 2 * pad):.1f}" for x, y in points)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="accuracy against coverage">'
        f'<rect x="{pad}" y="{pad}" width="{width - 2 * pad}" height="{height - 2 * pad}" fill="none" stroke="#999"/>'
        f'<polyline points="{coords}" fill="none" stroke="#1f5fbf" stroke-width="2"/>'
        f'<text x="{width / 2}" y="{height - 6}" text-anchor="middle" font-size="12">coverage (share answered)</text>'
        f'<text x="12" y="{height / 2}" transform="rotate(-90 12 {height / 2})" text-anchor="middle" font-size="12">accuracy</text>'
        f'<text x="{pad}" y="{height - pad + 14}" font-size="10">0</text><text x="{width - pad}" y="{height - pad + 14}" font-size="10" text-anchor="end">1</text>'
        f'<text x="{pad - 4}" y="{pad + 4}" font-size="10" text-anchor="end">1</text></svg>'
    )


def _svg_histogram(values: list[float], width: int = 420, height: int = 260, bins: int = 20) -> str:
    pad = 36
    if not values:
        return ""
    top = max(values) or 1.0
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int(value / top * bins))] += 1
    tallest = max(counts) or 1
    bar = (width - 2 * pad) / bins
    bars = "".join(
        f'<rect x="{pad + i * bar:.1f}" y="{height - pad - c / tallest * (height - 2 * pad):.1f}" width="{bar - 1:.1f}" '
        f'height="{c / tallest * (height - 2 * pad):.1f}" fill="#3a8f5c"/>'
        for i, c in enumerate(counts)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="latency distribution">{bars}'
        f'<text x="{width / 2}" y="{height - 6}" text-anchor="middle" font-size="12">total latency, ms (0 to {top:.0f})</text></svg>'
    )


def _citation_cell(citations: list[dict]) -> str:
    return "<br>".join(
        html.escape("[{id}] {source} {start_char}-{end_char}".format(**c)) for c in citations
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
        f"Config {result['config_fingerprint']}, abstention threshold {result['threshold']:.3f}, model {env['embed_model']} ({env.get('embed_backend') or 'torch'}).",
        "",
        "| metric | ours | baseline |",
        "|---|---|---|",
        *[f"| {key} | {ours} | {base} |" for key, ours, base in table],
        "",
        "## Questions that went wrong",
        "",
        *[f"- `{r['id']}` {r['question']}: {r['problem']}" for r in rows if r["problem"]],
        "",
        "## Definitions",
        "",
        "```",
        DEFINITIONS.strip(),
        "```",
    ]
    (folder / "report.md").write_text("\n".join(md) + "\n", encoding="utf-8")
    points, _ = accuracy_coverage([r["answerability"] for r in rows], [r["would_be_correct"] for r in rows])
    esc = html.escape
    body_rows = "".join(
        f"<tr class='{'bad' if r['problem'] else 'ok'}'><td>{esc(r['id'])}</td><td>{esc(r['question'])}</td>"
        f"<td>{'yes' if r['answerable'] else 'no'}</td><td>{esc(r['answer'])}</td>"
        f"<td>{_citation_cell(r['citations'])}</td>"
        f"<td>{r['answerability']:.2f}</td><td>{esc(r['problem'])}</td>"
        + (f"<td>{esc(r['baseline']['answer'])}</td>" if "baseline" in r else "") + "</tr>"
        for r in rows
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>Evaluation: {esc(result['dataset'])}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;font-size:13px}}tr.bad td{{background:#fff4f2}}</style></head><body>
<h1>Evaluation: {esc(result['dataset'])}{' (' + esc(str(result.get('split'))) + ')' if result.get('split') else ''}</h1>
<p>{summary['questions']} questions ({summary['answerable']} answerable, {summary['unanswerable']} unanswerable);
config {esc(result['config_fingerprint'])}; abstention threshold {result['threshold']:.3f}; model {esc(env['embed_model'])} ({esc(env.get('embed_backend') or 'torch')}).</p>
<table><tr><th>metric</th><th>ours</th><th>baseline</th></tr>{''.join(f'<tr><td>{esc(k)}</td><td>{o}</td><td>{b}</td></tr>' for k, o, b in table)}</table>
<h2>Accuracy against coverage</h2>{_svg_curve(points)}
<h2>Latency</h2>{_svg_histogram([r['timings_ms'].get('total', 0.0) for r in rows])}
<h2>Questions</h2><table><tr><th>id</th><th>question</th><th>answerable</th><th>answer</th><th>citations</th><th>answerability</th><th>what went wrong</th>{'<th>baseline</th>' if result.get('baseline') else ''}</tr>{body_rows}</table>
<h2>Definitions</h2><pre>{esc(DEFINITIONS.strip())}</pre>
<h2>Environment</h2><pre>{esc(json.dumps(env, indent=2))}</pre></body></html>"""
    (folder / "report.html").write_text(page, encoding="utf-8")
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
