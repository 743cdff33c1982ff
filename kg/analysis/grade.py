"""The evidence grade of a mitigation route: how directly the strategy acts, whether a number bearing on the hazard
backs it, how many independent sources state it, and whether the numbers were measured under conditions close to a
practical cell.

Practical conditions, each met by a counted outcome that states it:

- room temperature, 15 to 35 °C (or stated as room temperature): a cell in use runs near ambient, and polymer cells
  tested at 60 °C or more say little about one at 25 °C;
- current density of at least 1 mA/cm²: a 1 mAh/cm² electrode cycled at 1C; practical cathodes (3 to 4 mAh/cm²)
  ask more, so this is a lower bar, and the common symmetric-cell tests at 0.1 to 0.5 mA/cm² fall short of it;
- areal capacity of at least 1 mAh/cm² per half-cycle, for the same reason;
- at least 100 cycles or 500 h of cycling (the outcome's own value when it is a cycle count or duration): a short
  test cannot show that dendrites were stopped rather than delayed.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.core.namespaces import SSLMB

ROOM_TEMPERATURE = (15.0, 35.0)  # °C
MIN_CURRENT_DENSITY = 1.0  # mA/cm²
MIN_AREAL_CAPACITY = 1.0  # mAh/cm²
MIN_CYCLES = 100
MIN_HOURS = 500.0

_CURRENT = {"mA/cm²": 1.0, "µA/cm²": 1e-3, "A/cm²": 1e3, "mA/cm2": 1.0}
_CAPACITY = {"mA·h/cm²": 1.0, "mAh/cm²": 1.0, "µA·h/cm²": 1e-3, "A·h/cm²": 1e3}
_HOURS = {"h": 1.0, "min": 1 / 60, "s": 1 / 3600, "d": 24.0}


@dataclass(frozen=True)
class Grade:
    """The evidence grade of one route and what counted. ``letter`` runs from A (direct, a number bearing on the
    hazard, at least two independent sources, practical conditions met) to D (one of these or none); ``score``
    ranks the routes: fewer causal steps always first, then the other factors."""

    letter: str
    score: float
    hops: int
    quantitative: tuple[str, ...]
    independent_sources: int
    sources: tuple[str, ...]
    practical: tuple[str, ...]
    short_of_practical: tuple[str, ...]
    references: int
    factors: tuple[str, ...]


def _value(c: object) -> float | None:
    for attr in ("value", "minimum", "maximum"):
        v = getattr(c, attr, None)
        if isinstance(v, (int, float)):
            return float(v)
    return None


def practical(quantities: list) -> tuple[list[str], list[str]]:
    """Which practical conditions the ``quantities`` (counted outcomes) meet, and which they state but miss."""
    met: dict[str, str] = {}
    missed: dict[str, str] = {}

    def judge(name: str, ok: bool, text: str) -> None:
        if ok:
            met.setdefault(name, text)
        elif name not in met:
            missed.setdefault(name, text)

    for q in quantities:
        durations: list[tuple[float, str]] = []
        cycles: list[float] = []
        for c in q.conditions:
            rel, v, unit = c.relation_iri or "", _value(c), c.unit or ""
            if rel == SSLMB + "underCondition" and "room temperature" in (c.text or "").lower():
                judge("room temperature", True, "room temperature")
            elif rel == SSLMB + "atTemperature" and v is not None:
                celsius = v - 273.15 if unit == "K" else v
                lo, hi = ROOM_TEMPERATURE
                judge("room temperature", lo <= celsius <= hi, f"{v:g} {unit}")
            elif rel == SSLMB + "atCurrentDensity" and v is not None and unit in _CURRENT:
                judge("current density", v * _CURRENT[unit] >= MIN_CURRENT_DENSITY, f"{v:g} {unit}")
            elif rel == SSLMB + "atArealCapacity" and v is not None and unit in _CAPACITY:
                judge("areal capacity", v * _CAPACITY[unit] >= MIN_AREAL_CAPACITY, f"{v:g} {unit}")
            elif rel == SSLMB + "afterCycles" and v is not None:
                cycles.append(v)
            elif rel == SSLMB + "overDuration" and v is not None and unit in _HOURS:
                durations.append((v * _HOURS[unit], f"{v:g} {unit}"))
        metric, v = q.metric_iri or "", _value(q)
        if metric.endswith("StableCycleCount") and v is not None:
            cycles.append(v)
        if metric.endswith("StableCyclingDuration") and v is not None and (q.unit or "") in _HOURS:
            durations.append((v * _HOURS[q.unit], f"{v:g} {q.unit}"))
        for n in cycles:
            judge("long cycling", n >= MIN_CYCLES, f"{n:g} cycles")
        for hours, text in durations:
            judge("long cycling", hours >= MIN_HOURS, text)
    return [f"{k} ({v})" for k, v in met.items()], [f"{k} ({v})" for k, v in missed.items() if k not in met]


def grade(hops: int, counted: list, sources: tuple[str, ...], independent: int, references: int) -> Grade:
    """Grade one route. The evidence bonus (at most 0.03 + 0.02 + 0.016 + 0.012 = 0.078) is smaller than the
    smallest gap between hop levels (1/3 - 1/4), so fewer causal steps always rank first."""
    met, missed = practical(counted)
    n_out, n_src = min(len(counted), 2), min(max(independent - 1, 0), 2)
    n_prac, n_ref = min(len(met), 4), min(references, 4)
    base = 1.0 / (1 + hops)
    score = base + 0.015 * n_out + 0.01 * n_src + 0.004 * n_prac + 0.003 * n_ref
    points = (hops == 0) + bool(counted) + (independent >= 2) + bool(met)
    letter = "ABCD"[min(4 - points, 3)]
    bearing = "it" if hops == 0 else "its route"
    described = [q.described for q in counted]
    factors = (
        f"{'direct' if hops == 0 else f'{hops} causal step(s) upstream'} ({base:.2f})",
        f"{n_out} quantitative outcome(s) bearing on {bearing} x 0.015"
        + (f" [{'; '.join(described)}]" if described else " (qualitative only)"),
        f"{independent} independent source line(s), {n_src} beyond the first x 0.01 [{', '.join(sources) or 'none'}]",
        f"{n_prac} practical condition(s) met x 0.004 [{'; '.join(met) or 'none'}]"
        + (f", short of practical: {'; '.join(missed)}" if missed else ""),
        f"{n_ref} independent reference(s) x 0.003",
    )
    return Grade(letter, round(score, 3), hops, tuple(described), independent, sources, tuple(met), tuple(missed),
                 references, factors)
