import json

import pytest

from index.readers import SUPPORTED_SUFFIXES, read_file
from rag.errors import SkipFile

LIMIT = 10 * 1024 * 1024
TEAM = {
    "team": "Platform",
    "updated": "2026-11-28",
    "on_call": True,
    "tags": ["infra", "ops"],
    "office": {"city": "Leeds", "floor": 3},
    "staff": [
        {"name": "Ada Lind", "role": "engineer", "phone": None},
        {"name": "Kofi Mensah", "role": "team lead", "skills": {"languages": ["Go", "Python"]}},
    ],
}


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_json_and_json_lines_are_supported():
    assert {".json", ".jsonl", ".ndjson"} <= set(SUPPORTED_SUFFIXES)


def test_an_objects_values_read_as_a_labelled_row_and_nested_ones_under_headings(tmp_path):
    """A record names what each value is, as a CSV row does; a list of records is a block each."""
    document = read_file(_write(tmp_path, "team.json", json.dumps(TEAM)), LIMIT)
    assert document.title == "team"
    assert document.text.split("\n\n") == [
        "team: Platform; updated: 2026-11-28; on call: yes; tags: infra, ops",
        "# office", "city: Leeds; floor: 3",
        "# staff", "name: Ada Lind; role: engineer",
        "## Kofi Mensah", "name: Kofi Mensah; role: team lead", "### skills", "languages: Go, Python",
    ]


def test_json_lines_are_a_record_a_line(tmp_path):
    lines = '{"name": "Ada", "city": "Leeds"}\n\n{"name": "Kofi", "city": "York"}\n'
    assert read_file(_write(tmp_path, "people.jsonl", lines), LIMIT).text == "name: Ada; city: Leeds\n\nname: Kofi; city: York"


@pytest.mark.parametrize("name, text, reason", [
    ("broken.json", '{"name": "Ada",', "could not parse the JSON"),
    ("broken.jsonl", '{"name": "Ada"}\n{oops}\n', "could not parse line 2"),
    ("empty.json", '{"a": null, "b": []}', "no text"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_a_broken_or_empty_file_is_skipped_with_the_reason(tmp_path, name, text, reason):
    with pytest.raises(SkipFile, match=reason):
        read_file(_write(tmp_path, name, text), LIMIT)


def test_a_deep_object_reads_under_one_heading_a_level(tmp_path):
    deep = read_file(_write(tmp_path, "deep.json", '{"a": ' * 300 + '{"b": 1}' + "}" * 300), LIMIT).text
    assert deep.endswith("b: 1") and deep.count("######") == 295
