"""The sources of the graph: each one's record (key, kind, title, year, DOI or URL, licence) and how many statements
its named graph holds; and :func:`view`, the graph restricted to some of them (``--source KEY``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg.core.namespaces import SSLMB


@dataclass(frozen=True)
class SourceInfo:
    """One source as ``sslmb sources`` lists it; ``graph`` is the named graph of its facts."""

    key: str
    iri: str
    kind: str
    title: str
    year: int | None
    doi: str | None
    url: str | None
    licence: str | None
    graph: str
    statements: int


_KIND = {SSLMB + "Review": "review", SSLMB + "Article": "article", SSLMB + "DataSet": "dataset"}


def sources(graph: Any) -> list[SourceInfo]:
    """Every source with a record in the graph (``sslmb:sourceKey``), sorted by key.

    >>> import kg
    >>> [s.key for s in sources(kg.load())][:1]
    ['dendrite_md2025']
    """
    rows = graph.select(
        """SELECT ?s ?key ?type ?title ?year ?doi ?url ?licence ?g WHERE {
             ?s sslmb:sourceKey ?key ; sslmb:factsInGraph ?g ; a ?type .
             FILTER(?type IN (sslmb:Review, sslmb:Article, sslmb:DataSet))
             OPTIONAL { ?s dcterms:title ?title }
             OPTIONAL { ?s dcterms:issued ?year }
             OPTIONAL { ?s bibo:doi ?doi }
             OPTIONAL { ?s schema:url ?url }
             OPTIONAL { ?s dcterms:license ?licence }
           }"""
    )
    counts = _statements(graph)
    found: dict[str, SourceInfo] = {}
    for r in rows:
        key = str(r["key"])
        if key in found:
            continue
        found[key] = SourceInfo(
            key=key,
            iri=r["s"],
            kind=_KIND.get(r["type"], "source"),
            title=str(r.get("title", "")),
            year=int(r["year"]) if r.get("year") is not None else None,
            doi=r.get("doi"),
            url=r.get("url"),
            licence=r.get("licence"),
            graph=r["g"],
            statements=counts.get(r["g"], 0),
        )
    return sorted(found.values(), key=lambda s: s.key)


def _statements(graph: Any) -> dict[str, int]:
    """Statements per named graph (one query, grouped)."""
    rows = graph.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {r["g"]: int(r["n"]) for r in rows}


def keys(graph: Any) -> list[str]:
    """The keys of the sources the graph holds a record of, sorted."""
    rows = graph.select("SELECT DISTINCT ?key WHERE { ?s sslmb:sourceKey ?key ; sslmb:factsInGraph ?g }")
    return sorted({str(r["key"]) for r in rows})


def view(graph: Any, chosen: Iterable[str]) -> Any:
    """The graph restricted to the ontology (the default graph) and the named graphs of the ``chosen`` sources: a
    graph of the same class that every command reads as it reads the whole one.

    On a local store (in memory or on disk) the view is a :class:`~kg.core.backends.union.UnionStore` over those
    graphs, nothing copied; a remote store's graphs are read once, each with one ``CONSTRUCT``, into memory, beside
    the shipped ontology. An unknown key is an :class:`~kg.core.errors.InputError` that lists the known ones.

    >>> import kg
    >>> len(view(kg.load(), ["wang2020"])) < len(kg.load())
    True
    """
    from kg.core.backends.union import UnionStore, graph_iri
    from kg.core.errors import InputError, echo

    wanted = list(dict.fromkeys(chosen))
    known = keys(graph)
    for key in wanted:
        if key not in known:
            raise InputError(f"unknown source {echo(key)}; the sources are: {', '.join(known) or 'none'}")
    records = {s.key: s.graph for s in sources(graph)}
    iris = [records.get(k, graph_iri(k)) for k in wanted]
    store = graph.store
    if isinstance(store, UnionStore):
        return type(graph)(UnionStore(store.store, iris), graph.sources)
    return type(graph)(_read_remote(store, iris), graph.sources)


def _read_remote(store: Any, iris: list[str]) -> Any:
    """The named graphs ``iris`` of a remote store, read once into a fresh in-memory view with the ontology."""
    import pyoxigraph as ox

    from kg.core import resources
    from kg.core.backends import memory
    from kg.core.backends.union import UnionStore
    from kg.core.errors import InputError

    local = ox.Store()
    memory.load_file(local, resources.ontology_file())
    for iri in iris:
        node = ox.NamedNode(iri)
        bound = {ox.Variable("g"): node}
        triples = list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", substitutions=bound))
        if not triples:
            raise InputError(f"the endpoint holds no named graph <{iri}>: was the graph pushed graph by graph?")
        counted = store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", substitutions=bound
        )
        expected = int(next(iter(counted))["n"].value)
        if len(triples) < expected:  # a row cap of the endpoint: better no answer than a silently partial graph
            raise InputError(
                f"the endpoint sent {len(triples)} of the {expected} triples of <{iri}> (does it cap its results?)"
            )
        local.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
    return UnionStore(local, iris)
