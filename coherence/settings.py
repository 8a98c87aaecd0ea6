"""One frozen settings object for a run, built from defaults and CLI flags."""

from __future__ import annotations

from dataclasses import dataclass, field

from .embedder import DEFAULT_EMBEDDER
from .findings import Severity, SeverityThresholds
from .reading import DEFAULT_MAX_BYTES

RULE_IDS = ("off-topic", "headline", "contradiction")


@dataclass(frozen=True)
class Settings:
    embedder: str = DEFAULT_EMBEDDER
    nli_model: str | None = None  # None: the shipped model in models/
    belonging_model: str | None = None  # None: the shipped model in models/
    rules: tuple[str, ...] = RULE_IDS
    fail_on: Severity | None = Severity.error  # None: never fail on findings
    thresholds: dict[str, SeverityThresholds] = field(default_factory=dict)  # per-rule overrides
    encoding: str = "utf-8"
    max_bytes: int = DEFAULT_MAX_BYTES
    threads: int | None = None
    batch_size: int = 64
