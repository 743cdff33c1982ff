"""``sslmb add``, ``sslmb remove`` and ``sslmb sources`` through the real CLI, on a copy of the checkout (its own
``kg``, ontology, shapes, queries and sources: the repository's ``sources/`` is never written) and on real stores.

Broken curation files are the invented example of ``docs/examples/example-source.yaml`` with one thing changed;
the line every error must name is found in the changed text itself, not taken from the program's output.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from helpers import REPO, run_cli

EXAMPLE = REPO / "docs" / "examples" / "example-source.yaml"
SHIPPED = ("dendrite_md2025", "obelix", "yersak2022")


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of the checkout whose ``sources/`` the tests may write."""
    root = tmp_path_factory.mktemp("checkout")
    for name in ("kg", "ontology", "shapes", "queries", "sources", "docs"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "_data"))
    return root


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def line_of(text: str, needle: str, start: int = 1) -> int:
    """The 1-based line of the first occurrence of ``needle`` at or after line ``start``."""
    for number, line in enumerate(text.splitlines(), 1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the text")


def at(err: str, line: int, name: str = "broken.yaml") -> bool:
    """Whether ``err`` names ``name:line`` (line 5, not 57)."""
    return re.search(rf"{re.escape(name)}:{line}(?!\d)", err) is not None


def changed(old: str, new: str, *, count: int = 1) -> str:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    return text.replace(old, new, count)


def rejected(checkout: Path, text: str, name: str = "broken.yaml", *args: str):
    """Add ``text`` as a curation file; assert exit 2, one clean error and nothing written; return the stderr."""
    path = checkout / name
    path.write_text(text, encoding="utf-8")
    before = snapshot(checkout / "sources")
    r = run_cli("add", str(path), *args, cwd=checkout)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stderr.startswith("sslmb: error: "), r.stderr
    assert "Traceback" not in r.stderr
    assert snapshot(checkout / "sources") == before
    return r.stderr


# ------------------------------------------------------------------------------------------ broken files


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("unit: S/cm", "unit: S/furlong", "S/furlong"),  # no such unit
        ("unit: S/cm", "unit: mA/cm2", "unit: mA/cm2"),  # a current density is no conductivity
        ("value: 4.0e-4", "value: four", "value: four"),
        ("value: 4.0e-4", "value: .inf", "value: .inf"),
        ("value: 4.0e-4", "value: .nan", "value: .nan"),
        (
            "      temperature: 25 °C\n    where: {section: Results, figure: 2}",
            "      temperature: 25\n    where: {section: Results, figure: 2}",
            "temperature: 25",
        ),
        ("leads_to: [internal short circuit]", "leads_to: [spontaneous teleportation]", "leads_to"),
        ("year: 2026", "year: [2026]", "year:"),
        ("  key: example2026", "  key: wang2020", "key: wang2020"),
    ],
    ids=[
        "bad-unit",
        "unit-of-wrong-kind",
        "not-a-number",
        "inf",
        "nan",
        "condition-without-unit",
        "names-nothing",
        "wrong-type",
        "review-key",
    ],
)
def test_a_broken_file_names_its_line(checkout, old, new, needle):
    text = changed(old, new)
    err = rejected(checkout, text)
    assert at(err, line_of(text, needle)), err


def test_an_unknown_key_is_named_with_its_line(checkout):
    text = changed("  - id: sigma_rt\n", "  - id: sigma_rt\n    colour: blue\n")
    err = rejected(checkout, text)
    assert at(err, line_of(text, "colour: blue")) and "'colour'" in err, err


def test_a_missing_required_field(checkout):
    text = changed("    of: llzo_interlayer\n    property: ionic conductivity\n", "    of: llzo_interlayer\n")
    err = rejected(checkout, text)
    assert "property" in err and "missing" in err
    assert at(err, line_of(text, "id: sigma_rt")), err


def test_contributes_to_must_name_a_mechanism(checkout):
    text = changed("    causes: [soft_short]\n", "    causes: [soft_short]\n    contributes_to: [soft_short]\n")
    err = rejected(checkout, text)
    assert at(err, line_of(text, "contributes_to")) and "failure mode" in err, err


@pytest.mark.parametrize(
    ("old", "new", "needle"),
    [
        ("constituents: [LLZO]", "constituents: [LLZO", "constituents: [LLZO"),
        ("title: An invented study", 'title: "An invented study', 'title: "An invented'),
    ],
    ids=["unclosed-bracket", "unclosed-quote"],
)
def test_a_yaml_syntax_error_points_where_it_opened(checkout, old, new, needle):
    text = changed(old, new)
    err = rejected(checkout, text)
    assert at(err, line_of(text, needle)) and "never closed" in err, err


def test_several_problems_are_listed_in_file_order(checkout):
    text = changed("year: 2026", "year: soon")
    text = text.replace("  - id: ccd\n", "  - id: ccd\n    colour: blue\n", 1)
    err = rejected(checkout, text)
    first, second = line_of(text, "year: soon"), line_of(text, "colour: blue")
    assert at(err, first) and at(err, second), err
    where = [re.search(rf"broken\.yaml:{n}(?!\d)", err).start() for n in (first, second)]
    assert where[0] < where[1]


def test_an_id_given_twice_names_both_lines(checkout):
    text = changed("  - id: ccd\n", "  - id: sigma_rt\n")
    err = rejected(checkout, text)
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "id: sigma_rt" in line]
    assert len(lines) == 2
    assert all(at(err, n) for n in lines), err


def test_a_bad_cell_of_a_data_set_names_its_table_line(checkout, tmp_path):
    # a copy of the OBELiX source beside a copy of its table with one conductivity made unreadable
    folder = tmp_path / "ds"
    shutil.copytree(checkout / "sources", folder, ignore=shutil.ignore_patterns("graphs", "*.tsv"))
    table = folder / "data" / "obelix" / "all.csv"
    rows = table.read_text(encoding="utf-8").splitlines(keepends=True)
    header = rows[0].split(",")
    column = header.index("Ionic conductivity (S cm-1)")
    cells = rows[5].split(",")
    cells[column] = "lots"
    rows[5] = ",".join(cells)
    table.write_text("".join(rows), encoding="utf-8")
    recipe = (folder / "obelix.yaml").read_text(encoding="utf-8")
    recipe = "\n".join(line for line in recipe.splitlines() if "sha256" not in line) + "\n"
    (folder / "obelix.yaml").write_text(recipe, encoding="utf-8")
    before = snapshot(checkout / "sources")
    r = run_cli("add", str(folder / "obelix.yaml"), "--dry-run", cwd=checkout)
    assert r.returncode == 2, r.stderr
    assert at(r.stderr, 6, "all.csv") and "lots" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert snapshot(checkout / "sources") == before


# ------------------------------------------------------------------------------------------ names


def test_ambiguous_names_stop_the_run_and_an_annotation_settles_them(checkout):
    text = changed(
        "measurements:\n",
        "  - id: paper_peo\n    name: PEO\n    where: {section: Methods}\n\nmeasurements:\n",
    ).replace("  - id: ccd\n    of: llzo_interlayer", "  - id: ccd\n    of: LPS", 1)
    err = rejected(checkout, text)
    assert at(err, line_of(text, "name: PEO")) and "PEO/LiTFSI" in err, err
    assert at(err, line_of(text, "of: LPS")) and "β-Li3PS4" in err, err
    settled = text.replace("    name: PEO\n", "    name: PEO\n    same_as: PEO/LiTFSI\n").replace(
        "of: LPS", "of: sslmb:LPS"
    )
    path = checkout / "settled.yaml"
    path.write_text(settled, encoding="utf-8")
    r = run_cli("add", str(path), "--dry-run", "--format", "json", cwd=checkout)
    assert r.returncode == 0, r.stderr
    found = {d["name"]: d for d in json.loads(r.stdout)["decisions"]}
    assert found["PEO"]["iri"] == "https://w3id.org/sslmb/PEOLiTFSI" and found["PEO"]["how"] == "curator same_as"
    new = settled.replace("    same_as: PEO/LiTFSI\n", "    new: true\n    description: The paper's own PEO.\n")
    new = new.replace("constituents: [LLZO]", "constituents: [LLZO, paper_peo]")  # a new entity must be used
    path.write_text(new, encoding="utf-8")
    r = run_cli("add", str(path), "--dry-run", "--format", "json", cwd=checkout)
    assert r.returncode == 0, r.stderr
    assert {d["name"]: d for d in json.loads(r.stdout)["decisions"]}["PEO"]["outcome"] == "new"


def test_dry_run_shows_how_each_name_was_found_and_writes_nothing(checkout):
    before = snapshot(checkout / "sources")
    r = run_cli(
        "add", str(checkout / "docs/examples/example-source.yaml"), "--dry-run", "--format", "json", cwd=checkout
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["dry_run"] is True and report["written"] == []
    how = {d["name"]: (d["outcome"], d["how"], d["iri"]) for d in report["decisions"]}
    sslmb = "https://w3id.org/sslmb/"
    assert how["sslmb:LGPS"] == ("matched", "iri", sslmb + "LGPS")
    assert how["LLZO"] == ("matched", "label", sslmb + "LLZO")
    assert how["lithium lanthanum zirconate"] == ("matched", "abbreviation", sslmb + "LLZO")
    assert how["lithium germanium thiophosphate"] == ("matched", "composition", sslmb + "LGPS")
    assert how["garnet type electrolytes"][:2] == ("matched", "fuzzy label")
    fuzzy = next(d for d in report["decisions"] if d["name"] == "garnet type electrolytes")
    assert 0.85 < fuzzy["score"] < 1.0 and "score" in fuzzy["reason"]
    assert how["Mg-substituted LLZO"] == ("variant", "composition", sslmb + "LLZO")
    assert how["invented creep of the interlayer"][:2] == ("new", "curator new")
    assert snapshot(checkout / "sources") == before


def test_a_material_named_by_iri_or_matched_by_a_curator_gets_no_borrowed_name(checkout, tmp_path):
    text = changed(
        "measurements:\n", "  - name: sslmb:LLZTO\n  - name: PEO\n    same_as: sslmb:PEOLiTFSI\n\nmeasurements:\n"
    )
    store = make_store(tmp_path)
    path = tmp_path / "named.yaml"
    path.write_text(text, encoding="utf-8")
    r = run_cli("add", str(path), "--store", str(store), cwd=checkout)
    assert r.returncode == 0, r.stderr
    q = (
        "SELECT ?s ?l WHERE { GRAPH <https://w3id.org/sslmb/graph/example2026> { ?s skos:altLabel ?l } "
        "FILTER(?s IN (sslmb:LLZTO, sslmb:PEOLiTFSI)) }"
    )
    r = run_cli("query", q, "--store", str(store), "--format", "json", cwd=checkout)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["results"]["bindings"] == []


def test_an_outcome_with_exceptions_converts(checkout):
    text = changed(
        "        property: critical current density\n        value: 1.5\n",
        "        property: critical current density\n        value: 1.5\n        scope: some\n        except: [LLZO]\n",
    )
    path = checkout / "except.yaml"
    path.write_text(text, encoding="utf-8")
    r = run_cli("add", str(path), "--dry-run", cwd=checkout)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr


# ------------------------------------------------------------------------------------------ a store's life


def make_store(tmp_path: Path) -> Path:
    store = tmp_path / "store"
    r = run_cli("load", "--store", str(store))
    assert r.returncode == 0, r.stderr
    return store


def graph_dump(checkout: Path, store: Path, key: str) -> list[str]:
    q = f"SELECT ?s ?p ?o WHERE {{ GRAPH <https://w3id.org/sslmb/graph/{key}> {{ ?s ?p ?o }} }}"
    r = run_cli("query", q, "--store", str(store), "--format", "csv", cwd=checkout)
    assert r.returncode == 0, r.stderr
    return sorted(r.stdout.splitlines()[1:])  # the CSV's header left out


def test_a_store_life(checkout, tmp_path):
    store = make_store(tmp_path)
    example = str(checkout / "docs/examples/example-source.yaml")
    assert run_cli("add", example, "--store", str(store), cwd=checkout).returncode == 0
    listed = run_cli("sources", "--store", str(store), "--format", "json", cwd=checkout)
    keys = {s["key"]: s for s in json.loads(listed.stdout)}
    assert "example2026" in keys and keys["example2026"]["statements"] > 0
    decisions = store / "sources" / "example2026.sssom.tsv"
    assert decisions.is_file()
    first = graph_dump(checkout, store, "example2026")
    r = run_cli("add", example, "--store", str(store), cwd=checkout)
    assert r.returncode == 0 and "replaced" in r.stdout, r.stderr
    assert graph_dump(checkout, store, "example2026") == first
    r = run_cli("remove", "example2026", "--store", str(store), cwd=checkout)
    assert r.returncode == 0, r.stderr
    assert graph_dump(checkout, store, "example2026") == []
    assert not decisions.exists()
    keys = {s["key"] for s in json.loads(run_cli("sources", "--store", str(store), "--format", "json").stdout)}
    assert "example2026" not in keys
    again = run_cli("remove", "example2026", "--store", str(store), cwd=checkout)
    assert again.returncode == 2 and again.stderr.startswith("sslmb: error: no source 'example2026'"), again.stderr
    assert "Traceback" not in again.stderr


def test_removing_a_source_another_uses_is_refused(checkout, tmp_path):
    store = make_store(tmp_path)
    assert run_cli("add", str(checkout / "docs/examples/example-source.yaml"), "--store", str(store)).returncode == 0
    user = tmp_path / "user.yaml"
    user.write_text(
        "source: {key: user2026, kind: article, title: An invented follow-up, authors: [C. Other], year: 2026,\n"
        "         url: https://example.org/follow-up, licence: CC-BY-4.0}\n"
        "measurements:\n"
        "  - id: again\n"
        "    of: sslmb:example2026_llzo_interlayer\n"
        "    property: ionic conductivity\n"
        "    value: 3.0e-4\n"
        "    unit: S/cm\n"
        "    where: {section: Results}\n",
        encoding="utf-8",
    )
    r = run_cli("add", str(user), "--store", str(store), cwd=checkout)
    assert r.returncode == 0, r.stderr
    before = snapshot(store)
    r = run_cli("remove", "example2026", "--store", str(store), cwd=checkout)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "user2026 uses what it introduced" in r.stderr.splitlines()[0], r.stderr
    assert "undeclared-entity" in r.stderr and "example2026_llzo_interlayer" in r.stderr
    assert snapshot(store) == before


def test_a_file_that_fails_validation_leaves_the_store_unchanged(checkout, tmp_path):
    store = make_store(tmp_path)
    # a new failure mode that nothing causes: failure-mode-without-cause-violation
    text = changed("    causes: [soft_short]\n", "    causes: [internal short circuit]\n")
    path = tmp_path / "uncaused.yaml"
    path.write_text(text, encoding="utf-8")
    before = snapshot(store)
    r = run_cli("add", str(path), "--store", str(store), cwd=checkout)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "nothing was written" in r.stderr and "failure-mode-without-cause" in r.stderr, r.stderr
    assert snapshot(store) == before


def test_a_curators_decision_is_read_back_from_the_decisions_file(checkout, tmp_path):
    store = make_store(tmp_path)
    decided = changed(
        "measurements:\n", "  - id: paper_peo\n    name: PEO\n    same_as: sslmb:PEOLiTFSI\n\nmeasurements:\n"
    )
    path = tmp_path / "example.yaml"
    path.write_text(decided, encoding="utf-8")
    assert run_cli("add", str(path), "--store", str(store), cwd=checkout).returncode == 0
    tsv = (store / "sources" / "example2026.sssom.tsv").read_text(encoding="utf-8")
    assert "PEOLiTFSI" in tsv
    # the annotation taken out of the file: the recorded decision answers the ambiguity
    path.write_text(decided.replace("    same_as: sslmb:PEOLiTFSI\n", ""), encoding="utf-8")
    r = run_cli("add", str(path), "--store", str(store), "--format", "json", cwd=checkout)
    assert r.returncode == 0, r.stderr
    peo = next(d for d in json.loads(r.stdout)["decisions"] if d["name"] == "PEO")
    assert peo["iri"] == "https://w3id.org/sslmb/PEOLiTFSI"


# ------------------------------------------------------------------------------------------ reproducibility


def test_re_adding_the_shipped_sources_gives_the_same_bytes(checkout):
    graphs = checkout / "sources"
    before = snapshot(graphs)
    for key in SHIPPED:
        r = run_cli("add", f"sources/{key}.yaml", cwd=checkout)
        assert r.returncode == 0, r.stderr
    assert snapshot(graphs) == before


def test_new_garnets_of_obelix_are_variants_of_llzo():
    text = (REPO / "sources" / "graphs" / "obelix.trig").read_text(encoding="utf-8")
    for name in ("obelix_Li6_75La3Zr1_75Nb0_25O12", "obelix_Li6_75La3Zr1_75Ta0_25O12"):
        block = text[text.index(f"sslmb:{name} a ") :]
        block = block[: block.index(" .\n")]
        assert "sslmb:variantOf sslmb:LLZO" in block, name


# ------------------------------------------------------------------------------------------ an interrupted add


def synthetic_dataset(folder: Path, rows: int) -> Path:
    """A data set of ``rows`` invented conductivities of one garnet, read through the OBELiX mapping."""
    import csv
    import io

    table = list(csv.reader((REPO / "sources/data/obelix/all.csv").read_text(encoding="utf-8").splitlines()))
    header, first = table[0], table[1]
    at = {name: i for i, name in enumerate(header)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for k in range(rows):
        row = list(first)
        row[at["ID"]] = f"s{k:06d}"
        row[at["Reduced Composition"]] = "Li7La3Zr2O12"
        row[at["True Composition"]] = "Li7.0La3.0Zr2.0O12.0"
        row[at["Family"]] = "garnet"
        row[at["Ionic conductivity (S cm-1)"]] = f"{1e-4 * (1 + k % 97 / 100):.6g}"
        writer.writerow(row)
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "big.csv").write_text(out.getvalue(), encoding="utf-8")
    shutil.copytree(REPO / "sources" / "mappings", folder / "mappings")
    recipe = folder / "big.yaml"
    recipe.write_text(
        "source: {key: synthetic2026, kind: dataset, title: A synthetic data set for an interrupted add,\n"
        "         authors: [sslmb-kg tests], year: 2026, url: https://example.org/synthetic, licence: CC0-1.0}\n"
        "dataset: {file: data/big.csv, mapping: mappings/obelix.yaml}\n",
        encoding="utf-8",
    )
    return recipe


@pytest.mark.slow
def test_kill_9_during_an_add_leaves_the_store_as_it_was(checkout, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    store = make_store(tmp_path)
    recipe = synthetic_dataset(tmp_path / "synthetic", 2000)
    metadata = (store / "sslmb-store.json").read_bytes()
    generations = {p.name for p in store.glob("data-*")}
    listed = run_cli("sources", "--store", str(store), "--format", "json").stdout
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "add", str(recipe), "--store", str(store)],
        cwd=checkout,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    writing = False
    while proc.poll() is None:
        if {p.name for p in store.glob("data-*")} - generations:  # the new generation is being written
            writing = True
            time.sleep(0.2)
            os.kill(proc.pid, signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait()
    if not writing or proc.returncode != -signal.SIGKILL:
        pytest.fail(
            "the add finished before it could be killed while writing: the write window of 2000 rows is too short "
            "on this machine; raise the number of rows in this test"
        )
    assert (store / "sslmb-store.json").read_bytes() == metadata
    assert run_cli("sources", "--store", str(store), "--format", "json").stdout == listed
    assert {p.name for p in store.glob("data-*")} - generations, "the killed add left nothing to clean up"
    r = run_cli("add", str(checkout / "docs/examples/example-source.yaml"), "--store", str(store), cwd=checkout)
    assert r.returncode == 0, r.stderr
    current = json.loads((store / "sslmb-store.json").read_text(encoding="utf-8"))["data"]
    assert {p.name for p in store.glob("data-*")} == {current}


# ------------------------------------------------------------------------------------------ duplicates by composition


def same_composition_pairs(graph) -> list[tuple[str, str, str]]:
    """Entities typed in different sources' graphs whose formulas are one composition (read with
    kg.model.chemistry, so Li3PS4 and Li6.0P2.0S8.0 meet), with no owl:differentFrom between them."""
    from itertools import combinations

    from kg.model.chemistry import parse

    rows = graph.select("SELECT DISTINCT ?e ?g ?f WHERE { GRAPH ?g { ?e a owl:NamedIndividual } ?e sslmb:formula ?f }")
    apart = {
        frozenset((str(r["a"]), str(r["b"]))) for r in graph.select("SELECT ?a ?b WHERE { ?a owl:differentFrom ?b }")
    }
    by_composition: dict[str, set[tuple[str, str]]] = {}
    for r in rows:
        parsed = parse(str(r["f"]))
        if parsed.is_composition:
            by_composition.setdefault(parsed.key, set()).add((str(r["e"]), str(r["g"])))
    found = []
    for reduced, members in sorted(by_composition.items()):
        for (a, ga), (b, gb) in combinations(sorted(members), 2):
            if a != b and ga != gb and frozenset((a, b)) not in apart:
                found.append((reduced, a, b))
    return found


def test_no_two_sources_declare_one_composition_twice(graph):
    assert same_composition_pairs(graph) == []


def test_a_planted_duplicate_composition_is_found(tmp_path):
    import kg

    planted = tmp_path / "planted.trig"
    planted.write_text(
        "@prefix sslmb: <https://w3id.org/sslmb/> .\n@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        '<https://w3id.org/sslmb/graph/plantA> { sslmb:plantA_x a owl:NamedIndividual ; sslmb:formula "Li3PS4" . }\n'
        "<https://w3id.org/sslmb/graph/plantB> { sslmb:plantB_y a owl:NamedIndividual ;"
        ' sslmb:formula "Li6.0P2.0S8.0" . }\n',
        encoding="utf-8",
    )
    pairs = same_composition_pairs(kg.load(planted))
    assert (parse_key("Li3PS4"), "https://w3id.org/sslmb/plantA_x", "https://w3id.org/sslmb/plantB_y") in pairs


def test_a_curator_new_material_is_kept_apart_from_its_composition(checkout, tmp_path):
    # a new Li3PS4 of this source: owl:differentFrom every entity of that composition (the review's β-Li3PS4, the
    # data set's Li3PS4, the article's (Li2S)75(P2S5)25), and a new Nb garnet a variant of LLZO
    extra = (
        "  - id: my_lps\n    name: invented Li3PS4 glass-ceramic\n    formula: Li3PS4\n    new: true\n"
        "    where: {section: Methods}\n"
        "  - id: my_llzno\n    name: invented Nb garnet\n    formula: Li6.75La3Zr1.75Nb0.25O12\n    new: true\n"
        "    where: {section: Methods}\n\nmeasurements:\n"
        "  - id: sigma_lps\n    of: my_lps\n    property: ionic conductivity\n    value: 1.0e-4\n    unit: S/cm\n"
        "    where: {section: Methods}\n"
        "  - id: sigma_llzno\n    of: my_llzno\n    property: ionic conductivity\n    value: 5.0e-4\n    unit: S/cm\n"
        "    where: {section: Methods}\n"
    )
    text = changed("measurements:\n", extra)
    store = make_store(tmp_path)
    path = tmp_path / "kept.yaml"
    path.write_text(text, encoding="utf-8")
    r = run_cli("add", str(path), "--store", str(store), cwd=checkout)
    assert r.returncode == 0, r.stderr
    q = (
        "SELECT ?p ?o WHERE { GRAPH <https://w3id.org/sslmb/graph/example2026> { ?s ?p ?o } "
        "VALUES ?p { owl:differentFrom sslmb:variantOf } "
        "VALUES ?s { sslmb:example2026_my_lps sslmb:example2026_my_llzno } }"
    )
    r = run_cli("query", q, "--store", str(store), "--format", "json", cwd=checkout)
    found = {
        (b["p"]["value"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], b["o"]["value"].rsplit("/", 1)[-1])
        for b in json.loads(r.stdout)["results"]["bindings"]
    }
    assert {
        ("differentFrom", "BetaLi3PS4"),
        ("differentFrom", "obelix_Li3PS4"),
        ("differentFrom", "yersak2022_LPS75"),
        ("variantOf", "LLZO"),
    } <= found, found


def parse_key(formula: str) -> str:
    from kg.model.chemistry import parse

    return str(parse(formula).key)
