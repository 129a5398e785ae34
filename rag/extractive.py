"""The offline answerer: picks the retrieved sentences that answer the question, verbatim.

Each candidate sentence gets features (semantic similarity, IDF-weighted overlap with the
question, whether it holds the kind of answer the question wants, retrieval rank, ...). A
logistic model calibrated on the benchmarks' dev splits (`rag/calibration.json`, written by
`rag eval calibrate`) scores them; a second one, on question-level features, gives
the probability that the passages answer the question at all, and below the calibrated
threshold the answerer abstains. Deterministic, no LLM.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from index.embedding import Embedder
from index.embedding_cache import CachingEmbedder
from index.extra_readers import labelled_row
from index.headings import (
    DATED_ENTRY,
    HTML_TAG,
    LABELLED_ROW,
    MARKDOWN_HEADING,
    THEMATIC_BREAK,
    outline,
    post_byline,
    post_heading,
    post_writer,
    signature,
)
from index.sentence_vectors import SentenceVectorSource
from index.sentences import TABLE_RULE
from index.text_tables import bar_cells, is_rule, row_fields
from index.transcripts import as_asked_of, as_spoken_by, speaker_turns
from rag.calibration import Calibration, LinearModel, ReaderStage
from rag.field_readings import asks_post, field_readings, field_sentence
from rag.first_person import as_written_by, writers_asked
from rag.front_matter import front_matter
from rag.injection import is_instruction
from rag.lexical import STOPWORDS, WH_WORDS, stem, terms, words
from rag.mail_headers import header_readings
from rag.negation import affirmed, contrasts, echoes
from rag.question import Value, answer_detail, answer_type, asked_value, detail_contexts, has_new_instance, holds_value
from rag.releases import ASKED_AS as RELEASE_ASKED_AS
from rag.releases import release_reading
from rag.retrieve import Passage

if TYPE_CHECKING:
    from rag.reader import Reader

SELECT_FEATURES = (
    "cos", "cos_gap", "lex", "lex_gap", "lex_window", "passage_dense", "passage_rank",
    "type_match", "type_other", "novel", "length", "missing",
    "head", "has_head", "missing_sentence", "key_missing_passage", "has_keys",
    "detail_match", "has_detail", "key_missing_window", "cos_z", "detail_cos",
)
ANSWERABLE_FEATURES = (
    "top_logit", "margin", "top_cos", "top_lex", "top_lex_window", "missing_top", "missing_all",
    "type_match", "type_other", "passage_dense", "best_lex",
    "negation_mismatch_top", "key_missing_top_passage", "has_keys",
    "detail_match", "has_detail", "key_missing_window", "cos_z", "detail_any", "detail_cos", "detail_cos_best",
)
# What the reader adds: the ranker's inputs, and question-level features for answerability.
RANK_FEATURES = ("logit", "reader")
READER_FEATURES = ("reader_top", "reader_max", "reader_gap", "reader_mean")


# A Markdown heading ("# Pricing meeting", `index.headings`) names a section and a table's rule
# row ("|---|:--:|") separates header from body: neither is ever quoted as an answer.
# A thematic break ("---", "***", "_ _ _") draws a line between parts, and "===", "~~~" or "^^^" underline a
# heading: no candidate, no context.
_FENCE_LINE = re.compile(r"\s*(?:`{3,}|~{3,})[\w+.-]*\s*$")  # "```bash" opens a code block, "```" closes it
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_EMPTY_LINK = re.compile(r"\[\s*\]\([^)]*\)")  # what is left of a linked image
_QUESTION = re.compile(r"\?[\"'\u201d\u2019)\]*_]*\s*$")  # "**Can I bring food?**" in bold too
# A letter's greeting ("Hi Daniel,", "Dear parents,") or closing ("Kind regards,", "Thanks!") greets:
# it answers nothing, and it beat the sentence giving a talk's room for "Which room is Daniel's talk in?".
_GREETING = re.compile(
    r"\s*(?:(?:hi|hello|hey|dear|good (?:morning|afternoon|evening))\b(?:[ \t]+[\w'-]+){0,4}[ \t]*[,!:]?"
    r"|(?:(?:kind |best |warm )?regards|best wishes|best|(?:many )?thanks(?: again)?|thank you(?: again)?|cheers"
    r"|(?:yours )?sincerely|yours truly)[ \t]*[,!.]?)\s*",
    re.IGNORECASE,
)


def quotable(text: str) -> bool:
    """False for what names or draws structure instead of stating something: a Markdown heading,
    a table's rule row or a thematic break; and for a question, which asks rather than answers
    ("...why does it think that our crate is named lib?" is followed by the reason), and for a
    line of Markdown images (a README's badges), and for a letter's greeting or closing ("Hi all,",
    "Kind regards,")."""
    return not (MARKDOWN_HEADING.match(text) or TABLE_RULE.match(text) or THEMATIC_BREAK.match(text) or _QUESTION.search(text)
                or _GREETING.fullmatch(text)
                or ("![" in text and not re.search(r"\w", _EMPTY_LINK.sub("", _IMAGE.sub("", text)))))

_NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor without cannot unable fail failed fails lack lacked".split()
)
_KEY_TOKEN = re.compile(r"\b[A-Z][\w'\u2019-]*|\b\d[\d,.]*\b")


def _has_negation(text: str) -> bool:
    return any(w in _NEGATIONS or w.endswith("n't") for w in words(text))


def _key_tokens(question: str) -> list[str]:
    """The question's capitalised words (not its first word) and numbers, lower-cased, unstemmed:
    names that an answering sentence should repeat exactly (an entity swap changes one)."""
    first = len(question) - len(question.lstrip())
    out: list[str] = []
    for match in _KEY_TOKEN.finditer(question):
        token = match.group()
        if match.start() == first and not token[0].isdigit():
            continue
        token = token.lower().replace("\u2019", "'").strip(".,")
        if token in STOPWORDS or token in WH_WORDS:
            continue
        out.extend(w for w in words(token) if w not in STOPWORDS)
    return out


_DIGITS = re.compile(r"\d+")
LOOKUP_REACH = 12  # the candidates looked at for a row the question looks up


def looks_up(question: str, row: str) -> bool:
    """Whether `row`, a table's or spreadsheet's row as it reads ("Role: Inspector Crewe; Name:
    Dev Raman; Rehearsals: Wed, Sun"), is the record the question names by a value of one of its
    cells, a name or number the question gives ("Dev Raman"), and asks one of its other columns
    of ("Which days does Dev Raman rehearse?": Rehearsals). The reader, trained on prose, scored
    that row -3.18 and the selector put prose about rehearsals first."""
    if not LABELLED_ROW.fullmatch(row):
        return False
    keys = set(_key_tokens(question))
    if not keys:
        return False
    asked_words, asked_terms = set(words(question)), set(terms(question))
    cells = [pair.split(": ", 1) for pair in row.split("; ") if ": " in pair]
    named = [i for i, (_, value) in enumerate(cells)
             if (value_words := set(words(value)) - STOPWORDS) and value_words <= asked_words and value_words & keys
             and len(value_words) <= 6]
    if not named:
        return False
    return any(i not in named and set(terms(name)) & asked_terms and not set(words(value)) <= asked_words
               for i, (name, value) in enumerate(cells))


def numbers_missing(question: str, answer: Candidate, passage: str) -> bool:
    """Whether a number the question names ("in 2024", "version 3.0", "Station 4") is in neither
    the answer's sentence (with the sentence before it, its headings and its reading) nor anywhere
    in its passage: "How many trips were made in 2024?" is not answered by "The busiest day was
    19 July 2025, ... with 2,874 trips.", however close it reads. Over the transfer dev sets this
    declined 4 more unanswerable questions and no answered one; over the SQuAD 2.0, CLAPNQ and
    seed dev sets, 12 more against 4 answered (CLAPNQ questions naming a year their passage
    leaves out: "who are the three judges on american idol 2018")."""
    asked = {run for token in _key_tokens(question) if token[0].isdigit() for run in _DIGITS.findall(token)}
    if not asked:
        return False
    near = set(_DIGITS.findall(" ".join((answer.text, answer.previous, answer.heading, answer.reading))))
    return bool((asked - near) - set(_DIGITS.findall(passage)))


def _head_terms(question: str) -> set[str]:
    """The stem of the noun the wh-word asks for: 'what satellite ...' -> {'satellit'}."""
    tokens = words(question)
    for i, token in enumerate(tokens):
        if token in ("what", "which", "whose"):
            return {stem(tokens[i + 1])} if i + 1 < len(tokens) and tokens[i + 1] not in STOPWORDS else set()
        if token == "how" and tokens[i + 1 : i + 2] in (["many"], ["much"]):
            return {stem(tokens[i + 2])} if i + 2 < len(tokens) and tokens[i + 2] not in STOPWORDS else set()
    return set()


def _key_missing(weights: dict[str, float], found: set[str]) -> float:
    """IDF-weighted share of the question's key tokens absent from `found` (exact words)."""
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t not in found) / total if total else 0.0


@dataclass
class Candidate:
    """One sentence of a retrieved passage, with offsets into its document's text."""

    passage: int
    document_id: str
    start_char: int
    end_char: int
    text: str
    features: dict[str, float] = field(default_factory=dict)
    logit: float = 0.0
    previous: str = ""  # the sentence before it in its passage: the reader's context
    heading: str = ""  # the heading path above it in its passage (`index.headings`), else its document's title
    reading: str = ""  # what it says, where its words do not (an e-mail header line: `rag.mail_headers`)
    alone: bool = False  # quoted alone: an e-mail header line says one thing, the next line another
    speaker: str = ""  # who says it, in a transcript's turn whose label is on an earlier sentence

    @property
    def probability(self) -> float:
        return 1.0 / (1.0 + math.exp(-self.logit))


def _table_structure(text: str, spans: Sequence[tuple[int, int]], i: int) -> bool:
    """True for a Markdown table's rule row and for the header row just above it, and for a text
    table's header over its rule (`index.text_tables`)."""
    row = text[spans[i][0]:spans[i][1]]
    if (i + 1 < len(spans) and is_rule(text[spans[i + 1][0]:spans[i + 1][1]])
            and text[spans[i][1]:spans[i + 1][0]].count("\n") == 1):
        return True  # "Day   Time   Session" over "---   ----   -------"
    if not row.startswith("|"):
        return False
    if TABLE_RULE.match(row):
        return True
    return i + 1 < len(spans) and bool(TABLE_RULE.match(text[spans[i + 1][0]:spans[i + 1][1]]))


def _context(text: str, spans: Sequence[tuple[int, int]], i: int, is_heading: Sequence[bool], columns: str = "") -> str:
    """What the reader reads before sentence `i`: the sentence before it, or for a Markdown
    table row, the table's header row (the row above its rule row), which names the columns
    (a row that `table_row_reading` reads with its columns' names is read alone); `columns` where
    the passage starts inside the table, below its header (`index.chunking.chunk_columns`).
    Nothing after a heading (the reader reads the heading path beside it already) or a
    thematic break, and nothing for a CSV row, which names its columns itself (with the row
    before it, transfer7's answer rows read a logit lower on average: -0.53 against 0.51)."""
    sentence = text[spans[i][0]:spans[i][1]]
    if sentence.startswith("|"):
        for j in range(i - 1, 0, -1):
            row = text[spans[j][0]:spans[j][1]]
            if not row.startswith("|"):
                break
            if TABLE_RULE.match(row) and text[spans[j - 1][0]:spans[j - 1][1]].startswith("|"):
                return text[spans[j - 1][0]:spans[j - 1][1]] if j - 1 != i else ""
        if columns and all(text[s:e].startswith("|") for s, e in spans[:i]):
            return columns  # the passage opens inside the table, its header in the chunk before
    if not i or is_heading[i - 1] or THEMATIC_BREAK.match(text, *spans[i - 1]) or _FENCE_LINE.match(text, *spans[i - 1]):
        return ""
    if LABELLED_ROW.fullmatch(sentence):
        return ""  # a CSV row ("Name: ...; Team: ...") is read alone: the row before it misled the reader
    return text[spans[i - 1][0]:spans[i - 1][1]]



# A table of two columns under names that say only "label" and "value" ("| Field | Value |", "|
# Property | Value |"): each row is a field, read as one ("The incident commander is Rosalind
# Okafor.", not "Field: Incident commander; Value: Rosalind Okafor"). (Under an empty header a
# row reads as it is: so read, a hotel booking's "The confirmation number is 58120447." answered
# "What is the return flight number?".)
_KEY_NAMES = frozenset(["field", "property", "key", "item", "attribute", "parameter", "setting", "name", "detail"])
_VALUE_NAMES = frozenset(["value", "values", "detail", "details", "description", "information", "info"])


def table_row_reading(row: str, header: str) -> str:
    """A Markdown table's row as the CSV reader writes a row (`index.extra_readers.labelled_row`:
    "Station: 7; Location: West beach lagoon; Depth at low tide: 0.8 m"), each cell after its
    column's name in `header`; "" where the two do not line up."""
    if not (row.startswith("|") and header.startswith("|")):
        return ""
    cells, names = bar_cells(row), bar_cells(header)
    if len(cells) != len(names) or len(cells) < 2:
        return ""
    if len(cells) == 2 and names[0].lower() in _KEY_NAMES and names[1].lower() in _VALUE_NAMES and cells[0] and cells[1]:
        return field_sentence(cells[0], cells[1], "")  # "| Incident commander | Rosalind Okafor |" under "| Field | Value |"
    named = [(name, cell) for name, cell in zip(names, cells) if name]
    return labelled_row([name for name, _ in named], [cell for _, cell in named])


def _weights(question_terms: set[str], idf: Callable[[str], float]) -> dict[str, float]:
    return {term: idf(term) for term in question_terms}


def _recall(weights: dict[str, float], found: set[str]) -> float:
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in found) / total if total else 0.0


def _missing(weights: dict[str, float], found: set[str]) -> float:
    """The rarest question term absent from `found`, relative to the rarest term overall."""
    if not weights:
        return 0.0
    absent = [w for t, w in weights.items() if t not in found]
    return max(absent) / max(weights.values()) if absent else 0.0


def _turn_readings(
    passage: Passage, spans: Sequence[tuple[int, int]], headings: list[str], is_heading: Sequence[bool],
    speakers: dict[int, str] | None = None,
) -> dict[int, str]:
    """What each sentence of a transcript's turn is read as (`index.transcripts`): the first
    sentence of an answer with the question it answers, both with the speaker's name for "you" and
    "my" ("Which tool could Rosalind Achterberg not work without? Rosalind Achterberg's bone
    folder."), any other in the first person with the speaker's name in its place. Each sentence
    of an answer has the question as its heading (`headings` is updated), and its terms count as
    the sentence's. `speakers` gets the speaker of each sentence that does not open its turn
    (the answer says who said "I'll send it to them")."""
    stored = passage.outline
    if stored is not None and stored.get("turn", ()) is None:
        return {}  # ingest found no transcript in the document
    turns = speaker_turns(passage.text, spans, stored.get("turn") if stored is not None else None)
    out: dict[int, str] = {}
    for i, turn in turns.items():
        if speakers is not None and turn.speaker and not turn.opens:
            speakers[i] = turn.speaker
        asked = as_asked_of(turn.prompt, turn.speaker)  # "What do you make?" asked Lena what Lena makes
        if asked and not is_heading[i]:
            headings[i] = asked
        spoken = as_spoken_by(turn.said, turn.speaker)
        if turn.opens and asked:
            out[i] = f"{asked} {spoken or turn.said}"
        elif spoken:
            out[i] = spoken
    return out


def _post_writers(text: str, spans: Sequence[tuple[int, int]], headings: Sequence[str], is_heading: Sequence[bool],
                  speakers: dict[int, str], read_as: dict[int, str]) -> None:
    """On a page of posts, who wrote each sentence of a post (its byline or signature, the
    innermost heading over it: `index.headings.post_writer`) goes into `speakers`, so the answer
    says whose advice it quotes ("kestrel_dev: ... move the command into a script"); a sentence
    in the first person is read with the writer's name for "I" ("Tamsin's answer is right ...,
    but kestrel_dev would go one step further"). Not the byline or signature itself: it names
    the writer already."""
    for i, (start, end) in enumerate(spans):
        if is_heading[i] or i in speakers:
            continue
        writer = post_writer(headings[i])
        sentence = text[start:end]
        if not writer or signature(sentence) or post_byline(sentence):
            continue
        speakers[i] = writer
        if i not in read_as and (said := as_spoken_by(sentence, writer)):
            read_as[i] = said


def build_candidates(
    question: str,
    passages: Sequence[Passage],
    question_vector: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
    idf: Callable[[str], float],
    sentence_vectors: Callable[[Sequence[Passage]], list[np.ndarray]],
) -> list[Candidate]:
    """Every distinct sentence of the passages, with its selection features filled in.

    `sentence_vectors` gives each passage's sentence vectors, one row per `sentence_spans`
    (pooled from the chunk's token vectors: `index.sentence_vectors`); `embed` encodes the
    short texts around answer values."""
    kind = answer_type(question)
    detail = answer_detail(question)
    question_terms = set(terms(question))
    weights = _weights(question_terms, idf)
    # A wh-question is not answered by a sentence holding nothing but its own words; one asking
    # how to do something may be ("$ cargo doc --open"), and so may a yes-or-no question.
    asks_value = kind != "other" or bool(set(words(question)) & (WH_WORDS - {"how"}))
    key_weights = {token: idf(stem(token)) for token in _key_tokens(question)}
    heads = _head_terms(question)
    question_negated = _has_negation(question)
    writers = writers_asked(question)
    candidates: list[Candidate] = []
    seen: set[tuple[str, int, int]] = set()
    windows: list[set[str]] = []
    window_words: list[set[str]] = []
    heading_terms: dict[str, set[str]] = {}
    passage_missing: list[float] = []
    passage_key_missing: list[float] = []
    rows: list[tuple[int, int]] = []  # (passage, sentence) of each candidate
    found_terms: list[set[str]] = []  # each candidate's terms (an e-mail header line's with what it says)
    for index, passage in enumerate(passages):
        spans = passage.spans
        sentence_terms = [set(terms(passage.text[s:e])) for s, e in spans]
        sentence_words = [set(words(passage.text[s:e])) for s, e in spans]
        readings = header_readings(passage.text, spans)
        for i, reading in readings.items():  # "From: ..." is matched as "... was written and sent by ..."
            sentence_terms[i] |= set(terms(reading.sentence + " " + reading.asked_as))
            sentence_words[i] |= set(words(reading.sentence))
        headings, is_heading = outline(passage.text, spans, passage.title, passage.outline)
        # A post's byline heads the post and says who wrote it: read as a line of its own too.
        posts = {i: post for i, (start, end) in enumerate(spans)
                 if is_heading[i] and (post := post_heading(passage.text, start, end))}
        # What a sentence is read as where its words do not say it: a transcript's turn, a field.
        speakers: dict[int, str] = {}
        read_as = _turn_readings(passage, spans, headings, is_heading, speakers)
        spoken = bool(read_as) or (passage.outline or {}).get("turn") is not None
        if not spoken:  # a post's writer, as a turn's speaker
            _post_writers(passage.text, spans, headings, is_heading, speakers, read_as)
        for i in read_as:  # "I opened my own workshop" is about Rosalind, as its reading says
            sentence_terms[i] |= set(terms(read_as[i]))
            sentence_words[i] |= set(words(read_as[i]))
        fields = {} if spoken else field_readings(
            passage.text, spans, headings, [(is_heading[i] and i not in posts) or i in readings for i in range(len(spans))])
        for i, (reading, asked_as) in fields.items():  # "Height: 38 m" is matched by "tall" too
            sentence_terms[i] |= set(terms(asked_as))
            read_as[i] = reading
        if passage.start_char == 0 and not spoken:  # a paper's authors and where they work, under its title
            for i, (reading, asked_as) in front_matter(passage.text, spans, is_heading).items():
                if i not in read_as:
                    read_as[i] = reading
                    sentence_terms[i] |= set(terms(f"{reading} {asked_as}"))
                    sentence_words[i] |= set(words(reading))
        if writers and not spoken:  # "We recommend ..." asked what the authors recommend
            for i, (start, end) in enumerate(spans):
                said = "" if i in read_as or is_heading[i] else as_written_by(passage.text[start:end], writers)
                if said:
                    read_as[i] = said
                    sentence_terms[i] |= set(terms(said))
                    sentence_words[i] |= set(words(said))
        passage_missing.append(_missing(weights, set().union(*sentence_terms) if sentence_terms else set()))
        passage_key_missing.append(_key_missing(key_weights, set(words(passage.text))))
        for i, (start, end) in enumerate(spans):
            key = (passage.document_id, passage.start_char + start, passage.start_char + end)
            if key in seen or end - start < 2 or is_instruction(passage.text[start:end]):
                continue  # a sentence addressed to an AI model is never an answer
            if _table_structure(passage.text, spans, i):
                continue  # a table's header and rule rows name columns: the reader reads the header with each row
            release = release_reading(passage.text[start:end]) if is_heading[i] else None
            heading = headings[i]
            if is_heading[i] and release is None:
                if not (DATED_ENTRY.match(passage.text, start, end) or (i in posts and asks_post(question))):
                    continue  # a heading names a section: the reader reads it with each sentence under it
                # "2022 - present  Senior Data Engineer, Fernhill Foods" heads its points and says
                # what a CV's owner did then, as a post's byline says who wrote it: read under the
                # headings above it, not under itself
                heading = heading.removesuffix(" > " + posts.get(i, passage.text[start:end].strip()))
            if release is not None:  # "## 2.4.0 (2024-03-02)" says when 2.4.0 came out, and only there
                start += release[1]
                key = (passage.document_id, passage.start_char + start, passage.start_char + end)
                read_as[i] = release[0]
                sentence_terms[i] |= set(terms(f"{release[0]} {RELEASE_ASKED_AS}"))
            if i in readings and not readings[i].answers(question):
                continue  # "To: Daniel Kim <...>" does not say what Daniel should bring
            if asks_value and sentence_terms[i] and sentence_terms[i] <= question_terms:
                continue  # "Daniel" (a quoted signature), asked "Which room is Daniel's talk in?", says nothing new
            if (THEMATIC_BREAK.match(passage.text, start, end) or _FENCE_LINE.match(passage.text, start, end)
                    or not any(c.isalnum() for c in HTML_TAG.sub("", passage.text[start:end]))):
                continue  # a thematic break, a code fence, a lone ">" or "}", a README's badges say nothing
            seen.add(key)
            previous = "" if release else _context(passage.text, spans, i, is_heading, (passage.outline or {}).get("columns", ""))
            labelled = table_row_reading(passage.text[start:end], previous)
            if not labelled and (fields := row_fields(passage.text, start, (passage.outline or {}).get("columns", ""))):
                labelled = labelled_row(*fields)  # a text table's row: "Day: Monday; Time: 06:30 - 08:30; ..."
            if labelled and {stem(k) for k in key_weights} <= {stem(w) for w in words(labelled)}:
                # Read as a CSV row is ("Room: Pleisse; Floor: 2; Seats: 6"), matched and embedded
                # with its columns' names, and read alone; not a row that lacks a name the
                # question gives ("the Mulde room": a row for another room is no answer; "CPUs"
                # is the column "cpu").
                sentence_terms[i] |= set(terms(labelled))
                read_as[i] = labelled
                previous = ""
            candidates.append(
                Candidate(index, passage.document_id, key[1], key[2], passage.text[start:end], previous=previous,
                          heading=heading, reading=readings[i].sentence if i in readings else read_as.get(i, ""),
                          alone=i in readings or release is not None, speaker=speakers.get(i, ""))
            )
            rows.append((index, i))
            found_terms.append(sentence_terms[i])
            # The sentence with its neighbours and the headings it sits under: "Ours is 24
            # hours." under "RPO" holds what "What is our RPO?" asks for.
            if headings[i] not in heading_terms:  # sentences under one heading share it
                heading_terms[headings[i]] = set(terms(headings[i]))
            windows.append(set().union(*sentence_terms[max(0, i - 1) : i + 2], heading_terms[headings[i]]))
            window_words.append(set().union(*sentence_words[max(0, i - 1) : i + 2]))
    if not candidates:
        return []
    per_passage = sentence_vectors(passages)
    vectors = np.vstack([per_passage[p][i] for p, i in rows])
    cosines = vectors @ np.asarray(question_vector, dtype=np.float32)
    glosses = [k for k, candidate in enumerate(candidates) if candidate.reading]
    if glosses:  # "From: Priya Nair <...>" is as near the question as what it says
        said = embed([candidates[k].reading for k in glosses]) @ np.asarray(question_vector, dtype=np.float32)
        cosines[glosses] = np.maximum(cosines[glosses], said)
    lexical = []
    for candidate, cosine in zip(candidates, cosines):
        found = found_terms[len(lexical)]
        content = found or {""}
        passage = passages[candidate.passage]
        candidate.features = {
            "cos": float(cosine),
            "lex": _recall(weights, found),
            "lex_window": _recall(weights, windows[len(lexical)]),
            "passage_dense": float(passage.dense_score or 0.0),
            "passage_rank": 1.0 / (1.0 + candidate.passage),
            "type_match": float(has_new_instance(kind, candidate.text, question)),
            "type_other": float(kind == "other"),
            "novel": len(content - question_terms) / len(content),
            "length": math.log1p(len(candidate.text) / 100.0),
            "missing": passage_missing[candidate.passage],
            "head": float(bool(heads & found)),
            "has_head": float(bool(heads)),
            "missing_sentence": _missing(weights, found),
            "key_missing_passage": passage_key_missing[candidate.passage],
            "has_keys": float(bool(key_weights)),
            "has_detail": float(detail is not None),
            "key_missing_window": _key_missing(key_weights, window_words[len(lexical)]),
            # not a selector feature: the answerability model reads it off the top sentence
            "negation_mismatch": float(_has_negation(candidate.text) != question_negated),
        }
        lexical.append(candidate.features["lex"])
    _detail_similarity(question, detail, candidates, question_vector, embed)
    best_cos, best_lex = float(cosines.max()), max(lexical)
    mean_cos, spread = float(cosines.mean()), float(cosines.std()) or 1.0
    for candidate in candidates:
        candidate.features["cos_gap"] = candidate.features["cos"] - best_cos
        candidate.features["cos_z"] = (candidate.features["cos"] - mean_cos) / spread
        candidate.features["lex_gap"] = candidate.features["lex"] - best_lex
    return candidates


def _detail_similarity(
    question: str, detail, candidates: Sequence[Candidate], question_vector: np.ndarray,
    embed: Callable[[list[str]], np.ndarray],
) -> None:
    """`detail_match`: the candidate holds a new value of the asked kind; `detail_cos`: how close
    the words around such a value are to the question (0 without one). One pattern pass each."""
    contexts = [detail_contexts(detail, c.text, question) for c in candidates]
    flat = sorted({text for group in contexts for text in group})
    similarity: dict[str, float] = {}
    if flat:
        vectors = embed(flat)
        similarity = dict(zip(flat, (vectors @ np.asarray(question_vector, dtype=np.float32)).tolist()))
    for candidate, group in zip(candidates, contexts):
        candidate.features["detail_match"] = float(bool(group))
        candidate.features["detail_cos"] = max((similarity[t] for t in group), default=0.0)


def context_features(
    question: str, candidates: Sequence[Candidate], passages: Sequence[Passage], idf: Callable[[str], float]
) -> dict[str, float]:
    """Question-level features that do not depend on the selector's scores."""
    weights = _weights(set(terms(question)), idf)
    everything = set().union(*(set(terms(p.text)) for p in passages))
    return {
        "missing_all": _missing(weights, everything),
        "best_lex": max((c.features["lex"] for c in candidates), default=0.0),
    }


def question_features(candidates: Sequence[Candidate], context: dict[str, float]) -> dict[str, float]:
    """Features of the whole question, from its scored candidates, for the answerability model."""
    ranked = sorted(candidates, key=lambda c: -c.logit)
    top = ranked[0]
    second = ranked[1].logit if len(ranked) > 1 else top.logit - 5.0
    features = {
        "top_logit": top.logit,
        "margin": top.logit - second,
        "top_cos": top.features["cos"],
        "top_lex": top.features["lex"],
        "top_lex_window": top.features["lex_window"],
        "missing_top": top.features["missing"],
        "type_match": top.features["type_match"],
        "type_other": top.features["type_other"],
        "passage_dense": top.features["passage_dense"],
        "negation_mismatch_top": top.features["negation_mismatch"],
        "key_missing_top_passage": top.features["key_missing_passage"],
        "has_keys": top.features["has_keys"],
        "detail_match": top.features["detail_match"],
        "has_detail": top.features["has_detail"],
        "key_missing_window": top.features["key_missing_window"],
        "cos_z": top.features["cos_z"],
        "detail_any": float(any(c.features["detail_match"] for c in ranked[:3])),
        "detail_cos": top.features["detail_cos"],
        "detail_cos_best": max(c.features["detail_cos"] for c in ranked[:3]),
        "missing_all": context["missing_all"],
        "best_lex": context["best_lex"],
    }
    read = sorted((c.features["reader"] for c in candidates if c.features.get("read")), reverse=True)
    if read:
        features.update({
            "reader_top": top.features["reader"],
            "reader_max": read[0],
            "reader_gap": read[0] - (read[1] if len(read) > 1 else read[0] - 5.0),
            "reader_mean": float(np.mean(read)),
        })
    else:
        features.update(dict.fromkeys(READER_FEATURES, 0.0))
    return features


def feature_matrix(rows: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    return np.array([[row[name] for name in names] for row in rows], dtype=np.float64).reshape(len(rows), len(names))


@dataclass
class Selection:
    """What the answerer chose: sentences (best first) or an abstention."""

    sentences: list[Candidate]
    answerability: float
    abstained: bool


class ExtractiveAnswerer:
    """Chooses verbatim sentences from the passages, or abstains."""

    def __init__(
        self, embedder: Embedder, calibration: Calibration, max_sentences: int = 3, threshold: float | None = None,
        reader: "Reader | None" = None,
    ):
        """`reader` is used when the calibration has a reader stage; without one (or with
        `reader=None`) the answerer runs on the calibrated features alone."""
        self.embedder = embedder
        self.calibration = calibration
        self.reader = reader if calibration.reader is not None else None
        self.max_sentences = max_sentences
        self.threshold = calibration.threshold if threshold is None else threshold
        # One cache of encoded text: sentences pooled from chunks, and the short texts around
        # answer values (the same passages come back often).
        self.encoder = CachingEmbedder.of(embedder)
        self.passage_sentence_vectors = SentenceVectorSource(self.encoder)

    def select(
        self, question: str, passages: Sequence[Passage], question_vector: np.ndarray, idf: Callable[[str], float]
    ) -> Selection:
        candidates = build_candidates(
            question, passages, question_vector, self.encoder.embed, idf, self.passage_sentence_vectors
        )
        if not candidates:
            return Selection([], 0.0, True)
        score(candidates, self.calibration.selector)
        stage = self.calibration.reader if self.reader is not None else None
        if stage is not None:
            read(question, candidates, self.reader, stage)
        row = question_features(candidates, context_features(question, candidates, passages, idf))
        model = self.calibration.answerable
        logit = float(model.logits(feature_matrix([row], model.features))[0])
        answerability = 1.0 / (1.0 + math.exp(-logit))
        ranked = sorted(candidates, key=lambda c: (-c.logit, c.passage, c.start_char))
        # Headings and a table's rule rows are not candidates; a sentence that looks like one is
        # never quoted all the same.
        answers = [c for c in ranked if quotable(c.text)]
        value = asked_value(question)
        if value is not None and answers:
            answers = showing(value, answers, stage)
            if not answers:  # no sentence the answerer would quote shows the value asked for
                answerability = min(answerability, self.threshold / 2)
        if answers and numbers_missing(question, answers[0], passages[answers[0].passage].text):
            answerability = min(answerability, self.threshold / 2)
        looked_up = [c for c in answers[:LOOKUP_REACH] if looks_up(question, c.reading or c.text)]
        if len(looked_up) == 1:  # the one row the question names, asked for one of its columns
            answers = [looked_up[0], *(c for c in answers if c is not looked_up[0])]
            answerability = max(answerability, self.threshold)
        if answerability < self.threshold or not answers:
            return Selection((answers or ranked)[:1], answerability, True)
        limit = self.max_sentences if answer_type(question) == "other" else min(2, self.max_sentences)
        best = answers[0].probability
        # An e-mail's header line is quoted alone: each says one thing (who sent it, when), and
        # the next line says another, as a table's next row is another record.
        chosen = [answers[0]] + [
            c for c in answers[1:limit] if (c.probability >= self.calibration.second_ratio * best or _follows(c, answers[0]))
            and (stage is None or c.features.get("reader", -math.inf) >= stage.second_reader)
            and not (c.alone or answers[0].alone)
        ]
        return Selection(_distinct(chosen), answerability, False)


def _distinct(chosen: Sequence[Candidate]) -> list[Candidate]:
    """`chosen` without a sentence whose words an earlier one has already quoted: the same words
    twice say nothing more (a codebook's "-9 = Refused" under each of its variables)."""
    out: list[Candidate] = []
    said: set[str] = set()
    for candidate in chosen:
        words_of = " ".join(candidate.text.split())
        if words_of not in said:
            said.add(words_of)
            out.append(candidate)
    return out


# The reader's logit above which the sentence right after the answer joins it: the gate a second
# sentence passes anyway (`ReaderStage.second_reader`). At 0 (before 2026-12-07), "It only works
# when the photos and the albums are on the same drive." (-0.53) stayed out of the answer to "When
# does the hard link option not work?" and "Use SHOEBOX_CONFIG." (-1.00) out of "What replaced
# SHOEBOX_HOME?"; at -1.5, over all dev sets, 3 more answers held the answer and none fewer
# (SQuAD 2.0 dev 0.862 -> 0.867, transfer3 and transfer24), token F1 a little lower for the
# longer answers (SQuAD 2.0 dev 0.171 -> 0.168).
FOLLOWER_READER = -1.5


def _follows(candidate: Candidate, best: Candidate) -> bool:
    """Whether `candidate` is the sentence right after `best` and the reader, reading it after
    `best`, does not rule it out (`FOLLOWER_READER`): "Exported PDFs lost their page numbers ..."
    restates "What caused the PDF page number bug?", and only "It was a memory limit in the
    renderer, ..." answers it (reader 1.58, but ranked far below by the words it shares with the
    question)."""
    return (_right_after(candidate, best) and candidate.start_char > best.start_char
            and candidate.features.get("read", 0.0) > 0 and candidate.features.get("reader", -math.inf) > FOLLOWER_READER)


def _right_after(candidate: Candidate, best: Candidate) -> bool:
    """Whether `candidate` is the sentence right after `best` in its passage (the reader read it
    with `best` before it)."""
    return candidate.passage == best.passage and candidate.previous == best.text


def showing(value: Value, answers: Sequence[Candidate], stage: ReaderStage | None) -> list[Candidate]:
    """`answers` (best first) for a question that only a value of its kind answers ("What is
    the tenant's phone number?"): the best of the first few, or of those the reader read for
    their value (`reading_pool`), that shows such a value goes first, if it is the best answer,
    or the reader says it answers (its logit above 0), or it is the sentence right after the
    best answer and the reader would let it join as a second sentence ("Facilities contact is
    Jonas Weber. You can reach him on 0341 555 0199."); none when no such sentence qualifies. A
    table row is a record of its own: the next row is someone else's."""
    reach = stage.candidates if stage is not None else 3
    best = answers[0]
    for i, candidate in enumerate(answers):
        if not holds_value(value, candidate.text) or (i >= reach and not candidate.features.get("read")):
            continue  # beyond the first few, only the one the reader read for its value
        if i == 0 or stage is None:
            return [candidate, *answers[:i], *answers[i + 1 :]]
        reader = candidate.features.get("reader", -math.inf)
        follows = _right_after(candidate, best) and not candidate.text.startswith("|")
        if reader > 0.0 or (follows and reader >= stage.second_reader):
            return [candidate, *answers[:i], *answers[i + 1 :]]
    return []


VALUE_READS = 2  # the candidates showing the value a question asks for that the reader reads


def reading_pool(candidates: Sequence[Candidate], size: int, value: Value | None = None) -> list[int]:
    """Indexes of the `size` quotable candidates the selector scores best: what the reader reads.
    For a question only a value of its kind answers (`rag.question.asked_value`: "What is the
    corresponding author's email address?"), the best `VALUE_READS` showing such a value are
    read too: "Correspondence: i.varga@fenwick.ac.uk" shares no word and little meaning with the
    question, and the selector ranks it far down, but the reader, reading it, says it answers
    (1.27); for "How much did the restoration cost?" the selector's best three hold one amount,
    the tram's (reader -1.38), and "The work cost 212 million kronor." is fourth (2.06)."""
    ranked = sorted((i for i, c in enumerate(candidates) if quotable(c.text)), key=lambda i: -candidates[i].logit)
    pool = ranked[:size]
    if value is not None:
        holders = [i for i in ranked if holds_value(value, candidates[i].text)][:VALUE_READS]
        pool += [i for i in holders if i not in pool]
    return pool


def read(question: str, candidates: Sequence[Candidate], reader: "Reader", stage: ReaderStage) -> None:
    """The reader reads the selector's best quotable candidates (`reading_pool`); every
    candidate's logit becomes the ranker's (those left unread get the lowest reader logit seen,
    less one)."""
    pool = [candidates[i] for i in reading_pool(candidates, stage.candidates, asked_value(question))]
    logits = reader_logits(reader, question, [c.reading or c.text for c in pool], [c.previous for c in pool],
                           [c.heading for c in pool])
    apply_reader(candidates, pool, logits, stage.ranker)


def reader_logits(reader: "Reader", question: str, texts: Sequence[str], previous: Sequence[str],
                  headings: Sequence[str] | None) -> np.ndarray:
    """The reader's logit for each sentence (`texts`, with its `previous` one and `headings`). A
    question asked with "not" is read without it against a sentence that says what did not
    happen (however it asks; where it asks as users do, against any sentence of contrast), and
    the higher logit kept (`rag.negation`)."""
    logits = np.asarray(reader.score(question, texts, previous, headings), dtype=float)
    plain = affirmed(question)
    contrasting = [] if plain is None else [i for i, text in enumerate(texts) if contrasts(text)]
    if plain is None and (plain := affirmed(question, anywhere=True)) is not None:
        contrasting = [i for i, text in enumerate(texts) if echoes(question, text)]
    if plain is not None and contrasting:
        again = reader.score(plain, [texts[i] for i in contrasting], [previous[i] for i in contrasting],
                             [headings[i] for i in contrasting] if headings is not None else None)
        logits[contrasting] = np.maximum(logits[contrasting], np.asarray(again, dtype=float))
    return logits


def apply_reader(candidates: Sequence[Candidate], pool: Sequence[Candidate], logits: Sequence[float], ranker: LinearModel) -> None:
    floor = float(min(logits)) - 1.0 if len(logits) else 0.0
    for candidate in candidates:
        candidate.features.update(logit=candidate.logit, reader=floor, read=0.0)
    for candidate, value in zip(pool, logits):
        candidate.features.update(reader=float(value), read=1.0)
    score(candidates, ranker)


def score(candidates: Sequence[Candidate], model: LinearModel) -> None:
    logits = model.logits(feature_matrix([c.features for c in candidates], model.features))
    for candidate, logit in zip(candidates, logits):
        candidate.logit = float(logit)
