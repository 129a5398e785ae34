from hypothesis import given, settings as hsettings, strategies as st

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


def test_vendored_porter_stems_exactly_as_nltk():
    import json
    import re

    from nltk.stem import PorterStemmer as NltkPorter

    from rag.porter import PorterStemmer
    from tests.conftest import SEEDS

    text = " ".join(p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt"))
    gold = (SEEDS.parent / "eval" / "gold" / "seed.jsonl").read_text(encoding="utf-8")
    text += " " + " ".join(json.loads(line)["question"] for line in gold.splitlines() if line.strip())
    vocabulary = set(re.findall(r"[a-z']+", text.lower())) | {
        "generously", "hopping", "caresses", "ponies", "relational", "conditional", "rationalisation", "sky", "dying",
    }
    ours, theirs = PorterStemmer(), NltkPorter()
    assert [ours.stem(w) for w in sorted(vocabulary)] == [theirs.stem(w) for w in sorted(vocabulary)]


_VOCAB = ["bomb", "rally", "agent", "roof", "report", "river", "storm", "vote"]


@hsettings(max_examples=60, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=6), min_size=1, max_size=400),
    query=st.lists(st.sampled_from(_VOCAB), min_size=1, max_size=3),
    limit=st.integers(1, 12),
    keep=st.integers(1, 7),
)
def test_bm25_best_hits_equal_the_fully_sorted_ranking(docs, query, limit, keep):
    # Few words and many documents: many ties and hits beyond the partitioned top.
    index = BM25Index()
    for number, words in enumerate(docs):
        index.add(f"c{number:04d}", " ".join(words))
    allowed = lambda cid: int(cid[1:]) % keep == 0  # noqa: E731
    for check in (None, allowed):
        everything = index.search(" ".join(query), len(docs), check)
        assert everything == sorted(everything, key=lambda item: (-item[1], item[0]))
        assert index.search(" ".join(query), limit, check) == everything[:limit]
