"""The SPARQL endpoint and query page (``sslmb serve``): a read-only, sandboxed HTTP face of the graph.

Layout of a request: the server process (Starlette on uvicorn; kg/httpguard.py bounds the HTTP head) checks the
query text with the guard (kg/guard.py, :func:`check_query`: no update, no SERVICE, no LOAD, no FROM/GRAPH
outside the store's own graphs, no text too large or too deep), negotiates the result format, and hands the
query through a fair queue (kg/scheduler.py) to one of a few worker processes that each hold the graph in an
Oxigraph store. A worker that runs past the timeout is killed and replaced, so a runaway query
really stops; a worker that dies (for instance at its memory limit) is replaced as well. The server process
itself never evaluates a query.

Starlette and uvicorn are imported only by :func:`create_app` and :func:`serve`; the worker processes import
neither.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from itertools import islice

from kg.core.namespaces import PREFIXES, SSLMB

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_WORKERS = 2
MAX_REQUEST_BYTES = 1 << 20  # a query of more than 1 MiB is refused with 413
MAX_HEADER_BYTES = 64 << 10  # request header fields above this: 431
WORKER_STACK_BYTES = 64 << 20  # the stack a worker runs queries on (Oxigraph recurses on the query's tree)
MAX_RESULT_BYTES = 64 << 20  # a worker refuses to send back more than this
WORKER_MEMORY_BYTES = 1 << 30  # address-space limit of a worker process (RLIMIT_AS)


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
    queue_timeout: float = 5.0  # a request that finds every worker busy this long gets 503 with Retry-After
    max_request_bytes: int = MAX_REQUEST_BYTES
    max_result_bytes: int = MAX_RESULT_BYTES
    worker_memory_bytes: int = WORKER_MEMORY_BYTES
    max_header_bytes: int = MAX_HEADER_BYTES
    head_timeout: float = 10.0  # a request head not complete this long after its first byte: 408, closed
    body_timeout: float = 30.0  # a request body not complete this long after its head: 408
    slow_seconds: float = 1.0  # a query text that ran this long is "known slow" for a while (kg/scheduler.py)
    # Workers move into a network namespace of their own where the kernel allows it; SSLMB_SERVE_ISOLATION=off
    # turns that off (the tests do, to check that the query guard alone keeps every query from the network).
    isolate_network: bool = field(default_factory=lambda: os.environ.get("SSLMB_SERVE_ISOLATION", "on") != "off")


# The query guard (what is refused before a query reaches a worker) lives in kg/guard.py.
from kg.guard import MAX_NESTING, Checked, Refused, check_graph_parameters, check_query  # noqa: E402,F401

# ------------------------------------------------------------------------------------------ content negotiation

RESULT_TYPES = {  # SELECT and ASK
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {  # CONSTRUCT and DESCRIBE
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
}
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "html": "text/html; charset=utf-8",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, best first (stable for equal q).

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json, */*;q=0.1")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5), ('*/*', 0.1)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, index))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def negotiate(accept: str | None, form: str | None) -> str:
    """The short format name (json, xml, csv, tsv, ttl, nt, jsonld) to answer a ``form`` query with.

    >>> negotiate("text/turtle,*/*;q=0.9", "select")
    'json'
    >>> negotiate("application/sparql-results+json,*/*;q=0.9", "construct")
    'ttl'
    """
    table = GRAPH_TYPES if form in ("construct", "describe") else RESULT_TYPES
    default = "ttl" if form in ("construct", "describe") else "json"
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in table:
            return table[media]
        if media == "*/*" or media == "*":
            return default
        if media.endswith("/*"):
            family = media[:-1]
            for candidate, fmt in table.items():
                if candidate.startswith(family):
                    return fmt
    offered = ", ".join(dict.fromkeys(MEDIA_TYPES[f].split(";")[0] for f in table.values()))
    raise Refused(406, f"cannot answer a {form or 'SELECT'} query in any of the accepted types; offered: {offered}")


# ------------------------------------------------------------------------------------------ worker processes


def _isolate_network() -> bool:
    """Move this process into a network namespace of its own (no interface but a loopback that is down), when
    the kernel lets it: a second wall behind :func:`check_query`. Returns whether it worked."""
    try:
        import ctypes
        import ctypes.util

        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        clone_newnet, clone_newuser = 0x40000000, 0x10000000
        if libc.unshare(clone_newnet) == 0:
            return True
        return libc.unshare(clone_newuser | clone_newnet) == 0
    except (OSError, AttributeError):
        return False


def worker_main(conn: Any, settings: Settings, generation: str | None = None) -> None:
    """A worker process: load the graph once, then answer requests from the pipe until it closes."""
    import os
    import resource
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the server, which stops the workers
    os.environ["RUST_BACKTRACE"] = "0"  # a worker killed by its memory limit says so in one line, not fifty
    isolated = _isolate_network() if settings.isolate_network else False
    try:
        resource.setrlimit(resource.RLIMIT_AS, (settings.worker_memory_bytes, settings.worker_memory_bytes))
    except (ValueError, OSError):
        pass
    if settings.store is not None:
        from kg.facade import open_store

        graph = open_store(settings.store, generation=generation)
    else:
        from kg.facade import load

        graph = load()
    graphs = sorted(g.value for g in graph.store.named_graphs() if hasattr(g, "value"))
    conn.send({"ready": True, "graphs": graphs, "isolated": isolated, "triples": len(graph)})
    # Queries run on a thread with a large stack: Oxigraph's parser and evaluator recurse on the query's tree,
    # and the guard's limits (kg/guard.py) leave a wide margin below what this stack holds.
    import threading

    threading.stack_size(WORKER_STACK_BYTES)
    runner = threading.Thread(target=_serve_requests, args=(conn, graph, settings), name="sslmb-queries")
    runner.start()
    runner.join()


def _serve_requests(conn: Any, graph: Any, settings: Settings) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = _handle(graph, request, settings)
        except MemoryError:
            reply = (503, "text/plain; charset=utf-8", {}, b"the query needed more memory than a worker may use\n")
        except Exception as exc:  # a bug must not take the worker down: report it as a server error
            reply = (500, "text/plain; charset=utf-8", {}, f"internal error: {type(exc).__name__}: {exc}\n".encode())
        if len(reply[3]) > settings.max_result_bytes:
            limit = settings.max_result_bytes >> 20
            reply = (503, "text/plain; charset=utf-8", {}, f"the result is larger than {limit} MiB\n".encode())
        conn.send(reply)


def _handle(graph: Any, request: dict[str, Any], settings: Settings) -> tuple[int, str, dict[str, str], bytes]:
    if request["op"] == "query":
        return _run_query(graph, request["query"], request["format"], settings.max_rows)
    if request["op"] == "entity":
        return _entity(graph, request["name"], request["format"])
    if request["op"] == "sleep":  # only tests/test_server.py sends it (no route does): a worker busy a while
        import time

        time.sleep(request["seconds"])
        return 200, "text/plain", {}, b"done\n"
    return 400, "text/plain; charset=utf-8", {}, b"unknown request\n"


def _text(status: int, message: str) -> tuple[int, str, dict[str, str], bytes]:
    return status, "text/plain; charset=utf-8", {}, (message.rstrip("\n") + "\n").encode()


def _run_query(graph: Any, text: str, fmt: str, max_rows: int) -> tuple[int, str, dict[str, str], bytes]:
    import time

    import pyoxigraph as ox

    from kg.core.errors import KGError
    from kg.model import queries as sparql

    started = time.perf_counter()
    try:
        _, _, declared = sparql.parse_header(text, "query")
        bindings = {}
        for param in declared:
            if param.default is None:
                continue
            try:
                bindings[param.name] = sparql.to_term(graph, param.default, param.type)
            except (KGError, ValueError) as exc:  # pyoxigraph says ValueError for an IRI it cannot take
                value = str(param.default)
                shown = value if len(value) <= 80 else value[:80] + "..."
                return _text(400, f"#+ params: {param.name} = {shown!r}: {_one_line(exc)}")
        raw = sparql.execute(graph, sparql.Prepared(text, "query", bindings, None))
    except KGError as exc:  # Oxigraph's message, located: "line 1, column 26: expected ..."
        message = re.sub(r"^query:(\d+):(\d+): ", r"line \1, column \2: ", str(exc))
        return _text(400, re.sub(r"^query: ", "", message))
    headers = {"X-Row-Limit": str(max_rows)}
    if isinstance(raw, ox.QueryBoolean):
        if fmt not in sparql.RESULT_FORMATS:
            return _text(406, "an ASK result is a boolean: accept a SPARQL results type (JSON, XML, CSV, TSV)")
        body = raw.serialize(format=sparql.RESULT_FORMATS[fmt]) or b""
        count, truncated = 1, False
    elif isinstance(raw, ox.QueryTriples):
        if fmt not in sparql.GRAPH_FORMATS:
            return _text(406, "a CONSTRUCT or DESCRIBE result is a graph: accept Turtle, N-Triples or JSON-LD")
        triples = list(islice(raw, max_rows + 1))
        truncated = len(triples) > max_rows
        del triples[max_rows:]
        count = len(triples)
        prefixes = PREFIXES if fmt == "ttl" else None
        body = ox.serialize(triples, format=sparql.GRAPH_FORMATS[fmt], prefixes=prefixes) or b""
    else:
        if fmt not in sparql.RESULT_FORMATS:
            return _text(406, "a SELECT result is a table: accept a SPARQL results type (JSON, XML, CSV, TSV)")
        variables = [v.value for v in raw.variables]
        rows = []
        for solution in islice(raw, max_rows + 1):
            row = {}
            for name in variables:
                term = solution[name]
                if term is not None:
                    row[name] = term_json(term)
            rows.append(row)
        truncated = len(rows) > max_rows
        del rows[max_rows:]
        count = len(rows)
        document: dict[str, Any] = {"head": {"vars": variables}, "results": {"bindings": rows}}
        if fmt == "json":
            document["row_cap"] = {"max_rows": max_rows, "rows": count, "truncated": truncated}
            body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            plain = json.dumps(document, ensure_ascii=False).encode()
            parsed = ox.parse_query_results(plain, format=ox.QueryResultsFormat.JSON)
            body = parsed.serialize(format=sparql.RESULT_FORMATS[fmt]) or b""
    headers["X-Row-Count"] = str(count)
    headers["X-Rows-Truncated"] = "true" if truncated else "false"
    headers["X-Query-Seconds"] = f"{time.perf_counter() - started:.4f}"
    return 200, MEDIA_TYPES[fmt], headers, body


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:200] + "..."


def term_json(term: Any) -> dict[str, Any]:
    """One RDF term in the W3C SPARQL 1.1 results JSON form (with RDF 1.2 triple terms as Oxigraph writes them)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction.value if hasattr(direction, "value") else direction).lower()
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


_ENTITY_GRAPH = """
CONSTRUCT { ?e ?p ?o . ?s ?q ?e . ?ax ?ap ?av . ?v ?vp ?vo . ?c ?cp ?co }
WHERE {
  { ?e ?p ?o }
  UNION { ?s ?q ?e FILTER(!isBlank(?s)) FILTER NOT EXISTS { ?s a owl:Axiom } }
  UNION { ?ax owl:annotatedSource|owl:annotatedTarget ?e ; a owl:Axiom ; ?ap ?av }
  UNION { ?e sslmb:hasQuantity|sslmb:hasOutcome ?v . ?v ?vp ?vo }
  UNION { ?e sslmb:hasQuantity|sslmb:hasOutcome ?v0 . ?v0 ?cond ?c . ?c a qudt:QuantityValue ; ?cp ?co }
}
"""


def _entity(graph: Any, name: str, fmt: str) -> tuple[int, str, dict[str, str], bytes]:
    import pyoxigraph as ox

    from kg.model import queries as sparql

    iri = SSLMB + name
    try:
        node: Any = ox.NamedNode(iri)
    except ValueError:  # not an IRI at all: no such entity
        node = None
    if node is None or not any(True for _ in graph.store.quads_for_pattern(node, None, None)):
        from kg.web.pages import not_found_html

        if fmt == "html":
            return 404, MEDIA_TYPES["html"], {}, not_found_html(name, graph).encode()
        return _text(404, f"no entity <{iri}> in the graph")
    if fmt == "html":
        from kg.web.pages import entity_html

        return 200, MEDIA_TYPES["html"], {}, entity_html(graph.describe(iri)).encode()
    triples = graph.store.query(_ENTITY_GRAPH, prefixes=PREFIXES, substitutions={ox.Variable("e"): node})
    prefixes = PREFIXES if fmt == "ttl" else None
    body = ox.serialize(list(triples), format=sparql.GRAPH_FORMATS[fmt], prefixes=prefixes) or b""
    return 200, MEDIA_TYPES[fmt], {}, body


class QueryTimeout(Exception):
    pass


class WorkerDied(Exception):
    pass


from kg.scheduler import Busy  # noqa: E402


def _exit_reason(code: int | None) -> str:
    import signal

    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = {"SIGABRT": "out of memory", "SIGSEGV": "a crash (stack overflow?)", "SIGKILL": "killed"}.get(name, "")
        return f"{name}{', ' + hint if hint else ''}"
    return f"exit code {code}"


@dataclass(eq=False)  # workers are told apart by identity (kept in a set)
class _Worker:
    process: Any
    conn: Any
    generation: str | None = None  # the store generation it answers from (None: the shipped graph)
    info: dict[str, Any] = field(default_factory=dict)

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        if not self.conn.poll(timeout):
            raise WorkerDied("a worker did not start in time")
        self.info = self.conn.recv()
        return self.info

    def call(self, request: dict[str, Any], timeout: float) -> tuple[int, str, dict[str, str], bytes]:
        try:
            self.conn.send(request)
            if not self.conn.poll(timeout):
                raise QueryTimeout
            return self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise WorkerDied(str(exc)) from None

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        try:
            self.conn.close()
        except OSError:
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2)


class WorkerPool:
    """A fixed number of worker processes, each with the graph loaded; a fair queue (kg/scheduler.py) hands them
    out.

    A worker whose query runs past the timeout is killed and a fresh one started in its place, in the
    background, so the request that timed out gets its 503 at once.

    Serving an on-disk store, the pool holds a lease on the generation it answers from (``sslmb load`` does not
    delete a leased generation) and watches the store's metadata: when a load makes another generation current,
    a whole new set of workers starts on it and, once every one is ready, takes over at once; the old set
    finishes the queries it has and stops. So all workers answer from one generation, and a client never sees
    an older one after a newer.
    """

    def __init__(self, settings: Settings) -> None:
        import multiprocessing
        from concurrent.futures import ThreadPoolExecutor

        from kg.scheduler import SlowQueries

        self.settings = settings
        self._ctx = multiprocessing.get_context("spawn")
        self._executor = ThreadPoolExecutor(max_workers=4 * settings.workers + 4, thread_name_prefix="sslmb-pool")
        self._queue: Any = None  # kg.scheduler.FairQueue, made in start() on the serving loop
        self._loop: Any = None
        self._all: set[_Worker] = set()
        self._closing = False
        self._slow = SlowQueries()
        self._lease: Any = None
        self._watch: Any = None
        self.generation: str | None = None
        self.graphs: frozenset[str] = frozenset()
        self.isolated = False
        self.triples = 0
        self.replaced = 0
        self.switches = 0

    def _spawn(self, generation: str | None) -> _Worker:
        # glibc reserves 64 MiB of address space per malloc arena, up to 8 per core: under the worker's address
        # space limit that made RocksDB's thread start-up fail now and then. Two arenas are plenty for a worker.
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(
            target=worker_main, args=(child, self.settings, generation), daemon=True, name="sslmb-worker"
        )
        process.start()
        child.close()
        worker = _Worker(process, parent, generation)
        self._all.add(worker)
        return worker

    async def _start_set(self, generation: str | None) -> tuple[list[_Worker], list[dict[str, Any]]]:
        import asyncio

        workers = [self._spawn(generation) for _ in range(self.settings.workers)]
        try:
            infos = await asyncio.gather(
                *(self._loop.run_in_executor(self._executor, w.wait_ready, 120.0) for w in workers)
            )
        except (WorkerDied, EOFError, OSError):
            for w in workers:
                w.stop(kill=True)
                self._all.discard(w)
            raise
        return workers, list(infos)

    async def start(self) -> None:
        import asyncio

        from kg.scheduler import FairQueue

        self._loop = asyncio.get_running_loop()
        self._queue = FairQueue(self.settings.workers, slow=self._slow)
        if self.settings.store is not None:
            from kg.core.backends.disk import lease_current

            self._lease = lease_current(self.settings.store)
            self.generation = self._lease.generation
        try:
            workers, infos = await self._start_set(self.generation)
        except (WorkerDied, EOFError, OSError):
            self.close()
            raise RuntimeError("the query workers did not start (see the messages above)") from None
        self._adopt(workers, infos)
        if self.settings.store is not None:
            self._watch = asyncio.ensure_future(self._watch_store())

    def _adopt(self, workers: list[_Worker], infos: list[dict[str, Any]]) -> None:
        self.graphs = frozenset(infos[0]["graphs"])
        self.isolated = all(i["isolated"] for i in infos)
        self.triples = infos[0]["triples"]
        for w in workers:
            self._queue.put(w)

    async def _watch_store(self) -> None:
        """Follow the store to the generation ``sslmb load`` makes current (polled: the metadata file is tiny)."""
        import asyncio

        from kg.core.backends.disk import lease_current, metadata_stamp

        store = self.settings.store
        assert store is not None
        stamp = metadata_stamp(store)
        while not self._closing:
            await asyncio.sleep(0.5)
            now = metadata_stamp(store)
            if now == stamp:
                continue
            stamp = now
            try:
                lease = await self._loop.run_in_executor(self._executor, lease_current, store)
            except Exception:  # a store being rewritten, or gone: keep serving what we have
                continue
            if lease.generation == self.generation:
                lease.release()
                continue
            try:
                workers, infos = await self._start_set(lease.generation)
            except (WorkerDied, EOFError, OSError):
                lease.release()
                continue
            old, self._lease = self._lease, lease
            self.generation = lease.generation
            for w in self._queue.idle:  # the idle old workers stop now; the busy ones when their query ends
                self._executor.submit(self._retire, w)
            self._queue.idle.clear()
            self._adopt(workers, infos)
            self.switches += 1
            self._executor.submit(self._release_lease_when_unused, old)

    def _retire(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop()

    def _release_lease_when_unused(self, lease: Any) -> None:
        import time

        while any(w.generation == lease.generation for w in list(self._all)) and not self._closing:
            time.sleep(0.1)
        lease.release()

    async def run(self, request: dict[str, Any], *, client: str = "") -> tuple[int, str, dict[str, str], bytes]:
        """Run ``request`` on a worker; raises Busy, QueryTimeout or WorkerDied."""
        import asyncio

        digest = self._slow.digest(request.get("query", "")) if request.get("op") == "query" else b""
        worker = await self._queue.get(client, digest=digest, timeout=self.settings.queue_timeout)
        future = self._loop.run_in_executor(self._executor, self._call, worker, request, client, digest)
        return await asyncio.shield(future)  # a client that goes away must not leak the worker

    def _call(
        self, worker: _Worker, request: dict[str, Any], client: str, digest: bytes
    ) -> tuple[int, str, dict[str, str], bytes]:
        import time

        started = time.monotonic()
        try:
            reply = worker.call(request, self.settings.query_timeout)
        except QueryTimeout:
            self._finished(client, digest, slow=True)
            self._discard(worker)
            raise
        except WorkerDied:
            worker.process.join(1.0)  # it is dying: let it finish, to learn how it ended
            self._finished(client, digest, slow=True)
            self._discard(worker)
            raise WorkerDied(_exit_reason(worker.process.exitcode)) from None
        self._finished(client, digest, slow=time.monotonic() - started >= self.settings.slow_seconds)
        self._release(worker)
        return reply

    def _finished(self, client: str, digest: bytes, slow: bool) -> None:
        def note() -> None:
            self._queue.done(client)
            if slow and digest:
                self._slow.add(digest)

        if not self._closing:
            self._loop.call_soon_threadsafe(note)

    def _release(self, worker: _Worker) -> None:
        if self._closing:
            return

        def back() -> None:
            if worker.generation == self.generation:
                self._queue.put(worker)
            else:  # an old generation's worker: the new set has taken over
                self._executor.submit(self._retire, worker)

        self._loop.call_soon_threadsafe(back)

    def _discard(self, worker: _Worker) -> None:
        worker.stop(kill=True)
        self._all.discard(worker)
        if not self._closing:
            self.replaced += 1
            self._executor.submit(self._replace, worker.generation)

    def _replace(self, generation: str | None) -> None:
        import time

        for attempt in range(5):
            if self._closing or generation != self.generation:
                return
            worker = self._spawn(generation)
            try:
                worker.wait_ready(120.0)
            except (WorkerDied, EOFError, OSError):
                worker.stop(kill=True)
                self._all.discard(worker)
                time.sleep(0.5 * (attempt + 1))
                continue
            self._release(worker)
            return

    def close(self) -> None:
        self._closing = True
        if self._watch is not None:
            self._watch.cancel()
        for worker in list(self._all):
            worker.stop()
        self._all.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._lease is not None:
            self._lease.release()


# ------------------------------------------------------------------------------------------ the web application

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
# The page loads nothing but its own files: no CDN, no fonts, no outside requests (the browser enforces it).
_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_WRITE_METHODS = frozenset({"PUT", "DELETE", "PATCH"})


def create_app(settings: Settings, pool: WorkerPool | None = None, *, on_ready: Any = None) -> Any:
    """The Starlette application: ``/`` (query page), ``/sparql`` (SPARQL 1.1 Protocol), ``/entity/{name}``,
    ``/static``, ``/health``."""
    import asyncio
    import contextlib
    from concurrent.futures import ThreadPoolExecutor
    from urllib.parse import parse_qs

    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles

    from kg.web import STATIC_DIR
    from kg.web.pages import index_html

    pool = pool or WorkerPool(settings)
    page: dict[str, bytes] = {}
    # The guard reads a large text on a thread of its own, so the event loop goes on serving meanwhile.
    guard_threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sslmb-guard")

    def refusal(exc: Refused) -> Response:
        return PlainTextResponse(exc.message.rstrip("\n") + "\n", status_code=exc.status, headers=exc.headers)

    async def answer(request_: dict[str, Any], client: str) -> Response:
        try:
            status, media, headers, body = await pool.run(request_, client=client)
        except QueryTimeout:
            return PlainTextResponse(
                f"query stopped: it ran longer than {settings.query_timeout:g} s (the server's --query-timeout); "
                "the worker that ran it was replaced\n",
                status_code=503,
            )
        except Busy:
            return PlainTextResponse(
                f"every query worker stayed busy for {settings.queue_timeout:g} s; try again shortly\n",
                status_code=503,
                headers={"Retry-After": "2"},
            )
        except WorkerDied as exc:
            return PlainTextResponse(
                f"query stopped: its worker process died ({exc}); a new worker took its place\n",
                status_code=503,
            )
        return Response(body, status_code=status, media_type=media, headers=headers)

    async def read_body(request: Request) -> bytes:
        length = request.headers.get("content-length")
        if length is not None:
            try:
                if int(length) > settings.max_request_bytes:
                    raise Refused(413, f"request body larger than {settings.max_request_bytes} bytes")
            except ValueError:
                raise Refused(400, "bad Content-Length") from None
        chunks: list[bytes] = []

        async def read() -> None:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > settings.max_request_bytes:
                    raise Refused(413, f"request body larger than {settings.max_request_bytes} bytes")
                chunks.append(chunk)

        try:
            await asyncio.wait_for(read(), timeout=settings.body_timeout)
        except asyncio.TimeoutError:
            raise Refused(408, f"the request body did not arrive within {settings.body_timeout:g} s") from None
        return b"".join(chunks)

    async def guard(text: str) -> Any:
        if len(text) <= 16384:
            return check_query(text, graphs=pool.graphs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(guard_threads, lambda: check_query(text, graphs=pool.graphs))

    def client_of(request: Request) -> str:
        return request.client.host if request.client else ""

    def utf8(data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "the request is not valid UTF-8") from None

    async def sparql_endpoint(request: Request) -> Response:
        try:
            params: dict[str, list[str]] = {}
            for key, value in request.query_params.multi_items():
                params.setdefault(key, []).append(value)
            if request.method == "POST":
                ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
                if ctype == "application/sparql-update":
                    raise Refused(403, "SPARQL Update is not allowed: the endpoint is read-only")
                body = await read_body(request)
                if ctype == "application/x-www-form-urlencoded":
                    for key, values in parse_qs(utf8(body), keep_blank_values=True).items():
                        params.setdefault(key, []).extend(values)
                elif ctype == "application/sparql-query":
                    params.setdefault("query", []).append(utf8(body))
                else:
                    raise Refused(
                        415,
                        "POST a query as application/sparql-query or as an application/x-www-form-urlencoded form",
                    )
            elif len(request.url.query) > settings.max_request_bytes:
                raise Refused(413, f"query string larger than {settings.max_request_bytes} bytes")
            if "update" in params:
                raise Refused(403, "SPARQL Update is not allowed: the endpoint is read-only")
            queries = params.get("query", [])
            if len(queries) != 1 or not queries[0].strip():
                if not queries and request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                    return RedirectResponse("/", status_code=303)
                raise Refused(400, "give exactly one query: GET /sparql?query=..., or POST it (see the page at /)")
            check_graph_parameters(params.get("default-graph-uri", []) + params.get("named-graph-uri", []), pool.graphs)
            checked = await guard(queries[0])
            fmt = negotiate(request.headers.get("accept"), checked.form)
        except Refused as exc:
            return refusal(exc)
        return await answer({"op": "query", "query": queries[0], "format": fmt}, client_of(request))

    async def entity(request: Request) -> Response:
        name = request.path_params["name"]
        wanted = request.query_params.get("format")
        if wanted is not None:
            fmt = {"html": "html", "ttl": "ttl", "turtle": "ttl", "jsonld": "jsonld", "json-ld": "jsonld"}.get(wanted)
            if fmt is None:
                return PlainTextResponse("format is html, ttl or jsonld\n", status_code=400)
        else:
            fmt = "html"
            for media, q in parse_accept(request.headers.get("accept")):
                if q <= 0:
                    continue
                if media in ("text/turtle", "application/x-turtle"):
                    fmt = "ttl"
                elif media in ("application/ld+json", "application/json"):
                    fmt = "jsonld"
                elif media in ("text/html", "application/xhtml+xml", "*/*", "text/*"):
                    fmt = "html"
                else:
                    continue
                break
        response = await answer({"op": "entity", "name": name, "format": fmt}, client_of(request))
        response.headers["Vary"] = "Accept"
        if fmt == "html":
            response.headers["Content-Security-Policy"] = _PAGE_CSP
        return response

    async def index(request: Request) -> Response:
        if "html" not in page:
            from kg.model.stored import stored_queries

            page["html"] = index_html(stored_queries(), settings).encode()
        return Response(page["html"], media_type=MEDIA_TYPES["html"], headers={"Content-Security-Policy": _PAGE_CSP})

    async def health(request: Request) -> Response:
        return Response(
            json.dumps({"status": "ok", "workers": settings.workers, "replaced": pool.replaced}).encode(),
            media_type="application/json",
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Any):
        await pool.start()
        if on_ready is not None:
            on_ready(pool)
        try:
            yield
        finally:
            pool.close()
            guard_threads.shutdown(wait=False, cancel_futures=True)

    middleware = [Middleware(_Guard, max_bytes=settings.max_request_bytes)]
    if settings.cors:
        from starlette.middleware.cors import CORSMiddleware

        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors),
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
                expose_headers=["X-Row-Limit", "X-Row-Count", "X-Rows-Truncated", "X-Query-Seconds"],
            )
        )
    routes = [
        Route("/", index, methods=["GET", "HEAD"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST", "HEAD"]),
        Route("/entity/{name:path}", entity, methods=["GET", "HEAD"]),
        Route("/health", health, methods=["GET", "HEAD"]),
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR)), name="static"),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.pool = pool
    return app


class _Guard:
    """ASGI middleware for every route: the server is read-only (a write method or an ``update`` parameter is
    403 anywhere, a POST is accepted at ``/sparql`` only), request bodies above the cap are 413, and the
    security headers go on every response."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        query_string = scope.get("query_string", b"")
        reason: tuple[int, str] | None = None
        if method in _WRITE_METHODS:
            reason = (403, "the endpoint is read-only")
        elif method == "POST" and scope["path"] != "/sparql":
            reason = (403, "the endpoint is read-only; POST queries to /sparql")
        elif headers.get("content-type", "").split(";")[0].strip().lower() == "application/sparql-update":
            reason = (403, "SPARQL Update is not allowed: the endpoint is read-only")
        elif _has_update_param(query_string):
            reason = (403, "SPARQL Update is not allowed: the endpoint is read-only")
        else:
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.max_bytes:
                reason = (413, f"request body larger than {self.max_bytes} bytes")
        if reason is not None:
            await _drain_small(receive, headers)
            await _plain(send, reason[0], reason[1])
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in _SECURITY_HEADERS.items()]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _has_update_param(query_string: bytes) -> bool:
    from urllib.parse import parse_qsl

    if b"update" not in query_string:
        return False
    return any(k == "update" for k, _ in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


async def _drain_small(receive: Any, headers: dict[str, str]) -> None:
    """Read a small refused body so the connection stays usable; a large one is left (the server closes)."""
    length = headers.get("content-length")
    if length is None or not length.isdigit() or int(length) > 65536:
        return
    more = int(length) > 0
    while more:
        message = await receive()
        more = message.get("more_body", False) and message["type"] == "http.request"


async def _plain(send: Any, status: int, text: str) -> None:
    body = (text + "\n").encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in _SECURITY_HEADERS.items()]
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# ------------------------------------------------------------------------------------------ running it


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
        print(f"  {pool.triples} triples from {source}", flush=True)
        print(
            f"  SPARQL endpoint {url}sparql; {settings.workers} worker(s), {isolation}; timeout "
            f"{settings.query_timeout:g} s, at most {settings.max_rows} rows, CORS "
            f"{', '.join(settings.cors) if settings.cors else 'off'}. Ctrl-C stops it.",
            flush=True,
        )
        if settings.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"  note: listening on {settings.host}, reachable from other machines", file=sys.stderr, flush=True)

    from kg.httpguard import guarded_protocol

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
