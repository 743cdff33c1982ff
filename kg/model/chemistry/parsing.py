"""Reading a formula text (:func:`parse`): one composition, a mixture with proportions, a system of end members,
or not a formula at all, each as a :class:`~kg.model.chemistry.formula.Formula`."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from functools import lru_cache

from kg.core.errors import InputError
from kg.model.chemistry.formula import COMPOSITION, ELEMENTS, NOT_A_FORMULA, SYSTEM, Formula
from kg.model.chemistry.text import split_phase

_ION = re.compile(r"(?:\^\s*\d*[+-]|\(\s*\d*[+-]\s*\)|\d*[+-])$")
_NAME_WORD = re.compile(r"[a-z]{3,}")
_ALLOWED = re.compile(r"[A-Za-z0-9.()\[\]{}\-/+·*]+")
_TOKEN = re.compile(r"[A-Z][a-z]?|[a-z]")
_COEFFICIENT = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)(?=[A-Z(\[{])")
_GROUP = re.compile(r"[(\[{]([^()\[\]{}]+)[)\]}](\d+(?:\.\d+)?|\.\d+)?")
_LONE = re.compile(r"^[A-Z][a-z]?(\d+(?:\.\d+)?|\.\d+)$")
_PLACEHOLDERS = frozenset("M X A B E G J L Q R T Z Ln RE Me Hal".split())
_SEPARATORS = "-/+·*"


def _not(text: str, phase: str | None, note: str) -> Formula:
    return Formula(text=text, kind=NOT_A_FORMULA, phase=phase, note=note)


def _split_top(text: str) -> tuple[list[str], set[str]]:
    """Split at separators outside brackets."""
    parts, seps, depth, start = [], set(), 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch in _SEPARATORS:
            parts.append(text[start:i])
            seps.add(ch)
            start = i + 1
    parts.append(text[start:])
    return parts, seps


def _element_amounts(body: str) -> dict[str, float] | None:
    """Element amounts of one formula (no separators) read by pymatgen, or None."""
    from pymatgen.core import Composition

    try:
        amounts = Composition(body.replace("{", "(").replace("}", ")")).get_el_amt_dict()
    except Exception:  # pymatgen raises ValueError, KeyError, IndexError... on bad input
        return None
    if not amounts or any(el not in ELEMENTS or not (v > 0) or math.isinf(v) for el, v in amounts.items()):
        return None
    return amounts


def _add(total: dict[str, float], amounts: dict[str, float], times: float) -> None:
    for el, value in amounts.items():
        total[el] = total.get(el, 0.0) + value * times


def _is_whole(value: float, places: int = 0) -> bool:
    scaled = value * 10**places
    return abs(scaled - round(scaled)) <= 1e-6 * max(1.0, abs(scaled))


def _per_formula_unit(amounts: dict[str, float], cell: bool = False) -> dict[str, float]:
    """Amounts per formula unit. Whole numbers are divided by their greatest common divisor, as pymatgen reduces
    formulas (an OBELiX cell Li20Ge2P4S24 holds 2 Li10GeP2S12). Amounts with decimals keep the scale they are
    written at, unless the text is a whole cell as pymatgen and OBELiX write one (``cell``: a decimal point on every
    amount, Li51.2La24.0Zr11.2Ta4.8O96.0): then they are divided by the number of formula units the cell holds, the
    divisor up to 12 (the Z of OBELiX's cells) that leaves no amount with more than three decimals and the most
    whole amounts, the largest such (Li51.2La24Zr11.2Ta4.8O96 / 8 = Li6.4La3Zr1.4Ta0.6O12). Which formula unit is
    conventional depends on the structure; comparisons never depend on it (they use atomic fractions and
    ``Formula.key``)."""
    values = list(amounts.values())
    if all(_is_whole(v) for v in values):
        divisor = 0
        for v in values:
            divisor = math.gcd(divisor, round(v))
        return {el: round(v) / divisor for el, v in amounts.items()}
    if not cell:
        return dict(amounts)
    best = (0, 1)
    for k in range(1, 13):
        scaled = [v / k for v in values]
        if not all(_is_whole(s, 3) and s >= 0.001 for s in scaled):
            continue
        best = max(best, (sum(_is_whole(s) for s in scaled), k))
    return {el: v / best[1] for el, v in amounts.items()}


def _smallest_whole(values: list[float]) -> list[float]:
    """Proportions as the smallest whole numbers (0.75 : 0.25 -> 3 : 1)."""
    fractions = [Fraction(v).limit_denominator(10_000) for v in values]
    lcm = 1
    for f in fractions:
        lcm = lcm * f.denominator // math.gcd(lcm, f.denominator)
    whole = [int(f * lcm) for f in fractions]
    divisor = 0
    for w in whole:
        divisor = math.gcd(divisor, w)
    return [w / divisor for w in whole]


def _order(elements) -> list[str]:
    from pymatgen.core import Element

    return sorted(elements, key=lambda el: (Element(el).X if not math.isnan(Element(el).X) else 99.0, el))


def _number(value: float) -> str:
    if _is_whole(value):
        n = round(value)
        return "" if n == 1 else str(n)
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _key(amounts: dict[str, float]) -> str:
    fractions = {el: Fraction(v).limit_denominator(100_000) for el, v in amounts.items()}
    lcm = 1
    for f in fractions.values():
        lcm = lcm * f.denominator // math.gcd(lcm, f.denominator)
    whole = {el: int(f * lcm) for el, f in fractions.items()}
    divisor = 0
    for v in whole.values():
        divisor = math.gcd(divisor, v)
    return "".join(f"{el}{whole[el] // divisor}" for el in sorted(whole))


def _composition(
    text: str, amounts: dict[str, float], phase: str | None, components=(), note="", cell: bool = False
) -> Formula:
    unit = _per_formula_unit(amounts, cell)
    order = _order(unit)
    total = sum(unit.values())
    return Formula(
        text=text,
        kind=COMPOSITION,
        reduced="".join(f"{el}{_number(unit[el])}" for el in order),
        amounts=tuple((el, unit[el]) for el in order),
        fractions=tuple((el, unit[el] / total) for el in order),
        phase=phase,
        components=tuple(components),
        key=_key(unit),
        note=note,
        elements=frozenset(unit),
    )


def _groups_mixture(body: str) -> list[tuple[str, float]] | None:
    """``(Li2S)75(P2S5)25`` -> [("Li2S", 75), ("P2S5", 25)]: a body made only of bracketed groups with counts."""
    groups = [(m.group(1), float(m.group(2)) if m.group(2) else 1.0) for m in _GROUP.finditer(body)]
    if len(groups) >= 2 and "".join(m.group(0) for m in _GROUP.finditer(body)) == body:
        return groups
    return None


@lru_cache(maxsize=16384)
def parse(text: str) -> Formula:
    """Read ``text`` as a formula (see the module's documentation for what it accepts).

    >>> f = parse("Li51.2La24.0Zr11.2Ta4.8O96.0")
    >>> f.reduced, f.amounts[0]
    ('Li6.4La3Zr1.4Ta0.6O12', ('Li', 6.4))
    >>> parse("70Li2S-29P2S5-1P2O5").reduced, parse("(Li2S)75(P2S5)25").reduced, parse("75Li2S·25P2S5").reduced
    ('Li28P12S43O', 'Li3PS4', 'Li3PS4')
    >>> parse("Li7-La3Zr2O12").reduced, parse("Li1.5Al0.5Ge1.5(PO4)3").reduced
    ('Li7La3Zr2O12', 'Li1.5Al0.5Ge1.5P3O12')
    >>> [parse(t).kind for t in ("Li2S-P2S5", "PS4(3-)", "TFSI-", "MxOy", "LiBH4-LiX", "LLZO")]
    ['system', 'not_a_formula', 'not_a_formula', 'not_a_formula', 'not_a_formula', 'not_a_formula']
    """
    if not isinstance(text, str):
        raise InputError(f"a formula is text, not {type(text).__name__}")
    original = text
    core, phase = split_phase(text)
    if not core:
        return _not(original, phase, "empty")
    if _ION.search(core):
        return _not(original, phase, "an ion or charged group, not a neutral composition")
    if _NAME_WORD.search(core):
        return _not(original, phase, "a name, not a formula")
    core = "".join(core.split())
    if not _ALLOWED.fullmatch(core):
        return _not(original, phase, "holds characters a formula does not (amounts left open, units, words)")
    variables = any(t.islower() or t[1:] in ("x", "y", "z") for t in _TOKEN.findall(core)) or any(
        ch.isdigit() for ch in core
    )
    for token in _TOKEN.findall(core):
        if token not in ELEMENTS:
            placeholder = token in _PLACEHOLDERS or (len(token) == 2 and token[1] in "xyzn")
            if token.islower() or (placeholder and variables):
                return _not(original, phase, f"a placeholder formula ({token!r} stands for an element or an amount)")
            return _not(original, phase, f"{token!r} is not an element symbol: an abbreviation or a name")
    parts, seps = _split_top(core)
    entries: list[tuple[float | None, str, dict[str, float], list[tuple[str, float]] | None]] = []
    for part in parts:
        m = _COEFFICIENT.match(part)
        coefficient = float(m.group(1)) if m else None
        body = part[m.end() :] if m else part
        if not body:
            return _not(original, phase, "a separator with nothing on one side")
        amounts = _element_amounts(body)
        if amounts is None:
            return _not(original, phase, f"{body!r} does not read as a formula")
        entries.append((coefficient, body, amounts, _groups_mixture(body)))

    def reduced_of(text_: str) -> str:
        return _composition(text_, _element_amounts(text_) or {}, None).reduced or text_

    if len(entries) == 1:
        _, body, amounts, groups = entries[0]
        components = sorted({reduced_of(g) for g, _ in groups}) if groups else ()
        if groups:
            amounts = {}
            for proportion, (group, _) in zip(_smallest_whole([n for _, n in groups]), groups, strict=True):
                _add(amounts, _element_amounts(group) or {}, proportion)
        note = "a mixture written as groups with proportions" if groups else ""
        numbers = re.findall(r"\d+(?:\.\d+)?|\.\d+", body)
        cell = not groups and bool(numbers) and all("." in n for n in numbers)
        return _composition(original, amounts, phase, components, note, cell)
    with_coefficient = [e[0] is not None for e in entries]
    if all(with_coefficient) or seps <= {"·", "*"}:
        total: dict[str, float] = {}
        proportions = _smallest_whole([1.0 if e[0] is None else e[0] for e in entries])
        for proportion, (_, _, amounts, _) in zip(proportions, entries, strict=True):
            _add(total, amounts, proportion)
        components = sorted({reduced_of(body) for _, body, _, _ in entries})
        return _composition(original, total, phase, components, "a mixture of its components in the proportions given")
    if any(with_coefficient):
        return _not(original, phase, "some components carry proportions and others do not")
    if seps & {"·", "*"}:
        return _not(original, phase, "an adduct mixed with a system")
    bodies = [body for _, body, _, _ in entries]
    if seps == {"-"} and len(bodies) == 2 and any(_lone_with_count(b) for b in bodies):
        amounts = _element_amounts("".join(bodies))
        if amounts is not None:
            return _composition(
                original, amounts, phase, (), "a stray hyphen inside the formula (from text extraction)"
            )
    components = sorted({reduced_of(b) for b in bodies})
    if len(components) < 2:
        return _not(original, phase, "a system needs two different end members")
    return Formula(
        text=original,
        kind=SYSTEM,
        reduced="-".join(components),
        phase=phase,
        components=tuple(components),
        key="+".join(sorted(components)),
        note="end members without proportions: a system of variable composition",
        elements=frozenset().union(*(entry[2] for entry in entries)),
    )


def _lone_with_count(body: str) -> bool:
    """``Li7``: one element with a count other than 1, which no source writes as a component of a mixture."""
    m = _LONE.match(body)
    return m is not None and abs(float(m.group(1)) - 1) > 1e-9


def _formula(value: Formula | str) -> Formula:
    return value if isinstance(value, Formula) else parse(value)
