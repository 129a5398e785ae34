"""`rag eval` and its subcommands: the eval package's door onto the `rag` command.

`rag eval --gold FILE` (or `--benchmark NAME`) measures the pipeline; the subcommands fit the
answerer's calibration and the support checker's settings, train the reader and the checker,
check a real LLM's answers, and compare retrieval modes. `register` adds them to `rag`
through the `grounded_rag.commands` entry point group.

This module is imported whenever `rag` starts, so it imports nothing heavy at the top:
defaults that live in the model modules are resolved when a command runs. Only this layer
draws (rich's progress bar); the modules it calls report through the callbacks it passes.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Callable, Iterator, Optional, Sequence

import typer

from rag.cli.common import fail, load_settings
from rag.errors import RagError

eval_app = typer.Typer(invoke_without_command=True)


def register(app: typer.Typer) -> None:
    """Add the `eval` verb (with its subcommands) to the `rag` command."""
    app.add_typer(eval_app, name="eval")


def invoke(args: Sequence[str], *, standalone: bool = True):
    """Run `rag eval ARGS` in this process. With `standalone` False, errors raise and the
    exit code is returned instead of exiting (for tests)."""
    return typer.main.get_command(eval_app).main(list(args), prog_name="rag eval", standalone_mode=standalone)


@contextmanager
def _bar(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, drawn only when stderr is a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task("", total=total)
        yield lambda done, total: bar.update(task, completed=done)


@eval_app.callback()
def evaluate(
    ctx: typer.Context,
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Gold questions (JSONL).")] = None,
    benchmark: Annotated[Optional[str], typer.Option("--benchmark", help="squad2, clapnq or expertqa (the support scorer), read from ../shared/benchmarks.")] = None,
    split: Annotated[str, typer.Option("--split", help="dev, test or all (benchmarks).")] = "dev",
    corpus: Annotated[Optional[Path], typer.Option("--corpus", help="Folder of documents for --gold (default: seeds/).")] = None,
    baseline: Annotated[bool, typer.Option("--baseline", help="Also run the naive LlamaIndex pipeline, side by side.")] = False,
    report: Annotated[Optional[Path], typer.Option("--report", help="Folder for metrics.json, report.md, report.html.")] = None,
    check: Annotated[Optional[Path], typer.Option("--check", help="Thresholds JSON; exit 1 when a metric falls below its floor.")] = None,
) -> None:
    """Measure retrieval, answers, grounding and abstention against gold questions."""
    if ctx.invoked_subcommand is not None:
        return
    from eval.commands import run_eval

    if (gold is None) == (benchmark is None):
        raise fail("give either --gold FILE or --benchmark NAME", 2)
    if split not in ("dev", "test", "all"):
        raise fail(f"--split must be dev, test or all, got {split!r}", 2)
    settings = load_settings()
    try:
        failures = run_eval(settings, gold, benchmark, split, corpus, baseline, report, check, typer.echo, _bar)
    except (RagError, OSError) as exc:
        raise fail(str(exc)) from None
    if failures:
        for failure in failures:
            typer.echo(f"below threshold: {failure}", err=True)
        raise typer.Exit(1)


DataDirOpt = Annotated[Path, typer.Option("--data-dir", help="Data directory of the benchmark collections.")]


@eval_app.command()
def calibrate(
    data_dir: DataDirOpt = Path(".rag"),
    top_k: Annotated[int, typer.Option("--top-k", help="Passages retrieved per question.")] = 5,
    out: Annotated[Optional[Path], typer.Option("--out", help="Where to write it (default: rag/calibration.json).")] = None,
    cache: Annotated[Optional[Path], typer.Option("--cache", help="Reuse collected features from this JSON file.")] = None,
    reader: Annotated[Optional[Path], typer.Option("--reader", help="The reading model (ONNX; default: rag/models/reader.onnx).")] = None,
    no_reader: Annotated[bool, typer.Option("--no-reader", help="Calibrate the features alone.")] = False,
    reader_candidates: Annotated[Optional[int], typer.Option("--reader-candidates", help="Sentences the reader reads (default: eval.calibrate.READ_CANDIDATES).")] = None,
    decline_target: Annotated[Optional[float], typer.Option("--decline-target", help="Share of each dev set's unanswerable questions to decline (default: eval.calibrate.DECLINE_TARGET).")] = None,
    answerable_drop: Annotated[Optional[list[str]], typer.Option("--answerable-drop", help="An answerability feature left out (one that does not carry over to other corpora); repeat for each, '' for none (default: eval.calibrate.ANSWERABLE_DROP).")] = None,
    false_abstention_cap: Annotated[Optional[float], typer.Option("--false-abstention-cap", help="Share of each dev set's answerable questions the threshold may decline at most (1: no cap; default: eval.calibrate.FALSE_ABSTENTION_CAP).")] = None,
) -> None:
    """Fit the extractive answerer's models and threshold on the benchmarks' dev splits."""
    from eval import calibrate as fit
    from rag.calibration import CALIBRATION_PATH
    from rag.reader import READER_PATH, Reader

    model = None if no_reader else Reader(reader or READER_PATH)
    try:
        fit.calibrate(
            fit.Settings(data_dir=data_dir), top_k=top_k, out=out or CALIBRATION_PATH, cache=cache, reader=model,
            reader_candidates=fit.READ_CANDIDATES if reader_candidates is None else reader_candidates,
            decline_target=fit.DECLINE_TARGET if decline_target is None else decline_target,
            answerable_drop=fit.ANSWERABLE_DROP if answerable_drop is None else [f for f in answerable_drop if f],
            false_abstention_cap=fit.FALSE_ABSTENTION_CAP if false_abstention_cap is None else false_abstention_cap,
        )
    except RagError as exc:
        raise fail(str(exc)) from None


@eval_app.command("calibrate-support")
def calibrate_support(
    out: Annotated[Optional[Path], typer.Option("--out", help="Where to write it (default: rag/support_calibration.json).")] = None,
    sample: Annotated[Optional[int], typer.Option("--sample", help="a seeded random sample of N claims per split (a quick look)")] = None,
    model: Annotated[Optional[Path], typer.Option("--model", help="a checker .onnx to calibrate (default: the committed one)")] = None,
    max_candidates: Annotated[Optional[int], typer.Option("--max-candidates", min=1, help="read at most N sentences per cited passage")] = None,
) -> None:
    """Choose the support checker's settings on held-out ExpertQA val claims; report on test."""
    from eval.calibrate_support import calibrate_support as choose
    from rag.verify import SUPPORT_CALIBRATION_PATH

    if model is not None and not model.is_file():
        raise fail(f"--model {model} is not a file; train one with `rag eval train-checker --export PATH`", 2)
    choose(out or SUPPORT_CALIBRATION_PATH, sample, model, max_candidates)


@eval_app.command("llm-check")
def llm_check(
    out: Annotated[Path, typer.Option("--out", help="Folder for llm_check.jsonl and llm_check.json.")],
    gold: Annotated[Optional[Path], typer.Option("--gold", help="Gold questions (default: eval/gold/seed.jsonl).")] = None,
    corpus: Annotated[Optional[Path], typer.Option("--corpus", help="Folder of documents (default: seeds/).")] = None,
    recheck: Annotated[Optional[Path], typer.Option("--recheck", help="a saved llm_check.jsonl: check its raw texts again, no LLM")] = None,
) -> None:
    """What the checker does with a real LLM's answers on a gold set (set RAG_LLM first)."""
    from eval import llm_check as check

    settings = load_settings()
    try:
        check.llm_check(settings, gold or check.REPO / "eval/gold/seed.jsonl", corpus or check.REPO / "seeds", out, recheck)
    except RagError as exc:
        raise fail(str(exc)) from None


FolderOpt = Annotated[Path, typer.Option("--dir", help="checkpoints and run record")]
EpochsOpt = Annotated[float, typer.Option("--epochs", help="Passes over the training pairs (a fraction stops early).")]
BatchOpt = Annotated[int, typer.Option("--batch-size", help="Pairs per training step.")]
LrOpt = Annotated[float, typer.Option("--lr", help="Peak learning rate (AdamW).")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the data sample and batch order.")]
ThreadsOpt = Annotated[int, typer.Option("--threads", help="torch threads (0: all cores)")]
BudgetOpt = Annotated[float, typer.Option("--time-budget", help="minutes of training at most (0: none)")]
EveryOpt = Annotated[int, typer.Option("--checkpoint-every", help="Steps between checkpoints.")]
ExportOpt = Annotated[Optional[Path], typer.Option("--export", help="write the int8 ONNX model here")]


@eval_app.command("train-reader")
def train_reader(
    squad: Annotated[Optional[Path], typer.Option("--squad", help="SQuAD 1.1 train JSON (default: ../shared/training/squad11/train.json)")] = None,
    folder: FolderOpt = Path(".rag/reader-train"),
    questions: Annotated[int, typer.Option("--questions", help="training questions (0: all)")] = 16000,
    held_out_questions: Annotated[int, typer.Option("--held-out-questions", help="Questions of the held-out articles measured (0: all).")] = 1500,
    epochs: EpochsOpt = 1.0,
    batch_size: BatchOpt = 32,
    lr: LrOpt = 5e-5,
    seed: SeedOpt = 13,
    threads: ThreadsOpt = 0,
    time_budget: BudgetOpt = 0.0,
    checkpoint_every: EveryOpt = 200,
    freeze_layers: Annotated[int, typer.Option("--freeze-layers", help="keep the embeddings and this many lower layers as MiniLM has them (faster; 0: train all)")] = 2,
    export: ExportOpt = None,
    headings: Annotated[bool, typer.Option("--headings", help="also read the heading above each sentence (SQuAD: the article's title)")] = False,
    sections: Annotated[bool, typer.Option("--sections", help="with --headings: also pairs whose subject was moved from the sentence into its heading")] = False,
    init: Annotated[Optional[Path], typer.Option("--init", help="go on training this reader (a checkpoint .pt, or an exported .onnx such as rag/models/reader.onnx) instead of starting from MiniLM")] = None,
    after: Annotated[Optional[list[int]], typer.Option("--after", help="draw only questions a run of --questions AFTER (same seed) did not: new data for a model --init continues; repeat for each earlier run, in order")] = None,
    deletions: Annotated[bool, typer.Option("--deletions", help="also negatives made by cutting the answer out of its sentence")] = False,
    untitled: Annotated[float, typer.Option("--untitled", help="with --headings: this share of the articles is read without its title, as a document without a title line is")] = 0.0,
    max_overlap: Annotated[Optional[float], typer.Option("--max-overlap", help="train only on drawn questions whose answer sentence repeats less than this share of their content words (paraphrases)")] = None,
    overlapping: Annotated[float, typer.Option("--overlapping", help="with --max-overlap: also train on this share of the other questions, so the ordinary ones are not forgotten")] = 0.0,
    siblings: Annotated[bool, typer.Option("--siblings", help="also negatives that ask the answer sentence another question of its paragraph, one it does not answer")] = False,
    word_swaps: Annotated[bool, typer.Option("--word-swaps", help="also negatives that swap a noun of the question for another of the article the sentence does not state")] = False,
) -> None:
    """Train the reader (rag/reader.py) from the bundled all-MiniLM-L6-v2 weights on SQuAD 1.1."""
    from eval import train_reader as training

    try:
        training.train_reader(
            squad=squad or training.SQUAD, folder=folder, questions=questions, held_out_questions=held_out_questions,
            epochs=epochs, batch_size=batch_size, lr=lr, seed=seed, threads=threads, time_budget=time_budget,
            checkpoint_every=checkpoint_every, freeze_layers=freeze_layers, export=export, headings=headings,
            sections=sections, init=init, after=after or (), deletions=deletions, untitled=untitled,
            max_overlap=max_overlap, overlapping=overlapping, siblings=siblings, word_swaps=word_swaps,
        )
    except RagError as exc:
        raise fail(str(exc)) from None


@eval_app.command("train-checker")
def train_checker(
    claims: Annotated[Optional[Path], typer.Option("--claims", help="The claim sets (default: ../shared/training/claims).")] = None,
    benchmarks: Annotated[Optional[Path], typer.Option("--benchmarks", help="The benchmarks, of which ExpertQA val is read (default: ../shared/benchmarks).")] = None,
    folder: FolderOpt = Path(".rag/checker-train"),
    examples: Annotated[int, typer.Option("--examples", help="a seeded sample of N training pairs (0: all)")] = 0,
    held_out_claims: Annotated[int, typer.Option("--held-out-claims", help="measure on the first N held-out claims (0: all)")] = 0,
    epochs: EpochsOpt = 1.0,
    batch_size: BatchOpt = 32,
    lr: LrOpt = 5e-5,
    seed: SeedOpt = 17,
    threads: ThreadsOpt = 0,
    time_budget: BudgetOpt = 0.0,
    checkpoint_every: EveryOpt = 200,
    freeze_layers: Annotated[int, typer.Option("--freeze-layers", help="Embeddings and lower layers kept as MiniLM has them.")] = 2,
    init: Annotated[Optional[Path], typer.Option("--init", help="start from this training checkpoint (e.g. the reader's) instead of MiniLM")] = None,
    sources: Annotated[Optional[list[str]], typer.Option("--sources", help="A training source; repeat for each (default: all of eval.checker_data.SOURCES).")] = None,
    expertqa_weight: Annotated[float, typer.Option("--expertqa-weight", help="loss weight of ExpertQA val pairs")] = 1.0,
    max_tokens: Annotated[Optional[int], typer.Option("--max-tokens", help="tokens a pair is cut to (stored in the exported model, which the runtime reads)")] = None,
    context_chars: Annotated[Optional[int], typer.Option("--context-chars", help="a probe's context width")] = None,
    export: ExportOpt = None,
    layers: Annotated[int, typer.Option("--layers", help="keep MiniLM's lowest N layers: a smaller, faster model (0: all 6)")] = 0,
    teacher: Annotated[Optional[Path], typer.Option("--teacher", help="a trained checker (.onnx) to learn from as well as the labels")] = None,
    teacher_weight: Annotated[float, typer.Option("--teacher-weight", help="the teacher's share of each target")] = 0.5,
) -> None:
    """Train the support checker (rag/checker.py) from the bundled all-MiniLM-L6-v2 weights."""
    from eval import train_checker as training
    from eval.checker_data import BENCHMARKS, SOURCES, TRAINING
    from rag.checker import CONTEXT_CHARS, MAX_TOKENS

    unknown = [s for s in sources or () if s not in SOURCES]
    if unknown:
        raise fail(f"--sources must be among {', '.join(SOURCES)}, got {', '.join(map(repr, unknown))}", 2)
    try:
        training.train_checker(
            claims=claims or TRAINING, benchmarks=benchmarks or BENCHMARKS, folder=folder, limit=examples,
            held_out_claims=held_out_claims, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed,
            threads=threads, time_budget=time_budget, checkpoint_every=checkpoint_every,
            freeze_layers=freeze_layers, init=init, source_names=sources or list(SOURCES),
            expertqa_weight=expertqa_weight, max_tokens=MAX_TOKENS if max_tokens is None else max_tokens,
            context_chars=CONTEXT_CHARS if context_chars is None else context_chars, export=export,
            layers=layers, teacher=teacher, teacher_weight=teacher_weight,
        )
    except RagError as exc:
        raise fail(str(exc)) from None


@eval_app.command()
def retrieval(
    split: Annotated[str, typer.Option("--split", help="dev, test or all.")] = "dev",
    k: Annotated[int, typer.Option("--k", help="Passages retrieved per question.")] = 5,
    data_dir: DataDirOpt = Path(".rag"),
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the tables as JSON here.")] = None,
) -> None:
    """Retrieval quality of dense, BM25 and hybrid search on the benchmarks."""
    from eval.retrieval import Settings, compare

    if split not in ("dev", "test", "all"):
        raise fail(f"--split must be dev, test or all, got {split!r}", 2)
    compare(Settings(data_dir=data_dir), split, k, out)
