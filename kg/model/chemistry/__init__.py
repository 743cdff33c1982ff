"""Chemical formulas read as compositions, the way a solid-state chemist compares materials.

:func:`parse` turns what a source writes into a :class:`Formula`: ``kind`` is

``composition``
    one material of fixed composition. Besides plain formulas (read by pymatgen's ``Composition``: element symbols,
    decimal amounts, nested ``()``/``[]`` groups) this covers Unicode sub- and superscripts (``Li₁₀GeP₂S₁₂``),
    explicit 1s (``Ge1``), OBELiX's whole-cell "true compositions" (``Li20.0Ge2.0P4.0S24.0`` is reduced to
    ``Li10GeP2S12``), a stray hyphen left by text extraction (``Li7-La3Zr2O12``, where a lone element with a count
    stands on one side), adducts (``LiCl·H2O``) and pseudo-binary mixtures written with proportions
    (``70Li2S-29P2S5-1P2O5``, ``(Li2S)75(P2S5)25``, ``75Li2S·25P2S5``): a mixture with proportions *is* a
    composition, and ``components`` keeps its end members;
``system``
    end members joined without proportions (``Li2S-P2S5``, ``LiBH4/LiI``, ``Li-In``): a family of compositions of
    variable ratio, never one composition (``amounts`` is empty; ``components`` holds the end members);
``not_a_formula``
    a name or abbreviation (``LLZO``, ``lithium lanthanum zirconate``), an ion or charged group (``PS4(3-)``,
    ``TFSI-``, ``PS₄³⁻``), or a placeholder formula (``MxOy``, ``LiBH4-LiX``, ``Li4-xGe1-xPxS4``); ``note`` says which.

A phase named with the formula is kept apart in ``phase``: a space group in brackets as OBELiX rows give it
(``Li7La3Zr2O12 (I41/acd)``), a polymorph letter (``β-Li3PS4``), a crystal-system prefix or word (``c-LLZO``,
``cubic``), or a state (``glass``, ``glassy``, ``amorphous``, ``glass-ceramic``, ``crystalline``).

:func:`compare` says whether two formulas name the ``same`` composition, a ``variant`` (a doped or substituted
member of the same host: to be linked, never merged) or ``different`` ones. Compositions are compared as atomic
fractions (every amount divided by the total), so the scale a source writes a formula at never matters. The
tolerances, as constants:

``SAME_TOLERANCE`` (0.5 %)
    the largest relative difference of any element's atomic fraction for two formulas to be the same. Amounts are
    printed to three significant figures at best (``0.333`` for 1/3, ``6.67``); rounding at the third figure moves an
    amount by at most 0.5 %. ``Li51.2La24.0Zr11.2Ta4.8O96.0`` and ``Li6.4La3Zr1.4Ta0.6O12`` agree exactly.
``ROUNDING_TOLERANCE`` (2.5 %)
    up to this difference two compositions may still be one material written with two significant figures (``0.33``
    for 1/3 is 1 % off; 0.005 on an amount of 0.2 is 2.5 %). :func:`near` flags them; whether they are one material
    is for a person to settle (the resolver asks). OBELiX's ``Li3.335Sn0.33P0.67S4`` is 1.0 % from ``Li10SnP2S12``;
    its neighbours in the same series (``Li3.3Sn0.3P0.7S4``, ``Li3.35Ge0.35P0.65S4`` against ``Li10GeP2S12``)
    differ by 4.6 % to 10 %: series in OBELiX step by at least 0.05 in x, well above the band.
``MINORITY_FRACTION`` (5 %)
    an element below this atomic fraction is a minority species: a dopant or a substituent (Ta, Al, Ga or Nb in
    LLZO: 1 to 3 %; Ge or Sn in LGPS/LSPS: 4 %). A *variant* shares at least two elements with its host; every
    element present on one side only is a minority species; and if both have the same elements, they hold a
    minority element (the dopant of a series: Li1.3Al0.3Ge1.7(PO4)3 vs LAGP). Two compounds of the same elements
    without a minority element (Li7P3S11 vs Li3PS4) are different compounds, not variants; a full replacement of a
    major element (Ti for Ge: LATP vs LAGP, 8 %) is a different compound of the same family. When each side holds
    an element the other lacks, it must be a substitution: one element for one, in amounts within a factor of two.
``VARIANT_MAX_DISTANCE`` (5 %)
    the largest share of atoms that may change between a variant and its host (half the sum of the absolute
    differences of the atomic fractions): a dopant or substituent changes a few per cent of the atoms (Ta-doped LLZO:
    4.2 %; Sn for Ge in LGPS: 4 %). Further apart, a composition is another member of the family, not a doped host:
    Li3PS4 is 6.5 % from LGPS (the end member of the Li4-xGe1-xPxS4 series), Li6La3ZrTaO12 6 % from LLZO.
``SUBSTITUTION_FACTOR`` (3)
    the atoms that change may be at most three times the dopant's share: a substituent and the charge compensation
    it brings (Ta5+ for Zr4+ removes as much Li+: 1.6 times the Ta; Al3+ for three Li+: 2.4 times the Al). A
    composition that differs from another mostly in its major elements is not a variant of it, even if it also
    holds a minority element the other lacks (Li3PS4 against the P2O5-doped 70Li2S-30P2S5 glass: 3.5 times).

pymatgen is imported inside the functions that need it, so that ``import kg`` stays fast; results are cached.

>>> parse("Li₁₀Ge₁P₂S₁₂").reduced
'Li10GeP2S12'
>>> compare("Li20.0Ge2.0P4.0S24.0", "Li10GeP2S12")
'same'
>>> compare("Li6.4La3Zr1.4Ta0.6O12", "Li7La3Zr2O12")
'variant'
>>> parse("Li2S-P2S5").kind
'system'
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from kg.core.errors import InputError

COMPOSITION = "composition"
SYSTEM = "system"
NOT_A_FORMULA = "not_a_formula"

SAME = "same"
VARIANT = "variant"
DIFFERENT = "different"

# The tolerances (see the module's documentation for why these values).
SAME_TOLERANCE = 0.005
ROUNDING_TOLERANCE = 0.025
MINORITY_FRACTION = 0.05
VARIANT_MAX_DISTANCE = 0.05
SUBSTITUTION_FACTOR = 3.0
# A formula balances charge when some choice of common oxidation states leaves a net charge below this share of
# the total positive charge (0.01 in Li0.33La0.56TiO3 is 0.17 %; LLZTe's printed formula is 1 % off).
CHARGE_TOLERANCE = 0.005

# The chemical elements (D and T, which pymatgen also reads, are isotopes, not symbols a formula here uses).
ELEMENTS = frozenset(
    """H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr
    Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt
    Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv
    Ts Og""".split()
)

# Polymorphs named by a Greek letter whose space group is settled in the literature, so that "β-Li3PS4" can be
# compared with an OBELiX row "Li3PS4 (Pnma)". Li3PS4: gamma Pmn2_1 (stable at room temperature), beta Pnma,
# alpha Cmcm (Homma et al., Solid State Ionics 182 (2011) 53; Kaup et al. 2018). Li3N: alpha P6/mmm, beta P6_3/mmc.
# LiAlO2: alpha R-3m, gamma P4_12_12.
POLYMORPHS: dict[str, dict[str, str]] = {
    "Li3PS4": {"α": "Cmcm", "β": "Pnma", "γ": "Pmn21"},
    "Li3N": {"α": "P6/mmm", "β": "P63/mmc"},
    "LiAlO2": {"α": "R-3m", "γ": "P41212"},
}

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻", "0123456789+-")
_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉₊₋", "0123456789+-")
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "∙": "·", "⋅": "·", "•": "·"})

_GREEK = {"α": "α", "alpha": "α", "β": "β", "beta": "β", "γ": "γ", "gamma": "γ", "δ": "δ", "delta": "δ"}
_SYSTEM_LETTERS = {
    "c": "cubic",
    "t": "tetragonal",
    "o": "orthorhombic",
    "m": "monoclinic",
    "h": "hexagonal",
    "r": "trigonal",
    "a": "amorphous",
}
_PHASE_WORDS = {
    "cubic": "cubic",
    "tetragonal": "tetragonal",
    "orthorhombic": "orthorhombic",
    "monoclinic": "monoclinic",
    "triclinic": "triclinic",
    "hexagonal": "hexagonal",
    "trigonal": "trigonal",
    "rhombohedral": "trigonal",
    "glass": "amorphous",
    "glassy": "amorphous",
    "amorphous": "amorphous",
    "crystalline": "crystalline",
    "glass-ceramic": "glass-ceramic",
    "glass-ceramics": "glass-ceramic",
    "glass ceramic": "glass-ceramic",
    "glass ceramics": "glass-ceramic",
}
_STATES = ("amorphous", "glass-ceramic", "crystalline")
_CRYSTAL_SYSTEMS = ("triclinic", "monoclinic", "orthorhombic", "tetragonal", "trigonal", "hexagonal", "cubic")

_PREFIX_GREEK = re.compile(r"^(α|β|γ|δ|alpha|beta|gamma|delta)(?:-|\s+)(?=\S)", re.IGNORECASE)
_PREFIX_SYSTEM = re.compile(r"^([ctomhra])-(?=[A-Z])")
_PREFIX_WORD = re.compile(r"^(" + "|".join(sorted(_PHASE_WORDS, key=len, reverse=True)) + r")\s+(?=\S)", re.IGNORECASE)
_SUFFIX_WORD = re.compile(r"\s+(glass[- ]ceramics?|glassy|glass|amorphous|crystalline)$", re.IGNORECASE)
_SUFFIX_BRACKET = re.compile(r"(\s*)[\(\[]\s*([^()\[\]]+?)\s*[\)\]]$")

_ION = re.compile(r"(?:\^\s*\d*[+-]|\(\s*\d*[+-]\s*\)|\d*[+-])$")
_NAME_WORD = re.compile(r"[a-z]{3,}")
_ALLOWED = re.compile(r"[A-Za-z0-9.()\[\]{}\-/+·*]+")
_TOKEN = re.compile(r"[A-Z][a-z]?|[a-z]")
_COEFFICIENT = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)(?=[A-Z(\[{])")
_GROUP = re.compile(r"[(\[{]([^()\[\]{}]+)[)\]}](\d+(?:\.\d+)?|\.\d+)?")
_LONE = re.compile(r"^[A-Z][a-z]?(\d+(?:\.\d+)?|\.\d+)$")
_PLACEHOLDERS = frozenset("M X A B E G J L Q R T Z Ln RE Me Hal".split())
_SEPARATORS = "-/+·*"


@dataclass(frozen=True)
class Formula:
    """What a formula text says, read by :func:`parse`.

    ``reduced`` is the normalised formula (elements in pymatgen's electronegativity order, counts of 1 left out):
    one formula unit for a composition (OBELiX cells divided by Z), the end members joined by ``-`` for a system.
    ``amounts`` are the element amounts per formula unit, ``fractions`` the atomic fractions (both empty for a
    system and for text that is not a formula). ``key`` is exact and scale-free: the amounts as the smallest whole
    numbers (``Li32La15Zr7Ta3O60`` for both ``Li6.4La3Zr1.4Ta0.6O12`` and its OBELiX cell), or ``Li2S+P2S5`` for a
    system. ``components`` are the end members of a system or of a mixture written with proportions.
    """

    text: str
    kind: str
    reduced: str | None = None
    amounts: tuple[tuple[str, float], ...] = ()
    fractions: tuple[tuple[str, float], ...] = ()
    phase: str | None = None
    components: tuple[str, ...] = ()
    key: str | None = None
    note: str = ""
    elements: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_composition(self) -> bool:
        return self.kind == COMPOSITION

    @property
    def is_mixture(self) -> bool:
        """A composition written as end members with proportions (``70Li2S-30P2S5``)."""
        return self.kind == COMPOSITION and bool(self.components)

    def __str__(self) -> str:
        shown = self.reduced or self.text
        return f"{shown} ({self.phase})" if self.phase else shown


# --------------------------------------------------------------------------------------------------- text


def clean(text: str) -> str:
    """Ordinary characters for what rich text writes: superscripts become ``^`` and ASCII (a charge: ``³⁻`` ->
    ``^3-``), subscripts ASCII digits, dashes and the minus sign ``-``, middle dots ``·``; NFKC; single spaces.

    >>> clean("PS₄³⁻"), clean("Li2S–P2S5"), clean("Li₆.₄La₃")
    ('PS4^3-', 'Li2S-P2S5', 'Li6.4La3')
    """
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻]+", lambda m: "^" + m.group().translate(_SUPERSCRIPT), str(text))
    text = unicodedata.normalize("NFKC", text.translate(_SUBSCRIPT)).translate(_DASHES)
    return " ".join(text.split())


@lru_cache(maxsize=1)
def _space_group_table() -> dict[str, tuple[int, str]]:
    """Hermann-Mauguin symbols (short and full, without spaces or underscores) -> (number, short symbol)."""
    from pymatgen.symmetry import groups

    short = {full: abbreviated for abbreviated, full in groups.SYMM_DATA["abbreviated_spacegroup_symbols"].items()}
    table: dict[str, tuple[int, str]] = {}
    for number in range(1, 231):
        full = groups.sg_symbol_from_int_number(number)
        symbol = short.get(full, full).replace("_", "")
        table.setdefault(_sg_key(symbol), (number, symbol))
        table.setdefault(_sg_key(full), (number, symbol))
    return table


def _sg_key(text: str) -> str:
    return re.sub(r"[\s_]", "", text)


def space_group(text: str) -> tuple[int, str] | None:
    """The number and short symbol of a space group written in Hermann-Mauguin notation, spaces and
    underscores allowed; ``None`` if it is not one.

    >>> space_group("P 21 21 21"), space_group("I4_1/acd"), space_group("Pnma"), space_group("PO4")
    ((19, 'P212121'), (142, 'I41/acd'), (62, 'Pnma'), None)
    """
    key = _sg_key(clean(text))
    if not key or not re.match(r"^[PIFCABR]", key):
        return None
    return _space_group_table().get(key)


def crystal_system(number: int) -> str:
    """The crystal system of space group ``number`` (1-230).

    >>> crystal_system(230), crystal_system(142)
    ('cubic', 'tetragonal')
    """
    for upper, name in ((2, "triclinic"), (15, "monoclinic"), (74, "orthorhombic"), (142, "tetragonal")):
        if number <= upper:
            return name
    return "trigonal" if number <= 167 else "hexagonal" if number <= 194 else "cubic"


def _phase_word(text: str) -> str | None:
    return _PHASE_WORDS.get(" ".join(text.lower().split()))


def split_phase(text: str) -> tuple[str, str | None]:
    """``text`` without the phase it names, and that phase (see the module's documentation), or ``None``.

    >>> split_phase("Li7La3Zr2O12 (I41/acd)"), split_phase("β-Li3PS4"), split_phase("c-LLZO")
    (('Li7La3Zr2O12', 'I41/acd'), ('Li3PS4', 'β'), ('LLZO', 'cubic'))
    >>> split_phase("75Li2S-25P2S5 glass"), split_phase("Li2(PO2N)")
    (('75Li2S-25P2S5', 'amorphous'), ('Li2(PO2N)', None))
    """
    core = clean(text)
    found: list[str] = []
    m = _SUFFIX_BRACKET.search(core)
    if m:
        inside = m.group(2)
        group = space_group(inside) if re.search(r"[a-z/\-]|\s", inside) or m.group(1) else None
        word = _phase_word(inside)
        if group is not None:
            found.append(group[1])
            core = core[: m.start()].strip()
        elif word is not None:
            found.append(word)
            core = core[: m.start()].strip()
    m = _SUFFIX_WORD.search(core)
    if m:
        found.append(_phase_word(m.group(1)) or "amorphous")
        core = core[: m.start()].strip()
    m = _PREFIX_GREEK.match(core)
    if m:
        found.append(_GREEK[m.group(1).lower()])
        core = core[m.end() :]
    else:
        m = _PREFIX_SYSTEM.match(core)
        if m:
            found.append(_SYSTEM_LETTERS[m.group(1)])
            core = core[m.end() :]
        else:
            m = _PREFIX_WORD.match(core)
            if m:
                found.append(_PHASE_WORDS[" ".join(m.group(1).lower().split())])
                core = core[m.end() :]
    if not found:
        return core, None

    # The most specific phase named wins: a space group, then a polymorph letter, a crystal system, a state.
    def rank(phase: str) -> int:
        if phase in _STATES:
            return 3
        if phase in _CRYSTAL_SYSTEMS:
            return 2
        return 1 if phase in _GREEK.values() else 0

    return core.strip(), min(found, key=rank)


def _phase_term(phase: str, formula: Formula | None) -> tuple[str, object]:
    """A phase as something comparable: ("sg", number), ("system", name), ("state", name), ("letter", letter)."""
    if phase in _STATES:
        return "state", phase
    if phase in _CRYSTAL_SYSTEMS:
        return "system", phase
    if phase in _GREEK.values():
        if formula is not None and formula.reduced in POLYMORPHS:
            symbol = POLYMORPHS[formula.reduced].get(phase)
            group = space_group(symbol) if symbol else None
            if group is not None:
                return "sg", group[0]
        return "letter", phase
    group = space_group(phase)
    if group is not None:
        return "sg", group[0]
    return "text", _sg_key(phase).lower()


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


# --------------------------------------------------------------------------------------------------- parsing


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
    return bool(m) and abs(float(m.group(1)) - 1) > 1e-9


def _formula(value: Formula | str) -> Formula:
    return value if isinstance(value, Formula) else parse(value)


# --------------------------------------------------------------------------------------------------- comparing


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


# --------------------------------------------------------------------------------------------------- chemical names

# English element names as they appear in material names (with the spellings and misspellings the literature
# uses: aluminum, sulphur, phosphorous, cesium).
_ELEMENT_NAMES = {
    "hydrogen": "H",
    "lithium": "Li",
    "beryllium": "Be",
    "boron": "B",
    "carbon": "C",
    "nitrogen": "N",
    "oxygen": "O",
    "fluorine": "F",
    "sodium": "Na",
    "magnesium": "Mg",
    "aluminium": "Al",
    "aluminum": "Al",
    "silicon": "Si",
    "phosphorus": "P",
    "phosphorous": "P",
    "sulfur": "S",
    "sulphur": "S",
    "chlorine": "Cl",
    "potassium": "K",
    "calcium": "Ca",
    "scandium": "Sc",
    "titanium": "Ti",
    "vanadium": "V",
    "chromium": "Cr",
    "manganese": "Mn",
    "iron": "Fe",
    "cobalt": "Co",
    "nickel": "Ni",
    "copper": "Cu",
    "zinc": "Zn",
    "gallium": "Ga",
    "germanium": "Ge",
    "arsenic": "As",
    "selenium": "Se",
    "bromine": "Br",
    "rubidium": "Rb",
    "strontium": "Sr",
    "yttrium": "Y",
    "zirconium": "Zr",
    "niobium": "Nb",
    "molybdenum": "Mo",
    "silver": "Ag",
    "indium": "In",
    "tin": "Sn",
    "antimony": "Sb",
    "tellurium": "Te",
    "iodine": "I",
    "caesium": "Cs",
    "cesium": "Cs",
    "barium": "Ba",
    "lanthanum": "La",
    "cerium": "Ce",
    "hafnium": "Hf",
    "tantalum": "Ta",
    "tungsten": "W",
    "bismuth": "Bi",
    "lead": "Pb",
    "gold": "Au",
}
# Anion and class words: -ide names the element alone, -ate adds oxygen ("thio" replaces it by sulfur).
_ANION_WORDS = {
    "oxide": {"O"},
    "dioxide": {"O"},
    "sulfide": {"S"},
    "sulphide": {"S"},
    "disulfide": {"S"},
    "nitride": {"N"},
    "hydride": {"H"},
    "fluoride": {"F"},
    "chloride": {"Cl"},
    "bromide": {"Br"},
    "iodide": {"I"},
    "halide": {"X"},
    "phosphide": {"P"},
    "carbide": {"C"},
    "selenide": {"Se"},
    "telluride": {"Te"},
    "hydroxide": {"O", "H"},
}
_ATE_STEMS = {
    "phosph": "P",
    "sulf": "S",
    "sulph": "S",
    "nitr": "N",
    "carbon": "C",
    "bor": "B",
    "silic": "Si",
    "titan": "Ti",
    "zircon": "Zr",
    "german": "Ge",
    "alumin": "Al",
    "niob": "Nb",
    "tantal": "Ta",
    "stann": "Sn",
    "lanthan": "La",
}
_CHEMICAL_PREFIXES = {"thio": "S", "oxy": "O", "boro": "B", "fluoro": "F", "chloro": "Cl"}
# Misnamings a chemist reads as the right word: "borohydrate" for borohydride (no borohydrate is meant).
_MISNAMINGS = {"borohydrate": "borohydride"}


def _word_elements(word: str) -> frozenset[str] | None:
    word = _MISNAMINGS.get(word, word)
    if word in _ELEMENT_NAMES:
        return frozenset({_ELEMENT_NAMES[word]})
    found: set[str] = set()
    thio = False
    changed = True
    while changed:
        changed = False
        for prefix, el in _CHEMICAL_PREFIXES.items():
            if word.startswith(prefix) and len(word) > len(prefix) + 2:
                found.add(el)
                thio = thio or prefix == "thio"
                word = word[len(prefix) :]
                changed = True
    if word in _ANION_WORDS:
        return frozenset(found | _ANION_WORDS[word])
    if word.endswith("ate") and word[:-3] in _ATE_STEMS:
        return frozenset(found | {_ATE_STEMS[word[:-3]]} | (set() if thio else {"O"}))
    return None


def name_elements(text: str) -> tuple[frozenset[str], int, tuple[str, ...]]:
    """The elements a material's name spells out in words, how many of its words are chemical, and its other words.

    >>> els, n, rest = name_elements("lithium germanium thiophosphate")
    >>> sorted(els), n, rest
    (['Ge', 'Li', 'P', 'S'], 3, ())
    >>> sorted(name_elements("lithium borohydrate")[0]), name_elements("lithium thiophosphate glass")[2]
    (['B', 'H', 'Li'], ('glass',))
    """
    elements: set[str] = set()
    count = 0
    others: list[str] = []
    for word in re.findall(r"[a-z]+", clean(text).lower()):
        found = _word_elements(word)
        if found is None:
            others.append(word)
        else:
            elements |= found
            count += 1
    return frozenset(elements), count, tuple(others)
