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
