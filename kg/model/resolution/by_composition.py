"""The rules on compositions and systems (``composition``, ``phase``, ``rounding``, ``misprint``, ``system``,
``no-formula``, ``group``, ``name-blocked``, ``variant``): a mention with a formula compared with every entity's
formula by :mod:`kg.model.chemistry`, before any name is looked at."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from kg.core.errors import echo
from kg.model import chemistry as chem
from kg.model.resolution.data import AMBIGUOUS, MATCHED, MATERIAL_KINDS, NEW, VARIANT, Decision, Mention, Scored
from kg.model.resolution.index import _Index


class _CompositionRules(_Index):
    """The resolver's rules on compositions and systems."""

    def _by_composition(self, mention: Mention, f: chem.Formula, phase: str | None, kinds, family) -> Decision | None:
        exact: list[Scored] = []
        ask: list[Scored] = []
        rules: list[str] = []
        variants: list[tuple[int, float, int, str]] = []  # (elements absent, distance, 0 if in the family, iri)
        notes: list[str] = []
        fractions = dict(f.fractions)
        for entry in self.with_comp:
            comp = entry.comp
            assert comp is not None  # with_comp holds the entries that have a composition
            iri = entry.cand.iri
            if not self._kind_ok(iri, kinds):
                continue
            dev = _deviation(fractions, entry.fractions)
            label = entry.cand.label
            if dev <= chem.SAME_TOLERANCE:
                if entry.group:
                    ask.append(self._scored(iri, 1.0, f"{label} groups several materials"))
                    rules.append("group")
                    continue
                same = chem.same_phase(phase, entry.phase, comp)
                if phase is None and entry.phase is None or same is True:
                    exact.append(self._scored(iri, 1.0 - dev, f"composition {comp.reduced}"))
                elif same is False:
                    notes.append(f"same composition as {label} but another phase ({phase} vs {entry.phase})")
                else:
                    side = f"{label} is {entry.phase}" if entry.phase else f"the mention is {phase}, {label} names none"
                    ask.append(self._scored(iri, 1.0 - dev, f"same composition; phase open: {side}"))
                    rules.append("phase")
                continue
            if dev <= chem.ROUNDING_TOLERANCE:
                ask.append(self._scored(iri, 1.0 - dev, f"{comp.reduced} within rounding ({dev:.1%} apart)"))
                rules.append("rounding")
                continue
            why = chem.misprint(f, comp)
            if why:
                ask.append(self._scored(iri, 0.9, why))
                rules.append("misprint")
                continue
            if chem.is_variant(f, comp):
                # A host is the mention's parent, all its elements in the mention (Al-LLZO's host is LLZO, not
                # LLZTe), or differs by one element substituted for one (Sn for Ge); a doped entity is not the
                # host of a composition that lacks its dopant (Li7P3S11 is not a variant of the P2O5-doped glass).
                absent = len(comp.elements - f.elements)
                if absent and not (absent == 1 and len(f.elements - comp.elements) == 1):
                    continue
                in_family = 0 if self._in_family(iri, family) else 1
                variants.append((absent, round(chem.distance(f, comp), 9), in_family, iri))
        for entry in self.with_system:
            system = entry.system
            assert system is not None  # with_system holds the entries that have a system
            iri = entry.cand.iri
            if not self._kind_ok(iri, kinds) or not chem.in_system(f, system):
                continue
            glass = entry.phase == "amorphous"
            mixture = f.is_mixture and set(f.components) == set(system.components)
            if mixture or (not glass) or phase == "amorphous":
                how = "written as a mixture of its end members" if mixture else "a compound of this system"
                ask.append(self._scored(iri, 0.8, f"inside the system {system.reduced}, {how}"))
                rules.append("system")
        names = (mention.name, *mention.abbreviations)
        for iri, _, text in self._exact_hits(names, kinds):
            entry = self.entries[iri]
            if entry.comp is not None:
                if _deviation(fractions, entry.fractions) > chem.SAME_TOLERANCE:
                    notes.append(f"the name {echo(text)} is {entry.cand.label}'s, whose composition differs")
            elif entry.system is None and entry.cand.kind in MATERIAL_KINDS:
                ask.append(self._scored(iri, 0.5, f"named {echo(text)} but has no formula to compare"))
                rules.append("no-formula")
        for entry in self.with_spelled:
            if not self._kind_ok(entry.cand.iri, kinds):
                continue
            initials = Counter(el[0] for el in f.elements)
            if entry.spelled == f.elements or (isinstance(entry.spelled, Counter) and entry.spelled == initials):
                ask.append(self._scored(entry.cand.iri, 0.5, f"{entry.cand.label} spells these elements, no formula"))
                rules.append("no-formula")
        blocked = "; ".join(dict.fromkeys(notes))
        tail = f" ({blocked})" if blocked else ""
        shown = f.reduced
        if chem.parse(mention.name).key == f.key:
            shown = mention.name  # as the source writes it (Li6.75La3Zr1.75Nb0.25O12, not the cell reduced by 2)
        if len(exact) == 1:
            best = exact[0]
            hint = ""
            if family and not self._in_family(best.iri, family):
                hint = f"; the family hint {self.entries[family].cand.label} is not among its families"
            return self._decide(
                mention,
                MATCHED,
                best.iri,
                "composition",
                best.score,
                "composition",
                f"composition {shown} equals {best.label}'s{hint}{tail}",
                exact,
            )
        if len(exact) > 1:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "composition",
                0.0,
                "composition",
                f"composition {shown} equals that of {len(exact)} entities",
                exact + ask,
            )
        considered = sorted(ask, key=lambda s: (-s.score, s.iri))
        variants.sort()
        for _, dist, _, iri in variants:
            considered.append(self._scored(iri, 1.0 - dist, f"variant, {dist:.1%} of atoms differ"))
        if ask:
            top = sorted(ask, key=lambda s: (-s.score, s.iri))[0]
            rule = rules[ask.index(top)]
            reason = f"{shown}: {top.why}" + (f"; {len(set(s.iri for s in ask)) - 1} more" if len(ask) > 1 else "")
            return self._decide(mention, AMBIGUOUS, None, "composition", 0.0, rule, reason + tail, considered)
        if variants:
            _, dist, _, iri = variants[0]
            host = self.entries[iri]
            assert host.comp is not None  # a variant's host comes from with_comp
            return self._decide(
                mention,
                VARIANT,
                iri,
                "composition",
                1.0 - dist,
                "variant",
                f"{shown} is a doped or substituted {host.cand.label} ({host.comp.reduced}): "
                f"{dist:.1%} of atoms differ{tail}",
                considered,
            )
        if notes:
            return self._decide(
                mention,
                NEW,
                None,
                None,
                0.0,
                "name-blocked" if "name" in blocked else "phase",
                f"no entity has composition {shown}{tail}",
                considered,
            )
        return None  # nothing chemical: names decide

    def _by_system(self, mention: Mention, f: chem.Formula, kinds) -> Decision | None:
        hits = [
            e
            for e in self.with_system
            if self._kind_ok(e.cand.iri, kinds) and e.system is not None and e.system.key == f.key  # never None here
        ]
        for entry in self.entries.values():  # group entities list their members' systems as labels
            if entry.group and entry not in hits and self._kind_ok(entry.cand.iri, kinds):
                if any(chem.parse(t).key == f.key for t, _ in entry.names):
                    hits.append(entry)
        if not hits:
            return None
        considered = [
            self._scored(e.cand.iri, 1.0, f"system {e.system.reduced if e.system else f.reduced}") for e in hits
        ]
        if len(hits) > 1:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "composition",
                0.0,
                "composition",
                f"the system {f.reduced} is named by {len(hits)} entities",
                considered,
            )
        entry = hits[0]
        if entry.group:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "composition",
                0.0,
                "group",
                f"{entry.cand.label} groups several materials, {f.reduced} among them: the same "
                "entity or a member of it?",
                considered,
            )
        if (f.phase is None) != (entry.phase is None):
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "composition",
                0.0,
                "phase",
                f"system {f.reduced}; phase open: {entry.cand.label} is {entry.phase or 'unnamed'}, "
                f"the mention {f.phase or 'names none'}",
                considered,
            )
        return self._decide(
            mention,
            MATCHED,
            entry.cand.iri,
            "composition",
            1.0,
            "composition",
            f"the system {f.reduced} is {entry.cand.label}",
            considered,
        )


def _deviation(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    worst = 0.0
    for el in a.keys() | b.keys():
        x, y = a.get(el, 0.0), b.get(el, 0.0)
        worst = max(worst, abs(x - y) / max(x, y))
        if worst > chem.ROUNDING_TOLERANCE:
            return worst
    return worst
