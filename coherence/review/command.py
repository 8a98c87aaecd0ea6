"""``coherence review``: check articles once, then serve their report with review controls.

Imported by ``coherence.cli`` to register the command, so this module stays light: the checker,
the models and the server are imported when the command runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..cli import UsageProblem, _settings, model_options
from ..errors import CoherenceError
from .store import DEFAULT_STORE_NAME


def _default_reviewer() -> str:
    return os.environ.get("COHERENCE_REVIEWER") or os.environ.get("USER") or os.environ.get("USERNAME") or ""


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--store", "store_path", type=click.Path(), default=None,
              help=f"Review store (SQLite) [default: {DEFAULT_STORE_NAME} in the folder of the first article].")
@click.option("--reviewer", default=None,
              help="Name recorded with each decision [default: $COHERENCE_REVIEWER, else $USER].")
@click.option("--export", "export_jsonl", type=click.Path(dir_okay=False), default=None,
              help="Write every decision of the store as JSON lines to this file, then exit (no server).")
@click.option("--export-baseline", type=click.Path(dir_okay=False), default=None,
              help="Add the dismissed findings to this baseline file (created or merged), then exit.")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the article files.")
@click.option("--max-bytes", type=click.IntRange(1), default=2_000_000, show_default=True,
              help="Refuse (never truncate) larger files.")
@model_options
def review(files, port, store_path, reviewer, export_jsonl, export_baseline, no_open, encoding, max_bytes,
           embedder, nli_model, threads):
    """Review the findings of article files in a browser: accept or dismiss each, with a comment.

    Decisions are kept in a SQLite store; `check --review-store` no longer counts dismissed findings.
    """
    from .store import ReviewStore, default_store_path

    if not files and not store_path:
        raise UsageProblem("pass the article files to review (or --store with --export/--export-baseline)")
    store_file = Path(store_path) if store_path else default_store_path(files[0])
    exporting = export_jsonl or export_baseline
    if exporting:
        store = ReviewStore(store_file, create=False)
        try:
            if export_jsonl:
                count = store.export_jsonl(export_jsonl)
                click.echo(f"{count} decision(s) written to {export_jsonl}", err=True)
            if export_baseline:
                count = store.export_baseline(export_baseline)
                click.echo(f"{count} dismissed finding(s) added to {export_baseline}", err=True)
        except OSError as exc:
            raise UsageProblem(f"cannot write the export: {exc.strerror or exc}") from None
        return
    if not files:
        raise UsageProblem("pass the article files to review")
    reviewer = (reviewer if reviewer is not None else _default_reviewer()).strip()
    reports = _check(files, _settings("error", embedder, nli_model, encoding, max_bytes, threads))
    store = ReviewStore(store_file)
    _serve(reports, store, reviewer, port, open_browser=not no_open)


def _check(files, settings):
    from ..checker import ArticleInput, Checker
    from ..embedder import resolve_embedder_path
    from ..errors import InputError
    from ..reading import read_article

    resolve_embedder_path(settings.embedder)
    articles = []
    for path in files:
        try:
            articles.append(ArticleInput(path=path, text=read_article(path, settings.encoding, settings.max_bytes)))
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            articles.append(ArticleInput(path=path, error=str(exc)))
    if all(a.error is not None for a in articles):
        raise UsageProblem("none of the files can be checked; nothing to review")
    checker = Checker(settings)
    checker.load_models()
    return checker.check(articles)


def _serve(reports, store, reviewer: str, port: int, open_browser: bool) -> None:
    from .server import ReviewApp, make_server

    app = ReviewApp(reports, store, reviewer)
    try:
        server = make_server(app, port)
    except OSError as exc:
        raise CoherenceError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc} (try --port 0)") from None
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    count = len(app.findings)
    click.echo(f"Reviewing {count} finding(s) in {len(reports)} file(s) at {url}", err=True)
    click.echo(f"Decisions are saved in {store.path}. Press Ctrl-C to stop.", err=True)
    sys.stderr.flush()
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()
