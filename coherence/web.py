"""What ``coherence serve`` and ``coherence review`` share: a bound socket, uvicorn around a Starlette
app, and JSON answers. Imported only by the commands that serve (it imports Starlette)."""

from __future__ import annotations

import json
import socket
import threading

from starlette.responses import Response

from .errors import CoherenceError


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (0: a free port); a port in use is a one-line ``CoherenceError``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a restart may reuse the port at once
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CoherenceError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (try --port 0)") from None
    sock.listen(128)
    return sock


def json_response(status: int, payload: dict, headers: dict | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(body, status, headers=headers, media_type="application/json")


class Server:
    """uvicorn serving ``app`` on a bound socket, with the calls of ``socketserver``: ``serve_forever``
    (SIGTERM and Ctrl-C stop it gracefully when it runs in the main thread), ``shutdown`` from
    another thread, ``server_close``, ``server_address``."""

    def __init__(self, app, sock: socket.socket, graceful_seconds: int | None = None, lifespan: str = "auto"):
        import uvicorn

        self.socket = sock
        self.server_address = sock.getsockname()
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan=lifespan,
                                timeout_graceful_shutdown=graceful_seconds)
        self._server = uvicorn.Server(config)
        self._stopped = threading.Event()

    @property
    def started(self) -> bool:
        return self._server.started

    def serve_forever(self) -> None:
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._stopped.set()

    def shutdown(self, timeout: float = 30) -> None:
        self._server.should_exit = True
        self._stopped.wait(timeout)

    def server_close(self) -> None:
        self.socket.close()
