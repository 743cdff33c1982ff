"""Shared fixtures: the shipped graph is loaded once per session (it is read-only in every test)."""

from __future__ import annotations

import pytest

import kg


@pytest.fixture(scope="session")
def graph() -> kg.KnowledgeGraph:
    return kg.load()


@pytest.fixture(scope="session")
def validation(graph):
    """One pySHACL run over the shipped graph, shared by the tests that inspect its results."""
    return graph.validate()


@pytest.fixture(scope="session")
def review_graph() -> kg.KnowledgeGraph:
    """The ontology and the review's own facts only (its named graph), without the other sources: what the tests
    written from a reading of the review compare against."""
    from kg.core import resources

    return kg.load(resources.ontology_file(), *resources.instance_files(), data=False)
