"""A paper's or report's front matter, read as the sentences it stands for.

Under a paper's title come its authors and where they work, as bare lines: "Ines Marchetti,
Tomasz Wróbel and Adaeze Nwosu" over "Department of Environmental Science, University of
Eastbridge". Neither line says what it is, and asked "Which university do the authors work
at?", the reader, which reads sentences, preferred an interview's "a summer job at the university
library". At the start of a document, a line of two or more names right under the title is read
as "This was written by Ines Marchetti, Tomasz Wróbel and Adaeze Nwosu." and each institution's
line under it as "The authors work at Department of Environmental Science, University of
Eastbridge."; superscript marks ("Okafor1,2", "1 Department ...") are left out of the reading.
The answer still quotes the lines as the document has them.
"""

from __future__ import annotations

import re
from typing import Sequence

from index.headings import alone_on_line

_NAME = r"[A-Z][\w'\u2019.-]*(?:[ \t]+(?:[A-Z][\w'\u2019.-]*|de|van|von|der|den|da|di|du|la|le|bin|al|dos|del))+"
_MARKS = r"[\d,*\u2020\u2021\u00a7\u00b9\u00b2\u00b3\u2074-\u2079]*"
_AUTHORS = re.compile(rf"(?P<first>{_NAME}){_MARKS}(?:(?:[ \t]*,[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|&)[ \t]+){_NAME}{_MARKS})+[ \t]*")
_INSTITUTION = re.compile(
    r"\b(?:University|Universit\w+|Department|Institute|College|School|Laborator(?:y|ies)|Centre|Center|Hospital|Faculty"
    r"|Trust|Foundation|Museum|Agency|Council|Academy|Observatory|Ltd|Inc|GmbH)\b")
_LEADING_MARK = re.compile(r"^[\d*\u2020\u2021\u00a7\u00b9\u00b2\u00b3\u2074-\u2079]+[ \t]*")
_TRAILING_MARKS = re.compile(rf"(?<=[a-z]){_MARKS}(?=,|[ \t]+(?:and|&)[ \t]|[ \t]*$)")
_ABSTRACT = re.compile(r"^[ \t#*]*(?:Abstract|Summary|Keywords)\b", re.M | re.I)
_ABSTRACT_WITHIN = 2000  # characters from the start
_LOOK_AT = 4  # lines under the title the authors may be on (a subtitle, a date before them)
_AFFILIATIONS_AT_MOST = 4
_LONGEST = 160
# A question about who wrote a text or where they work: the document's opening chunk answers it
# (`rag.retrieve.Retriever.openings`), however far down the ranking its words put it.
_ASKS = re.compile(r"\b(?:wrote|written|writers?|authors?|authored|affiliat\w*|universit\w*|institut\w*)\b", re.I)
# The words a question asks for each line with, matched as if the line held them.
WRITTEN_ASKED_AS = "wrote written writer writers author authors who"
WORK_ASKED_AS = "authors work works based university institution affiliated affiliation where"


def front_matter(text: str, spans: Sequence[tuple[int, int]], is_heading: Sequence[bool]) -> dict[int, tuple[str, str]]:
    """For a document's opening (`text` from its first character, at `spans`): its author line
    and the institution lines under it, each with the sentence it is read as and the words a
    question asks for it with; {} where the opening has no such line."""
    out: dict[int, tuple[str, str]] = {}
    title = next((i for i, (s, e) in enumerate(spans) if text[s:e].strip()), None)
    if title is None:
        return out
    for i in range(title + 1, min(len(spans), title + 1 + _LOOK_AT)):
        line = text[spans[i][0]:spans[i][1]]
        if not alone_on_line(text, *spans[i]) or len(line) > _LONGEST:
            return out
        if _AUTHORS.fullmatch(line) and not is_heading[i]:
            for j in range(i + 1, min(len(spans), i + 1 + _AFFILIATIONS_AT_MOST)):
                place = text[spans[j][0]:spans[j][1]]
                if not (alone_on_line(text, *spans[j]) and len(place) <= 2 * _LONGEST and _INSTITUTION.search(place)):
                    break
                places = "; ".join(_LEADING_MARK.sub("", part.strip()).rstrip(".") for part in place.splitlines() if part.strip())
                out[j] = (f"The authors work at {places}.", WORK_ASKED_AS)
            if out or _ABSTRACT.search(text, 0, _ABSTRACT_WITHIN):
                # names under a title are its authors where a paper's front matter shows it is
                # one (an institution, an abstract): under "Meeting notes" they are who came
                out[i] = (f"This was written by {_TRAILING_MARKS.sub('', line).strip()}.", WRITTEN_ASKED_AS)
            return out
    return out


def asks_front_matter(question: str) -> bool:
    """Whether `question` asks who wrote a document or where its authors work."""
    return bool(_ASKS.search(question))
