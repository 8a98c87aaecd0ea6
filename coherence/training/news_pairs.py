"""Generated NLI pairs from real news sentences.

Raw material: the sentences of the FRANK news articles and the texts of the ContraDoc dev documents (text only,
never their labels). Every pair is built from one real sentence with a fixed seed:

* contradiction: the sentence with one fact changed (a number, a year, a month or weekday, a place, a person,
  a negation or antonym, or subject and object swapped around a verb);
* entailment: the sentence reduced (trailing clause, parenthetical or leading time phrase dropped), or the premise
  made of two consecutive sentences and the hypothesis one of them;
* neutral: another sentence of the same article (related, not entailed) or a sentence of another article
  (unrelated: such pairs must not be called contradictions).

Articles are split by a hash of their id into ``train`` and ``heldout`` (about 10 %), so that the held-out pairs
share no article with the training pairs.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

LABELS = ("contradiction", "entailment", "neutral")
LABEL2ID = {name: i for i, name in enumerate(LABELS)}

DATASETS = Path("/work/shared/datasets")
FRANK_PATH = DATASETS / "frank_news_articles" / "derived" / "articles.jsonl"
CONTRADOC_PATH = DATASETS / "contradoc_trunc2000" / "derived" / "contradoc_trunc2000.jsonl"


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: str
    kind: str  # how it was made, e.g. "number", "reduce_clause", "neutral_unrelated"
    article: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


@dataclass
class Article:
    id: str
    sentences: list[str]


# --------------------------------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------------------------------

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                "fifteen", "twenty", "thirty", "fifty", "hundred"]

PLACES = [
    # countries
    "Afghanistan", "Argentina", "Australia", "Austria", "Belgium", "Brazil", "Canada", "Chile", "China",
    "Colombia", "Cuba", "Denmark", "Egypt", "England", "France", "Germany", "Greece", "India", "Indonesia",
    "Iran", "Iraq", "Ireland", "Israel", "Italy", "Japan", "Jordan", "Kenya", "Lebanon", "Libya", "Mexico",
    "Morocco", "Nepal", "Nigeria", "Norway", "Pakistan", "Peru", "Poland", "Portugal", "Russia", "Scotland",
    "Spain", "Sweden", "Switzerland", "Syria", "Thailand", "Turkey", "Ukraine", "Venezuela", "Vietnam",
    "Wales", "Yemen", "Zimbabwe", "South Africa", "New Zealand", "North Korea", "South Korea", "Saudi Arabia",
    # cities and regions
    "London", "Paris", "Berlin", "Madrid", "Rome", "Moscow", "Beijing", "Tokyo", "Sydney", "Melbourne",
    "New York", "Los Angeles", "Chicago", "Boston", "Washington", "Miami", "Houston", "Dallas", "Atlanta",
    "Seattle", "San Francisco", "Toronto", "Dublin", "Glasgow", "Edinburgh", "Cardiff", "Manchester",
    "Liverpool", "Birmingham", "Leeds", "Bristol", "Newcastle", "Barcelona", "Milan", "Munich", "Amsterdam",
    "Brussels", "Vienna", "Athens", "Istanbul", "Cairo", "Baghdad", "Damascus", "Kabul", "Tehran", "Delhi",
    "Mumbai", "Hong Kong", "Singapore", "Bangkok", "Dubai", "Nairobi", "Lagos", "Johannesburg", "Cape Town",
    "Rio de Janeiro", "Buenos Aires", "Mexico City", "Texas", "California", "Florida", "Ohio", "Virginia",
    "Georgia", "Michigan", "Arizona", "Colorado", "Yorkshire", "Kent", "Essex", "Devon", "Cornwall", "Surrey",
    "Belfast", "Oxford", "Cambridge", "Nottingham", "Sheffield", "Southampton", "Brighton", "Hamburg", "Lyon",
]

FIRST_NAMES = set("""
Aaron Adam Adrian Alan Albert Alex Alexander Alice Alison Amanda Amy Andrew Andy Angela Ann Anna Anne Anthony
Arsene Barack Ben Benjamin Bill Bob Boris Brendan Brian Bruce Carl Carlos Caroline Catherine Charles Charlie
Chris Christian Christine Christopher Claire Colin Craig Dan Daniel Danny Dave David Dean Diana Donald Ed
Edward Elizabeth Emily Emma Eric Frank Gary Gavin George Gordon Graham Harry Helen Henry Hillary Ian Jack
Jackie James Jamie Jane Jason Jeff Jennifer Jeremy Jessica Jim Joe John Jon Jonathan Jose Joseph Josh Julia
Julie Karen Kate Katie Kelly Kevin Kim Laura Lee Lewis Linda Lisa Louis Lucy Luis Mark Martin Mary Matt
Matthew Michael Michelle Mike Nancy Neil Nick Nicola Nicholas Nigel Oliver Patrick Paul Pete Peter Philip
Rachel Raheem Richard Rick Rob Robert Robin Roger Ronald Ryan Sam Samantha Sarah Scott Sean Simon Sophie
Stephen Steve Steven Stuart Susan Theresa Thomas Tim Tom Tony Vladimir Wayne William Zoe Luke Liam Jordan
Joel Rebecca Victoria Hannah Olivia Ella Grace Jose Juan Pedro Mohammed Ahmed Ali Hassan Kevin Jurgen Manuel
""".split())

ANTONYMS = [
    ("won", "lost"), ("rose", "fell"), ("increased", "decreased"), ("confirmed", "denied"),
    ("accepted", "rejected"), ("approved", "rejected"), ("opened", "closed"), ("allowed", "banned"),
    ("survived", "died"), ("guilty", "innocent"), ("convicted", "acquitted"), ("passed", "failed"),
    ("began", "ended"), ("higher", "lower"), ("before", "after"), ("largest", "smallest"), ("more", "fewer"),
    ("increase", "decrease"), ("win", "lose"), ("wins", "loses"), ("alive", "dead"), ("raised", "lowered"),
    ("gained", "lost"), ("bought", "sold"), ("arrived", "left"), ("supported", "opposed"), ("first", "last"),
    ("success", "failure"), ("accepts", "rejects"), ("joined", "left"), ("hired", "fired"),
    ("admitted", "denied"), ("agreed", "refused"), ("entered", "left"), ("always", "never"),
    ("best", "worst"), ("cheaper", "more expensive"), ("older", "younger"), ("male", "female"),
    ("richest", "poorest"), ("rising", "falling"), ("up", "down"),
]
_ANTONYM_MAP: dict[str, list[str]] = {}
for _a, _b in ANTONYMS:
    _ANTONYM_MAP.setdefault(_a, []).append(_b)
    _ANTONYM_MAP.setdefault(_b, []).append(_a)

AUX_NEGATABLE = ["is", "was", "are", "were", "will", "would", "can", "could", "should", "has", "have", "had",
                 "must", "may"]
CONTRACTIONS = {"didn't": "did", "doesn't": "does", "don't": "do", "isn't": "is", "wasn't": "was",
                "aren't": "are", "weren't": "were", "won't": "will", "wouldn't": "would", "can't": "can",
                "couldn't": "could", "shouldn't": "should", "hasn't": "has", "haven't": "have", "hadn't": "had"}
TRANSITIVE_VERBS = ["beat", "defeated", "killed", "attacked", "sued", "hired", "fired", "married", "shot",
                    "visited", "interviewed", "accused", "criticised", "criticized", "praised", "blamed",
                    "replaced", "signed", "met", "called", "thanked", "followed", "joined", "helped", "hit",
                    "stabbed", "punched", "kissed", "invited", "told", "warned", "urged", "asked", "named",
                    "appointed", "sacked", "dumped", "left", "overtook", "knocked out", "eliminated"]

LEADING_PHRASE = re.compile(
    r"^(?:On|In|Last|Earlier|Later|At|During|After|Before|Since|Yesterday|Today|This|By|Meanwhile|However|"
    r"But|And|Now|Then|Speaking)\b[^,]{0,40},\s+(?=\S)")
TRAILING_CLAUSE = re.compile(
    r",\s+(?:which|who|while|adding|as|after|before|according|including|although|though|but|saying|where|"
    r"when|with|despite|because|leaving|making|and)\b[^,]*$")
PARENTHETICAL = re.compile(r"\s*\([^()]{1,80}\)")
RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which)\s[^,]{3,80},")

NUMBER_RE = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w]|[.,]\d)")
YEAR_RE = re.compile(r"^(1[89]\d\d|20[0-3]\d)$")
CAP_SPAN = r"(?:[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)(?:\s[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?){0,2}"
PERSON_RE = re.compile(r"\b([A-Z][a-z]+)\s([A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)\b")


# --------------------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------------------

_SPLIT_RE = re.compile(r"(?<=[.!?])[\"'\u2019\u201d]?\s+(?=[\"'\u2018\u201c]?[A-Z])")


def split_sentences(text: str) -> list[str]:
    """Rough sentence split for plain text (ContraDoc): paragraph/line breaks first, then end punctuation."""
    out: list[str] = []
    for block in re.split(r"\n+", text):
        block = block.strip()
        if not block:
            continue
        out.extend(s.strip() for s in _SPLIT_RE.split(block) if s.strip())
    return out


def clean_sentence(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\xa0", " ")).strip()


def usable(s: str) -> bool:
    words = s.split()
    if not 6 <= len(words) <= 45:
        return False
    if not s[0].isupper() and not s[0].isdigit():
        return False
    if s[-1] not in ".!?\"'\u2019\u201d":
        return False
    if "Scroll down" in s or "Click here" in s or "@" in s:
        return False
    return True


def load_articles(frank_path: Path = FRANK_PATH, contradoc_path: Path = CONTRADOC_PATH) -> list[Article]:
    articles: list[Article] = []
    if frank_path.exists():
        with open(frank_path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if not row.get("usable_for_splicing", True):
                    continue
                sents = [clean_sentence(s) for s in row["sentences"]]
                articles.append(Article("frank:" + row["id"], [s for s in sents if usable(s)]))
    if contradoc_path.exists():
        with open(contradoc_path, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)  # only id and text are used; labels are never read
                sents = [clean_sentence(s) for s in split_sentences(row["text"])]
                if row.get("text_truncated") and sents:
                    sents = sents[:-1]  # the last one is usually cut mid-sentence
                articles.append(Article("contradoc:" + str(row["id"]), [s for s in sents if usable(s)]))
    return [a for a in articles if len(a.sentences) >= 2]


def split_of(article_id: str, heldout_share: float = 0.1) -> str:
    h = int(hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "heldout" if h < heldout_share else "train"


# --------------------------------------------------------------------------------------------------------------
# Perturbations: each returns the changed sentence or None
# --------------------------------------------------------------------------------------------------------------

def _format_like(value: float, original: str) -> str:
    if "." in original:
        decimals = len(original.split(".")[1])
        return f"{value:.{decimals}f}"
    if "," in original:
        return f"{int(round(value)):,}"
    return str(int(round(value)))


def _new_number(original: str, rng: random.Random) -> str | None:
    raw = original.replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return None
    if YEAR_RE.match(raw):
        delta = rng.choice([-10, -5, -3, -2, -1, 1, 2, 3, 5])
        return str(int(raw) + delta)
    for _ in range(10):
        if value == 0:
            new = float(rng.randint(1, 9))
        elif value < 10 and "." not in raw:
            new = float(rng.choice([x for x in range(1, 13) if x != value]))
        else:
            factor = rng.choice([0.25, 0.4, 0.5, 0.6, 0.75, 1.3, 1.5, 2.0, 3.0, 4.0])
            new = value * factor
        text = _format_like(new, original)
        if text != original and text.replace(",", "") not in ("0", "0.0"):
            return text
    return None


def change_number(s: str, rng: random.Random) -> str | None:
    """Change one number (digits) in the sentence; keeps its format (commas, decimals)."""
    matches = [m for m in NUMBER_RE.finditer(s) if not YEAR_RE.match(m.group(1).replace(",", ""))]
    if not matches:
        return None
    m = rng.choice(matches)
    new = _new_number(m.group(1), rng)
    if new is None:
        return None
    return s[: m.start(1)] + new + s[m.end(1):]


def change_number_word(s: str, rng: random.Random) -> str | None:
    pat = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
    matches = list(pat.finditer(s))
    if not matches:
        return None
    m = rng.choice(matches)
    word = m.group(1)
    choice = rng.choice([w for w in NUMBER_WORDS if w != word.lower()])
    if word[0].isupper():
        choice = choice.capitalize()
    return s[: m.start(1)] + choice + s[m.end(1):]


def change_year(s: str, rng: random.Random) -> str | None:
    matches = [m for m in NUMBER_RE.finditer(s) if YEAR_RE.match(m.group(1))]
    if not matches:
        return None
    m = rng.choice(matches)
    new = _new_number(m.group(1), rng)
    return None if new is None else s[: m.start(1)] + new + s[m.end(1):]


_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def _list_pattern(items: list[str]) -> re.Pattern:
    key = tuple(items)
    if key not in _PATTERNS:
        _PATTERNS[key] = re.compile(
            r"\b(" + "|".join(re.escape(x) for x in sorted(items, key=len, reverse=True)) + r")\b")
    return _PATTERNS[key]


def _swap_from_list(s: str, items: list[str], rng: random.Random, pool: list[str] | None = None) -> str | None:
    pat = _list_pattern(items)
    matches = list(pat.finditer(s))
    if not matches:
        return None
    m = rng.choice(matches)
    candidates = [x for x in (pool or items) if x != m.group(1) and x not in s]
    if not candidates:
        return None
    return s[: m.start(1)] + rng.choice(candidates) + s[m.end(1):]


def change_date(s: str, rng: random.Random) -> str | None:
    out = _swap_from_list(s, MONTHS, rng)
    if out is None:
        out = _swap_from_list(s, WEEKDAYS, rng)
    return out


def change_place(s: str, rng: random.Random, pool: list[str] | None = None) -> str | None:
    # "May" and "Georgia"/"Jordan" may be names; the lists still give mostly true place swaps.
    return _swap_from_list(s, PLACES, rng, pool)


def find_persons(s: str) -> list[re.Match]:
    return [m for m in PERSON_RE.finditer(s) if m.group(1) in FIRST_NAMES and m.group(2) not in PLACES
            and m.group(2) not in MONTHS and m.group(2) not in WEEKDAYS]


def change_person(s: str, rng: random.Random, pool: list[str]) -> str | None:
    matches = find_persons(s)
    if not matches or not pool:
        return None
    m = rng.choice(matches)
    name = m.group(0)
    candidates = [p for p in pool if p.split()[-1] != m.group(2) and p.split()[0] != m.group(1) and p not in s]
    if not candidates:
        return None
    new = rng.choice(candidates)
    out = s[: m.start()] + new + s[m.end():]
    # later mentions by surname follow the new name
    out = re.sub(r"\b" + re.escape(m.group(2)) + r"\b", new.split()[-1], out)
    return out if out != s and name not in out else None


def negate(s: str, rng: random.Random) -> str | None:
    """Insert or remove a negation, or swap an antonym verb/adjective."""
    options: list[str] = []
    # remove an existing negation
    for c, full in CONTRACTIONS.items():
        for m in re.finditer(r"\b" + re.escape(c) + r"\b", s, flags=re.IGNORECASE):
            rep = full if m.group(0)[0].islower() else full.capitalize()
            options.append(s[: m.start()] + rep + s[m.end():])
    for m in re.finditer(r"\b(" + "|".join(AUX_NEGATABLE + ["did", "does", "do"]) + r") not\b", s):
        options.append(s[: m.end(1)] + s[m.end():])
    for m in re.finditer(r"\bnever\b", s):
        if m.start() > 0:
            options.append(re.sub(r"\s+", " ", s[: m.start()] + s[m.end():]).strip())
    if not options:
        # insert one: "did" -> "did not", "was" -> "was not", ...
        for m in re.finditer(r"\b(" + "|".join(AUX_NEGATABLE + ["did", "does"]) + r")\b(?! not)\s+(\w+)", s):
            aux, nxt = m.group(1), m.group(2)
            if aux in ("has", "have", "had") and not (nxt.endswith("ed") or nxt.endswith("en") or nxt == "been"):
                continue
            if nxt.lower() in ("not", "never", "n't", "to", "no", "nothing", "nobody", "none", "neither"):
                continue
            options.append(s[: m.end(1)] + " not" + s[m.end(1):])
    # antonyms
    words = list(re.finditer(r"\b[a-z]+\b", s))
    for m in words:
        if m.group(0) in _ANTONYM_MAP:
            options.append(s[: m.start()] + rng.choice(_ANTONYM_MAP[m.group(0)]) + s[m.end():])
    options = [o for o in options if o != s]
    return rng.choice(options) if options else None


def swap_roles(s: str, rng: random.Random) -> str | None:
    """'Chelsea beat Arsenal ...' -> 'Arsenal beat Chelsea ...' (two capitalised names around a verb)."""
    pat = re.compile(r"\b(" + CAP_SPAN + r")\s(" + "|".join(TRANSITIVE_VERBS) + r")\s(?:the\s)?(" + CAP_SPAN
                     + r")\b")
    m = pat.search(s)
    if not m:
        return None
    a, verb, b = m.group(1), m.group(2), m.group(3)
    if a == b or a in ("The", "He", "She", "It", "They", "We", "I") or b in ("The",):
        return None
    if a.split()[0] in ("The", "A", "But", "And", "In", "On", "When", "After"):
        return None
    return s[: m.start(1)] + b + " " + verb + " " + a + s[m.end(3):]


def reduce_sentence(s: str, rng: random.Random) -> tuple[str, str] | None:
    """A shorter sentence that the original entails; returns (kind, reduced)."""
    options: list[tuple[str, str]] = []

    def finish(t: str) -> str:
        t = t.strip().rstrip(",;:-")
        t = t[0].upper() + t[1:] if t else t
        return t if t.endswith((".", "!", "?")) else t + "."

    m = TRAILING_CLAUSE.search(s)
    if m and len(s[: m.start()].split()) >= 5:
        options.append(("reduce_clause", finish(s[: m.start()])))
    if PARENTHETICAL.search(s):
        t = PARENTHETICAL.sub("", s)
        if len(t.split()) >= 5:
            options.append(("reduce_parenthetical", t))
    if RELATIVE_CLAUSE.search(s):
        t = RELATIVE_CLAUSE.sub("", s, count=1)
        if len(t.split()) >= 5:
            options.append(("reduce_relative", t))
    m = LEADING_PHRASE.match(s)
    if m and len(s[m.end():].split()) >= 5:
        options.append(("reduce_leading", finish(s[m.end():])))
    options = [(k, t) for k, t in options if t != s and t.split()]
    return rng.choice(options) if options else None


# --------------------------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------------------------

CONTRA_KINDS = ("number", "number_word", "year", "date", "place", "person", "negation", "roles")


def _contradictions(s: str, rng: random.Random, place_pool: list[str], person_pool: list[str]) -> list[
        tuple[str, str]]:
    out = []
    for kind in CONTRA_KINDS:
        if kind == "number":
            t = change_number(s, rng)
        elif kind == "number_word":
            t = change_number_word(s, rng)
        elif kind == "year":
            t = change_year(s, rng)
        elif kind == "date":
            t = change_date(s, rng)
        elif kind == "place":
            t = change_place(s, rng, place_pool)
        elif kind == "person":
            t = change_person(s, rng, person_pool)
        elif kind == "negation":
            t = negate(s, rng)
        else:
            t = swap_roles(s, rng)
        if t and t != s:
            out.append((kind, t))
    return out


def generate_pairs(articles: list[Article], n_pairs: int = 30000, seed: int = 13, split: str = "train",
                   heldout_share: float = 0.1) -> list[Pair]:
    """About ``n_pairs`` pairs, balanced over the three labels, from the articles of ``split``.

    Deterministic for a fixed ``seed`` and input. ``split`` is "train", "heldout" or "all".
    """
    rng = random.Random(seed)
    chosen = [a for a in articles if split == "all" or split_of(a.id, heldout_share) == split]
    if not chosen:
        return []
    all_sents = [s for a in articles for s in a.sentences]
    joined = "\n".join(all_sents)
    place_pool = [p for p in PLACES if re.search(r"\b" + re.escape(p) + r"\b", joined)] or PLACES
    person_pool = sorted({m.group(0) for s in all_sents for m in find_persons(s)})

    per_label = max(1, n_pairs // 3)
    contra: list[Pair] = []
    entail: list[Pair] = []
    neutral: list[Pair] = []
    # several passes over the sentences give several perturbations per sentence when needed
    items = [(a, i) for a in chosen for i in range(len(a.sentences))]
    for rep in range(10):
        rng.shuffle(items)
        for a, i in items:
            s = a.sentences[i]
            nxt = a.sentences[i + 1] if i + 1 < len(a.sentences) else None
            if len(contra) < per_label:
                options = _contradictions(s, rng, place_pool, person_pool)
                if options:
                    # rarer kinds first so that negation and numbers do not crowd them out
                    others = [o for o in options if o[0] != "negation"]
                    if others and rng.random() < 0.75:
                        kind, t = rng.choice(others)
                    else:
                        kind, t = rng.choice(options)
                    if nxt is not None and rng.random() < 0.25:
                        contra.append(Pair(s + " " + nxt, t, "contradiction", kind + "_ctx", a.id))
                    else:
                        contra.append(Pair(s, t, "contradiction", kind, a.id))
            if len(entail) < per_label:
                r = rng.random()
                red = reduce_sentence(s, rng)
                if red is not None and r < 0.6:
                    entail.append(Pair(s, red[1], "entailment", red[0], a.id))
                elif nxt is not None and r < 0.95:
                    if rng.random() < 0.5:
                        entail.append(Pair(s + " " + nxt, s, "entailment", "context_first", a.id))
                    else:
                        entail.append(Pair(s + " " + nxt, nxt, "entailment", "context_second", a.id))
                elif rep == 0 and r >= 0.95:
                    entail.append(Pair(s, s, "entailment", "identity", a.id))
            if len(neutral) < per_label:
                if rng.random() < 0.5 and len(a.sentences) >= 3:
                    j = rng.choice([k for k in range(len(a.sentences)) if k != i])
                    neutral.append(Pair(s, a.sentences[j], "neutral", "neutral_same_article", a.id))
                else:
                    other = rng.choice(chosen)
                    if other.id != a.id:
                        neutral.append(Pair(s, rng.choice(other.sentences), "neutral", "neutral_unrelated", a.id))
            if len(contra) >= per_label and len(entail) >= per_label and len(neutral) >= per_label:
                break
        else:
            continue
        break
    # dedupe, keep order
    seen: set[tuple[str, str]] = set()
    pairs: list[Pair] = []
    for p in contra + entail + neutral:
        key = (p.premise, p.hypothesis)
        if key in seen:
            continue
        seen.add(key)
        pairs.append(p)
    rng.shuffle(pairs)
    return pairs


def unrelated_pairs(articles: list[Article], n: int, seed: int = 13, split: str = "heldout",
                    heldout_share: float = 0.1) -> list[tuple[str, str]]:
    """Sentence pairs from two different articles (for the 'unrelated called contradiction' rate)."""
    rng = random.Random(seed)
    chosen = [a for a in articles if split == "all" or split_of(a.id, heldout_share) == split]
    out = []
    while len(out) < n and len(chosen) >= 2:
        a, b = rng.sample(chosen, 2)
        out.append((rng.choice(a.sentences), rng.choice(b.sentences)))
    return out


def write_jsonl(pairs: Iterable[Pair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for p in pairs:
            f.write(p.to_json() + "\n")


def read_snli(path: Path, limit: int | None = None) -> Iterator[tuple[str, str, int]]:
    with open(path, encoding="utf-8") as f:
        n = 0
        for line in f:
            row = json.loads(line)
            label = row.get("label")
            if label not in LABEL2ID:
                continue
            yield row["premise"], row["hypothesis"], LABEL2ID[label]
            n += 1
            if limit is not None and n >= limit:
                break
