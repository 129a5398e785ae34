"""A paper's "we" read as the writers a question names (rag/first_person.py)."""

from __future__ import annotations

from rag.first_person import as_written_by, writers_asked


def test_the_question_names_the_writers():
    assert writers_asked("What do the authors recommend building?") == "the authors"
    assert writers_asked("How many nest boxes did the researchers put up?") == "the researchers"
    assert writers_asked("What is the corresponding author's email address?") == ""
    assert writers_asked("How many boxes were put up?") == ""
    # a team the text describes is no writer: "Our data team has eleven people" had been read
    # as "The team' data team has eleven people" (eval/transfer27)
    assert writers_asked("How big is Harbourline's data team?") == ""
    assert writers_asked("What did the research team measure?") == "the team"


def test_we_us_and_our_read_as_the_writers():
    assert as_written_by("We recommend that a fourth bay is built.", "the authors") == (
        "The authors recommend that a fourth bay is built.")
    assert as_written_by("Our data gave us 180 boxes, as we hoped.", "the researchers") == (
        "The researchers' data gave the researchers 180 boxes, as the researchers hoped.")
    assert as_written_by("The bays were built in December.", "the authors") == ""
    assert as_written_by("Our boxes were full, as we hoped.", "the team") == "The team's boxes were full, as the team hoped."
    assert as_written_by("We met.", "") == ""
