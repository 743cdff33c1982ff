"""No traceback, ever, for a user's input (issue 11, section 4): each reproduction is run through the real CLI and
must give one line on stderr and exit 2 (1 for an empty answer); the Python API raises the package's own errors
(InputError, NotFoundError), never a bare ValueError."""

from __future__ import annotations

import json
import socket

import pytest
from helpers import DATA, run_cli
from test_files import one_line_error

from kg.cli import app as cli
from kg.core import resources
from kg.core.errors import InputError, KGError, NotFoundError, WrongKindError

# ------------------------------------------------------------------------------ counts


@pytest.mark.parametrize(
    "args, expected",
    [
        (["paths", "LGPS", "LLZO", "--limit", "-1"], "--limit: must be at least 1, got -1"),
        (["paths", "LGPS", "LLZO", "--limit", "0"], "--limit: must be at least 1, got 0"),
        (["paths", "LGPS", "LLZO", "--max-hops", "-2"], "--max-hops: must be at least 1, got -2"),
        (["find", "dendrite", "--limit", "-3"], "--limit: must be at least 1, got -3"),
        (["find", "dendrite", "--limit", "abc"], "--limit: not a whole number: 'abc'"),
        (["mitigations", "dendrite", "--max-hops", "-1"], "--max-hops: must be at least 0, got -1"),
        (["draw", "dendrite", "-o", "x.svg", "--max-hops", "-1"], "--max-hops: must be at least 0"),
        (["centrality", "--limit", "0"], "--limit: must be at least 1"),
        (["export", "-o", "x.ttl", "--around", "LGPS", "--hops", "-1"], "--hops: must be at least 0"),
        (["serve", "--workers", "0"], "--workers: must be at least 1"),
        (["serve", "--query-timeout", "nan"], "--query-timeout: must be a positive number of seconds"),
        (["serve", "--port", "70000"], "--port: a port is 0 to 65535"),
    ],
)
def test_negative_and_zero_counts_are_usage_errors(args, expected):
    line = one_line_error(run_cli(*args), expected)
    assert f"(see: sslmb {args[0]} --help)" in line


def test_counts_in_python(graph):
    with pytest.raises(InputError, match="limit must be a whole number of at least 1, got -3"):
        graph.find("dendrite", limit=-3)
    with pytest.raises(InputError, match="max_hops must be a whole number of at least 1, got -2"):
        graph.paths("LGPS", "LLZO", max_hops=-2)
    with pytest.raises(InputError, match="limit"):
        graph.paths("LGPS", "LLZO", limit=0)
    with pytest.raises(InputError, match="max_hops must be a whole number of at least 0, got -1"):
        graph.mitigations("dendrite", max_hops=-1)
    with pytest.raises(InputError, match="max_hops"):
        graph.risks("LGPS", max_hops=-1)
    assert graph.mitigations("dendrite penetration", max_hops=0) and all(
        m.hops == 0 for m in graph.mitigations("dendrite penetration", max_hops=0)
    )


def test_an_unknown_kind_lists_the_kinds(graph):
    line = one_line_error(run_cli("find", "dendrite", "--kind", "nokind"), "unknown kind 'nokind'")
    assert "strategy" in line and "failure mode" in line
    with pytest.raises(InputError, match="the kinds are: electrolyte"):
        graph.find("dendrite", kinds=["nokind"])
    assert {m.kind for m in graph.find("dendrite", kinds=["strategy"])} == {"strategy"}


# ------------------------------------------------------------------------------ IRIs and names


@pytest.mark.parametrize(
    "args",
    [
        ["show", "http://a b"],
        ["mitigations", "http://a>b"],
        ["query", "cq-01-failure-modes-of-electrolyte", "--param", "electrolyte=<http://x> } ; CLEAR ALL"],
        ["paths", "LGPS", "<http://a b>"],
        ["export", "-o", "x.gexf", "--around", "http://a b"],
    ],
)
def test_an_invalid_iri_is_one_line(args):
    one_line_error(run_cli(*args), "is not a valid IRI")


def test_an_invalid_iri_in_python(graph):
    for call in (
        lambda: graph.resolve("http://a b"),
        lambda: graph.describe("http://a>b"),
        lambda: graph.select("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", x="http://a b"),
        lambda: graph.query("cq-01-failure-modes-of-electrolyte", electrolyte="<http://x> } ; CLEAR ALL"),
        lambda: graph.query("SELECT ?x WHERE { ?x ?p ?o }", x="<http://a b>"),
    ):
        with pytest.raises(InputError, match="not a valid IRI"):
            call()
    with pytest.raises(InputError):
        graph.select("SELECT ?x WHERE { ?x ?p }")  # a syntax error: InputError too, not SyntaxError


def test_empty_and_huge_names(graph):
    one_line_error(run_cli("show", ""), "an empty name")
    one_line_error(run_cli("show", "   "), "an empty name")
    one_line_error(run_cli("find", ""), "nothing to find")
    huge = "x" * 100_000
    line = one_line_error(run_cli("show", huge), "no entity matches", "(100000 characters)")
    assert len(line) < 300
    line = one_line_error(run_cli("query", huge), "(100000 characters)")
    assert len(line) < 1000
    with pytest.raises(InputError, match="an empty name"):
        graph.resolve("")


def test_the_wrong_kind_says_which_command_takes_it(graph):
    line = one_line_error(run_cli("mitigations", "LGPS"), "'LGPS' is an electrolyte", "try: sslmb risks LGPS")
    assert "not a failure mode or mechanism" in line
    one_line_error(
        run_cli("risks", "lithium dendrite penetration"),
        "'lithium dendrite penetration' is a failure mode, not an electrolyte",
        "try: sslmb mitigations 'lithium dendrite penetration'",
    )
    one_line_error(run_cli("draw", "LLZO", "-o", "x.svg"), "is an electrolyte", "sslmb risks LLZO")
    with pytest.raises(WrongKindError) as caught:
        graph.mitigations("LGPS")
    assert (caught.value.kind, caught.value.label) == ("electrolyte", "LGPS")
    assert isinstance(caught.value, NotFoundError)  # what callers caught before still catches it
    assert graph.risks("Li metal").electrolyte_label  # a material shows mechanisms too


# ------------------------------------------------------------------------------ empty answers


def test_an_empty_answer_is_exit_1(tmp_path):
    import kg

    # a hazard that no strategy reaches, directly or through its causes (gaps says which)
    lone = next(g.label for g in kg.load().gaps().unmitigated if g.detail.startswith("no strategy"))
    for args in (["mitigations", lone], ["mitigations", lone, "--format", "json"]):
        done = run_cli(*args)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
    assert json.loads(run_cli("mitigations", lone, "--format", "json").stdout) == []
    assert f"no strategy mitigates {lone!r}" in run_cli("mitigations", lone).stderr
    # an electrolyte with nothing recorded about it
    lonely = tmp_path / "lonely.ttl"
    lonely.write_text(
        "@prefix sslmb: <https://w3id.org/sslmb/> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'sslmb:LonelyGlass a sslmb:Electrolyte ; rdfs:label "lonely test glass"@en .\n',
        encoding="utf-8",
    )
    store = tmp_path / "store"
    kg.bulk_load([resources.ontology_file(), lonely], store, validate=False, progress=False)
    done = run_cli("risks", "lonely test glass", "--store", str(store))
    assert done.returncode == 1 and "no failure mode, mechanism or applicable strategy" in done.stderr
    assert run_cli("centrality", "--store", str(store)).returncode == 1
    assert run_cli("find", "qwertyuiop").returncode == 1
    assert run_cli("paths", "LGPS", "LLZO", "--max-hops", "1").returncode == 1


# ------------------------------------------------------------------------------ query sources


def test_query_sources(tmp_path):
    one_line_error(run_cli("query", "nonexist.rq"), "nonexist.rq: no such file")
    one_line_error(run_cli("query", str(tmp_path)), f"{tmp_path}: is a directory")
    one_line_error(run_cli("query", str(DATA / "nope" / "x.rq")), "no such file")
    done = run_cli("query", "cq-05", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout == run_cli("query", "cq-05-single-ion-transference", "--format", "csv").stdout
    line = one_line_error(run_cli("query", "cq-0"), "'cq-0' begins the names of", "cq-01-failure-modes")
    assert "cq-05-single-ion-transference" in line
    one_line_error(run_cli("query", ""), "an empty query name")
    # a stored query's file name from any folder still runs the stored query
    assert run_cli("query", "cq-05-single-ion-transference.rq", "--format", "csv").returncode == 0
    binary = tmp_path / "binary.rq"
    binary.write_bytes(b"\xff\xfe SELECT")
    one_line_error(run_cli("query", str(binary)), "not UTF-8")


def test_query_prefix_in_python(graph):
    assert graph.query("cq-05").rows == graph.query("cq-05-single-ion-transference").rows
    with pytest.raises(InputError, match="begins the names of"):
        graph.query("cq-1")


@pytest.mark.parametrize(
    "text, word",
    [
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT"),
        ("CLEAR ALL", "CLEAR"),
        ("PREFIX ex: <http://e.org/> DELETE WHERE { ?s ex:p ?o }", "DELETE"),
        ("LOAD <file:///etc/passwd>", "LOAD"),
        ("# a comment\nDROP GRAPH <http://g>", "DROP"),
    ],
)
def test_updates_are_not_supported(text, word):
    one_line_error(run_cli("query", "-", stdin=text), f"{word}: updates are not supported")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_service_is_refused_unless_allowed(graph):
    service = "SELECT * { SERVICE <http://example.org/s> { ?s ?p ?o } }"
    one_line_error(run_cli("query", "-", stdin=service), "SERVICE would send a request", "--allow-service")
    hidden = 'SELECT * { BIND(<http://a\\u0041#> AS ?x) BIND("\\u0022" AS ?y) service <http://example.org/s> { } }'
    one_line_error(run_cli("query", "-", stdin=hidden), "SERVICE")
    with pytest.raises(InputError, match="allow_service=True"):
        graph.query(service)
    # allowed, a failing request is one line too
    port = _closed_port()
    failing = f"SELECT * {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    for fmt in ("table", "json"):
        done = run_cli("query", "-", "--allow-service", "--format", fmt, stdin=failing)
        one_line_error(done, "<stdin>" if fmt == "table" else "sslmb: error")
    with pytest.raises(InputError):
        graph.query(failing, allow_service=True)
    # SERVICE SILENT answers without the service's rows
    silent = failing.replace("SERVICE", "SERVICE SILENT")
    assert run_cli("query", "-", "--allow-service", stdin=silent).returncode == 0
    # a word SERVICE in a string, an IRI, a comment or a name is no SERVICE
    quiet = 'SELECT ?service WHERE { BIND("SERVICE <x> { }" AS ?service) } # SERVICE <http://e.org/> { }'
    assert run_cli("query", "-", stdin=quiet).returncode == 0


# ------------------------------------------------------------------------------ argparse, reason


@pytest.mark.parametrize(
    "args, expected",
    [
        (["show"], "the following arguments are required: entity"),
        (["nocommand"], "invalid choice: 'nocommand'"),
        (["stats", "--bogus"], "unrecognized arguments: --bogus"),
        (["stats", "--format", "yaml"], "invalid choice: 'yaml'"),
        (["export"], "required: -o/--output"),
        ([], "required: COMMAND"),
    ],
)
def test_argparse_errors_are_one_line(args, expected):
    line = one_line_error(run_cli(*args), expected)
    assert "--help)" in line and "usage:" not in line


def test_argparse_in_process_returns_the_code(capsys):
    assert cli.main(["find", "--limit", "-1", "x"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert cli.main(["--version"]) == 0
    assert cli.main(["find", "--help"]) == 0


def test_a_message_is_one_line_whatever_it_holds():
    assert cli._one_line("a\nb\r\n  c") == "a b c"
    assert len(cli._one_line("x" * 5000)) == 1000
    assert "…'" in cli._one_line("bad value '" + "y" * 500 + "'")


def test_kgerror_is_the_base_of_everything_the_cli_reports():
    assert issubclass(WrongKindError, KGError) and WrongKindError("x", "X", "electrolyte", ["mechanism"]).exit_code == 2


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://[::1", "is not a URL (Invalid IPv6 URL)"),
        ("http://x:99999/", "is not a URL (Port out of range"),
        ("http://a b/sparql", "holds a space or a control character"),
        ("ftp://example.org/sparql", "not an http(s) URL"),
    ],
)
def test_an_endpoint_url_that_is_not_one(url, expected):
    one_line_error(run_cli("stats", "--endpoint", url), expected)


def test_a_parameter_name_that_is_no_variable(graph):
    """Found by tests/test_fuzz.py: --param 'lithium dendrite penetration=LGPS' raised ValueError."""
    one_line_error(
        run_cli("query", "cq-06-table1-conductivity", "--param", "lithium dendrite penetration=LGPS"),
        "parameter 'lithium dendrite penetration' is not a variable name",
    )
    with pytest.raises(InputError, match="not a variable name"):
        graph.query("SELECT ?x WHERE { ?x ?p ?o } LIMIT 1", params={"a b": 1})
