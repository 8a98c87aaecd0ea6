"""Inputs (files, directories, globs, stdin) and configuration (discovery, precedence, validation)."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from coherence.cli import cli
from coherence.config import find_config, resolve
from coherence.errors import ConfigError
from coherence.findings import Severity
from coherence.sources import collect_sources

from .test_rules import FLOOD, article

STORY = article("Riverton River Floods Homes", FLOOD)


def touch(path, text="Text."):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- inputs --------------------------------------------------------------------------------------------------


def test_directories_are_searched_for_the_default_extensions(tmp_path):
    for name in ("a.txt", "b.md", "c.html", "d.pdf", "sub/e.txt", ".hidden/f.txt", "sub/.g.txt", "h.TXT"):
        touch(tmp_path / name)
    found = sorted(os.path.relpath(s.path, tmp_path) for s in collect_sources([str(tmp_path)]))
    assert found == ["a.txt", "b.md", "c.html", "h.TXT", os.path.join("sub", "e.txt")]


def test_extensions_and_exclude_narrow_a_directory(tmp_path):
    for name in ("a.txt", "b.md", "drafts/c.md", "d.md"):
        touch(tmp_path / name)
    found = collect_sources([str(tmp_path)], extensions=("md",), exclude=("*/drafts", "d.md"))
    assert [os.path.relpath(s.path, tmp_path) for s in found] == ["b.md"]


def test_globs_explicit_files_and_duplicates(tmp_path):
    for name in ("x/a.txt", "x/b.txt", "x/y/c.txt", "notes.pdf"):
        touch(tmp_path / name)
    found = collect_sources([str(tmp_path / "x" / "**" / "*.txt"), str(tmp_path / "x" / "a.txt"),
                             str(tmp_path / "notes.pdf")])
    names = [os.path.relpath(s.path, tmp_path) for s in found]
    assert names == [os.path.join("x", "a.txt"), os.path.join("x", "b.txt"), os.path.join("x", "y", "c.txt"),
                     "notes.pdf"]  # a file named explicitly is checked whatever its extension


def test_what_matches_nothing_is_that_inputs_error(tmp_path):
    found = collect_sources([str(tmp_path / "*.md"), str(tmp_path)])
    assert all(s.error for s in found)
    assert "matches no file" in found[0].error and "no .txt, .md, .html files" in found[1].error


def test_stdin_with_a_filename(tmp_path, marker_rule):
    text = "# Head line\n\nA plain sentence.\n\nA [warning] sentence *here*.\n"
    result = CliRunner().invoke(cli, ["check", "-", "--stdin-filename", "desk/story.md", "--format", "json"],
                                input=text.encode("utf-8"))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)["files"][0]
    assert report["path"] == "desk/story.md"
    assert text[report["findings"][0]["start"] : report["findings"][0]["end"]] == "A [warning] sentence *here*."


def test_a_missing_file_among_good_ones_exits_2_and_the_others_are_checked(tmp_path, marker_rule):
    good = touch(tmp_path / "good.txt", STORY.replace("river.", "river [error].", 1))
    result = CliRunner().invoke(cli, ["check", str(good), str(tmp_path / "missing.txt"), "--format", "json"])
    assert result.exit_code == 2
    files = json.loads(result.stdout)["files"]
    assert files[0]["findings"] and files[1]["error"].endswith("no such file")


# --- configuration -------------------------------------------------------------------------------------------


def test_discovery_walks_up_and_skips_a_pyproject_without_the_table(tmp_path):
    touch(tmp_path / "coherence.toml", 'fail-on = "warning"\n')
    touch(tmp_path / "desk" / "pyproject.toml", "[project]\nname = 'x'\n")
    article_path = touch(tmp_path / "desk" / "today" / "a.txt")
    path, table = find_config(article_path.parent)
    assert path == tmp_path / "coherence.toml" and table == {"fail-on": "warning"}
    assert resolve([str(article_path)]).settings.fail_on == Severity.warning


def test_pyproject_table_and_relative_paths(tmp_path):
    touch(tmp_path / "pyproject.toml", '[tool.coherence]\nbaseline = "ci/accepted.json"\nexclude = ["drafts/*"]\n'
                                       '[tool.coherence.rules.contradiction]\nenabled = false\n'
                                       '[tool.coherence.rules.off-topic]\nmax-severity = "warning"\nerror = 0.95\n')
    settings = resolve([str(touch(tmp_path / "a.txt"))]).settings
    assert settings.baseline == str(tmp_path / "ci" / "accepted.json")
    assert settings.exclude == ("drafts/*",)
    assert settings.rules == ("off-topic", "headline")
    assert settings.max_severity == {"off-topic": Severity.warning}
    assert settings.thresholds == {"off-topic": {"error": 0.95}}


def test_precedence_file_then_environment_then_flags(tmp_path):
    touch(tmp_path / "coherence.toml", 'fail-on = "suggestion"\nthreads = 3\nformat = "json"\n')
    paths = [str(touch(tmp_path / "a.txt"))]
    env = {"COHERENCE_THREADS": "2", "COHERENCE_FORMAT": "sarif"}
    resolved = resolve(paths, {"format": "github"}, environ=env)
    assert resolved.settings.fail_on == Severity.suggestion
    assert resolved.settings.threads == 2 and resolved.origins["threads"] == "environment COHERENCE_THREADS"
    assert resolved.settings.output_format == "github" and resolved.origins["format"] == "command line"


def test_config_flag_and_isolated(tmp_path):
    touch(tmp_path / "coherence.toml", 'fail-on = "suggestion"\n')
    other = touch(tmp_path / "elsewhere" / "strict.toml", 'fail-on = "never"\n')
    paths = [str(touch(tmp_path / "a.txt"))]
    assert resolve(paths, config_file=str(other)).settings.fail_on is None
    assert resolve(paths, isolated=True).settings.fail_on == Severity.error


@pytest.mark.parametrize(
    "content, message",
    [
        ("fail_on = 'error'\n", "unknown key 'fail_on'"),
        ("fail-on = 'fatal'\n", "expected one of suggestion, warning, error, never"),
        ("threads = 0\n", "expected an integer from 1 to 256"),
        ("precision = 'float16'\n", "expected one of auto, int8, float32, bfloat16"),
        ("cache = 'maybe'\n", "expected true or false"),
        ("fail-on = \n", "is not valid TOML"),
        ("[rules.spelling]\nenabled = false\n", "unknown rule 'spelling'"),
        ("[rules.off-topic]\nerror = 1.5\n", "expected a number from 0 to 1"),
        ("[rules.off-topic]\nwarning = 0.9\nerror = 0.5\n", "needs suggestion <= warning <= error"),
        ("[rules.headline]\nerror = 0.5\n", "has no score cuts"),
        ("[rules.contradiction]\ncolour = 'red'\n", "unknown key 'colour' in [rules.contradiction]"),
    ],
)
def test_malformed_config_is_a_clear_error_with_exit_2(tmp_path, stub_models, content, message):
    touch(tmp_path / "coherence.toml", content)
    story = touch(tmp_path / "a.txt", STORY)
    with pytest.raises(ConfigError, match=None) as caught:
        resolve([str(story)])
    assert message in str(caught.value) and "coherence.toml" in str(caught.value)
    result = CliRunner().invoke(cli, ["check", str(story)])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_bad_environment_value_names_the_variable(tmp_path, monkeypatch, stub_models):
    monkeypatch.setenv("COHERENCE_MAX_BYTES", "lots")
    result = CliRunner().invoke(cli, ["check", str(touch(tmp_path / "a.txt", STORY))])
    assert result.exit_code == 2
    assert "COHERENCE_MAX_BYTES" in result.stderr and "expected an integer" in result.stderr


def test_config_command_prints_values_and_their_origin(tmp_path, monkeypatch):
    touch(tmp_path / "coherence.toml", 'fail-on = "warning"\n[rules.contradiction]\nenabled = false\n')
    monkeypatch.setenv("COHERENCE_THREADS", "2")
    result = CliRunner().invoke(cli, ["config", str(touch(tmp_path / "a.txt"))])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert f"# config file: {tmp_path / 'coherence.toml'}" in lines
    assert f'fail-on = "warning"  # {tmp_path / "coherence.toml"}' in lines
    assert "threads = 2  # environment COHERENCE_THREADS" in lines
    assert lines[lines.index("[rules.contradiction]") + 1] == "enabled = false"


def test_configured_fail_on_decides_the_exit_code_and_the_flag_wins(tmp_path, marker_rule):
    touch(tmp_path / "coherence.toml", 'fail-on = "warning"\n')
    story = touch(tmp_path / "a.txt", STORY.replace("river.", "river [warning].", 1))
    assert CliRunner().invoke(cli, ["check", str(story)]).exit_code == 1
    assert CliRunner().invoke(cli, ["check", str(story), "--fail-on", "error"]).exit_code == 0
    assert CliRunner().invoke(cli, ["check", str(story), "--isolated"]).exit_code == 0


def test_a_directory_of_mixed_copy_is_checked_file_by_file(tmp_path, marker_rule):
    touch(tmp_path / "desk" / "a.txt", STORY.replace("river.", "river [warning].", 1))
    touch(tmp_path / "desk" / "b.md", "# Floods\n\nThe river rose [error] fast.\n\nIt fell again.\n")
    touch(tmp_path / "desk" / "c.html", "<h1>Floods</h1><p>The river <i>rose</i> [suggestion] fast.</p>")
    touch(tmp_path / "desk" / "notes.pdf", "not copy")
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "desk"), "--format", "json"])
    files = {os.path.basename(f["path"]): [x["severity"] for x in f["findings"]]
             for f in json.loads(result.stdout)["files"]}
    assert files == {"a.txt": ["warning"], "b.md": ["error"], "c.html": ["suggestion"]}
    assert result.exit_code == 1


def test_progress_bar_only_on_a_terminal(monkeypatch):
    from coherence import pipeline

    monkeypatch.setattr("sys.stderr.isatty", lambda: False, raising=False)
    assert pipeline._progress(10, True) is None
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert pipeline._progress(10, False) is None  # --quiet
    assert pipeline._progress(1, True) is None  # one file: nothing to show
    bar = pipeline._progress(10, True)
    assert bar is not None and bar.total == 10
    bar.close()


def test_stdin_over_max_bytes_is_refused_not_truncated(stub_models):
    result = CliRunner().invoke(cli, ["check", "-", "--stdin-filename", "big.txt", "--max-bytes", "10"],
                                input=b"A sentence that is longer than ten bytes.")
    assert result.exit_code == 2
    assert "big.txt: 41 bytes is over the limit of 10 bytes for one article" in result.stderr
