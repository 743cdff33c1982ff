"""The values a comparison is made of: one quantity value read as a :class:`Value` in the comparison unit, with its
temperature, phase, other conditions and the original papers it rests on (their DOIs), and the members of a
family whose values a family comparison reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.core.namespaces import BIBO, QUDT, SSLMB
from kg.model import quantity as qty
from kg.model import scope

if TYPE_CHECKING:
    from kg.core.graph import Graph

QK = "http://qudt.org/vocab/quantitykind/"
UNIT = "http://qudt.org/vocab/unit/"
ROOM_TEMPERATURE = (20.0, 30.0)  # °C: what "room temperature" stands for when compared with a number
# Units values are compared in, beyond those kg.model.quantity normalises to.
_MORE_UNITS = {
    QK + "Voltage": (UNIT + "V", "V"),
    QK + "ElectricPotential": (UNIT + "V", "V"),
    QK + "Temperature": (UNIT + "DEG_C", "°C"),
}


@dataclass(frozen=True)
class Paper:
    """An original publication a value rests on: the cited work, its DOI, its number in the review's list."""

    iri: str
    doi: str | None
    reference_number: int | None

    def __str__(self) -> str:
        if self.doi:
            return f"doi:{self.doi}"
        if self.reference_number is not None:
            return f"ref. {self.reference_number}"
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Value:
    """One reported value, in the comparison ``unit``: ``value`` for a number, ``minimum``/``maximum`` for a range
    or a bound (a bound leaves one side ``None``; ``qualifier`` says which: "less than"). ``id`` is
    ``source:row`` for a data set's row and ``source:name`` otherwise."""

    id: str
    iri: str
    material: str
    material_label: str
    family: str
    source: str
    source_kind: str
    location: str
    value: float | None
    minimum: float | None
    maximum: float | None
    unit: str
    qualifier: str | None
    as_given: str
    conditions: tuple[str, ...]
    temperature: str | None
    phase: str | None
    papers: tuple[Paper, ...]
    uncertain: bool
    temperature_range: tuple[float, float] | None = None  # °C; room temperature is 20 to 30
    other_conditions: tuple[tuple[str, str, float | None, str | None], ...] = ()  # (relation IRI, text, value, unit)

    __json_properties__ = ("original",)

    @property
    def original(self) -> str:
        """The papers, as the tables show them: DOIs, else the source's reference numbers."""
        return ", ".join(str(p) for p in self.papers)

    @property
    def interval(self) -> tuple[float, float]:
        """The value as an interval (a bound is open on one side)."""
        if self.value is not None:
            return self.value, self.value
        return (
            self.minimum if self.minimum is not None else 0.0,
            self.maximum if self.maximum is not None else float("inf"),
        )

    @property
    def shown(self) -> str:
        if self.value is not None:
            amount = f"{self.value:.3g}"
        elif self.minimum is not None and self.maximum is not None:
            amount = f"{self.minimum:.3g} to {self.maximum:.3g}"
        else:
            amount = f"{self.maximum if self.maximum is not None else self.minimum:.3g}"
        return f"{self.qualifier + ' ' if self.qualifier else ''}{amount}"


def _si(graph: Graph, value: float, unit: str) -> float | None:
    """``value`` in SI by QUDT: (value + offset) x multiplier."""
    mult = graph.value(unit, QUDT + "conversionMultiplier")
    if mult is None:
        return None
    offset = graph.value(unit, QUDT + "conversionOffset") or 0.0
    return (value + float(offset)) * float(mult)


def convert(graph: Graph, value: float | None, unit: str | None, target: str) -> float | None:
    if value is None or unit is None:
        return None
    if unit == target:
        return value
    a, b = _si(graph, value, unit), _si(graph, 0.0, target)
    mult = graph.value(target, QUDT + "conversionMultiplier")
    if a is None or b is None or not mult:
        return None
    return float(f"{a / float(mult) - b / float(mult):.12g}")


def target_unit(graph: Graph, kind: str | None, units: list[str]) -> tuple[str, str]:
    """The unit values of ``kind`` are compared in: the conventional one, else the one most values have."""
    if kind in qty.NORMAL_UNITS:
        return qty.NORMAL_UNITS[kind]
    if kind in _MORE_UNITS:
        return _MORE_UNITS[kind]
    common = max(sorted(set(units)), key=units.count) if units else ""
    return common, qty._symbol(graph, common) or "" if common else ""


def phase_key(symbol: str) -> str:
    """A space-group symbol compared without spaces and without the ICSD suffix for the origin choice or axes
    (``P42/nmcZ`` is P42/nmc in origin choice 2; ``S``, ``H``, ``R`` likewise name a setting, not a phase)."""
    text = "".join(symbol.split())
    return text[:-1] if len(text) > 2 and text[-1] in "SZHR" and not text[-2].isspace() else text


def _papers(graph: Graph, q: qty.Quantity) -> tuple[Paper, ...]:
    out = []
    for ref in q.evidence.references:
        doi = graph.value(ref.iri, BIBO + "doi")
        out.append(Paper(ref.iri, str(doi).strip() if doi else None, ref.number))
    return tuple(out)


def _temperature(graph: Graph, q: qty.Quantity) -> tuple[str | None, tuple[float, float] | None]:
    for c in q.conditions:
        if c.relation_iri == qty.UNDER_CONDITION and c.text and c.text.lower() == "room temperature":
            return "room temperature", ROOM_TEMPERATURE
    for c in q.conditions:
        if c.relation_iri == SSLMB + "atTemperature":
            unit = UNIT + "DEG_C" if c.unit in ("°C", "degC") else UNIT + "K" if c.unit == "K" else None
            lo = c.value if c.value is not None else c.minimum
            hi = c.value if c.value is not None else c.maximum
            if unit and lo is not None and hi is not None:
                lo_c, hi_c = convert(graph, lo, unit, UNIT + "DEG_C"), convert(graph, hi, unit, UNIT + "DEG_C")
                if lo_c is not None and hi_c is not None:
                    return str(c).removeprefix("at "), (lo_c, hi_c)
            return str(c).removeprefix("at "), None
    return None, None


def where_in(location: Any) -> str:
    """A review part as tables show it: "§1", "Table 1"."""
    number = location.number or location.label
    return f"§{number}" if number[:1].isdigit() else number


def family_of(graph: Graph, member: str, within: str | None = None) -> str:
    """The label of the most specific family of ``member`` (inside ``within``, when given), looking through what it
    is a variant of when its own types say nothing narrower."""
    todo, seen, best = [member], {member}, ""
    depth = -1
    while todo:
        item = todo.pop(0)
        for cls in graph.types(item):
            line = graph.ancestors(cls)
            if (within is None or within in line) and len(line) > depth:
                best, depth = graph.label(cls), len(line)
        for base in graph.objects(item, SSLMB + "variantOf"):
            if isinstance(base, ox.NamedNode) and base.value not in seen:
                seen.add(base.value)
                todo.append(base.value)
    return best or graph.label(within or member)


def read_value(
    graph: Graph, q: qty.Quantity, material: str, target: str, symbol: str, family: str = "", kinds: dict | None = None
) -> Value:
    """One quantity value as a :class:`Value` in the unit ``target``."""
    source = q.evidence.source_keys[0] if q.evidence.sources else "?"
    row = graph.value(q.iri, SSLMB + "atRow") if not q.iri.startswith("_:") else None
    location = f"row {row}" if row else "; ".join(where_in(x) for x in q.evidence.locations)
    ident = f"{source}:{row}" if row else f"{source}:{q.iri.rsplit('/', 1)[-1]}"
    temperature, t_range = _temperature(graph, q)
    phase = next((c.text for c in q.conditions if c.relation_iri == qty.SPACE_GROUP and c.text), None)
    other = tuple(
        (c.relation_iri or c.relation, c.text or "", c.value, c.unit)
        for c in q.conditions
        if c.relation_iri not in (qty.SPACE_GROUP, SSLMB + "atTemperature")
        and not (c.relation_iri == qty.UNDER_CONDITION and (c.text or "").lower() == "room temperature")
    )
    value, low, high = (convert(graph, x, q.unit_iri, target) for x in (q.value, q.minimum, q.maximum))
    if q.value is not None and q.qualifier in scope._BELOW + scope._AT_MOST and q.qualifier != "as low as":
        value, high = None, value  # "less than 1e-10": a bound, not a value
    elif q.value is not None and q.qualifier in scope._ABOVE + scope._AT_LEAST and q.qualifier != "as high as":
        value, low = None, value
    return Value(
        id=ident,
        iri=q.iri,
        material=material,
        material_label=graph.label(material),
        family=family,
        source=source,
        source_kind=(kinds or {}).get(source, "source"),
        location=location,
        value=value,
        minimum=low,
        maximum=high,
        unit=symbol,
        qualifier=q.qualifier if value is None else None,
        as_given=q.printed_as or str(q).split(" (")[0],
        conditions=tuple(str(c) for c in q.conditions),
        temperature=temperature,
        phase=phase.strip() if phase else None,
        papers=_papers(graph, q),
        uncertain=q.uncertain,
        temperature_range=t_range,
        other_conditions=other,
    )


def members(graph: Graph, family: str) -> list[str]:
    """The members of a family: individuals of it or of a subclass, and the variants of those (``variantOf``)."""
    rows = graph.select(
        """SELECT DISTINCT ?m ?family WHERE {
             { ?m a ?c . ?c rdfs:subClassOf* ?family }
             UNION { ?m sslmb:variantOf+ ?base . ?base a ?c . ?c rdfs:subClassOf* ?family }
             FILTER NOT EXISTS { ?m a owl:Class }
           }""",
        family=family,
    )
    return sorted(r["m"] for r in rows)
