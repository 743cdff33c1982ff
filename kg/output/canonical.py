"""The graph's quads in a canonical order with stable blank-node labels, so that two loads of the same files write
byte-identical files (Oxigraph gives blank nodes fresh random labels at each parse, and lists quads by them).

A blank node's label is a hash of what surrounds it, refined round after round (colour refinement, the first
step of the usual canonical-labelling algorithms such as RDFC-1.0): its own triples and the triples pointing at it,
with the blank nodes in them replaced by their labels of the round before. The refinement stops when a round
separates no more nodes. Two blank nodes still alike then have identical surroundings as far as the refinement
sees; their order is broken by their place in the sorted list, and :func:`canonical_quads` reports how many such
ties it broke (none on the shipped graph, which ``tests/test_release.py`` checks).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.DefaultGraph


def _text(term: object, colour: dict[str, str]) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:" + colour[term.value]
    if isinstance(term, ox.DefaultGraph):
        return ""
    return str(term)


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(parts)).encode("utf-8")).hexdigest()


def canonical_quads(quads: Iterable[ox.Quad]) -> tuple[list[ox.Quad], int]:
    """``quads`` with canonical blank-node labels (``b`` and 16 hex digits), sorted by graph, subject, predicate
    and object; and the number of blank nodes whose label had to be decided by position (see the module).

    >>> p, v = ox.NamedNode("http://example.org/p"), ox.Literal("x")
    >>> def copy():  # the same two triples, with fresh blank nodes each time
    ...     a, b = ox.BlankNode(), ox.BlankNode()
    ...     return [ox.Quad(b, p, a), ox.Quad(a, p, v)]
    >>> (one, ties), (two, _) = canonical_quads(copy()), canonical_quads(copy())
    >>> one == two, ties
    (True, 0)
    """
    quads = list(quads)
    around: dict[str, list[tuple[str, ox.Quad]]] = {}
    for quad in quads:
        for role, term in (("s", quad.subject), ("o", quad.object), ("g", quad.graph_name)):
            if isinstance(term, ox.BlankNode):
                around.setdefault(term.value, []).append((role, quad))
    colour = {node: "" for node in around}
    classes = 1 if colour else 0
    while colour:
        new = {
            node: _digest(
                [
                    " ".join(
                        (
                            role,
                            _text(q.subject, colour),
                            str(q.predicate),
                            _text(q.object, colour),
                            _text(q.graph_name, colour),
                        )
                    )  # fmt: skip
                    for role, q in seen
                ]
            )
            for node, seen in around.items()
        }
        count = len(set(new.values()))
        colour = new
        if count <= classes:
            break
        classes = count
    groups: dict[str, list[str]] = {}
    for node, value in colour.items():
        groups.setdefault(value, []).append(node)
    label: dict[str, ox.BlankNode] = {}
    ties = 0
    for value, nodes in groups.items():
        if len(nodes) > 1:
            ties += len(nodes)
            # alike as far as the refinement sees: order them by their quads written with the colours
            nodes.sort(key=lambda n: sorted(str(q) for _, q in around[n]))
        for i, node in enumerate(nodes):
            label[node] = ox.BlankNode(f"b{value[:16]}" + (f"x{i}" if len(nodes) > 1 else ""))

    def relabel(term):
        return label[term.value] if isinstance(term, ox.BlankNode) else term

    out = [ox.Quad(relabel(q.subject), q.predicate, relabel(q.object), relabel(q.graph_name)) for q in quads]
    out.sort(key=lambda q: (_graph(q), str(q.subject), str(q.predicate), str(q.object)))
    return out, ties


def _graph(quad: ox.Quad) -> str:
    return "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)


def canonical_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    """The union's triples, each once, in order, from the output of :func:`canonical_quads`."""
    return sorted({q.triple for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
