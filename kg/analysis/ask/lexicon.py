"""The words the question router knows besides the stored queries' own headers: English stop words, a light
stemmer, general synonyms folded onto the words the headers use, and a description with trigger words for each
traversal (commands have no ``#+`` header of their own).

Nothing here is taken from the test phrasings: the synonyms are ordinary vocabulary of the field (what a reader
may write for "mitigate", "failure", "who reported"), each folded onto a word of the queries' summaries and tags.
"""

from __future__ import annotations

import re
import unicodedata

STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each else ever few for from further had has have having he her
    here hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or
    other our out over own same she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you your
    yours there's what's it's i'm let us e g eg ie i.e etc vs via per one ones s please tell give show list find get
    know known mention mentioned say says said anything something everything nothing see look looking kind kinds
    sort thing things way ways much many well really graph""".split()
)
# Question words that carry meaning for some target and are kept although they are stop words.
KEEP = frozenset({"why", "who", "most", "between", "through", "via", "no"})
# Words of the field's own frame: in scope, but saying nothing of which question is asked.
NEUTRAL = frozenset(
    "battery batteri cell lithium li metal solid stat sslmb sslmbs lmb electrolyt electrolyte review graph data".split()
)
# Words after which the rest of the clause says what the question does not want ("not via its causes").
NEGATIONS = ("not", "rather than", "instead of", "except", "excluding", "other than")


def fold(text: str) -> str:
    """Unicode and case folded; Greek letters and the signs of comparison spelt out."""
    text = unicodedata.normalize("NFKC", text)
    for sign, word in (("≥", " at least "), (">=", " at least "), ("≤", " at most "), ("<=", " at most ")):
        text = text.replace(sign, word)
    return text.casefold()


def stem(word: str) -> str:
    """A light suffix-stripping stemmer (plurals, -ing, -ed, -ation, -ity, -ies), enough to fold the forms of a
    word in a short question onto those of a summary.

    >>> [stem(w) for w in ("mitigates", "mitigation", "mitigating", "failures", "conductivities", "mechanisms")]
    ['mitigat', 'mitigat', 'mitigat', 'failur', 'conductiv', 'mechanism']
    """
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    for suffix, repl in (
        ("ational", "ate"),
        ("ations", "ate"),
        ("ation", "ate"),
        ("ities", ""),
        ("ity", ""),
        ("ies", "y"),
        ("sses", "ss"),
        ("ings", ""),
        ("ing", ""),
        ("ness", ""),
        ("edly", ""),
        ("ed", ""),
        ("ly", ""),
        ("es", "e") if not w.endswith(("ses", "xes", "ches", "shes", "zes")) else ("es", ""),
        ("s", ""),
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not (suffix == "s" and w.endswith(("ss", "us", "is"))):
            w = w[: len(w) - len(suffix)] + repl
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


def words(text: str) -> list[str]:
    """The words of a text, folded (``t+`` and ``h2s`` stay whole)."""
    return re.findall(r"[a-z0-9]+\+?|\+", fold(text))


# A reader's word (left) and the word of the queries' summaries and tags it stands for (right). Each left word is
# stemmed before look-up, so one form is enough.
_SYNONYMS = """
stop prevent suppress suppression avoid fix remedy counter counteract tackle combat inhibit block address solve
 solution cure alleviate lessen reduce handle curb safer safest help helps limit protect protection defend
 defense defence deal tame
 = mitigate
fail failing breakdown = failure
consequence downstream follow knock ensue aftermath subsequent later happen happens next escalate become turn = leads
cause causing origin root driver behind trigger underlie underlying why = cause
indirect indirectly chain upstream = chain
danger dangerous risky threat threaten unsafe vulnerable vulnerability weakness drawback concern wrong = risk
hazard hazardous = risk
fire flame flammable flammability burn burning ignite ignition inflammable nonflammable = flame
blaze explode explosion = combustion
heat overheat overheating hot = thermal
temp temperature degrees celsius = temperature
conduct conductive conducting conductor = conductivity
stiff stiffness rigid rigidity moduli = modulus
who author authors group groups lab team researcher researchers scientist scientists person people = agent
ref refs paper papers article articles citation citations cite cites cited study studies publication
 literature = reference
disagree disagreement conflict conflicting dispute disputed inconsistent contradict contradictory contrary oppose
 = contradiction
uncertain unclear doubtful illegible ambiguous unsure questionable damaged garbled = uncertain
challenge challenges future outlook unsolved unresolved open remaining = problem
composite hybrid blend mixture mixed = composite
component components ingredient ingredients constituent made consist consisting contain containing = constituent
outcome performance achieve achieved achieves measured metrics data numbers figures improvement results = outcome
rank ranking best highest fastest top order sorted leading = ranking
humid humidity water moisture wet = moisture
air ambient = air
h2s = sulfide
cycle cycles cycled cycling lifetime lifespan durability durable survive survived = cycling
hour hours hrs = hours
sse sses = solid
spe spes polymer polymers = polymer
t+ tli+ tli transference = transference
ion ions ionic = ion
resistance resistive impedance = impedance
interface interphase interfacial = interfacial
strategy strategies approach approaches method methods technique techniques fixes remedies measure measures
 = strategy
alloy alloys alloyed = alloy
anode anodes = anode
gap gaps missing lack lacking unexplored understudied untested unaddressed neglected hole holes blind = gap
hub hubs central centrality bottleneck influential important key pivotal crucial = central
path paths connect connection connected link linked links relate related relation relationship route routes bridge
 = path
family families class classes type types category = family
mechanism mechanisms process processes phenomenon = mechanism
electrolyte electrolytes = electrolyte
exposed exposure prone susceptible suffer suffers affected face faces = exposure
soft = modulus
use used using usable applicable compatible suitable suited = apply
counts count number many = count
compare comparison compared comparing versus against side = comparison
shutdown threshold onset = threshold
"""


def _synonyms() -> dict[str, str]:
    found: dict[str, str] = {}
    for block in re.split(r"\n(?=\S)", _SYNONYMS.strip()):
        left, sep, right = block.replace("\n", " ").rpartition("=")
        if not sep:  # a continuation line must start with a space
            raise ValueError(f"synonyms: no '= word' in {block[:60]!r}")
        target = stem(right.strip())
        for word in left.split():
            found.setdefault(stem(word), target)
    return found


SYNONYMS = _synonyms()


def terms(text: str) -> list[str]:
    """The index terms of a text: its words less stop words, stemmed, with synonyms folded onto the headers' words.

    >>> terms("What stops dendrites?")
    ['mitigat', 'dendrit']
    """
    found = []
    for word in words(text):
        if word in STOP and word not in KEEP:
            continue
        term = stem(word)
        found.append(SYNONYMS.get(term, term))
    return found


# The traversals: name, the parameters they take (name, the kinds of entity it accepts, best first), a description
# in the manner of a stored query's summary, and trigger words.
TRAVERSALS: dict[str, tuple[tuple[tuple[str, tuple[str, ...]], ...], str, str]] = {
    "mitigations": (
        (("target", ("failure mode", "mechanism")),),
        "Strategies that mitigate a failure mode or mechanism, ranked best first, with those acting on its causes.",
        "mitigate prevent stop suppress avoid strategy strategies fix solution",
    ),
    "risks": (
        (("electrolyte", ("electrolyte", "material", "electrolyte family")),),
        "The risks of an electrolyte: the failure modes it or its family is exposed to, through which mechanisms, "
        "and the strategies that apply to it.",
        "risk risks danger hazard safety safe unsafe concern worry wrong threat",
    ),
    "paths": (
        (("source", ()), ("target", ())),
        "How two entities are connected: every chain of links between them, shortest first.",
        "path connect link relate relation route chain between lead",
    ),
    "gaps": (
        (),
        "Where research is missing: hazards no strategy mitigates directly, strategies with no number reported, "
        "electrolyte families with no safety data.",
        "gap gaps missing lack unexplored understudied research need data unmitigated unquantified no no",
    ),
    "centrality": (
        (),
        "Mechanisms and failure modes ranked as hubs of the causal graph: the most central, connected causes.",
        "central hub hubs most important key connected influential causal network mechanism failure",
    ),
    "show": (
        (("entity", ()),),
        "The fact sheet of one entity: what it is, its definition, names, values and links.",
        "describe description define definition explain overview fact sheet detail",
    ),
}
