"""Who and what an article introduces: the evidence an editor reads when a sentence does not fit.

A sentence from another story names people, places and organisations the article never mentions
otherwise (``unmentioned_names``), names someone by surname alone whom it never introduced
(``unintroduced_people``), or refers to something as known that nothing before it set up
(``unanchored_references``: "The offensive threatens ...", "withdrew from the deal"), or happens
somewhere other than the story (``settings``: "in Brussels" where the lead is "in Sochi").

News copy introduces a person once, in full ("Foreign Minister Heiko Maas"), and then uses the
surname ("Maas said ..."). A sentence spliced in from another story keeps its surname-only
references, but the article around it never introduced them: "Maas is never introduced". Read off
spaCy's entities (``RuleContext.parses``), not capitalised runs, so "Monday" or "Brussels" are not
taken for people.
"""

from __future__ import annotations

from . import entities

# What an editor reads as a name: people, places, organisations, nationalities, events, works and laws
# (not dates, numbers or quantities).
_NAMED = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"})

_HONORIFICS = frozenset({"Mr", "Mrs", "Ms", "Miss", "Dr", "Sir", "Dame", "Lord", "Lady"})


def _person_words(doc) -> list[tuple[str, ...]]:
    """Each PERSON entity of a parsed sentence as its words, lower-cased ("heiko", "maas")."""
    return [tuple(t.lower_ for t in ent if t.is_alpha) for ent in doc.ents if ent.label_ == "PERSON"]


def unintroduced_people(parses: list, index: int) -> list[str]:
    """Surnames sentence ``index`` uses that the article never introduces, as written.

    A one-word PERSON is introduced when a longer PERSON name anywhere in the article (the headline
    and later sentences too: copy sometimes gives the full name after a quote) ends with or holds
    it, or when the word occurs anywhere else in the article at all: a story about someone names
    them more than once, while an intruder's surname stands alone.
    """
    full_names = {word for doc in parses for words in _person_words(doc) if len(words) > 1 for word in words}
    elsewhere = _words_elsewhere(parses, index)
    found = []
    for ent in parses[index].ents:
        words = [t for t in ent if t.is_alpha]
        if ent.label_ != "PERSON" or len(words) != 1 or not _named_as_actor(words[0]):
            continue
        if (words[0].lower_ not in full_names and entities.stem(words[0].text) not in elsewhere
                and words[0].text not in found):
            found.append(words[0].text)
    return found


def _words_elsewhere(parses: list, index: int) -> set[str]:
    """The stems of every word of the article's other sentences, headline included."""
    return {entities.stem(t.text) for k, doc in enumerate(parses) if k != index for t in doc if t.is_alpha}


def _named_as_actor(token) -> bool:
    """The name does or owns something ("Maas said", "Clark's comments"), as a surname does.

    The small model also tags places, brands and titles as one-word people ("the Queen's", "of
    Twitter", "at Yorkshire"); they are rarely a verb's subject without an article. A first name
    the entity left out ("Esteban" before "Cambiasso") makes it a full name."""
    before = token.doc[token.i - 1] if token.i > 0 else None
    first_name = (before is not None and before.pos_ == "PROPN" and before.text[:1].isupper()
                  and before.text.rstrip(".") not in _HONORIFICS)  # "Mr Clark" is still a surname alone
    if first_name or before is not None and before.pos_ == "DET":
        return False
    return token.dep_ in ("nsubj", "nsubjpass", "poss")


def unmentioned_names(parses: list, index: int) -> list[str]:
    """The names of sentence ``index`` (spaCy's entities, whole: "Vincent de Rivaz") that no other
    sentence of the article, headline included, mentions by any of their words; compared by stem, so
    "Russian" meets "Russia" and "diplomats" meets "diplomat"."""
    seen = _words_elsewhere(parses, index)
    found = []
    for ent in parses[index].ents:
        words = [t for t in ent if t.is_alpha and not t.is_stop]
        if ent.label_ in _NAMED and words and not any(entities.stem(t.text) in seen for t in words):
            name = (ent[1:] if ent[0].lower_ == "the" else ent).text  # "the Preese Hall" -> "Preese Hall"
            if name not in found:
                found.append(name)
    return found


# Nouns news copy takes as known without setting them up ("the government", "the police", "last week").
_KNOWN_WITHOUT_ANTECEDENT = frozenset("""
world country nation government state city capital town region area public people police army military
president minister prime court parliament congress senate media press internet economy market weather
time year month week day morning afternoon evening night weekend moment end start beginning past future
rest way case fact number majority first last top bottom side north south east west
""".split())
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
_IDENTIFYING = frozenset({"compound", "prep", "acl", "relcl", "appos", "nummod", "poss"})


def unanchored_references(parses: list, index: int) -> list[str]:
    """Definite noun phrases of sentence ``index`` that nothing earlier in the article sets up, as written.

    "The offensive threatens ..." or "withdrew the U.S. from the deal" in a story that never mentioned
    an offensive or a deal: the sentence was written for a story that had. A phrase that identifies
    itself ("the deal signed in 2015", "the Iran deal", "the Syrian territories", "the company's
    offer") is not one, nor a proper name, nor a noun copy takes as known ("the government", "last
    week"). Earlier sentences (the headline included) set a noun up by the same lemma or stem,
    whatever its word class ("they dealt" sets up "the deal").
    """
    earlier = {key for doc in parses[:index] for t in doc if t.is_alpha
               for key in (t.lemma_.lower(), entities.stem(t.text))}
    found = []
    for token in parses[index]:
        if token.pos_ != "NOUN" or token.dep_ not in ("nsubj", "nsubjpass", "dobj", "pobj"):
            continue
        determiners = [c for c in token.children if c.dep_ == "det" and c.lower_ in _DEFINITE]
        if not determiners or any(c.dep_ in _IDENTIFYING or c.ent_type_ for c in token.children):
            continue
        if token.lemma_.lower() in _KNOWN_WITHOUT_ANTECEDENT or token.ent_type_:
            continue
        if token.lemma_.lower() in earlier or entities.stem(token.text) in earlier:
            continue
        phrase = token.doc[determiners[0].i: token.i + 1].text
        if phrase not in found:
            found.append(phrase)
    return found


_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_LOCATIVE = frozenset({"in", "at", "near", "outside", "inside"})


def settings(doc) -> list[str]:
    """Where a parsed sentence says things happen: its places that follow "in", "at", "near" ("met in
    Sochi"), as written, not the places that only qualify someone ("U.S. Secretary of State")."""
    found = []
    for ent in doc.ents:
        if ent.label_ in _PLACE_LABELS and ent.root.dep_ == "pobj" and ent.root.head.lower_ in _LOCATIVE:
            name = (ent[1:] if ent[0].lower_ == "the" else ent).text
            if name not in found:
                found.append(name)
    return found
