"""Hubs of the causal graph: mechanisms and failure modes ranked by betweenness, then degree."""

from __future__ import annotations

from dataclasses import dataclass

from kg.analysis.causal import projection
from kg.core.notebook import Display

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph


@dataclass(frozen=True)
class Hub(Display):
    """A mechanism or failure mode's place in the causal graph."""

    iri: str
    label: str
    kind: str
    betweenness: float
    in_degree: int
    out_degree: int
    mitigated_by: int


def centrality(graph: Graph) -> list[Hub]:
    """Mechanisms and failure modes ranked as hubs of the causal graph: normalised betweenness (how many
    cause-effect routes pass through them), then degree; ``mitigated_by`` counts direct strategies.

    >>> import kg
    >>> hubs = centrality(kg.load())
    >>> hubs[0].betweenness >= hubs[-1].betweenness
    True
    """
    import networkx as nx

    proj = projection(graph)
    causal = proj.causal
    between = nx.betweenness_centrality(causal, normalized=True)
    hubs = [
        Hub(
            n,
            graph.label(n),
            graph.kind(n),
            round(between[n], 4),
            causal.in_degree(n),
            causal.out_degree(n),
            len(set(proj.mitigators.get(n, ()))),
        )
        for n in causal.nodes
    ]
    return sorted(hubs, key=lambda h: (-h.betweenness, -(h.in_degree + h.out_degree), h.label))
