"""The graph as a networkx MultiDiGraph: one node per entity, one edge per object-property link, each carrying
what a network tool needs (label, kind, family, key numbers; relation, references, review part).

networkx is imported only here, when a projection is asked for.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.core.namespaces import OWL, RDF, RDFS, SSLMB, shorten
from kg.model import evidence as ev
from kg.model import quantity as qty
from kg.model import scope as sc

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import networkx as nx

    from kg.core.graph import Graph

#: Kinds of bibliographic nodes: where a fact was printed, not what it is about.
BIBLIOGRAPHIC_KINDS = frozenset({"reference", "journal", "agent", "review", "review part"})
#: Kinds of schema and vocabulary nodes: classes, units, quantity kinds, outside terms.
SCHEMA_KINDS = frozenset({"class", "term", "resource", "unit", "quantity kind"})
# Links that are schema bookkeeping, never edges between entities.
_SCHEMA_PREDICATES = frozenset(
    {
        RDFS + "domain",
        RDFS + "range",
        RDFS + "subPropertyOf",
        OWL + "versionIRI",
        OWL + "annotatedSource",
        OWL + "annotatedTarget",
        OWL + "annotatedProperty",
        OWL + "inverseOf",
        OWL + "equivalentClass",
        OWL + "disjointWith",
        OWL + "onProperty",
        OWL + "someValuesFrom",
        OWL + "allValuesFrom",
        SSLMB + "bearsOn",
        *sc.SCOPE_PREDICATES,
    }
)
_TYPE = RDF + "type"


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()


def key_numbers(graph: Graph, iri: str) -> dict[str, float]:
    """An entity's reported numbers as ``{metric [unit]: value}``, in the normalised unit where there is one
    (a range gives its lower bound under ``... min`` and upper bound under ``... max``).

    >>> import kg
    >>> key_numbers(kg.load(), "https://w3id.org/sslmb/LGPS")
    {'ionic_conductivity_s_cm': 0.012}
    """
    numbers: dict[str, float] = {}
    for q in qty.of(graph, iri):
        metric = q.metric or q.kind or "value"
        value: float | None  # None for a range, which has a minimum or a maximum instead
        if q.normalized and isinstance(q.normalized.get("value"), float):
            unit, value = str(q.normalized["unit"]), float(q.normalized["value"])
            factor = value / q.value if q.value else None
        else:
            unit, value, factor = q.unit or "", q.value, 1.0
        name = _slug(f"{metric} {unit}")
        if value is not None:
            numbers.setdefault(name, value)
        elif factor is not None:
            if q.minimum is not None:
                numbers.setdefault(name + "_min", q.minimum * factor)
            if q.maximum is not None:
                numbers.setdefault(name + "_max", q.maximum * factor)
    return numbers


def to_networkx(graph: Graph, *, bibliographic: bool = True, schema: bool = False) -> nx.MultiDiGraph:
    """One node per entity (key = IRI) and one edge per object-property link between two kept entities.

    Node attributes: ``iri``, ``label``, ``kind`` (``electrolyte``, ``mechanism``, ``failure mode``,
    ``strategy``, ``reference``...), ``family`` (nearest electrolyte family label, or ``""``) and the entity's
    numbers from :func:`key_numbers` (floats). Edge attributes: ``relation`` (prefixed name, also the edge key),
    ``label`` (the relation's label), ``references`` (reference numbers, ``"12, 15"``), ``reference_count``,
    ``section`` (the review parts the link was read from), and for a statement made of a family ``scope`` (how
    far it reaches over the members: ``typical of members``, ``some members``, ``the group as a whole``; empty for
    other links) and ``exceptions`` (the members the source excepts). ``bibliographic=False`` leaves out references,
    journals, authors and review parts; ``schema=True`` keeps classes, units, quantity kinds and outside terms
    (electrolyte families are always kept: they carry facts).

    >>> import kg
    >>> g = to_networkx(kg.load())
    >>> g.nodes["https://w3id.org/sslmb/LGPS"]["kind"], g.nodes["https://w3id.org/sslmb/LGPS"]["family"]
    ('electrolyte', 'crystalline thio-LISICON electrolyte')
    """
    import networkx as nx

    from kg.model.describe import family_of

    def keep(iri: str) -> bool:
        kind = graph.kind(iri)
        if kind in SCHEMA_KINDS:
            return schema
        return bibliographic or kind not in BIBLIOGRAPHIC_KINDS

    links = ev.link_index(graph)
    out = nx.MultiDiGraph(name="sslmb-kg")
    kept: dict[str, bool] = {}

    def node(iri: str) -> bool:
        if iri not in kept:
            kept[iri] = keep(iri)
            if kept[iri]:
                families = family_of(graph, iri) if graph.kind(iri).startswith("electrolyte") else []
                out.add_node(
                    iri,
                    iri=iri,
                    label=graph.label(iri),
                    kind=graph.kind(iri),
                    family=graph.label(families[0]) if families else "",
                    **key_numbers(graph, iri),
                )
        return kept[iri]

    # Nodes and edges go in sorted, so the projection (and every path listed from it) does not depend on the
    # order a store lists its triples in.
    typed = graph.store.query("SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s)) }")
    for iri in sorted(row[0].value for row in typed):  # type: ignore[union-attr]
        node(iri)
    triples = sorted(
        (q.subject.value, q.predicate.value, q.object.value)
        for q in graph.store.quads_for_pattern(None, None, None)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    )
    scoped: dict[tuple[str, str, str], sc.Statement] = {}

    def scope_of(s: str, p: str, o: str) -> sc.Statement | None:
        family = s if p in sc.INHERITED_OUT else o if p in sc.INHERITED_IN else None
        if family is None or not graph.is_class(family):
            return None
        if (family, p, o if family == s else s) not in scoped:
            for statement in sc.statements_of(graph, family):
                scoped[(family, statement.relation, statement.other)] = statement
        return scoped.get((family, p, o if family == s else s))

    for s, p, o in triples:
        if p in _SCHEMA_PREDICATES or p in ev.EVIDENCE_PREDICATES and not bibliographic:
            continue
        if p == _TYPE and graph.kind(o) != "electrolyte family" and not schema:
            continue
        if not (node(s) and node(o)):
            continue
        found = links.get((s, p, o), ev.Evidence())
        numbers = sorted(set(found.reference_numbers))
        statement = scope_of(s, p, o)
        rel = shorten(p)
        out.add_edge(
            s,
            o,
            key=rel,
            relation=rel,
            label=graph.label(p),
            references=", ".join(map(str, numbers)),
            reference_count=len(numbers),
            section="; ".join(loc.label for loc in found.locations),
            scope=graph.label(statement.scope) if statement else "",
            exceptions="; ".join(graph.label(x) for x in statement.exceptions) if statement else "",
        )
    return out


def neighbourhood(network: nx.MultiDiGraph, center: str, hops: int) -> nx.MultiDiGraph:
    """The subgraph within ``hops`` links of ``center``, following edges in both directions."""
    import networkx as nx

    undirected = network.to_undirected(as_view=True)
    near = nx.single_source_shortest_path_length(undirected, center, cutoff=hops)
    return network.subgraph(near).copy()


class Projection:
    """The projection of :func:`to_networkx` read from the store while it is written out, for the exports: no
    networkx graph, no list of the graph's triples. What it keeps is one small integer per node (its degree); the
    links are read again, subject by subject, each time :meth:`edges` is iterated, and a node's or link's
    attributes are computed when asked for (:meth:`node_data`, :meth:`edge_data`), the same as
    :func:`to_networkx` gives them.

    Nodes come sorted by IRI, links by subject, object and relation (prefixed name), as the writers list them.

    >>> import kg
    >>> g = kg.load()
    >>> p, n = Projection(g, bibliographic=False), to_networkx(g, bibliographic=False)
    >>> (len(p.nodes), p.edge_count) == (n.number_of_nodes(), n.number_of_edges())
    True
    >>> p.degree["https://w3id.org/sslmb/LGPS"] == n.degree("https://w3id.org/sslmb/LGPS")
    True
    """

    def __init__(self, graph: Graph, *, bibliographic: bool = True, schema: bool = False) -> None:
        self.graph, self.bibliographic, self.schema = graph, bibliographic, schema
        self._links = ev.link_index(graph)
        self._scoped: dict[tuple[str, str, str], sc.Statement] = {}
        self._checked: set[str] = set()
        self._kept: dict[str, bool] = {}
        degree: dict[str, int] = {}
        typed = graph.store.query("SELECT DISTINCT ?s WHERE { ?s a ?t FILTER(isIRI(?s)) }")
        for row in typed:  # type: ignore[union-attr]
            iri = row[0].value
            if self.keep(iri):
                degree[iri] = 0
        count = 0
        for s, _, o in self._walk(degree):
            degree[s] += 1
            degree[o] += 1
            count += 1
        self.nodes = sorted(degree)
        self.degree = degree
        self.edge_count = count

    def keep(self, iri: str) -> bool:
        """Whether an entity is a node of the projection (its kind decides)."""
        kept = self._kept.get(iri)
        if kept is None:
            kind = self.graph.kind(iri)
            kept = self.schema if kind in SCHEMA_KINDS else self.bibliographic or kind not in BIBLIOGRAPHIC_KINDS
            self._kept[iri] = kept
        return kept

    def _walk(self, nodes: dict[str, int] | None = None):
        """``(subject, predicate, object)`` of every link, sorted; with ``nodes``, a kept end found on the way is
        added to it (as :func:`to_networkx` adds a node when it first meets it)."""
        graph = self.graph
        # sorted here: Oxigraph's ORDER BY is slower by two orders of magnitude (and a filter on the object too)
        found_subjects = graph.store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
        subjects = sorted(row[0].value for row in found_subjects if isinstance(row[0], ox.NamedNode))  # type: ignore[union-attr]
        for s in subjects:
            if not self.keep(s):  # no link of its own then: its triples need not be read
                continue
            found = {
                (q.object.value, q.predicate.value)
                for q in graph.store.quads_for_pattern(ox.NamedNode(s), None, None)
                if isinstance(q.object, ox.NamedNode)
            }
            links = []
            for o, p in found:
                if p in _SCHEMA_PREDICATES or p in ev.EVIDENCE_PREDICATES and not self.bibliographic:
                    continue
                if p == _TYPE and graph.kind(o) != "electrolyte family" and not self.schema:
                    continue
                if nodes is not None:
                    nodes.setdefault(s, 0)
                if not self.keep(o):
                    continue
                if nodes is not None:
                    nodes.setdefault(o, 0)
                links.append((o, shorten(p), p))
            for o, _, p in sorted(links):
                yield s, p, o

    def edges(self):
        """``(subject, predicate, object, attributes)`` of every link, sorted, read from the store again."""
        for s, p, o in self._walk():
            yield s, p, o, self.edge_data(s, p, o)

    def node_data(self, iri: str) -> dict[str, object]:
        """A node's attributes, as :func:`to_networkx` gives them."""
        from kg.model.describe import family_of

        graph = self.graph
        families = family_of(graph, iri) if graph.kind(iri).startswith("electrolyte") else []
        return {
            "iri": iri,
            "label": graph.label(iri),
            "kind": graph.kind(iri),
            "family": graph.label(families[0]) if families else "",
            **key_numbers(graph, iri),
        }

    def edge_data(self, s: str, p: str, o: str) -> dict[str, object]:
        """A link's attributes, as :func:`to_networkx` gives them."""
        graph = self.graph
        found = self._links.get((s, p, o), ev.Evidence())
        numbers = sorted(set(found.reference_numbers))
        statement = self._scope_of(s, p, o)
        rel = shorten(p)
        return {
            "relation": rel,
            "label": graph.label(p),
            "references": ", ".join(map(str, numbers)),
            "reference_count": len(numbers),
            "section": "; ".join(loc.label for loc in found.locations),
            "scope": graph.label(statement.scope) if statement else "",
            "exceptions": "; ".join(graph.label(x) for x in statement.exceptions) if statement else "",
        }

    def _scope_of(self, s: str, p: str, o: str) -> sc.Statement | None:
        family = s if p in sc.INHERITED_OUT else o if p in sc.INHERITED_IN else None
        if family is None or not self.graph.is_class(family):
            return None
        if family not in self._checked:
            self._checked.add(family)
            for statement in sc.statements_of(self.graph, family):
                self._scoped[(family, statement.relation, statement.other)] = statement
        return self._scoped.get((family, p, o if family == s else s))
