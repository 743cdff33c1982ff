"""Numbers and units as researchers write them ("1.2 x 10^-2 S/cm", "0.1 mA cm-2", "25 °C", "about 12 GPa"),
read into values and QUDT units.

Units are not listed here: they are the graph's own (``ontology/instances/quantities.ttl``: each unit's
``qudt:symbol`` and ``skos:altLabel``), so a new unit is a line of data, not code. A unit text is compared by its
factors and exponents, so ``mS/cm``, ``mS cm-1``, ``mS·cm⁻¹`` and ``mS cm^-1`` are one unit, and ``mAh g-1`` is
``mA·h/g``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.core.namespaces import QUDT, SKOS, SSLMB

if TYPE_CHECKING:
    from kg.core.graph import Graph

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
# compound tokens people write without a separator
_SPLIT = {"mah": ("ma", "h"), "ah": ("a", "h"), "wh": ("w", "h"), "mwh": ("mw", "h"), "cc": ("cm3",)}
_ALIASES = {
    "hr": "h",
    "hrs": "h",
    "hours": "h",
    "hour": "h",
    "sec": "s",
    "mins": "min",
    "minutes": "min",
    "days": "d",
    "day": "d",
    "degc": "°c",
    "℃": "°c",
    "ohm": "ω",
    "ohms": "ω",
    "cycles": "#",
    "cycle": "#",
    "μs": "us",
    "µs": "us",
}
_FACTOR = re.compile(r"^([^\d^+-]+?)(?:\^?([+-]?\d+))?$")

ROOM_TEMPERATURE = SSLMB + "RoomTemperature"
_ROOM = {"room temperature", "rt", "ambient temperature", "ambient"}


def unit_key(text: str) -> tuple[tuple[str, int], ...] | None:
    """The unit's factors with their exponents, sorted: the form two spellings of one unit share.

    >>> unit_key("mS cm-1") == unit_key("mS/cm") == unit_key("mS·cm⁻¹")
    True
    >>> unit_key("mAh g-1") == unit_key("mA·h/g")
    True
    """
    t = text.strip().translate(_SUPERSCRIPT).translate(_SUBSCRIPT)
    t = t.replace("·", " ").replace("*", " ").replace("×", " ").replace("µ", "u").replace("μ", "u")
    t = re.sub(r"\s*\^\s*", "^", t)
    if t in ("", "1"):
        return (("1", 1),)
    if t in ("#",):
        return (("#", 1),)
    if t == "%":
        return (("%", 1),)
    factors: dict[str, int] = {}
    parts = t.split("/")
    for n, part in enumerate(parts):
        sign = 1 if n == 0 else -1
        for token in part.split():
            m = _FACTOR.match(token)
            if not m:
                return None
            base, power = m.group(1), int(m.group(2) or 1)
            low = base.lower()
            low = _ALIASES.get(low, low)
            if low == "°c":
                base_tokens: tuple[str, ...] = ("°c",)
            else:
                base_tokens = _SPLIT.get(low, (low,))
            for b in base_tokens:
                extra = 1
                if b.endswith(("2", "3")) and b[:-1].isalpha() and len(b) > 1 and b not in ("#",):
                    b, extra = b[:-1], int(b[-1])
                factors[b] = factors.get(b, 0) + sign * power * extra
    # case matters for prefixes (mS vs MS): keep the text's case when it is not ambiguous in battery units
    return tuple(sorted((k, v) for k, v in factors.items() if v != 0)) or None


@dataclass(frozen=True)
class Unit:
    iri: str
    symbol: str
    kinds: tuple[str, ...]


def units(graph: Graph) -> dict[tuple[tuple[str, int], ...], list[Unit]]:
    """Every unit of the graph, indexed by :func:`unit_key` of its symbol and of each alternative label."""

    def build(g: Graph) -> dict[tuple[tuple[str, int], ...], list[Unit]]:
        rows = g.select(
            f"""SELECT ?u ?symbol (GROUP_CONCAT(DISTINCT STR(?name); separator="\\u0001") AS ?names)
                       (GROUP_CONCAT(DISTINCT STR(?kind); separator=" ") AS ?kinds) WHERE {{
                 ?u a <{QUDT}Unit> ; <{QUDT}symbol> ?symbol .
                 OPTIONAL {{ ?u <{SKOS}altLabel> ?name }}
                 OPTIONAL {{ ?u <{QUDT}unitForQuantityKind> ?kind }}
               }} GROUP BY ?u ?symbol"""
        )
        index: dict[tuple[tuple[str, int], ...], list[Unit]] = {}
        for row in rows:
            unit = Unit(row["u"], str(row["symbol"]), tuple(sorted(str(row.get("kinds") or "").split())))
            for name in {str(row["symbol"]), *[n for n in str(row.get("names") or "").split("\u0001") if n]}:
                key = unit_key(name)
                if key is not None and unit not in index.setdefault(key, []):
                    index[key].append(unit)
        return index

    return graph.memo("ingest:units", build)


def find_unit(graph: Graph, text: str, kind: str | None = None) -> Unit | None:
    """The graph's unit written ``text``; with ``kind``, one that measures that quantity kind (so a bare ``C``
    is a C-rate under ``c_rate`` and degrees Celsius under ``temperature``)."""
    index = units(graph)
    key = unit_key(text)
    if kind is not None and key == (("c", 1),) and kind.endswith("Temperature"):
        key = (("°c", 1),)
    found = index.get(key, []) if key else []
    if kind is not None:
        fitting = [u for u in found if kind in u.kinds]
        found = fitting or found
    # prefixes: "MS" would be mega-siemens; units are matched case-insensitively, so prefer the exact symbol
    exact = [u for u in found if u.symbol == text.strip()]
    chosen = exact or found
    return chosen[0] if chosen else None


def known_symbols(graph: Graph) -> list[str]:
    return sorted({u.symbol for found in units(graph).values() for u in found})


# ------------------------------------------------------------------------------------------ numbers

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_SCI = re.compile(rf"^\s*({_NUMBER})\s*(?:x|×|\*|·)\s*10\s*\^?\s*([+-−]?\s*\d+)\s*$")
_POWER = re.compile(r"^\s*10\s*\^\s*([+-−]?\s*\d+)\s*$")
_PLAIN = re.compile(rf"^\s*{_NUMBER}\s*$")
_QUALIFIERS = {
    "about": "about",
    "approximately": "about",
    "approx.": "about",
    "~": "about",
    "≈": "about",
    "ca.": "about",
    "up to": "up to",
    "≤": "up to",
    "<=": "up to",
    "at most": "up to",
    "at least": "at least",
    "≥": "at least",
    ">=": "at least",
    "more than": "more than",
    ">": "more than",
    "over": "over",
    "above": "above",
    "less than": "less than",
    "<": "less than",
    "below": "below",
    "as low as": "as low as",
    "as high as": "as high as",
}


def number(value: object) -> float | None:
    """A number as written: ``0.5``, ``"1.2e-2"``, ``"1.2 x 10^-2"``, ``"1.2×10⁻²"``, ``"10^-4"``; else ``None``.

    >>> number("1.2 × 10⁻²"), number("10^-4"), number("3,5")
    (0.012, 0.0001, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None  # YAML's .inf and .nan are no measured value
    if not isinstance(value, str):
        return None
    text = value.translate(_SUPERSCRIPT).replace("−", "-")
    found = None
    if _PLAIN.match(text):
        found = float(text)
    elif m := _SCI.match(text):
        found = float(f"{float(m.group(1))}e{int(m.group(2).replace(' ', ''))}")
    elif m := _POWER.match(text):
        found = float(f"1e{int(m.group(1).replace(' ', ''))}")
    return found if found is not None and math.isfinite(found) else None


@dataclass(frozen=True)
class Amount:
    """A value (or range) with its unit text and qualifier, as read from ``"about 25 °C"`` or an object."""

    value: float | None
    minimum: float | None
    maximum: float | None
    unit: str
    qualifier: str | None
    regime: str | None = None  # a named condition without a number, such as room temperature


_RANGE = re.compile(rf"^\s*({_NUMBER})\s*(?:-|–|to)\s*({_NUMBER})\s*(.*)$")
_LEADING = re.compile(rf"^\s*({_NUMBER}(?:\s*(?:x|×)\s*10\s*\^?\s*[+-−]?\s*\d+)?)\s*(.*)$")


def amount(value: object) -> Amount | None:
    """Read a condition or value written as text, a number, or ``{value|min|max, unit, qualifier}``.

    >>> amount("about 25 °C")
    Amount(value=25.0, minimum=None, maximum=None, unit='°C', qualifier='about', regime=None)
    >>> amount("0.1-0.5 mA cm-2").maximum, amount("room temperature").regime.rsplit("/", 1)[1]
    (0.5, 'RoomTemperature')
    """
    if isinstance(value, dict):
        return Amount(
            number(value.get("value")) if "value" in value else None,
            number(value.get("min")) if "min" in value else None,
            number(value.get("max")) if "max" in value else None,
            str(value.get("unit", "")),
            value.get("qualifier"),
        )
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Amount(float(value), None, None, "", None) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = value.strip().translate(_SUPERSCRIPT).replace("−", "-")
    if text.lower() in _ROOM:
        return Amount(None, None, None, "", None, ROOM_TEMPERATURE)
    qualifier = None
    for word in sorted(_QUALIFIERS, key=len, reverse=True):
        if text.lower().startswith(word):
            qualifier, text = _QUALIFIERS[word], text[len(word) :].strip()
            break
    m = _RANGE.match(text)
    if m:
        return Amount(None, float(m.group(1)), float(m.group(2)), m.group(3).strip(), qualifier)
    m = _LEADING.match(text)
    if m and number(m.group(1)) is not None:
        return Amount(number(m.group(1)), None, None, m.group(2).strip(), qualifier)
    return None
