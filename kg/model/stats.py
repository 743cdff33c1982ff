"""Counts that say how big and how complete the graph is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.core.graph import Graph


@dataclass(frozen=True)
class ClassCount:
    iri: str
    label: str
    count: int


@dataclass(frozen=True)
class SourceCount:
    """One source's share of the graph: the statements of its named graph, the named individuals it introduces or
    describes, the numbers it reports and the works it cites."""

    key: str
    statements: int
    entities: int
    quantities: int
    cited_works: int


@dataclass(frozen=True)
class Stats:
    """Size of the graph. ``classes`` counts named individuals per asserted class (most first); ``sources`` gives
    each source's share."""

    triples: int
    entities: int
    references: int
    strategies: int
    failure_modes: int
    mechanisms: int
    electrolytes: int
    table2_rows: int
    quantities: int
    numbers_with_units: int
    annotated_links: int
    uncertain_readings: int
    classes: tuple[ClassCount, ...]
    sources: tuple[SourceCount, ...] = ()


def _count(graph: Graph, where: str) -> int:
    rows = graph.select(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}")
    return int(rows[0]["n"]) if rows else 0


def stats(graph: Graph) -> Stats:
    """Compute the counts.

    >>> import kg
    >>> s = kg.load().stats()
    >>> s.table2_rows, [(c.key, c.cited_works) for c in s.sources if c.key == "wang2020"]
    (13, [('wang2020', 95)])
    """
    per_class = graph.select(
        """SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a owl:NamedIndividual ; a ?c .
           FILTER(?c != owl:NamedIndividual) } GROUP BY ?c ORDER BY DESC(?n) ?c"""
    )
    return Stats(
        triples=len(graph),
        entities=_count(graph, "?x a owl:NamedIndividual"),
        references=_count(graph, "?x a sslmb:CitedWork"),
        strategies=_count(graph, "?x a sslmb:MitigationStrategy"),
        failure_modes=_count(graph, "?x a/rdfs:subClassOf* sslmb:FailureMode FILTER(!isBlank(?x))"),
        mechanisms=_count(graph, "?x a/rdfs:subClassOf* sslmb:Mechanism FILTER(!isBlank(?x))"),
        electrolytes=_count(graph, "?x a owl:NamedIndividual ; a/rdfs:subClassOf* sslmb:Electrolyte"),
        table2_rows=_count(
            graph,
            "?x a/rdfs:subClassOf* sslmb:SingleIonConductingPolymerElectrolyte ; prov:wasDerivedFrom sslmb:Table2",
        ),
        quantities=_count(graph, "?x a qudt:QuantityValue FILTER(isIRI(?x))"),
        numbers_with_units=_count(graph, "?x qudt:hasUnit ?u"),
        annotated_links=_count(graph, "?x a owl:Axiom ; owl:annotatedSource ?s"),
        uncertain_readings=_count(graph, "?x sslmb:uncertainReading true"),
        classes=tuple(ClassCount(r["c"], graph.label(r["c"]), int(r["n"])) for r in per_class),
        sources=_per_source(graph),
    )


def _per_source(graph: Graph) -> tuple[SourceCount, ...]:
    rows = graph.select(
        """SELECT ?key (COUNT(*) AS ?statements) WHERE {
             ?s sslmb:sourceKey ?key ; sslmb:factsInGraph ?g . GRAPH ?g { ?x ?p ?o } } GROUP BY ?key"""
    )
    out = []
    for row in sorted(rows, key=lambda r: str(r["key"])):
        key = str(row["key"])
        one = graph.select(
            """SELECT ?key (COUNT(DISTINCT ?e) AS ?entities) (COUNT(DISTINCT ?q) AS ?quantities)
                      (COUNT(DISTINCT ?w) AS ?works)
               WHERE { ?s sslmb:sourceKey ?key ; sslmb:factsInGraph ?g .
                 { GRAPH ?g { ?e a owl:NamedIndividual } }
                 UNION { GRAPH ?g { ?q a qudt:QuantityValue FILTER(isIRI(?q)) } }
                 UNION { GRAPH ?g { ?s cito:cites ?w } } } GROUP BY ?key""",
            key=ox.Literal(key),
        )[0]
        out.append(
            SourceCount(key, int(row["statements"]), int(one["entities"]), int(one["quantities"]), int(one["works"]))
        )
    return tuple(out)
