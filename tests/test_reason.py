"""HermiT over ontology + all data: consistent, no unsatisfiable class; and it does catch a contradiction."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from helpers import DATA, run_cli

import kg
from kg.core import resources

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")]


def test_shipped_graph_is_consistent_with_no_unsatisfiable_class(graph):
    report = graph.reason()
    assert report.consistent, report.message
    assert report.unsatisfiable == ()


def test_hermit_detects_an_inconsistency():
    report = kg.load(DATA / "cli" / "inconsistent.ttl").reason()
    assert not report.consistent


def test_reason_on_an_inconsistent_graph_says_why(tmp_path):
    store = tmp_path / "store"
    kg.bulk_load([*resources.graph_files(), DATA / "cli" / "inconsistent.ttl"], store, validate=False)
    done = run_cli("reason", "--store", str(store))
    assert done.returncode == 1, done.stderr
    assert "test chimera (sslmb:TestChimera) is both a failure mode" in done.stdout
    assert "a material (typed sslmb:Material), which the ontology declares disjoint" in done.stdout
    report = kg.open_store(store).reason()
    assert not report.consistent and len(report.reasons) == 1


def test_explain_reads_domains_and_ranges(graph):
    """An inconsistency reached through a property's domain, not an asserted type."""
    from kg.validation.reason import explain

    extra = DATA / "cli" / "inconsistent.ttl"
    g = kg.load(extra)
    assert explain(graph) == []
    assert len(explain(g)) == 1
    store = g.store
    store.add(
        ox.Quad(
            ox.NamedNode("https://w3id.org/sslmb/LLZO"),
            ox.NamedNode("https://w3id.org/sslmb/mitigates"),
            ox.NamedNode("https://w3id.org/sslmb/LithiumDendritePenetration"),
        )
    )
    reasons = explain(kg.KnowledgeGraph(store))
    assert any("LLZO (sslmb:LLZO) is both" in r and "subject of sslmb:mitigates, whose domain" in r for r in reasons)
