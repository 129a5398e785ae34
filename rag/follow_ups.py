"""What a follow-up's pronoun points to, found without an LLM: "Where was the pipe bomb
placed?", then "and when was it found?" -> "the pipe bomb".

The chat adds it in brackets ("and when was it found? (the pipe bomb)"), where it used to add
every content word of the previous question ("(pipe bomb placed)"): the reader then reads
the follow-up's own question, not one about placing. The pronoun stays, because documents
use pronouns too ("It is not available in May."); replacing it measured worse. Where no
referent is clear (no pronoun, or the previous question asked "Which trail ...?" or "Who
built ...?" and so was about its answer, unknown here) `referent` gives None and the chat
carries words over as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.lexical import STOPWORDS, WH_WORDS

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['\u2019.-][A-Za-z0-9]+)*")
_PRONOUN = re.compile(r"\b(it's|it|its|they|them|their|he|him|his|she|her)\b", re.I)
_DETERMINERS = frozenset("the a an this that these those my our your".split())
_DO = frozenset("do does did can could should will would must may might".split())
_BE = frozenset("is are was were".split())
_PREPOSITIONS = frozenset("in on at to for with by from into about over under before after during until".split())
_ADVERBS = frozenset("later now still first also then ever usually often already once today originally".split())
_PLURAL_PRONOUNS = frozenset({"they", "them", "their"})
_PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her"})


@dataclass(frozen=True)
class Referent:
    text: str
    plural: bool
    name: bool  # capitalised words with no determiner (a person, a place): what he/she points to first


def referent(question: str, previous: str) -> str | None:
    """What the first third-person pronoun of `question` most likely points to in `previous`."""
    match = _PRONOUN.search(question)
    if match is None:
        return None
    pronoun = match.group(1).lower()
    tokens = _TOKEN.findall(previous)
    asked = [w.lower() for w in tokens[:2]]
    if asked and asked[0] in ("who", "whom") and (len(asked) < 2 or asked[1] not in _BE) and (
            pronoun in _PERSON_PRONOUNS or pronoun in _PLURAL_PRONOUNS):
        return None  # "Who built the machine?", "where did he ...": he is the answer
    found = _pick(_referents(tokens), pronoun, singular_they=bool(asked) and asked[0] == "who")
    return found.text if found else None


def _pick(referents: list[Referent], pronoun: str, singular_they: bool = False) -> Referent | None:
    """The first referent whose number (and, for he/she, kind) fits the pronoun; "they" may
    be one person where the previous question asked who someone is."""
    if pronoun in _PLURAL_PRONOUNS:
        fits = [r for r in referents if r.plural] or ([r for r in referents if not r.plural] if singular_they else [])
    elif pronoun in _PERSON_PRONOUNS:
        fits = [r for r in referents if r.name and not r.plural] or [r for r in referents if not r.plural]
    else:
        fits = [r for r in referents if not r.plural and not r.name] or [r for r in referents if not r.plural]
    return fits[0] if fits else None


def _referents(tokens: list[str]) -> list[Referent]:
    """The noun phrases of the previous question's `tokens` a pronoun can point to, in order:
    "the X" (with its "of the Y"), the plural after "how many", and runs of capitalised words."""
    lower = [t.lower() for t in tokens]
    if len(lower) > 1 and lower[0] in ("which", "what") and lower[1] not in STOPWORDS:
        return []  # "Which trail is the hardest?": the follow-up is about the answer, unknown here
    out: list[Referent] = []
    if len(lower) > 1 and lower[0] in _DO | _BE and lower[1] not in STOPWORDS:
        end = _phrase_end(lower, 1)  # "Is electricity included ...?": the subject comes first
        if end > 1:
            out.append(Referent(" ".join(tokens[1:end]), _plural(lower[end - 1]), tokens[1][0].isupper()))
    i = 0
    while i < len(tokens):
        if lower[i] in _DETERMINERS or (lower[i] == "many" and i and lower[i - 1] == "how"):
            end = _phrase_end(lower, i + 1)
            head = end - 1  # "the highest point of ...": its number is the point's
            if end + 1 < len(tokens) and lower[end] == "of" and lower[end + 1] in _DETERMINERS:
                end = _phrase_end(lower, end + 2)  # "the highest point of the Ridge trail"
            elif end + 1 < len(tokens) and lower[end] == "of" and tokens[end + 1][0].isupper():
                end = _phrase_end(lower, end + 1)  # "a game of Harbour Lights"
            if i and lower[i - 1] in _DO and end - i > 2 and (
                    end == len(tokens) or lower[end] in _DETERMINERS or lower[end] in _PREPOSITIONS):
                end -= 1  # "does the front door open", "may the landlord inspect the flat": a verb
                head = min(head, end - 1)
            start = i + 1 if lower[i] == "many" else i
            if end > i + 1:
                words = tokens[start:end]
                out.append(Referent(" ".join(words), lower[i] == "many" or _plural(lower[head]), False))
            i = max(end, i + 1)
        elif i and tokens[i][0].isupper() and lower[i] not in STOPWORDS:
            end = i
            while end < len(tokens) and tokens[end][0].isupper() and lower[end] not in STOPWORDS:
                end += 1
            out.append(Referent(" ".join(tokens[i:end]), False, True))
            i = end
        else:
            i += 1
    return out


def _phrase_end(lower: list[str], start: int) -> int:
    end = start
    while (end < len(lower) and lower[end] not in STOPWORDS and lower[end] not in WH_WORDS and lower[end] not in _ADVERBS
           and not _verb_like(lower[end])):
        end += 1
    return end


def _verb_like(word: str) -> bool:
    """A past participle ("placed", "descaled") ends the noun phrase before it."""
    return len(word) > 4 and word.endswith("ed") and not word.endswith("eed") and "-" not in word


def _plural(word: str) -> bool:
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is"))
