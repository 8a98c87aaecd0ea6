"""Who an article introduces, on the real parser (spaCy en_core_web_sm): a surname the article never
introduces is evidence that a sentence belongs to another story; the story's own people must pass."""

from __future__ import annotations

import pytest

from coherence import nlp
from coherence.introductions import unintroduced_people, unmentioned_names

STORY = [
    "Russian President Vladimir Putin received U.S. Secretary of State Mike Pompeo in Sochi on Tuesday.",
    "The two men spoke for three hours about arms control and Syria.",
]

CASES = [
    # must flag: a surname the article never introduces (the Sochi article's Maas line)
    (STORY + ["Maas said he used his meeting with Pompeo to stress that Germany wants no escalation."], ["Maas"]),
    # must flag: a title does not introduce anyone ("Mr Clark")
    (STORY + ["EDF cancelled a trip to Hinkley Point following Mr Clark's comments."], ["Clark"]),
    # must pass: a quote of the story's own speaker, introduced in full earlier
    (STORY + ['"We hope this situation will die down," Pompeo said.'], []),
    # must pass: the full name comes later in the article (copy sometimes quotes first)
    (STORY + ["Maas said Germany wants no escalation.", "German Foreign Minister Heiko Maas flew home."], []),
    # must pass: the full name in the sentence itself
    (STORY + ["German Foreign Minister Heiko Maas said Germany wants no escalation."], []),
]


@pytest.mark.parametrize(("sentences", "expected"), CASES, ids=["surname", "title", "own-speaker", "named-later", "full-name"])
def test_a_surname_never_introduced(sentences, expected):
    parses = nlp.parse(sentences)
    assert unintroduced_people(parses, 2) == expected


def test_a_surname_the_article_uses_again_is_not_evidence():
    # no full name anywhere, but the story is about this person: the name recurs
    sentences = STORY + ["Lavrov said the talks were useful.", "Lavrov later left for Moscow."]
    assert unintroduced_people(nlp.parse(sentences), 2) == []


@pytest.mark.parametrize("sentence", [
    "The baby will be the Queen's fifth great-grandchild.",  # a title with an article
    "People have taken to Weibo, the Chinese equivalent of Twitter, to praise her.",  # a brand, not an actor
    "Esteban Cambiasso has scored four goals this term.",  # a first name the entity left out
])
def test_what_the_parser_tags_as_one_word_people_but_is_no_surname(sentence):
    assert unintroduced_people(nlp.parse(STORY + [sentence]), 2) == []


def test_names_the_rest_of_the_article_never_mentions_are_given_whole():
    sentences = ["Pompeo Meets Putin in Sochi"] + STORY + [
        "EDF chief executive Vincent de Rivaz cancelled a trip to the Preese Hall site in Lancashire."]
    names = unmentioned_names(nlp.parse(sentences), 3)
    assert "Vincent de Rivaz" in names and "Lancashire" in names
    assert "Preese Hall" in names or "Preese Hall site" in names  # the article "the" is left out
    assert not any(name.lower().startswith("the ") for name in names)


def test_a_name_the_headline_or_another_form_mentions_is_not_unmentioned():
    sentences = ["Russia and America Talk Syria"] + STORY + ["Russian officials said Sochi was chosen for the talks."]
    # "Russian" meets "Russian President" (and "Russia"), Sochi is in the lead
    assert unmentioned_names(nlp.parse(sentences), 3) == []



@pytest.mark.parametrize(("sentence", "expected"), [
    # must flag: the Sochi article's Syria and Iran lines, written for stories that had set these up
    ("The offensive threatens to unleash a major humanitarian catastrophe.", ["The offensive"]),
    ("President Donald Trump withdrew the U.S. from the deal in May 2018.", ["the deal"]),
    # must pass: an earlier sentence set it up
    ("They reached a deal on arms control. The deal runs for three years.", []),
    # must pass: the phrase identifies itself
    ("Trump withdrew from the deal signed in 2015.", []),
    ("Trump withdrew from the Iran nuclear deal.", []),
    # must pass: what copy takes as known
    ("The government said it would reply next week.", []),
])
def test_a_definite_reference_with_nothing_before_it(sentence, expected):
    from coherence.document import sentence_spans
    from coherence.introductions import unanchored_references

    sentences = STORY + [sentence[a:b] for a, b in sentence_spans(sentence)]
    parses = nlp.parse(sentences)
    assert unanchored_references(parses, len(sentences) - 1) == expected


def test_a_definite_reference_is_set_up_by_the_headline():
    from coherence.introductions import unanchored_references

    sentences = ["Russian Offensive Threatens Thousands"] + STORY + ["The offensive began on Monday."]
    assert unanchored_references(nlp.parse(sentences), 3) == []


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Putin received U.S. Secretary of State Mike Pompeo at his residence in Sochi yesterday.", ["Sochi"]),
    ("The ministers met Pompeo in Brussels on Monday.", ["Brussels"]),
    ("The U.S. backs opposition leader Juan Guaido.", []),  # a place as an actor is no setting
    ("Russian officials welcomed the talks.", []),
])
def test_where_a_sentence_says_things_happen(sentence, expected):
    from coherence.introductions import settings

    assert settings(nlp.parse([sentence])[0]) == expected
