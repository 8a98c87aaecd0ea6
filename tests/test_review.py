"""The review loop: the SQLite store, the JSON API of a real server, ``apply_review``, the exports, the command."""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from coherence.baseline import Baseline, BaselineEntry
from coherence.cli import cli
from coherence.document import build_document
from coherence.errors import ConfigError
from coherence.findings import FileReport, Severity
from coherence.fingerprints import finding_fingerprint
from coherence.review import DEFAULT_STORE_NAME, ReviewStore, apply_review
from coherence.review.server import MAX_BODY, ReviewApp, make_server
from coherence.rules.base import make_finding

from .conftest import ROOT
from .test_html_report import sample_report


def write_article(folder: Path, name: str) -> FileReport:
    """The sample report, for an article file that exists at ``folder/name``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    report = sample_report(str(path))
    path.write_text(report.text, encoding="utf-8")
    return report


def many_findings_report(path: str, count: int) -> FileReport:
    """``count`` distinct sentences, each with a finding: enough to decide concurrently without overlap."""
    text = "\n\n".join(f"Paragraph number {n} tells of event {n * 7} in town {n}." for n in range(count)) + "\n"
    sentences = build_document(path, text).sentences
    assert len(sentences) == count
    return FileReport(path=path, text=text, sentences=sentences, scores={"off_topic": [0.5] * count},
                      findings=[make_finding("off-topic", Severity.suggestion, s, 0.5, "test") for s in sentences])


def fp(report: FileReport, rule: str) -> str:
    return next(finding_fingerprint(report, f) for f in report.findings if f.rule == rule)


# -- the store ------------------------------------------------------------------------------------------


def test_decide_replace_and_undo_stack(tmp_path):
    store = ReviewStore(tmp_path / "s.sqlite")
    store.decide("a.txt", "f1", "off-topic", "accept", reviewer="ann")
    store.decide("a.txt", "f1", "off-topic", "dismiss", "wire copy, fine", reviewer="bob")
    [d] = store.decisions()
    assert (d.decision, d.comment, d.reviewer) == ("dismiss", "wire copy, fine", "bob")
    assert d.time.endswith("+00:00")  # UTC
    assert store.dismissed_keys() == {("a.txt", "f1")}
    assert store.undo("a.txt", "f1", "bob") == (True, store.decisions()[0])
    assert store.decisions()[0].decision == "accept"
    undone, now = store.undo("a.txt", "f1")
    assert undone and now is None and store.decisions() == []
    assert store.undo("a.txt", "f1") == (False, None)  # nothing left to undo
    actions = [(h["action"], h["undone"]) for h in store.history()]
    assert actions == [("decide", 1), ("decide", 1), ("undo", 0), ("undo", 0)]
    with pytest.raises(ValueError):
        store.decide("a.txt", "f1", "off-topic", "maybe")


def test_store_survives_reopening_and_uses_wal(tmp_path):
    path = tmp_path / "s.sqlite"
    ReviewStore(path).decide("a.txt", "f1", "headline", "dismiss", "ok", "ann")
    reopened = ReviewStore(path)
    assert [(d.article, d.fingerprint, d.decision) for d in reopened.decisions()] == [("a.txt", "f1", "dismiss")]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def test_store_errors_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        ReviewStore(tmp_path / "missing.sqlite", create=False)
    junk = tmp_path / "junk.sqlite"
    junk.write_text("this is not a database, " * 100)
    with pytest.raises(ConfigError, match="cannot be opened"):
        ReviewStore(junk)
    with pytest.raises(ConfigError, match="directory"):
        ReviewStore(tmp_path)


_WRITER = """
import sys
from coherence.review.store import ReviewStore
store = ReviewStore(sys.argv[1])
n = 0
while True:
    store.decide("a.txt", f"fp{n}", "off-topic", "dismiss", "x" * 2000, "writer")
    n += 1
"""


def test_a_process_killed_mid_write_leaves_a_readable_store(tmp_path):
    path = tmp_path / "s.sqlite"
    ReviewStore(path)
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while len(ReviewStore(path).decisions()) < 30:
            assert writer.poll() is None, "the writer died on its own"
            assert time.monotonic() < deadline, "the writer wrote too little"
            time.sleep(0.05)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    store = ReviewStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    decisions = store.decisions()
    history = store.history()
    assert len(decisions) >= 30
    # Every committed decision has its history row and no more: each write was all or nothing.
    assert len(history) == len(decisions)
    assert {d.fingerprint for d in decisions} == {f"fp{n}" for n in range(len(decisions))}
    store.decide("a.txt", "after", "off-topic", "accept")  # and it still takes writes


# -- apply_review and the exports -------------------------------------------------------------------


def test_apply_review_suppresses_dismissed_findings_only(tmp_path):
    report, other = write_article(tmp_path / "news", "a.txt"), write_article(tmp_path / "news", "b.txt")
    store = ReviewStore(tmp_path / DEFAULT_STORE_NAME)
    store.decide("news/a.txt", fp(report, "off-topic"), "off-topic", "dismiss", "quotes a witness", "ann")
    store.decide("news/a.txt", fp(report, "headline"), "headline", "accept", "", "ann")
    store.decide("news/a.txt", fp(report, "contradiction"), "contradiction", "dismiss", "", "bob")
    assert apply_review([report, other], tmp_path / DEFAULT_STORE_NAME) == 2
    assert [f.rule for f in report.findings] == ["headline"]
    reasons = {f.rule: s for f, s in report.suppressed if s.kind == "review"}
    assert reasons["off-topic"].justification == "quotes a witness"
    assert reasons["contradiction"].justification == "dismissed by bob"
    assert len(other.findings) == 3  # same sentences, another article: untouched
    with pytest.raises(ConfigError):
        apply_review([report], tmp_path / "no-store.sqlite")


def test_apply_review_on_a_real_run(tmp_path, stub_models):
    from coherence.checker import ArticleInput, Checker
    from coherence.settings import Settings

    from .test_rules import FLOOD, VOLCANO, article, spliced

    path = tmp_path / "flood.txt"
    path.write_text(article("Riverton River Floods Homes", spliced(FLOOD, 2, VOLCANO)), encoding="utf-8")
    def check():
        return Checker(Settings()).check([ArticleInput(str(path), path.read_text(encoding="utf-8"))])[0]

    report = check()
    intruder = next(f for f in report.findings if "Katla" in report.text[f.start:f.end])
    store = ReviewStore(tmp_path / DEFAULT_STORE_NAME)
    store.decide("flood.txt", finding_fingerprint(report, intruder), intruder.rule, "dismiss", "checked", "ann")
    again = check()
    apply_review([again], store.path)
    assert intruder not in again.findings
    assert [(f, s.kind) for f, s in again.suppressed] == [(intruder, "review")]


def test_export_jsonl(tmp_path):
    store = ReviewStore(tmp_path / "s.sqlite")
    store.decide("a.txt", "f1", "off-topic", "dismiss", "fine", "ann", "A sentence.", "warning", 0.71)
    store.decide("a.txt", "f2", "headline", "accept", "", "bob")
    assert store.export_jsonl(tmp_path / "out.jsonl") == 2
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["fingerprint"]: (r["decision"], r["reviewer"], r["score"]) for r in rows} == {
        "f1": ("dismiss", "ann", 0.71), "f2": ("accept", "bob", None)}
    assert set(rows[0]) >= {"article", "fingerprint", "rule", "decision", "comment", "reviewer", "time", "sentence"}


def test_export_baseline_round_trip(tmp_path):
    report = write_article(tmp_path / "news", "a.txt")
    store = ReviewStore(tmp_path / "news" / DEFAULT_STORE_NAME)
    store.decide("a.txt", fp(report, "off-topic"), "off-topic", "dismiss", "fine", "ann", "Crews said ...")
    store.decide("a.txt", fp(report, "headline"), "headline", "accept", "", "ann")
    target = tmp_path / "baseline.json"  # in another folder than the store: keys are re-anchored
    Baseline(target, [BaselineEntry("old.txt", "headline", "f" * 20)]).write()
    assert store.export_baseline(target) == 1
    assert store.export_baseline(target) == 0  # idempotent
    baseline = Baseline.load(target)
    old, entry = sorted(baseline.entries, key=lambda e: e.path != "old.txt")
    assert old.path == "old.txt"  # merging keeps what the baseline had
    assert (entry.path, entry.rule, entry.comment, entry.sentence) == ("news/a.txt", "off-topic", "fine", "Crews said ...")
    already = len(report.suppressed)
    assert baseline.apply([report]) == []
    assert [(f.rule, s.kind) for f, s in report.suppressed[already:]] == [("off-topic", "baseline")]
    assert "off-topic" not in [f.rule for f in report.findings]


# -- the server ---------------------------------------------------------------------------------------


class Client:
    def __init__(self, port: int):
        self.port = port

    def request(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}"}
        if body is not None:
            raw = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in sent.items():
            conn.putheader(k, v)
        if raw is not None:
            conn.putheader("Content-Length", str(len(raw)))
        conn.endheaders(raw)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        is_json = response.getheader("Content-Type", "").startswith("application/json")
        return response.status, (json.loads(data) if is_json else data.decode()), response

    def post(self, path, body, **kw):
        status, payload, _ = self.request("POST", path, body, **kw)
        return status, payload


@pytest.fixture
def served(tmp_path):
    """A review server on a free port over two articles, in a thread; stopped after the test."""
    reports = [write_article(tmp_path, "a.txt"), write_article(tmp_path, "b.txt")]
    store = ReviewStore(tmp_path / DEFAULT_STORE_NAME)
    servers = []

    def start(reports=reports, store=store):
        server = make_server(ReviewApp(reports, store, "default-editor"), 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return Client(server.server_address[1])

    yield start, reports, store
    for server in servers:
        server.shutdown()
        server.server_close()


def test_page_and_security_headers(served):
    start, reports, _ = served
    client = start()
    status, page, response = client.request("GET", "/")
    assert status == 200 and response.getheader("Content-Type").startswith("text/html")
    assert fp(reports[0], "off-topic") in page and 'data-review="1"' in page
    assert "script-src 'sha256-" in response.getheader("Content-Security-Policy")
    assert response.getheader("X-Frame-Options") == "DENY"
    assert client.request("GET", "/etc/passwd")[0] == 404
    assert client.request("GET", "/../a.txt")[0] == 404


def test_dismiss_with_comment_accept_and_undo_through_the_api(served):
    start, reports, store = served
    client = start()
    path, off_topic = reports[0].path, fp(reports[0], "off-topic")
    status, reply = client.post("/api/decision", {"path": path, "fingerprint": off_topic, "rule": "off-topic",
                                                  "decision": "dismiss", "comment": "  quotes a witness "})
    assert status == 200
    assert reply["decision"] | {"time": None} == {"path": path, "fingerprint": off_topic, "rule": "off-topic",
                                                   "decision": "dismiss", "comment": "quotes a witness",
                                                   "reviewer": "default-editor", "time": None}
    [saved] = store.decisions()
    assert (saved.article, saved.severity, saved.score) == ("a.txt", "warning", 0.7)
    assert saved.sentence.startswith("Crews said <script>")
    status, listed, _ = client.request("GET", "/api/decisions")
    assert status == 200 and [d["fingerprint"] for d in listed["decisions"]] == [off_topic]

    status, reply = client.post("/api/decision", {"path": path, "fingerprint": off_topic, "decision": "accept",
                                                  "reviewer": "Bob"})
    assert status == 200 and reply["decision"]["reviewer"] == "Bob" and reply["decision"]["decision"] == "accept"
    status, reply = client.post("/api/undo", {"path": path, "fingerprint": off_topic})
    assert status == 200 and reply["undone"] and reply["decision"]["decision"] == "dismiss"
    status, reply = client.post("/api/undo", {"path": path, "fingerprint": off_topic})
    assert status == 200 and reply["decision"] is None
    status, reply = client.post("/api/undo", {"path": path, "fingerprint": off_topic})
    assert status == 409 and reply["undone"] is False
    assert store.decisions() == []


def test_the_api_refuses_what_is_not_a_reviewed_finding(served, tmp_path):
    start, reports, store = served
    client = start()
    path, headline = reports[0].path, fp(reports[0], "headline")
    suppressed = finding_fingerprint(reports[0], reports[0].suppressed[0][0])
    ok = {"path": path, "fingerprint": headline, "decision": "dismiss"}
    cases = [
        ({**ok, "path": str(tmp_path / "other.txt")}, 404),
        ({**ok, "path": "/etc/passwd"}, 404),
        ({**ok, "fingerprint": "0" * 20}, 404),
        ({**ok, "fingerprint": suppressed}, 404),  # already suppressed (baseline): not for review
        ({**ok, "decision": "maybe"}, 400),
        ({**ok, "rule": "off-topic"}, 400),
        ({**ok, "comment": "x" * 2001}, 400),
        ({**ok, "comment": 3}, 400),
        ({"path": path}, 400),
    ]
    for body, expected in cases:
        assert client.post("/api/decision", body)[0] == expected, body
    assert client.post("/api/decision", None, raw=b"{not json", headers={"Content-Type": "application/json"})[0] == 400
    assert client.post("/api/decision", None, raw=b"[1]", headers={"Content-Type": "application/json"})[0] == 400
    assert client.post("/api/nowhere", ok)[0] == 404
    assert store.decisions() == []


def test_csrf_host_and_size_checks(served):
    start, reports, store = served
    client = start()
    body = {"path": reports[0].path, "fingerprint": fp(reports[0], "headline"), "decision": "dismiss"}
    form = b"path=a&fingerprint=b&decision=dismiss"
    assert client.post("/api/decision", None, raw=form,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 415
    assert client.post("/api/decision", None, raw=json.dumps(body).encode(),
                       headers={"Content-Type": "text/plain"})[0] == 415
    assert client.post("/api/decision", body, headers={"Origin": "http://evil.example"})[0] == 403
    assert client.post("/api/decision", body, headers={"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert client.post("/api/decision", body, headers={"Host": "evil.example"})[0] == 403
    assert client.request("GET", "/api/decisions", headers={"Host": "rebind.example:80"})[0] == 403
    assert client.request("GET", "/", headers={"Host": "rebind.example"})[0] == 403
    huge = {**body, "comment": "x" * MAX_BODY}
    assert client.post("/api/decision", huge)[0] == 413
    assert store.decisions() == []
    # What a same-origin page sends is accepted, on 127.0.0.1 and on localhost.
    origin = f"http://127.0.0.1:{client.port}"
    assert client.post("/api/decision", body, headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"})[0] == 200
    assert client.post("/api/decision", body, headers={"Host": f"localhost:{client.port}"})[0] == 200


def test_concurrent_reviewers_lose_no_decision(served, tmp_path):
    start, _, store = served
    report = many_findings_report(str(tmp_path / "long.txt"), 200)
    client = start([report], store)
    fingerprints = [finding_fingerprint(report, f) for f in report.findings]
    assert len(set(fingerprints)) == 200
    failures = []

    def reviewer(worker: int):
        for n in range(25):
            mine = fingerprints[worker * 25 + n]
            status, _ = client.post("/api/decision", {"path": report.path, "fingerprint": mine,
                                                      "decision": "dismiss" if n % 2 else "accept",
                                                      "comment": f"w{worker} n{n}", "reviewer": f"r{worker}"})
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=reviewer, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    decisions = {d.fingerprint: d for d in store.decisions()}
    assert set(decisions) == set(fingerprints)
    assert all(d.comment == f"w{d.reviewer[1:]} n{fingerprints.index(d.fingerprint) % 25}" for d in decisions.values())
    assert len(store.history()) == 200


def test_decisions_are_kept_across_a_restart(served):
    start, reports, store = served
    first = start()
    body = {"path": reports[1].path, "fingerprint": fp(reports[1], "contradiction"), "decision": "dismiss",
            "comment": "two sources"}
    assert first.post("/api/decision", body)[0] == 200
    second = start(reports, ReviewStore(store.path))  # a new server and a new store object on the same file
    status, listed, _ = second.request("GET", "/api/decisions")
    assert status == 200
    assert [(d["path"], d["comment"]) for d in listed["decisions"]] == [(reports[1].path, "two sources")]


# -- the command ----------------------------------------------------------------------------------------


def test_review_export_commands(tmp_path):
    report = write_article(tmp_path, "a.txt")
    store = ReviewStore(tmp_path / DEFAULT_STORE_NAME)
    store.decide("a.txt", fp(report, "off-topic"), "off-topic", "dismiss", "fine", "ann")
    runner = CliRunner()
    out = tmp_path / "decisions.jsonl"
    # The default store is the one next to the first article.
    result = runner.invoke(cli, ["review", str(tmp_path / "a.txt"), "--export", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["comment"] == "fine"
    baseline = tmp_path / "base.json"
    result = runner.invoke(cli, ["review", "--store", str(store.path), "--export-baseline", str(baseline)])
    assert result.exit_code == 0, result.output
    assert [e.path for e in Baseline.load(baseline).entries] == ["a.txt"]


def test_review_command_errors_exit_2_in_one_line(tmp_path):
    runner = CliRunner()
    for args in (["review"],
                 ["review", "--store", str(tmp_path / "none.sqlite"), "--export", str(tmp_path / "x.jsonl")],
                 ["review", str(tmp_path / "missing.txt"), "--no-open", "--port", "0"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
        assert result.output.strip().splitlines()[-1].startswith("error:"), result.output


def test_review_checks_the_files_then_serves_them(tmp_path, stub_models, monkeypatch):
    """The command's wiring up to the server: FILES checked (a folder too), default store, reviewer from the env."""
    from coherence.review import command

    write_article(tmp_path / "desk", "a.txt")
    write_article(tmp_path / "desk", "b.md")
    served = {}
    monkeypatch.setattr(command, "_serve", lambda reports, store, reviewer, port, open_browser: served.update(
        paths=sorted(r.path for r in reports), store=store.path, reviewer=reviewer, port=port, open=open_browser))
    monkeypatch.setenv("COHERENCE_REVIEWER", "Night Desk")  # after conftest cleared COHERENCE_*
    result = CliRunner().invoke(cli, ["review", str(tmp_path / "desk"), "--port", "0", "--no-open"])
    assert result.exit_code == 0, result.output
    assert served == {"paths": [str(tmp_path / "desk" / "a.txt"), str(tmp_path / "desk" / "b.md")],
                      "store": tmp_path / "desk" / DEFAULT_STORE_NAME, "reviewer": "Night Desk", "port": 0,
                      "open": False}
    assert (tmp_path / "desk" / DEFAULT_STORE_NAME).is_file()
    result = CliRunner().invoke(cli, ["review", str(tmp_path / "desk" / "a.txt"), "--reviewer", "Ann",
                                      "--store", str(tmp_path / "s.sqlite")])
    assert result.exit_code == 0, result.output
    assert (served["store"], served["reviewer"], served["port"], served["open"]) == (
        tmp_path / "s.sqlite", "Ann", 8765, True)


def test_a_port_in_use_is_a_one_line_error(tmp_path):
    import socket

    from coherence.errors import CoherenceError
    from coherence.review.command import _serve

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CoherenceError, match=f"cannot listen on 127.0.0.1:{port}.*--port 0"):
            _serve([sample_report()], ReviewStore(tmp_path / "s.sqlite"), "ann", port, open_browser=False)


def test_check_with_review_store_does_not_count_dismissed_findings(tmp_path, stub_models):
    from .test_rules import FLOOD, VOLCANO, article, spliced

    path = tmp_path / "flood.txt"
    path.write_text(article("Riverton River Floods Homes", spliced(FLOOD, 2, VOLCANO)), encoding="utf-8")
    runner = CliRunner()
    before = json.loads(runner.invoke(cli, ["check", str(path), "--format", "json", "--fail-on", "never"]).output)
    [intruder] = [f for f in before["files"][0]["findings"] if f["rule"] == "off-topic"]
    report = FileReport(path=str(path), text=path.read_text(encoding="utf-8"),
                        sentences=build_document(str(path), path.read_text(encoding="utf-8")).sentences)
    sentence = next(s for s in report.sentences if s.index == intruder["sentence"])
    store = ReviewStore(tmp_path / DEFAULT_STORE_NAME)
    store.decide("flood.txt", finding_fingerprint(report, make_finding("off-topic", Severity.warning, sentence, 1, "")),
                 "off-topic", "dismiss", "a wire insert, on purpose", "ann")
    result = runner.invoke(cli, ["check", str(path), "--format", "json", "--fail-on", "suggestion",
                                 "--review-store", str(store.path)])
    after = json.loads(result.output)["files"][0]
    assert [f["sentence"] for f in after["suppressed"]] == [intruder["sentence"]]
    assert after["suppressed"][0]["suppression"] == {"kind": "review", "justification": "a wire insert, on purpose"}
    assert intruder["sentence"] not in [f["sentence"] for f in after["findings"]]
