"""Remote stores (kg/remote.py) against two real servers started here on loopback: `oxigraph serve
--union-default-graph` and a private Virtuoso instance. `sslmb push` uploads the graph with the Graph Store
Protocol, one request per graph (the sources' named graphs, the ontology); every command that reads the graph then
runs with --endpoint and answers as the embedded store does, sources included, and so do the stored queries, except
where Virtuoso itself answers differently (listed below with what it does)."""

from __future__ import annotations

import collections
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from helpers import require_tool, run_cli

import kg
from kg import remote
from kg.cli import app as cli
from kg.model import queries as sparql

pytestmark = pytest.mark.slow

GRAPH = "https://w3id.org/sslmb/graph"  # a graph to push everything into (--graph), beside the sources' graphs
SHIPPED = kg.load()
ROWS = 100_000  # Virtuoso's ResultSetMaxRows here: reading the whole graph (28,000 statements) must fit

# Stored queries Virtuoso 7.2 answers differently, and what it does. They are run, and must still differ
# (strict xfail): a Virtuoso that gets them right shows up as a failure to update this list.
VIRTUOSO_DIFFERS = {
    "cq-01-failure-modes-of-electrolyte": "a zero-or-one path over a sequence with a star, "
    "(rdf:type/rdfs:subClassOf*)?, reaches 4 of the 11 nodes it reaches from LGPS: family-level exposures are lost",
    "cq-16-strategies-for-electrolyte": "the same (rdf:type/rdfs:subClassOf*)? path: the families' strategies are lost",
    "cq-02-mechanisms-of-family": "CONCAT with an unbound argument returns the other arguments instead of an error, so "
    'COALESCE(CONCAT(", ", STR(?ref)), "") does not fall back and an empty item enters the list',
    "cq-05-single-ion-transference": "rows are lost when a path a/rdfs:subClassOf* is joined with the chain through a "
    "quantity's blank-node temperature to its unit's multiplier (each part alone agrees)",
    "cq-08-rt-conductivity-ranking": "the same a/rdfs:subClassOf* path joined with the temperature chain: 1 row of 7",
    "cq-10-sulfide-air-hazards": "X rdfs:subClassOf+ ?a joined with ?a rdfs:subClassOf* Y: 1 solution instead of 2",
    "cq-18-composite-constituents": "an aggregate other than COUNT (GROUP_CONCAT, SAMPLE) over a variable bound in an "
    "OPTIONAL returns no row at all when the pattern also has a rdfs:subClassOf* path",
    "cq-12-contested-claims": "the whole query gives one pair no link sections (the OPTIONAL over a UNION, run alone, "
    "agrees); EXISTS also comes back as xsd:integer 0/1, which the comparison forgives",
    # With the sources' graphs named in the request (several default graphs, as they are read): the same queries over
    # one graph holding everything (--graph) agree, except where said.
    "cq-17-alloy-anodes": "a strategy's type, label and usesMaterial joined with a (rdf:type?)/rdfs:subClassOf* path "
    "give no row at all (7 without the strategy's label)",
    "cq-21-who-reported": "the OPTIONAL over a UNION whose FILTER tests EXISTS on the outer ?agent_iri binds nothing: "
    "the strategy's reference is lost (the same pattern with the agent written in agrees)",
    "cq-24-table2-architectures": "an OPTIONAL holding a sequence path (prov:hadPrimarySource/sslmb:referenceNumber) "
    "after a join with rdfs:subClassOf+ removes every row: none instead of 13 before grouping (seen on a freshly "
    "loaded server and on one that had run a while; right after the other tests of this file, it agreed)",
    "cq-31-materials-only-one-source-knows": "FILTER NOT EXISTS { GRAPH ?other {...} FILTER(?other != ?g) } removes "
    "every material on a freshly loaded server (no row); a server that had run a while gave all 29",
    "orphan-node-violation": "the two-pass text written for Oxigraph at a million triples (a MINUS of a hash join "
    "over the object properties, then nested FILTER NOT EXISTS / EXISTS) runs past the client's timeout on the "
    "shipped graph; the one-pass text before issue 16's rewrite answered",
    "provenance-outside-its-source-violation": "a MINUS group that starts with a VALUES block removes nothing: every "
    "one of the 5023 provenance links is reported (written with BIND instead of VALUES, the MINUS works)",
}
# Of those, the ones Virtuoso does not answer within a minute (seen: more than 60 s on the 28k-triple graph).
VIRTUOSO_TOO_SLOW = frozenset({"orphan-node-violation"})
# Of those, the ones whose Virtuoso answer changes from run to run on the same data (seen: right on one run, wrong
# on the next): a pass there is not a fix, so they are not strict.
VIRTUOSO_UNSTABLE = frozenset(
    {
        "cq-08-rt-conductivity-ranking",
        "cq-12-contested-claims",
        "cq-24-table2-architectures",
        "cq-31-materials-only-one-source-knows",
    }
)


# ------------------------------------------------------------------------------ servers


def _free_ports(n: int) -> list[int]:
    """``n`` distinct free loopback ports (all held open while they are picked)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _free_port() -> int:
    return _free_ports(1)[0]


def _tool(name: str, why: str) -> str:
    """A program from this virtual environment's bin folder (where pip puts `oxigraph`), else from PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.is_file() else require_tool(name, why=why)[0]


def _wait_ready(url: str, process: subprocess.Popen, log: Path, seconds: float) -> None:
    query = url + "?" + urlencode({"query": "ASK {}"})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(query, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{url} not ready after {seconds} s: {log.read_text(errors='replace')[-2000:]}")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class Server:
    def __init__(self, name: str, endpoint: str, user: str | None = None, password: str | None = None) -> None:
        self.name, self.endpoint, self.user, self.password = name, endpoint, user, password

    def creds(self) -> list[str]:
        return ["--user", self.user, "--password", self.password] if self.user and self.password else []

    def push_args(self) -> list[str]:
        return ["push", "--endpoint", self.endpoint, *self.creds()]

    def read_args(self) -> list[str]:
        return ["--endpoint", self.endpoint]

    def connect(self, **options):
        return remote.connect(self.endpoint, user=self.user, password=self.password, **options)


def _start_oxigraph(folder: Path, *options: str) -> tuple[subprocess.Popen, str]:
    binary = _tool("oxigraph", "pip install oxigraph (the test extra)")
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}", *options], stdout=out, stderr=out)
    try:
        _wait_ready(f"http://127.0.0.1:{port}/query", process, log, 30)
    except BaseException:
        _stop(process)
        raise
    return process, f"http://127.0.0.1:{port}/query"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    process, endpoint = _start_oxigraph(tmp_path_factory.mktemp("oxigraph"), "--union-default-graph")
    try:
        server = Server("oxigraph", endpoint)
        remote.push(SHIPPED, endpoint=server.endpoint)
        yield server
    finally:
        _stop(process)


_VIRTUOSO_INI = """\
[Database]
DatabaseFile       = virtuoso.db
ErrorLogFile       = virtuoso.log
LockFile           = virtuoso.lck
TransactionFile    = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage        = TempDatabase
[TempDatabase]
DatabaseFile       = virtuoso-temp.db
TransactionFile    = virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 60
CaseMode           = 2
DirsAllowed        = .
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = .
ServerThreads      = 10
Charset            = UTF-8
[SPARQL]
ResultSetMaxRows   = {rows}
MaxQueryExecutionTime = 60
"""


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A private Virtuoso: its own database and ini in a temporary folder, HTTP and SQL on free loopback ports.
    Graph Store writes go to /sparql-graph-crud-auth with Digest authentication as the database admin."""
    binary = _tool("virtuoso-t", "apt-get install virtuoso-opensource")
    folder = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = _free_ports(2)
    (folder / "virtuoso.ini").write_text(_VIRTUOSO_INI.format(sql_port=sql_port, http_port=http_port, rows=ROWS))
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "-f", "-c", "virtuoso.ini"], cwd=folder, stdout=out, stderr=out, stdin=subprocess.DEVNULL
        )
    try:
        _wait_ready(f"http://127.0.0.1:{http_port}/sparql", process, log, 90)
        server = Server("virtuoso", f"http://127.0.0.1:{http_port}/sparql", "dba", "dba")
        remote.push(SHIPPED, endpoint=server.endpoint, user="dba", password="dba")
        yield server
    finally:
        _stop(process)


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request) -> Server:
    return request.getfixturevalue(request.param)


# ------------------------------------------------------------------------------ push


def _graphs_of(store) -> dict[str | None, int]:
    """Statements per graph of a local store (``None``: the default graph)."""
    import pyoxigraph as ox

    raw = store.store.store
    out = {None: sum(1 for _ in raw.quads_for_pattern(None, None, None, ox.DefaultGraph()))}
    for g in raw.named_graphs():
        out[g.value] = sum(1 for _ in raw.quads_for_pattern(None, None, None, g))
    return out


def _drop(server: Server, iri: str) -> None:
    """Delete a graph at the server (GSP DELETE): on `oxigraph serve --union-default-graph` every graph it holds is
    part of what a read without --graph sees, so a graph pushed aside must not stay."""
    from urllib.parse import urlencode

    from kg.core.backends.http import Http
    from kg.core.backends.push import gsp_url

    gsp = gsp_url(server.endpoint, user=server.user)
    Http(gsp, server.user, server.password, 60).send(f"{gsp}?{urlencode({'graph': iri})}", method="DELETE")


def test_push_sends_each_graph_and_counts_it_there(server):
    here = _graphs_of(SHIPPED)
    assert len(here) == 5 and sum(here.values()) == SHIPPED.statement_count()
    ontology = "https://w3id.org/sslmb/graph/ontology" if server.name == "virtuoso" else None
    for _ in range(2):  # PUT twice: each graph is replaced, so blank nodes are not duplicated
        done = run_cli(*server.push_args(), "--format", "json")
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        sent = {g["local"]: (g["target"], g["triples"], g["triples_at_endpoint"]) for g in report["graphs"]}
        assert sent == {g: (g or ontology, n, n) for g, n in here.items()}
        assert report["method"] == "PUT" and report["triples_at_endpoint"] == SHIPPED.statement_count()
    table = run_cli(*server.push_args())
    assert table.returncode == 0, table.stderr
    assert f"PUT 5 graph(s), {SHIPPED.statement_count()} statements" in table.stdout
    for g, n in here.items():  # one row per graph: here, there, the two counts
        row = [line.split() for line in table.stdout.splitlines() if line.startswith(g or "(default graph)")]
        assert row and row[0][-2:] == [str(n), str(n)], table.stdout
    appended = run_cli(*server.push_args(), "--append", "--format", "json")
    assert appended.returncode == 0, appended.stderr
    report = json.loads(appended.stdout)
    assert report["method"] == "POST" and report["triples_at_endpoint"] > SHIPPED.statement_count()  # new blank nodes
    assert run_cli(*server.push_args()).returncode == 0  # back to exactly the shipped graph
    there = remote.RemoteStore(server.endpoint)
    assert (len(there), there.statement_count()) == (len(SHIPPED), SHIPPED.statement_count())


def test_push_everything_into_one_graph(server):
    """--graph keeps its old meaning: every triple, once, into that one graph, read back with --graph."""
    try:
        done = run_cli(*server.push_args(), "--graph", GRAPH)
        assert done.returncode == 0, done.stderr
        assert f"PUT {len(SHIPPED)} triples " in done.stdout and f" into <{GRAPH}> at " in done.stdout
        assert re.search(rf"\(default graph\) +{re.escape(GRAPH)} +{len(SHIPPED)} +{len(SHIPPED)}\n", done.stdout)
        assert len(remote.RemoteStore(server.endpoint, graph=GRAPH)) == len(SHIPPED)
        one = server.connect(graph=GRAPH)
        assert [m.iri for m in one.find("LGPS", limit=3)] == [m.iri for m in SHIPPED.find("LGPS", limit=3)]
    finally:
        _drop(server, GRAPH)


def test_push_from_an_on_disk_store(oxigraph, tmp_path):
    store = tmp_path / "store"
    assert run_cli("load", "--store", str(store), "--no-validate").returncode == 0
    done = run_cli("push", "--store", str(store), "--endpoint", oxigraph.endpoint, "--graph", GRAPH + "/copy")
    _drop(oxigraph, GRAPH + "/copy")
    assert done.returncode == 0, done.stderr
    assert f"PUT {len(SHIPPED)} triples " in done.stdout and f" into <{GRAPH}/copy>" in done.stdout
    done = run_cli("push", "--store", str(store), "--endpoint", oxigraph.endpoint, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["triples_at_endpoint"] == SHIPPED.statement_count()


def test_oxigraph_needs_its_union_default_graph(tmp_path, capsys):
    """Without --union-default-graph, Oxigraph's default graph holds only the ontology: reading the sources'
    graphs through it would miss every fact, so a read stops with one line saying what to do. The ontology can
    go to a graph of its own (--ontology-graph), on any server."""
    process, endpoint = _start_oxigraph(tmp_path)
    try:
        done = run_cli("push", "--endpoint", endpoint, "--ontology-graph", GRAPH + "/onto", "--format", "json")
        assert done.returncode == 0, done.stderr
        targets = {g["local"]: g["target"] for g in json.loads(done.stdout)["graphs"]}
        assert targets[None] == GRAPH + "/onto" and all(k == v for k, v in targets.items() if k)
        read = run_cli("stats", "--endpoint", endpoint)
        assert read.returncode == 2 and len(read.stderr.strip().splitlines()) == 1, read.stderr
        assert "start it with `oxigraph serve --union-default-graph`" in read.stderr
    finally:
        _stop(process)
    process, endpoint = _start_oxigraph(tmp_path, "--union-default-graph")
    try:
        assert run_cli("push", "--endpoint", endpoint, "--ontology-graph", GRAPH + "/onto").returncode == 0
        assert _cli_json(capsys, "stats", "--endpoint", endpoint) == _cli_json(capsys, "stats")
    finally:
        _stop(process)


def test_virtuoso_reads_the_ontology_from_the_graph_named(virtuoso, capsys):
    """--ontology-graph on push and on the read commands: the ontology in a graph of one's choosing on Virtuoso."""
    onto = GRAPH + "/my-ontology"
    done = run_cli(*virtuoso.push_args(), "--ontology-graph", onto, "--format", "json")
    try:
        assert done.returncode == 0, done.stderr
        assert {g["local"]: g["target"] for g in json.loads(done.stdout)["graphs"]}[None] == onto
        read = ["stats", *virtuoso.read_args(), "--ontology-graph"]
        assert _cli_json(capsys, *read, onto) == _cli_json(capsys, "stats")
        without = _cli_json(capsys, *read, GRAPH + "/none")  # no ontology: no class, no kind
        import pyoxigraph as ox

        named = {q.triple for q in SHIPPED.store.store if not isinstance(q.graph_name, ox.DefaultGraph)}
        assert without["triples"] == len(named) < len(SHIPPED)
    finally:
        _drop(virtuoso, onto)


def test_push_errors_are_one_line(virtuoso):
    no_auth = run_cli("push", "--gsp", virtuoso.endpoint + "-graph-crud", "--graph", GRAPH)
    assert no_auth.returncode == 2
    assert "HTTP 403" in no_auth.stderr or "HTTP 401" in no_auth.stderr, no_auth.stderr
    assert len(no_auth.stderr.strip().splitlines()) == 1 and "Traceback" not in no_auth.stderr
    wrong = run_cli("push", "--endpoint", virtuoso.endpoint, "--graph", GRAPH, "--user", "dba", "--password", "nope")
    assert wrong.returncode == 2 and "HTTP 401: the credentials were refused" in wrong.stderr, wrong.stderr
    unknown = run_cli("push", "--endpoint", "http://127.0.0.1:9/somewhere")
    assert unknown.returncode == 2 and "--gsp" in unknown.stderr


# ------------------------------------------------------------------------------ reading


def _cli_json(capsys, *args: str):
    code = cli.main([*args, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def test_read_commands_answer_as_in_memory(server, capsys, tmp_path):
    for args in (
        ["stats"],  # per source too: GRAPH ?g sees the sources apart
        ["sources"],
        ["find", "dendrite", "--limit", "8"],
        ["show", "LGPS"],
        ["show", "PEO/LiTFSI filled into a polyimide film"],  # quantities with blank-node conditions
        ["mitigations", "dendrite penetration"],
        ["risks", "LGPS"],
        ["paths", "moisture reactivity", "thermal runaway", "--max-hops", "3"],  # 25 paths: none cut off
        ["gaps"],
    ):  # `query` and `check` run stored queries: the tests below compare their answers value by value
        assert _cli_json(capsys, *args, *server.read_args()) == _cli_json(capsys, *args), args
    for name, options in (("all", []), ("around", ["--around", "LGPS"])):  # --around reads axioms (blank nodes)
        assert cli.main(["export", "-o", str(tmp_path / f"{name}-r.nt"), *options, *server.read_args()]) == 0
        assert cli.main(["export", "-o", str(tmp_path / f"{name}-m.nt"), *options]) == 0
        strip = lambda p: sorted(x for x in p.read_text().splitlines() if "_:" not in x)  # noqa: E731
        assert strip(tmp_path / f"{name}-r.nt") == strip(tmp_path / f"{name}-m.nt")
        assert len((tmp_path / f"{name}-r.nt").read_text().splitlines()) == len(
            (tmp_path / f"{name}-m.nt").read_text().splitlines()
        )


def test_caches_fetch_once_not_per_entity(server):
    """Labels, types and the search index come in one request each, whatever the number of entities."""
    g = server.connect()
    iris = [m.iri for m in SHIPPED.find("electrolyte", limit=200)]
    assert len(iris) > 30
    g.label(iris[0])
    assert g.store.requests == 2  # which graphs to read (asked once), then the labels
    assert [g.label(i) for i in iris] == [SHIPPED.label(i) for i in iris]
    assert g.store.requests == 2
    g.kind(iris[0])
    after_kind = g.store.requests
    assert [g.kind(i) for i in iris] == [SHIPPED.kind(i) for i in iris]
    assert g.store.requests == after_kind <= 4  # the graphs to read, labels, types and superclasses
    g.find("llzo")
    after_find = g.store.requests
    g.find("peo")
    g.find("thermal runaway")
    assert g.store.requests == after_find


def test_query_errors_read_as_on_the_embedded_store(server):
    bad = "SELECT ?x WHERE { ?x ?p }"
    local = run_cli("query", "-", stdin=bad)
    there = run_cli("query", "-", *server.read_args(), stdin=bad)
    assert there.returncode == local.returncode == 2
    assert there.stderr == local.stderr  # <stdin>:line:column, parsed before anything is sent
    down = run_cli("stats", "--endpoint", f"http://127.0.0.1:{_free_port()}/sparql")
    assert down.returncode == 2 and "cannot reach the endpoint" in down.stderr
    not_http = run_cli("stats", "--endpoint", "ftp://example.org/sparql")
    assert not_http.returncode == 2 and "not an http(s) URL" in not_http.stderr


def test_fast_validation_runs_its_checks_at_the_endpoint(server, tmp_path):
    """`validate --engine fast --endpoint URL` stopped at AttributeError (a remote store has no named_graphs), so
    `auto` failed at 50,000 triples on an endpoint. The compiled checks now run as SPARQL at the endpoint; on a
    graph with eighteen defects they find what they find on the same graph in memory."""
    from collections import Counter

    import pyoxigraph as ox
    from test_shaclfast import MUTATIONS, several_labels

    from kg.core.namespaces import SPARQL_PREFIXES
    from kg.facade import KnowledgeGraph
    from kg.validation.shacl import validate

    done = run_cli("validate", "--engine", "fast", *server.read_args())
    assert done.returncode == 0, done.stderr
    assert f"conforms: 0 violation(s), 0 warning(s); {len(SHIPPED)} triples" in done.stdout
    creds = {"user": server.user, "password": server.password} if server.user else {}
    shipped = remote.connect(server.endpoint, **creds)
    assert validate(shipped, engine="fast").conforms
    # Oxigraph runs every check itself; Virtuoso refuses open-ended paths, and the graph is then read once
    assert (shipped.store._mirror is None) == (server.name == "oxigraph")

    store = ox.Store()
    store.extend(SHIPPED.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for update, _ in MUTATIONS:
        store.update(SPARQL_PREFIXES + update)
    mutated = KnowledgeGraph(store, SHIPPED.sources)
    remote.push(mutated, endpoint=server.endpoint, graph_iri=GRAPH + "/mutated", **creds)
    try:
        there = validate(remote.connect(server.endpoint, graph=GRAPH + "/mutated", **creds), engine="fast")
    finally:
        _drop(server, GRAPH + "/mutated")
    here = validate(mutated, engine="fast")
    ambiguous = several_labels(mutated)

    def key(r):  # blank nodes are named differently in each store; a node with two labels may show either
        blank = r.focus.startswith("_:")
        label = None if r.focus in ambiguous or blank and r.subject in ambiguous else r.focus_label
        value = "_:" if blank and r.value == r.focus[2:] else r.value
        return (
            r.severity,
            "_:" if blank else r.focus,
            label,
            r.subject,
            r.path,
            value,
            r.shape,
            r.constraint,
            r.message,
        )

    assert (there.violations, there.triples) == (here.violations, here.triples)
    assert Counter(map(key, there.results)) == Counter(map(key, here.results))


def test_truncated_answers_are_refused(virtuoso):
    """Virtuoso cuts answers at ResultSetMaxRows and says so only in a header: never a silent cut."""
    many = f"SELECT ?s ?t WHERE {{ ?s a ?t . ?x a owl:Class }} LIMIT {ROWS + 10}"
    done = run_cli("query", "-", *virtuoso.read_args(), "--format", "csv", stdin=many)
    assert done.returncode == 2
    assert f"returned only the first {ROWS} rows" in done.stderr, done.stderr


def test_parameters_are_bound_on_the_endpoint(server):
    """A label given as a parameter is resolved on the endpoint and bound there, as on the embedded store."""
    query = next(q for q in STORED if q.name == "cq-19-outcomes-of-strategy")
    params = {"strategy": "LLZO nanofibre reinforcement of PEO"}  # not the default, "LiF addition to LiBH4"
    there = _answers(server.connect(), query, params)
    here = _answers(SHIPPED, query, params)
    assert there == here and sum(here.values()) >= 1
    assert here != _answers(SHIPPED, query)
    args = ["query", query.name, "--param", f"strategy={params['strategy']}", "--format", "csv"]
    done = run_cli(*args, *server.read_args())
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1 + sum(here.values())


# ------------------------------------------------------------------------------ the stored queries


def _concatenated(text: str) -> set[str]:
    """Variables that hold a GROUP_CONCAT (whose order SPARQL leaves open)."""
    found = set()
    for match in re.finditer(r"\bAS\s+\?(\w+)\s*\)", text):
        depth, i = 0, match.end() - 1
        while i >= 0:
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                break
            i -= 1
        if "GROUP_CONCAT" in text[i : match.end()].upper():
            found.add(match.group(1))
    return found


def _sampled(text: str) -> set[str]:
    """Variables that hold a SAMPLE: any value of the group will do, so none is compared."""
    return set(re.findall(r"\bSAMPLE\s*\([^()]*\)\s+AS\s+\?(\w+)", text, re.I))


def _normal(value, concatenated: bool):
    """Compare values, not spellings: 25 and 25.0 and "25.0"^^xsd:double are one number; a boolean and Virtuoso's
    0/1 for EXISTS are one truth value; blank nodes have no name to compare; a GROUP_CONCAT is a set of items."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        number = float(value)
        return int(number) if number.is_integer() else float(f"{number:.9g}")
    if isinstance(value, str) and value.startswith("_:"):
        return "_:"
    if concatenated and isinstance(value, str):
        return tuple(sorted(item.strip() for item in re.split(r"[;,]", value)))
    return value


def _answers(graph, query, params=None) -> collections.Counter:
    concatenated, sampled = _concatenated(query.text), _sampled(query.text)
    return collections.Counter(
        tuple(sorted((k, "(sample)" if k in sampled else _normal(v, k in concatenated)) for k, v in row.items()))
        for row in sparql.run(graph, query.name, params).rows
    )


STORED = kg.queries()


@pytest.mark.parametrize("query", STORED, ids=lambda q: q.name)
def test_stored_query_on_oxigraph_server(oxigraph, query):
    assert _answers(oxigraph.connect(), query) == _answers(SHIPPED, query)


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            q,
            marks=pytest.mark.xfail(
                strict=q.name not in VIRTUOSO_UNSTABLE, reason="Virtuoso: " + VIRTUOSO_DIFFERS[q.name]
            ),
        )
        if q.name in VIRTUOSO_DIFFERS
        else q
        for q in STORED
    ],
    ids=lambda q: q.name,
)
def test_stored_query_on_virtuoso(virtuoso, query):
    # a query Virtuoso does not finish is given 10 s, not the client's default minute
    timeout = 10.0 if query.name in VIRTUOSO_TOO_SLOW else 60.0
    assert _answers(virtuoso.connect(timeout=timeout), query) == _answers(SHIPPED, query)


def test_the_virtuoso_list_names_real_queries():
    assert set(VIRTUOSO_DIFFERS) <= {q.name for q in STORED}
