"""``sslmb ask``: a question in plain words routed to the stored question or traversal that answers it, its
parameters filled from the entities the question names, run, and returned with the command that does the same, so
that the user learns the form. When the router is not sure it says so and offers the three closest questions.

>>> import kg
>>> a = ask(kg.load(), "what stops dendrites in garnet electrolytes?", run=False)
>>> a.target, a.command
('mitigations', "sslmb mitigations 'lithium dendrite penetration'")
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, field

from kg.analysis.ask.router import Scored, route, targets
from kg.core.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    from kg.core.graph import Graph

# The least score of an answer, and the lead that makes one piece of evidence enough (see :func:`is_sure`).
MIN_SCORE, CLEAR_LEAD, STRONG = 2.5, 1.5, 5.0
MAX_QUESTION = 1000


@dataclass(frozen=True)
class Suggestion:
    """A close question: the target, what it answers, and the command that asks it."""

    target: str
    summary: str
    command: str
    score: float


@dataclass(frozen=True)
class Answer:
    """What :func:`ask` found. ``sure`` is False when the router would not pick a target (then ``target`` is the
    best guess, nothing was run, and ``suggestions`` holds the three closest questions). ``query`` is the stored
    query's file for a stored question; ``answer`` the result (rows of a stored question, the traversal's result).
    ``confidence`` is :func:`confidence`, halved when the router is not sure."""

    question: str
    sure: bool
    target: str
    kind: str
    params: dict[str, Any]
    confidence: float
    command: str
    query: str | None
    answer: Any = None
    suggestions: tuple[Suggestion, ...] = field(default=())


def command(scored: Scored) -> str:
    """The ``sslmb`` command line that asks the same."""
    t, values = scored.target, scored.params
    if t.kind == "query":
        parts = ["sslmb", "query", t.name]
        for slot in t.slots:
            if slot.name in values:
                parts += ["-p", f"{slot.name}={values[slot.name]}"]
    else:
        parts = ["sslmb", t.name, *(str(values[s.name]) for s in t.slots if s.name in values)]
    return " ".join(shlex.quote(p) for p in parts)


def confidence(best: float, second: float, known: float) -> float:
    """How sure the router is, from 0 to 1: the best score's strength, its lead over the next target, and the
    share of the question's words the router knows.

    >>> confidence(6.0, 2.0, 1.0) > confidence(6.0, 5.8, 1.0) > confidence(6.0, 5.8, 0.5)
    True
    """
    if best <= 0:
        return 0.0
    strength = 1 - math.exp(-best / 2.5)
    lead = 0.6 + 0.4 * min(1.0, (best - max(second, 0.0)) / 2)
    return round(strength * lead * known, 3)


def is_sure(scored: Scored, second: float, known: float, evidence: int) -> bool:
    """Whether the router answers rather than offers suggestions. It must know at least half of the question's
    own words (those outside the entities it names: "price", "supplier" are words no target knows), the best
    target must score at least :data:`MIN_SCORE`, be able to run (every parameter without a default filled), and
    rest on two pieces of evidence (words shared with its summary and entities filling its parameters), one of
    them an entity, or lead the next target by :data:`CLEAR_LEAD`, or score :data:`STRONG` or more.
    """
    if known < 0.5 or scored.score < MIN_SCORE or not _runnable(scored):
        return False
    return evidence >= 2 or bool(scored.filled) or scored.score - second >= CLEAR_LEAD or scored.score >= STRONG


def ask(graph: Graph, question: str, *, run: bool = True) -> Answer:
    """Route ``question`` to the stored question or traversal that answers it, fill its parameters and, when sure
    and ``run``, run it. An empty question is an :class:`~kg.core.errors.InputError`."""
    if not isinstance(question, str) or not question.strip():
        raise InputError("ask a question in words, e.g. sslmb ask 'what stops dendrites in garnet electrolytes?'")
    question = " ".join(question.split())[:MAX_QUESTION]
    scored, known, asked = route(graph, question)
    best = scored[0]
    second = next((s.score for s in scored[1:] if s.target.name != best.target.name), 0.0)
    conf = confidence(best.score, second, known)
    evidence = len(set(asked) & set(best.target.terms)) + len(best.filled)
    sure = is_sure(best, second, known, evidence)
    if not sure:  # halved, so that an answer the router will not give reads below those it gives
        conf = round(conf / 2, 3)
    suggestions = tuple(Suggestion(s.target.name, s.target.summary, command(s), round(s.score, 3)) for s in scored[:3])
    answer = Answer(
        question,
        sure,
        best.target.name,
        best.target.kind,
        dict(best.params),
        conf,
        command(best),
        _query_file(best),
        None,
        () if sure else suggestions,
    )
    if sure and run:
        answer = Answer(**{**answer.__dict__, "answer": execute(graph, best)})
    return answer


def _runnable(scored: Scored) -> bool:
    return all(s.name in scored.params for s in scored.target.slots)


def _query_file(scored: Scored) -> str | None:
    if scored.target.kind != "query":
        return None
    from kg.model.stored import stored_query

    return stored_query(scored.target.name).file


def execute(graph: Graph, scored: Scored) -> Any:
    """Run a routed target: the stored query's rows, or the traversal's result."""
    name, values = scored.target.name, scored.params
    if scored.target.kind == "query":
        from kg.model.queries import run

        return run(graph, name, values)
    if name == "mitigations":
        from kg.analysis.mitigations import mitigations

        return mitigations(graph, str(values["target"]))
    if name == "risks":
        from kg.analysis.risks import risks

        return risks(graph, str(values["electrolyte"]))
    if name == "paths":
        from kg.analysis.paths import paths

        return paths(graph, str(values["source"]), str(values["target"]))
    if name == "gaps":
        from kg.analysis.gaps import gaps

        return gaps(graph)
    if name == "centrality":
        from kg.analysis.centrality import centrality

        return centrality(graph)
    if name == "show":
        from kg.model.describe import describe
        from kg.model.search import resolve

        return describe(graph, resolve(graph, str(values["entity"])).iri)
    raise InputError(f"unknown target {name!r}")  # pragma: no cover - targets() lists only the above


__all__ = ["Answer", "Suggestion", "ask", "command", "confidence", "execute", "route", "targets"]
