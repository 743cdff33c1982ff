"""The candidates indexed once, by normalised name, components and composition (:class:`_Index`, the base of
:class:`~kg.model.resolution.Resolver`), and the helpers every rule uses to weigh a candidate and word a
decision."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.core.namespaces import expand
from kg.model import chemistry as chem
from kg.model.resolution.data import FAMILY_KIND, MATERIAL_KINDS, Candidate, Decision, Mention, Scored
from kg.model.resolution.names import _components, _looks_like_iri, is_abbreviation, name_key


@dataclass
class _Entry:
    cand: Candidate
    names: list[tuple[str, str]]  # (text, "label" | "alt")
    comp: chem.Formula | None = None
    fractions: dict[str, float] = field(default_factory=dict)
    system: chem.Formula | None = None
    group: bool = False
    phase: str | None = None
    spelled: frozenset[str] | Counter | None = None
    families: frozenset[str] = frozenset()  # its families and their ancestors
    oxide: bool = False


class _Index:
    """Candidates indexed for resolution: what the rules of :class:`~kg.model.resolution.Resolver` look up."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.entries: dict[str, _Entry] = {}
        for cand in sorted(candidates, key=lambda c: c.iri):
            names = [(cand.label, "label")] + [(a, "alt") for a in cand.alt_labels]
            self.entries[cand.iri] = _Entry(cand, names)
        parents = {e.cand.iri: e.cand.parents for e in self.entries.values() if e.cand.kind == FAMILY_KIND}
        self.ancestors = {iri: self._closure(iri, parents) for iri in parents}
        self.by_name: dict[str, list[tuple[str, str, str]]] = {}  # key -> [(iri, field, text)]
        self.by_components: dict[tuple[str, ...], set[str]] = {}
        self.members: dict[str, list[str]] = {}
        for entry in self.entries.values():
            self._read_chemistry(entry)
            for text, fld in entry.names:
                self.by_name.setdefault(name_key(text), []).append((entry.cand.iri, fld, text))
                comps = _components(text)
                if comps:
                    self.by_components.setdefault(comps, set()).add(entry.cand.iri)
            fams: set[str] = set()
            for fam in entry.cand.families:
                fams |= self.ancestors.get(fam, {fam})
                self.members.setdefault(fam, []).append(entry.cand.iri)
            entry.families = frozenset(fams)
        self.with_comp = [e for e in self.entries.values() if e.comp is not None]
        self.with_system = [e for e in self.entries.values() if e.system is not None]
        self.with_spelled = [e for e in self.entries.values() if e.spelled is not None]
        self._fuzzy_cache: dict[tuple[str, ...] | None, tuple[list[str], list[tuple[str, str]], list[str]]] = {}

    @staticmethod
    def _closure(iri: str, parents: Mapping[str, Sequence[str]]) -> frozenset[str]:
        seen, todo = {iri}, [iri]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    def _read_chemistry(self, entry: _Entry) -> None:
        """The entry's composition or system (its formula, else a label that is one), whether it groups several
        materials, the phase its labels name, what its abbreviation spells when it has no formula."""
        chemistries: dict[str, chem.Formula] = {}
        formula = chem.parse(entry.cand.formula) if entry.cand.formula else None
        if formula is not None:
            if formula.kind in (chem.COMPOSITION, chem.SYSTEM):
                chemistries[formula.key] = formula  # type: ignore[index]
            elif "placeholder" in formula.note:
                entry.group = True
        for text, _ in entry.names:
            f = chem.parse(text)
            if f.phase and entry.phase is None:
                entry.phase = f.phase
            elif entry.phase is None:
                entry.phase = chem.split_phase(text)[1]
            explicit = f.kind == chem.SYSTEM or (f.kind == chem.COMPOSITION and re.search(r"[\d()]", text))
            if explicit:
                chemistries.setdefault(f.key, f)  # type: ignore[arg-type]
        if len(chemistries) > 1:
            entry.group = True
        chosen = formula if formula is not None and formula.key in chemistries else None
        chosen = chosen or (next(iter(chemistries.values())) if chemistries else None)
        if chosen is not None and chosen.kind == chem.COMPOSITION:
            entry.comp = chosen
            entry.fractions = dict(chosen.fractions)
            entry.oxide = entry.fractions.get("O", 0.0) >= 1 / 3
        elif chosen is not None:
            entry.system = chosen
        if entry.comp is None and entry.system is None and entry.cand.kind in MATERIAL_KINDS:
            entry.spelled = self._spelled(entry)

    @staticmethod
    def _spelled(entry: _Entry) -> frozenset[str] | Counter | None:
        """What an entity without a formula spells in an abbreviation: the elements of a label that reads as a
        formula (LiPON), else the capitals of an abbreviation that starts with L for lithium (LLZNO: L L Z N O)."""
        for text, _ in entry.names:
            if not is_abbreviation(text) and not re.fullmatch(r"[A-Z][A-Za-z]*", text):
                continue
            f = chem.parse(text)
            if f.kind in (chem.COMPOSITION, chem.SYSTEM):
                return f.elements
        for text, _ in entry.names:
            if re.fullmatch(r"L[A-Z]{2,7}", text):
                return Counter(text)
        return None

    # ------------------------------------------------------------------------------------------- helpers

    def _kind_ok(self, iri: str, kinds: tuple[str, ...] | None) -> bool:
        return kinds is None or self.entries[iri].cand.kind in kinds

    def _scored(self, iri: str, score: float, why: str) -> Scored:
        c = self.entries[iri].cand
        return Scored(iri, c.label, c.kind, round(score, 4), why)

    def _family_iri(self, hint: str | None) -> str | None:
        if not hint:
            return None
        if _looks_like_iri(hint):
            iri = expand(hint)
            return iri if iri in self.entries else None
        for iri, _, _ in self.by_name.get(name_key(hint), []):
            if self.entries[iri].cand.kind == FAMILY_KIND:
                return iri
        return None

    def _in_family(self, iri: str, family: str | None) -> bool:
        if family is None:
            return False
        entry = self.entries[iri]
        return family in entry.families or bool(entry.families & self.ancestors.get(family, frozenset()))

    def _decide(
        self,
        mention: Mention,
        outcome: str,
        iri: str | None,
        how: str | None,
        score: float,
        rule: str,
        reason: str,
        considered: Sequence[Scored] = (),
    ) -> Decision:
        seen: dict[str, Scored] = {}
        for s in considered:  # callers order the candidates: the ones to choose from first
            seen.setdefault(s.iri, s)
        ordered = tuple(seen.values())
        label = self.entries[iri].cand.label if iri in self.entries else None
        return Decision(mention, outcome, iri, label, how, round(score, 4), ordered, reason, rule)

    def _exact_hits(self, texts: Iterable[str], kinds) -> list[tuple[str, str, str]]:
        hits = []
        for text in texts:
            for iri, fld, label in self.by_name.get(name_key(text), []):
                if self._kind_ok(iri, kinds):
                    hits.append((iri, fld, label))
        return sorted(set(hits))


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word if word else "the expected kind"
