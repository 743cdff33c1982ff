"""Simple paths between two entities over the entity network (links followed either way), each step labelled with
its relations and evidence; a path through a family statement that does not reach the member is dropped."""

from __future__ import annotations

from dataclasses import dataclass

from kg.core.errors import check_count
from kg.core.namespaces import shorten
from kg.core.notebook import Display
from kg.model import scope as sc
from kg.model.search import resolve

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import networkx as nx

    from kg.core.graph import Graph


@dataclass(frozen=True)
class Link:
    """One step of a :class:`Path`: the entities it joins and every relation between them, each written
    ``relation`` when it runs along the path and ``^relation`` (inverse) when it runs against it."""

    source: str
    source_label: str
    target: str
    target_label: str
    relations: tuple[str, ...]
    references: tuple[int, ...]
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Path(Display):
    """A simple path between two entities: the labels in order and the link of every step."""

    labels: tuple[str, ...]
    iris: tuple[str, ...]
    links: tuple[Link, ...]

    @property
    def hops(self) -> int:
        return len(self.links)

    def __str__(self) -> str:
        parts = [self.labels[0]]
        for link in self.links:
            parts.append(f"-[{' | '.join(link.relations)}]-> {link.target_label}")
        return " ".join(parts)


def network(graph: Graph, *, bibliographic: bool = False) -> nx.MultiDiGraph:
    """The projection used for path analysis (no schema nodes; bibliographic ones only when asked), built once."""
    from kg.analysis.network import to_networkx

    key = f"network:{'bib' if bibliographic else 'nobib'}"
    return graph.memo(key, lambda g: to_networkx(g, bibliographic=bibliographic))


class _ScopeFilter:
    """Drops a path that reaches a family statement through a member the statement does not reach: ``member
    -type-> family (-subClassOf-> ...) -relation-> target`` where the scope or an exception holds it back."""

    _UP = ("rdf:type", "rdfs:subClassOf")

    def __init__(self, graph: Graph, net: nx.MultiDiGraph) -> None:
        self.graph, self.net = graph, net
        self.out = {shorten(p): p for p in sc.INHERITED_OUT}
        self.into = {shorten(p): p for p in sc.INHERITED_IN}
        self.blocked: dict[str, set[tuple[str, str, str]]] = {}

    def _blocked(self, member: str) -> set[tuple[str, str, str]]:
        if member not in self.blocked:
            from kg.model.describe import family_of

            self.blocked[member] = sc.blocked(self.graph, member, family_of(self.graph, member))
        return self.blocked[member]

    def _keys(self, a: str, b: str) -> set[str]:
        return set((self.net.get_edge_data(a, b) or {}).keys())

    def __call__(self, route: list[str]) -> bool:
        for j in range(1, len(route) - 1):
            family, target = route[j], route[j + 1]
            statements = [(self.out[k], target) for k in self._keys(family, target) if k in self.out]
            statements += [(self.into[k], target) for k in self._keys(target, family) if k in self.into]
            if not statements:
                continue
            i = j  # walk back over member -type-> family and subfamily -subClassOf-> family steps
            while i > 0 and self._keys(route[i - 1], route[i]) & set(self._UP):
                i -= 1
            if i == j:
                continue
            blocked = self._blocked(route[i])
            if all((family, relation, other) in blocked for relation, other in statements):
                return False
        return True


def _link(net: nx.MultiDiGraph, a: str, b: str) -> Link:
    relations: list[str] = []
    refs: set[int] = set()
    sections: list[str] = []
    for u, v, inverse in ((a, b, False), (b, a, True)):
        for data in (net.get_edge_data(u, v) or {}).values():
            relations.append(("^" if inverse else "") + data["label"])
            refs.update(int(n) for n in data["references"].split(", ") if n)
            sections.extend(s for s in data["section"].split("; ") if s and s not in sections)
    nodes = net.nodes
    return Link(
        a, nodes[a]["label"], b, nodes[b]["label"], tuple(sorted(relations)), tuple(sorted(refs)), tuple(sections)
    )


def paths(
    graph: Graph, source: str, target: str, *, max_hops: int = 4, limit: int = 200, bibliographic: bool = False
) -> list[Path]:
    """All simple paths of at most ``max_hops`` links between two entities, shortest first, following links
    in either direction (each step says which way its relations run). Schema nodes are never crossed;
    bibliographic ones (references, review parts) only with ``bibliographic=True``. At most ``limit`` paths.

    >>> import kg
    >>> found = paths(kg.load(), "LiF addition to LiBH4", "dendrite penetration", max_hops=1)
    >>> [str(p) for p in found]
    ['LiF addition to LiBH4 -[mitigates]-> lithium dendrite penetration']
    """
    import itertools

    import networkx as nx

    check_count("max_hops", max_hops)
    check_count("limit", limit)
    a, b = resolve(graph, source), resolve(graph, target)
    net = network(graph, bibliographic=bibliographic)
    for end in (a, b):
        if end.iri not in net:
            from kg.core.errors import InputError

            raise InputError(f"{end.label!r} ({end.kind}) is not part of the entity network; paths join entities")
    if a.iri == b.iri:
        return []
    undirected = nx.Graph(net.to_undirected(as_view=True))
    # shortest_simple_paths yields by increasing length, so the first ``limit`` are the shortest ones
    try:
        found = itertools.takewhile(
            lambda r: len(r) <= max_hops + 1, nx.shortest_simple_paths(undirected, a.iri, b.iri)
        )
        honoured = _ScopeFilter(graph, net)
        routes = list(itertools.islice((r for r in found if honoured(r)), limit))
    except nx.NetworkXNoPath:
        routes = []
    routes.sort(key=lambda r: (len(r), [net.nodes[n]["label"] for n in r]))
    return [
        Path(
            tuple(net.nodes[n]["label"] for n in route),
            tuple(route),
            tuple(_link(net, x, y) for x, y in zip(route, route[1:], strict=False)),
        )
        for route in routes[:limit]
    ]
