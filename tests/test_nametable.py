"""The search index kept beside an on-disk store's generation (kg/model/nametable.py): built by the load, or else
by the first process that needs it, read by the next, the same answers as a graph in memory, rebuilt when the file
is not one of ours, not used for a view of some sources, and removed with its generation."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import REPO

from kg.model.nametable import NameTable


def sslmb(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=300
    )


@pytest.fixture()
def store(tmp_path):
    from kg.ingest.bulk import bulk_load

    folder = tmp_path / "store"
    bulk_load([], folder, validate=False, progress=False)  # the shipped graph
    return folder


def saved_tables(folder):
    return sorted(p.name for p in folder.glob(".data-*.names.json"))


def test_the_first_find_saves_the_table_and_the_next_process_reads_it(store):
    in_memory = sslmb("find", "garnet", "--format", "json")
    assert in_memory.returncode == 0
    (made_by_the_load,) = saved_tables(store)  # the load builds it for the generation it writes
    (store / made_by_the_load).unlink()
    first = sslmb("find", "garnet", "--format", "json", "--store", str(store))
    assert first.returncode == 0 and first.stdout == in_memory.stdout
    (name,) = saved_tables(store)
    assert name == f".{json.loads((store / 'sslmb-store.json').read_text())['data']}.names.json"
    # The next process reads the file rather than the store: a name changed in the file is found.
    path = store / name
    table = json.loads(path.read_text())
    row = table["texts"].index("LLZO")
    table["texts"][row], table["norms"][row] = "Zqxv", "zqxv"
    path.write_text(json.dumps(table))
    found = json.loads(sslmb("find", "zqxv", "--format", "json", "--store", str(store)).stdout)
    assert [m["label"] for m in found] == ["LLZO"]
    assert json.loads(sslmb("find", "zqxv", "--format", "json").stdout) == []  # not in the graph itself


@pytest.mark.parametrize("content", [b"not json", b'{"format": "sslmb-kg names", "version": 999}', b"[1, 2]"])
def test_a_file_that_is_not_a_table_of_ours_is_rebuilt(store, content):
    expected = sslmb("find", "LGPS", "--format", "json").stdout
    assert sslmb("find", "LGPS", "--store", str(store)).returncode == 0
    (name,) = saved_tables(store)
    (store / name).write_bytes(content)
    again = sslmb("find", "LGPS", "--format", "json", "--store", str(store))
    assert again.returncode == 0 and again.stdout == expected
    assert json.loads((store / name).read_text())["version"] == 1  # written anew


def test_a_view_of_some_sources_does_not_use_the_whole_stores_table(store):
    assert sslmb("find", "LLZO", "--store", str(store)).returncode == 0  # the whole store's table is saved
    view = sslmb("find", "Li7P3S11", "--format", "json", "--store", str(store), "--source", "wang2020")
    in_memory = sslmb("find", "Li7P3S11", "--format", "json", "--source", "wang2020")
    assert (view.returncode, view.stdout, view.stderr) == (in_memory.returncode, in_memory.stdout, in_memory.stderr)
    whole = json.loads(sslmb("find", "Li7P3S11", "--format", "json", "--store", str(store)).stdout)
    assert "yersak2022_LPS70" in whole[0]["iri"]  # only another source names it: the view must not find it


def test_the_table_goes_with_its_generation(store, tmp_path):
    assert sslmb("find", "LLZO", "--store", str(store)).returncode == 0
    (old,) = saved_tables(store)
    extra = tmp_path / "extra.nt"
    extra.write_text(
        '<https://w3id.org/sslmb/Zqxv> <http://www.w3.org/2000/01/rdf-schema#label> "Zqxv material"@en .\n'
    )
    assert sslmb("load", str(extra), "--store", str(store), "--no-validate").returncode == 0
    assert old not in saved_tables(store)  # the old generation was removed, and its table with it
    found = json.loads(sslmb("find", "zqxv", "--format", "json", "--store", str(store)).stdout)
    assert [m["label"] for m in found] == ["Zqxv material"]  # the new generation's own table
    assert len(saved_tables(store)) == 1


def test_rows_containing_a_text_come_once_each_in_row_order():
    table = NameTable(
        ["a", "b", "c", "d"], ["x"] * 4, ["label"] * 4, [100] * 4, ["garnetgarnet", "llzo", "garn", "tagarnet"]
    )
    assert list(table.containing("garn")) == [0, 2, 3]
    assert list(table.containing("o")) == [1]
    assert list(table.containing("zz")) == []
    assert list(table.containing("ogarn")) == []  # never across two rows ("llzo", "garn")
    with pytest.raises(ValueError):
        NameTable(["a"], [], [], [], [])
