"""Decisions recorded as SSSOM TSV (:func:`to_sssom`) and read back (:func:`read_sssom`)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable

from kg.core.errors import InputError, echo
from kg.core.namespaces import PREFIXES, SKOS, SSLMB, shorten
from kg.model.resolution.data import AMBIGUOUS, MATCHED, NEW, VARIANT, Decision, Mention

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
    by_justification: dict[str, str] = {}  # the first way of matching written with each justification
    for made_by, justification in JUSTIFICATIONS.items():
        by_justification.setdefault(justification, made_by)

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
