"""Formula text made plain (:func:`clean`), and the phase named with a formula (:func:`split_phase`): a space
group (:func:`space_group`, :func:`crystal_system`), a polymorph letter, a crystal-system prefix or word, a state."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kg.model.chemistry.formula import Formula

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
