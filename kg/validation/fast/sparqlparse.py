"""Reading the SELECT queries of SHACL-SPARQL constraints and targets (``sh:select``): a tokenizer, a parser of
the group graph patterns they use, and the two rewrites that keep their meaning under pySHACL on Oxigraph
(``LATERAL`` joins, ``FILTER NOT EXISTS`` as ``MINUS``). Anything else is refused by name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.validation.fast.vocabulary import UnsupportedShapeError

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
class Tok:
    kind: str
    text: str

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind == "name" else ""

    @property
    def var(self) -> str | None:
        return self.text[1:] if self.kind == "var" else None


def tokenize(text: str, where: str) -> list[Tok]:
    tokens: list[Tok] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise UnsupportedShapeError(f"{where}: cannot read the SPARQL text near {text[pos : pos + 30]!r}")
        pos = match.end()
        kind = match.lastgroup or ""
        if kind != "ws":
            tokens.append(Tok(kind, match.group()))
    return tokens


def render_items(items: Sequence[object]) -> str:
    out: list[str] = []
    for item in items:
        text = item.render() if isinstance(item, Group) else str(item.text) if isinstance(item, Tok) else str(item)
        if isinstance(item, Tok) and (item.kind == "lang" or item.text == "^^") and out:
            out[-1] += text
            continue
        if out and out[-1].endswith("^^"):
            out[-1] += text
            continue
        out.append(text)
    return " ".join(out)


@dataclass
class Elem:
    """One element of a group graph pattern: ``kind`` is triples, filter, bind, values, group, union, minus,
    lateral, subselect; ``items`` holds tokens (and, in filters, the groups of EXISTS); ``groups`` the sub-groups
    (of a sub-select, its WHERE group)."""

    kind: str
    items: list[object] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    at: int = 0  # a sub-select: its SELECT clause is items[:at], its GROUP BY and HAVING items[at:]

    def render(self) -> str:
        if self.kind == "triples":
            return render_items(self.items)
        if self.kind == "subselect":
            clause, modifiers = render_items(self.items[: self.at]), render_items(self.items[self.at :])
            return f"SELECT {clause} WHERE {self.groups[0].render()} {modifiers}".rstrip()
        if self.kind == "filter":
            return "FILTER " + render_items(self.items)
        if self.kind == "bind":
            return "BIND " + render_items(self.items)
        if self.kind == "values":
            return "VALUES " + render_items(self.items)
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
        found = {t.var for t in self.items if isinstance(t, Tok) and t.var}
        for item in self.items:
            if isinstance(item, Group):
                found |= item.variables()
        for group in self.groups:
            found |= group.variables()
        return found

    def bound(self) -> set[str]:
        """Variables this element certainly binds (a triple pattern binds all of its variables)."""
        return self.variables() if self.kind == "triples" else set()

    def triple_count(self) -> int:
        return 1 + sum(1 for t in self.items if isinstance(t, Tok) and t.text in (".", ";", ","))


@dataclass
class Group:
    elements: list[Elem]

    def render(self) -> str:
        return "{ " + " ".join(e.render() for e in self.elements) + " }"

    def variables(self) -> set[str]:
        found: set[str] = set()
        for element in self.elements:
            found |= element.variables()
        return found


class Parser:
    """A reader for the SELECT queries that SHACL-SPARQL constraints and targets contain: triple patterns,
    FILTER (with EXISTS), BIND, VALUES, nested groups, UNION and MINUS, and with ``subselects`` (a SPARQL
    target, where nothing is pre-bound) sub-selects with GROUP BY and HAVING. Anything else is refused by name."""

    def __init__(self, text: str, where: str, *, subselects: bool = False) -> None:
        self.where = where
        self.tokens = tokenize(text, where)
        self.pos = 0
        self.subselects = subselects

    def refuse(self, feature: str) -> UnsupportedShapeError:
        return UnsupportedShapeError(f"{self.where}: the fast engine does not compile {feature} in sh:select")

    def peek(self, ahead: int = 0) -> Tok | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> Tok:
        token = self.peek()
        if token is None:
            raise UnsupportedShapeError(f"{self.where}: the SPARQL text ends too early")
        self.pos += 1
        return token

    def expect(self, text: str) -> Tok:
        token = self.take()
        if token.text.upper() != text.upper():
            raise UnsupportedShapeError(f"{self.where}: expected {text!r} in the SPARQL text, found {token.text!r}")
        return token

    def query(self) -> tuple[list[tuple[str, str]], list[Tok], Group]:
        """(hoisted prefixes, the SELECT clause's tokens, the WHERE group)."""
        prefixes: list[tuple[str, str]] = []
        while (token := self.peek()) is not None and token.upper in ("PREFIX", "BASE"):
            if token.upper == "BASE":
                raise self.refuse("BASE")
            self.take()
            name, iri = self.take(), self.take()
            prefixes.append((name.text, iri.text))
        self.expect("SELECT")
        select: list[Tok] = []
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

    def group(self, in_exists: bool = False) -> Group:
        self.expect("{")
        if (token := self.peek()) is not None and token.upper == "SELECT":
            if in_exists or not self.subselects:
                raise self.refuse("a sub-select")
            inner = self.subselect()
            self.expect("}")
            return Group([inner])
        elements: list[Elem] = []
        while True:
            token = self.peek()
            if token is None:
                raise UnsupportedShapeError(f"{self.where}: unbalanced braces in the SPARQL text")
            keyword = token.upper
            if token.text == "}":
                self.take()
                return Group(elements)
            if token.text == ".":
                self.take()
            elif token.text == "{":
                if in_exists:
                    raise self.refuse("a nested group inside EXISTS")
                groups = [self.group()]
                while (nxt := self.peek()) is not None and nxt.upper == "UNION":
                    self.take()
                    groups.append(self.group())
                elements.append(Elem("group" if len(groups) == 1 else "union", groups=groups))
            elif keyword == "FILTER":
                self.take()
                elements.append(Elem("filter", self.constraint()))
            elif keyword == "BIND":
                self.take()
                elements.append(Elem("bind", self.balanced("(", ")")))
            elif keyword == "MINUS":
                if in_exists:
                    raise self.refuse("MINUS inside EXISTS")
                self.take()
                elements.append(Elem("minus", groups=[self.group()]))
            elif keyword == "VALUES":
                self.take()
                items: list[object] = []
                while (nxt := self.peek()) is not None and nxt.text != "{":
                    items.append(self.take())
                items.extend(self.balanced("{", "}"))
                elements.append(Elem("values", items))
            elif keyword in _PATTERN_KEYWORDS:
                # OPTIONAL: rdflib evaluates it with the outer bindings in place and re-checks without them, a
                # semantics no SPARQL rewrite reproduces exactly; GRAPH/SERVICE: the data graph has no others.
                raise self.refuse(keyword)
            else:
                elements.append(Elem("triples", self.triples()))

    def subselect(self) -> Elem:
        """``SELECT [DISTINCT] ?v ... (expression AS ?v) ... WHERE { ... } [GROUP BY ?v ...] [HAVING (...)]``."""
        self.expect("SELECT")
        clause: list[object] = []
        while (token := self.peek()) is not None and token.text != "{" and token.upper != "WHERE":
            if token.text == "(":
                clause.extend(self.balanced("(", ")"))
            elif token.kind == "var" or (token.upper == "DISTINCT" and not clause):
                clause.append(self.take())
            else:
                raise self.refuse(f"{token.text!r} in the SELECT clause of a sub-select")
        if token is not None and token.upper == "WHERE":
            self.take()
        where = self.group()
        modifiers: list[object] = []
        while (token := self.peek()) is not None and token.text != "}":
            if token.upper == "GROUP" and (nxt := self.peek(1)) is not None and nxt.upper == "BY":
                modifiers += [self.take(), self.take()]
                while (var := self.peek()) is not None and var.kind == "var":
                    modifiers.append(self.take())
                if modifiers[-1] == nxt:
                    raise self.refuse("GROUP BY without variables in a sub-select")
            elif token.upper == "HAVING":
                modifiers.append(self.take())
                modifiers.extend(self.balanced("(", ")"))
            else:
                raise self.refuse(f"solution modifiers ({token.text} ...) in a sub-select")
        return Elem("subselect", [*clause, *modifiers], [where], at=len(clause))

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
        while items and isinstance(items[-1], Tok) and items[-1].text == ".":
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


def lateral_joins(group: Group, outer: set[str]) -> Group:
    """rdflib evaluates a nested group after the patterns before it with their bindings already substituted
    (its lazy join); Oxigraph evaluates the group on its own, as the standard says. ``LATERAL`` makes Oxigraph
    do what rdflib does, so a FILTER inside a UNION branch sees the outer ``?this``."""
    seen = set(outer)
    elements: list[Elem] = []
    for element in group.elements:
        if element.kind == "subselect":
            element = Elem("subselect", element.items, [lateral_joins(element.groups[0], set())], element.at)
        elif element.kind in ("group", "union"):
            inner = [lateral_joins(g, set()) for g in element.groups]
            if element.variables() & seen:
                element = Elem("lateral", groups=inner)
            else:
                element = Elem(element.kind, groups=inner)
        elif element.kind == "minus":
            element = Elem("minus", groups=[lateral_joins(element.groups[0], set())])
        if element.kind in ("triples", "group", "union", "lateral", "values", "bind", "subselect"):
            seen |= element.variables()
        elements.append(element)
    return Group(elements)


def refuse_correlated_subselects(group: Group, outer: set[str], where: str) -> None:
    """A sub-select is evaluated on its own in SPARQL, but rdflib (under pySHACL) may evaluate it with the
    bindings of the patterns before it already in place: one that shares a variable with anything bound before
    it (or with ``outer``) could then find other rows, and is refused."""
    seen = set(outer)
    for element in group.elements:
        if element.kind == "subselect" and element.variables() & seen:
            names = ", ".join(sorted("?" + v for v in element.variables() & seen))
            raise UnsupportedShapeError(
                f"{where}: the fast engine does not compile a sub-select that shares {names} with the patterns "
                "before it in sh:select"
            )
        for inner in element.groups:
            refuse_correlated_subselects(inner, seen, where)
        if element.kind in ("triples", "group", "union", "lateral", "values", "bind", "subselect"):
            seen |= element.variables()


def not_exists_as_minus(group: Group, outer: set[str]) -> Group:
    """``FILTER NOT EXISTS { P }`` -> ``MINUS { P }`` where both mean the same: P is triple patterns (and
    filters over its own variables), every variable P shares with the group is bound by a triple pattern of
    the group (or is ``certain``), and at least one is shared. Oxigraph runs NOT EXISTS once per row, and
    took seconds where MINUS takes milliseconds; single-pattern NOT EXISTS are fast and kept."""
    certain = set(outer)
    for element in group.elements:
        certain |= element.bound()
    kept: list[Elem] = []
    moved: list[Elem] = []
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
                moved.append(Elem("minus", groups=[body]))
                continue
        kept.append(element)
    return Group(kept + moved)


def _not_exists_body(element: Elem) -> Group | None:
    items = element.items
    if element.kind != "filter":
        return None
    if items and isinstance(items[0], Tok) and items[0].text == "(" and items[-1] == Tok("op", ")"):
        items = items[1:-1]
    if (
        len(items) == 3
        and isinstance(items[0], Tok)
        and items[0].upper == "NOT"
        and isinstance(items[1], Tok)
        and items[1].upper == "EXISTS"
        and isinstance(items[2], Group)
    ):
        return items[2]
    return None
