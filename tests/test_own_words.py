"""Everything in the repository is written in our own words.

Two checks against the review's prose (the text before its reference list):
- no literal of the graph repeats a run of eight or more of its words (bibliographic records and printed forms
  of values are data, and are exempt);
- no tracked text file (data, code, queries, notes, test fixtures) repeats a run of twelve or more of its words:
  a note points to a passage by section and sentence start instead of quoting it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from helpers import REPO

SOURCE = REPO.parent / "shared" / "sources" / "000_99f961dce2f78511.txt"
RUN = 8
FILE_RUN = 12
EXEMPT = {
    "http://purl.org/dc/terms/bibliographicCitation",
    "http://purl.org/dc/terms/creator",
    "http://purl.org/dc/terms/title",
    "https://w3id.org/sslmb/printedAs",
    "https://w3id.org/sslmb/firstAuthor",
}
# The text files a person writes; vendored third-party files and lock files are not ours to word.
TEXT_SUFFIXES = {".ttl", ".py", ".md", ".rq", ".txt", ".json", ".jsonld", ".html", ".csv", ".yaml", ".yml", ".ipynb"}
VENDORED = ("kg/endpoint/web/static/",)
LOCK_FILES = re.compile(r"(^|/)([^/]*\.lock|[^/]*-lock\.json|[^/]*\.lock\.json)$")

needs_source = pytest.mark.skipif(not SOURCE.is_file(), reason="the review's text is not beside this checkout")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _runs(words: list[str], n: int) -> list[str]:
    return [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]


@cache
def _prose() -> str:
    """The review's prose: the text before "Notes and references" (author lists are names), without the lines
    of its tables (two or more tab stops), whose cells are data such as formulas and numbers."""
    body = SOURCE.read_text(encoding="utf-8").split("Notes and references")[0]
    return "\n".join(line for line in body.splitlines() if line.count("\t") < 2)


@cache
def _shingles(n: int) -> frozenset[str]:
    return frozenset(_runs(_words(_prose()), n))


def _tracked_text_files() -> list[Path]:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, text=True
    ).stdout.split("\0")
    return [
        REPO / name
        for name in listed
        if name
        and Path(name).suffix.lower() in TEXT_SUFFIXES
        and not name.startswith(VENDORED)
        and not LOCK_FILES.search(name)
        and (REPO / name).is_file()
    ]


@needs_source
def test_no_literal_repeats_eight_words_of_the_review(graph):
    shingles = _shingles(RUN)
    rows = graph.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && STRLEN(STR(?o)) > 40) }")
    copied = []
    for row in rows:
        if row["p"] in EXEMPT:
            continue
        hits = [run for run in _runs(_words(str(row["o"])), RUN) if run in shingles]
        if hits:
            copied.append(f"{row['s']} {row['p'].rsplit('/', 1)[-1]}: ...{hits[0]}...")
    assert not copied, "\n".join(copied[:25])


@needs_source
def test_no_tracked_file_repeats_twelve_words_of_the_review():
    shingles = _shingles(FILE_RUN)
    copied = []
    for path in _tracked_text_files():
        words = _words(path.read_text(encoding="utf-8", errors="replace"))
        hits = [run for run in _runs(words, FILE_RUN) if run in shingles]
        if hits:
            copied.append(f"{path.relative_to(REPO)}: {len(hits)} run(s), first ...{hits[0]}...")
    assert not copied, "quote the passage by section and sentence start instead:\n" + "\n".join(copied)


def test_the_file_list_covers_the_repository():
    """The list the check walks is the repository's own, data and notes included, vendored files left out."""
    names = {p.relative_to(REPO).as_posix() for p in _tracked_text_files()}
    assert {"tests/data/cq/NOTES.md", "ontology/instances/strategies.ttl", "README.md", "kg/cli/app.py"} <= names
    assert not any(name.startswith(VENDORED) for name in names)
