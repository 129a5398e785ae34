from index.headings import outline, plain_heading, title_heading
from index.sentences import sentence_spans


def paths(text: str, title: str = "") -> dict[str, str]:
    spans = sentence_spans(text)
    return dict(zip((text[a:b] for a, b in spans), outline(text, spans, title)[0]))


def heading_sentences(text: str, title: str = "") -> list[str]:
    """The sentences of `text` that are headings themselves."""
    spans = sentence_spans(text)
    return [text[a:b] for (a, b), flag in zip(spans, outline(text, spans, title)[1]) if flag]


def plain(text: str) -> list[str]:
    spans = sentence_spans(text)
    return [text[a:b] for i, (a, b) in enumerate(spans) if plain_heading(text, spans, i)]


def test_each_sentence_knows_the_markdown_headings_above_it_else_its_document_title():
    text = ("# Tallow release notes\n\n## 3.1.0\n\n### Removed\n- The `--legacy-ssh` option.\n\n"
            "## 3.0.0\n\nThis release drops Python 3.8.\n")
    by_sentence = paths(text, "notes.md")
    assert by_sentence["- The `--legacy-ssh` option."] == "Tallow release notes > 3.1.0 > Removed"
    assert by_sentence["This release drops Python 3.8."] == "Tallow release notes > 3.0.0"  # a sibling replaces its level
    prose = "Rent is due monthly. The deposit is two months' rent."
    assert list(paths(prose, "Tenancy agreement").values()) == ["Tenancy agreement"] * 2


def test_a_title_that_is_the_start_of_the_prose_is_no_heading():
    # A file without a title line is titled by its first line: the reader must not read that
    # sentence (shortened) as the heading of every sentence, itself included.
    first = "The branch office opened in 1998 on the corner of Mill Road and the old market square, beside the"
    prose = f"{first} station. It has four rooms.\nParking is behind it."
    assert set(paths(prose, first[:60] + "\u2026").values()) == {""}
    assert set(paths(prose, "The branch office opened in 1998.").values()) == {""}
    assert set(paths(prose, "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen").values()) == {""}
    for cut in ("For most of history, towns were built without trees in their streets. Space inside city",  # a wrapped line
                "The office opened in 1998 (on Mill Road.)", '"We open at nine on weekdays," she said.'):
        assert title_heading(cut) == "", cut
    assert title_heading(" ".join(["word"] * 16)) != "" and title_heading(" ".join(["word"] * 17)) == ""
    for title in ("Tenancy agreement", "TENANCY AGREEMENT - FLAT 4, 12 ORCHARD ROW", "Where Am I Going?", "notes",
                  "Riverside Tenants' Association: minutes of the meeting of 14 October", "Arsenal F.C.", "Acme Inc.",
                  "Agenda:", "St. John's, Newfoundland and Labrador", "Dr. Who", "Rent is due."):
        assert title_heading(f" {title} ") == title
        assert set(paths(prose, title).values()) == {title}
    assert title_heading("") == title_heading("   ") == ""


def test_a_numbered_markdown_heading_is_one_heading():
    text = "# Minutes\n\n## 4. Bike storage\n\nKeys are issued by Helen, for a deposit of 10 pounds.\n"
    assert paths(text)["Keys are issued by Helen, for a deposit of 10 pounds."] == "Minutes > 4. Bike storage"


def test_plain_text_headings_in_capitals_or_set_off_by_blank_lines():
    text = ("HARBOUR LIGHTS: RULES OF PLAY\n\nHarbour Lights is a board game for two to five players.\n\n"
            "SETTING UP\n\nEach player starts with five coins. The youngest player goes first.\n\n"
            "End of the game\n\nThe player with the most coins wins.\n")
    assert plain(text) == ["HARBOUR LIGHTS: RULES OF PLAY", "SETTING UP", "End of the game"]
    by_sentence = paths(text, "HARBOUR LIGHTS: RULES OF PLAY")
    # a plain heading replaces the last, under the document's title
    assert by_sentence["Each player starts with five coins."] == "HARBOUR LIGHTS: RULES OF PLAY > SETTING UP"
    assert by_sentence["The player with the most coins wins."] == "HARBOUR LIGHTS: RULES OF PLAY > End of the game"
    assert by_sentence["Harbour Lights is a board game for two to five players."] == "HARBOUR LIGHTS: RULES OF PLAY"
    assert paths(text)["The player with the most coins wins."] == "End of the game"  # no title: as found


def test_a_cv_reads_its_sections_under_its_owners_name_and_its_dated_entries_as_answers():
    """"EXPERIENCE" says nothing of whose; under "AMARA OKAFOR" the reader read "2019 - 2022 Data
    Engineer, NHS ..." for "When did Amara work for the NHS analytics unit?" at 1.87, under
    "EXPERIENCE" alone at -2.53 (eval/transfer27). An entry opening with its years heads the
    points under it and is an answer candidate too, read under the headings above it."""
    import numpy as np

    from index.headings import DATED_ENTRY
    from rag.extractive import build_candidates
    from rag.retrieve import Passage

    text = ("AMARA OKAFOR\nData engineer\n\n\nEXPERIENCE\n\n"
            "2022 - present    Senior Data Engineer, Fernhill Foods (Bristol)\n"
            "                  - Lead a team of four engineers.\n\n"
            "SKILLS\n\nPython and SQL.\n")
    by_sentence = paths(text, "AMARA OKAFOR")
    assert by_sentence["- Lead a team of four engineers."] == (
        "AMARA OKAFOR > EXPERIENCE > 2022 - present    Senior Data Engineer, Fernhill Foods (Bristol)")
    assert by_sentence["Python and SQL."] == "AMARA OKAFOR > SKILLS"
    passage = Passage(chunk_id="c", document_id="cv.txt", source="cv.txt", title="AMARA OKAFOR", date=None,
                      start_char=0, end_char=len(text), text=text, score=1.0)
    vectors = lambda passages: [np.ones((len(p.spans), 4), dtype=np.float32) for p in passages]  # noqa: E731
    embed = lambda texts: np.ones((len(texts), 4), dtype=np.float32)  # noqa: E731
    found = {c.text: c.heading for c in build_candidates("What is Amara's current job?", [passage],
                                                         np.ones(4, dtype=np.float32), embed, lambda term: 1.0, vectors)}
    assert found["2022 - present    Senior Data Engineer, Fernhill Foods (Bristol)"] == "AMARA OKAFOR > EXPERIENCE"
    assert "EXPERIENCE" not in found and "SKILLS" not in found  # section names stay headings only
    assert DATED_ENTRY.match("Sep 2016 \u2013 Jun 2017  MSc Data Science")
    assert not DATED_ENTRY.match("2019-05-02 release")  # a date, no span of years


def test_what_is_not_a_plain_heading():
    assert plain("The deposit is 10 pounds.\n\nNothing else is due.\n") == []  # sentences end with a period
    assert plain("Amara chaired it\nand Tomasz kept the accounts.\n") == []  # a wrapped line goes on
    assert plain("Items\n- one\n- two\n") == []  # a line that introduces a list without a blank line after it
    assert plain("Present: Amara Okafor and eleven residents\n\n| A | B |\n|---|---|\n| 1 | 2 |\n") == [
        "Present: Amara Okafor and eleven residents"
    ]
    assert plain("the meeting ended late\n\nEveryone left.\n") == []  # no capital first letter
    assert plain("Closing remarks\n") == []  # nothing after it to be the heading of


def test_a_plain_heading_is_not_an_answer_candidate_but_heads_the_sentences_under_it():
    import numpy as np

    from rag.extractive import build_candidates
    from rag.retrieve import Passage

    text = "SETTING UP\n\nEach player starts with five coins.\n\nSELLING FISH\n\nTuna cards are worth double.\n"
    passage = Passage(chunk_id="c", document_id="rules.txt", source="rules.txt", title="rules.txt", date=None,
                      start_char=0, end_char=len(text), text=text, score=1.0)
    vectors = lambda passages: [np.ones((len(p.spans), 4), dtype=np.float32) for p in passages]  # noqa: E731
    embed = lambda texts: np.ones((len(texts), 4), dtype=np.float32)  # noqa: E731
    found = build_candidates("How many coins does a player start with?", [passage], np.ones(4, dtype=np.float32),
                             embed, lambda term: 1.0, vectors)
    assert [(c.text, c.heading) for c in found] == [
        ("Each player starts with five coins.", "rules.txt > SETTING UP"), ("Tuna cards are worth double.", "rules.txt > SELLING FISH"),
    ]


def test_an_underlined_line_is_a_heading_in_markdown_and_plain_text():
    """Setext headings: many READMEs and licences underline their titles with "=" or "-"."""
    text = ("Mozilla Public License Version 2.0\n==================================\n\n"
            "1. Definitions\n--------------\n\nA term means what it says.\n\n"
            "Not a heading, a paragraph above a rule.\n\n---\n\nThe end.\n")
    by_sentence = paths(text, "mpl.txt")
    assert by_sentence["A term means what it says."] == "Mozilla Public License Version 2.0 > 1. Definitions"
    assert by_sentence["The end."] == "Mozilla Public License Version 2.0 > 1. Definitions"
    headings = heading_sentences(text, "mpl.txt")
    assert "Mozilla Public License Version 2.0" in headings and "1. Definitions" in headings
    assert "Not a heading, a paragraph above a rule." not in headings


def test_a_numbered_title_that_opens_its_line_is_a_heading():
    text = ("   6. Trademarks. This License does not grant permission to use the trade names.\n\n"
            "   7. Disclaimer of Warranty. Unless required by applicable law, the Work is provided AS IS.\n\n"
            "1. Mix well. Then wait.\n")
    by_sentence = paths(text)
    assert by_sentence["This License does not grant permission to use the trade names."] == "6. Trademarks"
    assert by_sentence["Unless required by applicable law, the Work is provided AS IS."] == "7. Disclaimer of Warranty"
    spans = sentence_spans(text)
    flags = dict(zip((text[a:b] for a, b in spans), outline(text, spans, "LICENSE")[1]))
    assert flags["6. Trademarks."] and flags["7. Disclaimer of Warranty."]
    assert not flags["1. Mix well."]  # an instruction, not a title
    text = "10. Versions\n\n10.1. New Versions\n\nThe steward publishes new versions.\n"
    assert paths(text)["The steward publishes new versions."] == "10.1. New Versions"
    steps = "Method\n\n1. Preheat the oven to 200 degrees\n\n2. Mix the flour and water\n\n3. Bake it for an hour\n"
    assert plain(steps) == ["Method"]  # the steps of a loose list are no titles


RULES = (
    "HARBOUR LIGHTS\n\nSETTING UP\n\nShuffle the fish cards and deal three to each player. "
    "Put the storm cards in a pile of their own. Each player starts with five coins. "
    "The youngest player goes first.\n\nA TURN\n\nRoll the weather die, then move your boats.\n"
)


def test_a_chunk_keeps_the_headings_above_it():
    """Read alone, a chunk that begins inside a section lost the section's heading: "Each
    player starts with five coins." was read under the document's title, not "SETTING UP"."""
    from index.chunking import chunk_text
    from index.headings import chunk_outlines

    first, middle, last = chunk_text(RULES, 120, 0)
    assert middle.text.startswith("Put the storm cards") and last.text.startswith("Roll the weather die")
    assert middle.outline == {"above": [[7, "SETTING UP"]], "inside": [[middle.text.index("A TURN"), 7, "A TURN"]], "turn": None}
    spans = sentence_spans(middle.text)
    paths, flags = outline(middle.text, spans, "rules.txt", middle.outline)
    assert paths == ["rules.txt > SETTING UP"] * 3 + ["rules.txt > A TURN"] and flags == [False, False, False, True]
    assert outline(middle.text, spans, "rules.txt")[0][1] == "rules.txt"  # read alone: the title
    assert outline(last.text, sentence_spans(last.text), "rules.txt", last.outline)[0] == ["rules.txt > A TURN"]
    whole = sentence_spans(RULES)
    assert chunk_outlines(RULES, whole, [(0, len(RULES))]) == [
        {"above": [], "inside": [[0, 7, "HARBOUR LIGHTS"], [16, 7, "SETTING UP"], [RULES.index("A TURN"), 7, "A TURN"]]}
    ]


def test_the_rest_of_a_line_that_opens_a_chunk_is_no_heading():
    """A chunk may begin mid-line: "Delete it and replace it with this:" then looks like a line of
    its own, set off above, and was taken for a heading."""
    from index.chunking import chunk_text

    text = ("# Basic usage\n\nIn src/lib.rs, Cargo has generated some sample code, far more of it than we want to keep here. "
            "Delete it and replace it with this:\n\nfn foo() {}\n")
    chunk = next(c for c in chunk_text(text, 110, 0) if c.text.startswith("Delete it"))
    paths, flags = outline(chunk.text, sentence_spans(chunk.text), "guide.md", chunk.outline)
    assert flags == [False, False] and paths == ["Basic usage", "Basic usage"]


def test_a_line_that_leads_into_what_follows_is_no_heading():
    text = "Opening hours:\n\nTen to six.\n\nRun these two lines to install it:\n\npip install tallow\n"
    assert plain(text) == ["Opening hours:"]


def test_a_stored_outline_reads_back_and_a_damaged_one_is_none():
    from index.headings import dump_outline, load_outline

    stored = {"above": [[1, "Guide"], [2, "Setting up"]], "inside": [[40, 2, "A turn"]]}
    assert load_outline(dump_outline(stored)) == stored
    for damaged in (None, 3, "", "{", '{"above": [[1]]}', '{"above": [], "inside": [["x", 1, "h"]]}', "[]"):
        assert load_outline(damaged) is None, damaged


def test_a_comment_in_a_fenced_code_block_is_no_heading():
    from index.chunking import chunk_text

    text = ("# Install\n\nRun these two lines:\n\n```bash\n# get the package\npip install tallow\n```\n\n"
            "Then run tallow init in your notes folder.\n\n~~~\n## not a heading either\n~~~\n\nDone.\n")
    by_sentence = paths(text)
    assert by_sentence["Then run tallow init in your notes folder."] == "Install"
    assert by_sentence["Done."] == "Install"
    assert chunk_text(text, 800, 0)[0].outline == {"above": [], "inside": [[0, 1, "Install"]], "turn": None}


from hypothesis import given  # noqa: E402
from hypothesis import settings as hsettings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_LINES = st.sampled_from([
    "# Guide", "## Setting up", "### Details", "SETTING UP", "A TURN", "Opening hours:", "1. Definitions",
    "7. Disclaimer of Warranty. Unless required by law, nothing is promised.", "Title line", "=====", "-----",
    "```bash", "```", "# a shell comment", "Each player starts with five coins.", "The cafe closes at four, and",
    "then it opens again at six.", "- an item of a list", "| Room | Floor |", "|---|---|", "| Elster | 1 |",
    "A long line of hand-wrapped prose that keeps going well past sixty characters without a stop",
    "       -k --keep", "              Keep the input files.", "       Back at the outer indent.", "EXIT STATUS",
    "", "",
])


@given(st.lists(_LINES, min_size=1, max_size=40), st.integers(min_value=100, max_value=400), st.integers(min_value=0, max_value=40))
@hsettings(max_examples=150, deadline=None)
def test_a_stored_outline_gives_each_sentence_its_documents_heading_path(lines, size, overlap):
    """Whatever the chunking, a chunk read with its stored outline gives each sentence the
    heading path and heading flag that the whole document gives it."""
    from index.chunking import chunk_text

    text = "\n".join(lines)
    spans = sentence_spans(text)
    paths, flags = outline(text, spans, "doc.md")
    whole = {start: (path, flag) for (start, _), path, flag in zip(spans, paths, flags)}
    for chunk in chunk_text(text, size, overlap):
        local = sentence_spans(chunk.text)
        for (start, _), path, flag in zip(local, *outline(chunk.text, local, "doc.md", chunk.outline)):
            if chunk.start_char + start in whole:
                assert (path, flag) == whole[chunk.start_char + start], (chunk.text, start)


def test_restructuredtext_titles_are_headings_and_a_short_tilde_line_is_a_fence():
    rst = ("Tallow\n======\n\nInstall\n-------\n\nRun pip install tallow.\n\n"
           "Usage\n~~~~~\n\nRun tallow sync in your notes folder.\n\nOptions\n^^^^^^^\n\nUse --dry-run to see what would change.\n")
    by_sentence = paths(rst)
    assert by_sentence["Run pip install tallow."] == "Tallow > Install"
    assert by_sentence["Run tallow sync in your notes folder."] == "Tallow > Install > Usage"
    assert by_sentence["Use --dry-run to see what would change."] == "Tallow > Install > Usage > Options"
    markdown = "# Guide\n\nAn example follows:\n~~~\n# a comment\n~~~\n\nThat is all.\n"
    assert paths(markdown)["That is all."] == "Guide"


MAN_PAGE = """OPTIONS
       -k --keep
              Keep (don't delete) input files during compression or decompres‐
              sion.

       -r, --no-run-if-empty
              If the standard input does not contain any nonblanks, do not run
              the command.  This option is a GNU extension.
       --help Print a summary of the options and exit.

       The options -L and -n are mutually exclusive.

EXIT STATUS
       xargs exits with the following status:
              0      if it succeeds
"""


def test_a_term_over_its_indented_description_heads_it_until_the_text_goes_back():
    """Manual pages and plain-text references put an option's name on a line of its own over
    its indented description: the name heads the description, and only that."""
    by_sentence = paths(MAN_PAGE)
    keep = next(s for s in by_sentence if s.startswith("Keep (don't delete)"))
    assert by_sentence[keep] == "OPTIONS > -k --keep"
    assert by_sentence["If the standard input does not contain any nonblanks, do not run\n              the command."] == \
        "OPTIONS > -r, --no-run-if-empty"
    assert by_sentence["This option is a GNU extension."] == "OPTIONS > -r, --no-run-if-empty"
    # back at the term's indent: the description is over, the section goes on
    assert by_sentence["--help Print a summary of the options and exit."] == "OPTIONS"
    assert by_sentence["The options -L and -n are mutually exclusive."] == "OPTIONS"
    assert by_sentence["xargs exits with the following status:"] == "EXIT STATUS"  # a section name over indented text
    spans = sentence_spans(MAN_PAGE)
    flags = dict(zip((MAN_PAGE[a:b] for a, b in spans), outline(MAN_PAGE, spans, "xargs")[1]))
    assert flags["-k --keep"] and flags["-r, --no-run-if-empty"] and not flags["--help Print a summary of the options and exit."]


def test_a_linking_word_set_off_by_blank_lines_is_no_heading():
    text = "ADVANCED USAGE\n\n       gzip -c file1 > foo.gz\n\n       Then\n\n             gunzip -c foo\n\n       is equivalent to cat.\n"
    assert paths(text)["is equivalent to cat."] == "ADVANCED USAGE"
    assert plain("Intro text.\n\nSummary\n\nThe end.\n") == ["Summary"]


def test_what_is_no_term():
    hanging = "2.1. Grants\n\n(a) under intellectual property rights (other than patent or trademark)\n    Licensable by such Contributor.\n"
    assert paths(hanging)["Licensable by such Contributor."] == "2.1. Grants"  # a list item wrapped under its first line
    apart = "Usage notes\n\n       -k --keep\n\n              Keep the input files.\n"
    assert paths(apart)["Keep the input files."] != "-k --keep"  # a blank line between: no description of it
    colon = "Run these lines:\n    pip install tallow\n"
    assert "Run these lines:" not in paths(colon).values()


def test_a_papers_byline_above_its_first_section_is_no_heading():
    text = ("# Street trees and night heat\n\nInes Marchetti and Tomasz Wrobel\n\n"
            "Department of Environmental Science, University of Eastbridge\n\n## Abstract\n\nWe measured it.\n")
    spans = sentence_spans(text)
    paths, flags = outline(text, spans, "paper.md")
    said = {text[s:e]: (path, flag) for (s, e), path, flag in zip(spans, paths, flags)}
    assert said["Department of Environmental Science, University of Eastbridge"] == ("Street trees and night heat", False)
    assert said["Ines Marchetti and Tomasz Wrobel"][1] is False
    assert said["We measured it."] == ("Street trees and night heat > Abstract", False)
    # in plain text, a title over a section's name is left as it was
    rules = "HARBOUR LIGHTS\n\nSETTING UP\n\nDeal three cards.\n"
    assert outline(rules, sentence_spans(rules), "rules.txt")[1] == [True, True, False]


def test_a_byline_set_off_by_blank_lines_is_no_heading():
    """It says who wrote the story, and a heading is never quoted: "Who wrote it?" needs it."""
    text = "# Council approves tram extension\n\nBy Maya Osei, Transport reporter\n\nCouncillors approved the plan.\n\nFares\n\nA ticket costs 2 euros.\n"
    assert plain(text) == ["Fares"]
    from index.headings import BYLINE

    assert not BYLINE.fullmatch("By July 1944, the Red Army was deep into Polish territory.")  # prose, not a byline
    story = "The Salt Keeper\n\nA short story by Ilse Marrow\n\nI. The Letter\n\nThe letter came.\n\nII. The Quay\n\nShe went.\n"
    assert plain(story) == ["The Salt Keeper", "I. The Letter", "II. The Quay"]
    assert BYLINE.fullmatch("*Posted by Marek Dvo\u0159\u00e1k, 14 October 2026*").group("name") == "Marek Dvo\u0159\u00e1k, 14 October 2026"
    assert not BYLINE.fullmatch("A House by The Sea")  # a title: a house is nothing anyone writes
    assert not BYLINE.fullmatch("*By Ann Lee")  # italics opened and not closed


def test_a_numbered_title_over_its_clauses_or_over_a_list_is_a_heading():
    """"1. Membership" over "1.1 Plots are let ..." heads its clauses, and "5 Recommendations" over
    "1. Replace the valve" heads its list; "1. Mix" beside "2. Bake" are steps."""
    rules = "1. Membership\n\n1.1 Plots are let to members only.\n\n2. Rent and fees\n\n2.1 Rent is due on 1 April.\n"
    assert plain(rules) == ["1. Membership", "2. Rent and fees"]
    report = "5 Recommendations\n\n1. Replace the valve.\n\n2. Sample all year.\n"
    assert plain(report) == ["5 Recommendations"]
    assert plain("Method\n\n1. Mix the flour\n\n2. Bake it\n\nServe warm.\n") == ["Method"]


FORUM = ("Cargo bike forum > Rear hub keeps slipping\n\nThread started by wheelie_mo, 3 March 2026, 08:14\n\n"
         "My hub slips uphill.\n\n----------\n\nReply from greasemonkey_jo, 3 March 2026, 09:02\n\n"
         "It is the cable tension.\n")
REVIEWS = ("# Reviews: Halden kettle\n\n### \u2605\u2605\u2605\u2605\u2605 Best for a small kitchen\n\n"
           "*Reviewed by Alex M. on 2 April 2026 \u00b7 Verified purchase*\n\nWe went for sage.\n\n---\n\n"
           "### \u2605\u2605\u2605\u2606\u2606 Fiddly lid\n\n*Reviewed by Tom W. on 18 January 2026*\n\nThe lid is stiff.\n")


def test_each_byline_of_a_page_of_posts_heads_its_post():
    """"We went for sage" says which colour Alex chose only under Alex's byline (eval/transfer31)."""
    assert paths(FORUM, "Cargo bike forum > Rear hub keeps slipping")["It is the cable tension."] == (
        "Cargo bike forum > Rear hub keeps slipping > Reply from greasemonkey_jo")
    said = paths(REVIEWS)
    assert said["We went for sage."] == "Reviews: Halden kettle > \u2605\u2605\u2605\u2605\u2605 Best for a small kitchen > Reviewed by Alex M."
    assert said["The lid is stiff."] == "Reviews: Halden kettle > \u2605\u2605\u2605\u2606\u2606 Fiddly lid > Reviewed by Tom W."
    # one byline says who wrote the whole text, and heads nothing
    blog = "# A walk to Aljezur\n\n*Posted by Marek Dvo\u0159\u00e1k, 14 October 2026*\n\nWe set off early.\n"
    assert paths(blog)["We set off early."] == "A walk to Aljezur"


def test_a_posts_byline_may_give_a_handle_and_a_date():
    from index.headings import byline_name

    assert byline_name("Reply from greasemonkey_jo, 3 March 2026, 09:02") == "greasemonkey_jo"
    assert byline_name("*Reviewed by Priya N. on 2 January 2026 \u00b7 Verified purchase*") == "Priya N."
    assert byline_name("By Tuesday at noon the work was done.") == ""  # prose
    assert byline_name("Reply from Anna, who said the hall was booked.") == ""  # a sentence, not a byline


def test_a_definition_lists_term_heads_its_definition():
    from index.headings import definition_term

    text = ("# Glossary\n\n## C\n\n**Cast**\n: A second swarm from the same colony.\nIt is led by a virgin queen.\n\n"
            "**Drone**\n: A male bee.\n\nMore terms follow.\n")
    said = paths(text)
    assert said["It is led by a virgin queen."] == "Glossary > C > Cast"
    assert said[": A male bee."] == "Glossary > C > Drone"
    assert said["More terms follow."] == "Glossary > C"  # back at the term's indent: its definition is over
    spans = sentence_spans(text)
    terms = [definition_term(text, spans, i) for i in range(len(spans))]
    assert [t for t in terms if t] == ["Cast", "Drone"]


def test_a_field_holding_a_number_is_no_heading():
    text = "Contact us by email.\n\nLast updated: 14 February 2026\n\n- Privacy\n"
    assert plain(text) == []
    assert plain("Intro.\n\nPart 2: The Return\n\nShe came back.\n") == ["Part 2: The Return"]


def test_an_issue_trackers_comments_name_their_writer_first():
    from index.headings import byline_name, post_heading

    line = "**amara-dev** (maintainer) commented on 13 May 2026"
    assert byline_name(line) == "amara-dev" and post_heading(line, 0, len(line)) == "amara-dev commented"
    assert byline_name("Anna replied") == ""  # no date, no bold: may be prose
    text = ("# Thumbnails upside down\n\n**tomasz-w** commented on 12 May 2026\n\nI'm on Ubuntu 24.04.\n\n---\n\n"
            + line + "\n\nThis is from #1790.\n")
    said = paths(text)
    assert said["I'm on Ubuntu 24.04."] == "Thumbnails upside down > tomasz-w commented"
    assert said["This is from #1790."] == "Thumbnails upside down > amara-dev commented"


def test_html_headings_and_summaries_in_a_markdown_file_are_headings():
    """A project's README: '<h1 align="center">shelfsync</h1>' titles it, a collapsed section's
    summary heads its text under the heading above it, and badge markup heads nothing."""
    text = ('<p align="center">\n  <img src="logo.svg" alt="logo">\n</p>\n\n<h1 align="center">shelfsync</h1>\n\n'
            "Syncs books.\n\n## Troubleshooting\n\n<details>\n<summary>The reader is not found</summary>\n\n"
            "Unlock the reader.\n\n</details>\n")
    said = paths(text, "README")
    assert said["Syncs books."] == "shelfsync"
    assert said["Unlock the reader."] == "shelfsync > Troubleshooting > The reader is not found"
    assert said['<p align="center">'] == "README"


def test_a_short_line_right_over_prose_heads_it_but_a_wrapped_paragraphs_first_line_does_not():
    """A wiki page copied as text has "Early life" right over its paragraph, no blank line
    between (eval/transfer37); a paragraph wrapped by hand opens with a line as long as the next."""
    text = ("Johan Lindqvist\n\nEarly life\nLindqvist was born in Norrk\u00f6ping, the eldest of four children.[3] "
            "He went to school there.\n\nCareer\nAfter graduating, he spent three years with the Canal Board.\n\n"
            "After graduating, Lindqvist spent three years with the\nSwedish Canal Board surveying the locks.\n")
    said = paths(text, "Johan Lindqvist")
    assert said["He went to school there."] == "Johan Lindqvist > Early life"
    assert said["After graduating, he spent three years with the Canal Board."] == "Johan Lindqvist > Career"
    assert "After graduating, Lindqvist spent three years with the" not in plain(text)
    # over a list or a short line, not prose: no heading
    assert plain("Intro.\n\nKind regards\nAnna Berg\n") == []


def test_back_matter_titles_head_their_lists_and_an_infoboxs_tabbed_fields_are_no_terms():
    text = ("Johan Lindqvist\nBorn\tJohan Edvard Lindqvist\n\t11 April 1858\nDied\t23 January 1931\n"
            "Spouse(s)\tElin Sandberg (m. 1886)\n\nHe built dams.\n\nSee also\nSluice gate\nG\u00f6ta Canal\n\n"
            "References\n[1] Hallberg, Oskar (1932). Obituary.\n")
    said = paths(text, "Lindqvist")
    assert said["G\u00f6ta Canal"] == "Lindqvist > See also"
    assert said["[1] Hallberg, Oskar (1932)."] == "Lindqvist > References"
    assert said["Died\t23 January 1931"] == "Lindqvist > Johan Lindqvist"  # the caption heads its fields
    assert said["Spouse(s)\tElin Sandberg (m. 1886)"] == "Lindqvist > Johan Lindqvist"  # "Born" heads nothing


QA_PAGE = """# Cron job never runs

The entry never leaves a file.
What am I missing?

asked 12 Feb 2026 by marlow_ops

> Did you try a script instead?
> \u2013 kestrel_dev Feb 12 at 21:14

---

**Accepted answer** \u00b7 42 votes

The culprit is the `%` sign.

answered 12 Feb 2026 by tamsin.h

---

**18 votes**

I would move the command into a script.

answered 12 Feb 2026 by kestrel_dev
"""


def test_posts_signed_below_them_are_read_under_their_writer():
    """A question-and-answer site signs each post and comment at its end (eval/transfer38)."""
    from index.headings import post_writer, signature

    said = paths(QA_PAGE)
    assert said["What am I missing?"] == "Cron job never runs > asked by marlow_ops"
    assert said["> Did you try a script instead?"] == "Cron job never runs > commented by kestrel_dev"
    assert said["**Accepted answer** \u00b7 42 votes"] == "Cron job never runs > answered by tamsin.h"
    assert said["I would move the command into a script."] == "Cron job never runs > answered by kestrel_dev"
    assert post_writer(said["The culprit is the `%` sign."]) == "tamsin.h"
    assert signature("> \u2013 kestrel_dev Feb 12 at 21:14") == ("commented", "kestrel_dev", "Feb 12 at 21:14")
    assert signature("We asked around by the harbour.") is None
    # one signature is no page of posts
    one = "Notes.\n\nanswered 12 Feb 2026 by tamsin.h\n"
    assert paths(one)["Notes."] == ""


def test_notices_signed_with_a_dash_are_read_under_their_writer():
    """A notice board typed up: each notice is signed "— The Management Committee" below it
    (eval/transfer40). A lone signature, an option ("--stdout") or a reply ("— Yes.") is none."""
    from index.headings import signature

    text = ("NOTICES\n\n---\n\nLIFT OUT OF SERVICE\n\nThe lift will be out of action on Monday.\n\n"
            "\u2014 The Management Committee\n\n---\n\nLOST CAT\n\nBiscuit is missing.\n\n-- Martin\n")
    said = paths(text)
    assert said["The lift will be out of action on Monday."].endswith("LIFT OUT OF SERVICE > written by The Management Committee")
    assert said["Biscuit is missing."].endswith("LOST CAT > written by Martin")
    assert signature("--stdout") is None and signature("\u2014 Yes.") is None


def test_a_field_over_its_codes_and_a_dish_over_its_description_are_no_terms():
    text = ("TENURE\n  Values:    1 = Owned outright\n             2 = Owned with a mortgage\n\n"
            "Soup of the day ................ \u00a36.25\n    Ask your server\n")
    assert heading_sentences(text) == ["TENURE"]


def test_a_signed_post_ends_at_its_signature():
    """Two chapters open with an epigraph signed with a dash: the quotation is the writer's, the
    chapter's prose under it is not."""
    text = ("# One\n\n> The secret of getting ahead is getting started.\n\n\u2014 Mark Twain\n\nIt was a cold morning.\n\n"
            "# Two\n\n> Well begun is half done.\n\n\u2014 Aristotle\n\nThe boat left at noon.\n")
    said = paths(text)
    assert said["> Well begun is half done."] == "Two > written by Aristotle"
    assert said["It was a cold morning."] == "One"
    assert said["The boat left at noon."] == "Two"
