"""Rule ``contradiction``: sentences that disagree with another part of the same article.

All n(n-1) pairs through NLI (the SummaC way) is too slow for long copy, so candidate pairs are
chosen first: each sentence's nearest sentences by embedding, and pairs that share a name and
both carry a number, a date or a place. At most ``PAIRS_PER_SENTENCE * n`` pairs are read by
the NLI model, the second way round only when the first reading is not near zero (so at most 4n
NLI calls). The report says how many pairs were
examined and how many skipped.

Two speakers who disagree ("X said ...; Y denied ...") are news, not a copy error: such pairs
are discounted; so are restatements that only add detail (no conflicting number, same polarity). The kind (number, date, place, person, negation, other) is read off the words
that differ between the two sentences.
"""

from __future__ import annotations

import re

import numpy as np

from .. import entities, facts
from ..document import Document, Sentence
from ..findings import Severity, SeverityThresholds
from ..places import countries_in
from .base import RuleContext, RuleResult, make_finding

PAIRS_PER_SENTENCE = 2  # candidate budget: at most 2n pairs, 4n directional NLI calls
# A pair is read the other way round only when the first reading gives contradiction some chance:
# on ContraDoc and clean FRANK news (45,190 NLI calls), reading the other way only above 0.01 made
# 44% fewer calls, document AUROC 0.540 -> 0.553 and clean articles with a finding 69 -> 57
# (docs/benchmarks.md, "Fewer NLI calls").
SECOND_READING_FLOOR = 0.01
NEAREST = 2  # nearest neighbours by embedding per sentence
NLI_MAX_WORDS = 80  # two such sentences (about 105 word pieces each) fit the NLI model's 256-token window
ATTRIBUTION_DISCOUNT = 0.5  # two different speakers disagreeing is reporting, not a contradiction
# One sentence restating another with more detail (a Daily Mail caption repeating the body, "in
# 2009" against "in March 2009") reads to the NLI model like a changed fact. When the numbers of one
# are a subset of the other's and both have the same polarity, no fact conflicts: discount it.
ELABORATION_DISCOUNT = 0.5
# error: calibrated on the dev eval (python -m coherence.evaluation.calibrate, 2% of clean documents);
# suggestion: the model's own decision point, since no cut separates ContraDoc documents much
# better than chance (best balanced accuracy 0.54); warning: in between. See docs/benchmarks.md.
DEFAULT_THRESHOLDS = SeverityThresholds(suggestion=0.5, warning=0.9, error=0.992)

_SPEAKER = re.compile(
    r"(?:\b([A-Z][\w'’\-]+)\s+(?:said|says|told|denied|claimed|insisted|argued|added|stated)\b)"
    r"|(?:\b(?:said|says|according\s+to)\s+([A-Z][\w'’\-]+))"
)
_MONTHS = ("january february march april may june july august september october november december "
           "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
           "saturday sunday yesterday today tomorrow").split()
_NEGATIONS = {"not", "no", "never", "n't", "nobody", "none", "nothing", "neither", "nor", "denied", "refused"}
# Typed evidence: one actor's visit placed in two different countries by two sentences. NLI often
# misses it ("during his visit to Iran" against "his first official visit to Russia" reads as
# neutral); alone it raises the score to a suggestion, with the NLI model agreeing, higher.
TYPED_EVIDENCE = 0.6
# Typed facts (coherence.facts): one fact of one event stated with two values and nothing in the
# article to explain it is the changed fact an editor must not publish: an error whatever the NLI
# model reads. Two named sources who give different values are reported as such, at a warning.
TYPED_FACT_SCORE = 0.995  # error: certain (told alike, or nearly all describing words shared)
TYPED_LIKELY_SCORE = 0.95  # warning: the same fact by fewer shared words
SOURCES_DIFFER_SCORE = 0.95
NLI_MAX_SEVERITY = Severity.warning  # the most an NLI reading alone may report
_VISIT = re.compile(
    r"\b(?:visit|visits|visited|visiting|trip|tour|toured|travel(?:s|led|ed|ling|ing)?)\s+(?:to|in)\s+(?:the\s+)?"
    r"((?:[A-Z][\w.'’\-]*\s?){1,4})"
)
_TRAVEL_CUE = re.compile(
    r"\b(?:in|to|from|after|before|leaving|left|via|then)\s+(?:the\s+)?((?:[A-Z][\w.'’\-]*\s?){1,4})")
_PLACE_CUE = re.compile(r"\b(?:in|to|at|from|visit to|trip to)\s+((?:[A-Z][\w'’\-]+\s?){1,3})")


class ContradictionRule:
    id = "contradiction"
    score_key = "contradiction"
    description = "A sentence that disagrees with another part of the same article."
    help = (
        "Two sentences of the article disagree (a number, date, place, person or a negation); the related "
        "location is the other sentence. Check both against the source and correct the wrong one. Two "
        "named speakers who disagree are reported with a lower score: that is often news, not an error."
    )

    def thresholds(self, context: RuleContext) -> SeverityThresholds:
        return context.settings.rule_thresholds(self.id, DEFAULT_THRESHOLDS)

    def run(self, document: Document, context: RuleContext) -> RuleResult:
        result = RuleResult()
        body = document.body
        n = len(body)
        all_pairs = n * (n - 1) // 2
        if n < 2:
            return result
        typed = typed_conflicts(body, context.facts(document))
        if context.nli is None:
            result.notes.append("contradiction: only typed facts checked, no NLI model is installed (models/nli-minilm-l6)")
            self._report(document, context, result, {}, typed)
            return result
        too_long = [s for s in body if len(s.text.split()) > NLI_MAX_WORDS]
        for s in too_long:
            result.notes.append(
                f"contradiction: sentence {s.index} (line {s.line}, {len(s.text.split())} words) is longer than "
                f"the NLI model reads ({NLI_MAX_WORDS} words) and was not checked for contradictions"
            )
        readable = [i for i, s in enumerate(body) if s not in too_long]
        vectors = context.embeddings[[s.index for s in body]]
        candidates = [
            (readable[i], readable[j]) for i, j in candidate_pairs([body[k] for k in readable], vectors[readable])
        ]
        result.stats = {"sentences": n, "all_pairs": all_pairs, "pairs_examined": len(candidates),
                        "pairs_skipped": all_pairs - len(candidates), "nli_calls": 0,
                        "typed_conflicts": len(typed)}
        if not candidates:
            self._report(document, context, result, {}, typed)
            return result
        pairs = [(body[i].text, body[j].text) for i, j in candidates]
        suspected = {k for k, (a, b) in enumerate(pairs) if visit_conflict(a, b)}
        contradiction = both_ways(context.nli, pairs, result.stats, suspected)
        scores: dict[tuple[int, int], float] = {}
        for k, ((i, j), score) in enumerate(zip(candidates, contradiction)):
            if k in suspected:
                score = 1.0 - (1.0 - score) * (1.0 - TYPED_EVIDENCE)
            if _different_speakers(body[i].text, body[j].text):
                score *= ATTRIBUTION_DISCOUNT
            if _elaboration(body[i].text, body[j].text):
                score *= ELABORATION_DISCOUNT
            scores[(i, j)] = score
        self._report(document, context, result, scores, typed, {candidates[k] for k in suspected})
        return result

    def _report(self, document: Document, context: RuleContext, result: RuleResult,
                scores: dict[tuple[int, int], float], typed: dict[tuple[int, int], facts.Conflict],
                visits: set[tuple[int, int]] = frozenset()) -> None:
        """Scores per sentence and one finding per contradicting pair, on its later sentence;
        ``visits``: the pairs that place one actor's visit in two countries (``visit_conflict``)."""
        body = document.body
        thresholds = self.thresholds(context)
        for pair, conflict in typed.items():
            typed_score = (SOURCES_DIFFER_SCORE if conflict.sources_differ
                           else TYPED_FACT_SCORE if conflict.certain else TYPED_LIKELY_SCORE)
            scores[pair] = max(scores.get(pair, 0.0), typed_score)
        best: dict[int, tuple[float, int]] = {}  # sentence -> (its highest score, the other sentence)
        for (i, j), score in scores.items():
            for a, b in ((i, j), (j, i)):
                if score > best.get(a, (0.0, -1))[0]:
                    best[a] = (score, b)
        for a, (score, _) in best.items():
            result.scores[body[a].index] = score
        reported: set[frozenset[int]] = set()
        for a in sorted(best, key=lambda k: -best[k][0]):
            score, b = best[a]
            pair = frozenset((a, b))
            severity = thresholds.severity(score)
            if severity is None or pair in reported:
                continue
            reported.add(pair)
            conflict = typed.get((min(a, b), max(a, b)))
            if conflict is not None:
                flagged, other = body[max(a, b)], body[min(a, b)]
                kind = conflict.kind
                message = (f"Sentence {flagged.index} says '{conflict.second.phrase}'; sentence {other.index} "
                           f"(line {other.line}) says '{conflict.first.phrase}'")
                if conflict.sources_differ:
                    message += (f": the sources differ ({conflict.second.speaker} / {conflict.first.speaker}); "
                                "say which is right, or that they disagree")
                message += "."
            else:
                # The NLI model alone is near chance on real contradictions (ContraDoc AUROC about 0.54) and
                # its errors are mostly false alarms on clean copy: an error, which fails the CI gate, is
                # kept for a concrete broken fact (typed facts above).
                severity = min(severity, NLI_MAX_SEVERITY)
                flagged, other = _side_to_flag(document, body[min(a, b)], body[max(a, b)])
                kind = contradiction_kind(other.text, flagged.text)
                if (min(a, b), max(a, b)) in visits:
                    message = (f"Sentence says the visit was to '{_visit_place(flagged.text)}'; sentence {other.index} "
                               f"(line {other.line}) says '{_visit_place(other.text)}' (contradiction score {score:.2f}).")
                else:
                    message = (
                        f"Sentence contradicts sentence {other.index} (line {other.line})"
                        + (f" on a {kind}" if kind != "other" else "")
                        + f" (contradiction score {score:.2f})."
                    )
            result.findings.append(make_finding(self.id, severity, flagged, score, message, [other], kind))


def both_ways(nli, pairs: list[tuple[str, str]], stats: dict, suspected: set[int] = frozenset()) -> list[float]:
    """Each pair's contradiction probability, the larger of its two readings (NLI is not symmetric):
    the second reading (b, a) only where the first (a, b) reaches SECOND_READING_FLOOR, or where
    typed evidence already suspects the pair."""
    first = nli.predict(pairs)[:, 0]
    again = [k for k, p in enumerate(first) if p >= SECOND_READING_FLOOR or k in suspected]
    second = nli.predict([(pairs[k][1], pairs[k][0]) for k in again])[:, 0] if again else []
    scores = [float(p) for p in first]
    for k, p in zip(again, second):
        scores[k] = max(scores[k], float(p))
    stats["nli_calls"] = len(pairs) + len(again)
    return scores


def typed_conflicts(body: list[Sentence], sentence_facts: list) -> dict[tuple[int, int], facts.Conflict]:
    """(earlier, later) body positions -> the typed fact the later sentence states with another value;
    ``sentence_facts``: the facts of every document sentence (``RuleContext.facts``)."""
    stated = [sentence_facts[s.index] for s in body]
    found = {}
    for j in range(len(body)):
        for i in range(j):
            if stated[i] and stated[j]:
                conflict = facts.compare(stated[i], stated[j])
                if conflict is not None:
                    found[(i, j)] = conflict
    return found


def _side_to_flag(document: Document, earlier: Sentence, later: Sentence) -> tuple[Sentence, Sentence]:
    """Which sentence of a contradicting pair carries the finding: (flagged, related).

    The later one, as a rule (the story is set up first). When the pair is a visit placed in two
    countries and the headline or lead names one of them, the sentence that disagrees with the
    story's own anchor is flagged instead.
    """
    if visit_conflict(earlier.text, later.text):
        anchor_text = " ".join(s.text for s in ([document.headline] if document.headline else []) + document.body[:1])
        anchored = countries_in(anchor_text)
        if _visited(later.text) & anchored and not _visited(earlier.text) & anchored:
            return earlier, later
    return later, earlier


def candidate_pairs(body: list[Sentence], vectors: np.ndarray) -> list[tuple[int, int]]:
    """Pairs (i < j) worth an NLI call: nearest by embedding first, then shared name + fact."""
    n = len(body)
    budget = PAIRS_PER_SENTENCE * n
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    chosen: dict[tuple[int, int], float] = {}
    for i in range(n):
        for j in np.argsort(-sims[i])[:NEAREST]:
            pair = (min(i, int(j)), max(i, int(j)))
            chosen[pair] = float(sims[pair])
    facts = [_facts(s.text) for s in body]
    names = [entities.names(s.text) for s in body]
    for i in range(n):
        for j in range(i + 1, n):
            if (i, j) not in chosen and names[i] & names[j] and facts[i] and facts[j]:
                chosen[(i, j)] = float(sims[i, j])
    ranked = sorted(chosen, key=lambda p: -chosen[p])
    return sorted(ranked[:budget])


def _facts(text: str) -> set[str]:
    """Numbers, dates and places in a sentence: what a contradiction is usually about."""
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text)}
    places = {m.group(1).strip() for m in _PLACE_CUE.finditer(text)}
    return entities.numbers(text) | (words & set(_MONTHS)) | places


def _visited(text: str) -> set[str]:
    return {c for m in _VISIT.finditer(text) for c in countries_in(m.group(1))}


def _visit_place(text: str) -> str:
    """The first place a sentence says someone visited, as written ("Russian Federation")."""
    for m in _VISIT.finditer(text):
        if countries_in(m.group(1)):
            return m.group(1).strip(" ,.")
    return ""


def _travelled(text: str) -> set[str]:
    """Countries a sentence places someone in or moving through ("in Iran", "from Iran", "after Iran")."""
    return {c for m in _TRAVEL_CUE.finditer(text) for c in countries_in(m.group(1))}


def visit_conflict(a: str, b: str) -> bool:
    """The same named actor visits one country in ``a`` and another in ``b``.

    Not a conflict when either sentence also places someone in the other's country (a tour: "after
    Iran, he flew to Russia"), or when no name other than the countries is shared.
    """
    va, vb = _visited(a), _visited(b)
    if not va or not vb or va & vb or va & _travelled(b) or vb & _travelled(a):
        return False
    country_words = {entities.stem(entities.normalise(w)) for c in va | vb for w in c.split()}
    return bool((entities.names(a) & entities.names(b)) - country_words - set(va | vb))


def _speakers(text: str) -> set[str]:
    return {a or b for a, b in _SPEAKER.findall(text)} - {"He", "She", "They", "It", "We", "I"}


def _different_speakers(a: str, b: str) -> bool:
    sa, sb = _speakers(a), _speakers(b)
    return bool(sa and sb and not sa & sb)


def _elaboration(a: str, b: str) -> bool:
    """No number of either sentence is missing from the other's (one may add detail); same polarity."""
    na, nb = entities.numbers(a), entities.numbers(b)
    return (na <= nb or nb <= na) and _negated(a) == _negated(b)


def contradiction_kind(a: str, b: str) -> str:
    """What differs between two sentences: date, number, place, negation, person or other.

    Facts first: two sentences that differ in a place and also in a "not" are usually about the place.
    """
    dates_a, dates_b = _dates(a), _dates(b)
    if dates_a and dates_b and dates_a != dates_b:
        return "date"
    if entities.numbers(a) and entities.numbers(b) and entities.numbers(a) != entities.numbers(b):
        return "number"
    if visit_conflict(a, b):
        return "place"
    pa = {m.group(1).strip() for m in _PLACE_CUE.finditer(a)}
    pb = {m.group(1).strip() for m in _PLACE_CUE.finditer(b)}
    if pa and pb and not pa & pb:
        return "place"
    if _negated(a) != _negated(b):
        return "negation"
    na, nb = set(entities.name_words(a)), set(entities.name_words(b))
    if na and nb and na ^ nb:
        return "person"
    return "other"


def _dates(text: str) -> set[str]:
    words = re.findall(r"[\w'’]+", text.lower())
    return {w for w in words if w in _MONTHS or re.fullmatch(r"(1[89]|20)\d\d", w)}


def _negated(text: str) -> bool:
    return bool(set(re.findall(r"[\w']+", text.lower().replace("n't", " n't"))) & _NEGATIONS)
