"""The graph as compact JSON-LD: every IRI written with the prefixes of the vocabulary's context
(``ontology/context.jsonld``, served by ``sslmb serve`` at ``/context.jsonld``), the named graphs kept.

Written by hand rather than by a JSON-LD library: the document is the flattened form compacted with a context of
prefixes only, which needs nothing more than choosing the longest prefix for each IRI, and writing it directly keeps
the output byte-stable (canonical blank-node labels, sorted nodes and values: :mod:`kg.output.canonical`). The
context goes inline, so the file reads offline; its text is the one the endpoint serves.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kg.core.namespaces import RDF, XSD

_TYPE = RDF + "type"
_STRING = XSD + "string"
_LANG_STRING = RDF + "langString"


def context() -> dict[str, str]:
    """The ``@context`` object of ``ontology/context.jsonld``: prefix to namespace.

    >>> context()["sslmb"]
    'https://w3id.org/sslmb/'
    """
    from kg.core.resources import context_file

    return dict(json.loads(context_file().read_text(encoding="utf-8"))["@context"])


class _Compactor:
    def __init__(self, prefixes: dict[str, str]) -> None:
        # longest namespace first, so that a namespace inside another (qudt's vocab/unit/ in vocab/) wins
        self.prefixes = sorted(((ns, p) for p, ns in prefixes.items()), key=lambda item: (-len(item[0]), item[1]))
        self.cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        found = self.cache.get(iri)
        if found is None:
            found = iri
            for ns, prefix in self.prefixes:
                rest = iri[len(ns) :]
                if iri.startswith(ns) and rest and not rest.startswith("//"):
                    found = f"{prefix}:{rest}"
                    break
            self.cache[iri] = found
        return found

    def node(self, term: ox.NamedNode | ox.BlankNode) -> str:
        return "_:" + term.value if isinstance(term, ox.BlankNode) else self.iri(term.value)

    def value(self, term: Any) -> Any:
        if isinstance(term, ox.Literal):
            datatype = term.datatype.value
            if term.language:
                return {"@value": term.value, "@language": term.language}
            if datatype == _STRING:
                return term.value
            return {"@value": term.value, "@type": self.iri(datatype)}
        return {"@id": self.node(term)}


def _nodes(quads: list[ox.Quad], c: _Compactor) -> dict[str, dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}
    for quad in quads:
        subject = c.node(quad.subject)  # type: ignore[arg-type]
        node = nodes.setdefault(subject, {"@id": subject})
        if quad.predicate.value == _TYPE and not isinstance(quad.object, ox.Literal):
            node.setdefault("@type", []).append(c.node(quad.object))  # type: ignore[arg-type]
        else:
            node.setdefault(c.iri(quad.predicate.value), []).append(c.value(quad.object))
    for node in nodes.values():
        for key, values in list(node.items()):
            if isinstance(values, list) and len(values) == 1:
                node[key] = values[0]
    return {k: nodes[k] for k in sorted(nodes)}


def to_jsonld(quads: Iterable[ox.Quad], *, prefixes: dict[str, str] | None = None) -> bytes:
    """``quads`` as one compact JSON-LD document: the default graph's nodes, then one node per named graph with
    its own ``@graph``; the context (default: :func:`context`) inline. Nodes, keys and values come in the order of
    ``quads`` sorted (give canonical quads for a byte-stable file).

    >>> q = ox.Quad(ox.NamedNode("https://w3id.org/sslmb/LGPS"), ox.NamedNode(RDF + "type"),
    ...             ox.NamedNode("https://w3id.org/sslmb/Electrolyte"), ox.NamedNode("https://w3id.org/sslmb/graph/x"))
    >>> json.loads(to_jsonld([q], prefixes={"sslmb": "https://w3id.org/sslmb/"}))["@graph"]
    [{'@id': 'sslmb:graph/x', '@graph': [{'@id': 'sslmb:LGPS', '@type': 'sslmb:Electrolyte'}]}]
    """
    prefixes = context() if prefixes is None else prefixes
    c = _Compactor(prefixes)
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else c.node(quad.graph_name)
        by_graph.setdefault(name, []).append(quad)
    top = _nodes(by_graph.pop("", []), c)
    for name in sorted(by_graph):
        top.setdefault(name, {"@id": name})["@graph"] = list(_nodes(by_graph[name], c).values())
    document = {"@context": dict(sorted(prefixes.items())), "@graph": [top[k] for k in sorted(top)]}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
