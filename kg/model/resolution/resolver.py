"""The resolver: :class:`Resolver` applies the rules in their order (the curator's word, IRIs, compositions,
names), :func:`resolve` builds one for a graph, :func:`curated` keeps the curator decisions of a run."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from kg.core.errors import InputError, echo
from kg.core.namespaces import expand, shorten
from kg.model import chemistry as chem
from kg.model.resolution.by_name import _NameRules
from kg.model.resolution.candidates import candidates
from kg.model.resolution.data import AMBIGUOUS, MATCHED, NEW, Decision, Mention
from kg.model.resolution.index import _a
from kg.model.resolution.names import _looks_like_iri


class Resolver(_NameRules):
    """Candidates indexed for resolution; build once (:meth:`from_graph`), then :meth:`resolve` mentions."""

    @classmethod
    def from_graph(cls, graph, kinds: Iterable[str] | None = None) -> Resolver:
        """A resolver over every named entity of ``graph`` (see :func:`candidates`)."""
        return cls(candidates(graph, kinds))

    # ------------------------------------------------------------------------------------------- resolve

    def resolve(self, mention: Mention) -> Decision:
        """The decision for one mention (see the module's documentation for the rules)."""
        if not isinstance(mention, Mention):
            raise InputError(f"resolve takes a Mention, not {type(mention).__name__}")
        if not str(mention.name).strip():
            raise InputError("a mention needs a name")
        kinds = tuple(mention.kinds) if mention.kinds is not None else None
        if mention.new:
            if mention.same_as:
                return self._decide(
                    mention, AMBIGUOUS, None, "curator new", 0.0, "curator", "both same_as and new are given: keep one"
                )
            return self._decide(mention, NEW, None, "curator new", 1.0, "curator", "the curator says new")
        if mention.same_as:
            return self._same_as(mention, kinds)
        name = str(mention.name).strip()
        if _looks_like_iri(name):
            return self._by_iri(mention, name, kinds, "iri", "iri")
        family = self._family_iri(mention.family)
        formula = chem.parse(mention.formula) if mention.formula else None
        from_name = chem.parse(name)
        core, name_phase = chem.split_phase(name)
        explicit = formula if formula is not None and formula.kind != chem.NOT_A_FORMULA else None
        if explicit is None and from_name.kind == chem.COMPOSITION and re.search(r"[\d()]", chem.clean(name)):
            explicit = from_name
        if explicit is None and from_name.kind == chem.SYSTEM:
            explicit = from_name
        phase = (explicit.phase if explicit else None) or name_phase
        if explicit is not None and explicit.kind == chem.COMPOSITION:
            decided = self._by_composition(mention, explicit, phase, kinds, family)
            if decided is not None:
                return decided
        if explicit is not None and explicit.kind == chem.SYSTEM:
            decided = self._by_system(mention, explicit, kinds)
            if decided is not None:
                return decided
        tried = explicit is not None and explicit.kind == chem.COMPOSITION
        decision = self._by_name(mention, name, core, from_name, phase, kinds, family, tried)
        if decision.outcome == NEW and kinds is not None:
            elsewhere = sorted({iri for iri, _, _ in self._exact_hits([name], None) if not self._kind_ok(iri, kinds)})
            if elsewhere:
                named = ", ".join(f"{shorten(i)} ({self.entries[i].cand.kind})" for i in elsewhere[:3])
                reason = f"{decision.reason}; the name is that of {named}, not of {_a(' or '.join(kinds))}"
                decision = replace(decision, reason=reason)
        return decision

    def resolve_all(self, mentions: Iterable[Mention], prior: Iterable[Decision] | None = None) -> list[Decision]:
        """Decisions for many mentions. ``prior`` (decisions read back with :func:`read_sssom`) gives the curator
        decisions of an earlier run to mentions that state none themselves, matched by id, else by name."""
        earlier = curated(prior or ())
        out = []
        for mention in mentions:
            decision = earlier.get(mention.id or "") or earlier.get(mention.name)
            if decision is not None and not mention.same_as and not mention.new:
                if decision.outcome == NEW:
                    mention = replace(mention, new=True)
                elif decision.iri:
                    mention = replace(mention, same_as=decision.iri)
            out.append(self.resolve(mention))
        return out

    # --- curator and IRIs

    def _same_as(self, mention: Mention, kinds) -> Decision:
        text = str(mention.same_as).strip()
        if _looks_like_iri(text):
            return self._by_iri(mention, text, kinds, "curator same_as", "curator")
        hits = {iri for iri, _, _ in self._exact_hits([text], None)}
        fitting = sorted(iri for iri in hits if self._kind_ok(iri, kinds))
        if len(fitting) == 1:
            return self._decide(
                mention,
                MATCHED,
                fitting[0],
                "curator same_as",
                1.0,
                "curator",
                f"the curator says same as {echo(text)}",
            )
        if len(fitting) > 1:
            considered = [self._scored(iri, 1.0, "has this label") for iri in fitting]
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "curator same_as",
                0.0,
                "curator",
                f"same_as {echo(text)} names {len(fitting)} entities: give the IRI",
                considered,
            )
        if hits:
            kind = self.entries[min(hits)].cand.kind
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "curator same_as",
                0.0,
                "curator",
                f"same_as {echo(text)} names {_a(kind)}, not {_a(' or '.join(kinds or ()))}",
            )
        return self._decide(
            mention,
            AMBIGUOUS,
            None,
            "curator same_as",
            0.0,
            "curator",
            f"same_as {echo(text)} names no entity of the graph: fix the annotation",
        )

    def _by_iri(self, mention: Mention, text: str, kinds, how: str, rule: str) -> Decision:
        iri = expand(text)
        entry = self.entries.get(iri)
        if entry is None:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                how,
                0.0,
                rule,
                f"same_as {echo(text)} names no entity of the graph: fix the annotation"
                if rule == "curator"
                else f"{echo(text)} names no entity of the graph",
            )
        if not self._kind_ok(iri, kinds):
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                how,
                0.0,
                rule,
                f"{shorten(iri)} is {_a(entry.cand.kind)}, not {_a(' or '.join(kinds or ()))}",
            )
        says = "the curator says same as" if rule == "curator" else "named by its IRI:"
        return self._decide(mention, MATCHED, iri, how, 1.0, rule, f"{says} {shorten(iri)}")


def resolve(mentions: Iterable[Mention], graph, *, prior: Iterable[Decision] | None = None) -> list[Decision]:
    """Decisions for ``mentions`` against a graph (candidates are built once) or a :class:`Resolver`."""
    resolver = graph if isinstance(graph, Resolver) else Resolver.from_graph(graph)
    return resolver.resolve_all(mentions, prior=prior)


def curated(decisions: Iterable[Decision]) -> dict[str, Decision]:
    """The curator decisions among ``decisions`` (``how`` is ``curator same_as`` or ``curator new``), by the
    mention's id and by its name."""
    out: dict[str, Decision] = {}
    for d in decisions:
        if d.how in ("curator same_as", "curator new") and d.outcome in (MATCHED, NEW):
            if d.mention.id:
                out[d.mention.id] = d
            out.setdefault(d.mention.name, d)
    return out
