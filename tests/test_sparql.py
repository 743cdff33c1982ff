"""The query interface: stored queries and their headers, parameters bound by the engine, result formats,
located errors, and the check queries proven both ways."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from helpers import DATA, run_cli

import kg
from kg.model import queries as sparql

CHECKS = [q for q in kg.queries() if q.kind == "check"]


def test_header_parsing_and_listing():
    listed = kg.queries()
    cqs = [q for q in listed if q.kind == "cq"]
    assert len(cqs) >= 25
    for q in listed:
        assert q.summary, f"{q.file} has no #+ summary"
    assert {q.kind for q in listed} == {"cq", "check", "report"}
    assert all(q.name.endswith("-violation") for q in CHECKS)


def test_every_cq_runs_with_its_defaults_and_returns_rows(graph):
    for q in kg.queries():
        if q.kind in ("cq", "report"):
            assert len(graph.query(q.name)) > 0, q.name


@pytest.mark.parametrize("check", CHECKS, ids=lambda q: q.name)
def test_check_passes_on_the_shipped_graph(graph, check):
    result = graph.query(check.name)
    assert len(result) == 0, f"{check.name}: {result.rows[:5]}"


@pytest.mark.parametrize("check", CHECKS, ids=lambda q: q.name)
def test_check_trips_on_its_fixture(check):
    # a check about named graphs (sources) has a TriG fixture
    found = [DATA / "checks" / f"{check.name}.{ext}" for ext in ("ttl", "trig")]
    fixture = next((f for f in found if f.is_file()), found[0])
    assert fixture.is_file(), f"no fixture {fixture.name} for {check.name}"
    assert len(kg.load(fixture).query(check.name)) > 0


def test_parameters_are_bound_not_pasted(graph):
    hostile = 'LGPS" } UNION { ?x ?p ?o'
    with pytest.raises(kg.NotFoundError):
        graph.query("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", x=hostile)
    result = graph.query("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", params={"l": sparql.ox.Literal(hostile)})
    assert result.rows == ()


def test_label_parameter_resolves_to_the_entity(graph):
    result = graph.query("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", x="Li10GeP2S12")
    assert result.rows == ({"x": "https://w3id.org/sslmb/LGPS", "l": "LGPS"},)


def test_raw_results_are_w3c_json(graph):
    raw = graph.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", raw=True)
    assert raw["head"]["vars"] == ["n"]
    # COUNT(*) over the union counts statements: a triple stated by two sources counts twice
    assert int(raw["results"]["bindings"][0]["n"]["value"]) == graph.statement_count() >= len(graph)


def test_unknown_and_missing_parameters(graph):
    name = next(q.name for q in kg.queries() if q.params)
    with pytest.raises(kg.InputError, match="unknown parameter nope"):
        graph.query(name, nope="x")
    # bound in a leading VALUES block, a parameter need not be projected ...
    assert [r["l"] for r in graph.query("SELECT ?l WHERE { ?x rdfs:label ?l }", x="LGPS").rows] == ["LGPS"]
    # ... but where the query keeps Oxigraph's substitution (here: MINUS), Oxigraph's rule holds and is explained
    with pytest.raises(kg.InputError, match="must appear in the SELECT clause"):
        graph.query("SELECT ?l WHERE { ?x rdfs:label ?l MINUS { ?x a sslmb:Review } }", x="LGPS")


def test_update_is_refused(graph):
    with pytest.raises(kg.InputError):
        graph.query("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert (
        len(graph.query("ASK { <urn:a> <urn:b> <urn:c> }", raw=True))
        and not graph.query("ASK { <urn:a> <urn:b> <urn:c> }").boolean
    )


def test_cli_stdin_csv_count():
    result = run_cli("query", "-", "--format", "csv", stdin="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["n"] and int(rows[1][0]) > 10_000


def test_cli_w3c_formats_and_table():
    q = "SELECT ?x ?l WHERE { ?x rdfs:label ?l } ORDER BY ?l LIMIT 3"
    as_json = json.loads(run_cli("query", "-", "--format", "json", stdin=q).stdout)
    assert as_json["head"]["vars"] == ["x", "l"] and len(as_json["results"]["bindings"]) == 3
    as_xml = ET.fromstring(run_cli("query", "-", "--format", "xml", stdin=q).stdout)
    assert as_xml.tag.endswith("sparql")
    tsv = run_cli("query", "-", "--format", "tsv", stdin=q).stdout.splitlines()
    assert tsv[0] == "?x\t?l" and len(tsv) == 4
    table = run_cli("query", "-", stdin=q).stdout
    assert table.splitlines()[0].split() == ["x", "l"]


def test_cli_construct_to_turtle():
    q = 'CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l FILTER(?l = "LGPS"@en) }'
    result = run_cli("query", "-", "--format", "ttl", stdin=q)
    assert result.returncode == 0, result.stderr
    assert "sslmb:LGPS" in result.stdout
    wrong = run_cli("query", "-", "--format", "csv", stdin=q)
    assert wrong.returncode == 2 and "CONSTRUCT" in wrong.stderr


def test_cli_errors_are_located_and_exit_2():
    broken = run_cli("query", "-", stdin="SELECT ?x WHERE {\n  ?x ?p \n")
    assert broken.returncode == 2
    assert broken.stderr.startswith("sslmb: error: <stdin>:") and "Traceback" not in broken.stderr
    unknown = run_cli("query", "cq-1-failure-modes")
    assert unknown.returncode == 2 and "did you mean" in unknown.stderr and "cq-01" in unknown.stderr
    badparam = run_cli("query", next(q.name for q in kg.queries() if q.params), "--param", "zzz=1")
    assert badparam.returncode == 2 and "unknown parameter zzz" in badparam.stderr


def test_cli_queries_listing_json():
    result = run_cli("queries", "--format", "json")
    data = json.loads(result.stdout)
    assert len([q for q in data if q["kind"] == "cq"]) >= 25
    assert set(data[0]) == {"name", "kind", "summary", "tags", "params", "file"}


def test_cli_check_command_passes():
    result = run_cli("check")
    assert result.returncode == 0, result.stdout
