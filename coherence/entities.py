"""Cheap, offline cues of who/where/what a sentence is about: names, numbers, content words.

No NER model ships offline, so names are runs of capitalised words that are not sentence-initial
function words. Terms are normalised so "Russia's", "Russian" and "RUSSIA" meet, and the common
spellings of a few countries agree ("U.S.", "US", "USA", "United States").
"""

from __future__ import annotations

import re

STOPWORDS = frozenset(
    """
    a about above after again against all also although am an and any are aren't as at be because been
    before being below between both but by can can't could did didn't do does doesn't doing don't down
    during each even ever every few for from further had hadn't has hasn't have haven't having he he'd
    he'll he's her here here's hers herself him himself his how how's however i i'd i'll i'm i've if in
    into is isn't it it's its itself just let's many may me might more most much must mustn't my myself
    no nor not now of off on once only or other ought our ours ourselves out over own per rather same
    she she'd she'll she's should shouldn't since so some still such than that that's the their theirs
    them themselves then there there's these they they'd they'll they're they've this those though
    through thus to too under until up upon us very was wasn't we we'd we'll we're we've were weren't
    what what's when when's where where's whether which while who who's whom whose why why's will with
    within without won't would wouldn't yet you you'd you'll you're you've your yours yourself
    yourselves said says say told tell according added one two three new also mr mrs ms dr yesterday
    today tomorrow year years time last first next week day days people
    another despite during meanwhile many several earlier later instead still even scroll share
    officials police some most such among across around following like unlike once
    """.split()
)

# Spellings of the same place that news copy mixes freely.
_ALIASES = {
    "us": "united states", "u.s": "united states", "usa": "united states", "u.s.a": "united states",
    "america": "united states", "american": "united states", "americans": "united states",
    "uk": "united kingdom", "u.k": "united kingdom", "britain": "united kingdom", "british": "united kingdom",
    "russian federation": "russia",
}

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\.\-]*[A-Za-z]|[A-Za-z]")
_NAME_RUN = re.compile(r"(?:[A-Z][\w'’\.\-]*\.?)(?:\s+(?:of\s+|de\s+|al-)?[A-Z][\w'’\.\-]*\.?)*")
_NUMBER = re.compile(r"(?<![\w.])\$?\d[\d,]*(?:\.\d+)?%?")


def normalise(term: str) -> str:
    t = term.lower().strip(".'’\"")
    t = re.sub(r"['’]s$", "", t)
    t = _ALIASES.get(t, t)
    return t


_SUFFIXES = (("ians", "ia"), ("ian", "ia"), ("eans", "ea"), ("ean", "ea"), ("ies", "y"), ("es", "e"), ("s", ""))


def stem(word: str) -> str:
    """A crude stem under which 'Russian'/'Russia', 'Korean'/'Korea', 'diplomats'/'diplomat' meet."""
    w = normalise(word)
    if " " in w:  # an alias such as "united states" is already canonical
        return w
    for suffix, replacement in _SUFFIXES:
        if len(w) >= len(suffix) + 3 and w.endswith(suffix) and not w.endswith("ss"):
            return w[: -len(suffix)] + replacement
    return w


def _name_runs(text: str):
    """Runs of capitalised words; a sentence's first word only when it is not a common word."""
    for m in _NAME_RUN.finditer(text):
        words = m.group(0).split()
        at_start = m.start() == 0 or text[: m.start()].rstrip().endswith((".", '"', "“", "'", ":"))
        if at_start and words and normalise(words[0]) in STOPWORDS:
            words = words[1:]
        yield words


def name_words(text: str) -> list[str]:
    """Capitalised words as written, in order."""
    out = []
    for words in _name_runs(text):
        out += [w.strip(".,'’\"") for w in words if normalise(w) not in STOPWORDS and len(normalise(w)) > 1]
    return out


def names(text: str) -> set[str]:
    """Normalised name terms: stemmed single words and whole multi-word runs."""
    out: set[str] = set()
    for words in _name_runs(text):
        for w in words:
            n = normalise(w)
            if n and n not in STOPWORDS and len(n) > 1:
                out.add(stem(n))
        if len(words) > 1:
            out.add(normalise(" ".join(words)))
    return out


def numbers(text: str) -> set[str]:
    return {m.group(0).replace(",", "").lstrip("$").rstrip("%") for m in _NUMBER.finditer(text)}


def raw_content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if len(w) > 2 and normalise(w) not in STOPWORDS]


def content_words(text: str) -> set[str]:
    return {stem(w) for w in raw_content_words(text)}
