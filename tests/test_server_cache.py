"""The answer cache of ``sslmb serve`` (kg/endpoint/cache.py), against real servers on loopback: a repeated
request is answered without a worker and with the same bytes, volatile queries and answers cut at the row cap
are always run, a burst of one query costs one worker run, ``--cache-mb 0`` turns it off; and the cache's own
bounds (bytes, entry size, least recently used first out, digests instead of texts)."""

from __future__ import annotations

import asyncio
import threading

import pytest
from test_server import Server, health, rows_of

from kg.endpoint.cache import AnswerCache, is_volatile

pytestmark = pytest.mark.slow

LABELS = (
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?x ?label WHERE { ?x rdfs:label ?label } ORDER BY ?label LIMIT 40"
)


@pytest.fixture(scope="module")
def server():
    srv = Server("--query-timeout", "20")
    yield srv
    if srv.proc.poll() is None:
        srv.stop()


def cache_figures(server: Server) -> dict:
    return health(server)["cache"]


def test_a_repeated_query_is_answered_from_the_cache_with_the_same_bytes(server):
    text = LABELS + " # repeated"
    status, first_headers, first = server.query(text)
    assert status == 200 and first_headers["x-cache"] == "miss"
    status, headers, again = server.query(text, how="get")  # GET or POST: the same request
    assert status == 200 and headers["x-cache"] == "hit"
    assert again == first and len(rows_of(again)) == 40
    # another result format is another answer
    status, headers, csv = server.query(text, accept="text/csv")
    assert status == 200 and headers["x-cache"] == "miss" and csv.decode().splitlines()[0] == "x,label"
    assert cache_figures(server)["hits"] >= 1


def test_entity_pages_are_kept_too(server):
    first = server.request("GET", "/entity/LLZO", headers={"Accept": "text/turtle"})
    again = server.request("GET", "/entity/LLZO", headers={"Accept": "text/turtle"})
    assert first[0] == again[0] == 200
    assert again[1]["x-cache"] == "hit" and again[2] == first[2]


def test_volatile_queries_run_every_time(server):
    text = "SELECT (STRUUID() AS ?u) WHERE { }"
    answers = []
    for _ in range(3):
        status, headers, body = server.query(text)
        assert status == 200 and "x-cache" not in headers
        answers.append(rows_of(body)[0]["u"]["value"])
    assert len(set(answers)) == 3  # three runs, three identifiers


def test_a_burst_of_one_query_costs_one_worker_run(server):
    text = LABELS + " # burst"
    before = cache_figures(server)
    statuses: list[int] = []
    bodies: set[bytes] = set()

    def client() -> None:
        status, _, body = server.query(text)
        statuses.append(status)
        bodies.add(body)

    threads = [threading.Thread(target=client) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    after = cache_figures(server)
    assert statuses == [200] * 24 and len(bodies) == 1
    assert after["misses"] - before["misses"] == 1  # the others waited for that run, or found its answer kept
    assert after["hits"] - before["hits"] == 23


def test_answers_cut_at_the_row_cap_and_a_cache_of_zero_are_never_kept():
    srv = Server("--max-rows", "5", "--cache-mb", "0", "--workers", "1")
    try:
        for _ in range(2):
            status, headers, body = srv.query(LABELS)
            assert status == 200 and "x-cache" not in headers and len(rows_of(body)) == 5
        assert cache_figures(srv) == {"entries": 0, "bytes": 0, "hits": 0, "misses": 0}
    finally:
        assert srv.stop() == 0
    srv = Server("--max-rows", "5", "--workers", "1")
    try:
        for _ in range(2):
            status, headers, body = srv.query(LABELS)
            assert status == 200 and headers["x-rows-truncated"] == "true" and "x-cache" not in headers
        status, headers, _ = srv.query(LABELS.replace("LIMIT 40", "LIMIT 3"))  # complete: kept
        assert headers["x-cache"] == "miss" and srv.query(LABELS.replace("LIMIT 40", "LIMIT 3"))[1]["x-cache"] == "hit"
        assert cache_figures(srv)["entries"] == 1
    finally:
        assert srv.stop() == 0


@pytest.mark.parametrize(
    ("text", "volatile"),
    [
        ("SELECT (RAND() AS ?r) {}", True),
        ("select (now () as ?t) {}", True),
        ("SELECT ?b { BIND(bnode() AS ?b) }", True),
        ("SELECT (UUID() AS ?u) {}", True),
        ('SELECT * { ?s ?p "RAND()" }', False),  # in a string
        ("SELECT * { ?s <http://x.org/NOW()> ?o }", False),  # in an IRI
        ("SELECT * { ?s ?p ?o } # uuid() in a comment", False),
        ("SELECT ?now ?rand { ?now ?rand ?o }", False),  # variables named like the functions
        ("PREFIX ex: <http://x.org/> SELECT * { ?s ex:rand ?o }", False),  # a prefixed name
    ],
)
def test_what_counts_as_volatile(text, volatile):
    assert is_volatile(text) is volatile


def _reply(size: int) -> tuple[int, str, dict[str, str], bytes]:
    return 200, "text/plain", {}, b"x" * size


def test_the_cache_keeps_at_most_its_bytes_and_drops_the_least_recently_used():
    cache = AnswerCache(8000)

    async def scenario() -> None:
        def key(i: int) -> tuple:
            return cache.key(None, {"op": "query", "query": f"SELECT {i}", "format": "json"})

        async def compute(size: int):
            return _reply(size)

        for i in range(8):  # 8 x 900 bytes fit
            await cache.answer(key(i), lambda: compute(900))
        assert len(cache) == 8 and cache.size == 7200
        await cache.answer(key(0), lambda: compute(900))  # used again: now the most recent
        await cache.answer(key(8), lambda: compute(900))  # 8100 > 8000: the least recently used (1) goes
        assert len(cache) == 8 and cache.size == 7200
        assert (await cache.answer(key(0), lambda: compute(1)))[2]["X-Cache"] == "hit"
        assert (await cache.answer(key(1), lambda: compute(900)))[2]["X-Cache"] == "miss"
        status, _, headers, _ = await cache.answer(key(99), lambda: compute(1001))  # above max/8: not kept
        assert status == 200 and "X-Cache" not in headers and len(cache) == 8

    asyncio.run(scenario())


def test_keys_hold_digests_not_texts():
    text = "SELECT * { ?s ?p ?o } # " + "x" * 100_000
    key = AnswerCache.key("g1", {"op": "query", "query": text, "format": "json"})
    assert sum(len(part) for part in key if isinstance(part, (str, bytes))) < 100
    other = AnswerCache.key("g2", {"op": "query", "query": text, "format": "json"})
    assert key != other  # another generation, another answer
