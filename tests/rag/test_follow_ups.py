import pytest

from rag.follow_ups import referent


@pytest.mark.parametrize(("previous", "question", "expected"), [
    ("Where was the pipe bomb placed?", "and when was it found?", "the pipe bomb"),
    ("When does the front door open?", "and when does it lock?", "the front door"),  # "open" is the verb
    ("How often may the landlord inspect the flat?", "how much notice must he give?", "the landlord"),
    ("What is the highest point of the Ridge trail?", "how high is it?", "the highest point of the Ridge trail"),
    ("How long does a game of Harbour Lights take?", "how many can play it?", "a game of Harbour Lights"),
    ("How many storm cards are in the box?", "what colour are they?", "storm cards"),  # plural: not the box
    ("How many storm cards are in the box?", "how big is it?", "the box"),
    ("When did Kamala Harris arrive at the DNC?", "and where did her motorcade stop?", "Kamala Harris"),
    ("Is electricity included in the rent?", "how much does it cost?", "electricity"),
    ("Who is the landlord's agent?", "how fast do they repair things?", "the landlord's agent"),  # one person
])
def test_a_pronoun_points_to_what_the_previous_question_was_about(previous, question, expected):
    assert referent(question, previous) == expected


@pytest.mark.parametrize(("previous", "question"), [
    ("Who built the running machine?", "where did he build it?"),  # he is the answer, not known here
    ("Which trail is the hardest?", "what is its highest point?"),  # so is "its"
    ("Where was the pipe bomb placed?", "who found the device?"),  # no pronoun
    ("Where is the parking garage?", "what do they cost?"),  # nothing plural to point to
])
def test_no_referent_where_none_is_clear(previous, question):
    assert referent(question, previous) is None
