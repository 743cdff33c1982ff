"""Every instance file is checked as its own test case, so a failure names the file that holds the error."""

from __future__ import annotations

import pytest
import rdflib
from helpers import INSTANCE_FILE_NAMES, REPO

INSTANCE_FILES = sorted((REPO / "ontology" / "instances").glob("*.ttl"))
SSLMB = "https://w3id.org/sslmb/"


def _defined_in(path) -> set[str]:
    graph = rdflib.Graph().parse(path)
    return {str(s) for s in graph.subjects(rdflib.RDF.type, None) if isinstance(s, rdflib.URIRef)}


def test_instance_files_exist():
    names = {p.name for p in INSTANCE_FILES}
    assert INSTANCE_FILE_NAMES <= names


@pytest.mark.parametrize("path", INSTANCE_FILES, ids=lambda p: p.name)
def test_file_has_no_shacl_violation(path, validation):
    mine = _defined_in(path)
    problems = [
        r for r in validation.results if r.severity == "Violation" and r.subject is not None and r.subject in mine
    ]
    assert not problems, "\n".join(f"{r.focus_label} | {r.path} | {r.message}" for r in problems[:30])


@pytest.mark.parametrize("path", INSTANCE_FILES, ids=lambda p: p.name)
def test_file_defines_no_entity_another_file_defines(path):
    mine = {iri for iri in _defined_in(path) if iri.startswith(SSLMB)}
    for other in INSTANCE_FILES:
        if other != path:
            clash = mine & _defined_in(other)
            assert not clash, f"{path.name} and {other.name} both type {sorted(clash)[:5]}"
