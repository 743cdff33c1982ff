"""The causal graph every traversal starts from: mechanisms and failure modes linked cause -> effect, the strategies
that mitigate each node, the metrics that bear on each, and the steps of a route with their evidence (networkx,
imported only when a projection is built)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

from kg.core.namespaces import OWL, RDF, SSLMB
from kg.model import evidence as ev

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import networkx as nx

    from kg.core.graph import Graph

CAUSAL = (SSLMB + "causes", SSLMB + "contributesTo", SSLMB + "leadsTo")
MITIGATES = SSLMB + "mitigates"
APPLIES_TO = SSLMB + "appliesTo"
USES_MATERIAL = SSLMB + "usesMaterial"
# Schema and bookkeeping links left out of the projection's edges.
_NOT_EDGES = {
    RDF + "type",
    OWL + "annotatedSource",
    OWL + "annotatedTarget",
    OWL + "annotatedProperty",
    *ev.EVIDENCE_PREDICATES,
}


@dataclass(frozen=True)
class Step:
    """One link of a path: ``source -relation-> target`` with its evidence."""

    source: str
    source_label: str
    relation: str
    target: str
    target_label: str
    evidence: ev.Evidence


class Projection:
    """The graph's entities and object-property links as a networkx MultiDiGraph, built once per graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    @cached_property
    def causal(self) -> nx.DiGraph:
        """Mechanisms and failure modes linked cause -> effect (causes, contributesTo, leadsTo)."""
        import networkx as nx

        g = nx.DiGraph()
        for predicate in CAUSAL:
            # sorted: which of two equally short routes is reported must not depend on the store's order
            for quad in sorted(self.graph.store.quads_for_pattern(None, ox.NamedNode(predicate), None), key=str):
                s, o = quad.subject, quad.object
                if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
                    g.add_edge(s.value, o.value, relation=predicate)
        return g

    @cached_property
    def mitigators(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for quad in sorted(self.graph.store.quads_for_pattern(None, ox.NamedNode(MITIGATES), None), key=str):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                found.setdefault(quad.object.value, []).append(quad.subject.value)
        return found


def projection(graph: Graph) -> Projection:
    return graph.memo("projection", Projection)


def step_of(graph: Graph, s: str, p: str, o: str) -> Step:
    return Step(s, graph.label(s), graph.label(p), o, graph.label(o), ev.of_link(graph, s, p, o))


def reference_numbers(evidences: list[ev.Evidence]) -> tuple[int, ...]:
    return tuple(sorted({n for e in evidences for n in e.reference_numbers}))


def bears_on(graph: Graph) -> dict[str, frozenset[str]]:
    """The mechanisms and failure modes each metric bears on (``sslmb:bearsOn``, also through ``skos:broader``)."""

    def build(g: Graph) -> dict[str, frozenset[str]]:
        rows = g.select("SELECT ?m ?t WHERE { ?m a sslmb:Metric ; skos:broader* ?general . ?general sslmb:bearsOn ?t }")
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row["m"], set()).add(row["t"])
        return {m: frozenset(ts) for m, ts in found.items()}

    return graph.memo("bears_on", build)
