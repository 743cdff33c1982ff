"""Parameters bound as a leading ``VALUES`` block instead of by substitution.

Oxigraph applies ``substitutions=`` after it has planned the query, so a bound variable does not narrow the
first pattern it evaluates: at 1e6 triples a stored question bound to one entity can scan as if it were unbound
(cq-22 took a second where the same question with the entity in a leading ``VALUES`` block takes a millisecond).
A ``VALUES`` block at the head of the outer ``WHERE`` group gives the planner the binding up front.

The rewrite is used only where it cannot change the answer: a query with a subquery (its variables are its
own), ``MINUS`` (which does not see outer bindings) or ``SERVICE`` keeps substitution, and so does one that names
a parameter in an expression of a nested group (an ``OPTIONAL`` or ``UNION`` branch evaluates its filters before
the join, so the parameter would be unbound there), except inside ``EXISTS``, which sees the outer bindings.
``tests/test_binding.py`` checks that every stored query gives the same rows both ways.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

_SCOPE_BREAKERS = {"SELECT", "MINUS", "SERVICE"}
_OTHER_FORMS = {"CONSTRUCT", "DESCRIBE", "ASK"}


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """The braces, parentheses, variables and bare words of a query, with their offsets; comments, strings and
    IRIs are skipped whole by the tokenizer the SPARQL rewriting of remote stores uses."""
    from kg.core.backends.sparqltext import token_pattern

    return [
        (m.lastgroup or "", m.group(), m.start())
        for m in token_pattern(text).finditer(text)
        if m.lastgroup in ("punct", "var", "word")
    ]


def leading_values(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
    """The query with ``bindings`` in a ``VALUES`` block opening its outer group, or ``None`` when the rewrite
    could change the answer (no outer group found; a subquery, ``MINUS`` or ``SERVICE`` in it; a parameter in an
    expression of a nested group).

    >>> q = "SELECT ?x ?l WHERE { ?x rdfs:label ?l }"
    >>> leading_values(q, {"x": ox.NamedNode("https://w3id.org/sslmb/LGPS")})
    'SELECT ?x ?l WHERE { VALUES (?x) { (<https://w3id.org/sslmb/LGPS>) } ?x rdfs:label ?l }'
    >>> leading_values("SELECT * WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }", {"x": ox.NamedNode("urn:a")}) is None
    True
    """
    if not bindings:
        return text
    tokens = _tokens(text)
    first = next((k for k, (_, value, _) in enumerate(tokens) if value == "{"), None)
    if first is None:
        return None
    head = {value.upper() for kind, value, _ in tokens[:first] if kind == "word"}
    if not head & {"SELECT", "WHERE"} or head & _OTHER_FORMS:
        return None
    body = tokens[first:]
    if any(kind == "word" and value.upper() in _SCOPE_BREAKERS for kind, value, _ in body):
        return None
    names = list(bindings)
    if not _only_in_outer_scope(body, names):
        return None
    row = " ".join(str(bindings[name]) for name in names)
    block = f" VALUES ({' '.join('?' + name for name in names)}) {{ ({row}) }}"
    at = tokens[first][2] + 1
    return text[:at] + block + text[at:]


def _only_in_outer_scope(body: list[tuple[str, str, int]], names: list[str]) -> bool:
    """Whether the named variables, in the tokens from the outer group's brace on, appear in an expression (a
    ``FILTER``, ``BIND`` or other parenthesised text) only in the outer group or in an ``EXISTS`` group inside it.
    In a triple pattern of a nested group a bound variable joins as a substituted one would; in a nested group's
    expression it would be unbound."""
    wanted = {prefix + name for name in names for prefix in "?$"}
    opened: list[bool] = []  # per open brace: does it see the outer bindings?
    parens = 0
    for k, (kind, value, _) in enumerate(body):
        if value == "{":
            after_exists = k > 0 and body[k - 1][0] == "word" and body[k - 1][1].upper() == "EXISTS"
            opened.append(not opened or (opened[-1] and after_exists))
        elif value == "}":
            if opened:
                opened.pop()
        elif value == "(":
            parens += 1
        elif value == ")":
            parens = max(0, parens - 1)
        elif kind == "var" and value in wanted and parens and opened and not opened[-1]:
            return False
    return True
