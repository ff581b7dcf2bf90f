"""Sphinx extension: the bibliography in author–year form, as the chapters cite it.

The chapters cite by author and year (``bibtex_reference_style: author_year`` in
``_config.yml``: "[Glorot and Bengio, 2010]"). pybtex's styles label the list with
numbers ("[8]") or with letters ("[GB10]"), neither of which a reader can match with
what they clicked. This module registers a pybtex formatting style, :data:`STYLE`
(``bibtex_default_style`` in ``_config.yml``), whose entries are pybtex's ``plain`` ones

* labelled with the words the text cites them by (:class:`AuthorYearLabelStyle`): one
  author's surname, two joined by "and", or the first followed by "et al.", then the
  year: the list reads "[Glorot and Bengio, 2010]" where the text does;
* sorted by those words (:class:`AuthorYearSortingStyle`): the first author's surname,
  then one, two, more authors, then the year and the title.

A label that long does not fit the narrow column docutils gives a citation's label, so
the page that lists citations also gets :data:`CSS` (one small file, that page only):
each label on a line of its own, above its entry. The citations keep linking to their
entries: the list is still a citation list (sphinxcontrib-bibtex resolves citations
only to those).

Listed under ``sphinx: local_extensions`` in ``_config.yml``.
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from pybtex.plugin import find_plugin, register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle

#: Name of the formatting style (``bibtex_default_style``) and of its label style.
STYLE = "vgp_author_year"
#: What stands for the other authors of a work with three or more, as in the text.
ET_AL = "et al."
#: File (in the site's ``_static``) of :data:`CSS`, linked from the pages that list citations.
CSS_FILE = "vgp-bibliography.css"
#: Each label on a line of its own above its entry, at every width (Sphinx's basic.css
#: floats it left of a paragraph indented by 4em, made for "[8]").
CSS = """\
/* booktools/author_year.py: author-year labels, each on a line of its own */
div.citation { margin-bottom: 0.75em; }
div.citation > span.label { float: none; display: block; font-weight: 600; }
div.citation > p { margin-left: 1.5em; }
"""


def surnames(entry) -> list[str]:
    """The surnames of ``entry``'s authors (else its editors) as the text prints them:
    plain Unicode ("Montúfar", "van Merriënboer"), in the order of the entry."""
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    last = _last_names()
    return [str(last.format(person, abbr=True).format()) for person in persons]  # plain text


@functools.cache
def _last_names():
    """pybtex's "last" name style, the one the citations use (looked up once: finding a
    plugin reads the installed packages' entry points)."""
    return find_plugin("pybtex.style.names", "last")()


def author_words(names: list[str]) -> str:
    """``"Nielsen"``, ``"Glorot and Bengio"`` or ``"Bengio et al."``, as the citations read.

    >>> author_words(["Nielsen"]), author_words(["Glorot", "Bengio"])
    ('Nielsen', 'Glorot and Bengio')
    >>> author_words(["Bengio", "Simard", "Frasconi"])
    'Bengio et al.'
    """
    if not names:
        return "Anonymous"
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} {ET_AL}"


def label(entry) -> str:
    """The words a chapter cites ``entry`` by: ``"Glorot and Bengio, 2010"``."""
    return f"{author_words(surnames(entry))}, {entry.fields.get('year', 'n.d.')}"


def _fold(text: str) -> str:
    """``text`` for sorting: without accents, case folded ("Håstad" sorts as "hastad")."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return plain.casefold()


class AuthorYearLabelStyle(BaseLabelStyle):
    """Labels in the citations' own words: ``"Bengio et al., 1994"``.

    Two works with the same label keep it (the text cites both by it; each link still
    reaches its own entry, and the titles tell them apart).
    """

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            yield label(entry)


class AuthorYearSortingStyle(BaseSortingStyle):
    """By first author's surname; then one author, two, more; then the second surname (of
    two), year and title."""

    def sorting_key(self, entry):
        names = [_fold(n) for n in surnames(entry)]
        return (
            names[0] if names else "",
            min(len(names), 3),
            names[1] if len(names) == 2 else "",
            entry.fields.get("year", ""),
            _fold(entry.fields.get("title", "")),
        )


class AuthorYearStyle(PlainStyle):
    """pybtex's ``plain`` entries, sorted and labelled author–year."""

    default_label_style = AuthorYearLabelStyle
    default_sorting_style = AuthorYearSortingStyle


def register() -> None:
    """Make :data:`STYLE` known to pybtex (again, harmlessly, on a second build)."""
    register_plugin("pybtex.style.formatting", STYLE, AuthorYearStyle, force=True)
    register_plugin("pybtex.style.labels", STYLE, AuthorYearLabelStyle, force=True)
    register_plugin("pybtex.style.sorting", STYLE, AuthorYearSortingStyle, force=True)


def _on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    """Link :data:`CSS_FILE` from a page that lists citations (and from no other)."""
    from docutils import nodes

    if doctree is not None and doctree.next_node(nodes.citation) is not None:
        app.add_css_file(CSS_FILE)


def _on_build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / CSS_FILE).write_text(CSS, encoding="utf-8")


def setup(app):
    register()
    app.connect("html-page-context", _on_html_page_context)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
