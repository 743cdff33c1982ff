"""The rules on names (``polysemous``, ``label``, ``abbreviation``, ``family``, ``components``, ``dopant``,
``oxide``, ``fuzzy``), for mentions that are not compositions and for compositions nothing chemical settled;
rapidfuzz is imported only when names are compared by similarity."""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.model import chemistry as chem
from kg.model.resolution.by_composition import _CompositionRules
from kg.model.resolution.data import (
    AMBIGUOUS,
    FAMILY_KIND,
    FUZZY_ASK,
    FUZZY_MARGIN,
    FUZZY_MATCH,
    MATCHED,
    MATERIAL_KINDS,
    NEW,
    POLYSEMOUS,
    VARIANT,
    Decision,
    Mention,
)
from kg.model.resolution.index import _count
from kg.model.resolution.names import (
    _canonical,
    _components,
    _fuzzy_text,
    _swapped_words,
    _tokens,
    is_abbreviation,
    name_key,
)

_FAMILY_MARK = re.compile(r"(?:[-\s](?:type|like|based|structured|structure|family|families)|\sfamily)$", re.I)
_DOPANT = re.compile(r"^([A-Z][a-z]?)(?:-doped|-substituted|-stabili[sz]ed)?[-\s](\S.*)$")


class _NameRules(_CompositionRules):
    """The resolver's rules on names."""

    def _by_name(
        self,
        mention: Mention,
        name: str,
        core: str,
        parsed: chem.Formula,
        phase: str | None,
        kinds,
        family,
        tried: bool = False,
    ) -> Decision:
        key = name_key(name)
        if key in POLYSEMOUS:  # "glassy LPS" says which: only the bare name is asked
            why, labels = POLYSEMOUS[key]
            considered = [
                self._scored(iri, 1.0, "named by this name in the literature")
                for iri, _, _ in self._exact_hits(labels, kinds)
            ]
            return self._decide(mention, AMBIGUOUS, None, "label", 0.0, "polysemous", f"{name}: {why}", considered)
        # the name as written first; without its phase ("c-LLZO" -> "LLZO") only if that finds nothing
        hits = self._exact_hits([name, *mention.abbreviations], None)
        if not hits and core != name:
            hits = self._exact_hits([core], None)
        material_mention = kinds is None or bool(set(kinds) & set(MATERIAL_KINDS))
        fitting: dict[str, tuple[str, str]] = {}
        for iri, fld, text in hits:
            entry = self.entries[iri]
            label_f = chem.parse(text)
            if parsed.kind != chem.NOT_A_FORMULA and label_f.kind != chem.NOT_A_FORMULA:
                if chem.compare(parsed, label_f) != chem.SAME:
                    continue  # CO is not Co: case folding must not equate different formulas
            if entry.cand.kind == FAMILY_KIND and kinds is not None and FAMILY_KIND not in kinds and material_mention:
                members = [m for m in self.members.get(iri, []) if self._kind_ok(m, kinds)]
                considered = [self._scored(iri, 1.0, "the family itself")]
                considered += [self._scored(m, 0.9, f"a member of {entry.cand.label}") for m in members]
                return self._decide(
                    mention,
                    AMBIGUOUS,
                    None,
                    "label",
                    0.0,
                    "family",
                    f"{name} names the family {entry.cand.label}, not one material: which member, or a new one?",
                    considered,
                )
            if self._kind_ok(iri, kinds):
                if iri not in fitting or fld == "label":
                    fitting[iri] = (fld, text)
        if fitting:
            return self._from_exact(mention, name, phase, parsed, fitting)
        if _FAMILY_MARK.search(chem.clean(name)):
            if kinds is not None and FAMILY_KIND not in kinds:
                return self._decide(
                    mention,
                    NEW,
                    None,
                    None,
                    0.0,
                    "family",
                    f"{name} names a structure family, and no family is expected here",
                )
            kinds = (FAMILY_KIND,)
        if parsed.kind == chem.COMPOSITION and not tried:  # a formula without digits (LiIn, LiF)
            decided = self._by_composition(mention, parsed, phase, kinds, family)
            if decided is not None:
                return decided
        decided = self._by_components(mention, name, kinds)
        if decided is not None:
            return decided
        decided = self._by_dopant(mention, name, kinds)
        if decided is not None:
            return decided
        if parsed.kind != chem.NOT_A_FORMULA:
            what = "composition" if parsed.kind == chem.COMPOSITION else "system"
            return self._decide(mention, NEW, None, None, 0.0, "new", f"no entity has the {what} {parsed.reduced}")
        if is_abbreviation(name):
            hits = self._exact_hits([name + "O", name + "o"], kinds)
            oxides = sorted({iri for iri, _, _ in hits if self.entries[iri].oxide})
            if len(oxides) == 1:
                iri = oxides[0]
                return self._decide(
                    mention,
                    MATCHED,
                    iri,
                    "abbreviation",
                    0.95,
                    "oxide",
                    f"{name} is {self.entries[iri].cand.label} without the O of the oxide",
                    [self._scored(iri, 0.95, "abbreviation without the final O")],
                )
            return self._decide(
                mention,
                NEW,
                None,
                None,
                0.0,
                "new",
                f"no entity has the abbreviation {name} (abbreviations are not compared by similarity)",
            )
        return self._fuzzy(mention, name, kinds)

    def _from_exact(
        self,
        mention: Mention,
        name: str,
        phase: str | None,
        parsed: chem.Formula,
        fitting: Mapping[str, tuple[str, str]],
    ) -> Decision:
        considered = []
        for iri, (fld, text) in sorted(fitting.items()):
            considered.append(self._scored(iri, 1.0, f"{'label' if fld == 'label' else 'alternative label'} {text}"))
        if len(fitting) > 1:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "abbreviation",
                0.0,
                "abbreviation",
                f"{name} names {len(fitting)} entities",
                considered,
            )
        iri, (fld, text) = next(iter(fitting.items()))
        entry = self.entries[iri]
        how = "label" if fld == "label" else "abbreviation"
        if entry.group and chem.parse(text).kind != chem.NOT_A_FORMULA and fld != "label":
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                how,
                0.0,
                "group",
                f"{entry.cand.label} groups several materials and lists {text} among them: the same "
                "entity or a member of it?",
                considered,
            )
        named_phase = phase or chem.split_phase(text)[1]
        same = chem.same_phase(named_phase, entry.phase, entry.comp)
        if same is False:
            return self._decide(
                mention,
                NEW,
                None,
                None,
                0.0,
                "phase",
                f"{name} is {named_phase}, {entry.cand.label} is {entry.phase}",
                considered,
            )
        if same is None and (named_phase is None) != (entry.phase is None):
            side = f"{entry.cand.label} is {entry.phase}" if entry.phase else f"{entry.cand.label} names none"
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                how,
                0.0,
                "phase",
                f"{name} names {named_phase or 'no phase'}, {side}",
                considered,
            )
        return self._decide(
            mention,
            MATCHED,
            iri,
            how,
            1.0,
            how,
            f"{'label' if how == 'label' else 'alternative label'} {text}",
            considered,
        )

    def _by_components(self, mention: Mention, name: str, kinds) -> Decision | None:
        comps = _components(name)
        if comps is None:
            return None
        same = sorted(i for i in self.by_components.get(comps, ()) if self._kind_ok(i, kinds))
        if len(same) == 1:
            return self._decide(
                mention,
                MATCHED,
                same[0],
                "label",
                1.0,
                "components",
                f"the components {' + '.join(comps)} in another order",
                [self._scored(same[0], 1.0, "same components")],
            )
        wanted = set(comps)
        more = sorted(
            e.cand.iri
            for e in self.entries.values()
            if self._kind_ok(e.cand.iri, kinds) and any(wanted <= _tokens(t) for t, _ in e.names)
        )
        if same or more:
            considered = [self._scored(i, 1.0, "same components") for i in same]
            considered += [self._scored(i, 0.7, "names these components and more") for i in more if i not in same]
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "label",
                0.0,
                "components",
                f"{name}: {_count(len(considered), 'entity', 'entities')} made of {' and '.join(comps)}",
                considered,
            )
        return None

    def _by_dopant(self, mention: Mention, name: str, kinds) -> Decision | None:
        m = _DOPANT.match(chem.clean(name))
        if not m or m.group(1) not in chem.ELEMENTS:
            return None
        hosts = sorted({iri for iri, _, _ in self._exact_hits([m.group(2)], kinds)})
        hosts = [h for h in hosts if (comp := self.entries[h].comp) and m.group(1) not in comp.elements]
        if len(hosts) != 1:
            return None
        host = self.entries[hosts[0]]
        return self._decide(
            mention,
            VARIANT,
            host.cand.iri,
            "label",
            0.9,
            "dopant",
            f"{m.group(1)}-doped {host.cand.label}: a variant of it",
            [self._scored(host.cand.iri, 0.9, f"host of the {m.group(1)} dopant")],
        )

    def _fuzzy_corpus(self, kinds):
        if kinds not in self._fuzzy_cache:
            plain, owners, canon_texts, canon_owners = [], [], [], []
            for entry in self.entries.values():
                if not self._kind_ok(entry.cand.iri, kinds):
                    continue
                for text, _ in entry.names:
                    if chem.parse(text).kind != chem.NOT_A_FORMULA or is_abbreviation(text):
                        continue
                    plain.append(_fuzzy_text(text))
                    owners.append((entry.cand.iri, text))
                    canonical = _canonical(text)
                    if canonical:
                        canon_texts.append(canonical[1])
                        canon_owners.append((entry.cand.iri, text, canonical[0]))
            self._fuzzy_cache[kinds] = (plain, owners, canon_texts, canon_owners)
        return self._fuzzy_cache[kinds]

    def _fuzzy(self, mention: Mention, name: str, kinds) -> Decision:
        from rapidfuzz import fuzz, process

        plain, owners, canon_texts, canon_owners = self._fuzzy_corpus(kinds)
        query = _fuzzy_text(name)
        mine = _canonical(name)
        best: dict[str, tuple[float, str]] = {}
        by_elements: set[str] = set()  # entities whose best score compares element by element
        blocked_by_elements: dict[str, str] = {}
        elements_of = {(iri, text): els for iri, text, els in canon_owners}
        for _, score, index in process.extract(query, plain, scorer=fuzz.ratio, limit=None, score_cutoff=FUZZY_ASK):
            iri, text = owners[index]
            theirs = elements_of.get((iri, text))
            if mine and theirs is not None and theirs != mine[0]:
                blocked_by_elements[iri] = text
                continue
            if score > best.get(iri, (-1.0, ""))[0]:
                best[iri] = (score, text)
                by_elements.discard(iri)
        if mine:
            for _, score, index in process.extract(
                mine[1], canon_texts, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=FUZZY_ASK
            ):
                iri, text, els = canon_owners[index]
                if els == mine[0] and score > best.get(iri, (-1.0, ""))[0]:
                    best[iri] = (score, text)
                    by_elements.add(iri)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        considered = [self._scored(iri, s / 100, f"similar to {text!r} ({s:.0f})") for iri, (s, text) in ranked[:8]]
        if ranked and ranked[0][1][0] >= FUZZY_MATCH:
            iri, (score, text) = ranked[0]
            runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
            entity_phase = self.entries[iri].phase or chem.split_phase(text)[1]
            if score - runner_up < FUZZY_MARGIN:
                why = f"{text!r} ({score:.0f}) and {ranked[1][1][1]!r} ({runner_up:.0f}) are as close"
            elif (chem.split_phase(name)[1] is None) != (entity_phase is None):
                why = f"{text!r} ({score:.0f}), but only one of the two names a phase"
            elif iri not in by_elements and (swapped := _swapped_words(name, text)):
                why = f"{text!r} ({score:.0f}), but {swapped[0]!r} stands where it has {swapped[1]!r}"
            else:
                return self._decide(
                    mention,
                    MATCHED,
                    iri,
                    "fuzzy label",
                    score / 100,
                    "fuzzy",
                    f"similar to {text!r} (score {score:.0f})",
                    considered,
                )
            return self._decide(mention, AMBIGUOUS, None, "fuzzy label", 0.0, "fuzzy", f"similar: {why}", considered)
        if ranked:
            iri, (score, text) = ranked[0]
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "fuzzy label",
                0.0,
                "fuzzy",
                f"closest: {text!r} (score {score:.0f}, below {FUZZY_MATCH:g} or shared)",
                considered,
            )
        extra = ""
        if blocked_by_elements:
            extra = f"; {len(blocked_by_elements)} similar names spell other elements"
        return self._decide(mention, NEW, None, None, 0.0, "new", f"no entity has a name like {name!r}{extra}")
