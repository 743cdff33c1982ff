"""Entity resolution: does a name in a new source (a curation file, a data-set row) name an entity the graph holds?

The resolver takes :class:`Candidate` entities (built once from a graph by :func:`candidates`) and a
:class:`Mention` (what the source writes: name, formula, abbreviations, the kinds it can be, a family hint and the
curator's explicit ``same_as`` or ``new``) and returns a :class:`Decision`: ``matched`` to an entity, ``variant`` of
one (a doped or substituted composition: linked, never merged), ``new``, or ``ambiguous`` (a person must annotate
the source with ``same_as`` or ``new``; the decision lists the candidates to choose from). Every decision says
``how`` it was reached (``iri``, ``label``, ``abbreviation``, ``composition``, ``fuzzy label``, ``curator same_as``,
``curator new``), the ``rule`` applied (a key of :data:`RULES`) and a one-line ``reason``.

Rules, in the order they apply (each is a key of :data:`RULES`):

1. ``curator``: an explicit ``same_as`` or ``new`` wins. ``same_as`` must name an existing entity of an expected kind
   (IRI, prefixed name or exact label); otherwise the decision is ``ambiguous`` and says the annotation is wrong.
2. ``iri``: a name written as an IRI or prefixed name must be an entity of the graph, of an expected kind.
3. Compositions (the mention's ``formula``, or a name that is a formula) are compared with every entity's formula by
   :mod:`kg.model.chemistry` before any name is looked at. Composition equality beats names, and a name never matches
   an entity of a different composition (``name-blocked``: LLZTO is not LLZO however alike the strings).

   - ``composition``: equal compositions match, if the phases agree; a system written without proportions
     (``Li2S–P2S5``, ``LiF-LiBH4``) matches the entity with the same end members;
   - ``phase``: a phase named on one side only (``β-Li3PS4`` vs ``Li3PS4``, ``c-LLZO`` vs ``LLZO``,
     ``Li7La3Zr2O12 (I41/acd)``) is ``ambiguous``; named on both sides and different, the entity is not the mention;
   - ``rounding``: compositions equal to two significant figures but not to three are ``ambiguous``;
   - ``misprint``: a stored formula that cannot balance charge and differs by one symbol (Te for Ta) or a decimal point
     (Li3.3 for Li0.33) from a charge-balanced mention is ``ambiguous``: the graph may need correcting;
   - ``system``: a composition inside a graph system of variable ratio (``Li2S-P2S5``, ``Li-In``) is ``ambiguous``
     when written as a mixture of its end members (``70Li2S-30P2S5``), or written as a compound of a system that is
     not a glass (``LiIn`` and the Li-In alloy); a compound formula is a crystalline compound, not the glass;
   - ``no-formula``: an entity without a formula whose label is one of the mention's names, or whose abbreviation
     spells the mention's elements (``LLZNO`` for Li-La-Zr-Nb-O, ``LiPON``), is ``ambiguous``: nothing to compare;
   - ``group``: an entity grouping several materials (a placeholder formula such as ``LiBH4-LiX``, or labels naming
     different chemistries) is never matched through a member's name or composition: ``ambiguous``;
   - ``variant``: a doped or substituted composition (:func:`kg.model.chemistry.is_variant`) is a ``variant`` of its
     host: an entity whose elements it all holds (its parent: LLZO for Al-LLZO), or one that differs by one element
     substituted for one (LGPS for Li10SiP2S12); parents first, then the closest, the family hint, the IRI. A doped
     entity is never the host of a composition that lacks its dopant.
4. Names (for mentions that are not compositions, and for compositions nothing above settled):

   - ``polysemous``: names the literature uses for several materials (:data:`POLYSEMOUS`: LPS, PEO, PEG) are
     ``ambiguous`` whatever the graph holds;
   - ``label`` / ``abbreviation``: an exact label, then an alternative label or abbreviation (compared after NFKC,
     case folding, Greek letters spelt out, one kind of dash); several entities sharing it: ``ambiguous``;
   - ``family``: a family's name given for a material (``garnet``, ``NASICON``) is ``ambiguous`` among the family and
     its members; a name marked as a family (``LGPS-type``, ``-like``) never matches a material;
   - ``components``: a mixture name (``LiTFSI-PEO``, ``LLZO/PEO``) matches the entity named by the same components in
     any order and with ``/`` or ``-``; entities naming more (``LLZO nanofibre/PEO composite``): ``ambiguous``;
   - ``dopant``: an element prefixed to an entity's name (``Al-LLZO``) is a ``variant`` of that entity;
   - ``oxide``: an abbreviation without the O of an oxide's abbreviation (``LLZ`` for ``LLZO``) is that oxide;
   - ``fuzzy``: descriptive names (never formulas, never abbreviations, whose letters stand for elements: LATP vs
     LAGP) are compared with rapidfuzz; a score of :data:`FUZZY_MATCH` or more for one entity, :data:`FUZZY_MARGIN`
     ahead of any other and with a phase named on both sides or neither, matches it; scores from :data:`FUZZY_ASK`
     are ``ambiguous``, lower ones ``new``; a word of one name in the place of a different word of the other
     (Ta- vs Te-doped LLZO, hybrid vs hydride) is asked too, spelling variants (sulphide) are not. Names that spell
     out different elements
     (``lithium tin phosphorus sulfide`` vs ``lithium germanium phosphorus sulfide``) never match; names that spell
     the same ones are also compared element by element (``lithium germanium thiophosphate`` is LGPS).
5. ``new``: nothing above applies.

Expected kinds restrict the candidates (a mention of a failure mode never matches a material). Decisions are
deterministic: the candidates to choose from come first, by score then IRI (variant hosts after them, closest
first), and every tie is broken by the IRI. :class:`Resolver` indexes the candidates by normalised
name and by composition once; resolving a mention then takes well under a millisecond.

Decisions are recorded as SSSOM TSV (:func:`to_sssom`, :func:`read_sssom`); a later run reuses the curator decisions
of an earlier one (:func:`curated`, ``Resolver.resolve_all(..., prior=...)``).

>>> r = Resolver([Candidate("https://w3id.org/sslmb/LGPS", "LGPS", "electrolyte", ("Li10GeP2S12",), "Li10GeP2S12")])
>>> d = r.resolve(Mention("Li20.0Ge2.0P4.0S24.0"))
>>> d.outcome, d.iri, d.how
('matched', 'https://w3id.org/sslmb/LGPS', 'composition')
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from kg.core.errors import InputError, echo
from kg.model import chemistry as chem
from kg.core.namespaces import PREFIXES, SKOS, SSLMB, expand, shorten

MATCHED, NEW, AMBIGUOUS, VARIANT = "matched", "new", "ambiguous", "variant"
OUTCOMES = (MATCHED, NEW, AMBIGUOUS, VARIANT)
HOWS = ("iri", "label", "abbreviation", "composition", "fuzzy label", "curator same_as", "curator new")

# rapidfuzz scores (fuzz.ratio, 0-100) of descriptive names. Chosen on tests/data/resolution/pairs.csv and the
# review's own names: the pairs a chemist calls the same score 89.5 (lithium borohydrate / borohydride) to 98
# (phosphorous / phosphorus); near misses that must not match automatically score up to 78 (poly(ethylene glycol)
# vs poly(ethylene oxide)) and 83 (lithium lanthanum zirconium oxide vs ... zirconate, which the element check
# settles anyway). Between 65 and 88 a person is asked (thermal runaway propagation vs thermal runaway: 71;
# grain-boundary dendrite propagation vs dendrite penetration scores 58 and is new, as its curator decided). The
# names of *different* entities of the review score up to 96 against each other when they differ by one meaningful
# word (block vs triblock copolymer, Ta- vs Te-doped LLZO: 92, hybrid vs hydride electrolyte: 92): no threshold
# separates those, so an automatic match also needs a margin over every other entity and no word of one name
# standing in the place of a different word of the other.
FUZZY_MATCH = 88.0
FUZZY_ASK = 65.0
# An automatic fuzzy match must also beat every other entity by this much ("lithium thiophosphate": 89 against
# "beta lithium thiophosphate", 88 against "lithium thiophosphate glass": asked).
FUZZY_MARGIN = 5.0

MATERIAL_KINDS = ("electrolyte", "material")
FAMILY_KIND = "electrolyte family"

# Names a chemist knows to mean several materials in the literature: always asked, with the graph's entities they
# may mean (by label) besides an exact hit. From the reasons of tests/data/resolution/pairs.csv.
POLYSEMOUS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lps": (
        "papers write LPS for glassy Li2S-P2S5, for the 75Li2S-25P2S5 glass and for β-Li3PS4 alike",
        ("LPS", "β-Li3PS4"),
    ),
    "peo": (
        "many papers write PEO for a PEO-salt electrolyte, which the graph keeps apart from the polymer",
        ("PEO", "PEO/LiTFSI", "PEO/LiDFTFSI"),
    ),
    "peg": (
        "PEG has PEO's repeat unit but usually means short hydroxyl-ended chains: its molar mass decides",
        ("PEO",),
    ),
}

RULES: dict[str, str] = {
    "curator": "the curator's same_as or new wins; same_as must name an existing entity of an expected kind",
    "iri": "an IRI or prefixed name must be an entity of the graph of an expected kind",
    "composition": "equal compositions (atomic fractions within 0.5 %) match when their phases agree",
    "phase": "a phase named on one side only is asked; named on both sides and different, it is another material",
    "rounding": "compositions equal to two significant figures but not three are asked",
    "misprint": "a stored formula that cannot balance charge and is one symbol or decimal point away is asked",
    "system": "a composition inside a graph system of variable ratio is asked",
    "no-formula": "an entity without a formula that the mention's name or elements point to is asked",
    "group": "an entity grouping several materials is asked, never matched through a member",
    "name-blocked": "a name or abbreviation never matches an entity of a different composition",
    "variant": "a doped or substituted composition is a variant of the closest host, linked, never merged",
    "polysemous": "a name the literature uses for several materials is asked",
    "label": "exact label",
    "abbreviation": "exact alternative label or abbreviation; one shared by several entities is asked",
    "family": "a family's name given for a material is asked; a name marked as a family never matches a material",
    "components": "a mixture name matches the entity with the same components; entities naming more are asked",
    "dopant": "an element prefixed to an entity's name makes a variant of it",
    "oxide": "an abbreviation without an oxide abbreviation's final O names that oxide",
    "fuzzy": f"descriptive names: rapidfuzz score >= {FUZZY_MATCH:g} matches, >= {FUZZY_ASK:g} is asked",
    "new": "nothing in the graph matches",
}

_GREEK_NAMES = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "σ": "sigma"}
_FAMILY_MARK = re.compile(r"(?:[-\s](?:type|like|based|structured|structure|family|families)|\sfamily)$", re.I)
_DOPANT = re.compile(r"^([A-Z][a-z]?)(?:-doped|-substituted|-stabili[sz]ed)?[-\s](\S.*)$")


# --------------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Candidate:
    """An entity of the graph as the resolver sees it: IRI, label, kind, alternative labels, formula and (for
    materials) the IRIs of its families; ``parents`` are a family's own parent families."""

    iri: str
    label: str
    kind: str
    alt_labels: tuple[str, ...] = ()
    formula: str | None = None
    families: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A name in a source: ``name`` (required), ``formula``, ``abbreviations``, the ``kinds`` it may be (None: any),
    a ``family`` hint (a family's label or IRI), the curator's ``same_as`` or ``new``, and ``id``, its local id in
    the source (for the SSSOM subject)."""

    name: str
    formula: str | None = None
    abbreviations: tuple[str, ...] = ()
    kinds: tuple[str, ...] | None = None
    family: str | None = None
    same_as: str | None = None
    new: bool = False
    id: str | None = None

    @classmethod
    def from_entity(cls, entity: Mapping, kinds: Sequence[str] | None = MATERIAL_KINDS) -> Mention:
        """A mention from an entity of a curation document (``sources/schema.json``: name, formula, abbreviations,
        family, same_as, new, id)."""
        return cls(
            name=str(entity["name"]),
            formula=entity.get("formula"),
            abbreviations=tuple(entity.get("abbreviations") or ()),
            kinds=tuple(kinds) if kinds is not None else None,
            family=entity.get("family"),
            same_as=entity.get("same_as"),
            new=bool(entity.get("new")),
            id=entity.get("id"),
        )


@dataclass(frozen=True)
class Scored:
    """A candidate the resolver considered: its IRI, label, kind, a score (0-1) and why it is a candidate."""

    iri: str
    label: str
    kind: str
    score: float
    why: str


@dataclass(frozen=True)
class Decision:
    """What the resolver decided for one mention (see the module's documentation)."""

    mention: Mention
    outcome: str
    iri: str | None = None
    label: str | None = None
    how: str | None = None
    score: float = 0.0
    candidates: tuple[Scored, ...] = ()
    reason: str = ""
    rule: str = "new"

    def __str__(self) -> str:
        target = f" {shorten(self.iri)}" if self.iri else ""
        how = f" by {self.how}" if self.how else ""
        return f"{self.mention.name}: {self.outcome}{target}{how} ({self.reason})"


# --------------------------------------------------------------------------------------------------- candidates

_CANDIDATES_QUERY = """
SELECT ?x ?p ?v WHERE {
  { SELECT DISTINCT ?x WHERE { ?x rdfs:label ?any FILTER(isIRI(?x)) } }
  VALUES ?p { rdfs:label skos:altLabel sslmb:formula rdf:type rdfs:subClassOf }
  ?x ?p ?v .
}
"""


def candidates(graph, kinds: Iterable[str] | None = None) -> list[Candidate]:
    """Every named entity of ``graph`` (one SPARQL query: labels, alternative labels, formula, types, parent
    classes), with its kind from ``graph.kind``; materials carry their families (the classes of kind
    ``electrolyte family`` among their types). ``kinds`` keeps only entities of those kinds."""
    wanted = set(kinds) if kinds is not None else None
    rows = graph.select(_CANDIDATES_QUERY)
    props: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        props.setdefault(row["x"], {}).setdefault(row["p"], []).append(str(row["v"]))
    kind_of: dict[str, str] = {}

    def kind(iri: str) -> str:
        if iri not in kind_of:
            kind_of[iri] = graph.kind(iri)
        return kind_of[iri]

    out = []
    for iri in sorted(props):
        k = kind(iri)
        if wanted is not None and k not in wanted:
            continue
        p = props[iri]
        label = graph.label(iri)
        alts = sorted({v for v in p.get(SKOS + "altLabel", []) if v != label})
        alts += sorted({v for v in p.get(_RDFS_LABEL, []) if v != label and v not in alts})
        formulas = sorted(set(p.get(SSLMB + "formula", [])))
        families = tuple(sorted(t for t in set(p.get(_RDF_TYPE, [])) if t in props and kind(t) == FAMILY_KIND))
        parents = tuple(sorted(t for t in set(p.get(_RDFS_SUBCLASS, [])) if t in props and kind(t) == FAMILY_KIND))
        out.append(Candidate(iri, label, k, tuple(alts), formulas[0] if formulas else None, families, parents))
    return out


_RDFS_LABEL = PREFIXES["rdfs"] + "label"
_RDF_TYPE = PREFIXES["rdf"] + "type"
_RDFS_SUBCLASS = PREFIXES["rdfs"] + "subClassOf"


# --------------------------------------------------------------------------------------------------- names


def name_key(text: str) -> str:
    """A name as it is compared exactly: NFKC, sub/superscripts and dashes as ASCII, case folded, Greek letters
    spelt out, spaces around ``/`` and ``-`` removed, single spaces.

    >>> name_key("β-Li₃PS₄") == name_key("beta-Li3PS4"), name_key("Li–In"), name_key("PEO / LiTFSI")
    (True, 'li-in', 'peo/litfsi')
    """
    text = chem.clean(text)
    text = "".join(_GREEK_NAMES.get(ch, ch) for ch in text).casefold()
    return re.sub(r"\s*([/-])\s*", r"\1", text).strip()


def _fuzzy_text(text: str) -> str:
    text = "".join(_GREEK_NAMES.get(ch, ch) for ch in chem.clean(text)).casefold()
    return " ".join(re.findall(r"[0-9a-z+]+", text))


def _canonical(text: str) -> tuple[frozenset[str], str] | None:
    """For a chemical name (two or more words naming elements or anions): its elements and a canonical string of
    element symbols and the other words, both sorted."""
    elements, count, others = chem.name_elements(text)
    if count < 2:
        return None
    return elements, " ".join(sorted(elements) + sorted(others))


def is_abbreviation(text: str) -> bool:
    """One token with two or more capitals (LATP, PVdF, LiPON, Al-LLZO): letters that stand for elements or words,
    which string similarity must not compare.

    >>> is_abbreviation("LATP"), is_abbreviation("lithium borohydrate"), is_abbreviation("garnet")
    (True, False, False)
    """
    text = chem.clean(text)
    return " " not in text and len(text) <= 16 and sum(ch.isupper() for ch in text) >= 2


def _components(text: str) -> tuple[str, ...] | None:
    """``LiTFSI-PEO`` -> ('litfsi', 'peo'): the parts of a mixture name joined by / or -, or None."""
    key = name_key(text)
    parts = [p for p in re.split(r"[/-]", key) if p]
    if len(parts) < 2 or " " in key or any(len(p) < 2 for p in parts):
        return None
    return tuple(sorted(parts))


def _tokens(text: str) -> frozenset[str]:
    return frozenset(t for t in re.split(r"[\s/,()\-]+", name_key(text)) if t)


def _looks_like_iri(text: str) -> bool:
    if text.startswith(("http://", "https://", "urn:", "<")):
        return True
    prefix, sep, local = text.partition(":")
    return bool(sep) and prefix in PREFIXES and bool(local) and " " not in text


# --------------------------------------------------------------------------------------------------- index


@dataclass
class _Entry:
    cand: Candidate
    names: list[tuple[str, str]]  # (text, "label" | "alt")
    comp: chem.Formula | None = None
    fractions: dict[str, float] = field(default_factory=dict)
    system: chem.Formula | None = None
    group: bool = False
    phase: str | None = None
    spelled: frozenset[str] | Counter | None = None
    families: frozenset[str] = frozenset()  # its families and their ancestors
    oxide: bool = False


class Resolver:
    """Candidates indexed for resolution; build once (:meth:`from_graph`), then :meth:`resolve` mentions."""

    def __init__(self, candidates: Iterable[Candidate]) -> None:
        self.entries: dict[str, _Entry] = {}
        for cand in sorted(candidates, key=lambda c: c.iri):
            names = [(cand.label, "label")] + [(a, "alt") for a in cand.alt_labels]
            self.entries[cand.iri] = _Entry(cand, names)
        parents = {e.cand.iri: e.cand.parents for e in self.entries.values() if e.cand.kind == FAMILY_KIND}
        self.ancestors = {iri: self._closure(iri, parents) for iri in parents}
        self.by_name: dict[str, list[tuple[str, str, str]]] = {}  # key -> [(iri, field, text)]
        self.by_components: dict[tuple[str, ...], set[str]] = {}
        self.members: dict[str, list[str]] = {}
        for entry in self.entries.values():
            self._read_chemistry(entry)
            for text, fld in entry.names:
                self.by_name.setdefault(name_key(text), []).append((entry.cand.iri, fld, text))
                comps = _components(text)
                if comps:
                    self.by_components.setdefault(comps, set()).add(entry.cand.iri)
            fams: set[str] = set()
            for fam in entry.cand.families:
                fams |= self.ancestors.get(fam, {fam})
                self.members.setdefault(fam, []).append(entry.cand.iri)
            entry.families = frozenset(fams)
        self.with_comp = [e for e in self.entries.values() if e.comp is not None]
        self.with_system = [e for e in self.entries.values() if e.system is not None]
        self.with_spelled = [e for e in self.entries.values() if e.spelled is not None]
        self._fuzzy_cache: dict[tuple[str, ...] | None, tuple[list[str], list[tuple[str, str]], list[str]]] = {}

    @classmethod
    def from_graph(cls, graph, kinds: Iterable[str] | None = None) -> Resolver:
        """A resolver over every named entity of ``graph`` (see :func:`candidates`)."""
        return cls(candidates(graph, kinds))

    @staticmethod
    def _closure(iri: str, parents: Mapping[str, Sequence[str]]) -> frozenset[str]:
        seen, todo = {iri}, [iri]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    def _read_chemistry(self, entry: _Entry) -> None:
        """The entry's composition or system (its formula, else a label that is one), whether it groups several
        materials, the phase its labels name, what its abbreviation spells when it has no formula."""
        chemistries: dict[str, chem.Formula] = {}
        formula = chem.parse(entry.cand.formula) if entry.cand.formula else None
        if formula is not None:
            if formula.kind in (chem.COMPOSITION, chem.SYSTEM):
                chemistries[formula.key] = formula  # type: ignore[index]
            elif "placeholder" in formula.note:
                entry.group = True
        for text, _ in entry.names:
            f = chem.parse(text)
            if f.phase and entry.phase is None:
                entry.phase = f.phase
            elif entry.phase is None:
                entry.phase = chem.split_phase(text)[1]
            explicit = f.kind == chem.SYSTEM or (f.kind == chem.COMPOSITION and re.search(r"[\d()]", text))
            if explicit:
                chemistries.setdefault(f.key, f)  # type: ignore[arg-type]
        if len(chemistries) > 1:
            entry.group = True
        chosen = formula if formula is not None and formula.key in chemistries else None
        chosen = chosen or (next(iter(chemistries.values())) if chemistries else None)
        if chosen is not None and chosen.kind == chem.COMPOSITION:
            entry.comp = chosen
            entry.fractions = dict(chosen.fractions)
            entry.oxide = entry.fractions.get("O", 0.0) >= 1 / 3
        elif chosen is not None:
            entry.system = chosen
        if entry.comp is None and entry.system is None and entry.cand.kind in MATERIAL_KINDS:
            entry.spelled = self._spelled(entry)

    @staticmethod
    def _spelled(entry: _Entry) -> frozenset[str] | Counter | None:
        """What an entity without a formula spells in an abbreviation: the elements of a label that reads as a
        formula (LiPON), else the capitals of an abbreviation that starts with L for lithium (LLZNO: L L Z N O)."""
        for text, _ in entry.names:
            if not is_abbreviation(text) and not re.fullmatch(r"[A-Z][A-Za-z]*", text):
                continue
            f = chem.parse(text)
            if f.kind in (chem.COMPOSITION, chem.SYSTEM):
                return f.elements
        for text, _ in entry.names:
            if re.fullmatch(r"L[A-Z]{2,7}", text):
                return Counter(text)
        return None

    # ------------------------------------------------------------------------------------------- helpers

    def _kind_ok(self, iri: str, kinds: tuple[str, ...] | None) -> bool:
        return kinds is None or self.entries[iri].cand.kind in kinds

    def _scored(self, iri: str, score: float, why: str) -> Scored:
        c = self.entries[iri].cand
        return Scored(iri, c.label, c.kind, round(score, 4), why)

    def _family_iri(self, hint: str | None) -> str | None:
        if not hint:
            return None
        if _looks_like_iri(hint):
            iri = expand(hint)
            return iri if iri in self.entries else None
        for iri, _, _ in self.by_name.get(name_key(hint), []):
            if self.entries[iri].cand.kind == FAMILY_KIND:
                return iri
        return None

    def _in_family(self, iri: str, family: str | None) -> bool:
        if family is None:
            return False
        entry = self.entries[iri]
        return family in entry.families or bool(entry.families & self.ancestors.get(family, frozenset()))

    def _decide(
        self,
        mention: Mention,
        outcome: str,
        iri: str | None,
        how: str | None,
        score: float,
        rule: str,
        reason: str,
        considered: Sequence[Scored] = (),
    ) -> Decision:
        seen: dict[str, Scored] = {}
        for s in considered:  # callers order the candidates: the ones to choose from first
            seen.setdefault(s.iri, s)
        ordered = tuple(seen.values())
        label = self.entries[iri].cand.label if iri in self.entries else None
        return Decision(mention, outcome, iri, label, how, round(score, 4), ordered, reason, rule)

    def _exact_hits(self, texts: Iterable[str], kinds) -> list[tuple[str, str, str]]:
        hits = []
        for text in texts:
            for iri, fld, label in self.by_name.get(name_key(text), []):
                if self._kind_ok(iri, kinds):
                    hits.append((iri, fld, label))
        return sorted(set(hits))

    # ------------------------------------------------------------------------------------------- resolve

    def resolve(self, mention: Mention) -> Decision:
        """The decision for one mention (see the module's documentation for the rules)."""
        if not isinstance(mention, Mention):
            raise InputError(f"resolve takes a Mention, not {type(mention).__name__}")
        if not str(mention.name).strip():
            raise InputError("a mention needs a name")
        kinds = tuple(mention.kinds) if mention.kinds is not None else None
        if mention.new:
            if mention.same_as:
                return self._decide(
                    mention, AMBIGUOUS, None, "curator new", 0.0, "curator", "both same_as and new are given: keep one"
                )
            return self._decide(mention, NEW, None, "curator new", 1.0, "curator", "the curator says new")
        if mention.same_as:
            return self._same_as(mention, kinds)
        name = str(mention.name).strip()
        if _looks_like_iri(name):
            return self._by_iri(mention, name, kinds, "iri", "iri")
        family = self._family_iri(mention.family)
        formula = chem.parse(mention.formula) if mention.formula else None
        from_name = chem.parse(name)
        core, name_phase = chem.split_phase(name)
        explicit = formula if formula is not None and formula.kind != chem.NOT_A_FORMULA else None
        if explicit is None and from_name.kind == chem.COMPOSITION and re.search(r"[\d()]", chem.clean(name)):
            explicit = from_name
        if explicit is None and from_name.kind == chem.SYSTEM:
            explicit = from_name
        phase = (explicit.phase if explicit else None) or name_phase
        if explicit is not None and explicit.kind == chem.COMPOSITION:
            decided = self._by_composition(mention, explicit, phase, kinds, family)
            if decided is not None:
                return decided
        if explicit is not None and explicit.kind == chem.SYSTEM:
            decided = self._by_system(mention, explicit, kinds)
            if decided is not None:
                return decided
        tried = explicit is not None and explicit.kind == chem.COMPOSITION
        decision = self._by_name(mention, name, core, from_name, phase, kinds, family, tried)
        if decision.outcome == NEW and kinds is not None:
            elsewhere = sorted({iri for iri, _, _ in self._exact_hits([name], None) if not self._kind_ok(iri, kinds)})
            if elsewhere:
                named = ", ".join(f"{shorten(i)} ({self.entries[i].cand.kind})" for i in elsewhere[:3])
                reason = f"{decision.reason}; the name is that of {named}, not of {_a(' or '.join(kinds))}"
                decision = replace(decision, reason=reason)
        return decision

    def resolve_all(self, mentions: Iterable[Mention], prior: Iterable[Decision] | None = None) -> list[Decision]:
        """Decisions for many mentions. ``prior`` (decisions read back with :func:`read_sssom`) gives the curator
        decisions of an earlier run to mentions that state none themselves, matched by id, else by name."""
        earlier = curated(prior or ())
        out = []
        for mention in mentions:
            decision = earlier.get(mention.id or "") or earlier.get(mention.name)
            if decision is not None and not mention.same_as and not mention.new:
                if decision.outcome == NEW:
                    mention = replace(mention, new=True)
                elif decision.iri:
                    mention = replace(mention, same_as=decision.iri)
            out.append(self.resolve(mention))
        return out

    # --- curator and IRIs

    def _same_as(self, mention: Mention, kinds) -> Decision:
        text = str(mention.same_as).strip()
        if _looks_like_iri(text):
            return self._by_iri(mention, text, kinds, "curator same_as", "curator")
        hits = {iri for iri, _, _ in self._exact_hits([text], None)}
        fitting = sorted(iri for iri in hits if self._kind_ok(iri, kinds))
        if len(fitting) == 1:
            return self._decide(
                mention,
                MATCHED,
                fitting[0],
                "curator same_as",
                1.0,
                "curator",
                f"the curator says same as {echo(text)}",
            )
        if len(fitting) > 1:
            considered = [self._scored(iri, 1.0, "has this label") for iri in fitting]
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "curator same_as",
                0.0,
                "curator",
                f"same_as {echo(text)} names {len(fitting)} entities: give the IRI",
                considered,
            )
        if hits:
            kind = self.entries[min(hits)].cand.kind
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "curator same_as",
                0.0,
                "curator",
                f"same_as {echo(text)} names {_a(kind)}, not {_a(' or '.join(kinds or ()))}",
            )
        return self._decide(
            mention,
            AMBIGUOUS,
            None,
            "curator same_as",
            0.0,
            "curator",
            f"same_as {echo(text)} names no entity of the graph: fix the annotation",
        )

    def _by_iri(self, mention: Mention, text: str, kinds, how: str, rule: str) -> Decision:
        iri = expand(text)
        entry = self.entries.get(iri)
        if entry is None:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                how,
                0.0,
                rule,
                f"same_as {echo(text)} names no entity of the graph: fix the annotation"
                if rule == "curator"
                else f"{echo(text)} names no entity of the graph",
            )
        if not self._kind_ok(iri, kinds):
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                how,
                0.0,
                rule,
                f"{shorten(iri)} is {_a(entry.cand.kind)}, not {_a(' or '.join(kinds or ()))}",
            )
        says = "the curator says same as" if rule == "curator" else "named by its IRI:"
        return self._decide(mention, MATCHED, iri, how, 1.0, rule, f"{says} {shorten(iri)}")

    # --- compositions

    def _by_composition(self, mention: Mention, f: chem.Formula, phase: str | None, kinds, family) -> Decision | None:
        exact: list[Scored] = []
        ask: list[Scored] = []
        rules: list[str] = []
        variants: list[tuple[float, int, str]] = []
        notes: list[str] = []
        fractions = dict(f.fractions)
        for entry in self.with_comp:
            iri = entry.cand.iri
            if not self._kind_ok(iri, kinds):
                continue
            dev = _deviation(fractions, entry.fractions)
            label = entry.cand.label
            if dev <= chem.SAME_TOLERANCE:
                if entry.group:
                    ask.append(self._scored(iri, 1.0, f"{label} groups several materials"))
                    rules.append("group")
                    continue
                same = chem.same_phase(phase, entry.phase, entry.comp)
                if phase is None and entry.phase is None or same is True:
                    exact.append(self._scored(iri, 1.0 - dev, f"composition {entry.comp.reduced}"))
                elif same is False:
                    notes.append(f"same composition as {label} but another phase ({phase} vs {entry.phase})")
                else:
                    side = f"{label} is {entry.phase}" if entry.phase else f"the mention is {phase}, {label} names none"
                    ask.append(self._scored(iri, 1.0 - dev, f"same composition; phase open: {side}"))
                    rules.append("phase")
                continue
            if dev <= chem.ROUNDING_TOLERANCE:
                ask.append(self._scored(iri, 1.0 - dev, f"{entry.comp.reduced} within rounding ({dev:.1%} apart)"))
                rules.append("rounding")
                continue
            why = chem.misprint(f, entry.comp)
            if why:
                ask.append(self._scored(iri, 0.9, why))
                rules.append("misprint")
                continue
            if chem.is_variant(f, entry.comp):
                # A host is the mention's parent, all its elements in the mention (Al-LLZO's host is LLZO, not
                # LLZTe), or differs by one element substituted for one (Sn for Ge); a doped entity is not the
                # host of a composition that lacks its dopant (Li7P3S11 is not a variant of the P2O5-doped glass).
                absent = len(entry.comp.elements - f.elements)
                if absent and not (absent == 1 and len(f.elements - entry.comp.elements) == 1):
                    continue
                in_family = 0 if self._in_family(iri, family) else 1
                variants.append((absent, round(chem.distance(f, entry.comp), 9), in_family, iri))
        for entry in self.with_system:
            iri = entry.cand.iri
            if not self._kind_ok(iri, kinds) or not chem.in_system(f, entry.system):
                continue
            glass = entry.phase == "amorphous"
            mixture = f.is_mixture and set(f.components) == set(entry.system.components)
            if mixture or (not glass) or phase == "amorphous":
                how = "written as a mixture of its end members" if mixture else "a compound of this system"
                ask.append(self._scored(iri, 0.8, f"inside the system {entry.system.reduced}, {how}"))
                rules.append("system")
        names = (mention.name, *mention.abbreviations)
        for iri, _, text in self._exact_hits(names, kinds):
            entry = self.entries[iri]
            if entry.comp is not None:
                if _deviation(fractions, entry.fractions) > chem.SAME_TOLERANCE:
                    notes.append(f"the name {echo(text)} is {entry.cand.label}'s, whose composition differs")
            elif entry.system is None and entry.cand.kind in MATERIAL_KINDS:
                ask.append(self._scored(iri, 0.5, f"named {echo(text)} but has no formula to compare"))
                rules.append("no-formula")
        for entry in self.with_spelled:
            if not self._kind_ok(entry.cand.iri, kinds):
                continue
            initials = Counter(el[0] for el in f.elements)
            if entry.spelled == f.elements or (isinstance(entry.spelled, Counter) and entry.spelled == initials):
                ask.append(self._scored(entry.cand.iri, 0.5, f"{entry.cand.label} spells these elements, no formula"))
                rules.append("no-formula")
        blocked = "; ".join(dict.fromkeys(notes))
        tail = f" ({blocked})" if blocked else ""
        shown = f.reduced
        if chem.parse(mention.name).key == f.key:
            shown = mention.name  # as the source writes it (Li6.75La3Zr1.75Nb0.25O12, not the cell reduced by 2)
        if len(exact) == 1:
            best = exact[0]
            hint = ""
            if family and not self._in_family(best.iri, family):
                hint = f"; the family hint {self.entries[family].cand.label} is not among its families"
            return self._decide(
                mention,
                MATCHED,
                best.iri,
                "composition",
                best.score,
                "composition",
                f"composition {shown} equals {best.label}'s{hint}{tail}",
                exact,
            )
        if len(exact) > 1:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "composition",
                0.0,
                "composition",
                f"composition {shown} equals that of {len(exact)} entities",
                exact + ask,
            )
        considered = sorted(ask, key=lambda s: (-s.score, s.iri))
        variants.sort()
        for _, dist, _, iri in variants:
            considered.append(self._scored(iri, 1.0 - dist, f"variant, {dist:.1%} of atoms differ"))
        if ask:
            top = sorted(ask, key=lambda s: (-s.score, s.iri))[0]
            rule = rules[ask.index(top)]
            reason = f"{shown}: {top.why}" + (f"; {len(set(s.iri for s in ask)) - 1} more" if len(ask) > 1 else "")
            return self._decide(mention, AMBIGUOUS, None, "composition", 0.0, rule, reason + tail, considered)
        if variants:
            _, dist, _, iri = variants[0]
            host = self.entries[iri]
            return self._decide(
                mention,
                VARIANT,
                iri,
                "composition",
                1.0 - dist,
                "variant",
                f"{shown} is a doped or substituted {host.cand.label} ({host.comp.reduced}): "
                f"{dist:.1%} of atoms differ{tail}",
                considered,
            )
        if notes:
            return self._decide(
                mention,
                NEW,
                None,
                None,
                0.0,
                "name-blocked" if "name" in blocked else "phase",
                f"no entity has composition {shown}{tail}",
                considered,
            )
        return None  # nothing chemical: names decide

    def _by_system(self, mention: Mention, f: chem.Formula, kinds) -> Decision | None:
        hits = [e for e in self.with_system if self._kind_ok(e.cand.iri, kinds) and e.system.key == f.key]
        for entry in self.entries.values():  # group entities list their members' systems as labels
            if entry.group and entry not in hits and self._kind_ok(entry.cand.iri, kinds):
                if any(chem.parse(t).key == f.key for t, _ in entry.names):
                    hits.append(entry)
        if not hits:
            return None
        considered = [
            self._scored(e.cand.iri, 1.0, f"system {e.system.reduced if e.system else f.reduced}") for e in hits
        ]
        if len(hits) > 1:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "composition",
                0.0,
                "composition",
                f"the system {f.reduced} is named by {len(hits)} entities",
                considered,
            )
        entry = hits[0]
        if entry.group:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "composition",
                0.0,
                "group",
                f"{entry.cand.label} groups several materials, {f.reduced} among them: the same "
                "entity or a member of it?",
                considered,
            )
        if (f.phase is None) != (entry.phase is None):
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "composition",
                0.0,
                "phase",
                f"system {f.reduced}; phase open: {entry.cand.label} is {entry.phase or 'unnamed'}, "
                f"the mention {f.phase or 'names none'}",
                considered,
            )
        return self._decide(
            mention,
            MATCHED,
            entry.cand.iri,
            "composition",
            1.0,
            "composition",
            f"the system {f.reduced} is {entry.cand.label}",
            considered,
        )

    # --- names

    def _by_name(
        self,
        mention: Mention,
        name: str,
        core: str,
        parsed: chem.Formula,
        phase: str | None,
        kinds,
        family,
        tried: bool = False,
    ) -> Decision:
        key = name_key(name)
        if key in POLYSEMOUS:  # "glassy LPS" says which: only the bare name is asked
            why, labels = POLYSEMOUS[key]
            considered = [
                self._scored(iri, 1.0, "named by this name in the literature")
                for iri, _, _ in self._exact_hits(labels, kinds)
            ]
            return self._decide(mention, AMBIGUOUS, None, "label", 0.0, "polysemous", f"{name}: {why}", considered)
        # the name as written first; without its phase ("c-LLZO" -> "LLZO") only if that finds nothing
        hits = self._exact_hits([name, *mention.abbreviations], None)
        if not hits and core != name:
            hits = self._exact_hits([core], None)
        material_mention = kinds is None or bool(set(kinds) & set(MATERIAL_KINDS))
        fitting: dict[str, tuple[str, str]] = {}
        for iri, fld, text in hits:
            entry = self.entries[iri]
            label_f = chem.parse(text)
            if parsed.kind != chem.NOT_A_FORMULA and label_f.kind != chem.NOT_A_FORMULA:
                if chem.compare(parsed, label_f) != chem.SAME:
                    continue  # CO is not Co: case folding must not equate different formulas
            if entry.cand.kind == FAMILY_KIND and kinds is not None and FAMILY_KIND not in kinds and material_mention:
                members = [m for m in self.members.get(iri, []) if self._kind_ok(m, kinds)]
                considered = [self._scored(iri, 1.0, "the family itself")]
                considered += [self._scored(m, 0.9, f"a member of {entry.cand.label}") for m in members]
                return self._decide(
                    mention,
                    AMBIGUOUS,
                    None,
                    "label",
                    0.0,
                    "family",
                    f"{name} names the family {entry.cand.label}, not one material: which member, or a new one?",
                    considered,
                )
            if self._kind_ok(iri, kinds):
                if iri not in fitting or fld == "label":
                    fitting[iri] = (fld, text)
        if fitting:
            return self._from_exact(mention, name, phase, parsed, fitting)
        if _FAMILY_MARK.search(chem.clean(name)):
            if kinds is not None and FAMILY_KIND not in kinds:
                return self._decide(
                    mention,
                    NEW,
                    None,
                    None,
                    0.0,
                    "family",
                    f"{name} names a structure family, and no family is expected here",
                )
            kinds = (FAMILY_KIND,)
        if parsed.kind == chem.COMPOSITION and not tried:  # a formula without digits (LiIn, LiF)
            decided = self._by_composition(mention, parsed, phase, kinds, family)
            if decided is not None:
                return decided
        decided = self._by_components(mention, name, kinds)
        if decided is not None:
            return decided
        decided = self._by_dopant(mention, name, kinds)
        if decided is not None:
            return decided
        if parsed.kind != chem.NOT_A_FORMULA:
            what = "composition" if parsed.kind == chem.COMPOSITION else "system"
            return self._decide(mention, NEW, None, None, 0.0, "new", f"no entity has the {what} {parsed.reduced}")
        if is_abbreviation(name):
            hits = self._exact_hits([name + "O", name + "o"], kinds)
            oxides = sorted({iri for iri, _, _ in hits if self.entries[iri].oxide})
            if len(oxides) == 1:
                iri = oxides[0]
                return self._decide(
                    mention,
                    MATCHED,
                    iri,
                    "abbreviation",
                    0.95,
                    "oxide",
                    f"{name} is {self.entries[iri].cand.label} without the O of the oxide",
                    [self._scored(iri, 0.95, "abbreviation without the final O")],
                )
            return self._decide(
                mention,
                NEW,
                None,
                None,
                0.0,
                "new",
                f"no entity has the abbreviation {name} (abbreviations are not compared by similarity)",
            )
        return self._fuzzy(mention, name, kinds)

    def _from_exact(
        self,
        mention: Mention,
        name: str,
        phase: str | None,
        parsed: chem.Formula,
        fitting: Mapping[str, tuple[str, str]],
    ) -> Decision:
        considered = []
        for iri, (fld, text) in sorted(fitting.items()):
            considered.append(self._scored(iri, 1.0, f"{'label' if fld == 'label' else 'alternative label'} {text}"))
        if len(fitting) > 1:
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "abbreviation",
                0.0,
                "abbreviation",
                f"{name} names {len(fitting)} entities",
                considered,
            )
        iri, (fld, text) = next(iter(fitting.items()))
        entry = self.entries[iri]
        how = "label" if fld == "label" else "abbreviation"
        if entry.group and chem.parse(text).kind != chem.NOT_A_FORMULA and fld != "label":
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                how,
                0.0,
                "group",
                f"{entry.cand.label} groups several materials and lists {text} among them: the same "
                "entity or a member of it?",
                considered,
            )
        named_phase = phase or chem.split_phase(text)[1]
        same = chem.same_phase(named_phase, entry.phase, entry.comp)
        if same is False:
            return self._decide(
                mention,
                NEW,
                None,
                None,
                0.0,
                "phase",
                f"{name} is {named_phase}, {entry.cand.label} is {entry.phase}",
                considered,
            )
        if same is None and (named_phase is None) != (entry.phase is None):
            side = f"{entry.cand.label} is {entry.phase}" if entry.phase else f"{entry.cand.label} names none"
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                how,
                0.0,
                "phase",
                f"{name} names {named_phase or 'no phase'}, {side}",
                considered,
            )
        return self._decide(
            mention,
            MATCHED,
            iri,
            how,
            1.0,
            how,
            f"{'label' if how == 'label' else 'alternative label'} {text}",
            considered,
        )

    def _by_components(self, mention: Mention, name: str, kinds) -> Decision | None:
        comps = _components(name)
        if comps is None:
            return None
        same = sorted(i for i in self.by_components.get(comps, ()) if self._kind_ok(i, kinds))
        if len(same) == 1:
            return self._decide(
                mention,
                MATCHED,
                same[0],
                "label",
                1.0,
                "components",
                f"the components {' + '.join(comps)} in another order",
                [self._scored(same[0], 1.0, "same components")],
            )
        wanted = set(comps)
        more = sorted(
            e.cand.iri
            for e in self.entries.values()
            if self._kind_ok(e.cand.iri, kinds) and any(wanted <= _tokens(t) for t, _ in e.names)
        )
        if same or more:
            considered = [self._scored(i, 1.0, "same components") for i in same]
            considered += [self._scored(i, 0.7, "names these components and more") for i in more if i not in same]
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "label",
                0.0,
                "components",
                f"{name}: {_count(len(considered), 'entity', 'entities')} made of {' and '.join(comps)}",
                considered,
            )
        return None

    def _by_dopant(self, mention: Mention, name: str, kinds) -> Decision | None:
        m = _DOPANT.match(chem.clean(name))
        if not m or m.group(1) not in chem.ELEMENTS:
            return None
        hosts = sorted({iri for iri, _, _ in self._exact_hits([m.group(2)], kinds)})
        hosts = [h for h in hosts if self.entries[h].comp and m.group(1) not in self.entries[h].comp.elements]
        if len(hosts) != 1:
            return None
        host = self.entries[hosts[0]]
        return self._decide(
            mention,
            VARIANT,
            host.cand.iri,
            "label",
            0.9,
            "dopant",
            f"{m.group(1)}-doped {host.cand.label}: a variant of it",
            [self._scored(host.cand.iri, 0.9, f"host of the {m.group(1)} dopant")],
        )

    def _fuzzy_corpus(self, kinds):
        if kinds not in self._fuzzy_cache:
            plain, owners, canon_texts, canon_owners = [], [], [], []
            for entry in self.entries.values():
                if not self._kind_ok(entry.cand.iri, kinds):
                    continue
                for text, _ in entry.names:
                    if chem.parse(text).kind != chem.NOT_A_FORMULA or is_abbreviation(text):
                        continue
                    plain.append(_fuzzy_text(text))
                    owners.append((entry.cand.iri, text))
                    canonical = _canonical(text)
                    if canonical:
                        canon_texts.append(canonical[1])
                        canon_owners.append((entry.cand.iri, text, canonical[0]))
            self._fuzzy_cache[kinds] = (plain, owners, canon_texts, canon_owners)
        return self._fuzzy_cache[kinds]

    def _fuzzy(self, mention: Mention, name: str, kinds) -> Decision:
        from rapidfuzz import fuzz, process

        plain, owners, canon_texts, canon_owners = self._fuzzy_corpus(kinds)
        query = _fuzzy_text(name)
        mine = _canonical(name)
        best: dict[str, tuple[float, str]] = {}
        by_elements: set[str] = set()  # entities whose best score compares element by element
        blocked_by_elements: dict[str, str] = {}
        elements_of = {(iri, text): els for iri, text, els in canon_owners}
        for _, score, index in process.extract(query, plain, scorer=fuzz.ratio, limit=None, score_cutoff=FUZZY_ASK):
            iri, text = owners[index]
            theirs = elements_of.get((iri, text))
            if mine and theirs is not None and theirs != mine[0]:
                blocked_by_elements[iri] = text
                continue
            if score > best.get(iri, (-1.0, ""))[0]:
                best[iri] = (score, text)
                by_elements.discard(iri)
        if mine:
            for _, score, index in process.extract(
                mine[1], canon_texts, scorer=fuzz.token_sort_ratio, limit=None, score_cutoff=FUZZY_ASK
            ):
                iri, text, els = canon_owners[index]
                if els == mine[0] and score > best.get(iri, (-1.0, ""))[0]:
                    best[iri] = (score, text)
                    by_elements.add(iri)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))
        considered = [self._scored(iri, s / 100, f"similar to {text!r} ({s:.0f})") for iri, (s, text) in ranked[:8]]
        if ranked and ranked[0][1][0] >= FUZZY_MATCH:
            iri, (score, text) = ranked[0]
            runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
            entity_phase = self.entries[iri].phase or chem.split_phase(text)[1]
            if score - runner_up < FUZZY_MARGIN:
                why = f"{text!r} ({score:.0f}) and {ranked[1][1][1]!r} ({runner_up:.0f}) are as close"
            elif (chem.split_phase(name)[1] is None) != (entity_phase is None):
                why = f"{text!r} ({score:.0f}), but only one of the two names a phase"
            elif iri not in by_elements and (swapped := _swapped_words(name, text)):
                why = f"{text!r} ({score:.0f}), but {swapped[0]!r} stands where it has {swapped[1]!r}"
            else:
                return self._decide(
                    mention,
                    MATCHED,
                    iri,
                    "fuzzy label",
                    score / 100,
                    "fuzzy",
                    f"similar to {text!r} (score {score:.0f})",
                    considered,
                )
            return self._decide(mention, AMBIGUOUS, None, "fuzzy label", 0.0, "fuzzy", f"similar: {why}", considered)
        if ranked:
            iri, (score, text) = ranked[0]
            return self._decide(
                mention,
                AMBIGUOUS,
                None,
                "fuzzy label",
                0.0,
                "fuzzy",
                f"closest: {text!r} (score {score:.0f}, below {FUZZY_MATCH:g} or shared)",
                considered,
            )
        extra = ""
        if blocked_by_elements:
            extra = f"; {len(blocked_by_elements)} similar names spell other elements"
        return self._decide(mention, NEW, None, None, 0.0, "new", f"no entity has a name like {name!r}{extra}")


_STOP_WORDS = frozenset("a an and at by for from in of on or the to with".split())


def _same_word(a: str, b: str) -> bool:
    """Spelling variants and inflections of one word (sulphide/sulfide, cracks/cracking), not different words."""
    from rapidfuzz import fuzz

    if a == b or (a[0] == b[0] and fuzz.ratio(a, b) >= 80):
        return True
    prefix = len(os.path.commonprefix([a, b]))
    return prefix >= 5 and prefix >= 0.6 * min(len(a), len(b))


def _swapped_words(a: str, b: str) -> tuple[str, str] | None:
    """A word of ``a`` and a word of ``b`` that stand in each other's place, or None: names of different entities
    often differ by one meaningful word only (Ta- vs Te-doped LLZO, hybrid vs hydride electrolyte, block vs
    triblock copolymer), which a string score cannot tell from a spelling variant."""
    from rapidfuzz import fuzz

    wa, wb = _fuzzy_text(a), _fuzzy_text(b)
    if fuzz.ratio(wa.replace(" ", ""), wb.replace(" ", "")) >= 95:
        return None  # the same letters, spaced differently: polyethylene oxide, poly(ethylene oxide)
    only_a = [w for w in wa.split() if w not in _STOP_WORDS and not any(_same_word(w, v) for v in wb.split())]
    only_b = [w for w in wb.split() if w not in _STOP_WORDS and not any(_same_word(w, v) for v in wa.split())]
    return (only_a[0], only_b[0]) if only_a and only_b else None


def _deviation(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    worst = 0.0
    for el in a.keys() | b.keys():
        x, y = a.get(el, 0.0), b.get(el, 0.0)
        worst = max(worst, abs(x - y) / max(x, y))
        if worst > chem.ROUNDING_TOLERANCE:
            return worst
    return worst


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word if word else "the expected kind"


def resolve(mentions: Iterable[Mention], graph, *, prior: Iterable[Decision] | None = None) -> list[Decision]:
    """Decisions for ``mentions`` against a graph (candidates are built once) or a :class:`Resolver`."""
    resolver = graph if isinstance(graph, Resolver) else Resolver.from_graph(graph)
    return resolver.resolve_all(mentions, prior=prior)


def curated(decisions: Iterable[Decision]) -> dict[str, Decision]:
    """The curator decisions among ``decisions`` (``how`` is ``curator same_as`` or ``curator new``), by the
    mention's id and by its name."""
    out: dict[str, Decision] = {}
    for d in decisions:
        if d.how in ("curator same_as", "curator new") and d.outcome in (MATCHED, NEW):
            if d.mention.id:
                out[d.mention.id] = d
            out.setdefault(d.mention.name, d)
    return out


# --------------------------------------------------------------------------------------------------- SSSOM

SEMAPV = "https://w3id.org/semapv/vocab/"
SSSOM = "https://w3id.org/sssom/"
NO_TERM_FOUND = "sssom:NoTermFound"
# How a decision was made -> its SEMAPV mapping justification (terms of the SEMAPV vocabulary, release 2023-02-23).
JUSTIFICATIONS = {
    "curator same_as": "semapv:ManualMappingCuration",
    "curator new": "semapv:ManualMappingCuration",
    "iri": "semapv:ManualMappingCuration",  # the curator wrote the entity's identifier
    "label": "semapv:LexicalMatching",
    "abbreviation": "semapv:LexicalMatching",
    "fuzzy label": "semapv:LexicalSimilarityThresholdMatching",
    "composition": "semapv:BackgroundKnowledgeBasedMatching",  # chemistry: compositions, phases, charge balance
}
UNSPECIFIED = "semapv:UnspecifiedMatching"
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "confidence",
    "match_string",
    "comment",
)
_COMMENT = re.compile(r"^\[(?P<how>[^\]]*)\] (?P<rule>[\w-]+): (?P<reason>.*)$")


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.]+", "_", unicodedata.normalize("NFKC", text)).strip("_")
    return slug or "mention"


def _cell(value: object) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def to_sssom(
    decisions: Iterable[Decision],
    *,
    source_key: str,
    mapping_set_id: str,
    source_iri: str | None = None,
    license: str | None = None,
    mapping_date: str | None = None,
) -> str:
    """Decisions as SSSOM TSV: a ``#`` metadata block (curie_map, mapping_set_id, optional license and
    mapping_date), then one row per decision. ``ambiguous`` decisions are questions, not mappings, and are left out.

    ``subject_id`` is ``<source_key>:<mention id, or its name made safe>`` (a second mention with the same one gets
    ``_2``...), ``source_iri`` the namespace of that prefix (default ``https://w3id.org/sslmb/source/<key>/``).
    matched -> ``skos:exactMatch``; variant -> ``skos:relatedMatch``; new -> ``skos:exactMatch`` to
    ``sssom:NoTermFound``. ``mapping_justification``: :data:`JUSTIFICATIONS` by ``how``; ``semapv:UnspecifiedMatching``
    for a new entity no curator declared; variants are ``semapv:BackgroundKnowledgeBasedMatching`` (chemistry).
    ``comment`` is ``[how] rule: reason``.
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", source_key or ""):
        raise InputError(f"source_key must be a CURIE prefix (letters, digits, _), got {echo(source_key)}")
    namespace = source_iri or f"{SSLMB}source/{source_key}/"
    curie_map = {
        source_key: namespace,
        "semapv": SEMAPV,
        "skos": SKOS,
        "sslmb": SSLMB,
        "sssom": SSSOM,
    }
    lines = ["# curie_map:"]
    lines += [f"#   {prefix}: {iri}" for prefix, iri in sorted(curie_map.items())]
    lines.append(f"# mapping_set_id: {mapping_set_id}")
    if license:
        lines.append(f"# license: {license}")
    if mapping_date:
        lines.append(f"# mapping_date: {mapping_date}")
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar=None)
    writer.writerow(COLUMNS)
    used: Counter = Counter()
    for d in decisions:
        if d.outcome == AMBIGUOUS:
            continue
        local = _slug(d.mention.id or d.mention.name)
        used[local] += 1
        if used[local] > 1:
            local = f"{local}_{used[local]}"
        if d.outcome == NEW:
            predicate, obj, label = "skos:exactMatch", NO_TERM_FOUND, ""
            justification = JUSTIFICATIONS["curator new"] if d.how == "curator new" else UNSPECIFIED
        else:
            predicate = "skos:exactMatch" if d.outcome == MATCHED else "skos:relatedMatch"
            obj, label = shorten(d.iri or ""), d.label or ""
            justification = JUSTIFICATIONS.get(d.how or "", UNSPECIFIED)
            if d.outcome == VARIANT and not (d.how or "").startswith("curator"):
                justification = "semapv:BackgroundKnowledgeBasedMatching"
        match_string = d.mention.formula or d.mention.name
        comment = f"[{d.how or ''}] {d.rule}: {d.reason}"
        row = [
            f"{source_key}:{local}",
            d.mention.name,
            predicate,
            obj,
            label,
            justification,
            f"{d.score:g}",
            match_string,
            comment,
        ]
        writer.writerow([_cell(v).replace("\t", " ") for v in row])
    return "\n".join(lines) + "\n" + out.getvalue()


def read_sssom(text: str) -> list[Decision]:
    """Decisions read back from :func:`to_sssom`'s TSV (any SSSOM TSV with these columns): outcome from the
    predicate and object (``sssom:NoTermFound`` -> new, ``skos:relatedMatch`` -> variant), IRIs expanded with the
    curie_map, ``how``, ``rule`` and ``reason`` from the comment (else ``how`` from the justification). The
    mention's ``id`` is the subject's local part, its ``name`` the subject label."""
    import yaml

    meta_lines = [line[1:] for line in text.splitlines() if line.startswith("#")]
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#") and line.strip())
    try:
        meta = yaml.safe_load("\n".join(meta_lines)) or {}
    except yaml.YAMLError as error:
        raise InputError(f"SSSOM metadata block is not YAML: {error}") from None
    curie_map = dict(PREFIXES)
    curie_map.update({"sssom": SSSOM, "semapv": SEMAPV})
    curie_map.update((meta.get("curie_map") or {}) if isinstance(meta, dict) else {})
    reader = csv.DictReader(io.StringIO(body), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = [c for c in ("subject_id", "predicate_id", "object_id") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"SSSOM TSV lacks the column(s) {', '.join(missing)}")
    by_justification = {}
    for how, justification in JUSTIFICATIONS.items():
        by_justification.setdefault(justification, how)

    def expand_curie(curie: str) -> str:
        prefix, sep, local = curie.partition(":")
        return curie_map[prefix] + local if sep and prefix in curie_map else curie

    out = []
    for line, row in enumerate(reader, start=2):
        subject = row.get("subject_id") or ""
        predicate = row.get("predicate_id") or ""
        obj = row.get("object_id") or ""
        local = subject.partition(":")[2] or subject
        mention = Mention(name=row.get("subject_label") or local, id=local)
        m = _COMMENT.match(row.get("comment") or "")
        how = (m.group("how") or None) if m else by_justification.get(row.get("mapping_justification") or "")
        rule = m.group("rule") if m else "curator" if (how or "").startswith("curator") else "new"
        reason = m.group("reason") if m else (row.get("comment") or "")
        try:
            score = float(row.get("confidence") or 0.0)
        except ValueError:
            raise InputError(f"SSSOM row {line}: confidence {echo(row.get('confidence'))} is not a number") from None
        if obj == NO_TERM_FOUND or obj == SSSOM + "NoTermFound":
            outcome, iri, label = NEW, None, None
        elif predicate in ("skos:exactMatch", SKOS + "exactMatch"):
            outcome, iri, label = MATCHED, expand_curie(obj), row.get("object_label") or None
        elif predicate in ("skos:relatedMatch", SKOS + "relatedMatch"):
            outcome, iri, label = VARIANT, expand_curie(obj), row.get("object_label") or None
        else:
            raise InputError(f"SSSOM row {line}: predicate {echo(predicate)} is not one the resolver writes")
        out.append(Decision(mention, outcome, iri, label, how, score, (), reason, rule))
    return out


__all__ = [
    "AMBIGUOUS",
    "FUZZY_ASK",
    "FUZZY_MARGIN",
    "FUZZY_MATCH",
    "MATCHED",
    "NEW",
    "POLYSEMOUS",
    "RULES",
    "VARIANT",
    "Candidate",
    "Decision",
    "Mention",
    "Resolver",
    "Scored",
    "candidates",
    "curated",
    "name_key",
    "read_sssom",
    "resolve",
    "to_sssom",
]
