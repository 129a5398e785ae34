"""A PDF's tables as Markdown rows, from where each line of text sits on the page.

pypdf gives a table one cell a line ("Dark" / "< 0.4" / "58 of 120 (48%)" / ...), so a row's
cells were read as separate sentences and no cell was read with its row or its column's name.
Where its text is drawn tells them apart: the cells of one row share a baseline, and the cells
of one column start at about the same place on every row. Lines that pypdf broke apart but that
sit on one baseline, over two rows or more whose cells line up in the same columns, are
written back as the rows of a Markdown table ("| Dark | < 0.4 | 58 of 120 (48%) | ... |", a
rule under the first), set off by blank lines, as the .docx and HTML readers write theirs.
Nothing else on the page moves: prose lines never share a baseline with the next line (a
two-column page draws one column and then the other), and a run of lines that does not line up
stays as it was. pdfTeX draws a table's row as one line already, and its text is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from pypdf import PageObject

_SAME_BASELINE = 1.0  # points: lines this close vertically sit on one baseline
_LEAST_ROWS = 2  # a header and one row, at the least
_SHIFT = 40.0  # points: a cell starting further than this from its column's start is elsewhere


@dataclass(frozen=True)
class PlacedLine:
    """One line of a page's extracted text and where its first character is drawn."""

    text: str
    x: float | None
    y: float | None


def placed_lines(page: "PageObject") -> list[PlacedLine]:
    """The page's text as `extract_text` gives it, a line at a time, each with the position of
    its first drawn piece (None for a line drawn from nothing pypdf placed)."""
    pieces: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Sequence[float], tm: Sequence[float], font: object, size: object) -> None:
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        pieces.append((text, x, y))

    page.extract_text(visitor_text=visit)
    lines: list[PlacedLine] = []
    text, x, y = "", None, None
    for piece, px, py in pieces:
        for k, part in enumerate(piece.split("\n")):
            if k:
                lines.append(PlacedLine(text, x, y))
                text, x, y = "", None, None
            if part.strip() and x is None:
                x, y = px, py
            text += part
    lines.append(PlacedLine(text, x, y))
    return lines


def _rows(lines: Sequence[PlacedLine]) -> list[tuple[int, int, list[PlacedLine]]]:
    """Runs of consecutive non-blank lines on one baseline, two or more: (first index, index
    past the last, the cells left to right)."""
    rows = []
    i = 0
    while i < len(lines):
        if lines[i].y is None or not lines[i].text.strip():
            i += 1
            continue
        cells, j, last = [lines[i]], i + 1, i + 1
        while j < len(lines):
            line = lines[j]
            if not line.text.strip() and line.y is None:
                j += 1
                continue
            if line.y is None or abs(line.y - lines[i].y) > _SAME_BASELINE or line.x <= cells[-1].x:
                break
            cells.append(line)
            j += 1
            last = j
        if len(cells) >= 2:
            rows.append((i, last, cells))
            i = last
        else:
            i += 1
    return rows


def _columns(previous: Sequence[float], cells: Sequence[PlacedLine]) -> list[int] | None:
    """The column of `previous` (cell starts of the row above) each cell falls in: the one whose
    start is nearest; None when two cells fall in one column. A full row whose cells keep the
    columns' spacing but start elsewhere continues the table in the next column of text or on
    the next page ("4 | East quay, Mill Creek outfall | 2.1 m" at the top of the right column)."""
    found = [min(range(len(previous)), key=lambda k: abs(previous[k] - cell.x)) for cell in cells]
    if len(set(found)) == len(found) and all(abs(previous[k] - cell.x) < _SHIFT for k, cell in zip(found, cells)):
        return found
    if len(cells) == len(previous):
        gap = min(b - a for a, b in zip(previous, previous[1:]))
        if all(abs((cell.x - cells[0].x) - (start - previous[0])) < gap / 2 for cell, start in zip(cells, previous)):
            return list(range(len(cells)))
    return None


def _between(lines: Sequence[PlacedLine], start: int, end: int) -> bool:
    """Whether only blank lines lie between two rows."""
    return all(not line.text.strip() for line in lines[start:end])


def with_tables(lines: Sequence[PlacedLine]) -> str:
    """The page's text with each table rebuilt as Markdown rows (`index.readers.markdown_table`)."""
    from index.readers import markdown_table  # index.readers imports this module when it reads a PDF

    rows = _rows(lines)
    out: list[str] = []
    cursor = 0
    k = 0
    while k < len(rows):
        start, end, cells = rows[k]
        starts = [cell.x for cell in cells]
        grid = [[" ".join(cell.text.split()) for cell in cells]]
        last = end
        m = k + 1
        while m < len(rows) and _between(lines, last, rows[m][0]):
            placed = _columns(starts, rows[m][2])
            if placed is None:
                break
            row = [""] * len(starts)
            for column, cell in zip(placed, rows[m][2]):
                row[column] = " ".join(cell.text.split())
            if len(placed) == len(starts):
                starts = [cell.x for cell in rows[m][2]]
            grid.append(row)
            last = rows[m][1]
            m += 1
        if len(grid) >= _LEAST_ROWS:
            out += [line.text for line in lines[cursor:start]]
            out.append(f"\n{markdown_table(grid)}\n")  # a block of its own, as in Markdown
            cursor = last
        k = m
    out += [line.text for line in lines[cursor:]]
    return "\n".join(out)
