"""``sslmb docs -o DIR``: the ontology's HTML documentation (pyLODE), the picture of its class hierarchy, and the
ontology as Turtle and JSON-LD (:mod:`kg.output.docs`)."""

from __future__ import annotations


def cmd_docs(args) -> int:
    from kg.output.docs import write

    for path in write(args.output):
        print(path)
    return 0
