"""The output formats the library writes, as an Enum rather than free strings."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from kg.core.errors import InputError, echo


class Format(str, Enum):
    """A serialisation of the graph: RDF (the whole graph: the union's triples, or with TriG and N-Quads every named
    graph kept) or a network file (the entity network of :func:`kg.analysis.network.to_networkx`: GEXF 1.3 for
    Gephi, GraphML; and as a folder of flat files, KGX TSV and the CSV of Neo4j's bulk importer).

    >>> Format.from_extension("kg.ttl")
    <Format.TURTLE: 'ttl'>
    >>> Format.from_name("jsonld").media_type
    'application/ld+json'
    """

    TURTLE = "ttl"
    NTRIPLES = "nt"
    JSONLD = "jsonld"
    RDFXML = "rdf"
    TRIG = "trig"
    NQUADS = "nq"
    GEXF = "gexf"
    GRAPHML = "graphml"
    KGX = "kgx"
    NEO4J = "neo4j"

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def is_rdf(self) -> bool:
        """True for the RDF serialisations; False for the network formats (GEXF, GraphML, KGX, Neo4j)."""
        return self not in (Format.GEXF, Format.GRAPHML, Format.KGX, Format.NEO4J)

    @property
    def is_folder(self) -> bool:
        """True for the formats written as several files in a folder: KGX TSV, Neo4j's import CSV."""
        return self in (Format.KGX, Format.NEO4J)

    @classmethod
    def from_name(cls, name: str) -> Format:
        """Accept the short name (``ttl``) or a common alias (``turtle``, ``json-ld``)."""
        key = name.lower().lstrip(".")
        key = _ALIASES.get(key, key)
        for member in cls:
            if member.value == key:
                return member
        choices = ", ".join(m.value for m in cls)
        raise InputError(f"unknown format {echo(name)}; expected one of {choices}")

    @classmethod
    def from_extension(cls, path: str | Path) -> Format:
        """Guess the format from a file name (``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``/``.owl``, ``.trig``, ``.nq``,
        ``.gexf``, ``.graphml``)."""
        suffix = Path(path).suffix
        if not suffix:
            raise InputError(f"cannot tell the format of {echo(str(path))} from its name; pass a format")
        return cls.from_name(suffix)


_MEDIA_TYPES = {
    Format.TURTLE: "text/turtle",
    Format.NTRIPLES: "application/n-triples",
    Format.JSONLD: "application/ld+json",
    Format.RDFXML: "application/rdf+xml",
    Format.TRIG: "application/trig",
    Format.NQUADS: "application/n-quads",
    Format.GEXF: "application/gexf+xml",
    Format.GRAPHML: "application/graphml+xml",
    Format.KGX: "text/tab-separated-values",
    Format.NEO4J: "text/csv",
}

_ALIASES = {
    "turtle": "ttl",
    "ntriples": "nt",
    "n-triples": "nt",
    "json-ld": "jsonld",
    "json": "jsonld",
    "xml": "rdf",
    "owl": "rdf",
    "rdfxml": "rdf",
    "nquads": "nq",
    "n-quads": "nq",
}
