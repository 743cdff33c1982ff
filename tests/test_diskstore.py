"""The on-disk store (kg/core/backends/disk.py, filled by kg/ingest/bulk.py): `sslmb load --store DIR` loads all or
nothing, records what the store is, and every command that reads the graph opens the store with --store instead of
parsing the shipped files."""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path

import pytest
from helpers import DATA, run_cli

import kg
from kg.cli import app as cli
from kg.core import resources
from kg.core.backends import disk

SHIPPED = kg.load()
SHIPPED_TRIPLES = len(SHIPPED)  # each distinct triple once
SHIPPED_STATEMENTS = SHIPPED.statement_count()  # a triple once per source (named graph) stating it


@pytest.fixture(scope="module")
def shipped_store(tmp_path_factory) -> Path:
    """The shipped graph loaded once into a store (without validation: test_validate covers the graph)."""
    folder = tmp_path_factory.mktemp("shipped") / "store"
    done = run_cli("load", "--store", str(folder), "--no-validate")
    assert done.returncode == 0, done.stderr
    return folder


def _snapshot(folder: Path) -> tuple[str, int, list[str]]:
    """What must not change when a load fails: the metadata file, the triple count and every triple."""
    graph = kg.open_store(folder)
    lines = sorted(line for line in graph.serialize("nt").decode().splitlines() if "_:" not in line)
    return (folder / disk.METADATA).read_text(encoding="utf-8"), len(graph), lines


def _generations(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("data-"))


def _good_triples(n: int, namespace: str = "https://example.org/bulk/") -> list[str]:
    return [f'<{namespace}s{i}> <{namespace}value> "good value {i}" .\n' for i in range(n)]


def _cli_json(capsys, *args: str):
    code = cli.main([*args, "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


# ------------------------------------------------------------------------------ loading


def test_load_records_what_the_store_is(shipped_store):
    meta = json.loads((shipped_store / disk.METADATA).read_text(encoding="utf-8"))
    assert meta["format"] == disk.STORE_FORMAT and meta["version"] == disk.STORE_VERSION
    assert meta["triples"] == SHIPPED_TRIPLES
    assert meta["statements"] == SHIPPED_STATEMENTS > SHIPPED_TRIPLES  # a few triples are stated by two sources
    assert [Path(s["path"]).name for s in meta["sources"]] == [p.name for p in resources.graph_files()]
    assert all(len(s["sha256"]) == 64 and s["bytes"] > 0 for s in meta["sources"])
    assert meta["validated"] is False
    assert _generations(shipped_store) == [meta["data"]]


def test_the_shipped_graph_keeps_its_named_graphs_on_disk(shipped_store):
    """Each source's facts stay in its own named graph, the ontology in the default graph: per graph, the store
    holds exactly the quads the in-memory graph holds."""
    import pyoxigraph as ox

    def per_graph(store) -> dict[str, set]:
        out: dict[str, set] = {}
        for q in store.quads_for_pattern(None, None, None, None):
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode):
                name = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
                out.setdefault(name, set()).add(q.triple)
        return out

    on_disk = kg.open_store(shipped_store)
    assert len(on_disk) == SHIPPED_TRIPLES and on_disk.statement_count() == SHIPPED_STATEMENTS
    there, here = per_graph(on_disk.store.store), per_graph(SHIPPED.store.store)
    assert sorted(there) == sorted(here) and len(there) >= 5  # the default graph and four sources
    assert all(there[g] == here[g] for g in here)
    shown = run_cli("sources", "--store", str(shipped_store), "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout) == json.loads(run_cli("sources", "--format", "json").stdout)


def test_trig_and_nquads_files_keep_their_graphs(tmp_path):
    trig = tmp_path / "two.trig"
    trig.write_text(
        "<https://example.org/g1> { <https://example.org/a> <https://example.org/p> 1 . }\n"
        "<https://example.org/g2> { <https://example.org/a> <https://example.org/p> 1 . }\n"
        "<https://example.org/b> <https://example.org/p> 2 .\n",
        encoding="utf-8",
    )
    nquads = tmp_path / "one.nq.gz"
    nquads.write_bytes(
        gzip.compress(b'<https://example.org/c> <https://example.org/p> "3" <https://example.org/g3> .\n')
    )
    store = tmp_path / "store"
    done = run_cli("load", str(trig), str(nquads), "--store", str(store), "--no-validate", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["graphs"] == [f"https://example.org/g{i}" for i in (1, 2, 3)]
    assert (report["triples"], report["statements"]) == (3, 4)  # <a> <p> 1 is in two graphs
    info = disk.read_info(store)
    assert (info.triples, info.statements) == (3, 4)
    graph = kg.open_store(store)
    rows = graph.select("SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    assert [(r["g"][-2:], r["s"][-1]) for r in rows] == [("g1", "a"), ("g2", "a"), ("g3", "c")]
    assert len(graph) == 3 and graph.statement_count() == 4


def test_a_version_1_store_is_read_and_a_newer_one_refused(shipped_store, tmp_path):
    """Version 1 recorded one count (of quads); it is read with the statement count equal to it."""
    old = tmp_path / "old"
    shutil.copytree(shipped_store, old)
    meta = json.loads((old / disk.METADATA).read_text(encoding="utf-8"))
    meta["version"], meta["triples"] = 1, meta.pop("statements")
    (old / disk.METADATA).write_text(json.dumps(meta), encoding="utf-8")
    info = disk.read_info(old)
    assert (info.version, info.triples, info.statements) == (1, SHIPPED_STATEMENTS, SHIPPED_STATEMENTS)
    assert len(kg.open_store(old)) == SHIPPED_TRIPLES  # the graph itself is counted, not the metadata
    meta["version"] = disk.STORE_VERSION + 1
    (old / disk.METADATA).write_text(json.dumps(meta), encoding="utf-8")
    done = run_cli("stats", "--store", str(old))
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert f"store format version {disk.STORE_VERSION + 1}; this sslmb-kg reads up to version" in done.stderr


def test_store_is_read_without_the_source_files(tmp_path):
    """The store answers after the files it was loaded from are gone: nothing is re-parsed."""
    copies = []
    for path in resources.graph_files():
        copy = tmp_path / path.name
        shutil.copyfile(path, copy)
        copies.append(str(copy))
    store = tmp_path / "store"
    report = kg.bulk_load(copies, store, validate=False, progress=False)
    assert (report.triples_before, report.triples) == (0, SHIPPED_TRIPLES)
    for copy in copies:
        Path(copy).unlink()
    done = run_cli("query", "cq-05-single-ion-transference", "--store", str(store), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == run_cli("query", "cq-05-single-ion-transference", "--format", "csv").stdout
    assert len(done.stdout.splitlines()) > 1  # rows, not just the header


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_a_file_broken_half_way_leaves_the_store_unchanged(shipped_store, tmp_path, fmt):
    """A good file, then one truncated mid-triple after thousands of good triples: exit 2 with file:line, and
    the store holds exactly what it held before (a load straight into the store would keep the good file)."""
    store = tmp_path / "store"
    shutil.copytree(shipped_store, store)
    before = _snapshot(store)
    good = tmp_path / "good.nt"
    good.write_text("".join(_good_triples(500, "https://example.org/good/")), encoding="utf-8")
    lines = _good_triples(5000)
    if fmt == "ttl":  # Turtle with a prefix and predicate lists, cut inside a string literal
        body = "@prefix b: <https://example.org/bulk/> .\n" + "".join(
            f'b:s{i} b:value "good value {i}" ;\n    b:index {i} .\n' for i in range(5000)
        )
        cut = body.index('"good value 2600"') + 6
    else:  # N-Triples cut inside the object of line 2601
        body = "".join(lines)
        cut = body.index('"good value 2600"') + 6
    broken = tmp_path / f"broken.{fmt}"
    broken.write_text(body[:cut], encoding="utf-8")
    expected_line = body[:cut].count("\n") + 1

    done = run_cli("load", str(good), str(broken), "--store", str(store), "--no-validate")
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"broken.{fmt}:{expected_line}:" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert _snapshot(store) == before
    assert _generations(store) == [json.loads(before[0])["data"]]  # the half-built generation is gone

    # the same files whole load fine, which shows the failure above was the truncation alone
    broken.write_text(body, encoding="utf-8")
    done = run_cli("load", str(good), str(broken), "--store", str(store), "--no-validate")
    assert done.returncode == 0, done.stderr
    added = 500 + (10000 if fmt == "ttl" else 5000)
    assert disk.read_info(store).triples == before[1] + added


def test_a_broken_file_is_named_as_the_user_wrote_it(tmp_path):
    """A relative path on the command line comes back relative in the error (file:line:column), not resolved to
    an absolute path the user never typed."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "bad.ttl").write_text("@prefix e: <https://example.org/e/> .\ne:a e:b e:c .\ne:d e:e .\n")
    done = run_cli("load", "in/bad.ttl", "--store", "st", "--no-validate", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("sslmb: error: in/bad.ttl:3:"), done.stderr
    assert str(tmp_path) not in done.stderr


def test_data_that_does_not_conform_is_refused(tmp_path):
    """Validation is part of the load: a result that violates a shape is not kept (exit 1, the violation
    printed), and --no-validate loads the same file."""
    base = [resources.ontology_file(), resources.data_root() / "ontology" / "instances" / "quantities.ttl"]
    store = tmp_path / "store"
    valid, invalid = (
        DATA / "shapes" / "QuantityValueShape.valid.ttl",
        DATA / "shapes" / "QuantityValueShape.invalid.ttl",
    )
    report = kg.bulk_load([*base, valid], store, progress=False)
    assert report.validated and disk.read_info(store).validated
    before = _snapshot(store)

    done = run_cli("load", str(invalid), "--store", str(store))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Violation" in done.stdout and "store is unchanged" in done.stderr
    assert _snapshot(store) == before

    done = run_cli("load", str(invalid), "--store", str(store), "--no-validate")
    assert done.returncode == 0, done.stderr
    info = disk.read_info(store)
    assert info.triples > before[1] and not info.validated


def test_a_file_loaded_twice_is_skipped(shipped_store, tmp_path):
    """Loading the same file again would duplicate its blank nodes (the link annotations): it is skipped."""
    store = tmp_path / "store"
    shutil.copytree(shipped_store, store)
    done = run_cli("load", "--store", str(store), "--no-validate")
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("already in the store") == len(resources.graph_files())
    assert disk.read_info(store).triples == SHIPPED_TRIPLES
    assert len(kg.open_store(store)) == SHIPPED_TRIPLES


def test_replace_and_gzip(tmp_path):
    store = tmp_path / "store"
    kg.bulk_load([], store, validate=False, progress=False)
    packed = tmp_path / "bulk.nt.gz"
    packed.write_bytes(gzip.compress("".join(_good_triples(300)).encode()))
    report = kg.bulk_load([packed], store, validate=False, replace=True, progress=False)
    assert (report.triples_before, report.triples) == (0, 300)
    assert [Path(s.path).name for s in disk.read_info(store).sources] == ["bulk.nt.gz"]
    assert len(kg.open_store(store)) == 300


def test_progress_line_only_when_asked(tmp_path):
    quiet = run_cli("load", "--store", str(tmp_path / "a"), "--no-validate")
    assert quiet.returncode == 0 and "loading" not in quiet.stderr  # stderr is a pipe here, not a terminal
    shown = run_cli("load", "--store", str(tmp_path / "b"), "--no-validate", "--progress")
    assert shown.returncode == 0, shown.stderr
    assert f"loading 1/{len(resources.graph_files())} sslmb.ttl" in shown.stderr and "MB" in shown.stderr


# ------------------------------------------------------------------------------ opening


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    missing = run_cli("stats", "--store", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no such store" in missing.stderr

    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "notes.txt").write_text("mine", encoding="utf-8")
    done = run_cli("find", "llzo", "--store", str(plain))
    assert done.returncode == 2 and f"{plain}: not an sslmb store" in done.stderr
    # nor does load write into it
    done = run_cli("load", "--store", str(plain), "--no-validate")
    assert done.returncode == 2 and "not an sslmb store" in done.stderr
    assert sorted(p.name for p in plain.iterdir()) == ["notes.txt"]

    (plain / disk.METADATA).write_text('{"format": "something else"}', encoding="utf-8")
    done = run_cli("stats", "--store", str(plain))
    assert done.returncode == 2 and "not the metadata of an sslmb store" in done.stderr

    newer = {"format": disk.STORE_FORMAT, "version": disk.STORE_VERSION + 1, "data": "data-0001"}
    (plain / disk.METADATA).write_text(json.dumps(newer), encoding="utf-8")
    done = run_cli("stats", "--store", str(plain))
    assert done.returncode == 2 and "format version" in done.stderr


def test_store_and_endpoint_are_exclusive():
    done = run_cli("stats", "--store", "x", "--endpoint", "http://127.0.0.1:9/sparql")
    assert done.returncode == 2 and "not allowed with" in done.stderr


def test_every_command_that_reads_the_graph_takes_store_and_endpoint():
    readers = [c for c in cli.COMMANDS if c not in cli._NO_GRAPH]
    assert {"stats", "find", "show", "query", "check", "mitigations", "risks", "export", "validate"} <= set(readers)
    for name in readers:
        parser = cli.build_parser(name)
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        options = set(commands.choices[name]._option_string_actions)
        assert {"--store", "--endpoint", "--graph", "--ontology-graph"} <= options, name


def test_read_commands_on_the_store_answer_as_in_memory(shipped_store, capsys, tmp_path):
    store = ["--store", str(shipped_store)]
    for args in (
        ["stats"],
        ["find", "dendrite", "--limit", "5"],
        ["show", "LGPS"],
        ["mitigations", "H2S"],
        ["risks", "LLZO"],
        ["gaps"],
        ["check"],
        ["query", "cq-12-contested-claims"],
    ):
        assert _cli_json(capsys, *args, *store) == _cli_json(capsys, *args), args
    assert cli.main(["export", "-o", str(tmp_path / "a.nt"), *store]) == 0
    assert cli.main(["export", "-o", str(tmp_path / "b.nt")]) == 0
    strip = lambda p: sorted(x for x in p.read_text().splitlines() if "_:" not in x)  # noqa: E731
    assert strip(tmp_path / "a.nt") == strip(tmp_path / "b.nt")


# ------------------------------------------------------------------------------ a first load that fails


def _leftovers_only(folder: Path) -> None:
    """What a failed first load may leave: the lock, unfinished generations; never the metadata."""
    assert not (folder / disk.METADATA).exists()
    assert all(
        p.name == ".sslmb-store.lock" or p.name.startswith(("data-", ".sslmb-store.json.")) for p in folder.iterdir()
    )


def test_a_failed_first_load_leaves_a_folder_that_loads_later(tmp_path):
    """A first load that fails (parse error, validation failure) left a folder that every later command,
    `sslmb load --store` included, refused as "not an sslmb store": it is a new store."""
    store = tmp_path / "store"
    broken = DATA / "cli" / "broken.ttl"
    done = run_cli("load", str(broken), "--store", str(store))
    assert done.returncode == 2 and "broken.ttl:4:" in done.stderr, done.stderr
    _leftovers_only(store)
    stats = run_cli("stats", "--store", str(store))
    assert stats.returncode == 2 and "no store yet" in stats.stderr and "sslmb load --store" in stats.stderr

    invalid = DATA / "shapes" / "QuantityValueShape.invalid.ttl"
    base = [str(resources.ontology_file()), str(resources.data_root() / "ontology" / "instances" / "quantities.ttl")]
    done = run_cli("load", *base, str(invalid), "--store", str(store))
    assert done.returncode == 1 and "store is unchanged" in done.stderr, done.stderr
    _leftovers_only(store)

    (store / f".{disk.METADATA}.abc123.tmp").write_text("{", encoding="utf-8")  # a rename that never happened
    done = run_cli("load", *base, "--store", str(store))
    assert done.returncode == 0, done.stderr
    assert _generations(store) == [disk.read_info(store).data]
    assert not list(store.glob(f".{disk.METADATA}.*"))
    assert run_cli("stats", "--store", str(store)).returncode == 0


def _kill_mid_load(source: Path, store: Path) -> None:
    """Start `sslmb load`, wait until it writes its new generation, and kill -9 it there."""
    import os
    import signal
    import subprocess
    import sys
    import time

    before = set(_generations(store)) if store.exists() else set()
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "load", str(source), "--store", str(store)],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            new = [g for g in (_generations(store) if store.exists() else []) if g not in before]
            if new and any((store / new[0]).iterdir()):
                time.sleep(0.3)  # well into the bulk load of the file
                break
            time.sleep(0.02)
        assert process.poll() is None, "the load ended before it could be killed: use a bigger file"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


@pytest.mark.slow
def test_kill_9_during_a_load(tmp_path):
    """kill -9 in the middle of a first load: the folder is a new store and loads; kill -9 in the middle of a
    later load: the store is as it was, and the next load works."""
    import subprocess
    import sys

    big = tmp_path / "synth.nt"
    synth = Path(__file__).resolve().parents[1] / "benchmarks" / "synth.py"
    subprocess.run([sys.executable, str(synth), "--extra", "6e5", "-o", str(big)], check=True, capture_output=True)
    store = tmp_path / "store"

    _kill_mid_load(big, store)
    _leftovers_only(store)
    assert "no store yet" in run_cli("stats", "--store", str(store)).stderr
    done = run_cli("load", "--store", str(store), "--no-validate")
    assert done.returncode == 0, done.stderr
    before = _snapshot(store)

    _kill_mid_load(big, store)
    assert _snapshot(store) == before
    good = tmp_path / "good.nt"
    good.write_text("".join(_good_triples(10)), encoding="utf-8")
    done = run_cli("load", str(good), "--store", str(store), "--no-validate")
    assert done.returncode == 0, done.stderr
    assert disk.read_info(store).triples == before[1] + 10
    assert _generations(store) == [disk.read_info(store).data]  # the killed load's generation is gone
