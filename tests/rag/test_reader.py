"""The committed reading model: it loads offline, reads as it was trained, and its training
path runs end to end (on a tiny sample: a test of the path, not of quality)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index.headings import outline
from index.sentences import sentence_spans
from rag.extractive import _context
from rag.reader import READER_PATH, Reader, model_version

SQUAD = Path(__file__).resolve().parents[3] / "shared" / "training" / "squad11" / "train.json"


def test_the_committed_reader_is_small_and_versioned():
    assert READER_PATH.is_file()
    assert READER_PATH.stat().st_size <= 30 * 1024 * 1024
    assert len(model_version()) == 12 and model_version() != "missing"
    card = READER_PATH.with_suffix(".md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in card and model_version() in card


def test_the_reader_tells_the_answering_sentence_from_its_neighbours():
    reader = Reader()
    question = "Who is the facilities contact?"
    sentences = ["Facilities contact is Jonas Weber.", "The kitchen is cleaned on Fridays.",
                 "Payroll questions go to Lena Fischer in finance."]
    logits = reader.score(question, sentences, ["", "", ""])
    assert logits.shape == (3,) and int(np.argmax(logits)) == 0 and logits[0] > 0
    assert reader.score(question, [], []).shape == (0,)


def test_a_sentence_scores_the_same_whatever_it_is_read_beside():
    # dynamic int8 quantises activations per batch: read together, a sentence would move with the others
    reader = Reader()
    question = "Where does the kestrel nest?"
    sentences = ["The kestrel nests on the north tower of the old mill.", "It hunts voles in the meadow.",
                 "Visitors \U0001F600 love the mill; caf\u00e9 birds.", "# Mill notes"]
    together = reader.score(question, sentences, [""] * 4, ["Mill notes"] * 4)
    alone = [float(reader.score(question, [s], [""], ["Mill notes"])[0]) for s in sentences]
    assert together.tolist() == alone


def test_a_table_row_is_read_with_its_header():
    text = "| Room | Floor | Seats |\n|---|---|---|\n| Elster | 1 | 12 |\n| Parthe | 3 | 30 |\n\nAfter the table."
    spans = sentence_spans(text)
    flat = [False] * len(spans)
    assert _context(text, spans, 3, flat) == "| Room | Floor | Seats |"
    assert _context(text, spans, 2, flat) == "| Room | Floor | Seats |"
    assert _context(text, spans, 4, flat) == "| Parthe | 3 | 30 |"
    assert _context(text, spans, 0, flat) == ""


def test_a_csv_row_is_read_alone():
    """A CSV file's rows read as "column: value" pairs; the row before one is another record,
    not its context."""
    text = ("Route: 12; From: Central Station; To: Airport; Departs: 06:15\n\n"
            "Route: 12; From: Central Station; To: Airport; Departs: 07:45\n\nBuses run late on Sundays. Take a taxi.")
    spans = sentence_spans(text)
    flat = [False] * len(spans)
    assert _context(text, spans, 1, flat) == ""
    assert _context(text, spans, 3, flat) == "Buses run late on Sundays."  # prose keeps the sentence before


def test_a_sentence_after_a_heading_is_read_with_no_previous_sentence():
    text = "Intro line ends here.\n\nSETTING UP\n\nEach player starts with five coins.\n\n## Turns\n\nRoll the die."
    spans = sentence_spans(text)
    _, is_heading = outline(text, spans, "rules.txt")
    assert is_heading == [False, True, False, True, False]
    assert [_context(text, spans, i, is_heading) for i in (2, 4)] == ["", ""]
    assert _context(text, spans, 1, is_heading) == "Intro line ends here."


def _tiny_squad(tmp_path: Path) -> Path:
    """Three SQuAD 1.1 articles (article 40 is held out) as a training file: a test of the path."""
    if not SQUAD.is_file():
        pytest.skip(f"SQuAD 1.1 train file not at {SQUAD} (../shared/training)")
    data = json.loads(SQUAD.read_text(encoding="utf-8"))
    sample = tmp_path / "tiny.json"
    sample.write_text(json.dumps({"data": [data["data"][i] for i in (0, 1, 40)]}), encoding="utf-8")
    return sample


@pytest.mark.slow
def test_training_runs_end_to_end_and_the_onnx_export_matches_torch(tmp_path):
    from eval import train_reader
    from eval.cli import invoke

    sample = _tiny_squad(tmp_path)
    args = ["--squad", str(sample), "--dir", str(tmp_path / "run"), "--questions", "24", "--held-out-questions", "8",
            "--batch-size", "8", "--checkpoint-every", "2", "--export", str(tmp_path / "reader.onnx")]
    invoke(["train-reader", *args], standalone=False)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["trained_steps"] == record["steps"] > 0
    assert len(record["data_sha256"]) == 64 and record["seed"] == 13
    assert record["export"]["max_abs_diff"] < 0.5  # int8 weights against the fp32 torch model, in eval mode
    assert (tmp_path / "reader.onnx").stat().st_size < 30 * 1024 * 1024
    # The ONNX file loads in the runtime reader and scores as the export check saw it.
    reader = Reader(tmp_path / "reader.onnx")
    fixed = train_reader.FIXED_PAIRS
    scores = reader.score(fixed[0].question, [fixed[0].sentence], [fixed[0].previous])
    # (dynamic int8 quantises activations per batch, so alone it scores a hair apart from in a batch)
    assert abs(float(scores[0]) - record["export"]["onnx"][0]) < 0.05
    # A rerun with the same settings resumes from the checkpoint instead of training again.
    invoke(["train-reader", *args], standalone=False)
    again = json.loads((tmp_path / "run" / "run.json").read_text())
    assert again["trained_steps"] == record["trained_steps"] and again["checkpoint"] == record["checkpoint"]


@pytest.mark.slow
def test_training_goes_on_from_the_committed_reader_with_questions_it_never_drew(tmp_path):
    from eval.cli import invoke
    from eval.cross_encoder import sha256

    sample = _tiny_squad(tmp_path)
    args = ["--squad", str(sample), "--dir", str(tmp_path / "run"), "--questions", "16", "--after", "8", "--after", "8",
            "--held-out-questions", "8", "--batch-size", "8", "--lr", "1e-5", "--headings", "--sections",
            "--untitled", "0.5", "--init", str(READER_PATH), "--export", str(tmp_path / "reader.onnx")]
    invoke(["train-reader", *args], standalone=False)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["init"] == {"file": "reader.onnx", "sha256": sha256(READER_PATH)} and record["after"] == [8, 8]
    assert record["untitled"] == 0.5
    assert record["trained_steps"] == record["steps"] > 0
    # It starts from the reader, not from MiniLM: a few small steps leave it telling answers apart.
    assert record["held_out"]["auc"] > 0.8
    assert Reader(tmp_path / "reader.onnx").reads_headings


def test_the_committed_reader_reads_the_heading_that_names_the_subject():
    reader = Reader()
    assert reader.reads_headings
    question = "What is the highest point of the Ridge trail?"
    sentence, previous = "The highest point is Crow Knoll, at 610 metres.", "The path climbs steadily."
    under = reader.score(question, [sentence, sentence], [previous, previous], ["Ashdale walks > Ridge trail", "Ashdale walks > Riverside trail"])
    alone = reader.score(question, [sentence], [previous])
    assert under[0] > alone[0] and under[0] > under[1]


def test_only_a_reader_trained_with_headings_reads_them(monkeypatch):
    reader = Reader()
    monkeypatch.setattr(Reader, "reads_headings", property(lambda self: False))  # as a file without `context` says
    assert not reader.reads_headings
    question, sentence, previous = "What is the highest point?", "The highest point is Crow Knoll.", "It is steep."
    plain = reader.score(question, [sentence], [previous])
    assert reader.score(question, [sentence], [previous], ["The Ridge trail"]).tolist() == plain.tolist()


@pytest.mark.slow
def test_a_reader_trained_with_headings_says_so_in_its_file_and_reads_them(tmp_path, monkeypatch):
    from eval.cli import invoke

    monkeypatch.setattr("eval.reader_data.SECTION_SHARE", 1.0)  # a tiny sample still gets section pairs

    sample = _tiny_squad(tmp_path)
    args = ["--squad", str(sample), "--dir", str(tmp_path / "run"), "--questions", "16", "--held-out-questions", "8",
            "--batch-size", "8", "--sections", "--export", str(tmp_path / "reader.onnx")]
    invoke(["train-reader", *args], standalone=False)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    assert record["headings"] is True and record["sections"] is True  # --sections implies --headings
    assert record["kinds"].get("section", 0) > 0 and record["kinds"].get("section_swap", 0) > 0
    reader = Reader(tmp_path / "reader.onnx")
    assert reader.reads_headings
    question, sentence, previous = "What is the highest point?", "The highest point is Crow Knoll.", "It is steep."
    plain = reader.score(question, [sentence], [previous])
    assert reader.score(question, [sentence], [previous], ["The Ridge trail"]).tolist() != plain.tolist()


class _KeywordReader:
    """A fake reader for fast unit tests: a sentence answers when it holds the keyword."""

    def __init__(self, keyword: str):
        self.keyword = keyword
        self.read: list[str] = []

    def score(self, question, sentences, previous, headings=None):
        self.read.extend(sentences)
        return np.array([4.0 if self.keyword in s else -4.0 for s in sentences], dtype=np.float32)


def test_the_reader_reorders_the_selectors_best_and_gates_a_second_sentence():
    from rag.calibration import LinearModel, ReaderStage
    from rag.extractive import Candidate, read

    def candidate(text: str, logit: float) -> Candidate:
        c = Candidate(0, "d", 0, len(text), text)
        c.logit = logit
        return c

    candidates = [candidate("Parking notes.", 2.0), candidate("The code is 4711.", 1.0),
                  candidate("# Parking", 3.0), candidate("Lunch is at noon.", -5.0)]
    ranker = LinearModel(("logit", "reader"), np.zeros(2), np.ones(2), np.array([0.2, 1.0]), 0.0)
    reader = _KeywordReader("4711")
    read("What is the code?", candidates, reader, ReaderStage(2, ranker, 0.0, "test"))
    # The heading is never read (never quoted); the two best quotable candidates are.
    assert reader.read == ["Parking notes.", "The code is 4711."]
    best = max(candidates, key=lambda c: c.logit)
    assert best.text == "The code is 4711." and best.features["read"] == 1.0
    unread = candidates[3]
    assert unread.features["read"] == 0.0 and unread.features["reader"] == -5.0
    assert unread.logit < min(c.logit for c in candidates[:2])


def test_a_question_for_a_value_has_the_best_sentence_showing_one_read_too():
    """The selector's best sentences hold no e-mail address; the best two that do are read as
    well (and no more), and the one the reader says answers comes first. A question for no value
    reads the selector's best alone."""
    from rag.calibration import LinearModel, ReaderStage
    from rag.extractive import Candidate, read, reading_pool

    def candidate(text: str, logit: float) -> Candidate:
        c = Candidate(0, "d", 0, len(text), text)
        c.logit = logit
        return c

    texts = [("The study was funded by the Wildlife Trust.", 2.0), ("Ines Varga led the field work.", 1.5),
             ("Correspondence: i.varga@fenwick.ac.uk", -3.0), ("Write to office@fenwick.ac.uk for data.", -4.0),
             ("Or to data@fenwick.ac.uk.", -5.0)]
    candidates = [candidate(t, logit) for t, logit in texts]
    assert reading_pool(candidates, 2) == [0, 1]
    assert reading_pool(candidates, 2, "email") == [0, 1, 2, 3]
    assert reading_pool(candidates, 3, "email") == [0, 1, 2, 3]
    assert reading_pool(candidates, 4, "email") == [0, 1, 2, 3]
    ranker = LinearModel(("logit", "reader"), np.zeros(2), np.ones(2), np.array([0.2, 1.0]), 0.0)
    reader = _KeywordReader("i.varga@")
    read("What is the corresponding author's email address?", candidates, reader, ReaderStage(2, ranker, 0.0, "test"))
    assert reader.read == [texts[0][0], texts[1][0], texts[2][0], texts[3][0]]
    assert max(candidates, key=lambda c: c.logit).text == texts[2][0]


def test_an_answer_quotes_the_same_words_once():
    from rag.extractive import Candidate, _distinct

    chosen = [Candidate(0, "d", 0, 12, "-9 = Refused"), Candidate(1, "e", 40, 52, "-9  =  Refused"),
              Candidate(0, "d", 20, 36, "-8 = Don't know")]
    assert [c.start_char for c in _distinct(chosen)] == [0, 20]


def test_a_table_row_reads_with_its_columns_names():
    from rag.extractive import table_row_reading

    header = "| Station | Location | Depth at low tide |"
    assert table_row_reading("| 7 | West beach lagoon | 0.8 m |", header) == "Station: 7; Location: West beach lagoon; Depth at low tide: 0.8 m"
    assert table_row_reading("| Raised bed | | £15 |", "| Plot | Size | Rent a year |") == "Plot: Raised bed; Rent a year: £15"
    assert table_row_reading("| a \\| b | 2 |", "| Name | N |") == "Name: a | b; N: 2"
    assert table_row_reading("| 7 | West beach lagoon |", header) == ""  # cells and names do not line up
    assert table_row_reading("Station 7 is shallow.", header) == ""
    # a table of fields under "Field | Value" reads each row as the field it is (eval/transfer40)
    assert table_row_reading("| Incident commander | Rosalind Okafor |", "| Field | Value |") == (
        "The incident commander is Rosalind Okafor.")
    assert table_row_reading("| Confirmation number | 58120447 |", "| | |") == ""  # under no names: as it is


def test_a_row_in_a_passage_that_opens_inside_its_table_is_read_with_the_stored_header():
    from rag.extractive import _context

    text = "| 6 | West beach, north end | 1.9 m |\n| 7 | West beach lagoon | 0.8 m |\n\nTable 1."
    spans = sentence_spans(text)
    header = "| Station | Location | Depth at low tide |"
    assert _context(text, spans, 1, [False] * len(spans), header) == header
    assert _context(text, spans, 1, [False] * len(spans)) == "| 6 | West beach, north end | 1.9 m |"
    assert _context(text, spans, 2, [False] * len(spans), header) == "| 7 | West beach lagoon | 0.8 m |"
