"""``coherence serve``: load the models once, then check articles sent over HTTP until SIGTERM or Ctrl-C.

Imported by ``coherence.cli`` to register the command, so it stays light: Starlette, uvicorn and
the models are imported when the command runs. Reach it through ``coherence.cli``.
"""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import sys
import time

import click

from ..cli import UsageProblem, _resolve, config_options, model_options

DEFAULT_PORT = 8776
TOKEN_ENV = "COHERENCE_TOKEN"
MIN_TOKEN_LENGTH = 16


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_token(token_file: str | None) -> str | None:
    """The token from ``--token-file`` (its first line) or ``COHERENCE_TOKEN``; None when neither is given."""
    if token_file:
        try:
            with open(token_file, encoding="utf-8") as handle:
                token = handle.readline().strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageProblem(f"cannot read the token file {token_file}: {getattr(exc, 'strerror', None) or exc}") \
                from None
        where = token_file
    else:
        token = os.environ.get(TOKEN_ENV, "").strip()
        where = TOKEN_ENV
        if not token:
            return None
    if len(token) < MIN_TOKEN_LENGTH or any(c.isspace() for c in token):
        raise UsageProblem(f"the token in {where} must be at least {MIN_TOKEN_LENGTH} characters without spaces")
    return token


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any address but loopback requires a token.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port (0: any free port; the one taken is printed).")
@click.option("--token-file", type=click.Path(dir_okay=False), default=None,
              help=f"File whose first line is the bearer token clients must send [default: ${TOKEN_ENV}].")
@click.option("--max-bytes", type=click.IntRange(1), default=None,
              help="Refuse larger request bodies (413) and articles [default: 2,000,000].")
@click.option("--timeout", type=click.FloatRange(0.1), default=60.0, show_default=True,
              help="Seconds a request may wait and be checked before it is answered 504.")
@click.option("--queue-size", type=click.IntRange(1), default=32, show_default=True,
              help="Requests that may wait for the model worker; more are answered 503 with Retry-After.")
@click.option("--max-batch", type=click.IntRange(1), default=64, show_default=True,
              help="Articles of queued requests checked together (their sentences embedded in one batch).")
@config_options
@model_options
def serve(host, port, token_file, max_bytes, timeout, queue_size, max_batch, config_file, isolated, embedder,
          nli_model, threads, precision):
    """Serve the checker over HTTP: POST /v1/check, GET /v1/health, /v1/version, /v1/rules.

    Models load once at start. Each article's path (relative to this folder) picks its markup and
    config file, as --stdin-filename does for `check`.
    """
    token = read_token(token_file)
    if not is_loopback(host) and token is None:
        raise UsageProblem(f"listening on {host} (not loopback) requires a token: --token-file FILE or "
                           f"{TOKEN_ENV}; clients send it as 'Authorization: Bearer TOKEN'")
    from ..api import Checker

    flags = {"embedder": embedder, "nli-model": nli_model, "threads": threads, "precision": precision,
             "max-bytes": max_bytes}
    base = _resolve((), config_file, isolated, **flags).settings  # a bad flag or config fails before loading
    checker = Checker({k: v for k, v in flags.items() if v is not None}, config_file=config_file, isolated=isolated)
    from ..web import bind

    sock = bind(host, port)
    started = time.perf_counter()
    checker.load()
    click.echo(f"coherence serve: models loaded in {time.perf_counter() - started:.1f} s", err=True)
    run(checker, sock, base.max_bytes, timeout, token, queue_size, max_batch)


def run(checker, sock: socket.socket, max_bytes: int, timeout: float, token: str | None, queue_size: int,
        max_batch: int) -> None:
    """Serve on ``sock`` until SIGTERM or Ctrl-C; requests in flight are finished first."""
    from ..web import Server
    from .app import ServeOptions, create_app
    from .worker import ModelWorker

    worker = ModelWorker(checker, queue_size=queue_size, max_batch=max_batch)
    app = create_app(checker, worker, ServeOptions(max_bytes=max_bytes, timeout=timeout, token=token))
    server = Server(app, sock, graceful_seconds=int(timeout) + 5, lifespan="on")
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    guard = "clients must send 'Authorization: Bearer TOKEN'" if token else "no token: loopback clients only"
    click.echo(f"coherence serve: listening on http://{shown}:{port} ({guard}); SIGTERM or Ctrl-C stops", err=True)
    sys.stderr.flush()
    # uvicorn stops gracefully on SIGTERM, then raises it again for the handler it found: exit 0, not "killed".
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    try:
        server.serve_forever()
    finally:
        click.echo("coherence serve: stopped", err=True)
