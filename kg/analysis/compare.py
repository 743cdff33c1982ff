"""One property of one material (or of a family's members) across every source: each value normalised to one
unit, with its conditions and the original paper it rests on; pairwise verdicts (agree, disagree, not comparable,
same evidence); and, for a family, where its members' values fall against the ranges stated for it.

Tolerances (:data:`TOLERANCES`): two values agree within a factor of 2 for conductivities, current densities and
times, within 10 % for voltages and most other kinds, and within 5 °C for temperatures (a percentage of a
temperature depends on where its scale starts). Two values are not comparable when a condition both state differs:
temperatures more than 5 °C apart (room temperature is 20 to 30 °C), another phase (space group), another atmosphere
or named state, another current density, pressure or other numeric condition (beyond 10 %). Two values rest on the
same evidence when they share an original paper (the same cited work, or the same DOI): they are then one piece of
support, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.analysis.compare_family import (
    ABOVE,
    BELOW,
    INSIDE,
    NOT_COVERED,
    POSITIONS,
    UNDETERMINED,
    Placement,
    Range,
    place,
)
from kg.analysis.compare_values import QK, Paper, Value, family_of, members, phase_key, read_value, target_unit
from kg.core.errors import KGError, WrongKindError
from kg.core.namespaces import QUDT
from kg.model import scope
from kg.model.search import resolve

if TYPE_CHECKING:
    from kg.core.graph import Graph

__all__ = [
    "ABOVE",
    "AGREE",
    "BELOW",
    "DISAGREE",
    "INSIDE",
    "NOT_COMPARABLE",
    "NOT_COVERED",
    "POSITIONS",
    "SAME_EVIDENCE",
    "TOLERANCES",
    "UNDETERMINED",
    "Comparison",
    "Paper",
    "Placement",
    "Range",
    "Summary",
    "Tolerance",
    "Value",
    "NoValues",
    "Verdict",
    "compare",
    "judge_pair",
    "members",
]


class NoValues(KGError):
    """Nothing to compare: no value of the property is recorded for the subject (the CLI exits 1, as for any
    empty answer)."""

    exit_code = 1


SUBJECT_KINDS = ("electrolyte", "electrolyte family", "material")

AGREE, DISAGREE, NOT_COMPARABLE, SAME_EVIDENCE = "agree", "disagree", "not comparable", "same evidence"
TEMPERATURE_GAP = 5.0  # °C: temperatures further apart than this are not comparable
CONDITION_TOLERANCE = 0.10  # other numeric conditions: further apart than 10 % are not comparable


@dataclass(frozen=True)
class Tolerance:
    """When two values of a quantity kind agree: within a ``factor``, a ``relative`` share, or an ``absolute``
    difference (in the comparison unit)."""

    factor: float | None = None
    relative: float | None = None
    absolute: float | None = None

    def __str__(self) -> str:
        if self.factor:
            return f"within a factor of {self.factor:g}"
        if self.relative:
            return f"within {self.relative:.0%}"
        return f"within {self.absolute:g}"


#: Tolerance by QUDT quantity kind; any other kind agrees within 10 %.
TOLERANCES: dict[str, Tolerance] = {
    QK + "ElectricConductivity": Tolerance(factor=2.0),
    QK + "ElectricCurrentDensity": Tolerance(factor=2.0),
    QK + "Time": Tolerance(factor=2.0),
    QK + "Voltage": Tolerance(relative=0.10),
    QK + "ElectricPotential": Tolerance(relative=0.10),
    QK + "Temperature": Tolerance(absolute=TEMPERATURE_GAP),
}
DEFAULT_TOLERANCE = Tolerance(relative=0.10)


@dataclass(frozen=True)
class Verdict:
    """How two values (``a``, ``b``: their ids) compare: ``verdict`` is agree, disagree, not comparable or same
    evidence; ``ratio`` is the larger over the smaller where both are numbers; ``reason`` says why in words."""

    a: str
    b: str
    verdict: str
    ratio: float | None
    reason: str


@dataclass(frozen=True)
class Summary:
    """The counts behind the summary ``line``: values, sources, independent papers (values sharing a paper count
    once); against the review's value (``reference``): papers agreeing, disagreeing, not comparable, and values
    resting on the review's own paper; for a family, values by position."""

    values: int
    sources: int
    independent_papers: int
    reference: str | None
    agree: int
    disagree: int
    not_comparable: int
    same_evidence: int
    positions: dict[str, int]
    line: str


@dataclass(frozen=True)
class Comparison:
    """``sslmb compare SUBJECT PROPERTY``: the values, the pairwise verdicts (for one material), the ranges and
    where each value falls, and the summary. ``mode`` is "material" or "family"."""

    subject: str
    subject_label: str
    mode: str
    metric: str
    metric_label: str
    unit: str
    tolerance: str
    values: tuple[Value, ...]
    pairs: tuple[Verdict, ...]
    ranges: tuple[Range, ...]
    placements: tuple[Placement, ...]
    summary: Summary


# ---------------------------------------------------------------------------------------------- verdicts


def _differs(a: Value, b: Value) -> str | None:
    """The condition that makes ``a`` and ``b`` not comparable, in words, or ``None``."""
    ta, tb = a.temperature_range, b.temperature_range
    if ta and tb:
        gap = max(ta[0] - tb[1], tb[0] - ta[1], 0.0)
        if gap > TEMPERATURE_GAP:
            return f"temperature differs: {a.temperature} vs {b.temperature} (more than {TEMPERATURE_GAP:g} °C apart)"
    if a.phase and b.phase and phase_key(a.phase) != phase_key(b.phase):
        return f"phase differs: space group {a.phase} vs {b.phase}"
    others_a = {rel: (text, v, u) for rel, text, v, u in a.other_conditions}
    for rel, text, v, u in b.other_conditions:
        if rel not in others_a:
            continue
        text_a, v_a, u_a = others_a[rel]
        name = rel.rsplit("/", 1)[-1]
        name = {"atmosphere": "atmosphere", "underCondition": "condition"}.get(name, name.removeprefix("at").lower())
        if v is None or v_a is None:
            if text.strip().lower() != text_a.strip().lower():
                return f"{name} differs: {text_a} vs {text}"
        elif u != u_a or abs(v - v_a) > CONDITION_TOLERANCE * max(abs(v), abs(v_a)):
            return f"{name} differs: {v_a:g} {u_a or ''} vs {v:g} {u or ''}".replace("  ", " ")
    return None


def _doi(p: Paper) -> str:
    return (p.doi or "").lower()


def shared_paper(a: Value, b: Value) -> Paper | None:
    """A paper both values rest on (the same cited work, or the same DOI, compared case-insensitively)."""
    for p in a.papers:
        for r in b.papers:
            if p.iri == r.iri or (p.doi and _doi(p) == _doi(r)):
                return p
    return None


def _ratio(a: Value, b: Value) -> tuple[float | None, float, bool]:
    """(ratio larger/smaller where both are positive, the gap between the two intervals, whether they overlap)."""
    (a_lo, a_hi), (b_lo, b_hi) = a.interval, b.interval
    if a_hi >= b_lo and b_hi >= a_lo:
        return (1.0 if a.value is None or b.value is None else _plain_ratio(a.value, b.value)), 0.0, True
    low_hi, high_lo = (a_hi, b_lo) if a_hi < b_lo else (b_hi, a_lo)
    ratio = high_lo / low_hi if low_hi > 0 else None
    return ratio, high_lo - low_hi, False


def _plain_ratio(x: float, y: float) -> float | None:
    if x > 0 and y > 0:
        return max(x, y) / min(x, y)
    return None


def judge_pair(a: Value, b: Value, tol: Tolerance) -> Verdict:
    """The verdict on two values of one quantity kind (see the module's docstring for the rules)."""
    differs = _differs(a, b)
    paper = shared_paper(a, b)
    ratio, gap, overlap = _ratio(a, b)
    if differs:
        also = f"; both rest on {paper}" if paper else ""
        return Verdict(a.id, b.id, NOT_COMPARABLE, _round(ratio), differs + also)
    if paper is not None:
        return Verdict(
            a.id,
            b.id,
            SAME_EVIDENCE,
            _round(ratio),
            f"both rest on {paper}",
        )
    unstated = sorted(
        {v.source if v.source != "?" else v.id for v, w in ((a, b), (b, a)) if v.temperature is None and w.temperature}
    )
    note = f" ({', '.join(unstated)} states no temperature)" if unstated else ""
    bound = a.value is None or b.value is None
    if tol.factor:
        agree = overlap or (ratio is not None and ratio <= tol.factor)
        how = "" if ratio is not None else "of opposite sign"
    elif tol.relative:
        largest = max(abs(x) for x in (*a.interval, *b.interval) if x != float("inf"))
        share = gap / largest if largest else 0.0
        agree = overlap or share <= tol.relative
        how = f"{share:.0%} apart"
    else:
        agree = overlap or gap <= (tol.absolute or 0.0)
        how = f"{gap:g} {a.unit} apart"
    verdict = AGREE if agree else DISAGREE
    if bound and overlap:
        how = "consistent with the bound"
    else:
        how = ", ".join(x for x in (how, str(tol) if agree else f"not {tol}", "beyond the bound" if bound else "") if x)
    reason = how + note
    return Verdict(a.id, b.id, verdict, _round(ratio), reason)


def _round(x: float | None) -> float | None:
    return None if x is None else float(f"{x:.4g}")


def evidence_groups(values: list[Value]) -> list[list[Value]]:
    """Values joined when they share a paper (transitively): each group is one independent piece of evidence."""
    parent = list(range(len(values)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            if shared_paper(values[i], values[j]) is not None:
                parent[find(i)] = find(j)
    groups: dict[int, list[Value]] = {}
    for i, v in enumerate(values):
        groups.setdefault(find(i), []).append(v)
    return list(groups.values())


# ---------------------------------------------------------------------------------------------- the comparison


def _resolve(graph: Graph, subject: str, metric: str) -> tuple[str, str]:
    subject_iri = resolve(graph, subject, kinds=SUBJECT_KINDS).iri
    try:
        metric_iri = resolve(graph, metric, kinds=["metric"]).iri
    except WrongKindError as exc:
        if exc.kind != "quantity kind":
            raise
        # "shear modulus" names a QUDT quantity kind; say which metrics are measured as one
        kind = resolve(graph, metric).iri
        rows = graph.select(
            "SELECT DISTINCT ?m ?kind WHERE { ?q sslmb:metric ?m ; qudt:hasQuantityKind ?kind }", kind=kind
        )
        names = sorted(graph.label(r["m"]) for r in rows)
        hint = f"; the metrics of that kind: {', '.join(repr(n) for n in names[:8])}" if names else ""
        raise KGError(f"{exc}{hint}") from None
    return subject_iri, metric_iri


def compare(graph: Graph, subject: str, metric: str) -> Comparison:
    """Compare the values of ``metric`` (a property such as "ionic conductivity") reported for ``subject`` (a
    material, or a family: then its members' values against the family's ranges), across every source.

    >>> import kg
    >>> c = compare(kg.load(), "LGPS", "ionic conductivity")
    >>> c.unit, [p.verdict for p in c.pairs if {p.a, p.b} == {"wang2020:LGPS_IonicConductivity", "obelix:1hh"}]
    ('S/cm', ['same evidence'])
    """
    from kg.model.sources import sources

    subject_iri, metric_iri = _resolve(graph, subject, metric)
    family_mode = graph.is_class(subject_iri)
    who = members(graph, subject_iri) if family_mode else [subject_iri]
    found = [(m, q) for m in who for q in scope.own_quantities(graph, m) if q.metric_iri == metric_iri]
    if not found:
        raise NoValues(
            f"no value of {graph.label(metric_iri)!r} is recorded for {graph.label(subject_iri)!r}"
            + (" or its members" if family_mode else "")
        )
    kinds = [q.kind for _, q in found]
    kind_iri = graph.value(found[0][1].iri, QUDT + "hasQuantityKind") if not found[0][1].iri.startswith("_:") else None
    target, symbol = target_unit(graph, kind_iri, [q.unit_iri for _, q in found if q.unit_iri])
    tol = TOLERANCES.get(kind_iri or "", DEFAULT_TOLERANCE)
    within = subject_iri if family_mode else None
    families = {m: family_of(graph, m, within) for m in {m for m, _ in found}}
    source_kinds = {s.key: s.kind for s in sources(graph)}
    values = [read_value(graph, q, m, target, symbol, families[m], source_kinds) for m, q in found]
    values = [v for v in values if v.value is not None or v.minimum is not None or v.maximum is not None]
    if not values:
        raise NoValues(
            f"no value of {graph.label(metric_iri)!r} for {graph.label(subject_iri)!r} converts to "
            f"{symbol or 'one unit'} ({len(found)} found, in units {sorted(set(map(str, kinds)))})"
        )
    values.sort(
        key=lambda v: (
            v.source_kind != "review",
            v.source,
            v.material_label,
            -(v.value if v.value is not None else v.interval[1]),
            v.id,
        )
    )
    pairs = [] if family_mode else [judge_pair(a, b, tol) for i, a in enumerate(values) for b in values[i + 1 :]]
    ranges, placements = place(graph, subject_iri, metric_iri, values, target, symbol)
    reviews = {key for key, kind in source_kinds.items() if kind == "review"}
    summary = _summary(values, pairs, placements, reviews, tol, symbol, family_mode)
    return Comparison(
        subject=subject_iri,
        subject_label=graph.label(subject_iri),
        mode="family" if family_mode else "material",
        metric=metric_iri,
        metric_label=graph.label(metric_iri),
        unit=symbol,
        tolerance=str(tol),
        values=tuple(values),
        pairs=tuple(pairs),
        ranges=tuple(ranges),
        placements=tuple(placements),
        summary=summary,
    )


def _summary(
    values: list[Value],
    pairs: list[Verdict],
    placements: list[Placement],
    reviews: set[str],
    tol: Tolerance,
    unit: str,
    family_mode: bool,
) -> Summary:
    groups = evidence_groups(values)
    sources = sorted({v.source for v in values})
    positions = {p: 0 for p in POSITIONS}
    for placement in placements:
        positions[placement.position] += 1
    head = (
        f"{len(values)} value(s) from {len(sources)} source(s) ({', '.join(sources)}), resting on "
        f"{len(groups)} independent paper(s)"
    )
    reference = next((v for v in values if v.source in reviews and v.value is not None), None)
    counts = {AGREE: 0, DISAGREE: 0, NOT_COMPARABLE: 0}
    same = 0
    if family_mode or reference is None:
        line = head + (
            "; " + ", ".join(f"{n} {p}" for p, n in positions.items() if n)
            if family_mode
            else "; the review gives no value to compare with"
        )
        return Summary(
            len(values), len(sources), len(groups), reference.id if reference else None, 0, 0, 0, 0, positions, line
        )
    verdicts = {frozenset((p.a, p.b)): p for p in pairs}
    for group in groups:
        if reference in group:
            same += len(group) - 1
            continue
        seen = {verdicts[frozenset((reference.id, v.id))].verdict for v in group}
        if AGREE in seen and DISAGREE not in seen:
            counts[AGREE] += 1
        elif DISAGREE in seen and AGREE not in seen:
            counts[DISAGREE] += 1
        elif seen == {NOT_COMPARABLE}:
            counts[NOT_COMPARABLE] += 1
        else:  # a paper whose values both agree and disagree: counted as not comparable rather than guessed
            counts[NOT_COMPARABLE] += 1
    others = len(groups) - 1
    ref_papers = reference.original or "no cited paper"
    line = (
        f"{head}; of the {others} independent of the review's {reference.shown} {unit} ({ref_papers}), "
        f"{counts[AGREE]} agree ({tol}), {counts[DISAGREE]} disagree, {counts[NOT_COMPARABLE]} not comparable; "
        f"{same} value(s) rest on the review's own paper (same evidence, not counted)"
    )
    return Summary(
        len(values),
        len(sources),
        len(groups),
        reference.id,
        counts[AGREE],
        counts[DISAGREE],
        counts[NOT_COMPARABLE],
        same,
        positions,
        line,
    )
