"""The one place the exit code is decided."""

from __future__ import annotations

from enum import IntEnum

from .findings import FileReport, Severity


class ExitStatus(IntEnum):
    CLEAN = 0  # no finding at or above --fail-on
    FINDINGS = 1  # findings at or above --fail-on
    ERROR = 2  # usage, input, config or model error (a bad file among good ones included)


def exit_status(reports: list[FileReport], fail_on: Severity | None) -> ExitStatus:
    if any(r.error is not None for r in reports):
        return ExitStatus.ERROR
    if fail_on is not None and any(f.severity >= fail_on for r in reports for f in r.findings):
        return ExitStatus.FINDINGS
    return ExitStatus.CLEAN
