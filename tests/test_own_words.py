"""Labels, definitions and notes are written in our own words: none repeats a run of eight or more words of
the review (bibliographic records and printed forms of values are data, and are exempt)."""

from __future__ import annotations

import re

import pytest
from helpers import REPO

SOURCE = REPO.parent / "shared" / "sources" / "000_99f961dce2f78511.txt"
RUN = 8
EXEMPT = {
    "http://purl.org/dc/terms/bibliographicCitation",
    "http://purl.org/dc/terms/creator",
    "http://purl.org/dc/terms/title",
    "https://w3id.org/sslmb/printedAs",
    "https://w3id.org/sslmb/firstAuthor",
}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.mark.skipif(not SOURCE.is_file(), reason="the review's text is not beside this checkout")
def test_no_literal_repeats_eight_words_of_the_review(graph):
    body = SOURCE.read_text(encoding="utf-8").split("Notes and references")[0]  # author lists are names
    words = _words(body)
    shingles = {" ".join(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}
    rows = graph.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o) && STRLEN(STR(?o)) > 40) }")
    copied = []
    for row in rows:
        if row["p"] in EXEMPT:
            continue
        w = _words(str(row["o"]))
        hits = [" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1) if " ".join(w[i : i + RUN]) in shingles]
        if hits:
            copied.append(f"{row['s']} {row['p'].rsplit('/', 1)[-1]}: ...{hits[0]}...")
    assert not copied, "\n".join(copied[:25])
