"""``sslmb ask QUESTION``: a question in words routed to the stored question or traversal that answers it
(:mod:`kg.analysis.ask`); the command it ran is printed first, then its answer exactly as that command prints it.

Exit codes: 0 answered; 1 not sure (the three closest questions are listed, each with its command), or the answer
is empty (as the command it ran says); 2 an empty question or a parameter that names no entity.
"""

from __future__ import annotations

import sys
from argparse import Namespace

from kg.cli.common import print_json, source_graph


def cmd_ask(args) -> int:
    from kg.analysis.ask import ask

    graph = source_graph()
    question = " ".join(args.question) if isinstance(args.question, list) else args.question
    answer = ask(graph, question, run=args.format == "json")
    if args.format == "json":
        print_json(answer)
        return 0 if answer.sure else 1
    if not answer.sure:
        print(f"# not sure which question this is (confidence {answer.confidence:.2f}); the closest ones:")
        for n, s in enumerate(answer.suggestions, start=1):
            print(f"{n}. {s.target}: {s.summary}\n   {s.command}")
        return 1
    print(f"# {answer.command}" + (f"    ({answer.query})" if answer.query else ""))
    print(f"# {answer.target}, confidence {answer.confidence:.2f}")
    sys.stdout.flush()
    return _run(answer)


def _run(answer) -> int:
    """Run the routed command through its own command function, so the answer reads as that command's does."""
    values, fmt = answer.params, "table"
    if answer.kind == "query":
        from kg.cli.queries import cmd_query

        params = [f"{k}={v}" for k, v in values.items()]
        return cmd_query(Namespace(source=answer.target, param=params, format=fmt, allow_service=False))
    from kg.cli import analysis, reading

    if answer.target == "mitigations":
        return analysis.cmd_mitigations(Namespace(target=values["target"], max_hops=3, format=fmt))
    if answer.target == "risks":
        return analysis.cmd_risks(Namespace(electrolyte=values["electrolyte"], format=fmt))
    if answer.target == "paths":
        args = Namespace(source=values["source"], target=values["target"], max_hops=4, limit=50, format=fmt)
        return analysis.cmd_paths(args)
    if answer.target == "gaps":
        return analysis.cmd_gaps(Namespace(format=fmt))
    if answer.target == "centrality":
        return analysis.cmd_centrality(Namespace(limit=20, format=fmt))
    return reading.cmd_show(Namespace(entity=values["entity"], format=fmt))
