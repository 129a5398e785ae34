"""A question that asks with "not", read against a sentence that says what did not happen.

The reader was trained to reject SQuAD questions with "not" put in ("the question with 'not'
after its auxiliary verb": the sentence no longer answers it), and it learnt that lesson too
well: asked "Why did he not walk to Aljezur?", it scored "I had planned a fifth walking day to
Aljezur but spent it on the beach at Odeceixe instead, because of a blister ..." -2.52, and
0.39 without the "not". A question users ask with "not" is a real one (every such question of
the transfer sets has an answer), and the sentence that answers it says so with a word of
contrast or negation of its own ("but", "instead", "never"). Against such a sentence the
reader reads the question without its "not"; against a sentence that states the plain fact
("He walked to Aljezur."), it still reads the question as asked.
"""

from __future__ import annotations

import re

# "did he not", "cannot", "isn't", "can't", "won't": the negation, and what an auxiliary it
# was joined to reads without it.
_NEGATED = re.compile(r"\s+not\b|(?<=can)not\b|n['\u2019]t\b", re.I)
_CONTRACTED = {"ca": "can", "wo": "will", "sha": "shall"}  # "can't", "won't", "shan't"
_CONTRAST = re.compile(r"\b(?:not|never|no|nor|none|nothing|neither|but|instead|rather|without|except|unless|cannot"
                       r"|however|although|though|despite|refused|failed|unable|too)\b|n['\u2019]t\b", re.I)


def affirmed(question: str) -> str | None:
    """`question` without its first "not" ("Why didn't he go?" -> "Why did he go?"), or None
    when it has none."""
    match = _NEGATED.search(question)
    if match is None:
        return None
    head = question[: match.start()]
    if match.group().lower().startswith("n") and match.group().lower() != "not":  # "n't"
        stem = re.search(r"\w+$", head)
        if stem and stem.group().lower() in _CONTRACTED:
            whole = _CONTRACTED[stem.group().lower()]
            head = head[: stem.start()] + (whole.capitalize() if stem.group()[0].isupper() else whole)
    return head + question[match.end() :]


def contrasts(sentence: str) -> bool:
    """Whether `sentence` says something did not happen, or happened instead of something else."""
    return bool(_CONTRAST.search(sentence))
