"""``sslmb ask``: routing on the phrasings someone other than the router's author wrote (tests/data/ask/), the
"not sure" answer, the parameters filled from entities and numbers, and the command line that is shown and run."""

from __future__ import annotations

import csv
import importlib.util
import json

import pytest
from helpers import DATA, REPO, run_cli

from kg.analysis.ask import ask
from kg.core.errors import InputError

ANSWER_KEYS = {
    "question",
    "sure",
    "target",
    "kind",
    "params",
    "confidence",
    "command",
    "query",
    "answer",
    "suggestions",
}


def _benchmark():
    spec = importlib.util.spec_from_file_location("ask_accuracy", REPO / "benchmarks" / "ask_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="module")
def measured(graph):
    return _benchmark().measure(graph)


def test_accuracy_on_the_phrasings_is_at_least_ninety_percent(measured):
    assert measured["phrasings"] == 138
    misses = [f"line {m['row']}: {m['question']} -> {m['got']['target']} ({m['miss']})" for m in measured["misses"]]
    assert measured["accuracy"] >= 0.90, "\n".join(misses)


def test_every_unsure_question_is_answered_not_sure_with_three_suggestions(graph):
    with open(DATA / "ask" / "unsure.csv", encoding="utf-8", newline="") as f:
        questions = [r["question"] for r in csv.DictReader(f)]
    assert len(questions) == 12
    for q in questions:
        a = ask(graph, q)
        assert not a.sure, q
        assert a.answer is None, q  # nothing was run
        assert len(a.suggestions) == 3, q
        assert len({s.target for s in a.suggestions}) == 3, q
        assert all(s.command.startswith("sslmb ") for s in a.suggestions), q


def test_a_judged_miss_is_a_miss(graph):
    """The benchmark's judge must fail a wrong target and a wrong parameter, or its figure means nothing."""
    bench = _benchmark()
    ok, _, _ = bench.judge(graph, {"question": "what stops dendrites?", "target": "risks", "params": ""})
    assert not ok
    row = {"question": "what stops dendrites?", "target": "mitigations", "params": "target=thermal runaway"}
    assert bench.judge(graph, row)[:2] == (False, "param target")
    row = {"question": "what stops dendrites?", "target": "mitigations", "params": "target=dendrite penetration"}
    assert bench.judge(graph, row)[0]


def test_the_answer_is_what_the_shown_command_gives(graph):
    a = ask(graph, "which failure modes is LLZO exposed to?")
    assert a.sure and a.kind == "query"
    assert a.command == "sslmb query cq-01-failure-modes-of-electrolyte -p electrolyte=LLZO"
    assert a.query == "queries/cq/cq-01-failure-modes-of-electrolyte.rq"
    direct = graph.query("cq-01-failure-modes-of-electrolyte", electrolyte="LLZO")
    assert a.answer.rows == direct.rows and len(direct.rows) > 0


def test_a_traversal_runs_with_the_entity_the_question_names(graph):
    a = ask(graph, "how can hydrogen sulphide release be prevented?")
    assert (a.sure, a.target, a.params) == (True, "mitigations", {"target": "hydrogen sulfide release"})
    assert [m.strategy for m in a.answer] == [m.strategy for m in graph.mitigations("hydrogen sulfide release")]


def test_numbers_fill_parameters_by_their_units(graph):
    a = ask(
        graph, "single-ion conducting polymer electrolytes with a transference number of 0.85 up to 70 °C", run=False
    )
    assert a.target == "cq-05-single-ion-transference"
    assert a.params == {"min_t": 0.85, "max_temp": 70}
    a = ask(graph, "which strategies cycled stably for 20 days or more?", run=False)
    assert (a.target, a.params) == ("cq-09-long-cycling", {"min_hours": 480})


def test_a_formula_names_its_electrolyte(graph):
    a = ask(graph, "what risks does Li7La3Zr2O12 face?", run=False)
    assert (a.target, a.params, a.command) == ("risks", {"electrolyte": "LLZO"}, "sslmb risks LLZO")


def test_an_empty_question_is_an_input_error(graph):
    with pytest.raises(InputError):
        ask(graph, "   ")


def test_facade_ask(graph):
    assert graph.ask("tell me about LLZTO", run=False).command == "sslmb show LLZTO"


# ------------------------------------------------------------------------------------------ the command line


def test_cli_prints_the_command_then_its_own_output():
    asked = run_cli("ask", "what stops dendrites in garnet electrolytes?")
    assert asked.returncode == 0, asked.stderr
    head, second, *rest = asked.stdout.splitlines()
    assert head == "# sslmb mitigations 'lithium dendrite penetration'"
    assert second.startswith("# mitigations, confidence ")
    direct = run_cli("mitigations", "lithium dendrite penetration")
    assert "\n".join(rest) + "\n" == direct.stdout


def test_cli_not_sure_exits_1_with_three_commands():
    asked = run_cli("ask", "what's", "the", "weather", "in", "Berlin", "tomorrow")
    assert asked.returncode == 1
    head, *lines = asked.stdout.splitlines()
    assert head.startswith("# not sure")
    assert [line.split(".", 1)[0] for line in lines[::2]] == ["1", "2", "3"]
    assert all(line.strip().startswith("sslmb ") for line in lines[1::2])


def test_cli_json_has_stable_keys():
    asked = run_cli("ask", "--format", "json", "what are the risks of LGPS?")
    assert asked.returncode == 0, asked.stderr
    doc = json.loads(asked.stdout)
    assert set(doc) == ANSWER_KEYS
    assert (doc["sure"], doc["target"], doc["params"], doc["command"]) == (
        True,
        "risks",
        {"electrolyte": "LGPS"},
        "sslmb risks LGPS",
    )
    assert doc["answer"]["electrolyte_label"] == "LGPS" and doc["answer"]["exposures"]
    unsure = run_cli("ask", "--format", "json", "help")
    assert unsure.returncode == 1
    doc = json.loads(unsure.stdout)
    assert set(doc) == ANSWER_KEYS and doc["sure"] is False and doc["answer"] is None and len(doc["suggestions"]) == 3


def test_cli_empty_question_is_exit_2_in_one_line():
    asked = run_cli("ask", " ")
    assert asked.returncode == 2
    assert asked.stderr.startswith("sslmb: error: ") and asked.stderr.count("\n") == 1
