"""HermiT over ontology + all data: consistent, no unsatisfiable class; and it does catch a contradiction."""

from __future__ import annotations

import shutil

import pytest
from helpers import DATA

import kg

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")]


def test_shipped_graph_is_consistent_with_no_unsatisfiable_class(graph):
    report = graph.reason()
    assert report.consistent, report.message
    assert report.unsatisfiable == ()


def test_hermit_detects_an_inconsistency():
    report = kg.load(DATA / "cli" / "inconsistent.ttl").reason()
    assert not report.consistent
