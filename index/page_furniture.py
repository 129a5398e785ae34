"""What a web page shows around its text: navigation, buttons, footnote markers, edit links.

A saved page holds its site's menus, a table of contents, "Share on Facebook" and "[edit]"
beside the article. None of it answers a question, and some of it is retrieved and quoted
instead of the text ("- 3 Restoration" for "How much did the restoration cost?"), or sticks to
a sentence's last word ("second bridge.[4]").

Why not a main-content extractor: trafilatura 2.3.1 (tried on `eval/transfer17/`) keeps the
footnote markers and "[edit]", leaves out the byline and the page footer (which answer "Who
wrote the article?" and "When was the page last edited?") and rewrites the text as Markdown
with escapes ("\\[1\\]"); extractors score blocks by text density, and a one-line answer or an
infobox is a short block. Here only what is unmistakably furniture goes, and the page keeps the
structure the answerer reads (`index.readers`).
"""

from __future__ import annotations

import re

# Elements that are never text: site navigation and form controls (a <select>'s options, a
# button's "Accept all").
_CONTROLS = ("nav", "button", "select", "input", "option", "menu")
_EDIT_LINK = frozenset({"[edit]", "edit", "[edit source]", "edit source"})
_FOOTNOTE_MARK = re.compile(r"\[[^\[\]]{1,30}\]")  # "[4]", "[a]", "[note 2]", "[citation needed]"
_BACK_ARROWS = frozenset({"^", "\u2191", "\u21a9", "\u21a9\ufe0e", "\u2934", "\u2b0f"})  # ^ ↑ ↩ ⤴ ⬏
_MAIN_SHARE = 0.25  # a <main> holding less of the page's text than this is no article
# A class or id naming one of these marks a page's furniture ("share-buttons", "cookie-banner",
# "ad-slot"); an <aside> of "related" stories too. Whole words of the name only: "shared-data" stays.
_FURNITURE_NAMES = frozenset(
    "share sharing social consent newsletter advert adverts advertisement advertising ads breadcrumb breadcrumbs".split())
# "cookie" only with one of these: a baking site's "cookie-recipes" is text.
_COOKIE_WORDS = frozenset("cookie cookies".split())
_BANNER_WORDS = frozenset("banner notice bar popup dialog consent message law policy".split())
_FURNITURE_SHARE = 0.25  # a named box holding more of the page's text than this is kept: it is the text
_NAME_WORDS = re.compile(r"[a-z]+")


def strip_furniture(soup) -> None:
    """Remove what a page shows around its text, in place: navigation and controls; boxes named
    for sharing, advertising, cookie banners or newsletters, where they hold little of the page's
    text; footnote markers (a superscript "[4]", or one linking to a place in a page, this one or
    an e-book's notes; "m<sup>2</sup>" stays) and links marked as going to a note or back from
    one; edit links beside headings; and a table of contents (a list whose every item is one
    link within the page), with a box left holding only its title."""
    for tag in soup.find_all(_CONTROLS):
        tag.decompose()
    for tag in soup.find_all(role=re.compile(r"^(navigation|search)$")):
        tag.decompose()
    whole = len(soup.get_text(" ", strip=True))
    for tag in soup.find_all(_is_furniture):
        if not tag.decomposed and len(tag.get_text(" ", strip=True)) <= _FURNITURE_SHARE * whole:
            tag.decompose()
    for tag in soup.find_all(_is_note_link):
        tag.decompose()
    for sup in soup.find_all("sup"):
        text = sup.get_text("", strip=True)
        links = sup.find_all("a")
        hrefs = [str(a.get("href", "")) for a in links]
        if _FOOTNOTE_MARK.fullmatch(text) or (
                links and text == "".join(a.get_text("", strip=True) for a in links)
                and (all(href.startswith("#") for href in hrefs) or (len(text) <= 4 and all("#" in href for href in hrefs)))):
            sup.decompose()
    for heading in soup.find_all(("h1", "h2", "h3", "h4", "h5", "h6")):
        for tag in heading.find_all(("span", "a")):
            if not tag.decomposed and tag.get_text("", strip=True).lower() in _EDIT_LINK:
                tag.decompose()
    for listing in soup.find_all(("ul", "ol")):
        if listing.decomposed:
            continue
        items = listing.find_all("li")
        if items and all(_one_link_within_page(item) for item in items):
            box = listing.parent
            listing.decompose()
            _drop_title_only_box(box)


def _is_note_link(tag) -> bool:
    """A link to a note or back from it, as e-books and accessible pages mark them
    (`epub:type="noteref"`, `role="doc-backlink"`): "arithmetic.<sup>1</sup> His boat" would
    read "arithmetic.1 His boat", one sentence, and a note's "↩" would end its text. An arrow
    linking within a page is one too (an encyclopedia's "^" before each of its references)."""
    if tag.name != "a":
        return False
    attrs = tag.attrs or {}
    kinds = f"{attrs.get('epub:type', '')} {attrs.get('role', '')}".split()
    return bool({"noteref", "backlink", "doc-noteref", "doc-backlink"} & set(kinds)) or (
        "#" in str(attrs.get("href", "")) and tag.get_text("", strip=True) in _BACK_ARROWS)


def _names(tag) -> set[str]:
    attrs = tag.attrs or {}
    classes = attrs.get("class") or []
    joined = " ".join(classes if isinstance(classes, list) else [str(classes)]) + " " + str(attrs.get("id", ""))
    return set(_NAME_WORDS.findall(joined.lower()))


def _is_furniture(tag) -> bool:
    if tag.name in ("body", "html", "main", "article"):
        return False
    names = _names(tag)
    return (bool(names & _FURNITURE_NAMES) or bool(names & _COOKIE_WORDS and names & _BANNER_WORDS)
            or (tag.name == "aside" and "related" in names))


def _one_link_within_page(item) -> bool:
    links = item.find_all("a", recursive=True)
    if not links or not all(str(a.get("href", "")).startswith("#") for a in links):
        return False
    own = item.get_text(" ", strip=True)
    return bool(own) and own == " ".join(a.get_text(" ", strip=True) for a in links)


def _drop_title_only_box(box) -> None:
    """`box` (the element a table of contents was in) removed where nothing but a heading is left
    in it ("Contents")."""
    if box is None or box.name in ("body", "html", "main", "article", "[document]"):
        return
    headings = box.find_all(("h1", "h2", "h3", "h4", "h5", "h6"))
    rest = box.get_text(" ", strip=True)
    if len(headings) == 1 and rest == headings[0].get_text(" ", strip=True):
        box.decompose()


def main_parts(soup) -> list:
    """The page's main content where it marks it (<main>, or role="main") and it holds a fair
    share of the page's text, with the page's footer after it (when the page was last edited,
    who publishes it); else [] (read the whole page)."""
    mains = [tag for tag in soup.find_all(lambda t: t.name == "main" or t.get("role") == "main")
             if tag.find_parent(lambda t: t.name == "main" or t.get("role") == "main") is None]
    if not mains:
        return []
    whole = len(soup.get_text(" ", strip=True))
    inside = sum(len(tag.get_text(" ", strip=True)) for tag in mains)
    if not whole or inside < _MAIN_SHARE * whole:
        return []
    footers = [tag for tag in soup.find_all(lambda t: t.name == "footer" or t.get("role") == "contentinfo")
               if not any(main in tag.parents for main in mains) and not any(tag in main.parents for main in mains)
               and tag.find_parent(lambda t: t.name == "footer" or t.get("role") == "contentinfo") is None]
    return mains + footers
