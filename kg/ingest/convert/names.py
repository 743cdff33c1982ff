"""Every name a curation file uses, resolved: to an entity of this file (by its local id or name), to an entity of
the graph (:mod:`kg.model.resolution`: IRI, label, abbreviation, composition, fuzzy label), or to a new entity.

An ambiguous name is never guessed: :func:`resolve_names` raises :class:`Unresolved`, which names the line to
annotate (``same_as:`` or ``new: true``) and the candidates with their scores. Earlier curator decisions, recorded
in the source's SSSOM file, are reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.core.errors import ListedInputError, echo
from kg.core.namespaces import SSLMB, shorten
from kg.ingest.convert.document import Source
from kg.model.resolution import AMBIGUOUS, MATCHED, NEW, VARIANT, Decision, Mention, Resolver, curated

MATERIAL = ("electrolyte", "material", "electrolyte family")
HAZARD = ("mechanism", "failure mode")
# what each declared section holds, the kinds its names may resolve to, and the local ids' kind
SECTIONS = {
    "materials": ("electrolyte", "material"),
    "failure_modes": ("failure mode",),
    "mechanisms": ("mechanism",),
    "strategies": ("strategy",),
}
# where a name is used, and the kinds it may stand for there
USES: dict[tuple[str, str], tuple[str, ...] | None] = {
    ("materials", "family"): ("electrolyte family", "class"),
    ("materials", "constituents"): MATERIAL,
    ("measurements", "of"): MATERIAL,
    ("measurements", "property"): ("metric",),
    ("measurements", "except"): MATERIAL,
    ("failure_modes", "leads_to"): ("failure mode",),
    ("mechanisms", "causes"): ("failure mode",),
    ("mechanisms", "contributes_to"): ("mechanism",),
    ("exposures", "material"): MATERIAL,
    ("exposures", "susceptible_to"): ("failure mode",),
    ("exposures", "exhibits"): ("mechanism",),
    ("exposures", "except"): MATERIAL,
    ("outcomes", "except"): MATERIAL,
    ("strategies", "mitigates"): HAZARD,
    ("strategies", "applies_to"): MATERIAL,
    ("strategies", "uses"): MATERIAL,
    ("strategies", "category"): ("strategy category",),
    ("outcomes", "of"): MATERIAL,
    ("outcomes", "property"): ("metric",),
    ("claims", "about"): None,  # any kind
    ("claims", "supports"): ("claim",),
    ("claims", "contradicts"): ("claim",),
}
_LOCAL_KIND = {
    "materials": "material",
    "failure_modes": "failure mode",
    "mechanisms": "mechanism",
    "strategies": "strategy",
    "claims": "claim",
}


class Unresolved(ListedInputError):
    """Names the resolver could not decide: each with its line, the candidates and what to write there."""


@dataclass
class Names:
    """The outcome of resolution: ``iri`` of every declared entity (by section and index) and of every name used
    (by its text and the kinds asked), with the decisions to record."""

    key: str
    declared: dict[tuple[str, int], str] = field(default_factory=dict)
    created: dict[str, tuple[str, str]] = field(default_factory=dict)  # iri -> (section, label)
    variants: dict[str, str] = field(default_factory=dict)  # new iri -> host iri
    different: dict[str, tuple[str, ...]] = field(default_factory=dict)  # curator-new iri -> same-composition ones
    used: dict[tuple[str, tuple[str, ...] | None], str] = field(default_factory=dict)
    decisions: list[tuple[str, Decision]] = field(default_factory=list)  # (file:line, decision)
    metrics_created: dict[str, str] = field(default_factory=dict)  # property text -> new metric iri
    metrics_where: dict[str, str] = field(default_factory=dict)  # property text -> file:line of its first use

    def iri(self, text: str, kinds: tuple[str, ...] | None) -> str:
        return self.used[(text, kinds)]


def new_iri(key: str, text: str) -> str:
    """A readable IRI for an entity a source introduces: ``sslmb:<key>_<its local id or name, made safe>``."""
    safe = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "entity"
    if safe.startswith(key + "_"):  # a data set's generated ids carry the key already
        safe = safe[len(key) + 1 :] or "entity"
    if safe[0].isdigit():
        safe = "n" + safe
    return f"{SSLMB}{key}_{safe}"


def resolve_names(graph: Any, source: Source, prior: list[Decision] | None = None) -> Names:
    """Resolve every entity the file declares and every name it uses; raise :class:`Unresolved` when any is
    ambiguous, listing each with the line to annotate."""
    data = source.data
    names = Names(source.key)
    resolver = Resolver.from_graph(graph)
    earlier = curated(prior or [])  # only a curator's decisions carry over; automatic ones are made again
    problems: list[str] = []
    local: dict[str, tuple[str, str]] = {}  # local id or name -> (kind, iri)

    # decisions the file states apart from the facts (for a data set's generated materials), by name or id
    decided = {str(d["name"]): d for d in data.get("decisions", [])}
    pending: set[str] = set()
    for section, kinds in SECTIONS.items():
        for i, item in enumerate(data.get(section, [])):
            stated = decided.get(str(item.get("id"))) or decided.get(item["name"])
            if stated is not None and not item.get("same_as") and not item.get("new"):
                item = {**item, **{k: stated[k] for k in ("same_as", "new") if k in stated}}
            mention = Mention.from_entity(item, kinds)
            previous = earlier.get(item.get("id") or item["name"])
            if previous is not None and not mention.same_as and not mention.new:
                mention = _with(previous, mention)
            decision = resolver.resolve(mention)
            where = source.where((section, i, "name"))
            names.decisions.append((where, decision))
            if decision.outcome == AMBIGUOUS:
                generated = str(item.get("id")) in source.generated
                hint = (
                    (
                        f" (a generated material: decide it in {source.doc.file} under 'decisions:' with "
                        f"'- name: {item['name']}' and 'same_as:' or 'new: true')"
                    )
                    if generated
                    else ""
                )
                problems.append(_ask(where, item["name"], decision) + hint)
                pending.update({str(item.get("id")), item["name"]})
                continue
            if decision.outcome in (MATCHED,):
                iri = str(decision.iri)
            else:
                iri = new_iri(source.key, item.get("id") or item["name"])
                names.created[iri] = (section, item["name"])
                if decision.outcome == VARIANT and decision.iri:
                    names.variants[iri] = decision.iri
                elif decision.outcome == NEW and section == "materials" and mention.new:
                    _kin(graph, resolver, mention, iri, names)
            names.declared[(section, i)] = iri
            for handle in {item.get("id"), item["name"]} - {None}:
                local[str(handle)] = (_LOCAL_KIND[section], iri)
    for i, item in enumerate(data.get("claims", [])):
        iri = new_iri(source.key, "claim_" + item["id"])
        names.declared[("claims", i)] = iri
        names.created[iri] = ("claims", item["id"])
        local[item["id"]] = ("claim", iri)

    def use(text: str, kinds: tuple[str, ...] | None, path: tuple[str | int, ...]) -> None:
        if (text, kinds) in names.used or text in pending:  # a pending name is reported once, where it is declared
            return
        hit = local.get(text)
        if hit is not None and (kinds is None or hit[0] in kinds or hit[0] == "material" and "electrolyte" in kinds):
            names.used[(text, kinds)] = hit[1]
            return
        if hit is not None:
            field_name = str(path[-1]).replace("_", " ")
            problems.append(
                f"{source.where(path)}: {echo(text)} is a {hit[0]} of this file, but {field_name} takes "
                f"{' or '.join(kinds or ())}"
                + (
                    " (a mechanism 'causes' a failure mode and 'contributes_to' another mechanism)"
                    if field_name in ("contributes to", "causes")
                    else ""
                )
            )
            return
        decision = resolver.resolve(Mention(name=text, kinds=kinds))
        where = source.where(path)
        if kinds == ("metric",) and decision.outcome != MATCHED:
            iri = new_iri(source.key, "metric_" + text)  # a property the graph has no metric for yet
            names.metrics_created[text] = iri
            names.metrics_where[text] = where
            names.created[iri] = ("metrics", text)
            names.used[(text, kinds)] = iri
            return
        if decision.outcome == MATCHED:
            names.used[(text, kinds)] = str(decision.iri)
            names.decisions.append((where, decision))
        elif decision.outcome == AMBIGUOUS:
            first = shorten(decision.candidates[0].iri) if decision.candidates else "sslmb:..."
            problems.append(
                _ask(where, text, decision) + f"; here write the entity's IRI instead (e.g. {first}), or declare "
                "it in this file with same_as: or new: true and use its id"
            )
        else:
            what = " or ".join(kinds) if kinds else "entity"
            problems.append(
                f"{where}: {echo(text)} names no {what} of this file or of the graph: declare it in this file "
                f"(with new: true if it is new) or use the graph's name (sslmb find {echo(text)})"
            )

    for (section, name), allowed in USES.items():
        container = "strategies" if section == "outcomes" else section
        for i, item in enumerate(data.get(container, [])):
            entries: list[tuple[Any, tuple[str | int, ...]]] = [(item, (container, i))]
            if section == "outcomes":
                entries = [(o, (container, i, "outcomes", j)) for j, o in enumerate(item.get("outcomes", []))]
            for entry, path in entries:
                value = entry.get(name)
                if value is None:
                    continue
                for text in value if isinstance(value, list) else [value]:
                    use(str(text), allowed, (*path, name))
    if problems:
        raise Unresolved(
            f"{len(problems)} name(s) could not be resolved, nothing was written (an ambiguous entity declared in this "
            "file takes 'same_as: <the entity>' or 'new: true'):\n" + "\n".join(problems)
        )
    return names


def _kin(graph: Any, resolver: Resolver, mention: Mention, iri: str, names: Names) -> None:
    """What a material the curator declares new still is to the graph: a variant of the host its composition
    would have been matched to (a Nb-substituted LLZO stays a variant of LLZO), or different from the entities of
    the same composition it was kept apart from (recorded as ``owl:differentFrom``)."""
    from dataclasses import replace

    if not mention.formula:
        return
    automatic = resolver.resolve(replace(mention, new=False, same_as=None, id=None))
    if automatic.outcome == VARIANT and automatic.iri:
        names.variants[iri] = automatic.iri
    elif automatic.outcome == AMBIGUOUS and (host := _parent(graph, mention, automatic)):
        names.variants[iri] = host
    elif automatic.outcome == MATCHED and automatic.iri:
        # the same composition as an entity kept apart: a variant of what that entity is a variant of
        hosts = sorted(h.value for h in graph.objects(automatic.iri, f"{SSLMB}variantOf"))
        if hosts:
            names.variants[iri] = hosts[0]
    others = tuple(sorted(set(_same_composition(graph, str(mention.formula))) - {iri}))
    if others:
        names.different[iri] = others


def _same_composition(graph: Any, formula: str) -> list[str]:
    """The entities whose formula is the same composition as ``formula``, whatever phase they name."""
    from kg.model.chemistry import parse

    mine = parse(formula)
    if not mine.is_composition or not mine.key:
        return []
    by_reduced = graph.memo("ingest.by_composition", _compositions)
    return by_reduced.get(mine.key, [])


def _compositions(graph: Any) -> dict[str, list[str]]:
    from kg.model.chemistry import parse

    found: dict[str, list[str]] = {}
    for row in graph.select("SELECT ?s ?f WHERE { ?s sslmb:formula ?f }"):
        parsed = parse(str(row["f"]))
        if parsed.is_composition and parsed.key:
            found.setdefault(parsed.key, []).append(str(row["s"]))
    return found


def _parent(graph: Any, mention: Mention, decision: Decision) -> str | None:
    """Of the variants an ambiguous composition was close to, the undoped parent: the one candidate whose elements
    are fewest and all among the mention's (LLZO for a Nb-substituted garnet also close to LLZTe)."""
    from kg.model.chemistry import parse

    mine = parse(str(mention.formula)).elements
    found = []
    for c in decision.candidates:
        if not c.why.startswith("variant"):
            continue
        rows = graph.select("SELECT ?f ?s WHERE { ?s sslmb:formula ?f }", s=c.iri)
        elements = [parse(str(r["f"])).elements for r in rows]
        if elements and elements[0] and elements[0] <= mine:
            found.append((len(elements[0]), c.iri))
    found.sort()
    if found and (len(found) == 1 or found[0][0] < found[1][0]):
        return found[0][1]
    return None


def _with(previous: Decision, mention: Mention) -> Mention:
    from dataclasses import replace

    if previous.outcome == NEW:
        return replace(mention, new=True)
    if previous.iri:
        return replace(mention, same_as=previous.iri)
    return mention


def _ask(where: str, name: str, decision: Decision) -> str:
    listed = "; ".join(f"{c.label} <{shorten(c.iri)}> ({c.score:.2f}: {c.why})" for c in decision.candidates[:5])
    return f"{where}: {echo(name)} is ambiguous ({decision.reason}); candidates: {listed or 'none'}"
