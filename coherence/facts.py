"""Typed facts: the numbers and dates a sentence states, with what they count and the event they belong to.

Read off spaCy's parse: "A fire killed 12 people on Monday" states the fact (count, 12, "people",
context {fire, kill, monday}). Two sentences that state the same fact of the same event with
different values are a contradiction an editor must not publish ("killed 12 people" ... "killed 40
people"). What explains a difference is not a contradiction, and ``compare`` says so:

- another event or time: the two sentences carry different time expressions ("last year" / "this year");
- a running total: "another 18", "a further 5", "18 more";
- a range or an estimate that admits the other value: "at least 12" and "40", "up to 40" and "12",
  "about 40" and "38";
- an update the article states: "the toll rose to 40", "has since climbed to";
- two named sources who disagree: "police said 12; the union said 40" (a conflict, but of sources);
- the same quantity in other units: "2km (1.2 miles)" (units differ, so the facts are not compared).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import entities

NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})
CONTEXT_WINDOW = 6  # words either side of a value that describe it, besides its syntactic heads
MIN_SHARED = 3  # context words two mentions must share to be the same fact of the same event
MIN_OVERLAP = 0.6  # ... and that share of the smaller context (a headline is too short for a share)
LOCAL_WINDOW = 3  # words either side that, when they agree, tie two mentions whatever the sentences around them
LOCAL_MATCH = 5  # ... of the 2 * LOCAL_WINDOW: "led in 2007 after five holes" / "led in 2010 after five holes"
NEAR = 12  # words either side that make the passage a value belongs to
SENTENCE_OVERLAP = 0.55  # share of the shorter sentence's content words the other must use
UNITLESS_SHARED = 5
CERTAIN_OVERLAP = 0.8  # a conflict is certain (an error) when this share of the describing words agree  # when only one mention says what it counts, the context must agree more
APPROXIMATE = 0.25  # "about 40" admits values within 25%

_NUMBER_WORDS = {w: float(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                      "ninety": 90, "hundred": 100, "dozen": 12, "a dozen": 12})
SCALES = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
           "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
_NUMBER = re.compile(r"^[£$€]?(\d[\d,]*(?:\.\d+)?)(thousand|million|billion|trillion|bn|mn|tn|m|k|b)?%?$", re.I)
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
_MONTHS["sept"] = 9

# Qualifiers that make a value a bound or an estimate, read from the words just before it.
_LOWER = ("at least", "more than", "over", "exceeding", "topping", "above", "upwards of", "in excess of", "no fewer than", "no less than", "at minimum")
_UPPER = ("a total of", "total of", "up to", "less than", "fewer than", "under", "below", "at most", "no more than", "as many as", "as much as")
_APPROX = ("about", "around", "nearly", "almost", "roughly", "approximately", "some", "an estimated", "estimated",
           "close to", "around about", "circa", "just over", "just under")
_INCREMENT = ("another", "a further", "further", "an additional", "additional", "extra")
# Verbs that say a value changed: "the toll rose to 40" tells the reader why it is not 12 any more.
_UPDATE_VERBS = frozenset({"rise", "climb", "increase", "grow", "jump", "soar", "fall", "drop", "decrease", "revise",
                           "update", "raise", "lower", "double", "triple", "reduce", "cut", "swell", "surge"})
# Times that make another event of the same kind: another year, season or period.
_TIME = re.compile(r"\b(?:(?:1[6-9]|20)\d\d|(?:last|this|next|previous|past|coming)\s+(?:year|month|week|season|decade|"
                   r"spring|summer|autumn|fall|winter)|a\s+(?:year|decade)\s+(?:ago|earlier|before))\b", re.I)
# Words that say nothing of what a value is, when two values sit in the same words (``_same_slot``).
_FUNCTION_WORDS = frozenset("""a an the of in on at to for from by with and or but be have it its this that these those
as than into per cent percent about some all only just he she they we i you his her their our who which""".split())
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_PARTICIPANTS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "agent"})
_SAY = frozenset({"say", "tell", "claim", "insist", "deny", "state", "report", "estimate", "put", "announce", "add"})


@dataclass(frozen=True)
class Fact:
    kind: str  # "number" or "date"
    value: object  # number: float; date: (year, month, day), None for a part not given
    text: str  # the value as written
    phrase: str  # the value with what it counts ("12 people", "killed 12 people")
    unit: str | None  # what a number counts or measures, lemmatised ("people", "km", "£")
    context: tuple[frozenset[str], ...]  # per describing word, the forms it may take
    qualifier: str | None  # "lower", "upper", "approx", "increment" or None
    update: bool  # stated as a change ("rose to 40", "up from 12")
    times: frozenset[str]  # the sentence's other times that would make another event ("last year", "2010")
    speaker: str | None  # who the sentence attributes the fact to
    names: frozenset[str]  # proper names among the describing words: who or what the value is about
    words: frozenset[str]  # content lemmas near the value: two mentions of one fact come in passages that agree
    around: tuple[frozenset[str], frozenset[str]]  # the words just before and just after the value
    actor: str | None  # the named subject of the verb the value belongs to ("Mangala" in "Mangala joined in 2014")
    slot: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())  # the two words either side, up to punctuation


@dataclass(frozen=True)
class Conflict:
    first: Fact
    second: Fact
    kind: str
    sources_differ: bool  # two named sources who disagree: a warning, not an error
    certain: bool  # the two mentions are told alike, or share nearly all their describing words


def number_value(text: str) -> float | None:
    """'12', '1,200', '3.5bn', '£330million', 'twelve', '40%' -> the number; None when not a number."""
    t = text.lower().strip(" .,;:'’\"()")
    if t in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[t])
    m = _NUMBER.match(t)
    if not m:
        return None
    try:
        value = float(m.group(1).replace(",", ""))
    except ValueError:
        return None
    return value * SCALES.get((m.group(2) or "").lower(), 1.0)


def _keys(token) -> frozenset[str]:
    lower = token.text.lower()
    return frozenset({token.lemma_.lower(), entities.stem(lower), lower[:-1] if lower.endswith("s") else lower} - {""})


def _is_context_word(token) -> bool:
    return (token.pos_ in CONTENT_POS and not token.is_stop and token.is_alpha and len(token.text) > 1
            and token.lower_ not in _MONTHS and token.ent_type_ not in ("DATE", "TIME"))


def _qualifier(doc, i: int) -> str | None:
    end = i - 1 if i > 0 and doc[i - 1].text[-1:] in "£$€" else i  # "a total of $8.4 million"
    before = " ".join(t.lower_ for t in doc[max(0, end - 3) : end])
    for words, name in ((_INCREMENT, "increment"), (_LOWER, "lower"), (_UPPER, "upper"), (_APPROX, "approx")):
        if any(re.search(rf"(?:^|\s){re.escape(w)}$", before) for w in words):
            return name
    after = doc[i + 1 : i + 3].text.lower()
    if re.match(r"(?:\w+\s)?(?:more|additional|extra)\b", after) and not after.startswith("more than"):
        return "increment"  # "18 more", "18 more people"
    if re.match(r"(?:\w+\s)?or (?:more|so)\b", after):
        return "lower" if "more" in after else "approx"
    return None


def _speaker(doc) -> str | None:
    """The named or described source of a sentence: the subject of its verb of saying, or 'according to' X."""
    for token in doc:
        if token.lemma_.lower() in _SAY and token.pos_ in ("VERB", "AUX"):
            for child in token.children:
                if child.dep_ in ("nsubj", "nsubjpass") and child.pos_ in ("PROPN", "NOUN"):
                    return " ".join(t.lower_ for t in child.subtree if t.pos_ in ("PROPN", "NOUN"))
        if token.lower_ == "according" and token.i + 1 < len(doc) and doc[token.i + 1].lower_ == "to":
            for obj in doc[token.i + 1].children:
                if obj.dep_ == "pobj":
                    return " ".join(t.lower_ for t in obj.subtree if t.pos_ in ("PROPN", "NOUN"))
    return None


def _context(doc, span_tokens: set[int], anchor) -> tuple[tuple[frozenset[str], ...], frozenset[str]]:
    """The words that describe a value: those near it, the words it hangs from up the parse, and the
    participants (subject, object) of each of those ("the fire" in "the fire killed 12 people")."""
    words = {}

    def add(token) -> None:
        if token.i not in span_tokens and _is_context_word(token):
            words[token.i] = _keys(token)

    lo, hi = _clause(doc, anchor.i)
    before = [t for t in doc[lo : anchor.i] if not t.is_punct][-CONTEXT_WINDOW:]
    after = [t for t in doc[anchor.i + 1 : hi] if not t.is_punct][:CONTEXT_WINDOW]
    for token in before + after:
        add(token)
    head = anchor
    while True:
        add(head)
        for child in head.children:
            if child.dep_ in _PARTICIPANTS:
                add(child)
        if head.i == head.head.i:  # the root (spaCy makes a new Token on each access: compare positions)
            break
        head = head.head
    names = frozenset(doc[i].lower_ for i in words if doc[i].pos_ == "PROPN")
    return tuple(dict.fromkeys(words.values())), names  # a word said twice describes the value once


def _unit(doc, token) -> str | None:
    if token.ent_type_ == "MONEY" or token.text[:1] in "£$€":
        symbols = [t.text for t in doc[max(0, token.i - 1) : token.i + 2] if t.text[:1] in "£$€"]
        if symbols:
            return symbols[0][:1]
    if token.text.endswith("%") or doc[token.i + 1 : token.i + 2].text.lower() in ("%", "percent", "per"):
        return "%"
    head = token.head
    if head.i != token.i and head.pos_ in ("NOUN", "PROPN") and head.i > token.i:
        return head.lemma_.lower()
    for t in doc[token.i + 1 : token.i + 3]:
        if t.pos_ == "NOUN":
            return t.lemma_.lower()
        if t.pos_ not in ("NUM", "ADJ", "ADV", "SYM", "PUNCT") and t.text.lower() not in SCALES:
            break
    return None


def _phrase(doc, token, unit: str | None) -> str:
    """The value with what it counts: '12 people', '£330million loan', 'killed 12 people'."""
    indexes = [token.i]
    for t in doc[token.i + 1 : token.i + 4]:
        indexes.append(t.i)
        if t.pos_ == "NOUN" or t.text.lower() not in SCALES and t.pos_ not in ("NUM", "ADJ", "SYM"):
            break
    start = token.i
    if token.i > 0 and doc[token.i - 1].text[:1] in "£$€":
        start -= 1
    verb = token.head.head if token.head.pos_ == "NOUN" else token.head
    if verb.pos_ == "VERB" and 0 < start - verb.i <= 2:
        start = verb.i
    end = max(indexes) + 1
    if end - 1 > token.i and doc[end - 1].pos_ not in ("NOUN", "NUM", "SYM") and doc[end - 1].text.lower() not in SCALES:
        end -= 1
    return doc[start:end].text


def _date_value(span) -> tuple | None:
    if sum(1 for t in span if re.fullmatch(r"(1[6-9]|20)\d\d", t.text)) > 1:
        return None  # a period ("between 2010 and 2050"), not one date
    year = month = day = None
    for token in span:
        lower = token.lower_.strip(".")
        if lower in _MONTHS:
            month = _MONTHS[lower]
        elif re.fullmatch(r"(1[6-9]|20)\d\d", lower):
            year = int(lower)
        elif re.fullmatch(r"\d{1,2}(st|nd|rd|th)?", lower):
            day = int(re.match(r"\d+", lower).group(0))
    if month is None and year is None:
        return None
    if month is None:
        day = None  # "2004" alone; a bare number beside a year is not a day
    return (year, month, day)


def _clause(doc, i: int) -> tuple[int, int]:
    """The bounds of the sentence, as the parser reads it, that holds token ``i``: a run-on caption
    ("... 2,000 years Global appeal: teams from over 13 countries ...") joins several, and only the
    value's own says what it describes."""
    sent = doc[i].sent
    return sent.start, sent.end


def _near(doc, start: int, end: int) -> frozenset[str]:
    """Content lemmas within NEAR words of the value: the passage it belongs to, even inside a run-on
    caption that joins several sentences."""
    lo, hi = _clause(doc, start)
    before = [t for t in doc[lo:start] if not t.is_punct][-NEAR:]
    after = [t for t in doc[end:hi] if not t.is_punct][:NEAR]
    return frozenset(t.lemma_.lower() for t in before + after if _is_context_word(t))


def _around(doc, start: int, end: int) -> tuple[frozenset[str], frozenset[str]]:
    def words(tokens):  # "per cent" says what the value is, not which fact it is
        return [t.lemma_.lower() for t in tokens if t.is_alpha and t.lower_ not in ("per", "cent", "percent")]

    lo, hi = _clause(doc, start)
    return (frozenset(words(doc[max(lo, start - 6) : start])[-LOCAL_WINDOW:]),
            frozenset(words(doc[end : min(hi, end + 6)])[:LOCAL_WINDOW]))


def _listed(doc, token) -> bool:
    """A number in a list of three or more ("balls 8, 18, 22, 40, 44"): an item, not a fact of its own."""
    def number_at(i: int) -> bool:
        if not (0 <= i < len(doc) and doc[i].like_num) or re.fullmatch(r"(1[6-9]|20)\d\d", doc[i].text):
            return False  # a year ("In 2004, 12 people died") is no list item
        return not any(t.lower_.strip(".") in _MONTHS for t in doc[max(0, i - 1) : i + 2])  # nor "March 21, 12"

    def run(step: int) -> int:
        count, i = 0, token.i
        while 0 <= i + step < len(doc) and doc[i + step].text in (",", "and") and number_at(i + 2 * step):
            count, i = count + 1, i + 2 * step
        return count

    return 1 + run(-1) + run(1) >= 3


def _converted(doc, token) -> bool:
    """A money value in brackets right after another ("$500m (£264m)", "80 million baht (US$2 million,
    1.6 million euro)"): the same amount in another currency."""
    start = token.i - 1 if token.i > 0 and doc[token.i - 1].text[:1] in "£$€" else token.i
    for i in range(start - 1, max(-1, start - 8), -1):
        if doc[i].text == ")":
            return False
        if doc[i].text == "(":
            before = doc[i - 1] if i > 0 else None
            return bool(before is not None and (before.like_num or before.lower_ in SCALES
                                                or before.ent_type_ in ("MONEY", "QUANTITY")))
    return False


def _actor(token) -> str | None:
    """The proper-noun subject of the first verb above the value: whose fact it is (a verb joined by
    "and" to another has that one's subject: "Toure joined in 2010 and is contracted until 2017")."""
    head = token
    for _ in range(4):
        if head.pos_ in ("VERB", "AUX"):
            verb = head
            for _ in range(3):
                for child in verb.children:
                    if child.dep_ in ("nsubj", "nsubjpass"):
                        named = child.pos_ == "PROPN" or child.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")
                        return child.lower_ if named else None
                if verb.dep_ != "conj" or verb.head.i == verb.i:
                    break
                verb = verb.head
            return None
        if head.i == head.head.i:
            return None
        head = head.head
    return None


def _clock_time(doc, token) -> bool:
    """'7 p.m.', '10:30', "9 o'clock": a time of day, not a count (durations such as "5 hours" are counts)."""
    after = doc[token.i + 1 : token.i + 2].text.lower()
    return ":" in token.text or after in ("a.m.", "p.m.", "am", "pm", "o'clock", "gmt", "bst", "et", "pt")


def _updated(doc, token) -> bool:
    """The value is stated as a change: a verb of change above it in the parse, or "up/down from" beside it."""
    head = token
    for _ in range(3):
        if head.lemma_.lower() in _UPDATE_VERBS:
            return True
        if head.i == head.head.i:
            break
        head = head.head
    return doc[max(0, token.i - 3) : token.i].text.lower().endswith(("up from", "down from", "now"))


def _times(doc, own: set[int]) -> frozenset[str]:
    """The times that date the value's event, outside the value itself ("last year", "in 2010", "on
    December 13", "on Tuesday"): of the sentence's times, the nearest to the value. A run-on caption
    joins several sentences ("... 18.8 per cent by 2060 In 1990, immigrants accounted for just 7.9 per
    cent"): there, each value is dated by its own time, not by every time of the run-on."""
    lo, hi = _clause(doc, min(own))
    text = "".join(t.text_with_ws if t.i not in own else " " * len(t.text_with_ws) for t in doc[lo:hi])
    found: list[tuple[int, int, str]] = []  # (first token, last token, time)
    for m in _TIME.finditer(text):
        span = doc.char_span(doc[lo].idx + m.start(), doc[lo].idx + m.end(), alignment_mode="expand")
        found.append((span.start, span.end - 1, m.group(0).lower()))
    for ent in doc[lo:hi].ents:
        if ent.label_ == "DATE" and not own & {t.i for t in ent}:
            value = _date_value(ent)
            if value is not None and value[2] is not None:
                found.append((ent.start, ent.end - 1, f"{value[1]}-{value[2]}"))
            found += [(t.i, t.i, t.lower_) for t in ent if t.lower_ in _WEEKDAYS]
    if not found:
        return frozenset()

    def distance(start: int, end: int) -> int:
        return min(own) - end if end < min(own) else start - max(own)

    nearest = min(distance(start, end) for start, end, _ in found)
    return frozenset(time for start, end, time in found if distance(start, end) == nearest)


def _slot(doc, start: int, end: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The two words either side of a value, up to punctuation: "the present [28] days of". Currency,
    scale and per-cent words say what kind of value it is, not which: they are passed over."""
    lo, hi = _clause(doc, start)

    def word(t) -> str | None:
        if t.text[:1] in "£$€" or t.lower_ in SCALES or t.lower_ in ("per", "cent", "percent", "%", "us", "us$"):
            return None
        # a lemma, stemmed: the lemmatiser reads "diabetes" as "diabete" in one sentence and not the other
        lemma = t.lemma_.lower()
        return t.text if t.text[:1].isupper() else lemma if lemma in _FUNCTION_WORDS else entities.stem(lemma)

    before: list[str] = []
    for t in reversed(doc[max(lo, start - 4) : start]):
        if t.is_punct and t.text not in "$£€" or len(before) == 2:
            break
        if word(t):
            before.insert(0, word(t))
    after: list[str] = []
    for t in doc[end : min(hi, end + 4)]:
        if t.is_punct or len(after) == 2:
            break
        if word(t):
            after.append(word(t))
    return tuple(before), tuple(after)


def _same_slot(a: Fact, b: Fact) -> bool:
    """The two values sit in the same words: three of the two either side agree, two of them telling
    what it is, or a name right beside the value and one more ("American Airlines Flight [77]",
    "the present [28] days", "Office [2007] and", "the [2008] Taiwan Presidential")."""
    before = list(zip(a.slot[0][::-1], b.slot[0][::-1]))  # nearest first
    after = list(zip(a.slot[1], b.slot[1]))
    same = [x for x, y in before + after if x == y]
    if len(same) >= 3 and sum(1 for w in same if w.lower() not in _FUNCTION_WORDS) >= 2:
        return True
    beside = before[:1] + after[:1]
    return len(same) >= 2 and any(x == y and x[:1].isupper() and x.lower() not in _FUNCTION_WORDS for x, y in beside)


def extract(doc) -> list[Fact]:
    """Every number and date the sentence states, as facts."""
    facts: list[Fact] = []
    speaker = _speaker(doc)
    used: set[int] = set()
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        value = _date_value(ent)
        if value is None:
            continue
        tokens = {t.i for t in ent}
        used |= tokens
        anchor = ent.root
        if value[2] is None and value[0] is None and ent.start > 0 and doc[ent.start - 1].pos_ == "PROPN":
            continue  # "Stephanie March": a name, not a month
        context, names = _context(doc, tokens, anchor)
        facts.append(Fact("date", value, ent.text, ent.text, None, context, None,
                          _updated(doc, anchor), _times(doc, tokens), speaker, names, _near(doc, ent.start, ent.end),
                          _around(doc, ent.start, ent.end), _actor(anchor), _slot(doc, ent.start, ent.end)))
    for token in doc:
        if token.i in used or token.ent_type_ == "ORDINAL" or _clock_time(doc, token):
            continue
        value = number_value(token.text)
        if value is None or not (token.like_num or token.pos_ == "NUM" or token.text[:1] in "£$€"
                                 or token.i > 0 and doc[token.i - 1].text in ("£", "$", "€")):
            continue  # (the last: "£330million" is read as "£" and a noun "330million")
        if token.lower_ == "one":
            continue  # "at one time", "one of them": too idiomatic to be a count
        if _listed(doc, token) or _converted(doc, token):
            continue
        following = doc[token.i + 1 : token.i + 3].text.lower()
        if following.startswith("-") and (following[1:].strip()[:1].isdigit() or following[1:].startswith("time")):
            continue  # a range "25-55" or a "three-time champion": not a count of this event
        if token.i + 1 < len(doc) and doc[token.i + 1].text.lower() in SCALES:
            value *= SCALES[doc[token.i + 1].text.lower()]
        if token.i > 0 and number_value(doc[token.i - 1].text) is not None and doc[token.i - 1].i not in used:
            continue  # "10 million" was read at "10"
        if token.ent_type_ == "DATE" and re.fullmatch(r"(1[6-9]|20)\d\d", token.text):
            continue  # a year outside a month expression is a date fact already (or an unparsed one)
        unit = _unit(doc, token)
        context, names = _context(doc, {token.i}, token)
        facts.append(Fact("number", value, token.text, _phrase(doc, token, unit), unit, context,
                          _qualifier(doc, token.i), _updated(doc, token), _times(doc, {token.i}), speaker, names,
                          _near(doc, token.i, token.i + 1),
                          _around(doc, token.i, token.i + 1), _actor(token), _slot(doc, token.i, token.i + 1)))
    return facts


def _shared(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]) -> int:
    keys_b = frozenset().union(*b) if b else frozenset()
    return sum(1 for forms in a if forms & keys_b)


def same_fact(a: Fact, b: Fact, min_shared: int = MIN_SHARED, headline: bool = False) -> bool:
    """Two mentions of the same quantity of the same event: same kind and unit, and they share their context.

    A headline drops what a number counts ("Fire Kills Twelve"), so there a missing unit matches any.
    """
    if a.kind != b.kind or (a.unit and b.unit and a.unit != b.unit):
        return False
    if headline and a.unit and a.unit == b.unit:
        return True  # a headline's "5 hours" and the body's "three hours": what it counts ties them
    shared = min(_shared(a.context, b.context), _shared(b.context, a.context))
    if a.kind == "number" and (a.unit is None or b.unit is None) and not headline:
        # a bare number is an age, a score or an id: only the same named someone's is the same fact
        if not a.names & b.names:
            return False
        min_shared = UNITLESS_SHARED
    if a.names and b.names and not a.names & b.names or _other_actor(a, b):
        return False  # "David Gaver, 28" and "Nathaniel Gaver, 27": two people's ages
    smaller = min(len(a.context), len(b.context))
    # at least two describing words besides the value: one shared word ("per cent") ties nothing
    return shared >= 2 and shared >= min(min_shared, smaller) and (headline or shared >= MIN_OVERLAP * smaller)


def _context_agreement(a: Fact, b: Fact) -> float:
    smaller = min(len(a.context), len(b.context))
    return min(_shared(a.context, b.context), _shared(b.context, a.context)) / smaller if smaller else 0.0


def _compatible(a: Fact, b: Fact) -> bool:
    """Same kind, same unit where both say one, and no two different names or named subjects."""
    return (a.kind == b.kind and not (a.unit and b.unit and a.unit != b.unit)
            and not (a.names and b.names and not a.names & b.names) and not _other_actor(a, b))


def _other_actor(a: Fact, b: Fact) -> bool:
    """'Mangala joined in 2014' and 'Toure joined in 2010': two people's facts."""
    return bool(a.actor and b.actor and a.actor != b.actor)


def _admits(bound: Fact, other: Fact) -> bool:
    """Whether a bound or an estimate is compatible with the other value."""
    x, y = bound.value, other.value
    if bound.qualifier == "lower":
        return y >= x
    if bound.qualifier == "upper":
        return y <= x
    if bound.qualifier == "approx":
        return abs(x - y) <= APPROXIMATE * max(abs(x), abs(y))
    return False


def values_conflict(a: Fact, b: Fact) -> bool:
    if a.kind == "date":
        (ya, ma, da), (yb, mb, db) = a.value, b.value
        if ya is not None and yb is not None and ya != yb:
            return True
        # a month alone ("August data", "in July") is no anchor: two months conflict with their day or year
        anchored = da is not None and db is not None or ya is not None and yb is not None
        return anchored and (ma is not None and mb is not None and ma != mb
                             or da is not None and db is not None and da != db)
    if a.value == b.value:
        return False
    if a.qualifier == b.qualifier == "approx":
        return not _admits(a, b)  # "about 900 jobs" and "around 950 jobs"
    if a.qualifier == b.qualifier:
        return True  # the same fact told the same way with another value
    if "increment" in (a.qualifier, b.qualifier):
        return False
    return not ((a.qualifier and _admits(a, b)) or (b.qualifier and _admits(b, a)))


def _sentences_agree(a: Fact, b: Fact) -> bool:
    smaller = min(len(a.words), len(b.words))
    return smaller > 0 and len(a.words & b.words) >= SENTENCE_OVERLAP * smaller


def _passages_touch(a: Fact, b: Fact) -> bool:
    """Besides the words right beside the values, the passages share a few more: one formula told of
    two things ("a score of 7.3 out of 10" ... "a score of 5.6 out of 10") shares little else."""
    slot_words = {w.lower() for w in a.slot[0] + a.slot[1]}
    shared = (a.words & b.words) - slot_words
    return len(shared) >= max(2, 0.3 * min(len(a.words), len(b.words)))


def _told_alike(a: Fact, b: Fact) -> bool:
    """The words right around the two values agree: one sentence edited, or told again the same way."""
    return len(a.around[0] & b.around[0]) + len(a.around[1] & b.around[1]) >= LOCAL_MATCH


def compare(first: list[Fact], second: list[Fact], headline: bool = False) -> Conflict | None:
    """The conflict between two sentences' facts, or None.

    A mention whose value the other sentence also states in the same context is consistent, even
    when another mention there differs ("4 to 40 nanometres" against "4 to 20"). Otherwise the
    best-matching mention with another value is a conflict, unless the difference is explained.
    """
    # a headline is short: two shared words ("fire", "kill") tie its number to a body sentence's
    min_shared = 2 if headline else MIN_SHARED

    def same(x: Fact, y: Fact) -> bool:
        # in passages about one thing, shared describing words; anywhere, the same words around the value
        if not headline and _same_slot(x, y) and _compatible(x, y) and _passages_touch(x, y):
            return True
        if not (headline or _sentences_agree(x, y) or _told_alike(x, y)):
            return False
        return same_fact(x, y, min_shared, headline) or _told_alike(x, y) and _compatible(x, y)

    def restated(x: Fact, others: list[Fact]) -> bool:
        return any(x.value == y.value and same(x, y) for y in others)

    def stated(x: Fact, others: list[Fact]) -> bool:  # the value is there too, as a fact of the same kind
        return not headline and any(x.value == y.value and x.kind == y.kind and not (x.unit and y.unit and x.unit != y.unit)
                   for y in others)

    found: Conflict | None = None  # the first conflict; a certain one of one source is returned at once
    for a in first:
        if restated(a, second) or stated(a, second):
            continue
        for b in second:
            if not same(a, b) or restated(b, first) or stated(b, first) or not values_conflict(a, b):
                continue
            if a.update != b.update:
                continue  # "the toll rose to 40": the article says why the number changed
            if a.kind == "number" and a.times and b.times and not a.times & b.times:
                continue  # another time, another event: "12 last year ... 40 this year"
            sources_differ = bool(a.speaker and b.speaker and a.speaker != b.speaker)
            certain = _told_alike(a, b) or _same_slot(a, b) or _context_agreement(a, b) >= CERTAIN_OVERLAP
            conflict = Conflict(a, b, a.kind, sources_differ, certain)
            if headline or conflict.certain and not sources_differ:
                return conflict  # (a headline's first conflict is its conflict)
            found = found or conflict
    return found  # none certain: the first
