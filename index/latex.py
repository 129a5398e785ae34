"""Reading LaTeX source (`.tex`) as the document it typesets to.

Researchers keep their papers, theses and notes as LaTeX. Read as plain text, every sentence
would carry its markup ("\\SI{8.6}{\\tonne}", "Table~\\ref{tab:quarters}", "\\cite{leeds2021}") and
a table would be cells between "&" and "\\\\". Here the source is parsed with pylatexenc (the
`readers` extra) and written out as the Markdown-like text the other readers give: the title
block (title, authors, date) and sectioning commands as "#" headings, the abstract under
"# Abstract", paragraphs unwrapped to a line each, itemize, enumerate and description lists
as items ("- ", "1. ", "Term: "), tabular environments as Markdown rows with their caption
above them ("Table 2: ..."), references to labels as the numbers LaTeX gives them, quantities
as siunitx prints them ("8.6 t", "62 °C"), footnotes numbered under "# Notes" at the end,
verbatim and listings fenced, and the bibliography under "# References". Comments, citations,
labels and layout commands are left out. Nothing is run and no other file is read
(`\\input` and `\\include` are left out, not followed).
"""

from __future__ import annotations

import re
from pathlib import Path

from index.extra_readers import _need
from index.readers import _decode, _shorten, _tidy, markdown_table
from rag.errors import SkipFile

_AUTHOR_BREAK = "\x1f"  # where \\and parts two authors
_SECTIONS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
_FLOATS = {"table": "Table", "table*": "Table", "figure": "Figure", "figure*": "Figure"}
# siunitx units as it prints them; a prefix joins the unit after it ("\kilo\metre": km).
_UNITS = {
    "metre": "m", "meter": "m", "gram": "g", "kilogram": "kg", "tonne": "t", "second": "s", "minute": "min",
    "hour": "h", "day": "d", "litre": "L", "liter": "L", "celsius": "°C", "degreeCelsius": "°C", "kelvin": "K",
    "percent": "%", "watt": "W", "volt": "V", "ampere": "A", "joule": "J", "newton": "N", "pascal": "Pa",
    "hertz": "Hz", "mole": "mol", "candela": "cd", "lux": "lx", "ohm": "Ω", "bar": "bar", "hectare": "ha",
    "degree": "°", "byte": "B", "bit": "bit", "decibel": "dB", "molar": "M", "mmHg": "mmHg",
}
_PREFIXES = {
    "kilo": "k", "mega": "M", "giga": "G", "tera": "T", "milli": "m", "micro": "µ", "nano": "n", "centi": "c",
    "deci": "d", "pico": "p",
}
_POWERS = {"square": "²", "squared": "²", "cubic": "³", "cubed": "³"}
_SYMBOLS = {"pounds": "£", "S": "§", "P": "¶", "euro": "€", "textdollar": "$", "textsterling": "£", "texteuro": "€", "LaTeX": "LaTeX",
            "TeX": "TeX", "textregistered": "®", "texttrademark": "™", "textdegree": "°", "degree": "°",
            "textpm": "±", "times": "×", "ldots": "…", "dots": "…"}
# Commands whose arguments are layout or bookkeeping, never text a reader quotes.
_DROPPED = ("label", "cite", "citep", "citet", "citealp", "nocite", "bibliographystyle", "bibliography", "input", "include",
            "includegraphics", "usepackage", "documentclass", "vspace", "hspace", "newcommand", "renewcommand",
            "setlength", "addtolength", "pagestyle", "thispagestyle", "tableofcontents", "listoffigures",
            "listoftables", "newpage", "clearpage", "centering", "noindent", "toprule", "midrule", "bottomrule",
            "hline", "cline", "cmidrule", "maketitle", "thanks", "addbibresource", "printbibliography", "graphicspath",
            "geometry", "hypersetup", "linespread", "small", "footnotesize", "large", "Large", "normalsize",
            "index", "glossary", "protect", "smallskip", "medskip", "bigskip")


def read_latex(path: Path, data: bytes) -> tuple[str, str]:
    """The document `path` typesets to, and its title (its \\title, else its first heading,
    else the file's name)."""
    source = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    try:
        return _Converter(source).text(path.stem)
    except SkipFile:
        raise
    except Exception as exc:  # noqa: BLE001 - pylatexenc raises many types on broken source
        raise SkipFile(f"could not parse the LaTeX ({type(exc).__name__}: {exc}); check that its braces are balanced") from None


def _label_numbers(source: str) -> dict[str, str]:
    """What \\ref gives for each \\label: the number of the section, table, figure or equation
    it follows, counted as LaTeX counts them (starred commands are not numbered)."""
    body = re.sub(r"(?<!\\)%.*", "", source)
    counters = {name: 0 for name in _SECTIONS}
    floats = {"table": 0, "figure": 0, "equation": 0}
    labels: dict[str, str] = {}
    current = ""
    in_float = ""
    token = re.compile(
        r"\\(?P<section>part|chapter|section|subsection|subsubsection)(?P<star>\*?)\s*(?:\[[^\]]*\])?\s*\{"
        r"|\\begin\{(?P<begin>table\*?|figure\*?|equation|align|eqnarray)\}"
        r"|\\end\{(?P<end>table\*?|figure\*?|equation|align|eqnarray)\}"
        r"|\\caption\b"
        r"|\\label\{(?P<label>[^}]*)\}"
        r"|\\appendix\b"
    )
    appendix = False
    for match in token.finditer(body):
        if match.group("section"):
            if match.group("star"):
                continue
            level = _SECTIONS.index(match.group("section"))
            counters[match.group("section")] += 1
            for lower in _SECTIONS[level + 1:]:
                counters[lower] = 0
            top = "chapter" if counters["chapter"] else "section"
            parts = [counters[name] for name in _SECTIONS[_SECTIONS.index(top):level + 1]]
            first = chr(ord("A") + parts[0] - 1) if appendix and parts and 0 < parts[0] <= 26 else str(parts[0] if parts else "")
            current = ".".join([first, *map(str, parts[1:])])
        elif match.group("begin"):
            kind = match.group("begin").rstrip("*")
            in_float = kind if kind in ("table", "figure") else "equation"
            if in_float == "equation":  # numbered as it opens; a table or figure by its caption
                floats["equation"] += 1
        elif match.group("end"):
            in_float = ""
        elif match.group(0).startswith("\\caption") and in_float:
            floats[in_float] += 1
        elif match.group("label") is not None:
            name = match.group("label")
            if name in labels:
                continue
            labels[name] = str(floats[in_float]) if in_float else current
        elif match.group(0) == "\\appendix":
            appendix = True
            counters = {name: 0 for name in _SECTIONS}
    return labels


class _Converter:
    def __init__(self, source: str) -> None:
        _need("pylatexenc", ".tex")
        from pylatexenc import latex2text, latexwalker, macrospec

        self.source = source
        self.labels = _label_numbers(source)
        self.notes: list[str] = []
        self.title = self.authors = self.date = ""
        self.float_numbers = {"Table": 0, "Figure": 0}
        # Sections sit under the title's "#"; the highest sectioning command used is the top level.
        self.base_level = 2 if "\\title" in source else 1
        self.top_section = next((i for i, n in enumerate(_SECTIONS[:3]) if f"\\{n}" in source), _SECTIONS.index("section"))
        parse_db = latexwalker.get_default_latex_context_db()
        parse_db.add_context_category("documents", prepend=True, macros=[
            macrospec.MacroSpec(name, spec) for name, spec in (
                ("SI", "[{{"), ("qty", "[{{"), ("si", "[{"), ("unit", "[{"), ("num", "[{"), ("ang", "[{"),
                ("caption", "[{"), ("bibitem", "[{"), ("href", "{{"), ("thanks", "{"), ("multicolumn", "{{{"),
                ("multirow", "{{{"), ("cmidrule", "[{"), ("includegraphics", "[{"), ("footnotetext", "[{"),
                ("textcite", "[[{"), ("parencite", "[[{"), ("autocite", "[[{"), ("citep", "*[[{"), ("citet", "*[[{"),
                ("eqref", "{"), ("autoref", "{"), ("cref", "{"), ("Cref", "{"), ("pageref", "{"),
                ("newcommand", "*{[[{"), ("renewcommand", "*{[[{"), ("usepackage", "[{"), ("documentclass", "[{"),
                ("setlength", "{{"), ("vspace", "*{"), ("hspace", "*{"), ("graphicspath", "{"), ("hypersetup", "{"),
                ("geometry", "{"), ("addbibresource", "[{"), ("bibliographystyle", "{"), ("bibliography", "{"),
                ("input", "{"), ("include", "{"), ("lstinline", "{"), ("chapter", "*[{"), ("part", "*[{"),
            )
        ])
        self.walker_db = parse_db
        spec, env = latex2text.MacroTextSpec, latex2text.EnvironmentTextSpec
        macros = [spec(name, simplify_repl=self._section) for name in _SECTIONS]
        macros += [spec(name, simplify_repl=self._quantity) for name in ("SI", "qty", "si", "unit", "num", "ang")]
        macros += [spec(name, simplify_repl=symbol) for name, symbol in _SYMBOLS.items()]
        macros += [spec(name, discard=True) for name in _DROPPED]
        macros += [
            spec("title", simplify_repl=self._remember("title")),
            spec("author", simplify_repl=self._remember("authors")),
            spec("date", simplify_repl=self._remember("date")),
            spec("and", simplify_repl=_AUTHOR_BREAK),
            spec("footnote", simplify_repl=self._footnote),
            spec("footnotetext", discard=True),
            spec("ref", simplify_repl=self._ref), spec("eqref", simplify_repl=self._ref),
            spec("autoref", simplify_repl=self._ref), spec("cref", simplify_repl=self._ref),
            spec("Cref", simplify_repl=self._ref), spec("pageref", simplify_repl=self._ref),
            spec("href", simplify_repl=self._href), spec("url", simplify_repl=self._argument(0)),
            spec("texttt", simplify_repl=self._argument(0)), spec("lstinline", simplify_repl=self._argument(0)),
            spec("multicolumn", simplify_repl=self._argument(2)), spec("multirow", simplify_repl=self._argument(2)),
            spec("caption", discard=True), spec("bibitem", discard=True),
            spec("item", discard=True), spec("today", simplify_repl=""),
            spec("textcite", discard=True), spec("parencite", discard=True), spec("autocite", discard=True),
        ]
        environments = [
            env("abstract", simplify_repl=self._abstract),
            env("itemize", simplify_repl=self._list), env("enumerate", simplify_repl=self._list),
            env("description", simplify_repl=self._list),
            env("tabular", simplify_repl=self._tabular), env("tabular*", simplify_repl=self._tabular),
            env("tabularx", simplify_repl=self._tabular), env("longtable", simplify_repl=self._tabular),
            env("table", simplify_repl=self._float), env("table*", simplify_repl=self._float),
            env("figure", simplify_repl=self._float), env("figure*", simplify_repl=self._float),
            env("thebibliography", simplify_repl=self._bibliography),
            env("verbatim", simplify_repl=self._verbatim), env("lstlisting", simplify_repl=self._verbatim),
            env("minted", simplify_repl=self._verbatim),
        ]
        text_db = latex2text.get_default_latex_context_db()
        text_db.add_context_category("documents", prepend=True, macros=macros, environments=environments)
        self.l2t = latex2text.LatexNodes2Text(latex_context=text_db, math_mode="text", strict_latex_spaces=False)
        self.walker = latexwalker

    def text(self, fallback: str) -> tuple[str, str]:
        document = re.search(r"\\begin\{document\}(.*?)(?:\\end\{document\}|\Z)", self.source, re.S)
        preamble = self.source[:document.start()] if document else ""
        body = document.group(1) if document else self.source
        if preamble:  # \title, \author and \date are set there
            self._render(preamble)
        rendered = self._render(body)
        blocks = []
        if self.title:
            blocks.append("# " + " ".join(self.title.split()))
        if self.authors:
            blocks.append(_byline(self.authors))
        if self.date:
            blocks.append(" ".join(self.date.split()))
        blocks.append(_unwrapped(rendered))
        if self.notes:
            blocks.append("# Notes\n\n" + "\n".join(f"{n}. {note}" for n, note in enumerate(self.notes, start=1)))
        text = _tidy("\n\n".join(blocks))
        if not text:
            raise SkipFile("no text in the LaTeX source")
        heading = re.search(r"^#+ (.+)$", text, re.M)
        title = self.title or (heading.group(1) if heading else "")
        return text, _shorten(" ".join(title.split())) if title.strip() else fallback

    def _render(self, latex: str) -> str:
        walker = self.walker.LatexWalker(latex, latex_context=self.walker_db, tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        return self.l2t.nodelist_to_text(nodes)

    # -- macros ---------------------------------------------------------------------------------

    def _args(self, node) -> list:
        return list(node.nodeargd.argnlist) if node.nodeargd and node.nodeargd.argnlist else []

    def _arg_text(self, node, index: int) -> str:
        args = [a for a in self._args(node)]
        if index >= len(args) or args[index] is None:
            return ""
        return self.l2t.nodelist_to_text([args[index]]).strip()

    def _argument(self, index: int):
        def show(node, l2tobj=None) -> str:
            # count from the mandatory arguments' end: \texttt{x} has one, \multicolumn{2}{c}{x} three
            args = self._args(node)
            mandatory = [a for a in args if a is not None and getattr(a, "delimiters", ("{",))[0] == "{"]
            chosen = mandatory[index] if index < len(mandatory) else (args[-1] if args else None)
            return self.l2t.nodelist_to_text([chosen]).strip() if chosen is not None else ""
        return show

    def _remember(self, field: str):
        def keep(node, l2tobj=None) -> str:
            setattr(self, field, self._arg_text(node, len(self._args(node)) - 1))
            return ""
        return keep

    def _section(self, node, l2tobj=None) -> str:
        level = _SECTIONS.index(node.macroname)
        depth = max(self.base_level, self.base_level + level - self.top_section)
        title = self._arg_text(node, len(self._args(node)) - 1)
        if node.macroname in ("paragraph", "subparagraph"):
            return f"\n\n{title}: " if title else "\n\n"
        return f"\n\n{'#' * min(depth, 6)} {title}\n\n"

    def _quantity(self, node, l2tobj=None) -> str:
        args = [a for a in self._args(node) if a is not None and getattr(a, "delimiters", ("{",))[0] == "{"]
        parts = []
        for arg in args:
            latex = arg.latex_verbatim()[1:-1] if hasattr(arg, "latex_verbatim") else ""
            parts.append(_unit(latex) if "\\" in latex else self.l2t.nodelist_to_text([arg]).strip())
        if node.macroname in ("num", "si", "unit"):
            return parts[0] if parts else ""
        if node.macroname == "ang":
            return f"{parts[0]}°" if parts else ""
        value, unit = (parts + ["", ""])[:2]
        return f"{value}{unit}" if unit in ("%", "°") else f"{value} {unit}".strip()

    def _footnote(self, node, l2tobj=None) -> str:
        self.notes.append(" ".join(self._arg_text(node, len(self._args(node)) - 1).split()))
        return ""

    def _ref(self, node, l2tobj=None) -> str:
        key = self._arg_text(node, len(self._args(node)) - 1)
        return self.labels.get(key.strip(), "")

    def _href(self, node, l2tobj=None) -> str:
        return self._arg_text(node, 1) or self._arg_text(node, 0)

    # -- environments ---------------------------------------------------------------------------

    def _abstract(self, node, l2tobj=None) -> str:
        return f"\n\n{'#' * self.base_level} Abstract\n\n" + self.l2t.nodelist_to_text(node.nodelist).strip() + "\n\n"

    def _items(self, node) -> list[tuple[str, list]]:
        """An environment's \\item's: (its optional label, its nodes)."""
        items: list[tuple[str, list]] = []
        for child in node.nodelist:
            if child.isNodeType(self.walker.LatexMacroNode) and child.macroname in ("item", "bibitem"):
                label = ""
                args = self._args(child)
                if args and args[0] is not None:
                    label = self.l2t.nodelist_to_text([args[0]]).strip()
                    if label.startswith("[") and label.endswith("]"):
                        label = label[1:-1]
                items.append((label, []))
            elif items:
                items[-1][1].append(child)
        return items

    def _list(self, node, l2tobj=None) -> str:
        lines = []
        number = 0
        for label, nodes in self._items(node):
            text = " ".join(self.l2t.nodelist_to_text(nodes).split())
            if node.environmentname == "description":
                lines.append(f"{label}: {text}" if label else f"- {text}")
            elif node.environmentname == "enumerate":
                number += 1
                lines.append(f"{label or f'{number}.'} {text}")
            else:
                lines.append(f"- {text}" if not label else f"- {label} {text}")
        return "\n\n" + "\n".join(lines) + "\n\n"

    def _tabular(self, node, l2tobj=None) -> str:
        nodes = list(node.nodelist)
        if node.environmentname in ("tabular*", "tabularx") and nodes and nodes[0].isNodeType(self.walker.LatexGroupNode):
            nodes = nodes[1:]  # the width
        rows: list[list[str]] = [[""]]
        for child in nodes:
            if child.isNodeType(self.walker.LatexSpecialsNode) and child.specials_chars == "&":
                rows[-1].append("")
            elif child.isNodeType(self.walker.LatexMacroNode) and child.macroname == "\\":
                rows.append([""])
            else:
                rows[-1][-1] += self.l2t.nodelist_to_text([child])
        cells = [[" ".join(cell.split()) for cell in row] for row in rows]
        cells = [row for row in cells if any(row)]
        return "\n\n" + markdown_table(cells) + "\n\n"

    def _float(self, node, l2tobj=None) -> str:
        kind = _FLOATS.get(node.environmentname, "Table")
        captions = [child for child in node.nodelist
                    if child.isNodeType(self.walker.LatexMacroNode) and child.macroname == "caption"]
        body = self.l2t.nodelist_to_text(node.nodelist).strip()
        if not captions:
            return f"\n\n{body}\n\n"
        self.float_numbers[kind] += 1
        caption = " ".join(self._arg_text(captions[0], len(self._args(captions[0])) - 1).split())
        return f"\n\n{kind} {self.float_numbers[kind]}: {caption}\n\n{body}\n\n"

    def _bibliography(self, node, l2tobj=None) -> str:
        entries = []
        for number, (label, nodes) in enumerate(self._items(node), start=1):
            entries.append(f"[{label or number}] " + " ".join(self.l2t.nodelist_to_text(nodes).split()))
        return "\n\n# References\n\n" + "\n".join(entries) + "\n\n"

    def _verbatim(self, node, l2tobj=None) -> str:
        latex = node.latex_verbatim()
        inner = re.sub(r"^\\begin\{[^}]*\}(?:\[[^\]]*\])?(?:\{[^}]*\})?", "", latex)
        inner = re.sub(r"\\end\{[^}]*\}$", "", inner).strip("\n")
        return f"\n\n```\n{inner}\n```\n\n"


def _byline(authors: str) -> str:
    """The title block's authors as a byline ("By Grace Whitfield and Tomasz Nowak"), what each
    gives under the name (an affiliation, an address) in a paragraph after it."""
    names, details = [], []
    for part in authors.split(_AUTHOR_BREAK):
        lines = [" ".join(line.split()) for line in part.split("\n") if line.strip()]
        if lines:
            names.append(lines[0].rstrip(" ,"))
            details.extend(lines[1:])
    if not names:
        return ""
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return "\n\n".join(["By " + joined, *([", ".join(details)] if details else [])])


def _unit(latex: str) -> str:
    """siunitx unit macros as printed: "\\kilo\\metre" km, "\\square\\metre" m², "\\metre\\per\\second" m/s."""
    out, prefix, power, per = [], "", "", False
    for name in re.findall(r"\\([A-Za-z]+)|(\S)", latex):
        word = name[0]
        if not word:
            continue
        if word in _PREFIXES:
            prefix = _PREFIXES[word]
        elif word in _POWERS:
            power = _POWERS[word]
        elif word == "per":
            per = True
        elif word in _UNITS:
            unit = prefix + _UNITS[word] + power
            out.append(("/" if per else "") + unit)
            prefix = power = ""
            per = False
    return "".join(part if part.startswith("/") or i == 0 else " " + part for i, part in enumerate(out))


def _unwrapped(text: str) -> str:
    """Each paragraph on one line, as LaTeX sets it; list items, table rows and code kept a line each."""
    blocks = []
    in_code = False
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.split("\n")]
        if in_code or block.lstrip().startswith("```"):
            blocks.append(block.strip("\n"))
            in_code = (block.count("```") % 2 == 1) != in_code
            continue
        if any(line.startswith(("- ", "| ", "#")) or re.match(r"(\d+\.|\[[^\]]+\]|[^:\s][^:]{0,40}:) ", line) for line in lines[1:]):
            blocks.append("\n".join(line for line in lines if line))
        else:
            # a space left where a citation or a \\thanks was ("had done ~\\cite{x}.")
            blocks.append(re.sub(r"[ \u00a0]+([.,;:!?])(?=\s|$)", r"\1", " ".join(line for line in lines if line)))
    return "\n\n".join(b for b in blocks if b)
