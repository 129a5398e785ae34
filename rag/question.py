"""What kind of answer a question wants, and whether a sentence holds one.

"when" wants a time or date, "how many" a number, "who" a person or body, "where" a place.
A sentence only counts as holding such an answer if the instance is new: a year that the
question already names does not answer "when".
"""

from __future__ import annotations

import re
from typing import Literal

from rag.lexical import words

AnswerType = Literal["date", "number", "entity", "other"]

_TYPE_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"^\W*(what|which)\s+(year|years|date|day|month|decade|century|time|era|period)\b", re.I), "date"),
    (re.compile(r"^\W*(in|on|at|by|from|during|since|until)\s+(what|which)\s+(year|years|date|day|month|decade|century|time)\b", re.I), "date"),
    (re.compile(r"^\W*when\b|\bwhat time\b|\bhow long ago\b", re.I), "date"),
    (re.compile(r"\bhow (many|much|long|far|old|big|large|tall|high|often|fast|deep|wide)\b|\bwhat (percentage|percent|number|amount|proportion|fraction)\b", re.I), "number"),
    (re.compile(r"^\W*(who|whom|whose)\b|\b(which|what) (person|man|woman|agency|company|organization|organisation|group|team|official|officer|country|city|state|party)\b", re.I), "entity"),
    (re.compile(r"^\W*where\b|\bwhat (place|location)\b|\bin which (city|country|state|place)\b", re.I), "entity"),
    (re.compile(r"\b(who|when|where)\b", re.I), "entity"),
]

_MONTHS = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DATE = re.compile(
    rf"\b{_MONTHS}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTHS}|\b{_MONTHS}\b|\b(1[0-9]{{3}}|20[0-9]{{2}})s?\b"
    r"|\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*(?:a\.m\.|p\.m\.|am|pm)\b|\bcentur(?:y|ies)\b|\b(?:years|decades) (?:ago|later)\b"
    r"|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|today|tomorrow|noon|midnight)\b"
    r"|\b(morning|afternoon|evening|night|week|weekend|spring|summer|autumn|fall|winter)\b"
    r"|\b(before|after|during|since|until)\b",
    re.I,
)
_NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions trillion dozen dozens "
    "half quarter twice several few"
).split()
_NUMBER = re.compile(r"\d|\b(" + "|".join(_NUMBER_WORDS) + r")\b|%|\bpercent\b", re.I)
_ENTITY = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'\u2019-]+(?:\s+(?:of|the|de|von|van|and)?\s*[A-Z][\w'\u2019-]+)*")


def answer_type(question: str) -> AnswerType:
    for pattern, kind in _TYPE_RULES:
        if pattern.search(question):
            return kind
    return "other"


def has_new_instance(kind: AnswerType, sentence: str, question: str) -> bool:
    """True when `sentence` holds an instance of `kind` that the question does not already name."""
    if kind == "other":
        return False
    pattern = {"date": _DATE, "number": _NUMBER, "entity": _ENTITY}[kind]
    asked = set(words(question))
    for match in pattern.finditer(sentence):
        found = set(words(match.group()))
        if kind == "number" and not found:  # a bare '%' or digit inside a token
            return True
        if found - asked:
            return True
    return False


# -- finer kinds: what exactly a typed question asks for ----------------------------------------

Detail = Literal["time", "date", "age", "distance", "duration", "count", "money", "percent", "person", "place"]

_DETAIL_RULES: list[tuple[re.Pattern[str], Detail]] = [
    (re.compile(r"\bwhat time\b|\bat what hour\b|\bwhat hour\b", re.I), "time"),
    (re.compile(r"\bhow old\b|\b(what|which) age\b|\bat what age\b", re.I), "age"),
    (re.compile(r"\bhow (far|close|near)\b|\bwhat distance\b|\bhow (tall|high|deep|wide|long is|big is)\b", re.I), "distance"),
    (re.compile(r"\b(for )?how long\b(?! ago)|\bhow much time\b", re.I), "duration"),
    (re.compile(r"\bhow much (money|did .{1,40} cost|does .{1,40} cost|is .{1,40} worth)\b|\bwhat (price|cost|salary|fee)\b|\bhow much\b.*\b(pay|paid|cost|spend|spent|earn|worth)\b", re.I), "money"),
    (re.compile(r"\bwhat (percentage|percent|share|proportion|fraction)\b", re.I), "percent"),
    (re.compile(r"\bhow (many|often)\b|\bwhat (number|amount)\b", re.I), "count"),
    (re.compile(r"^\W*when\b|\b(what|which) (year|years|date|day|month|decade|century)\b|\bhow long ago\b", re.I), "date"),
    (re.compile(r"^\W*(who|whom|whose)\b|\b(what|which) (person|man|woman|official|officer|congressman|congresswoman|senator|president|director)\b|\bnames?\b of\b|\bwhat is (his|her|their|the) name\b", re.I), "person"),
    (re.compile(r"^\W*where\b|\b(what|which|in what|in which) (city|country|state|town|village|county|place|location|region|building|street)\b", re.I), "place"),
]

_UNIT_WORDS = {
    "distance": r"yards?|feet|foot|ft|meters?|metres?|miles?|kilometers?|kilometres?|km|inches|inch|cm|mm|blocks?|stories|storeys|floors?",
    "duration": r"seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centuries|century|summers?|winters?|seasons?",
}
_AMOUNT = r"(?:\d[\d,.]*|" + "|".join(_NUMBER_WORDS) + r"|a|an|a few|several|about|nearly|more than|at least|less than)"
_DETAIL_PATTERNS: dict[Detail, re.Pattern[str]] = {
    "time": re.compile(r"\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*(?:a\.m\.|p\.m\.|am\b|pm\b)|\b(noon|midnight|morning|afternoon|evening|night)\b", re.I),
    "age": re.compile(r",\s*\d{1,3}\s*,|\b\d{1,3}[- ]years?[- ]old\b|\baged?\s+\d{1,3}\b|\b(in his|in her|in their) (teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b", re.I),
    "distance": re.compile(rf"\b{_AMOUNT}[\s-]+(?:{_UNIT_WORDS['distance']})\b", re.I),
    "duration": re.compile(rf"\b{_AMOUNT}[\s-]+(?:{_UNIT_WORDS['duration']})\b", re.I),
    "money": re.compile(r"[$€£¥]\s*\d|\b\d[\d,.]*\s*(dollars|euros|pounds|cents|usd|eur|gbp)\b|\b(million|billion) (dollars|euros|pounds)\b", re.I),
    "percent": re.compile(r"%|\bper ?cent\b", re.I),
    "count": re.compile(r"\b\d+(?:[,.:]\d+)*\b|\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I),
    "date": _DATE,
    "person": re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z][\w'\u2019-]*(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z][\w'\u2019-]*)+"),
    "place": _ENTITY,
}


def answer_detail(question: str) -> Detail | None:
    """The precise kind of answer a question wants, when it is one a pattern can recognise."""
    for pattern, detail in _DETAIL_RULES:
        if pattern.search(question):
            return detail
    return None


def new_details(detail: Detail | None, sentence: str, question: str) -> list[tuple[int, int]]:
    """Character spans of the instances of `detail` in `sentence` that the question does not name."""
    if detail is None:
        return []
    asked = set(words(question))
    spans = []
    for match in _DETAIL_PATTERNS[detail].finditer(sentence):
        found = set(words(match.group()))
        if not found or found - asked:
            spans.append(match.span())
    return spans


def has_new_detail(detail: Detail | None, sentence: str, question: str) -> bool:
    """True when `sentence` holds an instance of `detail` that the question does not already name."""
    return bool(new_details(detail, sentence, question))


_WORD_SPAN = re.compile(r"\S+")


def detail_contexts(detail: Detail | None, sentence: str, question: str, reach: int = 6, limit: int = 3) -> list[str]:
    """The words around each new instance of `detail` (`reach` words either side, at most
    `limit` instances): what the sentence says about that value. Compared with the question,
    they tell a value about the question's subject from one about something else
    ('Comperatore, 50' does not answer 'How old was Crooks?')."""
    tokens = [m.span() for m in _WORD_SPAN.finditer(sentence)]
    out: list[str] = []
    for start, end in new_details(detail, sentence, question)[:limit]:
        first = next((i for i, (s, e) in enumerate(tokens) if e > start), 0)
        last = next((i for i, (s, e) in reversed(list(enumerate(tokens))) if s < end), first)
        lo, hi = max(0, first - reach), min(len(tokens), last + reach + 1)
        out.append(sentence[tokens[lo][0] : tokens[hi - 1][1]])
    return list(dict.fromkeys(out))


# -- values with a form of their own ----------------------------------------------------------
# "What is the tenant's phone number?" is answered by a phone number and by nothing else: a
# sentence about the tenant without one does not answer it, however close it reads. Only values
# whose form a pattern can tell are here (a Wi-Fi password or a dress code can be any word).

Value = Literal["phone", "email", "web", "code", "price", "clock", "count"]

_ASKS = r"^\W*(?:what|which)(?:'s|\u2019s|\s+(?:is|are|was|were))\s+(?:(?:the|a|an|his|her|their|its|my|our|your)\s+)?(?:(?!(?:of|from|about|in|on|at|to|for|with|by|that|which|who|and|or|special|new|different)\b)[\w'\u2019.-]+\s+){0,4}?"
# The value's noun ends its phrase ("the phone number of X", not "the phone number format").
_HEAD = r"(?=\s*(?:$|[?.,;:!)(]|(?:of|for|at|to|in|on|from|with|when|if|and|or|that|which|do|does|did|should|can|is|are|was|were|i|we|you|he|she|they|it)\b))"
_VALUE_RULES: list[tuple[re.Pattern[str], Value]] = [
    (re.compile(_ASKS + r"(?:(?:(?:mobile|cell)\s+)?(?:phone|telephone)(?:\s+numbers?)?|(?:fax|landline)(?:\s+numbers?)?|(?:mobile|cell|contact)\s+numbers?)" + _HEAD, re.I), "phone"),
    (re.compile(_ASKS + r"e-?mail(?:\s+address(?:es)?|s)?" + _HEAD, re.I), "email"),
    (re.compile(_ASKS + r"(?:websites?|web\s+sites?|web\s+address(?:es)?|web\s+pages?|webpages?|homepages?|home\s+pages?|urls?)" + _HEAD, re.I), "web"),
    (re.compile(_ASKS + r"(?:(?:door|gate|entry|entrance|access|garage|alarm|lock|lockbox|key\s+safe|building|security)\s+codes?|pins?(?:\s+(?:codes?|numbers?))?)" + _HEAD, re.I), "code"),
    # What something costs: "How much does the Brava 2 machine cost?", "How much is the deposit?",
    # "What is the price of a ticket?", "What does a raised bed cost?". Not "How much do members
    # over 65 pay?" ("half rent" answers it) nor "How much sick leave is paid?".
    (re.compile("|".join([
        r"\bhow much\s+(?:does|did|do|will|would|should|is|was|are|were)\b[^?]{0,80}?\b(?:cost|costs|charge|charges|charged)\b",
        r"\bhow much\s+(?:is|was|are|were)\s+(?:(?:the|a|an|his|her|their|its|my|our|your)\s+)?(?:[\w'\u2019-]+\s+){0,3}?"
        r"(?:rent|fees?|fines?|price|deposit|tickets?|subscription|fares?|membership|salary|wages?)\b",
        _ASKS + r"(?:price|cost|fee|fare|rent)s?" + _HEAD,
        r"\bwhat\s+(?:does|did|do|will|would)\b[^?]{0,60}?\bcost\b",
    ]), re.I), "price"),
    # The time of day: "What time does the exhibition open?" (not "what time of year").
    (re.compile(r"\b(?:what|which|at what)\s+time\b(?!\s+of\s+(?:the\s+)?(?:year|day|month|week|life))|\bat what hour\b", re.I), "clock"),
    # A count: "How many engines does the railway own?" is not answered by "The volunteers do
    # everything from driving the engines to selling tickets", however close it reads.
    (re.compile(r"^\W*(?:(?:in|on|at|for|from|to|by|with|of|about)\s+)?how\s+many\b|\b(?:what|which)\s+number\s+of\b", re.I), "count"),
]
_NUMBER_WORD = r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_DATE_OR_TIME = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|[\d\s]*\d{1,2}:\d{2}[\d\s:-]*")
_VALUE_PATTERNS: dict[Value, re.Pattern[str]] = {
    "phone": re.compile(r"(?<![\w.])\+?\(?\d[\d\s()./-]{4,}\d(?![\w.]*\d)"),
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "web": re.compile(r"https?://\S+|\bwww\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|io|dev|app|info|co|uk|de|fr|eu|example|ai)\b", re.I),
    "code": re.compile(r"\d"),
    # An amount of money, a free thing, or a share of another amount ("half rent"); a number under
    # a column named for its currency ("Actual (£): 712", a spreadsheet's row).
    "price": re.compile(
        r"[$\u20ac\u00a3\u00a5\u20b9]\s?\d|\d\s?[$\u20ac\u00a3\u00a5]"
        r"|(?:[$\u20ac\u00a3\u00a5\u20b9]|\b(?:usd|eur|gbp|sek|nok|dkk|chf)\b)\)?:\s*-?\d"
        r"|\b\d[\d,.]*\s*(?:million|billion|thousand|m|bn|k)?\s*(?:dollars?|euros?|pounds?|pence|cents?|kronor|krona|kroner|"
        r"yen|francs?|rupees?|usd|eur|gbp|sek|nok|dkk|chf)\b|\b(?:usd|eur|gbp|sek|nok|dkk|chf)\s?\d|\b\d+p\b"
        r"|\bfree\b|\bno (?:charge|cost|fee)\b|\bnothing\b|\b(?:price|cost|fee|fare|rent)s?\b[^.\n]{0,25}?\d"
        r"|\b(?:half|double|twice)\b|\bper ?cent\b|%", re.I),
    # A time of day: "7:30", "9 am", "noon", "at ten", "in the evening".
    # A number in figures or words, or a word that counts ("a dozen", "both", "none").
    "count": re.compile(r"\d|\b(?:" + "|".join(_NUMBER_WORDS) + r"|both|none|single|once|thrice|pair|couple|"
                        r"dozens|scores|nobody|nothing|neither)\b|\bno\s+one\b", re.I),
    "clock": re.compile(
        r"\b\d{1,2}:\d{2}\b|\b\d{1,2}(?:\.\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)(?!\w)|\b(?:noon|midday|midnight|o'clock|morning|"
        r"afternoon|evening|dawn|dusk|sunrise|sunset)\b|\b(?:at|from|until|till|to|by|before|after)\s+" + _NUMBER_WORD + r"\b"
        r"|\b\d{4}\s*(?:hours|hrs|h)\b", re.I),
}


def asked_value(question: str) -> Value | None:
    """The kind of value a "what is the X?" question asks for, when only that form answers it."""
    for pattern, value in _VALUE_RULES:
        if pattern.search(question):
            return value
    return None


def holds_value(value: Value, text: str) -> bool:
    """Whether `text` shows a value of that kind (a phone number: six digits or more, and not
    a date such as 2016-02-01)."""
    for match in _VALUE_PATTERNS[value].finditer(text):
        found = match.group().strip()
        if value != "phone" or (sum(ch.isdigit() for ch in found) >= 6 and not _DATE_OR_TIME.fullmatch(found)):
            return True
    return False
