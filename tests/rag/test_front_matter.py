"""A paper's author and institution lines read as what they say (rag/front_matter.py), and the
document's opening brought to a question about its authors (`Retriever.openings`)."""

from __future__ import annotations

import pytest

from index.sentences import sentence_spans
from rag.front_matter import asks_front_matter, front_matter

PAPER = ("# Street trees and night-time heat\n\nInes Marchetti, Tomasz Wr\u00f3bel and Adaeze Nwosu\n\n"
         "Department of Environmental Science, University of Eastbridge\n\n## Abstract\n\nWe measured heat.\n")
TYPESET = ("Street Lighting and Nest-Box Occupancy\n\nInes Varga1, Daniel Okafor1,2 and Helen Marsh2\n\n"
           "1 Department of Zoology, University of Fenwick\n2 Fenwick Urban Wildlife Trust\n\nAbstract. Light spreads.\n")


def _readings(text: str) -> dict[str, str]:
    spans = sentence_spans(text)
    return {text[spans[i][0]:spans[i][1]]: reading for i, (reading, _) in front_matter(text, spans, [False] * len(spans)).items()}


def test_the_author_and_institution_lines_under_a_title_read_as_sentences():
    assert _readings(PAPER) == {
        "Ines Marchetti, Tomasz Wr\u00f3bel and Adaeze Nwosu": "This was written by Ines Marchetti, Tomasz Wr\u00f3bel and Adaeze Nwosu.",
        "Department of Environmental Science, University of Eastbridge":
            "The authors work at Department of Environmental Science, University of Eastbridge.",
    }


def test_superscript_marks_are_left_out_of_the_reading():
    readings = _readings(TYPESET)
    assert readings["Ines Varga1, Daniel Okafor1,2 and Helen Marsh2"] == "This was written by Ines Varga, Daniel Okafor and Helen Marsh."
    assert readings["1 Department of Zoology, University of Fenwick"] == "The authors work at Department of Zoology, University of Fenwick."
    assert readings["2 Fenwick Urban Wildlife Trust"] == "The authors work at Fenwick Urban Wildlife Trust."


@pytest.mark.parametrize("text", [
    "# Meeting notes\n\nRuth Okonjo, Callum Frost\n\nWe met at noon and agreed the budget.\n",  # who came, not who wrote
    "# Street trees\n\nTrees cool streets at night, as Ines Marchetti and Tomasz Wr\u00f3bel found.\n",  # prose
])
def test_names_that_are_no_front_matter_are_read_as_written(text):
    assert _readings(text) == {}


def test_questions_about_who_wrote_a_text_or_where_they_work():
    assert asks_front_matter("Which university do the authors work at?")
    assert asks_front_matter("Who wrote the report?")
    assert not asks_front_matter("How much cooler were shaded streets?")
