"""Routing a question to what answers it: the entities it names (found by the graph's own names: labels,
abbreviations, formulas), the numbers it gives (with their units), and a BM25 score of its words against each
target's summary, tags and trigger words; the parameters of each target are filled from those entities and numbers.

Plain lexical matching, offline: no service, no model. :func:`route` returns every target scored, best first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kg.analysis.ask.lexicon import NEGATIONS, NEUTRAL, SYNONYMS, TRAVERSALS, fold, terms
from kg.analysis.ask.mentions import (
    MENTION_KINDS,
    Mention,
    Number,
    described_strategy,
    mentions,
    numbers,
    partial_mentions,
    tokens,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph

# A parameter whose default is of the kind on the left also takes the kinds on the right (a lesser fit).
_NEAR_KINDS = {
    "electrolyte": ("material",),
    "material": ("electrolyte",),
    "failure mode": ("mechanism",),
    "mechanism": ("failure mode",),
}
# Kinds whose names are ordinary words of the field (ionic conductivity, shear modulus): they name a parameter
# where a target takes one, and still count as words for the others.
_VOCABULARY_KINDS = frozenset({"metric", "trait", "safety aspect", "strategy category"})

# Weights of the score: an entity parameter filled by an entity of the kind its default has, or of a near kind;
# a parameter left empty (a traversal cannot run; a stored query falls back on its default); a number filled.
FILLED, NEAR, EMPTY_REQUIRED, EMPTY_DEFAULT, NUMBER_FILLED = 2.5, 0.8, 3.0, 2.0, 0.6
# A parameter that takes an entity of any kind (show, paths) says little about the question when filled; a question
# that is nothing but an entity's name (and words such as "what is", "tell me about") asks for its fact sheet.
ANY_FILLED, BARE = 1.0, 2.0
MENTION_WORDS = 0.25


@dataclass(frozen=True)
class Slot:
    """A parameter of a target: its name, its type (entity, number, integer, ...), the entity kinds it takes (best
    first; empty: any), its default (None: the target cannot run without it)."""

    name: str
    type: str
    kinds: tuple[str, ...]
    default: str | None


@dataclass(frozen=True)
class Target:
    """A stored question (``kind`` "query") or a traversal command (``kind`` "traversal") and its index terms."""

    name: str
    kind: str
    summary: str
    slots: tuple[Slot, ...]
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    """A target scored for a question, with the values its parameters would take (labels and numbers)."""

    target: Target
    score: float
    lexical: float
    params: dict[str, object]
    filled: tuple[str, ...]


# ------------------------------------------------------------------------------------------ the targets


def targets(graph: Graph) -> tuple[Target, ...]:
    """The stored competency questions and the traversals, with their slots and index terms."""
    return graph.memo("ask_targets", _build_targets)


def _build_targets(graph: Graph) -> tuple[Target, ...]:
    from kg.model.stored import stored_queries

    found = []
    for q in stored_queries():
        if q.kind != "cq":
            continue
        slots = tuple(Slot(p.name, p.type, _default_kinds(graph, p), p.default) for p in q.params)
        # the file name's words (after cq-NN) are its author's title of the question
        title = " ".join(q.name.split("-")[2:])
        text = " ".join([q.summary, title, *q.tags, *q.tags, *(p.name for p in q.params)])
        found.append(Target(q.name, "query", q.summary, slots, tuple(terms(text))))
    for name, (params, summary, triggers) in TRAVERSALS.items():
        slots = tuple(Slot(p, "entity", kinds or MENTION_KINDS, None) for p, kinds in params)
        found.append(Target(name, "traversal", summary, slots, tuple(terms(f"{summary} {triggers} {triggers}"))))
    return tuple(found)


def _default_kinds(graph: Graph, param) -> tuple[str, ...]:
    if param.type != "entity" or not param.default:
        return ()
    from kg.model.search import exact_label, resolve

    label = param.default.strip().strip("\"'")
    iri = exact_label(graph, label) or resolve(graph, label).iri
    kind = graph.kind(iri)
    return (kind, *_NEAR_KINDS.get(kind, ()))


def _number_kind(slot: Slot) -> tuple[str, str | None]:
    """What a numeric parameter holds, read from its name: a temperature, hours, a fraction (a default at most 1)
    or a count of what its name says (``min_strategies``: strategies)."""
    name = slot.name.lower()
    if "temp" in name:
        return "temp", None
    if "hour" in name:
        return "hours", None
    try:
        if slot.default is not None and float(slot.default) <= 1 and slot.type == "number":
            return "fraction", None
    except ValueError:
        pass
    noun = re.sub(r"^(min|max|at_least|at_most|n|num|number)_", "", name)
    words = terms(noun.replace("_", " "))
    return "count", words[0] if words else None


# ------------------------------------------------------------------------------------------ scoring


class _Index:
    """BM25 over the targets' terms."""

    def __init__(self, docs: tuple[Target, ...], k1: float = 1.2, b: float = 0.75) -> None:
        self.docs = docs
        self.k1, self.b = k1, b
        self.tf = [self._counts(d.terms) for d in docs]
        self.avg = sum(len(d.terms) for d in docs) / max(1, len(docs))
        df: dict[str, int] = {}
        for counts in self.tf:
            for term in counts:
                df[term] = df.get(term, 0) + 1
        n = len(docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self.vocabulary = set(df) | set(SYNONYMS.values())
        self.spellable = sorted(t for t in self.vocabulary if len(t) >= 5 and t.isalpha())

    @staticmethod
    def _counts(words: tuple[str, ...]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        return counts

    def score(self, n: int, query: dict[str, float]) -> float:
        """BM25 of document ``n`` for the query's terms, each with a weight (1 for a word of the question)."""
        tf, length = self.tf[n], len(self.docs[n].terms)
        total = 0.0
        for term, weight in query.items():
            f = tf.get(term, 0)
            if f:
                norm = f + self.k1 * (1 - self.b + self.b * length / self.avg)
                total += weight * self.idf[term] * f * (self.k1 + 1) / norm
        return total


def index(graph: Graph) -> _Index:
    return graph.memo("ask_index", lambda g: _Index(targets(g)))


def _fill(
    target: Target, found: list[Mention], nums: list[Number]
) -> tuple[float, dict[str, object], set[int], list[str]]:
    """The parameters of ``target`` filled from the question: (score of the fit, values, mentions used, numbers
    used as ``name=value``)."""
    score = 0.0
    values: dict[str, object] = {}
    used_iris: set[str] = set()
    used: set[int] = set()
    filled: list[str] = []
    used_numbers: set[int] = set()
    for slot in target.slots:
        if slot.type == "entity":
            best = None
            for rank, kind in enumerate(slot.kinds):
                for n, m in enumerate(found):
                    if n in used or m.iri in used_iris or m.kind != kind:
                        continue
                    if any(found[u].start == m.start for u in used):
                        continue
                    near = rank > 0 and target.kind == "query"
                    fit = ANY_FILLED if slot.kinds is MENTION_KINDS else NEAR if near else FILLED
                    fit *= 1 if m.exact else 0.8
                    if best is None or fit > best[0] or (fit == best[0] and m.start < found[best[1]].start):
                        best = (fit, n)
                if best is not None and target.kind == "query":
                    break
            if best is not None:
                score += best[0]
                used.add(best[1])
                used_iris.add(found[best[1]].iri)
                values[slot.name] = found[best[1]].label
            elif slot.default is None:
                score -= EMPTY_REQUIRED
            else:
                score -= EMPTY_DEFAULT
                values[slot.name] = slot.default.strip().strip("\"'")
        elif slot.type in ("number", "integer"):
            kind, noun = _number_kind(slot)
            pick = None
            for n, num in enumerate(nums):
                if n in used_numbers or num.unit != kind:
                    continue
                if kind == "count" and noun is not None and noun not in num.next_terms:
                    continue
                pick = n
                break
            if pick is not None:
                used_numbers.add(pick)
                value = nums[pick].value
                values[slot.name] = int(value) if slot.type == "integer" or value.is_integer() else value
                filled.append(f"{slot.name}={values[slot.name]}")
                score += NUMBER_FILLED * {"fraction": 1, "temp": 2}.get(kind, 4)
            elif slot.default is not None:
                values[slot.name] = _number(slot.default)
        elif slot.default is not None:
            values[slot.name] = slot.default
    return score, values, used, filled


def _spelt(idx: _Index, term: str) -> str:
    """A word the router does not know, read as the known word it is a misspelling of (``conductivty``), when one is
    close enough (difflib's ratio of at least 0.85, words of six letters or more)."""
    if term in idx.vocabulary or len(term) < 6 or not term.isalpha():
        return term
    import difflib

    close = difflib.get_close_matches(term, idx.spellable, n=1, cutoff=0.85)
    return close[0] if close else term


def _negated(question: str, toks: list[tuple[str, int, int]]) -> set[int]:
    """The tokens of clauses the question rules out: from a negation ("not", "rather than") to the next comma,
    semicolon, bracket or end."""
    text = fold(question)
    out: set[int] = set()
    for word in NEGATIONS:
        for m in re.finditer(rf"\b{word}\b", text):
            end = re.search(r"[,;:.?!()]", text[m.end() :])
            stop = m.end() + end.start() if end else len(text)
            out.update(n for n, (_, a, _) in enumerate(toks) if m.start() <= a < stop)
    return out


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def route(graph: Graph, question: str) -> tuple[list[Scored], float, list[str]]:
    """Every target scored for ``question``, best first; the share of the question's own words (outside the
    entities it names) that the router knows (a low share means the question is about something else); and the
    question's own terms."""
    idx = index(graph)
    found = mentions(graph, question)
    taken = {n for m in found for n in range(m.start, m.end)}
    found += partial_mentions(graph, question, taken, idx.vocabulary, {m.iri for m in found})
    if not any(m.kind == "strategy" for m in found):
        found += described_strategy(graph, question)
    found.sort(key=lambda m: (m.start, not m.exact))
    toks = tokens(question)
    chars = [(toks[m.start][1], toks[m.end - 1][2]) for m in found]
    nums = numbers(question, chars)
    in_mention = {n for m in found for n in range(m.start, m.end)}
    generic = {n for m in found if m.kind == "generic" for n in range(m.start, m.end)}
    negated = _negated(question, toks)
    word_terms = [
        (n, _spelt(idx, t))
        for n, (text, _, _) in enumerate(toks)
        if n not in negated and n not in generic
        for t in terms(text)
    ]
    own = [
        t
        for n, t in word_terms
        if n not in in_mention and not t.replace(".", "").isdigit() and t not in NEUTRAL and len(t) > 2
    ]  # (words of one or two letters are units and element symbols: h, mg)
    known = sum(1 for t in own if t in idx.vocabulary) / len(own) if own else 1.0
    # the words of an entity named exactly weigh little for targets it does not fill (its name is not the question's
    # frame); those of entities whose names are ordinary words of the field, or named only in part, weigh fully
    weight = {
        k: MENTION_WORDS for m in found if m.exact and m.kind not in _VOCABULARY_KINDS for k in range(m.start, m.end)
    }
    scored = []
    for n, target in enumerate(idx.docs):
        fit, values, used, numbers_used = _fill(target, found, nums)
        # words of an entity that fills a parameter count for the parameter, not again as words; entities whose
        # names are ordinary words of the field count as words for every other target
        consumed = {k for u in used for k in range(found[u].start, found[u].end)}
        query: dict[str, float] = {}
        for k, t in word_terms:
            if k not in consumed:
                query[t] = max(query.get(t, 0.0), weight.get(k, 1.0))
        lexical = idx.score(n, query)
        if target.name == "show" and used and not [t for t in own if t in idx.vocabulary and t not in target.terms]:
            fit += BARE
        filled = tuple(found[u].label for u in sorted(used)) + tuple(numbers_used)
        scored.append(Scored(target, lexical + fit, lexical, values, filled))
    scored.sort(key=lambda s: (-s.score, s.target.name))
    return scored, known, own
