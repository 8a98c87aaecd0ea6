"""Rule ``headline``: a headline whose main claim the body does not support.

Evidence, strongest first:
- a name in the headline (a person, place, organisation) that the body never mentions: the
  headline promises something the copy does not deliver ("... Discuss N. Korea" over a body
  without Korea). This is an ``error``;
- more than half of the headline's content words missing from the body: ``warning``;
- when an NLI model is loaded, whether the lead and the closest body sentences entail the
  headline; a headline no body sentence entails raises the score, one that a body sentence
  contradicts is reported with that sentence as ``related``.
"""

from __future__ import annotations

import numpy as np

from .. import entities
from ..document import Document
from ..findings import Severity
from .base import RuleContext, RuleResult, make_finding

NAME_WEIGHT = 2.0  # a missing name says more than a missing common word
NLI_EVIDENCE = 3  # lead + the most similar body sentences read by the NLI model


class HeadlineRule:
    id = "headline"
    score_key = "headline"
    description = "A headline whose main claim the body does not support."

    def run(self, document: Document, context: RuleContext) -> RuleResult:
        result = RuleResult()
        headline, body = document.headline, document.body
        if headline is None or not body:
            return result
        body_terms: set[str] = set()
        for sentence in body:
            body_terms |= entities.names(sentence.text) | entities.content_words(sentence.text)

        name_words = list(dict.fromkeys(entities.name_words(headline.text)))
        names = {entities.stem(w): w for w in name_words}
        words = {t for t in entities.content_words(headline.text) if t not in names}
        missing_names = [w for t, w in names.items() if t not in body_terms]
        missing_words = sorted(t for t in words if t not in body_terms)
        total = NAME_WEIGHT * len(names) + len(words)
        missing = NAME_WEIGHT * len(missing_names) + len(missing_words)
        score = missing / total if total else 0.0

        reasons = []
        severity = None
        if missing_names:
            severity = Severity.error
            shown = ", ".join(f"'{w}'" for w in missing_names)
            reasons.append(f"the body never mentions {shown}")
        elif words and len(missing_words) * 2 > len(words):
            severity = Severity.warning
            reasons.append("most of its words (" + ", ".join(missing_words) + ") are not in the body")

        related = [body[0]]
        if context.nli is not None:
            entailment, contradiction, evidence = self._nli(document, context)
            score = max(score, 1.0 - entailment)
            if contradiction >= 0.5:
                severity = Severity.error
                related = [evidence]
                reasons.append(f"sentence {evidence.index} contradicts it (p={contradiction:.2f})")
            elif entailment < 0.5 and severity is None and score >= 0.5:
                severity = Severity.warning
                reasons.append(f"no body sentence entails it (best p={entailment:.2f})")

        result.scores[headline.index] = float(score)
        if severity is not None:
            message = "Headline not supported by the body: " + "; ".join(reasons) + "."
            result.findings.append(make_finding(self.id, severity, headline, score, message, related))
        return result

    def _nli(self, document: Document, context: RuleContext):
        headline, body = document.headline, document.body
        vectors = context.embeddings[[s.index for s in body]]
        closest = list(np.argsort(-(vectors @ context.embeddings[headline.index])))
        chosen = list(dict.fromkeys([0] + closest))[:NLI_EVIDENCE]
        probs = context.nli.predict([(body[i].text, headline.text) for i in chosen])
        # columns: contradiction, entailment, neutral
        best_entail = float(probs[:, 1].max())
        worst = int(probs[:, 0].argmax())
        return best_entail, float(probs[worst, 0]), body[chosen[worst]]
