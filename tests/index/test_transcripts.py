"""A transcript's turns: who speaks each sentence, and the question it answers."""

from __future__ import annotations

from index.chunking import chunk_text
from index.headings import dump_outline, load_outline
from index.sentences import sentence_spans
from index.transcripts import as_asked_of, as_spoken_by, chunk_turns, speaker_turns

INTERVIEW = (
    "Transcript: The potter's wheel\nHost: Ana Silva\n\n"
    "ANA SILVA: Welcome, Lena. How did you start?\n\n"
    "LENA BRANDT: At school. My teacher had a kiln in the cellar.\n\n"
    "ANA SILVA: Which tool could you not work without?\n\n"
    "LENA BRANDT: My palette knife. I bought it in 2011, when I opened my studio.\n"
)


def _turns(text: str, opening=None) -> dict[str, tuple[str, str, str, bool]]:
    spans = sentence_spans(text)
    return {text[spans[i][0]:spans[i][1]]: tuple(turn) for i, turn in speaker_turns(text, spans, opening).items()}


def test_each_sentence_of_a_turn_has_its_speaker_and_the_question_it_answers():
    turns = _turns(INTERVIEW)
    assert turns["LENA BRANDT: My palette knife."] == (
        "Lena Brandt", "Which tool could you not work without?", "My palette knife.", True)
    assert turns["I bought it in 2011, when I opened my studio."] == (
        "Lena Brandt", "Which tool could you not work without?", "I bought it in 2011, when I opened my studio.", False)
    assert turns["ANA SILVA: Welcome, Lena."] == ("Ana Silva", "", "Welcome, Lena.", True)
    assert turns["My teacher had a kiln in the cellar."][:2] == ("Lena Brandt", "Welcome, Lena. How did you start?"[15:])
    # the labelled lines above the first turn name no speaker and answer no question
    assert turns["Host: Ana Silva"][:2] == turns["Transcript: The potter's wheel"][:2] == ("", "")


def test_labelled_lines_that_are_no_conversation_have_no_turns():
    assert _turns("Phone: 0341 555 0199\nAddress: 12 Mill Road\nOpen: Monday to Friday\n") == {}
    assert _turns("From: Priya Nair <priya@example.org>\nTo: Daniel Kim <daniel@example.org>\n\nHi Daniel.\n") == {}
    assert _turns("Note: the meeting moved.\nWe meet at 10.\n") == {}
    cast = "Wrenfield Players: spring 2026\n\n" + "".join(f"Role: {role}; Name: {name}; Rehearsals: Mon, Wed\n\n" for role, name in (
        ("Mara (the daughter)", "Elin Tasker"), ("Tomas Hale", "Graham Pike"), ("Inspector Crewe", "Dev Raman")))
    assert _turns(cast) == {}  # a spreadsheet's labelled rows, each opened by the same column
    # an itinerary's fields under each flight: "Seats" and "Baggage" twice, eight labels in all
    # (four of them used twice: no more than half)
    trip = ("Booking reference: QX7R4M\nPassengers: Ms Helena Brandt, Mr Jonas Brandt\n\nOUTBOUND\n"
            "Terminal: Main terminal, check-in closes 40 minutes before departure\nSeats: 14A, 14B\n"
            "Baggage: 1 cabin bag (10 kg) each, 1 checked bag shared\n\nRETURN\nSeats: not yet chosen\n"
            "Baggage: as on the way out\n\nCAR HIRE\nSupplier: Ribera Rent, desk in the arrivals hall\n"
            "Car: Seat Ibiza or similar, manual, 5 seats\n")
    assert _turns(trip) == {}


def test_questions_and_answers_marked_q_and_a_are_turns_without_a_speaker():
    faq = "Q: Can I renew a book online?\nA: Yes, up to three times.\nQ: Do you charge fines?\nA: No, never.\n"
    turns = _turns(faq)
    assert turns["A: Yes, up to three times."] == ("", "Can I renew a book online?", "Yes, up to three times.", True)
    assert turns["A: No, never."][1] == "Do you charge fines?"


def test_a_first_person_sentence_reads_as_its_speakers():
    assert as_spoken_by("My palette knife.", "Lena Brandt") == "Lena Brandt's palette knife."
    assert as_spoken_by("I'm sure I gave it to me myself.", "Lena") == "Lena is sure Lena gave it to Lena Lena."
    assert as_spoken_by("The kiln was hot.", "Lena") == ""
    assert as_spoken_by("I opened it.", "") == ""


def test_a_chunk_that_opens_inside_a_turn_knows_whose_turn_it_is():
    spans = sentence_spans(INTERVIEW)
    second = INTERVIEW.index("I bought it")
    assert chunk_turns(INTERVIEW, spans, [(0, second), (second, len(INTERVIEW))]) == [
        ["", ""], ["LENA BRANDT", "Which tool could you not work without?"]]
    assert chunk_turns("Plain prose. Nothing said by anyone.", sentence_spans("Plain prose."), [(0, 12)]) is None
    tail = INTERVIEW[second:]
    assert _turns(tail) == {}  # alone, the tail of a turn does not look like a transcript
    assert _turns(tail, ["LENA BRANDT", "Which tool could you not work without?"]) == {
        "I bought it in 2011, when I opened my studio.": (
            "Lena Brandt", "Which tool could you not work without?", "I bought it in 2011, when I opened my studio.", False)}


def test_ingest_stores_the_turn_in_each_chunks_outline():
    chunks = chunk_text(INTERVIEW, 120, 0)
    turns = [load_outline(dump_outline(chunk.outline))["turn"] for chunk in chunks]
    assert turns[0] == ["", ""] and turns[-1][0] == "LENA BRANDT"
    prose = chunk_text("Plain prose. Nothing said by anyone.", 120, 0)
    assert load_outline(dump_outline(prose[0].outline))["turn"] is None
    assert "turn" not in load_outline('{"above": [], "inside": []}')  # stored before turns were


def test_a_question_put_to_the_speaker_reads_as_asked_about_them():
    assert as_asked_of("What do you make most?", "Lena Brandt") == "What do Lena Brandt make most?"
    assert as_asked_of("Is your studio yours?", "Lena") == "Is Lena's studio Lena's?"
    assert as_asked_of("What do you make?", "") == "What do you make?"


def test_bold_labels_time_stamps_and_chat_logs_open_turns_too():
    markdown = "**Ana:** Which tool do you need most?\n\n**Lena:** My palette knife.\n\n**Ana:** Thanks.\n\n**Lena:** Bye.\n"
    assert _turns(markdown)["**Lena:** My palette knife."] == (
        "Lena", "Which tool do you need most?", "My palette knife.", True)
    stamped = "[00:01:05] ANA SILVA: When did you start?\n[00:01:09] LENA BRANDT (00:01:09): In 2011.\n"
    assert _turns(stamped)["[00:01:09] LENA BRANDT (00:01:09): In 2011."] == ("Lena Brandt", "When did you start?", "In 2011.", True)
    chat = "[10:32] alice: when is the deploy?\n[10:33] bob: Friday at 5.\n[10:34] alice: thanks\n10:35 <bob> np\n"
    turns = _turns(chat)
    assert turns["[10:33] bob: Friday at 5."] == ("bob", "when is the deploy?", "Friday at 5.", True)
    assert turns["10:35 <bob> np"][0] == "bob"
    # a time in prose is no time stamp of a turn
    assert _turns("At 10:30 Maria: the trains were late.\nThey ran at 11:00.\n") == {}


def test_a_specification_or_a_manuals_warnings_are_no_transcript():
    assert _turns("WEIGHT: 1.2 kg\nCOLOUR: red\nBATTERY: 5000 mAh\nWEIGHT: 2 kg\n") == {}
    assert _turns("WARNING: Unplug the kettle before you clean it.\nNOTE: The filter can go in the dishwasher.\n") == {}


def test_settings_named_in_capitals_are_no_speakers():
    """A manual's environment variables, each over what it does, are no conversation: a name has
    no underscore or digit in it."""
    assert _turns("SHOEBOX_CONFIG: Path of a config file to read instead.\n\n"
                  "SHOEBOX_CACHE: Where hashes are cached between runs.\n\n"
                  "Deprecated since version 2.3: The SHOEBOX_HOME variable is no longer read.\n") == {}
    assert _turns("HTTP2_PORT: The port to listen on for clients.\nTLS13_ONLY: Refuse older handshakes from clients.\n") == {}


PLAY = (
    "SCENE 2\n\n[The lantern room. Dawn.]\n\n"
    "HOLLIS: The captain was a fool. He mistook your light for the Longships.\n"
    "ELSIE: (Not looking up.) Our light was burning all night.\n\n"
    "(ARTHUR and TOM enter. TOM has a bandage round his hand.)\n\n"
    "ARTHUR: Seven passengers, all ashore.\n"
)


def test_a_plays_stage_direction_on_a_line_of_its_own_ends_the_speech_before_it():
    """No one says "(ARTHUR and TOM enter.)": it was read as Elsie's (eval/transfer39). A
    direction inside a speech stays the speaker's."""
    spans = sentence_spans(PLAY)
    turns = {PLAY[a:b]: turns.speaker for (a, b), turns in
             ((spans[i], t) for i, t in speaker_turns(PLAY, spans).items())}
    assert turns["ELSIE: (Not looking up.)"] == "Elsie"
    assert turns["Our light was burning all night."] == "Elsie"
    assert "TOM has a bandage round his hand.)" not in turns
    assert turns["ARTHUR: Seven passengers, all ashore."] == "Arthur"
    # a chunk that opens after the direction is in no one's turn
    start = PLAY.index("TOM has")
    assert chunk_turns(PLAY, spans, [(0, 10), (start, len(PLAY))]) == [["", ""], ["", ""]]


def test_labels_coming_round_in_one_order_are_records_not_speakers():
    """A codebook gives "Label:", "Type:", "Values:", "Universe:", "Notes:" for each variable:
    fields, not five people taking turns (eval/transfer42); an interview's two speakers do."""
    block = ("{name}\n  Label:     Number of people in the household\n  Type:      Numeric, discrete\n"
             "  Values:    1 to 12 people living there\n  Universe:  All households in the sample\n"
             "  Notes:     Counts everyone who usually lives at the address.\n\n")
    codebook = "".join(block.format(name=name) for name in ("HHSIZE", "NUMCARS", "TENURE"))
    assert speaker_turns(codebook, sentence_spans(codebook)) == {}
    assert speaker_turns(INTERVIEW, sentence_spans(INTERVIEW))
