"""`mitigations` and `risks` walk dicts of the causal links and read evidence and support for the links in their
answer only; these tests hold them to slow, independent references on the shipped graph: networkx's shortest paths
over the causal projection, the evidence index of every annotated link, and the sources read by a scan of every
named graph."""

from __future__ import annotations

import json

import pytest
from helpers import REPO

import kg
from kg.analysis import causal, mitigations, risks
from kg.core.jsonout import to_json
from kg.core.namespaces import OWL, PROV
from kg.model import evidence as ev

HAZARDS = ("mechanism", "failure mode")
MATERIALS = ("electrolyte", "electrolyte family", "material")


def _of_kinds(graph, kinds):
    rows = graph.select("SELECT DISTINCT ?x WHERE { ?x a ?c FILTER(STRSTARTS(STR(?x), 'https://w3id.org/sslmb/')) }")
    return sorted(r["x"] for r in rows if graph.kind(r["x"]) in kinds)


def _networkx_routes(graph):
    """shortest_routes as networkx computes it over the projection that paths and drawings use."""
    import networkx as nx

    net = causal.projection(graph).causal
    backward = causal.links(graph).backward

    def routes(adjacency, start, cutoff):
        walked = net.reverse(copy=False) if adjacency is backward else net
        return nx.single_source_shortest_path(walked, start, cutoff=cutoff) if start in walked else {start: [start]}

    return routes


@pytest.fixture(scope="module")
def fresh():
    return kg.load()  # its own caches: nothing read by other tests


def test_same_answers_as_networkx_routes(fresh, monkeypatch):
    hazards, materials = _of_kinds(fresh, HAZARDS), _of_kinds(fresh, MATERIALS)
    assert len(hazards) > 20 and len(materials) > 50
    ours_m = {(h, n): to_json(fresh.mitigations(h, max_hops=n)) for h in hazards for n in (0, 1, 3)}
    ours_r = {m: to_json(fresh.risks(m)) for m in materials}
    routes = _networkx_routes(fresh)
    monkeypatch.setattr(mitigations, "shortest_routes", routes)
    monkeypatch.setattr(risks, "shortest_routes", routes)
    assert {(h, n): to_json(fresh.mitigations(h, max_hops=n)) for h in hazards for n in (0, 1, 3)} == ours_m
    assert {m: to_json(fresh.risks(m)) for m in materials} == ours_r
    assert any(m["hops"] == 3 for answer in ours_m.values() for m in json.loads(answer))  # deep routes were compared


def test_routes_are_causal_chains_of_the_shortest_length(fresh):
    import networkx as nx

    net = causal.projection(fresh).causal
    for hazard in _of_kinds(fresh, HAZARDS):
        for m in fresh.mitigations(hazard):
            start = m.path[0].target
            assert len(m.path) == m.hops + 1 and m.path[-1].target == hazard
            expected = 0 if start == hazard else nx.shortest_path_length(net, start, hazard)
            assert m.hops == expected
            for step in m.path[1:]:
                assert net.has_edge(step.source, step.target)


def test_evidence_and_support_match_a_scan_of_every_axiom(fresh):
    everything = ev.link_index(kg.load())  # every annotated link, read on a graph of its own
    graphs: dict[tuple[str, str, str], set[str]] = {}
    for row in fresh.select(
        f"""SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?ax <{OWL}annotatedSource> ?s ; <{OWL}annotatedProperty> ?p ;
              <{OWL}annotatedTarget> ?o ; <{PROV}wasDerivedFrom> ?where }} }}"""
    ):
        graphs.setdefault((row["s"], row["p"], row["o"]), set()).add(row["g"].rsplit("/", 1)[-1])
    seen = 0
    for hazard in ("https://w3id.org/sslmb/LithiumDendritePenetration", "https://w3id.org/sslmb/ThermalRunaway"):
        for m in fresh.mitigations(hazard):
            link = (m.strategy, causal.MITIGATES, m.path[0].target)
            assert m.path[0].evidence == everything.get(link, ev.Evidence())
            if link in graphs:  # a stated link: its sources are the graphs whose axiom states it
                assert set(m.sources) == graphs[link]
                seen += 1
    assert seen > 10
    for electrolyte in ("https://w3id.org/sslmb/LGPS", "https://w3id.org/sslmb/LLZO"):
        for exposure in fresh.risks(electrolyte).exposures:
            for step in exposure.route:
                assert step.evidence in {everything.get((step.source, p, step.target), ev.Evidence())
                                         for p in causal.CAUSAL}


def test_no_networkx_on_the_way():
    import subprocess
    import sys

    code = (
        "import sys, kg; g = kg.load(); g.mitigations('dendrite penetration'); g.risks('LGPS');"
        "print('networkx' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert done.stdout.strip() == "False"


def _numbered(graph):
    rows = graph.select("SELECT DISTINCT ?x WHERE { ?x sslmb:hasQuantity|sslmb:hasOutcome ?q FILTER(isIRI(?x)) }")
    return sorted(r["x"] for r in rows)


def test_numbers_and_evidence_read_together_match_those_read_one_by_one():
    from kg.model import quantity as qty

    together, alone = kg.load(), kg.load()  # separate caches
    entities = _numbered(together)
    assert len(entities) > 100
    batch = qty.of_many(together, entities)
    assert batch == {iri: qty.of(alone, iri) for iri in entities}
    assert sum(len(numbers) for numbers in batch.values()) > 500
    assert any(q.conditions for numbers in batch.values() for q in numbers)
    _, facts = ev.facts_of_many(together, entities, sorted(ev.EVIDENCE_PREDICATES))
    import pyoxigraph as ox

    assert {iri: ev.of_facts(together, facts[ox.NamedNode(iri)]) for iri in entities} == {
        iri: ev.of_node(alone, ox.NamedNode(iri)) for iri in entities
    }


def test_a_statement_held_by_two_sources_is_read_once_per_source(monkeypatch):
    """The review's files read into two named graphs: every number, condition and link is stated twice, and the
    numbers read together keep what a pattern per node gives (a condition per statement, both sources)."""
    import pyoxigraph as ox

    from kg.core import resources
    from kg.core.graph import Graph
    from kg.model import quantity as qty

    store = ox.Store()
    store.load(path=str(resources.ontology_file()), format=ox.RdfFormat.TURTLE)
    for path in resources.instance_files():
        for key in ("wang2020", "copy"):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                       to_graph=ox.NamedNode(f"https://w3id.org/sslmb/graph/{key}"))
    together, alone = Graph(store), Graph(store)
    entities = _numbered(together)
    batch = qty.of_many(together, entities)
    assert batch == {iri: qty.of(alone, iri) for iri in entities}
    doubled = [q for numbers in batch.values() for q in numbers if len(q.conditions) >= 2]
    assert doubled and all(len(q.conditions) % 2 == 0 for q in doubled)
    answer = to_json(mitigations.mitigations(together, "dendrite penetration"))
    monkeypatch.setattr(qty, "of_many", lambda graph, iris: {iri: qty.of(graph, iri) for iri in iris})
    assert to_json(mitigations.mitigations(Graph(store), "dendrite penetration")) == answer
