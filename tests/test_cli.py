"""The thin CLI: help is fast because heavy libraries stay unimported; stats and find work end to end."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import run_cli


def test_import_and_help_do_not_pull_heavy_libraries():
    code = (
        "import sys, kg, kg.cli; heavy = [m for m in ('rdflib', 'pyshacl', 'networkx', 'owlready2') "
        "if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_commands_and_exit_codes():
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("validate", "stats", "find", "show", "export", "reason"):
        assert command in result.stdout
    assert "Exit codes" in result.stdout


def test_stats_json_counts():
    result = run_cli("stats", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # every work a source cites; the review's own list is its 95 numbered references
    assert data["references"] > 95
    assert {s["key"]: s["cited_works"] for s in data["sources"]}["wang2020"] == 95
    assert data["table2_rows"] == 13
    assert data["strategies"] >= 40
    assert data["triples"] > 10_000


def test_find_llzo_formula_and_no_match():
    result = run_cli("find", "llzo", "--format", "json")
    data = json.loads(result.stdout)
    assert data[0]["label"] == "LLZO"
    assert data[0]["kind"] == "electrolyte"
    none = run_cli("find", "qwertyuiop")
    assert none.returncode == 1


def test_usage_error_is_exit_2():
    result = run_cli("show")
    assert result.returncode == 2
    assert "required" in result.stderr


def test_a_command_parsed_alone_reads_as_in_the_full_parser():
    """A cold run builds only the typed command's parser; what it accepts and what its --help says are those of
    the parser with every command, and --help lists them all."""
    from kg.cli import COMMANDS, build_parser

    full = build_parser()
    listing = full.format_help()
    assert all(f"    {name}" in listing for name in COMMANDS)
    for name in COMMANDS:
        alone = build_parser(name)
        sub = {a.dest: a for a in full._subparsers._group_actions[0].choices[name]._actions}  # type: ignore[union-attr]
        mine = {a.dest: a for a in alone._subparsers._group_actions[0].choices[name]._actions}  # type: ignore[union-attr]
        assert list(mine) == list(sub), name
        assert [(a.option_strings, a.default, a.required) for a in mine.values()] == [
            (a.option_strings, a.default, a.required) for a in sub.values()
        ], name
        assert list(alone._subparsers._group_actions[0].choices) == [name]  # type: ignore[union-attr]
