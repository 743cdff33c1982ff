"""The commands of sources: ``sources`` (list them), ``add`` (a curation file in, all or nothing) and ``remove``."""

from __future__ import annotations

import sys

from kg.cli.common import print_json, print_table, source_graph


def cmd_sources(args) -> int:
    from kg.model.sources import sources

    found = sources(source_graph())
    if args.format == "json":
        print_json(found)
        return 0 if found else 1
    print_table(
        ["key", "kind", "title", "year", "doi or url", "licence", "statements"],
        [[s.key, s.kind, s.title, s.year or "", s.doi or s.url or "", s.licence or "", s.statements] for s in found],
    )
    return 0 if found else 1


def cmd_add(args) -> int:
    from kg.ingest.add import Rejected, add

    try:
        r = add(args.file, store=args.store, dry_run=args.dry_run)
    except Rejected as exc:
        head, *items = str(exc).splitlines()
        print("\n".join([f"sslmb: error: {head}", *items]), file=sys.stderr)
        return exc.exit_code
    if args.format == "json":
        print_json(r)
        return 0
    # the file is named once, so that the line numbers (what a curator needs) are never cut off
    print(f"{r.file}: {len(r.decisions)} names")
    rows = [
        [
            d["where"].rsplit(":", 1)[-1] if d["where"].startswith(f"{r.file}:") else d["where"],
            d["name"],
            d["outcome"],
            d["label"] or "",
            d["how"] or "",
            f"{d['score']:.2f}" if d.get("score") is not None and d["how"] == "fuzzy label" else "",
            d["reason"],
        ]
        for d in r.decisions
    ]
    print_table(["line", "name", "outcome", "entity", "how", "score", "why"], rows)
    print()
    counts = ", ".join(f"{n} {k}" for k, n in r.resolution.items())
    verb = "would write" if r.dry_run else ("replaced" if r.replaced else "added")
    facts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in r.counts.items() if n and k != "quads")
    print(f"{r.key}: {counts}; {len(r.created)} entities created; {facts}")
    print(
        f"{verb} {r.quads} statements in <{r.graph}>"
        + (f": {', '.join(r.written)}" if r.written else "")
        + f" ({r.seconds:.1f} s)"
    )
    return 0


def cmd_remove(args) -> int:
    from kg.ingest.add import Rejected, remove

    try:
        r = remove(args.key, store=args.store)
    except Rejected as exc:
        print(f"sslmb: error: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.format == "json":
        print_json(r)
        return 0
    print(f"removed {r.key}: {r.quads} statements of <{r.graph}>" + (f" ({', '.join(r.written)})" if r.written else ""))
    return 0
