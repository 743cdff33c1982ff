"""The networkx projection, checked against the store it is built from."""

from __future__ import annotations

import pytest

from kg.analysis.network import BIBLIOGRAPHIC_KINDS, SCHEMA_KINDS, key_numbers, neighbourhood, to_networkx
from kg.model.quantity import of as quantities_of

S = "https://w3id.org/sslmb/"


@pytest.fixture(scope="module")
def net(graph):
    return to_networkx(graph)


def _kept(graph, iri, *, bibliographic=True, schema=False):
    kind = graph.kind(iri)
    if kind in SCHEMA_KINDS:
        return schema
    return bibliographic or kind not in BIBLIOGRAPHIC_KINDS


def test_one_node_per_entity_with_its_attributes(graph, net):
    typed = {r["s"] for r in graph.select("SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s)) }")}
    expected = {iri for iri in typed if _kept(graph, iri)}
    assert expected <= set(net.nodes)
    for iri, data in net.nodes(data=True):
        assert data["iri"] == iri
        assert data["label"] == graph.label(iri)
        assert data["kind"] == graph.kind(iri)
        assert data["kind"] not in SCHEMA_KINDS
    assert net.nodes[S + "LGPS"]["family"] == graph.label(S + "ThioLISICONElectrolyte")
    assert net.nodes[S + "HydrogenSulfideRelease"]["family"] == ""


def test_one_edge_per_object_property_link(graph, net):
    for predicate in ("mitigates", "causes", "appliesTo", "susceptibleTo", "exhibitsMechanism", "hasOutcome"):
        rows = graph.select(f"SELECT ?s ?o WHERE {{ ?s <{S}{predicate}> ?o FILTER(isIRI(?s) && isIRI(?o)) }}")
        links = {(r["s"], r["o"]) for r in rows if _kept(graph, r["s"]) and _kept(graph, r["o"])}
        edges = {(u, v) for u, v, k in net.edges(keys=True) if k == f"sslmb:{predicate}"}
        assert links and edges == links, predicate
    for _, _, k, data in net.edges(keys=True, data=True):
        assert data["relation"] == k
        assert data["reference_count"] == len([n for n in data["references"].split(", ") if n])


def test_edge_carries_references_and_section(graph, net):
    data = net.get_edge_data(S + "LiFInLiBH4", S + "LithiumDendritePenetration")["sslmb:mitigates"]
    assert data["label"] == "mitigates"
    assert "19" in data["references"].split(", ")
    assert data["section"]


def test_key_numbers_come_from_the_reported_quantities(graph, net):
    # several sources report LGPS's conductivity; the node carries the review's (its quantities come first)
    (q,) = [
        q
        for q in quantities_of(graph, S + "LGPS")
        if q.metric == "ionic conductivity" and q.evidence.source_keys == ["wang2020"]
    ]
    assert net.nodes[S + "LGPS"]["ionic_conductivity_s_cm"] == pytest.approx(q.normalized["value"])
    numbers = key_numbers(graph, S + "LGPS")
    assert all(isinstance(v, float) for v in numbers.values())


def test_options_leave_out_bibliographic_or_keep_schema_nodes(graph, net):
    lean = to_networkx(graph, bibliographic=False)
    assert not {d["kind"] for _, d in lean.nodes(data=True)} & BIBLIOGRAPHIC_KINDS
    assert not [k for *_, k in lean.edges(keys=True) if k.startswith(("prov:", "cito:"))]
    assert lean.number_of_nodes() < net.number_of_nodes()
    full = to_networkx(graph, schema=True)
    assert S + "Mechanism" in full and full.nodes[S + "Mechanism"]["kind"] == "class"
    assert full.has_edge(S + "LithiumDendritePenetration", S + "ElectrochemicalFailure")
    assert S + "Mechanism" not in net


def test_neighbourhood(graph, net):
    near = neighbourhood(net, S + "LGPS", 1)
    # scope annotations (a family's range naming LGPS as its known exception) are edge attributes, not edges
    rows = graph.select(
        f"SELECT DISTINCT ?x WHERE {{ {{ <{S}LGPS> ?p ?x }} UNION {{ ?x ?p <{S}LGPS> }} FILTER(isIRI(?x)) "
        f"FILTER(?p != sslmb:knownException) }}"
    )
    expected = {r["x"] for r in rows if r["x"] in net} | {S + "LGPS"}
    assert set(near.nodes) == expected
    assert len(neighbourhood(net, S + "LGPS", 2)) > len(near)
