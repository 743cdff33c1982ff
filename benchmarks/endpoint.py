"""Throughput and latency of ``sslmb serve`` next to ``oxigraph serve`` on the same data, over loopback.

N client threads (each with a keep-alive connection) send M queries in all, round-robin over a fixed mix of
SELECT, aggregate and DESCRIBE queries; both servers get the same text and must return the same number of rows.
Rounds alternate between the two servers; throughput is the median round, p50/p99 are over every request.
Then, unless --no-probes, each server is probed once for the safety properties: is an update accepted, does a
SERVICE call reach a listener on loopback, how long does a 4-way cross join run with a 2 s timeout.
``sslmb serve`` runs twice: as it starts by default (it keeps complete answers and sends a repeated request's
answer again without a worker, kg/endpoint/cache.py), and with ``--cache-mb 0``, where every request is run by a
worker: the mix repeats six queries, so the first measures repeated requests and the second the query path.
Both servers hold the same named graphs (the ontology in the default graph, one graph per source) and answer over
their union (``oxigraph serve --union-default-graph``). Idle memory is the resident set of each server's whole
process tree (ours: the server process and its workers), read from /proc after the warm-up queries, as RSS and
as PSS (a page several processes share counts once in all); CPU per request is read from /proc around the
rounds, for the server process and for its workers apart.

    python benchmarks/endpoint.py [--clients 16] [--queries 2000] [--rounds 3] [--workers 2] [--no-probes]

Needs the ``oxigraph`` command (PyPI package ``oxigraph``, the same engine version as pyoxigraph).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kg.core.namespaces import PREFIXES  # noqa: E402

PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def query_mix() -> dict[str, tuple[str, str]]:
    """name -> (query text, Accept). Stored queries without parameters, so both servers answer the same."""
    from kg.model.stored import stored_query

    mix = {
        "labels": (
            "SELECT ?x ?label WHERE { ?x a/rdfs:subClassOf* sslmb:FailureMode ; rdfs:label ?label } ORDER BY ?label",
            "application/sparql-results+json",
        ),
        "count": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "application/sparql-results+json"),
        "describe": ("DESCRIBE sslmb:LLZO", "application/n-triples"),
    }
    for name in ("cq-08-rt-conductivity-ranking", "cq-12-contested-claims", "cq-17-alloy-anodes"):
        stored = stored_query(name)
        assert not stored.params, name
        mix[name] = (stored.text, "application/sparql-results+json")
    return {name: (PROLOGUE + text, accept) for name, (text, accept) in mix.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}))
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def start_ours(workers: int, timeout: float, cache_mb: int = 32) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--workers", str(workers)]
        + ["--query-timeout", str(timeout), "--cache-mb", str(cache_mb)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()  # type: ignore[union-attr]
    port = int(urllib.parse.urlsplit(line.split(" at ", 1)[1].strip()).port or 0)
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # type: ignore[union-attr]
    wait_until_up(port)
    return proc, port


def start_oxigraph(data: bytes, timeout: float) -> tuple[subprocess.Popen, int]:
    exe = shutil.which("oxigraph")
    if exe is None:
        raise SystemExit("the `oxigraph` command is missing: python -m pip install oxigraph")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--bind", f"127.0.0.1:{port}", "--timeout-s", str(int(timeout)), "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(port)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    # The same named graphs as ours (one per source, the ontology in the default graph), read as their union.
    conn.request("POST", "/store", body=data, headers={"Content-Type": "application/n-quads"})
    response = conn.getresponse()
    response.read()
    assert response.status in (200, 201, 204), response.status
    return proc, port


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident (RSS) and proportional (PSS: a page shared by n processes counts 1/n) memory of a process tree,
    in MB. PSS is the fair figure for several processes that map the same libraries."""
    rss = pss = 0
    for current in process_tree(pid):
        try:
            for line in (Path("/proc") / str(current) / "smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def cpu_seconds(pid: int) -> dict[int, float]:
    """CPU time (user + system) of each process of a tree, in seconds."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for current in process_tree(pid):
        try:
            fields = (Path("/proc") / str(current) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[current] = (int(fields[11]) + int(fields[12])) / tick
    return out


def ask(port: int, text: str, accept: str, conn: http.client.HTTPConnection | None = None, timeout: float = 60):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": text}), headers={"Accept": accept})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def count(body: bytes, accept: str) -> int:
    if accept.endswith("json"):
        return len(json.loads(body)["results"]["bindings"])
    return len(body.decode().strip().splitlines())


def run_load(port: int, mix: dict[str, tuple[str, str]], clients: int, total: int) -> dict:
    names = list(mix)
    latencies: dict[str, list[float]] = {name: [] for name in names}
    errors: list[str] = []
    lock = threading.Lock()
    per_client = total // clients

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: dict[str, list[float]] = {name: [] for name in names}
        for i in range(per_client):
            name = names[(index + i) % len(names)]
            text, accept = mix[name]
            started = time.perf_counter()
            try:
                status, _ = ask(port, text, accept, conn)
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine[name].append(time.perf_counter() - started)
            if status != 200:
                errors.append(f"{name}: HTTP {status}")
        conn.close()
        with lock:
            for name, values in mine.items():
                latencies[name].extend(values)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    every = sorted(v for values in latencies.values() for v in values)
    return {
        "requests": len(every),
        "seconds": wall,
        "throughput": len(every) / wall,
        "p50": 1000 * statistics.median(every),
        "p99": 1000 * every[min(len(every) - 1, int(0.99 * len(every)))],
        "per_query": {name: 1000 * statistics.median(values) for name, values in latencies.items() if values},
        "latencies": every,
        "errors": errors,
    }


def probes(port: int, listener_port: int, hits: list) -> dict:
    update = "INSERT DATA { <http://example.org/probe> <http://example.org/p> 'probe' }"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/update", body=update.encode(), headers={"Content-Type": "application/sparql-update"})
    update_status = conn.getresponse().status  # oxigraph's update route; ours refuses every POST but /sparql
    conn.close()
    before = len(hits)
    status, _ = ask(
        port, f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener_port}/sparql> {{ ?s ?p ?o }} }}", "*/*"
    )
    time.sleep(0.5)
    service = len(hits) > before
    started = time.perf_counter()
    try:
        cross_status, _ = ask(port, CROSS_JOIN, "application/sparql-results+json", timeout=20)
    except (OSError, http.client.HTTPException):
        cross_status = "no answer in 20 s"
    cross = time.perf_counter() - started
    return {"update": update_status, "service": (status, service), "cross": (cross_status, cross)}


def listen() -> tuple[int, list]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    hits: list = []

    def accept() -> None:
        while True:
            try:
                conn, addr = sock.accept()
            except OSError:
                return
            hits.append(addr)
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    return sock.getsockname()[1], hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent client threads (default: %(default)s)")
    parser.add_argument("--queries", type=int, default=2000, help="queries in all (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of sslmb serve (default: 2)")
    parser.add_argument("--rounds", type=int, default=3, help="load rounds per server, alternating (default: 3)")
    parser.add_argument("--no-probes", action="store_true", help="skip the update/SERVICE/timeout probes")
    args = parser.parse_args()

    import kg

    graph = kg.load()
    data = graph.serialize("nq")
    mix = query_mix()
    version = subprocess.run(["oxigraph", "--version"], capture_output=True, text=True).stdout.strip()
    print(
        f"endpoint benchmark: {args.clients} clients, {args.queries} queries x {args.rounds} rounds over loopback, "
        f"{len(mix)} kinds "
        f"({', '.join(mix)}); {len(graph)} triples; {os.cpu_count()} cores"
    )
    starters = {
        f"sslmb serve ({args.workers} workers)": lambda: start_ours(args.workers, 2.0),
        "sslmb serve, --cache-mb 0": lambda: start_ours(args.workers, 2.0, cache_mb=0),
        f"{version} serve (in memory)": lambda: start_oxigraph(data, 2.0),
    }
    listener_port, hits = listen()
    running: dict[str, tuple[subprocess.Popen, int]] = {}
    rows_seen: dict[str, dict[str, int]] = {}
    idle: dict[str, tuple[float, float]] = {}
    cpu: dict[str, dict[str, float]] = {label: {"server": 0.0, "workers": 0.0, "requests": 0} for label in starters}
    rounds: dict[str, list[dict]] = {label: [] for label in starters}
    results: dict[str, dict] = {}
    try:
        for label, start in starters.items():
            proc, port = running[label] = start()
            rows_seen[label] = {}
            for name, (text, accept) in mix.items():  # warm-up, and the answers must agree
                status, body = ask(port, text, accept)
                assert status == 200, (label, name, status, body[:300])
                rows_seen[label][name] = count(body, accept)
            time.sleep(1.0)
            idle[label] = memory_mb(proc.pid)
        # Rounds alternate between the servers, so that other load on the machine weighs on both alike.
        for _ in range(args.rounds):
            for label, (_, port) in running.items():
                proc = running[label][0]
                before = cpu_seconds(proc.pid)
                rounds[label].append(run_load(port, mix, args.clients, args.queries))
                after = cpu_seconds(proc.pid)
                for pid, seconds in after.items():  # the server process, and its workers (replacements included)
                    cpu[label]["server" if pid == proc.pid else "workers"] += seconds - before.get(pid, 0.0)
                cpu[label]["requests"] += rounds[label][-1]["requests"]
        for label, (_, port) in running.items():
            runs = rounds[label]
            every = sorted(v for r in runs for v in r["latencies"])
            results[label] = {
                "throughput": statistics.median(r["throughput"] for r in runs),
                "throughputs": [r["throughput"] for r in runs],
                "p50": 1000 * statistics.median(every),
                "p99": 1000 * every[min(len(every) - 1, int(0.99 * len(every)))],
                "per_query": {
                    name: statistics.median(r["per_query"][name] for r in runs) for name in runs[0]["per_query"]
                },
                "errors": [e for r in runs for e in r["errors"]],
            }
            if not args.no_probes:  # last: oxigraph keeps computing the cross join after the client gives up
                results[label]["probes"] = probes(port, listener_port, hits)
    finally:
        for proc, _ in running.values():
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    first, *others = rows_seen.values()
    assert all(first == other for other in others), f"the servers disagree on row counts: {rows_seen}"

    print(f"rows per query (same on both): {first}")
    print()
    print(f"{'server':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'idle MB':>8}   req/s per round")
    for label, r in results.items():
        each = ", ".join(f"{t:.0f}" for t in r["throughputs"])
        print(
            f"{label:34} {r['throughput']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {len(r['errors']):7d}"
            f" {idle[label][0]:8.1f}   {each}"
        )
    *ours, anchor = results
    for label in ours:
        print(
            f"{label} / oxigraph: throughput {results[label]['throughput'] / results[anchor]['throughput']:.2f}x "
            f"(target >= 1), idle memory {idle[label][0] / idle[anchor][0]:.2f}x RSS, "
            f"{idle[label][1] / idle[anchor][1]:.2f}x PSS (target <= 2)"
        )
    print()
    print(f"{'CPU per request (ms)':34} {'server':>8} {'workers':>8} {'total':>8}   idle MB RSS / PSS")
    for label, c in cpu.items():
        server, workers = (1000 * c[k] / max(1, c["requests"]) for k in ("server", "workers"))
        print(
            f"{label:34} {server:8.2f} {workers:8.2f} {server + workers:8.2f}   "
            f"{idle[label][0]:.1f} / {idle[label][1]:.1f}"
        )
    print()
    print(
        "median latency per query (ms): "
        + "; ".join(f"{name}: " + " vs ".join(f"{r['per_query'][name]:.1f}" for r in results.values()) for name in mix)
    )
    if not args.no_probes:
        print()
        print(f"{'safety probe':34} {'update':>10} {'SERVICE to loopback':>22} {'cross join, 2 s timeout':>26}")
        for label, r in results.items():
            p = r["probes"]
            service = f"{p['service'][0]}, {'connected' if p['service'][1] else 'no connection'}"
            cross_status, cross_s = p["cross"]
            print(f"{label:34} {p['update']:>10} {service:>22} {f'{cross_status} after {cross_s:.1f} s':>26}")
    for label, r in results.items():
        if r["errors"]:
            print(f"{label}: first errors: {r['errors'][:3]}")


if __name__ == "__main__":
    main()
