"""Reading files into documents: text, title, date, and a stable id.

Each reader returns the exact text that chunks and citations point into. For `.txt` and
`.md` that is the file's own text (UTF-8, line endings kept), so a quote can be checked by
opening the file. Files that cannot be read raise `SkipFile` with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from index.headings import alone_on_line
from index.page_furniture import main_parts, strip_furniture
from index.sentences import sentence_spans, title_like
from rag.errors import SkipFile

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
# Read by index/extra_readers.py; .pptx, .ipynb and .epub need the `readers` extra.
EXTRA_SUFFIXES = (".pptx", ".epub", ".csv", ".tsv", ".ipynb")
OFFICE_SUFFIXES = (".xlsx", ".odt", ".rtf")  # read by index/office_readers.py, with the `readers` extra
MAIL_SUFFIXES = (".eml", ".mbox")  # read by index/mail.py
CAPTION_SUFFIXES = (".vtt", ".srt")  # read by index/captions.py
MARKUP_SUFFIXES = (".rst", ".tex")  # read by index/restructured_text.py and index/latex.py
DATA_SUFFIXES = (".json", ".jsonl", ".ndjson")  # read by index/json_readers.py
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".pdf", ".docx", *MAIL_SUFFIXES, *EXTRA_SUFFIXES, *OFFICE_SUFFIXES,
                      *CAPTION_SUFFIXES, *MARKUP_SUFFIXES, *DATA_SUFFIXES)
_TITLE_LIMIT = 120
_ZIP_MAX_UNPACKED = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    source: str
    title: str
    date: str | None
    sha256: str
    text: str


def document_id(source: str) -> str:
    """A stable id from the document's source (its absolute path, or an upload name)."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- dates ---------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")],
        start=1,
    )
    for name in names
}
_LABELLED_DATE = re.compile(r"\b(?:date|published|updated)[:\s]+(\d{4}-\d{2}-\d{2})\b", re.I)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WORDY_DATE = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2}),\s+(\d{4})\b")


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """The document's date as YYYY-MM-DD when its opening text states one."""
    head = text[:1000]
    for match in _LABELLED_DATE.finditer(head):
        year, month, day = (int(part) for part in match.group(1).split("-"))
        if found := _valid(year, month, day):
            return found
    for match in _ISO_DATE.finditer(head):
        if found := _valid(*(int(part) for part in match.groups())):
            return found
    for match in _WORDY_DATE.finditer(head):
        month = _MONTHS.get(match.group(1).lower())
        if month and (found := _valid(int(match.group(3)), month, int(match.group(2)))):
            return found
    return None


# -- titles --------------------------------------------------------------------------------

_DATE_PREFIX = re.compile(r"^\s*date[:\s]+\d{4}-\d{2}-\d{2}\s*", re.I)


def _shorten(title: str) -> str:
    title = " ".join(title.split())
    if len(title) <= _TITLE_LIMIT:
        return title
    cut = title.rfind(" ", 0, _TITLE_LIMIT)
    return title[: cut if cut > _TITLE_LIMIT // 2 else _TITLE_LIMIT].rstrip(" ,;:") + "\u2026"


def _first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = _DATE_PREFIX.sub("", line).strip().lstrip("#").strip()
        if line:
            return _shorten(line)
    return fallback


def _markdown_title(text: str, fallback: str) -> str:
    heading = re.search(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", text, re.M)
    return _shorten(heading.group(1)) if heading else _first_line_title(text, fallback)


# -- readers -------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise SkipFile("binary content (NUL bytes) in a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SkipFile(
            f"not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at byte {exc.start}); "
            "save it as UTF-8 and ingest again"
        ) from None


def _read_text(path: Path, data: bytes) -> tuple[str, str]:
    text = _decode(data)
    if path.suffix.lower() in (".md", ".markdown"):
        return text, _markdown_title(text, path.stem)
    return text, _first_line_title(text, path.stem)


_BLOCK_TAGS = (
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "li", "ul",
    "ol", "table", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
    "figure", "figcaption", "dd", "dt", "dl", "title", "address", "hr",
)


# Characters that show nothing: NUL, a soft hyphen (e-books put them in long words, "turn\xadtable",
# which a search for "turntable" would then miss), zero-width space, word joiner, a stray BOM.
_INVISIBLE = str.maketrans(dict.fromkeys("\x00\xad\u200b\u2060\ufeff"))


def _tidy(text: str) -> str:
    """Collapse runs of spaces within lines and of blank lines; drop characters that show nothing."""
    lines = [" ".join(line.translate(_INVISIBLE).split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _hidden(tag) -> bool:
    """An element a browser does not show: `hidden`, `aria-hidden="true"`, an inline style
    of `display: none` or `visibility: hidden`, or `<input type="hidden">`."""
    attrs = tag.attrs or {}
    return (
        "hidden" in attrs
        or str(attrs.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))
        or (tag.name == "input" and str(attrs.get("type", "")).lower() == "hidden")
    )


def markdown_table(rows: Iterable[list[str]]) -> str:
    """A table's rows (lists of cell texts) as Markdown rows, a rule under the first, so each row
    is quoted on its own and read with its header; "" when no row holds text."""
    kept = [cells for cells in rows if any(cells)]
    lines = ["| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |" for cells in kept]
    if lines:
        lines.insert(1, "|" + "---|" * len(kept[0]))
    return "\n".join(lines)


_PRE_TAGS = ("pre", "textarea")
_HTML_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _row_header_fields(table) -> str:
    """A table whose every row is a header cell and its value, with no header row (an infobox,
    a specification: "Height | 38 m"), as one field a line ("Height: 38 m"), each read on its
    own; "" for other tables, which have a header row to read each row with."""
    lines = []
    for row in table.find_all("tr"):
        cells = row.find_all(("th", "td"), recursive=False)
        if not cells:
            continue
        texts = [cell.get_text(" ", strip=True) for cell in cells]
        if len(cells) < 2 or cells[0].name != "th" or any(cell.name != "td" for cell in cells[1:]):
            return ""
        if texts[0] and any(texts[1:]):
            lines.append(f"{texts[0].rstrip(':')}: {' '.join(t for t in texts[1:] if t)}")
    return "\n".join(lines)


def _item_numbers(soup) -> dict[int, str]:
    """ "3. " for the third item of each ordered list (counting from its `start`, a `value` on an
    item restarting the count), as a browser numbers them; keyed by the item's id()."""
    numbers = {}
    for listing in soup.find_all("ol"):
        start = str(listing.get("start", "")).strip()
        number = (int(start) if start.lstrip("-").isdigit() else 1) - 1
        for item in listing.find_all("li", recursive=False):
            value = str(item.get("value", "")).strip()
            number = int(value) if value.lstrip("-").isdigit() else number + 1
            numbers[id(item)] = f"{number}. "
    return numbers


def _join_definitions(soup) -> None:
    """A definition list's term and its one definition as one line, "Linkspan: A hinged bridge
    that ...", as a glossary or a parameter list is read, so the definition is quoted with what
    it defines; a term with several definitions, or one holding paragraphs, stays as it is."""
    for term in soup.find_all("dt"):
        definition = term.find_next_sibling(("dt", "dd"))
        if (definition is None or definition.name != "dd" or term.find(_BLOCK_TAGS) or definition.find(_BLOCK_TAGS)
                or definition.find_previous_sibling(("dt", "dd")) is not term):
            continue
        following = definition.find_next_sibling(("dt", "dd"))
        label = term.get_text("").strip()
        if not label or (following is not None and following.name == "dd"):
            continue
        definition.insert(0, (label if label.endswith(":") else label + ":") + " ")
        term.decompose()


def _html_structure(soup) -> None:
    """Give a page's structure the form the answerer reads in Markdown: whitespace collapsed as a
    browser does (line breaks in the source are spaces, except in <pre>), headings marked "#",
    <pre> fenced with "```", list items "- " (numbered in an ordered list) and tables as Markdown
    rows with a rule under the first, so a row is quoted on its own and read with its header."""
    for node in soup.find_all(string=True):
        if node.find_parent(_PRE_TAGS) is None:
            collapsed = re.sub(r"\s+", " ", str(node))
            if collapsed != node:
                node.replace_with(collapsed)
    for tag in soup.find_all(_HTML_HEADINGS):
        tag.insert(0, "#" * int(tag.name[1]) + " ")
    for tag in soup.find_all("pre"):  # fenced, so a "# comment" line in it is no heading
        if tag.find_parent("pre") is None:
            tag.insert(0, "```\n")
            tag.append("\n```")
    _join_definitions(soup)
    numbers = _item_numbers(soup)
    for tag in soup.find_all("li"):
        marker = numbers.get(id(tag), "- ")
        first = next((child for child in tag.children if getattr(child, "name", None) or str(child).strip()), None)
        if getattr(first, "name", None) == "p":  # the marker goes before the item's first paragraph
            first.insert(0, marker)
        elif first is not None and getattr(first, "name", None) not in _BLOCK_TAGS:
            tag.insert(0, marker)
    for table in reversed(soup.find_all("table")):  # inner tables first
        fields = _row_header_fields(table)
        if fields:
            table.replace_with("\n\n" + fields + "\n\n")
            continue
        rows = markdown_table([cell.get_text(" ", strip=True) for cell in row.find_all(("th", "td"))] for row in table.find_all("tr"))
        if rows:
            table.replace_with("\n\n" + rows + "\n\n")
        else:
            table.decompose()


def _read_html(path: Path, data: bytes) -> tuple[str, str]:
    """The text a reader sees: no scripts, styles, comments or hidden elements (text a page
    hides could otherwise steer answers without anyone seeing it)."""
    from bs4 import BeautifulSoup, CData, Comment

    markup = _decode(data)
    soup = BeautifulSoup(markup, "html.parser")
    title_tag = soup.find("title")
    title = title_tag.get_text(" ", strip=True) if title_tag else ""
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    for tag in soup.find_all(_hidden):
        tag.decompose()
    for node in soup.find_all(string=lambda text: isinstance(text, (Comment, CData))):
        node.extract()
    strip_furniture(soup)
    _html_structure(soup)
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    parts = main_parts(soup)  # the article, without the site around it, where the page marks it
    text = _tidy("\n\n".join(part.get_text("") for part in parts) if parts else soup.get_text(""))
    if not title:
        heading = soup.find("h1")
        title = heading.get_text(" ", strip=True) if heading else ""
    return text, _shorten(title) if title else _first_line_title(text, path.stem)


_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
_EDGE_LINES = 3  # a running header or footer is among a page's first or last lines
# A list's bullet as PDF text gives it: the standard fonts' "•" comes out as DEL (U+007F), Word's
# Symbol and Wingdings bullets as private-use code points. At a line's start each is a "•".
_PDF_BULLET = re.compile(r"(?m)^([ \t]*)[\x7f\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf06e\uf0a8\u25cf\u25a0](?=[ \t])")


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()))


_LINE_END_HYPHEN = re.compile(r"\b([^\W\d_]+)-\n([a-z][^\W\d_]*)")
_WORD_OR_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def dehyphenated(text: str) -> str:
    """`text` with the words a typesetter hyphenated at a line's end whole again ("compres-" and
    "sion" -> "compression", the line joined to the next): PDFs of typeset text are full of them,
    and read broken they match no word of a question. A compound the text also writes with its
    hyphen on one line keeps it ("well-" and "known" -> "well-known")."""
    if "-\n" not in text:
        return text
    compounds = {w for w in _WORD_OR_COMPOUND.findall(text.lower()) if "-" in w}

    def join(match: re.Match) -> str:
        left, right = match.group(1), match.group(2)
        return f"{left}-{right}" if f"{left}-{right}".lower() in compounds else left + right

    return _LINE_END_HYPHEN.sub(join, text)


def pdf_text(pages: list[str], title: str = "") -> str:
    """The text of a PDF's pages as one document: ligatures spelled out ("ﬁle" -> "file"), a
    list's bullet glyph as "•", the lines repeated at the top or bottom of most pages (running
    headers and footers, page numbers: digits aside, the same line on half the pages or more, at
    least three, or on both of two) left out, the pages joined by a line break, not a paragraph
    break, since a sentence often runs on over a page's end, the document's `title` (from the
    file's metadata) on one line where it opens the text wrapped over several (`unwrapped_title`),
    words hyphenated at a line's end whole (`dehyphenated`) and titles set off
    (`set_off_headings`)."""
    split = [_PDF_BULLET.sub("\\1\u2022", page.translate(_LIGATURES)).splitlines() for page in pages]
    counts: dict[str, int] = {}
    for lines in split:
        filled = [line for line in lines if line.strip()]
        for key in {_running_key(line) for line in filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]}:
            counts[key] = counts.get(key, 0) + 1
    least = 2 if len(split) == 2 else max(3, len(split) / 2)  # both of two pages; else half, three or more
    running = {key for key, count in counts.items() if len(split) >= 2 and count >= least}
    kept = []
    for lines in split:
        filled = [i for i, line in enumerate(lines) if line.strip()]
        edges = set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])
        kept.append("\n".join(line for i, line in enumerate(lines) if i not in edges or _running_key(line) not in running))
    return set_off_headings(dehyphenated(unwrapped_title("\n".join(page for page in kept if page.strip()), title)))


_TITLE_LINES = 4  # a title is wrapped over at most this many lines


def unwrapped_title(text: str, title: str) -> str:
    """`text` with its first lines on one line where together they spell `title` ("Street
    Lighting and Nest-Box Occupancy of Great" / "Tits in Three Urban Parks"): a title set large
    wraps, and each of its lines would be taken for a heading of its own, the second heading
    the text under it. The title is set off by blank lines, as `set_off_headings` sets off
    the shorter titles it can tell by their look alone."""
    wanted = " ".join(title.split()).casefold()
    if not wanted:
        return text
    lines = text.split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()][:_TITLE_LINES]
    for count in range(2, len(filled) + 1):
        spelled = " ".join(" ".join(lines[i].split()) for i in filled[:count]).casefold()
        if spelled == wanted:
            joined = " ".join(" ".join(lines[i].split()) for i in filled[:count])
            return "\n".join([*lines[: filled[0]], "", joined, "", *lines[filled[count - 1] + 1 :]])
        if not wanted.startswith(spelled):
            break
    return text


def set_off_headings(text: str) -> str:
    """`text` with a blank line above and below each line that stands alone as a title would
    ("2.1 Sampling stations", "Summary"): a sentence of its own (`index.sentences`), short,
    without sentence punctuation, its words capitalised or opened by a section number. A PDF's
    text has no blank lines, and without them no heading is found (`index.headings`)."""
    cuts: list[tuple[int, int]] = []
    for start, end in sentence_spans(text):
        line = text[start:end]
        if ("\n" in line or line[-1] in ".!?,;:|" or not any(c.isalpha() for c in line)
                or not title_like(line) or not alone_on_line(text, start, end)):
            continue
        cuts.append((start, end))
    pieces, cursor = [], 0
    for start, end in cuts:
        pieces += [text[cursor:start].strip(" \n"), text[start:end]]
        cursor = end
    pieces.append(text[cursor:].lstrip(" \n"))
    return "\n\n".join(piece for piece in pieces if piece)


def _read_pdf(path: Path, data: bytes) -> tuple[str, str]:
    import io
    import logging

    from pypdf import PdfReader

    from index.pdf_tables import placed_lines, with_tables

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SkipFile("the PDF is encrypted with a password; save an unencrypted copy")
        pages = [with_tables(placed_lines(page)) for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types on broken files
        raise SkipFile(f"could not parse the PDF ({type(exc).__name__}: {exc})") from None
    text = _tidy(pdf_text(pages, meta_title))
    if not text:
        raise SkipFile("the PDF has no extractable text (a scan? run OCR on it first)")
    title = _shorten(meta_title) if meta_title.strip() else _first_line_title(text, path.stem)
    return text, title


def check_zip_archive(data: bytes, kind: str, member: str) -> None:
    """Refuse a zip-based file (`kind` such as ".docx") that is not a zip, lacks `member`,
    or unpacks to more than 512 MiB (a zip bomb), before any library unpacks it."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > _ZIP_MAX_UNPACKED:
                raise SkipFile(f"the {kind} unpacks to {unpacked >> 20} MiB, which looks like a zip bomb")
            if member not in archive.namelist():
                raise SkipFile(f"not a valid {kind} (no {member} inside)")
    except zipfile.BadZipFile:
        raise SkipFile(f"not a valid {kind} (it is not a zip archive)") from None


_DOCX_HEADING = re.compile(r"(?:heading|überschrift|titre|titolo|título)\s*(\d)", re.I)


def _docx_blocks(document) -> list[str]:
    """A .docx's paragraphs and tables in reading order, with the form the answerer reads in
    Markdown: a paragraph styled "Heading N" as "#" * N, "Title" as "#", an item of a numbered
    list as "1. ", "2. " (Word numbers it; its text does not hold the number), another list
    paragraph as "- ", a table as Markdown rows with a rule under the first, so each row is
    quoted on its own and read with its header."""
    from docx.table import Table

    blocks: list[str] = []
    counters: dict[tuple[str, str], int] = {}  # a numbered list's items so far, by (list, level)
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            rows = markdown_table([" ".join(cell.text.split()) for cell in row.cells] for row in item.rows)
            if rows:
                blocks.append(rows)
            counters.clear()
            continue
        text = item.text
        if not text.strip():
            continue
        style = (item.style.name if item.style is not None else "") or ""
        level = _DOCX_HEADING.match(style)
        listed = _docx_list(document, item)
        list_style = style.lower().startswith("list")
        if level:
            text = "#" * min(6, max(1, int(level.group(1)))) + " " + " ".join(text.split())
        elif style.lower() == "title":
            text = "# " + " ".join(text.split())
        elif listed is not None and listed[2] not in ("bullet", "none"):
            key = (listed[0], listed[1])
            counters[key] = counters.get(key, 0) + 1
            text = f"{counters[key]}. " + text  # Word numbers the item; its text does not hold the number
        elif listed is not None or list_style:
            text = "- " + text
        if listed is None and not list_style:
            counters.clear()  # a list's numbering starts again after other text
        blocks.append(text)
    return blocks


def _docx_list(document, paragraph) -> tuple[str, str, str] | None:
    """(list id, level, number format: "decimal", "bullet", ...) of a list paragraph, from its own
    numbering or its style's (and the styles that one is based on); None for other paragraphs,
    and for a list whose definition cannot be read (its items read as plain paragraphs)."""
    try:
        return _docx_numbering(document, paragraph)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None


def _docx_numbering(document, paragraph) -> tuple[str, str, str] | None:
    numbered = None
    p_pr = paragraph._p.pPr
    if p_pr is not None and p_pr.numPr is not None:
        numbered = p_pr.numPr
    style = paragraph.style
    while numbered is None and style is not None:
        s_pr = style.element.pPr
        if s_pr is not None and s_pr.numPr is not None:
            numbered = s_pr.numPr
        style = style.base_style
    if numbered is None or numbered.numId is None or str(numbered.numId.val) == "0":
        return None  # numId 0: numbering switched off
    num_id = str(numbered.numId.val)
    ilvl = str(numbered.ilvl.val) if numbered.ilvl is not None else "0"
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return num_id, ilvl, "bullet"  # no definitions: no number is invented
    abstract = numbering.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')
    formats = numbering.xpath(f'./w:abstractNum[@w:abstractNumId="{abstract[0]}"]/w:lvl[@w:ilvl="{ilvl}"]/w:numFmt/@w:val') if abstract else []
    return num_id, ilvl, formats[0] if formats else "bullet"


def _read_docx(path: Path, data: bytes) -> tuple[str, str]:
    import io

    check_zip_archive(data, ".docx", "word/document.xml")
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        raise SkipFile(f"could not parse the .docx ({type(exc).__name__}: {exc})") from None
    text = _tidy("\n\n".join(_docx_blocks(document)))
    meta_title = document.core_properties.title or ""
    title = _shorten(meta_title) if meta_title.strip() else _first_line_title(text, path.stem)
    return text, title


_READERS: dict[str, Callable[[Path, bytes], tuple[str, str]]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".markdown": _read_text,
    ".html": _read_html,
    ".htm": _read_html,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
}


def _read_extra(path: Path, data: bytes) -> tuple[str, str]:
    from index.extra_readers import READERS

    return READERS[path.suffix.lower()](path, data)


_READERS.update(dict.fromkeys(EXTRA_SUFFIXES, _read_extra))


def _read_office(path: Path, data: bytes) -> tuple[str, str]:
    from index.office_readers import READERS

    return READERS[path.suffix.lower()](path, data)


_READERS.update(dict.fromkeys(OFFICE_SUFFIXES, _read_office))


def _read_mail(path: Path, data: bytes) -> tuple[str, str]:
    from index.mail import READERS

    return READERS[path.suffix.lower()](path, data)


_READERS.update(dict.fromkeys(MAIL_SUFFIXES, _read_mail))


def _read_captions(path: Path, data: bytes) -> tuple[str, str]:
    from index.captions import read_captions

    return read_captions(path, data)


_READERS.update(dict.fromkeys(CAPTION_SUFFIXES, _read_captions))


def _read_markup(path: Path, data: bytes) -> tuple[str, str]:
    if path.suffix.lower() == ".tex":
        from index.latex import read_latex

        return read_latex(path, data)
    from index.restructured_text import read_rst

    return read_rst(path, data)


_READERS.update(dict.fromkeys(MARKUP_SUFFIXES, _read_markup))


def _read_data(path: Path, data: bytes) -> tuple[str, str]:
    from index.json_readers import READERS

    return READERS[path.suffix.lower()](path, data)


_READERS.update(dict.fromkeys(DATA_SUFFIXES, _read_data))


def _reader_for(name: str) -> Callable[[Path, bytes], tuple[str, str]]:
    suffix = Path(name).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        raise SkipFile(
            f"unsupported file type {suffix or '(no extension)'!r}; supported: "
            + " ".join(SUPPORTED_SUFFIXES)
        )
    return reader


def read_bytes(data: bytes, name: str, source: str, max_bytes: int) -> Document:
    """A document from a file's bytes; `name` decides the reader by its suffix."""
    reader = _reader_for(name)
    if not data:
        raise SkipFile("empty file")
    if len(data) > max_bytes:
        raise SkipFile(
            f"file is {len(data) / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit "
            "(raise RAG_INDEX__MAX_FILE_MB to ingest it)"
        )
    text, title = reader(Path(name), data)
    if not text.strip():
        raise SkipFile("no text in the file")
    return Document(
        id=document_id(source),
        source=source,
        title=title or Path(name).stem,
        date=find_date(text),
        sha256=text_sha256(text),
        text=text,
    )


def read_file(path: Path, max_bytes: int) -> Document:
    """A document from a file on disk, its source being the absolute path."""
    path = path.absolute()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SkipFile(
                f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit "
                "(raise RAG_INDEX__MAX_FILE_MB to ingest it)"
            )
        _reader_for(path.name)
        data = path.read_bytes()
    except OSError as exc:
        raise SkipFile(f"cannot read the file ({exc.strerror or exc})") from None
    return read_bytes(data, path.name, str(path), max_bytes)
