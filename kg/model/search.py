"""Finding entities by what users type: labels, abbreviations, formulas, case- and format-insensitively."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from kg.core.errors import AmbiguousError, InputError, NotFoundError, WrongKindError, check_count, echo
from kg.core.namespaces import PREFIXES, QUDT, RDF, RDFS, SKOS, SSLMB, expand
from kg.core.notebook import Display
from kg.core.record import record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph
    from kg.core.terms import Entity
    from kg.model.nametable import NameTable

# Where a name comes from, and how much an exact hit on it is worth.
_NAME_FIELDS: dict[str, tuple[str, int]] = {
    RDFS + "label": ("label", 100),
    SKOS + "prefLabel": ("prefLabel", 98),
    SKOS + "altLabel": ("altLabel", 95),
    SSLMB + "formula": ("formula", 95),
    SKOS + "notation": ("notation", 95),
    QUDT + "symbol": ("symbol", 90),
}

# Domain entities come before bookkeeping ones when scores tie.
_KIND_ORDER = [
    "electrolyte",
    "electrolyte family",
    "material",
    "failure mode",
    "mechanism",
    "strategy",
    "theory",
    "claim",
    "safety aspect",
    "strategy category",
    "open problem",
    "trait",
    "metric",
    "cell",
    "agent",
    "reference",
    "review",
    "journal",
    "review part",
    "unit",
    "quantity kind",
    "class",
    "term",
    "quantity",
    "resource",
]

# Every kind an entity can have (kg.core.graph.Graph.kind), for checking what a user asks for.
KINDS: tuple[str, ...] = tuple(_KIND_ORDER)

_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "σ": "sigma", "ω": "ohm", "Ω": "ohm"}
_GREEK_TABLE = str.maketrans(_GREEK)
_NOT_NAME = re.compile(r"[^0-9a-z+]")
_NOT_WORD = re.compile(r"[^0-9a-z+]+")


def normalize(text: str) -> str:
    """Fold a name to the form used for matching: case, sub/superscripts, spacing and punctuation go.

    >>> normalize("Li₇La₃Zr₂O₁₂") == normalize("li7la3zr2o12")
    True
    >>> normalize("β-Li3PS4")
    'betali3ps4'
    >>> normalize("H₂S release")
    'h2srelease'
    """
    return _NOT_NAME.sub("", _folded(text))


def _folded(text: str) -> str:
    if not text.isascii():
        import unicodedata

        text = unicodedata.normalize("NFKC", text).translate(_GREEK_TABLE)
    return text.casefold()


def _words(text: str) -> list[str]:
    return [w for w in _NOT_WORD.split(_folded(text)) if w]


@record
class Match(Display):
    """One hit of :func:`find`: the entity, how it matched and its score (100 is an exact label)."""

    iri: str
    label: str
    kind: str
    score: int
    matched: str
    field: str


@record
class _Name:
    """One name of an entity in the search index: the text, where it comes from, and its folded forms."""

    iri: str
    text: str
    field: str
    weight: int
    norm: str
    words: tuple[str, ...]


def name_table(graph: Graph, kinds: set[str] | None = None) -> NameTable:
    """The names of every entity (built once per graph, on first need, and kept beside an on-disk store's
    generation: :mod:`kg.model.nametable`), or of the entities of ``kinds`` only when those are few enough to
    find by their classes (built once per set of kinds): what :func:`find` scores."""
    # (not on a remote store, where reading each member's names would be a request per member)
    if kinds is not None and graph._memo.get("search_index") is None and getattr(graph, "_indexed", False):
        classes = _classes_of(kinds)
        if classes is not None:
            key = "search_index:" + ",".join(sorted(kinds))
            return graph.memo(key, lambda g: _build_index(g, _members(g, classes, kinds)))
    from kg.model.nametable import saved

    return graph.memo("search_index", lambda g: saved(g, _build_index))


# The class whose members (instances of it or of its subclasses) have each kind, as kg.core.graph names kinds.
def _classes_of(kinds: set[str]) -> list[str] | None:
    from kg.core.graph import _KINDS

    by_kind = {kind: cls for cls, kind in _KINDS}
    if not kinds <= {*by_kind, "electrolyte family"}:
        return None  # "class", "term", "resource": no class to start from
    return sorted({by_kind.get(k, SSLMB + "Electrolyte") for k in kinds})


def _members(graph: Graph, classes: list[str], kinds: set[str]) -> set[str]:
    """The entities of ``kinds``: instances of ``classes`` or of their subclasses, and (electrolyte families)
    the subclasses themselves, kept when their kind is one of ``kinds``."""
    subclasses = {c for c in graph._superclasses if set(graph.ancestors(c)) & set(classes)} | set(classes)
    found = set(subclasses)
    for cls in sorted(subclasses):
        for quad in graph.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(cls)):
            if isinstance(quad.subject, ox.NamedNode):
                found.add(quad.subject.value)
    return {iri for iri in found if graph.kind(iri) in kinds}


def _build_index(graph: Graph, members: set[str] | None = None) -> NameTable:
    from kg.model.nametable import NameTable

    table = NameTable([], [], [], [], [])
    iris, texts, fields, weights, norms = table.iris, table.texts, table.fields, table.weights, table.norms
    for predicate, (field, weight) in _NAME_FIELDS.items():
        if members is None:
            quads = graph.store.quads_for_pattern(None, ox.NamedNode(predicate), None)
        else:
            quads = (
                q
                for m in sorted(members)
                for q in graph.store.quads_for_pattern(ox.NamedNode(m), ox.NamedNode(predicate), None)
            )
        for quad in quads:
            subject, obj = quad.subject, quad.object
            if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.Literal):
                iris.append(subject.value)
                texts.append(obj.value)
                fields.append(field)
                weights.append(weight)
                norms.append(normalize(obj.value))
    for iri in sorted(set(iris)):  # sorted: the same table in every process
        if iri.startswith(SSLMB):
            local = iri[len(SSLMB) :]
            iris.append(iri)
            texts.append(local)
            fields.append("iri")
            weights.append(90)
            norms.append(normalize(local))
    return table


def _score(query_norm: str, query_words: list[str], name: _Name) -> int:
    if not query_norm or not name.norm:
        return 0
    if name.norm == query_norm:
        return name.weight
    if name.field == "iri":  # an identifier counts when typed whole; a piece of one (a source key) is not a name
        return 0
    if name.norm.startswith(query_norm):
        return max(61, 80 - (len(name.norm) - len(query_norm)) // 2)
    if query_words and all(any(w.startswith(q) for w in name.words) for q in query_words):
        return max(51, 70 - (len(name.words) - len(query_words)) * 3)
    if len(query_norm) >= 3 and query_norm in name.norm:
        return max(40, 60 - (len(name.norm) - len(query_norm)) // 2)
    return 0


def _before(score: int, name: _Name, best_score: int, best: _Name) -> bool:
    """Whether ``name`` beats the best name so far: a higher score, then (a tie must not be settled by the
    order the store lists names in) the shorter name, then the alphabetically first."""
    return (-score, len(name.text), name.text) < (-best_score, len(best.text), best.text)


def find(graph: Graph, text: str, *, limit: int = 20, kinds: Iterable[str] | None = None) -> list[Match]:
    """Entities whose names match ``text``, best first; one row per entity (its best-matching name).

    >>> import kg
    >>> [m.label for m in kg.load().find("Li7La3Zr2O12")][:1]
    ['LLZO']
    """
    check_count("limit", limit)
    if not str(text).strip():
        raise InputError("nothing to find: give a label, an abbreviation or a formula")
    wanted = check_kinds(kinds)
    query_norm, query_words = normalize(text), _words(text)
    # Every way to score above 0 needs the first query word inside the name's folded form (a word is a run of
    # that form, and the whole query folds to its words joined): only those names are scored.
    first = query_words[0] if query_words else query_norm
    best: dict[str, tuple[int, _Name]] = {}
    table = name_table(graph, wanted)
    for row in table.containing(first) if first else ():
        text = table.texts[row]
        words = tuple(_words(text))
        name = _Name(table.iris[row], text, table.fields[row], table.weights[row], table.norms[row], words)
        score = _score(query_norm, query_words, name)
        if score and (name.iri not in best or _before(score, name, *best[name.iri])):
            best[name.iri] = (score, name)
    matches = []
    for iri, (score, name) in best.items():
        kind = graph.kind(iri)
        if wanted is not None and kind not in wanted:
            continue
        matches.append(Match(iri, graph.label(iri), kind, score, name.text, name.field))
    order = {k: i for i, k in enumerate(_KIND_ORDER)}
    matches.sort(key=lambda m: (-m.score, order.get(m.kind, len(order)), len(m.label), m.label))
    return matches[:limit]


def check_kinds(kinds: Iterable[str] | None) -> set[str] | None:
    """The kinds asked for, as a set (None for all); an unknown kind is an :class:`InputError` listing them.

    >>> check_kinds(["strategy"])
    {'strategy'}
    """
    if kinds is None:
        return None
    if isinstance(kinds, str):
        kinds = [kinds]
    wanted = set(kinds)
    unknown = sorted(k for k in wanted if k not in KINDS)
    if unknown:
        raise InputError(f"unknown kind {', '.join(echo(k) for k in unknown)}; the kinds are: {', '.join(KINDS)}")
    return wanted or None


def suggestions(graph: Graph, text: str, *, kinds: Iterable[str] | None = None, n: int = 5) -> list[str]:
    """Labels close to ``text`` (for "did you mean" messages)."""
    wanted = set(kinds) if kinds else None
    by_norm: dict[str, str] = {}
    table = name_table(graph)
    for iri, norm in zip(table.iris, table.norms, strict=True):
        if wanted is None or graph.kind(iri) in wanted:
            if norm not in by_norm or iri < by_norm[norm]:
                by_norm[norm] = iri
    import difflib

    close = difflib.get_close_matches(normalize(text), list(by_norm), n=n * 2, cutoff=0.6)
    labels: list[str] = []
    for norm in close:
        label = graph.label(by_norm[norm])
        if label not in labels:
            labels.append(label)
    return labels[:n]


def _looks_like_iri(text: str) -> bool:
    if text.startswith(("http://", "https://", "urn:", "<")):
        return True
    prefix, sep, local = text.partition(":")
    return bool(sep) and prefix in PREFIXES and bool(local) and " " not in text


def exact_label(graph: Graph, text: str) -> str | None:
    """The IRI whose English label is exactly ``text``, found by an index lookup (no search index needed)."""
    return graph.labelled(text)


def resolve(graph: Graph, text: str, *, kinds: Iterable[str] | None = None) -> Entity:
    """The single entity that ``text`` names.

    An IRI or prefixed name is taken as is (it must occur in the graph). Otherwise the best match wins
    when it is unique; ties raise :class:`AmbiguousError` listing the candidates, and no match raises
    :class:`NotFoundError` with the nearest labels.

    >>> import kg
    >>> kg.load().resolve("sslmb:LGPS").label
    'LGPS'
    """
    wanted = check_kinds(kinds)
    kinds = sorted(wanted, key=KINDS.index) if wanted else None
    if not isinstance(text, str):
        raise InputError(f"an entity is named by text, not {type(text).__name__}")
    text = text.strip()
    if not text:
        raise InputError("an empty name: give a label, an abbreviation, a formula, a prefixed name or an IRI")
    if _looks_like_iri(text):
        iri = expand(text)
        try:
            node = ox.NamedNode(iri)
        except ValueError as exc:
            raise InputError(f"{echo(text)} is not a valid IRI ({exc})") from None
        if next(iter(graph.store.quads_for_pattern(node, None, None)), None) is None:
            raise NotFoundError(text, suggestions(graph, iri.rsplit("/", 1)[-1], kinds=kinds))
        entity = graph.entity(iri)
        if kinds and entity.kind not in kinds:
            raise WrongKindError(text, entity.label, entity.kind, kinds)
        return entity
    exact = exact_label(graph, text)
    if exact is not None and (not kinds or graph.kind(exact) in kinds):
        return graph.entity(exact)
    matches = find(graph, text, limit=50, kinds=kinds)
    if kinds and (not matches or matches[0].score < 90):
        # The text names an entity exactly, but of another kind (an electrolyte given where a hazard is
        # wanted): say so, rather than settle for a partial match of the wanted kind or "no match".
        named = [m for m in find(graph, text, limit=5) if m.score >= 90]
        if exact is not None:
            named = [m for m in named if m.iri == exact] or named
        if named and len({m.iri for m in named}) == 1:
            raise WrongKindError(text, named[0].label, named[0].kind, kinds)
    if not matches:
        raise NotFoundError(text, suggestions(graph, text, kinds=kinds))
    top = matches[0].score
    leaders = [m for m in matches if m.score == top]
    # A partial match is accepted only when it clearly beats the runner-up.
    clear = len(matches) == 1 or top >= 90 or top - matches[1].score >= 15
    if len(leaders) == 1 and clear:
        return graph.entity(leaders[0].iri)
    candidates = [(m.label, m.iri, m.kind) for m in matches[:8]]
    raise AmbiguousError(text, candidates)


def resolve_each(graph: Graph, text: str, *, kinds: Iterable[str] | None = None) -> list[Entity]:
    """Every entity ``text`` may name: the one :func:`resolve` finds, or, where it is ambiguous, each close
    candidate (those not clearly beaten by the best match), best first. For commands that can answer for each
    ("mitigations contact" answers for every hazard with contact in its name).

    >>> import kg
    >>> [e.label for e in resolve_each(kg.load(), "contact", kinds=["mechanism", "failure mode"])]
    ['reaction with molten lithium', 'poor solid-solid contact']
    """
    try:
        return [resolve(graph, text, kinds=kinds)]
    except AmbiguousError:
        pass
    matches = find(graph, text, limit=8, kinds=kinds)
    top = matches[0].score
    return [graph.entity(m.iri) for m in matches if top - m.score < 15]
