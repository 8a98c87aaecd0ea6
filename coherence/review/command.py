"""``coherence review``: check articles once, then serve their report with review controls.

Imported by ``coherence.cli`` to register the command, so this module stays light: the checker,
the models and the server are imported when the command runs. It uses cli's option decorators, so
reach it through ``coherence.cli`` (importing this module first is a circular import).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..cli import UsageProblem, _resolve, _run, config_options, model_options
from .store import DEFAULT_STORE_NAME


def _default_reviewer() -> str:
    return os.environ.get("COHERENCE_REVIEWER") or os.environ.get("USER") or os.environ.get("USERNAME") or ""


@click.command()
@click.argument("files", nargs=-1)
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--store", "store_path", type=click.Path(dir_okay=False), default=None,
              help=f"Review store (SQLite) [default: {DEFAULT_STORE_NAME} in the folder of the first FILE, "
                   "or in it when it is a folder].")
@click.option("--reviewer", default=None,
              help="Name recorded with each decision [default: $COHERENCE_REVIEWER, else $USER].")
@click.option("--export", "export_jsonl", type=click.Path(dir_okay=False), default=None,
              help="Write every decision of the store as JSON lines to this file, then exit (no server).")
@click.option("--export-baseline", type=click.Path(dir_okay=False), default=None,
              help="Add the dismissed findings to this baseline file (created or merged), then exit.")
@click.option("--no-open", is_flag=True, help="Do not open a browser.")
@click.option("--no-cache", is_flag=True, help="Check every file again instead of reusing cached results.")
@click.option("--encoding", default=None, help="Encoding of the article files [default: utf-8].")
@click.option("--max-bytes", type=click.IntRange(1), default=None,
              help="Refuse (never truncate) larger files [default: 2,000,000].")
@config_options
@model_options
def review(files, port, store_path, reviewer, export_jsonl, export_baseline, no_open, no_cache, encoding, max_bytes,
           config_file, isolated, embedder, nli_model, threads, precision):
    """Review the findings of FILES in a browser: accept or dismiss each, with a comment.

    FILES are article files, directories or glob patterns, as for `check`. Decisions are kept in a
    SQLite store; `check --review-store STORE` no longer counts the dismissed findings.
    """
    from .store import ReviewStore, default_store_path

    if "-" in files:
        raise UsageProblem("review reads article files, not stdin ('-')")
    if not files and not store_path:
        raise UsageProblem("pass the article files to review (or --store with --export/--export-baseline)")
    store_file = Path(store_path) if store_path else default_store_path(files[0])
    if export_jsonl or export_baseline:
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
    settings = _resolve(files, config_file, isolated, **{
        "encoding": encoding, "max-bytes": max_bytes, "embedder": embedder, "nli-model": nli_model,
        "threads": threads, "precision": precision, "cache": False if no_cache else None}).settings
    # The page shows baseline and inline suppressions greyed; review decisions come from the store live.
    reports = _run(files, settings, None, quiet=False, use_cache=settings.cache, baseline=settings.baseline)
    if all(r.error is not None for r in reports):
        raise UsageProblem("none of the files can be checked; nothing to review")
    _serve(reports, ReviewStore(store_file), reviewer, port, open_browser=not no_open)


def _serve(reports, store, reviewer: str, port: int, open_browser: bool) -> None:
    from .server import ReviewApp, make_server

    app = ReviewApp(reports, store, reviewer)
    server = make_server(app, port)  # a port in use is a one-line CoherenceError
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        click.echo(f"Reviewing {len(app.findings)} finding(s) in {len(reports)} file(s) at {url}", err=True)
        click.echo(f"Decisions are saved in {store.path}. Press Ctrl-C to stop.", err=True)
        sys.stderr.flush()
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)  # the editor's way out, not an error: exit 0
    finally:
        server.server_close()
