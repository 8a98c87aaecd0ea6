"""``coherence batch``: records and outputs (no Ray), then a real local Ray with 2 CPUs and tiny models.

Ray starts once for the module (a few seconds); the actors load the tiny models once each. Off-topic
is off in these settings: with it on, every actor would load the shipped local-coherence model,
and these tests are about the plumbing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from coherence.batch.output import JsonlOutput, ParquetOutput
from coherence.batch.records import read_records
from coherence.cli import cli
from coherence.config import resolve
from coherence.errors import InputError

from .conftest import ROOT, build_tiny_export
from .test_rules import FLOOD, article

ray = pytest.importorskip("ray", reason="coherence batch needs the ray extra: pip install -e '.[test,ray]'")
pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

HEADLINES = ["Riverton River Floods Homes", "Putin and Pompeo Discuss North Korea in Sochi"]


def story(i: int) -> str:
    return article(HEADLINES[i % 2], FLOOD[: 3 + i % 4])


def write_archive(path: Path, count: int, bad: bool = False) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            handle.write(json.dumps({"id": f"story-{i}", "text": story(i), "path": f"desk/{i}.txt"}) + "\n")
        if bad:
            handle.write('{"id": "broken", "text": \n')
            handle.write(json.dumps({"id": "no-text"}) + "\n")
    return path


def rows_of(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# --- records and outputs (no Ray) ----------------------------------------------------------------------------


def test_records_from_files_jsonl_and_parquet(tmp_path):
    settings = resolve([], {}, isolated=True).settings
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "a.md").write_text("# Riverton River Floods Homes\n\n" + " ".join(FLOOD), encoding="utf-8")
    (tmp_path / "files" / "empty.txt").write_text("", encoding="utf-8")
    archive = write_archive(tmp_path / "in.jsonl", 2, bad=True)
    pq.write_table(pa.Table.from_pylist([{"id": 7, "text": story(0)}, {"id": 8, "text": "a\x00b"}]),
                   tmp_path / "in.parquet")
    records = list(read_records([str(tmp_path / "files"), str(archive), str(tmp_path / "in.parquet")], settings))
    by_id = {r["id"]: r for r in records}
    assert by_id["story-1"]["path"] == "desk/1.txt" and by_id["story-1"]["error"] is None
    assert by_id[str(tmp_path / "files" / "a.md")]["markup"] == "markdown"
    assert "file is empty" in by_id[str(tmp_path / "files" / "empty.txt")]["error"]
    assert "not valid JSON" in by_id[f"{archive}:3"]["error"]
    assert by_id["no-text"]["error"] == "no-text: 'text' is required"
    assert by_id["7"]["error"] is None and "binary" in by_id["8"]["error"]
    assert by_id["story-0"]["content_hash"] != by_id["story-1"]["content_hash"]
    pq.write_table(pa.Table.from_pylist([{"key": 1}]), tmp_path / "wrong.parquet")
    with pytest.raises(InputError, match="needs the columns 'id' and 'text'"):
        list(read_records([str(tmp_path / "wrong.parquet")], settings))


def test_jsonl_output_cuts_a_partial_last_line_and_parquet_output_resumes(tmp_path):
    row = {"id": "a", "path": "a", "content_hash": "h", "settings": "s", "report": {"schema_version": 1},
           "error": None}
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps(row) + "\n" + '{"id": "b", "pa', encoding="utf-8")
    assert JsonlOutput(str(out)).done() == {("a", "h", "s")}
    assert out.read_text(encoding="utf-8") == json.dumps(row) + "\n"
    parquet = ParquetOutput(str(tmp_path / "out.parquet"))
    parquet.write([row, {**row, "id": "b", "report": None, "error": "b: text is empty"}])
    parquet.close()
    assert ParquetOutput(str(tmp_path / "out.parquet")).done() == {("a", "h", "s"), ("b", "h", "s")}
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert json.loads(table[0]["report"]) == {"schema_version": 1} and table[1]["error"] == "b: text is empty"


# --- on a real local Ray -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_batch")
    build_tiny_export(folder / "embedder", {0: "a", 1: "b"}, "embedder")
    build_tiny_export(folder / "nli", {0: "contradiction", 1: "entailment", 2: "neutral"}, "nli")
    (folder / "coherence.toml").write_text("[rules.off-topic]\nenabled = false\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def local_ray():
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="WARNING")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def tiny_flags(tiny) -> list[str]:
    return ["--embedder", str(tiny / "embedder"), "--nli-model", str(tiny / "nli"), "--config",
            str(tiny / "coherence.toml")]


def tiny_settings(tiny):
    settings = resolve([], {"embedder": str(tiny / "embedder"), "nli-model": str(tiny / "nli")},
                       config_file=str(tiny / "coherence.toml")).settings
    return replace(settings, threads=1)


@pytest.mark.ray
def test_batch_gives_the_reports_of_check_and_keeps_bad_records(tmp_path, tiny, local_ray):
    from coherence.batch.runner import run_batch

    folder = tmp_path / "desk"
    folder.mkdir()
    for i in range(4):
        (folder / f"{i}.txt").write_text(story(i), encoding="utf-8")
    archive = write_archive(tmp_path / "archive.jsonl", 3, bad=True)
    out = tmp_path / "out.jsonl"
    errors = run_batch([str(folder), str(archive)], str(out), tiny_settings(tiny), actors=2, batch_size=2)
    rows = {row["id"]: row for row in rows_of(out)}
    assert errors == 2 and len(rows) == 9
    assert rows["no-text"]["report"] is None and rows["no-text"]["error"] == "no-text: 'text' is required"
    assert "not valid JSON" in rows[f"{archive}:4"]["error"]
    checked = CliRunner().invoke(cli, ["check", str(folder), "--format", "jsonl", "--no-cache", *tiny_flags(tiny)])
    expected = [json.loads(line) for line in checked.stdout.splitlines()]
    assert [rows[doc["files"][0]["path"]]["report"] for doc in expected] == expected
    # a second run finds everything done and writes nothing
    assert run_batch([str(folder), str(archive)], str(out), tiny_settings(tiny), actors=2) == 0
    assert len(rows_of(out)) == 9


def actor_pids() -> list[int]:
    """The actor processes (a process an actor forks inherits its title: left out)."""
    parents = {}
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"CheckActor" in (proc / "cmdline").read_bytes():
                parents[int(proc.name)] = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return sorted(pid for pid, parent in parents.items() if parent not in parents)


@pytest.mark.ray
def test_a_killed_worker_process_does_not_lose_articles(tmp_path, tiny, local_ray):
    from coherence.batch.runner import run_batch

    archive = write_archive(tmp_path / "archive.jsonl", 60)
    out = tmp_path / "out.jsonl"
    killed = []

    def kill_one_actor_mid_run():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            pids = actor_pids()
            if pids and out.exists() and out.stat().st_size > 0:
                os.kill(pids[0], signal.SIGKILL)
                killed.append((pids[0], len(rows_of(out))))
            time.sleep(0.02)

    killer = threading.Thread(target=kill_one_actor_mid_run, daemon=True)
    killer.start()
    assert run_batch([str(archive)], str(out), tiny_settings(tiny), actors=2, batch_size=2) == 0
    killer.join(5)
    assert killed and killed[0][1] < 60, "the actor was not killed mid-run"
    ids = [row["id"] for row in rows_of(out)]
    assert sorted(ids) == sorted(f"story-{i}" for i in range(60))  # every article exactly once


@pytest.mark.ray
def test_a_killed_driver_resumes_with_every_article_exactly_once(tmp_path, tiny, local_ray):
    archive = write_archive(tmp_path / "archive.jsonl", 120)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "coherence", "batch", str(archive), "-o", str(out), "--actors", "2",
               "--batch-size", "2", *tiny_flags(tiny)]
    driver = subprocess.Popen([*command, "--address", local_ray], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while not (out.exists() and out.stat().st_size > 0):
            assert driver.poll() is None and time.monotonic() < deadline, "the driver wrote no row"
            time.sleep(0.02)
        os.killpg(driver.pid, signal.SIGKILL)
        driver.wait(30)
    finally:
        if driver.poll() is None:
            os.killpg(driver.pid, signal.SIGKILL)
    partial = out.read_text(encoding="utf-8").count("\n")
    assert 0 < partial < 120, "the driver was not killed mid-run"
    resumed = subprocess.run([*command, "--address", local_ray], cwd=ROOT, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"already in {out}" in resumed.stderr
    ids = [row["id"] for row in rows_of(out)]
    assert sorted(ids) == sorted(f"story-{i}" for i in range(120))  # every article exactly once
