"""``text``: one line a finding, ``path:line:col: severity [rule] message``, the sentence shown under it."""

from __future__ import annotations

from ..findings import FileReport


def _one_line(text: str) -> str:
    return " ".join(text.split())


def format_text(reports: list[FileReport]) -> str:
    """``path:line:col: severity [rule] message`` with the sentence shown under each finding."""
    lines: list[str] = []
    total = 0
    for report in reports:
        if report.error is not None:
            message = report.error
            if message.startswith(f"{report.path}: "):  # InputError messages already name the file
                message = message[len(report.path) + 2 :]
            lines.append(f"{report.path}: error: {message}")
            continue
        for f in report.findings:
            total += 1
            lines.append(f"{report.path}:{f.line}:{f.column}: {f.severity.name} [{f.rule}] {f.message}")
            lines.append(f"    | {_one_line(report.text[f.start:f.end])}")
            for r in f.related:
                lines.append(f"    = related sentence {r.sentence}: {_one_line(report.text[r.start:r.end])}")
        for note in report.notes:
            lines.append(f"{report.path}: note: {note}")
    checked = sum(r.error is None for r in reports)
    failed = len(reports) - checked
    summary = f"{total} finding(s) in {checked} file(s) checked"
    suppressed = sum(len(r.suppressed) for r in reports)
    if suppressed:
        summary += f" ({suppressed} suppressed)"
    if failed:
        summary += f"; {failed} file(s) could not be checked"
    lines.append(summary)
    return "\n".join(lines)

