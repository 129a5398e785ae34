"""The `.xlsx .odt .rtf` readers (index/office_readers.py): files built here as the programs that
write them do, read through `read_file`, ingested into embedded Chroma with the real model, and
every stored chunk found at its offsets in the stored text."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from index.readers import OFFICE_SUFFIXES, SUPPORTED_SUFFIXES, read_file
from index.store import open_store
from rag.errors import SkipFile
from tests.support.documents import ingest_files, stored_chunks, write, zip_of

LIMIT = 10 * 2**20


def make_xlsx() -> bytes:
    """Two visible sheets and a hidden one: a title row, a header, rows with a formula's cached
    value, a percentage, a date and an empty cell; a sheet with no header."""
    from openpyxl import Workbook

    book = Workbook()
    book.properties.title = "Allotment accounts 2026"
    plots = book.active
    plots.title = "Plots"
    plots.append(["Plot rents for 2026"])
    plots.append(["Plot", "Tenant", "Rent", "Paid on", "Share of total"])
    plots.append(["A1", "Mira Holt", 42, dt.datetime(2026, 3, 14), 0.125])
    plots.append(["A2", None, 38.5, None, 0.11])
    plots["E3"].number_format = "0.0%"
    plots["E4"].number_format = "0%"
    notes = book.create_sheet("Notes")
    notes.append(["The water is turned on in April."])
    notes.append([1, 2, 3])
    notes.append(["Gate opens", dt.time(7, 30)])
    secret = book.create_sheet("Old")
    secret.append(["Nobody should read this sheet."])
    secret.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_OFFICE_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"'
)

ODT_BODY = (
    '<text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>'
    '<text:p text:style-name="P1">Harbour Sailing Club</text:p><text:h text:outline-level="1">Club rules</text:h>'
    '<text:p>Members may bring<text:s text:c="3"/>two guests.<text:note text:id="n1" text:note-class="footnote">'
    "<text:note-citation>1</text:note-citation><text:note-body><text:p>Guests pay the day rate.</text:p></text:note-body>"
    "</text:note> The bar closes at <text:span>11 pm</text:span>.</text:p>"
    '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><text:p>Dogs are welcome.</text:p>'
    "</text:deletion></text:changed-region></text:tracked-changes>"
    "<text:p>Comment here<office:annotation><text:p>Check this with Ann</text:p></office:annotation> ends.</text:p>"
    '<text:h text:outline-level="2">Steps to join</text:h>'
    '<text:list text:style-name="L1"><text:list-item><text:p>Fill in the form</text:p></text:list-item>'
    "<text:list-item><text:p>Pay the fee</text:p><text:list text:style-name=\"L2\"><text:list-item><text:p>by card"
    "</text:p></text:list-item></text:list></text:list-item></text:list>"
    '<text:list text:style-name="L1" text:continue-numbering="true"><text:list-item><text:p>Collect the key</text:p>'
    "</text:list-item></text:list>"
    '<table:table table:name="Fees"><table:table-column table:number-columns-repeated="2"/>'
    "<table:table-header-rows><table:table-row><table:table-cell><text:p>Member</text:p></table:table-cell>"
    "<table:table-cell><text:p>Fee</text:p></table:table-cell></table:table-row></table:table-header-rows>"
    "<table:table-row><table:table-cell><text:p>Adult</text:p></table:table-cell><table:table-cell><text:p>£40</text:p>"
    '</table:table-cell><table:table-cell table:number-columns-repeated="1000"/></table:table-row></table:table>'
    "<text:p>Second line<text:line-break/>of the address</text:p>"
)


def make_odt(body: str = ODT_BODY) -> bytes:
    """An OpenDocument text as LibreOffice lays it out: mimetype first and stored, a numbered
    list style among the automatic styles, a bulleted one in styles.xml, the title in meta.xml."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_OFFICE_NS} office:version="1.3">'
        '<office:automatic-styles><style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>'
        '<text:list-style style:name="L1"><text:list-level-style-number text:level="1" '
        'style:num-format="1"/></text:list-style></office:automatic-styles>'
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {_OFFICE_NS}><office:styles>'
        '<text:list-style style:name="L2"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/>'
        "</text:list-style></office:styles></office:document-styles>"
    )
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {_OFFICE_NS}><office:meta>'
            "<dc:title>Harbour Sailing Club rules</dc:title></office:meta></office:document-meta>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content)
        archive.writestr("styles.xml", styles)
        archive.writestr("meta.xml", meta)
        archive.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


RTF = (  # as LibreOffice and Word write them: heading styles, list items' shown bullets and numbers
    r"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\froman Times New Roman;}}"
    r"{\stylesheet{\s0\snext0 Normal;}{\s1\sbasedon0\snext0\b\fs28 Heading 1;}{\s2\sbasedon0\snext0\b heading 2;}}"
    r"{\info{\title Ferry timetable}{\author Ann}}"
    "\n"
    r"\pard\plain \s1\b\fs28{\loch Winter sailings}\par"
    r"\pard\plain \s70\ltrpar{\listtext\pard\plain  1.\tab}\ilvl0\ls4 \li360{\loch Book ahead}\par"
    r"\pard\plain \s67\ltrpar{\listtext\pard\plain  \u61623\'3f\tab}\ilvl0\ls1 \li360{\loch Bring ID}\par"
    r"\pard\plain \s0\outlinelevel1 Fares\par"
    r"{\pard The caf\'e9 on board opens at 9\~am.\line Dogs travel free.\par}"
    r"\trowd\cellx2000\cellx4000 Route\cell Fare\cell\row"
    r"\trowd\cellx2000\cellx4000 Oban\cell \u8364?12\cell\row"
    r"{\pard Last sailing 18:30.\par}}"
)

def test_the_office_types_are_supported_suffixes():
    assert set(OFFICE_SUFFIXES) == {".xlsx", ".odt", ".rtf"} <= set(SUPPORTED_SUFFIXES)


def test_a_spreadsheets_rows_read_as_a_csvs_under_each_visible_sheets_name(tmp_path):
    """A row quoted alone still says what its numbers are; a value reads as the sheet shows it
    (42 not 42.0, 12.5%, a date without a time); a hidden sheet is not read."""
    document = read_file(write(tmp_path, "accounts.xlsx", make_xlsx()), LIMIT)
    assert document.title == "Allotment accounts 2026"
    assert document.text == (
        "# Plots\n\nPlot rents for 2026\n\n"
        "Plot: A1; Tenant: Mira Holt; Rent: 42; Paid on: 2026-03-14; Share of total: 12.5%\n\n"
        "Plot: A2; Rent: 38.5; Share of total: 11%\n\n"
        "# Notes\n\nThe water is turned on in April.\n\n1 | 2 | 3\n\nGate opens | 07:30"
    )


def test_an_odt_reads_headings_lists_tables_and_notes_as_shown(tmp_path):
    """Headings marked, spaces and line breaks kept, a numbered list numbered (continued where
    its style says), a bulleted one dashed, a table as Markdown rows without its 1,000 empty
    columns, a footnote's text at the end, numbered; tracked deletions and comments left out."""
    document = read_file(write(tmp_path, "rules.odt", make_odt()), LIMIT)
    assert document.title == "Harbour Sailing Club rules"
    assert document.text == (
        "# Harbour Sailing Club\n\n# Club rules\n\nMembers may bring two guests. The bar closes at 11 pm.\n\nComment here ends.\n\n"
        "## Steps to join\n\n1. Fill in the form\n\n2. Pay the fee\n\n- by card\n\n3. Collect the key\n\n"
        "| Member | Fee |\n|---|---|\n| Adult | £40 |\n\nSecond line\nof the address\n\n"
        "# Notes\n\n1. Guests pay the day rate."
    )


def test_an_rtf_reads_headings_lists_line_breaks_tables_and_its_title(tmp_path):
    """striprtf drops paragraph styles and list bullets: a heading style (or an outline level)
    is written in as "#", a list item's shown number or bullet as "1. " or "- "."""
    document = read_file(write(tmp_path, "timetable.rtf", RTF), LIMIT)
    assert document.title == "Ferry timetable"
    assert document.text == (
        "# Winter sailings\n\n1. Book ahead\n\n- Bring ID\n\n## Fares\n\nThe café on board opens at 9 am.\nDogs travel free.\n\n"
        "| Route | Fare |\n|---|---|\n| Oban | €12 |\n\nLast sailing 18:30."
    )

BROKEN = {
    "xlsx-not-zip": ("a.xlsx", b"not a workbook", "not a valid .xlsx (it is not a zip archive)"),
    "xlsx-without-workbook": ("b.xlsx", zip_of({"x.xml": "<x/>"}), "not a valid .xlsx (no xl/workbook.xml inside)"),
    "xlsx-garbled": ("c.xlsx", zip_of({"xl/workbook.xml": "<<<", "[Content_Types].xml": "<<<"}), "could not parse the .xlsx"),
    "odt-not-zip": ("a.odt", b"not a document", "not a valid .odt (it is not a zip archive)"),
    "odt-garbled": ("b.odt", zip_of({"content.xml": "<office:document-content"}), "could not parse the .odt (ParseError"),
    "odt-entity-bomb": ("c.odt", zip_of({"content.xml": '<!DOCTYPE c [<!ENTITY a "aaaa">]><c>&a;</c>'}),
                        "could not parse the .odt (EntitiesForbidden"),
    "odt-spreadsheet": ("d.odt", zip_of({"content.xml": f"<office:document-content {_OFFICE_NS}><office:body>"
                                              "<office:spreadsheet/></office:body></office:document-content>"}),
                        "not an OpenDocument text"),
    "odt-empty": ("e.odt", make_odt("<text:p> </text:p>"), "no text in the file"),
    "rtf-not-rtf": ("a.rtf", b"just some text", "not a valid .rtf (it does not start with {\\rtf)"),
    "rtf-empty": ("b.rtf", rb"{\rtf1\ansi{\fonttbl{\f0 Times;}}}", "no text in the file"),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_broken_files_are_skipped_with_a_reason(tmp_path, kind):
    name, data, reason = BROKEN[kind]
    with pytest.raises(SkipFile) as caught:
        read_file(write(tmp_path, name, data), LIMIT)
    assert reason in str(caught.value)


@pytest.mark.parametrize(("name", "make", "module"), [
    ("accounts.xlsx", make_xlsx, "openpyxl"), ("rules.odt", make_odt, "defusedxml.ElementTree"),
    ("timetable.rtf", lambda: RTF, "striprtf.striprtf"),
])
def test_without_the_extra_the_file_is_skipped_with_the_install_line(tmp_path, monkeypatch, name, make, module):
    path = write(tmp_path, name, make())
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(SkipFile) as caught:
        read_file(path, LIMIT)
    assert str(caught.value).startswith(f"reading {Path(name).suffix} files needs the readers extra: ")


def test_importing_the_readers_loads_no_office_library():
    code = ("import sys, index.readers; print(sorted(m for m in ('openpyxl', 'striprtf', 'index.office_readers') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "[]"


def test_office_files_ingest_with_chunks_at_their_offsets(settings, tmp_path, real_embedder):
    files = {"accounts.xlsx": make_xlsx(), "rules.odt": make_odt(), "timetable.rtf": RTF}
    report = ingest_files(settings, real_embedder, tmp_path / "docs", files)
    assert not report.skipped and len(report.added) == 3
    assert len(stored_chunks(open_store(settings))) == report.chunks >= 3


def test_a_sheet_declaring_a_huge_size_is_read_row_by_row_as_stored(tmp_path, monkeypatch):
    """A workbook may declare "A1:XFD1048576" as its sheet's size; its rows are read as the file
    holds them, not padded to 16,384 cells each."""
    import re

    import index.office_readers as office

    stored = zipfile.ZipFile(io.BytesIO(make_xlsx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in stored.namelist():
            data = stored.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
            archive.writestr(name, data)
    widths = []
    real = office._sheet_blocks
    monkeypatch.setattr(office, "_sheet_blocks", lambda rows: widths.extend(len(row) for row in rows) or real(rows))
    document = read_file(write(tmp_path, "declared.xlsx", out.getvalue()), LIMIT)
    assert "Plot: A1; Tenant: Mira Holt; Rent: 42" in document.text
    assert max(widths) <= 5
