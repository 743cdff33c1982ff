"""``sslmb serve`` and ``oxigraph serve`` under abuse, over loopback: figures, never assertions.

- starvation: 8 clients loop a 4-way cross join (each waits for its answer, then sends it again) while a ninth
  client sends a cheap query every 0.2 s; the cheap query's p50/p99 and failures. The attackers use 127.0.0.1;
  the cheap client runs once from the same address and once from 127.0.0.2 (another client, as the server sees
  it), and once more while the attackers vary their query text on every request.
- 256 clients: 256 threads, each sending 4 cheap queries on a connection of its own at once; errors, p50/p99.
- slowloris: N connections that send half a request head and then nothing; how many the server still holds after
  the hold time, and how a cheap query answers meanwhile.

    python benchmarks/abuse.py [--seconds 20] [--slowloris 1000] [--hold 30] [--repo DIR] [--no-oxigraph]

``--repo DIR`` runs ``python -m kg.cli serve`` from another checkout (to measure an older version the same way).
Needs the ``oxigraph`` command (PyPI package ``oxigraph``) unless ``--no-oxigraph``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "ASK { ?s ?p ?o }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, text: str, *, source: str = "127.0.0.1", timeout: float = 60.0, path: str | None = None):
    """One request on a new connection; (status or an error name, seconds)."""
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    try:
        target = path or "/sparql?" + urllib.parse.urlencode({"query": text})
        conn.request("GET", target, headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        response.read()
        status: int | str = response.status
    except (OSError, http.client.HTTPException) as exc:
        status = type(exc).__name__
    finally:
        conn.close()
    return status, time.perf_counter() - started


def wait_until_up(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if get(port, "ASK {}", timeout=5)[0] == 200:
            return
        time.sleep(0.2)
    raise RuntimeError(f"nothing answers on port {port}")


def start_ours(repo: Path, workers: int, timeout: float) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    # No answer cache (kg/endpoint/cache.py), where the checkout has one: the cheap query would be answered from
    # it, and what is measured here is how the workers are shared out.
    help_text = subprocess.run(
        [sys.executable, "-m", "kg.cli", "serve", "--help"], cwd=repo, capture_output=True, text=True
    ).stdout
    no_cache = ["--cache-mb", "0"] if "--cache-mb" in help_text else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", "--port", "0", "--workers", str(workers)]
        + ["--query-timeout", str(timeout), *no_cache],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group: stop() ends its workers too
    )
    line = proc.stdout.readline()  # type: ignore[union-attr]
    port = int(urllib.parse.urlsplit(line.split(" at ", 1)[1].strip()).port or 0)
    threading.Thread(target=proc.stdout.read, daemon=True).start()  # type: ignore[union-attr]
    wait_until_up(port)
    return proc, port


def start_oxigraph(data: bytes, timeout: float, folder: str) -> tuple[subprocess.Popen, int]:
    exe = shutil.which("oxigraph")
    if exe is None:
        raise SystemExit("the `oxigraph` command is missing: python -m pip install oxigraph (or --no-oxigraph)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "serve", "--location", folder, "--bind", f"127.0.0.1:{port}", "--timeout-s", str(int(timeout))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_until_up(port)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/store?default", body=data, headers={"Content-Type": "application/n-triples"})
    response = conn.getresponse()
    response.read()
    assert response.status in (200, 201, 204), response.status
    return proc, port


def stop(proc: subprocess.Popen) -> None:
    """End a server and everything it started (a worker left behind would go on computing a cross join)."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(20)
    except ProcessLookupError:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything of the group still there
    except ProcessLookupError:
        pass


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def starvation(port: int, seconds: float, cheap_from: str, vary: bool) -> dict:
    stop = threading.Event()
    attacks: list[object] = []

    def attacker(index: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            text = CROSS_JOIN + (f" # {index}-{n}" if vary else "")
            attacks.append(get(port, text, timeout=seconds + 30)[0])

    threads = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(8)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # the attackers hold the workers
    latencies: list[float] = []
    failures: list[object] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, took = get(port, CHEAP, source=cheap_from, timeout=seconds + 30)
        latencies.append(took)
        if status != 200:
            failures.append(status)
        time.sleep(0.2)
    stop.set()  # the attackers stop at their next answer; the caller stops the server
    return {
        "n": len(latencies),
        "p50": 1000 * statistics.median(latencies),
        "p99": 1000 * percentile(latencies, 0.99),
        "failed": len(failures),
        "failures": sorted({str(f) for f in failures}),
        "attacks": {str(s): attacks.count(s) for s in set(attacks)},
    }


def crowd(port: int, clients: int = 256, each: int = 4) -> dict:
    latencies: list[float] = []
    errors: list[object] = []
    lock = threading.Lock()
    gate = threading.Barrier(clients)

    def client() -> None:
        gate.wait()
        for _ in range(each):
            status, took = get(port, CHEAP)
            with lock:
                latencies.append(took)
                if status != 200:
                    errors.append(status)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "kinds": sorted({str(e) for e in errors}),
        "p50": 1000 * statistics.median(latencies),
        "p99": 1000 * percentile(latencies, 0.99),
        "wall": wall,
    }


def slowloris(port: int, connections: int, hold: float) -> dict:
    socks: list[socket.socket] = []
    for _ in range(connections):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            socks.append(s)
        except OSError:
            break
    opened = len(socks)
    health: list[float] = []
    health_failed = 0
    deadline = time.monotonic() + hold
    while time.monotonic() < deadline:
        status, took = get(port, CHEAP, timeout=10)  # a query: oxigraph serve has no /health
        if status == 200:
            health.append(took)
        else:
            health_failed += 1
        time.sleep(1.0)
    held = 0
    for s in socks:
        s.setblocking(False)
        try:
            data = s.recv(65536)
            if data and b"HTTP/1.1 " not in data[:9]:
                held += 1  # something, but not an answer
            elif not data:
                pass  # closed by the server
        except BlockingIOError:
            held += 1  # still open, nothing said
        except OSError:
            pass  # reset by the server
        s.close()
    return {
        "opened": opened,
        "held": held,
        "health_ok": len(health),  # the cheap query's answers during the hold
        "health_failed": health_failed,
        "health_p50": 1000 * statistics.median(health) if health else float("nan"),
        "health_max": 1000 * max(health) if health else float("nan"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20, help="length of each starvation run (default: 20)")
    parser.add_argument("--slowloris", type=int, default=1000, help="slow connections (default: 1000)")
    parser.add_argument("--hold", type=float, default=30, help="how long they are held (default: 30 s)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of sslmb serve (default: 2)")
    parser.add_argument("--timeout", type=float, default=10, help="query timeout of both servers (default: 10 s)")
    parser.add_argument("--repo", type=Path, default=REPO, help="checkout whose kg.cli serve to run (default: this)")
    parser.add_argument("--no-oxigraph", action="store_true", help="measure sslmb serve only")
    parser.add_argument("--label", help="how to name the sslmb serve row (default: its git revision)")
    parser.add_argument(
        "--scenarios", default="crowd,slowloris,same,other,vary", help="which to run (default: all five)"
    )
    args = parser.parse_args()

    import kg

    graph = kg.load()
    head = subprocess.run(["git", "-C", str(args.repo), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    revision = head.stdout.strip() or "unknown"
    print(
        f"abuse benchmark: {len(graph)} triples, {os.cpu_count()} cores; sslmb serve from {args.repo} "
        f"({revision}), {args.workers} workers, query timeout {args.timeout:g} s; starvation runs "
        f"{args.seconds:g} s; slowloris {args.slowloris} connections held {args.hold:g} s",
        flush=True,
    )
    servers = {f"sslmb serve ({args.label or revision})": lambda: start_ours(args.repo, args.workers, args.timeout)}
    folder = tempfile.TemporaryDirectory()
    if not args.no_oxigraph:
        data = graph.serialize("nt")
        version = subprocess.run(["oxigraph", "--version"], capture_output=True, text=True).stdout.strip()
        servers[f"{version} serve"] = lambda: start_oxigraph(data, args.timeout, folder.name)
    rows: dict[str, dict] = {}
    for label, start in servers.items():
        row: dict = {}
        # each scenario on a fresh server: oxigraph keeps computing a cross join its client gave up on
        for name in args.scenarios.split(","):
            proc, port = start()
            try:
                if name == "crowd":
                    row[name] = crowd(port)
                elif name == "slowloris":
                    row[name] = slowloris(port, args.slowloris, args.hold)
                else:
                    source = "127.0.0.1" if name == "same" else "127.0.0.2"
                    row[name] = starvation(port, args.seconds, source, vary=name == "vary")
                print(f"{label}: {name}: {row[name]}", flush=True)
            finally:
                stop(proc)
        rows[label] = row
    folder.cleanup()

    print()
    print(
        "| server | cheap query while 8 clients loop a cross join: p50 / p99 ms, failed (same address) | "
        "same, cheap client from another address | same, attackers vary the text | "
        "256 clients x 4 queries: errors, p50 / p99 ms | slowloris: connections still held, cheap query p50 / max ms |"
    )
    print("|---|---|---|---|---|---|")
    for label, row in rows.items():
        cells = []
        for name in ("same", "other", "vary"):
            s = row.get(name)
            cells.append(f"{s['p50']:.0f} / {s['p99']:.0f}, {s['failed']} of {s['n']} failed" if s else "")
        c = row.get("crowd")
        cells.append(f"{c['errors']} of {c['requests']}, {c['p50']:.0f} / {c['p99']:.0f}" if c else "")
        w = row.get("slowloris")
        if w:
            health = f"{w['health_p50']:.0f} / {w['health_max']:.0f}" + (
                f" ({w['health_failed']} failed)" if w["health_failed"] else ""
            )
            cells.append(f"{w['held']} of {w['opened']}, {health}")
        else:
            cells.append("")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
