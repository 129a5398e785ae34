"""E-mail as documents: one saved message (.eml), or a mailbox of many (.mbox).

A message reads as its Subject, From, To, Cc and Date on lines of their own (the date as
"YYYY-MM-DD HH:MM", which dates the document), then its text (the plain-text part, else the
HTML part read as a page is; an empty plain part beside an HTML one gives way), then the names
of its attachments, which are not read. In a mailbox each message is a section of its own,
headed by its subject, so what a message says is read under it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from index.readers import _first_line_title, _read_html, _shorten
from rag.errors import SkipFile

HEADERS = ("Subject", "From", "To", "Cc", "Date")
# Header lines' names, lower-case: those written here, and those a client writes when it forwards a
# message ("Sent:") or that a pasted message may carry.
HEADER_FIELDS = (*(name.lower() for name in HEADERS), "sent", "bcc", "reply-to")
# A line that opens a message in a mailbox ("From alice@example.org Tue Nov  3 09:12:44 2026"),
# and a body line that mboxrd escaped by a ">" because it began with "From ".
_SEPARATOR = re.compile(rb"^From [^\r\n]*\r?\n", re.M)
_ESCAPED_FROM = re.compile(rb"^>(>*From )", re.M)


def _date(value: str) -> str:
    """A Date header as "YYYY-MM-DD HH:MM", or as written when it does not parse."""
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError, IndexError, OverflowError):
        return value


def _message(path: Path, data: bytes) -> tuple[list[str], str, str]:
    """(header lines, text with attachment names, subject) of one message; SkipFile when it
    cannot be parsed."""
    import email
    from email import policy

    try:
        message = email.message_from_bytes(data, policy=policy.default)
        headers = []
        for name in HEADERS:
            value = " ".join(str(message.get(name, "") or "").split())
            if value:
                headers.append(f"{name}: {_date(value) if name == 'Date' else value}")
        body = ""
        for kind in ("plain", "html"):  # an empty plain part beside the HTML one says nothing
            part = message.get_body(preferencelist=(kind,))
            if part is None:
                continue
            content = part.get_content()
            content = content if isinstance(content, str) else content.decode("utf-8", "replace")
            if kind == "html":
                body = _read_html(path, content.encode("utf-8"))[0]
            else:
                body = "\n".join(line.rstrip() for line in content.replace("\r\n", "\n").split("\n")).strip()
            if body:
                break
        attachments = [name for name in (a.get_filename() for a in message.iter_attachments()) if name]
        subject = " ".join(str(message.get("Subject", "") or "").split())
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - the email package raises many types on broken mail
        raise SkipFile(f"could not parse the e-mail ({type(exc).__name__}: {exc})") from None
    if attachments:
        body = "\n\n".join(part for part in (body, "Attachments (not read): " + ", ".join(attachments)) if part)
    return headers, body, subject


def _message_text(headers: list[str], body: str) -> str:
    """A message as a document reads it: its header lines, then its text."""
    return "\n\n".join(part for part in ("\n".join(headers), body) if part)


def read_eml(path: Path, data: bytes) -> tuple[str, str]:
    """One saved message, titled by its subject."""
    headers, body, subject = _message(path, data)
    if not headers:
        raise SkipFile("not an e-mail message (no Subject, From, To or Date header); save it as .txt if it is plain text")
    text = _message_text(headers, body)
    return text, _shorten(subject) if subject else _first_line_title(body or text, path.stem)


def read_mbox(path: Path, data: bytes) -> tuple[str, str]:
    """A mailbox: each message as "# subject" over its message, in the mailbox's order. A
    message that cannot be parsed is left out; a mailbox with none that can is skipped."""
    separators = list(_SEPARATOR.finditer(data))
    if not separators or data[: separators[0].start()].strip():
        raise SkipFile("not a mailbox (.mbox files start with a 'From ' line); save single messages as .eml")
    ends = [match.start() for match in separators[1:]] + [len(data)]
    sections = []
    for separator, end in zip(separators, ends):
        raw = _ESCAPED_FROM.sub(rb"\1", data[separator.end() : end])
        try:
            headers, body, subject = _message(path, raw)
        except SkipFile:
            continue
        if headers:
            sections.append(f"# {subject or '(no subject)'}\n\n{_message_text(headers, body)}")
    if not sections:
        raise SkipFile("no message in the mailbox could be read")
    return "\n\n".join(sections), path.stem


READERS: dict[str, Callable[[Path, bytes], tuple[str, str]]] = {".eml": read_eml, ".mbox": read_mbox}
