"""What a question asks for, and whether a sentence holds it."""

import pytest

from index.sentence_vectors import SentenceVectorSource
from rag.calibration import load_calibration
from rag.extractive import (
    ANSWERABLE_FEATURES,
    SELECT_FEATURES,
    Candidate,
    ExtractiveAnswerer,
    build_candidates,
    looks_up,
    numbers_missing,
)
from rag.question import answer_detail, answer_type, asked_value, detail_contexts, has_new_detail, holds_value
from rag.retrieve import Passage

CHIEF = "Retired volunteer fire chief Corey Comperatore, 50, of Sarver, Pennsylvania, was killed."
SNIPER = "Seconds later, a police sniper nearly 450 yards away fired a round and struck the young man."
SHOTS = "Just after 6:11 p.m. on July 13, Thomas Matthew Crooks opened fire with an AR-15-style rifle."
WOUNDED = "Two other rally-goers were seriously wounded by Crooks' hail of bullets."


@pytest.mark.parametrize(
    ("question", "detail"),
    [
        ("How old was the fire chief?", "age"),
        ("What time did the shooting start?", "time"),
        ("How far away was the sniper?", "distance"),
        ("For how long did he draw attention?", "duration"),
        ("How many times was Crooks shot?", "count"),
        ("How much did the rifle cost?", "money"),
        ("What percentage of voters agreed?", "percent"),
        ("On what date did Trump accept the nomination?", "date"),
        ("When was the bomb found?", "date"),
        ("Who shot at Trump?", "person"),
        ("What are the names of the two wounded?", "person"),
        ("In which city did Trump speak?", "place"),
        ("Where was the rally?", "place"),
        ("Why did the shot miss?", None),
        ("What was wrong with the radios?", None),
    ],
)
def test_answer_detail(question, detail):
    assert answer_detail(question) == detail


@pytest.mark.parametrize(
    ("question", "sentence", "holds"),
    [
        ("How old was the fire chief?", CHIEF, True),
        ("How old was the fire chief?", SNIPER, False),
        ("How far away was the sniper?", SNIPER, True),
        ("How far away was the sniper?", CHIEF, False),
        ("What time did the shooting start?", SHOTS, True),
        ("What time did the shooting start?", WOUNDED, False),
        ("Who shot at Trump?", SHOTS, True),
        # the only name in the sentence is one the question already gives
        ("What are the names of the people Crooks wounded?", WOUNDED, False),
        ("How many rally-goers were wounded?", WOUNDED, True),
        ("How many shots were fired at 6:11?", "It happened at 6:11 p.m.", False),
    ],
)
def test_has_new_detail(question, sentence, holds):
    assert has_new_detail(answer_detail(question), sentence, question) is holds


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("What is the tenant's phone number?", "phone"),
        ("what is his phone number? (the facilities contact)", "phone"),
        ("What are the phone numbers of the staff?", "phone"),
        ("What's the IT helpdesk email?", "email"),
        ("What is the email address of the landlord?", "email"),
        ("What is the website of the museum?", "web"),
        ("What is the parking garage code?", "code"),
        ("What is the PIN?", "code"),
        # the value's noun must end its phrase, and the question must ask what the value is
        ("What is the phone number format?", None),
        ("What was the phone company called?", None),
        ("What is the dress code?", None),
        ("What is the contact person?", None),
        ("How do I change my password?", None),
        ("Is the email newsletter free?", None),
        ("Which email should I write to?", None),
        # what something costs, and the time of day
        ("How much does the Brava 2 machine cost?", "price"),
        ("How much is the deposit?", "price"),
        ("What is the price of a ticket?", "price"),
        ("What does a raised bed cost a year?", "price"),
        ("How much do members over 65 pay?", None),  # "half rent" answers it
        ("How much sick leave is paid in full?", None),
        ("How much is left?", None),
        ("What time does the public exhibition open?", "clock"),
        ("What time of year do great tits breed?", None),
        # a count
        ("How many engines does the railway own?", "count"),
        ("What number of volunteers came?", "count"),
        ("In how many parks was the study done?", "count"),
        ("Many thanks: how many?", None),  # only a question that opens asking
    ],
)
def test_asked_value(question, value):
    assert asked_value(question) == value


@pytest.mark.parametrize(
    ("value", "text", "holds"),
    [
        ("phone", "You can reach him on 0341 555 0199.", True),
        ("phone", "Call +49 (341) 555-01 after nine.", True),
        ("phone", "The front door opens at 7:30 and locks at 19:00 on weekdays.", False),
        ("phone", "Milk is delivered every Tuesday since 2024.", False),
        ("phone", "Name: Lena Fischer; Start date: 2016-02-01; Office: Leipzig", False),
        ("phone", "Due 12/03/2025, or on 3.4.2026 at the latest.", False),
        ("email", "Security problems go to security@tallow.example instead.", True),
        ("email", "Write to the landlord.", False),
        ("web", "Tickets are sold at museum.example.org.", True),
        ("web", "The settings live in `config.toml`.", False),
        ("code", "The code is 4711.", True),
        ("code", "Its entry code changes every month and is posted on the intranet.", False),
        ("price", "The work cost 212 million kronor.", True),
        ("price", "Product: Grinder G1; Price (EUR): 89.50; Weight (g): 1800", True),
        ("price", "Item: Set timber and paint; Estimate (£): 650; Actual (£): 712", True),  # a spreadsheet's row
        ("price", "Driving your own car is paid at 45p a mile.", True),
        ("price", "Children under 12 enter free.", True),
        ("price", "Members over 65 pay half rent.", True),
        ("price", "It had two wheels of similar size and a chain that drove the rear wheel.", False),
        ("price", "A good shot runs for 25 to 30 seconds and gives about 36 grams of espresso.", False),
        ("clock", "The museum opens at ten and closes at six.", True),
        ("clock", "The front door opens at 7:30 on weekdays.", True),
        ("clock", "The clock is wound every Sunday at 9 am.", True),
        ("clock", "An exhibition will be held at the library from 3 to 5 December.", False),
        ("count", "We have fourteen paid staff and about 230 active volunteers.", True),
        ("count", "Both stations have step-free access.", True),
        ("count", "No one came.", True),
        ("count", "The volunteers do everything from driving the engines to selling tickets.", False),
    ],
)
def test_holds_value(value, text, holds):
    assert holds_value(value, text) is holds


@pytest.mark.parametrize(
    ("question", "sentence", "previous", "passage", "missing"),
    [
        ("How many trips were made in 2024?", "The busiest day was 19 July 2025, with 2,874 trips.", "", "", True),
        ("How many trips were made in 2024?", "The busiest day saw 2,874 trips.", "", "Figures for 2024.", False),
        ("How many trips were made in 2024?", "It logged 412,388 trips.", "The scheme opened in 2024.", "", False),
        ("Which Python versions does 3.2.0 support?", "This release drops support for Python 3.8 and 3.9.", "", "", True),
        ("Which find option produces input for xargs -0?", "The -print0 option does this for you.", "", "", False),
        ("How many trips were made last year?", "The scheme logged 412,388 trips.", "", "", False),
    ],
)
def test_a_number_the_question_names_must_be_near_the_answer_or_in_its_passage(question, sentence, previous, passage, missing):
    answer = Candidate(0, "doc", 0, len(sentence), sentence, previous=previous)
    assert numbers_missing(question, answer, " ".join((previous, sentence, passage))) is missing


def test_a_question_without_a_detail_matches_nothing():
    assert has_new_detail(None, SHOTS, "Why?") is False
    assert answer_type("Why did the shot miss?") == "other"


def test_detail_contexts_are_the_words_around_each_new_value():
    question = "How old was the fire chief?"
    assert detail_contexts(answer_detail(question), CHIEF, question, reach=3) == [
        "fire chief Corey Comperatore, 50, of Sarver, Pennsylvania,"
    ]
    assert detail_contexts(answer_detail(question), SNIPER, question) == []


def test_detail_similarity_tells_whose_value_it_is(real_embedder):
    """The age in 'Comperatore, 50' sits near words about the fire chief, not about Crooks."""
    passage = Passage("c", "d", "s.txt", "s", None, 0, len(CHIEF), CHIEF, 1.0, 0.5)

    def detail_cos(question: str) -> float:
        vector = real_embedder.embed([question])[0]
        candidates = build_candidates(
            question, [passage], vector, real_embedder.embed, lambda term: 1.0, SentenceVectorSource(real_embedder)
        )
        return candidates[0].features["detail_cos"]

    assert detail_cos("How old was the retired fire chief who was killed?") > detail_cos(
        "How old was the gunman Thomas Matthew Crooks?"
    ) + 0.1
    assert detail_cos("Why was the chief killed?") == 0.0


def test_the_committed_calibration_reads_the_features_the_code_computes():
    """A feature added to the answerer without running `python -m eval.calibrate` fails here."""
    from rag.extractive import RANK_FEATURES, READER_FEATURES
    from rag.reader import model_version

    calibration = load_calibration()
    assert calibration.selector.features == SELECT_FEATURES
    from eval.calibrate import ANSWERABLE_DROP

    assert calibration.answerable.features == tuple(
        f for f in ANSWERABLE_FEATURES + READER_FEATURES if f not in ANSWERABLE_DROP
    )
    assert 0.0 < calibration.threshold < 1.0 and 0.0 < calibration.second_ratio <= 1.0
    # The reader stage was calibrated with the committed reading model, not another one.
    assert calibration.reader is not None and calibration.reader.ranker.features == RANK_FEATURES
    assert calibration.reader.model == model_version() and calibration.reader.candidates >= 1


def _read(embedder, text: str, source: str, title: str, question: str):
    """A one-passage corpus over `text`, the reader-backed answerer, and the candidates it builds
    for `question` (with the question's vector, for `select`)."""
    from rag.reader import shared_reader

    passage = Passage("c", "d", source, title, None, 0, len(text), text, 1.0, 0.5)
    answerer = ExtractiveAnswerer(embedder, load_calibration(), 3, 0.0, reader=shared_reader())
    vector = embedder.embed([question])[0]
    candidates = build_candidates(question, [passage], vector, answerer.encoder.embed, lambda term: 1.0, answerer.passage_sentence_vectors)
    return passage, answerer, vector, candidates


def test_a_year_the_passage_never_names_caps_answerability(real_embedder):
    """Asked about 2024, a passage about 2025 alone is declined however close it reads; asked
    about 2025, the same passage's answer is not held down."""
    text = "The bike scheme logged 412,388 trips in 2025. The busiest day was 19 July 2025, with 2,874 trips."
    passage, answerer, vector, _ = _read(real_embedder, text, "bikes.txt", "Bike scheme", "How many trips were made in 2024?")
    answerer.threshold = 0.3337
    declined = answerer.select("How many trips were made in 2024?", [passage], vector, lambda term: 1.0)
    assert declined.abstained and declined.answerability <= 0.3337 / 2
    asked = "How many trips were made in 2025?"
    answered = answerer.select(asked, [passage], real_embedder.embed([asked])[0], lambda term: 1.0)
    assert answered.answerability > 0.3337 / 2


def test_a_markdown_heading_is_never_a_candidate_but_heads_the_sentences_under_it(real_embedder):
    """'# Pricing meeting' names a section: it was once quoted as an answer sentence, and later
    kept as a candidate never quoted, where it still moved the features of the others. Now it is
    not a candidate: the reader reads it as the heading of each sentence under it."""
    text = "# Pricing meeting\n\nOn 2024-03-04 we decided to set the Pro plan price at $29 per month.\n\n## Owner\n\nAlice owns the page."
    for question, expected in (("What was the pricing meeting about?", "On 2024-03-04 we decided"), ("Who is the owner?", "Alice owns the page.")):
        passage, answerer, vector, candidates = _read(real_embedder, text, "notes.md", "Pricing meeting", question)
        assert [c.heading for c in candidates] == ["Pricing meeting", "Pricing meeting > Owner"]
        assert not any(c.text.startswith("#") for c in candidates)
        chosen = answerer.select(question, [passage], vector, lambda term: 1.0).sentences
        assert chosen and chosen[0].text.startswith(expected), [c.text for c in chosen]


def test_a_thematic_break_is_no_candidate_and_no_context(real_embedder):
    """Markdown's "---" and "***" draw a line between parts: neither is quoted nor read as the
    sentence before the next one."""
    from rag.extractive import quotable

    text = "Doors open at 9.\n\n---\n\nThe cafe closes at 4.\n\n* * *\n\nParking is free after 6.\n"
    *_, candidates = _read(real_embedder, text, "notes.md", "Visitor notes", "When does the cafe close?")
    assert {c.text: c.previous for c in candidates} == {
        "Doors open at 9.": "", "The cafe closes at 4.": "", "Parking is free after 6.": "",
    }
    assert not any(quotable(t) for t in ("---", "***", "* * *", "___", "|---|:--:|", "# Title"))
    assert all(quotable(t) for t in ("-- see below", "**Note:** bring ID.", "A - B - C"))
    # a question in bold asks as much as one in plain text (an FAQ's "**Can I bring food?**")
    assert not any(quotable(t) for t in ("**Can I bring food?**", "__Why?__", "Is it free?"))


def test_a_plain_text_heading_is_read_with_its_section_and_never_quoted(real_embedder):
    """A rulebook in plain text: "A TURN" once outscored every sentence for "Who takes the first
    turn?" and each sentence was read under the document's title. Now the capitalised lines are
    headings: never candidates, and each sentence is read under the one above it, under the
    document's title line."""
    text = ("HARBOUR LIGHTS: RULES OF PLAY\n\nSETTING UP\n\nEach player starts with five coins. "
            "The youngest player goes first.\n\nA TURN\n\nOn your turn, first roll the weather die.\n")
    question = "Who takes the first turn?"
    passage, answerer, vector, candidates = _read(real_embedder, text, "rules.txt", "HARBOUR LIGHTS: RULES OF PLAY", question)
    assert {c.text: c.heading for c in candidates} == {
        "Each player starts with five coins.": "HARBOUR LIGHTS: RULES OF PLAY > SETTING UP",
        "The youngest player goes first.": "HARBOUR LIGHTS: RULES OF PLAY > SETTING UP",
        "On your turn, first roll the weather die.": "HARBOUR LIGHTS: RULES OF PLAY > A TURN",
    }
    chosen = answerer.select(question, [passage], vector, lambda term: 1.0).sentences
    assert chosen[0].text == "The youngest player goes first."


def test_a_question_in_the_text_is_never_the_answer(real_embedder):
    """Documents ask questions to answer them next; the question repeats the user's words best,
    and was quoted as the answer."""
    text = ("There are two problems with this: first, why does it think that our crate is named lib? "
            "The first problem is due to the tool trying to be helpful: it assumes that the crate's name "
            "is the name of the file for the crate root.")
    question = "Why does the tool think the crate is named lib?"
    passage, answerer, vector, candidates = _read(real_embedder, text, "guide.md", "Guide", question)
    assert len(candidates) == 2  # the question is still a candidate: it tells what the next one is about
    chosen = answerer.select(question, [passage], vector, lambda term: 1.0).sentences
    assert chosen and chosen[0].text.startswith("The first problem is due to"), [c.text for c in chosen]
    assert all(not c.text.endswith("?") for c in chosen)


def test_a_code_fence_is_no_candidate_and_no_context(real_embedder):
    text = "Install it with pip:\n\n```bash\npip install tallow\n```\n\nThen run tallow init in your notes folder.\n"
    *_, candidates = _read(real_embedder, text, "guide.md", "Guide", "How do I install tallow?")
    assert [c.text for c in candidates] == ["Install it with pip:", "pip install tallow", "Then run tallow init in your notes folder."]
    assert candidates[2].previous == ""


def test_a_line_of_badges_is_never_quoted():
    from rag.extractive import quotable

    assert not quotable("[![Build status](https://github.com/git/git/workflows/CI/badge.svg)](https://github.com/git/git/actions)")
    assert not quotable("![PyPI](https://img.shields.io/pypi/v/x.svg) ![Licence](https://img.shields.io/badge/l.svg)")
    assert quotable("![logo](logo.png) Tallow keeps notes in sync.")


def test_a_letters_greeting_or_closing_is_never_quoted():
    from rag.extractive import quotable

    for greeting in ("Hi Daniel,", "Hi all,", "Dear parents,", "Hello Tomasz,", "Good morning everyone,", "Hey!",
                     "Kind regards,", "Best wishes,", "Thanks!", "Many thanks,", "Cheers", "Yours sincerely,"):
        assert not quotable(greeting), greeting
    # statements that open with the same words say something
    for statement in ("Thank you for the slides.", "Best practice is to restart the server.",
                      "Thanks to the new cache, syncing is faster.", "Hi-fi speakers are on sale.",
                      "Dear customers are rare.", "Hello world programs print a line."):
        assert quotable(statement), statement


def test_the_sentence_after_the_answer_joins_it_where_the_reader_says_it_answers(real_embedder):
    """"Exported PDFs lost their page numbers ..." restates "What caused the PDF page number
    bug?"; the cause is in the next sentence, which the reader, reading it after the first, says
    answers (logit above 0), though the ranker put it far below. It joins as the second sentence."""
    text = ("Omar Haddad: Exported PDFs lost their page numbers when a note had more than fifty photos. It was a "
            "memory limit in the renderer, so I raised it to 512 megabytes. The build is ready for Friday.")
    question = "What caused the PDF page number bug?"
    passage, answerer, vector, _ = _read(real_embedder, text, "call.txt", "Planning call", question)
    chosen = answerer.select(question, [passage], vector, lambda term: 1.0).sentences
    assert [c.text[:20] for c in chosen[:2]] == ["Omar Haddad: Exporte", "It was a memory limi"]
    follower = chosen[1]
    assert follower.features["reader"] > 0 and follower.probability < answerer.calibration.second_ratio * chosen[0].probability


@pytest.mark.parametrize(
    ("question", "row", "looked_up"),
    [
        ("Which days does Dev Raman rehearse?", "Role: Inspector Crewe; Name: Dev Raman; Rehearsals: Wed, Sun", True),
        ("What is Dev Raman's phone number?", "Name: Dev Raman; Rehearsals: Wed, Sun; Phone: 07700 900135", True),
        ("Which days does Elin Tasker rehearse?", "Role: Inspector Crewe; Name: Dev Raman; Rehearsals: Wed, Sun", False),
        ("Who leads the Sales team?", "Name: Tomas Lindqvist; Team: Sales; Office: Stockholm", False),  # no column asked
        ("Which days does Dev Raman rehearse?", "Dev Raman rehearses on Wednesdays.", False),  # prose, no row
        ("which days does dev raman rehearse?", "Name: Dev Raman; Rehearsals: Wed, Sun", False),  # names no value
    ],
)
def test_a_question_looks_up_the_row_it_names_by_a_cell_and_asks_a_column_of(question, row, looked_up):
    assert looks_up(question, row) is looked_up
