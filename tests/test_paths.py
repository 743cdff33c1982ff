"""Traversal from a hazard to what mitigates it, checked against the strategy sets the review gives."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli

import kg

S = "https://w3id.org/sslmb/"


def _strategies(graph, target, **kw):
    return {m.strategy[len(S) :]: m for m in graph.mitigations(target, **kw)}


def test_dendrite_strategies_of_the_review(graph):
    found = _strategies(graph, "dendrite penetration")
    # Sections 2.1-3: composites, single-ion conductors, LiF in LiBH4, alloys, interlayers, 3D hosts, SEI coatings
    for expected in (
        "LLZONanofiberPEOComposite",
        "PolyimideHostedPEOComposite",
        "SingleIonConductingSPEDesign",
        "LiFInLiBH4",
        "LiInAlloyAnode",
        "PEOInterlayerOnLLZTOWith3DAnode",
        "ExSituArtificialSEILayer",
        "LithiophilicFrameworkConfinement",
        "DefectReductionAndDensification",
        "LiDFTFSIAnionDesign",
    ):
        assert expected in found, expected
    assert found["LiFInLiBH4"].hops == 0 and 19 in found["LiFInLiBH4"].references
    indirect = found["LiDFTFSIAnionDesign"]
    assert indirect.hops >= 1
    assert indirect.path[0].relation == "mitigates" and indirect.path[-1].target_label == "lithium dendrite penetration"
    assert all(step.evidence.locations for step in indirect.path)


def test_h2s_as_users_type_it(graph):
    found = _strategies(graph, "H2S")
    assert {
        "Li2SP2S5RatioControl",
        "MetalOxideH2SAbsorption",
        "Li2OSubstitutionInSulfides",
        "P2O5SubstitutionInSulfides",
    } <= set(found)
    assert found["MetalOxideH2SAbsorption"].hops == 0


def test_thermal_runaway_protections(graph):
    found = _strategies(graph, "thermal runaway")
    assert {"ThermoresponsivePolyDOLSPEDesign", "ThermallyResponsivePolymers", "SelfShutdownSeparator"} <= set(found)
    assert any("70" in o for o in found["ThermoresponsivePolyDOLSPEDesign"].outcomes)


def test_interfacial_side_reactions(graph):
    found = _strategies(graph, "side reactions with lithium")
    assert {
        "IntermediateBufferLayer",
        "LGPSLPSODoubleLayerDesign",
        "IonConductingElectronBlockingInterphase",
        "InterfaceLayerDesign",
    } <= set(found)


def test_direct_ranks_above_indirect(graph):
    ranked = graph.mitigations("dendrite penetration")
    hops = [m.hops for m in ranked]
    assert hops == sorted(hops), "fewer causal steps must always rank first"
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)


def test_unknown_or_wrong_kind_target(graph):
    with pytest.raises(kg.NotFoundError):
        graph.mitigations("LLZO")


def test_risks_of_lgps(graph):
    r = graph.risks("LGPS")
    stated = {e.failure_mode_label for e in r.exposures if not e.route}
    assert {"hydrogen sulfide release", "interfacial degradation", "lithium dendrite penetration"} <= stated
    assert "moisture reactivity" in r.mechanisms
    strategies = {s for s, _, _ in r.strategies}
    assert "LiTFSI/PYR13TFSI wetting of the Li/LGPS interface" in strategies
    assert "Li-In alloy anode" in strategies


def test_cli_mitigations_json_and_errors():
    result = run_cli("mitigations", "dendrite penetration", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {"strategy", "strategy_label", "path", "references", "outcomes", "score", "score_explained"} <= set(data[0])
    unknown = run_cli("mitigations", "unobtainium")
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
    risks = run_cli("risks", "LGPS")
    assert risks.returncode == 0 and "hydrogen sulfide release" in risks.stdout
