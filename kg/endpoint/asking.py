"""``/ask?q=QUESTION`` on ``sslmb serve``: a question in words answered in a worker process (which holds the
graph) by :func:`kg.analysis.ask.ask`; the reply is the answer's JSON, as ``sslmb ask --format json`` prints it."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

MAX_QUESTION = 1000


def answer_json(graph: Any, question: str) -> tuple[int, str, dict[str, str], bytes]:
    """The reply to ``/ask``: (status, media type, headers, body)."""
    from kg.analysis.ask import ask
    from kg.core.errors import KGError
    from kg.core.jsonout import to_json

    try:
        answer = ask(graph, question)
    except KGError as exc:
        return 400, "text/plain; charset=utf-8", {}, (" ".join(str(exc).split()) + "\n").encode()
    headers = {"X-Ask-Sure": "true" if answer.sure else "false"}
    return 200, "application/json", headers, to_json(answer).encode()
