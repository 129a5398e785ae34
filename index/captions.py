"""Readers for timed captions: WebVTT (`.vtt`, what Teams, Zoom and YouTube give for a recording)
and SubRip (`.srt`).

A caption file cuts speech into cues of a few seconds each, a line or two apiece, often in the
middle of a sentence. Read as it stands, a sentence would be split over cues and every cue would
carry its timing line. Here the cues are joined back into what was said: one paragraph a
speaker's turn, opened by the time it starts and the speaker's name where the file gives one
("[00:01:14] Omar Haddad: I spoke to eight users, ..."), the form `index.transcripts` reads as a
turn, a long turn cut into paragraphs every minute or so at the end of a sentence (each opened
by its time and the speaker again), as is a recording without names; captions without any
punctuation (automatic ones often have none), every twenty seconds. Styling tags,
cue settings, notes and style blocks are left out, and a rolling caption's repeated line (the
last line of one cue opening the next, as YouTube's automatic captions do) is kept once.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import NamedTuple

from index.readers import _decode, _tidy
from rag.errors import SkipFile

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?)")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")  # "<v Omar Haddad>" or "<v.loud Omar>"
_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<\d{1,2}:\d{2}(?::\d{2})?(?:\.\d{1,3})?>")
# A speaker's name opening a cue's text, as Zoom writes it ("Omar Haddad: Hello") or a subtitle
# does ("MARA: Hello"); at most four words, each capitalised.
_NAMED = re.compile(r"^(?:-\s*)?([A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,3})\s*:\s+(?=\S)")
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)]*$")
_PARAGRAPH_SECONDS = 60  # without names, a paragraph ends at a sentence's end after about this long
_PAUSE_SECONDS = 5.0  # or after a silence this long
# Automatic captions often have no punctuation at all: no sentence ends to cut at, and a turn
# would be one "sentence" of minutes. Their paragraphs are cut every this many seconds instead.
_UNPUNCTUATED_SECONDS = 20


class Cue(NamedTuple):
    start: float  # seconds
    end: float
    speaker: str  # "" where the file names none
    text: str  # one line, tags and entities gone


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def _stamp(seconds: float) -> str:
    whole = int(seconds)
    return f"[{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}]"


def cues(text: str) -> list[Cue]:
    """The cues of a WebVTT or SubRip file, in order, each with its speaker where a voice tag
    or a "Name:" opening gives one (a speaker named once goes on until another is named)."""
    found: list[Cue] = []
    speaker = ""
    for block in re.split(r"\n[^\S\n]*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        timing_at = next((i for i, line in enumerate(lines) if _TIMING.match(line)), None)
        if timing_at is None:
            continue  # the WEBVTT header, a NOTE, STYLE or REGION block, a stray line
        timing = _TIMING.match(lines[timing_at])
        payload = " ".join(lines[timing_at + 1:])
        voice = _VOICE.search(payload)
        if voice:
            speaker = " ".join(voice.group(1).split())
        words = " ".join(html.unescape(_TAG.sub("", payload)).split())
        named = _NAMED.match(words)
        if named and not voice:
            speaker, words = named.group(1), words[named.end():]
        if words:
            found.append(Cue(_seconds(timing.group("start")), _seconds(timing.group("end")), speaker, words))
    return found


def _without_repeats(found: list[Cue]) -> list[Cue]:
    """A rolling caption shows each line twice, at the end of one cue and the start of the next:
    the repeated words are kept once."""
    kept: list[Cue] = []
    for cue in found:
        if kept and kept[-1].speaker == cue.speaker:
            before = kept[-1].text
            overlap = next((n for n in range(min(len(before), len(cue.text)), 0, -1)
                            if before.endswith(cue.text[:n]) and (n == len(cue.text) or cue.text[n] == " ")
                            and (n == len(before) or before[-n - 1] == " ")), 0)
            if overlap:
                rest = cue.text[overlap:].strip()
                if not rest:
                    continue
                cue = cue._replace(text=rest)
        kept.append(cue)
    return kept


def read_captions(path: Path, data: bytes) -> tuple[str, str]:
    """What was said, one paragraph a turn (or about a minute), each opened by its time."""
    text = _decode(data)
    found = _without_repeats(cues(text))
    if not found:
        raise SkipFile(f"no captions in the file (no cue timing line such as 00:00:01.000 --> 00:00:04.000 in this {path.suffix})")
    paragraphs: list[str] = []
    current: list[Cue] = []

    def close() -> None:
        if current:
            label = f"{_stamp(current[0].start)} {current[0].speaker + ': ' if current[0].speaker else ''}"
            paragraphs.append(label + " ".join(cue.text for cue in current))

    punctuated = any(_SENTENCE_END.search(cue.text) or ". " in cue.text for cue in found)
    for cue in found:
        if current:
            last = current[-1]
            if cue.speaker != last.speaker:
                close()
                current = []
            elif _SENTENCE_END.search(last.text) and (
                    cue.start - current[0].start >= _PARAGRAPH_SECONDS or cue.start - last.end >= _PAUSE_SECONDS):
                close()
                current = []
            elif not punctuated and cue.start - current[0].start >= _UNPUNCTUATED_SECONDS:
                close()
                current = []
        current.append(cue)
    close()
    return _tidy("\n\n".join(paragraphs)), path.stem
