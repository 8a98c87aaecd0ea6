"""The baseline: a JSON file of accepted findings that ``check`` no longer counts.

``coherence baseline`` writes it from a run's findings; ``check --baseline FILE`` (or the
``baseline`` config key) reads it. Entries are keyed by the article's path relative to the baseline
file and the finding's fingerprint (rule + normalised sentence words), so re-flowing a paragraph or
editing elsewhere keeps them; an entry whose sentence is gone from a checked article is stale and
reported, as ruff reports unused suppressions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .findings import FileReport, Suppression
from .fingerprints import finding_fingerprint, sentence_text
from .suppression import article_key, suppress

BASELINE_VERSION = 1


@dataclass(frozen=True)
class BaselineEntry:
    path: str  # relative to the baseline file's folder, POSIX separators
    rule: str
    fingerprint: str
    sentence: str = ""  # the sentence when it was accepted, for people reading the file
    comment: str = ""


class Baseline:
    def __init__(self, location: Path, entries: list[BaselineEntry] = ()):
        self.location = Path(location)
        self.entries = list(entries)

    @property
    def anchor(self) -> Path:
        return self.location.parent

    @classmethod
    def load(cls, location: str | Path) -> Baseline:
        location = Path(location)
        try:
            data = json.loads(location.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"baseline file not found: {location} (write one with `coherence baseline`)") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"baseline file {location} cannot be read: {exc}") from None
        if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(
            data.get("entries"), list
        ):
            raise ConfigError(f"baseline file {location} is not a coherence baseline (version {BASELINE_VERSION})")
        entries = []
        for number, item in enumerate(data["entries"], 1):
            try:
                entries.append(BaselineEntry(**item))
            except TypeError:
                raise ConfigError(f"baseline file {location}: entry {number} is malformed: {item!r}") from None
        return cls(location, entries)

    @classmethod
    def from_reports(cls, location: str | Path, reports: list[FileReport]) -> Baseline:
        """Every counted finding of these reports, accepted."""
        baseline = cls(Path(location))
        seen = set()
        for report in reports:
            key = article_key(report.path, baseline.anchor)
            for finding in report.findings:
                entry = BaselineEntry(key, finding.rule, finding_fingerprint(report, finding),
                                      " ".join(sentence_text(report, finding).split()))
                if (entry.path, entry.fingerprint) not in seen:
                    seen.add((entry.path, entry.fingerprint))
                    baseline.entries.append(entry)
        return baseline

    def write(self) -> None:
        entries = sorted(self.entries, key=lambda e: (e.path, e.rule, e.sentence, e.fingerprint))
        payload = {"version": BASELINE_VERSION, "entries": [e.__dict__ for e in entries]}
        self.location.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    def apply(self, reports: list[FileReport]) -> list[BaselineEntry]:
        """Suppress the accepted findings; return the stale entries of the articles checked."""
        by_path: dict[str, dict[str, BaselineEntry]] = {}
        for entry in self.entries:
            by_path.setdefault(entry.path, {})[entry.fingerprint] = entry
        stale = []
        for report in reports:
            if report.error is not None:
                continue
            accepted = by_path.get(article_key(report.path, self.anchor), {})
            if not accepted:
                continue
            suppress(report, Suppression("baseline", f"accepted in {self.location.name}"), keys=set(accepted))
            # Stale: no finding of the article, counted or suppressed, has the entry's fingerprint any more.
            present = {finding_fingerprint(report, f) for f in report.findings}
            present |= {finding_fingerprint(report, f) for f, _ in report.suppressed}
            stale.extend(e for fp, e in accepted.items() if fp not in present)
        return stale
