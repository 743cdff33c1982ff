"""The data-set reader (kg/ingest/dataset.py): the shipped OBELiX table and mapping become a curation document that
validates against sources/schema.json, and broken inputs give one clear error naming file and line."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
from collections import Counter
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import REPO

from kg.core.errors import InputError
from kg.ingest.dataset import CONDITIONS, Curation, Origin, composition, read_dataset

SOURCE = REPO / "sources" / "obelix.yaml"
TABLE = REPO / "sources" / "data" / "obelix" / "all.csv"
MAPPING = REPO / "sources" / "mappings" / "obelix.yaml"
SCHEMA = REPO / "sources" / "schema.json"
VALUE = "Ionic conductivity (S cm-1)"


def _rows() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _reduced(formula: str) -> tuple:
    """The test's own reading of OBELiX's True Composition (element symbols and decimal amounts only)."""
    amounts: Counter = Counter()
    for element, amount in re.findall(r"([A-Z][a-z]?)(\d*\.?\d*)", formula):
        amounts[element] += Fraction(amount or "1")
    total = sum(amounts.values())
    return tuple(sorted((element, amount / total) for element, amount in amounts.items()))


@pytest.fixture(scope="module")
def obelix() -> Curation:
    return read_dataset(SOURCE, yaml.safe_load(SOURCE.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def mapping() -> dict:
    return yaml.safe_load(MAPPING.read_text(encoding="utf-8"))


def _by_id(entities: list[dict]) -> dict[str, dict]:
    return {entity["id"]: entity for entity in entities}


# --- the shipped data set --------------------------------------------------------------------------------------


def test_every_row_is_one_measurement(obelix):
    rows = _rows()
    measurements = obelix.document["measurements"]
    assert len(rows) == len(measurements) == 599
    assert {m["id"] for m in measurements} == {f"obelix_{row['ID']}" for row in rows}
    assert [m["where"]["row"] for m in measurements] == sorted((r["ID"] for r in rows), key="obelix_{}".format)
    assert {m["property"] for m in measurements} == {"ionic conductivity"}
    assert {m["unit"] for m in measurements} == {"S/cm"}
    assert all(m["conditions"] == {"temperature": "room temperature"} for m in measurements)
    assert "dataset" not in obelix.document
    assert obelix.document["source"] == yaml.safe_load(SOURCE.read_text(encoding="utf-8"))["source"]


def test_one_material_per_reduced_composition(obelix):
    rows = _rows()
    expected = {_reduced(row["True Composition"]) for row in rows}
    materials = _by_id(obelix.document["materials"])
    assert len(materials) == len(expected) == 500
    # every row's measurement points at the material of its composition, and one material holds one composition
    of = {m["where"]["row"]: m["of"] for m in obelix.document["measurements"]}
    assert set(of.values()) == set(materials)
    composition_of: dict[str, set] = {}
    for row in rows:
        composition_of.setdefault(of[row["ID"]], set()).add(_reduced(row["True Composition"]))
    assert all(len(compositions) == 1 for compositions in composition_of.values())
    # the formula kept is that of the material's first row; the others are noted as the same composition
    first: dict[str, dict] = {}
    for row in rows:
        first.setdefault(of[row["ID"]], row)
    for material_id, row in first.items():
        assert materials[material_id]["formula"] == row["True Composition"]
        assert materials[material_id]["name"] == " ".join(row["Reduced Composition"].split())
    lgps_like = materials[of["hd3"]]  # Li7GePS8 has the composition of Li10.5Ge1.5P1.5S12
    assert lgps_like["name"] == "Li10.5Ge1.5P1.5S12"
    assert "Li7GePS8 (Li14.0Ge2.0P2.0S16.0) in row hd3" in lgps_like["note"]


def test_li10gep2s12_rows_share_one_material_with_their_dois(obelix):
    rows = [row for row in _rows() if row["Reduced Composition"] == "Li10GeP2S12"]
    assert len(rows) == 5
    measurements = _by_id(obelix.document["measurements"])
    mine = [measurements[f"obelix_{row['ID']}"] for row in rows]
    assert len({m["of"] for m in mine}) == 1
    material = _by_id(obelix.document["materials"])[mine[0]["of"]]
    assert material["name"] == "Li10GeP2S12"
    assert material["formula"] == "Li20.0Ge2.0P4.0S24.0"
    # one row has no family (zzr): the material keeps the family its other rows name
    assert material["family"] == "crystalline thio-LISICON electrolyte"
    refs = {m["where"]["row"]: m["refs"] for m in mine}
    assert refs["j8q"] == ["10.1039/c4ta05231e", "10.1021/acs.chemmater.7b00886"]
    for row in rows:
        assert refs[row["ID"]] == row["DOI"].split("|")
    assert measurements["obelix_j8q"]["value"] == 0.0121
    assert measurements["obelix_j8q"]["identifiers"] == {"icsd": "188887"}
    assert measurements["obelix_j8q"]["space_group"] == "P42/nmc"


def test_families_are_mapped_as_the_mapping_says(obelix, mapping):
    family = mapping["material"]["family"]
    values, otherwise = family["values"], family["otherwise"]
    materials = _by_id(obelix.document["materials"])
    of = {m["where"]["row"]: m["of"] for m in obelix.document["measurements"]}
    named: dict[str, list[str]] = {}
    for row in _rows():
        named.setdefault(of[row["ID"]], [])
        if row["Family"].strip():
            assert row["Family"].strip() in values, row["Family"]
            named[of[row["ID"]]].append(values[row["Family"].strip()])
    for material_id, labels in named.items():
        assert materials[material_id]["family"] == (labels[0] if labels else otherwise)
    used = Counter(m["family"] for m in materials.values())
    assert set(used) <= set(values.values()) | {otherwise}
    assert used[otherwise] == sum(1 for labels in named.values() if not labels) == 20
    assert len(used) == 14


def test_values_bounds_flags_and_identifiers(obelix):
    rows = {row["ID"]: row for row in _rows()}
    measurements = _by_id(obelix.document["measurements"])
    for row_id, row in rows.items():
        measurement = measurements[f"obelix_{row_id}"]
        text = row[VALUE].strip()
        if text.startswith("<"):
            assert measurement["max"] == float(text[1:])
            assert (measurement["qualifier"], measurement["printed"]) == ("less than", text)
            assert "value" not in measurement
        else:
            assert measurement["value"] == float(text)
        assert ("note" in measurement) == (row["Checked"] == "0")
        icsd = row["ICSD ID"]
        assert measurement.get("identifiers") == ({"icsd": str(int(float(icsd)))} if icsd else None)
        assert measurement.get("space_group") == (row["Space group"].strip() or None)
    assert sum("max" in m for m in measurements.values()) == 37
    assert measurements["obelix_jqc"]["identifiers"] == {"icsd": "155950"}


def test_the_result_validates_against_the_schema(obelix):
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(obelix.document), key=lambda error: list(error.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    # the reader's list of condition names is the schema's
    assert tuple(schema["$defs"]["conditions"]["properties"]) == CONDITIONS
    assert {"space_group", "identifiers"} <= set(schema["$defs"]["measurement"]["properties"])


def test_origins_name_file_line_and_column(obelix, monkeypatch):
    monkeypatch.chdir(REPO)
    origins = read_dataset(Path("sources/obelix.yaml"), yaml.safe_load(SOURCE.read_text(encoding="utf-8")))
    origin = origins.origin("obelix_jqc", "value")
    assert origin == Origin("sources/data/obelix/all.csv", 2, VALUE)
    assert str(origin) == "sources/data/obelix/all.csv:2: column 'Ionic conductivity (S cm-1)'"
    assert origins.origin("obelix_jqc", "refs") == ("sources/data/obelix/all.csv", 2, "DOI")
    assert origins.origin("obelix_jqc", "identifiers.icsd").column == "ICSD ID"
    assert origins.origin("obelix_jqc") == ("sources/data/obelix/all.csv", 2, "ID")
    # constants come from the mapping's lines
    unit = origins.origin("obelix_jqc", "unit")
    assert unit.file == "sources/mappings/obelix.yaml" and unit.column is None
    assert MAPPING.read_text(encoding="utf-8").splitlines()[unit.line - 1].strip().startswith("unit: S/cm")
    temperature = origins.origin("obelix_jqc", "conditions.temperature")
    assert "room temperature" in MAPPING.read_text(encoding="utf-8").splitlines()[temperature.line - 1]
    # every generated entity has the origin of its row, and every field of it an origin
    lines = {row["ID"]: number for number, row in enumerate(_rows(), start=2)}  # no quoted line breaks in OBELiX
    for measurement in origins.document["measurements"]:
        assert origins.origin(measurement["id"]).line == lines[measurement["where"]["row"]]
        assert all(origins.origin(measurement["id"], field) for field in measurement)
    for material in origins.document["materials"]:
        assert all(origins.origin(material["id"], field) for field in material)
    # absolute paths outside the current directory are shown as given
    monkeypatch.chdir(REPO / "kg")
    assert read_dataset(SOURCE, yaml.safe_load(SOURCE.read_text(encoding="utf-8"))).origin("obelix_jqc").file == str(
        TABLE
    )


def test_deterministic_and_sorted(obelix):
    again = read_dataset(SOURCE, yaml.safe_load(SOURCE.read_text(encoding="utf-8")))
    assert json.dumps(again.document, sort_keys=False) == json.dumps(obelix.document, sort_keys=False)
    assert dict(again.origins) == dict(obelix.origins)
    for section in ("materials", "measurements"):
        ids = [entity["id"] for entity in obelix.document[section]]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert not {m["id"] for m in obelix.document["materials"]} & {m["id"] for m in obelix.document["measurements"]}


def test_fast():
    document = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    read_dataset(SOURCE, document)  # warm: imports, caches
    start = time.perf_counter()
    read_dataset(SOURCE, document)
    assert time.perf_counter() - start < 0.5


def test_the_curation_is_frozen(obelix):
    with pytest.raises(AttributeError):
        obelix.document = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        obelix.origins[("x", None)] = Origin("f", 1, None)  # type: ignore[index]


def test_composition():
    assert composition("Li6PS5Cl") == {"Li": 6, "P": 1, "S": 5, "Cl": 1}
    assert composition("Li0.6[Li0.2Sn0.8S2]") == {"Li": Fraction(4, 5), "Sn": Fraction(4, 5), "S": 2}
    assert composition("Li3(Mo8S8O8(OH)8(HWO5(H2O)))*(H2O)18")["H"] == 8 + 1 + 2 + 36
    for bad in ("", "Xx2O", "Li2(O", "li2o", "2", "Li2)O"):
        with pytest.raises(ValueError):
            composition(bad)


# --- broken inputs ---------------------------------------------------------------------------------------------


def _setup(
    tmp_path: Path,
    monkeypatch,
    *,
    table: str | None = None,
    mapping: str | None = None,
    digest: str | None = "auto",
    bom: bool = False,
) -> tuple[Path, dict]:
    """A copy of the OBELiX source in tmp_path (the current directory), with the table or mapping changed."""
    monkeypatch.chdir(tmp_path)
    data = (table if table is not None else TABLE.read_text(encoding="utf-8")).encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    (tmp_path / "all.csv").write_bytes(data)
    (tmp_path / "mapping.yaml").write_text(
        mapping if mapping is not None else MAPPING.read_text(encoding="utf-8"), encoding="utf-8"
    )
    document = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    document["dataset"] = {"file": "all.csv", "mapping": "mapping.yaml"}
    if digest is not None:
        document["dataset"]["sha256"] = hashlib.sha256(data).hexdigest() if digest == "auto" else digest
    source = tmp_path / "obelix.yaml"
    source.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return source, document


def _table_with(row_id: str, column: str, value: str) -> tuple[str, int]:
    """The OBELiX table with one cell changed, and the line of that row."""
    rows = _rows()
    header = list(rows[0])
    line = next(number for number, row in enumerate(rows, start=2) if row["ID"] == row_id)
    rows[line - 2][column] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header] + [[row[name] for name in header] for row in rows])
    return buffer.getvalue(), line


def _raises(source: Path, document: dict, pattern: str) -> str:
    with pytest.raises(InputError) as caught:
        read_dataset(source, document)
    message = str(caught.value)
    assert re.match(pattern, message), message
    assert "\n" not in message
    return message


def test_a_table_with_a_bom_reads_the_same(tmp_path, monkeypatch, obelix):
    source, document = _setup(tmp_path, monkeypatch, bom=True)
    assert read_dataset(source, document).document == obelix.document


def test_bad_number(tmp_path, monkeypatch):
    table, line = _table_with("oi6", VALUE, "6.7e-08 S/cm")
    source, document = _setup(tmp_path, monkeypatch, table=table)
    _raises(
        source,
        document,
        rf"all\.csv:{line}: column 'Ionic conductivity \(S cm-1\)': '6\.7e-08 S/cm' is not a "
        r"number",
    )
    table, line = _table_with("ro9", VALUE, "")
    source, document = _setup(tmp_path, monkeypatch, table=table)
    _raises(source, document, rf"all\.csv:{line}: column 'Ionic conductivity \(S cm-1\)': empty cell")


def test_wrong_digest(tmp_path, monkeypatch):
    source, document = _setup(tmp_path, monkeypatch, digest="0" * 64)
    actual = hashlib.sha256((tmp_path / "all.csv").read_bytes()).hexdigest()
    message = _raises(source, document, r"obelix\.yaml:(\d+): dataset\.sha256")
    assert "0" * 64 in message and actual in message
    line = int(re.match(r"obelix\.yaml:(\d+)", message).group(1))
    assert source.read_text(encoding="utf-8").splitlines()[line - 1].strip().startswith("sha256:")


def test_unmapped_column(tmp_path, monkeypatch):
    text = MAPPING.read_text(encoding="utf-8")
    mapping = "\n".join(line for line in text.splitlines() if not line.startswith("  Z: ")) + "\n"
    source, document = _setup(tmp_path, monkeypatch, mapping=mapping)
    message = _raises(source, document, r"mapping\.yaml:(\d+): column 'Z' of all\.csv is neither mapped nor listed")
    line = int(re.match(r"mapping\.yaml:(\d+)", message).group(1))
    assert mapping.splitlines()[line - 1].startswith("ignored:")


def test_mapped_column_missing_from_the_table(tmp_path, monkeypatch):
    mapping = MAPPING.read_text(encoding="utf-8").replace("column: DOI", "column: DOIs")
    source, document = _setup(tmp_path, monkeypatch, mapping=mapping)
    message = _raises(
        source,
        document,
        r"mapping\.yaml:(\d+): measurement\.derived_from\.column: column 'DOIs' is "
        r"not in all\.csv",
    )
    line = int(re.match(r"mapping\.yaml:(\d+)", message).group(1))
    assert "column: DOIs" in mapping.splitlines()[line - 1]
    # and a stale entry under `ignored`
    mapping = MAPPING.read_text(encoding="utf-8").replace("  Liion ID:", "  Li-ion ID:")
    source, document = _setup(tmp_path, monkeypatch, mapping=mapping)
    _raises(source, document, r"mapping\.yaml:\d+: ignored: column 'Li-ion ID' is not in all\.csv")


def test_unknown_mapping_key(tmp_path, monkeypatch):
    mapping = MAPPING.read_text(encoding="utf-8").replace(
        "  formula: True Composition", "  formula: True Composition\n  colour: Family"
    )
    source, document = _setup(tmp_path, monkeypatch, mapping=mapping)
    message = _raises(
        source,
        document,
        r"mapping\.yaml:(\d+): unknown key 'colour' in material; known keys: name, "
        r"formula, family$",
    )
    line = int(re.match(r"mapping\.yaml:(\d+)", message).group(1))
    assert mapping.splitlines()[line - 1].startswith("  colour: Family")


def test_yaml_syntax_error(tmp_path, monkeypatch):
    # the mistake the shipped mapping first had: unquoted, " #" starts a comment and the key loses its colon
    mapping = MAPPING.read_text(encoding="utf-8").replace('  "Space group #": the same', "  Space group #: the same")
    source, document = _setup(tmp_path, monkeypatch, mapping=mapping)
    message = _raises(source, document, r"mapping\.yaml:(\d+): YAML syntax error: could not find expected ':'")
    line = int(re.match(r"mapping\.yaml:(\d+)", message).group(1))
    assert mapping.splitlines()[line - 1].startswith("  Space group #: the same")
    # an error that YAML notices where it is
    mapping = MAPPING.read_text(encoding="utf-8").replace("  unit: S/cm", "  unit: [S/cm")
    source, document = _setup(tmp_path, monkeypatch, mapping=mapping)
    message = _raises(source, document, r"mapping\.yaml:(\d+): YAML syntax error: ")
    line = int(re.match(r"mapping\.yaml:(\d+)", message).group(1))
    assert line > mapping.splitlines().index("  unit: [S/cm")


def test_empty_formula(tmp_path, monkeypatch):
    table, line = _table_with("2t8", "True Composition", " ")
    source, document = _setup(tmp_path, monkeypatch, table=table)
    _raises(source, document, rf"all\.csv:{line}: column 'True Composition': empty formula$")
    table, line = _table_with("2t8", "True Composition", "Li2.0Q2.0")
    source, document = _setup(tmp_path, monkeypatch, table=table)
    _raises(source, document, rf"all\.csv:{line}: column 'True Composition': 'Li2\.0Q2\.0' is not a chemical formula")


def test_unknown_family_without_otherwise(tmp_path, monkeypatch):
    table, line = _table_with("jqc", "Family", "spinels")
    text = MAPPING.read_text(encoding="utf-8")
    mapping = "\n".join(line for line in text.splitlines() if not line.strip().startswith("otherwise:")) + "\n"
    source, document = _setup(tmp_path, monkeypatch, table=table, mapping=mapping)
    _raises(
        source,
        document,
        rf"all\.csv:{line}: column 'Family': unknown family 'spinels': add it under "
        r"material\.family\.values \(mapping\.yaml:\d+\)",
    )
    # with `otherwise`, the same row reads
    source, document = _setup(tmp_path, monkeypatch, table=table)
    curation = read_dataset(source, document)
    material = _by_id(curation.document["materials"])[_by_id(curation.document["measurements"])["obelix_jqc"]["of"]]
    assert material["family"] == "inorganic solid electrolyte"


def test_duplicate_row_id_and_bad_doi(tmp_path, monkeypatch):
    table, line = _table_with("oi6", "ID", "jqc")
    source, document = _setup(tmp_path, monkeypatch, table=table)
    _raises(source, document, rf"all\.csv:{line}: column 'ID': the row id 'jqc' is also the id of line 2$")
    table, line = _table_with("oi6", "DOI", "10.1021/ic030208w|ic030208w")
    source, document = _setup(tmp_path, monkeypatch, table=table)
    _raises(source, document, rf"all\.csv:{line}: column 'DOI': 'ic030208w' is not a DOI")


def test_bad_mapping_values(tmp_path, monkeypatch):
    text = MAPPING.read_text(encoding="utf-8")
    cases = {
        text.replace("format: csv", "format: xlsx"): r"mapping\.yaml:\d+: format must be one of csv, tsv",
        text.replace("  unit: S/cm\n", ""): r"mapping\.yaml:\d+: measurement has no 'unit'",
        text.replace("temperature: room", "temprature: room"): r"mapping\.yaml:\d+: unknown key 'temprature'",
        text.replace("  Z: formula", "  Z: formula\n  Z: again"): r"mapping\.yaml:\d+: ignored: 'Z' is given twice",
        text.replace("    ICSD ID: icsd", "    ICSD ID: ICSD"): r"mapping\.yaml:\d+: measurement\.identifiers",
        text + "  ID: mapped and ignored\n": r"mapping\.yaml:\d+: ignored: column 'ID' is also mapped",
        "": r"mapping\.yaml:1: the mapping is empty",
    }
    for mapping, pattern in cases.items():
        source, document = _setup(tmp_path, monkeypatch, mapping=mapping)
        _raises(source, document, pattern)


def test_bad_dataset_block(tmp_path, monkeypatch):
    source, document = _setup(tmp_path, monkeypatch)
    (tmp_path / "all.csv").unlink()
    message = _raises(source, document, r"obelix\.yaml:(\d+): dataset\.file: all\.csv cannot be read: No such file")
    line = int(re.match(r"obelix\.yaml:(\d+)", message).group(1))
    assert source.read_text(encoding="utf-8").splitlines()[line - 1].strip() == "file: all.csv"
    _raises(source, {**document, "dataset": None}, r"obelix\.yaml:\d+: a data-set source needs a 'dataset' block")


def test_a_row_with_missing_fields(tmp_path, monkeypatch):
    lines = TABLE.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[4] = lines[4].rstrip("\n").rsplit(",", 1)[0] + "\n"
    source, document = _setup(tmp_path, monkeypatch, table="".join(lines))
    _raises(source, document, r"all\.csv:5: 27 fields, but the header \(line 1\) has 28$")


def test_hand_written_facts_are_kept(tmp_path, monkeypatch):
    source, document = _setup(tmp_path, monkeypatch)
    document["claims"] = [{"id": "c1", "statement": "A claim written by hand."}]
    document["materials"] = [{"id": "LLZO", "name": "Li7La3Zr2O12"}]
    curation = read_dataset(source, document)
    assert curation.document["claims"] == document["claims"]
    assert curation.document["materials"][0] == {"id": "LLZO", "name": "Li7La3Zr2O12"}
    assert len(curation.document["materials"]) == 501
    document["materials"] = [{"id": "obelix_Li7BiO6", "name": "Li7BiO6"}]
    source.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), encoding="utf-8")
    message = _raises(source, document, r"obelix\.yaml:(\d+): the id 'obelix_Li7BiO6' is both written in this file")
    line = int(re.match(r"obelix\.yaml:(\d+)", message).group(1))
    assert "obelix_Li7BiO6" in source.read_text(encoding="utf-8").splitlines()[line - 1]


def test_mapping_shipped_parses_and_ignores_with_reasons(mapping):
    header = list(_rows()[0])
    assert set(mapping["ignored"]) <= set(header)
    assert all(isinstance(reason, str) and reason for reason in mapping["ignored"].values())


def test_repo_copy_is_untouched():
    """The table is redistributed unchanged: its digest is the one the source records."""
    document = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    assert hashlib.sha256(TABLE.read_bytes()).hexdigest() == document["dataset"]["sha256"]
