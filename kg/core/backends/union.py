"""A store holding one named graph per source, read as one graph: queries see the union of all graphs.

Each source's facts live in their own named graph (``https://w3id.org/sslmb/graph/<key>``) and the ontology in the
default graph, so that a source can be listed, queried alone, replaced or removed atomically. Everything that reads
the graph, though, wants the union: :class:`UnionStore` wraps a ``pyoxigraph.Store`` so that SPARQL runs over the
union default graph (Oxigraph's ``use_default_graph_as_union``), a pattern asking for the default graph matches in
every graph, and a dump "of the default graph" writes the union's triples, each once. ``GRAPH ?g {...}`` still sees
the sources apart, and :meth:`UnionStore.graph_of` says which sources hold a triple.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox

GRAPH_BASE = "https://w3id.org/sslmb/graph/"
_TRIPLE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3)


def graph_iri(key: str) -> str:
    """The IRI of the named graph that holds a source's facts.

    >>> graph_iri("wang2020")
    'https://w3id.org/sslmb/graph/wang2020'
    """
    return GRAPH_BASE + key


class UnionStore:
    """A ``pyoxigraph.Store`` seen as the union of its graphs (the raw store is :attr:`store`)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:  # everything not overridden behaves as the raw store's
        return getattr(self.store, name)

    def __len__(self) -> int:
        """The triples of the union, each once (a triple several sources state counts once)."""
        if next(iter(self.store.named_graphs()), None) is None:
            return len(self.store)
        query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        return int(next(iter(self.query(query)))["n"].value)  # type: ignore[index]

    def __iter__(self) -> Iterator[ox.Quad]:
        return iter(self.store)

    def query(self, query: str, **options: Any) -> Any:
        options.setdefault("use_default_graph_as_union", "default_graph" not in options)
        return self.store.query(query, **options)

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[ox.Quad]:
        if isinstance(graph_name, ox.DefaultGraph):
            graph_name = None  # "the default graph" is the union here
        return self.store.quads_for_pattern(subject, predicate, object, graph_name)

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the union, once, in the store's order."""
        seen: set[ox.Triple] = set()
        for quad in self.store:
            triple = quad.triple
            if triple not in seen:
                seen.add(triple)
                yield triple

    def dump(self, output: Any = None, format: Any = None, *, from_graph: Any = None, **options: Any) -> Any:
        if from_graph is not None and not isinstance(from_graph, ox.DefaultGraph):
            return self.store.dump(output, format, from_graph=from_graph, **options)
        if format is None or format not in _TRIPLE_FORMATS:  # a dataset format (TriG, N-Quads) keeps the graphs
            return self.store.dump(output, format, **options)
        return ox.serialize(self.triples(), output, format, **options)

    def graph_of(self, subject: Any, predicate: Any, object: Any) -> list[str]:
        """The named graphs (sources) holding a triple, sorted; the default graph is ``""``."""
        return sorted(
            "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            for q in self.store.quads_for_pattern(subject, predicate, object, None)
        )

    def named_graphs(self) -> Iterable[Any]:
        return self.store.named_graphs()
