"""Build transfer19's corpus: a club's rules typeset as a single-column PDF of several pages.

Run once by hand; the file it writes is committed. It needs reportlab and pyphen, which the
project does not depend on:

    pip install reportlab pyphen
    python eval/transfer19/make_corpus.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"
TITLE = "Riverside Allotment Society: Plot Holder Rules 2026"

RULES = [
    ("h1", "1. Membership"),
    ("p", "1.1 Plots are let to members of the Society only. Membership runs from 1 April to 31 March "
          "and costs £12 a year, payable with the rent."),
    ("p", "1.2 A member may hold at most two full plots. Applicants who live in the parish of "
          "Riverside are offered plots before those who live outside it."),
    ("p", "1.3 The waiting list is kept by the Membership Secretary, Harriet Osei, who can be "
          "reached at membership@riverside-allotments.example. In January 2026 there were 41 people "
          "on the list, and the average wait was about fourteen months."),
    ("h1", "2. Rent and fees"),
    ("p", "2.1 Rent is due on 1 April each year and must be paid within 28 days. A member who has "
          "not paid by 1 June loses their plot."),
    ("table", [["Plot", "Size", "Rent a year"],
               ["Full plot", "250 square metres", "£64"],
               ["Half plot", "125 square metres", "£36"],
               ["Raised bed", "10 square metres", "£15"]]),
    ("p", "2.2 Members aged over 65, and members receiving Universal Credit, pay half rent. A "
          "deposit of £25 is taken for each key to the main gate and returned when the key is "
          "handed back."),
    ("h1", "3. Cultivation"),
    ("p", "3.1 At least three quarters of each plot must be cultivated for food, and the whole plot "
          "kept free of weeds that could spread to neighbouring plots. The committee inspects every "
          "plot in May, July and September."),
    ("p", "3.2 A member whose plot is found neglected at an inspection receives a written warning "
          "and has 28 days to put it right. After a second warning in the same year the committee may "
          "end the tenancy."),
    ("p", "3.3 The following are not allowed on any plot:"),
    ("bullet", "trees that grow taller than 2.5 metres, other than dwarf fruit trees;"),
    ("bullet", "carpet or underlay, used as a weed suppressant or for any other purpose;"),
    ("bullet", "bonfires between 1 April and 30 September;"),
    ("bullet", "hosepipes left running unattended."),
    ("h1", "4. Buildings and animals"),
    ("p", "4.1 One shed of up to 2.4 by 1.8 metres and one greenhouse of up to 3 by 2.4 metres may "
          "be put up on a full plot without asking; anything larger needs the committee's written "
          "consent. Polytunnels are allowed on full plots only."),
    ("p", "4.2 Members may keep up to six hens on a full plot, but no cockerels. Bees may be kept "
          "only by members who hold the British Beekeepers Association basic certificate, and hives "
          "must stand at least 10 metres from any path."),
    ("h1", "5. Water and waste"),
    ("p", "5.1 Mains water is turned on at the troughs from mid-March to the end of October. Each "
          "plot holder should collect rainwater as well: water butts may be fitted to any shed or "
          "greenhouse."),
    ("p", "5.2 Green waste is composted on the plot or taken to the communal bays by the north gate. "
          "Glass, plastic and treated timber must be taken home. The skip is hired twice a year, in "
          "April and October, and members are told its dates by e-mail."),
    ("h1", "6. Conduct and disputes"),
    ("p", "6.1 Children under 12 must be with an adult at all times. Dogs are allowed on a lead, on "
          "the paths and the member's own plot only."),
    ("p", "6.2 A dispute between members is first taken to the Site Steward, Colin Marsh. If it is "
          "not settled within a month, either member may ask the committee to decide, and its "
          "decision is final."),
    ("p", "6.3 These rules were adopted at the annual general meeting on 14 February 2026 and replace "
          "those of 2019. They can be changed only by a two-thirds majority at a general meeting."),
]


def main() -> None:
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Times-Roman", fontSize=10, leading=12.5,
                          alignment=TA_JUSTIFY, hyphenationLang="en_GB", embeddedHyphenation=1, uriWasteReduce=0.3)
    bullet = ParagraphStyle("bullet", parent=body, leftIndent=14, bulletIndent=4)
    h1 = ParagraphStyle("h1", parent=styles["Heading2"], fontName="Helvetica-Bold", fontSize=11)

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawCentredString(A5[0] / 2, 1 * cm, f"Riverside Allotment Society \u00b7 Rules 2026 \u00b7 page {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(str(HERE / "allotment-rules.pdf"), pagesize=A5, title=TITLE,
                            leftMargin=1.6 * cm, rightMargin=1.6 * cm, topMargin=1.6 * cm, bottomMargin=1.8 * cm)
    story = [Paragraph(TITLE, styles["Title"])]
    for kind, content in RULES:
        if kind == "h1":
            story.append(Paragraph(content, h1))
        elif kind == "bullet":
            story.append(Paragraph(content, bullet, bulletText="\u2022"))
        elif kind == "table":
            story.append(Table(content, style=[("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
                                               ("FONT", (0, 1), (-1, -1), "Helvetica", 9)]))
            story.append(Spacer(1, 6))
        else:
            story.append(Paragraph(content, body))
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    main()
