"""Documents built in memory for the reader and upload tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

Line = str | tuple[tuple[float, str], ...]


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _placed(page: list[Line]) -> str:
    """A page's content stream drawing each line, and each cell of a row ((x, text) pairs on one
    baseline), as a text object of its own at its place, ending in a move to the next line, as
    reportlab draws a table's cells."""
    objects = []
    for row, line in enumerate(page):
        y = 720 - 16 * row
        for x, text in ((72, line),) if isinstance(line, str) else line:
            objects.append(f"BT /F1 12 Tf 14 TL 1 0 0 1 {x} {y} Tm ({_escaped(text)}) Tj T* ET")
    return "\n".join(objects)


def make_pdf(lines: list[Line], title: str | None = None, pages: list[list[Line]] | None = None) -> bytes:
    """A minimal valid PDF showing `lines` in Helvetica on one page, or each of `pages` on a page
    of its own. A page holding a row (a tuple of (x, text) cells) has each line and cell drawn
    as a text object of its own (`_placed`)."""
    pages = [lines] if pages is None else pages
    first_page = 4  # objects: catalog, pages, font, then each page and its content stream
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, page in enumerate(pages):
        if any(not isinstance(line, str) for line in page):
            content = _placed(page)
        else:
            content = "BT /F1 12 Tf 72 720 Td " + " 0 -16 Td ".join(f"({_escaped(line)}) Tj" for line in page) + " ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {first_page + 2 * i + 1} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>")
        objects.append(f"<< /Length {len(content)} >>\nstream\n{content}\nendstream")
    objects.append(f"<< /Title ({title or ''}) >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    out.write(trailer.encode())
    return out.getvalue()


def write(folder: Path, name: str, data: bytes | str) -> Path:
    """`data` (text as UTF-8) written to `folder / name`."""
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def zip_of(members: dict[str, bytes | str]) -> bytes:
    """A zip archive holding `members` (name -> content), as a broken office file or e-book."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def stored_chunks(store) -> list[tuple[str, dict]]:
    """Every chunk of `store` as (text, metadata), each checked to be its document's text at its
    offsets."""
    from index.layout import chunk_rows

    texts = {record.id: store.document_text(record.id) for record in store.records()}
    rows = [(text, meta) for _, text, meta in chunk_rows(store.chunks.get(include=["documents", "metadatas"]))]
    for text, meta in rows:
        assert texts[meta["document_id"]][meta["start_char"]:meta["end_char"]] == text
    return rows


def ingest_files(settings, embedder, folder: Path, files: dict[str, bytes | str]):
    """`files` (name -> content) written to `folder` and ingested into `settings`' collection; the
    ingest report."""
    from index.ingest import Ingestor
    from index.store import open_store

    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        write(folder, name, data)
    return Ingestor(open_store(settings, for_writing=True), embedder, settings.index).ingest([folder])
