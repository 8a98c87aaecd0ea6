"""Result cache: an unchanged article under unchanged models and settings is not checked again.

An entry is keyed by a hash of the article text and its markup kind, the package version, the
settings that change results (rules, cuts, severity caps, models) and each model's files (name,
size, modification time). It holds the checked report before baseline and review suppression,
which are applied afresh on every run. Entries live in the user cache folder (``platformdirs``) or
``cache-dir``; a cache that cannot be read or written is skipped, never fatal.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from functools import cache
from pathlib import Path

from . import __version__
from .document import Sentence
from .findings import FileReport, Finding, Related, Severity, Suppression
from .precision import resolve_precision
from .settings import Settings

CACHE_FORMAT = 1


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("coherence"))


@cache
def _folder_signature(path: str) -> tuple:
    """What identifies a model on disk without reading its weights: every file's name, size and mtime."""
    root = Path(path)
    if root.is_file():
        stat = root.stat()
        return ((root.name, stat.st_size, stat.st_mtime_ns),)
    if not root.is_dir():
        return (("missing", path),)
    return tuple(
        (str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*")) if p.is_file()
    )


def models_signature(settings: Settings) -> dict:
    from .belonging.local import DEFAULT_LOCAL_PATH
    from .belonging.model import DEFAULT_PATH as BELONGING_PATH
    from .headline_support import DEFAULT_PATH as HEADLINE_PATH
    from .runtime.embedder import resolve_embedder_path
    from .runtime.nli import default_nli_path

    embedder = str(resolve_embedder_path(settings.embedder))
    nli = settings.nli_model or str(default_nli_path())
    belonging = settings.belonging_model or str(BELONGING_PATH)
    return {name: [path, _folder_signature(path)] for name, path in
            (("embedder", embedder), ("nli", nli), ("belonging", belonging), ("local", str(DEFAULT_LOCAL_PATH)),
             ("headline", str(HEADLINE_PATH.parent)))}  # the model and its word list


def settings_signature(settings: Settings) -> str:
    """What, besides the article, decides its report: version, rules, cuts, caps, models, precision.

    The result cache keys on it, and ``coherence batch`` resumes on it.
    """
    fixed = {
        "version": __version__,
        "rules": settings.rules,
        "thresholds": settings.thresholds,
        "max_severity": {k: v.name for k, v in settings.max_severity.items()},
        "models": models_signature(settings),
        "precision": resolve_precision(settings.precision),  # int8 and float32 files score slightly apart
    }
    return json.dumps(fixed, sort_keys=True, default=str)


class ResultCache:
    FORMAT = CACHE_FORMAT

    def __init__(self, settings: Settings, folder: Path | None = None):
        self.folder = Path(folder or settings.cache_dir or default_cache_dir()) / f"v{CACHE_FORMAT}"
        self._fixed = settings_signature(settings)
        self.problem: str | None = None  # why the cache was skipped, said once

    def key(self, text: str, markup: str) -> str:
        digest = hashlib.sha256()
        for part in (self._fixed, markup, text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x00")
        return digest.hexdigest()

    def _file(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, path: str, text: str) -> FileReport | None:
        try:
            data = json.loads(self._file(key).read_text(encoding="utf-8"))
            return report_from_dict(data, path, text)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged entry is only a miss; it is rewritten below

    def put(self, key: str, report: FileReport) -> None:
        if self.problem:
            return
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False,
                                             suffix=".tmp") as handle:
                json.dump(report_to_dict(report), handle, ensure_ascii=False)
            os.replace(handle.name, target)  # atomic: a reader sees the old entry or the new one
        except OSError as exc:
            self.problem = f"result cache disabled: cannot write to {self.folder} ({exc.strerror or exc})"


# ---------------------------------------------------------------- report <-> plain data


def _finding_to_dict(f: Finding) -> dict:
    data = asdict(f)
    data["severity"] = f.severity.name
    return data


def _finding_from_dict(data: dict) -> Finding:
    return Finding(**{**data, "severity": Severity.parse(data["severity"]),
                      "related": tuple(Related(**r) for r in data["related"])})


def report_to_dict(report: FileReport) -> dict:
    return {
        "sentences": [asdict(s) for s in report.sentences],
        "scores": report.scores,
        "findings": [_finding_to_dict(f) for f in report.findings],
        "suppressed": [[_finding_to_dict(f), asdict(s)] for f, s in report.suppressed],
        "notes": report.notes,
        "stats": report.stats,
    }


def report_from_dict(data: dict, path: str, text: str) -> FileReport:
    return FileReport(
        path=path,
        text=text,
        sentences=[Sentence(**s) for s in data["sentences"]],
        scores=data["scores"],
        findings=[_finding_from_dict(f) for f in data["findings"]],
        suppressed=[(_finding_from_dict(f), Suppression(**s)) for f, s in data["suppressed"]],
        notes=data["notes"],
        stats=data["stats"],
    )
