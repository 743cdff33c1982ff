"""Network exports: GEXF 1.3 (schema, graphology-gexf, networkx round trip), GraphML, and --around subsets."""

from __future__ import annotations

import collections
import itertools
import json
import math
import os
import subprocess
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from helpers import DATA, REPO, require_tool, run_cli
from lxml import etree

import kg
from kg.analysis.network import to_networkx
from kg.output import gexf, palette

GEXF = "{http://gexf.net/1.3}"
VIZ = "{http://gexf.net/1.3/viz}"
SCHEMA = DATA / "gexf-1.3" / "gexf.rng"
JS = REPO / "tests" / "js"
LGPS = "https://w3id.org/sslmb/LGPS"
DENDRITES = "https://w3id.org/sslmb/LithiumDendritePenetration"


@pytest.fixture(scope="module")
def network(graph):
    return to_networkx(graph)


@pytest.fixture(scope="module")
def gexf_file(graph, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("gexf") / "kg.gexf"
    graph.export(target)
    return target


@pytest.fixture(scope="module")
def relaxng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def relations(g) -> collections.Counter:
    """The edges as a multiset of (source, target, relation)."""
    return collections.Counter((u, v, d["relation"]) for u, v, d in g.edges(data=True))


def numbers(data: dict) -> dict:
    return {k: v for k, v in data.items() if isinstance(v, float)}


# ------------------------------------------------------------------------------------------ schema


def test_gexf_is_valid_gexf_1_3(gexf_file, relaxng):
    doc = etree.parse(str(gexf_file))
    assert relaxng.validate(doc), relaxng.error_log
    root = doc.getroot()
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    assert root.find(f"{GEXF}graph").get("defaultedgetype") == "directed"


def test_the_schema_check_can_fail(network, relaxng, tmp_path):
    """networkx's own GEXF 1.3 writer is rejected by the same schema: the check above is not vacuous."""
    small = nx.DiGraph()
    small.add_edge("a", "b", relation="sslmb:causes")
    target = tmp_path / "nx.gexf"
    nx.write_gexf(small, target, version="1.3")
    assert not relaxng.validate(etree.parse(str(target)))


def test_attributes_are_declared_and_typed(gexf_file, network):
    graph_el = etree.parse(str(gexf_file)).getroot().find(f"{GEXF}graph")
    declared = {
        a.get("class"): {x.get("id"): (x.get("title"), x.get("type")) for x in a.findall(f"{GEXF}attribute")}
        for a in graph_el.findall(f"{GEXF}attributes")
    }
    for name in ("iri", "kind", "family", "group", "sources"):
        assert declared["node"][name] == (name, "string")
    assert declared["node"]["ionic_conductivity_s_cm"] == ("ionic_conductivity_s_cm", "double")
    number_names = {k for _, d in network.nodes(data=True) for k in numbers(d)}
    assert number_names and number_names <= set(declared["node"])
    assert {k for k, (_, t) in declared["node"].items() if t == "double"} == number_names
    assert declared["edge"] == {
        "relation": ("relation", "string"),
        "references": ("references", "string"),
        "reference_count": ("reference_count", "integer"),
        "section": ("section", "string"),
        "scope": ("scope", "string"),
        "exceptions": ("exceptions", "string"),
        "sources": ("sources", "string"),
    }


def test_nodes_carry_label_colour_size_and_numbers(gexf_file, network):
    nodes = etree.parse(str(gexf_file)).getroot().find(f"{GEXF}graph/{GEXF}nodes")
    seen = {}
    for el in nodes.findall(f"{GEXF}node"):
        iri = el.get("id")
        data = network.nodes[iri]
        values = {v.get("for"): v.get("value") for v in el.find(f"{GEXF}attvalues")}
        assert el.get("label") == data["label"]
        assert values["kind"] == data["kind"] and values["iri"] == iri and values["family"] == data["family"]
        colour = el.find(f"{VIZ}color")
        expected = palette.rgb(palette.colour(data["kind"]))
        assert (int(colour.get("r")), int(colour.get("g")), int(colour.get("b"))) == expected, iri
        size = float(el.find(f"{VIZ}size").get("value"))
        assert size == pytest.approx(4 + 3 * math.sqrt(network.degree(iri)), abs=0.01)
        for name, value in numbers(data).items():
            assert float(values[name]) == value
        seen[iri] = size
    assert set(seen) == set(network.nodes)
    # the biggest node is a hub of the network, not an accident of ordering
    assert max(seen, key=seen.get) == max(network.nodes, key=network.degree)
    # electrolytes and strategies get different colours, hazards the documented vermillion
    lgps = nodes.find(f"{GEXF}node[@id='{LGPS}']/{VIZ}color")
    dendrites = nodes.find(f"{GEXF}node[@id='{DENDRITES}']/{VIZ}color")
    assert (lgps.get("r"), lgps.get("g"), lgps.get("b")) == ("0", "114", "178")
    assert (dendrites.get("r"), dendrites.get("g"), dendrites.get("b")) == ("213", "94", "0")


def test_edges_are_directed_labelled_and_kinded(gexf_file, network):
    edges = etree.parse(str(gexf_file)).getroot().find(f"{GEXF}graph/{GEXF}edges")
    found = collections.Counter()
    for el in edges.findall(f"{GEXF}edge"):
        values = {v.get("for"): v.get("value") for v in el.find(f"{GEXF}attvalues")}
        u, v, rel = el.get("source"), el.get("target"), values["relation"]
        data = network.edges[u, v, rel]
        assert el.get("type") == "directed" and el.get("kind") == rel
        assert el.get("label") == data["label"]
        assert values["references"] == data["references"] and values["section"] == data["section"]
        assert int(values["reference_count"]) == data["reference_count"]
        found[(u, v, rel)] += 1
    assert found == relations(network)


# ------------------------------------------------------------------------------------------ round trips


def test_gexf_round_trip_through_networkx(gexf_file, network):
    back = nx.read_gexf(gexf_file)
    assert isinstance(back, nx.MultiDiGraph)
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    assert relations(back) == relations(network)
    # two different relations between the same two entities survive as two edges
    parallel = [(u, v) for u, v in set(network.edges()) if network.number_of_edges(u, v) > 1]
    assert parallel
    for u, v in parallel:
        assert back.number_of_edges(u, v) == network.number_of_edges(u, v)
    for node, data in network.nodes(data=True):
        again = back.nodes[node]
        assert (again["label"], again["kind"], again["family"], again["iri"]) == (
            data["label"],
            data["kind"],
            data["family"],
            data["iri"],
        )
        assert numbers({k: v for k, v in again.items() if k != "viz"}) == numbers(data)


def test_graphml_round_trip(graph, network, tmp_path):
    target = tmp_path / "kg.graphml"
    result = run_cli("export", "-o", str(target))
    assert result.returncode == 0, result.stderr
    doc = etree.parse(str(target))
    ids = [e.get("id") for e in doc.iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert len(ids) == len(set(ids)) == network.number_of_edges()  # GraphML edge ids are unique
    back = nx.read_graphml(target)
    assert isinstance(back, nx.MultiDiGraph)
    assert back.number_of_nodes() == network.number_of_nodes()
    assert relations(back) == relations(network)
    for node, data in network.nodes(data=True):
        assert back.nodes[node]["label"] == data["label"] and back.nodes[node]["kind"] == data["kind"]
        assert back.nodes[node]["color"] == palette.colour(data["kind"])
        assert numbers(back.nodes[node]) == numbers(data)


# ------------------------------------------------------------------------------------------ graphology


@pytest.fixture(scope="session")
def graphology() -> list[str]:
    """The node command that runs tests/js/read_gexf.mjs; installs tests/js/node_modules with `npm ci` once."""
    node, npm = require_tool("node", "npm", why="graphology-gexf runs on Node.js")
    if not (JS / "node_modules" / "graphology-gexf").is_dir():
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr
    return [node, str(JS / "read_gexf.mjs")]


def read_with_graphology(command: list[str], path: Path) -> dict:
    done = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_graphology_reads_the_gexf(graphology, gexf_file, network):
    read = read_with_graphology(graphology, gexf_file)
    assert read["type"] == "directed" and read["multi"] is True
    assert (read["order"], read["size"]) == (network.number_of_nodes(), network.number_of_edges())
    assert read["meta"]["creator"].startswith("sslmb-kg")
    for item in read["nodes"]:
        data, attrs = network.nodes[item["key"]], item["attributes"]
        assert attrs["label"] == data["label"] and attrs["kind"] == data["kind"]
        assert attrs["color"] == "rgb({},{},{})".format(*palette.rgb(palette.colour(data["kind"])))
        assert attrs["size"] == pytest.approx(gexf.node_size(network.degree(item["key"])))
        assert isinstance(attrs["x"], (int, float)) and isinstance(attrs["y"], (int, float))
        assert {k: attrs[k] for k in numbers(data)} == pytest.approx(numbers(data))
    found = collections.Counter()
    for item in read["edges"]:
        attrs = item["attributes"]
        data = network.edges[item["source"], item["target"], attrs["relation"]]
        assert attrs["label"] == data["label"] and attrs["kind"] == attrs["relation"]
        assert attrs["reference_count"] == data["reference_count"]  # a number, not a string
        found[(item["source"], item["target"], attrs["relation"])] += 1
    assert found == relations(network)


@pytest.mark.parametrize(
    "text",
    [
        '<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="directed"><nodes',  # cut short
        '<gexf xmlns="http://gexf.net/1.3" version="1.3"><graph defaultedgetype="directed"><nodes>'
        '<node id="a"/></nodes><edges><edge id="e0" source="a" target="b"/></edges></graph></gexf>',  # no node b
    ],
)
def test_the_graphology_check_can_fail(graphology, tmp_path, text):
    broken = tmp_path / "broken.gexf"
    broken.write_text(text)
    done = subprocess.run([*graphology, str(broken)], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and done.stderr


# ------------------------------------------------------------------------------------------ --around and options


def within(g: nx.MultiDiGraph, center: str, hops: int) -> set[str]:
    """Breadth-first search written out, independently of kg.analysis.network.neighbourhood."""
    seen, frontier = {center}, {center}
    for _ in range(hops):
        frontier = {n for f in frontier for n in (*g.successors(f), *g.predecessors(f))} - seen
        seen |= frontier
    return seen


@pytest.mark.parametrize("hops", [1, 2])
def test_around_exports_the_neighbourhood(network, relaxng, tmp_path, hops):
    target = tmp_path / "lgps.gexf"
    result = run_cli("export", "-o", str(target), "--around", "LGPS", "--hops", str(hops))
    assert result.returncode == 0, result.stderr
    assert relaxng.validate(etree.parse(str(target))), relaxng.error_log
    back = nx.read_gexf(target)
    expected = within(network, LGPS, hops)
    assert set(back.nodes) == expected
    assert relations(back) == relations(network.subgraph(expected))
    assert 1 < len(expected) < network.number_of_nodes()


def test_around_for_rdf_keeps_the_triples_among_the_neighbours(graph, network, tmp_path):
    target = tmp_path / "lgps.ttl"
    result = run_cli("export", "-o", str(target), "--around", "LGPS", "--no-bibliographic")
    assert result.returncode == 0, result.stderr
    part = kg.load(target, data=False)
    near = within(to_networkx(graph, bibliographic=False), LGPS, 1)
    triples = {(q.subject, q.predicate, q.object) for q in part.store.quads_for_pattern(None, None, None)}
    # every link between two neighbours is there, and every literal of a neighbour (labels, values)
    for iri in near:
        s = ox.NamedNode(iri)
        for q in graph.store.quads_for_pattern(s, None, None, ox.DefaultGraph()):
            if isinstance(q.object, ox.Literal) or (isinstance(q.object, ox.NamedNode) and q.object.value in near):
                assert (q.subject, q.predicate, q.object) in triples
    # nothing about an entity outside it, except labels of types and evidence
    label_predicates = {"http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel"}
    for s, p, o in triples:
        if isinstance(s, ox.NamedNode) and s.value not in near:
            assert p.value in label_predicates, (s, p, o)
    assert part.label(LGPS) == "LGPS"
    assert len(part) < len(graph) / 10


def test_no_bibliographic_and_schema_options(graph, tmp_path):
    plain, with_schema = tmp_path / "plain.gexf", tmp_path / "schema.gexf"
    assert run_cli("export", "-o", str(plain), "--no-bibliographic").returncode == 0
    assert run_cli("export", "--format", "gexf", "-o", str(with_schema), "--schema").returncode == 0
    kinds = collections.Counter(d["kind"] for _, d in nx.read_gexf(plain).nodes(data=True))
    assert not {"reference", "journal", "review part"} & set(kinds)
    strategies = graph.select("SELECT DISTINCT ?s WHERE { ?s a/rdfs:subClassOf* sslmb:MitigationStrategy }")
    assert kinds["strategy"] == len(strategies) > 40
    schema_kinds = {d["kind"] for _, d in nx.read_gexf(with_schema).nodes(data=True)}
    assert {"class", "unit", "reference"} <= schema_kinds


def test_export_option_errors(tmp_path):
    out = tmp_path / "x.ttl"
    mixed = run_cli("export", "-o", str(out), "--no-bibliographic")
    assert mixed.returncode == 2 and "--around" in mixed.stderr
    unknown = run_cli("export", "-o", str(tmp_path / "x.gexf"), "--around", "unobtainium")
    assert unknown.returncode == 2 and "no entity matches" in unknown.stderr
    outside = run_cli("export", "-o", str(tmp_path / "x.gexf"), "--around", "sslmb:Ref17", "--no-bibliographic")
    assert outside.returncode == 2 and "not in the exported network" in outside.stderr
    hops_alone = run_cli("export", "-o", str(tmp_path / "x.gexf"), "--hops", "2")
    assert hops_alone.returncode == 2
    assert not any(p.suffix in (".gexf", ".ttl") for p in tmp_path.iterdir())
    assert "Traceback" not in mixed.stderr + unknown.stderr + outside.stderr + hops_alone.stderr


def test_gexf_escapes_text(relaxng, tmp_path):
    g = nx.MultiDiGraph()
    g.add_node("urn:x:1", iri="urn:x:1", label='a "quoted" <label> & more\nline', kind="strategy", family="")
    g.add_node("urn:x:2", iri="urn:x:2", label="b\x01", kind="unknown kind", family="")
    g.add_edge("urn:x:1", "urn:x:2", key="p", relation="p", label="r < s", references="", reference_count=0, section="")
    target = tmp_path / "odd.gexf"
    target.write_bytes(gexf.to_gexf(g))
    assert relaxng.validate(etree.parse(str(target))), relaxng.error_log
    back = nx.read_gexf(target)
    assert back.nodes["urn:x:1"]["label"] == 'a "quoted" <label> & more\nline'
    assert back.nodes["urn:x:2"]["label"] == "b"  # a character XML cannot carry is dropped
    assert back.nodes["urn:x:2"]["viz"]["color"]["r"] == 0  # unknown kinds are black


def test_exported_files_get_the_usual_permissions(graph, tmp_path):
    """Like a file opened for writing: 0666 less the umask (the temporary file behind the atomic write is 0600)."""
    umask = os.umask(0o022)
    os.umask(umask)
    target = tmp_path / "kg.graphml"
    graph.export(target)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    target.chmod(0o640)
    graph.export(target)  # replacing a file keeps its mode
    assert target.stat().st_mode & 0o777 == 0o640


def test_starting_layout_keeps_the_colour_groups_apart(network):
    """One cluster per colour group, and no two clusters overlap: Gephi opens the file readable."""
    where = gexf.positions(network)
    assert set(where) == set(network.nodes)
    groups: dict[str, list[tuple[float, float]]] = {}
    for node, data in network.nodes(data=True):
        groups.setdefault(palette.group(data["kind"]), []).append(where[node])
    discs = {}
    for name, points in groups.items():
        cx, cy = sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)
        discs[name] = (cx, cy, max(math.dist((cx, cy), p) for p in points))
    assert len(discs) == 8  # every group but the schema's
    for (a, (ax, ay, ar)), (b, (bx, by, br)) in itertools.combinations(discs.items(), 2):
        assert math.dist((ax, ay), (bx, by)) > ar + br, (a, b)
