"""coherence: checks news copy against itself.

``coherence.check(text, path=None, markup=None, settings=None)`` reports on one article;
``coherence.Checker`` keeps the models loaded for many (see ``coherence.api``). Both are imported
on first use, so ``import coherence`` loads neither numpy nor any model.
"""

__version__ = "0.1.0"

_API = {"check": "api", "Checker": "api", "Article": "api", "Report": "api", "Settings": "settings"}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_API[name]}"), name)
    raise AttributeError(f"module 'coherence' has no attribute {name!r}")
