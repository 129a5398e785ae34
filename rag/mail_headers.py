"""What an e-mail's header lines and a letter's signature say, as sentences the reader can match
to a question.

A message reads as its header lines ("From: Priya Nair <priya.nair@example.org>", `index/mail.py`
writes them, and so does a message pasted into a text file) and then its body. The reader,
trained on prose, does not take "From:" to mean who sent it: asked "Who sent the message about
the backup move?" it scored that line -1.2 and "This message was sent by Priya Nair ..." +1.0.
So each header line of a header block is read, and its words matched, as such a sentence; the
answer still quotes the line exactly as the document has it.

A letter (or a message without headers) says who wrote it only where it is signed: "Yours
sincerely," over "Helen Carver". Asked "Who signed the letter from the Arts Centre?", the reader
scored that sentence below the letter's address line; it reads as "This letter was written and
signed by Helen Carver.".
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import NamedTuple, Sequence

from index.mail import HEADER_FIELDS

# The fields a header block holds, each with the sentence that says what it means.
_SENTENCES = {
    "from": "This e-mail message was written and sent by {}.",
    "sent": "This e-mail message was sent on {}.",
    "date": "This e-mail message was sent on {}.",
    "to": "This e-mail message was received by {}.",
    "cc": "This e-mail message was copied to {}.",
    "bcc": "This e-mail message was copied to {}.",
    "reply-to": "Replies to this e-mail message go to {}.",
    "subject": "The subject of this e-mail message is {}.",
    "wrote": "The e-mail message quoted below was written by {} on {}.",
    "signed": "This letter was written and signed by {}.",
}
# Words a question may use for a field, matched as if the line held them ("Who wrote ...?").
_ASKED_AS = {
    "from": "wrote writer sender author sent", "sent": "date when", "date": "sent when",
    "to": "recipient received receiver sent", "cc": "copy copies copied", "bcc": "copy copies copied",
    "reply-to": "reply answer", "subject": "about title topic", "wrote": "wrote writer sender author sent when",
    "signed": "wrote writer sender author sent signed signature",
}
# What a question must ask for a header line to answer it: "What should Daniel bring?" is not
# answered by "To: Daniel Kim <...>", which the reader, seeing the name, scored above the answer.
_PERSON = re.compile(r"\b(?:who|whom|whose|sender|senders|recipient|recipients|addressee|address|addresses)\b", re.I)
_SIGNER = re.compile(r"\b(?:who|whom|whose|sender|author|writer|signatory|signed|name)\b", re.I)
_TIME = re.compile(r"\b(?:when|date|day|time)\b", re.I)
_ASKED_BY = {
    "from": _PERSON, "to": _PERSON, "cc": _PERSON, "bcc": _PERSON, "reply-to": _PERSON, "sent": _TIME, "date": _TIME,
    "subject": re.compile(r"\b(?:subject|about|title|topic|called)\b", re.I),
    "wrote": re.compile(f"{_PERSON.pattern}|{_TIME.pattern}", re.I),
    "signed": _SIGNER,
}
# Which way a question about people looks: to who received a message ("Who was it sent to?"), or to
# who sent it ("Who replied to Daniel?"). The reader does not tell the two apart: asked who
# replied, it chose the To line and the line saying who wrote the quoted message.
_RECEIVED = re.compile(r"\b(?:received|receives?|receiving|recipients?|addressed|addressee|to whom|sent to|copied|cc|cc'd)\b",
                       re.I)
_SENT = re.compile(r"\b(?:sent|sends?|sender|wrote|writes?|written|writer|author|from|replied|reply|replies)\b", re.I)
_REPLIED = re.compile(r"\brepl(?:y|ies|ied)\b", re.I)
# The line a reply puts above the message it quotes: "On Wed, 11 Nov 2026 at 09:15, Daniel Kim <...> wrote:".
_ATTRIBUTION = re.compile(r"\s*On\s+([^\r\n]{4,60}?),\s*([^,\r\n]{2,80}?)\s+wrote:\s*")
_HEADER_LINE = re.compile(r"[^\S\r\n]*(" + "|".join(map(re.escape, HEADER_FIELDS)) + r")[^\S\r\n]*:[^\S\r\n]*(\S[^\r\n]*)",
                          re.IGNORECASE)
_ADDRESSED = ("from", "to", "cc", "bcc", "reply-to")
# A letter's closing, then the name it is signed with on the next line: "Yours sincerely,\nHelen
# Carver" (one sentence), or the closing a sentence of its own and the name the next.
_CLOSING = (r"(?:(?:kind|best|warm|warmest|with best|with kind)[ \t]+regards|regards|best wishes|all the best|yours[ \t]+"
            r"(?:sincerely|faithfully|truly)|sincerely(?:[ \t]+yours)?|yours|cheers|(?:many[ \t]+)?thanks|with thanks|best)[ \t]*[,!.]?")
# The name, and perhaps the signer's role after a comma ("Inés Llorca, Reservations").
_NAME_LINE = r"[A-Z][\w'\u2019.-]*(?:[ \t]+[A-Z][\w'\u2019.-]*){0,3}(?:,[ \t]*[A-Z][^,\r\n]{1,40})?"
_SIGNED = re.compile(rf"\s*{_CLOSING}[ \t]*\r?\n[ \t]*({_NAME_LINE})\s*", re.I)
_CLOSING_LINE = re.compile(rf"\s*{_CLOSING}\s*", re.I)
_NAME = re.compile(rf"\s*({_NAME_LINE})\s*")


def _field(sentence: str) -> tuple[str, str] | None:
    match = _HEADER_LINE.fullmatch(sentence.strip())
    return (match.group(1).lower(), match.group(2).strip()) if match else None


class HeaderReading(NamedTuple):
    field: str  # "from", "date", ... lower-case
    sentence: str  # what the line says, as the reader reads it

    @property
    def asked_as(self) -> str:
        """Words a question may use for the field, matched as if the line held them."""
        return _ASKED_AS[self.field]

    def answers(self, question: str) -> bool:
        """Whether `question` asks for what this field holds: a person for From, To and Cc (the
        sender for From, a recipient for To and Cc, where the question says which), a time for
        Date, what the message is about for Subject."""
        if not _ASKED_BY[self.field].search(question):
            return False
        received = bool(_RECEIVED.search(question))
        sent = not received and bool(_SENT.search(question))
        if self.field in ("to", "cc", "bcc"):
            return not sent
        if self.field in ("from", "signed"):
            return not received
        if self.field == "wrote":  # the quoted message's writer did not write the reply
            return not received and not _REPLIED.search(question)
        return True


def _signatures(text: str, spans: Sequence[tuple[int, int]]) -> dict[int, HeaderReading]:
    """The sentences that sign a letter: a closing over a name ("Yours sincerely,\nHelen Carver"),
    or a name alone on its line right after a closing alone on its own."""
    readings = {}
    for at, (start, end) in enumerate(spans):
        signed = _SIGNED.fullmatch(text, start, end)
        if signed is None and at and _CLOSING_LINE.fullmatch(text, *spans[at - 1]) and "\n" in text[spans[at - 1][1]:start]:
            signed = _NAME.fullmatch(text, start, end)
        if signed is not None:
            readings[at] = HeaderReading("signed", _SENTENCES["signed"].format(signed.group(1).strip()))
    return readings


def header_readings(text: str, spans: Sequence[tuple[int, int]]) -> dict[int, HeaderReading]:
    """For each sentence of `text` (at `spans`) that is a line of an e-mail header block, the
    sentence it is read as and the words it is matched by; also for the line a reply puts above
    the message it quotes ("On ..., Daniel Kim wrote:"). A block is a run of such lines with at
    least three different fields, or two with an address ("@") in a From, To or Cc line: "Date:
    3 May" alone in a meeting's minutes is no header. And a letter's signature (`_signatures`)."""
    readings = _signatures(text, spans)
    if ":" not in text:  # every header line and attribution line has one: most passages stop here
        return readings
    for at, (start, end) in enumerate(spans):
        quoting = _ATTRIBUTION.fullmatch(text, start, end)
        if quoting:
            readings[at] = HeaderReading("wrote", _SENTENCES["wrote"].format(quoting.group(2), quoting.group(1)))
    fields = [_field(text[start:end]) for start, end in spans]
    for is_field, run in groupby(enumerate(fields), key=lambda item: item[1] is not None):
        if not is_field:
            continue
        block = [(at, field) for at, field in run if field is not None]  # (the test narrows the type)
        names = {name for _, (name, _) in block}
        addressed = any(name in _ADDRESSED and "@" in value for _, (name, value) in block)
        if len(names) >= 3 or (len(block) >= 2 and addressed):
            for at, (name, value) in block:
                readings[at] = HeaderReading(name, _SENTENCES[name].format(value.rstrip(".")))
    return readings
