"""CITATION.cff is valid Citation File Format 1.2.0 (checked against the format's own JSON Schema), carries the
version pyproject.toml declares, and cites the sources the graph's facts come from."""

from __future__ import annotations

import json

import pytest
import yaml
from helpers import DATA, REPO

jsonschema = pytest.importorskip("jsonschema")
tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later


def _citation() -> dict:
    # CFF is YAML; a DOI such as 10.1039/d0na00174k must stay a string, which safe_load keeps it
    return yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_is_valid_cff_1_2_0():
    schema = json.loads((DATA / "cff" / "schema-1.2.0.json").read_text(encoding="utf-8"))
    citation = _citation()
    assert citation["cff-version"] == "1.2.0"
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(citation), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


def test_citation_version_and_licence_follow_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    citation = _citation()
    assert citation["version"] == project["version"]
    assert citation["authors"] == [{"name": author["name"]} for author in project["authors"]]
    for licence in citation["license"]:
        assert licence.replace("-", "").lower() in project["license"]["text"].replace("-", "").lower()


def test_citation_cites_the_review_and_obelix_as_the_graph_records_them(graph):
    references = _citation()["references"]
    review = next(r for r in references if r.get("doi"))
    record = {
        r["p"].rsplit("/", 1)[-1]: r["o"] for r in graph.query("SELECT ?p ?o WHERE { sslmb:Wang2020Review ?p ?o }")
    }
    assert review["doi"] == record["doi"] == "10.1039/d0na00174k"
    assert review["title"] == record["title"]
    assert review["year"] == record["issued"] and str(review["start"]) == record["pageStart"]
    creators = {r["o"] for r in graph.query("SELECT ?o WHERE { sslmb:Wang2020Review dcterms:creator ?o }")}
    assert {f"{a['given-names']} {a['family-names']}" for a in review["authors"]} == creators

    obelix = next(r for r in references if r["type"] == "data")
    readme = (REPO / "sources" / "obelix.yaml").read_text(encoding="utf-8")
    assert obelix["commit"] in readme and obelix["repository"] in readme
    assert " ".join(obelix["title"].split()) in " ".join(readme.split())
    assert obelix["identifiers"][0]["value"] in readme
