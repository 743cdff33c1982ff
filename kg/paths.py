"""Path analysis over the causal graph: from a hazard back to its causes and to what mitigates them, with the
evidence of every step (networkx, imported only here)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

from kg import evidence as ev
from kg import quantity as qty
from kg.namespaces import OWL, RDF, SSLMB

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import networkx as nx

    from kg.store import KnowledgeGraph

CAUSAL = (SSLMB + "causes", SSLMB + "contributesTo", SSLMB + "leadsTo")
MITIGATES = SSLMB + "mitigates"
APPLIES_TO = SSLMB + "appliesTo"
HAZARD_KINDS = ("mechanism", "failure mode")
# Schema and bookkeeping links left out of the projection's edges.
_NOT_EDGES = {
    RDF + "type",
    OWL + "annotatedSource",
    OWL + "annotatedTarget",
    OWL + "annotatedProperty",
    *ev.EVIDENCE_PREDICATES,
}


@dataclass(frozen=True)
class Step:
    """One link of a path: ``source -relation-> target`` with its evidence."""

    source: str
    source_label: str
    relation: str
    target: str
    target_label: str
    evidence: ev.Evidence


@dataclass(frozen=True)
class Mitigation:
    """A strategy that mitigates the target directly (``hops == 0``) or through the causal chain.

    ``path`` runs from the strategy to the target; ``score`` ranks the results and ``score_explained`` says how
    it was reached: direct beats indirect, numbers and more independent references rank higher.
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


@dataclass(frozen=True)
class Exposure:
    """A failure mode an electrolyte is exposed to: ``via`` is the entity (itself or a family) and ``route``
    the mechanism chain, empty when the exposure is stated directly."""

    failure_mode: str
    failure_mode_label: str
    via: str
    route: tuple[Step, ...]
    references: tuple[int, ...]


@dataclass(frozen=True)
class Risks:
    """What :func:`risks` returns: exposures, the mechanisms shown, and the strategies that apply."""

    electrolyte: str
    electrolyte_label: str
    families: tuple[str, ...]
    exposures: tuple[Exposure, ...]
    mechanisms: tuple[str, ...]
    strategies: tuple[tuple[str, str, tuple[int, ...]], ...]


class Projection:
    """The graph's entities and object-property links as a networkx MultiDiGraph, built once per graph."""

    def __init__(self, graph: KnowledgeGraph) -> None:
        self.graph = graph

    @cached_property
    def causal(self) -> nx.DiGraph:
        """Mechanisms and failure modes linked cause -> effect (causes, contributesTo, leadsTo)."""
        import networkx as nx

        g = nx.DiGraph()
        for predicate in CAUSAL:
            for quad in self.graph.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                s, o = quad.subject, quad.object
                if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
                    g.add_edge(s.value, o.value, relation=predicate)
        return g

    @cached_property
    def mitigators(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for quad in self.graph.store.quads_for_pattern(None, ox.NamedNode(MITIGATES), None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                found.setdefault(quad.object.value, []).append(quad.subject.value)
        return found


def projection(graph: KnowledgeGraph) -> Projection:
    return graph.memo("projection", Projection)


def _step(graph: KnowledgeGraph, s: str, p: str, o: str) -> Step:
    return Step(s, graph.label(s), graph.label(p), o, graph.label(o), ev.of_link(graph, s, p, o))


def _numbers(evidences: list[ev.Evidence]) -> tuple[int, ...]:
    return tuple(sorted({n for e in evidences for n in e.reference_numbers}))


def mitigations(graph: KnowledgeGraph, target: str, *, max_hops: int = 3) -> list[Mitigation]:
    """Strategies that mitigate ``target`` (a mechanism or failure mode) directly, or mitigate one of its
    causes up to ``max_hops`` causal links upstream, best first.

    >>> import kg
    >>> best = mitigations(kg.load(), "H2S")[0]
    >>> best.hops, best.target_label
    (0, 'hydrogen sulfide release')
    """
    import networkx as nx

    entity = graph.resolve(target, kinds=list(HAZARD_KINDS))
    proj = projection(graph)
    causal = proj.causal
    # distance and one shortest causal route from each upstream node to the target
    upstream: dict[str, list[str]] = {entity.iri: [entity.iri]}
    if entity.iri in causal:
        reverse = causal.reverse(copy=False)
        routes = nx.single_source_shortest_path(reverse, entity.iri, cutoff=max_hops)
        for node, route in routes.items():
            upstream[node] = list(reversed(route))  # node ... -> target
    best: dict[str, Mitigation] = {}
    for node, route in upstream.items():
        hops = len(route) - 1
        for strategy in proj.mitigators.get(node, []):
            steps = [_step(graph, strategy, MITIGATES, node)]
            steps += [
                _step(graph, a, causal.edges[a, b]["relation"], b) for a, b in zip(route, route[1:], strict=False)
            ]
            strategy_ev = ev.of_entity(graph, strategy)
            refs = _numbers([strategy_ev, steps[0].evidence])
            outcomes = tuple(str(q) for q in qty.of(graph, strategy))
            applies = tuple(
                sorted(graph.label(o.value) for o in graph.objects(strategy, APPLIES_TO) if isinstance(o, ox.NamedNode))
            )
            # Fewer causal steps always rank first: the evidence bonus (at most 0.08) is smaller than the
            # smallest gap between hop levels (1/3 - 1/4); within a level, numbers and references decide.
            n_out, n_ref = min(len(outcomes), 2), min(len(refs), 4)
            score = 1.0 / (1 + hops) + 0.02 * n_out + 0.01 * n_ref
            explained = (
                f"{'direct' if hops == 0 else f'{hops} causal step(s) upstream'} ({1.0 / (1 + hops):.2f})"
                f" + {n_out} quantitative outcome(s) x 0.02 + {n_ref} independent reference(s) x 0.01"
            )
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
                round(score, 3),
                explained,
            )
            if strategy not in best or found.score > best[strategy].score:
                best[strategy] = found
    return sorted(best.values(), key=lambda m: (-m.score, m.hops, m.strategy_label))


def risks(graph: KnowledgeGraph, electrolyte: str, *, max_hops: int = 2) -> Risks:
    """The failure modes an electrolyte (or its families) is exposed to, stated directly or through the
    mechanisms it shows, and the strategies that apply to it or to its families.

    >>> import kg
    >>> r = risks(kg.load(), "LGPS")
    >>> "hydrogen sulfide release" in {e.failure_mode_label for e in r.exposures}
    True
    """
    import networkx as nx

    from kg.describe import family_of

    entity = graph.resolve(electrolyte)
    holders = [entity.iri, *family_of(graph, entity.iri)]
    causal = projection(graph).causal
    exposures: dict[tuple[str, str], Exposure] = {}
    mechanisms: list[str] = []
    for holder in holders:
        for obj in graph.objects(holder, SSLMB + "susceptibleTo"):
            if isinstance(obj, ox.NamedNode):
                link = ev.of_link(graph, holder, SSLMB + "susceptibleTo", obj.value)
                key = (obj.value, "")
                if key not in exposures:
                    exposures[key] = Exposure(
                        obj.value, graph.label(obj.value), graph.label(holder), (), _numbers([link])
                    )
        for obj in graph.objects(holder, SSLMB + "exhibitsMechanism"):
            if not isinstance(obj, ox.NamedNode):
                continue
            mech = obj.value
            if mech not in mechanisms:
                mechanisms.append(mech)
            if mech not in causal:
                continue
            for node, route in nx.single_source_shortest_path(causal, mech, cutoff=max_hops).items():
                if node == mech or graph.kind(node) != "failure mode":
                    continue
                steps = tuple(
                    _step(graph, a, causal.edges[a, b]["relation"], b) for a, b in zip(route, route[1:], strict=False)
                )
                key = (node, mech)
                if key not in exposures:
                    exposures[key] = Exposure(
                        node, graph.label(node), graph.label(holder), steps, _numbers([s.evidence for s in steps])
                    )
    strategies = []
    seen = set()
    for holder in holders:
        for quad in graph.store.quads_for_pattern(None, ox.NamedNode(APPLIES_TO), ox.NamedNode(holder)):
            if not isinstance(quad.subject, ox.NamedNode):
                continue
            s = quad.subject.value
            if s not in seen:
                seen.add(s)
                link = ev.of_link(graph, s, APPLIES_TO, holder)
                strategies.append((graph.label(s), graph.label(holder), _numbers([link])))
    ordered = sorted(exposures.values(), key=lambda e: (bool(e.route), e.failure_mode_label, len(e.route)))
    return Risks(
        entity.iri,
        entity.label,
        tuple(graph.label(h) for h in holders[1:]),
        tuple(ordered),
        tuple(graph.label(m) for m in mechanisms),
        tuple(sorted(strategies)),
    )
