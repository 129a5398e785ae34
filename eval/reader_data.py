"""Training pairs for the reader, built from SQuAD 1.1 (which has no unanswerable questions).

For each question: its answer-bearing sentence is a positive; the negatives are the paragraph's
other sentences that lack the answer (the one right after the answer first: it carries the
answer in its context segment, so the model learns to judge the sentence itself), the most
on-topic sentence of another paragraph of the same article, and the question perturbed so the
positive sentence no longer answers it: a name or number swapped for another from the article,
a negation, an antonym (the kinds of unanswerable question SQuAD 2.0 was written as). With
`deletions`, also the answer sentence with the answer cut out where that leaves a sentence
("The bomb was found at 1:05 p.m. by an officer." asked "When was the bomb found?" becomes
"The bomb was found by an officer."): on topic, every other word of the question still there,
and no answer, as in questions that ask for a detail the text never gives. With `siblings`,
also the answer sentence asked another question of its paragraph that it does not answer (of
those, the one sharing most words with it): a question people wrote about the same subject,
asking for what this sentence does not say ("How fast could a penny-farthing go?" against the
sentence giving its wheel's size), the commonest unanswerable question over a user's own
documents. With `word_swaps`, also the question with one of its common nouns that the sentence
states swapped for another noun of the article that neither the sentence nor its context
states ("How long are magazines lent for?" against "Books are lent for three weeks."): the
near miss users ask most over their own documents, which name swaps never show the model
(those swap only capitalised names and numbers). Every choice is seeded. Paragraphs are split with the splitter the answerer uses.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, replace
from typing import Iterator, Sequence

from index.headings import title_heading
from index.sentences import sentence_spans
from rag.lexical import STOPWORDS, terms

_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_AUX = re.compile(r"\b(is|was|are|were|did|does|do|can|could|has|have|had|will|would|should)\b", re.IGNORECASE)
_ANTONYMS = dict(
    pair for a, b in (
        ("first", "last"), ("largest", "smallest"), ("biggest", "smallest"), ("before", "after"),
        ("most", "least"), ("highest", "lowest"), ("earliest", "latest"), ("increase", "decrease"),
        ("increased", "decreased"), ("north", "south"), ("east", "west"), ("won", "lost"),
        ("minimum", "maximum"), ("older", "younger"), ("oldest", "youngest"), ("longest", "shortest"),
        ("more", "fewer"), ("best", "worst"), ("start", "end"), ("began", "ended"), ("early", "late"),
        ("inside", "outside"), ("above", "below"), ("upper", "lower"), ("major", "minor"),
        ("positive", "negative"), ("rise", "fall"), ("male", "female"), ("open", "closed"),
        ("accepted", "rejected"), ("allowed", "banned"), ("successful", "unsuccessful"),
    ) for pair in ((a, b), (b, a))
)
# Words that lead into an answer and go with it when it is cut out ("at 1:05 p.m.", "by the Navy").
_LEAD_IN = re.compile(
    r"(?:\b(?:in|on|at|by|from|during|since|until|for|to|with|about|than|into|near|under|over|after|before"
    r"|between|against|among|around|through|of|as)\s+(?:(?:the|a|an|some|about|around|nearly|almost|over"
    r"|approximately|roughly)\s+)*)$",
    re.IGNORECASE,
)
_JOINS = frozenset(
    "and or but nor which that who whom whose where when while after before since until as in on at by for from"
    " with to into of than so because although though if".split()
)
# A bare count: "40", "1,500", "five", "$3 million".
_QUANTITY = re.compile(r"\$?\d[\d,.]*(?:\s+(?:hundred|thousand|million|billion))?"
                       r"|(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundreds|thousands)",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Pair:
    question: str
    sentence: str
    previous: str
    label: float
    kind: str  # positive, paragraph, next, article, swap, negation, antonym, section, section_swap, deletion, sibling, word_swap
    heading: str = ""  # the article's title (or the subject, for section pairs), for a reader that reads headings


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _overlap(question_terms: set[str], text: str) -> float:
    return len(question_terms & set(terms(text))) / (len(question_terms) or 1)


def _sentences(context: str) -> list[str]:
    return [context[s:e] for s, e in sentence_spans(context)]


def _answer_sentence(spans: list[tuple[int, int]], context: str, answer: str, hint: int, question_terms: set[str]) -> int | None:
    """The sentence that holds the answer: of the sentences holding its text, the one that
    best matches the question (`answer_start` may point at an earlier occurrence)."""
    holding = [i for i, (s, e) in enumerate(spans) if answer in context[s:e]]
    if not holding:
        return next((i for i, (s, e) in enumerate(spans) if s <= hint < e), None)
    return max(holding, key=lambda i: (_overlap(question_terms, context[spans[i][0]:spans[i][1]]), -i))


def swap_entity(question: str, sentence: str, pool: list[str], rng: random.Random) -> str | None:
    """The question with one of its names or numbers that the sentence states replaced by
    another from the article that the sentence does not state."""
    lowered = sentence.lower()
    spots = [m for m in list(_NAME.finditer(question)) + list(_NUMBER.finditer(question))
             if m.start() > 0 and m.group().lower() in lowered and m.group().lower() not in STOPWORDS]
    if not spots:
        return None
    spot = rng.choice(spots)
    is_number = spot.group()[0].isdigit()
    options = [p for p in pool if p[0].isdigit() == is_number and p.lower() not in lowered and p != spot.group()]
    if not options:
        return None
    return question[:spot.start()] + rng.choice(options) + question[spot.end():]


# A word between a determiner and a preposition, a verb or punctuation heads a noun phrase ("the
# museum is", "their books."): the only nouns a swap takes, so that an adjective, a verb or an
# adverb is never swapped into a question.
_DETERMINER_WORD = re.compile(
    r"\b(?i:the|a|an|his|her|its|their|our|this|these|those|each|every)\s+([a-z][a-z-]{3,})"
    r"(?=[,.;:)]|\s+(?:of|in|on|at|for|to|with|from|by|and|or|is|was|are|were|has|had|have|that|which|who)\b)"
)
_PLAIN_WORD = re.compile(r"\b[a-z][a-z-]{3,}\b")
WORD_SWAP_SHARE = 0.75  # of the questions where a word swap can be made


def article_nouns(paragraphs: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The article's nouns, near enough, for `swap_word`: lower-case words between a determiner
    and a preposition, a verb or punctuation, in alphabetical order, each with its terms (found
    once per article, not once per question)."""
    found = {m.group(1) for c in paragraphs for m in _DETERMINER_WORD.finditer(c) if m.group(1) not in STOPWORDS}
    return {noun: tuple(terms(noun)) for noun in sorted(found)}


def _plural(word: str) -> bool:
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


def swap_word(question: str, sentence: str, context: str, nouns: dict[str, tuple[str, ...]],
              rng: random.Random) -> str | None:
    """The question with one of its lower-case nouns that `sentence` states replaced by another
    noun of the article (`article_nouns`) that neither the sentence nor `context` (the sentence
    before it, its heading) states and the question does not use, of the same number (a plural
    for a plural); None where there is no such pair."""
    stated = set(terms(sentence))
    asked = set(terms(question))
    spots = [m for m in _PLAIN_WORD.finditer(question) if nouns.get(m.group()) and nouns[m.group()][0] in stated]
    around = stated | set(terms(context)) | asked
    fits = [noun for noun, noun_terms in nouns.items() if noun_terms and not set(noun_terms) & around]
    choices = [(spot, options) for spot in spots if (options := [n for n in fits if _plural(n) == _plural(spot.group())])]
    if not choices:
        return None
    spot, options = rng.choice(choices)
    return question[:spot.start()] + rng.choice(options) + question[spot.end():]


def negate(question: str) -> str | None:
    match = _AUX.search(question)
    if not match:
        return None
    if re.search(r"\bnot\b|n't\b|\bnever\b", question):
        return None
    return question[:match.end()] + " not" + question[match.end():]


def antonym(question: str) -> str | None:
    tokens = re.split(r"(\W+)", question)
    spots = [i for i, t in enumerate(tokens) if t.lower() in _ANTONYMS]
    if not spots:
        return None
    i = spots[0]
    word = _ANTONYMS[tokens[i].lower()]
    tokens[i] = word.capitalize() if tokens[i][0].isupper() else word
    return "".join(tokens)


def delete_answer(sentence: str, answer: str) -> str | None:
    """`sentence` with `answer` cut out, or None where no sentence would be left. The answer
    goes with the preposition that leads into it ("found at 1:05 p.m." -> "found"); a quantity
    before a noun becomes "several" ("4,000 pressed plants" -> "several pressed plants").
    Answers in other places (a subject, after "is") are left alone: cutting them leaves no
    sentence, and the model would learn broken grammar instead of missing answers."""
    answer = answer.strip()
    at = sentence.find(answer)
    if not answer or at < 0 or len(answer) > 0.6 * len(sentence):
        return None
    before, after = sentence[:at], sentence[at + len(answer):]
    if re.match(r"\s*\d", after):
        return None  # part of a date or figure ("January 13, 2009")
    follows = re.match(r"\s+([a-z]+)", after)
    count = (bool(_QUANTITY.fullmatch(answer)) and bool(follows) and follows.group(1) not in _JOINS
             and not re.fullmatch(r"1\d{3}|20\d{2}", answer)  # a year names ("the 1906 earthquake")
             and not re.search(r"\b(?:the|a|an|its|his|her|their|this|that|our)\s+$", before, re.IGNORECASE))
    if follows and follows.group(1) not in _JOINS and not count:
        return None  # the answer qualifies the next word ("the 19th century"): cutting it breaks the phrase
    lead = _LEAD_IN.search(before)
    if count and before[-1:].isspace():
        before += "several"  # "five species of tree squirrels" -> "several species of tree squirrels"
    elif lead:
        before = before[:lead.start()]
    else:
        return None
    text = re.sub(r"\s+([,.;:!?)])", r"\1", re.sub(r"\s{2,}", " ", before + after)).strip()
    text = re.sub(r",\s*([.;:!?])", r"\1", re.sub(r",\s*,", ",", text)).lstrip(",;: ")
    if len(text.split()) < 4 or _norm(answer) in _norm(text):
        return None
    return text[0].upper() + text[1:]


def section_pairs(question: str, sentence: str, answer: str, pool: list[str], rng: random.Random) -> list[Pair]:
    """The subject moved from the sentence into its heading, as documents with sections write
    it ("## Ridge trail" over "The highest point is Crow Knoll."): the question's name that the
    sentence states becomes the heading and "it" in the sentence. A positive with that heading,
    and a negative with another name of the article as the heading (the section is about
    something else). None where the question names nothing the sentence states, or where the
    answer holds the name."""
    names = [m.group() for m in _NAME.finditer(question)
             if m.start() > 0 and len(m.group()) > 3 and m.group().lower() not in STOPWORDS and m.group() in sentence]
    if not names:
        return []
    name = max(names, key=len)
    if name in answer:
        return []
    def _it(match: re.Match) -> str:
        if re.search(r"[A-Z][\w.]*\s+$", sentence[:match.start()]):
            return match.group()  # part of a longer name ("BBC Japan")
        word = "its" if match.group().endswith(("'s", "\u2019s")) else "it"
        return word.capitalize() if match.start() == 0 else word
    # "Carrefour's" becomes "its"; a name joined to a word ("pro-China") or naming a kind
    # ("the Carrefour boycott") is left alone
    moved = re.sub(r"(?<![\w-])(?:[Tt]he\s+)?" + re.escape(name) + r"(?:'s|’s)?(?![\w-]|\s+[a-z]+\s+(?:of|is|was|were|are)\b)",
                   _it, sentence)
    if _norm(answer) not in _norm(moved) or moved == sentence:
        return []
    lowered = (question + " " + sentence).lower()
    others = [p for p in pool if not p[0].isdigit() and p.lower() not in lowered and len(p) > 3]
    pairs = [Pair(question, moved, "", 1.0, "section", heading=name)]
    if others:
        pairs.append(Pair(question, moved, "", 0.0, "section_swap", heading=rng.choice(others)))
    return pairs


SECTION_SHARE = 0.35  # of the questions where the subject can move into a heading


def article_title(article: dict) -> str:
    """The SQuAD article's title as a heading reads ("Super_Bowl_50" -> "Super Bowl 50")."""
    return article.get("title", "").replace("_", " ")


def article_pairs(article: dict, rng: random.Random, keep: set[tuple[int, int]] | None = None,
                  sections: bool = False, deletions: bool = False, max_overlap: float | None = None,
                  overlapping: float = 0.0, siblings: bool = False, word_swaps: bool = False) -> Iterator[Pair]:
    """Pairs for the article's questions (only the (paragraph, question) indexes in `keep`, if
    given); with `sections`, also `section_pairs` for a share of them; with `deletions`, also
    the answer sentence without its answer (`delete_answer`), where one can be made; with
    `siblings`, also the answer sentence asked a question of its paragraph it does not answer
    (`sibling_question`); with `word_swaps`, for the share `WORD_SWAP_SHARE` of the questions
    (by their text), also the question with a noun swapped (`swap_word`); with
    `max_overlap`, only the questions whose answer sentence repeats less than that share of
    their content words (paraphrased questions, which the reader reads worst), and of the
    others the share `overlapping`, chosen by their text (`_kept_share`), so that a run on
    paraphrases still sees the ordinary questions it must not forget how to read."""
    paragraphs = [p["context"] for p in article["paragraphs"]]
    title = article_title(article)
    split = [sentence_spans(c) for c in paragraphs]
    pool = sorted({m.group() for c in paragraphs for m in _NAME.finditer(c) if len(m.group()) > 2}
                  | {m.group().rstrip(".,") for c in paragraphs for m in _NUMBER.finditer(c)})
    nouns = article_nouns(paragraphs) if word_swaps else {}
    for index, paragraph in enumerate(article["paragraphs"]):
        context, spans = paragraphs[index], split[index]
        sentences = [context[s:e] for s, e in spans]
        for number, qa in enumerate(paragraph["qas"]):
            if keep is not None and (index, number) not in keep:
                continue
            question = qa["question"].strip()
            answer = qa["answers"][0]
            question_terms = set(terms(question))
            at = _answer_sentence(spans, context, answer["text"], answer["answer_start"], question_terms)
            if at is None:
                continue
            if (max_overlap is not None and _overlap(question_terms, sentences[at]) >= max_overlap
                    and not _kept_share(question, overlapping)):
                continue
            previous = sentences[at - 1] if at else ""
            yield Pair(question, sentences[at], previous, 1.0, "positive")
            answer_norm = _norm(answer["text"])
            lacking = [i for i in range(len(sentences)) if i != at and answer_norm not in _norm(sentences[i])]
            if at + 1 in lacking:
                yield Pair(question, sentences[at + 1], sentences[at], 0.0, "next")
                lacking.remove(at + 1)
            if lacking:
                i = max(lacking, key=lambda j: (_overlap(question_terms, sentences[j]), rng.random()))
                yield Pair(question, sentences[i], sentences[i - 1] if i else "", 0.0, "paragraph")
            others = [(p, j) for p in range(len(paragraphs)) if p != index for j in range(len(split[p]))]
            if others:
                sample = rng.sample(others, min(40, len(others)))
                texts = {(p, j): paragraphs[p][split[p][j][0]:split[p][j][1]] for p, j in sample}
                candidates = [key for key in sample if answer_norm not in _norm(texts[key])]
                if candidates:
                    p, j = max(candidates, key=lambda key: _overlap(question_terms, texts[key]))
                    prev = paragraphs[p][split[p][j - 1][0]:split[p][j - 1][1]] if j else ""
                    yield Pair(question, texts[(p, j)], prev, 0.0, "article")
            for kind, perturbed in _perturbations(question, sentences[at], pool, rng):
                yield Pair(perturbed, sentences[at], previous, 0.0, kind)
            # Not where a heading (the article's title) holds the answer: there the cut sentence
            # still answers, as a section pair does.
            if deletions and answer_norm not in _norm(previous) and answer_norm not in _norm(title):
                cut = delete_answer(sentences[at], answer["text"])
                if cut is not None:
                    yield Pair(question, cut, previous, 0.0, "deletion")
            if siblings:
                other = sibling_question(paragraph["qas"], number, context, spans, at)
                if other is not None:
                    yield Pair(other, sentences[at], previous, 0.0, "sibling")
            if word_swaps and _kept_share("word:" + question, WORD_SWAP_SHARE):
                # a generator of its own, seeded by the question, so the rest of the run is unchanged
                swapped = swap_word(question, sentences[at], previous + " " + title, nouns,
                                    random.Random(zlib.crc32(question.encode("utf-8"))))  # nosec B311
                if swapped is not None:
                    yield Pair(swapped, sentences[at], previous, 0.0, "word_swap")
            if sections and rng.random() < SECTION_SHARE:
                yield from section_pairs(question, sentences[at], answer["text"], pool, rng)


def sibling_question(qas: list[dict], number: int, context: str, spans: list[tuple[int, int]], at: int) -> str | None:
    """Of the paragraph's other questions, the one sharing most content words with sentence
    `at` (the answer sentence of question `number`) that it does not answer: none of that
    question's answers is in it, and its own answer sentence is another. None where no other
    question shares a word with it. No random draws, so the rest of a run is unchanged."""
    sentence = context[spans[at][0]:spans[at][1]]
    text = _norm(sentence)
    best, best_overlap = None, 0.0
    for other, qa in enumerate(qas):
        question = qa["question"].strip()
        answers = qa.get("answers") or []
        if other == number or not answers or any(_norm(a["text"]) in text for a in answers):
            continue
        question_terms = set(terms(question))
        own = _answer_sentence(spans, context, answers[0]["text"], answers[0]["answer_start"], question_terms)
        overlap = _overlap(question_terms, sentence)
        if own != at and overlap > best_overlap:
            best, best_overlap = question, overlap
    return best


def _kept_share(question: str, share: float) -> bool:
    """Whether the question falls in the kept `share`: drawn from a hash of its text, not from
    the pair stream, so the rest of a run's pairs are the same with any share."""
    return share > 0 and zlib.crc32(question.encode("utf-8")) / 2**32 < share


def _perturbations(question: str, sentence: str, pool: list[str], rng: random.Random) -> list[tuple[str, str]]:
    """At most one perturbed question: a swap when one is possible (the commonest kind of
    unanswerable question), else an antonym, else a negation, each only where it applies."""
    for kind, make in (("swap", lambda: swap_entity(question, sentence, pool, rng)),
                       ("antonym", lambda: antonym(question)), ("negation", lambda: negate(question))):
        if kind == "negation" and rng.random() < 0.5:
            continue  # negation is the weakest signal: half of the questions without a swap skip it
        text = make()
        if text and text != question:
            return [(kind, text)]
    return []


def _untitled(seed: int, article: int, share: float) -> bool:
    """Whether the article is read without its title: a draw of its own for each article."""
    return share > 0 and random.Random(f"untitled:{seed}:{article}").random() < share  # nosec B311


Drawn = dict[int, set[tuple[int, int]]]  # article -> its (paragraph, question) indexes


def build_pairs(data: dict, articles: list[int], seed: int, max_questions: int | None = None,
                headings: bool = False, sections: bool = False, exclude: Drawn | None = None,
                drawn: Drawn | None = None, deletions: bool = False, untitled: float = 0.0,
                max_overlap: float | None = None, overlapping: float = 0.0, siblings: bool = False,
                word_swaps: bool = False) -> list[Pair]:
    """Pairs from the given articles; with `max_questions`, that many questions drawn evenly
    across the articles (seeded). `headings`: each pair carries its article's title, what a
    document's heading is at answer time (every pair of an article has the same one, so it
    tells the model where a sentence is, never which sentence answers). `sections` (with
    `headings`): also the section pairs, whose heading is their subject. `exclude`: questions
    never drawn (another run's); `drawn`, when given, is filled with the questions used.
    `deletions`: also the answer-cut negatives (no random draws, so the rest is unchanged).
    `untitled` (with `headings`): this share of the articles carry no title, as a document
    without a title line reads at answer time (`index.headings.title_heading`); which ones is
    seeded apart from the draw, so the questions drawn are the same with any share.
    `max_overlap`: of the questions drawn, only those `article_pairs` calls paraphrased, and
    the share `overlapping` of the others. `siblings`: also `sibling_question` negatives (no
    random draws either). `word_swaps`: also `swap_word` negatives (a generator of their own)."""
    rng = random.Random(seed)  # nosec B311 - seeded sampling of training data, not security
    per_article = max(1, round(max_questions / len(articles))) if max_questions and articles else None
    out: list[Pair] = []
    for a in articles:
        article = data["data"][a]
        every = [(p, q) for p, paragraph in enumerate(article["paragraphs"]) for q in range(len(paragraph["qas"]))
                 if not exclude or (p, q) not in exclude.get(a, ())]
        keep = None  # every question of the article
        if per_article is not None:
            keep = set(rng.sample(every, min(per_article, len(every))))
        elif exclude:
            keep = set(every)
        if drawn is not None:
            drawn[a] = set(every) if keep is None else keep
        title = title_heading(article_title(article)) if headings and not _untitled(seed, a, untitled) else ""
        out.extend(replace(pair, heading=title) if title and not pair.heading else pair
                   for pair in article_pairs(article, rng, keep, sections and headings, deletions, max_overlap,
                                                 overlapping, siblings, word_swaps))
    return out


def drawn_before(data: dict, articles: list[int], seed: int, runs: Sequence[int], headings: bool = False,
                 sections: bool = False) -> Drawn:
    """The questions that earlier runs drew, replayed in order: the first run drew `runs[0]`
    questions, each later one `runs[i]` of those the runs before it had not. (Sampling shares
    its random stream with pair building, so only a full replay gives the same draw.)"""
    seen: Drawn = {}
    for count in runs:
        drawn: Drawn = {}
        build_pairs(data, articles, seed, count, headings, sections, exclude=seen or None, drawn=drawn)
        for article, questions in drawn.items():
            seen.setdefault(article, set()).update(questions)
    return seen
