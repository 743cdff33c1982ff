"""The entity network as KGX TSV (``nodes.tsv``, ``edges.tsv``), the flat format of Biolink-model knowledge graphs
(KG-Hub, Monarch, the Translator), written without the ``kgx`` library (which fetches the Biolink model when
imported).

The nodes and edges are those of the GEXF export (:func:`kg.analysis.network.to_networkx`, through
:func:`kg.output.subgraph.network`), so both files describe the same network. Identifiers are CURIEs with the
prefixes of :mod:`kg.core.namespaces`. Categories and predicates are Biolink's where the match is clear
(:data:`CATEGORIES`, :data:`PREDICATES`); every node also keeps its own classes (``sslmb:SulfideElectrolyte``...)
in ``category`` after the Biolink one (``biolink:NamedThing`` when none fits), and every edge keeps its relation
in ``original_predicate``. The sources of an edge are the named graphs that hold its triple: ``doi:`` plus the
source's DOI when it has one, else the source record's CURIE (``sslmb:source_obelix``); a triple of the ontology
(the default graph) has the ontology's IRI. :func:`records` is shared with the Neo4j export (:mod:`kg.output.neo4j`).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.core.namespaces import BIBO, OWL, PREFIXES, QUDT, RDF, SKOS, SSLMB, expand

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import IO

    import networkx as nx

    from kg.analysis.network import Projection
    from kg.core.graph import Graph

#: The files of the export, in a folder.
FILES = ("nodes.tsv", "edges.tsv")
#: The ontology's IRI: the knowledge source of the ontology's own triples, and the aggregator of every edge.
ONTOLOGY = "https://w3id.org/sslmb"
#: Columns of ``nodes.tsv``: the Biolink slots first (``id`` and ``category`` are required), then ours.
NODE_COLUMNS = (
    "id", "category", "name", "description", "xref", "synonym", "iri", "provided_by",
    "has_numeric_value", "has_unit", "kind", "family",
)  # fmt: skip
#: Columns of ``edges.tsv``: ``subject``, ``predicate``, ``object``, ``knowledge_level`` and ``agent_type`` are
#: required by KGX; the sources and publications are its provenance slots; ``label`` and ``section`` are ours.
EDGE_COLUMNS = (
    "id", "subject", "predicate", "object", "category", "original_predicate", "knowledge_level", "agent_type",
    "primary_knowledge_source", "aggregator_knowledge_source", "knowledge_source", "publications", "label", "section",
)  # fmt: skip
#: Biolink categories for kinds of entity whose match is clear; other kinds get ``biolink:NamedThing``.
CATEGORIES = {
    "electrolyte": "biolink:ChemicalEntity",
    "material": "biolink:ChemicalEntity",
    "reference": "biolink:Publication",
    "review": "biolink:Publication",
    "agent": "biolink:Agent",
    "cell": "biolink:Device",
}
#: Biolink predicates for relations whose match is clear; the others keep their own CURIE.
PREDICATES = {
    SSLMB + "causes": "biolink:causes",
    SSLMB + "contributesTo": "biolink:contributes_to",
    SSLMB + "partOf": "biolink:part_of",
    SSLMB + "hasConstituent": "biolink:has_part",
    "http://www.w3.org/2000/01/rdf-schema#subClassOf": "biolink:subclass_of",
}
#: Prefixes beyond the graph's own: Biolink's, and the usual ones of outside terms that ``--schema`` keeps.
EXTRA_PREFIXES = {
    "biolink": "https://w3id.org/biolink/vocab/",
    "doi": "https://doi.org/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "vann": "http://purl.org/vocab/vann/",
}
_CURIE_PREFIXES = sorted(((ns, p) for p, ns in {**PREFIXES, **EXTRA_PREFIXES}.items()), key=lambda item: -len(item[0]))
_TYPE = RDF + "type"


def curie(iri: str) -> str:
    """``iri`` as a CURIE with the longest known prefix (the local part may hold ``/``); the IRI itself when no
    prefix fits (with ``--schema``: EMMO's classes, a licence's address).

    >>> curie("https://w3id.org/sslmb/LGPS"), curie("http://qudt.org/vocab/unit/S-PER-CentiM")
    ('sslmb:LGPS', 'unit:S-PER-CentiM')
    """
    for ns, prefix in _CURIE_PREFIXES:
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


@dataclass
class Node:
    iri: str
    label: str
    kind: str
    family: str
    categories: list[str]
    description: str = ""
    xrefs: list[str] = field(default_factory=list)
    synonyms: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    value: float | None = None
    unit: str = ""
    numbers: dict[str, float] = field(default_factory=dict)


@dataclass
class Edge:
    subject: str
    relation: str
    object: str
    label: str
    sources: list[str]
    kinds: list[str]  # the kinds of the sources (review, article, dataset; "" for the ontology)
    publications: list[str]
    reference_numbers: list[str]
    section: str
    scope: str
    exceptions: str


def _literals(graph: Graph, iri: str, predicate: str) -> list[str]:
    found = graph.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate), None)
    return sorted(
        {q.object.value for q in found if isinstance(q.object, ox.Literal) and q.object.language in ("", "en")}
    )


def _objects(graph: Graph, iri: str, predicate: str) -> list[str]:
    found = graph.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate), None)
    return sorted({q.object.value for q in found if isinstance(q.object, ox.NamedNode)})


def _source_names(graph: Graph) -> dict[str, tuple[str, str]]:
    """Each source's named graph → (its name in the knowledge-source columns, its kind)."""
    from kg.model.sources import sources

    return {s.graph: (f"doi:{s.doi}" if s.doi else curie(s.iri), s.kind) for s in sources(graph)}


class _Records:
    """What the flat formats write for a node or an edge, read from the graph one at a time."""

    def __init__(self, graph: Graph) -> None:
        from kg.model import evidence as ev

        self.graph, self.ev = graph, ev
        self.names = _source_names(graph)
        self.links = ev.link_index(graph)
        self.dois: dict[str, str] = {}

    def _graphs(self, s: str, p: str | None = None, o: str | None = None) -> set[str]:
        """The graphs holding triples of subject ``s`` (with ``p`` and ``o``: that triple); "" for the default."""
        found = self.graph.store.quads_for_pattern(
            ox.NamedNode(s), None if p is None else ox.NamedNode(p), None if o is None else ox.NamedNode(o), None
        )
        return {"" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value for q in found}

    def source_list(self, graphs: set[str]) -> list[str]:
        # the review first (the graph's first source), then the others by key; the ontology last
        keyed = sorted(graphs, key=lambda g: (g == "", g != "https://w3id.org/sslmb/graph/wang2020", g))
        return [self.names[g][0] if g in self.names else ONTOLOGY for g in keyed]

    def node(self, iri: str, data: dict) -> Node:
        graph = self.graph
        kind = str(data.get("kind", ""))
        own = [curie(t) for t in sorted(graph.types(iri)) if t != OWL + "NamedIndividual"]
        value = graph.value(iri, QUDT + "value")
        units = _objects(graph, iri, QUDT + "hasUnit")
        return Node(
            iri=iri,
            label=str(data.get("label", graph.label(iri))),
            kind=kind,
            family=str(data.get("family", "")),
            categories=[CATEGORIES.get(kind, "biolink:NamedThing"), *own],
            description=" ".join(_literals(graph, iri, SKOS + "definition")),
            xrefs=[f"doi:{d}" for d in _literals(graph, iri, BIBO + "doi")]
            + [curie(m) for p in ("exactMatch", "closeMatch") for m in _objects(graph, iri, SKOS + p)],
            synonyms=_literals(graph, iri, SKOS + "altLabel"),
            sources=self.source_list(self._graphs(iri)),
            value=float(value) if isinstance(value, (int, float)) else None,
            unit=curie(units[0]) if units else "",
            numbers={k: float(v) for k, v in data.items() if isinstance(v, (int, float)) and k != "label"},
        )

    def _publication(self, ref: str) -> str:
        if ref not in self.dois:
            found = _literals(self.graph, ref, BIBO + "doi")
            self.dois[ref] = f"doi:{found[0]}" if found else curie(ref)
        return self.dois[ref]

    def edge(self, s: str, p: str, o: str, data: dict) -> Edge:
        graphs = self._graphs(s, p, o)
        found = self.links.get((s, p, o), self.ev.Evidence())
        return Edge(
            subject=s,
            relation=p,
            object=o,
            label=str(data.get("label", data.get("relation", p))),
            sources=self.source_list(graphs),
            kinds=sorted({self.names[g][1] if g in self.names else "" for g in graphs}),
            publications=sorted({self._publication(r.iri) for r in found.references}),
            reference_numbers=[n.strip() for n in str(data.get("references", "")).split(",") if n.strip()],
            section=str(data.get("section", "")),
            scope=str(data.get("scope", "")),
            exceptions=str(data.get("exceptions", "")),
        )


def records(graph: Graph, network: nx.MultiDiGraph) -> tuple[list[Node], list[Edge]]:
    """The nodes and edges of ``network`` with what the flat formats write, sorted (nodes by IRI; edges by
    subject, object, relation)."""
    made = _Records(graph)
    nodes = [made.node(iri, data) for iri, data in sorted(network.nodes(data=True), key=lambda item: item[0])]
    edges = [
        # the projection names a relation by its prefixed name when it has one
        made.edge(s, expand(str(data.get("relation", key))), o, data)
        for s, o, key, data in sorted(network.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    ]
    return nodes, edges


def streamed_records(graph: Graph, projection: Projection) -> tuple[Iterator[Node], Iterator[Edge]]:
    """:func:`records` of the whole projection, made one at a time as they are read from the store."""
    made = _Records(graph)
    nodes = (made.node(iri, projection.node_data(iri)) for iri in projection.nodes)
    edges = (made.edge(s, p, o, data) for s, p, o, data in projection.edges())
    return nodes, edges


def _clean(text: str) -> str:
    """One line of text, no tab (TSV) and no ``|`` (KGX's list separator) inside a list item."""
    return " ".join(text.replace("|", "/").split())


def _join(items: list[str]) -> str:
    return "|".join(_clean(i) for i in items if i)


def edge_id(subject: str, relation: str, obj: str) -> str:
    """A stable identifier for an edge: a name-based UUID (RFC 4122, version 5) of its three IRIs."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{subject} {relation} {obj}"))


def _node_row(n: Node) -> dict[str, str]:
    return {
        "id": curie(n.iri),
        "category": _join(n.categories),
        "name": _clean(n.label),
        "description": _clean(n.description),
        "xref": _join(n.xrefs),
        "synonym": _join(n.synonyms),
        "iri": n.iri,
        "provided_by": _join(n.sources),
        "has_numeric_value": "" if n.value is None else repr(n.value),
        "has_unit": n.unit,
        "kind": n.kind,
        "family": _clean(n.family),
    }


def _edge_row(e: Edge) -> dict[str, str]:
    return {
        "id": edge_id(e.subject, e.relation, e.object),
        "subject": curie(e.subject),
        "predicate": PREDICATES.get(e.relation, curie(e.relation)),
        "object": curie(e.object),
        "category": "biolink:Association",
        "original_predicate": curie(e.relation),
        "knowledge_level": "knowledge_assertion",
        # a data set's facts are made by the converter from its table; the others were read by a person
        "agent_type": "automated_agent" if e.kinds == ["dataset"] else "manual_agent",
        "primary_knowledge_source": e.sources[0] if e.sources else ONTOLOGY,
        "aggregator_knowledge_source": ONTOLOGY,
        "knowledge_source": _join(e.sources),
        "publications": _join(e.publications),
        "label": _clean(e.label),
        "section": _clean(e.section),
    }


def _write_tsv(out: IO[str], columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> None:
    writer = csv.DictWriter(out, fieldnames=columns, delimiter="\t", lineterminator="\n", extrasaction="raise")
    writer.writeheader()
    writer.writerows(rows)


def _tsv(columns: tuple[str, ...], rows: Iterable[dict[str, str]]) -> bytes:
    out = io.StringIO()
    _write_tsv(out, columns, rows)
    return out.getvalue().encode("utf-8")


def to_kgx(graph: Graph, network: nx.MultiDiGraph) -> dict[str, bytes]:
    """``{"nodes.tsv": ..., "edges.tsv": ...}`` for ``network`` (a projection of ``graph``)."""
    nodes, edges = records(graph, network)
    return {
        "nodes.tsv": _tsv(NODE_COLUMNS, map(_node_row, nodes)),
        "edges.tsv": _tsv(EDGE_COLUMNS, map(_edge_row, edges)),
    }


def write_kgx(graph: Graph, folder: str | Path, projection: Projection) -> list[Path]:
    """:func:`to_kgx` of the whole projection, each file written as its rows are read from the store (atomically:
    a temporary file renamed into place); the paths written."""
    from kg.core.files import AtomicWriter

    target = prepare_folder(folder)
    nodes, edges = streamed_records(graph, projection)
    for file, columns, rows in (
        ("nodes.tsv", NODE_COLUMNS, map(_node_row, nodes)),
        ("edges.tsv", EDGE_COLUMNS, map(_edge_row, edges)),
    ):
        with AtomicWriter(target / file) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=True)
            _write_tsv(text, columns, rows)
            text.detach()
    return [target / file for file in FILES]


def prepare_folder(folder: str | Path) -> Path:
    """``folder``, created when missing; a one-line :class:`InputError` when it is a file or cannot be made."""
    from kg.core.errors import InputError
    from kg.core.files import name

    target = Path(folder)
    if str(folder) == "" or (target.exists() and not target.is_dir()):
        raise InputError(f"{name(target)}: not a folder; this format writes several files into a folder")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{name(target)}: cannot create the folder: {exc.strerror or exc}") from None
    return target


def write_folder(folder: str | Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` into ``folder`` (created when missing), each atomically; the paths written."""
    from kg.core.files import atomic_write

    target = prepare_folder(folder)
    return [atomic_write(target / file, data) for file, data in files.items()]
