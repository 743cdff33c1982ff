"""Evidence: which sources state a fact, where in them it stands, and which cited works it rests on, for entities,
numbers and links. The sources of a fact are the named graphs that hold its evidence (one graph per source)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core.namespaces import OWL, PROV, SSLMB

if TYPE_CHECKING:
    from kg.core.graph import Graph
    from kg.core.terms import Term

WAS_DERIVED_FROM = PROV + "wasDerivedFrom"
HAD_PRIMARY_SOURCE = PROV + "hadPrimarySource"
WAS_ATTRIBUTED_TO = PROV + "wasAttributedTo"
EVIDENCE_PREDICATES = frozenset({WAS_DERIVED_FROM, HAD_PRIMARY_SOURCE, WAS_ATTRIBUTED_TO})


@dataclass(frozen=True)
class Location:
    """A part of the review: ``number`` is what it carries in print ("2.1", "Table 2", "Fig. 3b")."""

    iri: str
    label: str
    number: str | None


@dataclass(frozen=True)
class Reference:
    """A cited publication, by its number in the review's reference list."""

    iri: str
    number: int | None
    label: str


@dataclass(frozen=True)
class SourceRef:
    """A source that states a fact: its key, a short label, and its DOI or address."""

    key: str
    label: str
    doi: str | None = None
    url: str | None = None
    iri: str | None = None


@dataclass(frozen=True)
class Evidence:
    """Where a statement was read (``locations``), what it rests on (``references``), who reported it, and which
    ``sources`` state it (several sources may state one fact)."""

    locations: tuple[Location, ...] = ()
    references: tuple[Reference, ...] = ()
    attributed_to: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()

    @property
    def source_keys(self) -> list[str]:
        return [s.key for s in self.sources]

    @property
    def reference_numbers(self) -> list[int]:
        return [r.number for r in self.references if r.number is not None]


def _location(graph: Graph, iri: str) -> Location:
    kept: dict[str, Location] = graph.memo("evidence_locations", lambda g: {})
    if iri not in kept:
        number = graph.value(iri, SSLMB + "sectionNumber")
        kept[iri] = Location(iri, graph.label(iri), str(number) if number is not None else None)
    return kept[iri]


def _reference(graph: Graph, iri: str) -> Reference:
    kept: dict[str, Reference] = graph.memo("evidence_references", lambda g: {})
    if iri not in kept:
        kept[iri] = Reference(iri, graph.value(iri, SSLMB + "referenceNumber"), graph.label(iri))
    return kept[iri]


_SOURCES = """SELECT ?g ?key ?s ?doi ?url WHERE { VALUES_ROWS ?s sslmb:sourceKey ?key ; sslmb:factsInGraph ?g .
                OPTIONAL { ?s bibo:doi ?doi } OPTIONAL { ?s schema:url ?url } }"""


def _read_sources(graph: Graph, rows: list[dict]) -> dict[str, SourceRef]:
    return {r["g"]: SourceRef(str(r["key"]), graph.label(r["s"]), r.get("doi"), r.get("url"), r["s"]) for r in rows}


def source_index(graph: Graph) -> dict[str, SourceRef]:
    """Every source by the IRI of its named graph (built once per graph)."""
    return graph.memo("sources", lambda g: _read_sources(g, g.select(_SOURCES.replace("VALUES_ROWS", ""))))


def _source_map(graph: Graph, graphs: set[str]) -> dict[str, SourceRef | None]:
    """The sources of ``graphs`` (at least): every source once :func:`source_index` has been read, else those of
    these graphs only (a large store holds thousands), read in one query and kept for the next call."""
    if "sources" in getattr(graph, "_memo", {}) or not getattr(graph, "_indexed", True):
        return source_index(graph)  # type: ignore[return-value]
    index: dict[str, SourceRef | None] = graph.memo("sources_read", lambda g: {})
    wanted = sorted(g for g in graphs if g not in index)
    if wanted:
        values = " ".join(str(ox.NamedNode(g)) for g in wanted)
        index.update(dict.fromkeys(wanted))
        index.update(_read_sources(graph, graph.select(_SOURCES.replace("VALUES_ROWS", f"VALUES ?g {{ {values} }}"))))
    return index


def _sources(graph: Graph, graphs: set[str]) -> tuple[SourceRef, ...]:
    index = _source_map(graph, graphs)
    return tuple(sorted((s for g in graphs if (s := index.get(g)) is not None), key=lambda s: s.key))


def _build(graph: Graph, values: dict[str, list[str]], graphs: set[str] | None = None) -> Evidence:
    locations = tuple(_location(graph, i) for i in values.get(WAS_DERIVED_FROM, []))
    refs = sorted(
        (_reference(graph, i) for i in values.get(HAD_PRIMARY_SOURCE, [])),
        key=lambda r: (r.number is None, r.number or 0, r.iri),
    )
    agents = tuple(graph.label(i) for i in values.get(WAS_ATTRIBUTED_TO, []))
    return Evidence(locations, tuple(refs), agents, _sources(graph, graphs or set()))


def of_entity(graph: Graph, iri: str) -> Evidence:
    """The evidence attached to an entity itself (``prov:wasDerivedFrom``, ``prov:hadPrimarySource``...)."""
    return of_node(graph, ox.NamedNode(iri))


def of_node(graph: Graph, node: ox.NamedNode | ox.BlankNode) -> Evidence:
    return of_facts(graph, facts_of(graph, node))


#: What a node states, as read for it: predicate IRI -> [(object, named graph IRI or None for the default graph)],
#: one entry per quad, in the order the store lists them.
Facts = dict[str, list[tuple["Term", str | None]]]


def facts_of(graph: Graph, node: ox.NamedNode | ox.BlankNode) -> Facts:
    """Every statement of ``node`` (one pattern), grouped by predicate."""
    facts: Facts = {}
    for quad in graph.store.quads_for_pattern(node, None, None):
        where = quad.graph_name
        facts.setdefault(quad.predicate.value, []).append(
            (quad.object, where.value if isinstance(where, ox.NamedNode) else None)
        )
    return facts


def of_facts(graph: Graph, facts: Facts) -> Evidence:
    """The evidence among a node's ``facts`` (:func:`facts_of`, :func:`facts_of_many`): the values of the
    evidence predicates, and the sources whose graphs state them."""
    values: dict[str, list[str]] = {}
    graphs: set[str] = set()
    for predicate in EVIDENCE_PREDICATES:
        for obj, where in facts.get(predicate, ()):
            if isinstance(obj, ox.NamedNode):
                if obj.value not in values.get(predicate, []):
                    values.setdefault(predicate, []).append(obj.value)
                if where is not None:
                    graphs.add(where)
    for key in values:
        values[key].sort()
    return _build(graph, values, graphs)


def facts_of_many(
    graph: Graph, subjects: list[str], predicates: list[str], *, via: tuple[tuple[str, ...], ...] = ()
) -> tuple[dict[str, list[ox.NamedNode | ox.BlankNode]], dict[ox.NamedNode | ox.BlankNode, Facts]]:
    """What many nodes state with ``predicates``, in one query per 500 ``subjects`` (IRIs): the subjects
    themselves, or with ``via`` the nodes reached from them through one of the properties of each step in turn
    (their quantity values, say, blank nodes included). Returns the nodes of each subject (the subject itself
    without ``via``) and the facts of each node, one entry per quad as :func:`facts_of` reads them; an evidence
    predicate's entries name their graph."""
    if not subjects:
        return {}, {}
    evidence = ", ".join(str(ox.NamedNode(p)) for p in sorted(EVIDENCE_PREDICATES & set(predicates)))
    wanted = ", ".join(str(ox.NamedNode(p)) for p in predicates)
    if via:
        # a property path: Oxigraph gives each (subject, node) once, whatever number of graphs state the links
        # (a single property is written twice: a plain triple pattern would give a row per graph)
        path = "/".join(
            "(" + "|".join(str(ox.NamedNode(p)) for p in (step if len(step) > 1 else step * 2)) + ")" for step in via
        )
        head = f"VALUES ?s {{ SUBJECTS }} ?s {path} ?n FILTER(!isLiteral(?n))"
    else:
        head = "VALUES ?n { SUBJECTS }"
    # one row per quad of the union (as quads_for_pattern lists them), then an evidence quad once per named graph
    # that states it; OPTIONAL keeps a node that states none of the predicates
    graphs = f"OPTIONAL {{ GRAPH ?g {{ ?n ?p ?o }} FILTER(?p IN ({evidence})) }}" if evidence else ""
    text = f"""SELECT {"?s" if via else ""} ?n ?p ?o ?g WHERE {{ {head}
                 OPTIONAL {{ ?n ?p ?o FILTER(?p IN ({wanted})) {graphs} }} }}"""
    nodes: dict[str, list[ox.NamedNode | ox.BlankNode]] = {s: [] for s in subjects}
    owner: dict[ox.NamedNode | ox.BlankNode, str] = {}
    facts: dict[ox.NamedNode | ox.BlankNode, Facts] = {}
    for i in range(0, len(subjects), _CHUNK):
        rows = " ".join(str(ox.NamedNode(s)) for s in subjects[i : i + _CHUNK])
        for row in graph.store.query(text.replace("SUBJECTS", rows)):  # type: ignore[union-attr]
            s, n, p, o, g = row if via else (row[0], *row)
            if owner.setdefault(n, s.value) != s.value:  # a node two subjects share: its facts read once
                if n not in nodes[s.value]:
                    nodes[s.value].append(n)
                continue
            if n not in facts:
                facts[n] = {}
                nodes[s.value].append(n)
            if p is not None:  # None: a node with none of the predicates
                facts[n].setdefault(p.value, []).append((o, g.value if g is not None else None))
    return nodes, facts


def link_index(graph: Graph) -> dict[tuple[str, str, str], Evidence]:
    """Evidence of every annotated link, keyed by ``(subject, property, object)``; built once per graph. For
    exports that want every link: a traversal asks for its own links with :func:`of_links`."""
    return graph.memo("link_evidence", lambda g: _links_evidence(g, None))


# The evidence of annotated links; with a leading VALUES block (VALUES_ROWS), only of the links it lists.
_LINK_EVIDENCE = f"""SELECT ?s ?p ?o ?ep ?ev ?g WHERE {{ VALUES_ROWS
      ?ax <{OWL}annotatedSource> ?s ; <{OWL}annotatedProperty> ?p ; <{OWL}annotatedTarget> ?o ; a <{OWL}Axiom> ;
          ?ep ?ev .
      FILTER(?ep IN (<{WAS_DERIVED_FROM}>, <{HAD_PRIMARY_SOURCE}>, <{WAS_ATTRIBUTED_TO}>) && isIRI(?ev))
      OPTIONAL {{ GRAPH ?g {{ ?ax <{OWL}annotatedSource> ?s }} }}
    }}"""
_CHUNK = 500  # links per query: a VALUES block of this size stays quick to parse and plan


def _links_evidence(
    graph: Graph, links: list[tuple[str, str, str]] | None
) -> dict[tuple[str, str, str], Evidence]:
    raw: dict[tuple[str, str, str], dict[str, list[str]]] = {}
    graphs: dict[tuple[str, str, str], set[str]] = {}
    # the named graph of each axiom is its source's; a store that keeps everything in one graph has none
    if links is None:
        texts = [_LINK_EVIDENCE.replace("VALUES_ROWS", "")]
    else:
        texts = []
        for i in range(0, len(links), _CHUNK):
            rows = " ".join(
                f"({ox.NamedNode(s)} {ox.NamedNode(p)} {ox.NamedNode(o)})" for s, p, o in links[i : i + _CHUNK]
            )
            texts.append(_LINK_EVIDENCE.replace("VALUES_ROWS", f"VALUES (?s ?p ?o) {{ {rows} }}"))
    for text in texts:
        for row in graph.store.query(text):  # type: ignore[union-attr]
            key = (row["s"].value, row["p"].value, row["o"].value)
            raw.setdefault(key, {}).setdefault(row["ep"].value, []).append(row["ev"].value)
            if row["g"] is not None:
                graphs.setdefault(key, set()).add(row["g"].value)
    _source_map(graph, {g for held in graphs.values() for g in held})  # the sources of all of them in one go
    index = {}
    for key, values in raw.items():
        for k in values:
            values[k] = sorted(set(values[k]))
        index[key] = _build(graph, values, graphs.get(key))
    return index


def of_links(graph: Graph, links: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], Evidence]:
    """The evidence of each of ``links`` (``(subject, property, object)`` IRIs), read for those links only and
    kept for the next call; a link without annotation gets an empty :class:`Evidence`."""
    if not getattr(graph, "_indexed", True):  # a remote store: one request for every link beats one per link
        every = link_index(graph)
        return {link: every.get(link, Evidence()) for link in links}
    known: dict[tuple[str, str, str], Evidence] = graph.memo("link_evidence_read", lambda g: {})
    wanted = [link for link in dict.fromkeys(links) if link not in known]
    if wanted:
        found = _links_evidence(graph, wanted)
        for link in wanted:
            known[link] = found.get(link, Evidence())
    return {link: known[link] for link in links}


def of_link(graph: Graph, subject: str, predicate: str, obj: str) -> Evidence:
    """The evidence recorded for one link; empty when the link has no annotation."""
    link = (subject, predicate, obj)
    return of_links(graph, [link])[link]
