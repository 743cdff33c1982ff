"""The entity network as files for network tools: GEXF 1.3 for Gephi and Gephi Lite, GraphML for the rest.

The GEXF is written by hand rather than by networkx, whose 1.3 output does not validate against the format's
RelaxNG schema (it writes ``<graph name="">`` and a wrong XML Schema instance namespace). What a node carries:
its IRI as id, its label, typed attributes (``iri``, ``kind``, ``group``, ``family`` as strings, every key
number as a double), ``viz:color`` by kind group (:mod:`kg.output.palette`), ``viz:size`` by degree and a starting
position (one cluster per colour group, so the file opens readable before any layout is run). Each edge is
directed, labelled with its relation's label, has the relation's prefixed name as its GEXF ``kind`` (so Gephi
keeps two different relations between the same two entities apart instead of merging them) and typed
attributes ``relation``, ``references`` (``"12, 15"``), ``reference_count`` (integer), ``section``, and for a
statement made of a family ``scope`` and ``exceptions`` (see :func:`kg.analysis.network.to_networkx`).

Nodes and edges also carry ``sources`` (:func:`add_sources`): the keys of the sources that state them
(``"obelix, wang2020"``), so that Gephi can filter or colour the network by source.
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape

from kg.output import palette

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import IO

    import networkx as nx

    from kg.analysis.network import Projection
    from kg.core.graph import Graph

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
#: Node attributes written as strings, in this order; every other node attribute of the projection is a number.
NODE_TEXT = ("iri", "kind", "group", "family", "sources")
#: Edge attributes and their GEXF types (the edge's ``label`` is the relation's label, its ``kind`` the relation).
EDGE_ATTRIBUTES = (
    ("relation", "string"),
    ("references", "string"),
    ("reference_count", "integer"),
    ("section", "string"),
    ("scope", "string"),
    ("exceptions", "string"),
    ("sources", "string"),
)

# characters XML 1.0 does not allow anywhere
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ATTR_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _attr(value: object) -> str:
    return '"' + escape(_NOT_XML.sub("", str(value)), _ATTR_ENTITIES) + '"'


def _number(value: float) -> str:
    return repr(float(value)) if math.isfinite(value) else ("NaN" if math.isnan(value) else "INF")


def node_size(degree: int) -> float:
    """``viz:size`` of a node: 4 + 3·√degree, so hubs stand out without swamping the picture."""
    return round(4 + 3 * math.sqrt(degree), 2)


def positions(network: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """A deterministic starting layout: one sunflower-shaped cluster per colour group, the clusters on a ring,
    the best-connected nodes at each cluster's centre."""
    return layout(
        (node, str(data.get("kind", "")), str(data.get("label", "")), network.degree(node))
        for node, data in network.nodes(data=True)
    )


def layout(nodes: Iterable[tuple[str, str, str, int]]) -> dict[str, tuple[float, float]]:
    """:func:`positions` of nodes given as ``(iri, kind, label, degree)``."""
    groups: dict[str, list[tuple[int, str, str]]] = {}
    for node, kind, label, degree in nodes:
        groups.setdefault(palette.group(kind), []).append((-degree, label, node))
    order = [name for name, _, _ in palette.GROUPS if name in groups] + sorted(
        set(groups) - {name for name, _, _ in palette.GROUPS}
    )
    spacing = 12.0
    radius = {name: spacing * math.sqrt(len(groups[name])) for name in order}
    # each cluster gets a share of the ring's circumference as wide as it is, plus a gap (and 20 % more ring,
    # since the straight line between two centres is shorter than the arc)
    arcs = {name: 2 * radius[name] + 4 * spacing for name in order}
    ring = max(1.2 * sum(arcs.values()) / (2 * math.pi), max(radius.values(), default=0.0))
    golden = math.pi * (3 - math.sqrt(5))
    placed: dict[str, tuple[float, float]] = {}
    walked = 0.0
    for name in order:
        angle = 2 * math.pi * (walked + arcs[name] / 2) / sum(arcs.values())
        walked += arcs[name]
        cx, cy = (ring * math.cos(angle), ring * math.sin(angle)) if len(order) > 1 else (0.0, 0.0)
        for j, (_, _, node) in enumerate(sorted(groups.pop(name))):
            r, theta = spacing * math.sqrt(j), j * golden
            placed[node] = (round(cx + r * math.cos(theta), 2), round(cy + r * math.sin(theta), 2))
    return placed


class Sources:
    """The ``sources`` attribute of a node or an edge (see :func:`add_sources`)."""

    def __init__(self, graph: Graph) -> None:
        import pyoxigraph as ox

        from kg.core.namespaces import RDF
        from kg.model import evidence as ev

        self.graph, self.ox, self.ev = graph, ox, ev
        self.index = ev.source_index(graph)
        self.typed = ox.NamedNode(RDF + "type")

    def _stating(self, s, p, o) -> str:
        quads = self.graph.store.quads_for_pattern(s, p, o)
        graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, self.ox.NamedNode)}
        return ", ".join(sorted({self.index[g].key for g in graphs if g in self.index}))

    def node(self, iri: str) -> str:
        keys = self.ev.of_entity(self.graph, iri).source_keys
        return ", ".join(sorted(set(keys))) if keys else self._stating(self.ox.NamedNode(iri), self.typed, None)

    def edge(self, source: str, predicate: str, target: str) -> str:
        keys = self.ev.of_link(self.graph, source, predicate, target).source_keys
        if keys:
            return ", ".join(sorted(set(keys)))
        named = self.ox.NamedNode
        return self._stating(named(source), named(predicate), named(target))


def add_sources(graph: Graph, network: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Give every node and edge a ``sources`` attribute: the keys of the sources that state it, comma-separated
    and sorted. A node's are the sources of its own evidence (:func:`kg.model.evidence.of_entity`), or when it has
    none, those whose graphs give its type; an edge's are the sources of the link's evidence (its ``owl:Axiom``), or
    when it has none, those whose graphs hold the link's triple. The ontology (the default graph) is no source: an
    electrolyte family the ontology alone declares has ``""``.

    >>> import kg
    >>> from kg.analysis.network import to_networkx
    >>> g = kg.load()
    >>> n = add_sources(g, to_networkx(g, bibliographic=False))
    >>> n.nodes["https://w3id.org/sslmb/LGPS"]["sources"]
    'wang2020'
    """
    from kg.core.namespaces import expand

    sources = Sources(graph)
    for node, data in network.nodes(data=True):
        data["sources"] = sources.node(node)
    for source, target, key, data in network.edges(keys=True, data=True):
        data["sources"] = sources.edge(source, expand(str(data.get("relation", key))), target)
    return network


def _header(numbers: list[str], description: str, nodes: int) -> list[str]:
    from kg.core import __version__

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{VIZ_NS}" version="1.3">',
        "  <meta>",
        f"    <creator>sslmb-kg {escape(__version__)}</creator>",
        "    <keywords>solid-state lithium metal battery, safety, knowledge graph</keywords>",
        f"    <description>{escape(_NOT_XML.sub('', description))}</description>" if description else "",
        "  </meta>",
        '  <graph defaultedgetype="directed" mode="static">',
        '    <attributes class="node" mode="static">',
    ]
    out += [f'      <attribute id="{name}" title="{name}" type="string"/>' for name in NODE_TEXT]
    out += [f'      <attribute id={_attr(name)} title={_attr(name)} type="double"/>' for name in numbers]
    out += ["    </attributes>", '    <attributes class="edge" mode="static">']
    out += [f'      <attribute id="{name}" title="{name}" type="{kind}"/>' for name, kind in EDGE_ATTRIBUTES]
    out += ["    </attributes>", f'    <nodes count="{nodes}">']
    return [line for line in out if line]


def _numbers(data: dict) -> list[str]:
    return sorted(k for k, v in data.items() if k not in NODE_TEXT and k != "label" and isinstance(v, (int, float)))


def _node(node: str, data: dict, degree: int, where: tuple[float, float]) -> list[str]:
    kind = str(data.get("kind", ""))
    values = {**{k: data.get(k, "") for k in NODE_TEXT}, "group": palette.group(kind)}
    r, g, b = palette.rgb(palette.colour(kind))
    x, y = where
    out = [f"      <node id={_attr(node)} label={_attr(data.get('label', node))}>", "        <attvalues>"]
    out += [f'          <attvalue for="{k}" value={_attr(values[k])}/>' for k in NODE_TEXT]
    out += [f'          <attvalue for={_attr(k)} value="{_number(data[k])}"/>' for k in _numbers(data)]
    out += [
        "        </attvalues>",
        f'        <viz:color r="{r}" g="{g}" b="{b}"/>',
        f'        <viz:size value="{node_size(degree)}"/>',
        f'        <viz:position x="{x}" y="{y}"/>',
        "      </node>",
    ]
    return out


def _edge(i: int, source: str, target: str, key: str, data: dict) -> list[str]:
    relation = data.get("relation", key)
    out = [
        f'      <edge id="e{i}" source={_attr(source)} target={_attr(target)} type="directed"'
        f" kind={_attr(relation)} label={_attr(data.get('label', relation))}>",
        "        <attvalues>",
    ]
    for name, kind in EDGE_ATTRIBUTES:
        value = data.get(name, relation if name == "relation" else 0 if kind == "integer" else "")
        out.append(f'          <attvalue for="{name}" value={_attr(int(value) if kind == "integer" else value)}/>')
    out += ["        </attvalues>", "      </edge>"]
    return out


_FOOTER = ["    </edges>", "  </graph>", "</gexf>"]  # no newline after the last line


def to_gexf(network: nx.MultiDiGraph, *, description: str = "") -> bytes:
    """The network as a GEXF 1.3 document (UTF-8), valid against the format's RelaxNG schema.

    >>> import networkx as nx
    >>> g = nx.MultiDiGraph()
    >>> g.add_node("a", label="A", kind="mechanism", iri="a", family="", rate_1=2.0)
    >>> g.add_node("b", label="B", kind="failure mode", iri="b", family="")
    >>> g.add_edge("a", "b", key="sslmb:causes", relation="sslmb:causes", label="causes", references="3",
    ...            reference_count=1, section="2.1")
    'sslmb:causes'
    >>> text = to_gexf(g).decode()
    >>> '<viz:color r="213" g="94" b="0"/>' in text, 'kind="sslmb:causes"' in text
    (True, True)
    """
    nodes = sorted(network.nodes(data=True), key=lambda item: item[0])
    numbers = sorted({k for _, data in nodes for k in _numbers(data)})
    where = positions(network)
    out = _header(numbers, description, len(nodes))
    for node, data in nodes:
        out += _node(node, data, network.degree(node), where[node])
    edges = sorted(network.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    out += ["    </nodes>", f'    <edges count="{len(edges)}">']
    for i, (source, target, key, data) in enumerate(edges):
        out += _edge(i, source, target, key, data)
    out += _FOOTER
    return "\n".join(out).encode("utf-8")


def write_gexf(graph: Graph, out: IO[bytes], projection: Projection, *, description: str = "") -> None:
    """:func:`to_gexf` of the whole projection (with :func:`add_sources`'s ``sources``), written to ``out`` as it
    is read from the store: the document is never held in memory. The nodes go to a temporary file first, since
    the header declares the number attributes they turn out to carry.

    >>> import io, kg
    >>> from kg.analysis.network import Projection, to_networkx
    >>> g = kg.load()
    >>> buffer = io.BytesIO()
    >>> write_gexf(g, buffer, Projection(g), description="x")
    >>> buffer.getvalue() == to_gexf(add_sources(g, to_networkx(g)), description="x")
    True
    """
    import shutil
    import tempfile

    sources = Sources(graph)
    where = layout((iri, graph.kind(iri), graph.label(iri), projection.degree[iri]) for iri in projection.nodes)
    numbers: set[str] = set()
    with tempfile.TemporaryFile() as body:
        for iri in projection.nodes:
            data = projection.node_data(iri)
            data["sources"] = sources.node(iri)
            numbers.update(_numbers(data))
            body.write(("\n".join(_node(iri, data, projection.degree[iri], where.pop(iri))) + "\n").encode("utf-8"))
        out.write(("\n".join(_header(sorted(numbers), description, len(projection.nodes))) + "\n").encode("utf-8"))
        body.seek(0)
        shutil.copyfileobj(body, out)
    out.write(f'    </nodes>\n    <edges count="{projection.edge_count}">\n'.encode())
    for i, (source, predicate, target, data) in enumerate(projection.edges()):
        data["sources"] = sources.edge(source, predicate, target)
        out.write(("\n".join(_edge(i, source, target, str(data["relation"]), data)) + "\n").encode("utf-8"))
    out.write("\n".join(_FOOTER).encode("utf-8"))


def to_graphml(network: nx.MultiDiGraph) -> bytes:
    """The network as GraphML (networkx's writer). Edge ids are made unique (``e0``, ``e1``...), as GraphML
    requires; the relation stays in the ``relation`` attribute. Numbers are typed ``double``."""
    import io

    import networkx as nx

    copy = nx.MultiDiGraph(name=network.graph.get("name", "sslmb-kg"))
    for node, data in sorted(network.nodes(data=True), key=lambda item: item[0]):
        copy.add_node(
            node,
            **{
                **data,
                "group": palette.group(str(data.get("kind", ""))),
                "color": palette.colour(str(data.get("kind", ""))),
            },
        )
    edges = sorted(network.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2])))
    for i, (source, target, key, data) in enumerate(edges):
        copy.add_edge(source, target, key=f"e{i}", **{"relation": key, **data})
    buffer = io.BytesIO()
    nx.write_graphml(copy, buffer, encoding="utf-8", prettyprint=True, infer_numeric_types=True)
    return buffer.getvalue()


_GRAPHML_HEAD = (
    "<?xml version='1.0' encoding='utf-8'?>\n"
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)


def _text(value: object) -> str:
    return escape(_NOT_XML.sub("", str(value)))


def write_graphml(graph: Graph, out: IO[bytes], projection: Projection) -> None:
    """:func:`to_graphml` of the whole projection, written to ``out`` as it is read from the store, in networkx's
    layout (keys ``d0``... numbered as met, ``e0``... as edge ids). The nodes go to a temporary file first: the
    keys, declared before the graph, are known only once every node is.

    >>> import io, kg
    >>> from kg.analysis.network import Projection, to_networkx
    >>> g = kg.load()
    >>> buffer = io.BytesIO()
    >>> write_graphml(g, buffer, Projection(g, bibliographic=False))
    >>> buffer.getvalue() == to_graphml(add_sources(g, to_networkx(g, bibliographic=False)))
    True
    """
    import shutil
    import tempfile

    sources = Sources(graph)
    keys: dict[tuple[str, str], tuple[str, str]] = {("graph", "name"): ("d0", "string")}

    def key(scope: str, name: str, value: object) -> str:
        if (scope, name) not in keys:
            kind = "double" if isinstance(value, float) else "long" if isinstance(value, int) else "string"
            keys[(scope, name)] = (f"d{len(keys)}", kind)
        return keys[(scope, name)][0]

    def element(head: str, data: dict[str, object], scope: str) -> bytes:
        lines = [head] + [f'  <data key="{key(scope, k, v)}">{_text(v)}</data>' for k, v in data.items()]
        return ("\n".join(lines) + "\n" + ("</node>" if scope == "node" else "</edge>") + "\n").encode("utf-8")

    with tempfile.TemporaryFile() as body:
        for iri in projection.nodes:
            data = projection.node_data(iri)
            data["sources"] = sources.node(iri)
            kind = str(data.get("kind", ""))
            data.update(group=palette.group(kind), color=palette.colour(kind))
            body.write(element(f"<node id={_attr(iri)}>", data, "node"))
        for i, (source, predicate, target, data) in enumerate(projection.edges()):
            data["sources"] = sources.edge(source, predicate, target)
            body.write(element(f'<edge source={_attr(source)} target={_attr(target)} id="e{i}">', data, "edge"))
        declared = [
            f'<key id="{kid}" for="{scope}" attr.name={_attr(name)} attr.type="{kind}"/>'
            for (scope, name), (kid, kind) in sorted(keys.items(), key=lambda item: -int(item[1][0][1:]))
        ]
        out.write((_GRAPHML_HEAD + "\n".join(declared) + "\n").encode("utf-8"))
        out.write(b'<graph edgedefault="directed"><data key="d0">sslmb-kg</data>\n')
        body.seek(0)
        shutil.copyfileobj(body, out)
    out.write(b"</graph></graphml>")
