"""What every command shares: the graph it reads (the shipped one, an on-disk ``--store`` or an ``--endpoint``, all
of it or some of its sources with ``--source``), printing JSON and tables, and the one-line hints of an empty or
wrong-kind answer."""

from __future__ import annotations

import sys

from kg.core.errors import KGError, WrongKindError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

# Where the running command reads the graph: --store DIR / --endpoint URL [--graph IRI] (kg/core/backends/), and
# which sources (--source KEY, repeatable: "sources" holds the list), set by main() for every command that reads the
# graph; empty means the whole shipped graph, in memory.
SOURCE: dict[str, Any] = {}


def source_graph():
    """The graph the running command reads (:func:`kg.facade.open_graph` of :data:`SOURCE`)."""
    if SOURCE:
        from kg.facade import open_graph

        return open_graph(**SOURCE)
    from kg.facade import load

    return load()


def print_json(obj) -> None:
    from kg.core.jsonout import to_json

    print(to_json(obj))


def print_table(headers, rows) -> None:
    from kg.output.text import table

    print(table(headers, rows))


def wrong_kind_hint(exc: WrongKindError, text: str) -> KGError:
    """The wrong-kind error with the command that takes that kind."""
    if exc.kind in ("electrolyte", "electrolyte family", "material"):
        other = "risks"
    elif exc.kind in ("mechanism", "failure mode"):
        other = "mitigations"
    else:
        return exc
    return KGError(f"{exc}; try: sslmb {other} {quoted(text)}")


def quoted(text: str) -> str:
    import shlex

    return shlex.quote(text if len(text) <= 80 else text[:80] + "…")


def nothing(what: str) -> int:
    """An empty answer: said on stderr, exit 1 (as find and paths do)."""
    print(what, file=sys.stderr)
    return 1
