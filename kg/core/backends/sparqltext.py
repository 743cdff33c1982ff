"""SPARQL text as an endpoint is sent it, rewritten without a parser: the form of a query, predeclared prefixes
added, and variables bound the way Oxigraph's ``substitutions=`` binds them, in plain SPARQL 1.1."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from kg.core.errors import InputError
from kg.core.terms import Term

# One token of SPARQL text as far as rewriting needs it: comments, strings and IRIs are skipped whole, so that
# a brace or a keyword inside them never counts. Compiled on first use, and for a text in plain ASCII (nearly every
# query) without the non-ASCII variable characters, which reads it the same.
_TOKEN_PATTERN = r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                  |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<punct>[{}()])
      | (?P<var>[?$]VARCHAR+)
      | (?P<pname>(?:[A-Za-z_][\w.-]*)?:[\w.%:-]*)
      | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<other>.)"""
_TOKENS: dict[bool, re.Pattern[str]] = {}
# [A-Za-z0-9_\u00b7-\uffff] written as what it is not: re compiles a class holding a range of the Basic Multilingual
# Plane by visiting each of its code points (6 ms for this pattern instead of under one).
_NON_ASCII_VARCHAR = r"(?:(?![\U00010000-\U0010ffff])[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\xb6])"


def token_pattern(text: str) -> re.Pattern[str]:
    """The pattern that splits ``text`` into tokens (groups ``comment``, ``string``, ``iri``, ``punct``, ``var``,
    ``pname``, ``word``, ``other``)."""
    ascii_only = text.isascii()
    if ascii_only not in _TOKENS:
        chars = "[A-Za-z0-9_]" if ascii_only else _NON_ASCII_VARCHAR
        _TOKENS[ascii_only] = re.compile(_TOKEN_PATTERN.replace("VARCHAR", chars), re.X | re.S)
    return _TOKENS[ascii_only]


_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for braces, parentheses, variables (``?x``) and bare words (upper-cased);
    comments, strings, IRIs, prefixed names and the rest are left out."""
    out = []
    for m in token_pattern(text).finditer(text):
        kind = m.lastgroup
        if kind in ("punct", "var"):
            out.append((m.group(), m.start(), m.end()))
        elif kind == "word":
            out.append((m.group().upper(), m.start(), m.end()))
    return out


def query_form(text: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``: the form of a query, read past its prologue.

    >>> query_form('PREFIX select: <x:select> # CONSTRUCT\\nASK { ?select ?p "SELECT" }')
    'ASK'
    """
    for token, _, _ in _tokens(text):
        if token in _FORMS:
            return token
    raise InputError("not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE); updates are not sent to endpoints")


def _matching(tokens: list[tuple[str, int, int]], i: int) -> int:
    """Index of the token that closes the brace opened at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j][0] == "{":
            depth += 1
        elif tokens[j][0] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise InputError("unbalanced braces in the query")


def substitute(text: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables the way Oxigraph's ``substitutions=`` does (SPARQL-dev SEP-0007), in plain SPARQL 1.1 that
    any endpoint runs: each variable is replaced by its term throughout the WHERE clause, and bound to that term
    at the end of it (a one-row ``VALUES``), so that the projection, GROUP BY and ORDER BY still see it. (A
    ``VALUES`` block alone would do on paper, but Virtuoso then loses rows of property paths that start at the
    bound variable.)

    In a sub-query's projection the variable becomes ``(term AS ?var)``, and in its modifiers ``(term)``.

    >>> substitute("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", {"x": ox.NamedNode("http://e/x")})
    'SELECT ?x ?l WHERE { <http://e/x> rdfs:label ?l  VALUES (?x) { (<http://e/x>) } }'
    >>> substitute("CONSTRUCT WHERE { ?x ?p ?o }", {"x": ox.NamedNode("http://e/x")})
    'CONSTRUCT { ?x ?p ?o } WHERE { <http://e/x> ?p ?o  VALUES (?x) { (<http://e/x>) } }'
    """
    if not bindings:
        return text
    terms: dict[str, str] = {}
    for name, term in bindings.items():
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise InputError(f"?{name}: only IRIs and literals can be bound on a SPARQL endpoint, not {term}")
        terms[name] = str(term)
    tokens = _tokens(text)
    form_at = next((i for i, t in enumerate(tokens) if t[0] in _FORMS), None)
    if form_at is None:
        raise InputError("not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE)")
    i = form_at + 1
    if tokens[form_at][0] == "CONSTRUCT":
        if i < len(tokens) and tokens[i][0] == "{":  # the template keeps its variables
            i = _matching(tokens, i) + 1
        elif i + 1 < len(tokens) and tokens[i][0] == "WHERE" and tokens[i + 1][0] == "{":
            close = _matching(tokens, i + 1)  # CONSTRUCT WHERE { T } is CONSTRUCT { T } WHERE { T }
            template = text[tokens[i + 1][1] : tokens[close][2]]
            return substitute(text[: tokens[i][1]] + template + " " + text[tokens[i][1] :], bindings)
    depth = 0  # parentheses: a SELECT expression may hold EXISTS { ... }
    while i < len(tokens):
        if tokens[i][0] == "(":
            depth += 1
        elif tokens[i][0] == ")":
            depth -= 1
        elif tokens[i][0] == "{" and depth == 0:
            break
        i += 1
    edits: list[tuple[int, int, str]] = []
    if i == len(tokens):  # DESCRIBE ?x without a WHERE clause
        for token, start, end in tokens:
            if token[0] in "?$" and token[1:] in terms:
                edits.append((start, end, terms[token[1:]]))
        return _apply(text, edits)
    close = _matching(tokens, i)
    _substitute_group(tokens, i + 1, close, terms, edits)
    binds = f"VALUES ({' '.join('?' + n for n in terms)}) {{ ({' '.join(terms.values())}) }}"
    open_end, close_start = tokens[i][2], tokens[close][1]
    if i + 1 < close and tokens[i + 1][0] == "SELECT":  # a sub-query must stand alone in its group
        edits += [(open_end, open_end, " {"), (close_start, close_start, f"}} {binds} ")]
    else:
        edits.append((close_start, close_start, f" {binds} "))
    return _apply(text, edits)


def _substitute_group(
    tokens: list[tuple[str, int, int]], first: int, last: int, terms: dict[str, str], edits: list[tuple[int, int, str]]
) -> None:
    """Replace the bound variables among ``tokens[first:last]``, minding sub-query projections and modifiers."""
    projection = False  # between a sub-query's SELECT and its WHERE group
    depth = 0  # parentheses within that projection
    modifier_until: list[int] = []  # after a sub-query's WHERE group: its GROUP BY / ORDER BY / HAVING
    closes: dict[int, bool] = {}  # token index of the "}" ending a sub-query's WHERE group
    previous = ""
    for k in range(first, last):
        token, start, end = tokens[k]
        if projection:
            if token == "(":
                depth += 1
            elif token == ")":
                depth -= 1
            elif token == "{" and depth == 0:
                projection = False
                closes[_matching(tokens, k)] = True
        elif token == "}" and closes.pop(k, False):
            modifier_until.append(k)
        elif token == "}" and modifier_until:
            modifier_until.pop()
        if token == "SELECT":
            projection, depth = True, 0
        elif token[0] in "?$" and token[1:] in terms and previous != "AS":
            term = terms[token[1:]]
            if projection and depth == 0:
                edits.append((start, end, f"({term} AS {token})"))
            elif modifier_until and not projection:
                edits.append((start, end, f"({term})"))
            else:
                edits.append((start, end, term))
        previous = token


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def with_prefixes(text: str, prefixes: Mapping[str, str] | None) -> str:
    """Declare the predeclared ``prefixes`` the query does not declare itself."""
    if not prefixes:
        return text
    declared = {m.lower() for m in re.findall(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", text, re.I)}
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items() if p.lower() not in declared)
    return head + text
