"""What a line of fields says ("Height: 38 m (125 ft)"), as a sentence the reader can match.

An infobox, a specification sheet or a schedule gives one field a line: a short label, a colon,
the value. The reader, trained on prose, reads "Height: 38 m (125 ft)" under "Oskarsund Viaduct"
as well as a sentence when asked "How tall is the viaduct?", and as well when asked "How wide is
the viaduct?" (1.95 and 1.75); read as "The height of Oskarsund Viaduct is 38 m (125 ft).", it
tells them apart (1.47 and -0.23). And the selector never put the line in front of the reader:
"tall" shares no word with "Height". So each line of a run of fields is read as such a sentence,
and matched also by the words a question asks for its label with ("tall" for a height); a
byline ("By Maya Osei, Transport reporter") is read as saying who wrote the text. The answer
still quotes the line exactly as the document has it. Two more kinds of line read as what they
say: a post's byline on a page of posts ("Reply from greasemonkey_jo, 3 March 2026" as "This
reply was written by greasemonkey_jo, 3 March 2026."), and the first line of a definition list's
definition ("**Cast**" over ": A second or later swarm ..." as "Cast is a second or later swarm
...").
"""

from __future__ import annotations

import re
from typing import Sequence

from index.headings import BYLINE, CODE, TAB_FIELD, alone_on_line, definition_term, in_capitals, post_byline, signature
from index.sentences import FIELD

_ITEM_MARK = re.compile(r"\s*[-*+\u2022]\s+")
# A byline (`index.headings.BYLINE`): asked "Who wrote the article?", the reader scored "By Maya
# Osei, Transport reporter" 0.25 as written and 1.93 read as "This was written by Maya Osei, ...".
_MAX_BYLINE_WORDS = 10
_MAX_VALUE_WORDS = 16
_MAX_SUBJECT_WORDS = 5
_ASKING = re.compile(r"(?:who|what|when|where|which|why|how)\b", re.I)  # a longer value is prose of its own ("Note: the kettle switches off when ...")
# Words a question asks for a field with, where they are not the label's own ("How tall ...?"
# for a height): the adjectives and verbs English asks for these nouns with.
_ASKED_AS = {
    "height": "tall high", "length": "long", "width": "wide", "breadth": "wide broad", "depth": "deep",
    "thickness": "thick", "weight": "heavy weigh weighs", "mass": "heavy weigh weighs", "area": "big large",
    "size": "big large", "capacity": "hold holds many", "population": "many people", "span": "long",
    "diameter": "wide across", "duration": "long last lasts", "speed": "fast quick", "age": "old",
    "cost": "much", "price": "much cost", "fee": "much cost", "fees": "much cost", "budget": "much",
    "designer": "designed who", "architect": "designed who", "author": "wrote written who", "editor": "edited who",
    "director": "directed who", "founder": "founded who", "owner": "owns owned who", "creator": "created made who",
    "built": "when", "opened": "when open", "founded": "when", "established": "when", "released": "when",
    "date": "when", "deadline": "when due", "start": "when begin began start", "location": "where located",
    "locale": "where located", "address": "where", "venue": "where held", "warranty": "guarantee guaranteed long",
    "instructor": "teaches taught who", "teacher": "teaches taught who", "lecturer": "teaches lectures who",
    "tutor": "teaches who", "speaker": "speaks talks who", "host": "hosts who", "chair": "chairs who",
    "present": "attended attend came who", "attendees": "attended attend came who", "apologies": "absent missed who",
    "absent": "missed who", "contact": "who contact", "organiser": "organises organized who", "organizer": "organizes organized who",
    # an infobox's fields about a person
    "born": "when where birth", "died": "when where death", "spouse": "wife husband married who",
    "spouses": "wife husband married who", "children": "many sons daughters", "occupation": "job profession work",
    "nationality": "country citizen", "awards": "won prize honour", "alma": "studied educated",
}


def field_readings(text: str, spans: Sequence[tuple[int, int]], subjects: Sequence[str],
                   skip: Sequence[bool]) -> dict[int, tuple[str, str]]:
    """For each sentence of `text` (at `spans`) that is a byline on a line of its own ("By Maya
    Osei, Transport reporter": "This was written by Maya Osei, Transport reporter."), or a line of
    a run of two or more field lines ("Label: value", as `index.sentences` splits them), and not
    `skip`ped (a heading, a line an
    e-mail header or transcript reading reads already): the sentence it is read as, "The height of
    Oskarsund Viaduct is 38 m (125 ft).", with `subjects[i]` (its heading) as what the field is of,
    and the words a question may ask for its label with."""
    fields = [None if skipped else _field(text[start:end]) for (start, end), skipped in zip(spans, skip)]
    out: dict[int, tuple[str, str]] = {}
    for i, ((start, end), skipped) in enumerate(zip(spans, skip)):
        byline = None if skipped else BYLINE.fullmatch(text, start, end)
        name = byline.group("name") if byline else ""
        if name and len(name.split()) <= _MAX_BYLINE_WORDS and alone_on_line(text, start, end):
            out[i] = (f"This was written by {name.rstrip('.')}.", "wrote written writer author who")
        elif not skipped and (post := post_byline(text[start:end])) and alone_on_line(text, start, end):
            out[i] = _post_reading(post)
        elif not skipped and (signed := signature(text[start:end])) and alone_on_line(text, start, end):
            out[i] = _signature_reading(*signed)
        elif not skipped and (code := _CODE.fullmatch(text[start:end].strip())):
            out[i] = (f"Code {code.group(1)} means {code.group(2).rstrip('.')}.", "mean means meaning stand stands code value")
        elif not skipped and (term := definition_term(text, spans, i)):
            out[i] = _definition_reading(term, text[start:end])
    for i, found in enumerate(fields):
        in_run = (i > 0 and fields[i - 1] is not None) or (i + 1 < len(fields) and fields[i + 1] is not None)
        if found is None or not in_run:
            continue
        label, value = found
        # An infobox's fields (tabbed) are all of the page's subject, whose title the reader reads
        # with each: named in each reading too, every field came as near every question naming the
        # subject as the sentence that answers it ("Nationality: Swedish" for "What did Lindqvist
        # go to the Netherlands to look at?"), and they filled the reader's few places.
        subject = "" if "\t" in text[spans[i][0]:spans[i][1]] else subjects[i]
        out[i] = (field_sentence(label, value, subject), _asked_as(label))
    return out


def _definition_reading(term: str, definition: str) -> tuple[str, str]:
    """A definition list's entry as a sentence: "**Cast**" over ": A second or later swarm ..." as
    "Cast is a second or later swarm ..." (the reader, asked "What is a cast?": -2.18 for the
    definition as written, -0.83 read so)."""
    body = definition.lstrip(" \t:")
    first = body.split()[0] if body.split() else ""
    if first[:1].isupper() and (first[1:].islower() or len(first) == 1):  # "A second ...", not "NATO ..."
        body = body[0].lower() + body[1:]
    return f"{term} is {body}", "mean means meaning define definition"


# What a question asks a post's byline for: who wrote it, or when. Asked "What did greasemonkey_jo
# think was the usual cause?", the reader chose his bylines, which name him and say nothing else.
# Not "written": "What language is photoshelf written in?" asks no writer.
_ASKS_POST = re.compile(r"\b(?:who|whom|whose|when|author|writer|wrote|reviewer|poster)\b|\b(?:what|which)\s+(?:date|day|time)\b",
                        re.I)


def asks_post(question: str) -> bool:
    """Whether `question` asks what a post's byline says: who wrote the post, or when."""
    return bool(_ASKS_POST.search(question))


# What a post's byline says it is and how it came: "Reply from" a reply written by, "Thread
# started by" a thread started by.
_POSTS = {"started": ("thread", "started"), "thread": ("thread", "started"), "reviewed": ("review", "written"),
          "review": ("review", "written"), "reply": ("reply", "written"), "replied": ("reply", "written"),
          "comment": ("comment", "written"), "commented": ("comment", "written"), "answer": ("answer", "written"),
          "answered": ("answer", "written"), "asked": ("question", "asked"), "post": ("post", "written")}


def _post_reading(post: re.Match[str]) -> tuple[str, str]:
    """A post's byline as a sentence ("Reply from greasemonkey_jo, 3 March 2026" as "This reply
    was written by greasemonkey_jo, 3 March 2026."), with the words a question asks for it with."""
    noun, verb = _POSTS.get(post.group("verb").split()[0].lower(), ("post", "posted"))
    role = post.groupdict().get("role")
    said = f"{post.group('name')}{f' ({role})' if role else ''}{post.group('tail') or ''}".rstrip(". :")
    return f"This {noun} was {verb} by {said}.", f"wrote written writer author who when {verb} {noun}"


# A codebook's value and what it stands for ("3 = Rented from the council", the first perhaps after
# its field's label: "Values:    1 = Owned outright"), read as "Code 3 means Rented from the
# council.": asked "What does value 3 stand for?", the reader had "3 = ..." and no verb to go by.
_CODE = re.compile(rf"(?:[A-Z][\w ]{{0,20}}:[ \t]+)?{CODE}([^\n=]{{1,80}})")


def _signature_reading(verb: str, name: str, date: str) -> tuple[str, str]:
    """A post's signature below it as a sentence: "answered 12 Feb 2026 by tamsin.h" as "This
    answer was written by tamsin.h, 12 Feb 2026.", "— The Management Committee" as "This post
    was written by The Management Committee."."""
    noun, how = _POSTS.get(verb.lower(), ("post", "written"))
    when = f", {date.rstrip('. ')}" if date.strip() else ""
    return f"This {noun} was {how} by {name}{when}.", f"wrote written writer author who when {how} {noun}"


def _field(line: str) -> tuple[str, str] | None:
    """(label, value) of a one-line field ("Height: 38 m", a slide's "- Revenue: €2.6m", an
    infobox's "Spouse(s)\tElin Sandberg"), as `index.sentences.FIELD` or
    `index.headings.TAB_FIELD` finds it; None for other lines and for a value long enough to be
    prose."""
    item = _ITEM_MARK.match(line)
    body = (line[item.end():] if item else line).strip()
    first, *more = body.split("\n")
    tabbed = TAB_FIELD.fullmatch(first.strip())
    if tabbed and all(part[:1] == "\t" for part in more):  # its value may go on, tabbed, on the lines under it
        value = ", ".join([tabbed.group(2).strip(), *(part.strip() for part in more)])
        return (tabbed.group(1), value) if len(value.split()) <= _MAX_VALUE_WORDS else None
    match = None if "\n" in body or _CODE.fullmatch(body) else FIELD.match(body)
    if match is None:
        return None
    value = body[match.end() - 1:]  # FIELD ends on the value's first character
    label = body[:body.rindex(":", 0, match.end())].strip().strip("*_").strip()  # "**Where:**" is "Where"
    return (label, value) if len(value.split()) <= _MAX_VALUE_WORDS else None


# Who came to a meeting and who did not, as minutes list them: "Present: Ruth Okonjo, Callum
# Frost" read as "The present of the meeting is ..." said nothing a reader could match with "Who
# attended?".
_ATTENDANCE = {
    "present": "{} attended {}.", "attendees": "{} attended {}.", "attending": "{} attended {}.",
    "in attendance": "{} attended {}.", "apologies": "{} sent apologies and did not attend {}.",
    "absent": "{} did not attend {}.",
}


# A person's birth and death, as an infobox gives them: "The born of Johan Lindqvist is ..." read
# as no sentence does.
_LIFE = {"born": "{} was born {}.", "died": "{} died {}.", "buried": "{} was buried {}."}


def field_sentence(label: str, value: str, subject: str) -> str:
    """A field (`label`, `value`) of `subject` (a heading path) as a sentence: "The height of
    Oskarsund Viaduct is 38 m." ("" for no subject)."""
    if label.lower() in _ATTENDANCE:
        return _ATTENDANCE[label.lower()].format(value.rstrip("."), _subject(subject) or "the meeting")
    if label.lower() in _LIFE:  # "Born: 11 April 1858" under a person's name, else as it is
        return _LIFE[label.lower()].format(_subject(subject), value.rstrip(".")) if _subject(subject) else f"{label} {value}"
    first = label.split()[0] if label.split() else label
    named = label if len(first) > 1 and first.isupper() else label[:1].lower() + label[1:]  # "IT problems" stays
    subject = _subject(subject)
    value = value.rstrip(".")
    verb = "are" if (named.endswith("s") and not named.endswith("ss")) or named.endswith(("children", "people")) else "is"  # "The office hours are ..."
    return f"The {named} of {subject} {verb} {value}." if subject else f"The {named} {verb} {value}."


def _subject(path_text: str) -> str:
    """The nearest heading above a field, what the field is of; one with a comma is more likely a
    line the outline took for one ("From Wikipedia, the free encyclopedia") than a title: then the
    document's title. "" for a heading that names a document or a task."""
    path = [part.strip().rstrip(":") for part in path_text.split(" > ") if part.strip()]
    subject = next((part for part in reversed(path) if "," not in part), path[0] if path else "")
    if ":" in subject or len(subject.split()) > _MAX_SUBJECT_WORDS or _ASKING.match(subject):
        return ""  # "HIST 214: Cities of the Medieval Mediterranean" names a document, "Who to ask" a task
    return subject.title() if subject and in_capitals(subject) else subject


def _asked_as(label: str) -> str:
    return " ".join(_ASKED_AS[word] for word in re.findall(r"[a-z]+", label.lower()) if word in _ASKED_AS)
