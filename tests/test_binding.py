"""Parameters bound in a leading VALUES block (kg/model/binding.py) give exactly the rows that Oxigraph's own
substitution gives, for every stored query with parameters, on the whole graph; and the rewrite is refused where
it could change an answer."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

import kg
from kg.core.namespaces import PREFIXES
from kg.model import queries as sparql
from kg.model.binding import leading_values

WITH_PARAMS = [q for q in kg.queries() if q.params]


def _cell(term) -> str:
    """A cell as text; a GROUP_CONCAT's parts sorted, since their order follows the plan, not the data."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return " | ".join(sorted(re.split(r", |; ", term.value)))
    return str(term)


def _rows(graph, text, substitutions=None):
    raw = graph.store.query(text, prefixes=PREFIXES, substitutions=substitutions)
    variables = [v.value for v in raw.variables]
    return variables, sorted(tuple(_cell(row[v]) for v in variables) for row in raw)


@pytest.mark.parametrize("query", WITH_PARAMS, ids=lambda q: q.name)
def test_values_block_and_substitution_give_the_same_rows(graph, query):
    prepared = sparql.prepare(graph, query.name)
    substituted = _rows(graph, prepared.text, {ox.Variable(k): v for k, v in prepared.bindings.items()})
    assert substituted[1], f"{query.name} answers nothing with its defaults; the comparison would prove nothing"
    rewritten = leading_values(prepared.text, prepared.bindings)
    if rewritten is None:  # kept on substitution: then the engine path must be the substituted one
        assert sparql.execute(graph, prepared) is not None
        return
    assert _rows(graph, rewritten) == substituted


def test_most_stored_queries_take_the_values_block():
    rewritten = [q.name for q in WITH_PARAMS if leading_values(q.text, {p.name: ox.Literal("x") for p in q.params})]
    assert len(rewritten) >= len(WITH_PARAMS) * 2 // 3, rewritten


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?x WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }",  # a subquery has its own variables
        "SELECT ?x WHERE { ?s ?p ?o MINUS { ?x ?p ?o } }",  # MINUS does not see outer bindings
        "SELECT ?x WHERE { { ?s ?p ?o FILTER(?o = ?x) } UNION { ?x ?p ?o } }",  # a branch filters before the join
        "SELECT ?x WHERE { ?s ?p ?o OPTIONAL { ?o ?q ?r FILTER(?r != ?x) } }",
        "CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }",
    ],
)
def test_the_rewrite_is_refused_where_it_could_change_the_answer(text):
    assert leading_values(text, {"x": ox.NamedNode("https://w3id.org/sslmb/LGPS")}) is None


def test_strings_comments_and_iris_do_not_confuse_the_rewrite():
    text = 'SELECT ?x WHERE { # { ?x in a comment\n ?x rdfs:label "{?x}" . ?x a <urn:a{b> }'
    out = leading_values(text, {"x": ox.NamedNode("https://w3id.org/sslmb/LGPS")})
    assert out is not None and out.startswith("SELECT ?x WHERE { VALUES (?x) { (<https://w3id.org/sslmb/LGPS>) }")
