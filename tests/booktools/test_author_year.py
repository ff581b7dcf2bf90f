"""The bibliography in author–year form (booktools/author_year.py): its labels are the words
the chapters cite by, it is sorted by them, and the citations still link to the entries."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

from pybtex.database import parse_file
from pybtex.plugin import find_plugin

from booktools import author_year
from booktools.edition import read_bibliography

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "references.bib"


def _style():
    author_year.register()
    return find_plugin("pybtex.style.formatting", author_year.STYLE)()


def _sorted_labels():
    style = _style()
    entries = style.sort(parse_file(str(BIB)).entries.values())
    return entries, list(style.format_labels(entries))


def test_every_label_is_the_words_the_text_cites_by_and_unique():
    entries, labels = _sorted_labels()
    cited_as = read_bibliography(BIB)  # the author-year words the student notebooks print
    for entry, label in zip(entries, labels):
        names, year = cited_as[entry.key]
        assert label == f"{names}, {year}", (entry.key, label)
    assert len(set(labels)) == len(labels), "two entries share a label: give the years a letter"
    assert "LeCun et al., 1998a" in labels and "LeCun et al., 1998b" in labels


def test_labels_follow_the_citation_rules():
    assert author_year.author_words(["Nielsen"]) == "Nielsen"
    assert author_year.author_words(["Glorot", "Bengio"]) == "Glorot and Bengio"
    assert author_year.author_words(["Bengio", "Simard", "Frasconi"]) == "Bengio et al."
    _, labels = _sorted_labels()
    assert "Håstad, 1987" in labels and "Montúfar et al., 2014" in labels  # no LaTeX left


def test_the_list_runs_in_alphabetical_order_of_first_authors():
    _, labels = _sorted_labels()

    def first_author(label):
        name = re.split(r" and | et al\.|, ", label)[0]
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        return plain.casefold()

    keys = [first_author(label) for label in labels]
    assert keys == sorted(keys), labels
    # one author before two before more, for the same first author
    assert labels.index("Hochreiter, 1991") < labels.index("Hochreiter and Schmidhuber, 1997")
    assert labels.index("Hochreiter and Schmidhuber, 1997") < labels.index(
        "Hochreiter et al., 2001"
    )


def test_a_small_site_links_each_citation_to_its_labelled_entry(tmp_path):
    """A two-page Sphinx project with the book's settings: no warning, the citations link to
    the entries, the labels are author–year, and only the list's page loads the CSS."""
    shutil.copy(BIB, tmp_path / "references.bib")
    (tmp_path / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        'extensions = ["myst_parser", "sphinxcontrib.bibtex", "booktools.author_year"]\n'
        'bibtex_bibfiles = ["references.bib"]\n'
        'bibtex_reference_style = "author_year"\n'
        f"bibtex_default_style = {author_year.STYLE!r}\n"
        'bibtex_tooltips_style = "plain"\n'
    )
    (tmp_path / "index.md").write_text(
        "# Text\n\nCited {cite:p}`glorot2010` and {cite:p}`lecun1998,hastad1987`.\n\n"
        "```{toctree}\nbib\n```\n"
    )
    (tmp_path / "bib.md").write_text("# Bibliography\n\n```{bibliography}\n:all:\n```\n")
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(tmp_path), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and "WARNING" not in run.stderr, run.stderr
    text = (tmp_path / "out" / "index.html").read_text()
    bib = (tmp_path / "out" / "bib.html").read_text()
    links = dict(re.findall(r'href="bib\.html#(id\d+)"[^>]*>([^<]+)<', text))
    assert set(links.values()) >= {"Glorot and Bengio, 2010", "Håstad, 1987"}, links
    labels = {
        ident: re.sub(r"<[^>]+>", "", lab)
        for ident, lab in re.findall(
            r'<div class="citation" id="(id\d+)"[^>]*>\s*<span class="label">(.*?)</span>\s*<p>',
            bib,
        )
    }
    for ident, words in links.items():
        if words.endswith(("2010", "1987")):
            assert labels[ident] == f"[{words}]", (ident, labels.get(ident))
    assert labels[[i for i, w in links.items() if "LeCun" in w or "1998" in w][0]] == (
        "[LeCun et al., 1998b]"
    )
    assert author_year.CSS_FILE in bib and author_year.CSS_FILE not in text
    assert (tmp_path / "out" / "_static" / author_year.CSS_FILE).read_text() == author_year.CSS
