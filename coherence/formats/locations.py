"""Where a span is in a file, for formats that give both ends of it (SARIF, GitHub annotations)."""

from __future__ import annotations

from functools import lru_cache

from ..document import LineIndex
from ..findings import FileReport


@lru_cache(maxsize=64)
def _index(text: str) -> LineIndex:
    return LineIndex(text)


def span_region(report: FileReport, start: int, end: int) -> dict:
    """1-based start and end line:column of ``text[start:end]``; the end column is exclusive, as SARIF wants."""
    lines = _index(report.text)
    start_line, start_column = lines.position(start)
    end_line, end_column = lines.position(max(start, end))
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}
