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
