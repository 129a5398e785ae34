"""A question asked with "not", read without it against a sentence of contrast (rag/negation.py)."""

from __future__ import annotations

import pytest

from rag.negation import affirmed, contrasts


@pytest.mark.parametrize("question, plain", [
    ("Why did he not walk to Aljezur?", "Why did he walk to Aljezur?"),
    ("Why isn't the package named shoebox?", "Why is the package named shoebox?"),
    ("Why can't I descale with vinegar?", "Why can I descale with vinegar?"),
    ("Why won't the kettle switch off?", "Why will the kettle switch off?"),
    ("What happens if the rent is not paid by 1 June?", "What happens if the rent is paid by 1 June?"),
    ("How can I check that a file is not damaged?", "How can I check that a file is damaged?"),
    # "not" in the main clause, as SQuAD 2.0 put it to make a question unanswerable: left to the reader
    ("What did the Treaties not seek to do?", None),
    ("When didn't the British begin to build the fort?", None),
    ("Why cannot members sublet?", "Why can members sublet?"),
    ("Why don\u2019t they open on Sundays?", "Why do they open on Sundays?"),
    ("What is the capital of Norway?", None),
    ("Which nation never signed?", None),  # "never" is left: no perturbation the reader learnt
])
def test_the_question_without_its_not(question, plain):
    assert affirmed(question) == plain


def test_a_sentence_of_contrast_or_negation():
    assert contrasts("I had planned a fifth day but spent it on the beach instead.")
    assert contrasts("The shop doesn't open on Sundays.")
    assert not contrasts("I walked to Aljezur on the fifth day.")
    assert not contrasts("Nothingness is a notion.")  # whole words only
    assert not contrasts("A notable knot.")


def test_a_sentence_that_negates_what_the_question_asks_with_not():
    """"Which version did not have the problem?" is asked as SQuAD 2.0 put its "not", and the
    sentence says the same with its own: read without the "not" there (eval/transfer32)."""
    from rag.negation import echoes

    assert affirmed("Which version did not have the problem?", anywhere=True) == "Which version did have the problem?"
    assert echoes("Which version did not have the problem?", "Version 3.3.2 did not have this problem.")
    assert echoes("Which version didn't have the problem?", "Version 3.3.2 never had it and didn't have this problem.")
    assert not echoes("What did the Treaties not seek to do?", "The Treaties sought to create a common market.")
    assert not echoes("What wasn't the ratio of settlers?", "It was not the ratio that mattered.")  # "the": no verb
    assert not echoes("What is the capital of Norway?", "Oslo is not small.")


def test_the_reader_reads_an_echoed_not_without_it():
    from rag.extractive import reader_logits

    class Reader:
        def score(self, question, texts, previous, headings):
            return [-3.0 if " not " in f" {question} " else 1.0 for _ in texts]

    logits = reader_logits(Reader(), "Which version did not have the problem?",
                           ["Version 3.3.2 did not have this problem.", "Version 3.4.0 broke it."], ["", ""], None)
    assert list(logits) == [1.0, -3.0]
