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

The package in its rooms: :mod:`.data` (outcomes, thresholds, :data:`RULES` and the records),
:mod:`.candidates` (the graph's entities), :mod:`.names` (names compared exactly and by similarity),
:mod:`.index` (the candidates indexed), :mod:`.by_composition` and :mod:`.by_name` (the rules on compositions
and on names), :mod:`.resolver` (:class:`Resolver`, the rules in their order) and :mod:`.sssom` (decisions as
SSSOM TSV).

>>> r = Resolver([Candidate("https://w3id.org/sslmb/LGPS", "LGPS", "electrolyte", ("Li10GeP2S12",), "Li10GeP2S12")])
>>> d = r.resolve(Mention("Li20.0Ge2.0P4.0S24.0"))
>>> d.outcome, d.iri, d.how
('matched', 'https://w3id.org/sslmb/LGPS', 'composition')
"""

from __future__ import annotations

# Every public name of the former module kg/model/resolution.py is importable from here; the ones it left out of
# __all__ are still left out, imported as `NAME as NAME` (an explicit re-export).
from kg.model.resolution.candidates import candidates
from kg.model.resolution.data import (
    AMBIGUOUS,
    FUZZY_ASK,
    FUZZY_MARGIN,
    FUZZY_MATCH,
    MATCHED,
    NEW,
    POLYSEMOUS,
    RULES,
    VARIANT,
    Candidate,
    Decision,
    Mention,
    Scored,
)
from kg.model.resolution.data import FAMILY_KIND as FAMILY_KIND
from kg.model.resolution.data import HOWS as HOWS
from kg.model.resolution.data import MATERIAL_KINDS as MATERIAL_KINDS
from kg.model.resolution.data import OUTCOMES as OUTCOMES
from kg.model.resolution.names import is_abbreviation as is_abbreviation
from kg.model.resolution.names import name_key
from kg.model.resolution.resolver import Resolver, curated, resolve
from kg.model.resolution.sssom import COLUMNS as COLUMNS
from kg.model.resolution.sssom import JUSTIFICATIONS as JUSTIFICATIONS
from kg.model.resolution.sssom import NO_TERM_FOUND as NO_TERM_FOUND
from kg.model.resolution.sssom import SEMAPV as SEMAPV
from kg.model.resolution.sssom import SSSOM as SSSOM
from kg.model.resolution.sssom import UNSPECIFIED as UNSPECIFIED
from kg.model.resolution.sssom import read_sssom, to_sssom

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
