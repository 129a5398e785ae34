"""An e-mail's header lines read as the sentences they stand for."""

from __future__ import annotations

from index.sentences import sentence_spans
from rag.mail_headers import header_readings

MESSAGE = (
    "Subject: Re: Backup server move\nFrom: Priya Nair <priya.nair@example.org>\nTo: ops-team@example.org\n"
    "Date: 2026-11-03 09:12\n\nHi all,\n\nThe move is confirmed for Saturday 14 November.\n"
)


def _readings(text: str) -> dict[str, str]:
    spans = sentence_spans(text)
    return {text[spans[i][0]:spans[i][1]]: reading.sentence for i, reading in header_readings(text, spans).items()}


def test_each_line_of_a_header_block_says_what_it_means():
    readings = _readings(MESSAGE)
    assert readings == {
        "Subject: Re: Backup server move": "The subject of this e-mail message is Re: Backup server move.",
        "From: Priya Nair <priya.nair@example.org>": "This e-mail message was written and sent by Priya Nair <priya.nair@example.org>.",
        "To: ops-team@example.org": "This e-mail message was received by ops-team@example.org.",
        "Date: 2026-11-03 09:12": "This e-mail message was sent on 2026-11-03 09:12.",
    }


def test_a_header_block_pasted_into_notes_is_read_too_but_a_lone_label_is_not():
    pasted = "Forwarded below.\n\nFrom: Jonas Weber <jonas@example.org>\nSent: Monday 2 November\n\nPlease check the invoice.\n"
    assert set(_readings(pasted)) == {"From: Jonas Weber <jonas@example.org>", "Sent: Monday 2 November"}
    # minutes with a date line, a subject line without a message around it: no header block
    minutes = "Minutes of the tenants' meeting\n\nDate: 3 May 2026\n\nPresent: Ana, Tomasz.\n"
    assert _readings(minutes) == {}
    labels = "Date: 3 May 2026\nSubject: the boiler\n\nThe boiler is fixed.\n"  # two fields, no address
    assert _readings(labels) == {}
    # an address and a second header line make a block
    assert len(_readings("To: ana@example.org\nSubject: keys\n\nThe keys are at the desk.\n")) == 2


def test_a_header_line_answers_only_what_its_field_holds():
    spans = sentence_spans(MESSAGE)
    readings = {MESSAGE[spans[i][0]:spans[i][1]].split(":")[0]: r for i, r in header_readings(MESSAGE, spans).items()}
    assert readings["From"].answers("Who sent the message about the move?")
    assert readings["To"].answers("Which address was it sent to? Who got it?")
    assert not readings["To"].answers("What should the ops team bring?")  # names the team, asks for a thing
    assert readings["Date"].answers("When was it sent?") and not readings["Date"].answers("Who sent it?")
    assert readings["Subject"].answers("What is the message about?")


def test_the_line_above_a_quoted_message_says_who_wrote_it_and_when():
    text = "Thanks for the slides.\n\nOn Wed, 11 Nov 2026 at 09:15, Daniel Kim <daniel.kim@example.org> wrote:\n> Hi Sofia,\n"
    readings = header_readings(text, sentence_spans(text))
    (reading,) = readings.values()
    assert reading.sentence == ("The e-mail message quoted below was written by Daniel Kim <daniel.kim@example.org> "
                                "on Wed, 11 Nov 2026 at 09:15.")
    assert reading.answers("Who wrote the first message?") and not reading.answers("How long is Daniel's talk?")


def test_only_a_header_fields_own_name_opens_a_header_line():
    # "Wrote:" is how the reading of a reply's attribution line is named, not a header field
    assert _readings("Wrote: nothing yet\nTo: ana@example.org\n\nThe keys are at the desk.\n") == {}


def test_a_question_about_people_gets_the_sender_or_a_recipient_as_it_asks():
    spans = sentence_spans(MESSAGE)
    readings = {MESSAGE[spans[i][0]:spans[i][1]].split(":")[0]: r for i, r in header_readings(MESSAGE, spans).items()}
    sender, recipient = readings["From"], readings["To"]
    for question in ("Who sent the message about the move?", "Who replied to Marek?", "Who is the message from?"):
        assert sender.answers(question) and not recipient.answers(question), question
    for question in ("Who was the message sent to?", "Who received the message?", "Who was copied on it?"):
        assert recipient.answers(question) and not sender.answers(question), question
    assert sender.answers("Whose message is this?") and recipient.answers("Whose message is this?")  # either
    reply = "Thanks.\n\nOn Wed, 11 Nov 2026 at 09:15, Daniel Kim <daniel.kim@example.org> wrote:\n> Hi Sofia,\n"
    (quoted,) = header_readings(reply, sentence_spans(reply)).values()
    assert quoted.answers("Who wrote the first message?") and not quoted.answers("Who replied to Daniel?")


def test_a_letters_signature_says_who_wrote_and_signed_it():
    """A closing over a name, in one sentence or two, reads as who wrote the letter; a closing
    without a name, or a line that only looks like one, does not."""
    letter = "The studio seats 140.\n\nYours sincerely,\nHelen Carver\nGeneral Manager"
    assert _readings(letter) == {"Yours sincerely,\nHelen Carver": "This letter was written and signed by Helen Carver."}
    assert _readings("See you on Friday.\n\nBest,\n\nDaniel") == {"Daniel": "This letter was written and signed by Daniel."}
    assert _readings("Warm regards,\nIn\u00e9s Llorca, Reservations") == {
        "Warm regards,\nIn\u00e9s Llorca, Reservations": "This letter was written and signed by In\u00e9s Llorca, Reservations."}
    assert _readings("Kind regards,\n\nthe facilities team") == {}
    assert _readings("Regards, as they say, are free.\n\nHelen Carver") == {}
    spans = sentence_spans(letter)
    (reading,) = header_readings(letter, spans).values()
    assert reading.answers("Who signed the letter from the Arts Centre?") and reading.answers("Who wrote it?")
    assert not reading.answers("Who received the letter?") and not reading.answers("How many seats are there?")
