"""A store holding one named graph per source, read as one graph: queries see the union of the graphs, or of a
chosen few of them (a *view*).

Each source's facts live in their own named graph (``https://w3id.org/sslmb/graph/<key>``) and the ontology in the
default graph, so that a source can be listed, queried alone, replaced or removed atomically. Everything that reads
the graph, though, wants the union: :class:`UnionStore` wraps a ``pyoxigraph.Store`` so that SPARQL runs over the
union default graph, a pattern asking for the default graph matches in every graph, and a dump "of the default
graph" writes the union's triples, each once. ``GRAPH ?g {...}`` still sees the sources apart, and
:meth:`UnionStore.graph_of` says which sources hold a triple.

Given ``graphs``, the store is a view: the default graph (the ontology) and those named graphs only, for patterns,
queries (``GRAPH ?g`` included), counts and dumps alike.

A query's own dataset (``FROM``, ``FROM NAMED``) is obeyed: Oxigraph's ``use_default_graph_as_union`` and its
``default_graph=`` option would both override it, so a query that names graphs is run on the graphs it names
(within the view, for a view).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain

import pyoxigraph as ox

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

GRAPH_BASE = "https://w3id.org/sslmb/graph/"
_TRIPLE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3)


def graph_iri(key: str) -> str:
    """The IRI of the named graph that holds a source's facts.

    >>> graph_iri("wang2020")
    'https://w3id.org/sslmb/graph/wang2020'
    """
    return GRAPH_BASE + key


def dataset_clause(
    text: str, prefixes: Mapping[str, str] | None = None, base_iri: str | None = None
) -> tuple[list[str], list[str]] | None:
    """The graphs a query's ``FROM`` and ``FROM NAMED`` clauses name, as ``(from, from_named)``; None when it has
    neither. Comments, strings and IRIs are skipped whole, so a ``FROM`` inside them does not count; prefixed
    names are expanded with the query's ``PREFIX`` lines and ``prefixes``, relative IRIs against its ``BASE``.

    >>> dataset_clause("SELECT * WHERE { ?s ?p 'FROM' } # FROM <x:y>") is None
    True
    >>> dataset_clause("PREFIX g: <https://w3id.org/sslmb/graph/> SELECT * FROM g:obelix FROM NAMED <x:a> {}")
    (['https://w3id.org/sslmb/graph/obelix'], ['x:a'])
    >>> dataset_clause("BASE <https://w3id.org/sslmb/graph/> SELECT * FROM <wang2020> {}")
    (['https://w3id.org/sslmb/graph/wang2020'], [])
    """
    if "from" not in text.lower():  # no FROM anywhere, so none outside strings and comments: the common case, cheap
        return None
    key = (text, base_iri, frozenset(prefixes.items()) if prefixes else None)
    found = _CLAUSES.get(key, _CLAUSES)  # a server answers the same texts again and again
    if found is _CLAUSES:
        if len(_CLAUSES) >= 512:
            _CLAUSES.clear()
        found = _CLAUSES[key] = _dataset_clause(text, prefixes, base_iri)
    return None if found is None else (list(found[0]), list(found[1]))


_CLAUSES: dict[tuple, Any] = {}


def _dataset_clause(
    text: str, prefixes: Mapping[str, str] | None, base_iri: str | None
) -> tuple[list[str], list[str]] | None:
    from urllib.parse import urljoin

    from kg.core.backends.sparqltext import token_pattern

    declared = dict(prefixes or {})
    base = base_iri or ""
    tokens = [
        (m.lastgroup, m.group(), m.start())
        for m in token_pattern(text).finditer(text)
        if m.lastgroup in ("iri", "pname", "word")
    ]
    found: tuple[list[str], list[str]] = ([], [])
    seen = False
    for i, (kind, value, start) in enumerate(tokens):
        if kind != "word":
            continue
        word = value.upper()
        if word == "BASE" and i + 1 < len(tokens) and tokens[i + 1][0] == "iri":
            base = urljoin(base, tokens[i + 1][1][1:-1]) if base else tokens[i + 1][1][1:-1]
        elif word == "PREFIX" and i + 2 < len(tokens) and tokens[i + 1][0] == "pname" and tokens[i + 2][0] == "iri":
            declared[tokens[i + 1][1].rstrip(":")] = tokens[i + 2][1][1:-1]
        elif word == "FROM" and (start == 0 or text[start - 1] != "@"):  # "x"@from is a language tag
            seen = True
            named = i + 1 < len(tokens) and tokens[i + 1][0] == "word" and tokens[i + 1][1].upper() == "NAMED"
            j = i + 2 if named else i + 1
            if j < len(tokens) and tokens[j][0] in ("iri", "pname"):
                iri = _expand(tokens[j][0], tokens[j][1], declared)
                found[1 if named else 0].append(urljoin(base, iri) if base else iri)
    return found if seen else None


def _expand(kind: str | None, value: str, prefixes: Mapping[str, str]) -> str:
    if kind == "iri":
        return value[1:-1]
    prefix, _, local = value.partition(":")
    base = prefixes.get(prefix)
    return base + re.sub(r"\\(.)", r"\1", local) if base is not None else value


class UnionStore:
    """A ``pyoxigraph.Store`` seen as the union of its graphs (the raw store is :attr:`store`); with ``graphs``
    (named graph IRIs), as the union of the default graph and those graphs only. ``triples``, the distinct triples
    of the union when they are known already (a read-only store whose metadata records them), spares counting
    them."""

    def __init__(self, store: ox.Store, graphs: Iterable[str] | None = None, *, triples: int | None = None) -> None:
        self.store = store
        self.graphs: tuple[str, ...] | None = None if graphs is None else tuple(dict.fromkeys(graphs))
        self.known_triples = triples if graphs is None else None

    def __getattr__(self, name: str) -> Any:  # everything not overridden behaves as the raw store's
        return getattr(self.store, name)

    # ------------------------------------------------------------------ the view

    def _nodes(self) -> list[ox.NamedNode]:
        return [ox.NamedNode(g) for g in self.graphs or ()]

    def _in_view(self, graph_name: Any) -> bool:
        return self.graphs is None or isinstance(graph_name, ox.DefaultGraph) or graph_name.value in self.graphs

    def __len__(self) -> int:
        """The triples of the union, each once (a triple several sources state counts once)."""
        if self.known_triples is not None:
            return self.known_triples
        if self.graphs is None and next(iter(self.store.named_graphs()), None) is None:
            return len(self.store)
        query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        return int(next(iter(self.query(query)))["n"].value)

    def __iter__(self) -> Iterator[ox.Quad]:
        if self.graphs is None:
            return iter(self.store)
        return self.quads_for_pattern(None, None, None, None)

    def query(self, query: str, **options: Any) -> Any:
        """SPARQL over the union (or the view). A caller's ``default_graph=``/``named_graphs=`` (the protocol's
        ``default-graph-uri``/``named-graph-uri``) or the query's ``FROM``/``FROM NAMED`` choose the graphs
        instead; in a view, only among the view's graphs."""
        chosen = "default_graph" in options or "named_graphs" in options
        if options.get("use_default_graph_as_union") is not None:
            return self.store.query(query, **options)
        if not chosen:
            clause = dataset_clause(query, options.get("prefixes"), options.get("base_iri"))
            if clause is not None:
                if self.graphs is None:  # the query's own dataset: Oxigraph reads it when no option is given
                    return self.store.query(query, **options)
                options["default_graph"] = [ox.NamedNode(g) for g in clause[0]]
                options["named_graphs"] = [ox.NamedNode(g) for g in clause[1]]
                chosen = True
        if not chosen:
            if self.graphs is None:
                options["use_default_graph_as_union"] = True
            else:
                options["default_graph"] = [ox.DefaultGraph(), *self._nodes()]
                options["named_graphs"] = self._nodes()
        elif self.graphs is not None:  # only what the view holds can be chosen
            if "default_graph" in options:
                options["default_graph"] = [g for g in options["default_graph"] if self._in_view(g)]
            options["named_graphs"] = [g for g in options.get("named_graphs", self._nodes()) if self._in_view(g)]
        return self.store.query(query, **options)

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any, graph_name: Any = None) -> Iterator[ox.Quad]:
        if isinstance(graph_name, ox.DefaultGraph):
            graph_name = None  # "the default graph" is the union here
        if self.graphs is None:
            return self.store.quads_for_pattern(subject, predicate, object, graph_name)
        if graph_name is not None:
            if not self._in_view(graph_name):
                return iter(())
            return self.store.quads_for_pattern(subject, predicate, object, graph_name)
        graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph(), *self._nodes()]
        return chain.from_iterable(self.store.quads_for_pattern(subject, predicate, object, g) for g in graphs)

    def triples(self) -> Iterator[ox.Triple]:
        """Every triple of the union, once, in the store's order."""
        seen: set[ox.Triple] = set()
        for quad in self:
            triple = quad.triple
            if triple not in seen:
                seen.add(triple)
                yield triple

    def dump(self, output: Any = None, format: Any = None, *, from_graph: Any = None, **options: Any) -> Any:
        if from_graph is not None and not isinstance(from_graph, ox.DefaultGraph):
            if not self._in_view(from_graph):
                return ox.serialize([], output, format, **options)
            return self.store.dump(output, format, from_graph=from_graph, **options)
        if format is None or format not in _TRIPLE_FORMATS:  # a dataset format (TriG, N-Quads) keeps the graphs
            if self.graphs is None:
                return self.store.dump(output, format, **options)
            return ox.serialize(self, output, format, **options)
        # the union's triples, each once: Oxigraph's CONSTRUCT keeps a triple once whatever number of graphs hold
        # it, and writes it natively (a set of Python triples made the same file 30% slower at a million triples)
        found = self.query("CONSTRUCT WHERE { ?s ?p ?o }")
        if options:  # prefixes (Turtle): ox.serialize takes them, the query result's writer does not
            return ox.serialize(found, output, format, **options)
        return found.serialize(output, format)

    def graph_of(self, subject: Any, predicate: Any, object: Any) -> list[str]:
        """The named graphs (sources) holding a triple, sorted; the default graph is ``""``."""
        return sorted(
            "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            for q in self.quads_for_pattern(subject, predicate, object, None)
        )

    def named_graphs(self) -> Iterable[Any]:
        if self.graphs is None:
            return self.store.named_graphs()
        present = {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}
        return [ox.NamedNode(g) for g in self.graphs if g in present]
