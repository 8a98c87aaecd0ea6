"""Findings and per-file reports: plain data, formatted elsewhere (``coherence.formats``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Severity(IntEnum):
    suggestion = 1
    warning = 2
    error = 3

    @classmethod
    def parse(cls, name: str) -> "Severity":
        return cls[name]


@dataclass(frozen=True)
class SeverityThresholds:
    """Score cuts for each severity; a score under ``suggestion`` gives no finding."""

    suggestion: float
    warning: float
    error: float

    def severity(self, score: float) -> Severity | None:
        if score >= self.error:
            return Severity.error
        if score >= self.warning:
            return Severity.warning
        if score >= self.suggestion:
            return Severity.suggestion
        return None


@dataclass(frozen=True)
class Related:
    sentence: int
    start: int
    end: int


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    sentence: int
    start: int
    end: int
    line: int
    column: int
    score: float
    message: str
    related: tuple[Related, ...] = ()
    kind: str | None = None  # e.g. the kind of contradiction: number, date, place, ...


@dataclass(frozen=True)
class Suppression:
    """Why a finding is not counted: it stays in the report (SARIF shows it as suppressed)."""

    kind: str  # "inline" (a disable comment in the file), "baseline" (accepted), "review" (dismissed)
    justification: str = ""


@dataclass
class FileReport:
    path: str
    text: str = ""
    sentences: list = field(default_factory=list)  # document.Sentence
    scores: dict[str, list[float]] = field(default_factory=dict)  # rule score key -> one value per sentence
    findings: list[Finding] = field(default_factory=list)  # counted: shown, and decide the exit code
    suppressed: list[tuple[Finding, Suppression]] = field(default_factory=list)  # not counted
    notes: list[str] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict:
        """This article's report contract document (schema_version 1), as plain data."""
        from .formats.json_report import report_document

        return report_document([self])

    def to_json(self) -> str:
        """Exactly what ``coherence check --format json`` prints for this one article."""
        from .formats.json_report import format_json

        return format_json([self])

    @property
    def score(self) -> float:
        """Article score in [0, 1]: 1 is clean; the worst finding pulls it down."""
        if self.error is not None:
            return 0.0
        worst = max((f.score for f in self.findings), default=0.0)
        return round(1.0 - worst, 4)
