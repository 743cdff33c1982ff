"""Views of the graph by source (``--source KEY``), queries that choose their graphs (``FROM``, ``GRAPH``, the
protocol's dataset), dataset-aware exports (TriG, N-Quads, and the ``sources`` of GEXF and GraphML), and the
endpoint's ``/sources`` page, against real stores, real files and a real server on loopback."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import REPO, run_cli
from lxml import etree

import kg
from kg.core import resources
from kg.core.backends.union import UnionStore, dataset_clause, graph_iri
from kg.core.jsonout import to_json
from kg.core.namespaces import DCTERMS, PREFIXES, SSLMB

GRAPHS = REPO / "sources" / "graphs"
GEXF = "{http://gexf.net/1.3}"
LGPS = SSLMB + "LGPS"
OBELIX = graph_iri("obelix")
WANG = graph_iri("wang2020")


def shipped_keys() -> list[str]:
    """The source keys, read from the files: the review's record and one TriG file per added source."""
    review = (REPO / "ontology" / "instances" / "review.ttl").read_text(encoding="utf-8")
    return sorted(re.findall(r'sslmb:sourceKey "([^"]+)"', review) + [p.stem for p in GRAPHS.glob("*.trig")])


def quads_of(path: Path) -> list[ox.Quad]:
    return list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG))


@pytest.fixture(scope="module")
def review_only() -> kg.KnowledgeGraph:
    """A graph built from the review's own files and the ontology, nothing else."""
    return kg.KnowledgeGraph.from_files([resources.ontology_file(), *resources.instance_files()])


# ------------------------------------------------------------------------------------------ --source


@pytest.mark.parametrize(
    "command",
    [("show", "LGPS"), ("mitigations", "dendrite"), ("risks", "LLZO"), ("stats",), ("gaps",), ("sources",)],
)
def test_source_view_answers_as_the_reviews_own_files(command, review_only, graph):
    done = run_cli(*command, "--format", "json", "--source", "wang2020")
    assert done.returncode == 0, done.stderr
    method = {"show": "describe", "sources": "sources_info"}.get(command[0], command[0])
    expected = to_json(getattr(review_only, method)(*command[1:]))
    assert done.stdout == expected + "\n"
    if command[0] in ("show", "stats", "sources"):  # the whole graph answers otherwise: the view is not a no-op
        assert to_json(getattr(graph, method)(*command[1:])) != expected


def test_unknown_source_is_one_line_and_exit_2():
    done = run_cli("show", "LGPS", "--source", "nope")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == f"sslmb: error: unknown source 'nope'; the sources are: {', '.join(shipped_keys())}\n"


def test_source_is_repeatable_and_lists_only_the_chosen(graph):
    done = run_cli("sources", "--format", "json", "--source", "obelix", "--source", "yersak2022")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["key"] for r in rows] == ["obelix", "yersak2022"]
    assert rows[0]["statements"] == len(quads_of(GRAPHS / "obelix.trig"))


def test_source_works_on_an_on_disk_store(tmp_path):
    store = tmp_path / "store"
    kg.bulk_load([], store, validate=False, progress=False)
    done = run_cli("sources", "--store", str(store), "--source", "dendrite_md2025", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert [r["key"] for r in json.loads(done.stdout)] == ["dendrite_md2025"]


def test_graph_and_source_together_are_refused():
    done = run_cli("stats", "--endpoint", "http://127.0.0.1:9/sparql", "--graph", "x:y", "--source", "obelix")
    assert done.returncode == 2 and done.stderr.startswith("sslmb: error: --graph reads one graph")


def test_a_view_holds_the_ontology_and_the_chosen_graphs_only(graph):
    view = graph.view("obelix", "yersak2022")
    expected = {graph_iri("obelix"), graph_iri("yersak2022")}
    assert {g.value for g in view.store.named_graphs()} == expected
    rows = view.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert {r["g"] for r in rows} == expected
    assert view.select(f"SELECT ?s WHERE {{ GRAPH <{WANG}> {{ ?s ?p ?o }} }} LIMIT 1") == []
    # the ontology (default graph) is there; the review's label of LLTO is not, the formula obelix names it by is
    assert view.label(SSLMB + "Electrolyte") == graph.label(SSLMB + "Electrolyte") == "electrolyte"
    llto = SSLMB + "LLTO"
    labels = {r["l"] for r in view.select("SELECT ?e ?l WHERE { ?e rdfs:label|skos:altLabel ?l }", e=llto)}
    assert "La0.56Li0.33TiO3" in labels and "LLTO" not in labels
    assert "LLTO" in {r["l"] for r in graph.select("SELECT ?e ?l WHERE { ?e rdfs:label ?l }", e=llto)}
    # patterns and counts agree with the files
    obelix_triples = {q.triple for q in quads_of(GRAPHS / "obelix.trig")}
    assert sum(1 for _ in view.store.quads_for_pattern(None, None, None, ox.NamedNode(OBELIX))) == len(obelix_triples)
    assert list(view.store.quads_for_pattern(None, None, None, ox.NamedNode(WANG))) == []


# ------------------------------------------------------------------------------------------ FROM and GRAPH


def test_from_chooses_the_graphs_a_query_names(graph):
    """Oxigraph's union option overrides FROM; the union store must not let it."""
    obelix = len({q.triple for q in quads_of(GRAPHS / "obelix.trig")})
    count = "SELECT (COUNT(*) AS ?n) FROM <%s> WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    assert graph.select(count % OBELIX)[0]["n"] == obelix
    prefixed = "PREFIX gr: <https://w3id.org/sslmb/graph/>\n" + (count % OBELIX).replace(f"<{OBELIX}>", "gr:obelix")
    assert graph.select(prefixed)[0]["n"] == obelix
    named = f"SELECT DISTINCT ?g FROM NAMED <{OBELIX}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert [r["g"] for r in graph.select(named)] == [OBELIX]
    # without FROM, the union
    assert graph.select("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")[0]["n"] == len(
        graph
    )
    # in a view, FROM can only choose among the view's graphs
    view = graph.view("wang2020")
    assert view.select(count % OBELIX)[0]["n"] == 0
    assert view.select(count % WANG)[0]["n"] > 0


def test_from_in_strings_comments_and_iris_is_no_dataset_clause():
    assert dataset_clause("SELECT * WHERE { ?s ?p 'FROM <x:y>' } # FROM <x:z>") is None
    assert dataset_clause("SELECT * WHERE { ?s <x:FROM> ?from }") is None
    assert dataset_clause('SELECT * WHERE { ?s ?p "x"@from }') is None
    assert dataset_clause("select * from <x:a> from named <x:b> where {}") == (["x:a"], ["x:b"])


def test_graph_query_lists_the_four_source_graphs(graph):
    rows = graph.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {r["g"] for r in rows} == {graph_iri(k) for k in shipped_keys()}
    assert {r["g"]: r["n"] for r in rows}[OBELIX] == len(quads_of(GRAPHS / "obelix.trig"))


def test_cli_query_with_from(tmp_path):
    text = tmp_path / "q.rq"
    text.write_text(f"SELECT (COUNT(DISTINCT ?s) AS ?n) FROM <{OBELIX}> WHERE {{ ?s a sslmb:DataSet }}\n")
    done = run_cli("query", str(text), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["n", "1"]


# ------------------------------------------------------------------------------------------ exports


def canonical(quads) -> ox.Dataset:
    data = ox.Dataset(quads)
    data.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return data


@pytest.mark.parametrize("fmt, ox_format", [("trig", ox.RdfFormat.TRIG), ("nq", ox.RdfFormat.N_QUADS)])
def test_dataset_exports_keep_every_named_graph(fmt, ox_format, tmp_path):
    target = tmp_path / f"kg.{fmt}"
    done = run_cli("export", "-o", str(target))
    assert done.returncode == 0, done.stderr
    written = list(ox.parse(path=str(target), format=ox_format))
    shipped = ox.Store()
    for path in resources.graph_files():  # the files themselves, each into its graph
        graph = resources.target_graph(path)
        shipped.load(path=str(path), format=_format(path), to_graph=ox.NamedNode(graph) if graph else None)
    assert canonical(written) == canonical(shipped)
    assert {q.graph_name.value for q in written if isinstance(q.graph_name, ox.NamedNode)} == {
        graph_iri(k) for k in shipped_keys()
    }


def _format(path: Path) -> ox.RdfFormat:
    return ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.TURTLE


def test_triple_exports_write_the_union_once(graph, tmp_path):
    target = tmp_path / "kg.nt"
    assert run_cli("export", "-o", str(target)).returncode == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == len(graph)
    union = {q.triple for path in resources.graph_files() for q in ox.parse(path=str(path), format=_format(path))}
    assert len(lines) == len(union)


@pytest.mark.parametrize("fmt", ["trig", "ttl"])
def test_exports_carry_the_obelix_licence_and_attribution(fmt, tmp_path):
    target = tmp_path / f"kg.{fmt}"
    assert run_cli("export", "-o", str(target)).returncode == 0
    store = ox.Store()
    store.load(path=str(target), format=ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.TURTLE)
    record = ox.NamedNode(SSLMB + "source_obelix")
    licence = list(store.quads_for_pattern(record, ox.NamedNode(DCTERMS + "license"), None, None))
    citation = list(store.quads_for_pattern(record, ox.NamedNode(DCTERMS + "bibliographicCitation"), None, None))
    assert [q.object.value for q in licence] == ["https://creativecommons.org/licenses/by/4.0/"]
    assert len(citation) == 1 and "CC BY 4.0" in citation[0].object.value
    if fmt == "trig":  # in the source's own graph
        assert {q.graph_name for q in licence + citation} == {ox.NamedNode(OBELIX)}


def test_export_of_a_view_holds_only_its_graphs(tmp_path):
    target = tmp_path / "review.trig"
    assert run_cli("export", "-o", str(target), "--source", "wang2020").returncode == 0
    graphs = {q.graph_name for q in quads_of(target)}
    assert graphs == {ox.DefaultGraph(), ox.NamedNode(WANG)}


def test_gexf_and_graphml_carry_sources(graph, tmp_path):
    """Expected sources are read from the TriG files: a variant link stated by obelix with its evidence, and a
    quantity link of obelix that has no evidence of its own (the graph that states it is its source)."""
    obelix = ox.Store()
    obelix.extend(quads_of(GRAPHS / "obelix.trig"))
    variant = ox.NamedNode(SSLMB + "variantOf")
    axioms = obelix.query(
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?ax owl:annotatedSource ?s ; owl:annotatedProperty ?p ; "
        "owl:annotatedTarget ?o } } LIMIT 1",
        prefixes={"owl": "http://www.w3.org/2002/07/owl#"},
        substitutions={ox.Variable("p"): variant, ox.Variable("o"): ox.NamedNode(LGPS)},
    )
    member = next(iter(axioms))["s"].value
    quantity = next(iter(obelix.quads_for_pattern(ox.NamedNode(LGPS), ox.NamedNode(SSLMB + "hasQuantity"), None)))
    target = tmp_path / "kg.gexf"
    assert run_cli("export", "-o", str(target)).returncode == 0
    root = etree.parse(str(target)).getroot()
    relaxng = etree.RelaxNG(etree.parse(str(REPO / "tests" / "data" / "gexf-1.3" / "gexf.rng")))
    assert relaxng.validate(root.getroottree()), relaxng.error_log

    def values(el) -> dict[str, str]:
        return {v.get("for"): v.get("value") for v in el.find(f"{GEXF}attvalues")}

    nodes = {el.get("id"): values(el) for el in root.iter(f"{GEXF}node")}
    edges = {(el.get("source"), el.get("kind"), el.get("target")): values(el) for el in root.iter(f"{GEXF}edge")}
    assert nodes[LGPS]["sources"] == "wang2020"
    assert nodes[member]["sources"] == "obelix"
    assert edges[(member, "sslmb:variantOf", LGPS)]["sources"] == "obelix"
    assert edges[(LGPS, "sslmb:hasQuantity", quantity.object.value)]["sources"] == "obelix"
    assert {v["sources"] for v in nodes.values()} >= {"wang2020", "obelix", "dendrite_md2025", "yersak2022"}

    graphml = tmp_path / "kg.graphml"
    assert run_cli("export", "-o", str(graphml)).returncode == 0
    import networkx as nx

    read = nx.read_graphml(graphml)
    assert read.nodes[LGPS]["sources"] == "wang2020" and read.nodes[member]["sources"] == "obelix"
    found = [
        d["sources"] for u, v, d in read.edges(data=True) if (u, v, d["relation"]) == (member, LGPS, "sslmb:variantOf")
    ]
    assert found == ["obelix"]


# ------------------------------------------------------------------------------------------ the endpoint


@pytest.fixture(scope="module")
def server():
    from test_server import Server

    srv = Server("--workers", "1", "--max-rows", "100000")  # a source's graph read whole fits under the cap
    yield srv
    if srv.proc.poll() is None:
        srv.stop()


def _ask(server, text: str, **dataset: list[str]):
    form = [("query", text)] + [(k.replace("_", "-"), v) for k, vs in dataset.items() for v in vs]
    body = urllib.parse.urlencode(form).encode()
    status, _, data = server.request(
        "POST",
        "/sparql",
        body,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"},
    )
    assert status == 200, data
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(data)["results"]["bindings"]]


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


@pytest.mark.slow
def test_endpoint_reads_the_union_and_the_graphs_a_query_names(server, graph):
    obelix = len({q.triple for q in quads_of(GRAPHS / "obelix.trig")})
    rows = _ask(server, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    assert {r["g"] for r in rows} == {graph_iri(k) for k in shipped_keys()}
    assert _ask(server, COUNT) == [{"n": str(len(graph))}]
    assert _ask(server, COUNT.replace("WHERE", f"FROM <{OBELIX}> WHERE", 1)) == [{"n": str(obelix)}]
    assert _ask(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{OBELIX}> {{ ?s ?p ?o }} }}") == [{"n": str(obelix)}]
    # the protocol's dataset, which overrides FROM
    assert _ask(server, COUNT, default_graph_uri=[OBELIX]) == [{"n": str(obelix)}]
    assert _ask(server, COUNT.replace("WHERE", f"FROM <{WANG}> WHERE", 1), default_graph_uri=[OBELIX]) == [
        {"n": str(obelix)}
    ]
    named = _ask(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graph_uri=[OBELIX, WANG])
    assert {r["g"] for r in named} == {OBELIX, WANG}


@pytest.mark.slow
def test_sources_page_json_equals_the_cli(server):
    cli = run_cli("sources", "--format", "json")
    assert cli.returncode == 0
    for path, headers in (("/sources?format=json", {}), ("/sources", {"Accept": "application/json"})):
        status, got, body = server.request("GET", path, headers=headers)
        assert status == 200 and got["content-type"].startswith("application/json")
        assert body.decode("utf-8") == cli.stdout
    status, got, body = server.request("GET", "/sources", headers={"Accept": "text/html"})
    page = body.decode("utf-8")
    assert status == 200 and got["content-type"].startswith("text/html")
    for row in json.loads(cli.stdout):
        assert f">{row['key']}</a>" in page and row["graph"] in page
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in page
    assert server.request("GET", "/sources?format=xml")[0] == 400


@pytest.mark.slow
def test_fact_sheet_shows_the_source_of_each_number_and_link(server, graph):
    status, _, body = server.request("GET", "/entity/LGPS", headers={"Accept": "text/html"})
    page = body.decode("utf-8")
    assert status == 200
    numbers = page.split("<h2>Numbers</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", numbers)[1:]
    by_source = {key: [r for r in rows if f">{key}</a>" in r] for key in ("wang2020", "obelix")}
    assert by_source["wang2020"] and by_source["obelix"]
    obelix = ox.Store()
    obelix.extend(quads_of(GRAPHS / "obelix.trig"))
    dois = {
        r["doi"].value
        for r in obelix.query(
            "SELECT ?e ?doi WHERE { GRAPH ?g { ?e sslmb:hasQuantity ?q . "
            "?q prov:hadPrimarySource ?w . ?w bibo:doi ?doi } }",
            prefixes=PREFIXES,
            substitutions={ox.Variable("e"): ox.NamedNode(LGPS)},
        )
    }
    assert dois
    for doi in dois:
        assert any("obelix</a>: " in r and f">doi:{doi}</a>" in r for r in by_source["obelix"]), doi
    links = page.split("<h2>Links</h2>", 1)[1].split("</table>", 1)[0]
    assert ">obelix</a>" in links and ">wang2020</a>: " in links


@pytest.mark.slow
def test_a_server_on_one_source_serves_that_view_only():
    from test_server import Server

    srv = Server("--workers", "1", "--source", "wang2020")
    try:
        rows = _ask(srv, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert [r["g"] for r in rows] == [WANG]
        review = kg.KnowledgeGraph.from_files([resources.ontology_file(), *resources.instance_files()])
        assert _ask(srv, COUNT) == [{"n": str(len(review))}]
        status, _, body = srv.query(f"SELECT * FROM <{OBELIX}> WHERE {{ ?s ?p ?o }}")
        assert status == 400 and b"not allowed" in body
        cli = run_cli("sources", "--format", "json", "--source", "wang2020")
        assert srv.request("GET", "/sources?format=json")[2].decode() == cli.stdout
        # this server caps results at 10,000 rows: a graph read whole through it would be cut, and is refused
        done = run_cli("stats", "--endpoint", srv.url + "sparql", "--source", "wang2020")
        triples = len(review) - len(kg.KnowledgeGraph.from_files([resources.ontology_file()]))
        assert done.returncode == 2
        assert done.stderr == (
            f"sslmb: error: the endpoint sent 10000 of the {triples} triples of <{WANG}> (does it cap its results?)\n"
        )
    finally:
        srv.stop()


@pytest.mark.slow
@pytest.mark.parametrize("command", [("show", "LGPS"), ("mitigations", "dendrite"), ("sources",)])
def test_source_view_of_an_endpoint_answers_as_the_local_view(server, command):
    remote = run_cli(*command, "--format", "json", "--endpoint", server.url + "sparql", "--source", "wang2020")
    local = run_cli(*command, "--format", "json", "--source", "wang2020")
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout


def test_serve_with_an_unknown_source_fails_before_starting():
    done = run_cli("serve", "--port", "0", "--source", "nope")
    assert done.returncode == 2 and done.stderr.startswith("sslmb: error: unknown source 'nope'")


def test_union_store_over_chosen_graphs_dumps_only_them():
    raw = ox.Store()
    a, b, s, p = (ox.NamedNode(f"http://example.org/{x}") for x in "abSP")
    raw.add(ox.Quad(s, p, ox.Literal("in a"), a))
    raw.add(ox.Quad(s, p, ox.Literal("in b"), b))
    raw.add(ox.Quad(s, p, ox.Literal("both"), a))
    raw.add(ox.Quad(s, p, ox.Literal("both"), b))
    raw.add(ox.Quad(s, p, ox.Literal("ontology"), ox.DefaultGraph()))
    view = UnionStore(raw, [a.value])
    assert len(view) == 3
    assert sorted(t.object.value for t in view.triples()) == ["both", "in a", "ontology"]
    dumped = list(ox.parse(view.dump(format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name for q in dumped} == {a, ox.DefaultGraph()}
    assert view.graph_of(s, p, ox.Literal("both")) == [a.value]
    assert UnionStore(raw).graph_of(s, p, ox.Literal("both")) == [a.value, b.value]
    assert len(UnionStore(raw)) == 4


def test_network_export_of_a_view_names_its_sources_and_holds_only_theirs(tmp_path):
    target = tmp_path / "review.gexf"
    assert run_cli("export", "-o", str(target), "--source", "dendrite_md2025").returncode == 0
    root = etree.parse(str(target)).getroot()
    assert root.find(f"{GEXF}meta/{GEXF}description").text.endswith("(sources: dendrite_md2025)")
    found = {v.get("value") for v in root.iter(f"{GEXF}attvalue") if v.get("for") == "sources"}
    assert found == {"dendrite_md2025", ""}
