"""What the resolver takes and gives: the outcomes, the ways a decision is reached, the fuzzy thresholds, the
polysemous names and the rules (:data:`RULES`), and the records :class:`Candidate`, :class:`Mention`,
:class:`Scored` and :class:`Decision`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kg.core.namespaces import shorten

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
