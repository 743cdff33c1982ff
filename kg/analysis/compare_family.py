"""Where values fall against the ranges stated for their families (Table 1 of the review): each material takes
the nearest range that reaches it by :mod:`kg.model.scope` (a range said of some members, or of a group as a
whole, or with the material as a known exception, does not), or none; its values are then inside, below or above."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.analysis.compare_values import convert, where_in
from kg.core.namespaces import SSLMB
from kg.model import quantity as qty
from kg.model import scope

if TYPE_CHECKING:
    from kg.analysis.compare_values import Value
    from kg.core.graph import Graph

INSIDE, BELOW, ABOVE, UNDETERMINED, NOT_COVERED = "inside", "below", "above", "undetermined", "not covered"
POSITIONS = (INSIDE, BELOW, ABOVE, UNDETERMINED, NOT_COVERED)


@dataclass(frozen=True)
class Range:
    """A range stated for a family (a Table 1 row), in the comparison unit, and who stated it where."""

    id: str
    iri: str
    family: str
    family_label: str
    minimum: float | None
    maximum: float | None
    unit: str
    printed_as: str | None
    source: str
    location: str
    uncertain: bool

    def __str__(self) -> str:
        low = "" if self.minimum is None else f"{self.minimum:g}"
        high = "" if self.maximum is None else f"{self.maximum:g}"
        return f"{low} to {high} {self.unit}".strip()


@dataclass(frozen=True)
class Placement:
    """Where a value falls against the range that applies to its material: ``position`` is inside, below, above,
    undetermined (a bound that straddles an end) or not covered (no range reaches the material; ``reason`` says
    why, such as a known exception); ``range`` is the range's id; ``factor`` how far outside it lies."""

    value: str
    position: str
    range: str | None
    factor: float | None
    reason: str


def chain(graph: Graph, member: str) -> list[str]:
    """The member, then its families nearest first, then those of what it is a variant of (``variantOf``)."""
    out = scope.lineage(graph, member)
    todo = [member]
    seen = {member}
    while todo:
        for base in graph.objects(todo.pop(0), SSLMB + "variantOf"):
            if isinstance(base, ox.NamedNode) and base.value not in seen:
                seen.add(base.value)
                todo.append(base.value)
                out += [x for x in scope.lineage(graph, base.value) if x not in out]
    return out


def _range_of(graph: Graph, statement: scope.Statement, metric: str) -> qty.Quantity | None:
    if statement.relation != qty.HAS_QUANTITY:
        return None
    q = qty.read(graph, ox.NamedNode(statement.other))
    if q.metric_iri != metric or q.unit_iri is None:
        return None
    if q.minimum is None and q.maximum is None:
        if q.value is None or q.qualifier not in scope._BELOW + scope._AT_MOST + scope._ABOVE + scope._AT_LEAST:
            return None
    return q


def _as_range(graph: Graph, family: str, q: qty.Quantity, target: str, symbol: str) -> Range:
    low, high = q.minimum, q.maximum
    if low is None and high is None and q.value is not None:
        if q.qualifier in scope._BELOW + scope._AT_MOST:
            high = q.value
        else:
            low = q.value
    return Range(
        id=q.iri.rsplit("/", 1)[-1],
        iri=q.iri,
        family=family,
        family_label=graph.label(family),
        minimum=convert(graph, low, q.unit_iri, target),
        maximum=convert(graph, high, q.unit_iri, target),
        unit=symbol,
        printed_as=q.printed_as,
        source=", ".join(q.evidence.source_keys) or "?",
        location="; ".join(where_in(x) for x in q.evidence.locations),
        uncertain=q.uncertain,
    )


def nearest(
    graph: Graph, member: str, metric: str
) -> tuple[list[tuple[scope.Statement, qty.Quantity]], scope.Inheritance | None]:
    """The range statements along the member's chain (nearest family first) and the verdict that decides: the
    first statement that reaches the member (its own data contradicting a range still leaves it the member's
    range: that is what an outlier is), else the most telling of those that do not."""
    links = chain(graph, member)
    found: list[tuple[scope.Statement, qty.Quantity]] = []
    refused: list[scope.Inheritance] = []
    for family in links[1:] if not graph.is_class(member) else links:
        for statement in scope.statements_of(graph, family):
            q = _range_of(graph, statement, metric)
            if q is None:
                continue
            found.append((statement, q))
            if statement.family == member and statement.scope != scope.TYPICAL:
                # a range the source scoped (said of some members, or of a group of families together) is not the
                # family's own typical range either
                why = scope.SOME_MEMBERS if statement.scope == scope.SOME else scope.GROUP_ONLY
                refused.append(scope.Inheritance(statement, False, why, statement.scope_as_printed or ""))
                continue
            verdict = scope.judge(graph, member, statement, links[1:])
            if verdict.applies or verdict.reason == scope.CONTRADICTED:
                return found, scope.Inheritance(statement, True)
            refused.append(verdict)
    # the most telling reason first: the member named as an exception says more than a group statement
    order = (scope.EXCEPTION, scope.SUPERSEDED, scope.SOME_MEMBERS, scope.GROUP_ONLY)
    refused.sort(key=lambda v: order.index(v.reason) if v.reason in order else len(order))
    return found, refused[0] if refused else None


def place(
    graph: Graph, subject: str, metric: str, values: list[Value], target: str, symbol: str
) -> tuple[list[Range], list[Placement]]:
    """The ranges that apply (to the subject and to each value's material) and where each value falls."""
    ranges: dict[str, Range] = {}
    decided: dict[str, tuple[Range | None, str]] = {}

    def decide(material: str) -> tuple[Range | None, str]:
        if material not in decided:
            _, verdict = nearest(graph, material, metric)
            if verdict is None:
                decided[material] = (None, "no range of this property is stated for its families")
            elif verdict.applies:
                st = verdict.statement
                r = _as_range(graph, st.family, qty.read(graph, ox.NamedNode(st.other)), target, symbol)
                ranges.setdefault(r.id, r)
                decided[material] = (r, "")
            else:
                st = verdict.statement
                why = verdict.reason + (f" ({verdict.detail})" if verdict.detail else "")
                decided[material] = (
                    None,
                    f"the {graph.label(st.family)} range ({_said(graph, st)}) does not reach it: {why}",
                )
        return decided[material]

    decide(subject)  # the subject's own range first, even when no value falls under it
    placements = []
    for v in values:
        r, why = decide(v.material)
        if r is None:
            placements.append(Placement(v.id, NOT_COVERED, None, None, why))
            continue
        lo, hi = v.interval
        r_lo = r.minimum if r.minimum is not None else 0.0
        r_hi = r.maximum if r.maximum is not None else float("inf")
        if r_lo <= lo and hi <= r_hi:
            placements.append(Placement(v.id, INSIDE, r.id, None, f"within {r}"))
        elif hi < r_lo:
            factor = r_lo / hi if hi > 0 else None
            how = f" by a factor of {'at least ' if v.value is None else ''}{factor:.3g}" if factor else ""
            placements.append(Placement(v.id, BELOW, r.id, _round(factor), f"below {r}{how}"))
        elif lo > r_hi:
            factor = lo / r_hi if r_hi > 0 else None
            how = f" by a factor of {'at least ' if v.value is None else ''}{factor:.3g}" if factor else ""
            placements.append(Placement(v.id, ABOVE, r.id, _round(factor), f"above {r}{how}"))
        else:
            placements.append(Placement(v.id, UNDETERMINED, r.id, None, f"the bound {v.shown} straddles {r}"))
    return list(ranges.values()), placements


def _said(graph: Graph, statement: scope.Statement) -> str:
    q = qty.read(graph, ox.NamedNode(statement.other))
    where = "; ".join(where_in(x) for x in q.evidence.locations)
    return ", ".join(x for x in (", ".join(q.evidence.source_keys), where) if x)


def _round(x: float | None) -> float | None:
    return None if x is None else float(f"{x:.4g}")
