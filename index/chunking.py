"""Sentence-aware chunks that know exactly where they came from.

Every chunk is `text[start_char:end_char]` of its document, byte for byte: chunks are
computed as offsets first and sliced from the original text, never rebuilt from pieces.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from typing import Sequence

from index.headings import Outline, chunk_outlines
from index.sentences import TABLE_RULE, sentence_spans
from index.text_tables import columns_of
from index.transcripts import chunk_turns

CHUNKER_VERSION = "sentences-v1"


@dataclass(frozen=True, slots=True)
class Chunk:
    index: int
    start_char: int
    end_char: int
    text: str
    outline: Outline | None = None  # its share of the document's headings (`index.headings.chunk_outlines`)


def _joins_previous(char: str) -> bool:
    """Characters that must stay with the one before them (combining marks, ZWJ, selectors)."""
    return (
        unicodedata.combining(char) > 0
        or char in "\u200d\ufe0e\ufe0f"
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin-tone modifiers
        or unicodedata.category(char) == "Cs"
    )


def _split_long(text: str, start: int, end: int, size: int) -> list[tuple[int, int]]:
    """Cut a span longer than `size` at whitespace where possible, else at `size`."""
    pieces: list[tuple[int, int]] = []
    while end - start > size:
        limit = start + size
        cut = text.rfind(" ", start + size // 2, limit + 1)
        if cut == -1:
            cut = max(
                (text.rfind(ws, start + size // 2, limit + 1) for ws in "\t\n\r\u3000\u00a0\u2028\u2029"),
                default=-1,
            )
        if cut > start:
            piece_end = cut
            while piece_end > start and text[piece_end - 1].isspace():
                piece_end -= 1
            next_start = cut
        else:
            piece_end = limit
            while piece_end > start + 1 and _joins_previous(text[piece_end]):
                piece_end -= 1
            next_start = piece_end
            while piece_end > start + 1 and text[piece_end - 1].isspace():  # a cut just after a space
                piece_end -= 1
        pieces.append((start, piece_end))
        start = next_start
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        pieces.append((start, end))
    return pieces


def chunk_spans(text: str, size: int, overlap: int, sentences: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into spans of at most `size` characters.

    Each span after the first starts with trailing sentences of the one before, as long as
    they add up to at most `overlap` characters; every span starts after the previous one.
    """
    if size < 1 or overlap < 0:
        raise ValueError(f"chunk size must be >= 1 and overlap >= 0, got {size} and {overlap}")
    units: list[tuple[int, int]] = []
    for start, end in sentence_spans(text) if sentences is None else sentences:
        units.extend(_split_long(text, start, end, size))
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(units):
        start = units[first][0]
        last = first
        while last + 1 < len(units) and units[last + 1][1] - start <= size:
            last += 1
        end = units[last][1]
        spans.append((start, end))
        if last + 1 >= len(units):
            break
        next_first = last + 1
        # Step back over trailing sentences for the overlap, but only as far as still leaves
        # room for the next new sentence: a chunk must always end past the one before it.
        while (
            next_first - 1 > first
            and end - units[next_first - 1][0] <= overlap
            and units[last + 1][1] - units[next_first - 1][0] <= size
        ):
            next_first -= 1
        first = next_first
    return spans


def chunk_columns(text: str, spans: Sequence[tuple[int, int]], chunks: Sequence[tuple[int, int]]) -> list[str]:
    """For each chunk, the header row of the Markdown table it starts inside ("| Station |
    Location | Depth at low tide |"), or the header line and rule of a text table
    (`index.text_tables.columns_of`), else "": a chunk that opens on "| 7 | West beach lagoon |
    0.8 m |" holds no row that names its columns (`spans`: the document's sentences)."""
    header_at: list[str] = []  # per sentence: the header of the table it is a row of, or ""
    header = ""
    for i, (start, end) in enumerate(spans):
        sentence = text[start:end]
        if not sentence.startswith("|"):
            header = ""
        elif TABLE_RULE.match(sentence) and i and text[spans[i - 1][0]:spans[i - 1][1]].startswith("|"):
            header = text[spans[i - 1][0]:spans[i - 1][1]]
        header_at.append(header)
    starts = [start for start, _ in spans]
    out = []
    for start, _ in chunks:
        first = bisect.bisect_left(starts, start)  # the chunk's first sentence
        inside = first < len(spans) and header_at[first] and text[spans[first][0]:spans[first][1]] != header_at[first]
        # or a text table's header and rule ("Day   Time" over "---   ----"), "header\nrule"
        out.append(header_at[first] if inside else columns_of(text, spans[first][0]) if first < len(spans) else "")
    return out


def chunk_text(text: str, size: int, overlap: int) -> list[Chunk]:
    """Chunks of `text`, each the exact slice at its offsets, with its share of the outline."""
    sentences = sentence_spans(text)
    spans = chunk_spans(text, size, overlap, sentences)
    outlines = chunk_outlines(text, sentences, spans)
    turns = chunk_turns(text, sentences, spans)
    columns = chunk_columns(text, sentences, spans)
    for at, shared in enumerate(outlines):  # a transcript's turn in force where the chunk starts, else None
        shared["turn"] = turns[at] if turns is not None else None
        if columns[at]:  # the header of the table the chunk starts inside
            shared["columns"] = columns[at]
    return [
        Chunk(index=i, start_char=start, end_char=end, text=text[start:end], outline=shared)
        for i, ((start, end), shared) in enumerate(zip(spans, outlines))
    ]
