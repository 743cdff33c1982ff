"""The fact sheet of one entity: what it is, what the review says of it, with numbers, links and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg import evidence as ev
from kg import quantity as qty
from kg.namespaces import OWL, QUDT, RDF, RDFS, SKOS, SSLMB

if TYPE_CHECKING:
    from kg.store import KnowledgeGraph


@dataclass(frozen=True)
class Ref:
    """An entity mentioned in a fact sheet."""

    iri: str
    label: str
    kind: str


@dataclass(frozen=True)
class Link:
    """One object-property link, seen from the described entity.

    ``direction`` is ``out`` (entity -> other) or ``in`` (other -> entity); ``via`` names the electrolyte
    family the link was inherited from, when it is not the entity's own.
    """

    relation: str
    relation_iri: str
    direction: str
    other: Ref
    evidence: ev.Evidence
    via: Ref | None = None


@dataclass(frozen=True)
class Annotation:
    """A literal-valued property of the entity other than its names and definition."""

    property: str
    property_iri: str
    value: str | int | float | bool


@dataclass(frozen=True)
class FactSheet:
    """Everything the graph holds about one entity. ``to_json(sheet)`` gives its documented JSON form."""

    iri: str
    label: str
    kind: str
    types: tuple[Ref, ...]
    family: tuple[Ref, ...]
    alt_labels: tuple[str, ...]
    formula: str | None
    definition: str | None
    notes: tuple[str, ...]
    annotations: tuple[Annotation, ...]
    quantities: tuple[qty.Quantity, ...]
    family_quantities: tuple[tuple[Ref, qty.Quantity], ...]
    links: tuple[Link, ...]
    evidence: ev.Evidence
    uncertain: bool


# Links shown as quantities, names or evidence rather than as links.
_HIDDEN = {
    RDF + "type",
    RDFS + "subClassOf",
    QUDT + "hasUnit",
    QUDT + "hasQuantityKind",
    SSLMB + "metric",
    qty.HAS_QUANTITY,
    qty.HAS_OUTCOME,
    *qty.CONDITION_PROPERTIES,
    *ev.EVIDENCE_PREDICATES,
    OWL + "annotatedSource",
    OWL + "annotatedTarget",
    OWL + "annotatedProperty",
}
_NAME_PROPS = {
    RDFS + "label",
    SKOS + "altLabel",
    SKOS + "prefLabel",
    SKOS + "definition",
    SKOS + "editorialNote",
    SSLMB + "formula",
    SSLMB + "uncertainReading",
}
# Family-level links worth inheriting: what an electrolyte family is exposed to, shows, and is treated with.
_INHERITED = {SSLMB + "susceptibleTo", SSLMB + "exhibitsMechanism", SSLMB + "hasTrait"}
_INHERITED_IN = {SSLMB + "appliesTo"}


def _ref(graph: KnowledgeGraph, iri: str) -> Ref:
    return Ref(iri, graph.label(iri), graph.kind(iri))


def family_of(graph: KnowledgeGraph, iri: str) -> list[str]:
    """The electrolyte classes (families) an entity belongs to, nearest first; empty for non-electrolytes."""
    classes = graph.types(iri) if not graph.is_class(iri) else [iri]
    chain: list[str] = []
    for cls in classes:
        for ancestor in graph.ancestors(cls):
            if ancestor != iri and ancestor not in chain and SSLMB + "Electrolyte" in graph.ancestors(ancestor):
                chain.append(ancestor)
    return chain


def _links(
    graph: KnowledgeGraph, iri: str, via: str | None, only_out: set[str] | None, only_in: set[str] | None
) -> list[Link]:
    node = ox.NamedNode(iri)
    out: list[Link] = []
    via_ref = _ref(graph, via) if via else None
    for quad in graph.store.quads_for_pattern(node, None, None):
        p, o = quad.predicate.value, quad.object
        if p in _HIDDEN or not isinstance(o, ox.NamedNode) or (only_out is not None and p not in only_out):
            continue
        out.append(Link(graph.label(p), p, "out", _ref(graph, o.value), ev.of_link(graph, iri, p, o.value), via_ref))
    for quad in graph.store.quads_for_pattern(None, None, node):
        p, s = quad.predicate.value, quad.subject
        if p in _HIDDEN or not isinstance(s, ox.NamedNode) or (only_in is not None and p not in only_in):
            continue
        out.append(Link(graph.label(p), p, "in", _ref(graph, s.value), ev.of_link(graph, s.value, p, iri), via_ref))
    return out


def describe(graph: KnowledgeGraph, iri: str) -> FactSheet:
    """Build the fact sheet of ``iri`` (use :meth:`KnowledgeGraph.describe` to pass a label).

    >>> import kg
    >>> sheet = kg.load().describe("LLZO")
    >>> sheet.kind, [f.label for f in sheet.family][:2]
    ('electrolyte', ['garnet-type electrolyte', 'oxide electrolyte'])
    """
    node = ox.NamedNode(iri)
    alt = sorted({o.value for o in graph.objects(iri, SKOS + "altLabel") if isinstance(o, ox.Literal)})
    notes = tuple(sorted(o.value for o in graph.objects(iri, SKOS + "editorialNote") if isinstance(o, ox.Literal)))
    annotations = []
    for quad in graph.store.quads_for_pattern(node, None, None):
        p, o = quad.predicate.value, quad.object
        if isinstance(o, ox.Literal) and p not in _NAME_PROPS:
            from kg.store import to_python

            annotations.append(Annotation(graph.label(p), p, to_python(o)))
    annotations.sort(key=lambda a: (a.property, str(a.value)))

    family = family_of(graph, iri)
    links = _links(graph, iri, None, None, None)
    family_quantities: list[tuple[Ref, qty.Quantity]] = []
    for cls in family:
        links.extend(_links(graph, cls, cls, _INHERITED, _INHERITED_IN))
        family_quantities.extend((_ref(graph, cls), q) for q in qty.of(graph, cls))
    links.sort(key=lambda lk: (lk.via is not None, lk.direction, lk.relation, lk.other.label))

    uncertain = graph.value(iri, SSLMB + "uncertainReading")
    return FactSheet(
        iri=iri,
        label=graph.label(iri),
        kind=graph.kind(iri),
        types=tuple(_ref(graph, t) for t in sorted(graph.types(iri))),
        family=tuple(_ref(graph, c) for c in family),
        alt_labels=tuple(alt),
        formula=graph.value(iri, SSLMB + "formula"),
        definition=graph.value(iri, SKOS + "definition"),
        notes=notes,
        annotations=tuple(annotations),
        quantities=tuple(qty.of(graph, iri)),
        family_quantities=tuple(family_quantities),
        links=tuple(links),
        evidence=ev.of_entity(graph, iri),
        uncertain=bool(uncertain),
    )
