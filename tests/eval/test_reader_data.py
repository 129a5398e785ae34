"""The reader's training pairs: the perturbations and the section pairs, on made-up text."""

from __future__ import annotations

import random
from dataclasses import replace

from eval.reader_data import (
    antonym,
    article_nouns,
    article_pairs,
    build_pairs,
    delete_answer,
    drawn_before,
    negate,
    section_pairs,
    sibling_question,
    swap_entity,
    swap_word,
)

ARTICLE = {
    "title": "Ridge_trail",
    "paragraphs": [
        {
            "context": "The Ridge trail starts at Millbrook. The highest point of the Ridge trail is Crow Knoll, "
                       "at 610 metres. Walkers from Hollins often take it in spring.",
            "qas": [{"question": "What is the highest point of the Ridge trail?",
                     "answers": [{"text": "Crow Knoll", "answer_start": 77}]}],
        },
        {"context": "The Riverside trail follows the river to Ashdale. It is 4 km long.",
         "qas": [{"question": "Where does the Riverside trail lead?", "answers": [{"text": "Ashdale", "answer_start": 42}]}]},
    ],
}


def test_the_subject_moves_into_the_heading_and_a_foreign_heading_is_a_negative():
    pairs = section_pairs("How high is Crow Knoll above the valley?", "Crow Knoll rises to 610 metres above Millbrook.",
                          "610 metres", ["Ashdale", "Hollins", "Crow Knoll"], random.Random(1))
    assert [(p.kind, p.label) for p in pairs] == [("section", 1.0), ("section_swap", 0.0)]
    positive, negative = pairs
    assert positive.heading == "Crow Knoll" and positive.sentence == "It rises to 610 metres above Millbrook."
    assert positive.sentence == negative.sentence and negative.heading in ("Ashdale", "Hollins")
    assert positive.previous == negative.previous == ""


def test_a_name_that_names_a_kind_stays_in_the_sentence():
    # "the Ridge trail is ...": "it trail" would not be English, so no pair
    assert section_pairs("What is the highest point of the Ridge trail?",
                         "The highest point of the Ridge trail is Crow Knoll.", "Crow Knoll", ["Hollins"], random.Random(1)) == []


def test_no_section_pair_where_the_answer_holds_the_name_or_the_sentence_lacks_it():
    rng = random.Random(1)
    assert section_pairs("Who founded Acme Mills?", "Acme Mills was founded by Acme Mills.", "Acme Mills", ["Hollins"], rng) == []
    assert section_pairs("When did Drais ride?", "He rode it in 1817.", "1817", ["Hollins"], rng) == []


def test_a_name_inside_a_longer_name_stays_and_a_possessive_becomes_its():
    pairs = section_pairs("When did BBC Japan and Japan's channel close?", "Japan's channel closed in 2006, like BBC Japan.",
                          "2006", ["Hollins"], random.Random(0))
    assert pairs and pairs[0].heading == "Japan"
    assert pairs[0].sentence == "Its channel closed in 2006, like BBC Japan."


def test_perturbed_questions_no_longer_match_the_sentence():
    rng = random.Random(3)
    swapped = swap_entity("What is the highest point of the Ridge trail?", "The highest point of the Ridge trail is Crow Knoll.",
                          ["Riverside", "Crow Knoll", "Ridge"], rng)
    assert swapped == "What is the highest point of the Riverside trail?"
    assert negate("Is the trail open?") == "Is not the trail open?"
    assert negate("Is the trail not open?") is None
    assert antonym("What is the highest point?") == "What is the lowest point?"


def test_section_pairs_come_only_when_asked_and_are_seeded(monkeypatch):
    plain = list(article_pairs(ARTICLE, random.Random(5)))
    assert not any(p.kind.startswith("section") for p in plain)
    monkeypatch.setattr("eval.reader_data.SECTION_SHARE", 1.0)
    first = list(article_pairs(ARTICLE, random.Random(5), sections=True))
    again = list(article_pairs(ARTICLE, random.Random(5), sections=True))
    assert first == again
    assert {p.kind for p in first} >= {"positive", "section", "section_swap"}
    assert all(p.heading for p in first if p.kind.startswith("section"))


def _two_articles() -> dict:
    """A SQuAD file of two articles, of 12 and 6 one-question paragraphs."""
    paragraphs = [{"context": f"Stop {i} of the Ridge trail is Crow Knoll. It is {i} km from Millbrook.",
                   "qas": [{"question": f"What is stop {i} of the Ridge trail?",
                            "answers": [{"text": "Crow Knoll", "answer_start": 27 + len(str(i))}]}]}
                  for i in range(12)]
    return {"data": [{"title": "Ridge", "paragraphs": paragraphs}, {"title": "Vale", "paragraphs": paragraphs[:6]}]}


def test_a_second_sample_draws_only_questions_the_first_did_not():
    data = _two_articles()
    first: dict = {}
    pairs = build_pairs(data, [0, 1], 3, 8, drawn=first)
    assert sum(map(len, first.values())) == 8 and sum(p.kind == "positive" for p in pairs) == 8
    again: dict = {}
    assert build_pairs(data, [0, 1], 3, 8, drawn=again) == pairs and again == first  # replayed exactly
    second: dict = {}
    build_pairs(data, [0, 1], 3, 8, exclude=first, drawn=second)
    assert all(not (second[a] & first[a]) for a in (0, 1))
    assert len(second[0]) == 4 and len(second[1]) == 2  # article 1 had 6 questions: 4 drawn before, 2 left
    rest: dict = {}
    build_pairs(data, [0, 1], 3, None, exclude=first, drawn=rest)  # no limit: every question not drawn before
    assert {a: rest[a] | first[a] for a in (0, 1)} == {0: {(p, 0) for p in range(12)}, 1: {(p, 0) for p in range(6)}}


def test_earlier_runs_are_replayed_in_order_and_a_third_draws_what_neither_did():
    data = _two_articles()
    first: dict = {}
    build_pairs(data, [0, 1], 3, 6, drawn=first)
    second: dict = {}
    build_pairs(data, [0, 1], 3, 6, exclude=first, drawn=second)
    seen = drawn_before(data, [0, 1], 3, [6, 6])
    assert seen == {a: first[a] | second[a] for a in (0, 1)} and drawn_before(data, [0, 1], 3, [6]) == first
    third: dict = {}
    build_pairs(data, [0, 1], 3, None, exclude=seen, drawn=third)
    assert all(not (third[a] & seen[a]) for a in (0, 1))
    assert {a: third[a] | seen[a] for a in (0, 1)} == {0: {(p, 0) for p in range(12)}, 1: {(p, 0) for p in range(6)}}


def test_the_answer_is_cut_out_with_the_words_that_lead_into_it():
    assert delete_answer("The pipe bomb was found at 1:05 p.m. by a Capitol Police officer.", "1:05 p.m.") == \
        "The pipe bomb was found by a Capitol Police officer."
    assert delete_answer("In 1911, the museum opened on the north bank of the river.", "1911") == \
        "The museum opened on the north bank of the river."
    assert delete_answer("The forest has five species of tree squirrels.", "five") == \
        "The forest has several species of tree squirrels."
    assert delete_answer("Baird broadcasts via the BBC continued until June 1932.", "June 1932") == \
        "Baird broadcasts via the BBC continued."


def test_no_cut_where_it_would_leave_no_sentence():
    assert delete_answer("Crow Knoll is the highest point of the trail.", "Crow Knoll") is None  # the subject
    assert delete_answer("It emerged in the later part of the 19th century.", "19th") is None  # part of a phrase
    assert delete_answer("Season eight premiered on January 13, 2009.", "January") is None  # part of a date
    assert delete_answer("The highest point is Crow Knoll.", "Crow Knoll") is None  # after "is"
    assert delete_answer("It is 4 km long.", "Ashdale") is None  # not in the sentence
    assert delete_answer("The city was damaged in the 1906 earthquake.", "1906") is None  # a year that names


def test_deletion_pairs_come_only_when_asked_and_keep_the_rest_of_the_draw():
    plain = list(article_pairs(ARTICLE, random.Random(5)))
    cut = list(article_pairs(ARTICLE, random.Random(5), deletions=True))
    assert [p for p in cut if p.kind != "deletion"] == plain  # no random draws of its own
    (deletion,) = [p for p in cut if p.kind == "deletion"]
    assert deletion.label == 0.0 and deletion.question == "Where does the Riverside trail lead?"
    assert deletion.sentence == "The Riverside trail follows the river." and "Ashdale" not in deletion.sentence


def test_an_untitled_share_of_articles_is_read_without_its_title_and_keeps_the_draw():
    data = _two_articles()
    titled = build_pairs(data, [0, 1], 3, 8, headings=True)
    assert {p.heading for p in titled} == {"Ridge", "Vale"}
    mixed = 0
    for seed in range(3, 9):
        untitled = build_pairs(data, [0, 1], seed, 8, headings=True, untitled=0.5)
        plain = build_pairs(data, [0, 1], seed, 8, headings=True)
        assert [replace(p, heading="") for p in untitled] == [replace(p, heading="") for p in plain]  # same draw
        # a whole article loses its title or keeps it
        assert all(u.heading in (t.heading, "") for u, t in zip(untitled, plain))
        assert len({u.heading for u, t in zip(untitled, plain) if t.heading == "Ridge"}) == 1
        mixed += {p.heading for p in untitled} == {"", "Vale"} or {p.heading for p in untitled} == {"Ridge", ""}
    assert mixed  # at share 0.5 some seed reads one article without its title and the other with it
    assert {p.heading for p in build_pairs(data, [0, 1], 3, 8, headings=True, untitled=0.99)} == {""}
    assert build_pairs(data, [0, 1], 3, 8, untitled=0.99) == build_pairs(data, [0, 1], 3, 8)  # no headings: no-op


def test_max_overlap_keeps_only_the_questions_their_answer_sentence_paraphrases():
    data = _two_articles()
    assert build_pairs(data, [0, 1], 3, 8) and not build_pairs(data, [0, 1], 3, 8, max_overlap=0.34)
    context = "The valley has three trails. Crow Knoll is reached by the ridge path in two hours."
    paraphrased = {"question": "How long does the walk to the top take?", "answers": [{"text": "two hours", "answer_start": 72}]}
    copied = {"question": "How is Crow Knoll reached?", "answers": [{"text": "by the ridge path", "answer_start": 51}]}
    article = {"title": "Ashdale", "paragraphs": [{"context": context, "qas": [paraphrased, copied]}]}
    kept = build_pairs({"data": [article]}, [0], 3, None, max_overlap=0.34)
    assert {p.question for p in kept if p.kind == "positive"} == {paraphrased["question"]}
    assert {p.question for p in build_pairs({"data": [article]}, [0], 3, None) if p.kind == "positive"} == {
        paraphrased["question"], copied["question"]}


def test_overlapping_keeps_a_share_of_the_ordinary_questions_beside_the_paraphrases():
    data = _two_articles()
    only = build_pairs(data, [0, 1], 3, None, max_overlap=0.34)
    some = build_pairs(data, [0, 1], 3, None, max_overlap=0.34, overlapping=0.5)
    every = build_pairs(data, [0, 1], 3, None, max_overlap=0.34, overlapping=1.0)
    asked = [{p.question for p in pairs if p.kind == "positive"} for pairs in (only, some, every)]
    assert asked[0] <= asked[1] <= asked[2]
    assert asked[2] == {p.question for p in build_pairs(data, [0, 1], 3, None) if p.kind == "positive"}
    assert build_pairs(data, [0, 1], 3, None, max_overlap=0.34, overlapping=0.5) == some  # the same share each time


SIBLINGS = {
    "title": "Penny-farthing",
    "paragraphs": [{
        "context": "The penny-farthing had a front wheel up to 1.5 metres across. It was fast but dangerous. "
                   "It was made in Coventry.",
        "qas": [
            {"question": "How big was the front wheel of the penny-farthing?", "answers": [{"text": "1.5 metres", "answer_start": 45}]},
            {"question": "How fast was the penny-farthing?", "answers": [{"text": "fast but dangerous", "answer_start": 69}]},
            {"question": "Where was the penny-farthing made?", "answers": [{"text": "Coventry", "answer_start": 100}]},
            {"question": "What was the size of the wheel?", "answers": [{"text": "up to 1.5 metres across", "answer_start": 37}]},
        ],
    }],
}


def test_a_sibling_is_another_question_of_the_paragraph_the_sentence_does_not_answer():
    from index.sentences import sentence_spans

    context = SIBLINGS["paragraphs"][0]["context"]
    spans = sentence_spans(context)
    qas = SIBLINGS["paragraphs"][0]["qas"]
    # the first sentence answers questions 0 and 3; "How fast ..." and "Where ... made?" share
    # as much of their words with it (the penny-farthing): the first one wins the tie
    assert sibling_question(qas, 0, context, spans, 0) == "How fast was the penny-farthing?"
    # question 3's own answer is in the sentence: never its sibling, whatever it shares
    assert sibling_question(qas, 0, context, spans, 0) != qas[3]["question"]
    # no other question shares a word with a sentence: no sibling
    lone = [{"question": "Who rode it?", "answers": [{"text": "Ann", "answer_start": 0}]}]
    assert sibling_question(lone + qas[:1], 1, context, spans, 0) is None


def test_sibling_pairs_come_only_when_asked_and_keep_the_rest_of_the_draw():
    plain = list(article_pairs(SIBLINGS, random.Random(5)))
    with_siblings = list(article_pairs(SIBLINGS, random.Random(5), siblings=True))
    assert [p for p in with_siblings if p.kind != "sibling"] == plain  # no random draws of its own
    siblings = [p for p in with_siblings if p.kind == "sibling"]
    assert siblings and all(p.label == 0.0 for p in siblings)
    positives = {(p.question, p.sentence) for p in plain if p.kind == "positive"}
    for pair in siblings:
        assert (pair.question, pair.sentence) not in positives
        assert any(pair.sentence == s for _, s in positives)  # an answer sentence, asked another question


LIBRARY = {
    "title": "Library",
    "paragraphs": [
        {"context": "Books are lent for three weeks. The magazines are kept on the first floor. "
                    "The library has eight computers, and the computers are free.",
         "qas": [{"question": "How long are books lent for?", "answers": [{"text": "three weeks", "answer_start": 18}]},
                 {"question": "How many computers does the library have?",
                  "answers": [{"text": "eight", "answer_start": 92}]}]},
        {"context": "Each member pays a charge. The charge is ten pounds, and the card is free.",
         "qas": [{"question": "How much is the charge?", "answers": [{"text": "ten pounds", "answer_start": 41}]}]},
    ],
}


def test_nouns_are_the_words_that_head_a_phrase_after_a_determiner():
    nouns = article_nouns([p["context"] for p in LIBRARY["paragraphs"]])
    assert {"magazines", "library", "computers", "charge", "card"} <= set(nouns)
    # "the first floor": neither word is both after a determiner and before a preposition, a
    # verb or punctuation; "Each member pays": a verb the list does not hold follows
    assert not {"first", "floor", "eight", "member"} & set(nouns)


def test_a_word_swap_replaces_a_stated_noun_with_one_the_context_never_states():
    nouns = article_nouns([p["context"] for p in LIBRARY["paragraphs"]])
    sentence = "The library has eight computers, and the computers are free."
    for seed in range(10):
        swapped = swap_word("How many computers does the library have?", sentence, "Books are lent.", nouns,
                            random.Random(seed))
        assert swapped is not None and swapped != "How many computers does the library have?"
        # one noun the sentence states is gone, and the word put in its place is not stated
        # by the sentence, its context or the question, and keeps the number (a plural for a plural)
        assert swapped.startswith("How many magazines does") or swapped.endswith(("the card have?", "the charge have?"))
    # nothing the sentence states is a noun of the question: no swap
    assert swap_word("Who pays?", sentence, "", nouns, random.Random(0)) is None


def test_word_swaps_come_only_when_asked_and_keep_the_rest_of_the_draw(monkeypatch):
    monkeypatch.setattr("eval.reader_data.WORD_SWAP_SHARE", 1.0)  # every question where a swap can be made
    plain = list(article_pairs(LIBRARY, random.Random(5)))
    with_swaps = list(article_pairs(LIBRARY, random.Random(5), word_swaps=True))
    assert [p for p in with_swaps if p.kind != "word_swap"] == plain  # a generator of its own
    swaps = [p for p in with_swaps if p.kind == "word_swap"]
    assert swaps and all(p.label == 0.0 for p in swaps)
    positives = {p.sentence: p.question for p in plain if p.kind == "positive"}
    for pair in swaps:
        assert pair.sentence in positives and pair.question != positives[pair.sentence]
