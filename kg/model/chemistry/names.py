"""Material names in words (``lithium germanium thiophosphate``): the elements they spell out
(:func:`name_elements`)."""

from __future__ import annotations

import re

from kg.model.chemistry.text import clean

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
