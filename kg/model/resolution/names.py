"""Names as the resolver compares them: exactly (:func:`name_key`), as mixtures of components, as abbreviations
(:func:`is_abbreviation`), as IRIs, and by similarity (the text rapidfuzz scores, and the words two names do not
share)."""

from __future__ import annotations

import os
import re

from kg.core.namespaces import PREFIXES
from kg.model import chemistry as chem

_GREEK_NAMES = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "σ": "sigma"}


def name_key(text: str) -> str:
    """A name as it is compared exactly: NFKC, sub/superscripts and dashes as ASCII, case folded, Greek letters
    spelt out, spaces around ``/`` and ``-`` removed, single spaces.

    >>> name_key("β-Li₃PS₄") == name_key("beta-Li3PS4"), name_key("Li–In"), name_key("PEO / LiTFSI")
    (True, 'li-in', 'peo/litfsi')
    """
    text = chem.clean(text)
    text = "".join(_GREEK_NAMES.get(ch, ch) for ch in text).casefold()
    return re.sub(r"\s*([/-])\s*", r"\1", text).strip()


def _fuzzy_text(text: str) -> str:
    text = "".join(_GREEK_NAMES.get(ch, ch) for ch in chem.clean(text)).casefold()
    return " ".join(re.findall(r"[0-9a-z+]+", text))


def _canonical(text: str) -> tuple[frozenset[str], str] | None:
    """For a chemical name (two or more words naming elements or anions): its elements and a canonical string of
    element symbols and the other words, both sorted."""
    elements, count, others = chem.name_elements(text)
    if count < 2:
        return None
    return elements, " ".join(sorted(elements) + sorted(others))


def is_abbreviation(text: str) -> bool:
    """One token with two or more capitals (LATP, PVdF, LiPON, Al-LLZO): letters that stand for elements or words,
    which string similarity must not compare.

    >>> is_abbreviation("LATP"), is_abbreviation("lithium borohydrate"), is_abbreviation("garnet")
    (True, False, False)
    """
    text = chem.clean(text)
    return " " not in text and len(text) <= 16 and sum(ch.isupper() for ch in text) >= 2


def _components(text: str) -> tuple[str, ...] | None:
    """``LiTFSI-PEO`` -> ('litfsi', 'peo'): the parts of a mixture name joined by / or -, or None."""
    key = name_key(text)
    parts = [p for p in re.split(r"[/-]", key) if p]
    if len(parts) < 2 or " " in key or any(len(p) < 2 for p in parts):
        return None
    return tuple(sorted(parts))


def _tokens(text: str) -> frozenset[str]:
    return frozenset(t for t in re.split(r"[\s/,()\-]+", name_key(text)) if t)


def _looks_like_iri(text: str) -> bool:
    if text.startswith(("http://", "https://", "urn:", "<")):
        return True
    prefix, sep, local = text.partition(":")
    return bool(sep) and prefix in PREFIXES and bool(local) and " " not in text


_STOP_WORDS = frozenset("a an and at by for from in of on or the to with".split())


def _same_word(a: str, b: str) -> bool:
    """Spelling variants and inflections of one word (sulphide/sulfide, cracks/cracking), not different words."""
    from rapidfuzz import fuzz

    if a == b or (a[0] == b[0] and fuzz.ratio(a, b) >= 80):
        return True
    prefix = len(os.path.commonprefix([a, b]))
    return prefix >= 5 and prefix >= 0.6 * min(len(a), len(b))


def _swapped_words(a: str, b: str) -> tuple[str, str] | None:
    """A word of ``a`` and a word of ``b`` that stand in each other's place, or None: names of different entities
    often differ by one meaningful word only (Ta- vs Te-doped LLZO, hybrid vs hydride electrolyte, block vs
    triblock copolymer), which a string score cannot tell from a spelling variant."""
    from rapidfuzz import fuzz

    wa, wb = _fuzzy_text(a), _fuzzy_text(b)
    if fuzz.ratio(wa.replace(" ", ""), wb.replace(" ", "")) >= 95:
        return None  # the same letters, spaced differently: polyethylene oxide, poly(ethylene oxide)
    only_a = [w for w in wa.split() if w not in _STOP_WORDS and not any(_same_word(w, v) for v in wb.split())]
    only_b = [w for w in wb.split() if w not in _STOP_WORDS and not any(_same_word(w, v) for v in wa.split())]
    return (only_a[0], only_b[0]) if only_a and only_b else None
