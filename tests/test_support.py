"""Support and contradiction (kg.model.support) and the evidence grade of mitigation routes (kg.analysis.grade),
checked against facts read in the source files: the review's instance files, the articles' curation files and the
OBELiX table."""

from __future__ import annotations

import csv
import json
import re

import pytest
from helpers import DATA, REPO, run_cli

import kg
from kg.model import quantity as qty
from kg.model import support as sp

S = "https://w3id.org/sslmb/"
SAFE = S + "ClaimSolidStateBatteriesInherentlySafe"


def _review_doi(ref: int) -> str:
    """The DOI recorded for a reference of the review, read from ontology/instances/references.ttl."""
    text = (REPO / "ontology" / "instances" / "references.ttl").read_text(encoding="utf-8")
    block = re.search(rf"sslmb:Ref{ref} a owl:NamedIndividual.*?\n\n", text, re.S)
    assert block, ref
    return re.search(r'bibo:doi "([^"]+)"', block.group(0)).group(1)


def _obelix_row(row_id: str) -> dict:
    with open(REPO / "sources" / "data" / "obelix" / "all.csv", encoding="utf-8") as handle:
        return next(r for r in csv.DictReader(handle) if r["ID"] == row_id)


# ------------------------------------------------------------------------------------------ independence


def test_one_paper_under_two_names_counts_once():
    g = kg.load(REPO / "ontology" / "sslmb.ttl", DATA / "support" / "shared-paper.trig", data=False)
    ex = "https://example.org/support/"
    found = sp.of_link(g, ex + "Remedy", S + "mitigates", ex + "Hazard")
    assert found.supporting == ("srca", "srcb", "srcc")
    # srca and srcb cite the same DOI (written in two cases) under two IRIs: one line; srcc another paper
    assert found.supported_by == 2
    assert [line.sources for line in found.support] == [("srca", "srcb"), ("srcc",)]
    assert found.contradicted_by == 0


def test_the_review_and_obelix_rest_on_the_same_lgps_paper(graph):
    row = _obelix_row("1hh")
    assert row["Reduced Composition"] == "Li10GeP2S12"
    doi = _review_doi(14)
    assert row["DOI"].lower() == doi.lower() == "10.1038/nmat3066"  # the premise, read from the files
    values = qty.of(graph, S + "LGPS")
    review = next(q for q in values if q.evidence.source_keys == ["wang2020"])
    row_1hh = next(q for q in values if q.iri == S + "obelix_n1hh")
    # the two values alone: two sources, one original paper, one line of support
    pair = sp.of_number(graph, review, [review, row_1hh])
    assert pair.supporting == ("obelix", "wang2020")
    assert pair.supported_by == 1
    assert pair.support[0].works == ("doi:10.1038/nmat3066",)
    # OBELiX row j8q (0.0121 S/cm, other papers) agrees within 10 % and is a second, independent line
    j8q = _obelix_row("j8q")
    assert abs(float(j8q["Ionic conductivity (S cm-1)"]) - 0.012) / 0.012 <= sp.AGREEMENT
    assert j8q["DOI"].lower() != doi.lower()
    every = sp.of_number(graph, review, values)
    assert every.supported_by == 2
    assert {line.sources for line in every.support} == {("obelix", "wang2020"), ("obelix",)}


# ------------------------------------------------------------------------------------------ claims


def test_the_article_contradicts_the_inherent_safety_claim(graph, review_graph):
    # sources/dendrite_md2025.yaml: claim ceramics_fail_by_penetration contradicts this claim of the review, and
    # the review itself puts its thesis against it (ontology/instances/mechanisms.ttl)
    assert "contradicts: [sslmb:ClaimSolidStateBatteriesInherentlySafe]" in (
        REPO / "sources" / "dendrite_md2025.yaml"
    ).read_text(encoding="utf-8")
    assert "sslmb:ClaimSSLMBsStillFaceSafetyRisks sslmb:contradicts sslmb:ClaimSolidStateBatteriesInherentlySafe" in (
        REPO / "ontology" / "instances" / "mechanisms.ttl"
    ).read_text(encoding="utf-8")
    alone = sp.of_claim(review_graph, SAFE)
    assert (alone.contradicted_by, alone.contradicting) == (1, ("wang2020",))
    both = sp.of_claim(graph, SAFE)
    assert (both.contradicted_by, both.contradicting) == (2, ("dendrite_md2025", "wang2020"))
    # the review records the belief only to reject it (its own uncited thesis stands against it): no support
    assert (both.supported_by, both.supporting) == (0, ())
    sheet = graph.describe(SAFE)
    assert sheet.support == both
    out = run_cli("show", SAFE)
    assert out.returncode == 0, out.stderr
    assert "supported by 0, contradicted by 2 (dendrite_md2025, wang2020)" in out.stdout


def test_the_shear_modulus_pair_and_support_links(graph):
    # mechanisms.ttl: ref. 17's claim contradicts the Monroe-Newman claim (refs 15, 16), both read in the review
    suffices = sp.of_claim(graph, S + "ClaimShearModulusSuffices")
    assert suffices.supporting == ("wang2020",) and suffices.contradicting == ("wang2020",)
    against = {w for line in suffices.contradiction for w in line.works}
    assert any("Ref. 17" in w for w in against)
    # dendrite_md2025.yaml: stress_fractures_tip supports the review's ClaimStressPeaksAtFilamentTip (ref. 17)
    tip = sp.of_claim(graph, S + "ClaimStressPeaksAtFilamentTip")
    assert tip.supporting == ("dendrite_md2025", "wang2020") and tip.supported_by == 2


def test_links_carry_their_support_in_the_fact_sheet(graph):
    # yersak2022 and the review (ref. 64) both state that Li2O substitution mitigates moisture reactivity
    sheet = graph.describe("Li2O substitution in sulfide SSEs")
    link = next(lk for lk in sheet.links if lk.relation == "mitigates" and lk.other.iri == S + "MoistureReactivity")
    assert link.support.supporting == ("wang2020", "yersak2022") and link.support.supported_by == 2
    data = kg.to_jsonable(sheet)
    shown = next(lk for lk in data["links"] if lk["relation"] == "mitigates" and lk["other"]["iri"] == link.other.iri)
    assert shown["support"]["supported_by"] == 2 and shown["support"]["supporting"] == ["wang2020", "yersak2022"]


# ------------------------------------------------------------------------------------------ grade


def test_grade_lists_what_counted(graph):
    # strategies.ttl, ref. 23: LLZO nanofibres in PEO, stable for more than 1000 h at 0.5 mA/cm2 and 25 °C
    found = {m.strategy: m for m in graph.mitigations("dendrite penetration")}
    fibre = found[S + "LLZONanofiberPEOComposite"]
    assert fibre.hops == 0
    factors = "\n".join(fibre.grade_factors)
    assert "direct" in fibre.grade_factors[0]
    assert "stable cycling duration more than 1000 h" in factors
    assert "room temperature (25 °C)" in factors and "long cycling (1000 h)" in factors
    assert "short of practical: current density (0.5 mA/cm²)" in factors
    # direct, a number bearing on the hazard, practical conditions, one source: three of the four points
    assert fibre.grade == "B" and fibre.score_explained.startswith("grade B: ")
    # a strategy with no number reported: qualitative only
    plain = found[S + "DefectReductionAndDensification"]
    assert "(qualitative only)" in plain.score_explained and plain.grade == "D"


def test_independent_sources_rank_higher_within_a_level(graph):
    # yersak2022 adds a source for Li2O substitution (besides the review's ref. 64); oxide substitution has two
    # references of the review (64, 65) but one source
    ranked = [m.strategy for m in graph.mitigations("H2S")]
    assert ranked.index(S + "Li2OSubstitutionInSulfides") < ranked.index(S + "OxideSubstitutionInSulfides")
    li2o = next(m for m in graph.mitigations("H2S") if m.strategy == S + "Li2OSubstitutionInSulfides")
    assert li2o.support.supported_by == 2 and li2o.sources == ("wang2020", "yersak2022")


def test_cli_mitigations_explain_and_json():
    out = run_cli("mitigations", "H2S", "--explain")
    assert out.returncode == 0, out.stderr
    assert "grade" in out.stdout.splitlines()[1]
    assert "Li2O substitution in sulfide SSEs: grade" in out.stdout
    assert "2 independent source line(s), 1 beyond the first x 0.01 [wang2020, yersak2022]" in out.stdout
    data = json.loads(run_cli("mitigations", "H2S", "--format", "json").stdout)
    assert {"grade", "grade_factors", "support"} <= set(data[0])
    assert data[0]["support"]["supported_by"] >= 1


@pytest.mark.parametrize("text", ["supported by", "contradicted by"])
def test_support_reads_in_words(graph, text):
    assert text in str(sp.of_claim(graph, SAFE))


def test_the_endpoint_fact_sheet_shows_the_support(graph):
    from kg.endpoint.pages import entity_html

    html = entity_html(graph.describe(SAFE))
    assert "<h2>Support</h2>" in html
    assert "supported by 0, contradicted by 2 (dendrite_md2025, wang2020)" in html
    assert "<li>against: dendrite_md2025 (dendrite_md2025&#x27;s own)</li>" in html
