"""One frozen settings object for a run: defaults here, overridden by ``config.resolve``
(config file < ``COHERENCE_*`` environment < command-line flags)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .runtime.embedder import DEFAULT_EMBEDDER
from .findings import Severity, SeverityThresholds
from .reading import DEFAULT_MAX_BYTES
from .sources import DEFAULT_EXTENSIONS

RULE_IDS = ("off-topic", "headline", "contradiction")


@dataclass(frozen=True)
class Settings:
    embedder: str = DEFAULT_EMBEDDER
    nli_model: str | None = None  # None: the shipped model in models/
    belonging_model: str | None = None  # None: the shipped model in models/
    rules: tuple[str, ...] = RULE_IDS  # the enabled rules
    fail_on: Severity | None = Severity.error  # None: never fail on findings
    thresholds: dict[str, dict[str, float]] = field(default_factory=dict)  # rule -> cuts that override its own
    max_severity: dict[str, Severity] = field(default_factory=dict)  # rule -> most severe level it may report
    output_format: str = "text"
    encoding: str = "utf-8"
    max_bytes: int = DEFAULT_MAX_BYTES
    threads: int | None = None
    precision: str = "auto"  # which exported file each model runs (coherence/precision.py)
    extensions: tuple[str, ...] = DEFAULT_EXTENSIONS
    exclude: tuple[str, ...] = ()
    baseline: str | None = None
    cache: bool = True
    cache_dir: str | None = None  # None: the user cache folder (platformdirs)

    def rule_thresholds(self, rule_id: str, default: SeverityThresholds) -> SeverityThresholds:
        """The rule's own cuts with any configured ones in their place."""
        override = self.thresholds.get(rule_id)
        if not override:
            return default
        return SeverityThresholds(**{**default.__dict__, **override})
