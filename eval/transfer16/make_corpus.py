"""Build transfer16's corpus: a typeset two-column PDF report and a Word handbook.

Run once by hand; the files it writes are committed. It needs reportlab, pyphen and
python-docx (the last is a dependency of the project, the first two are not):

    pip install reportlab pyphen python-docx
    python eval/transfer16/make_corpus.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"

REPORT_TITLE = "Kestrel Bay Harbour Water Quality Programme: Annual Report 2025"

REPORT = [
    ("h1", "Summary"),
    ("p", "In 2025 the programme sampled the water at nine stations around Kestrel Bay harbour every "
          "fortnight from April to October. Of the 126 samples taken, 117 met the bathing-water "
          "standard for Escherichia coli, a compliance rate of 92.9 per cent, up from 88.1 per cent "
          "in 2024. All nine failures came from the three stations along the east quay nearest the "
          "Mill Creek outfall, and seven of them followed rainfall of more than 15 millimetres in "
          "the preceding 24 hours. Dissolved oxygen stayed above 6 mg/L at every station except "
          "Station 7 in late August. The office recommends replacing the storm overflow valve at "
          "Mill Creek, which is budgeted at 240,000 euros in the council's 2026 capital plan."),
    ("h1", "1 Introduction"),
    ("p", "The programme began in 2011, after a summer in which the town's two beaches were closed "
          "for a total of 38 days. It is funded jointly by Kestrel Bay Town Council, which pays 70 "
          "per cent of the cost, and the Southern Regional Water Authority, which pays the rest. "
          "In 2025 the programme cost 86,400 euros, of which laboratory fees made up a little "
          "under half."),
    ("p", "Sampling is done by two field technicians of the council's Environmental Office, Aoife "
          "Brennan and Tomasz Wilk, from the office's survey boat, the Curlew. Laboratory analysis "
          "is carried out under contract by Coastline Analytical in Dunmore, a laboratory "
          "accredited to ISO 17025 for microbiological testing of water. The contract was renewed "
          "in January 2025 for three years."),
    ("h1", "2 Methods"),
    ("h2", "2.1 Sampling stations"),
    ("p", "Station 1 lies at the harbour mouth, between the two breakwaters. Stations 2 to 5 are "
          "spaced along the east quay, with Station 4 directly opposite the Mill Creek outfall. "
          "Stations 6 to 9 are off the west beach, the town's main bathing area, and Station 7 "
          "sits in the shallow lagoon behind the western breakwater."),
    ("table", [["Station", "Location", "Depth at low tide"],
               ["1", "Harbour mouth", "6.5 m"],
               ["2", "East quay, ferry berth", "4.0 m"],
               ["3", "East quay, fish market", "3.2 m"],
               ["4", "East quay, Mill Creek outfall", "2.1 m"],
               ["5", "East quay, boatyard", "2.8 m"],
               ["6", "West beach, north end", "1.9 m"],
               ["7", "West beach lagoon", "0.8 m"],
               ["8", "West beach, lifeguard hut", "1.6 m"],
               ["9", "West beach, south end", "1.7 m"]]),
    ("caption", "Table 1. Sampling stations and their depth at low tide."),
    ("h2", "2.2 Sampling and analysis"),
    ("p", "Samples are taken 30 centimetres below the surface, between 09:00 and 11:00, on a falling "
          "tide where the tide tables allow. Each sample is kept at 4 \u00b0C in a cool box and reaches "
          "the laboratory within six hours. Escherichia coli is counted by membrane filtration, "
          "and results are given in colony-forming units (cfu) per 100 millilitres. A single "
          "result above 500 cfu/100 mL counts as a failure.\u00b9"),
    ("p", "Dissolved oxygen and water temperature are measured on site with a handheld YSI ProDSS "
          "meter, which the technicians calibrate every morning before the boat leaves. Rainfall "
          "figures come from the weather station at Kestrel Point lighthouse, which records "
          "every hour."),
    ("h1", "3 Results"),
    ("h2", "3.1 Bacteria"),
    ("p", "Station 4 failed the standard five times, Station 3 three times and Station 5 once. "
          "The west beach stations had no failures for the second year running. The highest count "
          "of the year, 2,300 cfu/100 mL, was recorded at Station 4 on 12 August, the day after a "
          "thunderstorm brought 31 mm of rain in four hours. The two failures that did not follow "
          "heavy rain were both at Station 3 in July, when the fish market's wash-down drain was "
          "found to be blocked and overflowing onto the quay; the market repaired it on 29 July."),
    ("h2", "3.2 Temperature and dissolved oxygen"),
    ("p", "Water temperature ranged from 9.8 \u00b0C on 8 April to 19.4 \u00b0C on 26 August, the "
          "warmest reading since the programme began. On the same day Station 7 recorded 4.6 mg/L "
          "of dissolved oxygen, below the 5 mg/L that most coastal fish need. The lagoon is shallow "
          "and exchanges little water with the bay at neap tides, so it warms quickly in calm "
          "weather. Readings there had recovered to 7.2 mg/L by the next visit, on 9 September."),
    ("h2", "3.3 Algal bloom"),
    ("p", "A bloom of the dinoflagellate Karenia mikimotoi turned the outer bay a rust-brown colour "
          "from 2 to 9 September. The Sea Fisheries Protection Authority closed the mussel beds "
          "at Carrig Point for eleven days as a precaution. No fish kills were reported, and "
          "bathing was not restricted, since the species is not known to harm swimmers."),
    ("h1", "4 Public information"),
    ("p", "Results are posted within 48 hours on the council's website and on a notice board at "
          "the harbour slipway. In May 2025 the office added a text-message alert service, to "
          "which 412 people had signed up by the end of the season. A swimming advisory was issued "
          "four times during the year, each time for the east quay only, and each was lifted "
          "after two clean results in a row."),
    ("h1", "5 Recommendations"),
    ("li", "1. Replace the storm overflow valve at Mill Creek, which sticks open after heavy rain "
           "(estimated cost 240,000 euros)."),
    ("li", "2. Sample Station 4 all year round rather than from April to October only, so that "
           "winter overflows are measured."),
    ("li", "3. Install a continuous oxygen logger in the lagoon at Station 7."),
    ("li", "4. Survey misconnected drains in the Mill Creek catchment: a dye test in 2024 found 23 "
           "homes whose washing machines drain into the storm sewer rather than the foul sewer."),
    ("footnote", "\u00b9 The limit is the single-sample value the council adopted in 2011; it is "
                 "stricter than the national guideline of 1,000 cfu/100 mL."),
]

HANDBOOK_TITLE = "Larchfield Studio Staff Handbook"

HANDBOOK = [
    ("p", "Version 4, approved by the directors on 2 February 2026. This handbook applies to "
          "everyone employed by Larchfield Design Studio Ltd. Freelancers should read their "
          "contract instead."),
    ("h1", "1. Working hours"),
    ("p", "Core hours are 10:00 to 16:00, Monday to Thursday, when everyone is expected to be "
          "reachable. Outside core hours you choose when to work, provided you complete 37.5 "
          "hours a week. On Fridays the studio closes at 15:00."),
    ("h2", "Working from home"),
    ("p", "Once you have completed your probation period of three months, you may work from home "
          "up to two days a week. Agree the days with your team lead. Requests to work from home "
          "for longer, for example while caring for a relative, go to Priya Natarajan, the "
          "operations manager."),
    ("h1", "2. Leave"),
    ("table", [["Leave", "Entitlement", "Notice"],
               ["Annual leave", "25 days plus public holidays", "Two weeks for three days or more"],
               ["Sick leave", "10 days a year on full pay", "Tell your team lead by 09:30"],
               ["Parental leave", "26 weeks on full pay for the main carer, 6 weeks for the other parent",
                "Eight weeks"],
               ["Volunteering", "2 days a year", "One week"]]),
    ("p", "Up to five days of unused annual leave can be carried over into the next year, but they "
          "must be taken by 31 March. Leave is booked in BambooHR. The studio closes between "
          "Christmas and New Year, and those three days do not count against your annual leave."),
    ("h1", "3. Expenses"),
    ("p", "The studio pays back reasonable costs of doing your job. To claim:"),
    ("num", "Keep the receipt, or a photo of it."),
    ("num", "Submit the claim in Pleo within 30 days of paying."),
    ("num", "Claims over \u00a3200 need a director's approval before you spend the money."),
    ("p", "Travel by standard-class rail. Flights are allowed only where the train would take more "
          "than six hours each way. Driving your own car is paid at 45p a mile. We do not pay for "
          "alcohol, fines or upgrades."),
    ("h1", "4. Equipment"),
    ("p", "Each new starter gets a 14-inch MacBook Pro and a \u00a3150 allowance for a chair, desk "
          "or screen at home. Laptops are replaced every four years, or sooner if repairs would "
          "cost more than half the price of a new one. When you leave, the laptop is returned to "
          "the studio; the things you bought with the home allowance are yours to keep."),
    ("h1", "5. Security"),
    ("bullet", "Use 1Password for every work password; passwords are at least 14 characters long."),
    ("bullet", "Turn on two-factor authentication for Google Workspace, Figma and Pleo."),
    ("bullet", "Report a lost or stolen device to it@larchfield.studio within 24 hours, even at a "
               "weekend."),
    ("bullet", "Client files never go on a personal cloud account or a USB stick."),
    ("h1", "6. Leaving the studio"),
    ("p", "The notice period is one month during your first two years and three months after "
          "that, on both sides. Your last day includes an exit interview with Priya Natarajan. "
          "Unused annual leave is paid in your final salary; leave taken beyond your entitlement "
          "for the year is deducted from it."),
]


def make_report(path: Path) -> None:
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import BaseDocTemplate, Frame, FrameBreak, NextPageTemplate, PageTemplate, Paragraph, Spacer, Table

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Times-Roman", fontSize=10,
                          leading=12.5, alignment=TA_JUSTIFY, hyphenationLang="en_GB",
                          embeddedHyphenation=1, uriWasteReduce=0.3)
    h1 = ParagraphStyle("h1", parent=styles["Heading2"], fontName="Helvetica-Bold", fontSize=12)
    h2 = ParagraphStyle("h2", parent=styles["Heading3"], fontName="Helvetica-Bold", fontSize=10)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10)
    width, height = A4
    margin = 2 * cm
    gap = 0.8 * cm
    column = (width - 2 * margin - gap) / 2

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.drawString(margin, height - 1.2 * cm, "Kestrel Bay Environmental Office")
        canvas.drawRightString(width - margin, height - 1.2 * cm, "Water Quality Annual Report 2025")
        canvas.drawCentredString(width / 2, 1.2 * cm, f"Page {doc.page}")
        canvas.restoreState()

    title_frame = Frame(margin, height - margin - 3 * cm, width - 2 * margin, 3 * cm, id="title")
    first = [title_frame,
             Frame(margin, margin, column, height - 2 * margin - 3 * cm, id="l1"),
             Frame(margin + column + gap, margin, column, height - 2 * margin - 3 * cm, id="r1")]
    later = [Frame(margin, margin, column, height - 2 * margin, id="l"),
             Frame(margin + column + gap, margin, column, height - 2 * margin, id="r")]
    doc = BaseDocTemplate(str(path), pagesize=A4, title=REPORT_TITLE, author="Kestrel Bay Environmental Office",
                          pageTemplates=[PageTemplate("first", first, onPage=furniture),
                                         PageTemplate("later", later, onPage=furniture)])
    story = [Paragraph(REPORT_TITLE, styles["Title"]),
             Paragraph("Prepared by the Kestrel Bay Environmental Office, March 2026", styles["Normal"]),
             NextPageTemplate("later"), FrameBreak()]
    for kind, content in REPORT:
        if kind == "h1":
            story.append(Paragraph(content, h1))
        elif kind == "h2":
            story.append(Paragraph(content, h2))
        elif kind == "table":
            story.append(Table(content, style=[("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                                               ("FONT", (0, 1), (-1, -1), "Helvetica", 8),
                                               ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black")]))
        elif kind == "caption":
            story.append(Paragraph(content, small))
            story.append(Spacer(1, 6))
        elif kind == "footnote":
            story.append(Spacer(1, 12))
            story.append(Paragraph(content, small))
        else:
            story.append(Paragraph(content, body))
    doc.build(story)


def make_handbook(path: Path) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = HANDBOOK_TITLE
    document.add_heading(HANDBOOK_TITLE, level=0)
    for kind, content in HANDBOOK:
        if kind == "h1":
            document.add_heading(content, level=1)
        elif kind == "h2":
            document.add_heading(content, level=2)
        elif kind == "table":
            table = document.add_table(rows=len(content), cols=len(content[0]))
            table.style = "Table Grid"
            for row, values in zip(table.rows, content):
                for cell, value in zip(row.cells, values):
                    cell.text = value
        elif kind == "num":
            document.add_paragraph(content, style="List Number")
        elif kind == "bullet":
            document.add_paragraph(content, style="List Bullet")
        else:
            document.add_paragraph(content)
    document.save(str(path))


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    make_report(HERE / "harbour-report-2025.pdf")
    make_handbook(HERE / "staff-handbook.docx")
