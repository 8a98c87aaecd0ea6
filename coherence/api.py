"""The Python API: ``coherence.check(text)`` for one article, ``coherence.Checker`` for many.

A ``Checker`` loads its models once (on first use, or at ``load()``) and keeps them for every later
call; ``check``, ``serve`` and ``batch`` all check through one. Reports are the ``FileReport``
objects the formats render: ``report.to_json()`` is what ``coherence check --format json`` prints
for that one article, ``report.to_dict()`` the same document as plain data.

Settings, as for the command line: ``None`` reads the config file nearest the article's path (the
working directory without one) and the ``COHERENCE_*`` environment; a mapping of config keys
(``{"threads": 1, "fail-on": "warning"}``) is applied over those, as flags are; a ``Settings``
object is used as it is and nothing is read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .checker import ArticleInput
from .checker import Checker as _RunChecker
from .errors import ConfigError, InputError
from .findings import FileReport
from .settings import Settings

MARKUPS = ("text", "markdown", "html")
_SHARED_MODELS = ("embedder", "belonging", "nli", "local", "headline_model", "nlp")  # the run checker's cached model attributes
_MODEL_FIELDS = ("embedder", "nli_model", "belonging_model", "threads", "precision")
_MAX_REMEMBERED_FOLDERS = 1024  # per-folder settings kept; a server that sees many folders starts again

Report = FileReport


@dataclass(frozen=True)
class Article:
    """One article to check: its text, the path it is reported under, and its markup (None: from the path)."""

    text: str
    path: str | None = None
    markup: str | None = None


def article_input(text, path: str | None = None, markup: str | None = None,
                  max_bytes: int | None = None) -> ArticleInput:
    """What the checker reads; text that cannot be checked (empty, binary, too large) carries its error."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    name = path or "<text>"
    if markup is None:
        from .markup import markup_of

        markup = markup_of(path or "")
    elif markup not in MARKUPS:
        raise ValueError(f"markup must be one of {', '.join(MARKUPS)}, not {markup!r}")
    try:
        _check_text(text, name, max_bytes)
    except InputError as exc:
        return ArticleInput(path=name, error=str(exc), markup=markup)
    return ArticleInput(path=name, text=text, markup=markup)


def _check_text(text: str, name: str, max_bytes: int | None) -> None:
    """The checks ``reading.decode_article`` makes on a file, for text that arrives already decoded."""
    if not text.strip():
        raise InputError(f"{name}: text is empty")
    if "\x00" in text[:8192]:
        raise InputError(f"{name}: looks like binary data (NUL characters); expected plain text")
    if max_bytes is not None:
        from .reading import check_size

        check_size(name, len(text.encode("utf-8", "surrogatepass")), max_bytes)


class Checker:
    """Checks articles with models loaded once. Thread-compatible, not thread-safe: one caller at a time."""

    def __init__(self, settings: Settings | Mapping | None = None, *, config_file: str | None = None,
                 isolated: bool = False):
        if settings is not None and not isinstance(settings, (Settings, Mapping)):
            raise TypeError("settings must be a coherence Settings, a mapping of config keys, or None")
        self._fixed = settings if isinstance(settings, Settings) else None
        self._flags = dict(settings or {}) if self._fixed is None else {}
        self._config_file = config_file
        self._isolated = isolated
        self._by_folder: dict[str, Settings] = {}
        self._run_checkers: dict[str, _RunChecker] = {}
        if self._fixed is None:
            self._validate_flags()

    # ---------------------------------------------------------------- settings

    def _validate_flags(self) -> None:
        from .config import OPTIONS_BY_KEY

        unknown = [key for key in self._flags if key not in OPTIONS_BY_KEY]
        if unknown:
            raise ConfigError(f"unknown setting(s) {', '.join(map(repr, unknown))} "
                              f"(keys: {', '.join(OPTIONS_BY_KEY)})")
        self.settings_for(None)  # a bad value is an error now, not at the first article

    def settings_for(self, path: str | None) -> Settings:
        """The settings an article at ``path`` is checked with (its folder's config file, when settings allow)."""
        if self._fixed is not None:
            return self._fixed
        folder = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
        settings = self._by_folder.get(folder)
        if settings is None:
            from .config import resolve

            paths = [path] if path else []
            settings = resolve(paths, self._flags, config_file=self._config_file, isolated=self._isolated).settings
            if len(self._by_folder) >= _MAX_REMEMBERED_FOLDERS:
                self._by_folder.clear()
            self._by_folder[folder] = settings
        return settings

    @property
    def settings(self) -> Settings:
        """The settings of an article without a path (the working directory's config)."""
        return self.settings_for(None)

    def _run_checker(self, settings: Settings) -> _RunChecker:
        """The pipeline for these settings; checkers whose models are the same share the loaded models."""
        key = repr(settings)
        checker = self._run_checkers.get(key)
        if checker is None:
            checker = _RunChecker(settings)
            same_models = [other for other in self._run_checkers.values()
                           if all(getattr(other.settings, f) == getattr(settings, f) for f in _MODEL_FIELDS)]
            for other in same_models:
                for name in _SHARED_MODELS:
                    if other.__dict__.get(name) is not None and name not in checker.__dict__:
                        checker.__dict__[name] = other.__dict__[name]  # cached_property's own slot
            self._run_checkers[key] = checker
        return checker

    # ---------------------------------------------------------------- checking

    def load(self) -> "Checker":
        """Load every model now, so a model problem shows before the first article (a ``ModelError``)."""
        self._run_checker(self.settings).load_models()
        return self

    def check(self, text: str, path: str | None = None, markup: str | None = None) -> FileReport:
        """The report of one article. An article that cannot be checked gets a report with ``error`` set."""
        return self.check_many([Article(text, path, markup)])[0]

    def check_many(self, articles: Iterable[Article | Mapping | str]) -> list[FileReport]:
        """Reports of several articles, in order; their sentences are embedded together."""
        inputs = []
        for article in articles:
            if isinstance(article, str):
                article = Article(article)
            elif isinstance(article, Mapping):
                article = Article(article.get("text"), article.get("path"), article.get("markup"))
            settings = self.settings_for(article.path)
            inputs.append(article_input(article.text, article.path, article.markup, settings.max_bytes))
        return self.check_inputs(inputs)

    def check_inputs(self, inputs: list[ArticleInput]) -> list[FileReport]:
        """Reports of articles already read (what ``check``, ``serve`` and ``batch`` hand over), in order.

        Articles whose settings are the same are checked in one call, so their sentences share a batch.
        """
        groups: dict[str, tuple[Settings, list[int]]] = {}
        for position, article in enumerate(inputs):
            settings = self.settings_for(article.path if article.path != "<text>" else None)
            groups.setdefault(repr(settings), (settings, []))[1].append(position)
        reports: list[FileReport | None] = [None] * len(inputs)
        for settings, positions in groups.values():
            checked = self._run_checker(settings).check([inputs[p] for p in positions])
            for position, report in zip(positions, checked):
                reports[position] = report
        return reports  # type: ignore[return-value]


_default_checkers: dict[str, Checker] = {}


def check(text: str, path: str | None = None, markup: str | None = None,
          settings: Settings | Mapping | None = None) -> FileReport:
    """The report of one article; the models stay loaded for the next call with the same settings."""
    key = repr(settings if isinstance(settings, Settings) else sorted((settings or {}).items()))
    checker = _default_checkers.get(key)
    if checker is None:
        checker = _default_checkers[key] = Checker(settings)
    return checker.check(text, path, markup)
