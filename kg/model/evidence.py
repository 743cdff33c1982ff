"""Evidence: where in the review a statement stands and which cited papers it rests on, for entities and links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core.namespaces import OWL, PROV, SSLMB

if TYPE_CHECKING:
    from kg.core.graph import Graph

WAS_DERIVED_FROM = PROV + "wasDerivedFrom"
HAD_PRIMARY_SOURCE = PROV + "hadPrimarySource"
WAS_ATTRIBUTED_TO = PROV + "wasAttributedTo"
EVIDENCE_PREDICATES = frozenset({WAS_DERIVED_FROM, HAD_PRIMARY_SOURCE, WAS_ATTRIBUTED_TO})


@dataclass(frozen=True)
class Location:
    """A part of the review: ``number`` is what it carries in print ("2.1", "Table 2", "Fig. 3b")."""

    iri: str
    label: str
    number: str | None


@dataclass(frozen=True)
class Reference:
    """A cited publication, by its number in the review's reference list."""

    iri: str
    number: int | None
    label: str


@dataclass(frozen=True)
class Evidence:
    """Where a statement was read (``locations``), what it rests on (``references``) and who reported it."""

    locations: tuple[Location, ...] = ()
    references: tuple[Reference, ...] = ()
    attributed_to: tuple[str, ...] = ()

    @property
    def reference_numbers(self) -> list[int]:
        return [r.number for r in self.references if r.number is not None]


def _location(graph: Graph, iri: str) -> Location:
    number = graph.value(iri, SSLMB + "sectionNumber")
    return Location(iri, graph.label(iri), str(number) if number is not None else None)


def _reference(graph: Graph, iri: str) -> Reference:
    return Reference(iri, graph.value(iri, SSLMB + "referenceNumber"), graph.label(iri))


def _build(graph: Graph, values: dict[str, list[str]]) -> Evidence:
    locations = tuple(_location(graph, i) for i in values.get(WAS_DERIVED_FROM, []))
    refs = sorted(
        (_reference(graph, i) for i in values.get(HAD_PRIMARY_SOURCE, [])),
        key=lambda r: (r.number is None, r.number or 0, r.iri),
    )
    agents = tuple(graph.label(i) for i in values.get(WAS_ATTRIBUTED_TO, []))
    return Evidence(locations, tuple(refs), agents)


def of_entity(graph: Graph, iri: str) -> Evidence:
    """The evidence attached to an entity itself (``prov:wasDerivedFrom``, ``prov:hadPrimarySource``...)."""
    return of_node(graph, ox.NamedNode(iri))


def of_node(graph: Graph, node: ox.NamedNode | ox.BlankNode) -> Evidence:
    values: dict[str, list[str]] = {}
    for predicate in EVIDENCE_PREDICATES:
        for quad in graph.store.quads_for_pattern(node, ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.NamedNode):
                values.setdefault(predicate, []).append(quad.object.value)
    for key in values:
        values[key].sort()
    return _build(graph, values)


def link_index(graph: Graph) -> dict[tuple[str, str, str], Evidence]:
    """Evidence of every annotated link, keyed by ``(subject, property, object)``; built once per graph."""
    return graph.memo("link_evidence", _build_link_index)


def _build_link_index(graph: Graph) -> dict[tuple[str, str, str], Evidence]:
    raw: dict[tuple[str, str, str], dict[str, list[str]]] = {}
    rows = graph.store.query(
        f"""SELECT ?s ?p ?o ?ep ?ev WHERE {{
              ?ax a <{OWL}Axiom> ; <{OWL}annotatedSource> ?s ; <{OWL}annotatedProperty> ?p ;
                  <{OWL}annotatedTarget> ?o ; ?ep ?ev .
              FILTER(?ep IN (<{WAS_DERIVED_FROM}>, <{HAD_PRIMARY_SOURCE}>, <{WAS_ATTRIBUTED_TO}>) && isIRI(?ev))
            }}"""
    )
    for row in rows:  # type: ignore[union-attr]
        key = (row["s"].value, row["p"].value, row["o"].value)
        raw.setdefault(key, {}).setdefault(row["ep"].value, []).append(row["ev"].value)
    index = {}
    for key, values in raw.items():
        for k in values:
            values[k] = sorted(set(values[k]))
        index[key] = _build(graph, values)
    return index


def of_link(graph: Graph, subject: str, predicate: str, obj: str) -> Evidence:
    """The evidence recorded for one link; empty when the link has no annotation."""
    return link_index(graph).get((subject, predicate, obj), Evidence())
