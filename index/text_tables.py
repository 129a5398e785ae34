"""Tables typed as plain text: a header line over a rule, then a row a line.

Exports and reports print tables without Markdown: columns lined up with spaces under a rule of
dashes ("Day   Time" over "---   ----"), split by bars as a database shell prints them
(" hostname | role" over "----------+------"), or drawn in boxes ("+------+" borders around
"| Adult | £5.40 |"). Read as prose, a timetable was one sentence of 900 characters, and a row
said nothing of what its cells were. A paragraph holding such a rule is split a line a sentence
(`index.sentences`), and each row is read with its columns' names (`row_fields`), as a CSV row
is. No library reads such tables back into cells (they print them), hence this module.
"""

from __future__ import annotations

import re

# A rule: dashes or equals signs, perhaps with "+", "|" or ":" between the columns' runs.
_RULE = re.compile(r"[ \t]*[-=+|:]*[-=]{3,}[-=+|: \t]*")
_RUN = re.compile(r"[-=]{2,}")
# A gap between two cells of a line.
_GAP = re.compile(r"(?<=[^\s.!?:;,])[ ]{3,}(?=\S)|\t+(?=\S)|[ \t]\|[ \t]")
_MAX_LINES = 400  # how far back a row looks for its table's header


def is_rule(line: str) -> bool:
    """Whether `line` is a table's rule: it marks two columns or more ("---   ----",
    "----+----", "+----+----+"), unlike a Markdown thematic break or a title's underline."""
    if not _RULE.fullmatch(line):
        return False
    body = line.strip()
    return "+" in body or "|" in body or len(_RUN.findall(body)) >= 2


def _columned(line: str) -> bool:
    """Whether `line` has three cells or more: two gaps between them at least (three spaces or
    more not after a sentence's end, a tab, or a bar between spaces)."""
    return len(_GAP.findall(line.strip())) >= 2


def table_paragraph(lines: list[str]) -> bool:
    """Whether a paragraph's `lines` hold a text table: a rule under a line with text, or two
    lines or more in columns and at most one other (a chunk may open below the table's rule)."""
    if any(is_rule(line) and any(c.isalnum() for c in lines[at - 1]) for at, line in enumerate(lines) if at):
        return True
    rows = [line for line in lines if line.strip()]
    columned = sum(_columned(line) for line in rows)
    return columned >= 2 and columned >= len(rows) - 1  # "(7 rows)" under a database shell's table


def _line_at(text: str, start: int) -> tuple[int, int]:
    """The span of the whole line holding `start`."""
    begin = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return begin, len(text) if end < 0 else end


def _lines_above(text: str, start: int) -> list[str]:
    """The lines of the paragraph above the line holding `start`, nearest last."""
    lines: list[str] = []
    begin = text.rfind("\n", 0, start) + 1
    while begin > 0 and len(lines) < _MAX_LINES:
        above = text.rfind("\n", 0, begin - 1) + 1
        line = text[above : begin - 1].rstrip("\r")
        if not line.strip():
            break
        lines.append(line)
        begin = above
    return lines[::-1]


def header_of(text: str, start: int) -> tuple[str, str] | None:
    """The header line of the text table whose row holds `start`, and the rule under it (the
    first rule of the table with text above it; in a box, the border under the header), else
    None."""
    above = _lines_above(text, start)
    for at in range(1, len(above)):
        if is_rule(above[at]) and not is_rule(above[at - 1]) and any(c.isalnum() for c in above[at - 1]):
            return above[at - 1], above[at]
    return None


_CELL_BAR = re.compile(r"(?<!\\)\|")  # a bar between cells, not an escaped "\|" inside one


def bar_cells(row: str) -> list[str]:
    """The cells of a row split by bars, a Markdown table's or a database shell's ("| 7 | West
    beach lagoon |", " app-lon-01 | web application")."""
    return [cell.strip().replace("\\|", "|") for cell in _CELL_BAR.split(row.strip().strip("|"))]


def _split_columns(line: str, starts: list[int]) -> list[str]:
    bounds = [*starts[1:], None]
    return [line[begin:end].strip() for begin, end in zip(starts, bounds)]


def columns_of(text: str, start: int) -> str:
    """The header line and rule of the text table whose row holds `start`, as a chunk that opens
    on that row stores them (`index.chunking.chunk_columns`): "header\nrule", else ""."""
    found = header_of(text, start)
    return "\n".join(found) if found and _fields(_row_at(text, start), *found) else ""


def row_fields(text: str, start: int, columns: str = "") -> tuple[list[str], list[str]] | None:
    """The columns' names and the row's cells for the text table row on the line holding
    `start` ("Day", "Time", ... and "Monday", "06:30 - 08:30", ...), else None: no header above
    it (nor `columns`, where the passage opens inside the table: `columns_of`), or the row does
    not line up with it."""
    found = header_of(text, start)
    if found is None and columns.count("\n") == 1 and is_rule(columns.split("\n")[1]):
        header, rule = columns.split("\n")
        found = (header, rule)
    return _fields(_row_at(text, start), *found) if found else None


def _row_at(text: str, start: int) -> str:
    line_start, line_end = _line_at(text, start)
    return text[line_start:line_end].rstrip("\r")


def _fields(row: str, header: str, rule: str) -> tuple[list[str], list[str]] | None:
    """`row`'s cells under `header`'s names, split by bars or at the columns `rule` marks."""
    if is_rule(row) or not any(c.isalnum() for c in row) or row == header:
        return None
    if "|" in header.strip().strip("|"):
        if "|" not in row:
            return None  # "(7 rows)" under a database shell's table
        names, cells = bar_cells(header), bar_cells(row)
    else:
        starts = [match.start() for match in _RUN.finditer(rule.expandtabs(8))]
        if len(starts) < 2:
            return None
        names, cells = _split_columns(header.expandtabs(8), starts), _split_columns(row.expandtabs(8), starts)
    if len(names) != len(cells) or len(names) < 2 or not all(names):
        return None
    return [name.replace("_", " ") for name in names], cells  # "ram_gb" is asked for as "RAM"
