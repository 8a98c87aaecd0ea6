"""The ``coherence`` command through click's CliRunner (stub models: fast, no torch) and as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from coherence.cli import cli

from .conftest import ROOT, SOCHI, MarkerRule  # noqa: F401 - marker_rule is a conftest fixture
from .test_rules import FLOOD, article

CLEAN = article("Riverton River Floods Homes", FLOOD)


def write(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def invoke(*args):
    return CliRunner().invoke(cli, ["check", *args])


def marked(severity: str | None) -> str:
    sentences = list(FLOOD)
    if severity:
        sentences[2] = sentences[2].replace("river.", f"river [{severity}].")
    return article(None, sentences)


# --- exit codes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("marker", "fail_on", "code"),
    [
        (None, "error", 0),
        ("error", "error", 1),
        ("warning", "error", 0),
        ("warning", "warning", 1),
        ("suggestion", "warning", 0),
        ("suggestion", "suggestion", 1),
        ("error", "never", 0),
    ],
)
def test_exit_code_follows_fail_on(tmp_path, marker_rule, marker, fail_on, code):
    path = write(tmp_path, "a.txt", marked(marker))
    result = invoke(path, "--fail-on", fail_on)
    assert result.exit_code == code, result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_default_fail_on_is_error(tmp_path, marker_rule):
    assert invoke(write(tmp_path, "w.txt", marked("warning"))).exit_code == 0
    assert invoke(write(tmp_path, "e.txt", marked("error"))).exit_code == 1


def test_clean_article_exits_0_with_the_real_rules(tmp_path, stub_models):
    result = invoke(write(tmp_path, "clean.txt", CLEAN))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("0 finding(s) in 1 file(s) checked")


def test_findings_exit_1_with_the_real_rules(tmp_path, stub_models):
    path = write(tmp_path, "bad.txt", article("Putin and Pompeo Discuss North Korea in Sochi", FLOOD))
    result = invoke(path)
    assert result.exit_code == 1
    assert f"{path}:1:1: error [headline]" in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"  \n\t\n  ", "file is empty"),
        (b"abc\x00\x01\x02def", "binary file"),
        ("Café in the city. It was busy.".encode("latin-1"), "not valid utf-8 at byte 3"),
    ],
    ids=["empty", "whitespace", "binary", "latin-1"],
)
def test_unreadable_files_exit_2_with_a_clear_message(tmp_path, stub_models, content, message):
    result = invoke(write(tmp_path, "bad.txt", content))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert stub_models.loaded == [], "no model is loaded when no file can be checked"


def test_missing_file_exits_2(tmp_path, stub_models):
    result = invoke(str(tmp_path / "nope.txt"))
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_directory_exits_2(tmp_path, stub_models):
    result = invoke(str(tmp_path))
    assert result.exit_code == 2
    assert "no .txt, .md, .html files in this directory" in result.stderr


def test_file_over_max_bytes_exits_2(tmp_path, stub_models):
    result = invoke(write(tmp_path, "big.txt", CLEAN), "--max-bytes", "100")
    assert result.exit_code == 2
    assert "over the limit of 100 bytes" in result.stderr


def test_missing_embedder_path_exits_2(tmp_path):
    # no stub: the real resolver must refuse the path before any model (or torch) is loaded
    result = invoke(write(tmp_path, "a.txt", CLEAN), "--embedder", str(tmp_path / "no-model"))
    assert result.exit_code == 2
    assert "embedder not found" in result.stderr
    assert "Traceback" not in result.output + result.stderr


@pytest.mark.parametrize(
    "args",
    [["check"], ["check", "--bogus", "x.txt"], ["check", "x.txt", "--fail-on", "sometimes"], ["frobnicate"],
     ["check", "x.txt", "--format", "xml"]],
    ids=["no-files", "unknown-option", "bad-fail-on", "unknown-command", "bad-format"],
)
def test_usage_errors_exit_2(args):
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "Usage:" in result.stderr


def test_one_bad_file_among_good_ones(tmp_path, stub_models):
    good = write(tmp_path, "good.txt", CLEAN)
    bad = write(tmp_path, "bad.txt", b"\x00\x00")
    also_good = write(tmp_path, "also.txt", article("Putin and Pompeo Discuss North Korea in Sochi", FLOOD))
    result = invoke(good, bad, also_good, "--format", "json")
    assert result.exit_code == 2, "a file that could not be checked makes the run exit 2, findings or not"
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["files"]] == [good, bad, also_good]
    good_r, bad_r, also_r = report["files"]
    assert good_r["error"] is None and len(good_r["sentences"]) == 6
    assert "binary" in bad_r["error"] and bad_r["sentences"] == [] and bad_r["findings"] == []
    assert also_r["error"] is None and [f["rule"] for f in also_r["findings"]] == ["headline"]


def test_text_report_with_a_bad_file(tmp_path, stub_models):
    bad = write(tmp_path, "bad.txt", b"")
    result = invoke(write(tmp_path, "good.txt", CLEAN), bad)
    assert result.exit_code == 2
    assert f"{bad}: error: file is empty" in result.stdout
    assert "0 finding(s) in 1 file(s) checked; 1 file(s) could not be checked" in result.stdout


def test_output_file_gets_the_report_and_the_exit_code_does_not_change(tmp_path, stub_models):
    path = write(tmp_path, "bad.txt", article("Putin and Pompeo Discuss North Korea in Sochi", FLOOD))
    to_stdout = invoke(path, "--format", "json")
    out = tmp_path / "report.json"
    to_file = invoke(path, "--format", "json", "--output", str(out))
    assert to_stdout.exit_code == to_file.exit_code == 1
    assert to_file.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(to_stdout.stdout)


def test_unwritable_output_exits_2(tmp_path, stub_models):
    result = invoke(write(tmp_path, "a.txt", CLEAN), "--output", str(tmp_path / "no-dir" / "r.json"))
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr


# --- the JSON report contract (docs/report-contract.md) ----------------------------------------------------


def test_json_report_matches_the_contract(tmp_path, stub_models):
    text = article("Putin and Pompeo Discuss North Korea in Sochi", FLOOD)
    path = write(tmp_path, "a.txt", text)
    result = invoke(path, "--format", "json")
    report = json.loads(result.stdout)
    assert report["schema_version"] == 1
    (file,) = report["files"]
    assert file["path"] == path and file["error"] is None
    assert 0.0 <= file["score"] <= 1.0
    assert [s["index"] for s in file["sentences"]] == list(range(len(file["sentences"])))
    for s in file["sentences"]:
        assert {"index", "start", "end", "line", "column", "scores"} <= set(s)
        assert s["line"] >= 1 and s["column"] >= 1
        assert set(s["scores"]) >= {"off_topic", "headline"}
        assert all(isinstance(v, float) and 0.0 <= v <= 1.0 for v in s["scores"].values())
        assert text[s["start"] : s["end"]].strip() == text[s["start"] : s["end"]] != ""
    assert file["findings"], "the unsupported headline is reported"
    for f in file["findings"]:
        assert {"rule", "severity", "sentence", "start", "end", "line", "column", "score", "message", "related"} <= set(f)
        assert f["rule"] in {"off-topic", "contradiction", "headline"}
        assert f["severity"] in {"suggestion", "warning", "error"}
        assert 0.0 <= f["score"] <= 1.0
        sentence = file["sentences"][f["sentence"]]
        assert (f["start"], f["end"], f["line"], f["column"]) == (
            sentence["start"], sentence["end"], sentence["line"], sentence["column"])
        for r in f["related"]:
            assert set(r) == {"sentence", "start", "end"}


def test_json_report_offsets_are_code_points_with_crlf_and_non_ascii(tmp_path, stub_models):
    text = article("Zürich Flood Hits Homes", ["Flood waters hit Zürich homes on Tuesday — the river rose.",
                                              "The Zürich river rose over its banks."] + FLOOD).replace("\n", "\r\n")
    path = tmp_path / "crlf.txt"
    path.write_bytes(text.encode("utf-8"))
    report = json.loads(invoke(str(path), "--format", "json").stdout)
    decoded = path.read_bytes().decode("utf-8")
    for s in report["files"][0]["sentences"]:
        piece = decoded[s["start"] : s["end"]]
        assert piece and "\r" not in piece and "\n" not in piece
        assert decoded[: s["start"]].count("\r\n") + 1 == s["line"]


def test_single_sentence_file_is_checked_with_a_note(tmp_path, stub_models):
    result = invoke(write(tmp_path, "one.txt", "The river flooded the town on Tuesday.\n"), "--format", "json")
    assert result.exit_code == 0
    (file,) = json.loads(result.stdout)["files"]
    assert len(file["sentences"]) == 1 and file["findings"] == []
    assert any("off-topic: not scored" in note for note in file["notes"])


# --- --help and --version stay light; the entry point never prints a traceback ------------------------------


def _python(code: str, *args: str, **kwargs):
    env = dict(os.environ, COHERENCE_DEBUG="")
    return subprocess.run([sys.executable, *args, "-c", code] if code else [sys.executable, *args],
                          capture_output=True, text=True, timeout=60, env=env, cwd=ROOT, **kwargs)


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["check", "--help"], ["eval", "--help"]])
def test_help_and_version_do_not_import_torch(argv):
    code = (
        "import sys\n"
        "from coherence.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "print('TORCH_LOADED' if 'torch' in sys.modules else 'NO_TORCH')\n"
    )
    done = _python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("NO_TORCH")
    if argv == ["--version"]:
        assert "coherence, version 0.1.0" in done.stdout


def test_version_and_help_through_cli_runner():
    assert CliRunner().invoke(cli, ["--version"]).exit_code == 0
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0 and "check" in result.output and "eval" in result.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["check", "{binary}"], 2, "binary file"),
        (["check", "{missing}"], 2, "no such file"),
        (["check", "{binary}", "--embedder", "{missing}"], 2, "embedder not found"),
        (["check"], 2, "Usage:"),
        (["--bogus"], 2, "No such option"),
    ],
)
def test_module_entry_point_exits_2_without_traceback(tmp_path, args, code, message):
    binary = tmp_path / "binary.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    argv = [a.format(binary=binary, missing=tmp_path / "missing") for a in args]
    done = _python("", "-m", "coherence", *argv)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_check_of_a_bad_file_does_not_import_torch(tmp_path):
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"\x00" * 64)
    code = (
        "import sys\n"
        "from coherence.cli import main\n"
        "try:\n"
        f"    main(['check', {str(binary)!r}])\n"
        "except SystemExit as exc:\n"
        "    print('EXIT', exc.code)\n"
        "print('TORCH_LOADED' if 'torch' in sys.modules else 'NO_TORCH')\n"
    )
    done = _python(code)
    assert "EXIT 2" in done.stdout and done.stdout.strip().endswith("NO_TORCH"), done.stdout + done.stderr


def test_sochi_fixture_is_the_shared_one():
    shared = ROOT.parent / "shared" / "fixtures" / "sochi-pompeo-putin.txt"
    if not shared.exists():
        pytest.skip(f"{shared} not present")
    assert SOCHI.read_bytes() == shared.read_bytes()
