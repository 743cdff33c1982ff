"""The causal graph every traversal starts from: mechanisms and failure modes linked cause -> effect, the strategies
that mitigate each node, the metrics that bear on each, and the steps of a route with their evidence. ``mitigations``
and ``risks`` walk plain dicts (:func:`links`, :func:`shortest_routes`); the networkx projection is built only for
paths, centrality and drawings (networkx is imported then)."""

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


class Links:
    """The causal links as two adjacency dicts, ``forward[cause][effect]`` and ``backward[effect][cause]``, each
    holding the relation; neighbours in the order networkx's projection adds them (predicates in :data:`CAUSAL`
    order, quads sorted), and a pair linked by two relations keeps the last, as :attr:`Projection.causal` does."""

    def __init__(self, graph: Graph) -> None:
        self.forward: dict[str, dict[str, str]] = {}
        self.backward: dict[str, dict[str, str]] = {}
        for predicate in CAUSAL:
            for quad in sorted(graph.store.quads_for_pattern(None, ox.NamedNode(predicate), None), key=str):
                s, o = quad.subject, quad.object
                if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
                    self.forward.setdefault(s.value, {})[o.value] = predicate
                    self.backward.setdefault(o.value, {})[s.value] = predicate

    def __contains__(self, node: str) -> bool:
        return node in self.forward or node in self.backward


def links(graph: Graph) -> Links:
    """The causal links of ``graph`` (built once per graph, from the three causal predicates only)."""
    return graph.memo("causal_links", Links)


def shortest_routes(adjacency: dict[str, dict[str, str]], start: str, cutoff: int) -> dict[str, list[str]]:
    """One shortest route from ``start`` to every node within ``cutoff`` links, breadth first: the same routes,
    in the same order, as ``networkx.single_source_shortest_path`` over the same adjacency.

    >>> shortest_routes({"a": {"b": "r", "c": "r"}, "b": {"d": "r"}, "c": {"d": "r"}}, "a", 2)
    {'a': ['a'], 'b': ['a', 'b'], 'c': ['a', 'c'], 'd': ['a', 'b', 'd']}
    """
    routes = {start: [start]}
    level, frontier = 0, [start]
    while frontier and level < cutoff:
        nxt = []
        for node in frontier:
            for neighbour in adjacency.get(node, {}):
                if neighbour not in routes:
                    routes[neighbour] = [*routes[node], neighbour]
                    nxt.append(neighbour)
        frontier, level = nxt, level + 1
    return routes


def mitigators_of(graph: Graph, node: str) -> list[str]:
    """The strategies that mitigate ``node``, in the order of :attr:`Projection.mitigators` (one per quad)."""
    return [
        q.subject.value
        for q in sorted(graph.store.quads_for_pattern(None, ox.NamedNode(MITIGATES), ox.NamedNode(node)), key=str)
        if isinstance(q.subject, ox.NamedNode)
    ]


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
