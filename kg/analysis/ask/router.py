"""Routing a question to what answers it: the entities it names (found by the graph's own names: labels,
abbreviations, formulas), the numbers it gives (with their units), and a BM25 score of its words against each
target's summary, tags and trigger words; the parameters of each target are filled from those entities and numbers.

Plain lexical matching, offline: no service, no model. :func:`route` returns every target scored, best first.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.analysis.ask.lexicon import NEGATIONS, NEUTRAL, STOP, SYNONYMS, TRAVERSALS, fold, terms
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
_NAME_PREDICATES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SSLMB + "formula", SKOS + "notation")
_TOKEN = re.compile(r"[^\W_]+\+?", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?|\.\d+)(?![\w.]*[A-Za-z])")
_UNIT = re.compile(
    r"\s*(?:(?P<temp>°\s*c|℃|deg(?:rees?)?(?:\s*c(?:elsius)?)?|c\b|k\b)|(?P<hours>h\b|hrs?\b|hours?\b)"
    r"|(?P<days>days?\b)|(?P<minutes>min\b|minutes?\b)|(?P<percent>%))"
)
_NOT_A_VALUE = re.compile(r"(?:table|fig(?:ure)?\.?|ref(?:erence)?\.?|cq-?|\[)\s*$")

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
class Mention:
    """An entity a question names: the tokens it spans, the text, the entity and how exactly it was matched."""

    start: int
    end: int
    text: str
    iri: str
    kind: str
    label: str
    exact: bool


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
    rows = graph.select(
        "SELECT DISTINCT ?f WHERE { ?f rdfs:subClassOf* sslmb:Electrolyte . FILTER(isIRI(?f)) }"
    )
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
    graph: Graph, question: str, taken: set[int], vocabulary: set[str], exact: set[str] = frozenset()
) -> list[Mention]:
    """Entities named by part of their name (``Monroe-Newman criterion``): runs of words outside the exact
    mentions, not all of them words of the targets' vocabulary, that :func:`kg.model.search.find` matches by
    word prefixes, one entity clearly ahead."""
    from kg.model.search import find

    toks = tokens(question)
    runs, run = [], []
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
    asked = {}
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
        kind = unit.lastgroup if unit else ("fraction" if 0 <= value <= 1 else "count")
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
    return "count", (terms(noun.replace("_", " ")) or [None])[0]


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
    score, values, used_iris, used = 0.0, {}, set(), set()
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
        k: MENTION_WORDS
        for m in found
        if m.exact and m.kind not in _VOCABULARY_KINDS
        for k in range(m.start, m.end)
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
