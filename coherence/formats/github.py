"""``github``: GitHub Actions workflow commands, shown as annotations on the pull request's files.

``::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::message``. The message escapes
``%``, CR and LF; property values also escape ``:`` and ``,`` (GitHub's own toolkit rules), so no
article text can end an annotation early or forge another command.
"""

from __future__ import annotations

from ..findings import FileReport, Severity
from .locations import span_region

COMMANDS = {Severity.error: "error", Severity.warning: "warning", Severity.suggestion: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(name: str, properties: dict, message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{name} {props}::{escape_data(message)}"


def format_github(reports: list[FileReport]) -> str:
    lines = []
    for report in reports:
        if report.error is not None:
            lines.append(_command("error", {"file": report.path, "title": "coherence: file not checked"}, report.error))
            continue
        for f in report.findings:
            region = span_region(report, f.start, f.end)
            properties = {"file": report.path, "line": region["startLine"], "col": region["startColumn"],
                          "endLine": region["endLine"], "endColumn": region["endColumn"],
                          "title": f"coherence {f.rule} ({f.severity.name})"}
            sentence = " ".join(report.text[f.start : f.end].split())
            lines.append(_command(COMMANDS[f.severity], properties, f"{f.message}\n{sentence}"))
    return "\n".join(lines)
