"""The RO-Crate of a release (``ro-crate-metadata.json``, RO-Crate 1.2), built with the ``rocrate`` library.

The root dataset and every file carry the data's licence (CC BY 4.0) and its attribution: the review the facts
were read from, the articles, and the OBELiX data set with its authors, licence and commit, all read from the
sources' records in the graph (``sslmb sources``). The crate's date is the release's (never the clock), and the
entities come in a fixed order, so the file is byte-stable. The library only assembles the JSON-LD here: the
files themselves are written by :mod:`kg.output.release`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyoxigraph as ox

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
RO_CRATE_VERSION = "1.2"
# A source is a contextual entity: typed Dataset it would count as one of the crate's data entities (RO-Crate's rule),
# so a data set is a CreativeWork whose additionalType says what it is.
_SCHEMA_TYPE = {"review": "ScholarlyArticle", "article": "ScholarlyArticle", "dataset": "CreativeWork"}


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", text.lower()).strip("-")


def source_records(graph: Graph) -> list[dict[str, Any]]:
    """Each source's record as the crate describes it: key, kind, title, year, DOI, URL, licence, creators (as
    printed), version and the attribution text its curation file gives, the review first."""
    from kg.model.sources import sources

    out = []
    for s in sources(graph):
        creators = graph.select(
            "SELECT DISTINCT ?s ?c WHERE { ?s dcterms:creator ?c } ORDER BY ?c", s=ox.NamedNode(s.iri)
        )
        extra = graph.select(
            """SELECT ?s ?citation ?version ?first ?journal ?venue ?volume ?page WHERE {
                 OPTIONAL { ?s dcterms:bibliographicCitation ?citation } OPTIONAL { ?s owl:versionInfo ?version }
                 OPTIONAL { ?s sslmb:firstAuthor ?first } OPTIONAL { ?s sslmb:publishedIn/rdfs:label ?journal }
                 OPTIONAL { ?s dcterms:isPartOf ?venue FILTER(isLiteral(?venue)) }
                 OPTIONAL { ?s bibo:volume ?volume } OPTIONAL { ?s bibo:pageStart ?page } }""",
            s=ox.NamedNode(s.iri),
        )
        row = extra[0] if extra else {}
        names = [str(r["c"]) for r in creators]
        first = str(row["first"]) if row.get("first") is not None else None
        if first in names:  # the first author first, as printed; RDF keeps no order among the others
            names.remove(first)
            names.insert(0, first)

        def text(name: str, row: dict[str, Any] = row) -> str | None:
            return str(row[name]) if row.get(name) is not None else None

        out.append(
            {
                "key": s.key,
                "kind": s.kind,
                "title": s.title,
                "year": s.year,
                "doi": s.doi,
                "url": s.url,
                "licence": s.licence,
                "creators": names,
                "first_author": first,
                "citation": text("citation"),
                "version": text("version"),
                "journal": text("journal") or text("venue"),
                "volume": text("volume"),
                "page": text("page"),
            }
        )
    return sorted(out, key=lambda r: (r["kind"] != "review", r["key"]))


def _source_id(record: dict[str, Any]) -> str:
    return f"https://doi.org/{record['doi']}" if record["doi"] else record["url"] or f"#source-{record['key']}"


def citation(record: dict[str, Any]) -> str:
    """How to cite a source: its curation file's attribution when it gives one, else first author (only when the
    record names who is first), title, journal, year, volume, page and DOI or address, as far as they are known."""
    if record["citation"]:
        return str(record["citation"])
    who = f"{record['first_author']} et al." if record["first_author"] else None
    parts = [
        who,
        record["title"],
        record["journal"],
        str(record["year"] or "") or None,
        record["volume"],
        record["page"],
    ]
    where = f"doi:{record['doi']}" if record["doi"] else record["url"]
    return ", ".join(p for p in [*parts, where] if p)


def _credit(records: list[dict[str, Any]]) -> str:
    return "sslmb-kg (CC BY 4.0), built from: " + "; ".join(citation(r).rstrip(".") for r in records) + "."


def metadata(graph: Graph, date: str, files: list[tuple[str, str, str, int]]) -> bytes:
    """``ro-crate-metadata.json`` for a release of ``date`` made of ``files`` (path in the release, media type,
    description, size in bytes)."""
    try:
        from rocrate.model.contextentity import ContextEntity
        from rocrate.rocrate import ROCrate
    except ImportError:
        from kg.core.errors import KGError

        raise KGError("sslmb release needs the rocrate library: pip install 'sslmb-kg[release]'") from None

    from kg.core import __version__

    crate = ROCrate(version=RO_CRATE_VERSION)
    licence = crate.add(
        ContextEntity(
            crate,
            CC_BY,
            properties={"@type": "CreativeWork", "name": "Creative Commons Attribution 4.0 International",
                        "identifier": "CC-BY-4.0",
                        "description": "Anyone may copy, share and adapt the work for any purpose, giving credit."},
        )
    )  # fmt: skip
    records = source_records(graph)
    people: dict[str, Any] = {}
    sources = []
    for r in records:
        authors = []
        for name in r["creators"]:
            bare = name.removesuffix(" et al.").strip()  # "F. Therrien et al.": the one author the record names
            if bare not in people:
                people[bare] = crate.add(
                    ContextEntity(crate, f"#person-{_slug(bare)}", properties={"@type": "Person", "name": bare})
                )
            authors.append(people[bare])
        properties: dict[str, Any] = {"@type": _SCHEMA_TYPE.get(r["kind"], "CreativeWork"), "name": r["title"]}
        if r["kind"] == "dataset":
            properties["additionalType"] = "https://schema.org/Dataset"
        if authors:
            properties["author"] = authors if len(authors) > 1 else authors[0]
        if r["year"]:
            properties["datePublished"] = str(r["year"])
        if r["doi"]:
            properties["identifier"] = f"https://doi.org/{r['doi']}"
        if r["url"]:
            properties["url"] = r["url"]
        if r["version"]:
            properties["version"] = r["version"]
        properties["creditText"] = citation(r)
        if r["licence"]:
            properties["license"] = licence if r["licence"] == CC_BY else {"@id": r["licence"]}
        sources.append(crate.add(ContextEntity(crate, _source_id(r), properties=properties)))
    credit = _credit(records)
    folders: dict[str, Any] = {}
    parts: list[Any] = []
    for name, media, text, size in files:
        properties = {
            "name": name.rsplit("/", 1)[-1],
            "description": text,
            "encodingFormat": media,
            "contentSize": str(size),
            "license": licence,
            "creditText": credit,
            "isBasedOn": sources,
        }
        if "/" in name:
            folder = name.rsplit("/", 1)[0] + "/"
            if folder not in folders:
                folders[folder] = crate.add_dataset(
                    None,
                    dest_path=folder,
                    properties={"name": folder.rstrip("/"), "description": "The entity network in KGX TSV (Biolink).",
                                "license": licence},
                )  # fmt: skip
                parts.append(folders[folder])
            entity = crate.add_file(None, dest_path=name, properties=properties)
            folders[folder]["hasPart"] = [*(folders[folder].get("hasPart") or []), entity]
        else:
            entity = crate.add_file(None, dest_path=name, properties=properties)
        parts.append(entity)
    root = crate.root_dataset
    root["name"] = "sslmb-kg: a knowledge graph of the safety of solid-state lithium metal batteries"
    kinds: dict[str, int] = {}
    for r in records:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    counted = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in sorted(kinds.items()))
    root["description"] = (
        f"A release of the sslmb-kg knowledge graph: an OWL ontology and the facts of its sources ({counted}), each "
        "source in its own named graph, in RDF, network and flat formats."
    )
    root["datePublished"] = date
    root["version"] = __version__
    root["license"] = licence
    root["creditText"] = credit
    root["citation"] = sources
    root["isBasedOn"] = sources
    root["hasPart"] = parts
    document = crate.metadata.generate()
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
