"""Suppressing findings: inline disable comments, a baseline of accepted findings, review dismissals.

Suppressed findings move from ``report.findings`` to ``report.suppressed`` with the reason: they no
longer count for the exit code, and the formats that can (JSON, SARIF, HTML) still show them.
Baseline files and review stores key articles by their path relative to the file or store
(``article_key``), so both can be committed or moved with the articles.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .findings import FileReport, Finding, Suppression
from .fingerprints import finding_fingerprint


def article_key(path: str, anchor_dir: Path) -> str:
    """The article's path relative to ``anchor_dir`` (POSIX separators, ``..`` where needed), so a baseline
    or store keeps working when the whole tree moves; absolute only where no relative path exists."""
    try:
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(anchor_dir))).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(os.path.abspath(path)).as_posix()


@dataclass(frozen=True)
class InlineRegion:
    """Part of a file where a rule is off: ``<!-- coherence: disable=off-topic -->`` up to its ``enable``."""

    start: int
    end: int
    rules: frozenset[str] | None  # None: every rule

    def covers(self, finding: Finding) -> bool:
        return self.start <= finding.start < self.end and (self.rules is None or finding.rule in self.rules)


def suppress(report: FileReport, reason, keys: set[str] | None = None, regions=()) -> None:
    """Move the findings that ``keys`` (fingerprints) or ``regions`` cover to ``report.suppressed``.

    ``reason`` is a ``Suppression`` or a callable giving one for a finding.
    """
    kept = []
    for finding in report.findings:
        covered = any(region.covers(finding) for region in regions)
        if not covered and keys is not None:
            covered = finding_fingerprint(report, finding) in keys
        if covered:
            report.suppressed.append((finding, reason(finding) if callable(reason) else reason))
        else:
            kept.append(finding)
    report.findings = kept


def suppress_inline(report: FileReport, regions: list[InlineRegion]) -> None:
    if regions:
        suppress(report, Suppression("inline", "disabled by a comment in the file"), regions=regions)
