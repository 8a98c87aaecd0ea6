"""What ``/v1/version`` and ``/v1/rules`` tell: models with the hashes of their files, settings, rules."""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

from ..settings import Settings


def folder_sha256(path: str) -> str | None:
    """One hash over every file of a model folder (names and bytes, in name order); None when it is missing."""
    root = Path(path)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
    if not files:
        return None
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(root) if file != root else file.name).encode() + b"\x00")
        with file.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def models_info(settings: Settings) -> dict:
    from ..cache import models_signature
    from ..nlp import PACKAGE

    models = {name: {"path": path, "sha256": folder_sha256(path)} for name, (path, _) in
              models_signature(settings).items()}
    try:
        spacy_version = metadata.version(PACKAGE.replace("_", "-"))
    except metadata.PackageNotFoundError:
        spacy_version = None
    models["spacy"] = {"package": PACKAGE, "version": spacy_version}
    return models


def settings_json(settings: Settings) -> dict:
    from ..precision import resolve_precision

    return {
        "rules": list(settings.rules),
        "thresholds": settings.thresholds,
        "max_severity": {rule: severity.name for rule, severity in settings.max_severity.items()},
        "embedder": settings.embedder,
        "nli_model": settings.nli_model,
        "precision": resolve_precision(settings.precision),
        "threads": settings.threads,
        "max_bytes": settings.max_bytes,
        "encoding": settings.encoding,
    }


def rules_info(settings: Settings) -> list[dict]:
    from ..rules import all_rules

    return [{"id": rule.id, "score_key": rule.score_key, "description": rule.description, "help": rule.help,
             "enabled": rule.id in settings.rules,
             "max_severity": settings.max_severity[rule.id].name if rule.id in settings.max_severity else None,
             "thresholds": settings.thresholds.get(rule.id) or None}
            for rule in all_rules()]
