"""Build transfer21's corpus: a short local-history book as an EPUB 3 e-book.

Run once by hand; the file it writes is committed. It needs only the standard library:

    python eval/transfer21/make_corpus.py

The book is written the way e-book tools write theirs: a title page, a copyright page, a
dedication, a navigation document, chapters with a number over a title, a drop capital, soft
hyphens in long words, non-breaking spaces in dates, page-break markers, note references that
link to endnotes at the back, an epigraph, verse with line breaks, a table of vessels, a glossary
as a definition list, and a page about the author.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "corpus"
BOOK = "crossing-the-sound.epub"
TITLE = "Crossing the Sound: The Carrick Ferry, 1868\u20131994"
AUTHOR = "Morag Lindsay"
SHY = "&#173;"
NBSP = "&#160;"


def note(number: int) -> str:
    return f'<sup><a epub:type="noteref" href="notes.xhtml#note{number}" id="ref{number}">{number}</a></sup>'


def pagebreak(number: int) -> str:
    return f'<span epub:type="pagebreak" id="page{number}" title="{number}" role="doc-pagebreak"></span>'


CHAPTERS = {
    "title.xhtml": ("Title page", """
<section epub:type="titlepage" class="titlepage">
  <h1 class="title">Crossing the Sound</h1>
  <p class="subtitle">The Carrick Ferry, 1868\u20131994</p>
  <p class="author">Morag Lindsay</p>
  <p class="publisher">Saltire Shore Press \u00b7 Oban</p>
</section>"""),
    "copyright.xhtml": ("Copyright", """
<section epub:type="copyright-page" class="copyright">
  <p>First published in 2025 by Saltire Shore Press, 12 Quay Street, Oban PA34 5AA.</p>
  <p>Text \u00a9 Morag Lindsay 2025. This e-book is shared under the Creative Commons
  Attribution-NonCommercial 4.0 licence.</p>
  <p>ISBN 978-1-7394520-3-8 (EPUB)<br/>ISBN 978-1-7394520-2-1 (paperback)</p>
  <p>Cover photograph: the <i>Tarran Maid</i> leaving Carrick pier, about 1935, by kind permission
  of the Tarran Heritage Centre.</p>
  <p>Typeset in Linux Libertine. Printed and bound by Kestrel Print, Paisley.</p>
</section>"""),
    "dedication.xhtml": ("Dedication", """
<section epub:type="dedication" class="dedication">
  <p><i>For my grandfather, Hector Lindsay, deckhand on the</i> Loch Carrick<i>, 1961\u20131994</i></p>
</section>"""),
    "preface.xhtml": ("Preface", f"""
<section epub:type="preface">
  <h1>Preface</h1>
  <p>This book began as a talk I gave to the Tarran Historical Society in the winter of 2019. Several
  people who came that evening had worked on the ferry, and their memories, recorded over the next
  three years, are the backbone of the chapters that follow. Where they disagree with the written
  record I have said so.</p>
  <p>Money is given as it was at the time: before 1971 a pound was twenty shillings (s) and a
  shilling twelve pence (d). Distances are in statute miles, as the ferry company gave them.</p>
  <p class="signature">M.{NBSP}L., Port Tarran, March 2025</p>
</section>"""),
    "chapter1.xhtml": ("Before the Ferry", f"""
<section epub:type="chapter">
  <h1 class="chapter-number">Chapter One</h1>
  <h2 class="chapter-title">Before the Ferry</h2>
  <blockquote class="epigraph">
    <p>The Sound is narrow, but it is never the same water twice.</p>
    <p class="attribution">\u2014 Tarran saying</p>
  </blockquote>
  <p class="first"><span class="dropcap">T</span>he Sound of Carrick is 2.4 miles wide at its
  narrowest point, between the mainland village of Carrick and Port Tarran on the Isle of Tarran.
  For centuries the only way across was by rowing boat. A boatman would take passengers for a penny
  each in fair weather and for whatever he could get in foul, and cattle were swum across behind the
  boats at low water each autumn on their way to the Falkirk trysts.</p>
  <p>The best known of the boatmen was Ewan MacPhail, who is said to have made the crossing more than
  nine thousand times between 1820 and 1861. He kept no record, and the number may owe more to his
  neighbours' admiration than to arithmetic.{note(1)} His boat, the <i>Curlew</i>, was a
  four-oared yawl of the kind still seen at regattas on the west coast.</p>
  {pagebreak(4)}
  <p>By the 1860s the island's population had grown to nearly 1,900, and the slate quarries at
  Ardbeg were sending their stone to Glasgow by sea. A regular steam crossing was talked of in every
  public house on both shores, but nobody with money would risk it until the quarry owners put
  theirs forward.</p>
  <p>A verse that islanders sang at the time gives their view of the rowing boats:</p>
  <div class="verse">
    <p>Ewan's oars are strong and true,<br/>
    But Ewan's boat lets in the blue;<br/>
    Bring us steam and bring us coal,<br/>
    And spare the Sound another soul.</p>
  </div>
</section>"""),
    "chapter2.xhtml": ("The Paddle Steamer Years", f"""
<section epub:type="chapter">
  <h1 class="chapter-number">Chapter Two</h1>
  <h2 class="chapter-title">The Paddle Steamer Years</h2>
  <p class="first"><span class="dropcap">O</span>n 14{NBSP}March 1868 the Carrick Steam Packet
  Company was formed at a meeting in the Royal Hotel, Oban.{note(2)} Its chairman was the Glasgow
  slate merchant Duncan Rae, who put up half of the company's capital of \u00a36,000. The company's
  first vessel, the paddle steamer <i>Morven</i>, was built by Caird &amp; Company at Greenock at a cost
  of \u00a33,400 and made her first crossing on 1{NBSP}August 1868.</p>
  <p>The <i>Morven</i> could carry 120 passengers and a small amount of cargo on her open deck. The
  crossing took twenty-five minutes in calm water, and she made six return trips a day in summer and
  four in winter. The fare was threepence for a foot passenger, doubled on Sundays.{note(3)}</p>
  {pagebreak(9)}
  <p>Her career was short. In the great gale of 27{NBSP}January 1884 the <i>Morven</i> broke her
  moorings at Carrick pier and was driven onto the Skerries, a reef at the mouth of the Sound. No one
  was aboard, but the ship was a total loss, and for fourteen months the island was served once more
  by rowing boats and a hired steam launch.</p>
  <p>Her replacement, the <i>Isla Bell</i>, arrived in March 1885. She was larger and, thanks to a
  compound engine, more economical. She served the Sound for forty-six years and became so much a
  part of island life that children on Tarran were said to tell the time by her whistle. The ferry
  carried its heaviest traffic during the First World War, when the Admiralty kept a coaling station
  at Port Tarran.</p>
  <p>\u201cShe was a lovely old thing, but she rolled like a barrel,\u201d remembered Jessie Buchanan,
  who crossed on her as a girl in the 1920s. \u201cMy mother would never sit inside. She said the
  smell of the engine was worse than the sea.\u201d</p>
</section>"""),
    "chapter3.xhtml": ("Cars on the Sound", f"""
<section epub:type="chapter">
  <h1 class="chapter-number">Chapter Three</h1>
  <h2 class="chapter-title">Cars on the Sound</h2>
  <p class="first"><span class="dropcap">T</span>he first motor car reached Tarran in 1912,
  lashed across two rowing boats, and for the next two decades cars crossed the same way or not at
  all. By 1929 there were forty-one cars on the island and the county council agreed to lengthen
  Carrick pier so that a vehicle ferry could berth at any state of the tide. The work, which added
  sixty feet to the pier, cost \u00a311,200 and was finished in May 1930.</p>
  <p>The <i>Tarran Maid</i>, the company's first car ferry, entered service on 6{NBSP}April 1931.
  She carried six cars on a turn{SHY}table on her deck, which the crew turned by hand so that cars
  could drive on and off over the side. Her master for most of her career was Captain Neil Gillies,
  who had served as mate on the <i>Isla Bell</i>.</p>
  <p>The turntable was a source of pride and of anxiety. In 1938 a grocer's van rolled off it into
  the harbour at Port Tarran; the driver, who had forgotten his hand{SHY}brake, swam ashore, and the
  van was recovered by the coal puffer <i>Gleniffer</i> the following day.</p>
  {pagebreak(17)}
  <p>\u201cYou could set your watch by the Maid,\u201d said Peggy Shaw, who worked in the ticket
  office at Carrick from 1952 to 1989. \u201cIn thirty-seven years I saw her late twice, and both
  times it was fog.\u201d</p>
  <p>In the 1950s the ferry company began to lose money as lorries grew heavier than the
  <i>Tarran Maid</i> could carry. The company was taken over by the state-owned Caledonian Steam
  Packet Company in 1957, and three years later the <i>Tarran Maid</i> was withdrawn and broken up
  at Troon.</p>
</section>"""),
    "chapter4.xhtml": ("The Last Crossings", f"""
<section epub:type="chapter">
  <h1 class="chapter-number">Chapter Four</h1>
  <h2 class="chapter-title">The Last Crossings</h2>
  <p class="first"><span class="dropcap">T</span>he <i>Loch Carrick</i>, a bow-loading motor
  vessel built at Ailsa's yard in Troon, took over the crossing in June 1960. She carried
  twenty-four cars or two lorries and 300 passengers, and cut the crossing to twelve minutes. Over
  thirty-four years she is reckoned to have made more than 250,000 crossings, and she never missed a
  day for anything but weather.</p>
  <p>Talk of a bridge began in the 1970s. The Tarran Bridge, a cable-stayed bridge 1.3 kilometres
  long, was built between 1991 and 1994 at a cost of \u00a328 million, most of it paid by the
  Scottish Office.{note(4)} It opened to traffic on 1{NBSP}July 1994.</p>
  {pagebreak(23)}
  <p>The ferry's last sailing was on the evening of 2{NBSP}July 1994. Captain Alasdair Munro took the
  <i>Loch Carrick</i> across the Sound with 280 passengers aboard, most of them former crew, ticket
  clerks and their families, while some three thousand people watched from the new bridge above.
  The piper on the foredeck played <i>The Road to the Isles</i>.</p>
  <p>The <i>Loch Carrick</i> was sold later that year to an operator in western Norway and renamed
  <i>Fjordlys</i>. Carrick pier is now used by fishing boats and by the summer excursion launch to
  the seal colony on the Skerries. The old ticket office at Carrick has been, since 2003, the home of
  the Tarran Heritage Centre, where the <i>Morven</i>'s bell, recovered by divers in 1977, hangs by
  the door.</p>
</section>"""),
    "appendix.xhtml": ("Appendix: The Ferries", """
<section epub:type="appendix">
  <h1>Appendix: The Ferries</h1>
  <table>
    <caption>Vessels of the Carrick crossing</caption>
    <thead>
      <tr><th>Vessel</th><th>In service</th><th>Builder</th><th>Capacity</th></tr>
    </thead>
    <tbody>
      <tr><td><i>Morven</i></td><td>1868\u20131884</td><td>Caird &amp; Company, Greenock</td><td>120 passengers</td></tr>
      <tr><td><i>Isla Bell</i></td><td>1885\u20131931</td><td>J. &amp; G. Thomson, Clydebank</td><td>210 passengers</td></tr>
      <tr><td><i>Tarran Maid</i></td><td>1931\u20131960</td><td>Denny, Dumbarton</td><td>6 cars, 150 passengers</td></tr>
      <tr><td><i>Loch Carrick</i></td><td>1960\u20131994</td><td>Ailsa, Troon</td><td>24 cars, 300 passengers</td></tr>
    </tbody>
  </table>
  <h2>Glossary</h2>
  <dl>
    <dt>Linkspan</dt>
    <dd>A hinged bridge that joins a ferry's ramp to the shore and rises and falls with the tide.</dd>
    <dt>Puffer</dt>
    <dd>A small steam cargo boat of the Clyde and the west coast, flat-bottomed so that it could
    unload on a beach.</dd>
    <dt>Tryst</dt>
    <dd>A cattle market; the Falkirk trysts drew drovers from all over the Highlands.</dd>
  </dl>
</section>"""),
    "notes.xhtml": ("Notes", """
<section epub:type="endnotes">
  <h1>Notes</h1>
  <ol>
    <li id="note1"><p>The figure comes from MacPhail's obituary in the <i>Oban Times</i>, 9 November
    1861. <a epub:type="backlink" href="chapter1.xhtml#ref1">\u21a9</a></p></li>
    <li id="note2"><p>Minutes of the first meeting of the Carrick Steam Packet Company, held in the
    Argyll and Bute Archives, Lochgilphead. <a epub:type="backlink" href="chapter2.xhtml#ref2">\u21a9</a></p></li>
    <li id="note3"><p>The Sunday fare was doubled at the insistence of the Free Church minister at
    Port Tarran, who hoped it would keep people at home; it was dropped in 1902.
    <a epub:type="backlink" href="chapter2.xhtml#ref3">\u21a9</a></p></li>
    <li id="note4"><p>The remainder, about \u00a34 million, came from the European Regional Development
    Fund. <a epub:type="backlink" href="chapter4.xhtml#ref4">\u21a9</a></p></li>
  </ol>
</section>"""),
    "author.xhtml": ("About the Author", """
<section epub:type="appendix">
  <h1>About the Author</h1>
  <p>Morag Lindsay was born in Port Tarran in 1958 and taught history at Oban High School for
  thirty years. She is secretary of the Tarran Historical Society. Her first book,
  <i>The Slate Islands</i>, was published in 2016.</p>
</section>"""),
}

NAV = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en">
<head><title>Contents</title></head>
<body>
<nav epub:type="toc" id="toc"><h1>Contents</h1>
<ol>
{items}
</ol>
</nav>
</body>
</html>
"""

PAGE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en">
<head><title>{title}</title><link rel="stylesheet" type="text/css" href="style.css"/></head>
<body>{body}
</body>
</html>
"""

CSS = """body { font-family: serif; }
.dropcap { float: left; font-size: 3em; line-height: 0.8; }
.chapter-number { font-variant: small-caps; font-size: 1em; }
.verse p { margin-left: 2em; }
"""

CONTAINER = """<?xml version="1.0" encoding="utf-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""


def package() -> str:
    manifest = ['<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>',
                '<item id="css" href="style.css" media-type="text/css"/>']
    spine = ['<itemref idref="title"/>', '<itemref idref="copyright"/>', '<itemref idref="dedication"/>',
             '<itemref idref="nav"/>']
    for name in CHAPTERS:
        ident = name.removesuffix(".xhtml")
        manifest.append(f'<item id="{ident}" href="{name}" media-type="application/xhtml+xml"/>')
        if ident not in ("title", "copyright", "dedication"):
            spine.append(f'<itemref idref="{ident}"/>')
    return f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="bookid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="bookid">urn:isbn:9781739452038</dc:identifier>
    <dc:title>{TITLE}</dc:title>
    <dc:creator>{AUTHOR}</dc:creator>
    <dc:language>en</dc:language>
    <dc:publisher>Saltire Shore Press</dc:publisher>
    <meta property="dcterms:modified">2025-03-20T10:00:00Z</meta>
  </metadata>
  <manifest>
    {chr(10).join("    " + line for line in manifest).strip()}
  </manifest>
  <spine>
    {chr(10).join("    " + line for line in spine).strip()}
  </spine>
</package>
"""


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    items = "\n".join(f'<li><a href="{name}">{title}</a></li>' for name, (title, _) in CHAPTERS.items()
                      if name not in ("title.xhtml", "copyright.xhtml", "dedication.xhtml"))
    with zipfile.ZipFile(HERE / BOOK, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype", (2025, 3, 20, 10, 0, 0)), "application/epub+zip",
                      compress_type=zipfile.ZIP_STORED)

        def put(name: str, text: str) -> None:
            book.writestr(zipfile.ZipInfo(name, (2025, 3, 20, 10, 0, 0)), text, compress_type=zipfile.ZIP_DEFLATED)

        put("META-INF/container.xml", CONTAINER)
        put("OEBPS/content.opf", package())
        put("OEBPS/nav.xhtml", NAV.format(items=items))
        put("OEBPS/style.css", CSS)
        for name, (title, body) in CHAPTERS.items():
            put(f"OEBPS/{name}", PAGE.format(title=title, body=body))
    print(HERE / BOOK)


if __name__ == "__main__":
    main()
