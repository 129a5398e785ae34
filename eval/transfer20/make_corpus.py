"""Build transfer20's corpus: a research paper typeset as a PDF.

Run once by hand; the file it writes is committed. It needs reportlab, which the project
does not depend on:

    pip install reportlab
    python eval/transfer20/make_corpus.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"

TITLE = "Street Lighting and Nest-Box Occupancy of Great Tits in Three Urban Parks"
AUTHORS = "Ines Varga<super>1</super>, Daniel Okafor<super>1,2</super> and Helen Marsh<super>2</super>"
AFFILIATIONS = [
    "<super>1</super> Department of Zoology, University of Fenwick, Fenwick, United Kingdom",
    "<super>2</super> Fenwick Urban Wildlife Trust, Fenwick, United Kingdom",
    "Correspondence: i.varga@fenwick.ac.uk",
]
ABSTRACT = (
    "Artificial light at night is spreading through cities, but its effect on where small birds "
    "choose to breed is poorly known. We put up 180 nest boxes in three urban parks in Fenwick "
    "and measured the light at each box at midnight. Over two breeding seasons (2024 and 2025), "
    "great tits (Parus major) occupied 48 per cent of boxes in the darkest third but only 27 per "
    "cent in the brightest third. Clutches in lit boxes were laid 4.2 days earlier on average, "
    "yet fledged fewer young. Dimming the lamps along one path from midnight to 05:00 in 2025 "
    "raised occupancy on that path from 5 of 20 boxes to 11 of 20. We suggest that part-night "
    "dimming is a cheap way for councils to make parks better for breeding birds."
)
KEYWORDS = "Keywords: light pollution; Parus major; nest boxes; urban ecology; breeding phenology"

BODY = [
    ("h1", "1 Introduction"),
    ("p", "Night-time light from streets and buildings now covers nearly a quarter of the world's "
          "land surface [1]. In birds, light at night has been linked to earlier dawn song, "
          "earlier egg laying and disturbed sleep [2, 3]. Most of this evidence comes from forests "
          "in which lamps were put up for an experiment; in a Dutch forest study, great tits "
          "exposed to white light laid their eggs about 1.5 days earlier than birds in dark "
          "control plots [4]. Whether birds in cities, where lamps have stood for decades, avoid "
          "lit nest sites when they can choose is less clear."),
    ("p", "Great tits readily breed in nest boxes, which makes it possible to offer the same site "
          "under different levels of light. In this study we asked three questions: do great "
          "tits prefer darker boxes, does light change when they lay, and does it change how many "
          "young they raise? We also tested whether dimming lamps for part of the night, a "
          "measure many councils already use to save energy, reverses any effect."),
    ("h1", "2 Methods"),
    ("h2", "2.1 Study sites"),
    ("p", "The study took place in Castle Park (41 ha), Riverside Gardens (18 ha) and Holloway "
          "Common (63 ha), three public parks within 4 km of Fenwick city centre. All three are lit "
          "along their main paths by LED lamps with a colour temperature of 4000 K, installed by "
          "Fenwick City Council in 2019. Holloway Common also has an unlit woodland belt along its "
          "northern edge, which held 22 of its boxes."),
    ("h2", "2.2 Nest boxes and light measurements"),
    ("p", "In January 2024 we fixed 180 woodcrete nest boxes (Schwegler type 1B, entrance hole "
          "32 mm) to trees at a height of 3 m, sixty in each park, at least 25 m apart. Boxes were "
          "placed at distances of 2 to 80 m from the nearest lamp so that light levels spanned a "
          "wide range. We measured illuminance at each box entrance at midnight on a clear, "
          "moonless night with a calibrated lux meter (Konica Minolta T-10A). Readings ranged from "
          "0.01 to 14.6 lux, with a median of 0.9 lux. For analysis, boxes were split into three "
          "equal groups by their reading (dark, intermediate and bright)."),
    ("h2", "2.3 Monitoring"),
    ("p", "Boxes were checked once a week from 1 April to 30 June. A box counted as occupied when "
          "at least one egg was laid in it. For each nest we recorded the date the first egg was "
          "laid, clutch size, the number of chicks that hatched and the number that fledged. "
          "Chicks were ringed at 12 days old under a licence from the British Trust for "
          "Ornithology."),
    ("h2", "2.4 Dimming trial"),
    ("p", "In 2025 the council agreed to dim the 14 lamps along the Long Walk in Castle Park to 30 "
          "per cent of their full output between midnight and 05:00, from 1 March to 30 June. "
          "The twenty boxes on the Long Walk were compared with the twenty boxes on the Lime "
          "Avenue, a similar path in the same park whose lamps were left at full power."),
    ("h2", "2.5 Statistical analysis"),
    ("p", "Occupancy was modelled with a binomial generalised linear mixed model, with light group "
          "and year as fixed effects and park as a random effect. The probability that box i "
          "was occupied was modelled as"),
    ("eq", "logit(p<sub>i</sub>) = \u03b2<sub>0</sub> + \u03b2<sub>1</sub> light<sub>i</sub> + "
           "\u03b2<sub>2</sub> year<sub>i</sub> + u<sub>park</sub>"),
    ("p", "Laying date and the number of fledglings were modelled with linear mixed models. All "
          "analyses were run in R 4.4.1 with the lme4 package [5]."),
    ("h1", "3 Results"),
    ("h2", "3.1 Occupancy"),
    ("p", "Over the two seasons great tits occupied 136 of 360 box-years (38 per cent). Blue tits "
          "took a further 71 box-years, and these were excluded from the analyses of great tits. "
          "Occupancy fell with light: 48 per cent of boxes in the dark group were used, 39 per "
          "cent in the intermediate group and 27 per cent in the bright group (Table 1). The "
          "effect of light on occupancy was significant (odds ratio for bright against dark 0.40, "
          "95% confidence interval 0.24 to 0.67) and did not differ between years."),
    ("table", [["Light group", "Illuminance (lux)", "Occupied", "Mean first egg", "Mean fledged"],
               ["Dark", "< 0.4", "58 of 120 (48%)", "17 April", "7.1"],
               ["Intermediate", "0.4 - 2.5", "46 of 120 (39%)", "14 April", "6.4"],
               ["Bright", "> 2.5", "32 of 120 (27%)", "13 April", "5.2"]]),
    ("caption", "Table 1. Great tit nests by light group, 2024 and 2025 combined."),
    ("h2", "3.2 Laying date and breeding success"),
    ("p", "Females in bright boxes laid their first egg 4.2 days earlier than females in dark "
          "boxes (13 April against 17 April). Clutch size did not differ between groups (mean "
          "8.9 eggs). However, nests in bright boxes fledged 1.9 fewer young on average, mostly "
          "because more chicks died in their second week. Caterpillars, the main food of great "
          "tit chicks, peaked on 3 May in both years, so the early broods in lit boxes hatched "
          "further ahead of the food peak."),
    ("p", "Nine nests were lost to predators, seven of them to great spotted woodpeckers, which "
          "enlarged the entrance holes; the other two were taken by grey squirrels. Predation "
          "did not differ between light groups."),
    ("figure", "Figure 1. Occupancy of the twenty Long Walk boxes and the twenty Lime Avenue boxes "
               "in 2024, before dimming, and 2025, after dimming on the Long Walk."),
    ("h2", "3.3 Dimming"),
    ("p", "On the Long Walk, occupancy rose from 5 of 20 boxes in 2024 to 11 of 20 in 2025, the "
          "first season with dimming. On the Lime Avenue it was 6 of 20 in both years. Midnight "
          "illuminance at the Long Walk boxes fell from a median of 3.1 lux to 0.8 lux during "
          "dimming. The council estimated that dimming the 14 lamps saved 1,150 kWh over the four "
          "months."),
    ("h1", "4 Discussion"),
    ("p", "Great tits in these parks avoided lit boxes, and those that bred under lamps laid "
          "earlier but raised fewer young. The shift in laying date we found is larger than the "
          "1.5 days reported for experimental lamps in forest [4], perhaps because urban birds "
          "are exposed to light all year rather than only in the breeding season. A limitation "
          "of our study is that light was not assigned at random: bright boxes were also closer "
          "to paths, so noise and disturbance from people may explain part of the effect. The "
          "dimming trial, in which only light changed, suggests that light itself matters."),
    ("p", "Part-night dimming costs councils nothing to install where lamps are already "
          "controlled remotely, as in Fenwick, and it saves energy. We recommend that parks with "
          "breeding birds dim path lighting from midnight during the spring months. Future work "
          "should test whether warmer lamp colours, such as 2200 K amber LEDs, have a smaller "
          "effect than the 4000 K lamps studied here."),
    ("h1", "Acknowledgements"),
    ("p", "We thank the park rangers of Fenwick City Council for access and help with ladders, and "
          "the volunteers of the Fenwick Bird Club who checked boxes. The study was funded by the "
          "Fenwick Urban Wildlife Trust (grant FUWT-2023-07) and a small grant of 4,800 pounds "
          "from the British Ecological Society."),
    ("h1", "References"),
    ("ref", "[1] Falchi F, Cinzano P, Duriscoe D, et al. The new world atlas of artificial night sky "
            "brightness. Science Advances 2 (2016) e1600377."),
    ("ref", "[2] Kempenaers B, Borgstrom P, Loes P, et al. Artificial night lighting affects dawn "
            "song, extra-pair siring success, and lay date in songbirds. Current Biology 20 (2010) "
            "1735-1739."),
    ("ref", "[3] Raap T, Pinxten R, Eens M. Light pollution disrupts sleep in free-living animals. "
            "Scientific Reports 5 (2015) 13557."),
    ("ref", "[4] de Jong M, Ouyang JQ, Da Silva A, et al. Effects of nocturnal illumination on "
            "life-history decisions and fitness in two wild songbird species. Philosophical "
            "Transactions of the Royal Society B 370 (2015) 20140128."),
    ("ref", "[5] Bates D, Maechler M, Bolker B, Walker S. Fitting linear mixed-effects models using "
            "lme4. Journal of Statistical Software 67 (2015) 1-48."),
]


def make_paper(path: Path) -> None:
    from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Times-Roman", fontSize=10.5,
                          leading=13, alignment=TA_JUSTIFY)
    centred = ParagraphStyle("centred", parent=body, alignment=TA_CENTER)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5)
    ref = ParagraphStyle("ref", parent=small, leftIndent=14, firstLineIndent=-14)
    h1 = ParagraphStyle("h1", parent=styles["Heading2"], fontName="Times-Bold", fontSize=12)
    h2 = ParagraphStyle("h2", parent=styles["Heading3"], fontName="Times-Bold", fontSize=10.5)
    abstract = ParagraphStyle("abstract", parent=body, leftIndent=1.2 * cm, rightIndent=1.2 * cm, fontSize=9.5,
                              leading=12)
    width, height = A4

    def furniture(canvas, doc):
        canvas.saveState()
        canvas.setFont("Times-Italic", 8)
        canvas.drawString(2.2 * cm, height - 1.3 * cm, "Urban Ecosystems Letters (2026) 14: 211-219")
        canvas.drawRightString(width - 2.2 * cm, 1.2 * cm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(str(path), pagesize=A4, title=TITLE, author="Ines Varga, Daniel Okafor, Helen Marsh",
                            leftMargin=2.2 * cm, rightMargin=2.2 * cm, topMargin=2.2 * cm, bottomMargin=2 * cm)
    story = [Paragraph(TITLE, styles["Title"]), Paragraph(AUTHORS, centred), Spacer(1, 4)]
    story += [Paragraph(a, ParagraphStyle("aff", parent=small, alignment=TA_CENTER)) for a in AFFILIATIONS]
    story += [Spacer(1, 10), Paragraph("<b>Abstract.</b> " + ABSTRACT, abstract), Spacer(1, 4),
              Paragraph(KEYWORDS, abstract), Spacer(1, 8)]
    for kind, content in BODY:
        if kind == "h1":
            story.append(Paragraph(content, h1))
        elif kind == "h2":
            story.append(Paragraph(content, h2))
        elif kind == "table":
            story.append(Spacer(1, 6))
            story.append(Table(content, style=[("FONT", (0, 0), (-1, 0), "Times-Bold", 9),
                                               ("FONT", (0, 1), (-1, -1), "Times-Roman", 9),
                                               ("LINEABOVE", (0, 0), (-1, 0), 0.5, "black"),
                                               ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
                                               ("LINEBELOW", (0, -1), (-1, -1), 0.5, "black")]))
        elif kind in ("caption", "figure"):
            if kind == "figure":
                story.append(Spacer(1, 60))
            story.append(Paragraph(content, small))
            story.append(Spacer(1, 8))
        elif kind == "eq":
            story.append(Paragraph(content + "&nbsp;&nbsp;&nbsp;&nbsp;(1)", centred))
        elif kind == "ref":
            story.append(Paragraph(content, ref))
        else:
            story.append(Paragraph(content, body))
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)


if __name__ == "__main__":
    HERE.mkdir(exist_ok=True)
    make_paper(HERE / "great-tits-street-lighting.pdf")
