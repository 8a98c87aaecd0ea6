"""From sources to suppressed, cached reports: what ``check`` and ``baseline`` share.

Reading never stops the run: a file that cannot be read becomes a report with its error and the
others are checked. Models load only when some file is not in the result cache.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from .api import Checker
from .checker import ArticleInput
from .errors import InputError
from .findings import FileReport
from .markup import markup_of
from .reading import check_size, decode_article, read_article
from .settings import Settings
from .sources import Source, read_stdin_bytes

CHUNK = 8  # files checked together: sentences batch across files, the progress bar moves per chunk


@dataclass
class RunOptions:
    use_cache: bool = True
    progress: bool = False
    stdin_bytes: bytes | None = None  # for tests; None: read sys.stdin when a source asks for it
    baseline: str | None = None  # apply this baseline file
    review_store: str | None = None  # apply the dismissals of this review store


@dataclass
class RunResult:
    reports: list[FileReport]
    warnings: list[str] = field(default_factory=list)  # said on stderr: stale baseline entries, cache trouble


def read_sources(sources: list[Source], settings: Settings, stdin_bytes: bytes | None = None) -> list[ArticleInput]:
    articles = []
    for source in sources:
        markup = markup_of(source.path)
        try:
            if source.error:
                raise InputError(source.error)
            if source.from_stdin:
                data = read_stdin_bytes() if stdin_bytes is None else stdin_bytes
                check_size(source.path, len(data), settings.max_bytes)
                text = decode_article(data, source.path, settings.encoding)
            else:
                text = read_article(source.path, settings.encoding, settings.max_bytes)
            articles.append(ArticleInput(path=source.path, text=text, markup=markup))
        except InputError as exc:
            articles.append(ArticleInput(path=source.path, error=str(exc)))
    return articles


def check_articles(articles: list[ArticleInput], settings: Settings, options: RunOptions) -> RunResult:
    warnings: list[str] = []
    reports: list[FileReport | None] = [None] * len(articles)
    cache = None
    if options.use_cache and settings.cache and any(a.error is None for a in articles):
        from .cache import ResultCache

        cache = ResultCache(settings)
    keys: dict[int, str] = {}
    todo: list[int] = []
    for position, article in enumerate(articles):
        if article.error is not None:
            reports[position] = FileReport(path=article.path, error=article.error)
            continue
        if cache is not None:
            keys[position] = cache.key(article.text, article.markup)
            reports[position] = cache.get(keys[position], article.path, article.text)
        if reports[position] is None:
            todo.append(position)

    if todo:
        checker = Checker(settings).load()
        bar = _progress(len(todo), options.progress)
        for first in range(0, len(todo), CHUNK):
            chunk = todo[first : first + CHUNK]
            for position, report in zip(chunk, checker.check_inputs([articles[p] for p in chunk])):
                reports[position] = report
                if cache is not None and report.error is None:
                    cache.put(keys[position], report)
            if bar is not None:
                bar.update(len(chunk))
        if bar is not None:
            bar.close()
    if cache is not None and cache.problem:
        warnings.append(cache.problem)

    reports = [r for r in reports if r is not None]
    if options.baseline:
        from .baseline import Baseline

        baseline = Baseline.load(options.baseline)
        for entry in baseline.apply(reports):
            warnings.append(f"{options.baseline}: stale entry for {entry.path} [{entry.rule}]: "
                            f"no such finding any more: {entry.sentence[:80]!r}")
    if options.review_store:
        from .review.store import apply_review

        apply_review(reports, options.review_store)
    return RunResult(reports, warnings)


def _progress(total: int, wanted: bool):
    """A bar on stderr when asked for, there are several files, and stderr is a terminal."""
    if not wanted or total < 2 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="checking", file=sys.stderr, leave=False)
