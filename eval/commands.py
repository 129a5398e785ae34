"""`rag eval`: run the suite, print the summary table, write the reports, check thresholds.

Nothing here draws: the caller passes `echo` for the lines it prints and `progress` for the
bar (`eval/cli.py` gives rich's).
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Callable, Optional

from eval.datasets import SEEDS, corpus_from, load_benchmark, load_gold
from eval.report import check_thresholds, environment, headline_rows, write_reports
from eval.suite import run_suite, summarize
from rag.errors import InvalidInput
from rag.settings import Settings

# `progress(label, total)`: a context around the run, giving the `(done, total)` callback to
# call after each question (or None: no bar).
Step = Callable[[int, int], None]
ProgressFactory = Callable[[str, int], AbstractContextManager[Optional[Step]]]


def no_progress(label: str, total: int) -> AbstractContextManager[Optional[Step]]:
    return nullcontext()


def run_eval(
    settings: Settings, gold: Path | None, benchmark: str | None, split: str, corpus_dir: Path | None,
    baseline: bool, report_dir: Path | None, check: Path | None, echo: Callable[[str], None],
    progress: ProgressFactory = no_progress,
) -> list[str]:
    if benchmark == "expertqa":
        return run_expertqa(settings, split, report_dir, echo)
    if gold is not None:
        questions, corpus, name = load_gold(gold), corpus_from(corpus_dir or SEEDS), gold.stem
    else:
        questions, corpus = load_benchmark(benchmark, split)
        name = benchmark
    thresholds = None
    if check is not None:
        try:
            thresholds = json.loads(check.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InvalidInput(f"Cannot read thresholds {check}: {exc}") from None
    with progress(f"eval {name}", len(questions)) as step:
        result = run_suite(settings, name, questions, corpus, baseline=baseline, progress=step)
    result["split"] = split if benchmark else None
    summary = summarize(result)
    env = environment(settings.index.embed_model, result["embed_backend"])
    folder = report_dir or Path(settings.data_dir) / "reports" / (f"{name}-{split}" if benchmark else name)
    written = write_reports(result, summary, env, folder)
    echo(f"{'metric':<40}{'ours':>10}{'baseline':>10}")
    for key, ours, base in headline_rows(summary):
        echo(f"{key:<40}{ours:>10}{base:>10}")
    echo("reports: " + ", ".join(str(p) for p in written))
    return check_thresholds(summary, thresholds) if thresholds else []


def run_expertqa(settings: Settings, split: str, report_dir: Path | None, echo: Callable[[str], None]) -> list[str]:
    """The support scorer against ExpertQA's human labels (dev = the `*_val` files)."""
    from eval.expertqa import balanced_scores, load_claims
    from rag.verify import SupportScorer

    scorer = SupportScorer()
    splits = ["val", "test"] if split == "all" else ["val" if split == "dev" else "test"]
    metrics: dict = {"dataset": "expertqa", "split": split, "threshold": scorer.calibration.threshold,
                     "candidates": scorer.calibration.candidates, "checker": scorer.checker.version,
                     "labels": "Complete = supported; Missing, Incomplete = not; Partial and N/A left out"}
    for name in splits:
        claims, left_out = load_claims(name)
        predicted = [scorer.supports(c.claim, c.evidence) for c in claims]
        gold = [c.supported for c in claims]
        with_evidence = [i for i, c in enumerate(claims) if c.evidence]
        metrics[name] = {
            "all_claims": balanced_scores(predicted, gold),
            "claims_with_evidence": balanced_scores([predicted[i] for i in with_evidence], [gold[i] for i in with_evidence]),
            "left_out": left_out,
        }
        for subset, scores in metrics[name].items():
            if isinstance(scores, dict):
                echo(
                    f"{name} {subset:<22} balanced accuracy {scores['balanced_accuracy']:.3f}  "
                    f"precision {scores['precision']:.3f}  recall {scores['recall']:.3f}  ({scores['claims']} claims)"
                )
    folder = report_dir or Path(settings.data_dir) / "reports" / f"expertqa-{split}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    echo(f"reports: {folder / 'metrics.json'}")
    return []
