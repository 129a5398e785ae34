"""Gold questions: the project's JSONL format, and loaders for the public benchmarks.

Gold JSONL, one question per line: `id`, `question`, `answerable`, `answers` (acceptable
answers), `evidence` (exact text spans from the corpus), optional `source`.
Benchmarks are read from `../shared/benchmarks` (never copied into the repository). Their
split: a record whose id's SHA-256 hex digest ends in 0, 1 or 2 is test; the rest is dev.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from rag.errors import InvalidInput

Split = Literal["dev", "test", "all"]
BENCHMARK_NAMES = ("squad2", "clapnq")
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def default_benchmarks_dir() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "shared" / "benchmarks"


class GoldQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answerable: bool
    answers: list[str] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    source: str | None = None
    history: list[str] = Field(default_factory=list)  # earlier questions of its chat, oldest first

    @model_validator(mode="after")
    def _answers_match_answerable(self) -> "GoldQuestion":
        if self.answerable and not (self.answers or self.evidence):
            raise ValueError("an answerable question needs answers or evidence")
        if not self.answerable and self.answers:
            raise ValueError("an unanswerable question must have no answers")
        return self


@dataclass
class Corpus:
    """Documents to ingest for a benchmark: (file name, text), or the file's bytes where it is
    not text (a PDF, a .docx)."""

    files: list[tuple[str, str | bytes]] = field(default_factory=list)

    def write(self, folder: Path) -> Path:
        """`folder` holding exactly these files: others left by an earlier corpus of the same
        name (two gold sets both called `questions.jsonl`) are removed, so they are not asked over."""
        folder.mkdir(parents=True, exist_ok=True)
        names = {name for name, _ in self.files}
        for stale in folder.iterdir():
            if stale.is_file() and stale.name not in names:
                stale.unlink()
        for name, content in self.files:
            path = folder / name
            data = as_bytes(content)
            if not path.exists() or path.read_bytes() != data:
                path.write_bytes(data)
        return folder


def as_bytes(content: str | bytes) -> bytes:
    """A corpus file's content as written to disk."""
    return content if isinstance(content, bytes) else content.encode("utf-8")


def _file_content(path: Path) -> str | bytes:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def corpus_from(folder: Path) -> Corpus:
    """Every file of `folder` (the corpus a gold set is asked over), in name order."""
    if not folder.is_dir():
        raise InvalidInput(f"Corpus folder {folder} not found; pass --corpus FOLDER")
    return Corpus([(p.name, _file_content(p)) for p in sorted(folder.iterdir()) if p.is_file()])


def split_of(record_id: str) -> Literal["dev", "test"]:
    return "test" if hashlib.sha256(record_id.encode()).hexdigest()[-1] in "012" else "dev"


def load_gold(path: Path) -> list[GoldQuestion]:
    """Read gold JSONL; any bad line is an error naming the line, the field and the problem."""
    questions: list[GoldQuestion] = []
    seen: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Cannot read gold file {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = GoldQuestion.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}:{number}: not valid JSON ({exc.msg} at column {exc.colno})") from None
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "record"
            raise InvalidInput(f"{path}:{number}: field {where!r}: {err['msg']}") from None
        if question.id in seen:
            raise InvalidInput(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise InvalidInput(f"Gold file {path} holds no questions")
    return questions


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "passage"


def load_squad2(root: Path, split: Split) -> tuple[list[GoldQuestion], Corpus]:
    """The SQuAD 2.0 sample; its distinct contexts pooled as one corpus."""
    queries = json.loads((root / "squad2" / "queries.json").read_text(encoding="utf-8"))["queries"]
    truth = json.loads((root / "squad2" / "ground_truth.json").read_text(encoding="utf-8"))
    contexts: dict[str, str] = {}
    questions = []
    for query in queries:
        context = query["context"]
        if context not in contexts:
            contexts[context] = f"squad-{len(contexts):04d}.txt"
        if split != "all" and split_of(query["id"]) != split:
            continue
        gold = truth[query["id"]]
        answers = sorted({a for a in gold["answers"] if a.strip()})
        questions.append(
            GoldQuestion(
                id=query["id"], question=query["question"], answerable=not gold["is_impossible"],
                answers=answers if not gold["is_impossible"] else [], source=contexts[context],
            )
        )
    return questions, Corpus([(name, text) for text, name in contexts.items()])


def load_clapnq(root: Path, split: Split) -> tuple[list[GoldQuestion], Corpus]:
    """CLAPNQ dev: 300 answerable and 300 unanswerable questions; all passages pooled.

    The gold `evidence` is the annotators' selected sentences (the stray '&' removed);
    `answers` is the written answer.
    """
    files: dict[str, str] = {}
    questions = []
    for name in ("clapnq_dev_answerable.jsonl", "clapnq_dev_unanswerable.jsonl"):
        for line in (root / "clapnq" / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            passage = record["passages"][0]
            text = f"{passage['title']}\n\n{passage['text'].strip()}\n"
            file = f"clapnq-{hashlib.sha256(text.encode()).hexdigest()[:10]}-{_slug(passage['title'])}.txt"
            files[file] = text
            if split != "all" and split_of(record["id"]) != split:
                continue
            output = record["output"][0]
            answerable = bool(output["answer"].strip())
            evidence = [s.rstrip("&").strip() for s in output.get("selected_sentences", []) if s.strip()]
            questions.append(
                GoldQuestion(
                    id=record["id"], question=record["input"], answerable=answerable,
                    answers=[output["answer"].strip()] if answerable else [],
                    evidence=evidence if answerable else [], source=file,
                )
            )
    return questions, Corpus(sorted(files.items()))


def load_benchmark(name: str, split: Split, root: Path | None = None) -> tuple[list[GoldQuestion], Corpus]:
    root = root or default_benchmarks_dir()
    loaders = {"squad2": load_squad2, "clapnq": load_clapnq}
    if name not in loaders:
        raise InvalidInput(f"Unknown benchmark {name!r}. Available: {', '.join(loaders)}.")
    if not root.is_dir():
        raise InvalidInput(f"Benchmarks folder {root} not found; it sits beside the project as ../shared/benchmarks.")
    return loaders[name](root, split)
