"""Loading, typed SPARQL access, located syntax errors."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from helpers import DATA, INSTANCE_FILE_NAMES

import kg
from kg.facade import KnowledgeGraph


def test_shipped_graph_has_ontology_and_every_instance_file(graph):
    names = [p.name for p in graph.sources]
    assert names[0] == "sslmb.ttl"
    assert INSTANCE_FILE_NAMES <= set(names)
    assert len(graph) > 10_000


def test_select_binds_values_through_the_engine(graph):
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { ?s ?p "'
    rows = graph.select("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", l=ox.Literal(hostile))
    assert rows == []
    rows = graph.select("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", x="https://w3id.org/sslmb/LGPS")
    assert rows == [{"x": "https://w3id.org/sslmb/LGPS", "l": "LGPS"}]


def test_typed_values_come_back_as_python_numbers(graph):
    rows = graph.select("SELECT ?n WHERE { sslmb:Ref17 sslmb:referenceNumber ?n }")
    assert rows == [{"n": 17}]


def test_syntax_error_names_file_line_and_column():
    with pytest.raises(kg.InputError) as info:
        KnowledgeGraph.from_files([DATA / "cli" / "broken.ttl"])
    message = str(info.value)
    assert "broken.ttl:" in message
    line = int(message.split("broken.ttl:")[1].split(":")[0])
    assert line in (4, 5, 6)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(kg.InputError, match="no such file"):
        KnowledgeGraph.from_files([tmp_path / "absent.ttl"])


def test_kinds_of_entities(graph):
    assert graph.kind("https://w3id.org/sslmb/LLZO") == "electrolyte"
    assert graph.kind("https://w3id.org/sslmb/SulfideElectrolyte") == "electrolyte family"
    assert graph.kind("https://w3id.org/sslmb/ThermalRunaway") == "failure mode"
    assert graph.kind("https://w3id.org/sslmb/LowShearModulus") == "mechanism"
    assert graph.kind("https://w3id.org/sslmb/Ref17") == "reference"
