"""The commands of stores and serving: ``load`` (an on-disk store), ``push`` (to a triple store), ``serve`` (the
SPARQL endpoint)."""

from __future__ import annotations

import sys

from kg.cli.common import print_json, print_table
from kg.core.errors import KGError


def cmd_load(args) -> int:
    from kg.ingest.bulk import ValidationFailed, bulk_load

    try:
        r = bulk_load(args.files, args.store, validate=args.validate, replace=args.replace, progress=args.progress)
    except ValidationFailed as exc:
        if args.format == "json":
            print_json(exc.report)
        else:
            print_table(
                ["severity", "focus", "path", "message"],
                [[v.severity, v.focus_label, v.path or "", v.message] for v in exc.report.results],
            )
        print(f"sslmb: error: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print_json(r)
        return 0
    for path in r.skipped:
        print(f"skipped {path}: already in the store", file=sys.stderr)
    added = r.triples - r.triples_before
    print(
        f"{r.store}: {r.triples} triples ({added:+d}) from {len(r.loaded)} file(s), {r.bytes / 1e6:.1f} MB, "
        f"{'validated' if r.validated else 'not validated'}, {r.seconds:.2f} s"
    )
    print(f"  {r.statements} statements in the default graph and {len(r.graphs)} named graph(s)")
    return 0


def cmd_push(args) -> int:
    import os

    from kg.core.backends.push import push
    from kg.facade import open_graph

    password = args.password if args.password is not None else os.environ.get("SSLMB_PASSWORD")
    r = push(
        open_graph(store=args.store),
        endpoint=args.endpoint,
        gsp=args.gsp,
        graph_iri=args.graph,
        ontology_graph=args.ontology_graph,
        user=args.user,
        password=password,
        replace=not args.append,
    )
    if args.format == "json":
        print_json(r)
        return 0
    size = f"({r.bytes / 1e6:.1f} MB)"
    if r.graph is None:  # a triple stated by two sources is sent in both graphs: statements
        print(f"{r.method} {len(r.graphs)} graph(s), {r.triples} statements {size}, to {r.gsp} in {r.seconds:.2f} s")
    else:
        print(f"{r.method} {r.triples} triples {size} into <{r.graph}> at {r.gsp} in {r.seconds:.2f} s")
    default = "(default graph)"
    rows = [
        [
            g.local or default,
            g.target or default,
            g.triples,
            "" if g.triples_at_endpoint is None else g.triples_at_endpoint,
        ]
        for g in r.graphs
    ]
    print_table(["graph here", "graph there", "triples here", "triples there"], rows)
    return 0


def cmd_serve(args) -> int:
    if getattr(args, "endpoint", None) or getattr(args, "graph", None):
        raise KGError("serve answers from the shipped graph or an on-disk --store, never from another endpoint")
    store = getattr(args, "store", None)
    if store is not None:
        from pathlib import Path

        from kg.core.backends.disk import read_info

        read_info(store)  # not a store: one line and exit 2 now, rather than workers that fail to start
        store = str(Path(store).resolve())
    sources = tuple(getattr(args, "sources", None) or ())
    if sources:  # an unknown key: one line and exit 2 now, rather than workers that fail to start
        from kg.cli.common import source_graph

        source_graph()
    from kg.endpoint.serve import serve
    from kg.endpoint.settings import Settings

    settings = Settings(
        host=args.host,
        port=args.port,
        query_timeout=args.query_timeout,
        max_rows=args.max_rows,
        cors=tuple(args.cors),
        workers=args.workers,
        cache_bytes=args.cache_mb << 20,
        store=store,
        sources=sources,
    )
    return serve(settings)
