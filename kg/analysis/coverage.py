"""What is known and what is mitigated, electrolyte family by failure mode: the matrix behind ``sslmb heatmap``.

A cell is

- **mitigated** when a strategy that applies to the family mitigates the failure mode: directly by default, or also
  through its causes up to ``max_hops`` causal links (as ``sslmb mitigations`` finds them). A strategy applies to
  a family when it is stated to apply to the family, to a narrower family or a member, when it is made with a
  member (``usesMaterial``), or when it applies to a wider family and that statement reaches this one
  (:mod:`kg.model.scope`);
- **known** when the family or one of its members (narrower families and their electrolytes included) is exposed
  to the failure mode as ``sslmb risks`` finds it: stated for it, or for a wider family whose statement reaches it
  (a statement said of *some members* only, or with the member as a known exception, does not), or through a
  mechanism it shows, or through what a composite is made of;
- a **gap** otherwise: the graph links the family to the failure mode in no way.

A mitigated cell may have no recorded exposure (``Cell.exposed`` is false): a strategy stated for all inorganic
electrolytes mitigates combustion, say, while no sulfide is said to burn. Pictures draw such cells paler.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.analysis.causal import APPLIES_TO, USES_MATERIAL
from kg.core.namespaces import SSLMB
from kg.model import scope as sc

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph

GAP, KNOWN, MITIGATED = "gap", "known", "mitigated"


@dataclass(frozen=True)
class Cell:
    """One family x failure mode: ``state`` is ``mitigated``, ``known`` or ``gap``; ``known_via`` says through
    what the family is exposed ("LGPS: stated", "LLZO: localized stress"), ``mitigated_by`` which strategies that
    apply to it mitigate the failure mode, each with its causal steps ("(direct)" or "via moisture reactivity")."""

    family: str
    failure_mode: str
    state: str
    known_via: tuple[str, ...] = ()
    mitigated_by: tuple[str, ...] = ()
    __json_properties__ = ("exposed",)

    @property
    def exposed(self) -> bool:
        """Whether the family's exposure to the failure mode is recorded (as it is for every known cell)."""
        return bool(self.known_via)


@dataclass(frozen=True)
class Row:
    """An electrolyte family, with its depth in the family tree (0 for the widest)."""

    iri: str
    label: str
    depth: int
    members: int


@dataclass(frozen=True)
class Coverage:
    """The matrix: ``rows`` (families, as a tree, depth first), ``columns`` (failure modes, ``(iri, label)``) and
    ``cells[i][j]`` for row i and column j; ``counts`` gives how many cells are in each state."""

    rows: tuple[Row, ...]
    columns: tuple[tuple[str, str], ...]
    cells: tuple[tuple[Cell, ...], ...]
    max_hops: int = 0
    __json_properties__ = ("counts",)

    @property
    def counts(self) -> dict[str, int]:
        found = {MITIGATED: 0, KNOWN: 0, GAP: 0}
        for row in self.cells:
            for cell in row:
                found[cell.state] += 1
        return found

    def cell(self, family: str, failure_mode: str) -> Cell:
        """The cell of a family and a failure mode, by IRI."""
        i = next(n for n, r in enumerate(self.rows) if r.iri == family)
        j = next(n for n, c in enumerate(self.columns) if c[0] == failure_mode)
        return self.cells[i][j]


def _families(graph: Graph) -> list[Row]:
    parents: dict[str, list[str]] = {}
    for r in graph.select(
        "SELECT ?f ?p WHERE { ?f rdfs:subClassOf ?p . ?p rdfs:subClassOf* sslmb:Electrolyte FILTER(isIRI(?f)) }"
    ):
        parents.setdefault(r["p"], []).append(r["f"])
    rows: list[Row] = []

    def walk(node: str, depth: int) -> None:
        for child in sorted(parents.get(node, []), key=graph.label):
            if any(r.iri == child for r in rows):
                continue
            rows.append(Row(child, graph.label(child), depth, len(_members(graph, child)) - 1))
            walk(child, depth + 1)

    walk(SSLMB + "Electrolyte", 0)
    return rows


def _members(graph: Graph, family: str) -> list[str]:
    """The family, its narrower families and every electrolyte typed with any of them."""
    found = [family]
    for r in graph.select(
        """SELECT DISTINCT ?f ?x WHERE { { ?x rdfs:subClassOf+ ?f } UNION { ?x a/rdfs:subClassOf* ?f }
             FILTER(isIRI(?x)) }""",
        f=family,
    ):
        if r["x"] not in found:
            found.append(r["x"])
    return found


def _applying(graph: Graph, family: str, members: list[str]) -> set[str]:
    """The strategies that apply to the family (see the module's description)."""
    from kg.model.describe import family_of

    found: set[str] = set()
    for member in members:
        for predicate in (APPLIES_TO, USES_MATERIAL):
            for q in graph.store.quads_for_pattern(None, ox.NamedNode(predicate), ox.NamedNode(member)):
                if isinstance(q.subject, ox.NamedNode):
                    found.add(q.subject.value)
    for judged in sc.inherited(graph, family, family_of(graph, family)):
        s = judged.statement
        if judged.applies and s.relation == APPLIES_TO and s.direction == "in":
            found.add(s.other)
    return found


def coverage(graph: Graph, *, max_hops: int = 0) -> Coverage:
    """The family x failure-mode matrix of the graph (see the module's description).

    >>> import kg
    >>> m = coverage(kg.load())
    >>> m.cell("https://w3id.org/sslmb/SulfideElectrolyte", "https://w3id.org/sslmb/HydrogenSulfideRelease").state
    'mitigated'
    """
    from kg.analysis.mitigations import mitigations
    from kg.analysis.risks import risks
    from kg.core.errors import check_count

    check_count("max_hops", max_hops, 0)

    columns = sorted(
        {
            (r["x"], graph.label(r["x"]))
            for r in graph.select(
                "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* sslmb:FailureMode FILTER(isIRI(?x)) }"
            )
        },
        key=lambda c: c[1],
    )
    # for each failure mode, the strategies that mitigate it (directly or through its causes) and how
    remedies: dict[str, dict[str, str]] = {}
    for iri, _ in columns:
        remedies[iri] = {}
        for m in mitigations(graph, iri, max_hops=max_hops):
            if m.target == iri:
                via = " -> ".join(s.target_label for s in m.path[:-1]) if m.hops else ""
                remedies[iri][m.strategy] = f"{m.strategy_label} ({'via ' + via if via else 'direct'})"
    exposures: dict[str, list[tuple[str, str]]] = {}  # electrolyte or family -> [(failure mode, via)]

    def exposed(holder: str) -> list[tuple[str, str]]:
        if holder not in exposures:
            r = risks(graph, holder)
            exposures[holder] = [
                (
                    e.failure_mode,
                    f"{r.electrolyte_label}: "
                    + (f"constituent {e.constituent}, " if e.constituent else "")
                    + (" -> ".join(s.source_label for s in e.route) if e.route else f"stated (as {e.via})"),
                )
                for e in r.exposures
            ]
        return exposures[holder]

    rows = _families(graph)
    cells = []
    for row in rows:
        members = _members(graph, row.iri)
        known: dict[str, list[str]] = {}
        for member in members:
            for fm, via in exposed(member):
                known.setdefault(fm, []).append(via)
        applying = _applying(graph, row.iri, members)
        line = []
        for iri, _ in columns:
            by = tuple(sorted(remedies[iri][s] for s in applying if s in remedies[iri]))
            vias = tuple(sorted(set(known.get(iri, []))))
            state = MITIGATED if by else KNOWN if vias else GAP
            line.append(Cell(row.iri, iri, state, vias, by))
        cells.append(tuple(line))
    return Coverage(tuple(rows), tuple(columns), tuple(cells), max_hops)
