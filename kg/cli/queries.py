"""The commands of stored and ad-hoc SPARQL: ``queries`` lists them, ``query`` runs one."""

from __future__ import annotations

import sys

from kg.cli.common import print_json, print_table, source_graph
from kg.core.errors import KGError, echo


def cmd_queries(args) -> int:
    from kg.model.stored import stored_queries

    found = [q for q in stored_queries() if args.kind is None or q.kind == args.kind]
    if args.format == "json":
        from kg.core.jsonout import to_jsonable

        print_json([{k: v for k, v in to_jsonable(q).items() if k != "text"} for q in found])
        return 0
    rows = [[q.name, q.kind, q.summary, "; ".join(f"{p.name}={p.default}" for p in q.params)] for q in found]
    print_table(["name", "kind", "summary", "params (defaults)"], rows)
    return 0


def cmd_query(args) -> int:
    import time

    from kg.model import queries as sparql

    values = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise KGError(f"--param takes KEY=VALUE, got {echo(item)}")
        values[key.strip()] = value
    graph = source_graph()
    started = time.perf_counter()
    prepared = sparql.prepare(graph, args.source, values, allow_service=args.allow_service)
    raw = sparql.execute(graph, prepared)
    is_check = prepared.stored is not None and prepared.stored.kind == "check"
    if args.format == "table":
        result = sparql.collect(raw, prepared.source, started)
        _print_result(result)
        count = len(result)
    else:
        data = sparql.serialize(raw, args.format)
        sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
        sys.stdout.flush()
        count = len(sparql.collect(sparql.execute(graph, prepared), prepared.source, started)) if is_check else 0
    return 1 if is_check and count else 0


def _print_result(result) -> None:
    from kg.model.queries import display

    if result.form == "ask":
        print("true" if result.boolean else "false")
    elif result.form == "graph":
        for s, p, o in result.triples:
            print(f"{display(s)}  {display(p)}  {display(o)}")
    else:
        rows = [[display(row.get(v, "")) for v in result.variables] for row in result.rows]
        print_table(list(result.variables), rows)
        n = len(result.rows)
        print(f"({n} row{'s' if n != 1 else ''}, {result.seconds * 1000:.1f} ms)", file=sys.stderr)
