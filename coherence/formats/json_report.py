"""``json`` and ``jsonl``: the report contract of ``docs/report-contract.md`` (schema_version 1).

``json`` is one document for the whole run; ``jsonl`` is one article a line, each line a complete
contract document of one file, so a pipeline can stream and split them. Suppressed findings are
listed apart (``suppressed``, each with its ``suppression``): scorers and gates read ``findings``.
"""

from __future__ import annotations

import json

from ..findings import FileReport, Finding

SCHEMA_VERSION = 1


def finding_json(f: Finding) -> dict:
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
        return {"path": report.path, "score": None, "sentences": [], "findings": [], "suppressed": [],
                "error": report.error}
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
        "findings": [finding_json(f) for f in report.findings],
        "suppressed": [
            {**finding_json(f), "suppression": {"kind": s.kind, "justification": s.justification}}
            for f, s in report.suppressed
        ],
        "notes": report.notes,
        "stats": report.stats,
        "error": None,
    }


def report_document(reports: list[FileReport]) -> dict:
    """The contract document of these reports: what ``json`` prints, as plain data."""
    return {"schema_version": SCHEMA_VERSION, "files": [file_json(r) for r in reports]}


def format_json(reports: list[FileReport]) -> str:
    return json.dumps(report_document(reports), indent=2, ensure_ascii=False)


def format_jsonl(reports: list[FileReport]) -> str:
    return "\n".join(json.dumps(report_document([r]), ensure_ascii=False) for r in reports)
