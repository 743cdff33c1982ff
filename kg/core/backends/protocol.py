"""What a store must offer for the package to read a graph from it: the four methods of ``pyoxigraph.Store`` that
every module uses. ``pyoxigraph.Store`` has them; :class:`kg.core.backends.remote.RemoteStore` answers them over
HTTP. (Type checkers read this module; nothing imports it at run time.)"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import pyoxigraph as ox

from kg.core.terms import Term


class Store(Protocol):
    """A read-only store of RDF quads, with pyoxigraph's results and terms."""

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a SPARQL query; the answer is the pyoxigraph object ``Store.query`` returns."""
        ...

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The quads matching a pattern (``None`` is a wildcard)."""
        ...

    def dump(
        self,
        output: Any = None,
        format: ox.RdfFormat | None = None,
        *,
        from_graph: ox.DefaultGraph | None = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> bytes | None:
        """Serialise a graph of the store."""
        ...

    def __len__(self) -> int: ...
