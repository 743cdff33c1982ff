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

import re
from collections.abc import Mapping

import pyoxigraph as ox

_SCOPE_BREAKERS = re.compile(r"\b(SELECT|MINUS|SERVICE)\b", re.IGNORECASE)


def _code(text: str) -> tuple[str, list[int]]:
    """The query with comments, strings and IRIs blanked out (same length), so that keywords and braces can be
    found by position; and the positions of the braces that remain."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out[i:j] = " " * (j - i)
            i = j
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            j = min(n, j + len(quote))
            out[i:j] = " " * (j - i)
            i = j
        elif c == "<" and re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]):
            j = i + re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:]).end()  # type: ignore[union-attr]
            out[i:j] = " " * (j - i)
            i = j
        else:
            i += 1
    code = "".join(out)
    return code, [k for k, ch in enumerate(code) if ch == "{"]


def leading_values(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str | None:
    """The query with ``bindings`` in a ``VALUES`` block opening its outer group, or ``None`` when the rewrite
    could change the answer (no outer group found, a subquery, ``MINUS``, ``SERVICE`` or ``GRAPH`` in it).

    >>> q = "SELECT ?x ?l WHERE { ?x rdfs:label ?l }"
    >>> leading_values(q, {"x": ox.NamedNode("https://w3id.org/sslmb/LGPS")})
    'SELECT ?x ?l WHERE { VALUES (?x) { (<https://w3id.org/sslmb/LGPS>) } ?x rdfs:label ?l }'
    >>> leading_values("SELECT * WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }", {"x": ox.NamedNode("urn:a")}) is None
    True
    """
    if not bindings:
        return text
    code, braces = _code(text)
    if not braces:
        return None
    head = code[: braces[0]]
    if not re.search(r"\b(SELECT|WHERE)\b", head, re.IGNORECASE) or re.search(
        r"\b(CONSTRUCT|DESCRIBE|ASK)\b", head, re.IGNORECASE
    ):
        return None
    if _SCOPE_BREAKERS.search(code[braces[0] :]):
        return None
    names = list(bindings)
    if not _only_in_outer_scope(code, braces[0], names):
        return None
    row = " ".join(str(bindings[name]) for name in names)
    block = f" VALUES ({' '.join('?' + name for name in names)}) {{ ({row}) }}"
    at = braces[0] + 1
    return text[:at] + block + text[at:]


def _only_in_outer_scope(code: str, start: int, names: list[str]) -> bool:
    """Whether the named variables, after ``start`` (the outer group's brace), appear in an expression (a
    ``FILTER``, ``BIND`` or other parenthesised text) only in the outer group or in an ``EXISTS`` group inside it.
    In a triple pattern of a nested group a bound variable joins as a substituted one would; in a nested group's
    expression it would be unbound."""
    wanted = re.compile(r"[?$](" + "|".join(re.escape(n) for n in names) + r")\b")
    opened: list[bool] = []  # per open brace: does it see the outer bindings?
    parens = 0
    for match in re.finditer(r"[{}()]|[?$]\w+", code[start:]):
        token, i = match.group(), start + match.start()
        if token == "{":
            sees = not opened or (opened[-1] and bool(re.search(r"\bEXISTS\s*$", code[:i], re.IGNORECASE)))
            opened.append(sees)
        elif token == "}":
            if opened:
                opened.pop()
        elif token == "(":
            parens += 1
        elif token == ")":
            parens = max(0, parens - 1)
        elif wanted.fullmatch(token) and parens and opened and not opened[-1]:
            return False
    return True
