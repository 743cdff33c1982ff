"""Reported numbers as QUDT quantity values: the metric, the unit the curator wrote (read against the graph's own
units), the value, range or bound, and the conditions of the measurement (:class:`Numbers`, a part of the emitter
of :mod:`kg.ingest.convert.emit`)."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from kg.core.errors import echo
from kg.core.namespaces import DCTERMS, OWL, QUDT, RDF, RDFS, SCHEMA, SSLMB, XSD
from kg.ingest import units as un
from kg.ingest.convert.names import USES, new_iri

# condition name -> (property, the quantity kind its unit must measure, the unit when none is written)
CONDITIONS = {
    "temperature": ("atTemperature", "http://qudt.org/vocab/quantitykind/Temperature", None),
    "current_density": ("atCurrentDensity", "http://qudt.org/vocab/quantitykind/ElectricCurrentDensity", None),
    "areal_capacity": ("atArealCapacity", SSLMB + "ArealCapacity", None),
    "duration": ("overDuration", "http://qudt.org/vocab/quantitykind/Time", None),
    "cycles": ("afterCycles", "http://qudt.org/vocab/quantitykind/Count", "#"),
    "c_rate": ("atCRate", SSLMB + "CRate", "C"),
    "pressure": ("atPressure", "http://qudt.org/vocab/quantitykind/Pressure", None),
    "voltage": ("atVoltage", "http://qudt.org/vocab/quantitykind/Voltage", None),
}


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: Any, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype:
        return ox.Literal(str(value), datatype=_n(datatype))
    return ox.Literal(str(value))


def _num(value: float) -> ox.Literal:
    return ox.Literal(repr(float(value)), datatype=_n(XSD + "double"))


def shorten_kind(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


class Numbers:
    """The measurements and outcomes of a source; mixed into the emitter, whose ``add``, ``evidence``, ``scope``,
    ``blank``, ``names``, ``graph``, ``source``, ``metric_kinds``, ``places`` and ``problems`` it uses."""

    graph: Any
    source: Any
    names: Any
    key: str
    metric_kinds: dict[str, set[str]]
    places: dict[str, str]
    problems: list[str]
    add: Any
    evidence: Any
    scope: Any
    blank: Any

    def quantity(self, iri: str, item: dict[str, Any], label: str, path: tuple) -> None:
        node = _n(iri)
        where = self.source.where(path)
        self.places[iri] = where
        self.add(node, RDF + "type", _n(OWL + "NamedIndividual"))
        self.add(node, RDF + "type", _n(QUDT + "QuantityValue"))
        self.add(node, RDFS + "label", _lit(label, lang="en"))
        metric = self.names.iri(str(item["property"]), ("metric",))
        self.add(node, SSLMB + "metric", _n(metric))
        unit = un.find_unit(self.graph, str(item["unit"]))
        unit_at = self.source.where((*path, "unit"))
        if unit is None:
            self.problems.append(
                f"{unit_at}: unknown unit {echo(item['unit'])}; "
                f"the graph knows: {', '.join(un.known_symbols(self.graph))}"
            )
            return
        kinds = set(unit.kinds)
        known = self.metric_kinds.get(metric, set())
        kind = sorted(kinds & known) or sorted(kinds)
        if known and not kinds & known:
            self.problems.append(
                f"{unit_at}: {echo(item['unit'])} does not measure {echo(item['property'])} "
                f"(its numbers are in units of {', '.join(sorted(shorten_kind(k) for k in known))})"
            )
            return
        if not kind:
            self.problems.append(f"{unit_at}: the unit {echo(item['unit'])} has no quantity kind in the graph")
            return
        self.add(node, QUDT + "hasUnit", _n(unit.iri))
        self.add(node, QUDT + "hasQuantityKind", _n(kind[0]))
        values = {k: un.number(item[k]) for k in ("value", "min", "max") if k in item}
        for k, v in values.items():
            if v is None:
                self.problems.append(f"{self.source.where((*path, k))}: {echo(item[k])} is not a (finite) number")
                return
        qualifier = item.get("qualifier")
        if "value" not in values and len(values) == 1:
            # a bound ("<1E-10") is one number with its qualifier, as the graph writes "less than 0.5"
            ((end, bound),) = values.items()
            values = {"value": bound}
            qualifier = qualifier or ("up to" if end == "max" else "at least")
        for k, prop in (("value", QUDT + "value"), ("min", SCHEMA + "minValue"), ("max", SCHEMA + "maxValue")):
            if values.get(k) is not None:
                self.add(node, prop, _num(values[k]))  # type: ignore[arg-type]
        if qualifier:
            self.add(node, SSLMB + "qualifier", _lit(qualifier))
        # the number as the source writes it: given, or as the curator typed it
        unit_text = "" if str(item["unit"]).strip() in ("", "1") else f" {item['unit']}"
        printed = (
            item.get("printed") or " to ".join(str(item[k]) for k in ("value", "min", "max") if k in item) + unit_text
        )
        self.add(node, SSLMB + "printedAs", _lit(printed.strip()))
        if item.get("space_group"):
            self.add(node, SSLMB + "spaceGroup", _lit(item["space_group"]))
        for name, code in sorted((item.get("identifiers") or {}).items()):
            self.add(node, DCTERMS + "identifier", _lit(f"{name}:{code}"))
        self.conditions(node, item.get("conditions") or {}, (*path, "conditions"))
        self.evidence(node, item)
        self.scope(node, item, ("measurements",))

    def conditions(self, node: ox.NamedNode, conditions: dict[str, Any], path: tuple) -> None:
        for name, value in sorted(conditions.items()):
            where = self.source.where((*path, name))
            if name == "atmosphere":
                self.add(node, SSLMB + "atmosphere", _lit(value))
                continue
            prop, kind, default_unit = CONDITIONS[name]
            amount = un.amount(value)
            if amount is None:
                self.problems.append(f"{where}: {echo(value)} is not a value with a unit (e.g. '25 °C')")
                continue
            if amount.regime is not None:
                if name != "temperature":
                    self.problems.append(f"{where}: {echo(value)} is a temperature, not a {name.replace('_', ' ')}")
                    continue
                self.add(node, SSLMB + "underCondition", _n(amount.regime))
                continue
            unit = un.find_unit(self.graph, amount.unit or default_unit or "", kind)
            if not amount.unit and not default_unit:
                self.problems.append(
                    f"{where}: {echo(value)} has no unit; write it with one (e.g. '25 °C', '0.5 mA/cm2')"
                )
                continue
            if unit is None or kind not in unit.kinds:
                self.problems.append(
                    f"{where}: {echo(value)}: no unit of {name.replace('_', ' ')} is written "
                    f"{echo(amount.unit)} (known: {', '.join(un.known_symbols(self.graph))})"
                )
                continue
            cond = self.blank("condition", node.value, name)
            self.add(node, SSLMB + prop, cond)
            self.add(cond, RDF + "type", _n(QUDT + "QuantityValue"))
            self.add(cond, QUDT + "hasUnit", _n(unit.iri))
            self.add(cond, QUDT + "hasQuantityKind", _n(kind))
            for v, p in (
                (amount.value, QUDT + "value"),
                (amount.minimum, SCHEMA + "minValue"),
                (amount.maximum, SCHEMA + "maxValue"),
            ):
                if v is not None:
                    self.add(cond, p, _num(v))
            if amount.qualifier:
                self.add(cond, SSLMB + "qualifier", _lit(amount.qualifier))

    def measurements(self) -> None:
        for i, item in enumerate(self.source.data.get("measurements", [])):
            if "of" not in item:
                self.problems.append(f"{self.source.where(('measurements', i))}: a measurement says what it is 'of'")
                continue
            owner = self.names.iri(str(item["of"]), USES[("measurements", "of")])
            iri = new_iri(self.key, item.get("id") or f"m{i + 1}")
            holder = self.graph.label(owner) if owner not in self.names.created else self.names.created[owner][1]
            label = item.get("label") or f"{holder} {item['property']} ({self.key} {item.get('id') or i + 1})"
            self.add(_n(owner), SSLMB + "hasQuantity", _n(iri))
            self.quantity(iri, item, label, ("measurements", i))
