"""find/resolve: what a user types reaches the right entity."""

from __future__ import annotations

import pytest

import kg
from kg.model.search import normalize


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("llzo", "LLZO"),
        ("Li7La3Zr2O12", "LLZO"),
        ("li₇la₃zr₂o₁₂", "LLZO"),
        ("LGPS", "LGPS"),
        ("Li10GeP2S12", "LGPS"),
        ("polyethylene oxide", "PEO"),
        ("LAGP", "LAGP"),
    ],
)
def test_find_puts_the_named_entity_first(graph, typed, label):
    matches = graph.find(typed)
    assert matches, typed
    assert matches[0].label == label


def test_find_is_case_insensitive_and_ranks_exact_first(graph):
    upper = [m.iri for m in graph.find("PEO")]
    lower = [m.iri for m in graph.find("peo")]
    assert upper == lower
    assert graph.find("peo")[0].score == 100


def test_find_filters_by_kind(graph):
    kinds = {m.kind for m in graph.find("dendrite", kinds=["strategy"])}
    assert kinds == {"strategy"}


def test_resolve_h2s_to_the_hazard_when_asked_for_failure_modes(graph):
    entity = graph.resolve("H2S", kinds=["failure mode"])
    assert entity.iri == "https://w3id.org/sslmb/HydrogenSulfideRelease"


def test_unknown_name_gives_close_suggestions(graph):
    with pytest.raises(kg.NotFoundError) as info:
        graph.resolve("LLZP")
    assert info.value.candidates
    assert "LLZO" in info.value.candidates


def test_resolve_accepts_prefixed_names_and_iris(graph):
    assert graph.resolve("sslmb:LAGP").label == "LAGP"
    assert graph.resolve("https://w3id.org/sslmb/LAGP").label == "LAGP"
    with pytest.raises(kg.NotFoundError):
        graph.resolve("sslmb:NoSuchThing")


def test_normalize_folds_greek_and_subscripts():
    assert normalize("β-Li₃PS₄") == normalize("beta-Li3PS4")
