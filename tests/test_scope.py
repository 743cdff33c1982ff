"""Facts stated for part of a family are not inherited by the whole family (issue: say exactly what the review says).

Each case is read from the review: section 2.2 gives the transference-number bound and the anion-driven mechanisms
for conventional (salt-in-polymer) SPEs and says the single-ion SPEs of Table 2 inhibit dendrites; the introduction
gives 10^-4 to 10^-2 S/cm for the oxide and sulfide types together; Table 1 gives each family its own range and
lists the hydrides as stable with lithium; section 4 says only some inorganic SSEs are unstable in air.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request

import pytest
from helpers import REPO, run_cli

import kg
from kg.endpoint.pages import entity_html
from kg.model import scope

S = "https://w3id.org/sslmb/"
ION36 = S + "SingleIonPolymer_Ref36"
# what a conventional SPE shows and a single-ion SPE must not inherit
CONVENTIONAL_ONLY = {
    S + "LowTransferenceNumber",
    S + "AnionMobility",
    S + "AnionAccumulation",
    S + "LithiumIonConcentrationGradient",
    S + "SeverePolarization",
}


def inherited_targets(sheet) -> set[str]:
    return {lk.other.iri for lk in sheet.links if lk.via is not None}


def test_single_ion_spe_keeps_its_own_numbers_and_inherits_nothing_they_contradict(graph):
    sheet = graph.describe(ION36)
    assert not inherited_targets(sheet) & CONVENTIONAL_ONLY
    assert S + "LithiumDendritePenetration" not in inherited_targets(sheet)
    assert {q.metric for q in sheet.quantities} == {"ionic conductivity", "lithium-ion transference number"}
    # no bound on the transference number comes down from any family
    assert all(q.metric != "lithium-ion transference number" for _, q in sheet.family_quantities)
    withheld = {w.other.iri: w for w in sheet.withheld}
    assert withheld[S + "LithiumDendritePenetration"].reason == scope.EXCEPTION
    assert withheld[S + "InternalShortCircuit"].reason == scope.EXCEPTION
    # a conventional SPE still has all of them, with the bound
    peo = graph.describe("PEO/LiTFSI")
    assert CONVENTIONAL_ONLY <= inherited_targets(peo)
    assert any(q.metric == "lithium-ion transference number" and q.value == 0.5 for _, q in peo.family_quantities)


def test_member_data_wins_over_an_inherited_bound(graph):
    """Put the conventional bound (< 0.5) back on the whole SPE family: the single-ion SPE's own t = 0.97 wins
    and the fact sheet says so."""
    g = kg.load(REPO / "tests" / "data" / "checks" / "inherited-statement-contradicted-violation.trig")
    sheet = g.describe(ION36)
    contradicted = [w for w in sheet.withheld if w.reason == scope.CONTRADICTED]
    assert {w.relation for w in contradicted} == {"lithium-ion transference number", "exhibits mechanism"}
    assert all("own value 0.97" in w.detail and "less than 0.5" in w.detail for w in contradicted)
    assert S + "LowTransferenceNumber" not in inherited_targets(sheet)


def test_llzo_and_hydrides_get_only_their_own_familys_range(graph):
    llzo = graph.describe("LLZO")
    ranges = [
        (fam.label, q.minimum, q.maximum) for fam, q in llzo.family_quantities if q.metric == "ionic conductivity"
    ]
    assert ranges == [("oxide electrolyte", 1e-5, 1e-3)]
    group = [w for w in llzo.withheld if w.reason == scope.GROUP_ONLY]
    assert [w.other.iri for w in group] == [S + "InorganicSolidElectrolyte_IonicConductivityRange"]
    for hydride in ("LiBH4", "LiBH4-LiX"):
        sheet = graph.describe(hydride)
        ranges = [(q.minimum, q.maximum) for _, q in sheet.family_quantities if q.metric == "ionic conductivity"]
        assert ranges == [(1e-8, 1e-5)], hydride
        assert S + "SideReactionWithLithium" not in inherited_targets(sheet)
    # "some inorganic SSEs" are air-unstable: no oxide inherits it, sulfides state it for themselves
    assert S + "AirInstability" not in inherited_targets(llzo)
    assert S + "AirInstability" in inherited_targets(graph.describe("LGPS"))


def test_lgps_is_the_known_exception_to_table1s_sulfide_range(graph):
    lgps = graph.describe("LGPS")
    # the review's own figure (other sources add theirs beside it)
    review = [q for q in lgps.quantities if q.metric == "ionic conductivity" and q.evidence.source_keys == ["wang2020"]]
    assert [q.value for q in review] == [0.012]
    assert not [q for _, q in lgps.family_quantities if q.metric == "ionic conductivity"]
    (withheld,) = [w for w in lgps.withheld if w.relation == "ionic conductivity" and w.reason == scope.EXCEPTION]
    assert withheld.reason == scope.EXCEPTION and withheld.via.label == "sulfide electrolyte"


def test_family_sheet_shows_scope_and_exceptions(graph):
    spe = graph.describe("solid polymer electrolyte")
    (dendrites,) = [lk for lk in spe.links if lk.other.iri == S + "LithiumDendritePenetration" and lk.via is None]
    assert {x.iri for x in dendrites.exceptions} == {
        S + "SingleIonConductingPolymerElectrolyte",
        S + "PolyetherAcrylicIPN",
    }
    inorganic = graph.describe("inorganic solid electrolyte")
    (air,) = [lk for lk in inorganic.links if lk.other.iri == S + "AirInstability"]
    assert air.scope == "some members" and air.scope_as_printed == "some inorganic SSEs"
    oxide = graph.describe("oxide electrolyte")
    (joint,) = [q for q in oxide.quantities if q.scope]
    assert joint.scope == "the group as a whole" and joint.scope_as_printed == "the oxide and sulfide types"


def test_show_cli_says_what_is_not_inherited():
    out = run_cli("show", "sslmb:SingleIonPolymer_Ref36")
    assert out.returncode == 0, out.stderr
    head, _, rest = out.stdout.partition("Not inherited from its family")
    assert "low lithium-ion transference number" not in head and "anion mobility" not in head
    assert "lithium dendrite penetration" in rest and "known exception" in rest
    data = json.loads(run_cli("show", "sslmb:SingleIonPolymer_Ref36", "--format", "json").stdout)
    assert {w["reason"] for w in data["withheld"]} == {scope.EXCEPTION}


def test_risks_honour_scope_and_follow_composition(graph):
    single = graph.risks(ION36)
    # excepted from dendrite penetration and short circuits: no route may end in them or pass through them
    excepted = {S + "LithiumDendritePenetration", S + "InternalShortCircuit"}
    assert not excepted & {e.failure_mode for e in single.exposures}
    assert not any(s.target == S + "LithiumDendritePenetration" for e in single.exposures for s in e.route)
    assert {w.target for w in single.withheld} >= {S + "LithiumDendritePenetration", S + "InternalShortCircuit"}
    # a composite is exposed through what it is made of, and strategies made with it are named
    ppls = graph.risks("PPLS90")
    assert set(ppls.constituents) >= {"LAGP", "PEO"}
    by_part = {(e.failure_mode_label, e.constituent) for e in ppls.exposures}
    assert ("thermal runaway", "LAGP") in by_part and ("combustion", "PEO") in by_part
    combustion = [e for e in ppls.exposures if e.failure_mode_label == "combustion" and e.constituent == "PEO"]
    assert all("PPLS90 non-flammable hybrid electrolyte design" in e.mitigated_by for e in combustion)
    assert ("PPLS90 non-flammable hybrid electrolyte design", "uses it") in {(s, h) for s, h, _ in ppls.strategies}
    nanofibre = graph.risks("LLZO nanofibre/PEO composite")
    assert {e.constituent for e in nanofibre.exposures} == {"LLZO", "PEO"}


def test_paths_do_not_inherit_through_an_exception(graph):
    for path in graph.paths(ION36, "lithium dendrite penetration", max_hops=4, limit=500):
        relations = [r for link in path.links for r in link.relations]
        for i, link in enumerate(path.links[:-1]):
            if "susceptible to" in path.links[i + 1].relations and link.target_label.endswith("electrolyte"):
                assert not set(link.relations) & {"type", "sub class of"}, str(path)
        assert relations


def test_network_edges_carry_scope(graph):
    net = graph.to_networkx()
    edge = net.get_edge_data(S + "SolidPolymerElectrolyte", S + "LithiumDendritePenetration")["sslmb:susceptibleTo"]
    assert edge["scope"] == "typical of members"
    assert edge["exceptions"] == "polyether-acrylic interpenetrating SPE; single-ion conducting polymer electrolyte"
    air = net.get_edge_data(S + "InorganicSolidElectrolyte", S + "AirInstability")["sslmb:exhibitsMechanism"]
    assert air["scope"] == "some members"


def test_cq01_honours_scope(graph):
    single = graph.query("cq-01-failure-modes-of-electrolyte", electrolyte=ION36)
    assert S + "LithiumDendritePenetration" not in {r["failure_mode_iri"] for r in single.rows}
    peo = graph.query("cq-01-failure-modes-of-electrolyte", electrolyte="PEO/LiTFSI")
    assert S + "LithiumDendritePenetration" in {r["failure_mode_iri"] for r in peo.rows}


# ------------------------------------------------------------------------------------------ outcomes and ranking


def test_outcomes_carry_their_metric_and_conditions(graph):
    found = {m.strategy_label: m for m in graph.mitigations("dendrite")}
    interface = found["in situ nanoscale interface layer on PVDF-based SSE"]
    assert "stable cycling duration over 2000 h (at 0.1 mA/cm²)" in interface.outcomes
    li_in = {m.strategy_label: m for m in graph.mitigations("interfacial degradation")}
    texts = [o for m in li_in.values() for o in m.outcomes]
    assert "overpotential as low as 12 mV (over 200 h)" in texts
    ratio = {m.strategy_label: m for m in graph.mitigations("H2S")}
    assert any(o == "Li2S:P2S5 ratio 3:1" for m in ratio.values() for o in m.outcomes)
    for m in found.values():
        for outcome in m.outcomes:
            assert not outcome[0].isdigit(), outcome  # never a bare number


def test_only_outcomes_bearing_on_the_route_count(graph):
    bears = __import__("kg.analysis.causal", fromlist=["bears_on"]).bears_on(graph)
    found = graph.mitigations("dendrite")
    replacing = next(
        m for m in found if m.strategy_label == "replacing liquid electrolytes with solid-state electrolytes"
    )
    assert replacing.outcomes == ("relative heat generation 30 %",) and replacing.counted_outcomes == ()
    assert "0 quantitative outcome(s)" in replacing.score_explained
    assert found[0].strategy_label != replacing.strategy_label
    for m in found:
        route = {m.path[0].target, *(s.target for s in m.path[1:])}
        assert set(m.counted_outcomes) <= set(m.outcomes)
        for counted in m.counted_outcomes:
            assert counted in m.score_explained
        quantities = {q.described: q for q in kg.model.quantity.of(graph, m.strategy)}
        for text in m.counted_outcomes:
            assert bears[quantities[text].metric_iri] & route


def test_an_ambiguous_hazard_is_answered_for_each_match():
    out = run_cli("mitigations", "contact")
    assert out.returncode == 0, out.stderr
    headers = [line for line in out.stdout.splitlines() if line.endswith("from 'contact':")]
    assert [h.split(" [")[0] for h in headers] == ["reaction with molten lithium", "poor solid-solid contact"]
    fire = run_cli("mitigations", "fire")
    assert fire.stdout.splitlines()[0].startswith("combustion [failure mode] <https://w3id.org/sslmb/Combustion>")
    data = json.loads(run_cli("mitigations", "contact", "--format", "json").stdout)
    assert {m["target_label"] for m in data} == {"poor solid-solid contact"}


def test_show_an_agent_lists_what_the_review_credits_to_it(graph):
    sheet = graph.describe("Wang's group")
    found = {c.subject.label for c in sheet.credited}
    assert "electronic conductivity of SSEs drives dendrite growth" in found
    assert all(c.evidence.reference_numbers for c in sheet.credited)


def test_draw_tooltips_and_every_direct_cause(graph):
    from kg.output import draw

    d = draw.layout(graph, "dendrite penetration")
    hazard = d.box("n0")
    causes = {r["c"] for r in graph.select(
        "SELECT ?c ?h WHERE { ?c sslmb:causes|sslmb:contributesTo|sslmb:leadsTo ?h }", h=hazard.iri)}
    assert causes and causes <= {b.iri for b in d.boxes}
    outcomes = [line for b in d.boxes for line in b.details if line.startswith("outcome: ")]
    assert "outcome: stable cycling duration over 2000 h (at 0.1 mA/cm²)" in outcomes


def test_a_triple_term_where_a_scope_or_a_statement_part_is_read_is_skipped(tmp_path):
    """A triple term (RDF 1.2) as the value of a scope property or as an axiom's target has no ``value``: it is
    skipped (the rest of the axiom still counts) instead of stopping the fact sheet with an AttributeError."""
    star = "<<( sslmb:LLZO sslmb:exhibitsMechanism sslmb:AirInstability )>>"
    extra = tmp_path / "triple-terms.ttl"
    extra.write_text(
        "@prefix sslmb: <https://w3id.org/sslmb/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "sslmb:GarnetElectrolyte sslmb:exhibitsMechanism sslmb:AirInstability .\n"
        "[] a owl:Axiom ; owl:annotatedSource sslmb:GarnetElectrolyte ; owl:annotatedProperty sslmb:exhibitsMechanism ;"
        " owl:annotatedTarget sslmb:AirInstability ; sslmb:statementScope sslmb:SomeMembers ;"
        f" sslmb:scopeAsPrinted {star} .\n"
        "[] a owl:Axiom ; owl:annotatedSource sslmb:GarnetElectrolyte ; owl:annotatedProperty sslmb:exhibitsMechanism ;"
        f" owl:annotatedTarget {star} ; sslmb:statementScope sslmb:GroupAsAWhole .\n"
    )
    g = kg.load(extra)
    (air,) = [s for s in scope.statements_of(g, S + "GarnetElectrolyte") if s.other == S + "AirInstability"]
    assert (air.scope, air.scope_as_printed) == (scope.SOME, None)
    llzo = g.describe("LLZO")
    assert ("garnet-type electrolyte", scope.SOME_MEMBERS) in {
        (w.via.label, w.reason) for w in llzo.withheld if w.other.iri == S + "AirInstability"
    }
    assert g.risks("LLZO").exposures


@pytest.mark.parametrize("swap", [False, True], ids=["as-written", "graphs-swapped"])
def test_a_link_two_sources_scope_differently_reaches_what_either_lets_it(tmp_path, swap):
    """Two sources state the same family link, each with its own scope: a member gets the link when one of them
    lets it through (the broadest scope; an exception only when every such source names it), whichever graph the
    store lists first. Before, the axiom read last replaced the other's scope."""
    head = (
        "@prefix sslmb: <https://w3id.org/sslmb/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix g: <https://w3id.org/sslmb/graph/> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    )

    def axiom(target: str, extra: str) -> str:  # each case both as a mechanism and as a failure mode (cq-01)
        return "".join(
            f"sslmb:GarnetElectrolyte sslmb:{link} sslmb:{target}{link} .\n"
            "[] a owl:Axiom ; owl:annotatedSource sslmb:GarnetElectrolyte ;"
            f" owl:annotatedProperty sslmb:{link} ; owl:annotatedTarget sslmb:{target}{link} {extra} .\n"
            f"sslmb:{target}{link} rdfs:label \"{target}\"@en .\n"
            for link in ("exhibitsMechanism", "susceptibleTo")
        )

    # one link per case: (what source one says, what source two says)
    cases = {
        "ScopeCaseSomeVsTypical": ("; sslmb:statementScope sslmb:SomeMembers", ""),
        "ScopeCaseExceptionVsNone": ("; sslmb:knownException sslmb:LLZO", ""),
        "ScopeCaseExceptionBoth": ("; sslmb:knownException sslmb:LLZO", "; sslmb:knownException sslmb:LLZO"),
        "ScopeCaseGroupVsSome": (
            "; sslmb:statementScope sslmb:GroupAsAWhole", "; sslmb:statementScope sslmb:SomeMembers"
        ),
    }
    one = "".join(axiom(name, a if not swap else b) for name, (a, b) in cases.items())
    two = "".join(axiom(name, b if not swap else a) for name, (a, b) in cases.items())
    extra = tmp_path / "two-sources.trig"
    extra.write_text(head + f"g:scope_one {{\n{one}}}\ng:scope_two {{\n{two}}}\n", encoding="utf-8")
    g = kg.load(extra)
    sheet = g.describe("LLZO")
    got = inherited_targets(sheet)
    withheld = {w.other.iri: w.reason for w in sheet.withheld}
    for link in ("exhibitsMechanism", "susceptibleTo"):
        assert S + "ScopeCaseSomeVsTypical" + link in got
        assert S + "ScopeCaseExceptionVsNone" + link in got
        assert withheld[S + "ScopeCaseExceptionBoth" + link] == scope.EXCEPTION
        assert withheld[S + "ScopeCaseGroupVsSome" + link] == scope.SOME_MEMBERS
    # the stored question applies the same rule in SPARQL
    exposed = {row["failure_mode_iri"] for row in g.query("cq-01", electrolyte="LLZO").rows}
    cases = {S + name + "susceptibleTo" for name in cases}
    assert exposed & cases == {S + "ScopeCaseSomeVsTypicalsusceptibleTo", S + "ScopeCaseExceptionVsNonesusceptibleTo"}


# ------------------------------------------------------------------------------------------ the endpoint's fact sheet


def test_entity_page_says_what_is_not_inherited(graph):
    html = entity_html(graph.describe(ION36))
    head, _, rest = html.partition("Not inherited from its family")
    assert "low lithium-ion transference number" not in head and "known exception" in rest


@pytest.mark.slow
def test_endpoint_fact_sheet_honours_scope():
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--workers", "1"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(120)
        assert line and " at " in line[0], proc.stderr.read() if proc.poll() is not None else "no start-up line"
        url = line[0].split(" at ", 1)[1].strip().rstrip("/")
        with urllib.request.urlopen(f"{url}/entity/SingleIonPolymer_Ref36", timeout=60) as response:
            page = response.read().decode()
        head, _, rest = page.partition("Not inherited from its family")
        assert "anion mobility" not in head and "lithium dendrite penetration" in rest
    finally:
        proc.terminate()
        proc.wait(30)
