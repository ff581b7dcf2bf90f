"""Checks of the built site (_build/html) that need no browser."""

import html as html_lib
import json
import re
import shutil
import subprocess

import pytest
import yaml

from booktools.myst import read_toc, toc_entries
from tests.conftest import ROOT, in_ci

REQUIRED_CITATIONS = [
    "hochreiter1991",
    "bengio1994",
    "hochreiter1997",
    "hochreiter2001",
    "glorot2010",
    "pascanu2013",
    "ioffe2015",
    "he2015",
    "he2016",
    "nielsen2015",
    "montufar2014",
]


def pages(html_dir):
    return {f: html_dir / f"{f}.html" for f in toc_entries(read_toc(ROOT))}


def notebook_pages(html_dir):
    return {
        f: p for f, p in pages(html_dir).items() if "{code-cell}" in (ROOT / f"{f}.md").read_text()
    }


def test_every_toc_page_was_built(built_html):
    for name, page in pages(built_html).items():
        assert page.exists(), f"{name} was not built"


def test_every_notebook_page_was_executed(built_html):
    """A page that was not executed has code cells but no outputs at all."""
    for name, page in notebook_pages(built_html).items():
        html = page.read_text()
        assert html.count('class="cell_output') >= 1, f"{name} shows no cell outputs"
        assert "Traceback" not in html, f"{name} shows a traceback"


def test_no_page_loads_anything_from_another_host(built_html):
    for page in built_html.rglob("*.html"):
        html = page.read_text()
        external = re.findall(r'<(?:script|img|iframe)[^>]*\ssrc="(https?:)?//', html)
        external += re.findall(r'<link[^>]*\shref="(?:https?:)?//[^"]*"[^>]*rel="stylesheet"', html)
        external += re.findall(r'<link[^>]*rel="stylesheet"[^>]*\shref="(?:https?:)?//', html)
        assert not external, f"{page.relative_to(built_html)} loads from another host"


def test_math_is_served_locally_as_components_without_the_menu(built_html):
    from booktools.sphinx_ext import MATHJAX_COMPONENTS, MATHJAX_FONT

    mathjax = built_html / "_static" / "mathjax"
    for component in MATHJAX_COMPONENTS:
        assert (mathjax / component).exists(), component
    assert (mathjax / "fonts" / MATHJAX_FONT / "chtml.js").exists()
    assert any((mathjax / "fonts" / MATHJAX_FONT / "chtml" / "woff2").glob("*.woff2"))
    # the combined file, the context menu and the speech engine are not copied
    assert not (mathjax / "tex-mml-chtml.js").exists()
    assert not (mathjax / "ui").exists() and not (mathjax / "sre").exists()
    html = (built_html / "chapters" / "circuits.html").read_text()
    assert 'src="../_static/mathjax/startup.js' in html
    assert '"displayOverflow": "linebreak"' in html


#: Parses every formula with the site's MathJax (node_modules/, as ``npm ci`` installs it)
#: and the TeX packages the pages load; prints the formulas that give an error.
TEX_CHECK_JS = """
const {load, packages, formulas} = JSON.parse(require('fs').readFileSync(0, 'utf8'));
require(process.cwd() + '/node_modules/mathjax').init({loader: {load}, tex: {packages}})
  .then((MathJax) => {
    const bad = [];
    for (const [tex, display] of formulas) {
      const mml = MathJax.tex2mml(tex, {display});
      if (mml.includes('<merror')) bad.push([tex, (mml.match(/<mtext>([^<]*)/) || [])[1]]);
    }
    console.log(JSON.stringify(bad));
  });
"""


def test_every_formula_typesets_with_the_tex_packages_the_pages_load(built_html):
    """A macro of a package the pages do not load would show as a red error."""
    if shutil.which("node") is None:
        (pytest.fail if in_ci() else pytest.skip)("node is needed (make book installs MathJax)")
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["sphinx"]["config"]
    mathjax = config["mathjax3_config"]
    formulas = set()
    for page in pages(built_html).values():
        text = page.read_text()
        for tex in re.findall(
            r'<span class="math notranslate nohighlight">\\\((.*?)\\\)</span>', text, re.S
        ):
            formulas.add((html_lib.unescape(tex), False))
        for tex in re.findall(r"\\\[(.*?)\\\]</div>", text, re.S):
            formulas.add((html_lib.unescape(tex), True))
    assert len(formulas) > 100
    request = {
        "load": [c for c in mathjax["loader"]["load"] if c.startswith(("input/", "[tex]/"))],
        "packages": mathjax["tex"]["packages"],
        "formulas": sorted(formulas),
    }
    out = subprocess.run(
        ["node", "-e", TEX_CHECK_JS],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    assert json.loads(out.stdout) == []


def test_no_page_loads_fontawesome_js_or_widget_state(built_html):
    """The theme's icons come from its style sheet and web font (_templates/layout.html);
    widgets draw nothing on the static site, so their state is not written (sphinx_ext)."""
    for page in built_html.rglob("*.html"):
        if "_static" in page.relative_to(built_html).parts:  # the theme's own templates
            continue
        html = page.read_text()
        name = page.relative_to(built_html)
        assert "fontawesome.js" not in html, name
        assert "application/vnd.jupyter.widget-state+json" not in html, name


def test_solution_folds_are_named_for_what_they_do(built_html):
    """A solution's fold is "Show the solution to Exercise N.k (...)", a name that holds
    its visible words; no fold is "Toggle hidden content"."""
    summaries = 0
    fold = re.compile(r'<details class="solution[^>]*><summary([^>]*)>([^<]*)</summary>')
    for page in pages(built_html).values():
        html = page.read_text()
        assert "Toggle hidden content" not in html, page.name
        for m in fold.finditer(html):
            summaries += 1
            label = re.search(r'aria-label="([^"]*)"', m.group(1))
            assert label, f"{page.name}: a solution's summary has no name: {m.group(2)}"
            assert re.match(r"Show the solution to Exercise \d+\.\d+\b", label.group(1)), label
            assert m.group(2).lower() in label.group(1).lower(), (label.group(1), m.group(2))
    assert summaries > 0


def test_no_dead_widgets_and_no_notes_in_their_place(built_html):
    for name, page in notebook_pages(built_html).items():
        html = page.read_text()
        assert "application/vnd.jupyter.widget-view+json" not in html, name
        assert "@jupyter-widgets/html-manager" not in html, name
        # a widget's cell shows its code alone: the prose above it says how to run it live
        assert "Live widget" not in html, f"{name}: a note stands in for a widget"


def test_every_chapter_has_a_scrubbable_figure(built_html):
    from booktools.myst import chapter_sources

    chapters = {str(p.relative_to(ROOT).with_suffix("")) for p in chapter_sources(ROOT)}
    for name, page in notebook_pages(built_html).items():
        if name not in chapters:  # the preface: one figure that opens the book
            continue
        html = page.read_text()
        assert re.search(r'<input type="range" class="vgp-slider-input"', html), (
            f"{name} has no slider figure"
        )


def test_every_image_file_exists(built_html):
    for page in built_html.rglob("*.html"):
        for src in re.findall(r'<img[^>]*\ssrc="([^"#?]+)"', page.read_text()):
            if src.startswith("data:"):
                continue
            assert (page.parent / src).resolve().exists(), f"{page.name}: missing image {src}"


def test_equations_are_numbered_and_references_resolve(built_html):
    html = (built_html / "chapters" / "circuits.html").read_text()
    assert re.search(r'id="equation-eq-two-layer-gates"', html)
    assert re.search(r'<a class="reference internal" href="#equation-eq-deep-gates">', html)


def test_bibliography_lists_the_primary_papers_and_chapters_cite_them(built_html):
    from pybtex.database import parse_file

    entries = parse_file(str(ROOT / "references.bib")).entries
    bib = (built_html / "chapters" / "bibliography.html").read_text()
    sources = "\n".join((ROOT / f"{f}.md").read_text() for f in toc_entries(read_toc(ROOT)))
    cited = set()
    for group in re.findall(r"\{cite(?::[pt])?\}`([^`]+)`", sources):
        cited |= {key.strip() for key in group.split(",")}
    for key in REQUIRED_CITATIONS:
        title = re.sub(r"[{}]", "", entries[key].fields["title"])
        assert title in bib, f"{key} ({title}) missing from the bibliography"
        assert key in cited, f"no chapter cites {key}"


def test_glued_numbers_were_rendered(built_html):
    html = (built_html / "chapters" / "circuits.html").read_text()
    text = re.sub(r"<[^>]+>", "", html)
    assert "32,769" in text and "on all 65,536 inputs" in text.replace("\n", " ")


EVAL_ROLE = re.compile(r"\{eval\}`[^`]+`")


def test_every_eval_role_became_a_value(built_html):
    """Each {eval} of a chapter is an inline value on its page, shown as a number or
    text a reader can read (no numpy repr, no leftover role or glue call)."""
    total = 0
    for name, page in notebook_pages(built_html).items():
        roles = len(EVAL_ROLE.findall((ROOT / f"{name}.md").read_text()))
        html = page.read_text()
        values = re.findall(r'<span class="output text_plain">([^<]*)</span>', html)
        assert len(values) == roles, f"{name}: {roles} eval roles, {len(values)} values on the page"
        for value in values:
            assert value.strip() and not re.search(r"np\.(float|int)|array\(|^'|^\"", value), (
                name,
                value,
            )
        text = re.sub(r"<[^>]+>", "", html)
        assert "{eval}" not in text and "glue(" not in text and "{glue" not in text, name
        total += roles
    assert total > 150


def test_launch_buttons_open_the_live_notebook(built_html):
    """Binder lands on notebooks/<chapter>.ipynb, which binder/postBuild writes."""
    from booktools.myst import chapter_sources

    chapters = [*chapter_sources(ROOT), ROOT / "chapters" / "preface.md"]
    for source in chapters:
        html = (built_html / "chapters" / f"{source.stem}.html").read_text()
        links = re.findall(r'href="(https://mybinder\.org/[^"]+)"', html)
        assert links, f"{source.stem}: no Binder button"
        assert all(
            link.endswith(f"?urlpath=lab/tree/notebooks/{source.stem}.ipynb") for link in links
        ), links


def _download_links(html: str) -> list[str]:
    start = html.find("dropdown-download-buttons")
    assert start >= 0, "no download menu"
    menu = html[start : html.find("</ul>", start)]
    return re.findall(r'href="([^"]+)"', menu)


def test_the_download_menu_offers_the_student_notebook_not_the_solutions(built_html):
    """A chapter's download menu once linked its executed notebook and its MyST source,
    both holding every solution; it now offers the student edition, and the site has
    no copy of a chapter's source."""
    import nbformat

    from booktools.edition import find_leaks
    from booktools.myst import chapter_sources

    sources = built_html / "_sources"
    assert not sources.exists() or not [p for p in sources.rglob("*") if p.is_file()]
    for source in chapter_sources(ROOT):
        page = built_html / "chapters" / f"{source.stem}.html"
        links = _download_links(page.read_text())
        assert links == [f"../student/{source.stem}.ipynb"], (source.stem, links)
        nb = nbformat.read(page.parent / links[0], as_version=4)
        assert nb.metadata["vgp_edition"]["edition"] == "student"
        assert find_leaks(nb) == [], source.stem
    for name, page in pages(built_html).items():  # text pages: no source to download
        if name.startswith("chapters/") and (ROOT / f"{name}.md") not in chapter_sources(ROOT):
            assert "_sources" not in " ".join(_download_links(page.read_text())), name


def test_every_plt_show_produced_an_image(built_html):
    """A kernel with a non-inline backend (e.g. MPLBACKEND=Agg) silently drops figures."""
    for name, page in notebook_pages(built_html).items():
        source = (ROOT / f"{name}.md").read_text()
        cells = re.findall(r"```\{code-cell\}[^\n]*\n(.*?)```", source, re.S)
        shown = sum("plt.show()" in c for c in cells if ":tags: [remove-cell]" not in c)
        html = page.read_text()
        images = len(re.findall(r'<img[^>]*src="[^"]*\.png"', html))
        assert images >= shown, (
            f"{name}: {shown} cells call plt.show() but only {images} images were rendered"
        )
