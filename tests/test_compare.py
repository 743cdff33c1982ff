"""``sslmb compare``: one property across sources, on the shipped graph. The expected values are read from the
sources themselves (the OBELiX table in sources/data/obelix/all.csv, the review's printed numbers and its reference
list's DOIs in sources/wang2020.dois.sssom.tsv), never from the code's own output."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import pytest
from helpers import DATA, REPO, run_cli

from kg.analysis.compare import TOLERANCES, compare, judge_pair

OBELIX = REPO / "sources" / "data" / "obelix" / "all.csv"
VALUE = "Ionic conductivity (S cm-1)"
# The review, Section 1: LGPS at 1.2 x 10^-2 S/cm; its ref. 14 (Kamaya et al. 2011), whose DOI the curation looked up.
REVIEW_LGPS = 1.2e-2
# The review, Table 1: oxides 10^-5 to 10^-3 S/cm (garnets are oxides and have no row of their own).
OXIDE_RANGE = (1e-5, 1e-3)
CONDUCTIVITY = "http://qudt.org/vocab/quantitykind/ElectricConductivity"


def _rows(composition: str | None = None, families: tuple[str, ...] = ()) -> list[dict[str, str]]:
    with OBELIX.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [
        r
        for r in rows
        if (composition is None or r["Reduced Composition"] == composition)
        and (not families or r["Family"] in families)
    ]


def _ref14_doi() -> str:
    for line in (REPO / "sources" / "wang2020.dois.sssom.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("sslmb:Ref14\t"):
            return line.split("\t")[3].removeprefix("doi:")
    raise AssertionError("Ref14 is not in the DOI mapping")


@pytest.fixture(scope="module")
def lgps(graph):
    return compare(graph, "LGPS", "ionic conductivity")


def test_lgps_values_are_the_reviews_and_obelix_rows(lgps):
    expected = {f"obelix:{r['ID']}": float(r[VALUE]) for r in _rows("Li10GeP2S12")}
    assert len(expected) == 5
    got = {v.id: v.value for v in lgps.values if v.source == "obelix"}
    assert got == pytest.approx(expected)
    review = [v for v in lgps.values if v.source == "wang2020"]
    assert [v.value for v in review] == pytest.approx([REVIEW_LGPS])
    assert lgps.unit == "S/cm" and lgps.mode == "material"
    # each OBELiX row keeps the DOIs of its DOI column (j8q has two), the review value its ref. 14's
    for r in _rows("Li10GeP2S12"):
        (v,) = [v for v in lgps.values if v.id == f"obelix:{r['ID']}"]
        assert sorted(p.doi for p in v.papers) == sorted(r["DOI"].split("|"))
        assert v.temperature == "room temperature"
    assert [p.doi for p in review[0].papers] == [_ref14_doi()] and review[0].papers[0].reference_number == 14


def test_the_same_paper_is_same_evidence_not_independent_support(lgps):
    (row,) = [r for r in _rows("Li10GeP2S12") if r["DOI"] == _ref14_doi()]  # OBELiX row 1hh
    review = next(v.id for v in lgps.values if v.source == "wang2020")
    (pair,) = [p for p in lgps.pairs if {p.a, p.b} == {review, f"obelix:{row['ID']}"}]
    assert pair.verdict == "same evidence" and _ref14_doi() in pair.reason
    # the summary, worked out from the table by the documented rule: rows sharing a DOI are one paper; a paper
    # agrees with the review within a factor of 2; the review's own paper does not count as support
    papers: list[set[str]] = [{_ref14_doi()}]
    for r in _rows("Li10GeP2S12"):
        dois = set(r["DOI"].split("|"))
        joined = [p for p in papers if p & dois]
        papers = [p for p in papers if not p & dois] + [set().union(dois, *joined)]
    agree = disagree = 0
    for r in _rows("Li10GeP2S12"):
        if _ref14_doi() in r["DOI"].split("|"):
            continue
        ratio = max(float(r[VALUE]), REVIEW_LGPS) / min(float(r[VALUE]), REVIEW_LGPS)
        agree, disagree = (agree + 1, disagree) if ratio <= 2 else (agree, disagree + 1)
    s = lgps.summary
    assert (s.values, s.sources, s.independent_papers) == (6, 2, len(papers))
    assert (s.agree, s.disagree, s.not_comparable, s.same_evidence) == (agree, disagree, 0, 1)
    assert s.agree + s.disagree + s.not_comparable == s.independent_papers - 1
    assert "same evidence" in s.line


def test_a_pair_in_different_phases_is_not_comparable_and_says_so(graph):
    c = compare(graph, "LLZO", "ionic conductivity")
    rows = {r["ID"]: r for r in _rows("Li7La3Zr2O12")}
    tetragonal = [i for i, r in rows.items() if r["Space group"].strip() == "I41/acd"]
    cubic = [i for i, r in rows.items() if r["Space group"].strip() == "Ia-3d"]
    assert tetragonal and cubic
    for t in tetragonal:
        for k in cubic:
            (pair,) = [p for p in c.pairs if {p.a, p.b} == {f"obelix:{t}", f"obelix:{k}"}]
            assert pair.verdict == "not comparable"
            assert "phase" in pair.reason and "I41/acd" in pair.reason and "Ia-3d" in pair.reason


def test_conditions_rules_on_a_fixture():
    import kg

    g = kg.load(DATA / "compare" / "conditions.ttl")
    c = compare(g, "test conditions electrolyte", "ionic conductivity")
    by = {v.iri.rsplit("/", 1)[-1]: v for v in c.values}
    assert by["TestC_rt"].value == pytest.approx(3e-4)  # 0.3 mS/cm in S/cm

    def verdict(a, b):
        return next(p for p in c.pairs if {p.a, p.b} == {by[a].id, by[b].id})

    assert verdict("TestC_at25", "TestC_at60").verdict == "not comparable"
    assert "temperature" in verdict("TestC_at25", "TestC_at60").reason
    assert verdict("TestC_rt", "TestC_at60").verdict == "not comparable"  # room temperature is 20-30 °C
    assert verdict("TestC_rt", "TestC_at25").verdict == "disagree"  # 25 °C is room temperature; 3x apart
    assert verdict("TestC_argon", "TestC_air").verdict == "not comparable"
    assert "atmosphere" in verdict("TestC_argon", "TestC_air").reason
    same = verdict("TestC_argon", "TestC_at25")
    assert same.verdict == "agree" and same.ratio == 1
    assert judge_pair(by["TestC_at25"], by["TestC_at60"], TOLERANCES[CONDUCTIVITY]).verdict == "not comparable"


def test_garnet_members_against_the_oxide_range_of_table_1(graph):
    c = compare(graph, "garnet", "ionic conductivity")
    assert c.mode == "family"
    (used,) = {p.range for p in c.placements if p.range}
    (r,) = [r for r in c.ranges if r.id == used]
    assert (r.minimum, r.maximum) == pytest.approx(OXIDE_RANGE) and r.family_label == "oxide electrolyte"
    assert sum(c.summary.positions.values()) == len(c.values) == len(c.placements)
    placed = {p.value: p for p in c.placements}
    for row in _rows(families=("garnet", "garnet-like")):
        cell = row[VALUE]
        key = f"obelix:{row['ID']}"
        assert key in placed, f"OBELiX garnet row {row['ID']} is missing"
        if cell.startswith("<"):
            expected = "below" if float(cell[1:]) < OXIDE_RANGE[0] else "undetermined"
        else:
            x = float(cell)
            expected = "below" if x < OXIDE_RANGE[0] else "above" if x > OXIDE_RANGE[1] else "inside"
        assert placed[key].position == expected, row["ID"]
    outliers = [p for p in c.placements if p.position in ("below", "above")]
    assert len(outliers) == c.summary.positions["below"] + c.summary.positions["above"]


def test_a_known_exception_is_not_held_to_its_family_range(graph):
    c = compare(graph, "sulfide electrolyte", "ionic conductivity")
    lgps = [v.id for v in c.values if v.material_label == "LGPS"]
    assert lgps
    for p in c.placements:
        if p.value in lgps:
            assert p.position == "not covered" and "known exception" in p.reason


def test_cli_table_json_and_output_file(tmp_path):
    done = run_cli("compare", "LGPS", "ionic conductivity")
    assert done.returncode == 0, done.stderr
    assert "same evidence" in done.stdout and "obelix:1hh" in done.stdout
    done = run_cli("compare", "LGPS", "ionic conductivity", "--format", "json", "-o", str(tmp_path / "c.json"))
    assert done.returncode == 0 and done.stdout == ""
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert list(data) == [
        "subject",
        "subject_label",
        "mode",
        "metric",
        "metric_label",
        "unit",
        "tolerance",
        "values",
        "pairs",
        "ranges",
        "placements",
        "summary",
    ]
    assert list(data["values"][0]) == [
        "id",
        "iri",
        "material",
        "material_label",
        "family",
        "source",
        "source_kind",
        "location",
        "value",
        "minimum",
        "maximum",
        "unit",
        "qualifier",
        "as_given",
        "conditions",
        "temperature",
        "phase",
        "papers",
        "uncertain",
        "temperature_range",
        "other_conditions",
        "original",
    ]
    assert list(data["values"][0]["papers"][0]) == ["iri", "doi", "reference_number"]
    assert list(data["pairs"][0]) == ["a", "b", "verdict", "ratio", "reason"]
    assert list(data["placements"][0]) == ["value", "position", "range", "factor", "reason"]
    assert list(data["summary"]) == [
        "values",
        "sources",
        "independent_papers",
        "reference",
        "agree",
        "disagree",
        "not_comparable",
        "same_evidence",
        "positions",
        "line",
    ]
    done = run_cli("compare", "garnet", "ionic conductivity", "--format", "json")
    data = json.loads(done.stdout)
    assert list(data["ranges"][0]) == [
        "id",
        "iri",
        "family",
        "family_label",
        "minimum",
        "maximum",
        "unit",
        "printed_as",
        "source",
        "location",
        "uncertain",
    ]
    assert list(data["summary"]["positions"]) == ["inside", "below", "above", "undetermined", "not covered"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("no such material xyz", "ionic conductivity"), 2, "no entity matches"),
        (("LGPS", "no such property xyz"), 2, "no entity matches"),
        (("LGPS", "shear modulus"), 2, "shear modulus of a material"),
        (("hydrogen sulfide", "ionic conductivity"), 1, "no value of 'ionic conductivity'"),
        (("LGPS", "ionic conductivity", "--plot", "x.gif"), 2, "use a .svg or .png"),
        (("", "ionic conductivity"), 2, "an empty name"),
        (("x" * 5000, "ionic conductivity"), 2, "(5000 characters)"),
        (("oxide electrolyte", "garnet"), 2, "not a metric"),
        (("LGPS", "ionic conductivity", "-o", "."), 2, "is a directory"),
    ],
)
def test_cli_errors_are_one_line(args, code, message):
    done = run_cli("compare", *args)
    assert done.returncode == code
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sslmb: error:") and message in lines[0], done.stderr
    assert "try: sslmb" not in lines[0] or args[1] != "garnet"  # a wrong property suggests no other command


def test_a_bad_output_is_refused_before_the_plot_is_written(tmp_path):
    plot = tmp_path / "p.svg"
    done = run_cli("compare", "LGPS", "ionic conductivity", "-o", str(tmp_path), "--plot", str(plot))
    assert done.returncode == 2 and not plot.exists()


def test_strip_plot_svg(tmp_path, graph):
    path = tmp_path / "garnet.svg"
    done = run_cli("compare", "garnet", "ionic conductivity", "--plot", str(path))
    assert done.returncode == 0, done.stderr
    svg = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    points = [e for e in svg.iter() if e.get("class") == "point"]
    c = compare(graph, "garnet", "ionic conductivity")
    positive = [v for v in c.values if (v.value or v.maximum or v.minimum or 0) > 0]
    assert len(points) == len(positive)
    tips = [e.findtext(f"{ns}title") or "" for e in svg.iter(f"{ns}rect")]
    assert any("oxide electrolyte" in t and "Table 1" in t for t in tips)  # the range drawn as a band


def test_strip_plot_png(tmp_path):
    pytest.importorskip("matplotlib", reason="PNG needs the draw extra")
    path = tmp_path / "lgps.png"
    done = run_cli("compare", "LGPS", "ionic conductivity", "--plot", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "2 strip(s), 6 point(s)" in done.stderr  # the review and OBELiX; LGPS's six values
    assert json.loads(done.stdout)["summary"]["values"] == 6
