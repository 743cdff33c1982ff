"""The failure modes an electrolyte (or its families, or the constituents of a composite) is exposed to, stated or
through the mechanisms it shows, the strategies that apply to it, and the family statements held back by their
scope (:mod:`kg.model.scope`)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.analysis.causal import (
    APPLIES_TO,
    MITIGATES,
    USES_MATERIAL,
    Step,
    links,
    reference_numbers,
    shortest_routes,
    step_of,
)
from kg.core.errors import check_count
from kg.core.namespaces import SSLMB
from kg.core.notebook import Display
from kg.model import evidence as ev
from kg.model import scope as sc
from kg.model.search import resolve

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph

RISK_KINDS = ("electrolyte", "electrolyte family", "material")  # what risks() takes: what shows mechanisms


@dataclass(frozen=True)
class Exposure:
    """A failure mode an electrolyte is exposed to: ``via`` is the entity (itself or a family) and ``route``
    the mechanism chain, empty when the exposure is stated directly. ``constituent`` names the part of a composite
    the exposure comes through (empty for the material itself); ``mitigated_by`` lists the strategies that use
    this very material and mitigate the failure mode or a mechanism on the route."""

    failure_mode: str
    failure_mode_label: str
    via: str
    route: tuple[Step, ...]
    references: tuple[int, ...]
    constituent: str = ""
    mitigated_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Withheld:
    """A family statement about a failure mode or mechanism that does not reach the electrolyte, and why."""

    target: str
    target_label: str
    via: str
    reason: str
    detail: str


@dataclass(frozen=True)
class Risks(Display):
    """What :func:`risks` returns: exposures, the mechanisms shown, the strategies that apply (to it, its families
    or its constituents; ``"uses it"`` for a strategy made with this material) and the family statements held
    back by their scope."""

    electrolyte: str
    electrolyte_label: str
    families: tuple[str, ...]
    exposures: tuple[Exposure, ...]
    mechanisms: tuple[str, ...]
    strategies: tuple[tuple[str, str, tuple[int, ...]], ...]
    constituents: tuple[str, ...] = ()
    withheld: tuple[Withheld, ...] = ()


def _constituents(graph: Graph, iri: str, depth: int = 3) -> list[str]:
    """The materials a composite is made of (``sslmb:hasConstituent``, followed ``depth`` levels), nearest first."""
    found: list[str] = []
    frontier = [iri]
    for _ in range(depth):
        nxt = []
        for node in frontier:
            for obj in sorted(graph.objects(node, SSLMB + "hasConstituent"), key=str):
                if isinstance(obj, ox.NamedNode) and obj.value != iri and obj.value not in found:
                    found.append(obj.value)
                    nxt.append(obj.value)
        frontier = nxt
    return found


def _holders(graph: Graph, iri: str) -> tuple[list[str], set[tuple[str, str, str]], list[sc.Inheritance]]:
    """The entity and its families, the family statements that do not reach it, and the judgements."""
    from kg.model.describe import family_of

    families = family_of(graph, iri)
    judged = sc.inherited(graph, iri, families)
    return [iri, *families], {(j.statement.family, j.statement.relation, j.statement.other)
                              for j in judged if not j.applies}, judged


def risks(graph: Graph, electrolyte: str, *, max_hops: int = 2) -> Risks:
    """The failure modes an electrolyte (or its families, or the constituents of a composite) is exposed to,
    stated directly or through the mechanisms it shows, and the strategies that apply to it. A family statement
    reaches the electrolyte only as far as its scope allows (:mod:`kg.model.scope`); those held back are listed.

    >>> import kg
    >>> r = risks(kg.load(), "LGPS")
    >>> "hydrogen sulfide release" in {e.failure_mode_label for e in r.exposures}
    True
    """
    check_count("max_hops", max_hops, 0)
    entity = resolve(graph, electrolyte, kinds=list(RISK_KINDS))
    causal = links(graph)
    # (failure mode, holder, links of the route or the one stated link, constituent, mitigated by) per exposure:
    # the evidence of every link is read in one go once all are known
    exposures: dict[tuple[str, str, str], tuple[str, str, list[tuple[str, str, str]], str, tuple[str, ...]]] = {}
    mechanisms: list[str] = []
    withheld: list[Withheld] = []
    users = _users(graph, entity.iri)
    parts = _constituents(graph, entity.iri)
    families: list[str] = []
    for member in [entity.iri, *parts]:
        holders, blocked, judged = _holders(graph, member)
        part = "" if member == entity.iri else graph.label(member)
        # failure modes the source excepts this material from: no route may end in them or pass through them
        excepted = {
            j.statement.other
            for j in judged
            if j.reason == sc.EXCEPTION and j.statement.relation == SSLMB + "susceptibleTo"
        }
        if member == entity.iri:
            families = holders[1:]
            withheld = [
                Withheld(j.statement.other, graph.label(j.statement.other), graph.label(j.statement.family),
                         j.reason, j.detail)
                for j in judged
                if not j.applies and j.statement.relation in (SSLMB + "susceptibleTo", SSLMB + "exhibitsMechanism")
            ]
        for holder in holders:
            for obj in sorted(graph.objects(holder, SSLMB + "susceptibleTo"), key=str):
                if not isinstance(obj, ox.NamedNode) or (holder, SSLMB + "susceptibleTo", obj.value) in blocked:
                    continue
                key = (obj.value, "", part)
                if key not in exposures:
                    exposures[key] = (obj.value, holder, [(holder, SSLMB + "susceptibleTo", obj.value)], part,
                                      _mitigating(graph, users, [obj.value]))
            for obj in sorted(graph.objects(holder, SSLMB + "exhibitsMechanism"), key=str):
                if not isinstance(obj, ox.NamedNode) or (holder, SSLMB + "exhibitsMechanism", obj.value) in blocked:
                    continue
                mech = obj.value
                if mech not in mechanisms:
                    mechanisms.append(mech)
                if mech not in causal:
                    continue
                for node, route in shortest_routes(causal.forward, mech, max_hops).items():
                    if node == mech or graph.kind(node) != "failure mode" or excepted & set(route):
                        continue
                    key = (node, mech, part)
                    if key not in exposures:
                        steps = [(a, causal.forward[a][b], b) for a, b in zip(route, route[1:], strict=False)]
                        exposures[key] = (node, holder, steps, part, _mitigating(graph, users, route))
    stated: list[tuple[str, str, tuple[str, str, str]]] = []  # (strategy, where, link)
    seen = set()
    for strategy in users:  # made with this very material: said first, whatever else it applies to
        seen.add(strategy)
        stated.append((strategy, "uses it", (strategy, USES_MATERIAL, entity.iri)))
    for member in [entity.iri, *parts]:
        holders, blocked, _ = _holders(graph, member)
        for holder in holders:
            for quad in graph.store.quads_for_pattern(None, ox.NamedNode(APPLIES_TO), ox.NamedNode(holder)):
                s = quad.subject
                if not isinstance(s, ox.NamedNode) or s.value in seen or (holder, APPLIES_TO, s.value) in blocked:
                    continue
                seen.add(s.value)
                where = (
                    graph.label(holder) if member == entity.iri else f"{graph.label(holder)} (in {graph.label(member)})"
                )
                stated.append((s.value, where, (s.value, APPLIES_TO, holder)))
    evidence = ev.of_links(graph, [*(link for e in exposures.values() for link in e[2]), *(s[2] for s in stated)])
    strategies = [(graph.label(s), where, reference_numbers([evidence[link]])) for s, where, link in stated]
    found = []
    for (failure, holder, hops, part, mitigated), (_, mech, _) in zip(exposures.values(), exposures, strict=True):
        if not mech:  # stated: no route
            found.append(Exposure(failure, graph.label(failure), graph.label(holder), (),
                                  reference_numbers([evidence[hops[0]]]), part, mitigated))
            continue
        route_steps = tuple(step_of(graph, a, p, b) for a, p, b in hops)
        found.append(Exposure(failure, graph.label(failure), graph.label(holder), route_steps,
                              reference_numbers([s.evidence for s in route_steps]), part, mitigated))
    ordered = sorted(found, key=lambda e: (bool(e.constituent), bool(e.route), e.failure_mode_label,
                                                        len(e.route), e.constituent))
    return Risks(
        entity.iri,
        entity.label,
        tuple(graph.label(h) for h in families),
        tuple(ordered),
        tuple(graph.label(m) for m in mechanisms),
        tuple(sorted(strategies)),
        tuple(graph.label(c) for c in parts),
        tuple(sorted(withheld, key=lambda w: (w.target_label, w.via))),
    )


def _users(graph: Graph, iri: str) -> list[str]:
    """Strategies carried out with this material (``sslmb:usesMaterial``)."""
    return sorted(
        q.subject.value
        for q in graph.store.quads_for_pattern(None, ox.NamedNode(USES_MATERIAL), ox.NamedNode(iri))
        if isinstance(q.subject, ox.NamedNode)
    )


def _mitigating(graph: Graph, strategies: list[str], route: list[str]) -> tuple[str, ...]:
    """Labels of the ``strategies`` that mitigate any node of ``route``."""
    targets = set(route)
    return tuple(
        graph.label(s)
        for s in strategies
        if any(isinstance(o, ox.NamedNode) and o.value in targets for o in graph.objects(s, MITIGATES))
    )
