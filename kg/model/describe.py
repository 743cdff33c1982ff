"""The fact sheet of one entity: what it is, what the review says of it, with numbers, links and evidence.

Facts stated for a family reach the entity only as far as their scope allows (:mod:`kg.model.scope`); those that do not
are listed apart with the reason, so a reader sees both what applies and what was held back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core import resources
from kg.core.namespaces import OWL, QUDT, RDF, RDFS, SKOS, SSLMB
from kg.core.notebook import Display
from kg.model import evidence as ev
from kg.model import quantity as qty
from kg.model import scope as sc
from kg.model import support as sp

if TYPE_CHECKING:
    from kg.core.graph import Graph


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
    family the link was inherited from, when it is not the entity's own. For a statement the entity makes as a
    family, ``scope`` says how far it reaches over the members when that is not "typical of members",
    ``scope_as_printed`` gives the source's words and ``exceptions`` the members the source excepts.
    """

    relation: str
    relation_iri: str
    direction: str
    other: Ref
    evidence: ev.Evidence
    via: Ref | None = None
    scope: str | None = None
    scope_as_printed: str | None = None
    exceptions: tuple[Ref, ...] = ()
    support: sp.Support | None = None


@dataclass(frozen=True)
class Withheld:
    """A statement of one of the entity's families that does not reach it, and why: ``reason`` is one of
    "said of some members only", "said of the group as a whole", "known exception", "superseded by a narrower
    family", "contradicted by its own data"; ``detail`` says more (the member's own value, the narrower family)."""

    relation: str
    relation_iri: str
    direction: str
    other: Ref
    via: Ref
    reason: str
    detail: str
    evidence: ev.Evidence


@dataclass(frozen=True)
class Credit:
    """A finding the review credits to the described person or group: an entity (``relation`` empty) or a link
    ``subject -relation-> other``."""

    subject: Ref
    relation: str | None
    other: Ref | None
    evidence: ev.Evidence


@dataclass(frozen=True)
class Annotation:
    """A literal-valued property of the entity other than its names and definition."""

    property: str
    property_iri: str
    value: str | int | float | bool


@dataclass(frozen=True)
class FactSheet(Display):
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
    withheld: tuple[Withheld, ...] = ()
    credited: tuple[Credit, ...] = ()
    #: for a claim: the sources for and against it (:mod:`kg.model.support`)
    support: sp.Support | None = None
    #: numbers that other numbers of the same metric agree with: ``(quantity IRI, support)``
    number_support: tuple[tuple[str, sp.Support], ...] = ()


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
    *sc.SCOPE_PREDICATES,
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


def _ref(graph: Graph, iri: str) -> Ref:
    return Ref(iri, graph.label(iri), graph.kind(iri))


def family_of(graph: Graph, iri: str) -> list[str]:
    """The electrolyte classes (families) an entity belongs to, nearest first; empty for non-electrolytes."""
    classes = graph.types(iri) if not graph.is_class(iri) else [iri]
    chain: list[str] = []
    for cls in classes:
        for ancestor in graph.ancestors(cls):
            if ancestor != iri and ancestor not in chain and SSLMB + "Electrolyte" in graph.ancestors(ancestor):
                chain.append(ancestor)
    return chain


def _links(graph: Graph, iri: str) -> list[Link]:
    """The entity's own links, each with the scope recorded for it when the entity is a family."""
    node = ox.NamedNode(iri)
    scoped = (
        {(s.relation, s.other, s.direction): s for s in sc.statements_of(graph, iri)} if graph.is_class(iri) else {}
    )
    out: list[Link] = []
    for quad in graph.store.quads_for_pattern(node, None, None):
        p, o = quad.predicate.value, quad.object
        if p in _HIDDEN or not isinstance(o, ox.NamedNode):
            continue
        link = Link(graph.label(p), p, "out", _ref(graph, o.value), ev.of_link(graph, iri, p, o.value),
                    support=sp.of_link(graph, iri, p, o.value))
        out.append(_with_scope(graph, link, scoped.get((p, o.value, "out"))))
    for quad in graph.store.quads_for_pattern(None, None, node):
        p, s = quad.predicate.value, quad.subject
        if p in _HIDDEN or not isinstance(s, ox.NamedNode):
            continue
        link = Link(graph.label(p), p, "in", _ref(graph, s.value), ev.of_link(graph, s.value, p, iri),
                    support=sp.of_link(graph, s.value, p, iri))
        out.append(_with_scope(graph, link, scoped.get((p, s.value, "in"))))
    return out


def _with_scope(graph: Graph, link: Link, statement: sc.Statement | None) -> Link:
    if statement is None or (statement.scope == sc.TYPICAL and not statement.exceptions):
        return link
    return replace(
        link,
        scope=None if statement.scope == sc.TYPICAL else graph.label(statement.scope),
        scope_as_printed=statement.scope_as_printed,
        exceptions=tuple(_ref(graph, x) for x in statement.exceptions),
    )


def _inherited_link(graph: Graph, s: sc.Statement) -> Link:
    triple = (s.family, s.relation, s.other) if s.direction == "out" else (s.other, s.relation, s.family)
    return Link(graph.label(s.relation), s.relation, s.direction, _ref(graph, s.other), ev.of_link(graph, *triple),
                _ref(graph, s.family), support=sp.of_link(graph, *triple))


def _credits(graph: Graph, iri: str) -> list[Credit]:
    """What the review attributes to an agent: entities, and links through their owl:Axiom annotations."""
    rows = graph.select(
        """SELECT ?agent ?x ?s ?p ?o WHERE {
             { ?x prov:wasAttributedTo ?agent FILTER(isIRI(?x)) }
             UNION { ?ax prov:wasAttributedTo ?agent ; owl:annotatedSource ?s ; owl:annotatedProperty ?p ;
                         owl:annotatedTarget ?o }
           }""",
        agent=iri,
    ) if iri.startswith(SSLMB) else []
    out = []
    for row in rows:
        if "x" in row:
            out.append(Credit(_ref(graph, row["x"]), None, None, ev.of_entity(graph, row["x"])))
        else:
            s, p, o = row["s"], row["p"], row["o"]
            out.append(Credit(_ref(graph, s), graph.label(p), _ref(graph, o), ev.of_link(graph, s, p, o)))
    out.sort(
        key=lambda c: (c.relation is not None, c.subject.label, c.relation or "", c.other.label if c.other else "")
    )
    return out


def describe(graph: Graph, iri: str) -> FactSheet:
    """Build the fact sheet of ``iri`` (use :meth:`kg.KnowledgeGraph.describe` to pass a label).

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
            from kg.core.terms import to_python

            annotations.append(Annotation(graph.label(p), p, to_python(o)))
    annotations.sort(key=lambda a: (a.property, str(a.value)))

    family = family_of(graph, iri)
    links = _links(graph, iri)
    family_quantities: list[tuple[Ref, qty.Quantity]] = []
    withheld: list[Withheld] = []
    for judged in sc.inherited(graph, iri, family):
        s = judged.statement
        if s.relation == qty.HAS_QUANTITY:
            number = qty.read(graph, ox.NamedNode(s.other))
            if judged.applies:
                family_quantities.append((_ref(graph, s.family), number))
                continue
            link = Link(number.metric or number.label, s.relation, "out", Ref(s.other, number.label, "quantity"),
                        number.evidence, _ref(graph, s.family))
        else:
            link = _inherited_link(graph, s)
            if judged.applies:
                links.append(link)
                continue
        withheld.append(Withheld(link.relation, link.relation_iri, link.direction, link.other, _ref(graph, s.family),
                                 judged.reason, judged.detail, link.evidence))
    links.sort(key=lambda lk: (lk.via is not None, lk.direction, lk.relation, lk.other.label))
    withheld.sort(key=lambda w: (w.reason, w.relation, w.other.label))

    uncertain = graph.value(iri, SSLMB + "uncertainReading")
    numbers = qty.of(graph, iri)
    agreed = []
    for number in numbers:
        backing = sp.of_number(graph, number, numbers)
        if len(backing.support) and sum(len(line.pieces) for line in backing.support) > 1:
            agreed.append((number.iri, backing))
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
        # grouped by source (the review first, then the others by key), so each source's values stand together
        quantities=tuple(sorted(numbers, key=lambda q: (q.evidence.source_keys != [resources.REVIEW_KEY],
                                                                    q.evidence.source_keys, q.metric or ""))),
        family_quantities=tuple(family_quantities),
        links=tuple(links),
        evidence=ev.of_entity(graph, iri),
        uncertain=bool(uncertain),
        withheld=tuple(withheld),
        credited=tuple(_credits(graph, iri)) if graph.kind(iri) == "agent" else (),
        support=sp.of_claim(graph, iri) if sp.is_claim(graph, iri) else None,
        number_support=tuple(agreed),
    )
