"""Rule ``headline``: a headline whose main claim the body does not support.

Evidence, strongest first:
- a name in the headline (a person, place, organisation) that the body never mentions: the
  headline promises something the copy does not deliver ("... Discuss N. Korea" over a body
  without Korea). This is an ``error``. In a Title Case headline every word is capitalised, so
  there it takes two missing words, or a third of the headline's key words;
- any other key word of the headline missing from the body: ``warning``;
- when an NLI model is loaded, whether the lead and the closest body sentences entail the
  headline: the score is at least 1 - the best entailment probability, and a body sentence that
  contradicts the headline makes an ``error`` with that sentence as ``related``.
"""

from __future__ import annotations

import re

import numpy as np

from .. import entities
from ..document import Document
from ..findings import Severity
from .base import RuleContext, RuleResult, make_finding
from .contradiction import DEFAULT_THRESHOLDS as CONTRADICTION_THRESHOLDS

NAME_WEIGHT = 2.0  # a missing name says more than a missing common word
NLI_EVIDENCE = 3  # lead + the most similar body sentences read by the NLI model


class HeadlineRule:
    id = "headline"
    score_key = "headline"
    description = "A headline whose main claim the body does not support."
    help = (
        "The headline names people, places or claims that the body never mentions, or a body sentence "
        "contradicts it. Rewrite the headline from what the body says, or add the missing facts to the body."
    )

    def run(self, document: Document, context: RuleContext) -> RuleResult:
        result = RuleResult()
        headline, body = document.headline, document.body
        if headline is None or not body:
            return result
        body_terms: set[str] = set()
        for sentence in body:
            body_terms |= {_match_key(w) for w in re.findall(r"[\w'’\-]+", sentence.text)}
            body_terms |= entities.names(sentence.text)

        terms, title_case = _key_terms(headline.text)
        missing = [(w, is_name) for t, (w, is_name) in terms.items() if t not in body_terms]
        total = sum(NAME_WEIGHT if is_name else 1.0 for _, is_name in terms.values())
        score = sum(NAME_WEIGHT if is_name else 1.0 for _, is_name in missing) / total if total else 0.0

        reasons = []
        severity = None
        if missing:
            shown = ", ".join(f"'{w}'" for w, _ in missing)
            reasons.append(f"the body never mentions {shown}")
            # A missing name is a broken promise. In Title Case every word looks like a name,
            # so there it takes two missing words, or a third of them.
            if title_case:
                severe = len(missing) >= 2 or 3 * len(missing) >= len(terms)
            else:
                severe = any(is_name for _, is_name in missing)
            severity = Severity.error if severe else Severity.warning

        related = [body[0]]
        if context.nli is not None:
            entailment, contradiction, evidence = self._nli(document, context)
            # A headline often summarises more than one sentence says, so "not entailed" only
            # raises the score (for ranking); a body sentence that contradicts it is an error.
            score = max(score, 1.0 - entailment)
            if contradiction >= CONTRADICTION_THRESHOLDS.error:
                severity = Severity.error
                related = [evidence]
                reasons.append(f"sentence {evidence.index} (line {evidence.line}) contradicts it (p={contradiction:.2f})")

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


def _key_terms(headline: str) -> tuple[dict[str, tuple[str, bool]], bool]:
    """Stemmed key terms of a headline -> (word as written, is it a name); and whether it is Title Case."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’\-]*", headline) if len(w) > 3]
    title_case = bool(words) and sum(w[0].isupper() for w in words) >= 0.6 * len(words)
    name_stems = {_match_key(w) for w in entities.name_words(headline)}
    terms: dict[str, tuple[str, bool]] = {}
    for word in entities.name_words(headline) + entities.raw_content_words(headline):
        stem = _match_key(word)
        if stem not in terms and entities.normalise(word) not in entities.STOPWORDS:
            terms[stem] = (word.strip(".,'’\""), stem in name_stems and not title_case)
    return terms, title_case


_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}


def _match_key(word: str) -> str:
    """Looser than ``entities.stem``: headlines say "Kills Twelve" where the body says "killed 12"."""
    w = entities.normalise(word)
    if w in _NUMBER_WORDS:
        return _NUMBER_WORDS[w]
    if " " in w:
        return w
    for suffix in ("ing", "ed", "es", "s"):
        if len(w) >= len(suffix) + 3 and w.endswith(suffix) and not w.endswith("ss"):
            w = w[: -len(suffix)]
            break
    return entities.stem(w.rstrip("e") if len(w) > 3 else w)
