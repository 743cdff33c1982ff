"""Strategies that mitigate a hazard (a mechanism or failure mode), directly or through its causes, ranked by how
directly they act and by the evidence behind them."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.analysis import grade as gr
from kg.analysis.causal import (
    APPLIES_TO,
    MITIGATES,
    Step,
    bears_on,
    links,
    mitigators_of,
    reference_numbers,
    shortest_routes,
    step_of,
)
from kg.core.errors import check_count
from kg.core.notebook import Display
from kg.model import evidence as ev
from kg.model import quantity as qty
from kg.model import support as sp

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph
    from kg.core.terms import Entity

HAZARD_KINDS = ("mechanism", "failure mode")


@dataclass(frozen=True)
class Mitigation(Display):
    """A strategy that mitigates the target directly (``hops == 0``) or through the causal chain.

    ``path`` runs from the strategy to the target; ``outcomes`` are the strategy's reported numbers, each with
    its metric and conditions; ``counted_outcomes`` those whose metric bears on the target or on a mechanism on
    the route (``sslmb:bearsOn``), the only ones that count in the rank. ``grade`` (A to D) and ``score`` come
    from :mod:`kg.analysis.grade`: direct beats indirect, then relevant numbers, independent sources (``support``:
    sources resting on one original work count once), practical test conditions and independent references;
    ``grade_factors`` and ``score_explained`` list what counted.
    """

    strategy: str
    strategy_label: str
    target: str
    target_label: str
    hops: int
    path: tuple[Step, ...]
    references: tuple[int, ...]
    outcomes: tuple[str, ...]
    applies_to: tuple[str, ...]
    score: float
    score_explained: str
    counted_outcomes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    grade: str = ""
    grade_factors: tuple[str, ...] = ()
    support: sp.Support | None = None


def mitigations(graph: Graph, target: str, *, max_hops: int = 3) -> list[Mitigation]:
    """Strategies that mitigate ``target`` (a mechanism or failure mode) directly, or mitigate one of its
    causes up to ``max_hops`` causal links upstream, best first. Where ``target`` names several hazards equally
    well ("contact"), the answer holds the strategies of each in turn (each row names its target).

    >>> import kg
    >>> best = mitigations(kg.load(), "H2S")[0]
    >>> best.hops, best.target_label
    (0, 'hydrogen sulfide release')
    """
    from kg.model.search import resolve_each

    check_count("max_hops", max_hops, 0)
    found: list[Mitigation] = []
    for entity in resolve_each(graph, target, kinds=list(HAZARD_KINDS)):
        found.extend(_mitigations_of(graph, entity, max_hops))
    return found


def _mitigations_of(graph: Graph, entity: Entity, max_hops: int) -> list[Mitigation]:
    causal = links(graph)
    relevant = bears_on(graph)
    # distance and one shortest causal route from each upstream node to the target
    upstream: dict[str, list[str]] = {entity.iri: [entity.iri]}
    if entity.iri in causal:
        for node, route in shortest_routes(causal.backward, entity.iri, max_hops).items():
            upstream[node] = list(reversed(route))  # node ... -> target
    candidates = [(node, route, s) for node, route in upstream.items() for s in mitigators_of(graph, node)]
    # the evidence of every link in the answer, and the sources that state each mitigation, read in one go
    wanted = [(strategy, MITIGATES, node) for node, _, strategy in candidates]
    sp.read_links(graph, wanted)
    for route in upstream.values():
        wanted += [(a, causal.forward[a][b], b) for a, b in zip(route, route[1:], strict=False)]
    ev.of_links(graph, wanted)
    best: dict[str, Mitigation] = {}
    facts = _facts(graph, [strategy for _, _, strategy in candidates])
    for node, route, strategy in candidates:
        hops = len(route) - 1
        steps = [step_of(graph, strategy, MITIGATES, node)]
        steps += [step_of(graph, a, causal.forward[a][b], b) for a, b in zip(route, route[1:], strict=False)]
        strategy_ev, numbers, outcomes, applies = facts[strategy]
        refs = reference_numbers([strategy_ev, steps[0].evidence])
        on_route = set(route)
        counted = [q for q in numbers if relevant.get(q.metric_iri or "", frozenset()) & on_route]
        backing = _support(graph, strategy, node, strategy_ev, steps[0].evidence)
        graded = gr.grade(hops, counted, backing.supporting, backing.supported_by,
                          _independent_references(graph, [strategy_ev, steps[0].evidence]))
        explained = f"grade {graded.letter}: " + " + ".join(graded.factors)
        found = Mitigation(
            strategy,
            graph.label(strategy),
            entity.iri,
            entity.label,
            hops,
            tuple(steps),
            refs,
            outcomes,
            applies,
            graded.score,
            explained,
            tuple(q.described for q in counted),
            backing.supporting,
            graded.letter,
            graded.factors,
            backing,
        )
        if strategy not in best or found.score > best[strategy].score:
            best[strategy] = found
    return sorted(best.values(), key=lambda m: (-m.score, m.hops, m.strategy_label))


def _facts(
    graph: Graph, strategies: list[str]
) -> dict[str, tuple[ev.Evidence, list[qty.Quantity], tuple[str, ...], tuple[str, ...]]]:
    """Each strategy's own evidence, numbers (and their descriptions) and the labels of what it applies to, read
    for all the strategies of the answer together (a strategy that mitigates several nodes upstream once)."""
    kept = graph.memo("strategy_facts", lambda g: {})  # for the next call
    strategies = [s for s in dict.fromkeys(strategies) if s not in kept]
    numbers = qty.of_many(graph, strategies)
    if getattr(graph, "_indexed", True):
        _, read = ev.facts_of_many(graph, strategies, [*sorted(ev.EVIDENCE_PREDICATES), APPLIES_TO])
        own = {s: read.get(ox.NamedNode(s), {}) for s in strategies}
    else:  # a remote store: one request per strategy
        own = {s: ev.facts_of(graph, ox.NamedNode(s)) for s in strategies}
    for s in strategies:
        kept[s] = (
            ev.of_facts(graph, own[s]),
            numbers[s],
            tuple(q.described for q in numbers[s]),
            tuple(sorted(graph.label(o.value) for o, _ in own[s].get(APPLIES_TO, ()) if isinstance(o, ox.NamedNode))),
        )
    return kept


def _support(graph: Graph, strategy: str, node: str, strategy_ev: ev.Evidence, link_ev: ev.Evidence) -> sp.Support:
    """The sources that state the strategy's mitigation link, or the strategy itself when the link carries no
    evidence of its own; pieces resting on one original work count once."""
    stated = sp.of_links(graph, [(strategy, MITIGATES, node)])
    if stated.supporting:
        return stated
    cited = {r.iri for r in (*strategy_ev.references, *link_ev.references)}
    return sp.of_pieces(graph, [(s.key, cited) for s in strategy_ev.sources])


def _independent_references(graph: Graph, evidences: list[ev.Evidence]) -> int:
    """The cited works behind a route, one per original work (a DOI cited under two names counts once)."""
    cited = {r.iri for e in evidences for r in e.references}
    works = sp.work_ids(graph, cited)
    return len({works.get(w, w) for w in cited})
