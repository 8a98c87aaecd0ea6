"""What a rule is: an id, a score key, and ``run(document, context) -> RuleResult``.

Rules read the ``Document`` built once per article and the models shared by the whole run
(``RuleContext``); they never re-split text and never load models themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from ..document import Document, Sentence
from ..findings import Finding, Related, Severity


@dataclass
class RuleContext:
    """Everything a rule may use besides the document: embeddings and models of this run."""

    embeddings: np.ndarray  # one unit vector per document sentence (headline included)
    settings: object  # settings.Settings; typed loosely to keep rules import-light
    nli: object | None = None  # nli.NLIModel when the contradiction/headline rules need it
    belonging: object | None = None  # belonging.model.BelongingModel
    local: object | None = None  # belonging.local.LocalCoherenceModel when installed and off-topic is on
    headline_model: object | None = None  # headline_support.HeadlineSupportModel when the headline rule is on
    parsed: list | None = None  # one spaCy Doc per document sentence; the checker parses a run's sentences at once
    stated: list | None = None  # the typed facts of every document sentence, read once for the rules that use them

    def parses(self, document: Document) -> list:
        """The spaCy parse of every sentence of ``document`` (parsed here on first use when the caller did not)."""
        if self.parsed is None:
            from ..nlp import parse

            self.parsed = parse([s.text for s in document.sentences])
        return self.parsed

    def facts(self, document: Document) -> list:
        """The typed facts (``facts.extract``) of every sentence of ``document``: the headline and the
        contradiction rules both read them."""
        if self.stated is None:
            from ..facts import extract

            self.stated = [extract(doc) for doc in self.parses(document)]
        return self.stated


@dataclass
class RuleResult:
    scores: dict[int, float] = field(default_factory=dict)  # sentence index -> score in [0, 1]
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)


class Rule(Protocol):
    id: str
    score_key: str
    description: str  # one line: what a finding of this rule means
    help: str  # what an editor should do about one (SARIF help, HTML report)

    def run(self, document: Document, context: RuleContext) -> RuleResult: ...


def make_finding(
    rule: str,
    severity: Severity,
    sentence: Sentence,
    score: float,
    message: str,
    related: list[Sentence] = (),
    kind: str | None = None,
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        sentence=sentence.index,
        start=sentence.start,
        end=sentence.end,
        line=sentence.line,
        column=sentence.column,
        score=round(float(score), 4),
        message=message,
        related=tuple(Related(r.index, r.start, r.end) for r in related),
        kind=kind,
    )
