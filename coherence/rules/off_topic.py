"""Rule ``off-topic``: sentences that belong to another story.

The score is the belonging model's probability (``coherence.belonging``), combined with the
local-coherence model's by the off-topic stack when that model is shipped (``belonging/local.py``).
The severity cuts come from the calibration of whichever scores the rule (the stack's, else the
belonging model's) unless the settings override them.
"""

from __future__ import annotations

from ..belonging.features import document_features
from ..belonging.local import candidates
from ..document import Document
from ..findings import SeverityThresholds
from ..introductions import settings, unanchored_references, unintroduced_people, unmentioned_names
from .base import RuleContext, RuleResult, make_finding

MIN_SENTENCES = 3  # with fewer there is no story to stand out from


class OffTopicRule:
    id = "off-topic"
    score_key = "off_topic"
    description = "A sentence that belongs to another story (an intruder spliced into the copy)."
    help = (
        "The sentence reads as part of another story: its people, places or subject are not those of the "
        "headline and lead, and little else in the article shares its words. Remove it, or tie it to this "
        "story if it belongs. Quoted speech is judged by the story it serves."
    )

    def thresholds(self, context: RuleContext) -> SeverityThresholds:
        calibrated = context.local.stack.thresholds if context.local else context.belonging.metadata["thresholds"]
        own = SeverityThresholds(calibrated["suggestion"], calibrated["warning"], calibrated["error"])
        return context.settings.rule_thresholds(self.id, own)

    def run(self, document: Document, context: RuleContext) -> RuleResult:
        body = document.body
        result = RuleResult()
        if len(body) < MIN_SENTENCES:
            result.notes.append(
                f"off-topic: not scored, the body has {len(body)} sentence(s); at least {MIN_SENTENCES} are needed"
            )
            return result
        scores = context.belonging.predict(document_features(document, context.embeddings))
        if context.local is not None:
            read = context.local.predict([s.text for s in body], candidates(scores))
            scores = context.local.stack.combine(scores, read)
        else:
            result.notes.append("off-topic: no local-coherence model installed (models/local-coherence); "
                                "scored by the belonging model alone")
        thresholds = self.thresholds(context)
        lead = body[0]
        for sentence, score in zip(body, scores):
            result.scores[sentence.index] = float(score)
            severity = thresholds.severity(float(score))
            if severity is None:
                continue
            parses = context.parses(document)
            unmentioned = unmentioned_names(parses, sentence.index)
            elsewhere = [place for place in settings(parses[sentence.index]) if place in unmentioned]
            message = _explain(float(score), unintroduced_people(parses, sentence.index), unmentioned,
                               unanchored_references(parses, sentence.index),
                               (elsewhere, settings(parses[lead.index])) if sentence is not lead else ((), ()))
            related = [lead] if sentence is not lead else []
            result.findings.append(make_finding(self.id, severity, sentence, score, message, related))
        return result


def _explain(score: float, unintroduced: list[str], unmentioned: list[str], unanchored: list[str] = (),
             places: tuple = ((), ())) -> str:
    """Say what an editor can check: who is named by surname alone and never introduced, which
    names (spaCy's people, places and organisations) the rest of the article never mentions, where it
    happens when that is a place the article never mentions and the lead says where the story is
    (``places``: the sentence's, the lead's), and what it refers to as known that nothing before it set up."""
    reason = f"does not fit the story (off-topic score {score:.2f})"
    if unintroduced:
        shown = ", ".join(f"'{w}'" for w in unintroduced[:3])
        reason += f"; {shown} {'is' if len(unintroduced) == 1 else 'are'} named by surname alone and never introduced"
    unmentioned = [name for name in unmentioned if name not in unintroduced]
    if unmentioned:
        shown = ", ".join(f"'{w}'" for w in unmentioned[:4])
        reason += f"; it names {shown}, which the rest of the article never mentions"
    here, story = places
    if here and story:
        reason += f"; it takes place in '{here[0]}', the story (its lead) in '{story[0]}'"
    if unanchored:
        shown = ", ".join(f"'{w}'" for w in unanchored[:2])
        reason += f"; nothing before it sets up {shown}"
    return "Sentence " + reason + "."
