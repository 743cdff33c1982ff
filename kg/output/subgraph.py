"""What an export is limited to: the entity network (whole, or the neighbourhood of one entity), and the RDF
triples of such a neighbourhood."""

from __future__ import annotations

import pyoxigraph as ox

from kg.core.backends.union import UnionStore
from kg.core.errors import InputError
from kg.core.namespaces import OWL, RDF, RDFS, SKOS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import networkx as nx

    from kg.core.graph import Graph

_TYPE = ox.NamedNode(RDF + "type")
_ANNOTATED_SOURCE = ox.NamedNode(OWL + "annotatedSource")
_ANNOTATED_TARGET = ox.NamedNode(OWL + "annotatedTarget")
_LABELS = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "prefLabel"))


def network(
    graph: Graph,
    *,
    around: str | None = None,
    hops: int = 1,
    bibliographic: bool = True,
    schema: bool = False,
) -> nx.MultiDiGraph:
    """The networkx projection (:func:`kg.analysis.network.to_networkx`), or with ``around`` only the entities within
    ``hops`` links of that entity (links followed in both directions) and the links among them.

    >>> import kg
    >>> small = network(kg.load(), around="LGPS", hops=1, bibliographic=False)
    >>> "https://w3id.org/sslmb/LGPS" in small, small.number_of_nodes() < 40
    (True, True)
    """
    from kg.analysis.network import neighbourhood, to_networkx
    from kg.model.search import resolve

    if hops < 0:
        raise InputError(f"--hops must be 0 or more, got {hops}")
    full = to_networkx(graph, bibliographic=bibliographic, schema=schema)
    if around is None:
        return full
    entity = resolve(graph, around)
    if entity.iri not in full:
        hint = "" if schema else " (add --schema to keep classes, units and outside terms)"
        if not bibliographic:
            hint = " (leave out --no-bibliographic to keep references and review parts)"
        raise InputError(f"{entity.label!r} ({entity.kind}) is not in the exported network{hint}")
    part = neighbourhood(full, entity.iri, hops)
    part.graph["name"] = f"sslmb-kg around {entity.label}"
    part.graph["center"] = entity.iri
    return part


def rdf_store(graph: Graph, iris: set[str]) -> UnionStore:
    """The triples about the entities ``iris``: every triple whose subject is one of them and whose object is
    one of them, a literal (labels, definitions, values) or a type; the labels of those types; and the
    ``owl:Axiom`` annotations (evidence) of the links kept, with the labels of what they point to. Each triple
    stays in its source's named graph; the store reads as their union."""
    store = ox.Store()
    keep = {ox.NamedNode(i) for i in iris}
    outside: set[ox.NamedNode] = set()  # types and evidence targets: their labels are kept too
    quads: list[ox.Quad] = []
    for subject in keep:
        for quad in graph.store.quads_for_pattern(subject, None, None, ox.DefaultGraph()):
            o = quad.object
            if isinstance(o, ox.Literal) or o in keep:
                quads.append(quad)
            elif quad.predicate == _TYPE and isinstance(o, ox.NamedNode):
                quads.append(quad)
                outside.add(o)
    for quad in graph.store.quads_for_pattern(None, _ANNOTATED_SOURCE, None, ox.DefaultGraph()):
        axiom = quad.subject
        if quad.object not in keep:
            continue
        # an axiom is a node, never a triple term (the store protocol reads nodes only)
        targets = [q.object for q in graph.store.quads_for_pattern(axiom, _ANNOTATED_TARGET, None, ox.DefaultGraph())]  # type: ignore[arg-type]
        if targets and all(t in keep or isinstance(t, ox.Literal) for t in targets):
            for annotation in graph.store.quads_for_pattern(axiom, None, None, ox.DefaultGraph()):  # type: ignore[arg-type]
                quads.append(annotation)
                if isinstance(annotation.object, ox.NamedNode) and annotation.object not in keep:
                    outside.add(annotation.object)
    for other in outside - keep:
        quads.extend(
            q for label in _LABELS for q in graph.store.quads_for_pattern(other, label, None, ox.DefaultGraph())
        )
    store.extend(quads)
    return UnionStore(store)
