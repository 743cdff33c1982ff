"""``sslmb serve`` against a real server on loopback: the SPARQL protocol, formats, every refusal, the timeout,
the row and request caps, CORS, fact sheets, concurrency and the exit; plus the query guard on tricky text."""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import REPO

from kg.core.namespaces import PREFIXES, SSLMB
from kg.endpoint.guard import MAX_NESTING, Refused, check_query
from kg.endpoint.negotiate import negotiate, parse_accept

pytestmark = pytest.mark.slow

SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
# Four copies of the whole graph joined with each other: about 2.4e16 rows, far beyond any timeout.
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
# The triples of the union, each once: what len(graph) counts. (A bare COUNT(*) over the union counts a triple that
# two sources state twice: Oxigraph 0.5.13 does not merge the union's graphs as sets, oxigraph/oxigraph#1919.)
COUNT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


# ------------------------------------------------------------------------------------------ running a server


class Server:
    """A ``python -m kg.cli serve`` subprocess on a free loopback port."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve", "--port", "0", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: list[str] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self.banner = self._read_banner(timeout=90)
        self.url = self.banner.split(" at ", 1)[1].strip()
        self.port = int(urllib.parse.urlsplit(self.url).port or 0)
        self.host = "127.0.0.1"
        status, _, _ = self.request("GET", "/health")
        assert status == 200

    def _drain_stderr(self) -> None:
        for line in self.proc.stderr:  # type: ignore[union-attr]
            self.stderr.append(line)

    def _read_banner(self, timeout: float) -> str:
        found: list[str] = []

        def read() -> None:
            line = self.proc.stdout.readline()  # type: ignore[union-attr]
            found.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        if not found or "serving" not in found[0]:
            self.proc.kill()
            raise AssertionError(f"no start-up line; stderr: {''.join(self.stderr)}")
        self.stdout: list[str] = [found[0]]
        threading.Thread(target=lambda: self.stdout.extend(self.proc.stdout), daemon=True).start()  # type: ignore[arg-type]
        return found[0]

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def query(self, text: str, accept: str = "application/sparql-results+json", how: str = "post-form"):
        if how == "get":
            return self.request("GET", "/sparql?" + urllib.parse.urlencode({"query": text}), headers={"Accept": accept})
        if how == "post-form":
            body = urllib.parse.urlencode({"query": text}).encode()
            ctype = "application/x-www-form-urlencoded"
        else:
            body, ctype = text.encode(), "application/sparql-query"
        return self.request("POST", "/sparql", body, {"Content-Type": ctype, "Accept": accept})

    def children(self) -> set[int]:
        """The server's child processes (its workers and multiprocessing's resource tracker); each thread
        lists the children it started, and replacements are started from a pool thread."""
        found: set[int] = set()
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            try:
                found.update(int(p) for p in (task / "children").read_text().split())
            except OSError:  # the thread ended meanwhile
                continue
        return found

    def stop(self, sig: int = signal.SIGTERM) -> int:
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise


def health(server: Server) -> dict:
    """The server's ``/health`` document."""
    status, _, body = server.request("GET", "/health")
    assert status == 200
    return json.loads(body)


@pytest.fixture(scope="module")
def server():
    # 5 s: short enough for the timeout test, long enough that a cheap request (a fact sheet) never reaches it on a
    # busy CI machine, even while a replacement worker starts
    srv = Server("--query-timeout", "5")
    yield srv
    if srv.proc.poll() is None:
        srv.stop()


@pytest.fixture(scope="module")
def store(graph):
    return graph.store


def eventually(condition, seconds: float = 30.0) -> bool:
    """Poll ``condition`` up to a deadline (a busy machine delays what a fixed sleep would assume done)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def rows_of(body: bytes) -> list[dict]:
    return json.loads(body)["results"]["bindings"]


def direct(store, text: str) -> list[dict]:
    """The same query on an in-process store, as W3C JSON bindings (what the server must answer)."""
    raw = store.query(text, prefixes=PREFIXES)
    return json.loads(raw.serialize(format=ox.QueryResultsFormat.JSON))["results"]["bindings"]


def canonical(bindings: list[dict]) -> list[str]:
    return sorted(json.dumps(b, sort_keys=True) for b in bindings)


LABELS = "SELECT ?x ?label WHERE { ?x a/rdfs:subClassOf* sslmb:FailureMode ; rdfs:label ?label } ORDER BY ?label"


# ------------------------------------------------------------------------------------------ the guard, in process


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/> { ?a ?b ?c }" }',
        "SELECT * WHERE { ?s ?p 'INSERT DATA { <a> <b> <c> }' }",
        'SELECT * WHERE { ?s ?p """multi\nline LOAD <file:///etc/passwd>\n""" }',
        "SELECT * WHERE { ?s ?p '''DROP ALL''' }",
        'SELECT * WHERE { ?s ?p "escaped \\" SERVICE <http://x/> {} \\" still a string" }',
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/> LOAD <file:///etc/passwd>",
        "# DELETE WHERE { ?s ?p ?o }\nSELECT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
        "SELECT * WHERE { ?s <http://example.org/x#LOAD> ?o }",
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ex:SERVICE ex:o.SERVICE }",
        "SELECT ?service ?load $insert WHERE { ?service ?load $insert }",
        'SELECT * WHERE { ?s ?p "x"@insert }',
        "SELECT * WHERE { _:service ?p ?o }",
        "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
        'ASK { FILTER(CONTAINS("FROM <http://example.org/>", "FROM")) }',
    ],
)
def test_guard_ignores_keywords_in_strings_iris_names_and_comments(text):
    assert check_query(text).form in ("select", "ask")


@pytest.mark.parametrize(
    "text, status, word",
    [
        ("select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 400, "SERVICE"),
        ("SELECT * WHERE { SeRvIcE SILENT ?endpoint { ?s ?p ?o } }", 400, "SERVICE"),
        ('SELECT * WHERE { ?s ?p "a" . SERVICE<http://x/>{?a ?b ?c} }', 400, "SERVICE"),
        # a '#' inside a string or an IRI starts no comment, so what follows it still counts
        ('SELECT * WHERE { ?s ?p "#" . SERVICE <http://x/> { ?a ?b ?c } }', 400, "SERVICE"),
        ("SELECT * WHERE { ?s <http://x/#p> ?o . SERVICE <http://x/> { ?a ?b ?c } }", 400, "SERVICE"),
        ('SELECT * WHERE { ?s ?p """it\'s # no comment""" . SERVICE <http://x/> { } }', 400, "SERVICE"),
        ("load <file:///etc/passwd>", 400, "LOAD"),
        ("LOAD SILENT <http://example.org/data.ttl> INTO GRAPH <http://g/>", 400, "LOAD"),
        ("insert data { <http://a> <http://b> <http://c> }", 403, "INSERT"),
        ("PREFIX ex: <http://example.org/> DELETE WHERE { ?s ?p ?o }", 403, "DELETE"),
        ("clear all", 403, "CLEAR"),
        ("drop silent graph <http://g/>", 403, "DROP"),
        ("create graph <http://g/>", 403, "CREATE"),
        ("copy default to <http://g/>", 403, "COPY"),
        ("with <http://g/> delete { ?s ?p ?o } where { ?s ?p ?o }", 403, "WITH"),
        ("SELECT * WHERE { ?s ?p ?o } ; INSERT DATA { <http://a> <http://b> <http://c> }", 403, "INSERT"),
        ("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", 400, "FROM"),
        ("select * from named <file:///etc/passwd> where { graph ?g { ?s ?p ?o } }", 400, "FROM"),
        ("SELECT * WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }", 400, "GRAPH"),
        ("PREFIX ex: <http://example.org/> SELECT * WHERE { graph ex:g { ?s ?p ?o } }", 400, "GRAPH"),
        ("BASE <http://example.org/> SELECT * FROM <g> WHERE { ?s ?p ?o }", 400, "http://example.org/g"),
        ('SELECT * WHERE { ?s ?p "never closed }', 400, "unterminated string"),
        ("SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1), 400, "nested deeper"),
    ],
)
def test_guard_refuses_updates_outbound_access_and_outside_graphs(text, status, word):
    with pytest.raises(Refused) as caught:
        check_query(text)
    assert caught.value.status == status
    assert word in caught.value.message


def test_guard_allows_the_stores_own_named_graphs():
    own = frozenset({"http://example.org/g"})
    assert check_query("SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }", graphs=own).form == "select"
    text = "PREFIX ex: <http://example.org/> SELECT * WHERE { GRAPH ex:g { ?s ?p ?o } }"
    assert check_query(text, graphs=own).form == "select"
    with pytest.raises(Refused):
        check_query("SELECT * FROM <http://example.org/other> WHERE { ?s ?p ?o }", graphs=own)


def test_guard_reports_the_query_form_after_the_prologue():
    assert check_query("PREFIX ex: <http://e/> BASE <http://b/> construct { ?s ?p ?o } where { ?s ?p ?o }").form == (
        "construct"
    )
    assert check_query("DESCRIBE <http://e/x>").form == "describe"
    assert check_query("ASK {}").form == "ask"
    # text that no reading of the SPARQL grammar gets through is refused by the guard itself
    with pytest.raises(Refused) as caught:
        check_query("this is no query")
    assert caught.value.status == 400
    assert "'this' is neither a SPARQL keyword nor a prefixed name" in caught.value.message


def test_content_negotiation_follows_q_values_and_the_query_form():
    assert parse_accept("text/csv;q=0.2, text/tab-separated-values;q=0.9")[0] == ("text/tab-separated-values", 0.9)
    assert negotiate("text/csv;q=0.2, text/tab-separated-values;q=0.9", "select") == "tsv"
    assert negotiate(None, "select") == "json"
    assert negotiate(None, "construct") == "ttl"
    assert negotiate("application/ld+json", "describe") == "jsonld"
    assert negotiate("text/*", "construct") == "ttl"
    assert negotiate("application/sparql-results+xml;q=0, */*;q=0.1", "ask") == "json"
    with pytest.raises(Refused) as caught:
        negotiate("text/turtle", "select")
    assert caught.value.status == 406


# ------------------------------------------------------------------------------------------ start-up and protocol


def test_startup_prints_the_url_and_the_limits(server):
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/")
    assert server.port > 0


@pytest.mark.parametrize("how", ["get", "post-form", "post-direct"])
def test_the_three_protocol_operations_give_the_same_rows(server, store, how):
    status, headers, body = server.query(LABELS, how=how)
    assert status == 200, body
    assert headers["content-type"] == "application/sparql-results+json"
    expected = direct(store, LABELS)
    assert len(expected) >= 10
    assert rows_of(body) == expected  # ORDER BY: same rows in the same order


def test_select_in_every_results_format(server, store):
    expected = direct(store, LABELS)
    labels = [b["label"]["value"] for b in expected]
    iris = [b["x"]["value"] for b in expected]

    status, headers, body = server.query(LABELS, accept="application/sparql-results+xml")
    assert status == 200 and headers["content-type"] == "application/sparql-results+xml"
    results = ET.fromstring(body).find(f"{SPARQL_RESULTS}results")
    got = [r.find(f"{SPARQL_RESULTS}binding[@name='label']/{SPARQL_RESULTS}literal").text for r in results]
    assert got == labels

    status, headers, body = server.query(LABELS, accept="text/csv")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert [r["label"] for r in table] == labels and [r["x"] for r in table] == iris

    status, headers, body = server.query(LABELS, accept="text/tab-separated-values")
    assert status == 200 and headers["content-type"].startswith("text/tab-separated-values")
    lines = body.decode("utf-8").splitlines()
    assert lines[0].split("\t") == ["?x", "?label"]
    assert [line.split("\t")[0] for line in lines[1:]] == [f"<{iri}>" for iri in iris]


QUANTITIES = (
    "SELECT ?q ?v ?unit ?label ?missing WHERE { ?q a qudt:QuantityValue ; qudt:value ?v . "
    "OPTIONAL { ?q qudt:hasUnit ?unit } OPTIONAL { ?q rdfs:label ?label } "
    "OPTIONAL { ?q sslmb:noSuchProperty ?missing } }"
)


def test_json_writer_equals_oxigraphs_own_serialisation(store):
    # Typed literals, language tags, blank nodes, unbound variables and RDF 1.2 triple terms: the writer the
    # row cap needs must produce exactly what Oxigraph writes for the same solutions.
    from kg.endpoint.worker import term_json

    for text in (QUANTITIES, LABELS, "SELECT ?t WHERE { BIND(<<( sslmb:LLZO rdfs:label 'LLZO'@en )>> AS ?t) }"):
        expected = json.loads(store.query(text, prefixes=PREFIXES).serialize(format=ox.QueryResultsFormat.JSON))
        raw = store.query(text, prefixes=PREFIXES)
        names = [v.value for v in raw.variables]
        bindings = [{n: term_json(s[n]) for n in names if s[n] is not None} for s in raw]
        assert {"head": {"vars": names}, "results": {"bindings": bindings}} == expected


def test_json_results_through_the_server(server, store):
    def blank(bindings: list[dict]) -> list[str]:  # blank node labels differ from one load to the next
        return canonical([{k: v if v["type"] != "bnode" else "_" for k, v in b.items()} for b in bindings])

    status, _, body = server.query(QUANTITIES)
    assert status == 200
    expected = direct(store, QUANTITIES)
    assert len(expected) > 20 and any(v["type"] == "bnode" for b in expected for v in b.values())
    assert blank(rows_of(body)) == blank(expected)
    assert json.loads(body)["head"]["vars"] == ["q", "v", "unit", "label", "missing"]


def test_ask_in_json_and_xml(server):
    status, _, body = server.query("ASK { sslmb:LLZO rdfs:label ?l }")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = server.query(
        "ASK { sslmb:LLZO rdfs:label 'no such label' }", accept="application/sparql-results+xml"
    )
    assert status == 200 and ET.fromstring(body).find(f"{SPARQL_RESULTS}boolean").text == "false"


@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_construct_and_describe_in_every_graph_format(server, store, accept, fmt):
    construct = "CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x a/rdfs:subClassOf* sslmb:FailureMode ; rdfs:label ?l }"
    expected = set(store.query(construct, prefixes=PREFIXES))
    for text, wanted in (
        (construct, expected),
        ("DESCRIBE sslmb:LLZO", set(store.query("DESCRIBE sslmb:LLZO", prefixes=PREFIXES))),
    ):
        status, headers, body = server.query(text, accept=accept)
        assert status == 200, body
        assert headers["content-type"].split(";")[0] == accept
        got = {q.triple for q in ox.parse(body, format=fmt)}
        assert len(wanted) > 5
        if text.startswith("DESCRIBE"):  # blank nodes get new names: compare the triples without them
            wanted = {
                t for t in wanted if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
            }
            got = {t for t in got if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}
        assert got == wanted


def test_unacceptable_type_is_406(server):
    status, _, body = server.query(LABELS, accept="image/png")
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, _ = server.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="application/sparql-results+json;q=1, text/csv")
    assert status == 406


def test_stored_query_text_runs_with_its_header_parameters(server, graph):
    from kg.model.stored import stored_query

    query = stored_query("cq-05-single-ion-transference")
    assert query.params  # it declares min_t and max_temp with defaults
    status, _, body = server.query(query.text)
    assert status == 200, body
    expected = graph.query(query.name).rows
    assert len(expected) >= 1
    got = [{k: v["value"] for k, v in b.items()} for b in rows_of(body)]
    assert sorted(str(r["ref"]) for r in got) == sorted(str(r["ref"]) for r in expected)
    # a parameter changed in the header changes the answer, as `sslmb query --param` would
    changed = query.text.replace("min_t = 0.9", "min_t = 0.95")
    assert changed != query.text
    status, _, body = server.query(changed)
    narrower = graph.query(query.name, min_t=0.95).rows
    assert status == 200 and len(rows_of(body)) == len(narrower) < len(expected)


def test_sparqlwrapper_client(server, store):
    from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

    endpoint = SPARQLWrapper(server.url + "sparql")
    endpoint.setQuery(LABELS)
    endpoint.setReturnFormat(JSON)
    data = endpoint.query().convert()
    expected = direct(store, LABELS)
    assert data["results"]["bindings"] == expected
    assert data["row_cap"] == {"max_rows": 10000, "rows": len(expected), "truncated": False}

    endpoint.setMethod(POST)
    endpoint.setReturnFormat(XML)
    document = endpoint.query().convert()
    assert len(document.getElementsByTagName("result")) == len(expected)

    endpoint.setReturnFormat(CSV)
    assert endpoint.query().convert().decode("utf-8").splitlines()[0] == "x,label"

    endpoint.setQuery(
        "CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x a/rdfs:subClassOf* sslmb:FailureMode ; rdfs:label ?l }"
    )
    endpoint.setReturnFormat(TURTLE)
    turtle = endpoint.query().convert()
    assert {q.triple for q in ox.parse(turtle, format=ox.RdfFormat.TURTLE)} == set(
        store.query(
            "CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x a/rdfs:subClassOf* sslmb:FailureMode ; rdfs:label ?l }",
            prefixes=PREFIXES,
        )
    )

    endpoint.setQuery("ASK { sslmb:LGPS a ?c }")
    endpoint.setReturnFormat(JSON)
    assert endpoint.query().convert()["boolean"] is True


def test_malformed_query_is_400_with_the_parsers_message(server):
    text = "SELECT ?x WHERE { ?x ?p }"
    with pytest.raises(SyntaxError) as parser:
        ox.Store().query(text)
    status, _, body = server.query(text)
    assert status == 400
    # Oxigraph says "error at 1:26: expected ..."; the endpoint keeps its line, column and text
    import re

    line, column, said = re.match(r"error at (\d+):(\d+): (.*)", str(parser.value.msg)).groups()
    assert body.decode() == f"line {line}, column {column}: {said}\n"


# ------------------------------------------------------------------------------------------ refusals


def _update_form(text: str) -> bytes:
    return urllib.parse.urlencode({"update": text}).encode()


UPDATE = "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }"


@pytest.mark.parametrize(
    "method, path, body, headers",
    [
        ("POST", "/sparql", UPDATE.encode(), {"Content-Type": "application/sparql-update"}),
        ("POST", "/sparql", _update_form(UPDATE), {"Content-Type": "application/x-www-form-urlencoded"}),
        ("GET", "/sparql?" + urllib.parse.urlencode({"update": UPDATE}), None, {}),
        ("GET", "/sparql?" + urllib.parse.urlencode({"query": UPDATE}), None, {}),
        ("POST", "/sparql", UPDATE.encode(), {"Content-Type": "application/sparql-query"}),
        ("POST", "/", _update_form(UPDATE), {"Content-Type": "application/x-www-form-urlencoded"}),
        ("POST", "/entity/LLZO", UPDATE.encode(), {"Content-Type": "application/sparql-update"}),
        ("GET", "/entity/LLZO?" + urllib.parse.urlencode({"update": UPDATE}), None, {}),
        ("GET", "/?" + urllib.parse.urlencode({"update": UPDATE}), None, {}),
        ("PUT", "/sparql", b"<http://a> <http://b> <http://c> .", {"Content-Type": "application/n-triples"}),
        ("DELETE", "/sparql", None, {}),
        ("PATCH", "/entity/LLZO", b"x", {}),
        ("POST", "/static/app.js", _update_form(UPDATE), {"Content-Type": "application/x-www-form-urlencoded"}),
    ],
)
def test_updates_are_refused_with_403_on_every_route(server, graph, method, path, body, headers):
    before = len(graph)  # COUNT_TRIPLES counts each distinct triple once, as len() does
    status, _, text = server.request(method, path, body, headers)
    assert status == 403, text
    assert b"read-only" in text
    # and the graph the workers hold is unchanged
    status, _, body = server.query(COUNT_TRIPLES)
    assert int(rows_of(body)[0]["n"]["value"]) == before


@pytest.fixture()
def listener():
    """A loopback socket that records every connection: the endpoint must never connect to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    hits: list[tuple] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = sock.accept()
            except OSError:
                continue
            hits.append(addr)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], hits
    stop.set()
    thread.join(2)
    sock.close()


def test_service_is_refused_before_it_runs_and_no_connection_leaves(server, listener):
    port, hits = listener
    target = f"http://127.0.0.1:{port}/sparql"
    for text in (
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
    ):
        for how in ("get", "post-form", "post-direct"):
            status, _, body = server.query(text, how=how)
            assert status == 400, body
            assert b"SERVICE is not allowed" in body
    time.sleep(0.5)
    assert hits == []


def test_load_and_outside_graphs_are_refused_with_400(server, listener):
    port, hits = listener
    cases = [
        f"LOAD <http://127.0.0.1:{port}/data.ttl>",
        "load <file:///etc/passwd>",
        f"SELECT * FROM <http://127.0.0.1:{port}/g> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT * WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }",
    ]
    for text in cases:
        status, _, body = server.query(text)
        assert status == 400, (text, body)
    for param in ("default-graph-uri", "named-graph-uri"):
        query = urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", param: "file:///etc/passwd"})
        status, _, body = server.request("GET", "/sparql?" + query)
        assert status == 400 and b"not allowed" in body
    time.sleep(0.3)
    assert hits == []


def test_keywords_inside_strings_and_comments_run(server):
    text = 'SELECT ?x WHERE { BIND("SERVICE <http://x/> { } LOAD INSERT" AS ?x) } # DELETE WHERE { ?s ?p ?o }'
    status, _, body = server.query(text)
    assert status == 200
    assert rows_of(body)[0]["x"]["value"].startswith("SERVICE")


def test_request_size_cap_is_413(server):
    # A declared Content-Length over the cap is refused from the headers alone, before any body is read. (Sending
    # the whole body first races the server's answer: it may close while the client is still writing.)
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            + f"Content-Length: {(1 << 20) + 64}\r\n\r\n".encode()
            + b"SELECT * WHERE { ?s ?p ?o } #"
        )
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(4096)):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # without Content-Length (chunked), the cap applies while reading
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    # 16 chunks of 65,537 bytes: just over the 1 MiB cap, so the refusal comes when the body is all but sent
    chunks = (b"#" + b"x" * 65536 for _ in range(16))
    conn.request(
        "POST", "/sparql", body=chunks, headers={"Content-Type": "application/sparql-query"}, encode_chunked=True
    )
    response = conn.getresponse()
    assert response.status == 413
    conn.close()
    # a query string over the cap (but under the HTTP parser's own limit) too
    status, _, _ = server.request("GET", "/sparql?query=" + "x" * ((1 << 20) + 100))
    assert status == 413
    status, _, _ = server.query("ASK {}")
    assert status == 200


def test_row_cap_is_said_in_headers_and_json(server, store):
    assert len(store) > 10_000  # the shipped graph is larger than the default cap
    status, headers, body = server.query("SELECT * WHERE { ?s ?p ?o }")
    assert status == 200
    assert headers["x-row-limit"] == "10000" and headers["x-rows-truncated"] == "true"
    assert headers["x-row-count"] == "10000"
    data = json.loads(body)
    assert len(data["results"]["bindings"]) == 10_000
    assert data["row_cap"] == {"max_rows": 10000, "rows": 10000, "truncated": True}
    status, headers, body = server.query("SELECT * WHERE { ?s ?p ?o }", accept="text/csv")
    assert headers["x-rows-truncated"] == "true" and len(body.decode().splitlines()) == 10_001
    status, headers, body = server.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert headers["x-rows-truncated"] == "true" and len(body.decode().strip().splitlines()) == 10_000
    status, headers, _ = server.query(LABELS)
    assert headers["x-rows-truncated"] == "false"


def test_nothing_a_client_sends_crashes_the_server(server):
    junk = [
        ("POST", "/sparql", b"\xff\xfe\x00 not utf-8", {"Content-Type": "application/sparql-query"}),
        ("POST", "/sparql", b"query=%FF%FE", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("POST", "/sparql", b"SELECT * {}", {"Content-Type": "multipart/form-data; boundary=x"}),
        ("POST", "/sparql", b"", {"Content-Type": "application/sparql-query"}),
        ("GET", "/sparql", None, {}),
        ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None, {}),
        ("GET", "/sparql?query=ASK%7B%7D", None, {"Accept": ";;;,,q=x,*/*;q=abc"}),
        ("GET", "/entity/%00%FF", None, {}),
        ("GET", "/entity/a%3Eb%3Cc", None, {"Accept": "text/turtle"}),
        ("GET", "/entity/LLZO?format=exe", None, {}),
        ("GET", "/static/../server.py", None, {}),
    ]
    for method, path, body, headers in junk:
        status, _, text = server.request(method, path, body, headers)
        assert 400 <= status < 500, (method, path, status, text)
    # a query that overflows the parser's stack is refused before it runs
    status, _, body = server.query("ASK { FILTER(" + "(" * 100_000 + "1" + ")" * 100_000 + ") }")
    assert status == 400 and b"nested deeper" in body
    # a query that allocates without bound dies at its worker's memory limit; the server answers 503
    bomb = 'SELECT (STRLEN(?z) AS ?n) WHERE { BIND("' + "x" * 1000 + '" AS ?a0) '
    bomb += " ".join(f"BIND(CONCAT({', '.join([f'?a{i}'] * 10)}) AS ?a{i + 1})" for i in range(8))
    bomb += " BIND(?a8 AS ?z) }"
    status, _, body = server.query(bomb)
    assert status == 503, body
    # raw garbage on the socket
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"\x00\x01\x02 NOT HTTP AT ALL\r\n\r\n")
        sock.recv(1024)
    with socket.create_connection((server.host, server.port), timeout=10) as sock:
        sock.sendall(b"GET /sparql?query=ASK")  # and hang up halfway
    status, _, body = server.query("ASK { ?s ?p ?o }")
    assert status == 200 and json.loads(body)["boolean"] is True
    assert server.proc.poll() is None


def test_timeout_stops_the_query_kills_its_worker_and_the_server_goes_on(server, store):
    workers_before = server.children()
    started = time.monotonic()
    status, _, body = server.query(CROSS_JOIN)
    elapsed = time.monotonic() - started
    assert status == 503, body
    assert b"5 s" in body and b"--query-timeout" in body
    assert elapsed < 25  # cut off at 5 s, not left to run (it would take days)
    status, _, body = server.query(LABELS)
    assert status == 200 and rows_of(body) == direct(store, LABELS)
    # the worker that ran it is gone (killed, not left computing), and a new one took its place
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = server.children()
        if len(now) == len(workers_before) and now != workers_before:
            break
        time.sleep(0.2)
    gone = workers_before - server.children()
    assert len(gone) == 1
    (old,) = gone
    assert not Path(f"/proc/{old}").exists() or "Z" in Path(f"/proc/{old}/stat").read_text().split()[2]
    status, _, body = server.request("GET", "/health")
    assert json.loads(body)["replaced"] >= 1


def test_64_concurrent_clients(server, store, graph):
    expected_labels = direct(store, LABELS)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    expected_count = str(graph.statement_count())  # COUNT(*) over the union: statements, not distinct triples
    errors: list[str] = []
    done = []

    def client(index: int) -> None:
        try:
            for round_ in range(4):
                how = ("get", "post-form", "post-direct")[(index + round_) % 3]
                if (index + round_) % 2:
                    status, _, body = server.query(LABELS, how=how)
                    if status != 200 or rows_of(body) != expected_labels:
                        errors.append(f"{index}/{round_}: {status} {body[:200]!r}")
                else:
                    status, _, body = server.query(count, accept="text/csv", how=how)
                    if status != 200 or body.decode().split() != ["n", expected_count]:
                        errors.append(f"{index}/{round_}: {status} {body[:200]!r}")
            done.append(index)
        except Exception as exc:  # a dropped connection is an error too
            errors.append(f"{index}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert len(done) == 64


# ------------------------------------------------------------------------------------------ pages


def test_query_page_offers_every_stored_query_and_loads_nothing_from_outside(server):
    from html import escape

    from kg.model.stored import stored_queries

    status, headers, body = server.request("GET", "/", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    page = body.decode("utf-8")
    for q in stored_queries():
        assert f'data-name="{q.name}"' in page
        assert escape(q.summary) in page
    assert "default-src 'self'" in headers["content-security-policy"]
    import re

    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith(("/", "#", "data:", "?")) for s in sources), sources
    for asset in ("/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css", "/static/app.js"):
        status, headers, body = server.request("GET", asset)
        assert status == 200 and len(body) > 500, asset
    status, _, body = server.request("GET", "/static/yasgui/LICENSE")
    assert status == 200 and b"MIT" in body


def test_entity_page_in_html_turtle_and_json_ld(server, graph):
    sheet = graph.describe("LLZO")
    assert sheet.iri == SSLMB + "LLZO"
    status, headers, body = server.request("GET", "/entity/LLZO", headers={"Accept": "text/html"})
    assert status == 200 and headers["content-type"].startswith("text/html")
    from html import escape

    page = body.decode("utf-8")
    assert f"<h1>{escape(sheet.label)} " in page
    for link in sheet.links:
        assert escape(link.other.label) in page
        local = link.other.iri.removeprefix(SSLMB)
        if local != link.other.iri and "/" not in local:
            assert f'href="/entity/{urllib.parse.quote(local, safe="")}"' in page

    node = ox.NamedNode(sheet.iri)
    for accept, fmt in (("text/turtle", ox.RdfFormat.TURTLE), ("application/ld+json", ox.RdfFormat.JSON_LD)):
        status, headers, body = server.request("GET", "/entity/LLZO", headers={"Accept": accept})
        assert status == 200 and headers["content-type"].split(";")[0] == accept
        triples = {q.triple for q in ox.parse(body, format=fmt)}
        own = {q.triple for q in graph.store.quads_for_pattern(node, None, None)}
        incoming = {
            q.triple for q in graph.store.quads_for_pattern(None, None, node) if isinstance(q.subject, ox.NamedNode)
        }
        assert own and own <= triples
        assert incoming <= triples
    status, _, body = server.request("GET", "/entity/LLZO?format=ttl")
    assert status == 200 and b"sslmb:LLZO" in body


def test_unknown_entity_is_404_with_suggestions(server):
    status, _, body = server.request("GET", "/entity/LLZ0", headers={"Accept": "text/html"})
    assert status == 404 and b'href="/entity/LLZO"' in body
    status, _, _ = server.request("GET", "/entity/NoSuchThing", headers={"Accept": "text/turtle"})
    assert status == 404


def test_cors_is_off_by_default(server):
    origin = {"Origin": "http://app.example"}
    _, headers, _ = server.request("GET", "/sparql?query=ASK%7B%7D", headers=origin)
    assert "access-control-allow-origin" not in headers
    status, headers, _ = server.request(
        "OPTIONS", "/sparql", headers={**origin, "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in headers and status >= 400


# ------------------------------------------------------------------------------------------ options and exit


def test_cors_origin_max_rows_and_clean_exit_on_ctrl_c():
    srv = Server("--cors", "http://app.example", "--max-rows", "5", "--workers", "1")
    try:
        assert eventually(lambda: "CORS http://app.example" in "".join(srv.stdout))
        assert "at most 5 rows" in "".join(srv.stdout)
        workers = srv.children()
        assert workers
        allowed = {"Origin": "http://app.example"}
        status, headers, _ = srv.request("GET", "/sparql?query=ASK%7B%7D", headers=allowed)
        assert status == 200 and headers["access-control-allow-origin"] == "http://app.example"
        assert "x-rows-truncated" in headers["access-control-expose-headers"].lower()
        status, headers, _ = srv.request(
            "OPTIONS", "/sparql", headers={**allowed, "Access-Control-Request-Method": "POST"}
        )
        assert status == 200 and headers["access-control-allow-origin"] == "http://app.example"
        _, headers, _ = srv.request("GET", "/sparql?query=ASK%7B%7D", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in headers

        status, headers, body = srv.query(LABELS)
        assert headers["x-row-limit"] == "5" and headers["x-rows-truncated"] == "true"
        assert len(rows_of(body)) == 5
        status, headers, body = srv.query("SELECT ?x WHERE { VALUES ?x { 1 2 3 4 5 } }")
        assert headers["x-rows-truncated"] == "false" and len(rows_of(body)) == 5
    finally:
        code = srv.stop(signal.SIGINT)
    assert code == 0

    def gone(pid: int) -> bool:
        try:
            return "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
        except OSError:
            return True

    assert eventually(lambda: all(gone(pid) for pid in workers))
    assert eventually(lambda: any("stopped" in line for line in srv.stderr))
    assert not any("Traceback" in line for line in srv.stderr)


def test_busy_port_is_a_one_line_error_with_exit_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "kg.cli", "serve", "--port", str(port)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.returncode == 2
    assert out.stderr.startswith("sslmb: error: cannot listen on 127.0.0.1:") and out.stderr.count("\n") == 1


def test_serve_is_listed_and_imports_no_web_stack_until_run():
    out = subprocess.run([sys.executable, "-m", "kg.cli", "--help"], cwd=REPO, capture_output=True, text=True)
    assert "serve" in out.stdout
    code = (
        "import sys, kg, kg.cli; kg.cli.build_parser(); "
        "print(sorted(m for m in ('starlette', 'uvicorn', 'kg.endpoint') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_serves_an_on_disk_store(tmp_path, graph):
    from kg.ingest.bulk import bulk_load

    folder = tmp_path / "store"
    bulk_load([], folder, validate=False, progress=False)  # the shipped graph, on disk
    srv = Server("--store", str(folder), "--workers", "1")
    try:
        started = f"{len(graph)} triples from the on-disk store {folder} ({graph.statement_count()} statements"
        assert eventually(lambda: started in "".join(srv.stdout))
        status, _, body = srv.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert status == 200 and int(rows_of(body)[0]["n"]["value"]) == graph.statement_count()
        status, _, body = srv.request("GET", "/entity/LLZO", headers={"Accept": "text/html"})
        assert status == 200 and b"<h1>LLZO " in body
        status, _, _ = srv.request("POST", "/sparql", UPDATE.encode(), {"Content-Type": "application/sparql-update"})
        assert status == 403
    finally:
        assert srv.stop() == 0


def test_serve_refuses_to_front_another_endpoint():
    out = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--endpoint", "http://127.0.0.1:9/sparql"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "never from another endpoint" in out.stderr


def test_worker_pool_busy_timeout_and_replacement():
    """The pool on its own: a busy pool answers Busy after the queue timeout, a request past the query timeout
    kills its worker, and the replacement serves the next request. Timed by causes, not by a budget: each wait
    has a wide margin derived from the configured timeouts, and what is polled is polled up to a deadline."""
    import asyncio

    from kg.endpoint.pool import QueryTimeout, WorkerPool
    from kg.endpoint.scheduler import Busy
    from kg.endpoint.settings import Settings

    queue_timeout, sleep, query_timeout = 0.5, 2.0, 6.0  # sleep: 4x the queue wait; query timeout: 3x the sleep

    async def until(condition, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "gave up waiting"
            await asyncio.sleep(0.02)

    async def scenario() -> None:
        pool = WorkerPool(Settings(workers=1, query_timeout=query_timeout, queue_timeout=queue_timeout))
        await pool.start()
        try:
            first = asyncio.ensure_future(pool.run({"op": "sleep", "seconds": sleep}))
            await until(lambda: pool._queue.running)  # the only worker has the sleeping request
            started = time.monotonic()
            with pytest.raises(Busy):
                await pool.run({"op": "query", "query": "ASK {}", "format": "json"})
            assert not first.done() or time.monotonic() - started >= queue_timeout  # Busy came while it slept
            assert (await first)[0] == 200  # the sleeping request itself finished in time
            (old,) = pool._all
            with pytest.raises(QueryTimeout):
                await pool.run({"op": "sleep", "seconds": 10 * query_timeout})
            assert pool.replaced == 1
            await until(lambda: not old.process.is_alive())  # killed at once, reaped off the event loop
            await until(lambda: pool._queue.idle)  # the replacement is up
            status, _, _, body = await pool.run({"op": "query", "query": "ASK { ?s ?p ?o }", "format": "json"})
            assert status == 200 and json.loads(body)["boolean"] is True
            (new,) = pool._all
            assert new is not old and new.process.is_alive()
        finally:
            pool.close()

    asyncio.run(scenario())
