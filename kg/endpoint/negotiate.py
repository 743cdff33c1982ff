"""Content negotiation: which result format a SPARQL query is answered in, from the request's Accept header."""

from __future__ import annotations

from kg.endpoint.refused import Refused

RESULT_TYPES = {  # SELECT and ASK
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {  # CONSTRUCT and DESCRIBE
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
}
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "html": "text/html; charset=utf-8",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values, best first (stable for equal q).

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json, */*;q=0.1")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5), ('*/*', 0.1)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q, index))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(m, q) for m, q, _ in ranges]


def negotiate(accept: str | None, form: str | None) -> str:
    """The short format name (json, xml, csv, tsv, ttl, nt, jsonld) to answer a ``form`` query with.

    >>> negotiate("text/turtle,*/*;q=0.9", "select")
    'json'
    >>> negotiate("application/sparql-results+json,*/*;q=0.9", "construct")
    'ttl'
    """
    table = GRAPH_TYPES if form in ("construct", "describe") else RESULT_TYPES
    default = "ttl" if form in ("construct", "describe") else "json"
    for media, q in parse_accept(accept):
        if q <= 0:
            continue
        if media in table:
            return table[media]
        if media == "*/*" or media == "*":
            return default
        if media.endswith("/*"):
            family = media[:-1]
            for candidate, fmt in table.items():
                if candidate.startswith(family):
                    return fmt
    offered = ", ".join(dict.fromkeys(MEDIA_TYPES[f].split(";")[0] for f in table.values()))
    raise Refused(406, f"cannot answer a {form or 'SELECT'} query in any of the accepted types; offered: {offered}")
