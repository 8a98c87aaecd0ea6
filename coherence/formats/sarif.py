"""``sarif``: SARIF 2.1.0, what GitHub code scanning and other CI dashboards read.

One run; the rules with their descriptions and help; a result per finding with its region (columns
in code points, as ``columnKind`` says), the other sentence of a contradiction as a related
location, a partial fingerprint that survives edits elsewhere, and suppressed findings kept with
their ``suppressions`` (inline comments are ``inSource``, baseline and review decisions ``external``).
Files that could not be checked are tool execution notifications.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..findings import FileReport, Finding, Severity, Suppression
from ..fingerprints import finding_fingerprint
from ..rules import all_rules
from .locations import span_region

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT_KEY = "coherence/sentence/v1"
LEVELS = {Severity.error: "error", Severity.warning: "warning", Severity.suggestion: "note"}


def artifact_uri(path: str) -> str:
    """A relative path stays relative (with '/' separators); an absolute one becomes a file: URI."""
    if os.path.isabs(path):
        return Path(path).as_uri()
    return quote(Path(path).as_posix())


def _rules() -> list[dict]:
    return [
        {
            "id": rule.id,
            "name": "".join(part.title() for part in rule.id.split("-")),
            "shortDescription": {"text": rule.description},
            "fullDescription": {"text": rule.description},
            "help": {"text": rule.help, "markdown": rule.help},
            "defaultConfiguration": {"level": "warning"},
        }
        for rule in all_rules()
    ]


def _location(report: FileReport, start: int, end: int) -> dict:
    region = span_region(report, start, end)
    region.update(charOffset=start, charLength=end - start, snippet={"text": report.text[start:end]})
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(report.path)}, "region": region}}


def _result(report: FileReport, finding: Finding, rule_index: dict[str, int], suppression: Suppression | None) -> dict:
    message = finding.message
    related = []
    for number, other in enumerate(finding.related, 1):
        related.append({"id": number, **_location(report, other.start, other.end),
                        "message": {"text": f"sentence {other.sentence}"}})
    if finding.related:
        links = ", ".join(f"[sentence {r.sentence}]({n})" for n, r in enumerate(finding.related, 1))
        message = f"{message} (see {links})"
    result = {
        "ruleId": finding.rule,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [_location(report, finding.start, finding.end)],
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(report, finding)},
        "properties": {"severity": finding.severity.name, "score": finding.score, "sentence": finding.sentence},
    }
    if finding.rule in rule_index:
        result["ruleIndex"] = rule_index[finding.rule]
    if finding.kind:
        result["properties"]["kind"] = finding.kind
    if related:
        result["relatedLocations"] = related
    if suppression is not None:
        result["suppressions"] = [{
            "kind": "inSource" if suppression.kind == "inline" else "external",
            "status": "accepted",
            "justification": suppression.justification or suppression.kind,
        }]
    return result


def sarif_log(reports: list[FileReport]) -> dict:
    rules = _rules()
    rule_index = {rule["id"]: number for number, rule in enumerate(rules)}
    results = []
    notifications = []
    for report in reports:
        if report.error is not None:
            notifications.append({
                "level": "error",
                "message": {"text": report.error},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(report.path)}}}],
            })
            continue
        counted = [(f, None) for f in report.findings]
        for finding, suppression in sorted(counted + report.suppressed, key=lambda pair: (pair[0].start, pair[0].rule)):
            results.append(_result(report, finding, rule_index, suppression))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "coherence", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "results": results,
            "invocations": [{"executionSuccessful": not notifications,
                             "toolExecutionNotifications": notifications}],
        }],
    }


def format_sarif(reports: list[FileReport]) -> str:
    return json.dumps(sarif_log(reports), indent=2, ensure_ascii=False)
