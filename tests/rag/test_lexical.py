
from rag.lexical import BM25Index, terms


def test_terms_are_stemmed_content_words():
    assert terms("The agents were reviewing the reports") == ["agent", "review", "report"]
    assert terms("Trump\u2019s rally") == terms("Trump's rally") == ["trump", "ralli"]


def test_bm25_ranks_matching_chunks_and_follows_removals():
    index = BM25Index()
    index.add("a", "The pipe bomb was found near the DNC building.")
    index.add("b", "The rally in Butler ended in gunfire.")
    index.add("c", "Agents reviewed the bomb report.")
    hits = index.search("where was the pipe bomb found", 3)
    assert [h[0] for h in hits][:2] == ["a", "c"]
    index.remove("a")
    assert "a" not in index and len(index) == 2
    assert [h[0] for h in index.search("pipe bomb", 3)] == ["c"]
    index.add("c", "Now about weather only.")  # re-adding replaces
    assert index.search("bomb", 3) == []


def test_bm25_filter_and_idf():
    index = BM25Index()
    for i in range(10):
        index.add(str(i), "common word" + (" rare" if i == 3 else ""))
    assert index.idf("rare") > index.idf("common")
    assert index.search("common", 10, allowed=lambda cid: cid in {"1", "2"}) != []
    assert {h[0] for h in index.search("common", 10, allowed=lambda cid: cid in {"1", "2"})} == {"1", "2"}


def test_stems_are_porters():
    from rag.lexical import stem, terms

    assert [stem(w) for w in ("discovered", "discovery", "ponies", "relational", "hopping")] == [
        "discov", "discoveri", "poni", "relat", "hop"
    ]
    assert terms("The bombs were discovered") == ["bomb", "discov"]


def test_bm25_ties_go_by_the_text_part_of_the_id_not_the_path_part():
    """A chunk id starts with its document id, a hash of the file's path: ties broken by it
    ranked the same corpus differently in another folder."""
    from rag.lexical import content_order

    index = BM25Index()
    index.add("ffff0000:aaaa:0", "The pipe bomb was found at 1:05 p.m.")
    index.add("0000ffff:bbbb:0", "The pipe bomb was found at 1:05 p.m.")
    assert [cid for cid, _ in index.search("pipe bomb", 2)] == ["ffff0000:aaaa:0", "0000ffff:bbbb:0"]
    assert content_order("ffff0000:aaaa:0") < content_order("0000ffff:bbbb:0")


def test_a_word_hyphenated_across_lines_is_read_whole():
    from rag.lexical import words
    from rag.schema import display_text, unwrapped

    text = "In par\u2010\n       ticular, it will ignore symbolic links; a soft\u00adhyphen too."
    assert unwrapped(text) == "In particular, it will ignore symbolic links; a softhyphen too."
    assert "particular" in words(text) and "softhyphen" in words(text)
    assert display_text(text).startswith("In particular, it")
    assert unwrapped("well-\nknown") == "well-\nknown"  # a hyphen of the word itself stays
    assert unwrapped("plain text") == "plain text"


def test_a_quoted_email_is_read_without_its_quote_marks_and_a_lone_mark_is_no_candidate():
    import numpy as np

    from rag.extractive import build_candidates
    from rag.lexical import words
    from rag.retrieve import Passage
    from rag.schema import display_text, unwrapped

    text = "Marek wrote:\n> The racks are only\n> free after the Friday window.\n> >\n>> Two people carry the shelves.\n"
    assert unwrapped(text) == "Marek wrote:\nThe racks are only\nfree after the Friday window.\n\nTwo people carry the shelves.\n"
    assert ">" not in words(text) and display_text("> The racks are only\n> free.") == "The racks are only free."
    assert unwrapped("if a > b then") == "if a > b then"  # only a mark that opens its line
    passage = Passage(chunk_id="c", document_id="m.txt", source="m.txt", title="m.txt", date=None,
                      start_char=0, end_char=len(text), text=text, score=1.0)
    vectors = lambda passages: [np.ones((len(p.spans), 4), dtype=np.float32) for p in passages]  # noqa: E731
    embed = lambda texts: np.ones((len(texts), 4), dtype=np.float32)  # noqa: E731
    found = build_candidates("When are the racks free?", [passage], np.ones(4, dtype=np.float32), embed, lambda term: 1.0, vectors)
    assert found and all(any(ch.isalnum() for ch in c.text) for c in found)
