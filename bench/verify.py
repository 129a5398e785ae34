"""What support checking adds to an LLM answer: 5 sentences over 5 passages.

    python bench/verify.py [--repeat 30] [--streamed-repeat 10] [--rates 20,50,150]
                           [--out docs/bench/verify.json] [--model X.onnx --calibration X.json]

Passages are 5 chunks of the seed article as the index cuts them (800 characters); the answer
is 5 sentences, each a paraphrase-length piece of one passage citing it (and, in the second
row, citing two passages). Two views, p50 and p95 after one warm-up, in one process:

- *all at once*: the checker reading every sentence against its cited passages
  (`SupportScorer.judge_each`, which also picks each citation's quote), as when checking text
  an LLM wrote earlier; with `settle` on (the default) and off (every candidate read).
- *streamed*: the answer streamed token by token (words, as an endpoint sends them) at a
  fixed rate from an in-process backend that sleeps between tokens, like a remote LLM server,
  through `LlmAnswerer.generate` and `check` as the pipeline calls them. Timed: from the last
  token to the checked draft, what checking adds to the answer's latency, since the sentences
  before the last are checked while the LLM writes (`rag.llm.precheck`). A local LLM on the
  same cores would share them with the checker instead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import load_average, machine, percentile, write_json  # noqa: E402

STREAM_RATES = (20, 50, 150)  # tokens a second: a small local model, a served one, a fast API


def workload() -> tuple[list[str], list[str]]:
    from index.chunking import chunk_text
    from index.sentences import sentence_spans

    seed = next((ROOT / "seeds").glob("*.txt")).read_text(encoding="utf-8")
    chunks = [c.text for c in chunk_text(seed, 800, 150)][2:7]
    claims = []
    for chunk in chunks:
        start, end = max(sentence_spans(chunk), key=lambda span: span[1] - span[0])
        words = chunk[start:end].split()
        claims.append(" ".join(words[: min(len(words), 24)]).rstrip(",;") + ".")
    return chunks, claims


def answer_text(claims: list[str], cited: int) -> str:
    return " ".join(
        claim[:-1] + " " + "".join(f"[{(n + k) % len(claims) + 1}]" for k in range(cited)) + "."
        for n, claim in enumerate(claims)
    )


class PacedBackend:
    """Streams a fixed text a word at a time, `rate` tokens a second, like a remote endpoint."""

    name = "paced"

    def __init__(self, text: str, rate: float):
        self.tokens = [w if i == 0 else " " + w for i, w in enumerate(text.split(" "))]
        self.rate = rate

    def stream(self, messages, *, max_tokens: int, temperature: float):
        for token in self.tokens:
            time.sleep(1.0 / self.rate)
            yield token


def percentiles(runs: list[float]) -> dict:
    return {"p50_ms": round(statistics.median(runs), 1), "p95_ms": round(percentile(runs, 0.95), 1)}


def timed(action, repeat: int) -> list[float]:
    action()
    runs = []
    for _ in range(repeat):
        mark = time.perf_counter()
        action()
        runs.append((time.perf_counter() - mark) * 1000)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--streamed-repeat", type=int, default=10)
    parser.add_argument("--rates", default=",".join(map(str, STREAM_RATES)), help="tokens a second, comma-separated")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "bench" / "verify.json")
    parser.add_argument("--model", type=Path, help="a checker .onnx other than the committed one")
    parser.add_argument("--calibration", type=Path, help="its support calibration (rag eval calibrate-support --out)")
    args = parser.parse_args()
    from rag.checker import CHECKER_PATH, Checker, model_version
    from rag.llm.answer import LlmAnswerer
    from rag.retrieve import Passage
    from rag.settings import LlmSettings
    from rag.verify import SUPPORT_CALIBRATION_PATH, SupportScorer, load_support_calibration

    model = args.model or CHECKER_PATH
    texts, claims = workload()
    calibration = load_support_calibration(args.calibration or SUPPORT_CALIBRATION_PATH)
    checker = Checker(model)
    checker.load()
    passages = [Passage(f"c{n}", "seed", "seed.txt", "seed", None, 0, len(t), t, 1.0) for n, t in enumerate(texts)]
    rows, streamed = {}, {}
    for cited in (1, 2):
        for settle in (True, False):
            scorer = SupportScorer(calibration, checker, settle=settle)

            def check(cited: int = cited, scorer: SupportScorer = scorer) -> list:
                return [scorer.judge_each(claim, [texts[(n + k) % len(texts)] for k in range(cited)])
                        for n, claim in enumerate(claims)]

            judged = check()
            rows[f"{cited}_cited_each{'' if settle else '_every_candidate'}"] = {
                **percentiles(timed(check, args.repeat)), "cited": cited, "settle": settle,
                "supported": sum(max(j.score for j in js) >= calibration.threshold for js in judged),
            }
    scorer = SupportScorer(calibration, checker)
    for cited in (1, 2):
        text = answer_text(claims, cited)
        for rate in (float(r) for r in args.rates.split(",")):
            answerer = LlmAnswerer(PacedBackend(text, rate), scorer, LlmSettings(backend="openai"))
            added, kept, early = [], 0, 0
            for run in range(args.streamed_repeat + 1):
                with answerer.prechecks(passages) as prechecks:
                    generated = answerer.generate("?", passages, prechecks=prechecks)
                    mark = time.perf_counter()
                    draft = answerer.check(generated, passages, prechecks)
                    if run:  # the first is a warm-up
                        added.append((time.perf_counter() - mark) * 1000)
                    kept, early = sum(s.supported for s in draft.sentences), prechecks.submitted
            streamed[f"{cited}_cited_each_at_{rate:g}_tokens_s"] = {
                **percentiles(added), "cited": cited, "tokens_per_s": rate, "tokens": len(answerer.backend.tokens),
                "checked_while_streaming": early, "supported": kept,
            }
    result = {"machine": machine(), "load_average": load_average(), "model": model_version(model),
              "model_mb": round(model.stat().st_size / 1e6, 1), "max_tokens": checker.max_tokens,
              "candidates": calibration.candidates, "sentences": len(claims), "passages": len(texts),
              "rows": rows, "streamed": streamed}
    print(f"checker {result['model']} ({result['model_mb']} MB), up to {result['candidates']} sentence(s) read per cited passage")
    print("all at once (text written earlier):")
    print(f"{'answer':<28}{'reading':<22}{'p50 ms':>9}{'p95 ms':>9}{'supported':>11}")
    for row in rows.values():
        label = f"5 sentences, {row['cited']} cited each"
        reading = "until one supports" if row["settle"] else "every candidate"
        print(f"{label:<28}{reading:<22}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['supported']:>8}/5")
    print("streamed: added after the last token")
    print(f"{'answer':<28}{'tokens/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'early':>7}{'supported':>11}")
    for row in streamed.values():
        label = f"5 sentences, {row['cited']} cited each"
        print(f"{label:<28}{row['tokens_per_s']:>9g}{row['p50_ms']:>9}{row['p95_ms']:>9}"
              f"{row['checked_while_streaming']:>7}{row['supported']:>8}/5")
    write_json(args.out, result)


if __name__ == "__main__":
    main()
