"""Who says what in a transcript: an interview, a podcast, a hearing, questions and answers.

A transcript opens each turn with its speaker's label ("ROSALIND ACHTERBERG: I studied
chemistry, ..."), and what a turn says is often only an answer to the turn before it: "Broken
spines, by far." answers "What's the most common problem you see?", and "I opened my own
workshop" says when Rosalind did. A reader trained on encyclopedia prose sees neither. So each
sentence of a turn is known with its speaker and with the question the previous speaker's turn
ended on, and a sentence in the first person can be read with the speaker's name in place of
"I", "me" and "my" (`as_spoken_by`).

A chunk often opens inside a turn, so ingest stores the turn in force where each chunk starts
(`chunk_turns`, in the chunk's outline: `index.headings`).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple, Sequence

from index.headings import LABELLED_ROW
from index.mail import HEADER_FIELDS
from index.sentences import TIME_STAMP

Span = tuple[int, int]

# A line that opens a turn: a speaker's name or role, in capitals or capitalised, and a colon
# ("SAM OKOYE: ...", "Dr. Lee: ...", "Q: ..."; at most four words), perhaps in bold ("**Sam:**")
# or with a time stamp before or after it ("[00:12:05] Sam:", "Sam Okoye (00:12):"); or a chat
# log's time stamp and user name ("[10:32] alice: ...", "10:32 <alice> ...").
_SPACE = r"[^\S\r\n]"
_BOLD = r"(?:\*\*|__)?"
# What follows a name's capital: letters, full stops, apostrophes, hyphens; never a digit or an
# underscore ("SHOEBOX_CACHE:" over a setting's description, "ERR42:" in a log are no speakers).
_NAME_PART = r"(?:[^\W\d_]|[.'\u2019-])"
_TURN = re.compile(
    rf"{_SPACE}*(?:{TIME_STAMP}{_SPACE}+)?{_BOLD}(?P<name>[A-Z]{_NAME_PART}*(?:{_SPACE}+[A-Z]{_NAME_PART}*){{0,3}})"
    rf"(?:{_SPACE}*{TIME_STAMP})?{_BOLD}{_SPACE}*:{_BOLD}{_SPACE}+(?=\S)"
)
_STAMPED = re.compile(rf"{_SPACE}*{TIME_STAMP}{_SPACE}")
_CHAT = re.compile(rf"{_SPACE}*{TIME_STAMP}{_SPACE}+(?:<(?P<handle>[\w.-]{{2,32}})>|(?P<nick>[\w.-]{{2,32}}):){_SPACE}+(?=\S)")
# Labels that name a role or a kind of line, not a person: no one to put in place of "I".
_NOT_NAMES = frozenset(
    """q a question answer interviewer interviewee host guest moderator speaker audience narrator caller
    presenter chair reporter unidentified male female voice note notes warning caution tip important example
    source see step total time location address phone email e-mail website price cost action decision
    agenda attendees present apologies item summary status result outcome transcript recorded""".split()
) | frozenset(HEADER_FIELDS)
_QUESTION_END = re.compile(r"\?[\"'\u201d\u2019)\]*_]*\s*$")
# The first person, and what the speaker's name reads as in its place.
_FIRST_PERSON = re.compile(
    r"\b(?:I'm|I\u2019m|I am|I've|I\u2019ve|I'd|I\u2019d|I'll|I\u2019ll|I|[Mm]yself|[Mm]ine|[Mm]y|[Mm]e)\b"
)
_AS_NAME = {"i'm": "{} is", "i am": "{} is", "i've": "{} has", "i'd": "{} would", "i'll": "{} will",
            "i": "{}", "me": "{}", "myself": "{}", "my": "{}'s", "mine": "{}'s"}

_SECOND_PERSON = re.compile(r"\b(?:[Yy]ourself|[Yy]ours|[Yy]our|[Yy]ou)\b")
_AS_ADDRESSEE = {"you": "{}", "your": "{}'s", "yours": "{}'s", "yourself": "{}"}


class _Label(NamedTuple):
    name: str  # as the transcript writes it: "SAM OKOYE", "Q", "alice"
    end: int  # where what the speaker says begins
    stamped: bool  # a time stamp opens the line: a log of what was said, however briefly


class Turn(NamedTuple):
    """A sentence's place in a transcript."""

    speaker: str  # the speaker's name as prose writes it ("Rosalind Achterberg"); "" for a role ("Q", "Host")
    prompt: str  # the question the previous speaker's turn ended on, without its label; "" if none
    said: str  # the sentence without its speaker label
    opens: bool  # the sentence opens its turn


def _labels(text: str, spans: Sequence[Span]) -> dict[int, _Label]:
    """The speaker label opening each sentence that opens its line with one."""
    found: dict[int, _Label] = {}
    for at, (start, end) in enumerate(spans):
        line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
        if text[line_start:start].strip() or LABELLED_ROW.fullmatch(text, start, end):
            continue  # shares its line, or is a spreadsheet's row ("Role: Director; Name: Ruth Okonjo")
        match = _TURN.match(text, start, end)
        if match is not None and match.group("name").lower().rstrip(".") not in HEADER_FIELDS:  # "From: ..." is e-mail
            found[at] = _Label(match.group("name"), match.end(), bool(_STAMPED.match(text, start, end)))
            continue
        match = _CHAT.match(text, start, end)
        if match is not None:
            found[at] = _Label(match.group("handle") or match.group("nick"), match.end(), True)
    return found


def _is_transcript(text: str, labels: dict[int, _Label]) -> bool:
    """Two different names in capitals ("SAM OKOYE:"; "WARNING:" and "NOTE:" are no names), or
    three labelled lines with two different labels, one of them used twice ("Q:", "A:", "Q:"),
    and, for labels that are not names in capitals, more than half the labelled lines opened by a
    label used more than once;
    and what the labels open is said in words, not given as values: at least half the labelled
    lines go on for three words or more, or open with a time stamp ("WEIGHT: 1.2 kg", "COLOUR:
    red" are a specification's fields)."""
    names = [found.name for found in labels.values()]
    capitals = {name for name in names if name.isupper() and len(name) > 1 and name.lower() not in _NOT_NAMES}
    if not (len(capitals) >= 2 or (len(names) >= 3 and 2 <= len(set(names)) < len(names))):
        return False
    if len(capitals) < 2 and 2 * sum(names.count(name) >= 2 for name in names) <= len(names):
        return False  # speakers take turns; an itinerary's "Seats:" and "Baggage:" under each flight are fields
    if _in_fixed_order(names):
        return False  # a codebook's "Label:", "Type:", "Values:", "Notes:" for each variable are fields
    worded = 0
    for found in labels.values():
        line_end = text.find("\n", found.end)
        worded += found.stamped or len(text[found.end:len(text) if line_end < 0 else line_end].split()) >= 3
    return 2 * worded >= len(labels)


MIN_FIELD_LABELS = 4  # labels used again and again that, in one order, make records rather than talk


def _in_fixed_order(names: Sequence[str]) -> bool:
    """Whether MIN_FIELD_LABELS labels or more, each used more than once, come round again and
    again in the same order (four times in five or more, the label after one is the one that
    most often follows it): records laid out field by field ("Label:", "Type:", "Values:",
    "Universe:", "Notes:" for each variable of a codebook), not speakers taking turns, of whom
    there are seldom four keeping to a rota."""
    repeated = {name for name, count in Counter(names).items() if count >= 2}
    if len(repeated) < MIN_FIELD_LABELS:
        return False
    follows: dict[str, Counter[str]] = {}
    for name, after in zip(names, names[1:]):
        if name in repeated:
            follows.setdefault(name, Counter())[after] += 1
    usual = sum(max(after.values()) for after in follows.values())
    return 5 * usual >= 4 * sum(sum(after.values()) for after in follows.values())


def _transcript_labels(text: str, spans: Sequence[Span]) -> dict[int, _Label] | None:
    """The speaker labels of `text` when it reads as a transcript (`_is_transcript`), else None."""
    if ":" not in text:  # every label has one: most texts stop here
        return None
    labels = _labels(text, spans)
    return labels if _is_transcript(text, labels) else None


def _speaker(label: str, names: Sequence[str]) -> str:
    """The label as a name ("ROSALIND ACHTERBERG" -> "Rosalind Achterberg"): only a label in
    capitals or one that opens two turns ("Transcript: ..." above an interview is no speaker),
    and never a role ("Q", "Host")."""
    if label.lower().rstrip(".") in _NOT_NAMES or len(label) < 2:
        return ""
    if not (label.isupper() or names.count(label) >= 2):
        return ""
    return " ".join(w.capitalize() if w.isupper() and len(w) > 1 else w for w in label.split())


def as_spoken_by(sentence: str, speaker: str) -> str:
    """`sentence` with `speaker` in place of "I", "me", "my" ("My bone folder." -> "Rosalind
    Achterberg's bone folder."); "" when it has no first person, or there is no speaker."""
    if not speaker:
        return ""

    def name(match: re.Match[str]) -> str:
        return _AS_NAME[match.group().replace("\u2019", "'").lower()].format(speaker)

    said, count = _FIRST_PERSON.subn(name, sentence)
    return said if count else ""


def as_asked_of(question: str, speaker: str) -> str:
    """`question` with `speaker` in place of "you" and "your" ("What do you make most?" -> "What
    do Lena Brandt make most?"); unchanged when there is no speaker."""
    if not speaker:
        return question

    def name(match: re.Match[str]) -> str:
        return _AS_ADDRESSEE[match.group().lower()].format(speaker)

    return _SECOND_PERSON.sub(name, question)


def _direction(text: str, start: int, labels: dict[int, _Label], at: int) -> bool:
    """Whether sentence `at` (at `start`) opens a line of its own with "(" or "[", unlabelled: a
    play's stage direction between speeches ("(ARTHUR and TOM enter from the stair.)", "[The
    lantern room at the top of the tower.]"), which no one says: the turn before it is over."""
    return at not in labels and text[start] in "([" and not text[text.rfind("\n", 0, start) + 1 : start].strip()


def _walk(text: str, spans: Sequence[Span], labels: dict[int, _Label], label: str, prompt: str,
          names: Sequence[str]) -> dict[int, Turn]:
    turns: dict[int, Turn] = {}
    for at, (start, end) in enumerate(spans):
        if _direction(text, start, labels, at):
            label = prompt = ""
        opening = labels.get(at)
        if opening is not None:
            previous, label = label, opening.name
            prompt = ""
            if previous and previous != label and at:
                asked = text[spans[at - 1][0]:spans[at - 1][1]]
                if _QUESTION_END.search(asked):
                    before = labels.get(at - 1)
                    prompt = asked[before.end - spans[at - 1][0]:] if before is not None else asked
        if not label:
            continue
        said = text[opening.end if opening is not None else start:end]
        turns[at] = Turn(_speaker(label, names), prompt, said, opening is not None)
    return turns


def speaker_turns(text: str, spans: Sequence[Span], opening: Sequence[str] | None = None) -> dict[int, Turn]:
    """For each sentence of `text` (at `spans`) inside a speaker's turn, its `Turn`.

    `opening`: the label and prompt in force where `text` starts, as `chunk_turns` stored them
    (["", ""] before the first turn), for a chunk of a document known to be a transcript; None
    when that is not known, and then `text` alone must look like one. Sentences before the
    first label of a passage opening inside an unknown turn have no turn."""
    if opening is None:
        labels = _transcript_labels(text, spans)
        if labels is None:
            return {}
        opening = ("", "")
    else:
        labels = _labels(text, spans)
    label, prompt = opening[0], opening[1]
    names = [found.name for found in labels.values()]
    return _walk(text, spans, labels, label, prompt, names + ([label] if label else []))


def chunk_turns(text: str, spans: Sequence[Span], chunks: Sequence[Span]) -> list[list[str]] | None:
    """For a transcript (`spans`: the document's sentences), the label and prompt of the turn
    in force where each chunk starts (["", ""] before the first turn); None for any other
    document."""
    labels = _transcript_labels(text, spans)
    if labels is None:
        return None
    turns = _walk(text, spans, labels, "", "", [found.name for found in labels.values()])
    out: list[list[str]] = []
    at = 0
    state = ["", ""]
    for start, _ in chunks:
        while at < len(spans) and spans[at][0] < start:
            if at in labels:
                state = [labels[at].name, turns[at].prompt]
            elif _direction(text, spans[at][0], labels, at):
                state = ["", ""]
            at += 1
        out.append(list(state))
    return out
