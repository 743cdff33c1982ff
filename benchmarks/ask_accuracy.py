"""How often ``sslmb ask`` routes a question right: the phrasings of tests/data/ask/phrasings.csv (written by
someone other than the router's author, each with the target and parameters that answer it) and the questions of
tests/data/ask/unsure.csv (which the router must say it is not sure about). Figures, never assertions
(tests/test_ask.py asserts the floor).

A phrasing is right when the router is sure, picks the expected target, and every parameter names the same entity
as the expected value (both resolved by the graph: ``dendrites`` and ``lithium dendrite penetration`` are one) or
equals the expected number; a parameter the row leaves out must keep the query's default.

The rows are split in two by position: ``even`` (rows 0, 2, 4...) is the half whose misses the router's author
looked at while choosing general vocabulary; ``odd`` is held out. Both halves are reported.

    python benchmarks/ask_accuracy.py [--misses] [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data" / "ask"


def expected_params(text: str) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (p.partition("=") for p in text.split(";") if p.strip())}


def same(graph, slot, got, want) -> bool:
    """Whether the router's value names what the expected value names."""
    from kg.core.errors import KGError
    from kg.model.search import resolve, resolve_each

    if got is None:
        return False
    if slot.type in ("number", "integer"):
        try:
            return abs(float(got) - float(want)) < 1e-9
        except ValueError:
            return False
    try:
        wanted = {e.iri for e in resolve_each(graph, str(want).strip().strip("\"'"))}
        return resolve(graph, str(got)).iri in wanted
    except KGError:
        return False


def judge(graph, row) -> tuple[bool, str, object]:
    from kg.analysis.ask import ask

    answer = ask(graph, row["question"], run=False)
    want = expected_params(row["params"])
    if not answer.sure:
        return False, "not sure", answer
    if answer.target != row["target"]:
        return False, "target", answer
    from kg.analysis.ask.router import targets

    target = next(t for t in targets(graph) if t.name == answer.target)
    for slot in target.slots:
        wanted = want.get(slot.name, slot.default)
        if wanted is None or not same(graph, slot, answer.params.get(slot.name), wanted):
            return False, f"param {slot.name}", answer
    return True, "", answer


def measure(graph) -> dict:
    from kg.analysis.ask import ask

    with open(DATA / "phrasings.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(DATA / "unsure.csv", encoding="utf-8", newline="") as f:
        vague = [r["question"] for r in csv.DictReader(f)]
    results = []
    for n, row in enumerate(rows):
        ok, why, answer = judge(graph, row)
        results.append(
            {
                "row": n + 2,  # the line of the CSV file (after its header)
                "half": "even" if n % 2 == 0 else "odd",
                "question": row["question"],
                "expected": {"target": row["target"], "params": expected_params(row["params"])},
                "got": {"target": answer.target, "params": answer.params, "sure": answer.sure},
                "confidence": answer.confidence,
                "right": ok,
                "miss": why,
            }
        )
    unsure = []
    for q in vague:
        a = ask(graph, q, run=False)
        unsure.append({"question": q, "sure": a.sure, "target": a.target, "suggestions": len(a.suggestions)})

    def share(items) -> float:
        return round(sum(r["right"] for r in items) / len(items), 4) if items else 0.0

    return {
        "phrasings": len(results),
        "accuracy": share(results),
        "accuracy_even": share([r for r in results if r["half"] == "even"]),
        "accuracy_odd": share([r for r in results if r["half"] == "odd"]),
        "unsure_right": sum(1 for u in unsure if not u["sure"] and u["suggestions"] == 3),
        "unsure_total": len(unsure),
        "misses": [r for r in results if not r["right"]],
        "unsure": unsure,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")
    args = parser.parse_args()
    import kg

    result = measure(kg.load())
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return
    print(
        f"phrasings: {result['phrasings']}, accuracy {result['accuracy']:.1%} "
        f"(even half {result['accuracy_even']:.1%}, held-out odd half {result['accuracy_odd']:.1%})"
    )
    right, total = result["unsure_right"], result["unsure_total"]
    print(f"unsure questions answered 'not sure' with three suggestions: {right}/{total}")
    print(f"misses ({len(result['misses'])}):")
    for r in result["misses"]:
        got = r["got"]
        print(
            f"  line {r['row']} [{r['half']}] {r['miss']}: {r['question']!r}\n"
            f"      expected {r['expected']['target']} {r['expected']['params']}\n"
            f"      got      {got['target']} {got['params']} sure={got['sure']} confidence={r['confidence']}"
        )
    for u in result["unsure"]:
        if u["sure"]:
            print(f"  unsure question answered as sure: {u['question']!r} -> {u['target']}")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # | head
        sys.stderr.close()
