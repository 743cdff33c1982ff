"""Median time of `mitigations`, `risks`, `paths`, `gaps` and `centrality` on the shipped graph (warm,
in-process), and of building the causal projection and the full networkx projection (`to_networkx`).

    python benchmarks/traversal.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time

import kg
from kg.analysis import causal


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=51)
    args = parser.parse_args()
    import networkx  # noqa: F401  (import cost is not part of the figures below)

    def projection() -> None:
        g = kg.load()
        causal.projection(g).causal  # noqa: B018

    proj = median_ms(projection, 11)
    load = median_ms(kg.load, 11)
    g = kg.load()
    g.mitigations("dendrite penetration")  # warm the caches
    print(f"graph: {len(g)} triples")
    print(f"load graph                          : {load:7.2f} ms (median of 11)")
    print(f"load + causal projection (networkx) : {proj:7.2f} ms (median of 11)")
    for target in ("dendrite penetration", "H2S", "thermal runaway"):
        ms = median_ms(lambda t=target: g.mitigations(t), args.runs)
        print(f"mitigations({target!r:24}) : {ms:7.2f} ms (warm median)")
    for electrolyte in ("LGPS", "PEO"):
        ms = median_ms(lambda e=electrolyte: g.risks(e), args.runs)
        print(f"risks({electrolyte!r:30}) : {ms:7.2f} ms (warm median)")
    ms = median_ms(lambda: g.paths("LiF addition to LiBH4", "dendrite penetration", max_hops=4), args.runs)
    print(f"paths(LiF in LiBH4 -> dendrites, 4) : {ms:7.2f} ms (warm median, 200 paths)")
    print(f"gaps()                              : {median_ms(g.gaps, 11):7.2f} ms (warm median of 11)")
    print(f"centrality()                        : {median_ms(g.centrality, args.runs):7.2f} ms (warm median)")
    full = median_ms(g.to_networkx, 11)
    net = g.to_networkx()
    print(
        f"to_networkx() full projection       : {full:7.2f} ms (median of 11; "
        f"{net.number_of_nodes()} nodes, {net.number_of_edges()} edges)"
    )


if __name__ == "__main__":
    main()


# ------------------------------------------------------------------------------------------ network exports, drawings


def network_exports(runs: int = 11) -> None:
    """Medians of the projection on a fresh graph, the GEXF/GraphML writers and `sslmb draw`'s layout."""
    import tempfile
    from pathlib import Path

    from kg.analysis.network import to_networkx
    from kg.output import draw, gexf

    def fresh_projection() -> None:
        to_networkx(kg.load())

    g = kg.load()
    net = to_networkx(g)
    folder = Path(tempfile.mkdtemp())
    g.export(folder / "kg.gexf")
    g.export(folder / "kg.graphml")
    cold = median_ms(fresh_projection, runs) - median_ms(kg.load, runs)
    print(f"to_networkx() on a fresh load       : {cold:7.2f} ms (median of {runs}, load time subtracted)")
    print(f"to_networkx() warm                  : {median_ms(lambda: to_networkx(g), runs):7.2f} ms (median of {runs})")
    ms = median_ms(lambda: gexf.to_gexf(net), runs)
    print(
        f"to_gexf(projection)                 : {ms:7.2f} ms (median of {runs}; "
        f"{(folder / 'kg.gexf').stat().st_size / 1e6:.2f} MB)"
    )
    ms = median_ms(lambda: g.export(folder / "kg.gexf"), runs)
    print(f"export kg.gexf (projection + write) : {ms:7.2f} ms (median of {runs})")
    ms = median_ms(lambda: g.export(folder / "kg.graphml"), runs)
    print(
        f"export kg.graphml                   : {ms:7.2f} ms (median of {runs}; "
        f"{(folder / 'kg.graphml').stat().st_size / 1e6:.2f} MB)"
    )
    ms = median_ms(lambda: g.export(folder / "lgps.gexf", around="LGPS", hops=2), runs)
    print(f"export --around LGPS --hops 2       : {ms:7.2f} ms (median of {runs})")
    ms = median_ms(lambda: draw.to_svg(draw.layout(g, "dendrite penetration")), runs)
    print(f"draw 'dendrite penetration' (SVG)   : {ms:7.2f} ms (median of {runs}; layout + SVG text)")


if __name__ == "__main__":
    network_exports()
