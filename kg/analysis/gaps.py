"""Where research is missing: hazards no strategy mitigates directly, strategies with no number reported, and
electrolyte families with no safety data."""

from __future__ import annotations

from dataclasses import dataclass

from kg.analysis.causal import projection
from kg.analysis.mitigations import mitigations
from kg.core.namespaces import SSLMB
from kg.core.notebook import Display
from kg.model import scope as sc

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph


@dataclass(frozen=True)
class Gap(Display):
    """An entity where research (or the review) leaves something missing, and what."""

    iri: str
    label: str
    kind: str
    missing: str
    detail: str = ""


@dataclass(frozen=True)
class Gaps(Display):
    """What :func:`gaps` returns, one list per question."""

    unmitigated: tuple[Gap, ...]
    unquantified_strategies: tuple[Gap, ...]
    families_without_safety_data: tuple[Gap, ...]

    def __len__(self) -> int:
        return len(self.unmitigated) + len(self.unquantified_strategies) + len(self.families_without_safety_data)


_SAFETY_LINKS = (SSLMB + "susceptibleTo", SSLMB + "exhibitsMechanism")


def gaps(graph: Graph, *, max_hops: int = 3) -> Gaps:
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
             OPTIONAL { { ?s sslmb:hasOutcome|sslmb:hasQuantity ?q }
                        UNION { ?s sslmb:usesMaterial/sslmb:hasQuantity ?q } }
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
