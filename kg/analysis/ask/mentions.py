"""What a question names: the entities (by the graph's own names: labels, abbreviations, formulas; by part of a
name; misspelt; a strategy described by its parts) and the numbers with their units."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.analysis.ask.lexicon import STOP, fold, terms
from kg.core.namespaces import RDFS, SKOS, SSLMB
from kg.model.search import normalize

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph

# The kinds of entity a question may name as a parameter, in the order that settles a name shared by several.
MENTION_KINDS = (
    "electrolyte",
    "electrolyte family",
    "material",
    "failure mode",
    "mechanism",
    "strategy",
    "theory",
    "claim",
    "open problem",
    "safety aspect",
    "strategy category",
    "trait",
    "metric",
    "cell",
    "agent",
)
_NAME_PREDICATES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SSLMB + "formula", SKOS + "notation")
_TOKEN = re.compile(r"[^\W_]+\+?", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?|\.\d+)(?![\w.]*[A-Za-z])")
_UNIT = re.compile(
    r"\s*(?:(?P<temp>°\s*c|℃|deg(?:rees?)?(?:\s*c(?:elsius)?)?|c\b|k\b)|(?P<hours>h\b|hrs?\b|hours?\b)"
    r"|(?P<days>days?\b)|(?P<minutes>min\b|minutes?\b)|(?P<percent>%))"
)
_NOT_A_VALUE = re.compile(r"(?:table|fig(?:ure)?\.?|ref(?:erence)?\.?|cq-?|\[)\s*$")


@dataclass(frozen=True)
class Mention:
    """An entity a question names: the tokens it spans, the text, the entity and how exactly it was matched."""

    start: int
    end: int
    text: str
    iri: str
    kind: str
    label: str
    exact: bool


# ------------------------------------------------------------------------------------------ entities and numbers


def _names(graph: Graph) -> dict[str, list[tuple[str, str]]]:
    return graph.memo("ask_names", _build_names)


def _build_names(graph: Graph) -> dict[str, list[tuple[str, str]]]:
    """Normalised name -> [(iri, kind)] for the entities a question may name."""
    kinds: dict[str, str] = {}
    names: dict[str, list[tuple[str, str]]] = {}
    generic = _generic_families(graph)
    for predicate in _NAME_PREDICATES:
        for quad in graph.store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            subject, obj = quad.subject, quad.object
            if not isinstance(subject, ox.NamedNode) or not isinstance(obj, ox.Literal):
                continue
            iri = subject.value
            if iri not in kinds:
                kinds[iri] = graph.kind(iri)
            key = normalize(obj.value)
            kind = "generic" if iri in generic else kinds[iri]
            if kind in MENTION_KINDS + ("generic",) and len(key) >= 2 and (iri, kind) not in names.get(key, ()):
                names.setdefault(key, []).append((iri, kind))
    order = {k: i for i, k in enumerate(MENTION_KINDS + ("generic",))}
    for found in names.values():
        found.sort(key=lambda pair: (order[pair[1]], pair[0]))
    return names


def _generic_families(graph: Graph) -> set[str]:
    """Families so wide that naming them says nothing (electrolyte, solid-state electrolyte): those that nine in
    ten of the other families fall under."""
    rows = graph.select("SELECT DISTINCT ?f WHERE { ?f rdfs:subClassOf* sslmb:Electrolyte . FILTER(isIRI(?f)) }")
    families = [r["f"] for r in rows]
    under = {f: set(graph.ancestors(f)) for f in families}
    return {f for f in families if sum(f in under[o] for o in families if o != f) >= 0.9 * (len(families) - 1)}


def tokens(question: str) -> list[tuple[str, int, int]]:
    """The tokens of a question with their character offsets."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(question)]


def mentions(graph: Graph, question: str) -> list[Mention]:
    """The entities the question names, by exact (normalised) name, longest first, never overlapping; a plural
    of a name counts. A name shared by several entities gives one mention per entity."""
    names = _names(graph)
    toks = tokens(question)
    spans = []
    for i in range(len(toks)):
        for j in range(min(len(toks), i + 10), i, -1):
            text = question[toks[i][1] : toks[j - 1][2]]
            if j - i == 1 and (fold(text) in STOP or text.isdigit()):
                continue
            key = normalize(text)
            hits = names.get(key)
            if hits is None and len(key) > 3 and key.endswith("s"):
                hits = names.get(key[:-1]) or (names.get(key[:-2]) if key.endswith("es") else None)
            if hits is None and j - i == 1:  # "sulfides", "sulfide-type", "the oxide family": the family
                stem_key = key[:-1] if key.endswith("s") else key
                hits = [h for h in names.get(stem_key + "electrolyte", []) if h[1] == "electrolyte family"] or None
            if hits:
                spans.append((i, j, text, hits))
    spans.sort(key=lambda s: (-(s[1] - s[0]), -len(s[2]), s[0]))
    taken: set[int] = set()
    found: list[Mention] = []
    for i, j, text, hits in spans:
        if taken & set(range(i, j)):
            continue
        taken.update(range(i, j))
        found.extend(Mention(i, j, text, iri, kind, graph.label(iri), True) for iri, kind in hits)
    found.sort(key=lambda m: m.start)
    return found


def partial_mentions(
    graph: Graph, question: str, taken: set[int], vocabulary: set[str], exact: frozenset[str] | set[str] = frozenset()
) -> list[Mention]:
    """Entities named by part of their name (``Monroe-Newman criterion``): runs of words outside the exact
    mentions, not all of them words of the targets' vocabulary, that :func:`kg.model.search.find` matches by
    word prefixes, one entity clearly ahead."""
    from kg.model.search import find

    toks = tokens(question)
    runs: list[list[int]] = []
    run: list[int] = []
    for n, (text, _, _) in enumerate(toks):
        if fold(text) in STOP and n not in taken:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(n)
    if run:
        runs.append(run)
    found: list[Mention] = []
    for run in runs:
        done = False
        for length in range(len(run), 0, -1):
            for k in range(len(run) - length + 1):
                i, j = run[k], run[k + length - 1] + 1
                text = question[toks[i][1] : toks[j - 1][2]]
                words = terms(text)
                if not words or all(w in vocabulary for w in words) or len(normalize(text)) < 5:
                    continue
                if all(n in taken for n in range(i, j)):  # named exactly already
                    continue
                hits = find(graph, text, limit=3, kinds=MENTION_KINDS)
                clear = len(hits) == 1 or hits[0].score - hits[1].score >= 10 if hits else False
                if clear and hits[0].score >= (51 if length > 1 else 61) and hits[0].iri not in exact:
                    h = hits[0]
                    found.append(Mention(i, j, text, h.iri, h.kind, h.label, False))
                    done = True
                    break
            if done:
                break
    return found + _misspelt(graph, question, taken | {n for m in found for n in range(m.start, m.end)}, vocabulary)


def _misspelt(graph: Graph, question: str, taken: set[int], vocabulary: set[str]) -> list[Mention]:
    """Entities named by one misspelt word (``dendrties``): a long word the router does not know, close to a
    one-word name (difflib's ratio of at least 0.85), one entity only."""
    import difflib

    names = _names(graph)
    single = graph.memo("ask_single_names", lambda g: [k for k in names if k.isalpha() and len(k) >= 5])
    found = []
    for n, (text, _, _) in enumerate(tokens(question)):
        words = terms(text)
        if n in taken or len(text) < 6 or not words or words[0] in vocabulary:
            continue
        close = difflib.get_close_matches(normalize(text), single, n=2, cutoff=0.85)
        hits = names[close[0]] if close else []
        if len(hits) == 1:
            iri, kind = hits[0]
            found.append(Mention(n, n + 1, text, iri, kind, graph.label(iri), False))
    return found


def described_strategy(graph: Graph, question: str) -> list[Mention]:
    """A strategy the question describes by what it is made of rather than by its label ("the polyimide film filled
    with PEO/LiTFSI"): the one strategy whose label's words the question holds most of, at least two and at least
    three in five of them, clearly ahead of the next."""
    strategies = graph.memo(
        "ask_strategies",
        lambda g: [
            (r["s"], r["l"], set(terms(r["l"])))
            for r in g.select("SELECT DISTINCT ?s ?l WHERE { ?s a sslmb:MitigationStrategy ; rdfs:label ?l }")
        ],
    )
    toks = tokens(question)
    asked: dict[str, int] = {}
    for n, (text, _, _) in enumerate(toks):
        for t in terms(text):
            asked.setdefault(t, n)
    ranked = []
    for iri, label, words in strategies:
        shared = words & set(asked)
        if len(shared) >= 2 and len(shared) >= 0.6 * len(words):
            ranked.append((len(shared), len(shared) / len(words), iri, label, shared))
    ranked.sort(key=lambda r: (-r[0], -r[1], r[2]))
    if not ranked or (len(ranked) > 1 and ranked[1][:2] == ranked[0][:2]):
        return []
    _, _, iri, label, shared = ranked[0]
    start = min(asked[t] for t in shared)
    end = max(asked[t] for t in shared) + 1
    return [Mention(start, end, question[toks[start][1] : toks[end - 1][2]], iri, "strategy", label, False)]


@dataclass(frozen=True)
class Number:
    """A number the question gives, with what its unit says it is (temperature, hours, fraction, count)."""

    value: float
    unit: str
    start: int
    end: int
    next_terms: tuple[str, ...]


def numbers(question: str, taken_chars: list[tuple[int, int]]) -> list[Number]:
    """The numbers of a question outside entity names and outside table, figure and reference numbers."""
    text = fold(question)
    found = []
    for m in _NUMBER.finditer(text):
        if any(a <= m.start() < b for a, b in taken_chars) or _NOT_A_VALUE.search(text[: m.start()]):
            continue
        value = float(m.group(1))
        unit = _UNIT.match(text, m.end())
        kind = (unit.lastgroup or "count") if unit else ("fraction" if 0 <= value <= 1 else "count")
        if kind == "days":
            value, kind = value * 24, "hours"
        elif kind == "minutes":
            value, kind = value / 60, "hours"
        elif kind == "temp" and unit and unit.group().strip() == "k":
            value -= 273.15
        after = text[unit.end() if unit else m.end() :]
        found.append(Number(value, kind, m.start(), m.end(), tuple(terms(" ".join(after.split()[:5])))))
    if "room temperature" in text and not any(n.unit == "temp" for n in found):
        found.append(Number(25.0, "temp", text.index("room temperature"), 0, ()))
    return found
