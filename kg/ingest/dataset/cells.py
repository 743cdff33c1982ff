"""One cell of the table read: a formula as element amounts (:func:`composition`), a value or a bound, and a
text made a safe local id."""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from fractions import Fraction
from typing import Any

from kg.ingest.dataset.document import _ID_LENGTH

_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
# A value cell may be a bound or an approximate value: its sign -> the measurement's field and qualifier.
# Two-character signs come first, so that "<=" is not read as "<" followed by "=1e-3".
_BOUNDS = {
    "<=": ("max", "up to"),
    ">=": ("min", "at least"),
    "≤": ("max", "up to"),
    "≥": ("min", "at least"),
    "<": ("max", "less than"),
    ">": ("min", "more than"),
    "~": ("value", "about"),
    "≈": ("value", "about"),
}

_ELEMENTS = frozenset(
    """H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr
    Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt
    Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv
    Ts Og""".split()
)
_AMOUNT = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SYMBOL = re.compile(r"[A-Z][a-z]?")
_OPEN = {"(": ")", "[": "]", "{": "}"}
_ADDUCT = re.compile(r"[·•*]")


def composition(formula: str) -> dict[str, Fraction]:
    """The amount of each element in a chemical formula (``ValueError`` when it is not one).

    >>> composition("Li1.4Al0.4Ti1.6(PO4)3") == {"Li": Fraction(7, 5), "Al": Fraction(2, 5),
    ...     "Ti": Fraction(8, 5), "P": 3, "O": 12}
    True
    >>> composition("Li3PS4·2LiI")["I"]
    Fraction(2, 1)
    """
    text = "".join(formula.split())
    total: dict[str, Fraction] = {}
    for part in _ADDUCT.split(text):
        count = _AMOUNT.match(part)
        factor = Fraction(count.group()) if count else Fraction(1)
        for element, amount in _group(part, count.end() if count else 0).items():
            total[element] = total.get(element, Fraction(0)) + factor * amount
    total = {element: amount for element, amount in total.items() if amount}
    if not total:
        raise ValueError("no element in it")
    return total


def _group(text: str, position: int) -> dict[str, Fraction]:
    """The elements of ``text`` from ``position`` on: symbols and (nested) groups, each with an optional amount."""
    stack: list[tuple[str, dict[str, Fraction]]] = [("", {})]
    i = position
    if i >= len(text):
        raise ValueError("nothing after a count")
    while i < len(text):
        char = text[i]
        if char in _OPEN:
            stack.append((_OPEN[char], {}))
            i += 1
            continue
        if char in ")]}":
            closing, inner = stack.pop() if len(stack) > 1 else ("", {})
            if char != closing:
                raise ValueError(f"unbalanced {char!r}")
            if not inner:
                raise ValueError("an empty group")
            i += 1
            factor, i = _amount(text, i)
            outer = stack[-1][1]
            for element, amount in inner.items():
                outer[element] = outer.get(element, Fraction(0)) + amount * factor
            continue
        symbol = _SYMBOL.match(text, i)
        if symbol is None:
            raise ValueError(f"unexpected {char!r}")
        element = symbol.group()
        if element not in _ELEMENTS:
            raise ValueError(f"no element {element!r}")
        amount, i = _amount(text, symbol.end())
        counts = stack[-1][1]
        counts[element] = counts.get(element, Fraction(0)) + amount
    if len(stack) > 1:
        raise ValueError(f"{stack[-1][0]!r} missing")
    return stack[0][1]


def _amount(text: str, i: int) -> tuple[Fraction, int]:
    match = _AMOUNT.match(text, i)
    return (Fraction(match.group()), match.end()) if match else (Fraction(1), i)


def _reduced(amounts: dict[str, Fraction]) -> tuple[tuple[str, Fraction], ...]:
    """A composition as fractions of its atoms, sorted: equal for formulas that differ only by a factor."""
    total = sum(amounts.values())
    return tuple(sorted((element, amount / total) for element, amount in amounts.items()))


def _safe_id(prefix: str, raw: str) -> str:
    """``prefix_raw`` as a local id: letters, digits and ``_`` (accents dropped, other characters replaced by
    ``_``); a short hash of ``raw`` is appended when nothing is left of it or the id would pass 60 characters.

    >>> _safe_id("obelix", "jqc")
    'obelix_jqc'
    >>> _safe_id("obelix", "Li1.4Al0.4Ti1.6(PO4)3")
    'obelix_Li1_4Al0_4Ti1_6_PO4_3'
    >>> _safe_id("obelix", "β" + "x" * 80)
    'obelix_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_...'
    """
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    body = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
    ident = f"{prefix}_{body}"
    return _with_hash(ident, raw) if not body or len(ident) > _ID_LENGTH else ident


def _with_hash(ident: str, raw: str) -> str:
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:8]
    return f"{ident[: _ID_LENGTH - 9]}_{digest}"


def _value(text: str) -> dict[str, Any]:
    """A value cell as measurement fields: a number, or a bound (``<1E-10``) with its qualifier and as printed.

    >>> _value("1.58489e-06")
    {'value': 1.58489e-06}
    >>> _value("<1E-10")
    {'max': 1e-10, 'qualifier': 'less than', 'printed': '<1E-10'}
    """
    for sign, (field, qualifier) in _BOUNDS.items():
        if text.startswith(sign):
            return {field: _number(text[len(sign) :].strip()), "qualifier": qualifier, "printed": text}
    return {"value": _number(text)}


def _number(text: str) -> int | float:
    if not _NUMBER.fullmatch(text):
        raise ValueError
    if _INTEGER.fullmatch(text):
        return int(text)
    number = float(text)
    if not math.isfinite(number):
        raise ValueError
    return number
