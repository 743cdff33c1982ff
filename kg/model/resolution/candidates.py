"""The graph's named entities as the resolver sees them (:func:`candidates`): one SPARQL query."""

from __future__ import annotations

from collections.abc import Iterable

from kg.core.namespaces import PREFIXES, SKOS, SSLMB
from kg.model.resolution.data import FAMILY_KIND, Candidate

_CANDIDATES_QUERY = """
SELECT ?x ?p ?v WHERE {
  { SELECT DISTINCT ?x WHERE { ?x rdfs:label ?any FILTER(isIRI(?x)) } }
  VALUES ?p { rdfs:label skos:altLabel sslmb:formula rdf:type rdfs:subClassOf }
  ?x ?p ?v .
}
"""


def candidates(graph, kinds: Iterable[str] | None = None) -> list[Candidate]:
    """Every named entity of ``graph`` (one SPARQL query: labels, alternative labels, formula, types, parent
    classes), with its kind from ``graph.kind``; materials carry their families (the classes of kind
    ``electrolyte family`` among their types). ``kinds`` keeps only entities of those kinds."""
    wanted = set(kinds) if kinds is not None else None
    rows = graph.select(_CANDIDATES_QUERY)
    props: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        props.setdefault(row["x"], {}).setdefault(row["p"], []).append(str(row["v"]))
    kind_of: dict[str, str] = {}

    def kind(iri: str) -> str:
        if iri not in kind_of:
            kind_of[iri] = graph.kind(iri)
        return kind_of[iri]

    out = []
    for iri in sorted(props):
        k = kind(iri)
        if wanted is not None and k not in wanted:
            continue
        p = props[iri]
        label = graph.label(iri)
        alts = sorted({v for v in p.get(SKOS + "altLabel", []) if v != label})
        alts += sorted({v for v in p.get(_RDFS_LABEL, []) if v != label and v not in alts})
        formulas = sorted(set(p.get(SSLMB + "formula", [])))
        families = tuple(sorted(t for t in set(p.get(_RDF_TYPE, [])) if t in props and kind(t) == FAMILY_KIND))
        parents = tuple(sorted(t for t in set(p.get(_RDFS_SUBCLASS, [])) if t in props and kind(t) == FAMILY_KIND))
        out.append(Candidate(iri, label, k, tuple(alts), formulas[0] if formulas else None, families, parents))
    return out


_RDFS_LABEL = PREFIXES["rdfs"] + "label"
_RDF_TYPE = PREFIXES["rdf"] + "type"
_RDFS_SUBCLASS = PREFIXES["rdfs"] + "subClassOf"
