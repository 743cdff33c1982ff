"""Fast SHACL validation: the shapes compiled once into SPARQL queries that run on the Oxigraph store itself.

pySHACL (:mod:`kg.validate`) is the reference engine; this one exists because pySHACL needs an rdflib copy of
the graph and evaluates constraints node by node: 75 s at 1e5 triples with our shapes, over half an hour at
1e6. Here every constraint of every shape becomes one set-at-a-time SPARQL SELECT over all focus nodes of its
shape, and the rows it returns are the validation results: focus node, path, value, source shape, constraint
component, severity and message, exactly as pySHACL reports them (``tests/test_shaclfast.py`` proves it on the
shipped graph, every shape fixture, a damaged copy of the graph and one shape per constraint kind).

Only the SHACL features our shapes use are compiled (see ``_NODE_PARAMETERS``); a shape that uses anything
else makes the compiler raise :class:`UnsupportedShapeError` naming the shape and the feature, so nothing is
ever silently accepted.

How the queries are written, because Oxigraph evaluates ``FILTER (NOT) EXISTS`` row by row, slowly unless the
pattern is one triple from a bound node (``../shared/MEASURED.md``): a node that must *not* be an instance of
a class is found with ``MINUS`` against the class's instances; a nested shape (``sh:or``, ``sh:not``,
``sh:and``, ``sh:node``, ``sh:property``, ``sh:qualifiedValueShape``) becomes a FILTER expression when each
of its tests reads at most one triple pattern, and otherwise a set of conforming nodes built from joins and
``MINUS``; counts use ``GROUP BY``. The ``sh:select`` text of SHACL-SPARQL constraints and targets is parsed
and rewritten only in ways that keep its meaning under pySHACL: ``$this`` comes from joining the shape's focus
nodes in front of the query body (pySHACL binds it before evaluation), a nested group after a pattern is
joined ``LATERAL`` (rdflib, under pySHACL, evaluates such a group with the outer bindings already in place),
and a ``FILTER NOT EXISTS`` over several self-contained triple patterns becomes ``MINUS``.

>>> import kg
>>> report = validate(kg.load())
>>> report.conforms, report.engine
(True, 'fast')
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core import resources
from kg.core.errors import InputError, KGError
from kg.core.namespaces import OWL, RDF, RDFS, SH, XSD, shorten

if TYPE_CHECKING:
    from kg.core.graph import Graph
    from kg.validate import ValidationReport

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class UnsupportedShapeError(InputError):
    """A shape uses a SHACL feature this engine does not compile; the message names the shape and the feature."""


# ---------------------------------------------------------------------------------------------- vocabulary

_RDF_TYPE = f"<{RDF}type>"
_SUBCLASS = f"<{RDFS}subClassOf>"
_INSTANCE_OF = f"{_RDF_TYPE}/{_SUBCLASS}*"  # SHACL instance: rdf:type/rdfs:subClassOf*


def _sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


_VIOLATION = SH + "Violation"

# Predicates of a shape that carry no constraint of their own (or are read together with another one).
_NON_CONSTRAINT = {
    RDF + "type",
    SH + "name",
    SH + "description",
    SH + "message",
    SH + "severity",
    SH + "deactivated",
    SH + "order",
    SH + "group",
    SH + "defaultValue",
    SH + "path",
    SH + "targetClass",
    SH + "targetNode",
    SH + "targetSubjectsOf",
    SH + "targetObjectsOf",
    SH + "target",
    SH + "flags",
    SH + "qualifiedMinCount",
    SH + "qualifiedMaxCount",
    SH + "qualifiedValueShapesDisjoint",
    SH + "declare",
    SH + "prefixes",
}

# The constraint parameters this engine compiles, and the component each belongs to.
_NODE_PARAMETERS = {
    "class": "ClassConstraintComponent",
    "datatype": "DatatypeConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent",
    "in": "InConstraintComponent",
    "hasValue": "HasValueConstraintComponent",
    "pattern": "PatternConstraintComponent",
    "minInclusive": "MinInclusiveConstraintComponent",
    "maxInclusive": "MaxInclusiveConstraintComponent",
    "minExclusive": "MinExclusiveConstraintComponent",
    "maxExclusive": "MaxExclusiveConstraintComponent",
    "minLength": "MinLengthConstraintComponent",
    "maxLength": "MaxLengthConstraintComponent",
    "languageIn": "LanguageInConstraintComponent",
    "uniqueLang": "UniqueLangConstraintComponent",
    "minCount": "MinCountConstraintComponent",
    "maxCount": "MaxCountConstraintComponent",
    "lessThanOrEquals": "LessThanOrEqualsConstraintComponent",
    "or": "OrConstraintComponent",
    "and": "AndConstraintComponent",
    "not": "NotConstraintComponent",
    "node": "NodeConstraintComponent",
    "property": "PropertyConstraintComponent",
    "qualifiedValueShape": "QualifiedValueShapeConstraintComponent",
    "sparql": "SPARQLConstraintComponent",
}
# Parameters that only make sense on a property shape (pySHACL ignores or rejects them on node shapes).
_PATH_ONLY = {"minCount", "maxCount", "uniqueLang", "lessThanOrEquals", "qualifiedValueShape"}
# Parameters tested on one value node at a time by a SPARQL expression.
_VALUE_TESTS = {
    "datatype",
    "nodeKind",
    "in",
    "hasValue",
    "pattern",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "minLength",
    "maxLength",
    "languageIn",
}

# sh:datatype: pySHACL (through rdflib) also rejects an ill-formed literal of these datatypes. The patterns
# accept what rdflib's converters (int, float, Decimal, its boolean parser) accept.
_DIGITS = r"\\d+(_\\d+)*"
_WELL_FORMED = {
    XSD + "integer": (rf"^\\s*[+-]?{_DIGITS}\\s*$", ""),
    XSD + "double": (
        rf"^\\s*[+-]?(({_DIGITS}(\\.({_DIGITS})?)?|\\.{_DIGITS})([eE][+-]?{_DIGITS})?|inf|infinity|nan)\\s*$",
        "i",
    ),
    XSD + "decimal": (
        rf"^\\s*[+-]?(({_DIGITS}(\\.({_DIGITS})?)?|\\.{_DIGITS})([eE][+-]?{_DIGITS})?|inf|infinity|s?nan\\d*)\\s*$",
        "i",
    ),
    XSD + "boolean": (r"^(true|false|1|0)$", ""),
}
_WELL_FORMED[XSD + "float"] = _WELL_FORMED[XSD + "double"]
# Datatypes whose literals rdflib never calls ill-formed: the datatype IRI alone decides. Every other datatype
# rdflib converts (dates, durations, bounded integers...) is refused rather than checked approximately.
_RDFLIB_CONVERTED = {
    XSD + name
    for name in (
        "time date dateTime duration dayTimeDuration yearMonthDuration hexBinary base64Binary nonPositiveInteger "
        "long nonNegativeInteger negativeInteger int unsignedLong positiveInteger short unsignedInt byte "
        "unsignedShort unsignedByte"
    ).split()
} | {RDF + "XMLLiteral", RDF + "HTML"}

_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})",
    "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})",
}


# ---------------------------------------------------------------------------------------------- SPARQL text

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
  | (?P<bnode>_:[A-Za-z0-9_\u00C0-\uFFFF](?:[A-Za-z0-9_.\-\u00C0-\uFFFF]*[A-Za-z0-9_\-\u00C0-\uFFFF])?)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF](?:[A-Za-z0-9_.\-\u00C0-\uFFFF]*[A-Za-z0-9_\-\u00C0-\uFFFF])?)?:
              (?:[A-Za-z0-9_:%\u00C0-\uFFFF](?:[A-Za-z0-9_.:%\-\u00C0-\uFFFF]*[A-Za-z0-9_:%\-\u00C0-\uFFFF])?)?)
  | (?P<number>\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].;,*/|^+?!=<>-])
    """,
    re.VERBOSE,
)

_PATTERN_KEYWORDS = {"FILTER", "OPTIONAL", "MINUS", "BIND", "VALUES", "GRAPH", "SERVICE", "LATERAL", "UNION"}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "name" else ""

    @property
    def var(self) -> str | None:
        return self.text[1:] if self.kind == "var" else None


def _tokenize(text: str, where: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise UnsupportedShapeError(f"{where}: cannot read the SPARQL text near {text[pos : pos + 30]!r}")
        pos = match.end()
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(_Tok(kind, match.group()))
    return tokens


def _render(items: Sequence[object]) -> str:
    out: list[str] = []
    for item in items:
        text = item.render() if isinstance(item, _Group) else str(item.text) if isinstance(item, _Tok) else str(item)
        if isinstance(item, _Tok) and (item.kind == "lang" or item.text == "^^") and out:
            out[-1] += text
            continue
        if out and out[-1].endswith("^^"):
            out[-1] += text
            continue
        out.append(text)
    return " ".join(out)


@dataclass
class _Elem:
    """One element of a group graph pattern: ``kind`` is triples, filter, bind, values, group, union, minus,
    lateral; ``items`` holds tokens (and, in filters, the groups of EXISTS); ``groups`` the sub-groups."""

    kind: str
    items: list[object] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)

    def render(self) -> str:
        if self.kind == "triples":
            return _render(self.items)
        if self.kind == "filter":
            return "FILTER " + _render(self.items)
        if self.kind == "bind":
            return "BIND " + _render(self.items)
        if self.kind == "values":
            return "VALUES " + _render(self.items)
        if self.kind == "group":
            return self.groups[0].render()
        if self.kind == "union":
            return " UNION ".join(g.render() for g in self.groups)
        if self.kind == "minus":
            return "MINUS " + self.groups[0].render()
        if self.kind == "lateral":
            return "LATERAL { " + " UNION ".join(g.render() for g in self.groups) + " }"
        raise AssertionError(self.kind)

    def variables(self) -> set[str]:
        found = {t.var for t in self.items if isinstance(t, _Tok) and t.var}
        for item in self.items:
            if isinstance(item, _Group):
                found |= item.variables()
        for group in self.groups:
            found |= group.variables()
        return found  # type: ignore[return-value]

    def bound(self) -> set[str]:
        """Variables this element certainly binds (a triple pattern binds all of its variables)."""
        return self.variables() if self.kind == "triples" else set()

    def triple_count(self) -> int:
        return 1 + sum(1 for t in self.items if isinstance(t, _Tok) and t.text in (".", ";", ","))


@dataclass
class _Group:
    elements: list[_Elem]

    def render(self) -> str:
        return "{ " + " ".join(e.render() for e in self.elements) + " }"

    def variables(self) -> set[str]:
        found: set[str] = set()
        for element in self.elements:
            found |= element.variables()
        return found


class _Parser:
    """A reader for the SELECT queries that SHACL-SPARQL constraints and targets contain: triple patterns,
    FILTER (with EXISTS), BIND, VALUES, nested groups, UNION and MINUS. Anything else is refused by name."""

    def __init__(self, text: str, where: str) -> None:
        self.where = where
        self.tokens = _tokenize(text, where)
        self.pos = 0

    def refuse(self, feature: str) -> UnsupportedShapeError:
        return UnsupportedShapeError(f"{self.where}: the fast engine does not compile {feature} in sh:select")

    def peek(self, ahead: int = 0) -> _Tok | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Tok:
        token = self.peek()
        if token is None:
            raise UnsupportedShapeError(f"{self.where}: the SPARQL text ends too early")
        self.pos += 1
        return token

    def expect(self, text: str) -> _Tok:
        token = self.take()
        if token.text.upper() != text.upper():
            raise UnsupportedShapeError(f"{self.where}: expected {text!r} in the SPARQL text, found {token.text!r}")
        return token

    def query(self) -> tuple[list[tuple[str, str]], list[_Tok], _Group]:
        """(hoisted prefixes, the SELECT clause's tokens, the WHERE group)."""
        prefixes: list[tuple[str, str]] = []
        while (token := self.peek()) is not None and token.upper in ("PREFIX", "BASE"):
            if token.upper == "BASE":
                raise self.refuse("BASE")
            self.take()
            name, iri = self.take(), self.take()
            prefixes.append((name.text, iri.text))
        self.expect("SELECT")
        select: list[_Tok] = []
        while (token := self.peek()) is not None and token.text != "{" and token.upper != "WHERE":
            if token.text == "(" or token.upper in ("FROM", "REDUCED"):
                raise self.refuse(f"{token.text!r} in the SELECT clause")
            select.append(self.take())
        if token is not None and token.upper == "WHERE":
            self.take()
        group = self.group()
        if self.peek() is not None:
            raise self.refuse(f"solution modifiers ({self.peek().text} ...)")  # type: ignore[union-attr]
        return prefixes, select, group

    def group(self, in_exists: bool = False) -> _Group:
        self.expect("{")
        if (token := self.peek()) is not None and token.upper == "SELECT":
            raise self.refuse("a sub-select")
        elements: list[_Elem] = []
        while True:
            token = self.peek()
            if token is None:
                raise UnsupportedShapeError(f"{self.where}: unbalanced braces in the SPARQL text")
            keyword = token.upper
            if token.text == "}":
                self.take()
                return _Group(elements)
            if token.text == ".":
                self.take()
            elif token.text == "{":
                if in_exists:
                    raise self.refuse("a nested group inside EXISTS")
                groups = [self.group()]
                while (nxt := self.peek()) is not None and nxt.upper == "UNION":
                    self.take()
                    groups.append(self.group())
                elements.append(_Elem("group" if len(groups) == 1 else "union", groups=groups))
            elif keyword == "FILTER":
                self.take()
                elements.append(_Elem("filter", self.constraint()))
            elif keyword == "BIND":
                self.take()
                elements.append(_Elem("bind", self.balanced("(", ")")))
            elif keyword == "MINUS":
                if in_exists:
                    raise self.refuse("MINUS inside EXISTS")
                self.take()
                elements.append(_Elem("minus", groups=[self.group()]))
            elif keyword == "VALUES":
                self.take()
                items: list[object] = []
                while (nxt := self.peek()) is not None and nxt.text != "{":
                    items.append(self.take())
                items.extend(self.balanced("{", "}"))
                elements.append(_Elem("values", items))
            elif keyword in _PATTERN_KEYWORDS:
                # OPTIONAL: rdflib evaluates it with the outer bindings in place and re-checks without them, a
                # semantics no SPARQL rewrite reproduces exactly; GRAPH/SERVICE: the data graph has no others.
                raise self.refuse(keyword)
            else:
                elements.append(_Elem("triples", self.triples()))

    def triples(self) -> list[object]:
        items: list[object] = []
        depth = 0
        while (token := self.peek()) is not None:
            if depth == 0 and (token.text in ("{", "}") or token.upper in _PATTERN_KEYWORDS):
                break
            if token.text in ("(", "["):
                depth += 1
            elif token.text in (")", "]"):
                depth -= 1
            items.append(self.take())
        while items and isinstance(items[-1], _Tok) and items[-1].text == ".":
            items.pop()
        return items

    def balanced(self, opening: str, closing: str) -> list[object]:
        items: list[object] = [self.expect(opening)]
        depth = 1
        while depth:
            token = self.peek()
            if token is not None and token.upper == "EXISTS" and (nxt := self.peek(1)) is not None and nxt.text == "{":
                items.append(self.take())
                items.append(self.group(in_exists=True))
                continue
            token = self.take()
            if token.text == opening:
                depth += 1
            elif token.text == closing:
                depth -= 1
            elif token.upper == "SELECT":
                raise self.refuse("a sub-select")
            items.append(token)
        return items

    def constraint(self) -> list[object]:
        token = self.peek()
        if token is not None and token.text == "(":
            return self.balanced("(", ")")
        if token is not None and token.upper in ("NOT", "EXISTS"):
            items: list[object] = []
            if token.upper == "NOT":
                items.append(self.take())
            items.append(self.expect("EXISTS"))
            items.append(self.group(in_exists=True))
            return items
        if token is not None and token.kind in ("name", "iri", "pname"):
            return [self.take(), *self.balanced("(", ")")]
        raise UnsupportedShapeError(f"{self.where}: cannot read the FILTER in the SPARQL text")


def _lateral_joins(group: _Group, outer: set[str]) -> _Group:
    """rdflib evaluates a nested group after the patterns before it with their bindings already substituted
    (its lazy join); Oxigraph evaluates the group on its own, as the standard says. ``LATERAL`` makes Oxigraph
    do what rdflib does, so a FILTER inside a UNION branch sees the outer ``?this``."""
    seen = set(outer)
    elements: list[_Elem] = []
    for element in group.elements:
        if element.kind in ("group", "union"):
            inner = [_lateral_joins(g, set()) for g in element.groups]
            if element.variables() & seen:
                element = _Elem("lateral", groups=inner)
            else:
                element = _Elem(element.kind, groups=inner)
        elif element.kind == "minus":
            element = _Elem("minus", groups=[_lateral_joins(element.groups[0], set())])
        if element.kind in ("triples", "group", "union", "lateral", "values", "bind"):
            seen |= element.variables()
        elements.append(element)
    return _Group(elements)


def _not_exists_as_minus(group: _Group, outer: set[str]) -> _Group:
    """``FILTER NOT EXISTS { P }`` -> ``MINUS { P }`` where both mean the same: P is triple patterns (and
    filters over its own variables), every variable P shares with the group is bound by a triple pattern of
    the group (or is ``certain``), and at least one is shared. Oxigraph runs NOT EXISTS once per row, and
    took seconds where MINUS takes milliseconds; single-pattern NOT EXISTS are fast and kept."""
    certain = set(outer)
    for element in group.elements:
        certain |= element.bound()
    kept: list[_Elem] = []
    moved: list[_Elem] = []
    for element in group.elements:
        body = _not_exists_body(element)
        if body is not None:
            own = set().union(*(e.bound() for e in body.elements if e.kind == "triples"))
            in_filters = set().union(*(e.variables() for e in body.elements if e.kind == "filter"))
            elsewhere = set(outer).union(*(e.variables() for e in group.elements if e is not element))
            shared = own & elsewhere
            simple = all(e.kind in ("triples", "filter") for e in body.elements)
            patterns = sum(e.triple_count() for e in body.elements if e.kind == "triples")
            worth = patterns > 1 or any(e.kind == "filter" for e in body.elements)
            if simple and worth and in_filters <= own and shared and shared <= certain:
                moved.append(_Elem("minus", groups=[body]))
                continue
        kept.append(element)
    return _Group(kept + moved)


def _not_exists_body(element: _Elem) -> _Group | None:
    items = element.items
    if element.kind != "filter":
        return None
    if items and isinstance(items[0], _Tok) and items[0].text == "(" and items[-1] == _Tok("op", ")"):
        items = items[1:-1]
    if (
        len(items) == 3
        and isinstance(items[0], _Tok)
        and items[0].upper == "NOT"
        and isinstance(items[1], _Tok)
        and items[1].upper == "EXISTS"
        and isinstance(items[2], _Group)
    ):
        return items[2]
    return None


# ---------------------------------------------------------------------------------------------- the checks


@dataclass(frozen=True)
class Check:
    """One compiled query and how to read its rows.

    ``kind``: ``value`` rows (?this ?value) and ``focus`` rows (?this) are results as they come; ``count``
    rows (?this ?n) are compared with ``bounds`` (min, max; of conforming values when ``qualified``);
    ``sparql`` rows carry every projected variable of a SHACL-SPARQL constraint, which fill the message.
    """

    shape: Term
    component: str
    severity: str
    messages: tuple[str, ...]
    path: Term | None
    sparql: str
    kind: str
    bounds: tuple[int | None, int | None] = (None, None)
    qualified: bool = False
    source_constraint: Term | None = None
    extra_messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompiledShapes:
    """The shapes graph compiled for one set of shape files (compiled once per set, then cached)."""

    files: tuple[str, ...]
    checks: tuple[Check, ...]
    shapes: int


@dataclass
class _Dom:
    """A SPARQL pattern (the inside of a group) whose solutions carry ``vars``; conformance is always
    evaluated for the nodes one of these variables holds."""

    text: str
    vars: tuple[str, ...]


def _vars(names: Iterable[str]) -> str:
    return " ".join(f"?{n}" for n in names)


def _project(dom_vars: Sequence[str], text: str) -> str:
    return f"{{ SELECT DISTINCT {_vars(dom_vars)} WHERE {{ {text} }} }}"


def _sparql_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _python_pattern_to_rust(pattern: str, multiline: bool) -> str:
    """pySHACL matches sh:pattern with Python's ``re``; Oxigraph with Rust's regex crate. They agree on the
    syntax both accept except ``$``, which in Python also matches before a final newline."""
    if multiline:
        return pattern
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # a literal ] right after [
                out.append("[]")
                i += 2
                continue
        elif char == "$":
            char = r"(?:\n?\z)"
        out.append(char)
        i += 1
    return "".join(out)


class _Compiler:
    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.counter = 0
        self.checks: list[Check] = []
        self.probe = ox.Store()
        self.current: Term | None = None

    # ---- reading the shapes graph

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return [
            q.object  # type: ignore[misc]
            for q in self.store.quads_for_pattern(subject, ox.NamedNode(predicate), None, ox.DefaultGraph())
        ]

    def one(self, subject: Term, predicate: str, shape: Term) -> Term | None:
        found = self.objects(subject, predicate)
        if len(found) > 1:
            raise UnsupportedShapeError(f"{self.name(shape)}: several values of {shorten(predicate)}")
        return found[0] if found else None

    def items(self, node: Term, shape: Term) -> list[Term]:
        out: list[Term] = []
        seen: set[Term] = set()
        while node != ox.NamedNode(RDF + "nil"):
            if node in seen or not isinstance(node, ox.BlankNode | ox.NamedNode):
                raise UnsupportedShapeError(f"{self.name(shape)}: a malformed RDF list")
            seen.add(node)
            first = self.objects(node, RDF + "first")
            rest = self.objects(node, RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                raise UnsupportedShapeError(f"{self.name(shape)}: a malformed RDF list")
            out.append(first[0])
            node = rest[0]
        return out

    def name(self, shape: Term) -> str:
        """How an error names a shape: its IRI, or for a blank node the top-level shape it is part of."""
        if isinstance(shape, ox.NamedNode):
            return shorten(shape.value)
        where = f" in {shorten(self.current.value)}" if isinstance(self.current, ox.NamedNode) else ""
        return f"a blank-node shape{where}"

    def fresh(self) -> str:
        self.counter += 1
        return f"_sf{self.counter}"

    def severity(self, shape: Term) -> str:
        value = self.one(shape, SH + "severity", shape)
        if value is None:
            return _VIOLATION
        if not isinstance(value, ox.NamedNode):
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:severity must be an IRI")
        return value.value

    def deactivated(self, shape: Term) -> bool:
        value = self.one(shape, SH + "deactivated", shape)
        return isinstance(value, ox.Literal) and value.value in ("true", "1")

    def messages(self, shape: Term) -> tuple[str, ...]:
        return tuple(m.value for m in self.objects(shape, SH + "message") if isinstance(m, ox.Literal))

    def parameters(self, shape: Term) -> list[tuple[str, Term]]:
        """The constraint parameters of a shape, refusing any SHACL feature not compiled here."""
        found: list[tuple[str, Term]] = []
        for quad in self.store.quads_for_pattern(shape, None, None, ox.DefaultGraph()):
            predicate = quad.predicate.value
            if predicate in _NON_CONSTRAINT or not predicate.startswith(SH):
                continue
            local = predicate[len(SH) :]
            if local not in _NODE_PARAMETERS:
                raise UnsupportedShapeError(f"{self.name(shape)}: the fast engine does not compile sh:{local}")
            found.append((local, quad.object))  # type: ignore[arg-type]
        locals_ = [local for local, _ in found]
        for local in set(locals_):
            if locals_.count(local) > 1 and local not in ("property", "sparql"):
                raise UnsupportedShapeError(f"{self.name(shape)}: several values of sh:{local}")
        if self.objects(shape, SH + "qualifiedValueShapesDisjoint"):
            value = self.objects(shape, SH + "qualifiedValueShapesDisjoint")[0]
            if isinstance(value, ox.Literal) and value.value in ("true", "1"):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:qualifiedValueShapesDisjoint true")
        order = {name: i for i, name in enumerate(_NODE_PARAMETERS)}
        return sorted(found, key=lambda pair: order[pair[0]])

    def path(self, node: Term, shape: Term) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(node, ox.NamedNode):
            return str(node)
        if not isinstance(node, ox.BlankNode):
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:path is a literal")
        if self.objects(node, RDF + "first"):
            steps = [self.path(step, shape) for step in self.items(node, shape)]
            return "(" + "/".join(steps) + ")" if len(steps) > 1 else steps[0]
        for local, template in (
            ("inversePath", "^({})"),
            ("zeroOrMorePath", "({})*"),
            ("oneOrMorePath", "({})+"),
            ("zeroOrOnePath", "({})?"),
        ):
            inner = self.objects(node, SH + local)
            if inner:
                return template.format(self.path(inner[0], shape))
        alternatives = self.objects(node, SH + "alternativePath")
        if alternatives:
            return "(" + "|".join(self.path(step, shape) for step in self.items(alternatives[0], shape)) + ")"
        raise UnsupportedShapeError(f"{self.name(shape)}: a property path the fast engine does not compile")

    @staticmethod
    def bounded(path: str) -> bool:
        """Can ``?s path ?o`` be evaluated with both ends open at the cost of reading the predicates? True for
        an IRI, its inverse and alternatives of those; sequences and repetitions may multiply."""
        return (
            re.fullmatch(r"\^?\(?(<[^<>\s]*>(\|<[^<>\s]*>)*)\)?|\^\(\(?<[^<>\s]*>(\|<[^<>\s]*>)*\)?\)", path)
            is not None
        )

    # ---- conformance of nodes to nested shapes
    #
    # Three ways to say which nodes conform, tried in this order: a FILTER expression (value tests, and
    # EXISTS over one triple pattern, which Oxigraph answers quickly for a bound subject); a pattern that
    # lists the conforming nodes by itself (``?v rdf:type/rdfs:subClassOf* C``), used with MINUS; and set
    # algebra over the candidate solutions (``_Dom``) with joins, MINUS and GROUP BY.

    def nested(self, shape: Term, stack: tuple[Term, ...]) -> tuple[Term, ...]:
        if shape in stack:
            raise UnsupportedShapeError(f"{self.name(shape)}: a recursive shape")
        if self.severity(shape) != _VIOLATION:
            # pySHACL, run as kg.validate runs it (warnings allowed), counts a nested shape of a lower severity
            # as conforming whatever it finds; refuse rather than copy that.
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:severity on a shape nested in another")
        return (*stack, shape)

    def shape_test(self, shape: Term, v: str, stack: tuple[Term, ...]) -> str | None:
        """A boolean expression true when ``?v`` conforms to ``shape``, or None."""
        stack = self.nested(shape, stack)
        if self.deactivated(shape):
            return "true"
        path_node = self.one(shape, SH + "path", shape)
        if path_node is not None:
            return self.property_test(shape, self.path(path_node, shape), v, stack)
        tests = [self.param_test(shape, local, value, v, stack) for local, value in self.parameters(shape)]
        if any(t is None for t in tests):
            return None
        return "(" + " && ".join(tests) + ")" if tests else "true"  # type: ignore[arg-type]

    def param_test(self, shape: Term, local: str, value: Term, v: str, stack: tuple[Term, ...]) -> str | None:
        if local in _VALUE_TESTS:
            return self.value_test(shape, local, value, f"?{v}")
        if local in ("node", "property"):
            return self.shape_test(value, v, stack)
        if local == "not":
            inner = self.shape_test(value, v, stack)
            return f"!{inner}" if inner is not None else None
        if local in ("and", "or"):
            tests = [self.shape_test(m, v, stack) for m in self.items(value, shape)]
            if any(t is None for t in tests):
                return None
            joiner = " && " if local == "and" else " || "
            return "(" + joiner.join(tests) + ")" if tests else ("true" if local == "and" else "false")  # type: ignore[arg-type]
        return None

    def property_test(self, shape: Term, path: str, v: str, stack: tuple[Term, ...]) -> str | None:
        if not self.bounded(path):
            return None
        tests = []
        for local, value in self.parameters(shape):
            w = self.fresh()
            if local in ("minCount", "maxCount"):
                n = self.integer(value, shape, local)
                if local == "minCount" and n == 0:
                    continue
                if n > 1 or (local == "maxCount" and n == 1):
                    return None
                exists = f"EXISTS {{ ?{v} {path} ?{w} }}"
                tests.append(exists if local == "minCount" else f"!{exists}")
            elif local == "hasValue":
                tests.append(f"EXISTS {{ ?{v} {path} {self.term(value, shape)} }}")
            elif local in ("uniqueLang", "lessThanOrEquals", "qualifiedValueShape", "property", "sparql"):
                return None
            else:
                inner = self.param_test(shape, local, value, w, stack)
                if inner is None:
                    return None
                tests.append(f"NOT EXISTS {{ ?{v} {path} ?{w} FILTER (!{inner}) }}")
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def shape_pos(self, shape: Term, v: str, stack: tuple[Term, ...]) -> str | None:
        """A pattern, needing no candidates, whose solutions bind ``?v`` to every conforming node, or None."""
        stack = self.nested(shape, stack)
        if self.deactivated(shape):
            return None
        params = self.parameters(shape)
        path_node = self.one(shape, SH + "path", shape)
        parts = []
        for local, value in params:
            if path_node is not None:
                path = self.path(path_node, shape)
                if local == "hasValue":
                    parts.append(f"?{v} {path} {self.term(value, shape)}")
                elif local == "minCount" and self.integer(value, shape, local) == 1 and self.bounded(path):
                    parts.append(f"?{v} {path} ?{self.fresh()}")
                else:
                    return None
            elif local == "class":
                parts.append(f"?{v} {_INSTANCE_OF} {self.term(value, shape)}")
            elif local in ("node", "property"):
                inner = self.shape_pos(value, v, stack)
                if inner is None:
                    return None
                parts.append(inner)
            elif local in ("and", "or"):
                members = [self.shape_pos(m, v, stack) for m in self.items(value, shape)]
                if any(m is None for m in members) or not members:
                    return None
                joiner = " " if local == "and" else " UNION "
                parts.append(joiner.join(f"{{ {m} }}" for m in members))
            else:
                return None
        return " ".join(f"{{ {p} }}" for p in parts) if parts else None

    def sat(self, shape: Term, dom: _Dom, v: str, stack: tuple[Term, ...]) -> _Dom:
        """The solutions of ``dom`` whose ``?v`` conforms to ``shape``."""
        test = self.shape_test(shape, v, stack)
        if test is not None:
            return _Dom(f"{dom.text} FILTER ({test})", dom.vars)
        pos = self.shape_pos(shape, v, stack)
        if pos is not None:
            return _Dom(_project(dom.vars, f"{dom.text} . {pos}"), dom.vars)
        stack = self.nested(shape, stack)
        path_node = self.one(shape, SH + "path", shape)
        for local, value in self.parameters(shape):
            if path_node is not None:
                dom = self.sat_path_param(shape, self.path(path_node, shape), local, value, dom, v, stack)
            else:
                dom = self.sat_param(shape, local, value, dom, v, stack)
        return dom

    def unsat(self, shape: Term, dom: _Dom, v: str, stack: tuple[Term, ...]) -> _Dom:
        """The solutions of ``dom`` whose ``?v`` does not conform to ``shape``."""
        test = self.shape_test(shape, v, stack)
        if test is not None:
            return _Dom(f"{dom.text} FILTER (!{test})", dom.vars)
        pos = self.shape_pos(shape, v, stack)
        if pos is not None:
            return _Dom(f"{dom.text} MINUS {{ {pos} }}", dom.vars)
        params = self.parameters(shape)
        if len(params) == 1 and self.one(shape, SH + "path", shape) is None:
            return self.unsat_param(shape, *params[0], dom, v, self.nested(shape, stack))
        good = self.sat(shape, dom, v, stack)
        return _Dom(f"{dom.text} MINUS {_project(dom.vars, good.text)}", dom.vars)

    def sat_param(self, shape: Term, local: str, value: Term, dom: _Dom, v: str, stack: tuple[Term, ...]) -> _Dom:
        """The solutions of ``dom`` whose ``?v`` satisfies one constraint of a shape without sh:path."""
        if local in _PATH_ONLY:
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} on a shape without sh:path")
        if local == "sparql":
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:sparql on a shape nested in another")
        test = self.param_test(shape, local, value, v, stack)
        if test is not None:
            return _Dom(f"{dom.text} FILTER ({test})", dom.vars)
        if local == "class":
            return _Dom(_project(dom.vars, f"{dom.text} . ?{v} {_INSTANCE_OF} {self.term(value, shape)}"), dom.vars)
        if local in ("node", "property"):
            return self.sat(value, dom, v, stack)
        if local == "not":
            return self.unsat(value, dom, v, stack)
        if local == "and":
            for member in self.items(value, shape):
                dom = self.sat(member, dom, v, stack)
            return dom
        if local == "or":
            bad = self.unsat_param(shape, local, value, dom, v, stack)
            return _Dom(f"{dom.text} MINUS {_project(dom.vars, bad.text)}", dom.vars)
        raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} in this position")

    def unsat_param(self, shape: Term, local: str, value: Term, dom: _Dom, v: str, stack: tuple[Term, ...]) -> _Dom:
        """The solutions of ``dom`` whose ``?v`` breaks one constraint of a shape without sh:path."""
        test = self.param_test(shape, local, value, v, stack)
        if test is not None:
            return _Dom(f"{dom.text} FILTER (!{test})", dom.vars)
        if local == "class":
            return _Dom(f"{dom.text} MINUS {{ ?{v} {_INSTANCE_OF} {self.term(value, shape)} }}", dom.vars)
        if local in ("node", "property"):
            return self.unsat(value, dom, v, stack)
        if local == "not":
            return self.sat(value, dom, v, stack)
        if local == "or":
            for member in self.items(value, shape):
                dom = self.unsat(member, dom, v, stack)
            return dom
        good = self.sat_param(shape, local, value, dom, v, stack)
        return _Dom(f"{dom.text} MINUS {_project(dom.vars, good.text)}", dom.vars)

    def sat_path_param(
        self, shape: Term, path: str, local: str, value: Term, dom: _Dom, v: str, stack: tuple[Term, ...]
    ) -> _Dom:
        """The solutions of ``dom`` whose ``?v`` satisfies one constraint of a property shape."""
        w = self.fresh()
        reach = f"{dom.text} . ?{v} {path} ?{w}"
        if local in ("minCount", "maxCount"):
            n = self.integer(value, shape, local)
            if local == "minCount" and n == 0:
                return dom
            if local == "minCount" and n == 1:
                return _Dom(_project(dom.vars, reach), dom.vars)
            if local == "maxCount" and n == 0:
                return _Dom(f"{dom.text} MINUS {_project(dom.vars, reach)}", dom.vars)
            test = f">= {n}" if local == "minCount" else f"> {n}"
            counted = (
                f"{{ SELECT {_vars(dom.vars)} WHERE {{ {reach} }} GROUP BY {_vars(dom.vars)} "
                f"HAVING (COUNT(DISTINCT ?{w}) {test}) }}"
            )
            return _Dom(counted if local == "minCount" else f"{dom.text} MINUS {counted}", dom.vars)
        if local == "hasValue":
            return _Dom(_project(dom.vars, f"{dom.text} . ?{v} {path} {self.term(value, shape)}"), dom.vars)
        if local in ("property", "sparql"):
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} on a property shape")
        if local == "qualifiedValueShape":
            low = self.one(shape, SH + "qualifiedMinCount", shape)
            high = self.one(shape, SH + "qualifiedMaxCount", shape)
            good = self.sat(value, _Dom(reach, (*dom.vars, w)), w, stack)
            counted = f"SELECT {_vars(dom.vars)} WHERE {{ {good.text} }} GROUP BY {_vars(dom.vars)}"
            if low is not None and (n := self.integer(low, shape, "qualifiedMinCount")) > 0:
                dom = _Dom(f"{{ {counted} HAVING (COUNT(DISTINCT ?{w}) >= {n}) }}", dom.vars)
            if high is not None:
                n = self.integer(high, shape, "qualifiedMaxCount")
                dom = _Dom(f"{dom.text} MINUS {{ {counted} HAVING (COUNT(DISTINCT ?{w}) > {n}) }}", dom.vars)
            return dom
        bad = self.bad_values(shape, path, local, value, _Dom(reach, (*dom.vars, w)), v, w, stack)
        return _Dom(f"{dom.text} MINUS {_project(dom.vars, bad.text)}", dom.vars)

    def bad_values(
        self, shape: Term, path: str, local: str, value: Term, reach: _Dom, v: str, w: str, stack: tuple[Term, ...]
    ) -> _Dom:
        """The solutions of ``reach`` (which binds ``?w`` to a value of ``?v`` along the path) where that
        value breaks the constraint: pySHACL reports each of them."""
        if local == "uniqueLang":
            if not (isinstance(value, ox.Literal) and value.value in ("true", "1")):
                return _Dom(f"{reach.text} FILTER (false)", reach.vars)
            other = self.fresh()
            return _Dom(
                f"{reach.text} . ?{v} {path} ?{other} FILTER (isLiteral(?{w}) && isLiteral(?{other}) && "
                f'!sameTerm(?{w}, ?{other}) && LANG(?{w}) != "" && LCASE(LANG(?{w})) = LCASE(LANG(?{other})))',
                reach.vars,
            )
        if local == "lessThanOrEquals":
            other = self.fresh()
            test = _less_or_equal(f"?{w}", f"?{other}")
            return _Dom(
                f"{reach.text} . ?{v} {self.term(value, shape)} ?{other} FILTER (!({test}))", (*reach.vars, other)
            )
        return self.unsat_param(shape, local, value, reach, w, stack)

    def value_test(self, shape: Term, local: str, value: Term, x: str) -> str:
        """A SPARQL expression, never an error, true when the value node ``x`` satisfies the constraint."""
        if local == "datatype":
            if not isinstance(value, ox.NamedNode):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:datatype must be an IRI")
            iri = value.value
            if iri == RDFS + "Literal":
                return f"isLiteral({x})"
            if iri == RDF + "langString":
                return f'(isLiteral({x}) && LANG({x}) != "")'
            if iri in _RDFLIB_CONVERTED:
                raise UnsupportedShapeError(
                    f"{self.name(shape)}: sh:datatype {shorten(iri)} (its well-formedness check is not compiled)"
                )
            test = f"(isLiteral({x}) && DATATYPE({x}) = {value}"
            if iri in _WELL_FORMED:
                pattern, flags = _WELL_FORMED[iri]
                test += f' && REGEX(STR({x}), "{pattern}", "{flags}")'
            return f"COALESCE({test}), false)"
        if local == "nodeKind":
            kind = value.value[len(SH) :] if isinstance(value, ox.NamedNode) and value.value.startswith(SH) else ""
            if kind not in _NODE_KINDS:
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:nodeKind {value}")
            return _NODE_KINDS[kind].format(v=x)
        if local == "in":
            members = self.items(value, shape)
            if not members:
                return "false"
            return "(" + " || ".join(f"sameTerm({x}, {self.term(m, shape)})" for m in members) + ")"
        if local == "hasValue":
            return f"sameTerm({x}, {self.term(value, shape)})"
        if local == "pattern":
            if not isinstance(value, ox.Literal):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:pattern must be a literal")
            flags_node = self.objects(shape, SH + "flags")
            flags = flags_node[0].value.lower() if flags_node else ""
            rust_flags = ("i" if "i" in flags else "") + ("m" if "m" in flags else "")
            pattern = _python_pattern_to_rust(value.value, "m" in rust_flags)
            self.check_regex(shape, pattern, rust_flags)
            return f"(!isBlank({x}) && REGEX(STR({x}), {_sparql_string(pattern)}, {_sparql_string(rust_flags)}))"
        if local in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            if not isinstance(value, ox.Literal):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} must be a literal")
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[local]
            return f"COALESCE(isLiteral({x}) && {x} {op} {value}, false)"
        if local in ("minLength", "maxLength"):
            n = self.integer(value, shape, local)
            if local == "minLength" and n == 0:
                return "true"
            op = ">=" if local == "minLength" else "<="
            return f"COALESCE(!isBlank({x}) && STRLEN(STR({x})) {op} {n}, false)"
        if local == "languageIn":
            tags = [m.value.lower() for m in self.items(value, shape) if isinstance(m, ox.Literal)]
            if "*" in tags:
                return f'COALESCE(isLiteral({x}) && LANG({x}) != "", false)'
            listed = ", ".join(_sparql_string(t) for t in tags) or '""'
            lang = f"LCASE(LANG({x}))"
            return (
                f'COALESCE(isLiteral({x}) && LANG({x}) != "" && ({lang} IN ({listed}) || '
                f'IF(CONTAINS({lang}, "-"), STRBEFORE({lang}, "-"), {lang}) IN ({listed})), false)'
            )
        raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} where a single value is tested")

    def refuse_top_level_node(self, shape: Term, local: str) -> None:
        if local == "node":
            # pySHACL then also reports the nested shape's own results (as sh:detail, with generic messages)
            raise UnsupportedShapeError(
                f"{self.name(shape)}: the fast engine does not compile sh:node at the top of a shape "
                "(only inside sh:or, sh:and, sh:not)"
            )

    def integer(self, value: Term | None, shape: Term, local: str) -> int:
        if isinstance(value, ox.Literal):
            try:
                return int(value.value)
            except ValueError:
                pass
        raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} must be an integer")

    def term(self, term: Term, shape: Term) -> str:
        """A value of the shapes graph written into a query (a blank node cannot be)."""
        if isinstance(term, ox.BlankNode):
            raise UnsupportedShapeError(
                f"{self.name(shape)}: a blank node where the fast engine needs an IRI or literal"
            )
        return str(term)

    def check_regex(self, shape: Term, pattern: str, flags: str) -> None:
        """Oxigraph turns an invalid regex into an unbound value, which a FILTER would read as "no match";
        make sure the pattern compiles, so that never happens silently."""
        query = f"SELECT (REGEX('', {_sparql_string(pattern)}, {_sparql_string(flags)}) AS ?ok) {{}}"
        if next(iter(self.probe.query(query)))["ok"] is None:
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:pattern {pattern!r} is not a regex Oxigraph reads")

    # ---- the top-level checks: one query per constraint, rows are results

    def parse_select(self, shape: Term, node: Term, what: str) -> tuple[str, list[_Tok], _Group]:
        selects = self.objects(node, SH + "select")
        if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
            raise UnsupportedShapeError(
                f"{self.name(shape)}: {what} without exactly one sh:select (sh:ask is not compiled)"
            )
        where = f"{self.name(shape)} ({what})"
        prefixes, select, group = _Parser(selects[0].value, where).query()
        lines = self.prologue(shape, node) + [f"PREFIX {name} {iri}" for name, iri in prefixes]
        for special in ("PATH", "currentShape", "shapesGraph"):
            if special in group.variables() or any(t.var == special for t in select):
                raise UnsupportedShapeError(f"{where}: ${special} is not compiled")
        return "\n".join(dict.fromkeys(lines)), select, group

    def prologue(self, shape: Term, node: Term) -> list[str]:
        lines = []
        for ontology in self.objects(node, SH + "prefixes"):
            for declaration in self.objects(ontology, SH + "declare"):
                prefix = self.one(declaration, SH + "prefix", shape)
                namespace = self.one(declaration, SH + "namespace", shape)
                if prefix is None or namespace is None:
                    raise UnsupportedShapeError(f"{self.name(shape)}: an sh:declare without prefix or namespace")
                lines.append(f"PREFIX {prefix.value}: <{namespace.value}>")
        return lines

    def targets(self, shape: Term) -> tuple[str, str] | None:
        """The focus nodes of a shape as a sub-select binding ``?this``, with the prefixes it needs."""
        if ox.NamedNode(RDFS + "Class") in self.objects(shape, RDF + "type"):
            raise UnsupportedShapeError(f"{self.name(shape)}: an implicit class target (the shape is a class)")
        branches: list[str] = []
        header: list[str] = []
        classes = self.objects(shape, SH + "targetClass")
        if classes:
            branches.append(
                f"VALUES ?_sfc {{ {' '.join(self.term(c, shape) for c in classes)} }} ?this {_INSTANCE_OF} ?_sfc"
            )
        nodes = self.objects(shape, SH + "targetNode")
        if nodes:
            branches.append(f"VALUES ?this {{ {' '.join(self.term(n, shape) for n in nodes)} }}")
        for predicate in self.objects(shape, SH + "targetSubjectsOf"):
            branches.append(f"?this {self.term(predicate, shape)} ?_sft")
        for predicate in self.objects(shape, SH + "targetObjectsOf"):
            branches.append(f"?_sft {self.term(predicate, shape)} ?this")
        for target in self.objects(shape, SH + "target"):
            types = self.objects(target, RDF + "type")
            if types and ox.NamedNode(SH + "SPARQLTarget") not in types:
                raise UnsupportedShapeError(f"{self.name(shape)}: a target of type {types[0]} (only SPARQL targets)")
            prologue, select, group = self.parse_select(shape, target, "SPARQL target")
            if "this" not in {t.var for t in select} and not any(t.text == "*" for t in select):
                raise UnsupportedShapeError(f"{self.name(shape)}: the SPARQL target does not select ?this")
            group = _not_exists_as_minus(_lateral_joins(group, set()), set())
            branches.append(f"{{ SELECT DISTINCT ?this WHERE {group.render()} }}")
            header.extend(prologue.splitlines())
        if not branches:
            return None
        union = " UNION ".join(f"{{ {b} }}" for b in branches)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}", "\n".join(dict.fromkeys(header))

    def compile_shape(self, shape: Term) -> None:
        self.current = shape
        if self.deactivated(shape):
            return
        found = self.targets(shape)
        if found is None:
            return
        focus, header = found
        if self.one(shape, SH + "path", shape) is not None:
            self.compile_property(shape, (), focus, header)
            return
        dom = _Dom(focus, ("this",))
        for local, value in self.parameters(shape):
            if local == "property":
                if self.deactivated(value):
                    continue
                if self.one(value, SH + "path", value) is None:
                    raise UnsupportedShapeError(f"{self.name(value)}: sh:property points at a shape without sh:path")
                self.compile_property(value, (shape,), focus, header)
            elif local == "sparql":
                self.compile_sparql(shape, value, focus, header)
            elif local in _PATH_ONLY:
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} on a shape without sh:path")
            else:
                self.refuse_top_level_node(shape, local)
                bad = self.unsat_param(shape, local, value, dom, "this", (shape,))
                self.add(
                    shape, local, "value", f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {bad.text} }}", header
                )

    def add(self, shape: Term, local: str, kind: str, query: str, header: str, **more) -> None:
        self.checks.append(
            Check(
                shape=shape,
                component=SH + _NODE_PARAMETERS[local],
                severity=self.severity(shape),
                messages=self.messages(shape),
                path=self.one(shape, SH + "path", shape),
                sparql=(header + "\n" if header else "") + query,
                kind=kind,
                **more,
            )
        )

    def compile_property(self, shape: Term, parents: tuple[Term, ...], focus: str, header: str) -> None:
        """The checks of a property shape for the focus nodes of the shape that holds it (or its own)."""
        path = self.path(self.one(shape, SH + "path", shape), shape)  # type: ignore[arg-type]
        stack = (*parents, shape)
        reach = _Dom(f"{focus} . ?this {path} ?value", ("this", "value"))
        params = self.parameters(shape)
        counts = {
            local: self.integer(value, shape, local) for local, value in params if local in ("minCount", "maxCount")
        }
        low, high = counts.get("minCount") or None, counts.get("maxCount")
        tests = ([f"COUNT(DISTINCT ?value) < {low}"] if low else []) + (
            [f"COUNT(DISTINCT ?value) > {high}"] if high is not None else []
        )
        if tests:
            query = (
                f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} }} "
                f"GROUP BY ?this HAVING ({' || '.join(tests)})"
            )
            self.add(shape, "minCount", "count", query, header, bounds=(low, high))
        for local, value in params:
            if local in ("minCount", "maxCount"):
                continue
            if local in ("property", "sparql"):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} on a property shape")
            if local == "hasValue":
                where = (
                    f"{focus} MINUS {{ ?this {path} {self.term(value, shape)} }}"
                    if self.bounded(path)
                    else f"{focus} MINUS {_project(('this',), f'{focus} . ?this {path} {self.term(value, shape)}')}"
                )
                self.add(shape, local, "focus", f"SELECT DISTINCT ?this WHERE {{ {where} }}", header)
            elif local == "uniqueLang":
                if isinstance(value, ox.Literal) and value.value in ("true", "1"):
                    # one result per language tag (compared in lower case) that two values share
                    query = (
                        f"SELECT ?this ?lang WHERE {{ {reach.text} "
                        f'FILTER (isLiteral(?value) && LANG(?value) != "") }} '
                        f"GROUP BY ?this (LCASE(LANG(?value)) AS ?lang) HAVING (COUNT(DISTINCT ?value) > 1)"
                    )
                    self.add(shape, local, "focus", query, header)
            elif local == "qualifiedValueShape":
                lo_node = self.one(shape, SH + "qualifiedMinCount", shape)
                hi_node = self.one(shape, SH + "qualifiedMaxCount", shape)
                lo = self.integer(lo_node, shape, "qualifiedMinCount") if lo_node is not None else None
                hi = self.integer(hi_node, shape, "qualifiedMaxCount") if hi_node is not None else None
                w = self.fresh()
                good = self.sat(value, _Dom(f"{focus} . ?this {path} ?{w}", ("this", w)), w, stack)
                tests = ([f"?n < {lo}"] if lo is not None else []) + ([f"?n > {hi}"] if hi is not None else [])
                if tests:
                    query = (
                        f"SELECT ?this ?n WHERE {{ {focus} OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?{w}) AS ?k) "
                        f"WHERE {{ {good.text} }} GROUP BY ?this }} BIND (COALESCE(?k, 0) AS ?n) "
                        f"FILTER ({' || '.join(tests)}) }}"
                    )
                    self.add(shape, local, "count", query, header, bounds=(lo, hi), qualified=True)
            else:
                self.refuse_top_level_node(shape, local)
                bad = self.bad_values(shape, path, local, value, reach, "this", "value", stack)
                # sh:lessThanOrEquals reports a value once per value it exceeds, as pySHACL does
                distinct = "" if local == "lessThanOrEquals" else "DISTINCT "
                self.add(shape, local, "value", f"SELECT {distinct}?this ?value WHERE {{ {bad.text} }}", header)

    def compile_sparql(self, shape: Term, constraint: Term, focus: str, focus_header: str) -> None:
        """A SHACL-SPARQL constraint: its query with the shape's focus nodes joined in front as ``$this``."""
        if self.deactivated(constraint):
            return
        header, select, group = self.parse_select(shape, constraint, "SPARQL constraint")
        if "this" not in {t.var for t in select} and not any(t.text == "*" for t in select):
            raise UnsupportedShapeError(f"{self.name(shape)}: the SPARQL constraint does not select $this")
        group = _not_exists_as_minus(_lateral_joins(group, {"this"}), {"this"})
        focus_element = _Elem("triples", [_Tok("raw", focus)])
        query = f"SELECT {_render(select)} WHERE {_Group([focus_element, *group.elements]).render()}"
        header = "\n".join(dict.fromkeys([*focus_header.splitlines(), *header.splitlines()]))
        self.checks.append(
            Check(
                shape=shape,
                component=SH + "SPARQLConstraintComponent",
                severity=self.severity(shape),
                messages=self.messages(shape),
                path=None,
                sparql=(header + "\n" if header else "") + query,
                kind="sparql",
                source_constraint=constraint,
                extra_messages=self.messages(constraint),
            )
        )


def _less_or_equal(a: str, b: str) -> str:
    """pySHACL's sh:lessThanOrEquals: IRIs and strings compare as text, with each other only; other literals by
    value; anything incomparable fails."""
    strings = f"<{XSD}string>, <{RDF}langString>"
    sa, sb = (f"(isIRI({x}) || (isLiteral({x}) && DATATYPE({x}) IN ({strings})))" for x in (a, b))
    return (
        f"COALESCE(({sa} && {sb} && STR({a}) <= STR({b})) || "
        f"(!{sa} && !{sb} && isLiteral({a}) && isLiteral({b}) && {a} <= {b}), false)"
    )


def _shape_nodes(store: ox.Store) -> list[Term]:
    """The shapes that select their own focus nodes (every other shape is reached through one of them)."""
    found: dict[str, Term] = {}
    for local in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
        for quad in store.quads_for_pattern(None, _sh(local), None, ox.DefaultGraph()):
            found[str(quad.subject)] = quad.subject  # type: ignore[assignment]
    return [found[k] for k in sorted(found)]


_CACHE: dict[tuple, CompiledShapes] = {}


def compile_shapes(paths: Iterable[str | Path] | None = None) -> CompiledShapes:
    """Compile the shape files (the shipped ones by default) into checks; cached per set of files and their
    modification times, so the shapes are read and compiled once per process."""
    from kg.core.backends.memory import load_file

    files = [Path(p) for p in paths] if paths is not None else resources.shape_files()
    key = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())
    if len(key) == len(files) and key in _CACHE:
        return _CACHE[key]
    store = ox.Store()
    for path in files:
        load_file(store, path)
    compiler = _Compiler(store)
    shapes = _shape_nodes(store)
    for shape in shapes:
        compiler.compile_shape(shape)
    compiled = CompiledShapes(files=tuple(p.name for p in files), checks=tuple(compiler.checks), shapes=len(shapes))
    _CACHE[key] = compiled
    return compiled


# ---------------------------------------------------------------------------------------------- running


@dataclass(frozen=True)
class RawResult:
    """One validation result as RDF terms (before it is written for people)."""

    focus: Term
    path: Term | None
    value: Term | None
    shape: Term
    component: str
    severity: str
    messages: tuple[str, ...]
    source_constraint: Term | None = None


_INTEGER_TYPES = {
    XSD + name
    for name in (
        "integer nonPositiveInteger long nonNegativeInteger negativeInteger int unsignedLong positiveInteger "
        "short unsignedInt byte unsignedShort unsignedByte"
    ).split()
}


_REWRITTEN = (
    _INTEGER_TYPES
    | _RDFLIB_CONVERTED
    | {XSD + name for name in ("double", "float", "decimal", "boolean", "normalizedString", "token")}
)


def _text(term: Term) -> str:
    """``str()`` of the rdflib term pySHACL holds for ``term``. rdflib rewrites the lexical form of a literal
    whose datatype it converts to a Python value ("1500"^^xsd:double reads "1500.0", "yes"^^xsd:boolean
    "false"); results and messages are written from that form."""
    if not isinstance(term, ox.Literal):
        return term.value
    lexical, datatype = term.value, term.datatype.value
    try:
        if datatype in _INTEGER_TYPES:
            return str(int(lexical))
        if datatype in (XSD + "double", XSD + "float"):
            return str(float(lexical))
        if datatype == XSD + "decimal":
            return f"{Decimal(lexical):f}"
    except (ValueError, InvalidOperation):
        return lexical
    if datatype == XSD + "boolean":
        return "true" if lexical.lower() in ("true", "1") else "false"
    if datatype in (XSD + "normalizedString", XSD + "token"):
        lexical = lexical.replace("\t", " ").replace("\n", " ").replace("\r", " ")
        return re.sub(" +", " ", lexical.strip()) if datatype == XSD + "token" else lexical
    if datatype in _RDFLIB_CONVERTED:  # dates, durations, binaries: rare enough to ask rdflib itself
        import rdflib

        return str(rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype)))
    return lexical


def _fill(message: str, bindings: dict[str, Term]) -> str:
    for name, term in bindings.items():
        message = re.sub(f"{{[?$]{name}}}", _text(term), message)
    return message


def run_checks(store: ox.Store, compiled: CompiledShapes) -> Iterator[RawResult]:
    """Run every compiled check on ``store`` (its default graph) and yield the results."""
    for check in compiled.checks:
        rows = store.query(check.sparql)
        if check.kind == "value":
            for row in rows:
                yield RawResult(
                    row["this"], check.path, row["value"], check.shape, check.component, check.severity, check.messages
                )
        elif check.kind == "focus":
            for row in rows:
                yield RawResult(
                    row["this"], check.path, None, check.shape, check.component, check.severity, check.messages
                )
        elif check.kind == "count":
            low, high = check.bounds
            prefix = "Qualified" if check.qualified else ""
            for row in rows:
                n = int(row["n"].value)
                for broken, bound in ((low is not None and n < low, "Min"), (high is not None and n > high, "Max")):
                    if broken:
                        component = f"{SH}{prefix}{bound}CountConstraintComponent"
                        yield RawResult(
                            row["this"], check.path, None, check.shape, component, check.severity, check.messages
                        )
        else:
            yield from _sparql_results(check, rows)


def _sparql_results(check: Check, rows) -> Iterator[RawResult]:
    """As pySHACL reads a SHACL-SPARQL result row: ?this, ?path and ?value (the focus node when unbound) are
    the result; every bound variable fills the message placeholders; identical rows count once."""
    names = [v.value for v in rows.variables]
    seen: set[tuple] = set()
    for row in rows:
        bound = {name: row[name] for name in names if row[name] is not None}
        focus = bound.pop("this")
        path = bound.pop("path", None)
        value = bound.pop("value", None)
        key = (focus, path, value, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
        if key in seen:
            continue
        seen.add(key)
        if value is None:
            value = focus
        fill = {**bound, "this": focus, **({"path": path} if path is not None else {}), "value": value}
        messages = [
            _fill(m, fill) for m in (*check.messages, *[m for m in check.extra_messages if m not in check.messages])
        ]
        yield RawResult(
            focus, path, value, check.shape, check.component, check.severity, tuple(messages), check.source_constraint
        )


# ---------------------------------------------------------------------------------------------- the report


def validate(
    graph: Graph,
    extra: Iterable[str | Path] = (),
    *,
    shapes: Iterable[str | Path] | None = None,
    extra_store: ox.Store | None = None,
    started: float | None = None,
) -> ValidationReport:
    """Validate ``graph`` plus the ``extra`` files against the shipped shapes (or ``shapes``) on Oxigraph.

    Returns the same :class:`~kg.validate.ValidationReport` as the pySHACL engine, with ``engine="fast"``.
    Raises :class:`UnsupportedShapeError` when a shape uses a feature this engine does not compile.

    On a SPARQL endpoint (:mod:`kg.core.backends.remote`) the compiled checks run there, so nothing but their results travels;
    an endpoint that refuses one of them (Virtuoso cannot run a path such as ``rdf:type/rdfs:subClassOf*`` with
    both ends open) gets the graph read once and every check run here instead.
    """
    from kg.core.backends.memory import load_file
    from kg.validate import ValidationResult, report

    started = time.perf_counter() if started is None else started
    extra_paths = [Path(p) for p in extra]
    if extra_store is None:
        extra_store = ox.Store()
        for path in extra_paths:
            load_file(extra_store, path)
    shape_paths = [Path(p) for p in shapes] if shapes is not None else resources.shape_files()
    compiled = compile_shapes(shape_paths)
    store = graph.store
    if len(extra_store):
        store = ox.Store()
        store.extend(graph.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        store.extend(extra_store.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    try:
        raws = list(run_checks(store, compiled))
    except KGError:
        if isinstance(store, ox.Store):
            raise
        # An endpoint that cannot run a compiled check (Virtuoso: "transitive start not given" for a class
        # target's rdf:type/rdfs:subClassOf*) would not run the rest faithfully either: read the graph once and
        # run every check here, as pySHACL would have to.
        local = ox.Store()
        local.extend(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        store = local
        raws = list(run_checks(store, compiled))
    if not isinstance(store, ox.Store) and any(isinstance(r.focus, ox.BlankNode) for r in raws):
        # A remote store (kg.core.backends.remote) runs the checks at the endpoint but cannot name a blank node in a query: read
        # the graph once (the store keeps that copy), so a blank-node focus gets its label and owner as here.
        next(iter(store.quads_for_pattern(None, None, None)), None)
    describe = _Describer(store)
    results = []
    for raw in raws:
        messages = sorted(raw.messages) or [_generic_message(raw.component)]
        results.append(
            ValidationResult(
                severity=raw.severity.rsplit("#", 1)[-1],
                focus=shorten(raw.focus.value) if isinstance(raw.focus, ox.NamedNode) else "_:" + _text(raw.focus),
                focus_label=describe.label(raw.focus),
                subject=describe.owner(raw.focus),
                path=shorten(raw.path.value) if isinstance(raw.path, ox.NamedNode) else None,
                message=messages[0],
                value=(_text(raw.value) if isinstance(raw.value, ox.Literal) else shorten(raw.value.value))
                if raw.value is not None
                else None,
                shape=shorten(raw.shape.value) if isinstance(raw.shape, ox.NamedNode) else None,
                constraint=shorten(raw.component).replace(SH, "sh:"),
            )
        )
    return report(results, _triples(store), shape_paths, graph, extra_paths, "fast", started)


def _triples(store: ox.Store) -> int:
    """The triples of the default graph, counted as pySHACL's rdflib graph holds them: rdflib merges two
    literals of one subject and predicate that it writes alike ("TRUE"^^xsd:boolean and true)."""
    named_graphs = getattr(store, "named_graphs", None)  # a remote store (kg.core.backends.remote) reads one graph, counted here
    if named_graphs is None or any(True for _ in named_graphs()):
        total = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value)  # type: ignore[index]
    else:
        total = len(store)
    rewritten = ", ".join(f"<{d}>" for d in sorted(_REWRITTEN))
    query = (
        f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER (isLiteral(?o) && DATATYPE(?o) IN ({rewritten})) "
        "?s ?p ?other FILTER (isLiteral(?other) && !sameTerm(?o, ?other) && DATATYPE(?other) = DATATYPE(?o)) }"
    )
    groups: dict[tuple, set[ox.Literal]] = {}
    for row in store.query(query):  # type: ignore[union-attr]
        groups.setdefault((row["s"], row["p"], row["o"].datatype), set()).add(row["o"])
    return total - sum(len(same) - len({_text(lit) for lit in same}) for same in groups.values())


def _generic_message(component: str) -> str:
    return f"{component.rsplit('#', 1)[-1]} not satisfied"


class _Describer:
    """The label and owning entity of a focus node, read as kg.validate reads them from pySHACL's data graph."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def first(self, s: Term | None, p: str | None, o: Term | None, position: int) -> Term | None:
        predicate = ox.NamedNode(p) if p else None
        for quad in self.store.quads_for_pattern(s, predicate, o, ox.DefaultGraph()):  # type: ignore[arg-type]
            return (quad.subject, quad.predicate, quad.object)[position]  # type: ignore[return-value]
        return None

    def label(self, node: Term) -> str:
        if isinstance(node, ox.NamedNode):
            label = self.first(node, RDFS + "label", None, 2)
            return label.value if label is not None else shorten(node.value)
        if isinstance(node, ox.BlankNode):
            for quad in self.store.quads_for_pattern(None, None, node, ox.DefaultGraph()):
                return f"{self.label(quad.subject)} / {shorten(quad.predicate.value)}"  # type: ignore[arg-type]
            return "(blank node)"
        return _text(node)

    def owner(self, node: Term, depth: int = 0) -> str | None:
        if isinstance(node, ox.NamedNode):
            return node.value
        if not isinstance(node, ox.BlankNode) or depth > 4:
            return None
        source = self.first(node, OWL + "annotatedSource", None, 2)
        if source is not None:
            return self.owner(source, depth + 1)
        parent = self.first(None, None, node, 0)
        return self.owner(parent, depth + 1) if parent is not None else None
