"""Fact sheets: the content researchers ask for, and the stable JSON form."""

from __future__ import annotations

import json

from helpers import run_cli

import kg


def test_llzo_sheet_has_family_conductivity_hazards_strategies_and_references(graph):
    sheet = graph.describe("LLZO")
    assert [f.label for f in sheet.family][:2] == ["garnet-type electrolyte", "oxide electrolyte"]
    conductivities = [q for _, q in sheet.family_quantities if q.metric == "ionic conductivity"]
    conductivities += [q for q in sheet.quantities if q.metric == "ionic conductivity"]
    oxide = [q for q in conductivities if q.minimum == 1e-5 and q.maximum == 1e-3]
    assert oxide, "Table 1 gives oxides 1e-5 to 1e-3 S/cm"
    relations = {(lk.relation, lk.other.kind) for lk in sheet.links}
    assert ("exhibits mechanism", "mechanism") in relations
    assert any(lk.relation == "applies to" and lk.other.kind == "strategy" for lk in sheet.links)
    assert 82 in sheet.evidence.reference_numbers
    mech = [lk for lk in sheet.links if lk.relation == "exhibits mechanism" and lk.via is None]
    assert any(lk.other.iri.endswith("ElectronicConductivityOfElectrolyte") for lk in mech)
    assert all(lk.evidence.locations for lk in mech)


def test_lgps_conductivity_normalised_to_s_per_cm(graph):
    sheet = graph.describe("LGPS")
    values = [
        q.normalized["value"]
        for q in sheet.quantities
        if q.metric == "ionic conductivity" and q.normalized and "value" in q.normalized
    ]
    assert 1.2e-2 in values


def test_json_structure_is_stable(graph):
    data = kg.to_jsonable(graph.describe("LGPS"))
    assert list(data) == [
        "iri",
        "label",
        "kind",
        "types",
        "family",
        "alt_labels",
        "formula",
        "definition",
        "notes",
        "annotations",
        "quantities",
        "family_quantities",
        "links",
        "evidence",
        "uncertain",
        "withheld",
        "credited",
        "support",
        "number_support",
    ]
    link = data["links"][0]
    assert list(link) == [
        "relation",
        "relation_iri",
        "direction",
        "other",
        "evidence",
        "via",
        "scope",
        "scope_as_printed",
        "exceptions",
        "support",
    ]
    assert list(link["evidence"]) == ["locations", "references", "attributed_to", "sources"]


def test_show_cli_json_for_llzo():
    result = run_cli("show", "LLZO", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["label"] == "LLZO"
    assert data["family"][0]["label"] == "garnet-type electrolyte"


def test_show_cli_unknown_entity_exit_2_without_traceback():
    result = run_cli("show", "unobtainium electrolyte")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no entity matches" in result.stderr
