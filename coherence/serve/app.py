"""The web application of ``coherence serve``: routes, input checks, the token rule.

Every bad request gets its status and a one-line ``{"error": ...}``, never a traceback:

- 400: the body is not JSON, or its JSON is not an article or a list of articles;
- 401: a token is required and the request has not sent it (``Authorization: Bearer TOKEN``);
- 413: the body is over ``--max-bytes``;
- 415: the body is not ``application/json`` in UTF-8, or an article's text is binary (NUL
  characters) or not valid Unicode (lone surrogates);
- 422: an article lacks ``text`` (or a field has the wrong type), its text is empty or has no
  prose, its path is absolute or climbs out with ``..``, or the config its path picks is invalid;
- 503 with ``Retry-After``: the queue is full; 504: the request ran past ``--timeout``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .. import __version__
from ..api import MARKUPS, Checker, article_input
from ..errors import CoherenceError
from ..formats.json_report import report_document
from ..web import json_response as _json
from .info import models_info, rules_info, settings_json
from .worker import ModelWorker, QueueFull

OPEN_PATHS = ("/v1/health",)  # answered without a token: a load balancer's probe carries none


@dataclass
class ServeOptions:
    max_bytes: int = 2_000_000  # request body limit
    timeout: float = 60.0  # seconds a request may wait and be checked
    token: str | None = None  # when set, every route but health needs it


class _Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _authorised(request: Request, token: str) -> bool:
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode())


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes ``limit`` (whatever Content-Length claims)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _Refused(413, f"request body of {int(declared):,} bytes is over the limit of {limit:,} bytes "
                            f"(--max-bytes)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _Refused(413, f"request body is over the limit of {limit:,} bytes (--max-bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_articles(raw: bytes) -> tuple[list[dict], bool]:
    """The articles of a body and whether it was a single one (not a list)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Refused(415, f"request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Refused(400, f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") \
            from None
    single = isinstance(body, dict)
    articles = [body] if single else body
    if not isinstance(articles, list) or not articles or not all(isinstance(a, dict) for a in articles):
        raise _Refused(400, 'expected an article {"text": ..., "path": ...} or a non-empty list of them')
    return articles, single


def _field(article: dict, name: str, where: str, required: bool = False) -> str | None:
    value = article.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        problem = "is required" if value is None else "must be a string"
        raise _Refused(422, f"{where}: '{name}' {problem}")
    return value


def _article(article: dict, where: str, checker: Checker):
    text = _field(article, "text", where, required=True)
    path = _field(article, "path", where)
    markup = _field(article, "markup", where)
    if markup is not None and markup not in MARKUPS:
        raise _Refused(422, f"{where}: 'markup' must be one of {', '.join(MARKUPS)}")
    if path is not None:
        if not path or PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute() \
                or ".." in PurePosixPath(path.replace("\\", "/")).parts:
            raise _Refused(422, f"{where}: 'path' must be a relative path without '..' (it picks markup and config)")
    name = path or where
    if "\x00" in text:
        raise _Refused(415, f"{name}: text looks like binary data (NUL characters); expected plain text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _Refused(415, f"{name}: text is not valid Unicode (a lone surrogate)") from None
    if not text.strip():
        raise _Refused(422, f"{name}: text is empty")
    try:
        settings = checker.settings_for(path)
    except CoherenceError as exc:
        raise _Refused(422, str(exc)) from None
    checked = article_input(text, path or where, markup, settings.max_bytes)
    if checked.error is not None:
        raise _Refused(413 if "over the limit" in checked.error else 422, checked.error)
    return checked


def create_app(checker: Checker, worker: ModelWorker, options: ServeOptions) -> Starlette:
    """The application around a loaded checker and its (not yet started) worker."""
    info_cache: dict[str, dict] = {}

    async def health(request: Request) -> Response:
        return _json(200, {"status": "ok", "queued": worker.waiting, "checking": worker.busy,
                           "checked": worker.checked})

    async def version(request: Request) -> Response:
        if "models" not in info_cache:  # hashing the model files takes a moment: once, off the event loop
            info_cache["models"] = await asyncio.to_thread(models_info, checker.settings)
        return _json(200, {"version": __version__, "models": info_cache["models"],
                           "settings": settings_json(checker.settings)})

    async def rules(request: Request) -> Response:
        return _json(200, {"rules": rules_info(checker.settings)})

    async def check(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise _Refused(415, "Content-Type must be application/json")
        articles, single = _parse_articles(await _read_body(request, options.max_bytes))
        inputs = [_article(a, f"articles[{i}]" if not single else "article", checker) for i, a in enumerate(articles)]
        try:
            future = worker.submit(inputs)
        except QueueFull:
            raise _Refused(503, "the checker's queue is full; retry later",
                           {"Retry-After": str(worker.retry_after())}) from None
        try:
            reports = await asyncio.wait_for(asyncio.wrap_future(future), options.timeout)
        except asyncio.TimeoutError:
            raise _Refused(504, f"not checked within the time limit of {options.timeout:g} s (--timeout)") from None
        except CoherenceError as exc:
            raise _Refused(500, f"the checker failed: {exc}") from None
        if single and reports[0].error is not None:
            raise _Refused(422, reports[0].error)
        return _json(200, report_document(reports))

    def guarded(endpoint):
        async def handle(request: Request) -> Response:
            if options.token and request.url.path not in OPEN_PATHS and not _authorised(request, options.token):
                return _json(401, {"error": "a bearer token is required (Authorization: Bearer TOKEN)"},
                             {"WWW-Authenticate": "Bearer"})
            try:
                return await endpoint(request)
            except _Refused as exc:
                return _json(exc.status, {"error": str(exc)}, exc.headers)
            except Exception as exc:  # noqa: BLE001 - a client gets one line, never a traceback
                return _json(500, {"error": f"internal error: {type(exc).__name__}: {exc}"})

        return handle

    @asynccontextmanager
    async def lifespan(app):
        worker.start()
        try:
            yield
        finally:
            await asyncio.to_thread(worker.stop, options.timeout)

    async def not_found(request: Request, exc) -> Response:
        return _json(exc.status_code, {"error": "not found" if exc.status_code == 404 else str(exc.detail)})

    routes = [
        Route("/v1/health", guarded(health), methods=["GET"]),
        Route("/v1/version", guarded(version), methods=["GET"]),
        Route("/v1/rules", guarded(rules), methods=["GET"]),
        Route("/v1/check", guarded(check), methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_found})
