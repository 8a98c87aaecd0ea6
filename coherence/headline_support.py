"""Does the body support its headline? The evidence an editor reads, and a small model that weighs it.

Headlines paraphrase ("Meets" for "received", "N. Korea", "Kills Twelve", dropped articles, present
tense), so a word-for-word match is the wrong test. The evidence:

- the headline's key terms (spaCy lemmas and entities) and whether the body uses each one, under
  its lemma, a crude stem, a spelled-out or written number, a country alias ("US" / "United
  States") or an acronym ("LSE" for "London Stock Exchange");
- which missing terms are names (a person, place, organisation the body never mentions: a broken
  promise) and which are numbers;
- how close the headline's meaning is to the lead, the closest body sentences and the body as a
  whole (sentence embeddings).

``HeadlineSupportModel`` is a logistic regression over these features, trained on Wikinews
headlines over their own bodies against headlines of other articles
(``python -m coherence.training.train_headline``), and ships as JSON in ``models/headline/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from . import entities, facts, places
from .errors import ModelError

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "models" / "headline" / "headline-support.json"
# words prose writes in lower case (python -m coherence.training.common_words): a title-case headline's
# "Standoff" or "Budget" is such a word, not a name, whatever spaCy's entity reading says
COMMON_WORDS_PATH = DEFAULT_PATH.parent / "common-words.txt"

# spaCy entity labels that name someone or something a reader would look for in the body. Not NORP:
# a nationality or group ("French", "Nazi") describes rather than names, and headlines use it for what
# the body names ("French suitor" for Euronext); it is matched like any other word.
NAME_LABELS = frozenset({"PERSON", "GPE", "LOC", "ORG", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})
NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"})
LEAD_SENTENCES = 2  # the lead: what the story says first


# Short forms of headlines ("Man Utd" for Manchester United).
_ABBREVIATIONS = {"utd": "united", "govt": "government", "intl": "international", "natl": "national",
                  "dept": "department", "int'l": "international"}
PREFIX_MIN = 3  # a headline name this long may stand for a body name it begins ("Man" for "Manchester")

FEATURES = (
    "cover", "cover_lead", "names_missing", "numbers_missing", "words_missing", "terms",
    "sim_lead", "sim_max", "sim_top3", "sim_centroid",
)


@dataclass(frozen=True)
class Term:
    text: str  # as written in the headline
    keys: frozenset[str]  # what it may appear as in the body
    kind: str  # "name", "number" or "word"
    entity: int = -1  # for a word of a multi-word name, the name's first token; -1 otherwise


@dataclass
class BodyIndex:
    """What the body says, in the forms a headline term is matched against."""

    keys: set[str]
    lead_keys: set[str]
    vectors: np.ndarray  # unit vectors of the body sentences, in order


@dataclass
class HeadlineEvidence:
    terms: list[Term]
    missing: list[Term]
    closest: int  # position in the body of the sentence closest to the headline
    features: np.ndarray

    @property
    def missing_names(self) -> list[Term]:
        return [t for t in self.missing if t.kind == "name"]

    @property
    def missing_numbers(self) -> list[Term]:
        return [t for t in self.missing if t.kind == "number"]


def number_key(text: str) -> str | None:
    """'12', 'twelve', '1,200', '$3.5bn' -> a canonical number string; None when it is not a number."""
    value = facts.number_value(text)
    return None if value is None else f"{value:g}"


def _token_keys(token) -> set[str]:
    """The forms under which a token can meet a headline term."""
    lower = token.text.lower().strip(".'’\"")
    keys = {lower, token.lemma_.lower(), entities.stem(lower)}
    number = number_key(token.text)
    if number is not None:
        keys.add(number)
    alias = places.country(lower) or places.DEMONYMS.get(lower)
    if alias:
        keys.add(alias)
    if lower in _ABBREVIATIONS:
        keys.add(_ABBREVIATIONS[lower])
    return {k for k in keys if k}


def _span_keys(doc) -> set[str]:
    """Keys of every token, plus whole names, country aliases of names, acronyms of multi-word names
    and numbers with their scale ("3.5 billion" -> "3.5e+09")."""
    keys: set[str] = set()
    for token in doc:
        if not token.is_punct and not token.is_space:
            keys |= _token_keys(token)
    for ent in doc.ents:
        name = " ".join(ent.text.lower().split())
        keys.add(name)
        country = places.country(ent.text)
        if country:
            keys.add(country)
        words = [w for w in ent.text.split() if w[:1].isupper() and w.lower() not in ("of", "the", "and")]
        if len(words) >= 2:
            keys.add("".join(w[0] for w in words).lower())
    for i, token in enumerate(doc[:-1]):
        scale = facts.SCALES.get(doc[i + 1].text.lower())
        number = number_key(token.text)
        if scale and number is not None:
            keys.add(f"{float(number) * scale:g}")
    for country in places.countries_in(doc.text):
        keys.add(country)
    return keys


def index_body(body_parses: list, body_vectors: np.ndarray) -> BodyIndex:
    keys: set[str] = set()
    lead: set[str] = set()
    for position, doc in enumerate(body_parses):
        found = _span_keys(doc)
        keys |= found
        if position < LEAD_SENTENCES:
            lead |= found
    return BodyIndex(keys=keys, lead_keys=lead, vectors=np.asarray(body_vectors, dtype=np.float32))


def _title_case(doc) -> bool:
    words = [t.text for t in doc if t.is_alpha and len(t.text) > 3]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    try:
        return frozenset(COMMON_WORDS_PATH.read_text(encoding="utf-8").split())
    except FileNotFoundError as exc:
        raise ModelError(f"headline word list not found: {COMMON_WORDS_PATH}") from exc


def _capitalised_anyway(doc, token, title_case: bool) -> bool:
    """A capital that says nothing: every word of a title-case headline, a headline's first word, a quoted word."""
    quoted = 0 < token.i < len(doc) - 1 and doc[token.i - 1].text in "'‘\"“" and doc[token.i + 1].text in "'’\"”"
    return title_case or token.i == 0 or quoted


def headline_terms(doc) -> list[Term]:
    """The headline's key terms: content words, names and numbers; stop words and lone initials left out."""
    title_case = _title_case(doc)
    in_name, entity_of = {}, {}
    for ent in doc.ents:
        for token in ent:
            in_name[token.i] = ent.label_
            if len(ent) > 1:
                entity_of[token.i] = ent.start
    terms: list[Term] = []
    seen: set[str] = set()
    for token in doc:
        text = token.text.strip(".'’\"")
        lower = text.lower()
        if token.is_punct or token.is_space or not text or len(text) < 2 or not token.text[0].isalnum():
            continue
        if (token.is_stop or lower in entities.STOPWORDS) and number_key(text) is None:
            continue  # spaCy counts "twelve" as a stop word; a headline's number is a key term
        if token.pos_ not in CONTENT_POS and number_key(text) is None:
            continue
        label = in_name.get(token.i)
        number = number_key(text)
        if number is not None or label in NUMBER_LABELS:
            kind = "number" if number is not None else "word"
        elif places.country(lower):
            kind = "name"
        elif lower in common_words() and _capitalised_anyway(doc, token, title_case):
            kind = "word"  # "'Standoff'", "Budget Aston": a capital the headline's style gave a common word
        elif label in NAME_LABELS:
            kind = "name"
        elif token.pos_ == "PROPN" and not title_case and token.i > 0:
            kind = "name"  # in sentence case a capitalised word inside the headline is a name
        else:
            kind = "word"
        keys = _token_keys(token)
        if lower in seen:
            continue
        seen.add(lower)
        terms.append(Term(text=text, keys=frozenset(keys), kind=kind, entity=entity_of.get(token.i, -1)))
    return terms


_WEIGHT = {"name": 2.0, "number": 2.0, "word": 1.0}


def _cover(terms: list[Term], keys: set[str]) -> float:
    total = sum(_WEIGHT[t.kind] for t in terms)
    if not total:
        return 1.0
    return sum(_WEIGHT[t.kind] for t in terms if t.keys & keys) / total


def _short_for(term: Term, keys: set[str]) -> bool:
    """A headline name that is the start of a body name: "Man" for "Manchester", "Govt" aside."""
    if term.kind != "name" or len(term.text) < PREFIX_MIN:
        return False
    start = term.text.lower()
    return any(k.startswith(start) and k != start and " " not in k for k in keys)


def _partly_found(terms: list[Term], missing: list[Term]) -> list[Term]:
    """Missing words of a multi-word name another word of which the body uses, as plain words: the
    body that names "Ken Livingstone" carries "Ken Nazi jibe" 's name, however spaCy cut it."""
    found = {t.entity for t in terms if t.entity >= 0 and t.kind == "name" and t not in missing}
    return [Term(t.text, t.keys, "word") if t.kind == "name" and t.entity in found else t for t in missing]


def evidence(headline_doc, headline_vector: np.ndarray, body: BodyIndex) -> HeadlineEvidence:
    terms = headline_terms(headline_doc)
    missing = [t for t in terms if not t.keys & body.keys and not _short_for(t, body.keys)]
    missing = _partly_found(terms, missing)
    sims = body.vectors @ np.asarray(headline_vector, dtype=np.float32) if len(body.vectors) else np.zeros(1)
    top = np.sort(sims)[::-1]
    centroid = body.vectors.mean(axis=0) if len(body.vectors) else np.zeros_like(headline_vector)
    norm = float(np.linalg.norm(centroid)) or 1.0
    features = np.array([
        _cover(terms, body.keys),
        _cover(terms, body.lead_keys),
        min(sum(t.kind == "name" for t in missing), 3),
        min(sum(t.kind == "number" for t in missing), 3),
        min(sum(t.kind == "word" for t in missing), 5),
        min(len(terms), 10) / 10.0,
        float(sims[: LEAD_SENTENCES].max()),
        float(top[0]),
        float(top[:3].mean()),
        float(centroid @ headline_vector) / norm,
    ], dtype=np.float32)
    return HeadlineEvidence(terms=terms, missing=missing, closest=int(np.argmax(sims)), features=features)


@dataclass(frozen=True)
class HeadlineSupportModel:
    """P(the body does not support the headline) = sigmoid(w . standardised features + b), with its cuts."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float
    cuts: dict  # "warning", "error": on the probability
    meta: dict

    def unsupported(self, features: np.ndarray) -> float:
        z = (np.asarray(features, dtype=np.float64) - self.mean) / self.scale
        return float(1.0 / (1.0 + np.exp(-(z @ self.weights + self.bias))))

    def to_json(self) -> dict:
        return {
            "features": list(FEATURES), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "weights": self.weights.tolist(), "bias": self.bias, "cuts": self.cuts, "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict) -> HeadlineSupportModel:
        if tuple(data.get("features", ())) != FEATURES:
            raise ValueError("its features are not the ones this version of coherence computes; retrain it")
        return cls(mean=np.array(data["mean"]), scale=np.array(data["scale"]), weights=np.array(data["weights"]),
                   bias=float(data["bias"]), cuts=dict(data["cuts"]), meta=dict(data.get("meta", {})))


def load_headline_model(path: Path = DEFAULT_PATH) -> HeadlineSupportModel:
    try:
        return HeadlineSupportModel.from_json(json.loads(Path(path).read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ModelError(f"headline model not found: {path}") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"headline model {path} cannot be read: {exc}") from exc
