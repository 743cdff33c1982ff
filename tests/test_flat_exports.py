"""The flat exports (KGX TSV, Neo4j import CSV) against checkers of their specifications, read back into networkx
and compared with the GEXF export of the same graph; compact JSON-LD read back by two parsers; the JSON-LD context
file and the endpoint route that serves it; canonical blank-node labels."""

from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from helpers import run_cli

import kg
from kg.core.namespaces import PREFIXES
from kg.output.kgx import EXTRA_PREFIXES

KNOWN_PREFIXES = {**PREFIXES, **EXTRA_PREFIXES}
# W3C CURIE: a prefix (an NCName) and a reference; KGX lists use "|", so neither it nor white space may appear.
CURIE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*):([^\s|]+)$")
# Biolink's KnowledgeLevelEnum and AgentTypeEnum (biolink-model, the slots KGX requires on every edge).
KNOWLEDGE_LEVELS = {
    "knowledge_assertion", "logical_entailment", "prediction", "statistical_association", "observation",
    "not_provided",
}  # fmt: skip
AGENT_TYPES = {
    "manual_agent", "automated_agent", "data_analysis_pipeline", "computational_model", "text_mining_agent",
    "image_processing_agent", "manual_validation_of_automated_agent", "not_provided",
}  # fmt: skip
GEXF = "{http://gexf.net/1.3}"


def expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return KNOWN_PREFIXES[prefix] + local


def read_tsv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        rows = list(reader)
        assert all(None not in row and None not in row.values() for row in rows), f"{path.name}: ragged rows"
        return list(reader.fieldnames or []), rows


@pytest.fixture(scope="module")
def exported(graph, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("flat")
    graph.export(folder / "kgx", format="kgx")
    graph.export(folder / "neo4j", format="neo4j")
    graph.export(folder / "kg.gexf")
    return folder


# ------------------------------------------------------------------------------------------ KGX


def check_kgx(folder: Path) -> list[str]:
    """Problems with a KGX TSV pair, by the KGX format's rules (an empty list when there is none)."""
    problems = []
    node_columns, nodes = read_tsv(folder / "nodes.tsv")
    edge_columns, edges = read_tsv(folder / "edges.tsv")
    for required in ("id", "category"):
        if required not in node_columns:
            problems.append(f"nodes.tsv: no {required} column")
    for required in ("subject", "predicate", "object", "knowledge_level", "agent_type", "primary_knowledge_source"):
        if required not in edge_columns:
            problems.append(f"edges.tsv: no {required} column")
    ids = [n["id"] for n in nodes]
    if len(ids) != len(set(ids)):
        problems.append("nodes.tsv: ids repeat")
    for node in nodes:
        categories = node.get("category", "").split("|") if node.get("category") else []
        for value in [node["id"], *categories]:
            match = CURIE.match(value)
            if not match or match.group(1) not in KNOWN_PREFIXES:
                problems.append(f"nodes.tsv: {value!r} is not a CURIE with a declared prefix")
        if not any(c.startswith("biolink:") for c in categories):
            problems.append(f"nodes.tsv: {node['id']} has no Biolink category")
    known = set(ids)
    edge_ids = [e["id"] for e in edges]
    if len(edge_ids) != len(set(edge_ids)):
        problems.append("edges.tsv: ids repeat")
    for edge in edges:
        for column in ("subject", "predicate", "object", "original_predicate"):
            match = CURIE.match(edge[column])
            if not match or match.group(1) not in KNOWN_PREFIXES:
                problems.append(f"edges.tsv: {column} {edge[column]!r} is not a CURIE with a declared prefix")
        for end in ("subject", "object"):
            if edge[end] not in known:
                problems.append(f"edges.tsv: {end} {edge[end]} is not a node")
        if edge["knowledge_level"] not in KNOWLEDGE_LEVELS or edge["agent_type"] not in AGENT_TYPES:
            problems.append(f"edges.tsv: {edge['id']} knowledge_level/agent_type outside Biolink's values")
        if not edge["primary_knowledge_source"] or "|" in edge["primary_knowledge_source"]:
            problems.append(f"edges.tsv: {edge['id']} needs exactly one primary knowledge source")
    return problems


def test_kgx_follows_the_format(exported):
    assert check_kgx(exported / "kgx") == []


def test_the_kgx_checker_finds_broken_files(exported, tmp_path):
    columns, nodes = read_tsv(exported / "kgx" / "nodes.tsv")
    edge_columns, edges = read_tsv(exported / "kgx" / "edges.tsv")
    nodes[0]["id"] = "not a curie"
    edges[0]["subject"] = "sslmb:NoSuchNode"
    edges[1]["knowledge_level"] = "hearsay"
    for name, cols, rows in (("nodes.tsv", columns, nodes[:50]), ("edges.tsv", edge_columns, edges)):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=[c for c in cols if c != "category"], delimiter="\t",
                                    extrasaction="ignore")  # fmt: skip
            writer.writeheader()
            writer.writerows(rows)
    found = "\n".join(check_kgx(tmp_path))
    for expected in ("no category column", "'not a curie' is not a CURIE", "is not a node", "outside Biolink"):
        assert expected in found


def gexf_network(path: Path) -> tuple[set[str], list[tuple[str, str, str]]]:
    root = ET.parse(path).getroot()
    nodes = {n.get("id") for n in root.iter(f"{GEXF}node")}
    edges = [(e.get("source"), e.get("target"), e.get("kind")) for e in root.iter(f"{GEXF}edge")]
    return nodes, edges  # type: ignore[return-value]


def test_kgx_read_back_is_the_gexf_network(exported):
    _, nodes = read_tsv(exported / "kgx" / "nodes.tsv")
    _, edges = read_tsv(exported / "kgx" / "edges.tsv")
    back = nx.MultiDiGraph()
    back.add_nodes_from(expand(n["id"]) for n in nodes)
    for e in edges:
        back.add_edge(expand(e["subject"]), expand(e["object"]), key=e["original_predicate"])
    gexf_nodes, gexf_edges = gexf_network(exported / "kg.gexf")
    assert back.number_of_nodes() == len(gexf_nodes) > 1000
    assert back.number_of_edges() == len(gexf_edges) > 1000
    assert set(back.nodes) == gexf_nodes
    assert set(back.edges(keys=True)) == set(gexf_edges)


def test_kgx_sources_are_the_named_graphs_holding_each_triple(exported, graph):
    from kg.model.sources import sources

    _, edges = read_tsv(exported / "kgx" / "edges.tsv")
    name = {s.graph: f"doi:{s.doi}" if s.doi else "sslmb:" + s.iri.rsplit("/", 1)[1] for s in sources(graph)}
    checked = 0
    for e in edges:
        if e["original_predicate"] not in ("sslmb:mitigates", "sslmb:causes", "sslmb:hasQuantity"):
            continue
        s, p, o = (ox.NamedNode(expand(e[c])) for c in ("subject", "original_predicate", "object"))
        bound = {ox.Variable("s"): s, ox.Variable("p"): p, ox.Variable("o"): o}
        rows = graph.store.query("SELECT DISTINCT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions=bound)
        expected = {name[r["g"].value] for r in rows}
        assert set(e["knowledge_source"].split("|")) == expected, e
        assert e["primary_knowledge_source"] in expected
        checked += 1
    assert checked > 500
    causes = [e for e in edges if e["original_predicate"] == "sslmb:causes"]
    assert causes and all(e["predicate"] == "biolink:causes" for e in causes)
    obelix = [e for e in edges if e["primary_knowledge_source"] == "sslmb:source_obelix"]
    assert obelix and all(e["agent_type"] == "automated_agent" for e in obelix)


def test_kgx_publications_are_the_dois_of_the_cited_works(exported, graph):
    _, edges = read_tsv(exported / "kgx" / "edges.tsv")
    cited = [e for e in edges if e["publications"]]
    assert cited
    dois = {str(r["d"]) for r in graph.select("SELECT ?d WHERE { ?w a sslmb:CitedWork ; bibo:doi ?d }")}
    for e in cited:
        for publication in e["publications"].split("|"):
            assert publication.startswith("sslmb:") or publication.removeprefix("doi:") in dois


# ------------------------------------------------------------------------------------------ Neo4j

NEO4J_TYPES = {"int", "long", "float", "double", "boolean", "byte", "short", "char", "string", "point", "date",
               "localtime", "time", "localdatetime", "datetime", "duration"}  # fmt: skip


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def check_neo4j_header(header: list[str], kind: str) -> list[str]:
    """Problems with a header of neo4j-admin's import CSV (``name:type``, ``:ID``, ``:LABEL``...)."""
    problems = []
    special = {"nodes": {"ID", "LABEL"}, "relationships": {"START_ID", "END_ID", "TYPE"}}[kind]
    names = []
    for column in header:
        name, _, type_ = column.partition(":")
        if type_ and type_.upper() in special:
            continue
        base = type_.removesuffix("[]")
        if type_ and base not in NEO4J_TYPES:
            problems.append(f"{column}: unknown type {type_}")
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            problems.append(f"{column}: not a property name")
        names.append(name)
    present = {c.partition(":")[2].upper() for c in header}
    problems += [f"no :{s} column" for s in sorted(special - present)]
    if len(names) != len(set(names)):
        problems.append("a property repeats")
    return problems


def typed(column: str, value: str) -> object:
    """A cell read as the importer would, by its header's type (an error for a value that does not parse)."""
    type_ = column.partition(":")[2]
    if value == "" or type_ in ("", "string", "ID", "LABEL", "START_ID", "END_ID", "TYPE"):
        return value
    if type_.endswith("[]"):
        return [typed(column.removesuffix("[]"), item) for item in value.split(";")]
    return {"double": float, "float": float, "int": int, "long": int}[type_](value)


def test_neo4j_files_follow_the_import_format(exported):
    node_header, nodes = read_csv(exported / "neo4j" / "nodes.csv")
    rel_header, rels = read_csv(exported / "neo4j" / "relationships.csv")
    assert check_neo4j_header(node_header, "nodes") == []
    assert check_neo4j_header(rel_header, "relationships") == []
    assert check_neo4j_header(["id:ID", "x:decimal", "bad name"], "nodes") != []
    for header, rows in ((node_header, nodes), (rel_header, rels)):
        for row in rows:
            assert len(row) == len(header)
            for column, value in zip(header, row, strict=True):
                typed(column, value)  # raises on a value that does not fit its type
    ids = [row[node_header.index("iri:ID")] for row in nodes]
    assert len(ids) == len(set(ids))
    known = set(ids)
    start, end, kind = (rel_header.index(c) for c in (":START_ID", ":END_ID", ":TYPE"))
    assert all(row[start] in known and row[end] in known for row in rels)
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", row[kind]) for row in rels)
    labels = node_header.index(":LABEL")
    assert all(row[labels].startswith("Entity;") for row in nodes)
    _, kgx_nodes = read_tsv(exported / "kgx" / "nodes.tsv")
    _, kgx_edges = read_tsv(exported / "kgx" / "edges.tsv")
    assert (len(nodes), len(rels)) == (len(kgx_nodes), len(kgx_edges))


def test_neo4j_quantities_carry_their_values_as_doubles(exported, graph):
    header, nodes = read_csv(exported / "neo4j" / "nodes.csv")
    by_iri = {row[0]: dict(zip(header, row, strict=True)) for row in nodes}
    rows = graph.select("SELECT ?q ?v WHERE { ?q a qudt:QuantityValue ; qudt:value ?v FILTER(isIRI(?q)) }")
    checked = 0
    for r in rows:
        if r["q"] in by_iri:
            assert typed("value:double", by_iri[r["q"]]["value:double"]) == pytest.approx(float(r["v"]))
            checked += 1
    assert checked > 500


# ------------------------------------------------------------------------------------------ JSON-LD


def test_context_file_names_every_prefix_of_the_vocabulary():
    from kg.core.resources import context_file

    context = json.loads(context_file().read_text(encoding="utf-8"))["@context"]
    assert context == PREFIXES
    for prefix in ("sslmb", "qudt", "prov", "cito", "bibo", "dcterms", "skos"):
        assert prefix in context


def test_jsonld_export_is_compact_and_reads_back(graph, tmp_path):
    path = graph.export(tmp_path / "kg.jsonld")
    text = path.read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["@context"] == PREFIXES
    assert '"sslmb:LGPS"' in text and '"https://w3id.org/sslmb/LGPS"' not in text
    quads = list(graph.store.quads_for_pattern(None, None, None, None))
    back = list(ox.parse(path=str(path), format=ox.RdfFormat.JSON_LD))
    assert len(back) == len(quads)

    def named(qs):  # quads without blank nodes compare as they are
        return {q for q in qs if not any(isinstance(t, ox.BlankNode) for t in (q.subject, q.object))}

    assert named(back) == named(quads)
    assert {q.graph_name for q in back} == {q.graph_name for q in quads}
    import rdflib

    dataset = rdflib.Dataset()
    dataset.parse(str(path), format="json-ld")
    assert sum(1 for _ in dataset.quads()) == len(quads)


def test_canonical_labels_do_not_depend_on_the_load():
    from kg.output.canonical import canonical_quads

    first, second = kg.load(), kg.load()
    raw = [sorted(str(q) for q in g.store.quads_for_pattern(None, None, None, None)) for g in (first, second)]
    assert raw[0] != raw[1]  # Oxigraph names blank nodes afresh at each load
    (one, ties), (two, _) = (
        canonical_quads(g.store.quads_for_pattern(None, None, None, None)) for g in (first, second)
    )
    assert one == two and ties == 0


# ------------------------------------------------------------------------------------------ the command line


def test_cli_writes_a_kgx_folder(tmp_path):
    done = run_cli("export", "--format", "kgx", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "nodes.tsv" in done.stderr and "edges.tsv" in done.stderr
    assert check_kgx(tmp_path / "out") == []


def test_cli_refuses_a_file_or_stdout_for_a_folder_format(tmp_path):
    (tmp_path / "file").write_text("x")
    for target in (str(tmp_path / "file"), "-"):
        done = run_cli("export", "--format", "neo4j", "-o", target)
        assert done.returncode == 2
        assert done.stderr.startswith("sslmb: error:") and len(done.stderr.splitlines()) == 1
    assert (tmp_path / "file").read_text() == "x"


@pytest.mark.slow
def test_endpoint_serves_the_context():
    from test_server import Server

    from kg.core.resources import context_file

    server = Server()
    try:
        status, headers, body = server.request("GET", "/context.jsonld")
        assert status == 200
        assert headers["content-type"].startswith("application/ld+json")
        assert headers["access-control-allow-origin"] == "*"
        assert body == context_file().read_bytes()
    finally:
        server.stop()


def test_the_readme_gives_the_import_command():
    from helpers import REPO

    from kg.output.neo4j import IMPORT_COMMAND

    assert IMPORT_COMMAND in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("options", [{}, {"bibliographic": False}, {"schema": True}])
def test_streamed_exports_are_the_files_built_from_the_whole_network(tmp_path, options):
    """The exports of the whole network are written as they are read from the store (Projection); they are the
    bytes the writers make from the networkx projection, for every choice of nodes."""
    import io

    from kg.analysis.network import Projection, to_networkx
    from kg.output import gexf, kgx, neo4j

    graph = kg.load()
    network, projection = to_networkx(graph, **options), Projection(graph, **options)
    kgx.write_kgx(graph, tmp_path / "kgx", projection)
    neo4j.write_neo4j(graph, tmp_path / "neo4j", projection)
    for folder, files in (("kgx", kgx.to_kgx(graph, network)), ("neo4j", neo4j.to_neo4j(graph, network))):
        assert {name: (tmp_path / folder / name).read_bytes() for name in files} == files
    with_sources = gexf.add_sources(graph, network)
    streamed = io.BytesIO()
    gexf.write_gexf(graph, streamed, projection, description="d")
    assert streamed.getvalue() == gexf.to_gexf(with_sources, description="d")
    streamed = io.BytesIO()
    gexf.write_graphml(graph, streamed, projection)
    assert streamed.getvalue() == gexf.to_graphml(with_sources)
