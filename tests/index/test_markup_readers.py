"""reStructuredText and LaTeX sources (index/restructured_text.py, index/latex.py): read as the page
they render to, through `read_file`, and ingested with every chunk at its offsets."""

from __future__ import annotations

import pytest

from index.readers import MARKUP_SUFFIXES, SUPPORTED_SUFFIXES, read_file
from index.sentences import sentence_spans
from index.store import open_store
from rag.errors import SkipFile
from tests.support.documents import ingest_files, stored_chunks, write

LIMIT = 10 * 2**20

# A Sphinx page: an overlined title, a substitution, a comment, a target, a literal block after
# "::", a note, a list-table, a simple table, a definition list, a version note, inline roles.
RST = """.. shoebox documentation master file

=================
Shoebox |version|
=================

.. |version| replace:: 2.4

Install it with ``pip``::

    pip install shoebox-photos

See :doc:`the settings <configuration>` and `ExifTool <https://exiftool.org/>`_ [#]_.

.. _options:

Options
-------

.. note::

   Nothing is moved until you add
   ``--apply``.

.. list-table:: Settings
   :header-rows: 1

   * - Setting
     - Default
   * - ``workers``
     - ``4``. Lower it on a Raspberry Pi.

=======  ========
Pattern  Leaves out
=======  ========
*.tmp    files ending in .tmp
=======  ========

``SHOEBOX_CACHE``
   Where hashes are cached.

.. deprecated:: 2.3
   ``SHOEBOX_HOME`` is no longer read.

#. First step.
#. Second step.

.. [#] Only for RAW files.
"""

GRID = """Sizes
=====

+--------+-------+
| Size   | Width |
+========+=======+
| Small  | 320   |
| thumbs |       |
+--------+-------+
"""

TEX = r"""\documentclass{article}
\usepackage{siunitx}
% a comment the reader never sees
\title{Composting on the Marlow Road Estate}
\author{Grace Whitfield\thanks{Residents' Association} \and Tomasz Nowak}
\date{February 2025}
\begin{document}
\maketitle
\begin{abstract}
The bays took \SI{8.6}{\tonne} of food waste.
\end{abstract}
\section{Results}\label{sec:results}
Table~\ref{tab:q} gives the waste by quarter, as
schemes in Leeds did~\cite{leeds}.\footnote{Round 7 of the fund.}
The bays cost \pounds 4,350 and reached \SI{62}{\celsius}.
\begin{table}[h]
\begin{tabular}{lr}
\toprule
Quarter & Waste (kg) \\
\midrule
July--September & 2,630 \\
\bottomrule
\end{tabular}
\caption{Waste by quarter.}\label{tab:q}
\end{table}
\subsection{Rules}
See Section~\ref{sec:results}.
\begin{itemize}
  \item no meat, which attracts rats;
  \item no bread.
\end{itemize}
\begin{description}
  \item[Caddy] a small bin.
\end{description}
\begin{verbatim}
x = 1 % not a comment
\end{verbatim}
\end{document}
"""


def test_the_markup_types_are_supported_suffixes():
    assert set(MARKUP_SUFFIXES) == {".rst", ".tex"} <= set(SUPPORTED_SUFFIXES)


def test_a_sphinx_page_reads_as_the_page_it_renders_to(tmp_path):
    document = read_file(write(tmp_path, "index.rst", RST), LIMIT)
    assert document.title == "Shoebox 2.4"
    assert document.text == (
        "# Shoebox 2.4\n\n"
        "Install it with pip:\n\n```\npip install shoebox-photos\n```\n\n"
        "See the settings and ExifTool.\n\n"
        "## Options\n\n"
        "Note: Nothing is moved until you add --apply.\n\n"
        "Settings\n\n| Setting | Default |\n|---|---|\n| workers | 4. Lower it on a Raspberry Pi. |\n\n"
        "| Pattern | Leaves out |\n|---|---|\n| *.tmp | files ending in .tmp |\n\n"
        "SHOEBOX_CACHE: Where hashes are cached.\n\n"
        "Deprecated since version 2.3: SHOEBOX_HOME is no longer read.\n\n"
        "1. First step.\n\n2. Second step.\n\n"
        "[#] Only for RAW files."
    )


def test_a_grid_tables_cells_join_their_lines(tmp_path):
    document = read_file(write(tmp_path, "sizes.rst", GRID), LIMIT)
    assert document.text == "# Sizes\n\n| Size | Width |\n|---|---|\n| Small thumbs | 320 |"


def test_a_table_row_is_one_sentence_however_many_its_cells_hold(tmp_path):
    text = read_file(write(tmp_path, "index.rst", RST), LIMIT).text
    rows = [text[s:e] for s, e in sentence_spans(text) if text[s:e].startswith("| workers")]
    assert rows == ["| workers | 4. Lower it on a Raspberry Pi. |"]


def test_a_latex_paper_reads_as_it_typesets(tmp_path):
    document = read_file(write(tmp_path, "pilot.tex", TEX), LIMIT)
    assert document.title == "Composting on the Marlow Road Estate"
    assert document.text == (
        "# Composting on the Marlow Road Estate\n\n"
        "By Grace Whitfield and Tomasz Nowak\n\n"
        "February 2025\n\n"
        "## Abstract\n\nThe bays took 8.6 t of food waste.\n\n"
        "## Results\n\n"
        "Table 1 gives the waste by quarter, as schemes in Leeds did. The bays cost £4,350 and reached 62 °C.\n\n"
        "Table 1: Waste by quarter.\n\n| Quarter | Waste (kg) |\n|---|---|\n| July–September | 2,630 |\n\n"
        "### Rules\n\n"
        "See Section 1.\n\n"
        "- no meat, which attracts rats;\n- no bread.\n\n"
        "Caddy: a small bin.\n\n"
        "```\nx = 1 % not a comment\n```\n\n"
        "# Notes\n\n1. Round 7 of the fund."
    )


@pytest.mark.parametrize("name,data,reason", [
    ("empty.tex", "% only a comment\n", "no text in the LaTeX source"),
    ("binary.rst", "\x00\x01", "binary content"),
])
def test_a_source_without_text_is_skipped_with_the_reason(tmp_path, name, data, reason):
    with pytest.raises(SkipFile, match=reason):
        read_file(write(tmp_path, name, data), LIMIT)


def test_blocks_nested_too_deeply_skip_the_file_with_the_reason(tmp_path):
    notes = "".join(" " * depth + ".. note::\n\n" for depth in range(0, 3000, 3))
    with pytest.raises(SkipFile, match="nested too deeply"):
        read_file(write(tmp_path, "deep.rst", notes), LIMIT)


def test_unbalanced_latex_still_reads(tmp_path):
    document = read_file(write(tmp_path, "draft.tex", r"\section{Draft} The \emph{bays were built."), LIMIT)
    assert "The bays were built." in document.text


def test_markup_sources_ingest_with_chunks_at_their_offsets(settings, tmp_path, real_embedder):
    report = ingest_files(settings, real_embedder, tmp_path / "docs", {"index.rst": RST, "pilot.tex": TEX})
    assert not report.skipped and len(report.added) == 2
    assert stored_chunks(open_store(settings))
