"""Property-based tests of the query guard (hypothesis): queries that hide SERVICE, FROM, FROM NAMED, GRAPH <outside>,
LOAD or an update behind \\u escapes, comments, strings, IRIs, prefixed names, glued keywords, odd whitespace and
case. None may reach a real TCP listener on loopback: in process (every text the guard lets through is run by
Oxigraph), and through ``sslmb serve`` with the workers' network isolation turned off, so the guard alone is tested.

Bounded to a few hundred examples by default; ``SSLMB_FUZZ_LONG=1`` runs thousands.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.core.namespaces import PREFIXES
from kg.endpoint.guard import Refused, check_query

LONG = os.environ.get("SSLMB_FUZZ_LONG") == "1"
IN_PROCESS_EXAMPLES = 5000 if LONG else 300
SERVER_EXAMPLES = 1500 if LONG else 80


class Listener:
    """A loopback socket that counts every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def settle(self) -> int:
        time.sleep(0.05)  # the kernel completes a handshake at once; the accept loop may lag a little
        return self.hits

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


# ------------------------------------------------------------------------------------------ strategies


def _escape(text: str, draw) -> str:
    """Write some characters of an IRI as \\u or \\U escapes (Oxigraph decodes them inside IRIs)."""
    out = []
    for ch in text:
        how = draw(st.sampled_from(["plain", "plain", "plain", "u", "U"]))
        out.append(ch if how == "plain" else (f"\\u{ord(ch):04X}" if how == "u" else f"\\U{ord(ch):08X}"))
    return "".join(out)


def _case(word: str, draw) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in word)


SPACES = st.sampled_from(["", " ", "  ", "\t", "\n", "\r\n", " # a comment\n", "#\n", "\n#x<'\"\n"])
DECOYS = st.sampled_from(
    [
        "BIND(<http://a\\u0041#> AS ?d1)",
        "BIND(<http://a\\u0041'> AS ?d1)",
        'BIND(<http://a\\u0041"> AS ?d1)',
        "BIND('#' AS ?d2)",
        'BIND("\\"#\'" AS ?d2)',
        "BIND('''multi\n# line''' AS ?d2)",
        "BIND(1 AS ?d3) FILTER(?d3<'>')",
        "BIND(1 AS ?d3) FILTER(?d3<?d3)#>\n",
        "?d4 ?d5 ex:o.b.",
        "?d4 ?d5 _:b.c.",
        "?d4 ?d5 'x'@en",
        "?d4 ?d5 true",
        "?d4 ?d5 1.0e1",
        "?d4 ?d5 <http://e/o>",
        "",
    ]
)


@st.composite
def hidden_queries(draw, port: int) -> str:
    target = f"http://127.0.0.1:{port}/sparql"
    iri = "<" + _escape(target, draw) + ">"
    glue = draw(SPACES)
    keyword = draw(st.sampled_from(["SERVICE", "SERVICE SILENT", "SERVICESILENT", "GRAPH", "FROM", "FROM NAMED"]))
    keyword = _case(keyword, draw)
    decoy = draw(DECOYS)
    prologue = f"PREFIX ex: <http://e/> PREFIX : <http://127.0.0.1:{port}/> "
    body = draw(
        st.sampled_from(
            [
                f"SELECT * WHERE {{ {decoy}{glue}{keyword}{glue}{iri}{glue}{{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ {decoy}{glue}{keyword}{glue}:sparql{glue}{{ ?s ?p ?o }} }}",
                f"SELECT * WHERE {{ BIND({iri} AS ?e) {decoy}{glue}{keyword}{glue}?e{glue}{{ ?s ?p ?o }} }}",
                f"SELECT * {keyword}{glue}{iri} WHERE {{ {decoy} }}",
                f"ASK{glue}{keyword}{glue}{iri}{glue}{{ {decoy} }}",
                f"SELECT * WHERE {{ {decoy} }} ; {_case('LOAD', draw)}{glue}{iri}",
                f"{_case('INSERT', draw)}{glue}DATA {{ <http://e/a> <http://e/b> {iri} }}",
                f"{_case('LOAD', draw)}{glue}{iri}",
            ]
        )
    )
    return prologue + body


def _reaches(listener: Listener, run) -> bool:
    before = listener.hits
    run()
    return listener.settle() > before


# ------------------------------------------------------------------------------------------ in process


@settings(max_examples=IN_PROCESS_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_nothing_the_guard_lets_through_reaches_the_network(listener, data):
    text = data.draw(hidden_queries(listener.port))
    try:
        check_query(text)
    except Refused as exc:
        assert exc.status in (400, 403)
        return

    def run() -> None:
        try:
            result = ox.Store().query(text, prefixes=PREFIXES)
            if not isinstance(result, ox.QueryBoolean):
                list(result)
        except (SyntaxError, OSError, RuntimeError, ValueError):
            pass

    assert not _reaches(listener, run), text


@settings(max_examples=IN_PROCESS_EXAMPLES, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("SERVICEservice<>{}()?'\"#\\u0041:. \n;")), max_size=60))
def test_the_guard_answers_any_text_with_a_verdict(text):
    try:
        check_query(text)
    except Refused as exc:
        assert exc.status in (400, 403) and exc.message


# ------------------------------------------------------------------------------------------ through the server


@pytest.fixture(scope="module")
def open_server():
    from test_server import Server

    old = os.environ.get("SSLMB_SERVE_ISOLATION")
    os.environ["SSLMB_SERVE_ISOLATION"] = "off"
    try:
        srv = Server("--query-timeout", "5")
    finally:
        if old is None:
            del os.environ["SSLMB_SERVE_ISOLATION"]
        else:
            os.environ["SSLMB_SERVE_ISOLATION"] = old
    assert "not network-isolated" in "".join(srv.stdout)
    yield srv
    srv.stop()


def test_the_harness_sees_a_connection(listener):
    """The listener counts what Oxigraph does without the guard: such a query connects."""
    text = (
        f"SELECT * WHERE {{ BIND(<http://a\\u0041#> AS ?x) SERVICE SILENT <http://127.0.0.1:{listener.port}/> {{ }} }}"
    )
    assert _reaches(listener, lambda: list(ox.Store().query(text)))


@pytest.mark.slow
@settings(max_examples=SERVER_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_query_reaches_a_listener_through_the_server(open_server, listener, data):
    text = data.draw(hidden_queries(listener.port))
    how = data.draw(st.sampled_from(["get", "post-form", "post-direct"]))
    answers = []

    def run() -> None:
        answers.append(open_server.query(text, how=how))

    assert not _reaches(listener, run), text
    status, _, body = answers[0]
    assert status != 500, body  # refused (400/403), or let through and run without touching the network
