"""IRIs of the vocabularies the graph uses, and the SPARQL prefix header built from them."""

from __future__ import annotations

SSLMB = "https://w3id.org/sslmb/"
SHAPES = "https://w3id.org/sslmb/shapes/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
CITO = "http://purl.org/spar/cito/"
BIBO = "http://purl.org/ontology/bibo/"
DOCO = "http://purl.org/spar/doco/"
FOAF = "http://xmlns.com/foaf/0.1/"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
QUANTITYKIND = "http://qudt.org/vocab/quantitykind/"
SCHEMA = "https://schema.org/"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES: dict[str, str] = {
    "sslmb": SSLMB,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "cito": CITO,
    "bibo": BIBO,
    "doco": DOCO,
    "foaf": FOAF,
    "qudt": QUDT,
    "unit": UNIT,
    "quantitykind": QUANTITYKIND,
    "schema": SCHEMA,
}

SPARQL_PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def shorten(iri: str) -> str:
    """Write an IRI as a prefixed name when a known prefix fits.

    >>> shorten("https://w3id.org/sslmb/LLZO")
    'sslmb:LLZO'
    >>> shorten("http://example.org/x")
    'http://example.org/x'
    """
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and "/" not in iri[len(ns) :] and "#" not in iri[len(ns) :]:
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def expand(name: str) -> str:
    """Expand a prefixed name (``sslmb:LLZO``) to a full IRI; full IRIs pass through.

    >>> expand("sslmb:LLZO")
    'https://w3id.org/sslmb/LLZO'
    """
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name
