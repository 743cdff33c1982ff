"""A query worker process of ``sslmb serve``: it loads the graph once (in memory or from an on-disk store), moves
into a network namespace of its own where it can, and answers requests from its channel (:mod:`.channel`): SPARQL
queries, with the row cap, and entity pages. The server process never evaluates a query; Starlette and uvicorn
are not imported here.

The pool starts it as ``python -m kg.endpoint.worker FD``, FD being its end of a socket pair; the first message
on it is ``(settings, generation)``.
"""

from __future__ import annotations

import json
import re
from itertools import islice

from kg.core.namespaces import PREFIXES, SSLMB
from kg.endpoint.negotiate import MEDIA_TYPES
from kg.endpoint.settings import WORKER_STACK_BYTES, Settings

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any


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
        from kg.core.backends.disk import open_store

        graph = open_store(settings.store, generation=generation)
    else:
        from kg.core.backends.memory import load

        graph = load()
    if settings.sources:  # only the ontology and these sources' graphs (kg.model.sources.view)
        from kg.model.sources import view

        graph = view(graph, settings.sources)
    store = graph.store  # a pyoxigraph Store, in memory or on disk, seen as the union of its graphs (or a view)
    graphs = sorted(g.value for g in store.named_graphs() if hasattr(g, "value"))  # type: ignore[union-attr]
    conn.send(
        {
            "ready": True,
            "graphs": graphs,
            "isolated": isolated,
            "triples": len(graph),
            "statements": graph.statement_count(),
        }
    )
    # Queries run on a thread with a large stack: Oxigraph's parser and evaluator recurse on the query's tree,
    # and the guard's limits (kg/endpoint/guard.py) leave a wide margin below what this stack holds.
    import threading

    threading.stack_size(WORKER_STACK_BYTES)
    runner = threading.Thread(target=_serve_requests, args=(conn, graph, settings), name="sslmb-queries")
    runner.start()
    runner.join()


def _serve_requests(conn: Any, graph: Any, settings: Settings) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):  # the server closed the channel: stop
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
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


def _handle(graph: Any, request: dict[str, Any], settings: Settings) -> tuple[int, str, dict[str, str], bytes]:
    if request["op"] == "query":
        dataset = request.get("dataset")
        if dataset is not None:  # the protocol's default-graph-uri / named-graph-uri: they override FROM
            graph = _with_dataset(graph, *dataset)
        return _run_query(graph, request["query"], request["format"], settings.max_rows)
    if request["op"] == "entity":
        return _entity(graph, request["name"], request["format"])
    if request["op"] == "ask":
        from kg.endpoint.asking import answer_json

        return answer_json(graph, request["question"])
    if request["op"] == "sources":
        return _sources(graph, request["format"])
    if request["op"] == "sleep":  # only tests/test_server.py sends it (no route does): a worker busy a while
        import time

        time.sleep(request["seconds"])
        return 200, "text/plain", {}, b"done\n"
    return 400, "text/plain; charset=utf-8", {}, b"unknown request\n"


class _Dataset:
    """A store whose queries run on the RDF dataset a request names (``default-graph-uri``/``named-graph-uri``)."""

    def __init__(self, store: Any, default: list[str], named: list[str]) -> None:
        import pyoxigraph as ox

        self.store = store
        self.options = {
            "default_graph": [ox.NamedNode(g) for g in default],
            "named_graphs": [ox.NamedNode(g) for g in named],
        }

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def __len__(self) -> int:
        return len(self.store)

    def query(self, query: str, **options: Any) -> Any:
        return self.store.query(query, **options, **self.options)


def _with_dataset(graph: Any, default: list[str], named: list[str]) -> Any:
    from kg.core.graph import Graph

    return Graph(_Dataset(graph.store, default, named), graph.sources)


def _sources(graph: Any, fmt: str) -> tuple[int, str, dict[str, str], bytes]:
    """The sources the server reads: JSON exactly as ``sslmb sources --format json`` prints it, or a page."""
    from kg.core.jsonout import to_json
    from kg.model.sources import sources

    found = sources(graph)
    if fmt == "json":
        return 200, "application/json", {}, (to_json(found) + "\n").encode()
    from kg.endpoint.pages import sources_html

    return 200, MEDIA_TYPES["html"], {}, sources_html(found).encode()


def _text(status: int, message: str) -> tuple[int, str, dict[str, str], bytes]:
    return status, "text/plain; charset=utf-8", {}, (message.rstrip("\n") + "\n").encode()


def _run_query(graph: Any, text: str, fmt: str, max_rows: int) -> tuple[int, str, dict[str, str], bytes]:
    import time

    import pyoxigraph as ox

    from kg.core.errors import KGError
    from kg.model import queries as sparql
    from kg.model.stored import parse_header

    started = time.perf_counter()
    try:
        _, _, declared = parse_header(text, "query")
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
        if fmt == "json":  # the row cap first: a streaming reader (Oxigraph's) wants nothing after the bindings
            capped = {"row_cap": {"max_rows": max_rows, "rows": count, "truncated": truncated}, **document}
            body = json.dumps(capped, ensure_ascii=False, separators=(",", ":")).encode()
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
        canonical = _canonical(graph, name)
        if canonical is not None:  # /entity/llzo, /entity/Li7La3Zr2O12: the page of the entity so named
            from urllib.parse import quote

            location = "/entity/" + quote(canonical, safe="")
            return 303, "text/plain; charset=utf-8", {"Location": location}, f"see {location}\n".encode()
        from kg.endpoint.pages import not_found_html

        if fmt == "html":
            return 404, MEDIA_TYPES["html"], {}, not_found_html(name, graph).encode()
        return _text(404, f"no entity <{iri}> in the graph")
    if fmt == "html":
        from kg.endpoint.pages import entity_html
        from kg.model.describe import describe

        return 200, MEDIA_TYPES["html"], {}, entity_html(describe(graph, iri)).encode()
    triples = graph.store.query(_ENTITY_GRAPH, prefixes=PREFIXES, substitutions={ox.Variable("e"): node})
    prefixes = PREFIXES if fmt == "ttl" else None
    body = ox.serialize(list(triples), format=sparql.GRAPH_FORMATS[fmt], prefixes=prefixes) or b""
    return 200, MEDIA_TYPES[fmt], {}, body


def _canonical(graph: Any, name: str) -> str | None:
    """The local name of the one entity that ``name`` names exactly, as the CLI resolves it (a label,
    abbreviation or formula, in any case), when that is another page; None when no entity or several do, or
    when only a partial match would."""
    from kg.core.errors import KGError
    from kg.model.search import find, resolve

    try:
        entity = resolve(graph, name)
        best = find(graph, name, limit=1)
    except (KGError, ValueError):
        return None
    if not best or best[0].iri != entity.iri or best[0].score < 95 or not entity.iri.startswith(SSLMB):
        return None
    local = entity.iri[len(SSLMB) :]
    return local if local and local != name and "/" not in local and "#" not in local else None


def main(argv: list[str] | None = None) -> None:
    """``python -m kg.endpoint.worker FD``: the worker's entry point (see the module's text)."""
    import socket
    import sys

    from kg.endpoint.channel import Channel

    fd = int((argv if argv is not None else sys.argv[1:])[0])
    channel = Channel(socket.socket(fileno=fd))
    try:
        settings, generation = channel.recv()
    except EOFError:
        return
    worker_main(channel, settings, generation)


if __name__ == "__main__":
    main()
