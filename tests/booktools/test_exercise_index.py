"""The ``{exercise-index}`` directive, on a small Sphinx project built in a temporary folder.

The project has two chapters whose TOC order is not alphabetical, numbered and
unnumbered exercises, a hidden exercise and math in a title; the index must
list exactly the visible exercises, grouped by chapter in TOC order, with the
numbers the chapters show and links that point at them. A second, incremental
build after a chapter gains an exercise must update the index.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

CONF = """
extensions = ["sphinx_exercise", "booktools.exercise_index"]
numfig = True
html_theme = "basic"
"""

INDEX = """
Book
====

.. toctree::

   zeta
   alpha
   exercises
"""

ZETA = """
Zeta chapter
============

.. exercise:: First of zeta
   :label: ex-zeta-one

   Do this.

.. solution:: ex-zeta-one
   :class: dropdown

   Done.

.. exercise:: The :math:`\\sigma'` bound
   :label: ex-zeta-two

   And this.

.. exercise:: Not listed
   :label: ex-zeta-hidden
   :hidden:

   Hidden.
"""

ALPHA = """
Alpha chapter
=============

.. exercise:: Unnumbered one
   :label: ex-alpha-free
   :nonumber:

   Free.
"""

EXERCISES = """
All exercises
=============

.. exercise-index::
"""

EXTRA = """

.. exercise:: Added later
   :label: ex-alpha-late

   Late.
"""


def build(src: Path, out: Path, fresh: bool) -> str:
    warnings = io.StringIO()
    with (
        patch_docutils(str(src)),
        docutils_namespace(),
    ):  # as sphinx-build does: one app, one namespace
        app = Sphinx(
            str(src),
            str(src),
            str(out),
            str(out / ".doctrees"),
            "html",
            status=None,
            warning=warnings,
            freshenv=fresh,
        )
        app.build()
    return warnings.getvalue()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    src = tmp_path_factory.mktemp("book")
    for name, text in {
        "conf.py": CONF,
        "index.rst": INDEX,
        "zeta.rst": ZETA,
        "alpha.rst": ALPHA,
        "exercises.rst": EXERCISES,
    }.items():
        (src / name).write_text(text, encoding="utf-8")
    out = src / "_build"
    warnings = build(src, out, fresh=True)
    return src, out, warnings


def entries(html: str):
    """``[(href, text), ...]`` of the links inside the index list."""
    block = html.split('class="vgp-exercise-index', 1)[1].split("</ul>\n</li>\n</ul>", 1)[0]
    return [
        (href, re.sub(r"<[^>]+>", "", text).strip())
        for href, text in re.findall(
            r'<a class="reference internal" href="([^"]+)">(.*?)</a>', block, re.S
        )
    ]


def test_builds_without_warnings(project):
    _, _, warnings = project
    assert warnings == ""


def test_lists_visible_exercises_by_chapter_in_toc_order(project):
    _, out, _ = project
    html = (out / "exercises.html").read_text(encoding="utf-8")
    links = entries(html)
    assert [href for href, _ in links] == [
        "zeta.html",
        "zeta.html#ex-zeta-one",
        "zeta.html#ex-zeta-two",
        "alpha.html",
        "alpha.html#ex-alpha-free",
    ]
    assert links[0][1] == "Zeta chapter" and links[3][1] == "Alpha chapter"
    assert links[1][1] == "Exercise 1 (First of zeta)"
    assert links[2][1].startswith("Exercise 2 (") and 'class="math' in html  # math kept as math
    assert links[4][1] == "Exercise (Unnumbered one)"
    assert "3 exercises in 2 chapters." in html
    assert "Not listed" not in html


def test_numbers_and_anchors_match_the_chapter(project):
    _, out, _ = project
    zeta = (out / "zeta.html").read_text(encoding="utf-8")
    for label, number in (("ex-zeta-one", "1"), ("ex-zeta-two", "2")):
        assert f'id="{label}"' in zeta
        block = zeta.split(f'id="{label}"', 1)[1][:600]
        assert f"Exercise {number} " in block


def test_incremental_build_picks_up_a_new_exercise(project):
    src, out, _ = project
    (src / "alpha.rst").write_text(ALPHA + EXTRA, encoding="utf-8")
    try:
        warnings = build(src, out, fresh=False)
        html = (out / "exercises.html").read_text(encoding="utf-8")
    finally:
        (src / "alpha.rst").write_text(ALPHA, encoding="utf-8")
    assert warnings == ""
    assert "alpha.html#ex-alpha-late" in [href for href, _ in entries(html)]
    assert "4 exercises in 2 chapters." in html


# ---------------------------------------------------------------- the real book (after `make book`)


def index_links(html_dir: Path) -> list[tuple[str, str]]:
    """``[(page, label), ...]`` of the exercise links on the built Exercises page."""
    html = (html_dir / "chapters" / "exercises.html").read_text(encoding="utf-8")
    block = html.split('class="vgp-exercise-index', 1)[1]
    return re.findall(r'href="([\w-]+)\.html#(ex-[\w-]+)"', block)


def chapter_labels() -> dict[str, str]:
    """label -> chapter for every ``{exercise}`` in the chapters' sources."""
    root = Path(__file__).resolve().parents[2]
    labels = {}
    for md in sorted((root / "chapters").glob("*.md")):
        text = md.read_text(encoding="utf-8")
        for m in re.finditer(
            r"^[:`]{3,}\{exercise\}.*\n(?:\s*:[\w-]+:.*\n)*?\s*:label:\s*(\S+)", text, re.M
        ):
            labels[m.group(1)] = md.stem
    return labels


@pytest.mark.book
def test_built_index_links_every_exercise_of_the_book(built_html):
    if not (built_html / "chapters" / "exercises.html").exists():
        pytest.fail(
            "the built site has no chapters/exercises.html (is chapters/exercises in _toc.yml?)"
        )
    links = index_links(built_html)
    assert len(links) >= 12
    assert dict((label, page) for page, label in links) == chapter_labels()
    for page, label in links:
        assert f'id="{label}"' in (built_html / "chapters" / f"{page}.html").read_text(
            encoding="utf-8"
        )


def test_built_index_marks_the_derive_and_argue_exercises(built_html):
    """At least four exercises ask for a derivation or an argument (Nielsen's kind);
    the index marks exactly those (``:class: prose-only``) as derive/argue."""
    html = (built_html / "chapters" / "exercises.html").read_text(encoding="utf-8")
    entries = re.findall(
        r"<li><p>(.*?)</p>", html, re.S
    )  # one per exercise (chapters hold <p><strong>)
    marked = {
        re.search(r'href="[^"#]*#(ex-[\w-]+)"', entry).group(1)
        for entry in entries
        if "#ex-" in entry and re.search(r"</a>\s*—\s*<em>derive/argue</em>\s*$", entry)
    }
    prose_only = set()
    for md in (Path(__file__).resolve().parents[2] / "chapters").glob("*.md"):
        text = md.read_text(encoding="utf-8")
        for block in re.findall(r"^:::\{exercise\}.*?^:::\s*$", text, re.M | re.S):
            if re.search(r"^:class:.*\bprose-only\b", block, re.M):
                prose_only.add(re.search(r"^:label: (\S+)", block, re.M).group(1))
    assert len(prose_only) >= 4, prose_only
    assert marked == prose_only
    assert f"{len(prose_only)} of them ask for a derivation or an argument" in html
