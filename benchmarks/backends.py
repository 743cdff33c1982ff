"""Backends, measured: bulk loading into an on-disk store, cold commands on it, and the same queries in memory,
on disk, on `oxigraph serve --union-default-graph` and on a private Virtuoso (both started here on loopback ports,
when installed). The graph is pushed as it is kept: one named graph per source, the ontology in the default graph
(on Virtuoso, in https://w3id.org/sslmb/graph/ontology), and read back as their union.

    python benchmarks/backends.py [--runs 21] [--triples 1000000]

Prints medians. ``--triples N`` also bulk-loads a synthetic N-Triples file of N triples (0 to skip).
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import kg
from kg import remote
from kg.core import resources

QUERIES = ["cq-01-failure-modes-of-electrolyte", "cq-09-long-cycling", "counts-per-class"]


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def cold_ms(args: list[str], runs: int) -> float:
    command = [sys.executable, "-m", "kg.cli", *args]
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache and bytecode
    return median_ms(lambda: subprocess.run(command, capture_output=True, check=True), runs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "?" + urlencode({"query": "ASK {}"}), timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} not ready after {seconds} s")


VIRTUOSO_INI = """[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = .
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = .
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
"""


def start_servers(folder: Path) -> tuple[list[subprocess.Popen], dict[str, tuple[str, dict]]]:
    """Start what is installed; returns the processes and name -> (endpoint, push credentials)."""
    processes, endpoints = [], {}
    oxigraph = Path(sys.executable).parent / "oxigraph"
    binary = str(oxigraph) if oxigraph.is_file() else shutil.which("oxigraph")
    if binary:
        port = free_port()
        processes.append(
            subprocess.Popen(
                [binary, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph"], stderr=subprocess.DEVNULL
            )
        )
        endpoints["oxigraph serve"] = (f"http://127.0.0.1:{port}/query", {})
    if shutil.which("virtuoso-t"):
        http, sql = free_port(), free_port()
        (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(sql=sql, http=http))
        processes.append(
            subprocess.Popen(
                ["virtuoso-t", "-f", "-c", "virtuoso.ini"],
                cwd=folder,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        endpoints["virtuoso"] = (f"http://127.0.0.1:{http}/sparql", {"user": "dba", "password": "dba"})
    for url, _ in endpoints.values():
        wait_ready(url, 90)
    return processes, endpoints


def synthetic(path: Path, triples: int) -> None:
    """Electrolytes with measurements, in the graph's vocabulary (a rough shape, for load speed only)."""
    s, q = "https://w3id.org/sslmb/synth/", "http://qudt.org/schema/qudt/"
    with path.open("w", encoding="utf-8") as out:
        for i in range(triples // 4):
            e, m = f"<{s}E{i}>", f"<{s}M{i}>"
            out.write(f'{e} <http://www.w3.org/2000/01/rdf-schema#label> "electrolyte {i}"@en .\n')
            out.write(f"{e} <https://w3id.org/sslmb/hasQuantity> {m} .\n")
            out.write(f'{m} <{q}value> "{i * 1e-5:.6g}"^^<http://www.w3.org/2001/XMLSchema#double> .\n')
            out.write(f"{m} <{q}hasUnit> <http://qudt.org/vocab/unit/S-PER-CentiM> .\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--triples", type=int, default=1_000_000)
    args = parser.parse_args()
    runs = args.runs
    work = Path(tempfile.mkdtemp(prefix="sslmb-bench-"))
    try:
        memory = kg.load()
        print(
            f"shipped graph: {len(memory)} triples ({memory.statement_count()} statements), "
            f"{sum(p.stat().st_size for p in resources.graph_files())} bytes"
        )
        loads = []
        for i in range(5):
            started = time.perf_counter()
            kg.bulk_load([], work / f"store{i}", validate=False, progress=False)
            loads.append(time.perf_counter() - started)
        store = work / "store0"
        print(f"sslmb load (no validation), shipped graph into a new store: {statistics.median(loads) * 1000:.0f} ms")
        started = time.perf_counter()
        kg.bulk_load([], work / "validated", progress=False)
        print(f"sslmb load with SHACL validation: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        kg.bulk_load([], store, validate=False, progress=False)
        print(f"loading the same files again (all skipped by SHA-256): {(time.perf_counter() - started) * 1000:.1f} ms")

        print("\ncold process, median of", runs)
        q = ["query", QUERIES[0], "--format", "csv"]
        print(f"  sslmb {' '.join(q[:2])}                : {cold_ms(q, runs):6.1f} ms")
        print(f"  sslmb {' '.join(q[:2])} --store DIR    : {cold_ms([*q, '--store', str(store)], runs):6.1f} ms")

        disk = kg.open_store(store)
        graphs = {"memory": memory, "disk store": disk}
        processes, endpoints = start_servers(work)
        try:
            for name, (url, creds) in endpoints.items():
                started = time.perf_counter()
                report = remote.push(memory, endpoint=url, **creds)
                print(
                    f"\npush to {name}: {time.perf_counter() - started:.2f} s, {len(report.graphs)} graphs, "
                    f"{report.triples_at_endpoint} statements there"
                )
                graphs[name] = remote.connect(url)
            print(f"\nwarm, median of {runs} (ms)")
            print(f"  {'':38s}" + "".join(f"{n:>16s}" for n in graphs))
            for name in QUERIES:
                row = [median_ms(lambda g=g, name=name: g.query(name), runs) for g in graphs.values()]
                print(f"  {name:38s}" + "".join(f"{t:16.1f}" for t in row))
            for label, fn in (
                ("COUNT(*) of the graph", lambda g: g.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")),
                ("show LGPS (fresh connection)", lambda g: _fresh(g).describe("LGPS")),
                ("stats (fresh connection)", lambda g: _fresh(g).stats()),
            ):
                row = [median_ms(lambda g=g, fn=fn: fn(g), max(3, runs // 4)) for g in graphs.values()]
                print(f"  {label:38s}" + "".join(f"{t:16.1f}" for t in row))
            for name, g in graphs.items():
                if isinstance(g.store, remote.RemoteStore):
                    fresh = _fresh(g)
                    fresh.describe("LGPS")
                    print(f"  requests for show LGPS on {name}: {fresh.store.requests}")
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=60)

        if args.triples:
            path = work / "synthetic.nt"
            synthetic(path, args.triples)
            size = path.stat().st_size
            started = time.perf_counter()
            report = kg.bulk_load([path], work / "synthetic", validate=False, progress=False)
            seconds = time.perf_counter() - started
            print(
                f"\nbulk load of {report.triples} synthetic triples ({size / 1e6:.0f} MB N-Triples) into a new store: "
                f"{seconds:.1f} s, {size / 1e6 / seconds:.0f} MB/s"
            )
            started = time.perf_counter()
            kg.bulk_load([], work / "synthetic", validate=False, progress=False)
            print(
                f"adding the shipped graph to it (checkpoint copy + load + swap): {time.perf_counter() - started:.2f} s"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fresh(graph: kg.KnowledgeGraph) -> kg.KnowledgeGraph:
    """The same backend without its caches (a new process would start this way)."""
    if isinstance(graph.store, remote.RemoteStore):
        return remote.connect(graph.store.endpoint, graph=graph.store.graph)
    return kg.KnowledgeGraph(graph.store, graph.sources)


if __name__ == "__main__":
    main()
