"""Export of the whole graph: every format round-trips, and writes are atomic."""

from __future__ import annotations

import pytest
from helpers import run_cli

import kg
from kg.core.formats import Format
from kg.output import rdf as export_module


@pytest.mark.parametrize("fmt", [f for f in Format if f.is_rdf])  # network formats: tests/test_gexf.py
def test_export_round_trips(graph, tmp_path, fmt):
    target = tmp_path / f"kg.{fmt.value}"
    graph.export(target, format=fmt)
    again = kg.load(target, data=False)
    assert len(again) == len(graph)


def test_failed_export_leaves_the_old_file_untouched(graph, tmp_path, monkeypatch):
    target = tmp_path / "kg.ttl"
    target.write_text("previous content")

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(export_module, "serialize", explode)
    with pytest.raises(RuntimeError):
        export_module.export(graph, target)
    assert target.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["kg.ttl"]


def test_cli_export_and_errors(tmp_path):
    out = tmp_path / "all.nt"
    result = run_cli("export", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 100_000
    missing_dir = run_cli("export", "--format", "ttl", "-o", str(tmp_path / "nope" / "x.ttl"))
    assert missing_dir.returncode == 2
    assert "does not exist" in missing_dir.stderr
    unknown = run_cli("export", "-o", str(tmp_path / "x.docx"))
    assert unknown.returncode == 2
    assert "unknown format" in unknown.stderr
