"""`.json` and `.jsonl` files as text: records a block each, nested objects under headings.

Exports, API dumps and configuration come as JSON. Read as its source text, a record is braces
and quotes around its values, and a question about a person finds `"role": "engineer",` with no
name beside it. So an object's plain values are written as one labelled row, as a CSV row is
("name: Ada Lind; role: engineer; office: Leeds": the answerer reads such a row alone), a list
of values joined by commas, a key's underscores as spaces; an object or list of objects inside
is written under a heading naming its key ("## staff"), its records a block each. A `.jsonl` (JSON Lines, also `.ndjson`)
file is a record a line. The text written is what gets stored, so offsets point into it.
"""

from __future__ import annotations

import json
from pathlib import Path

from index.extra_readers import labelled_row
from index.readers import _decode
from rag.errors import SkipFile

_MAX_DEPTH = 6  # deeper headings are written as "a > b" under the sixth level
_MAX_LABEL = 80  # a record's first text value heads its parts up to this length


def _scalar(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def _plain(value: object) -> bool:
    """A value that reads as a cell: a string, number, true/false, or a list of those."""
    if isinstance(value, list):
        return all(not isinstance(item, (dict, list)) for item in value)
    return not isinstance(value, dict)


def _cell(value: object) -> str:
    return ", ".join(_scalar(item) for item in value if _scalar(item)) if isinstance(value, list) else _scalar(value)


def _key(key: object) -> str:
    """A key as words: "opening_hours" is "opening hours"."""
    return " ".join(str(key).replace("_", " ").split()) or "(no name)"


def _blocks(value: object, path: list[str], out: list[str]) -> None:
    """Append the blocks `value` reads as, under the headings of `path` (its keys so far). A
    record in a list with objects inside it heads them with its first text value ("Central
    Library" over its opening hours), which they do not repeat."""
    if isinstance(value, dict):
        plain = [(_key(key), _cell(item)) for key, item in value.items() if _plain(item)]
        row = labelled_row([key for key, _ in plain], [cell for _, cell in plain])
        if row:
            out.append(row)
        for key, item in value.items():
            if not _plain(item):
                _heading([*path, _key(key)], out)
                _blocks(item, [*path, _key(key)], out)
    elif isinstance(value, list):
        for number, item in enumerate(value, start=1):
            if isinstance(item, dict) and not all(_plain(part) for part in item.values()):
                label = next((_scalar(part) for part in item.values() if isinstance(part, str) and _scalar(part)), "")
                label = label if 0 < len(label) <= _MAX_LABEL else f"item {number}"
                _heading([*path, label], out)
                _blocks(item, [*path, label], out)
            elif isinstance(item, (dict, list)):
                _blocks(item, path, out)
            elif _scalar(item):
                out.append(_scalar(item))
    elif _scalar(value):
        out.append(_scalar(value))


def _heading(path: list[str], out: list[str]) -> None:
    level = min(len(path), _MAX_DEPTH)
    name = " > ".join(path[level - 1 :]) if len(path) > _MAX_DEPTH else path[-1]
    out.append(f"{'#' * level} {' '.join(name.split())}")


def read_json(path: Path, data: bytes) -> tuple[str, str]:
    """A `.json` file's values as text (module docstring); its title is the file's name."""
    try:
        value = json.loads(_decode(data))
    except ValueError as exc:
        raise SkipFile(f"could not parse the JSON ({exc})") from None
    except RecursionError:
        raise SkipFile("the JSON is nested too deeply to read") from None
    return _text(value), path.stem


def read_json_lines(path: Path, data: bytes) -> tuple[str, str]:
    """A `.jsonl` file: one JSON value a line, each read as `read_json` reads a file."""
    values = []
    for number, line in enumerate(_decode(data).splitlines(), start=1):
        if line.strip():
            try:
                values.append(json.loads(line))
            except (ValueError, RecursionError) as exc:
                raise SkipFile(f"could not parse line {number} of the JSON Lines file ({type(exc).__name__})") from None
    return _text(values), path.stem


def _text(value: object) -> str:
    out: list[str] = []
    try:
        _blocks(value, [], out)
    except RecursionError:
        raise SkipFile("the JSON is nested too deeply to read") from None
    text = "\n\n".join(out)
    if not text.strip():
        raise SkipFile("no text in the file")
    return text


READERS = {".json": read_json, ".jsonl": read_json_lines, ".ndjson": read_json_lines}
