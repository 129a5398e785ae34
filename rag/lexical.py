"""Words for lexical matching: tokens, stems, stopwords, and an incremental BM25 index."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from functools import lru_cache
from typing import Callable, Iterable

import numpy as np

from rag.schema import unwrapped

_WORD = re.compile(r"\w+(?:['\u2019]\w+)?", re.UNICODE)

STOPWORDS = frozenset(
    """
    a about above after again against all am an and any are aren't as at be because been before
    being below between both but by can can't cannot could couldn't did didn't do does doesn't
    doing don't down during each few for from further had hadn't has hasn't have haven't having
    he he'd he'll he's her here here's hers herself him himself his how how's i i'd i'll i'm i've
    if in into is isn't it it's its itself let's me more most mustn't my myself no nor not of off
    on once only or other ought our ours ourselves out over own same shan't she she'd she'll she's
    should shouldn't so some such than that that's the their theirs them themselves then there
    there's these they they'd they'll they're they've this those through to too under until up
    very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's
    which while who who's whom why why's with won't would wouldn't you you'd you'll you're you've
    your yours yourself yourselves s t also did does said says say tell told according
    """.split()
)


# The words that open a question and name no content ("Who built it?" is about "built").
WH_WORDS = frozenset("what which who whom whose when where why how".split())


@lru_cache(maxsize=1)
def _porter() -> Callable[[str], str]:
    import Stemmer  # PyStemmer: Snowball's C stemmers (importing nltk pulls in scipy and scikit-learn)

    return Stemmer.Stemmer("porter").stemWord


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Porter's stem of a lower-cased word ("discovered" -> "discov")."""
    return _porter()(word)


def words(text: str) -> list[str]:
    """Lowercased word tokens, apostrophes normalised, possessive 's dropped; a word
    hyphenated across lines is one word (`rag.schema.unwrapped`)."""
    out = []
    for word in _WORD.findall(unwrapped(text).lower()):
        word = word.replace("\u2019", "'")
        out.append(word[:-2] if word.endswith("'s") else word)
    return out


def terms(text: str) -> list[str]:
    """Stemmed content words: what lexical matching compares."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def content_order(chunk_id: str) -> tuple[str, str]:
    """How ties between chunks are broken: by the part of the id that comes from the document's
    text ("DOCUMENT:HASH:N" -> "HASH:N"), so the same corpus ranks the same wherever it lies (the
    document id hashes its path), then by the whole id."""
    return chunk_id.partition(":")[2], chunk_id


class BM25Index:
    """Okapi BM25 over chunks, with additions and removals in place (no rebuilds).

    Each chunk has a slot in a length array; a term's posting maps slots to term frequencies
    (a dict: cheap to change) and is turned into numpy arrays the first time a query needs it
    after a change (a copy of the dict's keys and values, no lookup per posting), so scoring
    costs numpy work, not a Python loop per posting."""

    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b
        self._postings: dict[str, dict[int, int]] = defaultdict(dict)  # term -> slot -> tf
        self._lengths: dict[str, int] = {}
        self._chunk_terms: dict[str, tuple[str, ...]] = {}
        self._total_length = 0
        self._slot: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._free: list[int] = []
        self._slot_lengths = np.zeros(0, dtype=np.float64)
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self._lengths)

    def __contains__(self, chunk_id: str) -> bool:
        return chunk_id in self._lengths

    def add(self, chunk_id: str, text: str) -> None:
        if chunk_id in self._lengths:
            self.remove(chunk_id)
        counts = Counter(terms(text))
        slot = self._free.pop() if self._free else len(self._ids)
        if slot == len(self._ids):
            self._ids.append(chunk_id)
            if slot >= len(self._slot_lengths):
                grown = np.zeros(max(1024, 2 * len(self._slot_lengths)), dtype=np.float64)
                grown[: len(self._slot_lengths)] = self._slot_lengths
                self._slot_lengths = grown
        else:
            self._ids[slot] = chunk_id
        for term, tf in counts.items():
            self._postings[term][slot] = tf
            self._arrays.pop(term, None)
        length = sum(counts.values())
        self._chunk_terms[chunk_id] = tuple(counts)
        self._lengths[chunk_id] = length
        self._total_length += length
        self._slot[chunk_id] = slot
        self._slot_lengths[slot] = length

    def remove(self, chunk_id: str) -> None:
        length = self._lengths.pop(chunk_id, None)
        if length is None:
            return
        self._total_length -= length
        slot = self._slot.pop(chunk_id)
        for term in self._chunk_terms.pop(chunk_id):
            posting = self._postings[term]
            del posting[slot]
            self._arrays.pop(term, None)
            if not posting:
                del self._postings[term]
        self._ids[slot] = None
        self._slot_lengths[slot] = 0.0
        self._free.append(slot)

    def idf(self, term: str) -> float:
        n = len(self._lengths)
        df = len(self._postings.get(term, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _posting_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        arrays = self._arrays.get(term)
        if arrays is None:
            posting = self._postings[term]
            slots = np.fromiter(posting.keys(), dtype=np.int64, count=len(posting))
            tfs = np.fromiter(posting.values(), dtype=np.float64, count=len(posting))
            arrays = self._arrays[term] = (slots, tfs)
        return arrays

    def search(self, query: str, limit: int, allowed: Callable[[str], bool] | None = None) -> list[tuple[str, float]]:
        """The best `limit` chunk ids for `query`, with scores, optionally filtered; ties go
        by `content_order`."""
        if not self._lengths:
            return []
        average = self._total_length / len(self._lengths) or 1.0
        scores = np.zeros(len(self._ids), dtype=np.float64)
        for term in sorted(set(terms(query))):  # a fixed order: the same float sums in every process
            if term not in self._postings:
                continue
            slots, tfs = self._posting_arrays(term)
            norm = self.k1 * (1 - self.b + self.b * self._slot_lengths[slots] / average)
            scores[slots] += self.idf(term) * tfs * (self.k1 + 1) / (tfs + norm)
        hits = np.flatnonzero(scores)
        # Sorting every hit would cost O(hits log hits), and a common term hits most of a large
        # collection: take the best `want` by partition (every hit tied with the last included),
        # rank those by (-score, id), and look further only when the filter leaves too few.
        want = max(4 * limit, 64)
        while True:
            if want < len(hits):
                kth = np.partition(scores[hits], len(hits) - want)[len(hits) - want]
                top = hits[scores[hits] >= kth]
            else:
                top = hits
            ranked = sorted(((self._ids[i], float(scores[i])) for i in top), key=lambda item: (-item[1], content_order(item[0])))
            if allowed is not None:
                ranked = [item for item in ranked if allowed(item[0])]
            if len(ranked) >= limit or len(top) == len(hits):
                break
            want *= 4
        return ranked[:limit]

    def add_many(self, items: Iterable[tuple[str, str]]) -> None:
        for chunk_id, text in items:
            self.add(chunk_id, text)
