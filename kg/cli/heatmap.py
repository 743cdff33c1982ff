"""The ``heatmap`` command: electrolyte families x failure modes, known, mitigated or a gap
(:mod:`kg.analysis.coverage`, drawn by :mod:`kg.output.heatmap`)."""

from __future__ import annotations

import sys

from kg.cli.common import print_json, source_graph

_MARK = {"mitigated": "M", "known": "K", "gap": "."}


def cmd_heatmap(args) -> int:
    graph = source_graph()
    if args.output:
        from kg.output.heatmap import heatmap

        fmt = args.format if args.format in ("svg", "png") else None
        cov = heatmap(graph, args.output, max_hops=args.max_hops, format=fmt)
        counts = cov.counts
        where = "standard output" if args.output == "-" else args.output
        print(
            f"wrote {where}: {len(cov.rows)} families x {len(cov.columns)} failure modes; "
            f"{counts['mitigated']} mitigated, {counts['known']} known, {counts['gap']} gaps",
            file=sys.stderr,
        )
        return 0
    from kg.analysis.coverage import coverage

    cov = coverage(graph, max_hops=args.max_hops)
    if args.format == "json":
        print_json(cov)
        return 0
    if args.format in ("svg", "png"):
        from kg.core.errors import InputError

        raise InputError(f"--format {args.format} writes a picture: give the file with -o (- for standard output)")
    # a text grid: one letter per cell, columns numbered and named below
    width = max(2 * r.depth + len(r.label) for r in cov.rows)
    print(" " * width + "  " + "".join(str(j % 10) for j in range(len(cov.columns))))
    for row, cells in zip(cov.rows, cov.cells, strict=True):
        name = " " * (2 * row.depth) + row.label
        print(f"{name.ljust(width)}  " + "".join(_MARK[c.state] for c in cells))
    print()
    for j, (_, label) in enumerate(cov.columns):
        print(f"{j:>2}  {label}")
    counts = cov.counts
    print(f"\nM mitigated ({counts['mitigated']}), K known ({counts['known']}), . gap ({counts['gap']})")
    return 0
