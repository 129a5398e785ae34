"""Build transfer22's corpus: a theatre company's office files (.xlsx, .odt, .rtf).

Run once by hand; the files it writes are committed. It needs openpyxl and python-docx, and
LibreOffice (`soffice`), which saves the workbook again with its formulas' values (as Excel
does) and turns the Word documents into the OpenDocument text and Rich Text a user would have:

    pip install openpyxl python-docx      # apt-get install libreoffice-writer-nogui libreoffice-calc-nogui
    python eval/transfer22/make_corpus.py
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess  # nosec B404 - runs LibreOffice by hand to build the committed files
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"


def workbook(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.properties.title = "The Lighthouse Keeper's Daughter: production workbook"
    budget = book.active
    budget.title = "Budget"
    budget.append(["Wrenfield Players: The Lighthouse Keeper's Daughter (spring 2026)"])
    budget.append([])
    budget.append(["Item", "Category", "Estimate (£)", "Actual (£)", "Difference (£)"])
    items = [
        ("Venue hire, 4 nights", "Venue", 1800, 1800),
        ("Rights and scripts", "Licensing", 420, 455),
        ("Set timber and paint", "Set", 650, 712),
        ("Lighting hire", "Technical", 380, 340),
        ("Costumes", "Wardrobe", 300, 268),
        ("Programmes (200 copies)", "Publicity", 150, 138),
        ("Posters and flyers", "Publicity", 90, 95),
    ]
    for row, (item, category, estimate, actual) in enumerate(items, start=4):
        budget.append([item, category, estimate, actual, f"=D{row}-C{row}"])
    last = 3 + len(items)
    budget.append(["Total", "", f"=SUM(C4:C{last})", f"=SUM(D4:D{last})", f"=D{last + 1}-C{last + 1}"])
    budget.append([])
    budget.append(["Ticket price £14, concessions £10. Break-even is about 330 full-price tickets."])
    for cell in budget[3]:
        cell.font = Font(bold=True)

    cast = book.create_sheet("Cast and crew")
    cast.append(["Role", "Name", "Rehearsals", "Phone"])
    for row in [
        ("Mara (the daughter)", "Elin Tasker", "Mon, Wed, Sun", "07700 900412"),
        ("Tomas Hale (the keeper)", "Graham Pike", "Mon, Wed", "07700 900871"),
        ("Inspector Crewe", "Dev Raman", "Wed, Sun", "07700 900135"),
        ("Director", "Ruth Okonjo", "All", "07700 900560"),
        ("Stage manager", "Callum Frost", "All", "07700 900298"),
        ("Lighting designer", "Priya Sandhu", "Sun, technical week", "07700 900744"),
    ]:
        cast.append(list(row))

    schedule = book.create_sheet("Schedule")
    schedule.append(["Date", "Start", "What", "Where"])
    for row in [
        (dt.date(2026, 1, 12), dt.time(19, 30), "Read-through", "Church hall"),
        (dt.date(2026, 2, 22), dt.time(14, 0), "Off-book deadline (lines learnt)", "Church hall"),
        (dt.date(2026, 3, 15), dt.time(10, 0), "Get-in and set build", "Wrenfield Arts Centre"),
        (dt.date(2026, 3, 16), dt.time(18, 30), "Dress rehearsal", "Wrenfield Arts Centre"),
        (dt.date(2026, 3, 18), dt.time(19, 30), "Opening night", "Wrenfield Arts Centre"),
        (dt.date(2026, 3, 21), dt.time(14, 30), "Closing matinee", "Wrenfield Arts Centre"),
    ]:
        schedule.append(list(row))
        schedule.cell(schedule.max_row, 1).number_format = "DD/MM/YYYY"
        schedule.cell(schedule.max_row, 2).number_format = "HH:MM"

    old = book.create_sheet("Old budget")
    old.append(["Item", "Estimate (£)"])
    old.append(["Costumes", 520])
    old.append(["Venue hire, 5 nights", 2250])
    old.sheet_state = "hidden"
    book.save(path)


def minutes(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Production meeting minutes, 9 February 2026"
    document.add_heading("Production meeting, 9 February 2026", level=0)
    document.add_paragraph(
        "Present: Ruth Okonjo (director, in the chair), Callum Frost, Priya Sandhu, Elin Tasker, Joan Pryce "
        "(treasurer). Apologies: Graham Pike. Minutes taken by Joan Pryce.")
    document.add_heading("1. Rehearsals", level=1)
    document.add_paragraph(
        "Rehearsals are going well, but Act Two is behind. Ruth asked for an extra Saturday rehearsal on "
        "28 February, from 10:00 to 16:00, for Act Two only. Graham has a family wedding that day, so his "
        "scenes will be rehearsed on 1 March instead.")
    document.add_heading("2. Set", level=1)
    document.add_paragraph(
        "Callum showed the model box. The lighthouse tower will be 3.2 metres tall, built in two sections "
        "so that it fits through the Arts Centre's loading door, which is 2.1 metres high. The revolving "
        "lamp will be a motorised disco light borrowed from Kestrel Youth Theatre.")
    document.add_heading("3. Lighting and sound", level=1)
    document.add_paragraph(
        "Priya has designed 64 lighting cues. The storm in Act Two needs a haze machine; the Arts Centre "
        "allows haze only if the fire alarm is isolated, which their duty technician must do, at a charge "
        "of £45 a night.")
    document.add_heading("4. Money", level=1)
    document.add_paragraph(
        "Joan reported that the set is over budget because timber prices rose, but lighting came in "
        "under. The company's bank balance was £3,912 on 1 February. Advance ticket sales stood at 118.")
    document.add_heading("Actions", level=1)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Action", "Who", "By")):
        cell.text = text
    for action in [
        ("Book the haze charge with the Arts Centre", "Priya Sandhu", "16 February"),
        ("Collect the disco light from Kestrel Youth Theatre", "Callum Frost", "7 March"),
        ("Send the programme text to the printer", "Joan Pryce", "1 March"),
        ("Confirm the Saturday rehearsal with the church hall", "Ruth Okonjo", "13 February"),
    ]:
        cells = table.add_row().cells
        for cell, text in zip(cells, action):
            cell.text = text
    document.add_heading("Next meeting", level=1)
    document.add_paragraph("Monday 2 March 2026 at 19:00, in the church hall's back room.")
    document.save(path)


def letter(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Hire agreement letter"
    for text in [
        "Wrenfield Arts Centre\nMarket Street, Wrenfield WF3 2AL",
        "20 November 2025",
        "Dear Ms Okonjo,",
        "Thank you for booking the Main Studio for your production of The Lighthouse Keeper's Daughter from "
        "15 to 21 March 2026. This letter sets out the terms of the hire.",
        "A deposit of £450 is due by 15 December 2025; the rest of the hire fee is due fourteen days before "
        "the get-in. If you cancel after 1 February, the deposit is not returned.",
        "The studio seats 140. Performances must end by 22:30, and the building must be empty by 23:15. "
        "Your company must hold public liability insurance of at least £5 million and send us a copy of the "
        "certificate before the get-in.",
        "Our box office will sell your tickets for a commission of 8 per cent of the ticket price. Bar takings "
        "stay with the Arts Centre.",
        "If you have any questions, please contact our programming officer, Sunil Mehta, on 01632 960 481 or "
        "at programming@wrenfieldarts.example.",
        "Yours sincerely,\nHelen Carver\nGeneral Manager",
    ]:
        document.add_paragraph(text)
    document.save(path)


def main() -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        raise SystemExit("needs LibreOffice's soffice: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui")
    HERE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        (work / "raw").mkdir()
        workbook(work / "raw" / "production.xlsx")
        minutes(work / "minutes.docx")
        letter(work / "letter.docx")

        def convert(kind: str, source: Path) -> None:
            subprocess.run(  # nosec B603 - soffice from PATH on files this script wrote, no shell
                [soffice, "--headless", "--convert-to", kind, "--outdir", str(HERE), str(source)],
                check=True, capture_output=True, env={"HOME": str(work), "PATH": "/usr/bin:/bin"})

        convert("xlsx", work / "raw" / "production.xlsx")  # saved again by Calc: formulas keep their values
        convert("odt", work / "minutes.docx")
        convert("rtf", work / "letter.docx")
    for path in sorted(HERE.iterdir()):
        print(path)


if __name__ == "__main__":
    main()
