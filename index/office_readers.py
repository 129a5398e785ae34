"""Readers for office files beyond Word's: spreadsheets (`.xlsx`), OpenDocument text (`.odt`,
LibreOffice's own format) and Rich Text (`.rtf`, what WordPad and TextEdit save).

Each has the built-in readers' signature, `(path, data) -> (text, title)`; the text is what
gets stored, so chunk and citation offsets point into it exactly. Structure is written the way
the other readers write it, so the answerer reads it the same: headings marked "#", list items
"- " or "3. ", a table's rows as Markdown rows with a rule under the first, a spreadsheet's
rows as a CSV's are ("Room: Elster; Floor: 1", `index.extra_readers.labelled_row`).

`.xlsx` needs openpyxl, `.odt` defusedxml and `.rtf` striprtf, all in the `readers` extra;
`index/readers.py` imports this module only when such a file comes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from itertools import groupby
from pathlib import Path
from typing import Callable

from index.extra_readers import _failed, _looks_like_header, _need, _title, column_names, labelled_row
from index.readers import _tidy, check_zip_archive, markdown_table
from rag.errors import SkipFile

# -- .xlsx ----------------------------------------------------------------------------------


def _cell_text(value, number_format: str = "General") -> str:
    """A cell's value as the sheet shows it, near enough: whole numbers without ".0", a
    percentage format as "12.5%", a date without a midnight time, TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="minutes" if not value.second and not value.microsecond else "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if "%" in (number_format or ""):
            value = value * 100
            return f"{value:.10g}%"
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}" if isinstance(value, float) else str(value)
    return " ".join(str(value).split())


def _sheet_blocks(rows: list[list[str]]) -> list[str]:
    """A sheet's rows as blocks: a row of one cell (a title, a note) as itself; a row of distinct
    names with no number among them as the header that labels the rows under it, until the next
    one-cell row; rows without a header joined by " | " (a header with no rows under it too)."""
    blocks: list[str] = []
    header: list[str] | None = None
    labelled = False

    def unused_header() -> None:
        if header is not None and not labelled:
            blocks.append(" | ".join(header))

    for row in rows:
        while row and not row[-1]:
            row = row[:-1]
        filled = [cell for cell in row if cell]
        if not filled:
            continue
        if len(filled) == 1:
            unused_header()
            header, labelled = None, False
            blocks.append(filled[0])
        elif header is None and _looks_like_header(row):
            header, labelled = row, False
        elif header is not None:
            blocks.append(labelled_row(column_names(header, len(row)), row))
            labelled = True
        else:
            blocks.append(" | ".join(row))
    unused_header()
    return blocks


def read_xlsx(path: Path, data: bytes) -> tuple[str, str]:
    """Each visible sheet under its name ("# Prices"), its rows as a CSV's are, with the values
    the sheet last calculated (formulas are not run again); hidden sheets are left out, as a
    page's hidden text is."""
    check_zip_archive(data, ".xlsx", "xl/workbook.xml")
    openpyxl = _need("openpyxl", ".xlsx")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        parts = []
        for sheet in book.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            # Rows as the file holds them, not padded to the sheet's declared size: a small file
            # declaring "A1:XFD1048576" would otherwise give 16,384 empty cells a row.
            sheet.reset_dimensions()
            rows = [[_cell_text(cell.value, getattr(cell, "number_format", "General")) for cell in row]
                    for row in sheet.iter_rows()]
            blocks = _sheet_blocks(rows)
            if blocks:
                parts.append("\n\n".join([f"# {' '.join(sheet.title.split())}", *blocks]))
        meta_title = book.properties.title if book.properties is not None else ""
        book.close()
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types on broken files
        raise _failed(".xlsx", exc) from None
    text = _tidy("\n\n".join(parts))
    if not text:
        raise SkipFile("no text in the file")
    return text, _title(meta_title, text, path)


# -- .odt -----------------------------------------------------------------------------------

_ODF = {
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def _q(prefix: str, name: str) -> str:
    return f"{{{_ODF[prefix]}}}{name}"


# Not the document's text: tracked deletions, comments, a note's number where it is cited (the
# note's text is read at the end), fields a style hides.
_ODT_SKIPPED = frozenset({
    _q("text", "tracked-changes"), _q("office", "annotation"), _q("office", "annotation-end"),
    _q("text", "note-citation"), _q("text", "hidden-text"), _q("text", "hidden-paragraph"),
    _q("text", "sequence-decls"), _q("text", "variable-decls"), _q("text", "user-field-decls"),
    _q("office", "forms"), _q("table", "shapes"),
})
_MAX_REPEAT = 64  # a repeated cell ("number-columns-repeated=1024") or space is written at most this often


class _OdtText:
    """content.xml walked in document order into Markdown-like blocks."""

    def __init__(self, numbered_styles: set[str], heading_styles: dict[str, int]):
        self.numbered_styles = numbered_styles
        self.heading_styles = heading_styles
        self.blocks: list[str] = []
        self.notes: list[str] = []
        self.counters: dict[str, int] = {}

    def inline(self, element) -> str:
        """An element's text with its spans, links, spaces, tabs and line breaks; a note's body
        goes to the notes, its citation nowhere."""
        parts = [element.text or ""]
        for child in element:
            tag = child.tag
            if tag == _q("text", "s"):
                parts.append(" " * min(int(child.get(_q("text", "c"), "1") or 1), _MAX_REPEAT))
            elif tag == _q("text", "tab"):
                parts.append(" ")
            elif tag == _q("text", "line-break"):
                parts.append("\n")
            elif tag == _q("text", "note"):
                body = child.find(_q("text", "note-body"))
                if body is not None:
                    self.notes.append(" ".join(self.inline(p) for p in body.iter(_q("text", "p"))))
            elif tag not in _ODT_SKIPPED:
                parts.append(self.inline(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def walk(self, element, level: int = 0, style: str = "") -> None:
        for child in element:
            tag = child.tag
            if tag in _ODT_SKIPPED:
                continue
            if tag == _q("text", "h"):
                depth = int(child.get(_q("text", "outline-level"), "1") or 1)
                text = self.inline(child).strip()
                if text:
                    self.blocks.append("#" * max(1, min(depth, 6)) + " " + " ".join(text.split()))
            elif tag == _q("text", "p"):
                depth = self.heading_styles.get(child.get(_q("text", "style-name"), ""))
                self.paragraph(self.inline(child), "#" * depth + " " if depth else "")
            elif tag == _q("text", "list"):
                self.list(child, level, style)
            elif tag == _q("table", "table"):
                self.table(child)
            else:  # sections, frames, text boxes, index bodies: their paragraphs are text
                self.walk(child, level, style)

    def paragraph(self, text: str, marker: str = "") -> None:
        if text.strip():
            self.blocks.append(marker + "\n".join(" ".join(line.split()) for line in text.strip().splitlines()))

    def list(self, element, level: int, style: str) -> None:
        style = element.get(_q("text", "style-name")) or style
        numbered = style in self.numbered_styles
        key = f"{style}/{level}"
        if element.get(_q("text", "continue-numbering")) != "true":
            self.counters[key] = 0
        for item in element:
            if item.tag not in (_q("text", "list-item"), _q("text", "list-header")):
                continue
            start = item.get(_q("text", "start-value"))
            if start and start.isdigit():
                self.counters[key] = int(start) - 1
            self.counters[key] = self.counters.get(key, 0) + 1
            marker = f"{self.counters[key]}. " if numbered else "- "
            first = item.tag == _q("text", "list-item")  # a list header is numbered by nothing
            for part in item:
                if part.tag == _q("text", "list"):
                    self.list(part, level + 1, style)
                elif part.tag in (_q("text", "p"), _q("text", "h")):
                    self.paragraph(self.inline(part), marker if first else "")
                    first = False
                else:
                    self.walk([part], level, style)

    def table(self, element) -> None:
        rows = []
        for row in element.iter(_q("table", "table-row")):
            cells = []
            for cell in row:
                if cell.tag not in (_q("table", "table-cell"), _q("table", "covered-table-cell")):
                    continue
                text = " ".join(" ".join(self.inline(p).split()) for p in cell.iter(_q("text", "p"))).strip()
                repeat = min(int(cell.get(_q("table", "number-columns-repeated"), "1") or 1), _MAX_REPEAT)
                cells += [text] * repeat
            while cells and not cells[-1]:
                cells.pop()
            rows.append(cells)
        width = max((len(cells) for cells in rows), default=0)
        table = markdown_table(cells + [""] * (width - len(cells)) for cells in rows)
        if table:
            self.blocks.append(table)


def _numbered_list_styles(*roots) -> set[str]:
    """The list styles whose first level is numbered (`text:list-level-style-number`)."""
    names = set()
    for root in roots:
        if root is None:
            continue
        for style in root.iter(_q("text", "list-style")):
            first = next(iter(style), None)
            if first is not None and first.tag == _q("text", "list-level-style-number"):
                names.add(style.get(_q("style", "name"), ""))
    return names


_ODT_HEADING_STYLE = re.compile(r"(?:Heading(?:_20_| )(\d)|Title)$")


def _heading_styles(content) -> dict[str, int]:
    """Paragraph styles that make a plain paragraph a heading: "Title" (level 1), "Heading 2"
    (`Heading_20_2`), and the automatic styles derived from them."""
    def level(name: str) -> int | None:
        match = _ODT_HEADING_STYLE.match(name or "")
        return (int(match.group(1)) if match.group(1) else 1) if match else None

    levels = {name: n for name in ("Title", *(f"Heading_20_{d}" for d in range(1, 7))) if (n := level(name))}
    for style in content.iter(_q("style", "style")):
        n = level(style.get(_q("style", "parent-style-name"), ""))
        if n and style.get(_q("style", "family")) == "paragraph":
            levels[style.get(_q("style", "name"), "")] = n
    return levels


def read_odt(path: Path, data: bytes) -> tuple[str, str]:
    """An OpenDocument text in reading order: headings, paragraphs, lists (numbered where their
    style numbers them), tables as Markdown rows, text boxes; footnotes and endnotes numbered
    under "Notes" at the end; tracked deletions, comments and hidden text left out."""
    check_zip_archive(data, ".odt", "content.xml")
    element_tree = _need("defusedxml.ElementTree", ".odt")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            content = element_tree.fromstring(archive.read("content.xml"))
            names = set(archive.namelist())
            styles = element_tree.fromstring(archive.read("styles.xml")) if "styles.xml" in names else None
            meta = element_tree.fromstring(archive.read("meta.xml")) if "meta.xml" in names else None
        body = content.find(f"{_q('office', 'body')}/{_q('office', 'text')}")
        if body is None:
            raise SkipFile("not an OpenDocument text (content.xml has no office:text; a spreadsheet or slides?)")
        reader = _OdtText(_numbered_list_styles(content, styles), _heading_styles(content))
        reader.walk(body)
        meta_title = ""
        if meta is not None:
            title = meta.find(f".//{_q('dc', 'title')}")
            meta_title = (title.text or "") if title is not None else ""
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and expat raise many types on broken files
        raise _failed(".odt", exc) from None
    blocks = reader.blocks
    if reader.notes:
        blocks += ["# Notes", *(f"{n}. {' '.join(note.split())}" for n, note in enumerate(reader.notes, start=1))]
    text = _tidy("\n\n".join(blocks))
    if not text:
        raise SkipFile("no text in the file")
    return text, _title(meta_title, text, path)


# -- .rtf -----------------------------------------------------------------------------------

_RTF_LINE = re.compile(r"(?<!\\)\\line(?![A-Za-z])[ ]?")  # a line break within a paragraph
_RTF_TITLE = re.compile(r"\{\\info\b.*?\{\\title\s+([^{}]*)\}", re.S)
_RTF_ROW = re.compile(r"^(?:[^|\n]*\|){2,}$")  # "Name|Fee|": a table row as striprtf writes it
_RTF_STYLE = re.compile(r"\{\\s(\d+)(?!\d)([^{}]*);\}")  # a stylesheet entry: "{\s1\sbasedon0 ... Heading 1;}"
_RTF_CONTROL = re.compile(r"\\[a-zA-Z]+-?\d* ?|\\'[0-9a-fA-F]{2}")
_RTF_HEADING_NAME = re.compile(r"\s*(?:heading\s*(\d)|(title))\s*$", re.I)
# A paragraph's opening control words, up to its text: "\pard\plain \s1\rtlch\af11 ... \af10"
_RTF_PARAGRAPH = re.compile(r"\\pard(?![a-z])(?:\\[a-z]+-?\d* ?|[\r\n])*")
_RTF_STYLE_USE = re.compile(r"\\s(\d+)(?![\d])")
_RTF_OUTLINE = re.compile(r"\\outlinelevel(\d)")
_RTF_LIST_TEXT = re.compile(r"\{\\(?:listtext|pntext)\b([^{}]*)\}")  # the bullet or number an item shows
_RTF_NUMBER = re.compile(r"^\s*(\(?[0-9A-Za-z]{1,4}[.)])\s*$")


def _rtf_marked(source: str, plain_text: Callable[[str], str]) -> str:
    """`source` with its structure written in as text striprtf keeps: "# " before a paragraph
    in a heading style (or with an outline level), "- " or "3. " for a list item's bullet."""
    levels = {}
    for number, entry in _RTF_STYLE.findall(source[:200_000]):
        match = _RTF_HEADING_NAME.match(_RTF_CONTROL.sub("", entry))
        if match:
            levels[number] = int(match.group(1) or 1)

    def heading(match: re.Match) -> str:
        controls = match.group()
        outline = _RTF_OUTLINE.search(controls)
        style = _RTF_STYLE_USE.search(controls)
        level = int(outline.group(1)) + 1 if outline and int(outline.group(1)) < 9 else levels.get(style.group(1)) if style else None
        return f"{controls}{{{'#' * min(level, 6)} }}" if level else controls  # a group: "\\af10" ends at "{"

    def item(match: re.Match) -> str:
        shown = _RTF_NUMBER.match(plain_text("{\\rtf1 " + match.group(1) + "}"))
        return "{" + (shown.group(1) if shown else "-") + " }"  # a group: "\\ltrpar1." would be a control word

    return _RTF_PARAGRAPH.sub(heading, _RTF_LIST_TEXT.sub(item, source))


def _rtf_tables(text: str) -> str:
    """striprtf's table rows ("Adult|€12|") as Markdown rows (`markdown_table`), a rule under each
    table's first."""
    out: list[str] = []
    for is_row, run in groupby(text.split("\n"), key=lambda line: bool(_RTF_ROW.match(line))):
        if is_row:
            table = markdown_table([cell.strip() for cell in line.split("|")[:-1]] for line in run)
            out.extend(table.split("\n") if table else [])
        else:
            out.extend(run)
    return "\n".join(out)


def read_rtf(path: Path, data: bytes) -> tuple[str, str]:
    """A Rich Text file's text: a paragraph a block, a line break within one kept as a line, a
    table's rows as Markdown rows; its \\info title as the title."""
    source = data.decode("latin-1")  # RTF is 7-bit: other characters come as \\'hh or \\uN escapes
    if not source.lstrip().startswith("{\\rtf"):
        raise SkipFile("not a valid .rtf (it does not start with {\\rtf)")
    striprtf = _need("striprtf.striprtf", ".rtf")
    codepage = re.search(r"\\ansicpg(\d+)", source[:2000])
    encoding = f"cp{codepage.group(1)}" if codepage else "cp1252"
    try:
        "".encode(encoding)
    except LookupError:
        encoding = "cp1252"
    try:
        def plain_text(rtf: str) -> str:
            return striprtf.rtf_to_text(rtf, encoding=encoding, errors="replace")

        plain = plain_text(_rtf_marked(_RTF_LINE.sub(r"\\u8232?", source), plain_text))
    except Exception as exc:  # noqa: BLE001 - a malformed file can fail anywhere in the parser
        raise _failed(".rtf", exc) from None
    blocks = _rtf_tables(plain.replace("\r", "")).split("\n")
    text = _tidy("\n\n".join(blocks).replace("\u2028", "\n").replace("|\n\n|", "|\n|"))
    if not text:
        raise SkipFile("no text in the file")
    title = _RTF_TITLE.search(source[:20000])
    return text, _title(title.group(1) if title else "", text, path)


READERS: dict[str, Callable[[Path, bytes], tuple[str, str]]] = {
    ".xlsx": read_xlsx,
    ".odt": read_odt,
    ".rtf": read_rtf,
}
