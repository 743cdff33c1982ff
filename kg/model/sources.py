"""The sources of the graph: each one's record (key, kind, title, year, DOI or URL, licence) and how many statements
its named graph holds."""

from __future__ import annotations

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
