"""Formatters over the same report data: ``text`` for people, ``json`` for machines.

The JSON follows the report contract in ``docs/report-contract.md`` (schema_version 1).
"""

from __future__ import annotations

import json

from .findings import FileReport, Finding

SCHEMA_VERSION = 1


def _finding_json(f: Finding) -> dict:
    out = {
        "rule": f.rule,
        "severity": f.severity.name,
        "sentence": f.sentence,
        "start": f.start,
        "end": f.end,
        "line": f.line,
        "column": f.column,
        "score": f.score,
        "message": f.message,
        "related": [{"sentence": r.sentence, "start": r.start, "end": r.end} for r in f.related],
    }
    if f.kind:
        out["kind"] = f.kind
    return out


def file_json(report: FileReport) -> dict:
    if report.error is not None:
        return {"path": report.path, "score": None, "sentences": [], "findings": [], "error": report.error}
    sentences = []
    for position, s in enumerate(report.sentences):
        scores = {key: round(float(values[position]), 4) for key, values in report.scores.items()}
        sentences.append(
            {"index": s.index, "start": s.start, "end": s.end, "line": s.line, "column": s.column,
             "role": s.role, "scores": scores}
        )
    return {
        "path": report.path,
        "score": report.score,
        "sentences": sentences,
        "findings": [_finding_json(f) for f in report.findings],
        "notes": report.notes,
        "stats": report.stats,
        "error": None,
    }


def format_json(reports: list[FileReport]) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION, "files": [file_json(r) for r in reports]}, indent=2,
                      ensure_ascii=False)


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
    if failed:
        summary += f"; {failed} file(s) could not be checked"
    lines.append(summary)
    return "\n".join(lines)


FORMATTERS = {"text": format_text, "json": format_json}
