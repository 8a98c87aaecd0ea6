"""Report formats: each is ``format(reports) -> str`` over the same ``FileReport`` data.

Listed here by name so the CLI can offer them without importing any of them.
"""

from __future__ import annotations

from importlib import import_module

# name -> (module, function)
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("text", "format_text"),
    "json": ("json_report", "format_json"),
    "jsonl": ("json_report", "format_jsonl"),
    "sarif": ("sarif", "format_sarif"),
    "github": ("github", "format_github"),
    "html": ("html", "format_html"),
}


def get_formatter(name: str):
    module, function = FORMATS[name]
    return getattr(import_module(f"{__name__}.{module}"), function)
