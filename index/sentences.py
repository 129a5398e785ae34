"""Sentence boundaries as character spans into the original text.

Spans never include leading or trailing whitespace, and together they cover every
non-whitespace character of the text, so `text[start:end]` is always the exact sentence.
"""

from __future__ import annotations

import re

from index.headings import CODE_LINE, DOT_LEADER, TAB_FIELD, UNDERLINE, in_capitals  # UNDERLINE: under a title, the line above is one
from index.text_tables import table_paragraph

# Words that end with a period without ending a sentence ("Jan. 6", "Mr. Smith", "U.S. Army").
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt ft gen gov sen rep lt col sgt capt cmdr adm maj pres
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    inc co corp ltd llc dept univ assn bros est approx vs etc al fig figs no nos vol
    pp ed eds rev hon atty supt det insp ave blvd rd
    e.g i.e a.m p.m u.s u.k u.n d.c
    """.split()
)

# A sentence's end, with the citation marks a wiki page puts after it ("... in 1891.[3] He ...").
_TERMINAL = re.compile(r"([.!?\u2026\u3002\uff01\uff1f]+[\"'\u201d\u2019)\]\u00bb]*)"
                       r"(?:\[(?:\d{1,3}|[a-z]|note \d{1,3}|citation needed)\])*(?=\s|$)")
# (A lone "\r" is a line break of its own only where no "\n" follows: "\r\n" is one line break.)
_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r(?!\n)|\n)[^\S\r\n]*(?:\r\n|\r(?!\n)|\n)\s*")
_LINE_BREAK = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
# What starts a line of its own: a list item ("- ", "2. ", "(b) "), a heading, a Markdown table row.
_BULLET = re.compile(r"[-*+\u2022\u25aa\u2013]\s|\d{1,3}[.)]\s|\((?:[a-zA-Z]{1,4}|\d{1,3})\)\s|#{1,6}\s|\|")
# A numbered entry of a reference list ("[5] Bates D, Maechler M. Fitting linear mixed-effects
# models using lme4. Journal of Statistical Software 67 (2015) 1-48."): one entry, one sentence,
# whatever full stops its authors' initials and its title hold (`_references`).
_REFERENCE = re.compile(r"[^\S\r\n]*\[(\d{1,3})\][^\S\r\n]")
# A Markdown table's row on a line of its own: "| workers | 4 | How many photos are hashed. |".
_TABLE_ROW = re.compile(r"[^\S\n]*\|[^\n]*\|[^\S\n]*")
# The rule under a Markdown table's header row ("|---|:---:|"): it and the row above it name
# the columns (`index.chunking.chunk_columns`, `rag.extractive`).
TABLE_RULE = re.compile(r"[\s|:+-]*-{3,}[\s|:+-]*$")
_CAPS_TITLE_WORDS = 6
# A line opened by a field's name ("Warranty: 3 years", "Cord length: 75 cm"): in a run of such
# lines each is a field of its own, however long the one before it.
FIELD = re.compile(r"(?:\*\*|__)?[A-Z][\w'\u2019-]*(?:[ \t]+[\w'\u2019/-]+){0,3}(?:[ \t]*\([^()\r\n]{1,30}\))?"
                   r"(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]+\S")  # in bold too: "**Where:** 3 High Street"
# A line opened by a time stamp may be an entry of its own (`_opens_entry`): a chat log's message
# ("[09:32] kwame: yes, the VPN goes through the office line"), an agenda's item ("10:30 Coffee").
# A clock time as logs and transcripts stamp a line with it ("[09:32]", "(00:12:05)", "10:16").
TIME_STAMP = r"[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?"
_STAMPED = re.compile(TIME_STAMP + r"\s")
_FENCE = re.compile(r"`{3,}|~{3,}")  # a line that opens or closes a code block stands alone
_LINE_ENDERS = frozenset(".!?:;\u2026\"'\u201d\u2019)]")
_CLOSERS = frozenset("\"'\u201d\u2019)]")
# A word in lower case, not "http://" or "setup.py"; one that ends a sentence ("outfall.") counts.
_LOWER_WORD = re.compile(r"[a-z][a-z'\u2019-]*(?:\.(?=\s|$)|(?![\w:/.@]))")
# A line that ends on one of these words (or a comma) stops in mid-sentence: hard-wrapped text.
_GOES_ON = frozenset(
    "a an the and or nor but of to in on at by for with from into than that which who whose as "
    "including such between under over its their his her our your is are was were be been".split()
)
_INITIALS = re.compile(r"(?:[A-Za-z]\.){2,}$")
# A short quotation a sentence goes on into after a comma or colon ('It said only, "Fog. Pans
# frozen. Fed the heron."'): part of that sentence, however many full stops it holds. Speech that
# opens its own sentence ('"He sold some. To the fish smokers ..."') is split as usual.
_EMBEDDED_QUOTE = re.compile(r"(?<=[,:])[^\S\r\n]+(?:\"[^\"\r\n]{1,120}\"|\u201c[^\u201d\r\n]{1,120}\u201d)")
# A section or list number that opens its line ("## 4. Bike storage", "2.1. Scope", a story's
# "IV. The Winter"): its period ends no sentence.
_ENUMERATOR = re.compile(r"[^\S\r\n]*(?:#{1,6}[^\S\r\n]+)?(?:(?:\d{1,3}\.)+|(?:X{0,3}(?:IX|IV|VI{0,3}|I{1,3})|X{1,3})\.)")
_SECTION_NUMBER = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s+[A-Z]")  # "3.2 Results", "1 Introduction"
_TITLE_WORDS = 6  # a longer line is prose ("12 August, the day after a storm", "4. Survey the Mill Creek")
_TITLE_WORDS_MAX = 10  # ... unless nearly all its words are capitalised
_FILLED = 0.85  # a line this share of the wrap width or more, with the next word, was full


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at `dot` closes an abbreviation or an initial."""
    if text[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace() and text[word_start - 1] not in "(\"'\u201c\u2018":
        word_start -= 1
    word = text[word_start:dot]
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # an initial: "J. Smith"
        return True
    if _INITIALS.match(word + "."):
        return True
    return word.lower() in _ABBREVIATIONS


def _opens_line_as_number(text: str, stop: int) -> bool:
    """True when the period just before `stop` closes a number that opens its line."""
    line_start = max(text.rfind("\n", 0, stop), text.rfind("\r", 0, stop)) + 1
    return bool(_ENUMERATOR.fullmatch(text, line_start, stop))


def _next_starts_sentence(text: str, pos: int) -> bool:
    """True when the first non-space character at or after `pos` can open a sentence."""
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos >= len(text):
        return True
    char = text[pos]
    return not char.islower()


def _stops_mid_sentence(line: str) -> bool:
    """A line ending on a comma, on a word such as "at" or "the", or inside parentheses goes on
    in the next line."""
    body = line.rstrip()
    return not body or body[-1] == "," or body.rsplit(None, 1)[-1] in _GOES_ON or body.count("(") > body.count(")")


def _opens_entry(line: str, next_line: str) -> bool:
    """Whether `next_line` opens with a time stamp that starts an entry of its own: one in
    brackets ("[09:32] kwame: ..."), or a bare one under a line that opens with one too ("10:30
    Coffee" under "09:00 Welcome"); not where `line` stops in mid-sentence ("...less than 2**32
    (2106-02-07" over "06:28:16 UTC, ..." in a manual page)."""
    stamp = _STAMPED.match(next_line)
    if stamp is None or _stops_mid_sentence(line):
        return False
    return stamp.group().startswith("[") or bool(_STAMPED.match(line.lstrip()))


def _caps_title(line: str) -> bool:
    """A short line in capitals ("EXIT STATUS"): over a line indented deeper, a manual page's
    section name, which the lower-case text under it does not continue."""
    body = line.strip()
    return in_capitals(body) and len(body.split()) <= _CAPS_TITLE_WORDS


def _wrap_width(lines: list[str], least: int = 5) -> int | None:
    """The width text was wrapped at, where it reads as hard-wrapped prose: the median length of
    its lines of five words or more that open no list item, where it has `least` such lines."""
    full = sorted(len(body) for line in lines if len((body := line.strip()).split()) >= 5 and not _BULLET.match(body))
    return full[len(full) // 2] if full and len(full) >= least else None


def title_like(body: str) -> bool:
    """A line that opens with a section number ("3.2 Temperature and dissolved oxygen") or has
    most of its longer words capitalised ("Sampling Stations and Depths"); from seven words on,
    three in four of them ("HIST 214: Cities of the Medieval Mediterranean"): a heading."""
    count = len(body.split())
    if count > _TITLE_WORDS_MAX:
        return False
    if count <= _TITLE_WORDS and _SECTION_NUMBER.match(body):
        return True
    words = [w for w in body.split() if len(w) >= 4 and w[0].isalpha()]
    capitals = sum(w[0].isupper() for w in words)
    return bool(words) and (capitals * 2 > len(words) if count <= _TITLE_WORDS else capitals * 4 >= len(words) * 3)


def _heading_line(body: str) -> bool:
    """A short title-like line with no punctuation inside ("Summary", "2.1 Sampling stations")."""
    words = body.split()
    return (0 < len(words) <= 4 and not any(c in ",;:!?" for c in body) and body[-1] != "."
            and words[-1].lower() not in _GOES_ON and title_like(body))


def _fills_line(body: str, next_line: str, width: int | None) -> bool:
    """Whether `body` fills its line in text wrapped at `width`: the next line's first word would
    not have fitted after it (allowing for proportional type, as a PDF's columns are set), so
    the line was wrapped, not ended ("...jointly by Kestrel Bay Town" over "Council, which pays
    70 per cent")."""
    if width is None or len(body.split()) < 4 or not next_line.strip() or title_like(body):
        return False
    return len(body) + 1 + len(next_line.split(None, 1)[0]) > _FILLED * width


def _line_ends_block(line: str, next_line: str, width: int | None = None, heading_below: bool = False) -> bool:
    """True when a single line break after `line` ends a sentence (`next_line`, stripped, is not
    a list item: that always starts one).

    A line that ends with sentence punctuation ends one, and so does a table row. Hard-wrapped
    text goes on: a line ending on a comma or on a lower-case word such as "and" or "the" ("Block
    A" is a label), or with a parenthesis left open, or followed by a line that starts in lower
    case ('1.7. "Larger Work"' then 'means a work that...'); so do other long lines, and lines
    that fill the `width` a narrow block is wrapped at (`_fills_line`). Other short lines are
    headings or list items, and end one.
    """
    stripped = line.rstrip()
    body = stripped.lstrip()
    if not body or body.startswith("|"):
        return True
    tail = stripped.rstrip("".join(_CLOSERS))
    if tail.endswith(".") and tail == stripped and next_line[:1].islower() and _is_abbreviation(tail, len(tail) - 1):
        return False  # "...lowered the 2 a.m." then "temperature by 0.35 °C": the abbreviation ends no sentence
    if tail and tail[-1] in ".!?\u2026":
        return True
    words = len(body.split()) - (1 if _BULLET.match(body) else 0)
    # (The next line counts too: a passage may open in the middle of a line, "If You".)
    if _LOWER_WORD.match(next_line) and (words >= 3 or len(next_line.split()) >= 3 or stripped[-1] in _CLOSERS):
        return False
    if _stops_mid_sentence(line):
        return False  # stopped mid-sentence, or inside parentheses
    if stripped[-1] in _LINE_ENDERS:
        return True
    if heading_below and _heading_line(next_line.strip()):
        return True  # the next line is a heading of its own, text goes on under it ("Summary")
    return len(stripped) < 60 and not _fills_line(body, next_line, width)


def _references(text: str, blocks: list[tuple[int, int]]) -> set[int]:
    """The blocks that are entries of a numbered reference list: opened by "[5] " with the entry
    numbered one before or after it in the block before or after ("[5] The reactive groups are
    highlighted." alone is a footnote's text, and its sentences are sentences)."""
    numbers = [m and int(m.group(1)) for m in (_REFERENCE.match(text, s, e) for s, e in blocks)]
    return {i for i, n in enumerate(numbers) if n is not None and (
        (i > 0 and numbers[i - 1] == n - 1) or (i + 1 < len(numbers) and numbers[i + 1] == n + 1))}


def _split_block(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Split one paragraph-free block at sentence punctuation."""
    cursor = start
    quotes = [(m.start(), m.end() - 1) for m in _EMBEDDED_QUOTE.finditer(text, start, end)]
    for match in _TERMINAL.finditer(text, start, end):
        stop = match.end()
        if any(opened < match.start() and stop <= closed for opened, closed in quotes):
            continue  # inside a short quotation its sentence goes on into
        last_punct = match.group(1).rstrip("\"'\u201d\u2019)]\u00bb")[-1:]
        if last_punct == "." and len(match.group(1)) == 1 and (
            _is_abbreviation(text, match.start()) or _opens_line_as_number(text, match.end())
        ):
            continue
        if stop < end and not _next_starts_sentence(text, stop):
            continue
        if DOT_LEADER.match(text, match.start(), end):
            continue
        span = _trim(text, cursor, stop)
        if span:
            out.append(span)
        cursor = stop
    span = _trim(text, cursor, end)
    if span:
        out.append(span)


def _blocks(text: str, rows: set[int] | None = None) -> list[tuple[int, int]]:
    """Paragraphs, and lines that stand alone (headings, list items), as spans; the index of each
    line of a text table (`index.text_tables`: one record, one sentence) goes into `rows`."""
    blocks: list[tuple[int, int]] = []
    # A paragraph's own width where it has lines enough to tell, else the whole text's (a
    # passage may hold two lines of a paragraph wrapped as the rest of its document is).
    overall = _wrap_width(_LINE_BREAK.split(text), least=3)
    for para_start, para_end in _split_at(text, _PARAGRAPH_BREAK, 0, len(text)):
        lines = _split_at(text, _LINE_BREAK, para_start, para_end)
        if len(lines) > 1 and table_paragraph([text[s:e] for s, e in lines]):
            for line in lines:  # a header, a rule, rows: a line each
                if rows is not None:
                    rows.add(len(blocks))
                blocks.append(line)
            continue
        width = _wrap_width([text[s:e] for s, e in lines]) or overall
        block_start = lines[0][0]
        for at, ((line_start, line_end), nxt) in enumerate(zip(lines, lines[1:] + [None])):
            if nxt is None:
                blocks.append((block_start, line_end))
                break
            line = text[line_start:line_end]
            raw_next = text[nxt[0] : nxt[1]]
            next_line = raw_next.lstrip()
            deeper = len(raw_next) - len(next_line) > len(line) - len(line.lstrip())
            if raw_next[:1] == "\t" and next_line and _infobox_field(text, block_start):
                continue  # an infobox's value goes on, tabbed, on the next line ("Born\tJohan ..." over "\t11 April 1858")
            if deeper and DOT_LEADER.search(line) and not DOT_LEADER.search(next_line):
                continue  # a menu's dish and price over its description, indented: one entry
            # Wrapped prose keeps its indent, and a dot leader pads its line to the width.
            fill_width = None if deeper or DOT_LEADER.search(line) else width
            if (_BULLET.match(next_line) or _REFERENCE.match(next_line) or _opens_entry(line, next_line)
                    or CODE_LINE.match(next_line) or DOT_LEADER.search(line) or DOT_LEADER.search(next_line)
                    or (FIELD.match(next_line) and not _stops_mid_sentence(line) and (
                        FIELD.match(line.lstrip()) or _field_run_below(text, lines, at + 2)))
                    or UNDERLINE.fullmatch(next_line.rstrip())
                    or _FENCE.match(next_line)
                    or _FENCE.match(line.lstrip()) or (deeper and _caps_title(line))
                    or _line_ends_block(line, next_line, fill_width, heading_below=at + 2 < len(lines))):
                blocks.append((block_start, line_end))
                block_start = nxt[0]
    return blocks


def _infobox_field(text: str, start: int) -> bool:
    """Whether the line at `start` is a label and a value parted by tabs (`TAB_FIELD`), as an
    infobox copied from a web page gives them: its value may go on over the next lines."""
    line_end = text.find("\n", start)
    return bool(TAB_FIELD.fullmatch(text[start : len(text) if line_end < 0 else line_end].strip()))


def _field_run_below(text: str, lines: list[tuple[int, int]], at: int) -> bool:
    """Whether line `at` is a field too: a field over another opens a run of fields, which a line
    above does not run into ("Flight FR 2291  Bristol 06:40 -> Valencia 10:05" over "Terminal:
    Main terminal" and "Seats: 14A, 14B", an itinerary's)."""
    return at < len(lines) and bool(FIELD.match(text[lines[at][0] : lines[at][1]].lstrip()))


def _split_at(text: str, pattern: re.Pattern[str], start: int, end: int) -> list[tuple[int, int]]:
    pieces = []
    cursor = start
    for match in pattern.finditer(text, start, end):
        pieces.append((cursor, match.start()))
        cursor = match.end()
    pieces.append((cursor, end))
    return pieces


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of `text[start:end]` as `(start, end)` offsets into `text`."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    region = text[start:end]
    rows: set[int] = set()
    blocks = _blocks(region, rows)
    entries = _references(region, blocks)
    for i, (block_start, block_end) in enumerate(blocks):
        if (i in entries or i in rows) and (span := _trim(region, block_start, block_end)):
            spans.append(span)  # a reference list's entry is one sentence, and a text table's line
        elif _TABLE_ROW.fullmatch(region, block_start, block_end) and (span := _trim(region, block_start, block_end)):
            spans.append(span)  # a table's row is one record, however many sentences its cells hold
        else:
            _split_block(region, block_start, block_end, spans)
    return [(s + start, e + start) for s, e in spans]
