"""The local review server: the HTML report with accept / dismiss / undo, and a small JSON API.

Stdlib only (``http.server``). It listens on 127.0.0.1 and is meant for the people at that machine,
so what it guards against is other web pages in their browser and stray requests, not logins:

- ``Host`` must be ``127.0.0.1:PORT`` or ``localhost:PORT`` (a DNS-rebinding page has another name);
- a POST must be ``Content-Type: application/json`` (a cross-site form cannot send that without a CORS
  preflight, which this server never grants), and its ``Origin`` / ``Sec-Fetch-Site``, when the
  browser sends them, must be this server;
- bodies are capped at ``MAX_BODY`` bytes; only the findings of the reviewed files can be decided.

The page is rendered once at start; decisions live in the ``ReviewStore``, one connection per request.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..findings import FileReport
from ..fingerprints import finding_fingerprint, sentence_text
from ..formats.html import SCRIPT_CSP_SOURCE, format_html
from .store import DECISIONS, Decision, ReviewStore

MAX_BODY = 16 * 1024
MAX_COMMENT = 2000
MAX_REVIEWER = 100

_CSP = (f"default-src 'none'; style-src 'unsafe-inline'; script-src {SCRIPT_CSP_SOURCE}; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@dataclass(frozen=True)
class _Reviewable:
    path: str
    article: str  # the store's key of the article
    rule: str
    sentence: str
    severity: str
    score: float


class ReviewApp:
    """What the handler needs: the rendered page, the findings that may be decided, the store."""

    def __init__(self, reports: list[FileReport], store: ReviewStore, reviewer: str):
        self.store = store
        self.reviewer = reviewer
        self.findings: dict[tuple[str, str], _Reviewable] = {}
        for report in reports:
            if report.error is not None:
                continue
            article = store.key(report.path)
            for f in report.findings:
                fp = finding_fingerprint(report, f)
                self.findings[(report.path, fp)] = _Reviewable(
                    report.path, article, f.rule, " ".join(sentence_text(report, f).split()), f.severity.name, f.score)
        self.by_key = {(r.article, fp): r for (_, fp), r in self.findings.items()}
        self.page = format_html(reports, review={"reviewer": reviewer}).encode("utf-8")

    def decision_json(self, d: Decision | None) -> dict | None:
        if d is None:
            return None
        item = self.by_key.get((d.article, d.fingerprint))
        return {"path": item.path if item else d.article, "fingerprint": d.fingerprint, "rule": d.rule,
                "decision": d.decision, "comment": d.comment, "reviewer": d.reviewer, "time": d.time}

    def decisions(self) -> list[dict]:
        return [self.decision_json(d) for d in self.store.decisions() if (d.article, d.fingerprint) in self.by_key]


class _BadRequest(Exception):
    def __init__(self, status: HTTPStatus, message: str):
        super().__init__(message)
        self.status = status


def _text_field(body: dict, name: str, limit: int, required: bool = False) -> str:
    value = body.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _BadRequest(HTTPStatus.BAD_REQUEST, f"'{name}' must be a string")
    if required and not value:
        raise _BadRequest(HTTPStatus.BAD_REQUEST, f"'{name}' is required")
    if len(value) > limit:
        raise _BadRequest(HTTPStatus.BAD_REQUEST, f"'{name}' is longer than {limit} characters")
    return value


class _Handler(BaseHTTPRequestHandler):
    server_version = "coherence-review"
    protocol_version = "HTTP/1.1"

    @property
    def app(self) -> ReviewApp:
        return self.server.app  # type: ignore[attr-defined]

    def log_message(self, format, *args):
        pass  # an editor's terminal is not an access log

    # -- responses --------------------------------------------------------------------------------
    def _send(self, status: HTTPStatus, body: bytes, content_type: str, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        if content_type.startswith("text/html"):
            self.send_header("Content-Security-Policy", _CSP)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: HTTPStatus, payload: dict, close: bool = False) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8",
                   close)

    def _error(self, status: HTTPStatus, message: str, close: bool = False) -> None:
        self._json(status, {"error": message}, close)

    # -- checks -----------------------------------------------------------------------------------
    def _host_ok(self) -> bool:
        port = self.server.server_address[1]
        return self.headers.get("Host", "") in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def _post_body(self) -> dict:
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise _BadRequest(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json")
        origin = self.headers.get("Origin")
        if origin is not None and origin != f"http://{self.headers.get('Host')}":
            raise _BadRequest(HTTPStatus.FORBIDDEN, "cross-origin request refused")
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise _BadRequest(HTTPStatus.FORBIDDEN, "cross-site request refused")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise _BadRequest(HTTPStatus.LENGTH_REQUIRED, "Content-Length required")
        if int(length) > MAX_BODY:
            raise _BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
        try:
            body = json.loads(self.rfile.read(int(length)).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "body is not JSON") from None
        if not isinstance(body, dict):
            raise _BadRequest(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
        return body

    def _finding(self, body: dict) -> _Reviewable:
        path = _text_field(body, "path", 4096, required=True)
        fingerprint = _text_field(body, "fingerprint", 200, required=True)
        item = self.app.findings.get((path, fingerprint))
        if item is None:
            raise _BadRequest(HTTPStatus.NOT_FOUND, "not a finding of the reviewed files")
        return item

    def _reviewer(self, body: dict) -> str:
        return _text_field(body, "reviewer", MAX_REVIEWER).strip() or self.app.reviewer

    # -- routes -----------------------------------------------------------------------------------
    def do_GET(self) -> None:
        if not self._host_ok():
            return self._error(HTTPStatus.FORBIDDEN, "unexpected Host header")
        route = self.path.split("?", 1)[0]
        if route in ("/", "/index.html"):
            return self._send(HTTPStatus.OK, self.app.page, "text/html; charset=utf-8")
        if route == "/api/decisions":
            return self._guarded(lambda: self._json(HTTPStatus.OK, {"reviewer": self.app.reviewer,
                                                                    "decisions": self.app.decisions()}))
        return self._error(HTTPStatus.NOT_FOUND, "not found")

    def do_POST(self) -> None:
        if not self._host_ok():
            return self._error(HTTPStatus.FORBIDDEN, "unexpected Host header", close=True)
        route = self.path.split("?", 1)[0]
        handlers = {"/api/decision": self._decide, "/api/undo": self._undo}
        if route not in handlers:
            return self._error(HTTPStatus.NOT_FOUND, "not found", close=True)
        self._guarded(lambda: handlers[route](self._post_body()))

    def _guarded(self, action) -> None:
        try:
            action()
        except _BadRequest as exc:
            # The body may be unread (too large, wrong type): close rather than parse what follows it.
            self._error(exc.status, str(exc), close=True)
        except sqlite3.Error as exc:
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, f"review store busy or unavailable: {exc}")

    def _decide(self, body: dict) -> None:
        item = self._finding(body)
        decision = _text_field(body, "decision", 20, required=True)
        if decision not in DECISIONS:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"'decision' must be one of {', '.join(DECISIONS)}")
        rule = _text_field(body, "rule", 100)
        if rule and rule != item.rule:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"finding is of rule {item.rule}, not {rule}")
        comment = _text_field(body, "comment", MAX_COMMENT).strip()
        saved = self.app.store.decide(item.article, body["fingerprint"], item.rule, decision, comment,
                                      self._reviewer(body), item.sentence, item.severity, item.score)
        self._json(HTTPStatus.OK, {"decision": self.app.decision_json(saved)})

    def _undo(self, body: dict) -> None:
        item = self._finding(body)
        undone, now = self.app.store.undo(item.article, body["fingerprint"], self._reviewer(body))
        payload = {"undone": undone, "decision": self.app.decision_json(now)}
        if not undone:
            payload["error"] = "nothing to undo"
        self._json(HTTPStatus.OK if undone else HTTPStatus.CONFLICT, payload)


def make_server(app: ReviewApp, port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server bound to ``host:port`` (0: a free port; read it from ``server.server_address``)."""
    server = ThreadingHTTPServer((host, port), _Handler)
    server.daemon_threads = True
    server.app = app  # type: ignore[attr-defined]
    return server
