"""The headline rule on the real models (embedder, spaCy, the shipped headline-support model): headlines
as editors write them pass, broken promises are errors. One body, many headlines (issue 18's table)."""

from __future__ import annotations

import pytest

from coherence.document import build_document
from coherence.findings import Severity
from coherence.headline_support import load_headline_model
from coherence.rules.base import RuleContext
from coherence.rules.headline import HeadlineRule
from coherence.settings import Settings

SOCHI_MEETING = [
    "Russian President Vladimir Putin received U.S. Secretary of State Mike Pompeo at his residence in Sochi on Tuesday.",
    "The two men discussed arms control, Syria and Venezuela during three hours of talks.",
    "Pompeo said the talks with Putin in Sochi were frank and useful.",
    "Putin said Russia wanted to rebuild its relations with the United States.",
    "North Korea was not on the agenda, Russian officials said.",
]

CASES = [
    # (headline, None: must pass | the least severity it must get, a word the message must name)
    ("Pompeo Meets Putin In Sochi", None, None),  # paraphrase: "meets" for "received"
    ("US, Russia hold talks in Sochi", None, None),  # abbreviation and alias: US / U.S. / United States
    ("Putin and Pompeo talk for three hours", None, None),  # a number as the body spells it
    ("Putin, Pompeo talk for 3 hours", None, None),  # ... and as digits
    ("Pompeo and Merkel discuss Syria", Severity.warning, "Merkel"),  # a name the body never mentions
    ("Putin, Pompeo talk for 5 hours", Severity.error, "5"),  # a number the body contradicts
    ("Pompeo Meets Putin In Moscow", Severity.error, "Sochi"),  # a place the body contradicts
    ("Floods force thousands from homes in Bangladesh", Severity.error, "Bangladesh"),  # another story
]


@pytest.mark.real_models
@pytest.mark.parametrize(("headline", "least", "named"), CASES, ids=[c[0] for c in CASES])
def test_headline_cases(real_embedder, headline, least, named):
    document = build_document("story.txt", "\n\n".join([headline, *SOCHI_MEETING]) + "\n")
    context = RuleContext(embeddings=real_embedder.encode([s.text for s in document.sentences]),
                          settings=Settings(), headline_model=load_headline_model())
    result = HeadlineRule().run(document, context)
    if least is None:
        assert result.findings == [], f"a supported headline was flagged: {result.findings}"
        return
    (finding,) = result.findings
    assert finding.severity >= least
    assert named in finding.message
    assert finding.related, "the finding points at the body sentence it was read against"


SHARES_FALL = [
    "Shares in the budget airline Skyways plunged 20% on Tuesday after it warned of a steep fall in profits.",
    "Skyways said its profits for the year to March would be 10% lower than the year before.",
    "The airline blamed sluggish demand and rising fuel costs for the warning.",
    "Skyways chief executive Anna Berg said the company would cut its forecast of passenger numbers.",
]
FIRE = [
    "A fire at a warehouse in Leeds killed 12 people on Monday night, the fire service said.",
    "Crews from six stations fought the blaze for more than five hours.",
    "The fire killed 40 people, according to the fire service.",
]


def _headline_findings(embedder, headline, body):
    document = build_document("story.txt", "\n\n".join([headline, *body]) + "\n")
    context = RuleContext(embeddings=embedder.encode([s.text for s in document.sentences]),
                          settings=Settings(), headline_model=load_headline_model())
    return HeadlineRule().run(document, context).findings


@pytest.mark.real_models
def test_a_headline_number_the_body_states_is_carried_whatever_other_numbers_say(real_embedder):
    # "10% lower" is another fact (profits), not the shares' fall the headline and sentence 1 report
    assert _headline_findings(real_embedder, "Skyways shares plummet 20%", SHARES_FALL) == []
    (finding,) = _headline_findings(real_embedder, "Skyways shares plummet 35%", SHARES_FALL)
    assert finding.severity == Severity.error and "35%" in finding.message and "20%" in finding.message


@pytest.mark.real_models
def test_a_headline_number_the_body_disputes_is_flagged_though_one_sentence_agrees(real_embedder):
    # sentence 1 says twelve, sentence 3 forty: the headline's fact is in dispute in the body
    (finding,) = _headline_findings(real_embedder, "Warehouse Fire Kills Twelve In Leeds", FIRE)
    assert finding.severity == Severity.warning
    assert "40" in finding.message and "agrees with the headline" in finding.message


def test_the_shipped_model_has_ordered_cuts_and_its_training_record():
    model = load_headline_model()
    assert 0.0 < model.cuts["warning"] < model.cuts["error"] < 1.0
    assert "Wikinews" in model.meta["trained_on"]
    assert model.meta["held_out"]["own"]["error"] <= 0.02


@pytest.mark.real_models
def test_a_nationality_is_a_word_to_match_not_a_name_whose_absence_is_a_broken_promise():
    from coherence import nlp
    from coherence.headline_support import headline_terms

    kinds = {t.text: t.kind for t in headline_terms(nlp.load()("French suitor holds LSE meeting in Paris"))}
    assert kinds["French"] == "word"  # "a French suitor" for the body's Euronext
    assert kinds["Paris"] == "name"


def test_common_words_are_those_prose_writes_in_lower_case():
    from coherence.training.common_words import common_words, count_forms

    texts = ["The talks reached a standoff, and the standoff held while Parker spoke to Parker's aides."] * 3
    words = common_words(*count_forms(texts))
    assert "standoff" in words and "held" in words
    assert "parker" not in words  # written capitalised inside sentences: a name


@pytest.mark.real_models
def test_a_capitalised_common_word_and_a_half_found_name_are_not_missing_names(real_embedder):
    from coherence import nlp
    from coherence.headline_support import evidence, index_body

    body = ["Mayor Ken Livingstone faces an inquiry over remarks to a reporter, the watchdog said.",
            "The standards board said the inquiry would report next month."]
    parses = [nlp.load()(s) for s in body]
    index = index_body(parses, real_embedder.encode(body))
    for headline in ("Probe launched on Ken Nazi jibe", "'Standoff' over Livingstone inquiry"):
        found = evidence(nlp.load()(headline), real_embedder.encode([headline])[0], index)
        assert found.missing_names == [], (headline, found.missing_names)
