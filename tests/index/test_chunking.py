import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from index.chunking import chunk_spans, chunk_text

# Pieces that stress offsets: curly quotes, CRLF, emoji (with ZWJ and skin tones), combining
# marks, right-to-left text, ideographic punctuation, tabs and long runs without spaces.
PIECES = st.sampled_from(
    [
        "The report was late.", " ", "  ", "\n", "\r\n", "\r\n\r\n", "\t", "\u201cquoted,\u201d",
        "\u2018single\u2019", "Jan. 6", "U.S.", "?", "!", "...", "\u2026", "\U0001f600",
        "\U0001f469\u200d\U0001f469\u200d\U0001f467", "\U0001f44d\U0001f3fd", "e\u0301", "\u05e9\u05dc\u05d5\u05dd",
        "\u3002", "word", "x" * 97, "- item", "# Heading", "\u00a0", "\u2028", "3.5", "Mr.",
    ]
)
TEXTS = st.one_of(
    st.lists(PIECES, max_size=120).map("".join),
    st.text(max_size=3000),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=1500),
)


def check_invariants(text: str, size: int, overlap: int) -> None:
    chunks = chunk_text(text, size, overlap)
    covered = [False] * len(text)
    previous = None
    for i, chunk in enumerate(chunks):
        assert chunk.index == i
        assert text[chunk.start_char : chunk.end_char] == chunk.text
        assert 0 < len(chunk.text) <= size
        assert not chunk.text[0].isspace() and not chunk.text[-1].isspace()
        if previous is not None:
            assert chunk.start_char > previous.start_char
            assert chunk.end_char > previous.end_char
            assert previous.end_char - chunk.start_char <= overlap
        for pos in range(chunk.start_char, chunk.end_char):
            covered[pos] = True
        previous = chunk
    missing = [pos for pos, char in enumerate(text) if not char.isspace() and not covered[pos]]
    assert not missing, f"characters outside every chunk at {missing[:5]}"


@given(text=TEXTS, size=st.integers(100, 600), overlap_share=st.floats(0, 0.49))
@hsettings(max_examples=300, deadline=None)
def test_chunks_are_exact_slices_covering_the_text(text, size, overlap_share):
    check_invariants(text, size, int(size * overlap_share))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \r\n\t  ",
        "a" * 10_000,  # one very long line without spaces or punctuation
        ("no punctuation at all just words " * 300).strip(),
        "Line one\r\nLine two\r\n\r\nLine three. \u201cQuote.\u201d \U0001f600 end\r\n" * 50,
        "\U0001f469\u200d\U0001f469\u200d\U0001f467" * 400,
    ],
    ids=["empty", "whitespace", "long-line", "no-punctuation", "crlf-quotes-emoji", "zwj-emoji"],
)
def test_awkward_inputs(text):
    check_invariants(text, 200, 50)


def test_sentences_are_not_cut_when_they_fit():
    sentences = [f"Sentence number {i} says something about the report." for i in range(40)]
    text = " ".join(sentences)
    for chunk in chunk_text(text, 300, 60):
        assert chunk.text.startswith("Sentence number") and chunk.text.endswith("report.")


def test_overlap_repeats_trailing_sentences():
    text = " ".join(f"Sentence {i} is here." for i in range(30))
    spans = chunk_spans(text, 100, 40)
    assert any(b[0] < a[1] for a, b in zip(spans, spans[1:]))
    assert all(b[0] >= a[1] for a, b in zip(chunk_spans(text, 100, 0), chunk_spans(text, 100, 0)[1:]))


def test_emoji_sequences_are_not_split_by_hard_cuts():
    family = "\U0001f469\u200d\U0001f469\u200d\U0001f467"
    for chunk in chunk_text(family * 100, 101, 0):
        assert not chunk.text.startswith("\u200d")


def test_overlap_never_repeats_a_chunk_when_the_next_sentence_is_long():
    # Found by hypothesis: the overlap stepped back so far that the next long sentence no
    # longer fit, and the second chunk ended where the first did.
    text = "The report was late. The report was late. " + "The report was late." * 4
    check_invariants(text, 100, 25)


def test_a_hard_cut_never_leaves_a_line_separator_at_a_chunk_end():
    """Found by the property test: a 99-character line then U+2028 was cut right after it."""
    check_invariants("\U0001f44d\U0001f3fd" + "x" * 97 + "\u2028The report was late.", 100, 0)


def test_a_chunk_starting_inside_a_table_keeps_its_header_row():
    """A chunk that opens on "| 7 | West beach lagoon | 0.8 m |" holds no row naming its columns:
    its outline keeps the table's header, stored with it and loaded back."""
    from index.headings import dump_outline, load_outline

    text = ("Intro line here.\n\n| Station | Location | Depth |\n|---|---|---|\n| 1 | Harbour mouth | 6.5 m |\n"
            "| 2 | East quay | 4.0 m |\n| 7 | West beach lagoon | 0.8 m |\n\nAfter the table.")
    chunks = chunk_text(text, 60, 0)
    assert [c.outline.get("columns") for c in chunks] == [None, "| Station | Location | Depth |",
                                                          "| Station | Location | Depth |", None]
    assert chunks[2].text.startswith("| 2 | East quay")
    assert load_outline(dump_outline(chunks[2].outline))["columns"] == "| Station | Location | Depth |"
    assert "columns" not in load_outline(dump_outline(chunks[0].outline))
