"""Comparing what :func:`~kg.model.chemistry.parse` read: two phases (:func:`same_phase`), two compositions
(:func:`deviation`, :func:`distance`, :func:`near`, :func:`is_variant`, :func:`compare`), a composition and a
system (:func:`in_system`), and a formula with itself and its likely misprints (:func:`charge_balanced`,
:func:`misprint`)."""

from __future__ import annotations

import itertools
import math
from functools import lru_cache

from kg.model.chemistry.formula import (
    CHARGE_TOLERANCE,
    DIFFERENT,
    MINORITY_FRACTION,
    ROUNDING_TOLERANCE,
    SAME,
    SAME_TOLERANCE,
    SUBSTITUTION_FACTOR,
    SYSTEM,
    VARIANT,
    VARIANT_MAX_DISTANCE,
    Formula,
)
from kg.model.chemistry.parsing import _formula, _number, parse
from kg.model.chemistry.text import _phase_term, crystal_system


def same_phase(a: str | None, b: str | None, formula: Formula | str | None = None) -> bool | None:
    """Whether two named phases are one (``True``), two (``False``), or cannot be told apart from what is written
    (``None``: also when either is ``None``). ``formula`` (the composition both belong to) lets a polymorph letter
    be compared with a space group (:data:`POLYMORPHS`).

    >>> same_phase("β", "Pnma", "Li3PS4"), same_phase("β", "Pmn21", "Li3PS4"), same_phase("cubic", "Ia-3d")
    (True, False, True)
    >>> same_phase("amorphous", "β"), same_phase("crystalline", "Pnma"), same_phase("I41/acd", "Ia-3d")
    (False, None, False)
    """
    if a is None or b is None:
        return None
    if isinstance(formula, str):
        formula = parse(formula)
    ka, va = _phase_term(a, formula)
    kb, vb = _phase_term(b, formula)
    if (ka, va) == (kb, vb):
        return True
    if "amorphous" in (va, vb) and ka != "text" and kb != "text":
        return False  # a glass is not any crystalline phase
    if ka == kb and ka in ("sg", "system", "letter"):
        return False
    if {ka, kb} == {"sg", "system"}:
        number, system = (va, vb) if ka == "sg" else (vb, va)
        return crystal_system(number) == system  # type: ignore[arg-type]
    return None


def deviation(a: Formula | str, b: Formula | str) -> float:
    """The largest relative difference between the atomic fractions of one element in two compositions (1.0 when an
    element is present on one side only); ``math.inf`` unless both are compositions.

    >>> round(deviation("Li3.335Sn0.33P0.67S4", "Li10SnP2S12"), 4)
    0.0102
    """
    fa, fb = _formula(a), _formula(b)
    if not (fa.is_composition and fb.is_composition):
        return math.inf
    da, db = dict(fa.fractions), dict(fb.fractions)
    worst = 0.0
    for el in da.keys() | db.keys():
        x, y = da.get(el, 0.0), db.get(el, 0.0)
        worst = max(worst, abs(x - y) / max(x, y))
    return worst


def distance(a: Formula | str, b: Formula | str) -> float:
    """The share of atoms that differ between two compositions: half the sum of the absolute differences of their
    atomic fractions (0 for equal compositions, 1 for disjoint ones); ``math.inf`` unless both are compositions.

    >>> round(distance("Li6.4La3Zr1.4Ta0.6O12", "Li7La3Zr2O12"), 3)
    0.042
    """
    fa, fb = _formula(a), _formula(b)
    if not (fa.is_composition and fb.is_composition):
        return math.inf
    da, db = dict(fa.fractions), dict(fb.fractions)
    return sum(abs(da.get(el, 0.0) - db.get(el, 0.0)) for el in da.keys() | db.keys()) / 2


def near(a: Formula | str, b: Formula | str) -> bool:
    """Equal within rounding to two significant figures but not to three: the same material or a neighbour in a
    series, which only a person can tell (see ``ROUNDING_TOLERANCE``).

    >>> near("Li3.335Sn0.33P0.67S4", "Li10SnP2S12"), near("Li3.3Sn0.3P0.7S4", "Li10SnP2S12")
    (True, False)
    """
    return SAME_TOLERANCE < deviation(a, b) <= ROUNDING_TOLERANCE


def is_variant(a: Formula | str, b: Formula | str) -> bool:
    """Whether one composition is a doped or substituted member of the other's host (see ``MINORITY_FRACTION``).

    >>> is_variant("Li10SnP2S12", "Li10GeP2S12"), is_variant("Li7P3S11", "Li3PS4"), is_variant("LATP", "LAGP")
    (True, False, False)
    >>> is_variant("Li7P3S11", "70Li2S-29P2S5-1P2O5"), is_variant("Li3PS4", "70Li2S-29P2S5-1P2O5")
    (True, False)
    >>> is_variant("Fe0.16La2.95Li5.68Zr2O12", "Li6.4La3Zr1.4Ta0.6O12")
    False
    """
    fa, fb = _formula(a), _formula(b)
    if not (fa.is_composition and fb.is_composition):
        return False
    da, db = dict(fa.fractions), dict(fb.fractions)
    shared = da.keys() & db.keys()
    if len(shared) < 2 or distance(fa, fb) > VARIANT_MAX_DISTANCE:
        return False
    only_a, only_b = [da[el] for el in da.keys() - shared], [db[el] for el in db.keys() - shared]
    if any(value >= MINORITY_FRACTION for value in only_a + only_b):
        return False
    if only_a and only_b:
        # both hold an element the other lacks: a substitution, one element for one in comparable amounts (Sn for
        # Ge, Ta for Te); Fe at 0.7 % against Ta at 2.6 % is two different dopings of LLZO, not one of the other
        if len(only_a) != 1 or len(only_b) != 1 or max(only_a[0], only_b[0]) > 2 * min(only_a[0], only_b[0]):
            return False
    if only_a or only_b:
        dopant = max(sum(only_a), sum(only_b))
    else:
        minority = [max(da[el], db[el]) for el in shared if min(da[el], db[el]) < MINORITY_FRACTION]
        if not minority or deviation(fa, fb) <= SAME_TOLERANCE:
            return False
        dopant = max(minority)
    return distance(fa, fb) <= SUBSTITUTION_FACTOR * dopant


def compare(a: Formula | str, b: Formula | str) -> str:
    """``same``, ``variant`` or ``different`` (see the module's documentation). Two compositions are the same when
    their atomic fractions agree within ``SAME_TOLERANCE`` unless both name a phase and the phases differ; two
    systems when they have the same end members. A composition and a system, or anything that is not a formula,
    are different.

    >>> compare("Li10Ge1P2S12", "Li10GeP2S12"), compare("Li2S–P2S5", "Li2S-P2S5"), compare("Li2P2S6", "Li2S-P2S5")
    ('same', 'same', 'different')
    >>> compare("Li7La3Zr2O12 (I41/acd)", "Li7La3Zr2O12 (Ia-3d)"), compare("(Li6.26Al0.24)La3Zr2O12", "Li7La3Zr2O12")
    ('different', 'variant')
    """
    fa, fb = _formula(a), _formula(b)
    if fa.is_composition and fb.is_composition:
        if deviation(fa, fb) <= SAME_TOLERANCE:
            return DIFFERENT if same_phase(fa.phase, fb.phase, fa) is False else SAME
        return VARIANT if is_variant(fa, fb) else DIFFERENT
    if fa.kind == fb.kind == SYSTEM:
        return SAME if fa.components == fb.components else DIFFERENT
    return DIFFERENT


def in_system(formula: Formula | str, system: Formula | str) -> bool:
    """Whether a composition is a mixture of every end member of a system in positive proportions (an end member
    alone is not inside the system).

    >>> in_system("Li7P3S11", "Li2S-P2S5"), in_system("Li2S", "Li2S-P2S5"), in_system("LiIn", "Li-In")
    (True, False, True)
    >>> in_system("Li6PS5Cl", "Li2S-P2S5")
    False
    """
    import numpy as np

    f, s = _formula(formula), _formula(system)
    if not (f.is_composition and s.kind == SYSTEM) or not f.elements <= s.elements:
        return False
    elements = sorted(s.elements)
    columns = [dict(parse(c).amounts) for c in s.components]
    matrix = np.array([[c.get(el, 0.0) for c in columns] for el in elements])
    target = np.array([dict(f.amounts).get(el, 0.0) for el in elements])
    coefficients, *_ = np.linalg.lstsq(matrix, target, rcond=None)
    residual = float(np.abs(matrix @ coefficients - target).max())
    scale = float(target.max())
    return residual <= SAME_TOLERANCE * scale and bool((coefficients > SAME_TOLERANCE * coefficients.sum()).all())


@lru_cache(maxsize=4096)
def charge_balanced(formula: Formula | str) -> bool | None:
    """Whether some choice of each element's common oxidation states (pymatgen's) balances the charge of a
    composition within ``CHARGE_TOLERANCE``; ``None`` when it cannot be told (not a composition, an element without
    common states, too many combinations).

    >>> charge_balanced("Li6.75La3Zr1.75Ta0.25O12"), charge_balanced("Li6.75La3Zr1.75Te0.25O12")
    (True, False)
    >>> charge_balanced("Li0.33La0.56TiO3"), charge_balanced("Li3.3La0.56TiO3")
    (True, False)
    """
    from pymatgen.core import Element

    f = _formula(formula)
    if not f.is_composition:
        return None
    states = [Element(el).common_oxidation_states for el, _ in f.amounts]
    if any(not s for s in states) or math.prod(len(s) for s in states) > 50_000:
        return None
    for choice in itertools.product(*states):
        charges = [state * amount for state, (_, amount) in zip(choice, f.amounts, strict=True)]
        positive = sum(c for c in charges if c > 0)
        if positive > 0 and abs(sum(charges)) <= CHARGE_TOLERANCE * positive:
            return True
    return False


def _one_edit(x: str, y: str) -> bool:
    """Whether two element symbols are one typing slip apart (Ta/Te, S/Se, Nb/Na)."""
    if len(x) == len(y):
        return sum(p != q for p, q in zip(x, y, strict=True)) <= 1
    short, long_ = sorted((x, y), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def misprint(a: Formula | str, b: Formula | str) -> str | None:
    """Why composition ``b`` (a stored formula) may be a misprint of ``a``, or ``None``: ``b`` cannot balance
    charge while ``a`` can, and the two differ only by one element symbol at the same amount, the symbols one typing
    slip apart (Te for Ta), or by one amount shifted by a power of ten (Li3.3 for Li0.33).

    >>> misprint("Li6.75La3Zr1.75Ta0.25O12", "Li6.75La3Zr1.75Te0.25O12")
    'Te in place of Ta at the same amount, and Li6.75La3Zr1.75Te0.25O12 cannot balance charge: a misprinted symbol?'
    >>> misprint("Li0.33La0.56TiO3", "Li3.3La0.56TiO3")
    'Li 3.3 in place of 0.33, and Li3.3La0.56TiO3 cannot balance charge: a lost decimal point?'
    >>> misprint("Li6.5La3Zr1.75Te0.25O12", "Li6.75La3Zr1.75Te0.25O12") is None
    True
    >>> misprint("Li6.75La3Zr1.75Nb0.25O12", "Li6.75La3Zr1.75Te0.25O12") is None
    True
    """
    fa, fb = _formula(a), _formula(b)
    if not (fa.is_composition and fb.is_composition) or charge_balanced(fb) is not False:
        return None
    if charge_balanced(fa) is not True:
        return None
    da, db = dict(fa.amounts), dict(fb.amounts)

    def scale(elements) -> float | None:
        ratios = [da[el] / db[el] for el in elements]
        if not ratios or any(abs(r / ratios[0] - 1) > SAME_TOLERANCE for r in ratios):
            return None
        return ratios[0]

    if da.keys() == db.keys():
        for el in sorted(da):
            s = scale([x for x in da if x != el])
            if s is None:
                continue
            q = da[el] / (s * db[el])
            if any(abs(q / p - 1) <= SAME_TOLERANCE for p in (10.0, 0.1, 100.0, 0.01)):
                return (
                    f"{el} {_number(db[el]) or 1} in place of {_number(da[el] * 1) or 1}, and {fb.reduced} cannot "
                    "balance charge: a lost decimal point?"
                )
        return None
    only_a, only_b = da.keys() - db.keys(), db.keys() - da.keys()
    if len(only_a) == len(only_b) == 1:
        x, y = next(iter(only_a)), next(iter(only_b))
        if not _one_edit(x, y):
            return None  # Nb for Te is no slip of the pen
        s = scale(sorted(da.keys() & db.keys()))
        if s is not None and abs(da[x] / (s * db[y]) - 1) <= SAME_TOLERANCE:
            return (
                f"{y} in place of {x} at the same amount, and {fb.reduced} cannot balance charge: a misprinted symbol?"
            )
    return None
