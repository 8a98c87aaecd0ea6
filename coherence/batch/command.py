"""``coherence batch``: check an archive on Ray and write one row an article; re-runs resume.

Imported by ``coherence.cli`` to register the command, so it stays light: Ray and the models are
imported when the command runs. Reach it through ``coherence.cli``.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace

import click

from ..cli import UsageProblem, _resolve, config_options, model_options

INSTALL_HINT = "pip install 'coherence[ray]'"


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, type=click.Path(),
              help="Result rows: FILE.jsonl (one JSON row a line) or FOLDER.parquet (Parquet parts). An existing "
                   "output is resumed: articles already in it (same content and settings) are skipped.")
@click.option("--address", default=None,
              help="Join the Ray cluster at this address (e.g. ray://head:10001 or head:6379) [default: start "
                   "Ray on this machine with its CPUs].")
@click.option("--actors", type=click.IntRange(1), default=None,
              help="Checker actors, each with its own copy of the models [default: the CPUs Ray has].")
@click.option("--batch-size", type=click.IntRange(1), default=16, show_default=True,
              help="Articles an actor checks in one call (their sentences embedded together).")
@click.option("--encoding", default=None, help="Encoding of article files [default: utf-8].")
@click.option("--max-bytes", type=click.IntRange(1), default=None,
              help="Larger articles are refused (written with their error) [default: 2,000,000].")
@config_options
@model_options
def batch(inputs, output, address, actors, batch_size, encoding, max_bytes, config_file, isolated, embedder,
          nli_model, threads, precision):
    """Check INPUTS on Ray: article files, folders and globs (as `check` takes), and JSONL or Parquet
    archives of {id, text, path?} records. One output row an article: id, path, content hash,
    settings hash, the schema v1 report or the error that stopped it.
    """
    if importlib.util.find_spec("ray") is None:
        raise UsageProblem(f"coherence batch needs Ray: {INSTALL_HINT}")
    from .runner import run_batch

    settings = _resolve([i for i in inputs], config_file, isolated, **{
        "encoding": encoding, "max-bytes": max_bytes, "embedder": embedder, "nli-model": nli_model,
        "threads": threads, "precision": precision}).settings
    settings = replace(settings, threads=settings.threads or 1)  # one CPU an actor: no oversubscription
    errors = run_batch(list(inputs), output, settings, address, actors, batch_size,
                       say=lambda message: click.echo(f"coherence batch: {message}", err=True))
    if errors:
        click.echo(f"coherence batch: {errors} article(s) could not be checked; their rows carry the error",
                   err=True)
    sys.exit(2 if errors else 0)
