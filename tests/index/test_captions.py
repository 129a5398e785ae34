"""Caption files (index/captions.py): cues joined back into turns, read through `read_file`, and
ingested with every chunk at its offsets."""

from __future__ import annotations

import pytest

from index.captions import cues
from index.readers import CAPTION_SUFFIXES, SUPPORTED_SUFFIXES, read_file
from index.store import open_store
from rag.errors import SkipFile
from tests.support.documents import ingest_files, stored_chunks, write

LIMIT = 10 * 2**20

# As Teams writes a meeting's captions: a header, a note, numbered cues, voice tags, cue settings,
# a sentence cut over two cues, an entity.
VTT = """\ufeffWEBVTT

NOTE recorded by the meeting app

STYLE
::cue { color: white }

1
00:00:01.000 --> 00:00:04.200
<v Omar Haddad>Right, let's start. The release</v>

2
00:00:04.200 --> 00:00:07.000 align:start position:10%
<v Omar Haddad>is planned for the 14th of May.</v>

3
00:00:07.500 --> 00:00:09.000
<v.loud Priya Venkatesan>I spoke to eight users &amp; most wanted <b>export</b>.</v>
"""

# As a lecture's subtitles come: Windows line ends, italics, a rolling repeated line, a minute's
# gap, a speaker named in the text.
SRT = ("1\r\n00:00:01,000 --> 00:00:03,000\r\n<i>Welcome to the lecture</i>\r\non tides.\r\n\r\n"
       "2\r\n00:00:03,000 --> 00:00:06,000\r\non tides.\r\nThe moon pulls the sea.\r\n\r\n"
       "3\r\n00:01:10,000 --> 00:01:12,000\r\nMARA: Any questions?\r\n\r\n"
       "4\r\n01:02:03,000 --> 01:02:05,000\r\nYes, about spring tides.\r\n")

def test_the_caption_types_are_supported_suffixes():
    assert set(CAPTION_SUFFIXES) == {".vtt", ".srt"} <= set(SUPPORTED_SUFFIXES)


def test_a_meetings_captions_read_as_one_turn_a_speaker_with_its_time(tmp_path):
    document = read_file(write(tmp_path, "planning.vtt", VTT), LIMIT)
    assert document.title == "planning"
    assert document.text == ("[00:00:01] Omar Haddad: Right, let's start. The release is planned for the 14th of May.\n\n"
                             "[00:00:07] Priya Venkatesan: I spoke to eight users & most wanted export.")


def test_subtitles_keep_a_rolling_line_once_and_start_a_paragraph_after_a_gap(tmp_path):
    document = read_file(write(tmp_path, "tides.srt", SRT), LIMIT)
    assert document.text == ("[00:00:01] Welcome to the lecture on tides. The moon pulls the sea.\n\n"
                             "[00:01:10] MARA: Any questions?\n\n[01:02:03] MARA: Yes, about spring tides.")
    assert [cue.speaker for cue in cues(SRT)] == ["", "", "MARA", "MARA"]  # a speaker goes on until another


def test_a_long_turn_is_cut_into_paragraphs_at_sentence_ends(tmp_path):
    lines = [f"{n + 1}\n00:{n // 6:02d}:{n % 6 * 10:02d}.000 --> 00:{n // 6:02d}:{n % 6 * 10 + 9:02d}.000\n"
             f"<v Ruth>Point {n} is made{'.' if n % 3 == 2 else ' and'}</v>\n" for n in range(18)]
    text = read_file(write(tmp_path, "talk.vtt", "WEBVTT\n\n" + "\n".join(lines)), LIMIT).text
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 3 and all(p.startswith("[00:0") and "] Ruth: Point" in p and p.endswith(".") for p in paragraphs)


@pytest.mark.parametrize("name,data", [("empty.vtt", "WEBVTT\n\nNOTE nothing said\n"), ("words.srt", "just some words\n")])
def test_a_file_without_cues_is_skipped_with_the_reason(tmp_path, name, data):
    with pytest.raises(SkipFile, match="no captions in the file"):
        read_file(write(tmp_path, name, data), LIMIT)


def test_captions_ingest_with_chunks_at_their_offsets(settings, tmp_path, real_embedder):
    report = ingest_files(settings, real_embedder, tmp_path / "docs", {"planning.vtt": VTT, "tides.srt": SRT})
    assert not report.skipped and len(report.added) == 2
    assert stored_chunks(open_store(settings))
