import json

import pytest

from eval.datasets import SEEDS, Corpus, corpus_from, load_gold, split_of
from eval.metrics import contains_answer, normalize, sentence_overlap, token_f1
from eval.suite import as_asked
from rag.errors import InvalidInput

REPO = SEEDS.parent


@pytest.mark.parametrize("name", ["seed.jsonl", "seed-dev.jsonl"])
def test_seed_gold_sets_are_valid_and_their_evidence_is_exact(name):
    questions = load_gold(REPO / "eval" / "gold" / name)
    text = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    assert len(questions) >= 40 and sum(not q.answerable for q in questions) >= 10
    for question in questions:
        for span in question.evidence:
            assert span in text, (question.id, span)
        if question.answerable:
            assert question.answers and any(a in text for a in question.answers)


def test_the_seed_dev_set_shares_no_question_with_the_test_set():
    """Calibration reads seed-dev.jsonl; seed.jsonl is the test set and must stay unseen."""
    test = load_gold(REPO / "eval" / "gold" / "seed.jsonl")
    dev = load_gold(REPO / "eval" / "gold" / "seed-dev.jsonl")
    assert not {normalize(q.question) for q in test} & {normalize(q.question) for q in dev}
    assert not {q.id for q in test} & {q.id for q in dev}
    assert '"seed.jsonl"' not in (REPO / "eval" / "calibrate.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", r":1: not valid JSON"),
        (json.dumps({"id": "a", "question": "q?", "answerable": "maybe"}), r":1: field 'answerable'"),
        (json.dumps({"id": "a", "question": "q?", "answerable": True}), "needs answers or evidence"),
        (json.dumps({"id": "a", "question": "q?", "answerable": False, "answers": ["x"]}), "must have no answers"),
        (json.dumps({"id": "a", "question": "", "answerable": False}), r"field 'question'"),
        (json.dumps({"id": "a", "question": "q?", "answerable": False, "extra": 1}), r"field 'extra'"),
    ],
)
def test_gold_validation_names_line_field_and_problem(tmp_path, line, message):
    path = tmp_path / "gold.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_gold(path)


def test_duplicate_ids_and_empty_files(tmp_path):
    path = tmp_path / "gold.jsonl"
    row = json.dumps({"id": "a", "question": "q?", "answerable": False})
    path.write_text(f"{row}\n\n{row}\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=":3: duplicate id 'a'"):
        load_gold(path)
    path.write_text("\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="holds no questions"):
        load_gold(path)


def test_split_rule_matches_the_benchmarks_readme():
    import hashlib

    for record_id in ("0", "1", "2", "abc", "572a06af3f37b3190047866a"):
        expected = "test" if hashlib.sha256(record_id.encode()).hexdigest()[-1] in "012" else "dev"
        assert split_of(record_id) == expected


def test_metrics_on_hand_computed_cases():
    assert normalize("The  Quick, brown FOX!") == "quick brown fox"
    assert contains_answer("It was found at 1:05 p.m. by an officer.", ["1:05 p.m."])
    assert not contains_answer("It was found at 11:05 p.m.", ["1:05 p.m."])
    assert not contains_answer("anything", ["", "  "])
    # prediction "the cat sat" vs gold "cat sat down": overlap 2, P=2/2, R=2/3 -> F1=0.8
    assert token_f1("the cat sat", ["cat sat down"]) == pytest.approx(0.8)
    assert token_f1("dog", ["cat"]) == 0.0
    assert sentence_overlap("Intro. Seasonality is a characteristic . More.", ["Seasonality is a characteristic ."])


@pytest.mark.parametrize("name, answerable, unanswerable", [
    ("transfer", 25, 10), ("transfer2", 25, 10), ("transfer3", 25, 10), ("transfer4", 25, 10), ("transfer5", 25, 10),
    ("transfer6", 25, 10), ("transfer7", 25, 10), ("transfer8", 30, 10), ("transfer9", 20, 7), ("transfer10", 22, 8),
    ("transfer11", 50, 14), ("transfer12", 26, 8), ("transfer13", 25, 8),
    ("transfer14", 20, 6), ("transfer15", 17, 5), ("transfer16", 52, 13), ("transfer17", 42, 12),
    ("transfer18", 33, 10), ("transfer19", 28, 6), ("transfer20", 36, 9),
])
def test_the_transfer_sets_answers_are_in_their_documents(name, answerable, unanswerable):
    """In the text read from each document (an HTML page's text, not its markup; a message's
    header lines as the e-mail reader writes them)."""
    from index.readers import read_file

    questions = load_gold(REPO / "eval" / name / "questions.jsonl")
    folder = REPO / "eval" / name / "corpus"
    assert sum(q.answerable for q in questions) >= answerable and sum(not q.answerable for q in questions) >= unanswerable
    for question in questions:
        if question.answerable:
            text = " ".join(read_file(folder / question.source, 10**7).text.split())
            assert any(" ".join(answer.split()) in text for answer in question.answers), question.id


def test_a_corpus_of_pdf_and_word_files_is_read_as_bytes(tmp_path):
    """A PDF or a .docx is no UTF-8 text: the corpus keeps its bytes and writes them unchanged."""
    folder = REPO / "eval" / "transfer16" / "corpus"
    files = dict(corpus_from(folder).files)
    assert isinstance(files["harbour-report-2025.pdf"], bytes) and isinstance(files["staff-handbook.docx"], bytes)
    written = Corpus(list(files.items()) + [("notes.md", "Milk comes on Fridays.")]).write(tmp_path / "copy")
    assert (written / "harbour-report-2025.pdf").read_bytes() == (folder / "harbour-report-2025.pdf").read_bytes()
    assert (written / "notes.md").read_text(encoding="utf-8") == "Milk comes on Fridays."


def test_a_corpus_folder_holds_only_the_corpus_written_last(tmp_path):
    folder = tmp_path / "questions"  # two gold sets named questions.jsonl share this folder
    Corpus([("notes.md", "Milk comes on Tuesdays."), ("manual.md", "Descale monthly.")]).write(folder)
    Corpus([("lease.txt", "Rent is due monthly."), ("notes.md", "Milk comes on Fridays.")]).write(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["lease.txt", "notes.md"]
    assert (folder / "notes.md").read_text(encoding="utf-8") == "Milk comes on Fridays."


@pytest.mark.parametrize("gold", ["transfer", "transfer2", "transfer3", "transfer4", "gold"])
def test_the_follow_up_sets_are_asked_as_the_chat_resolves_them(gold):
    path = REPO / "eval" / gold / ("followups-dev.jsonl" if gold == "gold" else "followups.jsonl")
    folder = REPO / ("seeds" if gold == "gold" else f"eval/{gold}/corpus")
    corpus = dict(corpus_from(folder).files)
    questions = load_gold(path)
    asked = {q.id: as_asked(q) for q in questions}
    assert sum(asked[q.id] != q.question for q in questions) >= len(questions) - 1  # follow-ups, resolved
    for question in questions:
        assert question.history and asked[question.id].startswith(question.question.rstrip()), question.id
        if question.answerable:
            text = " ".join(corpus[question.source].split())
            assert any(answer in text for answer in question.answers), question.id
