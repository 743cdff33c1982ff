"""The ``sslmb`` command line: parses arguments, calls the library, prints. Exit codes: 0 ok, 1 the check
found problems (e.g. validation violations), 2 usage or input error."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kg.errors import KGError
from kg.namespaces import shorten

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output as an aligned table or as JSON (structure documented in the README).",
)


class _Group(click.Group):
    """Turns library errors into one line on stderr and the documented exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KGError as exc:
            click.echo(f"sslmb: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()
            ctx.exit(0)


def _graph():
    import kg

    return kg.load()


def _json(obj: Any) -> None:
    from kg.jsonout import to_json

    click.echo(to_json(obj))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sslmb-kg", prog_name="sslmb")
def main() -> None:
    """sslmb: the knowledge graph of solid-state lithium metal battery safety.

    Exit codes: 0 success, 1 a check found problems, 2 usage or input error.
    """


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@FORMAT_OPTION
def validate(files: tuple[Path, ...], fmt: str) -> None:
    """Validate the graph (plus FILES, if given) against the SHACL shapes.

    Exits 0 when it conforms, 1 when there are violations, 2 when a file cannot be read.
    """
    from kg.render import table

    report = _graph().validate(files)
    if fmt == "json":
        _json(report)
    else:
        if report.results:
            rows = [[r.severity, r.focus_label, r.path or "", r.message] for r in report.results]
            click.echo(table(["severity", "focus", "path", "message"], rows))
            click.echo()
        verdict = "conforms" if report.conforms else "does NOT conform"
        click.echo(
            f"{verdict}: {report.violations} violation(s), {report.warnings} warning(s); "
            f"{report.triples} triples, {len(report.shapes_files)} shape files, {report.seconds:.1f} s"
        )
    sys.exit(0 if report.conforms else 1)


@main.command()
@FORMAT_OPTION
def stats(fmt: str) -> None:
    """Counts: triples, entities per class, references, strategies, numbers with units."""
    from kg.render import table

    s = _graph().stats()
    if fmt == "json":
        _json(s)
        return
    summary = [
        ["triples", s.triples],
        ["named entities", s.entities],
        ["references (numbered)", s.references],
        ["mitigation strategies", s.strategies],
        ["failure modes", s.failure_modes],
        ["mechanisms", s.mechanisms],
        ["electrolytes", s.electrolytes],
        ["Table 2 rows", s.table2_rows],
        ["reported quantities", s.quantities],
        ["numbers with units (incl. conditions)", s.numbers_with_units],
        ["links with provenance", s.annotated_links],
        ["uncertain readings marked", s.uncertain_readings],
    ]
    click.echo(table(["what", "count"], summary))
    click.echo()
    click.echo(table(["class", "individuals"], [[c.label, c.count] for c in s.classes]))


@main.command()
@click.argument("text")
@click.option("--limit", default=20, show_default=True, help="At most this many matches.")
@click.option("--kind", "kinds", multiple=True, help="Only entities of this kind (repeatable), e.g. 'strategy'.")
@FORMAT_OPTION
def find(text: str, limit: int, kinds: tuple[str, ...], fmt: str) -> None:
    """Entities whose label, abbreviation or formula matches TEXT, best match first."""
    from kg.render import table

    matches = _graph().find(text, limit=limit, kinds=kinds or None)
    if fmt == "json":
        _json(matches)
    elif matches:
        click.echo(
            table(
                ["label", "kind", "matched", "score", "iri"],
                [[m.label, m.kind, m.matched, m.score, shorten(m.iri)] for m in matches],
            )
        )
    if not matches:
        if fmt != "json":
            click.echo(f"no entity matches {text!r}", err=True)
        sys.exit(1)


@main.command()
@click.argument("entity")
@FORMAT_OPTION
def show(entity: str, fmt: str) -> None:
    """The fact sheet of ENTITY (a label, abbreviation, formula, prefixed name or IRI)."""
    from kg.render import fact_sheet

    sheet = _graph().describe(entity)
    if fmt == "json":
        _json(sheet)
    else:
        click.echo(fact_sheet(sheet))


@main.command()
@FORMAT_OPTION
def reason(fmt: str) -> None:
    """Check with the HermiT OWL reasoner that ontology and data are consistent (needs Java).

    Exits 0 when consistent with every class satisfiable, 1 otherwise.
    """
    report = _graph().reason()
    if fmt == "json":
        _json(report)
    else:
        click.echo(f"{report.reasoner}: {report.message} ({report.triples} triples, {report.seconds:.1f} s)")
        for iri in report.unsatisfiable:
            click.echo(f"  unsatisfiable: {iri}")
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "nt", "jsonld", "rdf"]),
    default=None,
    help="Serialisation; by default taken from the output file's extension.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="File to write.")
def export(fmt: str | None, output: Path) -> None:
    """Write the whole graph (ontology and data) to a file, atomically."""
    path = _graph().export(output, format=fmt)
    click.echo(f"wrote {path} ({path.stat().st_size} bytes)", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
