"""The whole answer path with the real model and real Chroma."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from index.commands import run_ingest
from index.store import open_store
from rag.errors import InvalidInput, UnknownCollection
from rag.pipeline import Pipeline
from rag.schema import ABSTAIN_TEXT, Answer
from tests.support.paths import REPO, SEEDS


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, real_embedder):
    from rag.settings import Settings

    root = tmp_path_factory.mktemp("pipeline")
    docs = root / "docs"
    docs.mkdir()
    shutil.copy(next(SEEDS.glob("*.txt")), docs / "seed.txt")
    (docs / "markers.md").write_text(
        "# Notes\n\nThe committee report [1] was cited by the chairman [2] in March 2023.\n", encoding="utf-8"
    )
    settings = Settings(data_dir=root / "data", chroma_url=None, collection="seeded", index={"embed_backend": "torch"})
    run_ingest(settings, [docs])
    return Pipeline(settings, embedder=real_embedder)


def check_citations(pipeline: Pipeline, answer: Answer) -> None:
    store = open_store(pipeline.settings, pipeline.store.name)
    for citation in answer.citations:
        text = store.document_text(citation.document_id)
        assert text[citation.start_char : citation.end_char] == citation.quote
        assert f"[{citation.id}]" in answer.answer
    for passage in answer.passages:
        assert store.document_text(passage.document_id)[passage.start_char : passage.end_char] == passage.text


def test_answer_cites_the_sentence_it_quotes(seeded):
    answer = seeded.ask("What time was the pipe bomb discovered?")
    assert not answer.abstained
    assert "1:05 p.m." in answer.answer
    assert answer.sentences and all(s.citation_ids for s in answer.sentences)
    assert set(answer.timings_ms) >= {"embed", "retrieve", "answer", "total"}
    assert answer.config_fingerprint and answer.collection == "seeded"
    check_citations(seeded, answer)
    # The quote is the seed file's own text at those offsets.
    file_text = (SEEDS / next(SEEDS.glob("*.txt")).name).read_text(encoding="utf-8")
    assert file_text[answer.citations[0].start_char : answer.citations[0].end_char] == answer.citations[0].quote


WORDS = st.sampled_from(
    "who what when where how many Secret Service Cheatle report pipe bomb rally Butler Crooks roof "
    "sniper radio Trump Mayorkas inspector general January committee chairman [1] \u201cquote\u201d \U0001f600".split()
)


@given(st.lists(WORDS, min_size=1, max_size=12).map(" ".join))
@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_citation_quote_is_the_source_text_at_its_offsets(seeded, question):
    answer = seeded.ask(question)
    check_citations(seeded, answer)
    assert answer.abstained == (answer.answer == ABSTAIN_TEXT) == (not answer.citations)


def test_markers_in_source_text_never_become_citations(seeded):
    answer = seeded.ask("Who cited the committee report in March 2023?", top_k=3)
    for sentence in answer.sentences:
        assert "[1]" not in sentence.text and "[2]" not in sentence.text
    check_citations(seeded, answer)


@pytest.mark.parametrize(
    ("question", "top_k", "message"),
    [("", None, "must not be empty"), ("   ", None, "must not be empty"),
     ("x" * 2001, None, "at most 2000 characters"), ("ok?", 0, "between 1 and 50"), ("ok?", 51, "between 1 and 50")],
)
def test_invalid_questions(seeded, question, top_k, message):
    with pytest.raises(InvalidInput, match=message):
        seeded.ask(question, top_k)


def test_empty_collection_abstains(tmp_path, real_embedder):
    from rag.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="empty", index={"embed_backend": "torch"})
    open_store(settings, for_writing=True)
    answer = Pipeline(settings, embedder=real_embedder).ask("Anything there?")
    assert answer.abstained and answer.answer == ABSTAIN_TEXT and answer.passages == []


def test_unknown_collection(tmp_path, real_embedder):
    from rag.settings import Settings

    with pytest.raises(UnknownCollection):
        Pipeline(Settings(data_dir=tmp_path / "d", chroma_url=None, collection="nope", index={"embed_backend": "torch"}), embedder=real_embedder)


@pytest.fixture(scope="module")
def office(tmp_path_factory, real_embedder):
    """A user's own notes (Markdown with lists and a table), not the seed article."""
    from rag.settings import Settings

    root = tmp_path_factory.mktemp("office")
    docs = root / "docs"
    docs.mkdir()
    corpus = SEEDS.parent / "eval" / "transfer" / "corpus"
    for name in ("office-notes.md", "espresso-manual.md"):
        shutil.copy(corpus / name, docs / name)
    settings = Settings(data_dir=root / "data", chroma_url=None, collection="office")
    run_ingest(settings, [docs])
    return Pipeline(settings)


@pytest.mark.parametrize("question, expected", [
    ("Who is the facilities contact?", "- Facilities contact is Jonas Weber."),
    ("How much water does the tank hold?", "The tank holds 1.8 litres."),
    ("How many seats does the Parthe room have?", "| Parthe | 3 | 30 | ask reception |"),
    # The row read with its columns' names ("Room: Pleisse; Floor: 2; ...") answers what its
    # cells read under the header row did not (another sentence was quoted).
    ("On which floor is the Pleisse room?", "| Pleisse | 2 | 6 | calendar |"),
])
def test_answers_stated_in_a_users_notes_are_given_not_declined(office, question, expected):
    """A new user's complaint: answers stated word for word in their notes were declined. The
    reader reads the best candidates; a table row is quoted as a row of its own."""
    answer = office.ask(question)
    assert not answer.abstained, answer.model_dump(include={"answerability", "answer"})
    assert answer.citations[0].quote == expected
    check_citations(office, answer)


@pytest.mark.parametrize("question", [
    "What is the parking garage code?",  # the notes say where the code is posted, not what it is
    "What is Jonas Weber's phone number?",
    "What is the email address of the security officer?",
])
def test_a_value_the_notes_never_give_is_declined(office, question):
    """A phone number, an e-mail address or a door code answers such a question, and nothing
    else does: the sentence about the person or the garage reads close, but is no answer."""
    answer = office.ask(question)
    assert answer.abstained, answer.model_dump(include={"answerability", "answer"})
    assert answer.answerability < office.answerer.threshold


def test_the_sentence_that_gives_the_value_answers(tmp_path, real_embedder):
    from rag.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "contacts.md").write_text(
        "# Contacts\n\nFacilities contact is Jonas Weber. You can reach him on 0341 555 0199 until four.\n"
        "He sits in room 12 on the first floor.\n\n"
        "| Name | Role | Phone |\n|---|---|---|\n| Lena Fischer | Payroll | |\n| Amira Haddad | Security | 0341 555 0142 |\n",
        encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="contacts", index={"embed_backend": "torch"})
    run_ingest(settings, [docs])
    pipeline = Pipeline(settings, embedder=real_embedder)
    answer = pipeline.ask("What is Jonas Weber's phone number?")
    assert not answer.abstained, answer.model_dump(include={"answerability", "answer"})
    assert "0341 555 0199" in answer.citations[0].quote
    check_citations(pipeline, answer)
    # Lena's row has no number; the next row's number is Amira's, not an answer.
    answer = pipeline.ask("What is Lena Fischer's phone number?")
    assert answer.abstained, answer.model_dump(include={"answerability", "answer"})


WRAPPED_TERMS = """Garden Share Terms
==================

1. Definitions
--------------

1.1. "Plot"
    means one of the numbered beds in the community garden on Mill Lane,
    including the path beside it.

1.2. "Member"
    means a person who has paid the yearly fee.

   2. Fees. Each Member pays a yearly fee of 40 euros, due on the first
      of March. A Member who joins later in the year pays for the months
      that are left, and
      (a) gets the key to the shed from the garden warden; or
      (b) collects it from the library desk.

   3. Disclaimer of Liability. The garden association is not liable for
      tools left in the shed.
"""


def test_hard_wrapped_plain_text_is_quoted_in_whole_sentences(tmp_path, real_embedder):
    """Licences and terms are wrapped by hand: a definition is one sentence with its term, a
    numbered title heads its clause and is never the answer."""
    from rag.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "terms.txt").write_text(WRAPPED_TERMS, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="terms", index={"embed_backend": "torch"})
    run_ingest(settings, [docs])
    pipeline = Pipeline(settings, embedder=real_embedder)
    answer = pipeline.ask("What is a Plot?")
    assert not answer.abstained, answer.model_dump(include={"answerability", "answer"})
    assert answer.citations[0].quote.startswith('1.1. "Plot"\n    means one of the numbered beds')
    assert answer.citations[0].quote.endswith("including the path beside it.")
    for question in ("How much is the yearly fee?", "Is the association liable for tools left in the shed?"):
        answer = pipeline.ask(question)
        assert not answer.abstained, answer.model_dump(include={"answerability", "answer"})
        quotes = [c.quote for c in answer.citations]
        assert not any(q in ("2. Fees.", "3. Disclaimer of Liability.", "Garden Share Terms") for q in quotes), quotes
        check_citations(pipeline, answer)


TINY_CORPORA = {
    "one note": {"contacts.txt": "Facilities contact is Jonas Weber."},
    "two unrelated notes": {
        "contacts.txt": "Facilities contact is Jonas Weber.",
        "garden.md": "# Garden\n\nThe roses are pruned in March. The hedge is cut twice a year.\n",
    },
}


@pytest.mark.parametrize("corpus", sorted(TINY_CORPORA))
def test_a_clear_answer_in_a_tiny_corpus_is_given(tmp_path, real_embedder, corpus):
    """Where a user starts: a note or two. With so few sentences the best one leads the next by
    more than calibration ever saw, and answerability once read that as a reason to decline."""
    from rag.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in TINY_CORPORA[corpus].items():
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="tiny", index={"embed_backend": "torch"})
    run_ingest(settings, [docs])
    pipeline = Pipeline(settings, embedder=real_embedder)
    answer = pipeline.ask("Who is the facilities contact?")
    assert not answer.abstained, answer.model_dump(include={"answerability", "answer"})
    assert answer.citations[0].quote == "Facilities contact is Jonas Weber."
    check_citations(pipeline, answer)
    unrelated = pipeline.ask("When does the canteen close on Fridays?")
    assert unrelated.abstained, unrelated.model_dump(include={"answerability", "answer"})


def _answered(pipeline: Pipeline, question: str):
    """`pipeline`'s answer to `question`, which must not be declined, its citations checked."""
    answer = pipeline.ask(question)
    assert not answer.abstained, answer.answerability
    check_citations(pipeline, answer)
    return answer


def _transfer_text(name: str, file: str) -> str:
    """A file of a transfer dev set's corpus (`eval/<name>/corpus/<file>`)."""
    return (REPO / "eval" / name / "corpus" / file).read_text(encoding="utf-8")


def _pipeline_over(tmp_path, real_embedder, name: str, chunk_size: int, text: str | bytes) -> Pipeline:
    """A pipeline over one file `name` holding `text` (or a PDF's bytes), ingested in chunks of
    `chunk_size`."""
    from rag.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    if isinstance(text, bytes):
        (docs / name).write_bytes(text)
    else:
        (docs / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="doc",
                        index={"embed_backend": "torch", "chunk_size": chunk_size, "chunk_overlap": 0})
    run_ingest(settings, [docs])
    return Pipeline(settings, embedder=real_embedder)


def test_a_stored_chunk_keeps_the_headings_above_it(tmp_path, real_embedder):
    """Ingest stores each chunk's share of its document's headings in Chroma; a chunk that
    begins inside a section is read under that section's heading."""
    from index.headings import outline

    pipeline = _pipeline_over(tmp_path, real_embedder, "rules.txt", 120, (
        "HARBOUR LIGHTS\n\nSETTING UP\n\nShuffle the fish cards and deal three to each player. "
        "Put the storm cards in a pile of their own. Each player starts with five coins. "
        "The youngest player goes first.\n\nA TURN\n\nRoll the weather die, then move your boats.\n"))
    passages = pipeline.retriever.retrieve("How many coins does each player start with?", 3)
    passage = next(p for p in passages if p.text.startswith("Put the storm cards"))
    assert passage.outline == {"above": [[7, "SETTING UP"]], "inside": [[passage.text.index("A TURN"), 7, "A TURN"]], "turn": None}
    paths, _ = outline(passage.text, passage.spans, passage.title, passage.outline)
    assert paths[1] == "HARBOUR LIGHTS > SETTING UP"  # under the document's title line
    answer = pipeline.ask("How many coins does each player start with?")
    assert answer.citations and answer.citations[0].quote == "Each player starts with five coins."
    check_citations(pipeline, answer)


def test_the_first_sentence_of_an_options_description_is_quoted_with_the_option(tmp_path, real_embedder):
    """A manual page puts an option's name over its indented description, which never says
    it: the answer quotes the name with the sentence, exactly as the source has them."""
    pipeline = _pipeline_over(tmp_path, real_embedder, "gzip.txt", 800, (
        "OPTIONS\n       -c --stdout\n              Write output on standard output; keep original files unchanged.\n\n"
        "       -k --keep\n              Keep (don't delete) input files during compression or decompres\u2010\n"
        "              sion.\n\n       -q --quiet\n              Suppress all warnings.\n"))
    answer = pipeline.ask("How do I keep the input files when compressing?")
    assert not answer.abstained
    first = answer.citations[0]
    assert first.quote.startswith("-k --keep\n") and first.quote.endswith("decompres\u2010\n              sion.")
    assert answer.sentences[0].text == "-k --keep Keep (don't delete) input files during compression or decompression."
    check_citations(pipeline, answer)


BACKUP_MAIL = (
    "Subject: Backup server move\nFrom: Priya Nair <priya.nair@example.org>\nTo: ops-team@example.org\n"
    "Cc: Marek Duda <marek.duda@example.org>\nDate: Tue, 3 Nov 2026 09:12:00 +0100\nMessage-ID: <move@example.org>\n"
    "Content-Type: text/plain; charset=utf-8\n\nHi all,\n\nThe move is confirmed for Saturday 14 November. Marek will "
    "power down the old backup server at 07:00 and the new one should be running by noon.\n\nPriya\n"
)


@pytest.mark.parametrize("question, quote", [
    ("Who sent the message about the backup server move?", "From: Priya Nair <priya.nair@example.org>"),
    ("Who wrote about the backup server move?", "From: Priya Nair <priya.nair@example.org>"),
    ("When was the e-mail about the backup move sent?", "Date: 2026-11-03 09:12"),
    ("Who was copied on the backup move e-mail?", "Cc: Marek Duda <marek.duda@example.org>"),
])
def test_a_messages_header_lines_answer_who_sent_it_and_when(tmp_path, real_embedder, question, quote):
    """Asked who sent a message, the answerer quotes its From line, alone and exactly, where the
    reader alone took "From:" for no answer at all."""
    pipeline = _pipeline_over(tmp_path, real_embedder, "backup-move.eml", 400, BACKUP_MAIL)
    answer = _answered(pipeline, question)
    assert [c.quote for c in answer.citations] == [quote]
    # the body still answers what it says
    body = pipeline.ask("When will the old backup server be powered down?")
    assert not body.abstained and "07:00" in body.answer and not body.answer.startswith("Date")


TALK_REPLY = (
    "Subject: Re: Your talk at DevConf\nFrom: Sofia Reyes <sofia.reyes@example.org>\n"
    "To: Daniel Kim <daniel.kim@example.org>\nCc: Program Committee <pc@devconf.example>\n"
    "Date: Thu, 12 Nov 2026 18:03:00 +0100\nMessage-ID: <talk@example.org>\nContent-Type: text/plain; charset=utf-8\n\n"
    "Hi Daniel,\n\nThanks for the slides. Your talk is in room C at 14:30 on the second day, and you have 25 minutes "
    "plus 5 for questions.\n\nSofia\n\nOn Wed, 11 Nov 2026 at 09:15, Daniel Kim <daniel.kim@example.org> wrote:\n"
    "> Hi Sofia,\n> How long is my slot, and which room am I in?\n> Daniel\n"
)


def test_a_reply_is_answered_from_its_text_not_its_greeting_signature_or_headers(tmp_path, real_embedder):
    """A quoted signature ("Daniel") and a greeting ("Hi Daniel,") hold nothing but the question's
    words, and "To: Daniel Kim" does not say where Daniel's talk is: none of them is quoted, even
    by an answerer made to answer everything (the room question sits near the threshold: the
    text says "your talk", not Daniel's)."""
    pipeline = _pipeline_over(tmp_path, real_embedder, "talk.eml", 400, TALK_REPLY)
    copied = pipeline.ask("Who was copied on the reply about the DevConf talk?")
    assert [c.quote for c in copied.citations] == ["Cc: Program Committee <pc@devconf.example>"]
    settings = pipeline.settings
    forced = Pipeline(settings.model_copy(update={"answer": settings.answer.model_copy(update={"abstain_threshold": 0.0})}),
                      embedder=real_embedder)
    room = forced.ask("Which room is Daniel's talk in?")
    assert "room C" in room.citations[0].quote
    check_citations(forced, room)
    for question in ("Which room is Daniel's talk in?", "What should Daniel bring to his talk?", "When is Daniel's talk?",
                     "How long is Daniel's talk?"):
        quotes = [c.quote for c in forced.ask(question).citations]
        assert quotes and not any(q in ("Daniel", "> Daniel", "Hi Daniel,", "Sofia") or q.startswith(("To:", "From:", "Cc:"))
                                  for q in quotes), (question, quotes)


POTTER_INTERVIEW = (
    "THE MAKERS' HOUR, episode 7\nTranscript: The potter's wheel\nHost: Ana Silva\n\n"
    "ANA SILVA: Welcome, Lena. How did you start?\n\n"
    "LENA BRANDT: At school, really. Our art teacher had a kiln in the cellar, and she let me fire my first bowls "
    "there when I was fourteen. After school I trained for three years with a potter in Bremen, and in 2011 I "
    "opened my own studio in Leipzig.\n\n"
    "ANA SILVA: What do you make most?\n\n"
    "LENA BRANDT: Mugs, by far. Cafes order them by the hundred.\n\n"
    "ANA SILVA: Which tool could you not work without?\n\n"
    "LENA BRANDT: My palette knife. It belonged to the potter in Bremen, and the blade is worn thin.\n"
)


@pytest.mark.parametrize("question, quote", [
    ("Which tool could Lena not work without?", "LENA BRANDT: My palette knife."),
    ("What does Lena make most?", "LENA BRANDT: Mugs, by far."),
])
def test_an_interviews_answer_is_read_with_the_question_it_answers(tmp_path, real_embedder, question, quote):
    """"My palette knife." answers the host's question before it, and only that: read alone, the
    reader never saw it (it was not among the sentences it reads)."""
    pipeline = _pipeline_over(tmp_path, real_embedder, "interview.txt", 300, POTTER_INTERVIEW)
    answer = _answered(pipeline, question)
    assert answer.citations[0].quote == quote


def test_a_turn_in_the_first_person_is_read_as_its_speakers(tmp_path, real_embedder):
    """"I opened my own studio" says when Lena did, in a chunk that opens inside her turn (ingest
    stores whose turn it is)."""
    pipeline = _pipeline_over(tmp_path, real_embedder, "interview.txt", 300, POTTER_INTERVIEW)
    answer = _answered(pipeline, "When did Lena open her studio?")
    assert "2011" in answer.citations[0].quote


@pytest.mark.parametrize("page, question, quote", [
    # "How tall" shares no word with "Height", and the page's prose has many lengths in metres:
    # the line is read as "The height of Oskarsund Viaduct is 38 m (125 ft).", matched by "tall".
    ("oskarsund-viaduct.html", "How tall is the viaduct?", "Height: 38 m (125 ft)"),
    # A byline set off by blank lines was taken for a heading and never quoted; read as "This was
    # written by Maya Osei, ..." it answers who wrote the story.
    ("tram-extension.html", "Who wrote the story about the tram extension?", "By Maya Osei, Transport reporter"),
])
def test_a_field_or_a_byline_answers_what_it_is_read_as(tmp_path, real_embedder, page, question, quote):
    """Each line is quoted exactly as the saved page has it."""
    text = _transfer_text("transfer17", page)
    pipeline = _pipeline_over(tmp_path, real_embedder, page, 900, text)
    answer = _answered(pipeline, question)
    assert answer.citations[0].quote == quote


def test_a_papers_authors_and_their_university_answer_from_its_opening(tmp_path, real_embedder):
    """Asked where the authors work, the interview's "a summer job at the university library" came
    first and the paper's opening was not retrieved at all (eval/transfer11): the opening of each
    of the first documents is read for such a question, its lines read as what they say."""
    from rag.settings import Settings

    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("canopy-study.md", "interview-bookbinder.txt"):
        (docs / name).write_bytes((REPO / "eval" / "transfer11" / "corpus" / name).read_bytes())
    settings = Settings(data_dir=tmp_path / "data", chroma_url=None, collection="doc",
                        index={"embed_backend": "torch", "chunk_size": 800, "chunk_overlap": 0})
    run_ingest(settings, [docs])
    pipeline = Pipeline(settings, embedder=real_embedder)
    answer = _answered(pipeline, "Which university do the authors work at?")
    assert answer.citations[0].quote == "Department of Environmental Science, University of Eastbridge"
    answer = pipeline.ask("Who wrote the study on street trees?")
    assert answer.citations and answer.citations[0].quote == "Ines Marchetti, Tomasz Wr\u00f3bel and Adaeze Nwosu"


@pytest.mark.parametrize("corpus, name, question, quote", [
    # The line shares no word and little meaning with the question, and the selector ranked it far
    # down; as the one sentence showing an e-mail address, the reader reads it too.
    ("transfer20", "great-tits-street-lighting.pdf", "What is the corresponding author's email address?",
     "Correspondence: i.varga@fenwick.ac.uk"),
    # The table's cells came out of the PDF one a line ("Raised bed" / "10 square metres" / "£15");
    # now a row, read with its header.
    ("transfer19", "allotment-rules.pdf", "What does a raised bed cost a year?", "| Raised bed | 10 square metres | £15 |"),
    # The table runs over two chunks; the second keeps its header row, and the row is read as
    # "Station: 7; Location: West beach lagoon; Depth at low tide: 0.8 m".
    ("transfer16", "harbour-report-2025.pdf", "How deep is Station 7 at low tide?", "| 7 | West beach lagoon | 0.8 m |"),
])
def test_a_pdfs_front_matter_and_table_rows_answer(tmp_path, real_embedder, corpus, name, question, quote):
    """A research paper, a club's rules and a report typeset as PDFs (eval/transfer20, 19, 16)."""
    data = (REPO / "eval" / corpus / "corpus" / name).read_bytes()
    pipeline = _pipeline_over(tmp_path, real_embedder, name, 800, data)
    answer = _answered(pipeline, question)
    assert answer.citations[0].quote == quote


@pytest.mark.parametrize("corpus, name, question, quote", [
    # Each byline of a page of posts heads its post: "we went for sage" is Alex's choice.
    ("transfer31", "kettle-reviews.md", "Which colour did Alex choose?", "Comes in white, sage green and charcoal; we went for sage."),
    # The thread's first byline was a heading, never quoted ("Hi all." answered).
    ("transfer31", "forum-thread.txt", "Who started the thread?", "Thread started by wheelie_mo, 3 March 2026, 08:14"),
    # A definition list's term heads its definition, read as "Cast is a second or later swarm ...".
    ("transfer30", "beekeeping-glossary.md", "What is a cast?",
     "**Cast**\n: A second or later swarm from the same colony, usually smaller than the first and led by a virgin queen."),
    # "Last updated: 14 February 2026" was a heading over the page's footer links.
    ("transfer30", "garden-waste-permit.html", "When was the garden waste page last updated?", "Last updated: 14 February 2026"),
    # A text table was one sentence; now a row a sentence, read as "hostname: ci-ams-01; ...; cpu: 32; ...".
    ("transfer33", "server-inventory.txt", "How many CPUs does the build runner have?",
     "ci-ams-01   | build runner      | Ubuntu 24.04  |  32 |     64 | Amsterdam | Developer tools"),
    ("transfer33", "pool-timetable.txt", "When does the inflatable come out on Friday?",
     "Friday      17:00 - 19:00   Family fun session      0       Inflatable out from 17:30"),
    # A README's troubleshooting entry under its <summary>; its badges' markup is never an answer.
    ("transfer36", "README.md", "What should I do if the reader is not found over USB?",
     'Make sure the reader is unlocked and in "file transfer" mode.'),
    # A JSON file was skipped; its nested opening hours now read under the branch they belong to.
    ("transfer35", "library-branches.json", "When is Central Library open on Saturdays?",
     "monday to friday: 09:00-19:00; saturday: 09:00-17:00; sunday: closed"),
])
def test_posts_definitions_a_pages_date_and_text_tables_answer(tmp_path, real_embedder, corpus, name, question, quote):
    """A shop's reviews, a forum thread, a glossary, a council's guidance page, text tables, JSON
    (eval/transfer30, 31, 33, 35)."""
    pipeline = _pipeline_over(tmp_path, real_embedder, name, 800, _transfer_text(corpus, name))
    answer = _answered(pipeline, question)
    assert answer.citations[0].quote == quote


@pytest.mark.parametrize("corpus, name, question, quote, said", [
    # A question-and-answer site signs each post and comment below it: the comment is quoted and
    # the answer says whose it is.
    ("transfer38", "stackexchange-thread.md", "Who pointed out that pipefail is the important part of the script?",
     "> `set -o pipefail` is the important part here; without it a failed pg_dump still gives you a\n> tiny valid gzip "
     "file and exit status 0.", "branwen_k: "),
    # A wiki page's infobox, its label and value parted by a tab, read as "The spouse(s) is ...".
    ("transfer37", "lindqvist-encyclopedia.txt", "Who was Lindqvist's wife?", "Spouse(s)\tElin Sandberg (m. 1886)", ""),
    # A codebook's value, a line of its own read as "Code 3 means ...", not a term's description.
    ("transfer42", "survey-codebook.txt", "What does value 3 stand for in the TENURE variable?",
     "3 = Rented from the council or a housing association", ""),
    # A menu's dish and price were one 500-character sentence with the rest of the section.
    ("transfer41", "menu.txt", "How much is a pint of the pale ale?",
     "Kelbridge Brewery pale ale, pint ........................... \u00a35.80", ""),
])
def test_signed_posts_and_an_infobox_answer(tmp_path, real_embedder, corpus, name, question, quote, said):
    """A Q&A site's thread, a wiki page copied as text, a codebook, a menu (eval/transfer37-42)."""
    pipeline = _pipeline_over(tmp_path, real_embedder, name, 800, _transfer_text(corpus, name))
    answer = _answered(pipeline, question)
    assert quote in [c.quote for c in answer.citations]
    assert answer.sentences[0].text.startswith(said)


MEETING_VTT = """WEBVTT

1
00:01:08.000 --> 00:01:11.000
<v Ama Owusu>Can I come in on that? The council wants the fire risk assessment

2
00:01:11.000 --> 00:01:15.000
<v Ama Owusu>by the twenty-eighth of November. I'll send it to them myself.</v>

3
00:01:16.000 --> 00:01:19.000
<v Luka Brennan>That's fine, I'll have the stall plan to you on Thursday.</v>

4
00:01:20.000 --> 00:01:23.000
<v Ama Owusu>Thanks. The bins are emptied every evening now.</v>

5
00:01:24.000 --> 00:01:26.000
<v Luka Brennan>Good, that was overdue.</v>
"""


def test_a_meetings_captions_answer_with_who_said_it(tmp_path, real_embedder):
    """A recorded meeting's captions read as turns: the answer quotes the sentence exactly and
    says whose it is, where the turn's label is on an earlier sentence."""
    pipeline = _pipeline_over(tmp_path, real_embedder, "call.vtt", 800, MEETING_VTT)
    answer = pipeline.ask("Who will send the fire risk assessment to the council?")
    assert not answer.abstained, answer.model_dump(include={"answerability", "answer"})
    assert answer.citations[0].quote == "I'll send it to them myself."
    assert answer.sentences[0].text == "Ama Owusu: I'll send it to them myself."
    check_citations(pipeline, answer)


REPORT_TEX = r"""\documentclass{article}
\title{A Year of Community Composting}
\author{Grace Whitfield \and Tomasz Nowak}
\begin{document}
\maketitle
\section{Results}
In twelve months the bays took \SI{8.6}{\tonne} of food waste from 142 households.
The centre of the second bay reached \SI{62}{\celsius} in August.
\section{Recommendations}
We recommend that the bays stay open and that a fourth bay is built so that compost can mature
for longer in winter. The steering group should also ask the council for more wood chip.
\end{document}
"""


def test_a_latex_reports_we_answers_what_the_authors_say(tmp_path, real_embedder):
    """A report's "we" is its writers: asked what the authors recommend, the answerer reads "We
    recommend ..." as "The authors recommend ..." and quotes the sentence as the source has it."""
    pipeline = _pipeline_over(tmp_path, real_embedder, "pilot.tex", 800, REPORT_TEX)
    answer = pipeline.ask("What do the authors recommend building?")
    assert not answer.abstained, answer.model_dump(include={"answerability", "answer"})
    assert answer.citations[0].quote.startswith("We recommend that the bays stay open")
    check_citations(pipeline, answer)
    answer = pipeline.ask("Who wrote the report?")
    assert not answer.abstained and answer.citations[0].quote == "By Grace Whitfield and Tomasz Nowak"
    check_citations(pipeline, answer)


CHANGELOG = """# Changelog

## 2.4.0 (2024-03-02)

- HEIC photos from iPhones are read without extra software.
- Fixed: photos taken on 29 February were put in March's album.

## 2.3.0 (2023-10-15)

- Hashes are cached, so a second run over the same library takes seconds.
"""


def test_a_release_date_is_answered_from_its_changelog_heading(tmp_path, real_embedder):
    """A heading is never an answer, except a release's: the notes give its date only there. The
    quote is the heading's text after its "#" marks, at its offsets."""
    pipeline = _pipeline_over(tmp_path, real_embedder, "CHANGELOG.md", 800, CHANGELOG)
    answer = pipeline.ask("When was version 2.4.0 released?")
    assert not answer.abstained, answer.model_dump(include={"answerability", "answer"})
    assert [c.quote for c in answer.citations] == ["2.4.0 (2024-03-02)"]
    check_citations(pipeline, answer)
    answer = pipeline.ask("When did photos taken on 29 February go into the wrong album?")
    assert "2.4.0 (2024-03-02)" not in [c.quote for c in answer.citations]  # the fix, not the date, answers


def test_a_question_asked_with_not_is_answered_by_the_sentence_that_says_why(tmp_path, real_embedder):
    """The reader, trained to reject questions with "not" put in, read "Why did he not walk to
    Aljezur?" against the diary's answer at -2.52 and the question was declined; read against it
    without its "not" (the sentence says "but ... instead"), it is answered (eval/transfer26)."""
    text = _transfer_text("transfer26", "walking-diary.md")
    pipeline = _pipeline_over(tmp_path, real_embedder, "walking-diary.md", 900, text)
    answer = _answered(pipeline, "Why did he not walk to Aljezur?")
    assert "because of a blister" in answer.citations[0].quote


@pytest.mark.parametrize("question, quote", [
    # read under "EXPERIENCE" alone the entry said nothing of whose job it was (reader -2.53)
    ("When did Amara work for the NHS analytics unit?", "2019 - 2022       Data Engineer, NHS South West Analytics Unit (Exeter)"),
    # a point under its entry, read under the name, the section and the entry
    ("How many shops use the stock-forecasting feature store?", "- Built the stock-forecasting feature store used by 230 shops."),
])
def test_a_cvs_dated_entries_answer_under_its_owners_name(tmp_path, real_embedder, question, quote):
    """eval/transfer27's CV, quoted exactly as the file has it."""
    text = _transfer_text("transfer27", "cv-amara-okafor.txt")
    pipeline = _pipeline_over(tmp_path, real_embedder, "cv-amara-okafor.txt", 800, text)
    answer = _answered(pipeline, question)
    assert answer.citations[0].quote == quote
