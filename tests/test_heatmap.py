"""The heat map of electrolyte families x failure modes (kg.analysis.coverage, kg.output.heatmap, sslmb heatmap):
cells checked against facts read in the instance files, then the pictures and the command."""

from __future__ import annotations

import importlib.util
import json
import re
import xml.etree.ElementTree as ET

import pytest
from helpers import REPO, run_cli

from kg.analysis.coverage import GAP, KNOWN, MITIGATED, coverage
from kg.output.heatmap import COLOURS, to_svg

S = "https://w3id.org/sslmb/"
SSLMB = "https://w3id.org/sslmb/"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def matrix(graph):
    return coverage(graph)


@pytest.fixture(scope="module")
def triples():
    """Every shipped file read with rdflib, apart from the code under test: the union of all graphs."""
    import rdflib

    from kg.core import resources

    ds = rdflib.Dataset()
    for path in resources.graph_files():
        ds.parse(path, format="trig" if path.suffix == ".trig" else "turtle")
    union = rdflib.Graph()
    for quad in ds.quads((None, None, None, None)):
        union.add(quad[:3])
    return union


def _text(*parts: str) -> str:
    return "".join((REPO / p).read_text(encoding="utf-8") for p in parts)


def _members(triples, family: str) -> set[str]:
    """The family, its narrower families and everything typed with one of them, from the raw triples."""
    import rdflib

    sub = rdflib.RDFS.subClassOf
    classes = {family}
    while True:
        more = {str(s) for c in classes for s in triples.subjects(sub, rdflib.URIRef(c))} - classes
        if not more:
            break
        classes |= more
    typed = {str(s) for c in classes for s in triples.subjects(rdflib.RDF.type, rdflib.URIRef(c))}
    return classes | typed


def _objects(triples, subject: str, prop: str) -> set[str]:
    import rdflib

    return {str(o) for o in triples.objects(rdflib.URIRef(subject), rdflib.URIRef(SSLMB + prop))}


def test_sulfides_are_exposed_to_h2s_and_a_strategy_for_lps_mitigates_it(matrix):
    facts = _text("ontology/instances/mechanisms.ttl", "ontology/instances/strategies.ttl",
                  "ontology/instances/electrolytes.ttl")
    assert "sslmb:SulfideElectrolyte sslmb:susceptibleTo sslmb:HydrogenSulfideRelease ." in facts
    assert "sslmb:MetalOxideH2SAbsorption sslmb:mitigates sslmb:HydrogenSulfideRelease ." in facts
    assert "sslmb:MetalOxideH2SAbsorption sslmb:appliesTo sslmb:LPS ." in facts
    assert "sslmb:LPS a owl:NamedIndividual, sslmb:GlassySulfideElectrolyte ;" in facts
    for family in ("SulfideElectrolyte", "GlassySulfideElectrolyte"):
        cell = matrix.cell(S + family, S + "HydrogenSulfideRelease")
        assert cell.state == MITIGATED and cell.exposed, family
        assert any(m.startswith("metal oxide H2S absorber") for m in cell.mitigated_by)


def test_argyrodites_inherit_the_h2s_exposure_but_no_strategy_for_them_mitigates_it(matrix, triples):
    # no statement scope on the sulfide statement: it reaches the argyrodites (typical of members)
    h2s = S + "HydrogenSulfideRelease"
    members = _members(triples, S + "ArgyroditeElectrolyte")
    import rdflib

    direct = {str(s) for s in triples.subjects(rdflib.URIRef(SSLMB + "mitigates"), rdflib.URIRef(h2s))}
    assert direct, "the files name strategies against H2S"
    wider = {S + "SulfideElectrolyte", S + "InorganicSolidElectrolyte", S + "SolidStateElectrolyte"}
    for strategy in direct:
        targets = _objects(triples, strategy, "appliesTo") | _objects(triples, strategy, "usesMaterial")
        assert not targets & (members | wider), strategy
    cell = matrix.cell(S + "ArgyroditeElectrolyte", h2s)
    assert cell.state == KNOWN
    assert any("stated (as sulfide electrolyte)" in v for v in cell.known_via)


def test_a_statement_said_of_some_members_stays_with_its_family(matrix, triples):
    # mechanisms.ttl: inorganic SSEs exhibit air instability, scoped to some members; air instability causes the
    # decomposition of the electrolyte in air
    facts = _text("ontology/instances/mechanisms.ttl")
    assert "sslmb:AirInstability sslmb:causes sslmb:ElectrolyteDecompositionInAir ." in facts
    assert re.search(
        r"owl:annotatedSource sslmb:InorganicSolidElectrolyte ;\s*owl:annotatedProperty sslmb:exhibitsMechanism ;"
        r"\s*owl:annotatedTarget sslmb:AirInstability ;\s*sslmb:statementScope sslmb:SomeMembers",
        facts,
    )
    air = S + "ElectrolyteDecompositionInAir"
    assert matrix.cell(S + "InorganicSolidElectrolyte", air).state in (KNOWN, MITIGATED)
    # no garnet is linked to it, or to a mechanism that causes it
    causes = _subjects_causing(triples, air)
    garnets = _members(triples, S + "GarnetElectrolyte")
    assert S + "LLZO" in garnets and len(garnets) > 5
    for member in garnets:
        assert air not in _objects(triples, member, "susceptibleTo")
        assert not _objects(triples, member, "exhibitsMechanism") & causes, member
    assert matrix.cell(S + "GarnetElectrolyte", air).state == GAP


def _subjects_causing(triples, target: str) -> set[str]:
    import rdflib

    return {str(s) for s in triples.subjects(rdflib.URIRef(SSLMB + "causes"), rdflib.URIRef(target))}


def test_a_strategy_for_a_wider_family_marks_mitigated_without_exposure(matrix):
    facts = _text("ontology/instances/strategies.ttl")
    assert "sslmb:SingleIonConductingSPEDesign sslmb:mitigates sslmb:LithiumDendritePenetration ." in facts
    assert "sslmb:SingleIonConductingSPEDesign sslmb:appliesTo sslmb:SolidPolymerElectrolyte ." in facts
    cell = matrix.cell(S + "SingleIonConductingPolymerElectrolyte", S + "LithiumDendritePenetration")
    assert cell.state == MITIGATED and not cell.exposed
    assert any(m.startswith("single-ion conducting SPE design") for m in cell.mitigated_by)


def test_rows_are_the_family_tree_and_columns_every_failure_mode(matrix, triples):
    import rdflib

    families = {str(s) for s in triples.transitive_subjects(rdflib.RDFS.subClassOf, rdflib.URIRef(S + "Electrolyte"))}
    assert {r.iri for r in matrix.rows} == families - {S + "Electrolyte"}
    depth = {r.iri: r.depth for r in matrix.rows}
    assert depth[S + "SolidStateElectrolyte"] == 0 and depth[S + "ArgyroditeElectrolyte"] == 3
    assert len(matrix.cells) == len(matrix.rows) and all(len(line) == len(matrix.columns) for line in matrix.cells)
    assert sum(matrix.counts.values()) == len(matrix.rows) * len(matrix.columns)


def test_more_hops_only_add_mitigations(graph, matrix):
    wider = coverage(graph, max_hops=2)
    for line, other in zip(matrix.cells, wider.cells, strict=True):
        for a, b in zip(line, other, strict=True):
            assert {m.rsplit(" (", 1)[0] for m in a.mitigated_by} <= {m.rsplit(" (", 1)[0] for m in b.mitigated_by}
            assert a.known_via == b.known_via
            if a.state == MITIGATED:
                assert b.state == MITIGATED


# ------------------------------------------------------------------------------------------ pictures and command


def test_svg_cells_say_their_state(matrix):
    root = ET.fromstring(to_svg(matrix).split("\n", 1)[1])
    cells = root.findall(f".//{SVG}rect[@class='cell']")
    assert len(cells) == len(matrix.rows) * len(matrix.columns)
    by_key = {(c.get("data-family"), c.get("data-failure-mode")): c for c in cells}
    h2s = by_key[(S + "SulfideElectrolyte", S + "HydrogenSulfideRelease")]
    assert h2s.get("data-state") == "mitigated" and h2s.get("fill") == COLOURS["mitigated"]
    assert "mitigated by: metal oxide H2S absorber" in h2s.find(f"{SVG}title").text
    gap = by_key[(S + "GarnetElectrolyte", S + "ElectrolyteDecompositionInAir")]
    assert gap.get("fill") == COLOURS["gap"]


@pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None, reason="PNG needs the draw extra")
def test_png(tmp_path):
    out = run_cli("heatmap", "-o", str(tmp_path / "map.png"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_grid_json_and_errors(tmp_path):
    grid = run_cli("heatmap")
    assert grid.returncode == 0, grid.stderr
    line = next(x for x in grid.stdout.splitlines() if x.strip().startswith("sulfide electrolyte"))
    data = json.loads(run_cli("heatmap", "--format", "json").stdout)
    assert set(data) >= {"rows", "columns", "cells", "counts"}
    j = [c[1] for c in data["columns"]].index("hydrogen sulfide release")
    assert line.split()[-1][j] == "M"
    bad = run_cli("heatmap", "-o", str(tmp_path / "map.txt"))
    assert bad.returncode == 2 and bad.stderr.startswith("sslmb: error:") and "Traceback" not in bad.stderr


def test_the_shipped_picture_is_the_commands(tmp_path):
    made = tmp_path / "heatmap.svg"
    assert run_cli("heatmap", "-o", str(made)).returncode == 0
    assert (REPO / "docs" / "heatmap.svg").read_text(encoding="utf-8") == made.read_text(encoding="utf-8"), (
        "docs/heatmap.svg is stale: sslmb heatmap -o docs/heatmap.svg"
    )
    assert "docs/heatmap.svg" in (REPO / "README.md").read_text(encoding="utf-8")
