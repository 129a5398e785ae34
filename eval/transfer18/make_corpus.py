"""Build transfer18's corpus: a quarterly review deck (.pptx) with speaker notes and a table.

Run once by hand; the file it writes is committed. It needs python-pptx (the project's
`readers` extra):

    pip install python-pptx
    python eval/transfer18/make_corpus.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"

SLIDES = [
    {"title": "Fernhill Cycles: Q3 2026 review", "subtitle": "Operations team, 14 October 2026",
     "notes": "Presented by Ines Carvalho, head of operations. Questions to ops@fernhill.example."},
    {"title": "Q3 at a glance",
     "bullets": ["Revenue €2.41m, up 9% on Q2", "Bikes sold: 1,870 (Q2: 1,655)", "Repair bookings: 3,120",
                 "Customer rating 4.6 / 5 (Trustpilot)"],
     "notes": "Revenue growth came mostly from e-bikes; the cargo bike line was flat. "
              "The rating is from 812 reviews in the quarter."},
    {"title": "Sales by shop",
     "table": [["Shop", "Bikes sold", "Revenue", "Change on Q2"],
               ["Porto", "720", "€930k", "+12%"],
               ["Braga", "510", "€655k", "+4%"],
               ["Coimbra", "440", "€590k", "+11%"],
               ["Online", "200", "€235k", "+6%"]],
     "notes": "Porto had its best quarter ever, helped by the new service bay that opened on 2 July."},
    {"title": "What went wrong",
     "bullets": ["Supplier delay: Shimano drivetrains arrived 5 weeks late",
                 "Braga was short of two mechanics for most of August",
                 "The booking app was down for 19 hours on 11 September"],
     "notes": "The app outage was caused by an expired TLS certificate. "
              "We have since set up automatic renewal and an alert 30 days before expiry."},
    {"title": "Plans for Q4",
     "bullets": ["Open a fourth shop in Aveiro on 1 December", "Hire three mechanics (two for Braga)",
                 "Launch the winter service package at €49", "Move the booking app to a managed host"],
     "notes": "The Aveiro lease is signed for five years. Fit-out budget €120k."},
    {"title": "Targets for Q4",
     "bullets": ["Revenue: €2.6m", "Bikes sold: 1,950", "Repair bookings: 3,400"],
     "notes": "Targets agreed with the board on 9 October."},
]


def main() -> None:
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    for slide_spec in SLIDES:
        if "subtitle" in slide_spec:
            slide = deck.slides.add_slide(deck.slide_layouts[0])
            slide.shapes.title.text = slide_spec["title"]
            slide.placeholders[1].text = slide_spec["subtitle"]
        elif "table" in slide_spec:
            slide = deck.slides.add_slide(deck.slide_layouts[5])
            slide.shapes.title.text = slide_spec["title"]
            rows = slide_spec["table"]
            shape = slide.shapes.add_table(len(rows), len(rows[0]), Inches(0.5), Inches(1.5), Inches(9), Inches(3))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = value
        else:
            slide = deck.slides.add_slide(deck.slide_layouts[1])
            slide.shapes.title.text = slide_spec["title"]
            body = slide.placeholders[1].text_frame
            body.text = slide_spec["bullets"][0]
            for bullet in slide_spec["bullets"][1:]:
                body.add_paragraph().text = bullet
        slide.notes_slide.notes_text_frame.text = slide_spec["notes"]
    HERE.mkdir(exist_ok=True)
    deck.save(str(HERE / "q3-review.pptx"))


if __name__ == "__main__":
    main()
