"""Readers for the formats beyond the built-in five: `.pptx`, `.epub`, `.csv`, `.tsv`, `.ipynb`.

Each has the built-in readers' signature, `(path, data) -> (text, title)`, and joins its
parts (slides, chapters, rows, cells) with a blank line between them; the joined text is
what gets stored, so chunk and citation offsets point into it exactly by construction.
`index/readers.py` imports this module only when such a file comes, and each reader imports
its library inside itself. Broken files raise `SkipFile` with the reason.

`.pptx` (python-pptx), `.ipynb` (nbformat) and `.epub` (defusedxml, for its XML) need the
`readers` extra; `.csv` and `.tsv` need only the standard library.

Why not LlamaIndex's file readers (`llama-index-readers-file`): every release that works
with our llama-index-core requires `pypdf<7`, and requirements.lock pins pypdf 7.1.1, so the
extra could not be installed with the lock. Its EpubReader needs ebooklib, which is AGPL-3.0
(this project is Apache-2.0); its PptxReader calls `logging.basicConfig(level=INFO)` when
imported. EPUB is read here from its own package document (container.xml, then the OPF
spine), each chapter through the same HTML reader as `.html` files, so hidden text is
dropped there as it is in web pages.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import warnings
import zipfile
from pathlib import Path
from typing import Callable
from urllib.parse import unquote

from index.readers import _decode, _first_line_title, _markdown_title, _read_html, _shorten, _tidy, check_zip_archive, markdown_table
from rag.errors import SkipFile

INSTALL = "pip install 'grounded-rag[readers]' (in a checkout: pip install -c requirements.lock -e '.[readers]')"


def _need(module: str, suffix: str):
    """The extra's library, or a `SkipFile` that says how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise SkipFile(f"reading {suffix} files needs the readers extra: {INSTALL}") from None


def _failed(suffix: str, exc: Exception) -> SkipFile:
    return SkipFile(f"could not parse the {suffix} ({type(exc).__name__}: {exc})")


def _title(meta_title: str | None, text: str, path: Path) -> str:
    meta_title = (meta_title or "").strip()
    return _shorten(meta_title) if meta_title else _first_line_title(text, path.stem)


# -- .pptx ---------------------------------------------------------------------------------


def _shape_lines(shape, title_id: int | None = None) -> list[str]:
    """A shape's text in the form the answerer reads in Markdown: the slide's title as a "#"
    heading (it heads what the slide says: "Bikes sold: 1,950" under "Targets for Q4", not "Q3 at
    a glance"), a text box of several paragraphs as list items (a slide's bullets), a table as
    Markdown rows with a rule under the first (each row read with its header, the header never an
    answer), a group's shapes in order."""
    if getattr(shape, "shapes", None) is not None:  # a group
        return [line for inner in shape.shapes for line in _shape_lines(inner, title_id)]
    if getattr(shape, "has_table", False) and shape.has_table:
        rows = markdown_table([" ".join(cell.text.split()) for cell in row.cells] for row in shape.table.rows)
        return [rows] if rows else []
    if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
        paragraphs = [" ".join(p.text.split()) for p in shape.text_frame.paragraphs if p.text.strip()]
        if title_id is not None and shape.shape_id == title_id:
            return ["# " + " ".join(paragraphs)] if paragraphs else []
        return ["- " + p for p in paragraphs] if len(paragraphs) > 1 else paragraphs
    return []


def read_pptx(path: Path, data: bytes) -> tuple[str, str]:
    """One block a slide: its title as a heading, its shapes' text, then (after a blank line)
    its speaker notes."""
    check_zip_archive(data, ".pptx", "ppt/presentation.xml")
    pptx = _need("pptx", ".pptx")
    try:
        presentation = pptx.Presentation(io.BytesIO(data))
        slides = []
        first_title = ""
        for slide in presentation.slides:
            title = slide.shapes.title
            title_id = title.shape_id if title is not None else None
            lines = [line for shape in slide.shapes for line in _shape_lines(shape, title_id)]
            notes = ""
            if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
                notes = slide.notes_slide.notes_text_frame.text
            if not first_title and title is not None:
                first_title = title.text
            slides.append(_tidy("\n".join(lines) + ("\n\n" + notes if notes.strip() else "")))
        meta_title = presentation.core_properties.title or first_title
    except Exception as exc:  # noqa: BLE001 - python-pptx raises many types on broken files
        raise _failed(".pptx", exc) from None
    text = "\n\n".join(block for block in slides if block)
    return text, _title(meta_title, text, path)


# -- .epub ---------------------------------------------------------------------------------

_HTML_TYPES = ("application/xhtml+xml", "text/html")


def _xml(archive: zipfile.ZipFile, name: str):
    """A member parsed with defusedxml, which refuses entity declarations (entity bombs,
    external entities)."""
    element_tree = _need("defusedxml.ElementTree", ".epub")

    try:
        return element_tree.fromstring(archive.read(name))
    except KeyError:
        raise SkipFile(f"not a valid .epub ({name} is missing)") from None


def read_epub(path: Path, data: bytes) -> tuple[str, str]:
    """One block a chapter, in the spine's reading order (the navigation document left out)."""
    check_zip_archive(data, ".epub", "META-INF/container.xml")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            rootfile = _xml(archive, "META-INF/container.xml").find(".//{*}rootfile")
            if rootfile is None or not rootfile.get("full-path"):
                raise SkipFile("not a valid .epub (container.xml names no package document)")
            opf_name = rootfile.get("full-path")
            package = _xml(archive, opf_name)
            base = posixpath.dirname(opf_name)
            manifest = {item.get("id"): item for item in package.findall(".//{*}item")}
            chapters = []
            for itemref in package.findall(".//{*}itemref"):
                item = manifest.get(itemref.get("idref"))
                if item is None or item.get("media-type") not in _HTML_TYPES:
                    continue
                if "nav" in (item.get("properties") or "").split():
                    continue
                name = posixpath.normpath(posixpath.join(base, unquote(item.get("href", ""))))
                try:
                    chapter = archive.read(name)
                except KeyError:
                    raise SkipFile(f"not a valid .epub (its spine names {name}, which is missing)") from None
                chapters.append(_read_html(Path(name), chapter)[0])
            meta_title = next((node.text for node in package.iter("{http://purl.org/dc/elements/1.1/}title")), "")
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - zipfile and expat raise many types on broken files
        raise _failed(".epub", exc) from None
    text = "\n\n".join(chapter for chapter in chapters if chapter)
    return text, _title(meta_title, text, path)


# -- .csv ----------------------------------------------------------------------------------


_NUMERIC = re.compile(r"[\d\s.,:/%+-]*\d[\d\s.,:/%+-]*")


def _looks_like_header(row: list[str]) -> bool:
    """A first row of distinct, non-empty names with no number among them is a header, whatever
    `csv.Sniffer` says: it judges by type differences between the first row and the rest, and
    misses them where every column holds text ("Name,Team,Office")."""
    cells = [" ".join(cell.split()) for cell in row]
    return all(cells) and len(set(cells)) == len(cells) and not any(_NUMERIC.fullmatch(cell) for cell in cells)


def read_csv(path: Path, data: bytes) -> tuple[str, str]:
    """One block a row. When the first row is a header (as `csv.Sniffer` judges it), each
    value is labelled with its column, `name: value; name: value`, so that a row quoted on its
    own still says what its numbers are; otherwise the cells are joined by ' | '."""
    return _read_rows(path, data, None)


def read_tsv(path: Path, data: bytes) -> tuple[str, str]:
    """A `.tsv` file (tab-separated values, as spreadsheets and databases export them) read as
    `read_csv` reads a CSV file, its cells split at tabs only (a cell may hold commas)."""
    return _read_rows(path, data, csv.excel_tab)


def _read_rows(path: Path, data: bytes, dialect: type[csv.Dialect] | csv.Dialect | None) -> tuple[str, str]:
    text = _decode(data)
    sample = text[:64 * 1024]
    try:
        dialect = dialect or csv.Sniffer().sniff(sample, delimiters=",;\t|")
        has_header = csv.Sniffer().has_header(sample)
    except csv.Error:
        dialect, has_header = dialect or csv.excel, True
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), dialect) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise _failed(path.suffix.lower(), exc) from None
    if not rows:
        raise SkipFile("no text in the file")
    blocks = []
    if (has_header or _looks_like_header(rows[0])) and len(rows) > 1:
        for row in rows[1:]:
            blocks.append(labelled_row(column_names(rows[0], len(row)), row))
    else:
        blocks = [" | ".join(" ".join(value.split()) for value in row) for row in rows]
    return "\n\n".join(blocks), path.stem


def column_names(header: list[str], width: int) -> list[str]:
    """A header row's names for a row `width` cells wide: "column 3" for an empty name and for
    each cell past the header's end."""
    names = [" ".join(name.split()) or f"column {n}" for n, name in enumerate(header, start=1)]
    return names + [f"column {n}" for n in range(len(names) + 1, width + 1)]


def labelled_row(names: list[str], values: list[str]) -> str:
    """A CSV row under its header: "Name: Lena Fischer; Team: Payroll" (`LABELLED_ROW`), empty
    cells left out."""
    return "; ".join(f"{name}: {' '.join(value.split())}" for name, value in zip(names, values) if value.strip())


# -- .ipynb --------------------------------------------------------------------------------


def _outputs(cell) -> list[str]:
    """A code cell's text outputs: printed streams and plain-text results (not images,
    HTML or tracebacks)."""
    out = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            out.append(output.get("text", ""))
        elif output.get("output_type") in ("execute_result", "display_data"):
            out.append(output.get("data", {}).get("text/plain", ""))
    return ["".join(part) if isinstance(part, list) else part for part in out]


def read_ipynb(path: Path, data: bytes) -> tuple[str, str]:
    """One block a cell: Markdown and raw cells' source, code cells' source and text outputs,
    as written (code keeps its indentation)."""
    source = _decode(data)
    nbformat = _need("nbformat", ".ipynb")
    from nbformat.reader import reads
    try:
        # Not validated: Jupyter opens notebooks with small schema faults (a missing cell id),
        # and so do we, reading the cells that are there.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            notebook = nbformat.convert(reads(source), 4)
        blocks = []
        for cell in notebook.get("cells", []):
            parts = [cell.get("source", "")]
            if cell.get("cell_type") == "code":
                parts += _outputs(cell)
            blocks.append("\n".join(part.strip("\n") for part in parts if part.strip()))
    except Exception as exc:  # noqa: BLE001 - nbformat raises many types on broken files
        raise _failed(".ipynb", exc) from None
    text = "\n\n".join(block for block in blocks if block.strip())
    meta_title = str(notebook.get("metadata", {}).get("title", "") or "")
    return text, _shorten(meta_title) if meta_title.strip() else _markdown_title(text, path.stem)


READERS: dict[str, Callable[[Path, bytes], tuple[str, str]]] = {
    ".pptx": read_pptx,
    ".epub": read_epub,
    ".csv": read_csv,
    ".tsv": read_tsv,
    ".ipynb": read_ipynb,
}
