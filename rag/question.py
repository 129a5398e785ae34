"""What kind of answer a question wants, and whether a sentence holds one.

"when" wants a time or date, "how many" a number, "who" a person or body, "where" a place.
A sentence only counts as holding such an answer if the instance is new: a year that the
question already names does not answer "when".
"""

from __future__ import annotations

import re
from typing import Literal

from rag.lexical import words

AnswerType = Literal["date", "number", "entity", "other"]

_TYPE_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"^\W*(what|which)\s+(year|years|date|day|month|decade|century|time|era|period)\b", re.I), "date"),
    (re.compile(r"^\W*(in|on|at|by|from|during|since|until)\s+(what|which)\s+(year|years|date|day|month|decade|century|time)\b", re.I), "date"),
    (re.compile(r"^\W*when\b|\bwhat time\b|\bhow long ago\b", re.I), "date"),
    (re.compile(r"\bhow (many|much|long|far|old|big|large|tall|high|often|fast|deep|wide)\b|\bwhat (percentage|percent|number|amount|proportion|fraction)\b", re.I), "number"),
    (re.compile(r"^\W*(who|whom|whose)\b|\b(which|what) (person|man|woman|agency|company|organization|organisation|group|team|official|officer|country|city|state|party)\b", re.I), "entity"),
    (re.compile(r"^\W*where\b|\bwhat (place|location)\b|\bin which (city|country|state|place)\b", re.I), "entity"),
    (re.compile(r"\b(who|when|where)\b", re.I), "entity"),
]

_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE = re.compile(
    rf"\b{_MONTHS}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTHS}|\b{_MONTHS}\b|\b(1[0-9]{{3}}|20[0-9]{{2}})s?\b"
    r"|\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*(?:a\.m\.|p\.m\.|am|pm)\b|\b\d{1,2}(?:st|nd|rd|th)\s+century\b"
    r"|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|tomorrow|noon|midnight)\b"
    r"|\b(morning|afternoon|evening|night|week|weekend|spring|summer|autumn|fall|winter)\b"
    r"|\b(before|after|during|since|until)\b",
    re.I,
)
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions trillion dozen dozens "
    "half quarter twice several few"
).split()
_NUMBER = re.compile(r"\d|\b(" + "|".join(_NUMBER_WORDS) + r")\b|%|\bpercent\b", re.I)
_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'\u2019-]+(?:\s+(?:of|the|de|von|van|and)?\s*[A-Z][\w'\u2019-]+)*")


def answer_type(question: str) -> AnswerType:
    for pattern, kind in _TYPE_RULES:
        if pattern.search(question):
            return kind
    return "other"


def has_new_instance(kind: AnswerType, sentence: str, question: str) -> bool:
    """True when `sentence` holds an instance of `kind` that the question does not already name."""
    if kind == "other":
        return False
    pattern = {"date": _DATE, "number": _NUMBER, "entity": _ENTITY}[kind]
    asked = set(words(question))
    for match in pattern.finditer(sentence):
        found = set(words(match.group()))
        if kind == "number" and not found:  # a bare '%' or digit inside a token
            return True
        if found - asked:
            return True
    return False
