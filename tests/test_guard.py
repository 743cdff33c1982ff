"""kg/endpoint/guard.py in process: texts that Oxigraph reads differently from a one-pass tokenizer, each checked
against Oxigraph itself (it parses them, with a SERVICE in them), and the guard's bounds and cache."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from kg.core.namespaces import PREFIXES
from kg.endpoint.guard import MAX_NESTING, MAX_OPERATORS, MAX_TOKENS, GuardCache, Refused, check_query

TARGET = "http://127.0.0.1:9/sparql"

# Each of these got a SERVICE past the guard of sslmb-kg 0.1 (a one-pass tokenizer): Oxigraph 0.5 parses them.
S = f"SERVICE <{TARGET}> {{ }}"
BYPASSES = {
    "a \\u escape inside an IRI, then '#'": f"SELECT * WHERE {{ BIND(<http://a\\u0041#> AS ?x) {S} }}",
    "a \\u escape inside an IRI, then a quote": f"SELECT * WHERE {{ BIND(<http://a\\u0041'> AS ?x) {S} }}",
    "SERVICE glued to SILENT": f"SELECT * WHERE {{ SERVICESILENT<{TARGET}>{{ }} }}",
    "SERVICE glued after true": f"SELECT * WHERE {{ ?a ?b trueSERVICE<{TARGET}>{{ }} }}",
    "SERVICE glued after a number": f"SELECT * WHERE {{ ?a ?b 1.0e1service<{TARGET}>{{ }} }}",
    "SERVICE glued after a string": f"SELECT * WHERE {{ ?a ?b 'x'service<{TARGET}>{{ }} }}",
    "SERVICE glued after an IRI": f"SELECT * WHERE {{ ?a ?b <http://e/o>service<{TARGET}>{{ }} }}",
    "SERVICE read out of a prefixed name": "PREFIX : <http://127.0.0.1:9/> SELECT * WHERE { service:sparql { } }",
    "a local name has one dotted group": f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?a ?b ex:o.b.{S} }}",
    "'<' is less-than, not an IRI": f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<'>') {S} FILTER('x'!='') }}",
    "'<' is less-than, then a comment": f"SELECT * WHERE {{ BIND(1 AS ?a) FILTER(?a<?a)#>\n{S} }}",
    "a blank node label with dots": f"SELECT * WHERE {{ ?a ?b _:x.y.z {S} }}",
    "a language tag": f"SELECT * WHERE {{ ?a ?b 'x'@en {S} }}",
}


@pytest.mark.parametrize("text", BYPASSES.values(), ids=BYPASSES.keys())
def test_every_reading_oxigraph_may_take_is_checked(text):
    ox.Store().query(text, prefixes=PREFIXES)  # Oxigraph parses it (an empty store: the SERVICE is never called)
    with pytest.raises(Refused) as caught:
        check_query(text)
    assert caught.value.status == 400 and "SERVICE is not allowed" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { BIND(<http://a\\u0041#> AS ?x) GRAPH <http://example.org/g> { ?s ?p ?o } }",
        "SELECT * FROMNAMED<http://example.org/g> WHERE { GRAPH ?g { } }",
        "ASKFROM<http://example.org/g>{}",
        "SELECT * WHERE { BIND(<http://a\\u0041#> AS ?x) } FROM <file:///etc/passwd>",
        "PREFIX g: <http://example.org/> SELECT * WHERE { graphg:x { } }",
    ],
)
def test_outside_graphs_are_refused_however_they_are_written(text):
    with pytest.raises(Refused) as caught:
        check_query(text)
    assert caught.value.status == 400 and "is not allowed" in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        "PREFIX service: <http://example.org/> SELECT * WHERE { ?s service:load ?o }",  # a predicate, not SERVICE
        "PREFIX graph: <http://example.org/> SELECT * WHERE { ?s graph:p ?o }",
        "SELECT ?x WHERE { BIND(1 AS ?x) FILTER(?x<?x||1>0) }",
        'SELECT ?x WHERE { BIND("a\\u0022 SERVICE <http://x/> { }" AS ?x) }',  # \u0022 does not end the string
        "SELECT (<<( sslmb:LLZO rdfs:label 'LLZO'@en )>> AS ?t) WHERE { }",
        "SELECT * WHERE { VALUES ?x { <http://e/a> <http://e/b> } ?x ?p ?o }",
    ],
)
def test_ordinary_text_passes(text):
    assert check_query(text).form == "select"


@pytest.mark.parametrize(
    "text, said",
    [
        ('SELECT * WHERE { ?s ?p "never closed }', "unterminated string"),
        ("SELECT * WHERE { ?s ?p 'bad \\q escape' }", "unterminated string"),
        ("SELECT * WHERE { \\u003Fs ?p ?o }", "backslash outside a string or an IRI"),
        ("S\\u0045LECT * WHERE { }", "'S' is neither a SPARQL keyword nor a prefixed name"),
        ("SELECT * WHERE { ?s <http://example.org/a\\u0020b> ?o }", "cannot read the query here"),  # a space
        ("SELECT * WHERE { ?s ?p ?o } `", "unexpected character '`'"),
    ],
)
def test_text_no_reading_gets_through_is_refused(text, said):
    with pytest.raises(SyntaxError):
        ox.Store().query(text)  # Oxigraph cannot read it either (\u is taken only inside IRIs and strings)
    with pytest.raises(Refused) as caught:
        check_query(text)
    assert caught.value.status == 400 and said in caught.value.message


def test_limits_on_size_and_depth_come_with_a_clear_400():
    cases = {
        "brackets nested deeper": "SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1),
        "operators, groups, UNIONs": "SELECT (" + "+".join(["1"] * (MAX_OPERATORS + 1)) + " AS ?x) {}",
        "UNIONs": "SELECT * {" + " UNION ".join(["{BIND(1 AS ?x)}"] * (MAX_OPERATORS + 1)) + "}",
        "OPTIONALs": "SELECT * {" + " ".join(["OPTIONAL{}"] * (MAX_OPERATORS + 1)) + "}",
        "terms": "SELECT * { VALUES ?x { " + "1 " * MAX_TOKENS + "} }",
    }
    for said, text in cases.items():
        with pytest.raises(Refused) as caught:
            check_query(text)
        assert caught.value.status == 400 and said in caught.value.message, said
    # under the limits, such chains pass
    assert check_query("SELECT * {" + " UNION ".join(["{BIND(1 AS ?x)}"] * 500) + "}").form == "select"


def test_a_megabyte_of_text_is_read_in_linear_time():
    # Not a timing assertion: the same text twice as long must not take four times as long (quadratic).
    def cost(n: int) -> float:
        text = "SELECT * { FILTER(?a<'" + "x#'<" * n + "') }"
        started = time.process_time()
        with pytest.raises(Refused):
            GuardCache().check(text, frozenset())
        return time.process_time() - started

    small, large = cost(20_000), cost(80_000)
    assert large < 12 * max(small, 0.01)


def test_the_cache_keeps_digests_and_is_bounded_by_bytes():
    cache = GuardCache(max_bytes=10_000)
    for i in range(200):
        cache.check(f"SELECT * WHERE {{ ?s ?p {i} }} #" + "x" * 100_000, frozenset())
    assert cache.bytes <= 10_000 and 0 < len(cache) < 200
    assert all(len(key) == 16 for key in cache._items)  # digests, not texts
    with pytest.raises(Refused):  # a refusal is remembered as such
        cache.check("SELECT * { SERVICE <http://x/> { } }", frozenset())
    with pytest.raises(Refused):
        cache.check("SELECT * { SERVICE <http://x/> { } }", frozenset())
