"""The graphs of a dataset as they travel between stores: the local store's graphs (the ontology in the default
graph, one named graph per source), where each goes on a SPARQL server, and which graphs a server's requests must
name so that they read the same union.

Servers differ in one way that matters here. ``oxigraph serve --union-default-graph`` reads its default graph as
the union of all its graphs, as the embedded store does, so a request names no graph. Virtuoso's default graph is
the union of everything it holds, its own system graphs included, and it cannot write its default graph: the
ontology goes into :data:`ONTOLOGY_GRAPH` and each request names that graph and the sources' graphs
(``default-graph-uri`` for the union, ``named-graph-uri`` so that ``GRAPH ?g`` sees the sources apart).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.core.namespaces import SSLMB

ONTOLOGY_GRAPH = "https://w3id.org/sslmb/graph/ontology"
FACTS_IN_GRAPH = SSLMB + "factsInGraph"

# The sources' graphs, found in the data itself: a source's record (in its own graph) says which graph holds its
# facts, so copies of the whole graph pushed elsewhere with --graph, and a server's system graphs, are left out.
# ?union tells whether the default graph sees the sources' triples (oxigraph serve --union-default-graph).
SOURCE_GRAPHS = f"""SELECT DISTINCT ?g ?union WHERE {{
  GRAPH ?g {{ ?s <{FACTS_IN_GRAPH}> ?g }}
  BIND(EXISTS {{ ?s <{FACTS_IN_GRAPH}> ?g }} AS ?union)
}}"""


def server_kind(headers: object) -> str:
    """``"oxigraph"``, ``"virtuoso"`` or ``""``, from a response's ``Server`` header.

    >>> server_kind({"Server": "Virtuoso/07.20.3233 (Linux) x86_64-pc-linux-gnu"})
    'virtuoso'
    """
    server = (getattr(headers, "get", lambda k, d=None: d)("Server", "") or "").lower()
    for kind in ("oxigraph", "virtuoso"):
        if server.startswith(kind):
            return kind
    return ""


@dataclass(frozen=True)
class Part:
    """One graph of a local store and where it goes: ``name`` is the graph's IRI, ``None`` for the default graph;
    ``target`` the graph at the server (``None``: the server's default graph)."""

    name: str | None
    target: str | None
    triples: int


def raw_store(graph: object) -> ox.Store | None:
    """The pyoxigraph store under a :class:`kg.core.graph.Graph` (in memory or on disk), or ``None`` (remote)."""
    store = getattr(graph, "store", None)
    raw = getattr(store, "store", store)
    return raw if isinstance(raw, ox.Store) else None


def parts(store: ox.Store, ontology_target: str | None) -> list[Part]:
    """The store's graphs, the default graph first, each with its target and size (statements)."""
    out = [Part(None, ontology_target, _count(store.quads_for_pattern(None, None, None, ox.DefaultGraph())))]
    for name in sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)):
        out.append(Part(name, name, _count(store.quads_for_pattern(None, None, None, ox.NamedNode(name)))))
    return out


def _count(quads: Iterable[ox.Quad]) -> int:
    return sum(1 for _ in quads)
