"""Path analysis over the causal graph: from a hazard back to its causes and to what mitigates them, with the
evidence of every step (networkx, imported only here)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

from kg import evidence as ev
from kg import quantity as qty
from kg import scope as sc
from kg.errors import check_count
from kg.namespaces import OWL, RDF, SSLMB, shorten

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    import networkx as nx

    from kg.store import Entity, KnowledgeGraph

CAUSAL = (SSLMB + "causes", SSLMB + "contributesTo", SSLMB + "leadsTo")
MITIGATES = SSLMB + "mitigates"
APPLIES_TO = SSLMB + "appliesTo"
USES_MATERIAL = SSLMB + "usesMaterial"
HAZARD_KINDS = ("mechanism", "failure mode")
RISK_KINDS = ("electrolyte", "electrolyte family", "material")  # what risks() takes: what shows mechanisms
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

    ``path`` runs from the strategy to the target; ``outcomes`` are the strategy's reported numbers, each with
    its metric and conditions; ``counted_outcomes`` those whose metric bears on the target or on a mechanism on
    the route (``sslmb:bearsOn``), the only ones that count in the rank. ``score`` ranks the results and
    ``score_explained`` says how it was reached: direct beats indirect, relevant numbers and more independent
    references rank higher.
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
class Risks:
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
            # sorted: which of two equally short routes is reported must not depend on the store's order
            for quad in sorted(self.graph.store.quads_for_pattern(None, ox.NamedNode(predicate), None), key=str):
                s, o = quad.subject, quad.object
                if isinstance(s, ox.NamedNode) and isinstance(o, ox.NamedNode):
                    g.add_edge(s.value, o.value, relation=predicate)
        return g

    @cached_property
    def mitigators(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for quad in sorted(self.graph.store.quads_for_pattern(None, ox.NamedNode(MITIGATES), None), key=str):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                found.setdefault(quad.object.value, []).append(quad.subject.value)
        return found


def projection(graph: KnowledgeGraph) -> Projection:
    return graph.memo("projection", Projection)


def _step(graph: KnowledgeGraph, s: str, p: str, o: str) -> Step:
    return Step(s, graph.label(s), graph.label(p), o, graph.label(o), ev.of_link(graph, s, p, o))


def _numbers(evidences: list[ev.Evidence]) -> tuple[int, ...]:
    return tuple(sorted({n for e in evidences for n in e.reference_numbers}))


def bears_on(graph: KnowledgeGraph) -> dict[str, frozenset[str]]:
    """The mechanisms and failure modes each metric bears on (``sslmb:bearsOn``, also through ``skos:broader``)."""

    def build(g: KnowledgeGraph) -> dict[str, frozenset[str]]:
        rows = g.select(
            "SELECT ?m ?t WHERE { ?m a sslmb:Metric ; skos:broader* ?general . ?general sslmb:bearsOn ?t }"
        )
        found: dict[str, set[str]] = {}
        for row in rows:
            found.setdefault(row["m"], set()).add(row["t"])
        return {m: frozenset(ts) for m, ts in found.items()}

    return graph.memo("bears_on", build)


def mitigations(graph: KnowledgeGraph, target: str, *, max_hops: int = 3) -> list[Mitigation]:
    """Strategies that mitigate ``target`` (a mechanism or failure mode) directly, or mitigate one of its
    causes up to ``max_hops`` causal links upstream, best first. Where ``target`` names several hazards equally
    well ("contact"), the answer holds the strategies of each in turn (each row names its target).

    >>> import kg
    >>> best = mitigations(kg.load(), "H2S")[0]
    >>> best.hops, best.target_label
    (0, 'hydrogen sulfide release')
    """
    from kg.search import resolve_each

    check_count("max_hops", max_hops, 0)
    found: list[Mitigation] = []
    for entity in resolve_each(graph, target, kinds=list(HAZARD_KINDS)):
        found.extend(_mitigations_of(graph, entity, max_hops))
    return found


def _mitigations_of(graph: KnowledgeGraph, entity: Entity, max_hops: int) -> list[Mitigation]:
    import networkx as nx

    proj = projection(graph)
    causal = proj.causal
    relevant = bears_on(graph)
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
            numbers = qty.of(graph, strategy)
            outcomes = tuple(q.described for q in numbers)
            on_route = set(route)
            counted = tuple(q.described for q in numbers if relevant.get(q.metric_iri or "", frozenset()) & on_route)
            applies = tuple(
                sorted(graph.label(o.value) for o in graph.objects(strategy, APPLIES_TO) if isinstance(o, ox.NamedNode))
            )
            # Fewer causal steps always rank first: the evidence bonus (at most 0.08) is smaller than the
            # smallest gap between hop levels (1/3 - 1/4); within a level, relevant numbers and references decide.
            n_out, n_ref = min(len(counted), 2), min(len(refs), 4)
            score = 1.0 / (1 + hops) + 0.02 * n_out + 0.01 * n_ref
            bearing = f" bearing on {'it' if hops == 0 else 'its route'}"
            listed = f" [{'; '.join(counted)}]" if counted else ""
            explained = (
                f"{'direct' if hops == 0 else f'{hops} causal step(s) upstream'} ({1.0 / (1 + hops):.2f})"
                f" + {n_out} quantitative outcome(s){bearing} x 0.02{listed}"
                f" + {n_ref} independent reference(s) x 0.01"
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
                counted,
            )
            if strategy not in best or found.score > best[strategy].score:
                best[strategy] = found
    return sorted(best.values(), key=lambda m: (-m.score, m.hops, m.strategy_label))


def _constituents(graph: KnowledgeGraph, iri: str, depth: int = 3) -> list[str]:
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


def _holders(graph: KnowledgeGraph, iri: str) -> tuple[list[str], set[tuple[str, str, str]], list[sc.Inheritance]]:
    """The entity and its families, the family statements that do not reach it, and the judgements."""
    from kg.describe import family_of

    families = family_of(graph, iri)
    judged = sc.inherited(graph, iri, families)
    return [iri, *families], {(j.statement.family, j.statement.relation, j.statement.other)
                              for j in judged if not j.applies}, judged


def risks(graph: KnowledgeGraph, electrolyte: str, *, max_hops: int = 2) -> Risks:
    """The failure modes an electrolyte (or its families, or the constituents of a composite) is exposed to,
    stated directly or through the mechanisms it shows, and the strategies that apply to it. A family statement
    reaches the electrolyte only as far as its scope allows (:mod:`kg.scope`); those held back are listed.

    >>> import kg
    >>> r = risks(kg.load(), "LGPS")
    >>> "hydrogen sulfide release" in {e.failure_mode_label for e in r.exposures}
    True
    """
    import networkx as nx

    check_count("max_hops", max_hops, 0)
    entity = graph.resolve(electrolyte, kinds=list(RISK_KINDS))
    causal = projection(graph).causal
    exposures: dict[tuple[str, str, str], Exposure] = {}
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
                link = ev.of_link(graph, holder, SSLMB + "susceptibleTo", obj.value)
                key = (obj.value, "", part)
                if key not in exposures:
                    exposures[key] = Exposure(obj.value, graph.label(obj.value), graph.label(holder), (),
                                              _numbers([link]), part, _mitigating(graph, users, [obj.value]))
            for obj in sorted(graph.objects(holder, SSLMB + "exhibitsMechanism"), key=str):
                if not isinstance(obj, ox.NamedNode) or (holder, SSLMB + "exhibitsMechanism", obj.value) in blocked:
                    continue
                mech = obj.value
                if mech not in mechanisms:
                    mechanisms.append(mech)
                if mech not in causal:
                    continue
                for node, route in nx.single_source_shortest_path(causal, mech, cutoff=max_hops).items():
                    if node == mech or graph.kind(node) != "failure mode" or excepted & set(route):
                        continue
                    steps = tuple(
                        _step(graph, a, causal.edges[a, b]["relation"], b)
                        for a, b in zip(route, route[1:], strict=False)
                    )
                    key = (node, mech, part)
                    if key not in exposures:
                        exposures[key] = Exposure(
                            node, graph.label(node), graph.label(holder), steps, _numbers([s.evidence for s in steps]),
                            part, _mitigating(graph, users, route),
                        )
    strategies = []
    seen = set()
    for strategy in users:  # made with this very material: said first, whatever else it applies to
        seen.add(strategy)
        link = ev.of_link(graph, strategy, USES_MATERIAL, entity.iri)
        strategies.append((graph.label(strategy), "uses it", _numbers([link])))
    for member in [entity.iri, *parts]:
        holders, blocked, _ = _holders(graph, member)
        for holder in holders:
            for quad in graph.store.quads_for_pattern(None, ox.NamedNode(APPLIES_TO), ox.NamedNode(holder)):
                s = quad.subject
                if not isinstance(s, ox.NamedNode) or s.value in seen or (holder, APPLIES_TO, s.value) in blocked:
                    continue
                seen.add(s.value)
                link = ev.of_link(graph, s.value, APPLIES_TO, holder)
                where = graph.label(holder) if member == entity.iri else f"{graph.label(holder)} (in {graph.label(member)})"
                strategies.append((graph.label(s.value), where, _numbers([link])))
    ordered = sorted(exposures.values(), key=lambda e: (bool(e.constituent), bool(e.route), e.failure_mode_label,
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


def _users(graph: KnowledgeGraph, iri: str) -> list[str]:
    """Strategies carried out with this material (``sslmb:usesMaterial``)."""
    return sorted(
        q.subject.value
        for q in graph.store.quads_for_pattern(None, ox.NamedNode(USES_MATERIAL), ox.NamedNode(iri))
        if isinstance(q.subject, ox.NamedNode)
    )


def _mitigating(graph: KnowledgeGraph, strategies: list[str], route: list[str]) -> tuple[str, ...]:
    """Labels of the ``strategies`` that mitigate any node of ``route``."""
    targets = set(route)
    return tuple(
        graph.label(s)
        for s in strategies
        if any(isinstance(o, ox.NamedNode) and o.value in targets for o in graph.objects(s, MITIGATES))
    )


# ------------------------------------------------------------------------------------------ paths


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
class Path:
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


def network(graph: KnowledgeGraph, *, bibliographic: bool = False) -> nx.MultiDiGraph:
    """The projection used for path analysis (no schema nodes; bibliographic ones only when asked), built once."""
    from kg.network import to_networkx

    key = f"network:{'bib' if bibliographic else 'nobib'}"
    return graph.memo(key, lambda g: to_networkx(g, bibliographic=bibliographic))


class _ScopeFilter:
    """Drops a path that reaches a family statement through a member the statement does not reach: ``member
    -type-> family (-subClassOf-> ...) -relation-> target`` where the scope or an exception holds it back."""

    _UP = ("rdf:type", "rdfs:subClassOf")

    def __init__(self, graph: KnowledgeGraph, net: nx.MultiDiGraph) -> None:
        self.graph, self.net = graph, net
        self.out = {shorten(p): p for p in sc.INHERITED_OUT}
        self.into = {shorten(p): p for p in sc.INHERITED_IN}
        self.blocked: dict[str, set[tuple[str, str, str]]] = {}

    def _blocked(self, member: str) -> set[tuple[str, str, str]]:
        if member not in self.blocked:
            from kg.describe import family_of

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
    relations, refs, sections = [], set(), []
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
    graph: KnowledgeGraph, source: str, target: str, *, max_hops: int = 4, limit: int = 200, bibliographic: bool = False
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
    a, b = graph.resolve(source), graph.resolve(target)
    net = network(graph, bibliographic=bibliographic)
    for end in (a, b):
        if end.iri not in net:
            from kg.errors import InputError

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


# ------------------------------------------------------------------------------------------ gaps


@dataclass(frozen=True)
class Gap:
    """An entity where research (or the review) leaves something missing, and what."""

    iri: str
    label: str
    kind: str
    missing: str
    detail: str = ""


@dataclass(frozen=True)
class Gaps:
    """What :func:`gaps` returns, one list per question."""

    unmitigated: tuple[Gap, ...]
    unquantified_strategies: tuple[Gap, ...]
    families_without_safety_data: tuple[Gap, ...]

    def __len__(self) -> int:
        return len(self.unmitigated) + len(self.unquantified_strategies) + len(self.families_without_safety_data)


_SAFETY_LINKS = (SSLMB + "susceptibleTo", SSLMB + "exhibitsMechanism")


def gaps(graph: KnowledgeGraph, *, max_hops: int = 3) -> Gaps:
    """Where research is missing: mechanisms and failure modes no strategy mitigates directly (``detail`` says
    whether some strategy reaches them through their causes), strategies with no number reported for them,
    and electrolyte families with no safety data (no exposure, mechanism or applicable strategy recorded for the
    family, its subfamilies or its members).

    >>> import kg
    >>> found = gaps(kg.load())
    >>> all(g.kind in ("mechanism", "failure mode") for g in found.unmitigated)
    True
    """
    proj = projection(graph)
    rows = graph.select(
        "SELECT DISTINCT ?x WHERE { { ?x a/rdfs:subClassOf* sslmb:Mechanism } UNION "
        "{ ?x a/rdfs:subClassOf* sslmb:FailureMode } FILTER(isIRI(?x)) }"
    )
    unmitigated = []
    for iri in sorted((r["x"] for r in rows), key=graph.label):
        if proj.mitigators.get(iri):
            continue
        indirect = {m.strategy for m in mitigations(graph, iri, max_hops=max_hops)}
        detail = (
            f"{len(indirect)} {'strategy acts' if len(indirect) == 1 else 'strategies act'} on its causes"
            if indirect
            else "no strategy acts on it or on its causes"
        )
        unmitigated.append(Gap(iri, graph.label(iri), graph.kind(iri), "direct mitigation", detail))
    # a number reported for the strategy itself, or for a material it is carried out with (the Table 2 designs)
    strategies = graph.select(
        """SELECT ?s WHERE {
             ?s a/rdfs:subClassOf* sslmb:MitigationStrategy FILTER(isIRI(?s))
             OPTIONAL { { ?s sslmb:hasOutcome|sslmb:hasQuantity ?q } UNION { ?s sslmb:usesMaterial/sslmb:hasQuantity ?q } }
           } GROUP BY ?s HAVING(COUNT(?q) = 0)"""
    )
    unquantified = sorted(
        (Gap(r["s"], graph.label(r["s"]), "strategy", "quantitative evidence") for r in strategies),
        key=lambda g: g.label,
    )
    # safety data of a family: a statement on it or a subfamily, on a member, on a constituent of a member, a
    # strategy that applies to or is made with any of these, or a member the source names as an exception.
    # Worked out here from three plain queries: the one-query form with nested paths under NOT EXISTS or MINUS
    # gave no row on Virtuoso.
    holders = {
        r["x"]
        for r in graph.select(
            """SELECT DISTINCT ?x WHERE {
                 { ?x sslmb:susceptibleTo|sslmb:exhibitsMechanism ?d }
                 UNION { ?d sslmb:appliesTo|sslmb:usesMaterial|sslmb:knownException ?x }
                 FILTER(isIRI(?x)) }"""
        )
    }
    # a composite whose constituent (at any depth) has data; the closure is taken here, since Virtuoso refuses a
    # transitive path open at both ends
    made_of: dict[str, set[str]] = {}
    for r in graph.select("SELECT DISTINCT ?whole ?part WHERE { ?whole sslmb:hasConstituent ?part }"):
        made_of.setdefault(r["part"], set()).add(r["whole"])
    frontier = [h for h in holders if h in made_of]
    while frontier:
        wholes = {w for part in frontier for w in made_of.get(part, ())} - holders
        holders |= wholes
        frontier = list(wholes)
    covered = {cls for holder in holders for cls in sc.lineage(graph, holder)}
    families = [
        r
        for r in graph.select(
            """SELECT ?f (COUNT(DISTINCT ?e) AS ?members) WHERE {
                 ?f rdfs:subClassOf+ sslmb:Electrolyte . FILTER(isIRI(?f))
                 OPTIONAL { ?e a/rdfs:subClassOf* ?f }
               } GROUP BY ?f"""
        )
        if r["f"] not in covered
    ]
    no_safety = sorted(
        (
            Gap(r["f"], graph.label(r["f"]), "electrolyte family", "safety data", f"{r['members']} member(s)")
            for r in families
        ),
        key=lambda g: g.label,
    )
    return Gaps(tuple(unmitigated), tuple(unquantified), tuple(no_safety))


# ------------------------------------------------------------------------------------------ centrality


@dataclass(frozen=True)
class Hub:
    """A mechanism or failure mode's place in the causal graph."""

    iri: str
    label: str
    kind: str
    betweenness: float
    in_degree: int
    out_degree: int
    mitigated_by: int


def centrality(graph: KnowledgeGraph) -> list[Hub]:
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
