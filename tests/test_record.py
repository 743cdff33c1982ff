"""kg.core.record: a record behaves as the frozen dataclass of the same fields, side by side with that dataclass,
and the cold `sslmb query` path imports no dataclasses."""

from __future__ import annotations

import copy
import dataclasses
import os
import pickle
import subprocess
import sys

import pytest
from helpers import REPO

from kg.core.record import field, record
from kg.core.terms import Entity
from kg.model.stored import Param, stored_query


def _pair():
    """The same class twice: as a record and as a frozen dataclass."""

    def body():
        return {
            "__annotations__": {"a": "int", "b": "str", "c": "tuple[int, ...]", "d": "str", "e": "list[int]"},
            "c": (),
            "__module__": __name__,
            "__doc__": "A class with every kind of field.",
        }

    ns = body()
    ns["d"] = field(default="d", repr=False, compare=False)
    ns["e"] = field(default_factory=list)
    rec = record(type("Thing", (), ns))
    ns = body()
    ns["d"] = dataclasses.field(default="d", repr=False, compare=False)
    ns["e"] = dataclasses.field(default_factory=list)
    dc = dataclasses.dataclass(frozen=True)(type("Thing", (), ns))
    return rec, dc


def _hash(obj):
    try:
        return hash(obj)
    except TypeError as exc:  # a list in a field
        return str(exc)


@record
class Point:
    """A record at module level, for pickle."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default_factory=tuple, compare=False)


def test_a_record_behaves_as_its_frozen_dataclass():
    rec, dc = _pair()
    for args, kwargs in [((1, "x"), {}), ((1, "x", (2,)), {"d": "other"}), ((), {"a": 3, "b": "y", "e": [4]})]:
        r, d = rec(*args, **kwargs), dc(*args, **kwargs)
        assert repr(r) == repr(d)
        assert _hash(r) == _hash(d)
        assert dataclasses.asdict(r) == dataclasses.asdict(d)
        assert dataclasses.astuple(r) == dataclasses.astuple(d)
        assert repr(dataclasses.replace(r, b="z")) == repr(dataclasses.replace(d, b="z"))
        assert r.__match_args__ == d.__match_args__
    assert rec(1, "x") == rec(1, "x", d="ignored") and rec(1, "x") != rec(1, "y")
    assert rec(1, "x") != dc(1, "x")  # another class, as with dataclasses
    assert rec(1, "x").e is not rec(1, "x").e  # a fresh default each time
    assert dataclasses.is_dataclass(rec) and dataclasses.is_dataclass(rec(1, "x"))
    shape = [(f.name, f.type, f.default, f.default_factory, f.repr, f.compare, f.init) for f in dataclasses.fields(dc)]
    assert [
        (f.name, f.type, f.default, f.default_factory, f.repr, f.compare, f.init) for f in dataclasses.fields(rec)
    ] == shape
    assert rec.c == () and not hasattr(rec, "e")  # class attributes as a dataclass leaves them


def test_a_record_is_frozen_and_pickles():
    rec, _ = _pair()
    r = rec(1, "x")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'a'"):
        r.a = 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        del r.b
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.new = 1
    p = Point(1, 2, ("a",))
    for again in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p), copy.copy(p)):
        assert again == p and again.tags == ("a",)
    assert {Point(1): "one"}[Point(1, 0, ("b",))] == "one"


def test_arguments_as_a_dataclass_checks_them():
    rec, dc = _pair()
    for cls in (rec, dc):
        with pytest.raises(TypeError):
            cls(1)
        with pytest.raises(TypeError):
            cls(1, "x", zz=1)
    with pytest.raises(TypeError, match="non-default argument"):
        record(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
    with pytest.raises(ValueError, match="mutable default"):
        record(type("Bad", (), {"__annotations__": {"a": "list"}, "a": []}))
    with pytest.raises(TypeError, match="__hash__"):
        record(type("Bad", (), {"__annotations__": {"a": "int"}, "__hash__": lambda self: 1}))


def test_a_dataclass_can_extend_a_record():
    child = dataclasses.dataclass(frozen=True)(
        type("Child", (Entity,), {"__annotations__": {"note": "str"}, "note": "", "__module__": __name__})
    )
    c = child("https://w3id.org/sslmb/LGPS", "LGPS", "electrolyte", "n")
    assert [f.name for f in dataclasses.fields(c)] == ["iri", "label", "kind", "note"]
    assert repr(c) == "Child(iri='https://w3id.org/sslmb/LGPS', label='LGPS', kind='electrolyte', note='n')"


def test_the_records_of_the_package_keep_their_json():
    from kg.core.jsonout import to_jsonable

    assert to_jsonable(Entity("i", "l", "k")) == {"iri": "i", "label": "l", "kind": "k"}
    query = stored_query("cq-05")
    assert [f.name for f in dataclasses.fields(query)] == ["name", "kind", "summary", "tags", "params", "file", "text"]
    assert to_jsonable(query)["params"][0] == dataclasses.asdict(query.params[0])
    assert repr(Param("x", "number", "1")) == "Param(name='x', type='number', default='1')"
    assert "text=" not in repr(query)


def test_a_cold_query_imports_no_dataclasses_and_no_search():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(REPO)
    code = (
        "import sys; from kg.cli import main; code = main(['query', 'cq-01', '--format', 'csv']); "
        "unwanted = {'dataclasses', 'inspect', 'difflib', 'kg.model.search'}; "
        "print(code, sorted(unwanted & set(sys.modules)), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO)
    assert done.stderr.strip().splitlines()[-1] == "0 []"
    assert done.stdout.startswith("electrolyte,failure_mode_iri,")
