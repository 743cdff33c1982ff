"""Running the endpoint: bind the socket, start the workers, print the URL, serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

from kg.endpoint.app import create_app
from kg.endpoint.pool import WorkerPool
from kg.endpoint.settings import Settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


def serve(settings: Settings) -> int:
    """Bind, start the workers, print the URL, serve until Ctrl-C or SIGTERM; returns the exit code."""
    import signal
    import socket
    import sys

    import uvicorn

    from kg.core.errors import InputError

    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it every
    # response (headers and body are two writes) waits on the client's delayed ACK, 40 ms a request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}") from None
    sock.listen(1024)
    sock.setblocking(False)
    port = sock.getsockname()[1]
    shown_host = f"[{settings.host}]" if family == socket.AF_INET6 else settings.host
    url = f"http://{shown_host}:{port}/"

    def ready(pool: WorkerPool) -> None:
        isolation = "network-isolated" if pool.isolated else "not network-isolated (the query guard still applies)"
        print(f"sslmb: serving the knowledge graph at {url}", flush=True)
        source = f"the on-disk store {settings.store}" if settings.store else "the shipped graph"
        if settings.sources:
            source += f" (sources: {', '.join(settings.sources)})"
        print(
            f"  {pool.triples} triples from {source} ({pool.statements} statements: SPARQL counts a triple once "
            "per source graph that states it)",
            flush=True,
        )
        print(
            f"  SPARQL endpoint {url}sparql; {settings.workers} worker(s), {isolation}; timeout "
            f"{settings.query_timeout:g} s, at most {settings.max_rows} rows, CORS "
            f"{', '.join(settings.cors) if settings.cors else 'off'}. Ctrl-C stops it.",
            flush=True,
        )
        if settings.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"  note: listening on {settings.host}, reachable from other machines", file=sys.stderr, flush=True)

    from kg.endpoint.httpguard import guarded_protocol

    app = create_app(settings, on_ready=ready)
    max_url = settings.max_request_bytes + 16384  # a GET may carry a query as large as a POST body may
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        http=guarded_protocol(
            max_url_bytes=max_url, max_header_bytes=settings.max_header_bytes, head_timeout=settings.head_timeout
        ),
        ws="none",
        h11_max_incomplete_event_size=max_url + settings.max_header_bytes + 16384,  # ours answer 414/431 first
        timeout_keep_alive=5,
        server_header=False,
    )
    server = uvicorn.Server(config)
    # uvicorn shuts down gracefully on SIGINT/SIGTERM and then raises the signal again with the handler that
    # was in place before: make that a clean exit (code 0) rather than a traceback or a kill.
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        server.run(sockets=[sock])
    except (KeyboardInterrupt, _Stopped):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    if not server.started:
        return 1
    print("sslmb: stopped", file=sys.stderr, flush=True)
    return 0


class _Stopped(Exception):
    pass


def _raise_stopped(signum: int, frame: Any) -> None:
    raise _Stopped
