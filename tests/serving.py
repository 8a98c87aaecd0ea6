"""Helpers of the server tests: a real uvicorn server on a free loopback port, and a plain HTTP client."""

from __future__ import annotations

import http.client
import json
import threading
import time
from contextlib import contextmanager


def call(port: int, method: str, path: str, body=None, headers: dict | None = None, timeout: float = 30):
    """(status, headers, parsed JSON body) of one request; ``body`` may be bytes, or data sent as JSON."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = dict(headers or {})
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode("utf-8")
        headers.setdefault("Content-Type", "application/json")
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw) if raw else None
    finally:
        connection.close()


@contextmanager
def running_server(checker, timeout: float = 30.0, token: str | None = None, max_bytes: int = 2_000_000,
                   queue_size: int = 8, max_batch: int = 64):
    """``coherence serve``'s app around ``checker`` on 127.0.0.1:(free port), in a thread; yields (port, worker)."""
    from coherence.serve.app import ServeOptions, create_app
    from coherence.serve.worker import ModelWorker
    from coherence.web import Server, bind

    sock = bind("127.0.0.1", 0)
    worker = ModelWorker(checker, queue_size=queue_size, max_batch=max_batch)
    app = create_app(checker, worker, ServeOptions(max_bytes=max_bytes, timeout=timeout, token=token))
    server = Server(app, sock, lifespan="on")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield sock.getsockname()[1], worker
    finally:
        server.shutdown(20)
        server.server_close()
