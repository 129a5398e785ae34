"""A report's or paper's "we", read as who the question says wrote it.

Papers and reports speak of their writers as "we": "We recommend that ... a fourth bay is
built." Asked "What do the authors recommend building?", the reader, trained on encyclopedia
prose that never says "we", scored that sentence -1.25 and the answerer declined. Where the
question names the writers ("the authors", "the researchers"), a sentence in the first person
plural is read with them in its place: "The authors recommend that ... a fourth bay is built."
The answer still quotes the sentence exactly.
"""

from __future__ import annotations

import re

# What a question calls a text's writers.
# Plural only: "the corresponding author's e-mail address" asks about one of them, not what "we" say.
# A team only as "the (research) team": "How big is Harbourline's data team?" asks about a team
# the text describes ("Our data team has eleven people"), not what its writers say.
_WRITERS = re.compile(r"\b(?:the\s+)?(authors|researchers|scientists|investigators|writers)\b"
                      r"|\bthe\s+(?:research\s+|study\s+|project\s+)?(team)\b", re.I)
_WE = re.compile(r"\b(?:We|we|Our|our|Ours|ours|Us|us|Ourselves|ourselves)\b")
_AS = {"we": "{}", "us": "{}", "ourselves": "{}", "our": "{}'", "ours": "{}'"}


def writers_asked(question: str) -> str:
    """How the question names the text's writers ("the authors"), or "" where it does not."""
    match = _WRITERS.search(question)
    if match is None:
        return ""
    return "the " + (match.group(1) or match.group(2)).lower()


def as_written_by(sentence: str, writers: str) -> str:
    """`sentence` with `writers` in place of "we", "us" and "our" ("We recommend ..." -> "The
    authors recommend ..."); "" when it has no first person plural."""
    if not writers:
        return ""

    def name(match: re.Match[str]) -> str:
        word = match.group()
        said = _AS[word.lower()].format(writers)
        if said.endswith("'") and not writers.endswith("s"):
            said += "s"  # "the team's"
        return said[0].upper() + said[1:] if word[0].isupper() else said

    said, count = _WE.subn(name, sentence)
    return said if count else ""
