"""Fuzzing the files and the command line (issue 11, section 5): whatever bytes a Turtle or N-Triples file holds
and whatever arguments a command gets, the answer is success or one line on stderr with exit 1 or 2, never a
traceback, and a failed load leaves the store as it was.

Most examples run ``kg.cli.main([...])`` in this process (a subprocess costs about a second); a few run the real
``sslmb`` in a subprocess. The default is small enough for CI (well under a minute); ``SSLMB_FUZZ_LONG=1`` runs
many more examples with a fresh random seed each time.
"""

from __future__ import annotations

import gzip
import io
import os
import socket
import sys
from pathlib import Path

import pytest
from helpers import DATA, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from kg.cli import app as cli
from kg.core import resources
from kg.core.backends import disk
from kg.model import queries as sparql
from kg.model import stored

LONG = os.environ.get("SSLMB_FUZZ_LONG") == "1"


def fuzz(examples: int, long: int):
    """Hypothesis settings: ``examples`` by default (deterministic, nothing stored on disk), ``long`` examples
    with fresh randomness when SSLMB_FUZZ_LONG=1."""
    return settings(
        max_examples=long if LONG else examples,
        deadline=None,
        derandomize=not LONG,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )


class Ran:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run_main(args: list[str], stdin: bytes = b"") -> Ran:
    """``kg.cli.main(args)`` with standard input, output and error captured (as bytes-backed text streams: the
    CLI writes some results to ``sys.stdout.buffer``). An exception that escapes is a traceback: it fails."""
    streams = [io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace") for _ in range(2)]
    fake_in = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = fake_in, streams[0], streams[1]
    try:
        code = cli.main(args)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    texts = []
    for stream in streams:
        stream.flush()
        texts.append(stream.buffer.getvalue().decode("utf-8", errors="replace"))  # type: ignore[attr-defined]
    return Ran(code, *texts)


def check_outcome(ran: Ran, what: object) -> None:
    """Success, or a clean failure: exit 1 or 2 and exactly one line on stderr."""
    assert ran.code in (0, 1, 2), (ran.code, what, ran.err[-500:])
    assert "Traceback" not in ran.err, (what, ran.err[-2000:])
    if ran.code == 2:
        lines = ran.err.splitlines()
        assert len(lines) == 1 and lines[0].startswith("sslmb: error: "), (what, ran.err[-2000:])
        assert len(lines[0]) <= 1000 + len("sslmb: error: ") + 60, (what, len(lines[0]))


# ------------------------------------------------------------------------------ RDF bytes

_IRI_CHARS = st.characters(codec="utf-8", exclude_characters='<>"{}|^`\\ \n\r\t')
iris = st.one_of(
    st.builds(lambda s: f"<https://example.org/{s}>", st.text(_IRI_CHARS, max_size=12)),
    st.builds(lambda s: f"<{s}>", st.text(max_size=12)),  # anything, valid or not
    st.sampled_from(["<>", "<rel>", "<http://a b>", "<http://a\\u0041>", "<http://a\\u00>", "<urn:x>"]),
)
blanks = st.builds(lambda s: f"_:{s}", st.from_regex(r"[A-Za-z][A-Za-z0-9_.-]{0,6}", fullmatch=True))
_ESCAPES = st.sampled_from(["\\n", '\\"', "\\\\", "\\u00e9", "\\U0001F600", "\\x", "\\u12", "\\"])
literals = st.one_of(
    st.builds(lambda s: f'"{s}"', st.text(max_size=20)),
    st.builds(lambda a, e, b: f'"{a}{e}{b}"', st.text(max_size=5), _ESCAPES, st.text(max_size=5)),
    st.builds(lambda s, lang: f'"{s}"@{lang}', st.text(max_size=8), st.sampled_from(["en", "en-GB", "x", "1", ""])),
    st.builds(
        lambda s, dt: f'"{s}"^^{dt}',
        st.sampled_from(["1", "-0.5", "1e400", "abc", "true", "2020-13-45", ""]),
        st.sampled_from(
            ["<http://www.w3.org/2001/XMLSchema#integer>", "<http://www.w3.org/2001/XMLSchema#double>", "<bad>"]
        ),
    ),
    st.builds(lambda s: f'"""{s}"""', st.text(max_size=20)),
)
nt_lines = st.builds(
    lambda s, p, o, end: f"{s} {p} {o}{end}",
    st.one_of(iris, blanks),
    iris,
    st.one_of(iris, blanks, literals),
    st.sampled_from([" .\n", " .", ".\n", " \n", " . # c\n", " .\r\n"]),
)
turtle_lines = st.one_of(
    nt_lines,
    st.sampled_from(
        [
            "@prefix ex: <https://example.org/> .\n",
            "@prefix sslmb: <https://w3id.org/sslmb/> .\n",
            "PREFIX ex: <https://example.org/>\n",
            "@base <https://example.org/base/> .\n",
            "ex:a ex:b ( 1 2.5 -3e2 true ) .\n",
            "ex:a ex:b [ ex:c [ ex:d 'x' ] ] .\n",
            "ex:a a ex:C ; ex:b 'y'@en , \"z\" .\n",
            "sslmb:LLZO sslmb:formula 'Li₇La₃Zr₂O₁₂' .\n",
            "ex:a ex:b ex:c\n",
            "undeclared:a ex:b ex:c .\n",
            "ex:a\\.b ex:b ex:c .\n",
            "<< ex:a ex:b ex:c >> ex:d ex:e .\n",
            "ex:a ex:b '''long\nstring''' .\n",
            "[] ex:b ex:c .\n",
        ]
    ),
)


def mutate(data: bytes, cut: int | None, junk: bytes, where: int) -> bytes:
    """Truncate, and splice bytes (invalid UTF-8, NUL, a BOM...) at some place."""
    if cut is not None:
        data = data[: cut % (len(data) + 1)]
    if junk:
        at = where % (len(data) + 1)
        data = data[:at] + junk + data[at:]
    return data


rdf_bytes = st.builds(
    mutate,
    st.one_of(
        st.lists(nt_lines, max_size=8).map(lambda ls: "".join(ls).encode("utf-8")),
        st.lists(turtle_lines, max_size=8).map(lambda ls: "".join(ls).encode("utf-8")),
        st.binary(max_size=64),
    ),
    st.one_of(st.none(), st.integers(0, 400)),
    st.one_of(
        st.just(b""), st.sampled_from([b"\xff", b"\x00", b"\xef\xbb\xbf", b"\xc3", b"\r", b"\\"]), st.binary(max_size=4)
    ),
    st.integers(0, 400),
)


@pytest.fixture(scope="module")
def base_store(tmp_path_factory) -> Path:
    """A small store (the ontology alone) that the load fuzzing starts from, copied per example."""
    store = tmp_path_factory.mktemp("fuzz-base") / "store"
    kg.bulk_load([resources.ontology_file()], store, validate=False, progress=False)
    return store


def _state(store: Path) -> tuple[str, list[str]]:
    return (store / disk.METADATA).read_text(encoding="utf-8"), sorted(
        p.name for p in store.iterdir() if p.name.startswith("data-")
    )


@fuzz(examples=25, long=2000)
@given(data=rdf_bytes, suffix=st.sampled_from([".ttl", ".nt"]))
def test_validate_any_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("v") / f"fuzz{suffix}"
    path.write_bytes(data)
    ran = run_main(["validate", str(path), "--engine", "fast"])
    check_outcome(ran, data)
    if ran.code == 2:
        assert str(path) in ran.err or "fuzz" in ran.err, ran.err  # the message names the file


@fuzz(examples=25, long=2000)
@given(
    data=rdf_bytes,
    suffix=st.sampled_from([".ttl", ".nt", ".nq", ".trig", ".nt.gz", ".ttl.gz", ".jsonld", ".rdf"]),
    packed=st.booleans(),
)
def test_load_any_bytes_all_or_nothing(tmp_path_factory, base_store, data, suffix, packed):
    import shutil

    folder = tmp_path_factory.mktemp("l")
    store = folder / "store"
    shutil.copytree(base_store, store)
    before = _state(store)
    path = folder / f"fuzz{suffix}"
    path.write_bytes(gzip.compress(data) if packed and suffix.endswith(".gz") else data)
    ran = run_main(["load", str(path), "--store", str(store), "--no-validate"])
    check_outcome(ran, data)
    if ran.code != 0:
        assert _state(store) == before, "a failed load changed the store"
    else:
        assert _state(store)[1] == [disk.read_info(store).data]


@pytest.mark.slow
def test_validated_loads_and_pyshacl_in_subprocesses(tmp_path):
    """A few real processes: the default engine (pySHACL) and a validating load, on broken and odd files."""
    samples = {
        "nul.ttl": b"@prefix ex: <https://example.org/> .\nex:a ex:b \x00 .\n",
        "bom.nt": b"\xef\xbb\xbf<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n",
        "latin1.ttl": b'<https://example.org/a> <https://example.org/b> "caf\xe9" .\n',
        "escaped.nt": b'<https://example.org/a> <https://example.org/b> "nul \\u0000, bell \\u0007, \\U0001F600" .\n',
    }
    for name, data in samples.items():
        path = tmp_path / name
        path.write_bytes(data)
        for args in (["validate", str(path)], ["load", str(path), "--store", str(tmp_path / f"s-{name}")]):
            done = run_cli(*args)
            check_outcome(Ran(done.returncode, done.stdout, done.stderr), (name, args))
            assert done.returncode == (0 if name == "escaped.nt" else 2), (name, args, done.stderr)


# ------------------------------------------------------------------------------ command-line arguments


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, str]:
    """Paths of every kind a user may point a command at."""
    root = tmp_path_factory.mktemp("places")
    (root / "dir").mkdir()
    (root / "dir.ttl").mkdir()
    os.mkfifo(root / "fifo.ttl")
    (root / "loop.ttl").symlink_to(root / "loop.ttl")
    (root / "dangling.ttl").symlink_to(root / "nowhere.ttl")
    (root / "empty.rq").write_text("", encoding="utf-8")
    (root / "binary.rq").write_bytes(b"\xff\xfe\x00")
    (root / "ok.rq").write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1", encoding="utf-8")
    (root / "good.nt").write_text("<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n")
    return {
        "dir": str(root / "dir"),
        "dir.ttl": str(root / "dir.ttl"),
        "fifo": str(root / "fifo.ttl"),
        "loop": str(root / "loop.ttl"),
        "dangling": str(root / "dangling.ttl"),
        "missing": str(root / "missing" / "x.ttl"),
        "empty.rq": str(root / "empty.rq"),
        "binary.rq": str(root / "binary.rq"),
        "ok.rq": str(root / "ok.rq"),
        "good.nt": str(root / "good.nt"),
        "broken": str(DATA / "cli" / "broken.ttl"),
        "out.ttl": str(root / "out.ttl"),
        "out.svg": str(root / "out.svg"),
        "out": str(root / "out"),
        "store": str(root / "store"),
        "newstore": str(root / "new-store"),
        "endpoint": f"http://127.0.0.1:{_closed_port()}/sparql",
    }


_NAMES = st.sampled_from(
    [
        "LGPS",
        "llzo",
        "Li7La3Zr2O12",
        "dendrite",
        "H2S",
        "lithium dendrite penetration",
        "thermal runaway",
        "anion mobility",
        "Li metal",
        "sslmb:LGPS",
        "https://w3id.org/sslmb/LLZO",
        "PEO",
    ]
)
_ODD = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "sslmb:",
            "http://a b",
            "http://a>b",
            "<http://x> } ; CLEAR ALL",
            "nosuchprefix:x",
            "urn:",
            "-",
            "--",
            "-1",
            "0",
            "1e9",
            "NaN",
            "x" * 5000,
            "é" * 300,
            "\u202e\u0000",
            "cq-0",
            "cq-05",
            "cq-05-single-ion-transference.rq",
            "SELECT * { ?s ?p ?o } LIMIT 2",
            "ASK { ?s ?p ?o }",
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2",
            "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        ]
    ),
    st.text(max_size=30),
)
_TEXT = st.one_of(_NAMES, _ODD)
_NUMBER = st.one_of(
    st.integers(-5, 60).map(str), st.sampled_from(["-0", "1.5", "abc", "", "9" * 30, "0x10", "١٢", "inf", "nan"])
)


def _place(key: str):
    return st.sampled_from([key]).map(lambda k: ("@place", k))


_PATH = st.sampled_from(
    ["dir", "dir.ttl", "fifo", "loop", "dangling", "missing", "empty.rq", "binary.rq", "ok.rq", "good.nt", "broken"]
)
_OUT = st.one_of(
    st.sampled_from(["out.ttl", "out.svg", "out", "dir", "dir.ttl", "fifo", "loop", "dangling", "missing"]).map(
        lambda k: ("@place", k)
    ),
    st.sampled_from(["-", "/dev/null", "/dev/full", "/proc/x.ttl", ""]),
)
_VALUE = st.one_of(_TEXT, _NUMBER, _PATH.map(lambda k: ("@place", k)))

# What each command takes: positional arguments, then options with the values they are tried with.
_COMMANDS: dict[str, tuple[list, dict]] = {
    "validate": (
        [st.lists(_PATH.map(lambda k: ("@place", k)), max_size=2)],
        {"--engine": st.sampled_from(["fast", "x"])},
    ),
    "stats": ([], {}),
    "find": ([_TEXT], {"--limit": _NUMBER, "--kind": st.sampled_from(["strategy", "nokind", "", "failure mode"])}),
    "show": ([_TEXT], {}),
    "export": (
        [],
        {
            "-o": _OUT,
            "--format": st.sampled_from(["ttl", "nt", "gexf", "graphml", "docx", ""]),
            "--around": _TEXT,
            "--hops": _NUMBER,
            "--no-bibliographic": st.none(),
            "--schema": st.none(),
        },
    ),
    "queries": ([], {"--kind": st.sampled_from(["cq", "check", "report", "x"])}),
    "query": (
        [
            st.one_of(
                st.sampled_from([q.name for q in stored.stored_queries()]), _ODD, _PATH.map(lambda k: ("@place", k))
            )
        ],
        {
            "--param": st.one_of(_TEXT, st.builds(lambda k, v: f"{k}={v}", _TEXT, _TEXT)),
            "--format": st.sampled_from(["table", "csv", "json", "xml", "ttl", "nt", "jsonld", "yaml"]),
        },
    ),
    "check": ([], {}),
    "mitigations": ([_TEXT], {"--max-hops": _NUMBER}),
    "risks": ([_TEXT], {}),
    "paths": ([_TEXT, _TEXT], {"--max-hops": _NUMBER, "--limit": _NUMBER}),
    "gaps": ([], {}),
    "centrality": ([], {"--limit": _NUMBER}),
    "draw": (
        [_TEXT],
        {"-o": _OUT, "--format": st.sampled_from(["svg", "html", "pdf"]), "--max-hops": _NUMBER},
    ),
    "heatmap": ([], {"-o": _OUT, "--format": st.sampled_from(["table", "json", "svg", "png"]), "--max-hops": _NUMBER}),
    "serve": (
        [],
        {
            "--port": _NUMBER,
            "--workers": _NUMBER,
            "--max-rows": _NUMBER,
            "--query-timeout": _NUMBER,
            "--host": _TEXT,
            "--cors": _TEXT,
        },
    ),
    "load": (
        [st.lists(_PATH.map(lambda k: ("@place", k)), max_size=2)],
        {
            "--store": st.sampled_from(["newstore", "dir", "good.nt", "fifo", "missing"]).map(lambda k: ("@place", k)),
            "--no-validate": st.none(),
            "--replace": st.none(),
        },
    ),
    "push": ([], {"--endpoint": st.one_of(_place("endpoint"), _TEXT), "--store": _PATH.map(lambda k: ("@place", k))}),
}
_REQUIRED = {"export": ["-o"], "draw": ["-o"], "push": ["--endpoint"], "load": ["--store"]}


@st.composite
def _sources(draw) -> list:
    """Where the graph is: mostly the shipped graph, then a store or a folder that is not one, an endpoint that
    does not answer or a URL that is not one, and rarely --graph alone (a usage error)."""
    pick = draw(st.integers(0, 9))
    if pick < 5:
        return []
    if pick < 8:
        place = draw(st.sampled_from(["store", "store", "dir", "missing", "good.nt", "fifo", "newstore"]))
        return ["--store", ("@place", place)]
    if pick < 9:
        url = draw(st.one_of(_place("endpoint"), st.sampled_from(["ftp://x/", "not a url", "http://[::1"])))
        return ["--endpoint", url, *draw(st.one_of(st.just([]), _TEXT.map(lambda g: ["--graph", g])))]
    return ["--graph", draw(_TEXT)]


@st.composite
def command_lines(draw) -> list:
    """A command, its positional arguments, up to three of its options and where the graph is; now and then a
    stray flag."""
    name = draw(st.sampled_from(sorted(_COMMANDS)))
    positional, options = _COMMANDS[name]
    args: list = [name]
    for strategy in positional:
        value = draw(strategy)
        args.extend(value if isinstance(value, list) else [value])
    required = [flag for flag in _REQUIRED.get(name, ()) if draw(st.integers(0, 9))]  # left out now and then
    chosen = draw(st.lists(st.sampled_from(sorted(options)), max_size=3, unique=True)) if options else []
    chosen = [*required, *(flag for flag in chosen if flag not in required)]
    for flag in chosen:
        value = draw(options[flag])
        args.extend([flag] if value is None else [flag, value])
    if name not in cli._NO_GRAPH:
        args.extend(draw(_sources()))
    if draw(st.integers(0, 9)) == 0:
        args.insert(draw(st.integers(1, len(args))), draw(st.sampled_from(["--bogus", "-x", "--format", "--", "-"])))
    if name == "validate" and "--engine" not in args:
        args += ["--engine", "fast"]  # pySHACL takes seconds: it runs in the subprocess test instead
    return args


def _resolve(args: list, places: dict[str, str]) -> list[str]:
    return [places[a[1]] if isinstance(a, tuple) else a for a in args]


@pytest.fixture(scope="module")
def shipped_store(places) -> str:
    kg.bulk_load([], places["store"], validate=False, progress=False)
    return places["store"]


@fuzz(examples=30, long=3000)
@given(args=command_lines(), stdin=st.sampled_from([b"", b"SELECT * { ?s ?p ?o } LIMIT 1", b"CLEAR ALL", b"\xff"]))
def test_every_command_with_any_arguments(monkeypatch, places, shipped_store, args, stdin):
    import kg.endpoint.serve

    monkeypatch.setattr(kg.endpoint.serve, "serve", lambda settings: 0)  # the arguments are checked, nothing listens
    argv = _resolve(args, places)
    ran = run_main(argv, stdin=stdin)
    check_outcome(ran, argv)
    for key in ("dir", "dir.ttl"):
        assert Path(places[key]).is_dir()
    assert Path(places["fifo"]).is_fifo() and Path("/dev/full").is_char_device() and Path("/dev/null").is_char_device()


def test_a_few_command_lines_in_real_processes(places, shipped_store):
    """The same contract through the console entry point, for a few hostile command lines."""
    lines = [
        ["paths", "LGPS", "LLZO", "--limit", "-1"],
        ["show", "x" * 100_000],
        ["find", "é" * 300, "--kind", "nokind"],
        ["export", "-o", places["dir"], "--format", "ttl"],
        ["query", places["fifo"]],
        ["validate", places["fifo"]],
        ["load", places["loop"], "--store", places["newstore"]],
        ["stats", "--store", places["good.nt"]],
        ["mitigations", "\u202e", "--endpoint", places["endpoint"]],
    ]
    for argv in lines:
        done = run_cli(*argv)
        check_outcome(Ran(done.returncode, done.stdout, done.stderr), argv[:3])


# ------------------------------------------------------------------------------ SERVICE, however it is written


# Text that SPARQL reads as one term or as a comment, holding SERVICE or a quote or a '#' that a keyword check
# could lose its place on.
_DECOYS = st.sampled_from(
    [
        ' BIND("SERVICE <http://127.0.0.1:9/> { }" AS ?a) ',
        " BIND('''a'' SERVICE''' AS ?b) ",
        ' BIND("\\u0022" AS ?c) ',
        " BIND(<http://a\\u0041#> AS ?d) ",
        " BIND(<http://a\\u003E> AS ?e) ",
        " BIND(<urn:x'y> AS ?f) ",
        " BIND(sslmb:a\\'b AS ?g) ",
        " BIND(sslmb:a\\#b AS ?h) ",
        " # SERVICE <http://127.0.0.1:9/> { }\n",
        ' BIND("""x"SERVICE""" AS ?i) ',
        " BIND(?service AS ?j) ",
        ' BIND("a"@en AS ?k) ',
        " BIND(1 AS ?l) ",
    ]
)


@fuzz(examples=60, long=5000)
@given(
    before=st.lists(_DECOYS, max_size=4),
    keyword=st.sampled_from(["SERVICE", "service", "Service", "SERVICE SILENT"]),
    space=st.sampled_from([" ", "\n", "\t", "", " # c\n"]),
    after=st.lists(_DECOYS, max_size=2),
)
def test_service_hidden_among_strings_iris_and_comments_is_refused(before, keyword, space, after):
    """Oxigraph refuses to call port 9 without opening a connection: that error proves a SERVICE was run, and
    whenever one was, the check must have refused the query (SERVICE SILENT gives no proof: it is checked by the
    second assertion alone)."""
    import pyoxigraph as ox

    from kg.core.errors import InputError
    from kg.core.namespaces import PREFIXES

    text = (
        "SELECT * WHERE {"
        + "".join(before)
        + f"{keyword}{space}<http://127.0.0.1:9/sparql> {{ }}"
        + "".join(after)
        + "}"
    )
    try:
        sparql.check_query(text)
        refused = False
    except InputError:
        refused = True
    try:
        list(ox.Store().query(text, prefixes=PREFIXES))
        ran_service = False
    except OSError as exc:
        ran_service = "port 9" in str(exc)
    except (SyntaxError, RuntimeError, ValueError):
        ran_service = False
    if ran_service:
        assert refused, text
    assert refused, text  # the SERVICE written in the query's code is always seen, whatever comes before it
