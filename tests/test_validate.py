"""SHACL validation through the API and the CLI: verdicts, reasons, exit codes, located syntax errors."""

from __future__ import annotations

import json

from helpers import DATA, run_cli

import kg


def test_shipped_graph_conforms(validation):
    violations = [r for r in validation.results if r.severity == "Violation"]
    assert validation.conforms, "\n".join(f"{r.focus_label} {r.path}: {r.message}" for r in violations[:20])


def test_extra_file_with_a_bad_strategy_is_reported_for_its_reason(graph):
    report = graph.validate([DATA / "cli" / "strategy-without-mitigation.ttl"])
    assert not report.conforms
    mine = [r for r in report.results if r.focus == "sslmb:TestOrphanStrategy" and r.severity == "Violation"]
    paths = {r.path for r in mine}
    assert "sslmb:mitigates" in paths
    assert "sslmb:hasCategory" in paths
    assert report.results == tuple(
        sorted(
            report.results,
            key=lambda r: (
                {"Violation": 0, "Warning": 1, "Info": 2}[r.severity],
                r.focus_label,
                r.path or "",
                r.message,
            ),
        )
    )


def test_cli_validate_exit_codes():
    ok = run_cli("validate")
    assert ok.returncode == 0, ok.stdout[-2000:] + ok.stderr
    assert "conforms" in ok.stdout

    bad = run_cli("validate", str(DATA / "cli" / "strategy-without-mitigation.ttl"), "--format", "json")
    assert bad.returncode == 1
    data = json.loads(bad.stdout)
    assert data["conforms"] is False
    assert any(r["focus"] == "sslmb:TestOrphanStrategy" for r in data["results"])

    broken = run_cli("validate", str(DATA / "cli" / "broken.ttl"))
    assert broken.returncode == 2
    assert "broken.ttl:" in broken.stderr
    assert "Traceback" not in broken.stderr


def test_validate_api_raises_input_error_for_broken_turtle(graph):
    try:
        graph.validate([DATA / "cli" / "broken.ttl"])
    except kg.InputError as exc:
        assert "broken.ttl:" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("a syntax error must raise InputError")


def test_data_with_a_triple_term_is_validated_by_the_engine_that_reads_it(tmp_path):
    """pySHACL reads the graph through rdflib, which cannot read RDF 1.2 triple terms: the automatic choice then
    validates with the fast engine (which reads the store), and an explicit --engine pyshacl says why it cannot,
    in one line. Neither prints a traceback or rdflib's warnings."""
    data = tmp_path / "quoted.ttl"
    data.write_text(
        "@prefix e: <https://example.org/e/> .\ne:claim e:about <<( e:LLZO e:reacts e:Li )>> .\n", encoding="utf-8"
    )
    auto = run_cli("validate", str(data))
    assert auto.returncode == 0, auto.stderr
    assert "conforms" in auto.stdout and "(fast)" in auto.stdout, auto.stdout
    assert auto.stderr == "", auto.stderr

    forced = run_cli("validate", str(data), "--engine", "pyshacl")
    assert forced.returncode == 2, forced.stdout + forced.stderr
    assert forced.stderr.strip().splitlines() == [
        "sslmb: error: the data holds RDF 1.2 triple terms, which pySHACL cannot read: use the fast engine "
        "(--engine fast)"
    ]

    stored = run_cli("load", str(data), "--store", str(tmp_path / "store"))  # validated against a store of it alone
    assert stored.returncode == 0, stored.stderr
    assert "Traceback" not in stored.stderr and "does not look like" not in stored.stderr
