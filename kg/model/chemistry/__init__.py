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

The package in its rooms: :mod:`.formula` (the kinds, verdicts and tolerances above, the elements and
:class:`Formula`), :mod:`.text` (text made plain, space groups, the phase named with a formula), :mod:`.parsing`
(:func:`parse`), :mod:`.compare` (phases, compositions, systems, charge balance and misprints) and :mod:`.names`
(the elements a name spells out in words).

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

from kg.model.chemistry.compare import (
    charge_balanced,
    compare,
    deviation,
    distance,
    in_system,
    is_variant,
    misprint,
    near,
    same_phase,
)
from kg.model.chemistry.formula import (
    CHARGE_TOLERANCE,
    COMPOSITION,
    DIFFERENT,
    ELEMENTS,
    MINORITY_FRACTION,
    NOT_A_FORMULA,
    ROUNDING_TOLERANCE,
    SAME,
    SAME_TOLERANCE,
    SUBSTITUTION_FACTOR,
    SYSTEM,
    VARIANT,
    VARIANT_MAX_DISTANCE,
    Formula,
)
from kg.model.chemistry.names import name_elements
from kg.model.chemistry.parsing import parse
from kg.model.chemistry.text import POLYMORPHS, clean, crystal_system, space_group, split_phase

__all__ = [
    "CHARGE_TOLERANCE",
    "COMPOSITION",
    "DIFFERENT",
    "ELEMENTS",
    "Formula",
    "MINORITY_FRACTION",
    "NOT_A_FORMULA",
    "POLYMORPHS",
    "ROUNDING_TOLERANCE",
    "SAME",
    "SAME_TOLERANCE",
    "SUBSTITUTION_FACTOR",
    "SYSTEM",
    "VARIANT",
    "VARIANT_MAX_DISTANCE",
    "charge_balanced",
    "clean",
    "compare",
    "crystal_system",
    "deviation",
    "distance",
    "in_system",
    "is_variant",
    "misprint",
    "name_elements",
    "near",
    "parse",
    "same_phase",
    "space_group",
    "split_phase",
]
