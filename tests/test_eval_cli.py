"""`coherence eval` on the Sochi gold and a small fixed sample of the real dev data, real models.

Asserts that the whole path (read eval JSONL, check with the `check` code path, score, write
figures and per-doc rows) runs on real articles and gives figures of the right shape and range,
and that what the Sochi gold says about the headline holds. The full dev eval is a documented
command (README), not a test.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from coherence.cli import cli

from .conftest import ROOT

DEV = ROOT.parent / "shared" / "eval" / "dev"
SAMPLE = 12  # per file: a few dozen real articles in all

pytestmark = pytest.mark.real_models


@pytest.fixture(scope="module")
def dev_eval(tmp_path_factory):
    files = [DEV / "news_intruders.jsonl", DEV / "contradoc.jsonl", DEV / "seed.jsonl"]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        pytest.skip(f"shared eval data not found ({', '.join(missing)}); it sits beside the repository")
    out = tmp_path_factory.mktemp("eval")
    args = ["eval", *map(str, files), "--sample", str(SAMPLE), "--seed", "7", "--quiet",
            "--json", str(out / "figures.json"), "--per-doc", str(out / "per-doc.jsonl")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    figures = json.loads((out / "figures.json").read_text())
    per_doc = [json.loads(line) for line in (out / "per-doc.jsonl").read_text().splitlines()]
    return result, figures, per_doc


def test_every_sampled_document_is_checked(dev_eval):
    _, figures, per_doc = dev_eval
    assert figures["checked"] == figures["total"] == 2 * SAMPLE + 1
    assert len(per_doc) == figures["checked"]
    assert all(row["sentences"] for row in per_doc)


def test_figures_have_the_contract_shape_and_range(dev_eval):
    result, figures, _ = dev_eval
    intruders = figures["files"]["news_intruders.jsonl"]["all"]
    for key in ("precision", "recall", "f1", "top1", "auroc", "false_alarm_rate"):
        value = intruders["off_topic"][key]
        assert value is None or 0.0 <= value <= 1.0, (key, value)
    assert intruders["counts"]["n_docs"] == SAMPLE
    contradoc = figures["files"]["contradoc.jsonl"]["all"]
    assert contradoc["counts"]["n_docs"] == SAMPLE
    assert "news_intruders.jsonl" in result.output and "F1" in result.output


def test_sochi_gold_headline_is_flagged(dev_eval):
    _, figures, per_doc = dev_eval
    seed = figures["files"]["seed.jsonl"]["all"]
    assert seed["headline"]["n"] == 1
    assert seed["headline"]["accuracy"] == 1.0
    sochi = next(row for row in per_doc if row["file"] == "seed.jsonl")
    assert any(f["rule"] == "headline" for f in sochi["findings"])
