"""Rule ``headline``: a headline whose main claim the body does not support.

Headlines paraphrase, so the rule reads them as an editor does (``headline_support``): each key
term of the headline is looked for in the body under its lemma, number, alias or acronym, and a
model trained on Wikinews headlines weighs what is missing against how close the headline's
meaning is to the lead and the body. Severities:

- ``error``: a concrete broken promise: a name (person, place, organisation) or a number in the
  headline that the body never mentions, in a headline the body does not support as a whole
  (``warning`` cut), a headline number or date the body contradicts and never states (typed
  facts), a place the headline puts the event in that the body never mentions while its lead puts
  it elsewhere ("... In Moscow" over "received Pompeo in Sochi"), or a headline the body does not
  support at all (``error`` cut);
- ``warning``: the body does not support the headline as a whole (``warning`` cut), or it carries
  the headline but never mentions one of its names or numbers;
- nothing for a paraphrase.

The cuts are set on held-out Wikinews headlines so that few real headlines are flagged (model
card: ``models/headline/README.md``).
"""

from __future__ import annotations

from .. import facts
from ..document import Document
from ..findings import Severity
from ..headline_support import evidence, index_body
from .base import RuleContext, RuleResult, make_finding


class HeadlineRule:
    id = "headline"
    score_key = "headline"
    description = "A headline whose main claim the body does not support."
    help = (
        "The headline names people, places, numbers or claims that the body never mentions or contradicts. "
        "Rewrite the headline from what the body says, or add the missing facts to the body."
    )

    def run(self, document: Document, context: RuleContext) -> RuleResult:
        result = RuleResult()
        headline, body = document.headline, document.body
        if headline is None or not body:
            return result
        model = context.headline_model
        if model is None:
            result.notes.append("headline not checked: no headline model loaded")
            return result
        parses = context.parses(document)
        body_rows = [s.index for s in body]
        index = index_body([parses[i] for i in body_rows], context.embeddings[body_rows])
        found = evidence(parses[headline.index], context.embeddings[headline.index], index)
        score = model.unsupported(found.features)
        result.scores[headline.index] = score
        result.stats = {"missing": [t.text for t in found.missing], "cuts": model.cuts}

        closest = body[found.closest]
        names = found.missing_names + found.missing_numbers
        severity, reasons = None, []
        contradicted = _contradicting_sentence(context.facts(document), headline, body)
        if contradicted is not None:
            sentence, conflict, supported = contradicted
            score = max(score, 1.0 - (1.0 - score) * 0.1)  # a stated fact against the headline's: near certain
            result.scores[headline.index] = score
            message = (f"Headline not supported by the body: it says '{conflict.first.phrase}'; sentence "
                       f"{sentence.index} (line {sentence.line}) says '{conflict.second.phrase}'")
            # the body also stating the headline's value makes the body, not the headline, the likelier error
            message += (", while another sentence agrees with the headline." if supported else ".")
            severity = Severity.warning if supported else Severity.error
            result.findings.append(make_finding(self.id, severity, headline, score, message, [sentence], conflict.kind))
            return result
        elsewhere = _placed_elsewhere(parses, headline, body, found, closest)
        if elsewhere is not None:
            sentence, said, placed = elsewhere
            message = (f"Headline not supported by the body: it says '{said}'; sentence {sentence.index} "
                       f"(line {sentence.line}) says '{placed}', and the body never mentions {said}.")
            result.findings.append(make_finding(self.id, Severity.error, headline, score, message, [sentence], "place"))
            return result
        if score >= model.cuts["error"]:
            severity = Severity.error
            reasons.append("no sentence of the body says what it promises")
        elif names and score >= model.cuts["warning"]:
            severity = Severity.error
        elif score >= model.cuts["warning"]:
            severity = Severity.warning
            reasons.append("the body does not support it as a whole")
        elif names:
            severity = Severity.warning  # a name or number the body never mentions, in a headline it otherwise carries
        if severity is None:
            return result
        if names:
            reasons.append("the body never mentions " + _quoted(names))
        words = [t for t in found.missing if t not in names]
        if words:
            reasons.append(("nor " if names else "the body never uses ") + _quoted(words))
        reasons.append(f"the closest is sentence {closest.index} (line {closest.line})")
        message = "Headline not supported by the body: " + "; ".join(reasons) + "."
        result.findings.append(make_finding(self.id, severity, headline, score, message, [closest]))
        return result


def _contradicting_sentence(sentence_facts, headline, body):
    """The first body sentence that states a headline fact (a number, a date) with another value, and
    whether another body sentence states the headline's value; None when nothing contradicts the headline.

    Where another sentence states the headline's value, the headline is carried, and the differing
    sentence counts only when it disputes that sentence too (the body disagrees with itself about the
    headline's fact, as "killed 12" ... "killed 40" under "Kills Twelve"); otherwise it is about
    something else ("shares plunged 20%" ... "profits 10% to 15% lower" under "Shares Plummet 20%").
    """
    stated = sentence_facts[headline.index]
    if not stated:
        return None
    body_facts = [sentence_facts[s.index] for s in body]
    for position, (sentence, found) in enumerate(zip(body, body_facts)):
        conflict = facts.compare(stated, found, headline=True)
        if conflict is None or conflict.sources_differ:
            continue
        agreeing = [other for i, other in enumerate(body_facts)
                    if i != position and any(f.value == conflict.first.value for f in other)]
        if not agreeing:
            return sentence, conflict, False
        if any(facts.compare(other, found) is not None for other in agreeing):
            return sentence, conflict, True
    return None


PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_AT = frozenset({"in", "at"})


def _event_places(doc) -> list:
    """The places a sentence puts its event in: a place name governed by "in" or "at" ("in Sochi")."""
    return [ent for ent in doc.ents if ent.label_ in PLACE_LABELS and ent.root.dep_ == "pobj"
            and ent.root.head.lower_ in _AT]


def _placed_elsewhere(parses, headline, body, found, closest):
    """(sentence, the headline's place, the sentence's place) when the headline puts its event in a place
    the body never mentions and the lead or the closest sentence puts it in another; else None."""
    missing = {t.text.lower() for t in found.missing_names}
    said = [e for e in _event_places(parses[headline.index]) if any(w.lower() in missing for w in e.text.split())]
    if not said:
        return None
    headline_words = {w.lower() for w in headline.text.split()}
    for sentence in dict.fromkeys([*body[:2], closest]):
        for place in _event_places(parses[sentence.index]):
            if not any(w.lower() in headline_words for w in place.text.split()):
                return sentence, said[0].text, f"{place.root.head.text} {place.text}"
    return None


def _quoted(terms) -> str:
    return ", ".join(f"'{t.text}'" for t in terms)
