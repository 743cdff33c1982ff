"""Reported numbers (QUDT quantity values) with their units, conditions and evidence, and unit conversion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core.namespaces import QUDT, RDFS, SCHEMA, SKOS, SSLMB
from kg.model import evidence as ev

if TYPE_CHECKING:
    from kg.core.graph import Graph

HAS_QUANTITY = SSLMB + "hasQuantity"
HAS_OUTCOME = SSLMB + "hasOutcome"
CONDITION_PROPERTIES = (
    SSLMB + "atTemperature",
    SSLMB + "atCurrentDensity",
    SSLMB + "atArealCapacity",
    SSLMB + "atCRate",
    SSLMB + "atPressure",
    SSLMB + "atVoltage",
    SSLMB + "afterCycles",
    SSLMB + "overDuration",
    SSLMB + "hasCondition",
)
# Conditions stated without a number: a named state (room temperature), an atmosphere, the phase measured.
UNDER_CONDITION = SSLMB + "underCondition"
ATMOSPHERE = SSLMB + "atmosphere"
SPACE_GROUP = SSLMB + "spaceGroup"


# How a condition reads in a sentence: "at 25 °C", "over 200 h", "after 60 cycles" (by the condition property).
_CONDITION_PHRASES = {
    SSLMB + "atTemperature": "at {}",
    SSLMB + "atCurrentDensity": "at {}",
    SSLMB + "atArealCapacity": "at {}",
    SSLMB + "atCRate": "at {}",
    SSLMB + "atPressure": "under {}",
    SSLMB + "atVoltage": "at {}",
    SSLMB + "afterCycles": "after {} cycles",
    SSLMB + "overDuration": "over {}",
    SSLMB + "underCondition": "at {}",
    SSLMB + "atmosphere": "in {}",
    SSLMB + "spaceGroup": "phase {}",
}


@dataclass(frozen=True)
class Condition:
    """A condition of a measurement; ``str()`` reads as a phrase: ``at 25 °C``, ``over 200 h``, ``after 60 cycles``."""

    relation: str
    value: float | None
    minimum: float | None
    maximum: float | None
    unit: str | None
    kind: str | None
    relation_iri: str | None = None

    text: str | None = None  # a condition stated without a number: "room temperature", "argon", "P42/nmc"

    def __str__(self) -> str:
        amount = self.text or f"{_amount(self.value, self.minimum, self.maximum)} {_shown(self.unit)}".strip()
        phrase = _CONDITION_PHRASES.get(self.relation_iri or "")
        return phrase.format(amount) if phrase else f"{self.relation} {amount}"


@dataclass(frozen=True)
class Quantity:
    """A number the review reports, as stored: value (or range), unit, kind, metric, conditions, evidence.

    ``normalized`` gives the value in the conventional unit of its kind where one is defined (S/cm for
    conductivity), so that values printed in different units compare directly. ``str()`` gives the amount with
    its conditions; :attr:`described` puts the metric in front ("overpotential as low as 12 mV (over 200 h)"), as
    every listing of outcomes shows them. For a number stated of a family, ``scope`` names how far it reaches
    when that is not "typical of members", and ``exceptions`` the members the source excepts.
    """

    iri: str
    label: str
    metric: str | None
    kind: str | None
    value: float | None
    minimum: float | None
    maximum: float | None
    unit: str | None
    unit_iri: str | None
    qualifier: str | None
    printed_as: str | None
    conditions: tuple[Condition, ...]
    normalized: dict[str, float | str] | None
    evidence: ev.Evidence
    uncertain: bool
    note: str | None
    scope: str | None = None
    scope_as_printed: str | None = None
    exceptions: tuple[str, ...] = ()
    metric_iri: str | None = None

    def __str__(self) -> str:
        if self.printed_as and ":" in self.printed_as and self.value is not None and _shown(self.unit) == "":
            amount = self.printed_as  # a ratio reads as printed: 3:1
        else:
            amount = _amount(self.value, self.minimum, self.maximum)
        head = f"{self.qualifier + ' ' if self.qualifier else ''}{amount} {_shown(self.unit)}".strip()
        conditions = ", ".join(str(c) for c in self.conditions)
        return f"{head} ({conditions})" if conditions else head

    @property
    def described(self) -> str:
        """The number with what it measures: ``overpotential as low as 12 mV (over 200 h)``."""
        return f"{self.metric or self.label} {self}".strip()


def _shown(unit: str | None) -> str:
    """The unit symbol as text shows it: none for pure numbers and counts."""
    return "" if unit in (None, "1", "#") else str(unit)


def _amount(value: float | None, minimum: float | None, maximum: float | None) -> str:
    if value is not None:
        return f"{value:g}"
    if minimum is not None or maximum is not None:
        return f"{minimum:g} to {maximum:g}" if minimum is not None and maximum is not None else "?"
    return "?"


# The unit each quantity kind is normalised to: (kind IRI) -> (unit IRI, symbol).
NORMAL_UNITS = {
    "http://qudt.org/vocab/quantitykind/ElectricConductivity": (
        "http://qudt.org/vocab/unit/S-PER-CentiM",
        "S/cm",
    ),
    "http://qudt.org/vocab/quantitykind/ShearModulus": ("http://qudt.org/vocab/unit/GigaPA", "GPa"),
    "http://qudt.org/vocab/quantitykind/Time": ("http://qudt.org/vocab/unit/HR", "h"),
    "http://qudt.org/vocab/quantitykind/ElectricCurrentDensity": (SSLMB + "MilliA-PER-CentiM2", "mA/cm²"),
}


def _multiplier(graph: Graph, unit: str) -> float | None:
    value = graph.value(unit, QUDT + "conversionMultiplier")
    return float(value) if value is not None else None


def convert(graph: Graph, value: float, unit: str, target: str) -> float | None:
    """Convert ``value`` from ``unit`` to ``target`` with QUDT conversion multipliers (no offsets).

    >>> import kg
    >>> convert(kg.load(), 0.22, "http://qudt.org/vocab/unit/MilliS-PER-CentiM",
    ...         "http://qudt.org/vocab/unit/S-PER-CentiM")
    0.00022
    """
    a, b = _multiplier(graph, unit), _multiplier(graph, target)
    if a is None or b is None or b == 0:
        return None
    return float(f"{value * a / b:.12g}")


def _num(facts: ev.Facts, predicate: str) -> float | None:
    for obj, _ in facts.get(predicate, ()):
        if not isinstance(obj, ox.Literal):
            return None
        try:
            return float(obj.value)
        except ValueError:
            return None
    return None


def _one(facts: ev.Facts, predicate: str) -> ox.NamedNode | ox.Literal | None:
    for obj, _ in facts.get(predicate, ()):
        return obj  # type: ignore[return-value]
    return None


def _symbol(graph: Graph, unit: str | None) -> str | None:
    if unit is None:
        return None
    kept: dict[str, str] = graph.memo("unit_symbols", lambda g: {})
    if unit not in kept:
        symbol = graph.value(unit, QUDT + "symbol")
        kept[unit] = str(symbol) if symbol is not None else graph.label(unit)
    return kept[unit]


# What a quantity value node and a condition node are read for (the evidence predicates come with the former).
QUANTITY_PREDICATES = (
    QUDT + "hasUnit", QUDT + "hasQuantityKind", SSLMB + "metric", QUDT + "value", SCHEMA + "minValue",
    SCHEMA + "maxValue", *CONDITION_PROPERTIES, UNDER_CONDITION, ATMOSPHERE, SPACE_GROUP, SSLMB + "printedAs",
    SSLMB + "qualifier", SSLMB + "uncertainReading", SKOS + "editorialNote", RDFS + "label",
    SSLMB + "statementScope", SSLMB + "scopeAsPrinted", SSLMB + "knownException", *sorted(ev.EVIDENCE_PREDICATES),
)
CONDITION_NODE_PREDICATES = (QUDT + "hasUnit", QUDT + "hasQuantityKind", QUDT + "value", SCHEMA + "minValue",
                             SCHEMA + "maxValue")


def read(graph: Graph, node: ox.NamedNode | ox.BlankNode) -> Quantity:
    """Read one quantity value node."""
    facts = ev.facts_of(graph, node)
    conditions = {
        obj: ev.facts_of(graph, obj)
        for predicate in CONDITION_PROPERTIES
        for obj, _ in facts.get(predicate, ())
        if isinstance(obj, (ox.NamedNode, ox.BlankNode))
    }
    return _build(graph, node, facts, conditions)


def _build(
    graph: Graph,
    node: ox.NamedNode | ox.BlankNode,
    facts: ev.Facts,
    condition_facts: dict[ox.NamedNode | ox.BlankNode, ev.Facts],
) -> Quantity:
    """A quantity from what its node states (``facts``) and what its condition nodes state."""
    unit_term = _one(facts, QUDT + "hasUnit")
    kind_term = _one(facts, QUDT + "hasQuantityKind")
    metric_term = _one(facts, SSLMB + "metric")
    unit = unit_term.value if isinstance(unit_term, ox.NamedNode) else None
    kind = kind_term.value if isinstance(kind_term, ox.NamedNode) else None
    value, minimum, maximum = (
        _num(facts, QUDT + "value"),
        _num(facts, SCHEMA + "minValue"),
        _num(facts, SCHEMA + "maxValue"),
    )
    conditions = []
    for predicate in CONDITION_PROPERTIES:
        for cond, _ in facts.get(predicate, ()):
            if isinstance(cond, (ox.NamedNode, ox.BlankNode)):
                held = condition_facts.get(cond, {})
                cunit = _one(held, QUDT + "hasUnit")
                ckind = _one(held, QUDT + "hasQuantityKind")
                conditions.append(
                    Condition(
                        graph.label(predicate),
                        _num(held, QUDT + "value"),
                        _num(held, SCHEMA + "minValue"),
                        _num(held, SCHEMA + "maxValue"),
                        _symbol(graph, cunit.value if isinstance(cunit, ox.NamedNode) else None),
                        graph.label(ckind.value) if isinstance(ckind, ox.NamedNode) else None,
                        predicate,
                    )
                )
    for obj, _ in facts.get(UNDER_CONDITION, ()):
        if isinstance(obj, ox.NamedNode):
            conditions.append(Condition(graph.label(UNDER_CONDITION), None, None, None, None, None, UNDER_CONDITION,
                                        graph.label(obj.value)))
    for predicate in (ATMOSPHERE, SPACE_GROUP):
        for obj, _ in facts.get(predicate, ()):
            if isinstance(obj, ox.Literal):
                conditions.append(Condition(graph.label(predicate), None, None, None, None, None, predicate,
                                            obj.value))
    normalized = None
    if unit and kind in NORMAL_UNITS:
        target, symbol = NORMAL_UNITS[kind]
        norm: dict[str, float | str] = {"unit": symbol}
        for key, number in (("value", value), ("minimum", minimum), ("maximum", maximum)):
            if number is not None:
                converted = convert(graph, number, unit, target)
                if converted is not None:
                    norm[key] = converted
        normalized = norm if len(norm) > 1 else None
    iri = node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"
    printed = _one(facts, SSLMB + "printedAs")
    qualifier = _one(facts, SSLMB + "qualifier")
    uncertain = _one(facts, SSLMB + "uncertainReading")
    note = _one(facts, SKOS + "editorialNote")
    label = _one(facts, RDFS + "label")
    scope = _one(facts, SSLMB + "statementScope")
    scope_printed = _one(facts, SSLMB + "scopeAsPrinted")
    exceptions = sorted(
        graph.label(obj.value) for obj, _ in facts.get(SSLMB + "knownException", ()) if isinstance(obj, ox.NamedNode)
    )
    return Quantity(
        iri=iri,
        label=label.value if label is not None else "",
        metric=graph.label(metric_term.value) if isinstance(metric_term, ox.NamedNode) else None,
        kind=graph.label(kind) if kind else None,
        value=value,
        minimum=minimum,
        maximum=maximum,
        unit=_symbol(graph, unit),
        unit_iri=unit,
        qualifier=qualifier.value if qualifier is not None else None,
        printed_as=printed.value if printed is not None else None,
        conditions=tuple(sorted(conditions, key=lambda c: c.relation)),
        normalized=normalized,
        evidence=ev.of_facts(graph, facts),
        uncertain=uncertain is not None and uncertain.value in ("true", "1"),
        note=note.value if note is not None else None,
        scope=graph.label(scope.value) if isinstance(scope, ox.NamedNode) and scope.value != SSLMB + "TypicalOfMembers"
        else None,
        scope_as_printed=scope_printed.value if scope_printed is not None else None,
        exceptions=tuple(exceptions),
        metric_iri=metric_term.value if isinstance(metric_term, ox.NamedNode) else None,
    )


def of(graph: Graph, iri: str) -> list[Quantity]:
    """The quantities attached to an entity with ``sslmb:hasQuantity`` or ``sslmb:hasOutcome``."""
    out = []
    seen = set()
    for predicate in (HAS_QUANTITY, HAS_OUTCOME):
        for quad in graph.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(predicate), None):
            node = quad.object
            if isinstance(node, (ox.NamedNode, ox.BlankNode)) and node not in seen:
                seen.add(node)
                out.append(read(graph, node))
    out.sort(key=_order)
    return out


def _order(quantity: Quantity) -> tuple[str, str, str]:
    """How an entity's quantities are listed: by metric, then label."""
    return quantity.metric or "", quantity.label, quantity.iri


def of_many(graph: Graph, iris: list[str]) -> dict[str, list[Quantity]]:
    """The quantities of each of ``iris``, as :func:`of` gives them, read for all of them in a few queries (one
    for the value nodes, one for their condition nodes, per 500 entities) instead of a few dozen patterns per
    number; a remote store (no index to ask) reads entity by entity."""
    kept: dict[str, list[Quantity]] = graph.memo("quantities_read", lambda g: {})  # for the next call
    wanted = [iri for iri in dict.fromkeys(iris) if iri not in kept]
    if not getattr(graph, "_indexed", True):
        kept.update((iri, of(graph, iri)) for iri in wanted)
    elif wanted:
        values = (HAS_QUANTITY, HAS_OUTCOME)
        nodes, facts = ev.facts_of_many(graph, wanted, list(QUANTITY_PREDICATES), via=(values,))
        _, conditions = ev.facts_of_many(
            graph, wanted, list(CONDITION_NODE_PREDICATES), via=(values, CONDITION_PROPERTIES)
        )
        for iri in wanted:
            found = [_build(graph, node, facts[node], conditions) for node in nodes[iri]]
            found.sort(key=_order)
            kept[iri] = found
    return {iri: list(kept[iri]) for iri in iris}
