"""Lines of fields ("Height: 38 m") read as the sentences they stand for."""

from __future__ import annotations

from index.sentences import sentence_spans
from rag.field_readings import field_readings

INFOBOX = (
    "Designer: Henrik Falk\nTotal length: 412 m (1,352 ft)\nHeight: 38 m (125 ft)\nOpened: 14 June 1894\n\n"
    "The viaduct carries the Nordbanen line.\n\nNote: it is closed to walkers.\n"
)


def _readings(text: str, subject: str = "Oskarsund Viaduct") -> dict[str, tuple[str, str]]:
    spans = sentence_spans(text)
    found = field_readings(text, spans, [subject] * len(spans), [False] * len(spans))
    return {text[spans[i][0]:spans[i][1]]: reading for i, reading in found.items()}


def test_each_line_of_a_run_of_fields_reads_as_what_it_says():
    readings = _readings(INFOBOX)
    assert readings["Height: 38 m (125 ft)"] == ("The height of Oskarsund Viaduct is 38 m (125 ft).", "tall high")
    assert readings["Designer: Henrik Falk"] == ("The designer of Oskarsund Viaduct is Henrik Falk.", "designed who")
    assert readings["Total length: 412 m (1,352 ft)"][1] == "long"
    # A field line on its own, and prose, are read as written.
    assert "Note: it is closed to walkers." not in readings and len(readings) == 4


def test_a_field_is_of_the_nearest_heading_that_reads_as_a_title():
    spans = sentence_spans(INFOBOX)
    subjects = ["Oskarsund Viaduct > From Wikipedia, the free encyclopedia"] * len(spans)
    found = field_readings(INFOBOX, spans, subjects, [False] * len(spans))
    assert found[2][0] == "The height of Oskarsund Viaduct is 38 m (125 ft)."
    assert field_readings(INFOBOX, spans, [""] * len(spans), [False] * len(spans))[2][0] == "The height is 38 m (125 ft)."
    # A heading in capitals is named as a title; a skipped line (a heading, an e-mail header) is not read.
    schedule = "Week 3 (22 Sept): Genoa\nWeek 4 (29 Sept): Venice\nWeek 5 (6 Oct): Alexandria and the spice trade\n"
    spans = sentence_spans(schedule)
    found = field_readings(schedule, spans, ["SCHEDULE"] * 3, [True, False, False])
    assert found[2] == ("The week 5 (6 Oct) of Schedule is Alexandria and the spice trade.", "") and 0 not in found


def test_a_long_value_is_prose_not_a_field():
    text = "Safety: the kettle switches itself off when it boils dry, when it is lifted off its base, or when the lid is open\nWarranty: 3 years\n"
    assert list(_readings(text)) == []  # one field left: no run


def test_a_byline_on_a_line_of_its_own_says_who_wrote_the_text():
    text = "# Council approves tram extension\n\nBy Maya Osei, Transport reporter\n\nCouncillors approved it. It was paid by the city.\n"
    readings = _readings(text, "Council approves tram extension")
    assert readings == {"By Maya Osei, Transport reporter": ("This was written by Maya Osei, Transport reporter.",
                                                             "wrote written writer author who")}
    story = "The Salt Keeper\n\nA short story by Ilse Marrow\n\nI. The Letter\n\nThe letter came.\n"
    assert _readings(story, "The Salt Keeper")["A short story by Ilse Marrow"][0] == "This was written by Ilse Marrow."


def test_a_tables_row_as_the_csv_reader_writes_it_reads_as_its_first_field():
    """Measured on transfer7's CSV files: "Who speaks Swedish?" against a staff row, -2.66 as
    written, -0.84 read so; "How much does the Kettle K3 cost?" against the K2's row, 0.69 and -0.09."""
    rows = "Name: Jonas Weber; Team: Facilities; Office: Leipzig\n\nName: Amira Haddad; Team: Security; Office: Berlin\n"
    assert _readings(rows, "staff")["Name: Jonas Weber; Team: Facilities; Office: Leipzig"][0] == (
        "The name of staff is Jonas Weber; Team: Facilities; Office: Leipzig.")


def test_a_slides_bullets_of_fields_are_read_as_fields():
    text = "# Targets for Q4\n- Revenue: €2.6m\n- Bikes sold: 1,950\n"
    assert _readings(text, "Targets for Q4")["- Bikes sold: 1,950"][0] == "The bikes sold of Targets for Q4 is 1,950."


def test_an_acronym_keeps_its_case_and_a_heading_that_asks_is_no_subject():
    text = "## Who to ask\n- Payroll: Greta Olsen\n- IT problems: the #it-help channel\n"
    readings = _readings(text, "Welcome > Who to ask")
    assert readings["- IT problems: the #it-help channel"][0] == "The IT problems are the #it-help channel."
    assert readings["- Payroll: Greta Olsen"][0] == "The payroll is Greta Olsen."


def test_a_dash_inside_a_value_is_no_bullet():
    text = "Price: 10 - 20 EUR\nWeight: 1.2 kg\n"
    assert _readings(text, "Kettle")["Price: 10 - 20 EUR"][0] == "The price of Kettle is 10 - 20 EUR."


def test_minutes_attendance_lines_say_who_came_and_who_did_not():
    readings = _readings("Present: Ruth Okonjo, Callum Frost.\nApologies: Graham Pike.", "Production meeting")
    assert readings["Present: Ruth Okonjo, Callum Frost."] == (
        "Ruth Okonjo, Callum Frost attended Production meeting.", "attended attend came who")
    assert readings["Apologies: Graham Pike."][0] == "Graham Pike sent apologies and did not attend Production meeting."


def test_fields_in_bold_read_without_the_bold():
    readings = _readings("**Where:** 3 High Street\n**Contact:** Darius Farahani, shop manager\n", "Charity shop assistant")
    assert readings["**Where:** 3 High Street"][0] == "The where of Charity shop assistant is 3 High Street."
    assert readings["**Contact:** Darius Farahani, shop manager"][1] == "who contact"


def test_a_posts_byline_says_who_wrote_the_post_and_when():
    text = "Thread\n\nReply from greasemonkey_jo, 3 March 2026, 09:02\n\nIt is the cable.\n"
    assert _readings(text, "Thread")["Reply from greasemonkey_jo, 3 March 2026, 09:02"][0] == (
        "This reply was written by greasemonkey_jo, 3 March 2026, 09:02.")
    review = "*Reviewed by Priya N. on 2 January 2026 \u00b7 Verified purchase*\n\nQuiet.\n"
    assert _readings(review, "Reviews")["*Reviewed by Priya N. on 2 January 2026 \u00b7 Verified purchase*"][0] == (
        "This review was written by Priya N. on 2 January 2026 \u00b7 Verified purchase.")
    from rag.field_readings import asks_post

    assert asks_post("Who started the thread?") and asks_post("When was the thread started?")
    assert not asks_post("What did greasemonkey_jo think was the usual cause?")
    assert not asks_post("What programming language is photoshelf written in?")


def test_a_definition_reads_as_what_its_term_is():
    """Asked "What is a cast?", the reader: -2.18 for ": A second or later swarm ..." as written,
    -0.83 read as "Cast is a second or later swarm ..." (eval/transfer30)."""
    text = "**Cast**\n: A second or later swarm from the same colony.\n\n**NATO hive**\n: NATO standard box.\n"
    readings = _readings(text, "Glossary")
    assert readings[": A second or later swarm from the same colony."][0] == "Cast is a second or later swarm from the same colony."
    assert readings[": NATO standard box."][0] == "NATO hive is NATO standard box."


def test_an_infoboxs_tabbed_fields_read_without_the_title_the_reader_is_given_anyway():
    """A wiki page copied as text parts label and value with a tab, and a value may go on on the
    next line, indented (eval/transfer37)."""
    text = "Born\tJohan Edvard Lindqvist\n\t11 April 1858\nSpouse(s)\tElin Sandberg (m. 1886)\nChildren\t3\n"
    readings = _readings(text, "Johan Lindqvist")
    assert readings["Spouse(s)\tElin Sandberg (m. 1886)"] == (
        "The spouse(s) is Elin Sandberg (m. 1886).", "wife husband married who")
    assert readings["Born\tJohan Edvard Lindqvist\n\t11 April 1858"][0] == "Born Johan Edvard Lindqvist, 11 April 1858"
    assert readings["Children\t3"][0] == "The children are 3."
    # a tab inside prose is no field
    assert _readings("See the table below.\tIt lists every bridge.\n") == {}


def test_a_posts_signature_below_it_reads_as_saying_who_wrote_it():
    text = "The culprit is the `%` sign.\n\nanswered 12 Feb 2026 by tamsin.h\n"
    readings = _readings(text)
    assert readings["answered 12 Feb 2026 by tamsin.h"][0] == "This answer was written by tamsin.h, 12 Feb 2026."
    signed = _readings("The lift is out of action.\n\n\u2014 The Management Committee\n")
    assert signed["\u2014 The Management Committee"][0] == "This post was written by The Management Committee."


def test_a_codebooks_value_reads_as_what_its_code_means():
    text = "Type:      Categorical\nValues:    1 = Owned outright\n           3 = Rented privately\n"
    readings = _readings(text, "TENURE")
    assert readings["3 = Rented privately"][0] == "Code 3 means Rented privately."
    assert readings["Values:    1 = Owned outright"][0] == "Code 1 means Owned outright."
