"""The local review server: the HTML report with accept / dismiss / undo, and a small JSON API.

Starlette on uvicorn, like ``coherence serve`` (both through ``coherence.web``). It listens on 127.0.0.1
and is meant for the people at that machine, so what it guards against is other web pages in their
browser and stray requests, not logins:

- ``Host`` must be ``127.0.0.1:PORT`` or ``localhost:PORT`` (a DNS-rebinding page has another name);
- a POST must be ``Content-Type: application/json`` (a cross-site form cannot send that without a CORS
  preflight, which this server never grants), and its ``Origin`` / ``Sec-Fetch-Site``, when the
  browser sends them, must be this server;
- bodies are capped at ``MAX_BODY`` bytes; only the findings of the reviewed files can be decided.

The page is rendered once at start; decisions live in the ``ReviewStore``, one connection per request,
each store call on Starlette's thread pool (SQLite blocks; the event loop must not).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from http import HTTPStatus

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..findings import FileReport
from ..fingerprints import finding_fingerprint, sentence_text
from ..formats.html import SCRIPT_CSP_SOURCE, format_html
from ..web import Server, bind, json_response
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


_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer"}


def _error(status: HTTPStatus, message: str, close: bool = False) -> Response:
    # The body of a refused POST may be unread (too large, wrong type): close rather than parse what follows it.
    return json_response(status, {"error": message}, {**_HEADERS, **({"Connection": "close"} if close else {})})


def _host_ok(request: Request, port: int) -> bool:
    return request.headers.get("host", "") in {f"127.0.0.1:{port}", f"localhost:{port}"}


async def _post_body(request: Request) -> dict:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise _BadRequest(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json")
    origin = request.headers.get("origin")
    if origin is not None and origin != f"http://{request.headers.get('host')}":
        raise _BadRequest(HTTPStatus.FORBIDDEN, "cross-origin request refused")
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise _BadRequest(HTTPStatus.FORBIDDEN, "cross-site request refused")
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise _BadRequest(HTTPStatus.LENGTH_REQUIRED, "Content-Length required")
    if int(length) > MAX_BODY:
        raise _BadRequest(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body over {MAX_BODY} bytes")
    try:
        body = json.loads((await request.body()).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _BadRequest(HTTPStatus.BAD_REQUEST, "body is not JSON") from None
    if not isinstance(body, dict):
        raise _BadRequest(HTTPStatus.BAD_REQUEST, "body must be a JSON object")
    return body


def create_review_app(app: ReviewApp, port: int) -> Starlette:
    """The web application over ``app``, for a server on 127.0.0.1:``port`` (the Host it accepts)."""

    def finding(body: dict) -> _Reviewable:
        path = _text_field(body, "path", 4096, required=True)
        fingerprint = _text_field(body, "fingerprint", 200, required=True)
        item = app.findings.get((path, fingerprint))
        if item is None:
            raise _BadRequest(HTTPStatus.NOT_FOUND, "not a finding of the reviewed files")
        return item

    def reviewer(body: dict) -> str:
        return _text_field(body, "reviewer", MAX_REVIEWER).strip() or app.reviewer

    def decide(body: dict) -> Response:
        item = finding(body)
        decision = _text_field(body, "decision", 20, required=True)
        if decision not in DECISIONS:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"'decision' must be one of {', '.join(DECISIONS)}")
        rule = _text_field(body, "rule", 100)
        if rule and rule != item.rule:
            raise _BadRequest(HTTPStatus.BAD_REQUEST, f"finding is of rule {item.rule}, not {rule}")
        comment = _text_field(body, "comment", MAX_COMMENT).strip()
        saved = app.store.decide(item.article, body["fingerprint"], item.rule, decision, comment, reviewer(body),
                                 item.sentence, item.severity, item.score)
        return json_response(HTTPStatus.OK, {"decision": app.decision_json(saved)}, _HEADERS)

    def undo(body: dict) -> Response:
        item = finding(body)
        undone, now = app.store.undo(item.article, body["fingerprint"], reviewer(body))
        payload = {"undone": undone, "decision": app.decision_json(now)}
        if not undone:
            payload["error"] = "nothing to undo"
        return json_response(HTTPStatus.OK if undone else HTTPStatus.CONFLICT, payload, _HEADERS)

    def decisions() -> Response:
        return json_response(HTTPStatus.OK, {"reviewer": app.reviewer, "decisions": app.decisions()}, _HEADERS)

    async def guarded(action, close: bool) -> Response:
        """Run a store action off the event loop (SQLite blocks); refusals become their status."""
        try:
            return await run_in_threadpool(action)
        except _BadRequest as exc:
            return _error(exc.status, str(exc), close)
        except sqlite3.Error as exc:
            return _error(HTTPStatus.SERVICE_UNAVAILABLE, f"review store busy or unavailable: {exc}")

    async def handle(request: Request) -> Response:
        post = request.method == "POST"
        if not _host_ok(request, port):
            return _error(HTTPStatus.FORBIDDEN, "unexpected Host header", close=post)
        route = request.url.path
        if not post:
            if route in ("/", "/index.html"):
                return Response(app.page, HTTPStatus.OK, media_type="text/html; charset=utf-8",
                                headers={**_HEADERS, "Content-Security-Policy": _CSP})
            if route == "/api/decisions":
                return await guarded(decisions, close=False)
            return _error(HTTPStatus.NOT_FOUND, "not found")
        actions = {"/api/decision": decide, "/api/undo": undo}
        if route not in actions:
            return _error(HTTPStatus.NOT_FOUND, "not found", close=True)
        try:
            body = await _post_body(request)
        except _BadRequest as exc:
            return _error(exc.status, str(exc), close=True)
        return await guarded(lambda: actions[route](body), close=True)

    return Starlette(routes=[Route("/{path:path}", handle, methods=["GET", "POST"])])


def make_server(app: ReviewApp, port: int = 0, host: str = "127.0.0.1") -> Server:
    """A server bound to ``host:port`` (0: a free port; read it from ``server.server_address``)."""
    sock = bind(host, port)
    return Server(create_review_app(app, sock.getsockname()[1]), sock, graceful_seconds=5, lifespan="off")
