"""The SPARQL tokenizers' patterns for non-ASCII text (kg/model/queries.py for the update and SERVICE check,
kg/core/backends/sparqltext.py for rewriting) write their name characters as negated classes, which compile fast:
they hold exactly the characters of the grammar's ranges, and they split texts into the same tokens as patterns
written with those ranges."""

from __future__ import annotations

import re

import pytest

from kg.core.backends import sparqltext
from kg.model import queries
from kg.model.stored import stored_queries

EVERY_CHARACTER = "".join(map(chr, range(0x110000)))


@pytest.mark.parametrize(
    ("fast", "grammar"),
    [
        (queries._NON_ASCII_NAME, "[A-Za-z0-9_\\-\u00b7\u00c0-\U000effff]"),
        (queries._NON_ASCII_INITIAL, "[A-Za-z\u00c0-\U000effff]"),
        (sparqltext._NON_ASCII_VARCHAR, "[A-Za-z0-9_\u00b7-\uffff]"),
    ],
)
def test_the_negated_classes_hold_the_grammar_ranges(fast, grammar):
    assert re.findall(fast, EVERY_CHARACTER) == re.findall(grammar, EVERY_CHARACTER)


def _texts() -> list[str]:
    texts = [q.text for q in stored_queries()]
    texts += [
        'SELECT ?électrolyte ?x·y WHERE { ?électrolyte rdfs:label "β-Li3PS4"@en ; ex:Zähler ?x·y } # 25 °C',
        "PREFIX ü: <http://e/ü#> SELECT * { ü:a\\#b ü:ß ?ω . _:b·1 ?p 'ç' } SERVICE\u00b7 SERVICE",
        "SELECT * { ?s ?p ?o } # \U000f0001 \U000effff a\U000f0000SERVICE <x> { } ?v\U00010000w",
        "ASK { ?x$é ?\u00b6 ?\u00b7 ?\u00c0 ?\u00bf ?\uffff ?\U0001f600 x:\u00c0 \u00c0x:y \U000f0000:y }",
    ]
    return [t if not t.isascii() else t + " # ±" for t in texts]  # each read by the non-ASCII patterns


def test_the_same_tokens_as_with_the_grammar_ranges():
    check = re.compile(
        queries._token_pattern("[A-Za-z0-9_\\-\u00b7\u00c0-\U000effff]", "[A-Za-z\u00c0-\U000effff]"), re.S
    )
    rewrite = re.compile(sparqltext._TOKEN_PATTERN.replace("VARCHAR", "[A-Za-z0-9_\u00b7-\uffff]"), re.X | re.S)
    for text in _texts():
        assert not text.isascii()
        for fast, grammar in ((queries._tokens(text), check), (sparqltext.token_pattern(text), rewrite)):
            assert fast is not grammar
            found = [(m.lastgroup, m.span()) for m in fast.finditer(text)]
            assert found == [(m.lastgroup, m.span()) for m in grammar.finditer(text)], text
