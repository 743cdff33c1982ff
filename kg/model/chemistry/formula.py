"""What a formula text is: the kinds :func:`~kg.model.chemistry.parse` tells apart, the verdicts of
:func:`~kg.model.chemistry.compare` and the tolerances behind them (the package's documentation says why these
values), the chemical elements, and :class:`Formula`, the reading of one text."""

from __future__ import annotations

from dataclasses import dataclass, field

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
