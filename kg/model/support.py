"""Support and contradiction: which sources back a claim, a link or a number, which sources go against a claim, and
how many of them are independent.

A *piece* of evidence is one source stating something, resting on the original works it cites for it
(``prov:hadPrimarySource``) or, when it cites none, on the source itself (its own finding or view). Two pieces that
rest on the same original work (the same cited-work IRI, or the same DOI through ``bibo:doi``) are not independent:
pieces are joined through the works they share, and each group counts once. So the review's LGPS conductivity (its
ref. 14) and OBELiX row 1hh (DOI 10.1038/nmat3066, the same paper) are one line of support, not two.

For a claim (``sslmb:Claim``):

- supporting pieces are each source that records the claim, resting on the works it cites for it, and each claim
  that ``sslmb:supports`` it (resting on that claim's works). A claim a source records without citing anything is
  the source's own; when that same source puts one of its own claims against it (``sslmb:contradicts``), the source
  records it in order to reject it (the review's "solid electrolytes make cells inherently safe") and its record is
  no support.
- contradicting pieces are the claims on the other side of each ``sslmb:contradicts`` link (the property is
  symmetric), resting on their works.

For a link (a reified ``owl:Axiom``), the supporting pieces are the sources whose named graph states it; the graph
has no way to deny a link, so a link is never contradicted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

from kg.core.namespaces import BIBO, OWL, PROV, SSLMB

if TYPE_CHECKING:
    from kg.core.graph import Graph

SUPPORTS = SSLMB + "supports"
CONTRADICTS = SSLMB + "contradicts"
HAD_PRIMARY_SOURCE = PROV + "hadPrimarySource"


@dataclass(frozen=True)
class Piece:
    """One source stating something: ``source`` (its key), ``works`` it rests on (``doi:...`` or an IRI; the
    source's own identity when it cites nothing), and ``via``, the claim that carries it (empty for the statement
    itself)."""

    source: str
    works: tuple[str, ...]
    via: str = ""


@dataclass(frozen=True)
class Line:
    """An independent line of evidence: pieces that share an original work, counted once."""

    sources: tuple[str, ...]
    works: tuple[str, ...]
    pieces: tuple[Piece, ...]

    def __str__(self) -> str:
        rests = "; ".join(self.works)
        return f"{' + '.join(self.sources)} ({rests})" if rests else " + ".join(self.sources)


@dataclass(frozen=True)
class Support:
    """What backs a statement and what goes against it. ``supported_by`` and ``contradicted_by`` count independent
    lines of evidence (pieces resting on a shared original work count once, whichever sources state them);
    ``supporting`` and ``contradicting`` name the sources involved, and ``support`` and ``contradiction`` the lines.
    ``str()`` reads "supported by 1 (obelix, wang2020), contradicted by 0"."""

    supported_by: int
    contradicted_by: int
    supporting: tuple[str, ...]
    contradicting: tuple[str, ...]
    support: tuple[Line, ...] = ()
    contradiction: tuple[Line, ...] = ()

    def __str__(self) -> str:
        def side(n: int, keys: tuple[str, ...]) -> str:
            return f"{n}" + (f" ({', '.join(keys)})" if keys else "")

        return (f"supported by {side(self.supported_by, self.supporting)}, "
                f"contradicted by {side(self.contradicted_by, self.contradicting)}")

    @property
    def details(self) -> list[str]:
        """One phrase per independent line: ``for: obelix + wang2020 (doi:10.1038/nmat3066)``."""
        return [f"for: {line}" for line in self.support] + [f"against: {line}" for line in self.contradiction]


def independent(pieces: list[Piece], label: Callable[[str], str] | None = None) -> tuple[Line, ...]:
    """Group ``pieces`` into independent lines: pieces that rest on a shared original work are joined
    (transitively), whichever sources state them; two rows of one data set resting on different papers stay
    apart. ``label`` names a work for display (its IRI by default).

    >>> a, b, c = Piece("wang2020", ("doi:10.1/x",)), Piece("obelix", ("doi:10.1/x",)), Piece("obelix", ("doi:10.1/y",))
    >>> [str(line) for line in independent([a, b, c])]
    ['obelix (doi:10.1/y)', 'obelix + wang2020 (doi:10.1/x)']
    """
    groups: list[tuple[set[str], set[str], list[Piece]]] = []  # (sources, works, pieces)
    for piece in pieces:
        sources, works = {piece.source}, set(piece.works)
        joined = [g for g in groups if g[1] & works]
        merged = [piece]
        for g in joined:
            sources |= g[0]
            works |= g[1]
            merged = g[2] + merged
            groups.remove(g)
        groups.append((sources, works, merged))
    name = label or (lambda w: w)
    lines = [Line(tuple(sorted(ss)), tuple(sorted(name(w) for w in ws)), tuple(ps)) for ss, ws, ps in groups]
    return tuple(sorted(lines, key=lambda ln: (ln.sources, ln.works)))


def summarise(
    supporting: list[Piece], contradicting: list[Piece], label: Callable[[str], str] | None = None
) -> Support:
    pro, con = independent(supporting, label), independent(contradicting, label)
    return Support(
        len(pro), len(con),
        tuple(sorted({p.source for p in supporting})), tuple(sorted({p.source for p in contradicting})),
        pro, con,
    )


# ------------------------------------------------------------------------------------------ the index


class _Index:
    """What the counts need, read on demand and kept: the sources by named graph, the identity of each cited work,
    the graphs that state each link with the works each cites (for the links asked about only), and the claims with
    their support links (read whole, the first time a claim is asked about)."""

    def __init__(self, graph: Graph) -> None:
        from kg.model.evidence import source_index

        self.graph = graph
        self.sources = {g: s.key for g, s in source_index(graph).items()}
        self.own = {
            s.key: (f"doi:{s.doi.lower()}" if s.doi else f"source:{s.key}") for s in source_index(graph).values()
        }
        self.owner: dict[str, str] = {}  # a source's own work -> the first source whose own it is
        for key, own in self.own.items():
            self.owner.setdefault(own, key)
        self.work_id: dict[str, str] = {}  # cited work -> doi:..., for the works read so far that have a DOI
        self._works_read: set[str] = set()
        # (s, p, o) -> {source key: works cited for it in that source}, for the links read so far
        self.links: dict[tuple[str, str, str], dict[str, set[str]]] = {}
        self._all_read = False

    def read_links(self, links: list[tuple[str, str, str]]) -> None:
        """Read which sources state each of ``links``, and the works each cites for it (one query per 500)."""
        wanted = [link for link in dict.fromkeys(links) if link not in self.links]
        remote = not getattr(self.graph, "_indexed", True)  # one request for every link, not one per link
        if remote and wanted and not self._all_read:
            self._all_read = True
            wanted = list(dict.fromkeys([*wanted, *self._every_link()]))
        elif remote:
            for link in wanted:
                self.links[link] = {}
            wanted = []
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            rows = " ".join(f"(<{a}> <{b}> <{c}>)" for a, b, c in chunk)
            found: dict[tuple[str, str, str], dict[str, set[str]]] = {}
            for row in self.graph.store.query(
                # the links first, then the graphs that state each (OPTIONAL: evaluated per axiom, not as a scan)
                f"""SELECT ?g ?s ?p ?o ?w WHERE {{ VALUES (?s ?p ?o) {{ {rows} }}
                      ?ax <{OWL}annotatedSource> ?s ; <{OWL}annotatedProperty> ?p ; <{OWL}annotatedTarget> ?o .
                      OPTIONAL {{ GRAPH ?g {{ ?ax a <{OWL}Axiom> ; <{OWL}annotatedSource> ?s ;
                          <{OWL}annotatedProperty> ?p ; <{OWL}annotatedTarget> ?o .
                          OPTIONAL {{ ?ax <{HAD_PRIMARY_SOURCE}> ?w }} }} }}
                      FILTER(BOUND(?g)) }}"""
            ):  # type: ignore[union-attr]
                key = (row["s"].value, row["p"].value, row["o"].value)
                cited = found.setdefault(key, {}).setdefault(self.key_of(row["g"].value), set())
                if row["w"] is not None:
                    cited.add(row["w"].value)
            for link in chunk:  # sources in key order, whatever order the store lists the graphs in
                self.links[link] = dict(sorted(found.get(link, {}).items()))
        self.read_works({w for link in wanted for cited in self.links[link].values() for w in cited})

    def _every_link(self) -> list[tuple[str, str, str]]:
        rows = self.graph.store.query(
            f"""SELECT DISTINCT ?s ?p ?o WHERE {{ ?ax a <{OWL}Axiom> ; <{OWL}annotatedSource> ?s ;
                  <{OWL}annotatedProperty> ?p ; <{OWL}annotatedTarget> ?o FILTER(isIRI(?s) && isIRI(?o)) }}"""
        )
        return [(r["s"].value, r["p"].value, r["o"].value) for r in rows]  # type: ignore[union-attr]

    def link(self, key: tuple[str, str, str]) -> dict[str, set[str]]:
        self.read_links([key])
        return self.links[key]

    def read_works(self, works: set[str]) -> None:
        """Read the DOI of each of ``works`` (cited work IRIs) not read yet."""
        wanted = sorted(w for w in works if w not in self._works_read)
        for i in range(0, len(wanted), 500):
            rows = " ".join(f"<{w}>" for w in wanted[i : i + 500])
            for row in self.graph.store.query(f"SELECT ?w ?doi WHERE {{ VALUES ?w {{ {rows} }} ?w <{BIBO}doi> ?doi }}"):  # type: ignore[union-attr]
                self.work_id[row["w"].value] = f"doi:{str(row['doi'].value).strip().lower()}"
        self._works_read.update(wanted)

    @cached_property
    def claims(self) -> dict[str, dict[str, set[str]]]:
        """claim -> {source key: works it cites for the claim itself}."""
        claims: dict[str, dict[str, set[str]]] = {}
        for row in self.graph.store.query(
            f"""SELECT ?g ?c ?w WHERE {{ GRAPH ?g {{ ?c a <{SSLMB}Claim> .
                  OPTIONAL {{ ?c <{HAD_PRIMARY_SOURCE}> ?w }} }} }}"""
        ):  # type: ignore[union-attr]
            cited = claims.setdefault(row["c"].value, {}).setdefault(self.key_of(row["g"].value), set())
            if row["w"] is not None:
                cited.add(row["w"].value)
        self.read_works({w for by in claims.values() for ws in by.values() for w in ws})
        return claims

    @cached_property
    def relations(self) -> list[tuple[str, str, str, str]]:
        """(claim, other, property, source key): other supports / contradicts claim, as that source states it."""
        found: list[tuple[str, str, str, str]] = []
        for row in self.graph.store.query(
            f"""SELECT ?g ?a ?p ?b WHERE {{ VALUES ?p {{ <{SUPPORTS}> <{CONTRADICTS}> }} GRAPH ?g {{ ?a ?p ?b }} }}"""
        ):  # type: ignore[union-attr]
            a, p, b, src = row["a"].value, row["p"].value, row["b"].value, self.key_of(row["g"].value)
            found.append((b, a, p, src))
            if p == CONTRADICTS:
                found.append((a, b, p, src))
        self.read_links([(other, p, claim) for claim, other, p, _ in found])
        return found

    def label(self, work: str) -> str:
        """A work as a reader knows it: its DOI, "<key>'s own", or the cited work's label."""
        if work.startswith("source:"):
            return f"{work[len('source:'):]}'s own"
        owner = self.owner.get(work)
        if owner:
            return f"{owner}'s own, {work}"
        return work if work.startswith("doi:") else self.graph.label(work)

    def key_of(self, graph_iri: str) -> str:
        return self.sources.get(graph_iri, graph_iri.rsplit("/", 1)[-1])

    def works(self, cited: set[str], source: str) -> tuple[str, ...]:
        """The identities of the works ``cited`` (their DOI when known), or the source's own when none."""
        self.read_works(cited)
        return tuple(sorted({self.work_id.get(w, w) for w in cited})) or (self.own.get(source, f"source:{source}"),)

    def claim_works(self, claim: str, source: str, extra: set[str] = frozenset()) -> tuple[str, ...]:  # type: ignore[assignment]
        """What a claim rests on: the works any source cites for it, plus ``extra``; the stating source's own
        when nothing is cited."""
        cited = set(extra)
        for works in self.claims.get(claim, {}).values():
            cited |= works
        return self.works(cited, source)


def _index(graph: Graph) -> _Index:
    return graph.memo("support_index", _Index)


def of_claim(graph: Graph, claim: str) -> Support:
    """Who supports and who contradicts ``claim`` (an IRI), counted as independent lines.

    >>> import kg
    >>> print(of_claim(kg.load(), "https://w3id.org/sslmb/ClaimSolidStateBatteriesInherentlySafe"))
    supported by 0, contradicted by 2 (dendrite_md2025, wang2020)
    """
    idx = _index(graph)
    against = [(other, key) for c, other, p, key in idx.relations if c == claim and p == CONTRADICTS]
    contradicting = [
        Piece(key, idx.claim_works(other, key, idx.link((other, CONTRADICTS, claim)).get(key, set())), other)
        for other, key in against
    ]
    # a source rejects the claim when one of its own uncited claims stands against it
    rejected_by = {key for other, key in against if key in idx.claims.get(other, {}) and not idx.claims[other][key]}
    supporting = []
    for key, cited in idx.claims.get(claim, {}).items():
        if cited or key not in rejected_by:
            supporting.append(Piece(key, idx.works(cited, key)))
    for c, other, p, key in idx.relations:
        if c == claim and p == SUPPORTS:
            extra = idx.link((other, SUPPORTS, claim)).get(key, set())
            supporting.append(Piece(key, idx.claim_works(other, key, extra), other))
    return summarise(supporting, contradicting, idx.label)


def read_links(graph: Graph, links: list[tuple[str, str, str]]) -> None:
    """Read the sources that state each of ``links`` in one go (a traversal about to ask for many of them)."""
    _index(graph).read_links(links)


def of_link(graph: Graph, subject: str, predicate: str, obj: str) -> Support:
    """The sources that state the link ``subject -predicate-> obj``, counted as independent lines."""
    idx = _index(graph)
    stated = idx.link((subject, predicate, obj))
    return summarise([Piece(key, idx.works(cited, key)) for key, cited in stated.items()], [], idx.label)


def of_links(graph: Graph, links: list[tuple[str, str, str]]) -> Support:
    """Several links stated together (a strategy's mitigation and the strategy itself, say) as one body of
    support: a source that states any of them is a piece."""
    idx = _index(graph)
    idx.read_links(links)
    pieces = [Piece(key, idx.works(cited, key)) for link in links for key, cited in idx.links[link].items()]
    return summarise(pieces, [], idx.label)


def of_pieces(graph: Graph, stated: list[tuple[str, set[str]]]) -> Support:
    """Support made of ``(source key, cited work IRIs)`` pairs (numbers from several sources, say)."""
    idx = _index(graph)
    return summarise([Piece(key, idx.works(cited, key)) for key, cited in stated], [], idx.label)


def work_ids(graph: Graph, works: set[str]) -> dict[str, str]:
    """The identity (``doi:...``) of each of ``works`` (cited work IRIs) that has a DOI."""
    idx = _index(graph)
    idx.read_works(works)
    return {w: idx.work_id[w] for w in works if w in idx.work_id}


def is_claim(graph: Graph, iri: str) -> bool:
    return iri in _index(graph).claims


#: Two numbers of one metric agree when they differ by at most this share of the larger (after unit conversion):
#: values copied from one paper into another source match to the printed digits, and measurements of one material
#: by different groups rarely fall closer than this.
AGREEMENT = 0.10


def _amount(q: object) -> float | None:
    norm = getattr(q, "normalized", None) or {}
    value = norm.get("value", getattr(q, "value", None)) if isinstance(norm, dict) else None
    return float(value) if isinstance(value, (int, float)) else None


def agree(a: object, b: object) -> bool:
    """Whether two quantities state the same value of the same metric, within :data:`AGREEMENT`."""
    x, y = _amount(a), _amount(b)
    if x is None or y is None or getattr(a, "metric_iri", None) != getattr(b, "metric_iri", None):
        return False
    unit_a = (getattr(a, "normalized", None) or {}).get("unit", getattr(a, "unit", None))
    unit_b = (getattr(b, "normalized", None) or {}).get("unit", getattr(b, "unit", None))
    return unit_a == unit_b and abs(x - y) <= AGREEMENT * max(abs(x), abs(y))


def of_number(graph: Graph, number: object, numbers: list) -> Support:
    """The numbers among ``numbers`` (an entity's values) that agree with ``number``, ``number`` included, as
    support: the review's LGPS conductivity and OBELiX row 1hh rest on the same paper and count once.

    >>> import kg
    >>> from kg.model import quantity as qty
    >>> g = kg.load()
    >>> values = qty.of(g, "https://w3id.org/sslmb/LGPS")
    >>> review = next(q for q in values if q.evidence.source_keys == ["wang2020"])
    >>> print(of_number(g, review, values))
    supported by 2 (obelix, wang2020), contradicted by 0
    """
    stated = []
    for q in [number, *(n for n in numbers if n is not number and getattr(n, "iri", None) != number.iri)]:  # type: ignore[attr-defined]
        if q is number or agree(number, q):
            evidence = q.evidence
            for key in evidence.source_keys or ["graph"]:
                stated.append((key, {r.iri for r in evidence.references}))
    return of_pieces(graph, stated)
