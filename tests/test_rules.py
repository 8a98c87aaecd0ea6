"""Every rule proves itself on examples it must flag and examples it must pass (proselint's tests/examples.py).

The examples run through the real document builder and rule code, with a deterministic hashing
embedder instead of the sentence model, and the shipped belonging model for ``off-topic``. Each
example is an honest article: a must-flag off-topic example is one story plus one sentence about a
different subject with different names; a must-pass example is a coherent article.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from coherence.document import build_document
from coherence.findings import Severity
from coherence.rules import all_rules
from coherence.rules.base import RuleContext
from coherence.settings import Settings

FLOOD = [
    "Heavy rain pushed the Riverton river over its banks on Tuesday, flooding hundreds of homes in the town.",
    "Riverton mayor Ellen Park said the flood waters reached the town hall by noon.",
    "Rescue crews used boats to move Riverton families from flooded homes near the river.",
    "The river is expected to crest on Wednesday, the town's flood office said.",
    "Park asked residents to stay away from the river until the flood waters fall.",
]
TRIAL = [
    "A jury in Dayton found former bank manager Carl Hughes guilty of fraud on Friday.",
    "Prosecutors said Hughes moved client money from the bank into his own accounts for six years.",
    "The jury heard that the fraud cost bank clients more than two million dollars.",
    "Hughes told the jury he had planned to return the money to the bank.",
    "Judge Maria Ortiz will sentence Hughes for the fraud in March, the court said.",
]
FOOTBALL = "Manchester United signed Brazilian striker Carlos Mendes for a club record fee of 90 million euros."
VOLCANO = "Iceland's Katla volcano erupted overnight, sending ash over Reykjavik and grounding flights to Oslo."


def article(headline: str | None, sentences: list[str]) -> str:
    blocks = ([headline] if headline else []) + sentences
    return "\n\n".join(blocks) + "\n"


def spliced(sentences: list[str], at: int, intruder: str) -> list[str]:
    return sentences[:at] + [intruder] + sentences[at:]


@dataclass(frozen=True)
class Example:
    text: str
    flagged: str | None = None  # must flag: exactly the sentence with this text; None: must pass (no finding)
    min_severity: Severity = Severity.suggestion
    nli: object | None = None  # a stub NLI object (``predict(pairs) -> (n, 3)`` probabilities) for rules that read one


class NumberNLI:
    """Stub NLI: two sentences that say the same thing with different numbers contradict each other.

    ``predict(pairs)`` returns (contradiction, entailment, neutral) probabilities per pair, like ``nli.NLIModel``.
    """

    def predict(self, pairs):
        out = []
        for premise, hypothesis in pairs:
            (wa, na), (wb, nb) = _words_numbers(premise), _words_numbers(hypothesis)
            same_story = len(wa & wb) >= 0.6 * min(len(wa), len(wb))
            out.append([0.95, 0.02, 0.03] if same_story and na and nb and na != nb else [0.02, 0.08, 0.90])
        return np.asarray(out)


def _words_numbers(text: str):
    import re

    tokens = re.findall(r"[a-z]+|\d+", text.lower())
    return {t for t in tokens if not t.isdigit()}, {t for t in tokens if t.isdigit()}


VISIT = [
    "Secretary of State Mike Pompeo met President Vladimir Putin in Sochi on Tuesday.",
    "The two men spoke for three hours about arms control and Syria.",
    "Pompeo, during his visit to Iran, said the United States did not want a war.",
    "Pompeo's first official visit to Russia ends on Wednesday.",
]
TOUR = [
    "Secretary of State Mike Pompeo began a week of talks in Europe on Monday.",
    "Pompeo, on his visit to Germany, met Chancellor Angela Merkel.",
    "After Germany, Pompeo's visit to France began on Thursday.",
    "He will return to Washington on Saturday.",
]

FIRE = [
    "A fire destroyed 40 homes in Millbrook on Sunday, officials said.",
    "Firefighters from three towns fought the blaze through the night.",
    "Strong winds pushed the fire across the hills above Millbrook.",
    "No one was hurt, and the cause of the fire is not yet known.",
]
FIRE_CONTRADICTION = "Officials said the fire destroyed 12 homes in Millbrook on Sunday."
FIRE_TWO_SOURCES = [
    "Mayor Ann Lee said the fire destroyed 40 homes in Millbrook on Sunday.",
    "Firefighters from three towns fought the blaze through the night.",
    "Fire chief Tom Ortiz said the fire destroyed 12 homes in Millbrook on Sunday.",
    "The cause of the fire is not yet known.",
]

EXAMPLES: dict[str, list[Example]] = {
    "off-topic": [
        # must flag: one sentence of another story, with names the article never mentions
        Example(article("Flood Waters Rise in Riverton", spliced(FLOOD, 2, FOOTBALL)), flagged=FOOTBALL),
        Example(article("Former Bank Manager Found Guilty of Fraud", spliced(TRIAL, 3, VOLCANO)), flagged=VOLCANO),
        Example(article(None, spliced(FLOOD, 4, VOLCANO)), flagged=VOLCANO),
        # must pass: coherent articles
        Example(article("Flood Waters Rise in Riverton", FLOOD)),
        Example(article("Former Bank Manager Found Guilty of Fraud", TRIAL)),
        Example(article(None, TRIAL)),
    ],
    "headline": [
        # must flag: the headline promises people and places the body never mentions
        Example(article("Putin and Pompeo Discuss North Korea in Sochi", FLOOD), flagged="Putin and Pompeo Discuss North Korea in Sochi",
                min_severity=Severity.error),
        Example(article("Volcano grounds flights to Oslo, Iceland says", TRIAL),
                flagged="Volcano grounds flights to Oslo, Iceland says", min_severity=Severity.warning),
        # must pass: every word of the headline is borne out by the body
        Example(article("Riverton mayor says flood waters reached town hall", FLOOD)),
        Example(article("Riverton River Floods Homes", FLOOD)),
        Example(article("Hughes guilty of bank fraud, jury says", TRIAL)),
        # must pass: inflections and number words the body spells otherwise ("moved", "six")
        Example(article("Hughes Moves Client Money For Six Years", TRIAL)),
    ],
    "contradiction": [
        # must flag: the same source gives two different numbers for the same fact
        Example(article("Fire Destroys Homes in Millbrook", FIRE + [FIRE_CONTRADICTION]), flagged=FIRE_CONTRADICTION,
                nli=NumberNLI()),
        # must pass: a consistent article; two named speakers who disagree (that is news, not an error)
        Example(article("Fire Destroys Homes in Millbrook", FIRE), nli=NumberNLI()),
        # must flag without NLI agreeing (typed evidence): one actor's visit placed in two countries;
        # the sentence at odds with the headline's country carries the finding
        Example(article("Pompeo Meets Putin in Russia", VISIT), flagged=VISIT[2], nli=NumberNLI()),
        # must pass: a tour, where one sentence names both countries
        Example(article("Pompeo Tours Europe", TOUR), nli=NumberNLI()),
    ],
}


def run_rule(rule, text: str, embedder, belonging, nli=None):
    from coherence.headline_support import load_headline_model

    document = build_document("example.txt", text)
    embeddings = embedder.encode([s.text for s in document.sentences])
    context = RuleContext(embeddings=embeddings, settings=Settings(), nli=nli, belonging=belonging,
                          headline_model=load_headline_model())
    return document, rule.run(document, context)


def _cases():
    for rule in all_rules():
        for n, example in enumerate(EXAMPLES.get(rule.id, [])):
            kind = "flag" if example.flagged else "pass"
            yield pytest.param(rule, example, id=f"{rule.id}-{kind}-{n}")


def test_every_rule_has_examples_that_flag_and_pass():
    missing = []
    for rule in all_rules():
        examples = EXAMPLES.get(rule.id, [])
        if not any(e.flagged for e in examples) or not any(e.flagged is None for e in examples):
            missing.append(rule.id)
    assert not missing, f"rules without must-flag and must-pass examples in tests/test_rules.py: {missing}"


@pytest.mark.parametrize(("rule", "example"), list(_cases()))
def test_rule_example(rule, example, hashing_embedder, belonging_model):
    document, result = run_rule(rule, example.text, hashing_embedder, belonging_model, example.nli)
    flagged = [document.text[f.start : f.end] for f in result.findings]
    if example.flagged is None:
        assert result.findings == [], f"{rule.id} flagged a coherent example: {flagged}"
        return
    assert flagged == [example.flagged], f"{rule.id} should flag exactly {example.flagged!r}, flagged {flagged}"
    finding = result.findings[0]
    assert finding.rule == rule.id
    assert finding.severity >= example.min_severity
    assert 0.0 <= finding.score <= 1.0
    assert finding.message
    # the score of the flagged sentence is the highest of the rule's scores
    assert result.scores[finding.sentence] == max(result.scores.values())


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_scores_are_per_sentence_and_in_unit_interval(rule, hashing_embedder, belonging_model):
    for example in EXAMPLES.get(rule.id, []):
        document, result = run_rule(rule, example.text, hashing_embedder, belonging_model, example.nli)
        indexes = {s.index for s in document.sentences}
        assert set(result.scores) <= indexes
        assert all(0.0 <= v <= 1.0 for v in result.scores.values())
        for f in result.findings:
            sentence = document.sentences[f.sentence]
            assert (f.start, f.end, f.line, f.column) == (sentence.start, sentence.end, sentence.line, sentence.column)


# --- off-topic with a stub belonging model: the severity cuts come from the model's metadata ---------------


class StubBelonging:
    """Scores each body sentence by its position (0.0, 0.1, ...); thresholds as a calibrated model stores them."""

    metadata = {"thresholds": {"suggestion": 0.15, "warning": 0.25, "error": 0.35}}

    def predict(self, features: np.ndarray) -> np.ndarray:
        return np.arange(len(features)) / 10.0


def _off_topic():
    return next(r for r in all_rules() if r.id == "off-topic")


def test_off_topic_severity_follows_the_model_thresholds(hashing_embedder):
    document, result = run_rule(_off_topic(), article(None, FLOOD), hashing_embedder, StubBelonging())
    by_sentence = {f.sentence: f.severity for f in result.findings}
    # body sentences score 0.0, 0.1, 0.2, 0.3, 0.4
    assert by_sentence == {2: Severity.suggestion, 3: Severity.warning, 4: Severity.error}
    assert [round(result.scores[i], 2) for i in range(5)] == [0.0, 0.1, 0.2, 0.3, 0.4]
    # a finding points back at the lead, the sentence that sets the story
    assert all(f.related[0].sentence == 0 for f in result.findings)


def test_off_topic_message_says_who_is_never_introduced(hashing_embedder):
    body = FLOOD[:3] + ["Maas said the talks in Brussels with the other ministers had been useful."]
    document, result = run_rule(_off_topic(), article(None, body), hashing_embedder, StubBelonging())
    finding = next(f for f in result.findings if document.sentences[f.sentence].text == body[3])
    assert "'Maas' is named by surname alone and never introduced" in finding.message
    assert "it names 'Brussels'" in finding.message  # the other unseen names are still listed, Maas not twice
    assert finding.message.count("Maas") == 1


def test_off_topic_message_says_where_it_happens_against_where_the_story_is(hashing_embedder):
    body = ["Russian President Vladimir Putin received Mike Pompeo at his residence in Sochi on Tuesday."] + FLOOD[1:3] + [
        "The top diplomats of Britain, France and Germany met the minister in Brussels on Monday."]
    document, result = run_rule(_off_topic(), article(None, body), hashing_embedder, StubBelonging())
    finding = next(f for f in result.findings if document.sentences[f.sentence].text == body[3])
    assert "it takes place in 'Brussels', the story (its lead) in 'Sochi'" in finding.message
    own = next(f for f in result.findings if document.sentences[f.sentence].text == FLOOD[2])
    assert "takes place" not in own.message  # it names no place of its own


def test_off_topic_message_says_what_nothing_before_it_set_up(hashing_embedder):
    body = FLOOD[:3] + ["The offensive threatens to unleash a humanitarian catastrophe in the region."]
    document, result = run_rule(_off_topic(), article(None, body), hashing_embedder, StubBelonging())
    finding = next(f for f in result.findings if document.sentences[f.sentence].text == body[3])
    assert "nothing before it sets up 'The offensive'" in finding.message
    lead_story = next(f for f in result.findings if document.sentences[f.sentence].text == FLOOD[2])
    assert "sets up" not in lead_story.message  # "flooded homes near the river": the flood set them up


def test_off_topic_needs_three_body_sentences(hashing_embedder):
    document, result = run_rule(_off_topic(), article("Flood in Riverton", FLOOD[:2]), hashing_embedder,
                                StubBelonging())
    assert result.findings == [] and result.scores == {}
    assert any("not scored" in note for note in result.notes)


def test_shipped_belonging_model_has_ordered_calibrated_thresholds(belonging_model):
    t = belonging_model.metadata["thresholds"]
    assert 0.0 < t["suggestion"] <= t["warning"] <= t["error"] < 1.0


def test_contradiction_names_the_other_sentence_and_the_kind(hashing_embedder, belonging_model):
    module = pytest.importorskip("coherence.rules.contradiction")
    text = article("Fire Destroys Homes in Millbrook", FIRE + [FIRE_CONTRADICTION])
    document, result = run_rule(module.ContradictionRule(), text, hashing_embedder, belonging_model, NumberNLI())
    (finding,) = result.findings
    assert [document.text[r.start : r.end] for r in finding.related] == [FIRE[0]]
    assert finding.kind == "number"


def test_a_visit_placed_in_two_countries_names_both_places(hashing_embedder, belonging_model):
    from coherence.rules.contradiction import ContradictionRule

    text = article("Pompeo Meets Putin in Russia", VISIT)
    document, result = run_rule(ContradictionRule(), text, hashing_embedder, belonging_model, NumberNLI())
    (finding,) = result.findings
    assert finding.kind == "place"
    assert "the visit was to 'Iran'" in finding.message and "says 'Russia'" in finding.message


def test_contradiction_without_an_nli_model_checks_typed_facts_and_says_so(hashing_embedder, belonging_model):
    module = pytest.importorskip("coherence.rules.contradiction")
    text = article("Fire Destroys Homes in Millbrook", FIRE + [FIRE_CONTRADICTION])
    document, result = run_rule(module.ContradictionRule(), text, hashing_embedder, belonging_model, nli=None)
    assert any("no NLI model" in note for note in result.notes)
    (finding,) = result.findings  # the changed number is a typed fact: no NLI model needed
    assert finding.kind == "number" and finding.severity == Severity.error
    assert document.text[finding.start : finding.end] == FIRE_CONTRADICTION
    assert "12 homes" in finding.message and "40 homes" in finding.message


def test_two_named_sources_who_disagree_are_a_warning_that_says_so(hashing_embedder, belonging_model):
    from coherence.rules.contradiction import ContradictionRule

    text = article("Fire Destroys Homes in Millbrook", FIRE_TWO_SOURCES)
    document, result = run_rule(ContradictionRule(), text, hashing_embedder, belonging_model, NumberNLI())
    (finding,) = result.findings
    assert finding.severity == Severity.warning and finding.kind == "number"
    assert "sources differ" in finding.message
    assert [document.text[r.start : r.end] for r in finding.related] == [FIRE_TWO_SOURCES[0]]


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("The fire killed 12 people on Monday night.", "The fire killed 40 people.", "number"),
        ("The sketch is dated April 14, 1910.", "The sketch is dated April 14, 1912.", "date"),
        ("Pompeo met Putin in Sochi.", "Pompeo, during his visit to Iran, spoke.", "place"),
        ("The minister resigned on Friday.", "The minister did not resign on Friday.", "negation"),
    ],
)
def test_contradiction_kind_names_what_differs(a, b, kind):
    from coherence.rules.contradiction import contradiction_kind

    assert contradiction_kind(a, b) == kind


@pytest.mark.parametrize(
    "text, countries",
    [
        ("He told us about South Korea and the U.S. on Monday.", {"south korea", "united states"}),
        ("A visit to the Russian Federation, then to Papua New Guinea.", {"russia", "papua new guinea"}),
        ("The talks in Sochi and Geneva went on late.", set()),  # cities are not compared
        ("Bosnia and Herzegovina played Britain.", {"bosnia and herzegovina", "united kingdom"}),
    ],
)
def test_countries_are_read_off_capitalised_names(text, countries):
    from coherence.places import countries_in

    assert countries_in(text) == countries
