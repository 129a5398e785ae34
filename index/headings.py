"""Headings in a passage: which sentences name a section, and the heading path above each one.

Markdown marks its headings ("## 4. Bike storage"). Plain text does not, so a line is taken as
a heading when it stands alone on its line, is short, ends without sentence punctuation, and
is either in capitals ("SETTING UP") or set off by blank lines with a capital first letter
("Why Cities Planted Trees"), with text after it. The reader reads each sentence with the
heading path above it, which is what ties "Each player starts with five coins." to a question
about setting up when the sentence itself does not say so.

A chunk is often only part of a section, and read alone it loses the headings above it ("Each
player starts with five coins." in a chunk that begins after "SETTING UP") and can mistake the
rest of a line for a line of its own. So ingest works out the document's outline once and
stores each chunk's share (`chunk_outlines`): the headings in force where it starts and those
inside it; `outline` reads a passage with that, and works on the passage alone only for chunks
stored before.
"""

from __future__ import annotations

import bisect
import json
import re
from typing import Sequence

MARKDOWN_HEADING = re.compile(r"(#{1,6})[ \t]+(.+?)[ \t#]*$")
_NUMBERED_TITLE = re.compile(r"(?:\d{1,3}\.)+\d{0,3}[ \t]+((?:[\w'\u2019()-]+[ \t]+){0,5}[\w'\u2019()-]+)\.")
_NUMBERED_LINE = re.compile(r"\d{1,3}(?:\.\d{1,3})*\.?[ \t]+[A-Z]")  # "10.1. New Versions", "2 Methods"
_DATE_LINE = re.compile(
    r"\d{1,2}(?:st|nd|rd|th)?[ \t]+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?(?:[ \t]+\d{2,4})?")
_NUMBERED_ITEM = re.compile(r"\d{1,3}(?:\.\d{1,3})*\.?[ \t]")
_MINOR_WORDS = frozenset("a an and as at by for from in of on or the to with".split())
# A line of one of these, set off by blank lines, links what comes before and after it ("Then"
# between two commands in a manual page): no title.
_LINKING_WORDS = frozenset("also and but finally hence next now or otherwise so then thus".split())
# The sections that close a wiki page or a paper, over lists of links and references rather
# than prose ("See also" over "Göta Canal", "References" over "[1] Hallberg, Oskar (1932) ..."):
# headings even with no blank line under them.
_BACK_MATTER = frozenset(["see also", "references", "notes", "external links", "further reading", "bibliography",
                          "sources", "citations", "footnotes", "works cited"])
# A label and its value parted by tabs, as an infobox copied from a web page gives them
# ("Spouse(s)\tElin Sandberg (m. 1886)"): a field, not a term over a description.
TAB_FIELD = re.compile(r"([A-Z][\w'\u2019-]*(?:[ ][\w'\u2019/-]+){0,3}(?:\([a-z]{1,3}\))?)\t+(\S.*)")
# A line naming who wrote what it heads ("By Maya Osei, Transport reporter"; `rag.field_readings`
# reads it as saying so): the name's words capitalised ("By July 1944, the army ..." is prose),
# then perhaps a role; or what the text is before "by" ("A short story by Ilse Marrow").
# A blog's "*Posted by Marek Dvořák, 14 October 2026*" may be in italics.
BYLINE = re.compile(r"(?P<mark>[*_]{0,2})(?:An?\s+(?:[a-z-]+\s+){0,2}(?:story|novel|novella|poem|essay|play|memoir|tale|book"
                    r"|guide|report|article|paper|column|review|biography|history)\s+by|[Bb]y|[Ww]ritten by|[Ww]ords by"
                    r"|[Pp]osted by|[Aa]uthor:)\s+(?P<name>[A-Z][\w.'\u2019-]*"
                    r"(?:\s+(?:[A-Z][\w.'\u2019-]*|and|&|de|van|von|der))*(?:\s*,\s*[^,*_\r\n]{1,60})?)(?P=mark)")
# Who wrote each post of a page that holds several: a forum's "Reply from greasemonkey_jo, 3 March
# 2026, 09:02", a shop's "*Reviewed by Priya N. on 2 January 2026 · Verified purchase*", an issue
# tracker's "**amara-dev** (maintainer) commented on 13 May 2026". A handle may be in lower case
# ("wheelie_mo"), and a date or a note may follow the name.
_POST_TAIL = r"(?P<tail>(?:\s*[,\u00b7|\u2022(]\s*|\s+(?:on|at|-|\u2013|\u2014)\s+)[^*_\r\n]{0,79}[^*_\r\n.!?])?"
_POSTER = r"[A-Z][\w.'\u2019-]*(?:\s+(?:[A-Z][\w.'\u2019-]*|de|van|von|der))*|@?\w[\w.-]{0,38}"
POST_BYLINE = re.compile(
    r"(?P<mark>[*_]{0,2})(?P<verb>(?:[Tt]hread\s+)?(?:[Ss]tarted|[Pp]osted|[Rr]eviewed|[Ss]ubmitted|[Cc]ommented|[Aa]nswered"
    r"|[Aa]sked|[Rr]eplied|[Ww]ritten)\s+by|(?:[Rr]eply|[Rr]eview|[Cc]omment|[Aa]nswer|[Pp]ost)\s+(?:by|from))\s+"
    rf"(?P<name>{_POSTER}){_POST_TAIL}(?P=mark)")
# The name first, as issue trackers and comment threads put it (not "wrote": "Tess wrote:" opens a
# quotation inside someone else's post).
POST_NAMED = re.compile(
    rf"(?P<mark>)(?:\*\*|__)?(?P<name>{_POSTER})(?:\*\*|__)?(?:[ \t]*\((?P<role>[^()\r\n]{{1,30}})\))?[ \t]+"
    r"(?P<verb>commented|replied|answered|asked|posted|reviewed)(?P<tail>\s+(?:on|at)\s+[^*_\r\n]{1,60})?:?")
MIN_POSTS = 2  # bylines that make a page of posts, each heading what follows it (`_headings`)
# A question-and-answer site signs each post below it: "asked 12 Feb 2026 by marlow_ops",
# "answered 12 Feb 2026 by tamsin.h", and each comment at its end, "> – kestrel_dev Feb 12 at
# 21:14". Such a signature says who wrote the text above it, back to the signature, thematic
# break or heading before it (`_signed_posts`).
SIGNATURE = re.compile(
    r"(?P<mark>[*_]{0,2})(?P<verb>asked|answered|posted|commented|replied)[ \t]+(?P<tail>[^\r\n]{1,40}?)[ \t]+by[ \t]+"
    rf"(?P<name>{_POSTER})(?P=mark)")
COMMENT_SIGNATURE = re.compile(
    r"(?:>[ \t]*)*[\u2013\u2014-]{1,2}[ \t]*(?P<name>@?\w[\w.-]{0,38})[ \t]+(?P<tail>(?:[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}"
    r"|\d{1,2}[ \t]+[A-Z][a-z]{2,8}|\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2})[^\r\n]{0,30})")
# A notice, a letter or an epigraph signed with a dash on the line below it: "— The Management
# Committee", "-- Anna".
DASH_SIGNATURE = re.compile(rf"(?:[\u2013\u2014][ \t]*|--[ \t]+)(?P<name>{_POSTER})")
SIGNED_LEVEL = 9  # a signed post's writer, in force over the post's sentences, none of them a heading
# A thematic break or rule ("---", "* * *", "====="): a line of one mark, three times or more.
THEMATIC_BREAK = re.compile(r"\s*([-*_=~^\"+])(?:[ \t]*\1){2,}\s*$")


def post_byline(line: str) -> re.Match[str] | None:
    """A post's byline (`POST_BYLINE`, `POST_NAMED`): its groups name, verb and tail. With the
    name first, it has the name in bold or a date after the verb ("Anna replied" may be prose)."""
    match = POST_BYLINE.fullmatch(line)
    if match:
        return match
    match = POST_NAMED.fullmatch(line)
    return match if match and (match.group("tail") or line.startswith(("**", "__"))) else None


def signature(line: str) -> tuple[str, str, str] | None:
    """(verb, name, date) of a post's signature below it (`SIGNATURE`: "answered 12 Feb 2026 by
    tamsin.h"; `COMMENT_SIGNATURE`: "> – kestrel_dev Feb 12 at 21:14", verb "commented";
    `DASH_SIGNATURE`: "— The Management Committee", verb "written", no date), else None."""
    line = line.strip()
    if match := SIGNATURE.fullmatch(line):
        return match.group("verb"), match.group("name"), match.group("tail")
    if match := COMMENT_SIGNATURE.fullmatch(line):
        return "commented", match.group("name"), match.group("tail").strip()
    if (match := DASH_SIGNATURE.fullmatch(line)) and line[-1] not in ".!?":
        return "written", match.group("name"), ""
    return None


def post_writer(path: str) -> str:
    """Who wrote the post a sentence sits in, where the innermost heading over it is the post's
    byline ("Reply from greasemonkey_jo", "amara-dev commented") or signature ("answered by
    tamsin.h"), else ""."""
    inner = path.rsplit(" > ", 1)[-1]
    match = post_byline(inner) or POST_NAMED.fullmatch(inner)
    return match.group("name") if match else ""


def byline_name(line: str) -> str:
    """Who a byline says wrote what follows it ("By Maya Osei, Transport reporter", "Reply from
    greasemonkey_jo, 3 March 2026"), else ""."""
    match = BYLINE.fullmatch(line) or post_byline(line)
    return match.group("name") if match else ""


# A line opening with the years it covers, as a CV or a timeline lists jobs and courses
# ("2022 - present    Senior Data Engineer, Fernhill Foods", "Sep 2016 – Jun 2017  MSc ..."):
# a heading over the points under it, and what it says an answer too (`rag.extractive`).
DATED_ENTRY = re.compile(r"[ \t]*(?:[A-Z][a-z]{2,8}\.?[ \t]+)?(?:19|20)\d{2}[ \t]*[-\u2013\u2014][ \t]*"
                         r"(?:(?:[A-Z][a-z]{2,8}\.?[ \t]+)?(?:19|20)\d{2}|[Pp]resent|[Nn]ow|[Tt]oday|[Dd]ate)\b:?[ \t]+\S")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})", re.M)
UNDERLINE = re.compile(r"={3,}|-{3,}|~{3,}|\^{3,}|\"{3,}|\+{3,}")  # under a Setext or reStructuredText title
_UNDERLINE_LEVELS = {"=": 1, "-": 2, "~": 3, "^": 4, '"': 5, "+": 6}
# A CSV or spreadsheet row with a header as the document reads it: "column: value" pairs joined
# by "; " (`index.extra_readers.labelled_row`). Never a heading; the answerer reads it alone.
LABELLED_ROW = re.compile(r"[^:;\n]{1,60}: [^;\n]*(?:; [^:;\n]{1,60}: [^;\n]*)+")
# A field whose value is a number, a date, a price or code ("Last updated: 14 February 2026",
# "Labels: `bug`"): a fact about the text, no title ("Part 2: The Return" is one).
_VALUE_FIELD = re.compile(r"[A-Z][\w'\u2019-]*(?:[ \t]+[\w'\u2019/-]+){0,3}[ \t]*:[ \t]+[\d`$\u00a3\u20ac]")
# Dot leaders joining a line's label to its value ("Final exam ....... 50%", a menu's "Soup of the
# day ....... £6.25"): no sentence ends there, and the line is an entry of its own (`index.sentences`).
DOT_LEADER = re.compile(r"\.{4,}[ \t]+\S")
# A code and what it stands for, a line each in a codebook's list of values ("3 = Rented from the
# council", "-9 = Refused"): each its own sentence, as a list item is (`index.sentences`), and no
# term's description.
CODE = r"(-?\d{1,3})[ \t]*=[ \t]+"
CODE_LINE = re.compile(CODE + r"\S")
_LIST_OR_TABLE = re.compile(r"[-*+\u2022\u25aa\u2013]\s|\|")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
MAX_CHARS = 80
MAX_WORDS = 10
MAX_TITLE_WORDS = 16  # a document title longer than this is prose (`title_heading`)
MAX_LABEL_WORDS = 3  # a line ending with ":" is a heading ("Opening hours:") up to this many words
MIN_PROSE_WORDS = 5  # a title ending as a sentence does is prose from this many words on
_CLOSERS = "\"')]\u201d\u2019 "
# A sentence end inside a title: a lower-case word (not "St.") or a number, then a capital.
_SENTENCE_END = re.compile(r"(?:\b[a-z][a-z'-]{2,}|\d)[.!?][\"\u201d\u2019)]?\s+[A-Z]")
_PROSE_END = re.compile(r"[.!?][\"\u201d\u2019)\[\]\d]*\s*$")  # "... in 1891.[3]" ends as prose does
PLAIN_LEVEL = 7  # below every Markdown level: a plain heading replaces the one before it
# A term over its indented description ("-k --keep" over "Keep (don't delete) input files",
# as manual pages and plain-text references list options, messages and fields): below every
# other heading, and only over its description: the first line back at the term's indent ends it.
TERM_LEVEL = 8
_INDENT = re.compile(r"[ \t]*")
# A definition under its term, as Markdown extensions write a definition list ("**Cast**" over
# ": A second or later swarm ..."): the term heads it as an option heads its indented description.
_DEFINITION = re.compile(r"[ \t]{0,3}:[ \t]+\S")
_BOLD = re.compile(r"(\*\*|__)(\S(?:.*\S)?)\1")
_ENUMERATOR = re.compile(r"\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)][ \t]")  # "(a) ", "2) ", "iv. ": a list item
# HTML that Markdown files carry (a project's README): '<h1 align="center">shelfsync</h1>' is a
# title; a collapsed section's "<summary>The reader is not found over USB</summary>" names what
# follows it, under the heading above it.
_HTML_HEADING = re.compile(r"[ \t]*<h([1-6])\b[^<>]*>(.*?)</h\1\s*>[ \t]*", re.I | re.S)
_HTML_SUMMARY = re.compile(r"[ \t]*(?:<details\b[^<>]*>\s*)?<summary\b[^<>]*>(.*?)</summary\s*>[ \t]*", re.I | re.S)
HTML_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")

Span = tuple[int, int]


def _opens_line(text: str, start: int) -> bool:
    """Whether nothing but spaces stands before `start` on its line."""
    return not text[text.rfind("\n", 0, start) + 1 : start].strip()


def _closes_line(text: str, end: int) -> bool:
    """Whether nothing but spaces stands after `end` on its line."""
    line_end = text.find("\n", end)
    return not text[end : len(text) if line_end < 0 else line_end].strip()


def alone_on_line(text: str, start: int, end: int) -> bool:
    """Whether `text[start:end]` shares its line with nothing but spaces."""
    return _opens_line(text, start) and _closes_line(text, end)


def _under(path: list[tuple[int, str]], level: int, heading: str) -> list[tuple[int, str]]:
    """The heading path once `heading` at `level` begins: it replaces its level and those below
    (an empty `heading` only ends theirs: a term's description is over)."""
    return [(lvl, h) for lvl, h in path if lvl < level] + ([(level, heading)] if heading else [])


def in_capitals(line: str) -> bool:
    """Whether every letter of `line` is a capital, and it has two letters or more ("SETTING UP")."""
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def plain_heading(text: str, spans: Sequence[Span], i: int) -> bool:
    """True when sentence `i` of `text` is a heading that Markdown does not mark."""
    start, end = spans[i]
    line = text[start:end]
    if "\n" in line or len(line) > MAX_CHARS or len(line.split()) > MAX_WORDS:
        return False
    if (line[-1] in ".!?,;" or MARKDOWN_HEADING.match(line) or _LIST_OR_TABLE.match(line) or LABELLED_ROW.fullmatch(line)
            or _VALUE_FIELD.match(line) or TAB_FIELD.fullmatch(line)):
        return False  # a spreadsheet's row, "Role: Director; Name: Ruth Okonjo", is a record, not a title
    if line[-1] == ":" and len(line.split()) > MAX_LABEL_WORDS:
        return False  # "Run these two lines:" leads into what follows; "Agenda:" names it
    if not (_opens_line(text, start) and _closes_line(text, end)):
        return False  # shares its line with other text
    if sum(c.isalpha() for c in line) < 2:
        return False
    if in_capitals(line):
        return True
    if i + 1 >= len(spans):
        return False  # nothing after it in the passage to be the heading of
    gap_before = text[spans[i - 1][1] if i else 0:start].replace("\r", "")
    gap_after = text[end:spans[i + 1][0]].replace("\r", "")
    set_off = (i == 0 or bool(_BLANK_LINE.search(gap_before))) and bool(_BLANK_LINE.search(gap_after))
    if byline_name(line):
        return False  # "By Maya Osei, Transport reporter" says who wrote what follows: no title
    if line[0].isupper():
        if line.rstrip(":").lower() in _LINKING_WORDS:
            return False
        blank_before = i == 0 or bool(_BLANK_LINE.search(gap_before))
        if set_off or (blank_before and line.rstrip(":").lower() in _BACK_MATTER):
            return True
        following = text[spans[i + 1][0] : spans[i + 1][1]].split("\n")[0]
        if blank_before and TAB_FIELD.fullmatch(following) and _opens_line(text, spans[i + 1][0]):
            return True  # an infobox's caption ("Johan Lindqvist") over its first field
        return blank_before and _over_prose(text, line, end, spans[i + 1])
    # A numbered line is a section's title ("10.1. New Versions"), unless a line numbered one
    # before or after it at the same depth stands beside it: the steps of a list set apart by
    # blank lines.
    if not (set_off and _NUMBERED_LINE.match(line)) or _DATE_LINE.fullmatch(line):
        return False  # "20 November 2025" above a letter dates it: no section "20"
    own = _numbers(_NUMBERED_ITEM.match(line).group())
    for j, step in ((i - 1, -1), (i + 1, 1)):
        if 0 <= j < len(spans) and (m := _NUMBERED_ITEM.match(text, *spans[j])):
            beside = _numbers(m.group())
            if len(beside) == len(own) and beside[-1] == own[-1] + step:
                return False  # "1. Mix" beside "2. Bake": steps of a list
    return True


def _over_prose(text: str, line: str, end: int, following: Span) -> bool:
    """Whether `line` (ending at `end`, opening a paragraph) titles the prose on the very next
    line, as a wiki page copied as text puts "Early life" right over its paragraph with no blank
    line between: the next line opens a sentence that ends as prose does, and is much longer
    than `line` (the first line of a paragraph wrapped by hand is as long as the line after it),
    and `line` does not end on a word that leads on ("... three years with the")."""
    start, stop = following
    if text[end:start].replace("\r", "").count("\n") != 1 or not text[start].isupper():
        return False
    body = text[start:stop]
    if not _PROSE_END.search(body) or len(body.split()) < MIN_PROSE_WORDS:
        return False
    line_end = text.find("\n", start)
    next_line = text[start : len(text) if line_end < 0 else line_end].rstrip()
    last = line.rstrip(":").split()[-1].lower()
    return len(next_line) >= 1.6 * len(line) and last not in _MINOR_WORDS


def _numbers(number: str) -> list[int]:
    """A section number's parts: "1." is [1], "2.1" and "2.1." are [2, 1] (the clause "1.1 Plots
    are let ..." under "1. Membership" is no step beside it, and "5 Recommendations" over "1.
    Replace the valve" heads that list)."""
    return [int(part) for part in re.findall(r"\d+", number)]


def _indent(text: str, start: int) -> int:
    """The width of the spaces (a tab counts 8) that open the line holding `start`."""
    line_start = text.rfind("\n", 0, start) + 1
    return len(_INDENT.match(text, line_start).group().expandtabs(8))


def term_heading(text: str, spans: Sequence[Span], i: int) -> bool:
    """True when sentence `i` is a term on a line of its own with its description indented
    deeper on the very next line ("-P max-procs, --max-procs=max-procs" over "Run up to
    max-procs processes at a time"): short, no sentence punctuation at its end, no list item."""
    if i + 1 >= len(spans):
        return False
    start, end = spans[i]
    line = text[start:end]
    if "\n" in line or len(line) > MAX_CHARS or len(line.split()) > MAX_WORDS or not any(c.isalnum() for c in line):
        return False
    if (line[-1] in ".!?,;:" or MARKDOWN_HEADING.match(line) or _LIST_OR_TABLE.match(line) or _ENUMERATOR.match(line)
            or TAB_FIELD.fullmatch(line) or CODE_LINE.match(text, spans[i + 1][0]) or DOT_LEADER.search(line)):
        return False  # "Values:    1 = Owned outright" over "2 = Owned with a mortgage": a field going on; a
        # menu's "Soup of the day ....... £6.25" over its description: an entry, not a term
    if not (_opens_line(text, start) and _closes_line(text, end)):
        return False
    after = text[end : spans[i + 1][0]].replace("\r", "")
    if after.count("\n") != 1 or not _opens_line(text, spans[i + 1][0]):
        return False  # a blank line between, or the next sentence does not open the next line
    return _described_indent(text, spans[i + 1][0]) > _indent(text, start)


def _described_indent(text: str, start: int) -> int:
    """The indent of the line holding `start`, a definition's ": " counted as indent."""
    line_start = text.rfind("\n", 0, start) + 1
    definition = _DEFINITION.match(text, line_start)
    return len(text[line_start : definition.end() - 1].expandtabs(8)) if definition else _indent(text, start)


def term_above(text: str, spans: Sequence[Span], i: int) -> int | None:
    """Where the term that sentence `i` is the first sentence of the description of begins
    (the line right above it, `term_heading`), else None: a quote of the sentence alone would
    not say what it describes ("If the standard input does not contain any nonblanks, do not
    run the command." is `-r, --no-run-if-empty`)."""
    return spans[i - 1][0] if i > 0 and term_heading(text, spans, i - 1) else None


def definition_term(text: str, spans: Sequence[Span], i: int) -> str:
    """The term that sentence `i` opens the definition of in a definition list ("Cast" for ": A
    second or later swarm ..." under "**Cast**"), else ""."""
    start = spans[i][0]
    if not (i > 0 and _DEFINITION.match(text, start) and _opens_line(text, start) and term_heading(text, spans, i - 1)):
        return ""
    term = text[spans[i - 1][0] : spans[i - 1][1]].strip()
    bold = _BOLD.fullmatch(term)
    return bold.group(2) if bold else term


def setext_level(text: str, spans: Sequence[Span], i: int) -> int | None:
    """The level when the next line underlines sentence `i`: "=" 1, "-" 2 (a Setext heading, in
    Markdown and plain text alike: "Mozilla Public License" over "======"), and as
    reStructuredText titles "~" 3, "^" 4, '"' 5, "+" 6, underlined at least as long as the title
    (a shorter "~~~" opens a code block)."""
    if i + 1 >= len(spans):
        return None
    start, end = spans[i]
    line = text[start:end]
    if "\n" in line or len(line) > MAX_CHARS or not any(c.isalnum() for c in line):
        return None
    under = text[spans[i + 1][0] : spans[i + 1][1]]
    if not UNDERLINE.fullmatch(under) or text[end : spans[i + 1][0]].count("\n") != 1:
        return None
    if under[0] not in "=-" and len(under) < len(line.strip()):
        return None
    if not _opens_line(text, start):
        return None  # the end of a longer line, not a line of its own
    return _UNDERLINE_LEVELS[under[0]]


def numbered_heading(text: str, spans: Sequence[Span], i: int) -> bool:
    """True when sentence `i` is a numbered title that opens its line, with or without text after
    it there ("7. Disclaimer of Warranty. Unless required by..."): a number, then at most six
    words in title case, then a full stop."""
    start, end = spans[i]
    match = _NUMBERED_TITLE.fullmatch(text, start, end)
    if not match:
        return False
    if not _opens_line(text, start):
        return False
    words = match.group(1).split()
    return all(w[0].isupper() or w.lower() in _MINOR_WORDS for w in words) and any(w[0].isupper() for w in words)


def fenced(text: str) -> list[Span]:
    """The fenced code blocks of `text` ("```" or "~~~" lines and what lies between them, to the
    end of the text if a fence is left open): "# install" there is a shell comment, no heading."""
    blocks: list[Span] = []
    opened: tuple[int, str] | None = None
    for match in _FENCE.finditer(text):
        mark = match.group(1)
        if opened is None and _rst_underline(text, match.start()):
            continue
        if opened is None:
            opened = (match.start(), mark[0] * 3)
        elif mark.startswith(opened[1]):
            blocks.append((opened[0], match.end()))
            opened = None
    if opened is not None:
        blocks.append((opened[0], len(text)))
    return blocks


def _rst_underline(text: str, start: int) -> bool:
    """Whether the "~~~" line at `start` underlines the line right above it (a title at least
    as short), rather than opening a code block."""
    line_end = text.find("\n", start)
    line = text[start : len(text) if line_end < 0 else line_end].strip()
    if set(line) != {"~"} or start == 0:
        return False
    above = text[text.rfind("\n", 0, start - 1) + 1 : start - 1].strip()
    return bool(above) and len(line) >= len(above)


def _headings(text: str, spans: Sequence[Span]) -> list[tuple[int, str] | None]:
    """`heading_level` of every sentence, none inside a fenced code block; where a term's
    description ends (the first sentence opening a line at the term's indent or less), an
    entry (TERM_LEVEL, "") that ends the term's scope without being a heading."""
    blocks = fenced(text) if "```" in text or "~~~" in text else []
    found: list[tuple[int, str] | None] = []
    term_indent: int | None = None  # the open term's, while its description goes on
    # A definition list's definition goes on unindented on the lines after its ": " line (": A
    # second swarm ...\nIt is led by ...") up to a blank line.
    in_definition = False
    for i, (start, _) in enumerate(spans):
        if i and _BLANK_LINE.search(text, spans[i - 1][1], start):
            in_definition = False
        level = None if any(s <= start < e for s, e in blocks) else heading_level(text, spans, i)
        if (level is None and term_indent is not None and _opens_line(text, start)
                and _described_indent(text, start) <= term_indent and not in_definition):
            level, term_indent = (TERM_LEVEL, ""), None
        if _opens_line(text, start) and _DEFINITION.match(text, start):
            in_definition = True
        if level is not None and level[1]:
            term_indent = _indent(text, start) if level[0] == TERM_LEVEL else None
        found.append(level)
    # Plain lines set apart with no section under them, only a Markdown heading, head nothing: a
    # paper's byline and affiliation ("Department of ..., University of Eastbridge") between its
    # "# Title" and "## Abstract" are lines of their own, which say who wrote it and where.
    markdown_next = False
    for i in range(len(found) - 1, -1, -1):
        level = found[i]
        if level is not None and level[0] == PLAIN_LEVEL and markdown_next:
            found[i] = None
            continue
        markdown_next = level is not None and level[0] < PLAIN_LEVEL
    # A page of posts (a forum's thread, a shop's reviews): each byline heads its post, so a
    # reply's advice is read under whose it is and "we went for sage" under "Reviewed by Alex M.".
    posts = {i: post for i, (start, end) in enumerate(spans)
             if not any(s <= start < e for s, e in blocks) and (post := post_heading(text, start, end))}
    if len(posts) >= MIN_POSTS:
        for i, post in posts.items():
            found[i] = (PLAIN_LEVEL, post)
    for i, writer in _signed_posts(text, spans, found, blocks).items():
        found[i] = (SIGNED_LEVEL, writer)
    return found


def _signed_posts(text: str, spans: Sequence[Span], found: Sequence[tuple[int, str] | None],
                  blocks: Sequence[Span]) -> dict[int, str]:
    """Where each post signed below it begins, and its writer as a heading ("answered by
    tamsin.h"), on a page of MIN_POSTS signatures or more: a post runs from the sentence after
    the signature, thematic break or heading before it (none of them) to its signature; after
    the signature an empty heading ends it (a book's epigraph signed "— Mark Twain" is his, the
    chapter under it is not)."""
    signed = {i: sign for i, (start, end) in enumerate(spans)
              if not any(s <= start < e for s, e in blocks) and alone_on_line(text, start, end)
              and (sign := signature(text[start:end]))}
    if len(signed) < MIN_POSTS:
        return {}
    out: dict[int, str] = {}
    for i, (verb, name, _) in signed.items():
        first = i
        while first > 0 and not (first - 1 in signed or found[first - 1] is not None
                                 or THEMATIC_BREAK.match(text, *spans[first - 1])):
            first -= 1
        if first < i:
            out[first] = f"{verb} by {name}"
    for i in signed:  # the post ends at its signature: what follows, unless another post, is no one's
        if i + 1 < len(spans) and i + 1 not in out and found[i + 1] is None:
            out[i + 1] = ""
    return out


def post_heading(text: str, start: int, end: int) -> str:
    """A byline alone on its line, as a heading: up to the name, without the date or note after
    it ("Reviewed by Priya N."), nor the italics around it."""
    if not alone_on_line(text, start, end):
        return ""
    line = text[start:end]
    post = post_byline(line)
    if post and post.re is POST_NAMED:  # "amara-dev commented"
        return f"{post.group('name')} {post.group('verb')}"
    match = post or BYLINE.fullmatch(line)
    if not match:
        return ""
    return line[len(match.group("mark")) : match.end("name")].split(",")[0].strip()


def heading_level(text: str, spans: Sequence[Span], i: int) -> tuple[int, str] | None:
    """(level, heading text) when sentence `i` is a heading: Markdown levels 1-6 (marked with
    "#" or underlined), plain ones 7."""
    start, end = spans[i]
    match = MARKDOWN_HEADING.match(text, start, end)
    if match:
        return len(match.group(1)), match.group(2).strip()
    if text[start] == "<":
        if html := _html_heading(text, spans, i):
            return html
        if not any(c.isalnum() for c in HTML_TAG.sub("", text[start:end])):
            return None  # '<p align="center">' over a README's logo is markup, no title
    underlined = setext_level(text, spans, i)
    if underlined:
        return underlined, text[start:end].strip()
    if plain_heading(text, spans, i):
        return PLAIN_LEVEL, text[start:end].strip().rstrip(":")
    if numbered_heading(text, spans, i):
        return PLAIN_LEVEL, text[start:end].strip().rstrip(".")
    if term_heading(text, spans, i):
        term = text[start:end].strip()
        bold = _BOLD.fullmatch(term)
        return TERM_LEVEL, bold.group(2) if bold else term
    return None


def _html_heading(text: str, spans: Sequence[Span], i: int) -> tuple[int, str] | None:
    """(level, heading text) for an HTML heading or a collapsed section's summary alone on its
    line, in a Markdown file: a summary is one level below the Markdown heading above it."""
    start, end = spans[i]
    if not alone_on_line(text, start, end):
        return None
    heading = _HTML_HEADING.fullmatch(text, start, end)
    if heading:
        words = " ".join(HTML_TAG.sub(" ", heading.group(2)).split())
        return (int(heading.group(1)), words) if words else None
    summary = _HTML_SUMMARY.fullmatch(text, start, end)
    words = " ".join(HTML_TAG.sub(" ", summary.group(1)).split()) if summary else ""
    if not words:
        return None
    above = 0
    for j in range(i - 1, -1, -1):
        if (found := MARKDOWN_HEADING.match(text, *spans[j])) is not None:
            above = len(found.group(1))
            break
    return min(above + 1, 6), words


def title_heading(title: str) -> str:
    """The document's title as a heading for the reader, or "" when it is the start of the text's
    prose rather than a title. A file without a title line is titled by its first line, which
    may be a whole sentence (shortened with "…"); the reader, trained on article titles, read
    every sentence under it and the first one under itself, and misjudged them
    (docs/evaluation.md). Prose: shortened, longer than MAX_TITLE_WORDS words, holding a
    sentence end before its last word, or ending as a sentence does with MIN_PROSE_WORDS words or
    more ("Arsenal F.C.", "Agenda:" and "Why Cities Planted Trees?" stay titles)."""
    title = title.strip()
    bare = title.rstrip(_CLOSERS)
    count = len(title.split())
    if not bare or bare.endswith("\u2026") or count > MAX_TITLE_WORDS or _SENTENCE_END.search(title):
        return ""
    if bare[-1] in ".!;," and count >= MIN_PROSE_WORDS:
        return ""
    return title


METADATA_KEY = "outline"  # a chunk's `chunk_outlines` entry, in its metadata
# Raised whenever headings are found otherwise: stored outlines of an older version are found
# again at the next ingest of their files (`index.ingest`). 1: c259dc8; 2: terms (TERM_LEVEL);
# 3: a linking word ("Then") set off by blank lines is no heading; 4: a transcript's turn in force
# where the chunk starts (`index.transcripts.chunk_turns`); 5: plain lines with only a Markdown
# heading under them are no headings; 6: a section number without a full stop opens a title
# ("2 Methods"); 7: a byline is no heading; 8: a numbered title over its clauses ("1. Membership"
# over "1.1 ...") is one; 9: a chunk that starts inside a Markdown table keeps its header row
# (`index.chunking.chunk_columns`); 10: a spreadsheet's labelled row is no heading, nor a
# transcript's turn (`index.transcripts`); 11: a label with a digit or underscore ("SHOEBOX_CACHE:")
# opens no transcript turn; 12: a Roman numeral opening a line ("IV. The Winter") ends no
# sentence, and a byline may name what the text is ("A short story by ...") or be in italics; 13:
# labels make a transcript only where most are used more than once (an itinerary's "Seats:" under
# each flight is a field); 14: a page of posts has each byline head its post, a definition list's
# term heads its definition, and a field holding a number ("Last updated: 14 February 2026") is no
# heading; 15: a chunk that opens inside a text table keeps its header line and rule
# (`index.text_tables`); 16: an HTML heading or a collapsed section's summary in a Markdown file
# is a heading; 17: a short line over prose on the very next line heads it ("Early life" on a wiki
# page copied as text), as do back matter's titles ("See also"), and an infobox's tabbed field
# ("Died\t23 January 1931") is no term, and posts signed below them are read under their
# writer; 18: a notice signed with a dash ("— The Management Committee") is such a post, and a
# play's stage direction on a line of its own ends the speech before it (`index.transcripts`).
# 19: a codebook's "Values: 1 = Owned outright" over "2 = ..." and a menu's "Soup of the day ...
# £6.25" over its description are no terms, and a codebook's labels coming round in one order
# ("Label:", "Type:", "Values:" for each variable) make no transcript (`index.transcripts`); 20: a
# post signed below it ends at its signature.
OUTLINE_VERSION = 20
# {"above": [[level, heading], ...], "inside": [[start, level, heading], ...], "turn": [label, prompt] or None,
#  "columns": header row, or a text table's header line and rule (only for a chunk that starts inside a table)};
# "turn" is missing from an outline stored before version 4.
Outline = dict


def outline(text: str, spans: Sequence[Span], title: str, stored: Outline | None = None) -> tuple[list[str], list[bool]]:
    """Each sentence's heading path ("3.1.0 > Removed"; a heading is under itself, and a sentence
    under none has the document's title where it reads as one: `title_heading`) and whether it
    is a heading itself. `stored`: the passage's share of its document's outline
    (`chunk_outlines`), else headings are found in the passage alone."""
    title = title_heading(title)
    paths: list[str] = []
    flags: list[bool] = []
    path: list[tuple[int, str]] = []  # (level, heading text), outermost first
    if stored is None:
        found_at = _headings(text, spans)
    else:  # as `chunk_outlines` or `load_outline` give it
        path = [(level, heading) for level, heading in stored["above"]]
        inside = {start: (level, heading) for start, level, heading in stored["inside"]}
        found_at = [inside.get(start) for start, _ in spans]
    for found in found_at:
        if found:
            path = _under(path, *found)
        if path and title and path[0][0] >= PLAIN_LEVEL and all(h != title for _, h in path):
            # plain text's sections under its title line: "EXPERIENCE" in a CV says nothing of
            # whose, "AMARA OKAFOR > EXPERIENCE" does (the reader: -2.53 and 1.83 for "When did
            # Amara work for the NHS analytics unit?")
            paths.append(" > ".join([title, *(h for _, h in path)]))
        else:
            paths.append(" > ".join(h for _, h in path) if path else title)
        flags.append(bool(found and found[1]) and found[0] != SIGNED_LEVEL)
    return paths, flags


def dump_outline(outline: Outline) -> str:
    """An outline as stored in a chunk's metadata: compact JSON (a metadata value is a string)."""
    return json.dumps(outline, ensure_ascii=False, separators=(",", ":"))


def load_outline(stored: object) -> Outline | None:
    """A chunk's stored outline, or None where it has none or it is damaged (its headings are
    then found in its text alone, as for chunks stored before)."""
    if not isinstance(stored, str):
        return None
    try:
        value = json.loads(stored)
        above = [[int(level), str(heading)] for level, heading in value["above"]]
        inside = [[int(start), int(level), str(heading)] for start, level, heading in value["inside"]]
        loaded: Outline = {"above": above, "inside": inside}
        if "turn" in value:
            turn = value["turn"]
            loaded["turn"] = None if turn is None else [str(turn[0]), str(turn[1])]
        if "columns" in value:
            loaded["columns"] = str(value["columns"])
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return loaded


def chunk_outlines(text: str, spans: Sequence[Span], chunks: Sequence[Span]) -> list[Outline]:
    """Each chunk's share of the document's outline (`spans`: the document's sentences): the
    headings in force where it starts, and the headings inside it with their starts relative
    to the chunk's."""
    headings = [(span, found) for span, found in zip(spans, _headings(text, spans)) if found]
    starts = [span[0] for span, _ in headings]
    out: list[Outline] = []
    path: list[tuple[int, str]] = []
    done = 0  # headings before the chunk, already on `path`
    for start, end in chunks:
        first = bisect.bisect_left(starts, start)
        for _, found in headings[done:first]:
            path = _under(path, *found)
        done = max(done, first)
        inside = []
        for (s, e), (level, heading) in headings[first:]:
            if s >= end:
                break
            if e <= end:
                inside.append([s - start, level, heading])
        out.append({"above": [list(entry) for entry in path], "inside": inside})
    return out
