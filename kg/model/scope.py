"""Which family-level statements an entity inherits, and for those it does not, why.

A fact asserted on an electrolyte family (an OWL class punned as an individual) is read as typical of the family's
members. It does not reach a member when the source scoped it more narrowly (``sslmb:statementScope`` says *some
members* or *the group as a whole*), when the source names the member or one of its families as a known exception
(``sslmb:knownException``), when a narrower family of the member states its own value of the same metric
(superseded), or when the member's own numbers contradict it (a value outside the family's range, or beyond the
bound that a link gives as its ``sslmb:hasCriterion``): the member's own data wins. Every command that follows
family membership (``show``, ``risks``, ``gaps``, ``paths``, the network projection) asks this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core.namespaces import OWL, SSLMB
from kg.model import quantity as qty

if TYPE_CHECKING:
    from kg.core.graph import Graph

TYPICAL = SSLMB + "TypicalOfMembers"
SOME = SSLMB + "SomeMembers"
GROUP = SSLMB + "GroupAsAWhole"
STATEMENT_SCOPE = SSLMB + "statementScope"
KNOWN_EXCEPTION = SSLMB + "knownException"
SCOPE_AS_PRINTED = SSLMB + "scopeAsPrinted"
HAS_CRITERION = SSLMB + "hasCriterion"
SCOPE_PREDICATES = frozenset({STATEMENT_SCOPE, KNOWN_EXCEPTION, SCOPE_AS_PRINTED, HAS_CRITERION})

#: Links a family passes on to its members (out of the family), and links into a family that do (``appliesTo``).
INHERITED_OUT = (SSLMB + "susceptibleTo", SSLMB + "exhibitsMechanism", SSLMB + "hasTrait", qty.HAS_QUANTITY)
INHERITED_IN = (SSLMB + "appliesTo",)

# Why a statement does not reach a member (the values of :attr:`Inheritance.reason`).
SOME_MEMBERS = "said of some members only"
GROUP_ONLY = "said of the group as a whole"
EXCEPTION = "known exception"
SUPERSEDED = "superseded by a narrower family"
CONTRADICTED = "contradicted by its own data"

_BELOW = ("less than", "below", "under")
_AT_MOST = ("up to", "at most", "as low as")
_ABOVE = ("more than", "above", "over")
_AT_LEAST = ("at least", "as high as")


@dataclass(frozen=True)
class Statement:
    """A fact asserted on a family: ``family -relation-> other`` (``direction == "out"``) or
    ``other -relation-> family`` (``"in"``, a strategy that applies to the family), with the scope recorded for it."""

    family: str
    relation: str
    other: str
    direction: str
    scope: str = TYPICAL
    scope_as_printed: str | None = None
    exceptions: tuple[str, ...] = ()
    criterion: str | None = None  # a quantity value: the statement itself for a family's number


@dataclass(frozen=True)
class Inheritance:
    """Whether ``statement`` reaches the entity; when not, ``reason`` (one of the module's constants) and a
    ``detail`` in words ("own value 0.97 is not less than 0.5")."""

    statement: Statement
    applies: bool
    reason: str = ""
    detail: str = ""


def _scope_of(graph: Graph, node: ox.NamedNode | ox.BlankNode) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for predicate in SCOPE_PREDICATES:
        for quad in graph.store.quads_for_pattern(node, ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.Triple):  # a triple term (RDF 1.2) names no scope and has no value
                continue
            found.setdefault(predicate, []).append(quad.object.value)
    return found


def _statement(graph: Graph, family: str, relation: str, other: str, direction: str, found: dict) -> Statement:
    scope = (found.get(STATEMENT_SCOPE) or [TYPICAL])[0]
    printed = (found.get(SCOPE_AS_PRINTED) or [None])[0]
    criterion = (found.get(HAS_CRITERION) or [None])[0]
    if relation == qty.HAS_QUANTITY and criterion is None:
        criterion = other
    return Statement(family, relation, other, direction, scope, printed, tuple(sorted(found.get(KNOWN_EXCEPTION, []))),
                     criterion)


def statements_of(graph: Graph, family: str) -> list[Statement]:
    """The inheritable statements asserted on ``family`` (cached per graph)."""
    cache: dict[str, list[Statement]] = graph.memo("scope:statements", lambda g: {})
    if family not in cache:
        cache[family] = _read_statements(graph, family)
    return cache[family]


def _read_statements(graph: Graph, family: str) -> list[Statement]:
    node = ox.NamedNode(family)
    stated: dict[tuple[str, str, str], list[dict[str, list[str]]]] = {}  # a link's scope in each axiom on it
    for position in ("annotatedSource", "annotatedTarget"):
        for quad in graph.store.quads_for_pattern(None, ox.NamedNode(OWL + position), node):
            for link, found in _axiom(graph, quad.subject).items():
                stated.setdefault(link, []).append(found)
    axioms = {link: _broadest(founds) for link, founds in stated.items()}
    out: list[Statement] = []
    for relation in INHERITED_OUT:
        for quad in graph.store.quads_for_pattern(node, ox.NamedNode(relation), None):
            if not isinstance(quad.object, ox.NamedNode):
                continue
            other = quad.object.value
            if relation == qty.HAS_QUANTITY:  # a number's scope is recorded on the quantity value itself
                found = _scope_of(graph, quad.object)
            else:
                found = axioms.get((family, relation, other), {})
            out.append(_statement(graph, family, relation, other, "out", found))
    for relation in INHERITED_IN:
        for quad in graph.store.quads_for_pattern(None, ox.NamedNode(relation), node):
            if isinstance(quad.subject, ox.NamedNode):
                other = quad.subject.value
                out.append(_statement(graph, family, relation, other, "in", axioms.get((other, relation, family), {})))
    unique = {(s.relation, s.other, s.direction): s for s in out}  # one statement made by several sources
    return sorted(unique.values(), key=lambda s: (s.relation, s.other))


def _broadest(founds: list[dict[str, list[str]]]) -> dict[str, list[str]]:
    """The scope of a link that several axioms annotate (several sources state it, each with its own scope): the
    link reaches every member that one of them lets it reach. So the broadest scope wins (typical of members, then
    some members, then the group as a whole), and of the axioms with that scope, a member is an exception only when
    each of them names it. The same answer whatever order the store lists the axioms in."""
    if len(founds) == 1:
        return founds[0]
    rank = {TYPICAL: 0, SOME: 1, GROUP: 2}

    def scope_rank(found: dict[str, list[str]]) -> int:
        return rank.get((found.get(STATEMENT_SCOPE) or [TYPICAL])[0], len(rank))

    best = min(scope_rank(f) for f in founds)
    chosen = sorted((f for f in founds if scope_rank(f) == best), key=lambda f: sorted(f.items()))
    merged = dict(chosen[0])
    common = set.intersection(*(set(f.get(KNOWN_EXCEPTION, ())) for f in chosen))
    merged.pop(KNOWN_EXCEPTION, None)
    if common:
        merged[KNOWN_EXCEPTION] = sorted(common)
    return merged


def _axiom(graph: Graph, axiom: object) -> dict[tuple[str, str, str], dict[str, list[str]]]:
    if not isinstance(axiom, (ox.NamedNode, ox.BlankNode)):
        return {}
    parts = {}
    for name in ("annotatedSource", "annotatedProperty", "annotatedTarget"):
        for quad in graph.store.quads_for_pattern(axiom, ox.NamedNode(OWL + name), None):
            if isinstance(quad.object, ox.Triple):  # a triple term is no part of a statement read here
                continue
            parts[name] = quad.object.value
    if len(parts) != 3:
        return {}
    return {(parts["annotatedSource"], parts["annotatedProperty"], parts["annotatedTarget"]): _scope_of(graph, axiom)}


def own_quantities(graph: Graph, iri: str) -> list[qty.Quantity]:
    """The entity's own numbers: those it carries and the strategy outcomes reported about it (``sslmb:ofMaterial``)."""
    own = qty.of(graph, iri)
    seen = {q.iri for q in own}
    for quad in graph.store.quads_for_pattern(None, ox.NamedNode(SSLMB + "ofMaterial"), ox.NamedNode(iri)):
        node = quad.subject
        if isinstance(node, (ox.NamedNode, ox.BlankNode)) and node.value not in seen:
            if any(True for _ in graph.store.quads_for_pattern(None, ox.NamedNode(qty.HAS_OUTCOME), node)):
                seen.add(node.value)
                own.append(qty.read(graph, node))
    return own


def contradiction(graph: Graph, criterion: qty.Quantity, own: qty.Quantity) -> str | None:
    """How ``own`` falls outside ``criterion`` (a range or a qualified bound of the same metric), or ``None``."""
    if own.value is None or own.unit_iri is None or criterion.unit_iri is None:
        return None
    value = own.value if own.unit_iri == criterion.unit_iri else qty.convert(graph, own.value, own.unit_iri,
                                                                             criterion.unit_iri)
    if value is None:
        return None
    shown = f"own value {own.value:g}{' ' + own.unit if own.unit not in (None, '1', '#') else ''}"
    unit = f" {criterion.unit}" if criterion.unit not in (None, "1", "#") else ""
    if criterion.minimum is not None and value < criterion.minimum:
        return f"{shown} is below the range {criterion.minimum:g} to {criterion.maximum:g}{unit}"
    if criterion.maximum is not None and value > criterion.maximum:
        return f"{shown} is above the range {criterion.minimum:g} to {criterion.maximum:g}{unit}"
    bound, qualifier = criterion.value, criterion.qualifier
    if bound is None or qualifier is None:
        return None
    if (qualifier in _BELOW and value >= bound) or (qualifier in _AT_MOST and value > bound):
        return f"{shown} is not {qualifier} {bound:g}{unit}"
    if (qualifier in _ABOVE and value <= bound) or (qualifier in _AT_LEAST and value < bound):
        return f"{shown} is not {qualifier} {bound:g}{unit}"
    return None


def lineage(graph: Graph, iri: str) -> list[str]:
    """``iri`` itself, then every class it belongs to or (for a class) specialises, nearest first."""
    if graph.is_class(iri):
        return graph.ancestors(iri)
    chain = [iri]
    for cls in graph.types(iri):
        for ancestor in graph.ancestors(cls):
            if ancestor not in chain:
                chain.append(ancestor)
    return chain


def judge(graph: Graph, iri: str, statement: Statement, families: list[str] | None = None) -> Inheritance:
    """Whether ``statement`` (made of one of the entity's families) reaches the entity ``iri``."""
    if statement.family == iri:
        return Inheritance(statement, True)
    if statement.scope == SOME:
        return Inheritance(statement, False, SOME_MEMBERS, statement.scope_as_printed or "")
    if statement.scope == GROUP:
        return Inheritance(statement, False, GROUP_ONLY, statement.scope_as_printed or "")
    chain = lineage(graph, iri)
    for exception in statement.exceptions:
        if exception in chain:
            named = "" if exception == iri else f"as {graph.label(exception)}"
            return Inheritance(statement, False, EXCEPTION, named)
    criterion = qty.read(graph, ox.NamedNode(statement.criterion)) if statement.criterion else None
    if criterion is not None and statement.relation == qty.HAS_QUANTITY and criterion.metric:
        families = families if families is not None else chain[1:]
        # a narrower family (between the entity and this one) that gives its own value of the same metric
        for nearer in families:
            if nearer == statement.family:
                break
            if statement.family not in graph.ancestors(nearer):
                continue
            for other in statements_of(graph, nearer):
                if other.relation == qty.HAS_QUANTITY and other.scope == TYPICAL:
                    if qty.read(graph, ox.NamedNode(other.other)).metric == criterion.metric:
                        return Inheritance(statement, False, SUPERSEDED, f"by {graph.label(nearer)}")
    if criterion is not None and criterion.metric:
        # only the member's numbers from the same source contradict a statement; another source's value outside a
        # range is evidence to weigh (sslmb compare), not a sign that the statement's scope is wrong
        said_by = set(criterion.evidence.source_keys)
        for own in own_quantities(graph, iri):
            if said_by and own.evidence.sources and not said_by & set(own.evidence.source_keys):
                continue
            if own.metric == criterion.metric:
                found = contradiction(graph, criterion, own)
                if found:
                    return Inheritance(statement, False, CONTRADICTED, found)
    return Inheritance(statement, True)


def inherited(graph: Graph, iri: str, families: list[str]) -> list[Inheritance]:
    """Every statement of ``families`` (the entity's families, nearest first) judged for the entity ``iri``."""
    return [judge(graph, iri, s, families) for family in families for s in statements_of(graph, family)]


def blocked(graph: Graph, iri: str, families: list[str]) -> set[tuple[str, str, str]]:
    """``(family, relation, other)`` of the family statements that do not reach ``iri``."""
    return {(i.statement.family, i.statement.relation, i.statement.other)
            for i in inherited(graph, iri, families) if not i.applies}
