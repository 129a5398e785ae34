from index.sentences import sentence_spans


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_splits_at_sentence_punctuation_and_keeps_exact_text():
    text = "The report is late. Why? Nobody knows!  It was filed in April."
    assert sentences(text) == ["The report is late.", "Why?", "Nobody knows!", "It was filed in April."]


def test_abbreviations_and_initials_do_not_end_sentences():
    text = "The U.S. Secret Service met on Jan. 6, 2021. Dr. Smith and J. R. Doe came. They left."
    assert sentences(text) == [
        "The U.S. Secret Service met on Jan. 6, 2021.",
        "Dr. Smith and J. R. Doe came.",
        "They left.",
    ]


def test_closing_quotes_stay_with_their_sentence():
    text = "\u201cThey don't want it out.\u201d the source said. \u201cAnd that was before.\u201d Then more."
    assert sentences(text) == [
        "\u201cThey don't want it out.\u201d the source said.",
        "\u201cAnd that was before.\u201d",
        "Then more.",
    ]


def test_lowercase_continuation_does_not_split():
    assert sentences("It cost 3.5 million dollars, i.e. a lot. Next.") == [
        "It cost 3.5 million dollars, i.e. a lot.",
        "Next.",
    ]


def test_paragraphs_headings_and_list_items_are_separate():
    text = "Title line\r\n\r\nFirst para has words\r\n- item one\r\n- item two\r\nlast"
    assert sentences(text) == ["Title line", "First para has words", "- item one", "- item two", "last"]


def test_hard_wrapped_lines_are_joined_into_one_sentence():
    line = "This is a long line of hard-wrapped text that keeps going past sixty characters"
    text = f"{line}\nand ends here. Second one."
    assert sentences(text) == [f"{line}\nand ends here.", "Second one."]


def test_region_offsets_are_into_the_whole_text():
    text = "Skip this. Take this one. And this."
    start = text.index("Take")
    assert [text[s:e] for s, e in sentence_spans(text, start)] == ["Take this one.", "And this."]


def test_markdown_table_rows_and_list_items_are_sentences_of_their_own():
    row = "| Parthe | 3 | 30 | ask reception, or book through the facilities team well in advance |"
    text = (
        "Rooms we have:\n\n| Room | Floor | Seats | Booking |\n|---|---|---|---|\n"
        "| Elster | 1 | 12 | calendar |\n" + row + "\n\n"
        "- Facilities contact is Jonas Weber.\n- The security officer is Amira Haddad; she also runs drills\n"
        "+ Milk comes on Tuesday\n"
    )
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == [
        "Rooms we have:", "| Room | Floor | Seats | Booking |", "|---|---|---|---|", "| Elster | 1 | 12 | calendar |",
        row, "- Facilities contact is Jonas Weber.", "- The security officer is Amira Haddad; she also runs drills",
        "+ Milk comes on Tuesday",
    ]


def test_a_number_that_opens_its_line_does_not_end_a_sentence():
    text = "## 4. Bike storage\n\n1. Minutes of the last meeting\n2.1. Scope of work\nIt was built in 1998. Then it closed."
    assert sentences(text) == [
        "## 4. Bike storage", "1. Minutes of the last meeting", "2.1. Scope of work", "It was built in 1998.",
        "Then it closed.",
    ]


def test_a_short_wrapped_line_goes_on_where_it_stops_mid_sentence():
    """Licences, RFCs and e-mail are wrapped by hand, often early: a line that stops on "or" or a
    comma, or is followed by a line in lower case, goes on; "(b)" starts an item of its own."""
    text = (
        "   4. Redistribution.\n"
        "      (a) You must give any other recipients of the Work or\n"
        "          Derivative Works a copy of this License; and\n"
        "      (b) You must retain all notices,\n"
        "          excluding those that do not pertain.\n"
    )
    assert sentences(text) == [
        "4. Redistribution.",
        "(a) You must give any other recipients of the Work or\n          Derivative Works a copy of this License; and",
        "(b) You must retain all notices,\n          excluding those that do not pertain.",
    ]


def test_a_defined_term_is_one_sentence_with_its_definition():
    text = '1.7. "Larger Work"\n    means a work that combines Covered Software with other material.\n\n1.8. "License"\n    means this document.\n'
    assert sentences(text) == [
        '1.7. "Larger Work"\n    means a work that combines Covered Software with other material.',
        '1.8. "License"\n    means this document.',
    ]


def test_short_lines_that_stand_alone_stay_apart():
    """A heading, a lowercase list without bullets and a URL line are not wrapped text."""
    text = "Ingredients\nflour\nwater\n\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n"
    assert sentences(text) == ["Ingredients", "flour", "water", "Version 2.0, January 2004", "http://www.apache.org/licenses/"]


def test_windows_line_ends_are_single_line_breaks():
    """"\r\n" once read as two line breaks, so every line of a Windows file was a paragraph and
    no hard-wrapped sentence was joined."""
    line = "This is a long line of hard-wrapped text that keeps going past sixty characters"
    text = f"{line}\r\nand ends here. Second one.\r\n\r\nNext paragraph."
    assert sentences(text) == [f"{line}\r\nand ends here.", "Second one.", "Next paragraph."]


def test_a_passage_that_opens_mid_line_splits_as_its_document_does():
    """A chunk may start in the middle of a line ("If You"); the sentence still goes on."""
    document = "    The licence is granted to You. If You\n      institute patent litigation, it terminates.\n"
    passage = document[document.index("If You") :]
    assert sentences(document)[-1] == "If You\n      institute patent litigation, it terminates."
    assert sentences(passage) == ["If You\n      institute patent litigation, it terminates."]


def test_a_line_with_a_parenthesis_left_open_goes_on():
    text = "Post patches to git@vger.kernel.org (read\n[SubmittingPatches][] first). Thanks.\n"
    assert sentences(text) == ["Post patches to git@vger.kernel.org (read\n[SubmittingPatches][] first).", "Thanks."]


def test_a_label_ending_in_a_capital_letter_ends_its_line():
    text = "Meeting room: Block A\nThe key is at reception.\n"
    assert sentences(text) == ["Meeting room: Block A", "The key is at reception."]


def test_a_section_name_in_capitals_stands_apart_from_the_indented_text_under_it():
    text = "EXIT STATUS\n       xargs exits with the following status: 0 if it succeeds.\n"
    assert sentences(text) == ["EXIT STATUS", "xargs exits with the following status: 0 if it succeeds."]
    # in line with the text, capitals are words of the sentence ("NOTE" wrapped as prose goes on)
    assert sentences("THE SOFTWARE IS PROVIDED\nas is, without warranty.\n") == ["THE SOFTWARE IS PROVIDED\nas is, without warranty."]


def test_an_abbreviation_that_ends_a_wrapped_line_ends_no_sentence():
    text = ("Each extra 10 points of canopy cover lowered the 2 a.m.\ntemperature by 0.35 °C.\n"
            "The loggers stopped at 5 p.m.\nThe next day they ran again.")
    assert sentences(text) == [
        "Each extra 10 points of canopy cover lowered the 2 a.m.\ntemperature by 0.35 °C.",
        "The loggers stopped at 5 p.m.",
        "The next day they ran again.",
    ]


def test_a_line_opened_by_a_time_stamp_is_an_entry_of_its_own():
    chat = ("[09:32] kwame: yes, the VPN goes through the office line, so remote staff will be cut off for that hour\n"
            "[10:15] tomasz: db-02 is at 58% now, closing the alert\n10:16 <mira> thanks\n")
    assert sentences(chat) == [
        "[09:32] kwame: yes, the VPN goes through the office line, so remote staff will be cut off for that hour",
        "[10:15] tomasz: db-02 is at 58% now, closing the alert",
        "10:16 <mira> thanks",
    ]
    assert sentences("The meeting starts at\n10:30 sharp in room B.") == ["The meeting starts at\n10:30 sharp in room B."]


def test_each_line_of_a_run_of_fields_is_a_sentence_of_its_own():
    spec = ("Safety: boil-dry protection, auto shut-off, cool-touch handle and a lid lock\n"
            "Warranty: 3 years from the date of purchase\nMade in: Portugal\n")
    assert sentences(spec) == [
        "Safety: boil-dry protection, auto shut-off, cool-touch handle and a lid lock",
        "Warranty: 3 years from the date of purchase",
        "Made in: Portugal",
    ]
    # a field's value that stops in mid-sentence goes on
    assert sentences("Note: the filter can be washed in\nWarm water: not hot.") == ["Note: the filter can be washed in\nWarm water: not hot."]
    # in bold, as a Markdown page gives them
    assert sentences("**Where:** 3 High Street\n**When**: shifts of four hours\n**Contact:** Darius Farahani\n") == [
        "**Where:** 3 High Street", "**When**: shifts of four hours", "**Contact:** Darius Farahani"]


def test_a_time_in_hard_wrapped_text_opens_no_entry():
    text = ("original is a regular file and its timestamp is less than 2**32 (2106-02-07\n"
            "06:28:16 UTC, assuming leap seconds are not counted); this is the default.")
    assert sentences(text) == [text]
    assert sentences("09:00 Welcome and coffee in the hall downstairs by the stairs\n10:30 Talks begin") == [
        "09:00 Welcome and coffee in the hall downstairs by the stairs", "10:30 Talks begin"]


def test_dot_leaders_and_a_schedules_dated_lines_end_no_sentence():
    grades = "Participation in seminars ............ 10%\nFinal exam (open book, 3 hours) ....... 50%\n"
    assert sentences(grades) == ["Participation in seminars ............ 10%", "Final exam (open book, 3 hours) ....... 50%"]
    schedule = ("Week 1 (8 Sept): Introduction; the Mediterranean around the year 1000\n"
                "Week 2 (15 Sept): Venice and the sea\n")
    assert sentences(schedule) == ["Week 1 (8 Sept): Introduction; the Mediterranean around the year 1000",
                                   "Week 2 (15 Sept): Venice and the sea"]
    assert sentences("He paused... Then he left.") == ["He paused...", "Then he left."]


COLUMN = (  # a PDF's narrow column, as its text comes out: a line of about 52 characters
    "Summary\n"
    "The programme began in 2011, after a summer in\n"
    "which the town's two beaches were closed for a total\n"
    "of 38 days. It is funded jointly by Kestrel Bay Town\n"
    "Council, which pays 70 per cent of the cost, and the\n"
    "Southern Regional Water Authority, which pays the\n"
    "rest. Stations 2 to 5 are spaced along the east\n"
    "quay, with Station 4 directly opposite the Mill Creek\n"
    "outfall. A bloom of the dinoflagellate Karenia mikimotoi\n"
    "turned the outer bay a rust-brown colour from 2 to 9\n"
    "September. The Sea Fisheries Protection Authority\n"
    "closed the mussel beds at Carrig Point for eleven days\n"
    "as a precaution.\n"
    "2.1 Sampling stations\n"
    "Station 1 lies at the harbour mouth, between the two\n"
    "breakwaters."
)


def test_a_line_that_fills_a_narrow_column_goes_on_in_the_next():
    """A short line not ending a sentence ended one; in a narrow column every line is short,
    and a line the next word would not have fitted on was wrapped, whatever that word's case."""
    found = sentences(COLUMN)
    assert "It is funded jointly by Kestrel Bay Town\nCouncil, which pays 70 per cent of the cost, and the\nSouthern Regional Water Authority, which pays the\nrest." in found
    assert "Stations 2 to 5 are spaced along the east\nquay, with Station 4 directly opposite the Mill Creek\noutfall." in found
    assert "A bloom of the dinoflagellate Karenia mikimotoi\nturned the outer bay a rust-brown colour from 2 to 9\nSeptember." in found
    # Headings stay lines of their own.
    assert found[0] == "Summary" and "2.1 Sampling stations" in found
    # A passage of the column with too few lines of its own is read at the width of the rest.
    start = COLUMN.index("A bloom")
    assert sentences(COLUMN[start:COLUMN.index("closed the")].rstrip())[0].endswith("from 2 to 9\nSeptember.")


def test_lines_that_only_look_full_end_where_they_did():
    # A heading under a long line, with text going on under it.
    assert sentences("Prepared by the Kestrel Bay Environmental Office, March 2026\nSummary\nIn 2025 nine stations were sampled.") == [
        "Prepared by the Kestrel Bay Environmental Office, March 2026", "Summary", "In 2025 nine stations were sampled."]
    # A wrapped title's last word ends its paragraph: no heading.
    title = "10.4. Distributing Source Code Form that is Incompatible With Secondary\nLicenses"
    assert sentences(title + "\n\nIf you choose to distribute it, you may.") == [title, "If you choose to distribute it, you may."]
    # A term over its description indented deeper, and dot leaders padding lines to one width.
    wide = "\n".join(["Each line of this manual is wrapped at about the same width"] * 5)
    term = "file: compressed with xx bits, can only handle yy bits\n      File was compressed by a program that could deal with more bits."
    assert sentences(wide + "\n\n" + term)[-2:] == [term.split("\n")[0], term.split("\n")[1].strip()]
    grades = "Participation in seminars ............ 10%\nMap exercise (due 1 October) .......... 15%\nMidterm essay, 2,000 words ............ 25%"
    assert sentences(wide + "\n\n" + grades)[-3:] == grades.split("\n")


def test_a_reference_lists_entries_are_one_sentence_each():
    """An entry's initials, title and journal hold full stops; its quote is the whole entry. A
    footnote marker alone opens an ordinary paragraph, and a year in parentheses opens no item."""
    text = ("References\n\n[1] Raap T, Pinxten R, Eens M. Light pollution disrupts sleep. Scientific Reports 5 (2015) 13557.\n"
            "[2] Bates D, Maechler M. Fitting linear mixed-effects models using lme4. Journal of Statistical Software 67\n"
            "(2015) 1-48.\n\n[5] The reactive groups are highlighted. Examples of monomers follow.")
    assert sentences(text) == [
        "References",
        "[1] Raap T, Pinxten R, Eens M. Light pollution disrupts sleep. Scientific Reports 5 (2015) 13557.",
        "[2] Bates D, Maechler M. Fitting linear mixed-effects models using lme4. Journal of Statistical Software 67\n(2015) 1-48.",
        "[5] The reactive groups are highlighted.",
        "Examples of monomers follow.",
    ]


def test_a_chapters_roman_numeral_ends_no_sentence():
    """"IV. The Winter" heads a story's chapter: split at its full stop, "The Winter" was no
    heading and "IV." a sentence of its own (eval/transfer26)."""
    text = "She stayed.\n\nIV. The Winter\n\nWren had meant to stay a week. She stayed all spring.\n"
    assert sentences(text) == ["She stayed.", "IV. The Winter", "Wren had meant to stay a week.", "She stayed all spring."]
    assert sentences("It ended. IV. The end.") == ["It ended.", "IV.", "The end."]  # not where it opens no line


def test_a_short_quotation_a_sentence_goes_on_into_is_part_of_it():
    text = ('The last entry was on the eleventh of January. It said only, "Fog. Pans frozen. Fed the heron."\n\n'
            '"He sold some. To the fish smokers, mostly." He left. She wrote: \u201cClear. Calm.\u201d Then slept.')
    assert sentences(text) == [
        "The last entry was on the eleventh of January.",
        'It said only, "Fog. Pans frozen. Fed the heron."',
        '"He sold some.',  # speech that opens its own sentence is split as before
        'To the fish smokers, mostly."',
        "He left.",
        "She wrote: \u201cClear. Calm.\u201d",
        "Then slept.",
    ]


def test_a_line_over_a_run_of_fields_ends_there():
    """An itinerary's flight line over "Terminal: ..." and "Seats: ..." had run into the first
    field (eval/transfer29); a field alone under a line of prose may still be its wrapped end."""
    text = ("  Flight FR 2291   Bristol (BRS) 06:40  ->  Valencia (VLC) 10:05 local time\n"
            "  Terminal: Main terminal\n  Seats: 14A, 14B\n")
    assert sentences(text) == ["Flight FR 2291   Bristol (BRS) 06:40  ->  Valencia (VLC) 10:05 local time",
                               "Terminal: Main terminal", "Seats: 14A, 14B"]
    assert sentences("The meeting was chaired by the\nChair: Ruth Okonjo\nSeats: 4\n")[0] == (
        "The meeting was chaired by the\nChair: Ruth Okonjo")  # it stops mid-sentence: goes on


def test_a_wiki_pages_citation_marks_stay_with_the_sentence_they_follow():
    text = ("He married Maria (n\u00e9e Berg).[3] As a boy he watched the mill.[1][4] "
            "It was finished in 1891.[citation needed] Nothing else.\n")
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "He married Maria (n\u00e9e Berg).[3]", "As a boy he watched the mill.[1][4]",
        "It was finished in 1891.[citation needed]", "Nothing else."]


def test_a_menus_entries_and_a_codebooks_codes_are_sentences_of_their_own():
    """Dot leaders pad a dish's line to its price, a description indented under it goes with it,
    and each "N = label" of a codebook's values is its own line (eval/transfer41, 42)."""
    menu = ("STARTERS\n\nSoup of the day (V) ...................... \u00a36.25\n    Ask your server; served with bread\n"
            "Smoked mackerel p\u00e2t\u00e9, rye toast .......... \u00a37.50\nHam hock terrine (GF) .................... \u00a38.25\n")
    assert [menu[a:b] for a, b in sentence_spans(menu)] == [
        "STARTERS", "Soup of the day (V) ...................... \u00a36.25\n    Ask your server; served with bread",
        "Smoked mackerel p\u00e2t\u00e9, rye toast .......... \u00a37.50", "Ham hock terrine (GF) .................... \u00a38.25"]
    codes = ("TENURE\n  Values:    1 = Owned outright\n             2 = Owned with a mortgage or loan\n"
             "             3 = Rented from the council or a housing association\n             -9 = Refused\n")
    assert [codes[a:b] for a, b in sentence_spans(codes)][2:] == [
        "2 = Owned with a mortgage or loan", "3 = Rented from the council or a housing association", "-9 = Refused"]
