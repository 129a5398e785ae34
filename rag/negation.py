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
# Where users ask with "not" and SQuAD 2.0's writers did not: a reason or a way ("Why did he not
# walk to Aljezur?", "How can I check that a file is not damaged?"), or a condition ("What
# happens if the rent is not paid?"). SQuAD 2.0 made unanswerable questions by putting "not" in
# the main clause ("What did the Treaties not seek to do?": 25 of its 32 dev questions with "not"
# are unanswerable); there the reader's lesson stands.
_ASKED_AS_USERS_DO = re.compile(r"^\W*(?:why|how)\b|\w\W+(?:if|when|whether|that|unless|so)\b[^,;?]*$", re.I)
_CONTRACTED = {"ca": "can", "wo": "will", "sha": "shall"}  # "can't", "won't", "shan't"
_CONTRAST = re.compile(r"\b(?:not|never|no|nor|none|nothing|neither|but|instead|rather|without|except|unless|cannot"
                       r"|however|although|though|despite|refused|failed|unable|too)\b|n['\u2019]t\b", re.I)


# "not the ratio", "not be", "not only": no verb of the question's own to echo.
_FUNCTION_WORDS = frozenset("a an the be been being to only just all any in on of for as at by so that this these "
                            "those it its there here yet always even".split())
# What a sentence negates: the word after its "not", "n't" or "never" ("did not have this problem").
_NEGATES = re.compile(r"\b(?:not|never)\s+(\w+)|n['\u2019]t\s+(\w+)|(?<=can)not\s+(\w+)", re.I)


def affirmed(question: str, anywhere: bool = False) -> str | None:
    """`question` without its first "not" ("Why didn't he go?" -> "Why did he go?"), or None
    when it has none, or has it where SQuAD 2.0 put its (`_ASKED_AS_USERS_DO`) and not
    `anywhere`."""
    match = _NEGATED.search(question)
    if match is None or not (anywhere or _ASKED_AS_USERS_DO.search(question[: match.start()])):
        return None
    head = question[: match.start()]
    if "'" in match.group() or "\u2019" in match.group():  # "n't": "can't" reads "can", "didn't" "did"
        stem = re.search(r"\w+$", head)
        if stem and stem.group().lower() in _CONTRACTED:
            whole = _CONTRACTED[stem.group().lower()]
            head = head[: stem.start()] + (whole.capitalize() if stem.group()[0].isupper() else whole)
    return head + question[match.end() :]


def contrasts(sentence: str) -> bool:
    """Whether `sentence` says something did not happen, or happened instead of something else."""
    return bool(_CONTRAST.search(sentence))


def echoes(question: str, sentence: str) -> bool:
    """Whether `sentence` negates what `question` asks with "not" ("Which version did not have
    the problem?" and "Version 3.3.2 did not have this problem."): the word after the negation
    is the same in both. The reader, reading the question without its "not": 1.14 against -3.42."""
    match = _NEGATED.search(question)
    asked = re.match(r"\s*(\w+)", question[match.end() :]) if match else None
    if asked is None:
        return False
    word = asked.group(1).lower()
    negated = {w.lower() for found in _NEGATES.finditer(sentence) for w in found.groups() if w}
    return word not in _FUNCTION_WORDS and word in negated
