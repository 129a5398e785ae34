from index.chunking import chunk_text
from index.sentences import sentence_spans
from index.text_tables import is_rule, row_fields, table_paragraph

TIMETABLE = """POOL TIMETABLE

Day         Time            Session                 Lanes   Notes
---------   -------------   ---------------------   -----   ------------------------------
Monday      06:30 - 08:30   Early lane swim         6       Fast, medium and slow lanes
Tuesday     07:00 - 09:00   Lane swim               4
Friday      17:00 - 19:00   Family fun session      0       Inflatable out from 17:30. No toys.

Notes
The last entry is 30 minutes before a session ends.
"""
PSQL = """ hostname    | role              | cpu | ram_gb
-------------+-------------------+-----+--------
 app-lon-01  | web application   |   8 |     32
 ci-ams-01   | build runner      |  32 |     64
(2 rows)
"""
BOX = """+---------+--------+
| Ticket  | Price  |
+---------+--------+
| Adult   | £5.40  |
| Junior  | £3.20  |
+---------+--------+
"""


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_a_text_tables_lines_are_sentences_of_their_own():
    """A timetable was one sentence of 900 characters, and a row's full stop split it."""
    said = _sentences(TIMETABLE)
    assert "Friday      17:00 - 19:00   Family fun session      0       Inflatable out from 17:30. No toys." in said
    assert "Tuesday     07:00 - 09:00   Lane swim               4" in said
    assert "The last entry is 30 minutes before a session ends." in said
    assert "app-lon-01  | web application   |   8 |     32" in _sentences(PSQL)
    assert "| Adult   | \u00a35.40  |" in _sentences(BOX)


def test_a_rule_marks_columns():
    assert is_rule("---------   -------------") and is_rule("-------------+-----") and is_rule("+----+----+")
    assert not is_rule("----------")  # a title's underline or a thematic break
    assert not table_paragraph(["Title", "-----", "Text under it."])
    # lines in columns without their rule, as a chunk that opens inside a table has them
    assert table_paragraph(["Monday      06:30   Early lane swim", "Tuesday     07:00   Lane swim"])
    assert not table_paragraph(["It ended.   Then we left for   the coast.", "We walked."])


def test_a_row_reads_with_its_columns_names():
    monday = TIMETABLE.index("Monday")
    assert row_fields(TIMETABLE, monday) == (["Day", "Time", "Session", "Lanes", "Notes"],
                                             ["Monday", "06:30 - 08:30", "Early lane swim", "6", "Fast, medium and slow lanes"])
    tuesday = TIMETABLE.index("Tuesday")
    assert row_fields(TIMETABLE, tuesday)[1][-1] == ""  # an empty last cell
    assert row_fields(PSQL, PSQL.index("ci-ams-01")) == (["hostname", "role", "cpu", "ram gb"],
                                                         ["ci-ams-01", "build runner", "32", "64"])
    assert row_fields(PSQL, PSQL.index("(2 rows)")) is None
    assert row_fields(BOX, BOX.index("| Junior")) == (["Ticket", "Price"], ["Junior", "\u00a33.20"])
    assert row_fields(TIMETABLE, TIMETABLE.index("Day")) is None  # the header itself
    assert row_fields(TIMETABLE, TIMETABLE.index("The last")) is None


def test_a_chunk_that_opens_inside_a_text_table_keeps_its_header():
    chunks = chunk_text(PSQL, 120, 0)
    inside = [c for c in chunks if c.text.startswith("app-lon-01")]
    assert inside, [c.text for c in chunks]
    columns = inside[0].outline["columns"]
    assert columns.splitlines()[0].strip().startswith("hostname")
    row = inside[0].text.index("ci-ams-01")
    assert row_fields(inside[0].text, row, columns)[1] == ["ci-ams-01", "build runner", "32", "64"]
    assert "columns" not in chunks[0].outline  # it holds its header
