"""``sslmb release``: every format read back against the store, ``stats.json`` against git, the files and the graph,
byte-identical builds, and ``ro-crate-metadata.json`` against the RO-Crate rules (our own checks and the RO-Crate
validator, offline)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers import REPO, run_cli

import kg
from kg.core import resources
from kg.output import release

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("release")
    release.build(kg.load(), folder)
    return folder


def files_in(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(built, tmp_path):
    release.build(kg.load(), tmp_path)  # a second load: Oxigraph's blank-node labels differ from the first
    first, second = files_in(built), files_in(tmp_path)
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name


def test_every_rdf_file_holds_the_graph(built, graph):
    quads = list(graph.store.quads_for_pattern(None, None, None, None))
    trig = list(ox.parse(path=str(built / "sslmb-kg.trig"), format=ox.RdfFormat.TRIG))
    assert len(trig) == len(quads)
    assert {q.graph_name for q in trig} == {q.graph_name for q in quads}  # the named graphs are kept
    jsonld = list(ox.parse(path=str(built / "sslmb-kg.jsonld"), format=ox.RdfFormat.JSON_LD))
    assert len(jsonld) == len(quads)
    union = len(graph.store)  # each triple once, whichever sources state it
    for name, fmt in (("sslmb-kg.ttl", ox.RdfFormat.TURTLE), ("sslmb-kg.nt", ox.RdfFormat.N_TRIPLES)):
        assert len(set(ox.parse(path=str(built / name), format=fmt))) == union, name


def test_gexf_and_kgx_hold_the_same_network(built):
    root = ET.parse(built / "sslmb-kg.gexf").getroot()
    ns = "{http://gexf.net/1.3}"
    with (built / "kgx" / "nodes.tsv").open(encoding="utf-8", newline="") as handle:
        nodes = list(csv.DictReader(handle, delimiter="\t"))
    with (built / "kgx" / "edges.tsv").open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle, delimiter="\t"))
    assert len(nodes) == len(list(root.iter(f"{ns}node"))) > 1000
    assert len(edges) == len(list(root.iter(f"{ns}edge"))) > 1000
    stats = json.loads((built / "stats.json").read_text())
    assert stats["network"] == {"nodes": len(nodes), "edges": len(edges)}


def test_stats_name_the_commit_the_inputs_and_the_date(built):
    stats = json.loads((built / "stats.json").read_text())
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    assert stats["git_commit"] == head.stdout.strip()
    when = subprocess.run(["git", "-C", str(REPO), "log", "-1", "--format=%ct"], capture_output=True, text=True)
    if stats["date_from"] == "commit":
        expected = datetime.fromtimestamp(int(when.stdout), tz=timezone.utc)
        assert datetime.fromisoformat(stats["date"].replace("Z", "+00:00")) == expected
    inputs = {i["path"]: i["sha256"] for i in stats["inputs"]}
    root = resources.data_root()
    for path in [*resources.graph_files(), root / "sources" / "obelix.yaml", root / "sources/data/obelix/all.csv"]:
        key = path.relative_to(root).as_posix()
        assert inputs[key] == hashlib.sha256(path.read_bytes()).hexdigest(), key
    assert set(stats["libraries"]) >= {"python", "pyoxigraph", "rdflib", "networkx", "rocrate"}


def test_stats_count_per_source_and_per_class(built, graph):
    stats = json.loads((built / "stats.json").read_text())
    rows = graph.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    per_graph = {r["g"]: int(r["n"]) for r in rows}
    assert {s["key"] for s in stats["sources"]} == {"wang2020", "dendrite_md2025", "yersak2022", "obelix"}
    for source in stats["sources"]:
        assert source["statements"] == per_graph[source["graph"]]
    obelix = next(s for s in stats["sources"] if s["key"] == "obelix")
    assert obelix["licence"] == CC_BY
    strategies = next(c for c in stats["classes"] if c["iri"].endswith("/MitigationStrategy"))
    counted = graph.select(
        "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a owl:NamedIndividual, sslmb:MitigationStrategy }"
    )
    assert strategies["count"] == int(counted[0]["n"]) > 0


def test_source_date_epoch_sets_the_date(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    where = release.provenance()
    assert (where.date, where.date_from) == ("2023-11-14T22:13:20Z", "SOURCE_DATE_EPOCH")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(kg.InputError, match="SOURCE_DATE_EPOCH"):
        release.provenance()


def test_outside_a_checkout_the_commit_is_unknown(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(release, "_git", lambda root, *args: None)
    where = release.provenance()
    newest = max(p.stat().st_mtime for p in release.input_files())
    assert where.commit == "unknown" and where.date_from == "input files"
    assert datetime.fromisoformat(where.date.replace("Z", "+00:00")).timestamp() == int(newest)


# ------------------------------------------------------------------------------------------ the RO-Crate


def check_crate(folder: Path) -> list[str]:
    """Problems with a folder's RO-Crate, by the rules of RO-Crate 1.2 that can be checked offline."""
    problems = []
    crate = json.loads((folder / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    if crate.get("@context") != "https://w3id.org/ro/crate/1.2/context":
        problems.append("@context is not RO-Crate 1.2's")
    graph = crate.get("@graph")
    if not isinstance(graph, list):
        return [*problems, "no @graph list"]
    by_id = {e["@id"]: e for e in graph}
    if len(by_id) != len(graph):
        problems.append("an @id repeats")
    descriptor = by_id.get("ro-crate-metadata.json", {})
    if descriptor.get("conformsTo") != {"@id": "https://w3id.org/ro/crate/1.2"} or descriptor.get("about") != {
        "@id": "./"
    }:
        problems.append("the metadata descriptor lacks conformsTo RO-Crate 1.2 or about ./")
    root = by_id.get("./", {})
    for key in ("name", "description", "datePublished", "license"):
        if key not in root:
            problems.append(f"the root dataset has no {key}")
    if root.get("@type") != "Dataset":
        problems.append("the root is not a Dataset")
    try:
        datetime.fromisoformat(str(root.get("datePublished", "")).replace("Z", "+00:00"))
    except ValueError:
        problems.append("datePublished is not ISO 8601")
    reachable: set[str] = set()
    todo = [p["@id"] for p in root.get("hasPart", [])]
    while todo:
        current = todo.pop()
        reachable.add(current)
        todo += [p["@id"] for p in by_id.get(current, {}).get("hasPart", []) if p["@id"] not in reachable]
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if not path.is_file() or name == "ro-crate-metadata.json":
            continue
        entity = by_id.get(name)
        if entity is None or name not in reachable:
            problems.append(f"{name}: not listed in the crate")
            continue
        if entity.get("@type") != "File":
            problems.append(f"{name}: not a File")
        for key in ("encodingFormat", "license", "creditText"):
            if not entity.get(key):
                problems.append(f"{name}: no {key}")
        if entity.get("license", {}).get("@id") not in by_id:
            problems.append(f"{name}: its licence is not described in the crate")
        if entity.get("contentSize") != str(path.stat().st_size):
            problems.append(f"{name}: contentSize is not the file's size")
    return problems


def test_crate_follows_ro_crate(built):
    assert check_crate(built) == []


def test_the_crate_checker_finds_an_unlisted_file(built, tmp_path):
    for name, data in files_in(built).items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    (tmp_path / "extra.txt").write_text("not in the crate")
    (tmp_path / "stats.json").write_text("{}")
    problems = check_crate(tmp_path)
    assert "extra.txt: not listed in the crate" in problems
    assert "stats.json: contentSize is not the file's size" in problems


def test_crate_credits_the_review_and_obelix(built, graph):
    crate = {e["@id"]: e for e in json.loads((built / "ro-crate-metadata.json").read_text())["@graph"]}
    doi = str(graph.select("SELECT ?d WHERE { sslmb:Wang2020Review bibo:doi ?d }")[0]["d"])
    review = crate[f"https://doi.org/{doi}"]
    assert review["@type"] == "ScholarlyArticle" and "lithium metal batteries" in review["name"]
    readme = (resources.sources_dir() / "data" / "obelix" / "README.md").read_text(encoding="utf-8")
    commit = re.search(r"at commit\s+([0-9a-f]{40})", readme).group(1)
    obelix = crate["https://github.com/NRC-Mila/OBELiX"]
    assert obelix["license"] == {"@id": CC_BY}
    assert crate[obelix["author"]["@id"]]["name"] == "F. Therrien"
    assert commit in obelix["version"] and commit in obelix["creditText"]
    root = crate["./"]
    assert root["license"] == {"@id": CC_BY}
    assert {"@id": f"https://doi.org/{doi}"} in root["citation"] and doi in root["creditText"]
    assert "Therrien" in root["creditText"]


# RECOMMENDED checks the crate cannot meet without inventing data: the authors' affiliations and ORCID iDs are not
# in the sources' records, and the project has no publishing organisation (with a URL, a ROR iD, a contact point).
UNKNOWABLE = ("ro-crate-1.2_80.2", "ro-crate-1.2_80.3", "ro-crate-1.2_91.0", "ro-crate-1.2_56.1")


def validate_crate(folder: Path, tmp_path: Path) -> tuple[bool, list[str]]:
    """The RO-Crate validator's verdict on a copy of ``folder``, offline, at the RECOMMENDED level.

    Offline, the validator cannot fetch the RO-Crate context its SHACL shapes need to read the crate, and without it
    the shapes see nothing (a crate with no date and no licence passes). The copy therefore carries the context
    inline: the RO-Crate 1.3 context that the rocrate library ships (1.3 only adds terms to 1.2's)."""
    import rocrate
    from rocrate_validator import models, services

    copy = tmp_path / "crate"
    for name, data in files_in(folder).items():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes(data)
    crate = json.loads((copy / "ro-crate-metadata.json").read_text(encoding="utf-8"))
    assert crate["@context"] == "https://w3id.org/ro/crate/1.2/context"
    shipped = Path(rocrate.__file__).parent / "data" / "ro-crate.jsonld"
    crate["@context"] = json.loads(shipped.read_text(encoding="utf-8"))["@context"]
    (copy / "ro-crate-metadata.json").write_text(json.dumps(crate), encoding="utf-8")
    settings = services.ValidationSettings(
        rocrate_uri=str(copy),
        profile_identifier="ro-crate-1.2",
        requirement_severity=models.Severity.RECOMMENDED,
        offline=True,
        # these need the network: 4.1 and 4.2 fetch the context (check_crate checks its IRI instead), 61.1 downloads
        # the web address of an entity
        skip_checks=["ro-crate-1.2_4.1", "ro-crate-1.2_4.2", "ro-crate-1.2_61.1", *UNKNOWABLE],
    )
    from rocrate_validator.utils import log as validator_log

    result = services.validate(settings)
    # the validator keeps its advice (here: a file's licence repeats the crate's) and prints it when the process
    # exits, past pytest's capture; the issues are read from the result instead
    stream = getattr(validator_log, "__log_stream__", None)
    if stream is not None and not stream.closed:
        stream.seek(0)
        stream.truncate()
    return result.passed(), [f"{i.severity.name} {i.check.identifier}: {i.message}" for i in result.get_issues()]


def test_crate_passes_the_ro_crate_validator(built, tmp_path):
    assert validate_crate(built, tmp_path) == (True, [])


def test_the_validator_rejects_a_crate_without_date_or_licence(built, tmp_path):
    broken = tmp_path / "broken"
    for name, data in files_in(built).items():
        (broken / name).parent.mkdir(parents=True, exist_ok=True)
        (broken / name).write_bytes(data)
    crate = json.loads((built / "ro-crate-metadata.json").read_text())
    root = next(e for e in crate["@graph"] if e["@id"] == "./")
    del root["datePublished"], root["license"]
    (broken / "ro-crate-metadata.json").write_text(json.dumps(crate))
    passed, issues = validate_crate(broken, tmp_path)
    assert not passed
    assert any("datePublished" in i for i in issues) and any("`license`" in i for i in issues)


# ------------------------------------------------------------------------------------------ the command line


def test_cli_release(tmp_path):
    done = run_cli("release", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written == sorted([name for name, _, _ in release.FILES] + ["ro-crate-metadata.json"])
    assert len(done.stderr.splitlines()) == len(written)
    again = run_cli("release", "-o", str(tmp_path / "out"))  # over a previous release
    assert again.returncode == 0, again.stderr
    (tmp_path / "out" / "notes.txt").write_text("mine")
    (tmp_path / "file").write_text("x")
    for target, why in ((tmp_path / "file", "not a folder"), (tmp_path / "out", "notes.txt")):
        refused = run_cli("release", "-o", str(target))
        assert refused.returncode == 2 and refused.stderr.startswith("sslmb: error:"), refused.stderr
        assert len(refused.stderr.splitlines()) == 1 and why in refused.stderr
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"
