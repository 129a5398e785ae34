"""Reading reStructuredText (`.rst`, the markup of Sphinx and Read the Docs) as the page it renders to.

Read as plain text, a Sphinx page's markup gets in the way of every sentence: titles are
underlined with "=====", settings sit in a `list-table` directive's nested bullets, a note is
".. note::" over an indented block, and inline roles wrap words (":doc:`configuration`",
"``--apply``"). Here the page is written out as the Markdown-like text the other readers give:
titles as "#" headings (levels in the order the file first uses each underline style), paragraphs
and list items unwrapped to a line each, admonitions as "Note: ...", version notes as Sphinx
words them ("Deprecated since version 2.3: ..."), definition and field lists as "term: text",
list, CSV, grid and simple tables as Markdown rows, literal and code blocks fenced, and inline
markup as the words it shows. Comments, targets, substitution definitions, tables of contents
and images are left out; a substitution's use is replaced by its text. Only the standard
library is used: nothing is executed and no file is included.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from index.readers import _decode, _shorten, _tidy, markdown_table
from rag.errors import SkipFile

_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{2,}\s*$")  # a line of one punctuation character, 3 or more
_EXPLICIT = re.compile(r"^\.\.(?:\s|$)")
_DIRECTIVE = re.compile(r"^\.\.\s+(?:\|(?P<sub>[^|]+)\|\s+)?(?P<name>[\w:+-]+)::(?:\s+(?P<args>.*))?$")
_SUBSTITUTION = re.compile(r"^\.\.\s+\|(?P<sub>[^|]+)\|\s+(?P<name>[\w:+-]+)::(?:\s+(?P<args>.*))?$")
_FOOTNOTE = re.compile(r"^\.\.\s+\[([^\]]+)\]\s*(.*)$")
_OPTION = re.compile(r"^:[\w -]+:")
_BULLET = re.compile(r"^([*+\-\u2022])\s+(.*)$")
_ENUMERATED = re.compile(r"^(\d+|#|[a-zA-Z]|[ivxlcdm]+|[IVXLCDM]+)([.)])\s+(.*)$|^\((\d+|#|[a-zA-Z])\)\s+(.*)$")
_FIELD = re.compile(r"^:([^:`]+):(?:\s+(.*))?$")
_SIMPLE_BORDER = re.compile(r"^=+(?:\s+=+)+\s*$")
_GRID_BORDER = re.compile(r"^\+(?:[-=]+\+)+\s*$")

ADMONITIONS = {
    "note": "Note", "warning": "Warning", "tip": "Tip", "important": "Important", "caution": "Caution",
    "danger": "Danger", "hint": "Hint", "attention": "Attention", "error": "Error", "seealso": "See also",
    "todo": "To do",
}
VERSION_NOTES = {
    "versionadded": "New in version", "versionchanged": "Changed in version", "deprecated": "Deprecated since version",
    "versionremoved": "Removed in version",
}
# Directives that show nothing a reader would quote (or pull in other files, which are not read).
SILENT = {
    "contents", "toctree", "index", "image", "include", "literalinclude", "raw", "meta", "sectnum",
    "highlight", "default-role", "role", "tabularcolumns", "currentmodule", "module", "automodule",
    "autosummary", "target-notes", "header", "footer", "title", "class", "cssclass", "program", "graphviz",
}
CODE = {"code-block", "code", "sourcecode", "parsed-literal", "math", "doctest", "testcode", "prompt"}


def read_rst(path: Path, data: bytes) -> tuple[str, str]:
    """The page `path` renders to, and its title (its first heading, else the file's name)."""
    source = _decode(data).replace("\r\n", "\n").replace("\r", "\n").expandtabs(8)
    try:
        substitutions = _substitutions(source.split("\n"))
        text = _tidy(_Converter(substitutions).blocks(source.split("\n")))
    except RecursionError:  # blocks nested hundreds deep
        raise SkipFile("could not read the reStructuredText: its blocks are nested too deeply") from None
    heading = re.search(r"^#+ (.+)$", text, re.M)
    return text, _shorten(heading.group(1)) if heading else path.stem


def _substitutions(lines: list[str]) -> dict[str, str]:
    """Each `.. |name| replace:: text` definition (its text unwrapped); other substitutions
    (images, Unicode characters) show as nothing."""
    found = {}
    for i, line in enumerate(lines):
        match = _SUBSTITUTION.match(line.strip())
        if match:
            text = match.group("args") or ""
            for more in lines[i + 1:]:
                if not more.strip() or not more[:1].isspace():
                    break
                text += " " + more.strip()
            found[match.group("sub")] = text.strip() if match.group("name") == "replace" else ""
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """The index after the indented block that opens at `start`: it runs while lines are blank
    or indented more than `indent`."""
    end = start
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > indent):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def _dedent(lines: list[str]) -> list[str]:
    indents = [_indent(line) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return [line[cut:] for line in lines]


class _Converter:
    def __init__(self, substitutions: dict[str, str]) -> None:
        self.substitutions = substitutions
        self.styles: list[tuple[str, bool]] = []  # title underline styles, in the order first used

    # -- blocks ---------------------------------------------------------------------------------

    def blocks(self, lines: list[str]) -> str:
        """`lines` (dedented) as text, one block a paragraph."""
        lines = _dedent(lines)
        out: list[str] = []
        i = 0
        while i < len(lines):
            line = lines[i]
            stripped = line.strip()
            if not stripped:
                i += 1
                continue
            title = self._title(lines, i)
            if title:
                text, style, used = title
                if style not in self.styles:
                    self.styles.append(style)
                out.append("#" * min(self.styles.index(style) + 1, 6) + " " + self.inline(text))
                i += used
                continue
            if _ADORNMENT.match(stripped) and len(stripped) >= 4:  # a transition
                i += 1
                continue
            if _indent(line) > 0:  # a block quote
                end = _block_end(lines, i, 0)
                out.append(self.blocks(lines[i:end]))
                i = end
                continue
            if _EXPLICIT.match(stripped):
                end = _block_end(lines, i + 1, 0)
                out.append(self._explicit(lines[i:end]))
                i = end
                continue
            if _GRID_BORDER.match(stripped):
                end = i
                while end < len(lines) and lines[end].strip()[:1] in ("+", "|"):
                    end += 1
                out.append(markdown_table(self._cells(row) for row in _grid_rows(lines[i:end])))
                i = end
                continue
            if _SIMPLE_BORDER.match(stripped):
                rows, end = _simple_rows(lines, i)
                out.append(markdown_table(self._cells(row) for row in rows))
                i = end
                continue
            item = _BULLET.match(stripped) or _ENUMERATED.match(stripped)
            if item:
                marker, first = _item_parts(item, self._counter(out))
                end = _block_end(lines, i + 1, 0)
                out.append(self._item(marker, [" " * (len(line) - len(first)) + first, *lines[i + 1:end]]))
                i = end
                continue
            field = _FIELD.match(stripped)
            if field:
                end = _block_end(lines, i + 1, 0)
                body = " ".join([field.group(2) or ""] + [more.strip() for more in lines[i + 1:end] if more.strip()])
                out.append(f"{self.inline(field.group(1).strip())}: {self.inline(body.strip())}".rstrip())
                i = end
                continue
            end = i
            while end < len(lines) and lines[end].strip() and _indent(lines[end]) == 0 and not self._title(lines, end):
                end += 1
            if end < len(lines) and lines[end].strip() and _indent(lines[end]) > 0 and end == i + 1:
                # a term with its definition indented under it
                body_end = _block_end(lines, end, 0)
                term = " : ".join(part.strip() for part in stripped.split(" : "))
                out.append(f"{self.inline(term)}: {self._flat(lines[end:body_end])}")
                i = body_end
                continue
            paragraph = " ".join(part.strip() for part in lines[i:end])
            i = end
            if paragraph.endswith("::"):
                head = paragraph[:-2]
                paragraph = head.rstrip() if head.endswith(" ") or not head.strip() else head + ":"  # "Run::" shows "Run:"
                code_end = _block_end(lines, i, 0) if i < len(lines) else i
                start = i
                while start < code_end and not lines[start].strip():
                    start += 1
                if paragraph.strip(": "):
                    out.append(self.inline(paragraph))
                if start < code_end and _indent(lines[start]) > 0:
                    out.append(_fence(lines[start:code_end]))
                    i = code_end
                continue
            out.append(self.inline(paragraph))
        return "\n\n".join(block for block in out if block.strip())

    def _title(self, lines: list[str], i: int) -> tuple[str, tuple[str, bool], int] | None:
        """A section title at `i`: (its text, its style, the lines it takes)."""
        line = lines[i].rstrip()
        over = _ADORNMENT.match(line.strip())
        if over and i + 2 < len(lines) and _indent(line) == 0:
            text, under = lines[i + 1].strip(), lines[i + 2].rstrip()
            if text and under == line and len(line) >= len(text):
                return text, (over.group(1), True), 3
        if not line or _indent(line) > 0 or _ADORNMENT.match(line) or i + 1 >= len(lines):
            return None
        under = lines[i + 1].rstrip()
        match = _ADORNMENT.match(under)
        if match and _indent(under) == 0 and len(under) >= len(line) and (i + 2 >= len(lines) or not lines[i + 2].strip()):
            return line.strip(), (match.group(1), False), 2
        return None

    def _explicit(self, lines: list[str]) -> str:
        """A directive, a footnote, or (left out) a comment, target or substitution definition."""
        first = lines[0].strip()
        footnote = _FOOTNOTE.match(first)
        if footnote:
            return f"[{footnote.group(1)}] {self._flat([footnote.group(2), *lines[1:]])}".strip()
        directive = _DIRECTIVE.match(first)
        if not directive or directive.group("sub"):
            return ""  # a comment, a hyperlink target, a substitution definition (read beforehand)
        name = directive.group("name").lower()
        name = name.split(":")[-1] if name.startswith(("py:", "c:", "cpp:", "js:", "rst:", "std:")) else name
        args = (directive.group("args") or "").strip()
        rest = lines[1:]
        # the argument goes on over lines indented under it until a blank line or an option
        while rest and rest[0].strip() and not _OPTION.match(rest[0].strip()):
            args += " " + rest[0].strip()
            rest = rest[1:]
        options: dict[str, str] = {}
        while rest and _OPTION.match(rest[0].strip()):
            option = rest[0].strip()[1:]
            key, _, value = option.partition(":")
            options[key.strip().lower()] = value.strip()
            rest = rest[1:]
        body = _dedent(rest)
        if name in SILENT:
            return ""
        if name in CODE:
            return _fence(body, options.get("language") or args)
        if name in ADMONITIONS:
            return self._labelled(ADMONITIONS[name], self.blocks([args, "", *body]) if args else self.blocks(body))
        if name == "admonition":
            return self._labelled(self.inline(args) or "Note", self.blocks(body))
        if name in VERSION_NOTES:
            version, _, said = args.partition(" ")
            text = self.blocks([said, "", *body]) if said.strip() else self.blocks(body)
            return self._labelled(f"{VERSION_NOTES[name]} {version}", text or ".")
        if name == "list-table":
            return self._caption(args, markdown_table(self._cells(row) for row in _list_table(body)))
        if name == "csv-table":
            return self._caption(args, markdown_table(self._cells(row) for row in _csv_table(body, options)))
        if name in ("figure", "only", "glossary", "epigraph", "pull-quote", "highlights", "container", "compound",
                    "hlist", "tab", "tabs", "tab-set", "tab-item", "dropdown", "card", "grid-item-card", "line-block"):
            return self.blocks(body) if name != "tab-item" else self._caption(args, self.blocks(body))
        if name in ("rubric", "centered", "topic", "sidebar", "table"):
            return self._caption(args, self.blocks(body))
        # Any other directive (an API description, an extension's own): its argument, then its content.
        return self._caption(args, self.blocks(body))

    def _caption(self, caption: str, body: str) -> str:
        caption = self.inline(caption)
        return f"{caption}\n\n{body}".strip() if caption else body

    @staticmethod
    def _labelled(label: str, text: str) -> str:
        """'Note: ' before the first paragraph of `text` (alone when it opens with a list or table)."""
        if not text:
            return f"{label}."
        if text.startswith(("- ", "| ", "```", "#")) or re.match(r"\d+\. ", text):
            return f"{label}:\n\n{text}"
        return f"{label}: {text}"

    def _item(self, marker: str, lines: list[str]) -> str:
        """A list item: its first paragraph on the marker's line, what follows it indented under it."""
        body = self.blocks(lines)
        first, _, rest = body.partition("\n\n")
        text = f"{marker} {first}"
        if rest:
            text += "\n" + "\n".join("  " + line if line else "" for line in rest.split("\n"))
        return text

    @staticmethod
    def _counter(out: list[str]) -> int:
        """The number an auto-numbered item ("#.") gets: one after the item before it."""
        if out:
            match = re.match(r"(\d+)\. ", out[-1])
            if match:
                return int(match.group(1)) + 1
        return 1

    def _flat(self, lines: list[str]) -> str:
        """An indented block as one line of text."""
        return self.blocks(lines).replace("\n\n", " ").replace("\n", " ").strip()

    def _cells(self, row: list[str]) -> list[str]:
        return [self.inline(" ".join(cell.split())) for cell in row]

    # -- inline ---------------------------------------------------------------------------------

    _INLINE = re.compile(
        r"``(?P<literal>.+?)``(?!\w)"
        r"|:(?P<role>[\w:+.-]+):`(?P<role_text>[^`]+)`"
        r"|`(?P<ref>[^`]+)`(?::[\w:+.-]+:|__?)?"
        r"|\|(?P<sub>[^|\s][^|]*)\|(?:__?)?"
        r"|\s?\[(?:#[\w-]*|\*|\d+)\]_"
        r"|(?<![\w*\\])\*\*(?P<strong>\S(?:.*?\S)?)\*\*(?![\w*])"
        r"|(?<![\w*\\])\*(?P<emphasis>[^\s*](?:[^*]*?[^\s*\\])?)\*(?![\w*])"
        r"|\\(?P<escaped>.)"
    )

    def inline(self, text: str) -> str:
        """`text` as the words its markup shows."""
        def show(match: re.Match) -> str:
            if match.group("literal") is not None:
                return match.group("literal")
            if match.group("role") is not None:
                return _role_text(match.group("role_text"))
            if match.group("ref") is not None:
                return _link_text(match.group("ref"))
            if match.group("sub") is not None:
                return self.substitutions.get(match.group("sub"), match.group(0))
            if match.group("strong") is not None:
                return match.group("strong")
            if match.group("emphasis") is not None:
                return match.group("emphasis")
            if match.group("escaped") is not None:
                return "" if match.group("escaped") == " " else match.group("escaped")
            return ""  # a footnote or citation reference
        return self._INLINE.sub(show, text)


def _role_text(text: str) -> str:
    """What a role shows: the title of ":doc:`Setup <install>`", the last part of ":func:`~a.b`"."""
    text = _link_text(text)
    if text.startswith("!"):
        return text[1:]
    if text.startswith("~"):
        return text[1:].split(".")[-1]
    return text


def _link_text(text: str) -> str:
    link = re.match(r"^(.*?)\s*<[^<>]+>$", text, re.S)
    if link and link.group(1).strip():
        return link.group(1).strip()
    if link:
        return text.strip()[1:-1]
    return text


def _fence(lines: list[str], language: str = "") -> str:
    body = "\n".join(line.rstrip() for line in _dedent(lines)).strip("\n")
    return f"```{language.strip()}\n{body}\n```" if body else ""


def _item_parts(match: re.Match, counter: int) -> tuple[str, str]:
    groups = match.groups()
    if len(groups) == 2:  # a bullet
        return "-", groups[1]
    if groups[0] is not None:
        number, close, text = groups[0], groups[1], groups[2]
    else:
        number, close, text = groups[3], ")", groups[4]
        number = f"({number}"
    if number == "#":
        return f"{counter}.", text
    return (f"{number}." if close == "." else f"{number})"), text


def _list_table(body: list[str]) -> list[list[str]]:
    """A list-table's rows: "* -" opens a row, "  -" each further cell."""
    rows: list[list[str]] = []
    for line in body:
        stripped = line.strip()
        if not stripped:
            continue
        row_start = re.match(r"^[*+-]\s+[*+-]\s+(.*)$", stripped) if _indent(line) == 0 else None
        if row_start:
            rows.append([row_start.group(1)])
        elif _indent(line) == 0 and re.match(r"^[*+-]\s*$", stripped):
            rows.append([])
        elif rows and re.match(r"^[*+-](?:\s+(.*))?$", stripped) and _indent(line) <= 2:
            rows[-1].append(stripped[1:].strip())
        elif rows and rows[-1]:
            rows[-1][-1] += " " + stripped
    return rows


def _csv_table(body: list[str], options: dict[str, str]) -> list[list[str]]:
    rows = []
    if options.get("header"):
        rows.extend(csv.reader([options["header"]], skipinitialspace=True))
    rows.extend(csv.reader([line.strip() for line in body if line.strip()], skipinitialspace=True))
    return rows


def _grid_rows(lines: list[str]) -> list[list[str]]:
    """A grid table's rows, each cell's lines joined (spanning cells are read as their columns)."""
    border = lines[0].rstrip()
    edges = [i for i, ch in enumerate(border) if ch == "+"]
    rows, current = [], None
    for line in lines[1:]:
        if _GRID_BORDER.match(line.strip()):
            if current is not None:
                rows.append(current)
            current = None
            continue
        cells = [line[a + 1:b].strip() if b <= len(line) else line[a + 1:].strip() for a, b in zip(edges, edges[1:])]
        current = cells if current is None else [f"{old} {new}".strip() for old, new in zip(current, cells)]
    if current is not None:
        rows.append(current)
    return rows


def _simple_rows(lines: list[str], start: int) -> tuple[list[list[str]], int]:
    """A simple table's rows (columns from its top border) and the index after it."""
    border = lines[start].rstrip()
    spans = [m.span() for m in re.finditer(r"=+", border)]
    rows: list[list[str]] = []
    borders = 1
    i = start + 1
    while i < len(lines):
        line = lines[i].rstrip()
        if _SIMPLE_BORDER.match(line.strip()) or re.fullmatch(r"[=\s]+", line.strip() or "x"):
            borders += 1
            i += 1
            if borders >= 3 or i >= len(lines) or not lines[i].strip():
                break
            continue
        if not line.strip():
            i += 1
            continue
        if re.fullmatch(r"[-\s]+", line.strip()):  # a column span underline
            i += 1
            continue
        starts = [a for a, _ in spans] + [len(line)]
        cells = [line[a:max(b, a)].strip() for a, b in zip(starts, starts[1:])]
        if rows and not cells[0] and any(cells[1:]):
            rows[-1] = [f"{old} {new}".strip() for old, new in zip(rows[-1], cells)]
        else:
            rows.append(cells)
        i += 1
    return rows, i
