"""What ``sslmb serve`` was asked for, and the limits every request and worker runs under."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
MAX_REQUEST_BYTES = 1 << 20  # a query of more than 1 MiB is refused with 413
MAX_HEADER_BYTES = 64 << 10  # request header fields above this: 431
WORKER_STACK_BYTES = 64 << 20  # the stack a worker runs queries on (Oxigraph recurses on the query's tree)
MAX_RESULT_BYTES = 64 << 20  # a worker refuses to send back more than this
WORKER_MEMORY_BYTES = 1 << 30  # address-space limit of a worker process (RLIMIT_AS)
CACHE_BYTES = 32 << 20  # complete answers kept by the server process (kg/endpoint/cache.py); 0: none


@dataclass(frozen=True)
class Settings:
    """What ``sslmb serve`` was asked for; every limit has a safe default."""

    host: str = "127.0.0.1"
    port: int = 8000
    query_timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    cors: tuple[str, ...] = ()
    workers: int = DEFAULT_WORKERS
    store: str | None = None  # an on-disk store (sslmb load --store DIR), opened read-only; None: the shipped graph
    sources: tuple[str, ...] = ()  # --source KEY: serve only the ontology and these sources' graphs; (): all of them
    queue_timeout: float = 5.0  # a request that finds every worker busy this long gets 503 with Retry-After
    max_request_bytes: int = MAX_REQUEST_BYTES
    max_result_bytes: int = MAX_RESULT_BYTES
    worker_memory_bytes: int = WORKER_MEMORY_BYTES
    max_header_bytes: int = MAX_HEADER_BYTES
    head_timeout: float = 10.0  # a request head not complete this long after its first byte: 408, closed
    body_timeout: float = 30.0  # a request body not complete this long after its head: 408
    cache_bytes: int = CACHE_BYTES  # --cache-mb: answer bodies the server keeps for repeated requests
    slow_seconds: float = 1.0  # a query text that ran this long is "known slow" for a while (kg/scheduler.py)
    # Workers move into a network namespace of their own where the kernel allows it; SSLMB_SERVE_ISOLATION=off
    # turns that off (the tests do, to check that the query guard alone keeps every query from the network).
    isolate_network: bool = field(default_factory=lambda: os.environ.get("SSLMB_SERVE_ISOLATION", "on") != "off")
