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
    assert {"ThermoresponsivePolyDOLSPEDesign", "ThermallyResponsivePolymers"} <= set(found)
    # Section 1 offers the self-shutdown separator (ref. 5) against the electrolyte's flammability only
    assert "SelfShutdownSeparator" not in found
    assert any("70" in o for o in found["ThermoresponsivePolyDOLSPEDesign"].outcomes)


def test_interfacial_side_reactions(graph):
    found = _strategies(graph, "side reactions with lithium")
    assert {
        "IntermediateBufferLayer",
        "LGPSLPSODoubleLayerDesign",
        "IonConductingElectronBlockingInterphase",
        "InterfaceLayerDesign",
        # Section 3 credits these with a stable Li/SSE interface, not only with contact or fewer dendrites
        "PYR13TFSIWettingOfLGPS",
        "LiInAlloyAnode",
    } <= set(found)
    assert "AirStableLithiumAnode" not in found  # it addresses lithium's reactivity with air (Section 4)


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


# ------------------------------------------------------------------------------------------ paths


def _relation_holds(graph, a, label, b):
    """Is there a link ``a -p-> b`` whose property is labelled ``label`` (``^label``: ``b -p-> a``)?"""
    if label.startswith("^"):
        a, b, label = b, a, label[1:]
    rows = graph.select(f"SELECT ?p WHERE {{ <{a}> ?p <{b}> }}")
    return any(graph.label(r["p"]) == label for r in rows)


def test_paths_are_simple_labelled_and_shortest_first(graph):
    found = graph.paths("LiF addition to LiBH4", "dendrite penetration", max_hops=3)
    assert found and len(found) <= 200
    assert [p.hops for p in found] == sorted(p.hops for p in found)
    assert str(found[0]) == "LiF addition to LiBH4 -[mitigates]-> lithium dendrite penetration"
    for path in found:
        assert path.iris[0] == S + "LiFInLiBH4" and path.iris[-1] == S + "LithiumDendritePenetration"
        assert len(set(path.iris)) == len(path.iris) and 1 <= path.hops <= 3
        assert path.labels == tuple(graph.label(i) for i in path.iris)
        for link, (a, b) in zip(path.links, zip(path.iris, path.iris[1:], strict=False), strict=True):
            assert (link.source, link.target) == (a, b) and link.relations
            for relation in link.relations:
                assert _relation_holds(graph, a, relation, b), (a, relation, b)
    # a causal route: strategy -> mechanism -> failure mode
    assert any(p.hops == 2 and p.links[1].relations == ("causes",) for p in found)


def test_paths_limit_and_no_path(graph):
    assert len(graph.paths("LGPS", "LLZO", max_hops=4, limit=7)) == 7
    assert graph.paths("LGPS", "LGPS") == []
    assert graph.paths("LGPS", "anion mobility", max_hops=1) == []


def test_cli_paths():
    result = run_cli("paths", "hydrogen sulfide release", "LGPS", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data[0]["labels"][0] == "hydrogen sulfide release" and data[0]["labels"][-1] == "LGPS"
    assert {"source", "target", "relations", "references", "sections"} <= set(data[0]["links"][0])
    none = run_cli("paths", "LGPS", "anion mobility", "--max-hops", "1")
    assert none.returncode == 1 and "no path" in none.stderr
    ambiguous = run_cli("paths", "H2S", "LGPS")
    assert ambiguous.returncode == 2 and "hydrogen sulfide release" in ambiguous.stderr
    assert "Traceback" not in ambiguous.stderr


# ------------------------------------------------------------------------------------------ gaps, centrality


def test_gaps_against_the_store(graph):
    gaps = graph.gaps()
    hazards = graph.select(
        "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* ?c VALUES ?c { sslmb:Mechanism sslmb:FailureMode } }"
    )
    mitigated = {r["x"] for r in graph.select("SELECT DISTINCT ?x WHERE { ?s sslmb:mitigates ?x }")}
    assert {g.iri for g in gaps.unmitigated} == {r["x"] for r in hazards} - mitigated
    strategies = graph.select("SELECT DISTINCT ?s WHERE { ?s a/rdfs:subClassOf* sslmb:MitigationStrategy }")
    # a number of the strategy's own, or of a material it is carried out with (the Table 2 designs)
    quantified = {
        r["s"]
        for r in graph.select(
            "SELECT DISTINCT ?s WHERE"
            " { ?s sslmb:hasOutcome|sslmb:hasQuantity|(sslmb:usesMaterial/sslmb:hasQuantity) ?q }"
        )
    }
    assert {g.iri for g in gaps.unquantified_strategies} == {r["s"] for r in strategies} - quantified
    assert S + "BlendPolymerSingleIonSPE" not in {g.iri for g in gaps.unquantified_strategies}
    families = {g.iri for g in gaps.families_without_safety_data}
    assert S + "GarnetElectrolyte" not in families and S + "SulfideElectrolyte" not in families
    # composition and the strategies made with a member count: composites and single-ion SPEs have safety data
    assert S + "CompositeElectrolyte" not in families and S + "SingleIonConductingPolymerElectrolyte" not in families
    for iri in families:
        assert not graph.select(
            f"""SELECT ?x WHERE {{ {{ ?x rdfs:subClassOf* <{iri}> }} UNION {{ ?x a/rdfs:subClassOf* <{iri}> }}
                  UNION {{ ?m a/rdfs:subClassOf* <{iri}> ; sslmb:hasConstituent+ ?x }}
                  {{ ?x sslmb:susceptibleTo|sslmb:exhibitsMechanism ?d }}
                  UNION {{ ?d sslmb:appliesTo|sslmb:usesMaterial|sslmb:knownException ?x }} }}"""
        ), iri
    # "indirect" notes are true: a strategy reaches the hazard through its causes
    for gap in gaps.unmitigated:
        if gap.detail.startswith("no strategy"):
            assert not graph.mitigations(gap.iri)
        else:
            assert graph.mitigations(gap.iri) and all(m.hops > 0 for m in graph.mitigations(gap.iri))


def test_centrality_hubs(graph):
    hubs = graph.centrality()
    assert hubs[0].label == "lithium dendrite penetration"
    assert [h.betweenness for h in hubs] == sorted((h.betweenness for h in hubs), reverse=True)
    top = hubs[0]
    causal = "sslmb:causes|sslmb:contributesTo|sslmb:leadsTo"
    into = graph.select(f"SELECT DISTINCT ?x WHERE {{ ?x {causal} <{top.iri}> }}")
    out = graph.select(f"SELECT DISTINCT ?x WHERE {{ <{top.iri}> {causal} ?x }}")
    assert (top.in_degree, top.out_degree) == (len(into), len(out))
    direct = graph.select(f"SELECT DISTINCT ?s WHERE {{ ?s sslmb:mitigates <{top.iri}> }}")
    assert top.mitigated_by == len(direct)


def test_cli_gaps_and_centrality():
    gaps = run_cli("gaps", "--format", "json")
    assert gaps.returncode == 0, gaps.stderr
    assert set(json.loads(gaps.stdout)) == {"unmitigated", "unquantified_strategies", "families_without_safety_data"}
    hubs = run_cli("centrality", "--limit", "3", "--format", "json")
    data = json.loads(hubs.stdout)
    assert len(data) == 3 and {"label", "betweenness", "in_degree", "out_degree", "mitigated_by"} <= set(data[0])
