"""A small Sphinx extension the book's build uses (``sphinx: local_extensions`` in
``_config.yml``).

It does three things:

1. **Offline, light math.** The MathJax 4 components the pages load, and their font,
   are copied from ``node_modules/`` (``npm ci``, pinned in ``package-lock.json``) into
   ``_static`` so every page renders its math without a network (see
   :func:`copy_mathjax`; the configuration is ``mathjax3_config`` in ``_config.yml``).
   Pages carry no ipywidgets state, which draws nothing on the static site
   (:func:`drop_widget_state`).
2. **Launch buttons that land on the live chapter.** The theme's Binder button
   opens the page's source, ``chapters/<name>.md``, which JupyterLab shows as plain
   Markdown. It is pointed at ``notebooks/<name>.ipynb`` instead: the live edition
   that Binder's ``postBuild`` writes (see :mod:`booktools.edition`).
3. **Clean pages.** It removes two console errors the theme's pages would
   otherwise raise (see :func:`_on_html_page_context`), gives the bibliography's
   entries a role screen readers know (see :func:`accessible_body`), and folds
   solutions and other folded boxes with ``<details>``, so they stay folded without
   JavaScript (see :func:`fold_dropdowns`).

Chapters are executed by every build (``execute_notebooks: inline`` in
``_config.yml``), so there is no notebook cache that could go stale.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

#: The repository's root, where ``npm ci`` (``make book``) installs MathJax into node_modules/.
ROOT = Path(__file__).resolve().parents[1]
#: The MathJax 4 components the pages load (``mathjax3_config.loader`` in ``_config.yml``),
#: paths inside the npm package ``mathjax``: the loader, TeX input with the AMS environments
#: the chapters use (and ``newcommand``, which ``ams`` needs), CommonHTML output, and the
#: hidden MathML that screen readers read. Not the context menu, which would bring the
#: speech-rule engine with it.
MATHJAX_COMPONENTS = (
    "startup.js",
    "core.js",
    "input/tex-base.js",
    "input/tex/extensions/ams.js",
    "input/tex/extensions/newcommand.js",
    "output/chtml.js",
    "a11y/assistive-mml.js",
)
#: The font's CommonHTML data and web fonts, in the npm package ``@mathjax/mathjax-newcm-font``.
#: The pages fetch only the glyph ranges and woff2 files their maths uses.
MATHJAX_FONT = "mathjax-newcm-font"
MATHJAX_FONT_PARTS = ("chtml.js", "chtml/dynamic", "chtml/woff2")
#: Folder of the live notebooks, relative to the repository root (the launch target).
LIVE_DIR = "notebooks"


def mathjax_source(root: Path = ROOT) -> Path:
    """Directory of the npm package ``mathjax`` under ``root/node_modules``."""
    src = Path(root) / "node_modules" / "mathjax"
    if not (src / "startup.js").exists():
        raise RuntimeError(
            "MathJax is missing: run `make book` (it runs `npm ci`, which installs the "
            "versions package-lock.json pins into node_modules/), or `npm ci` by hand"
        )
    return src


def copy_mathjax(static_dir: Path, root: Path = ROOT) -> None:
    """Copy the MathJax components and the font the pages load into ``static_dir/mathjax``
    (the font into ``mathjax/fonts/``, the loader's ``[fonts]`` path)."""
    src = mathjax_source(root)
    dest = Path(static_dir) / "mathjax"
    font_src = src.parent / "@mathjax" / MATHJAX_FONT
    font_dest = dest / "fonts" / MATHJAX_FONT
    shutil.rmtree(dest, ignore_errors=True)  # only what the pages load, nothing older
    pairs = [(src / c, dest / c) for c in MATHJAX_COMPONENTS]
    pairs += [(font_src / p, font_dest / p) for p in MATHJAX_FONT_PARTS]
    for s, d in pairs:
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(s, d)


def live_launch_url(url: str, docname: str) -> str:
    """Point a Binder/JupyterHub launch ``url`` for page ``docname`` at its live notebook.

    JupyterHub links put the repository's folder name before the path; it is kept.

    >>> live_launch_url("https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/chapters/chain.md",
    ...                 "chapters/chain")
    'https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/notebooks/chain.ipynb'
    """
    stem = docname.rsplit("/", 1)[-1]
    return re.sub(
        r"(urlpath=[a-z]+/tree/(?:[^&/]+/)?)" + re.escape(docname) + r"\.(md|ipynb)\b",
        lambda m: f"{m.group(1)}{LIVE_DIR}/{stem}.ipynb",
        url,
    )


#: ARIA roles docutils writes that DPUB-ARIA 1.1 deprecated: a ``role="list"``
#: holding them has no list items (axe-core: aria-required-children, critical).
DEPRECATED_ROLES = re.compile(r'role="doc-(biblioentry|endnote)"')


#: myst-nb names every fold of a hidden cell "Toggle hidden content", not what it says.
FOLD_LABEL = re.compile(r'<summary aria-label="Toggle hidden content">')


def accessible_body(body: str) -> str:
    """The page body with two fixes for assistive technology.

    * docutils writes a citation list as ``<div role="list">`` of
      ``<div role="doc-biblioentry">``; the latter role is deprecated, so assistive
      technology (and axe-core) sees a list without items: they become ``listitem``.
    * myst-nb's folds of hidden code (``hide-input``, ``hide-output``) carry
      ``aria-label="Toggle hidden content"`` while they show "Show code cell source";
      a speech user saying what they see would not reach them. The label goes, so the
      visible words are the name.

    >>> accessible_body('<div role="list"><div class="citation" role="doc-biblioentry">x</div>'
    ...                 '</div>')
    '<div role="list"><div class="citation" role="listitem">x</div></div>'
    >>> accessible_body('<summary aria-label="Toggle hidden content"><p>Show code</p></summary>')
    '<summary><p>Show code</p></summary>'
    """
    return FOLD_LABEL.sub("<summary>", DEPRECATED_ROLES.sub('role="listitem"', body))


_DROPDOWN_OPEN = re.compile(r'<div class="([^"]*\bdropdown\b[^"]*\badmonition\b[^"]*)"([^>]*)>')
_DIV_TAG = re.compile(r"<div\b|</div>")
_TITLE = re.compile(r'\s*<p class="admonition-title">(.*?)</p>', re.S)


def _matching_close(html: str, start: int) -> int:
    """Index of the ``</div>`` closing the ``<div`` that opens at ``start``."""
    depth = 0
    for tag in _DIV_TAG.finditer(html, start):
        depth += 1 if tag.group() == "<div" else -1
        if depth == 0:
            return tag.start()
    raise ValueError(f"unbalanced <div> from offset {start}")


#: How sphinx-exercise titles a solution ("Solution to Exercise 2.1 (...)").
SOLUTION_TITLE = "Solution to "


def fold_label(summary: str) -> str:
    """The ``aria-label`` attribute of a fold's ``<summary>`` (``summary``: its HTML text).

    A solution's summary reads "Solution to Exercise 2.1 (title)"; a screen reader says
    what it does, "Show the solution to Exercise 2.1 (title)", a name that holds the
    visible words, so a speech user who says them reaches it (axe-core:
    label-content-name-mismatch). Other folds ("How sure are we?") are named by their
    words alone: without the label, the theme's icon after the title (a private-use
    character of its icon font) would end the name.

    >>> fold_label("Solution to Exercise 2.1 (One gradient by hand)")
    ' aria-label="Show the solution to Exercise 2.1 (One gradient by hand)"'
    >>> fold_label("How sure are we?")
    ' aria-label="How sure are we?"'
    """
    label = summary.replace('"', "&quot;")
    if label.startswith(SOLUTION_TITLE):
        label = "Show the s" + label[1:]
    return f' aria-label="{label}"'


def fold_dropdowns(body: str) -> str:
    """Every folded box (a solution, a "How sure are we?" note) as ``<details>``.

    sphinx-togglebutton folds ``div.admonition.dropdown`` with JavaScript, so without
    it every solution shows. A ``<details>`` element is folded by the browser itself:
    the box keeps its classes (minus ``dropdown``, so the script leaves it alone), its
    title becomes the ``<summary>`` (as text: a link inside a summary would be a control
    inside a control; the link's target, the exercise, stays as ``data-for``). A solution's
    summary is named for what it does (:func:`fold_label`).

    >>> fold_dropdowns('<div class="solution dropdown admonition" id="s">'
    ...                '<p class="admonition-title">Solution to <a href="#e">Exercise 1.2</a></p>'
    ...                '<div class="cell">x</div></div>')
    ... # doctest: +NORMALIZE_WHITESPACE
    '<details class="solution admonition vgp-fold" id="s" data-for="e"><summary
    class="admonition-title" aria-label="Show the solution to Exercise 1.2">Solution to
    Exercise 1.2</summary><div class="cell">x</div></details>'
    """
    out, pos = [], 0
    for match in _DROPDOWN_OPEN.finditer(body):
        if match.start() < pos:  # nested inside a box already folded
            continue
        end = _matching_close(body, match.start())
        inner = body[match.end() : end]
        classes = " ".join(c for c in match.group(1).split() if c != "dropdown")
        title = _TITLE.match(inner)
        summary, target = "Details", ""
        if title:
            summary = " ".join(re.sub(r"<[^>]+>", "", title.group(1)).split())
            link = re.search(r'href="#([^"]+)"', title.group(1))
            target = f' data-for="{link.group(1)}"' if link else ""
            inner = inner[title.end() :]
        out.append(body[pos : match.start()])
        out.append(
            f'<details class="{classes} vgp-fold"{match.group(2)}{target}>'
            f'<summary class="admonition-title"{fold_label(summary)}>{summary}</summary>'
            f"{fold_dropdowns(inner)}"
            "</details>"
        )
        pos = end + len("</div>")
    out.append(body[pos:])
    return "".join(out)


def _on_builder_inited(app) -> None:
    """Remember which pages have a live notebook: the TOC's notebook chapters and its root
    (the preface) when that is a notebook too."""
    from booktools.myst import chapter_sources, is_notebook_source, read_toc

    root = Path(app.srcdir)
    pages = list(chapter_sources(root))
    front = read_toc(root).get("root")
    if isinstance(front, str):
        path = (root / front).with_suffix(".md")
        if path.is_file() and is_notebook_source(path):
            pages.append(path)
    app.env.vgp_live_docs = {str(p.relative_to(root).with_suffix("")) for p in pages}


def _point_launch_buttons(app, pagename, context) -> None:
    live = getattr(app.env, "vgp_live_docs", set())
    if pagename not in live:
        return
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if button.get("url"):
                button["url"] = live_launch_url(button["url"], pagename)


#: Folder of the built site that holds the chapters' student notebooks (the download menu's).
STUDENT_DIR = "student"


def _on_build_finished(app, exception) -> None:
    """Copy MathJax; write the student notebooks the download menu offers; and remove the
    chapters' sources (MyST and executed notebook), which hold every solution."""
    if exception is None and app.builder.format == "html":
        from booktools.edition import write_edition

        out = Path(app.outdir)
        copy_mathjax(out / "_static")
        chapters = getattr(app.env, "vgp_live_docs", set())
        if chapters:
            write_edition("student", root=app.srcdir, out=out / STUDENT_DIR)
        # myst-nb copies every page's source here for the download menu, which no longer
        # links it; search does not read it either (html_copy_source is off)
        shutil.rmtree(out / "_sources", ignore_errors=True)


def _student_download(app, pagename, context) -> None:
    """The download menu offers a chapter's student notebook (no solutions) and the PDF,
    never the chapter's source or executed notebook, which hold the solutions."""
    live = pagename in getattr(app.env, "vgp_live_docs", set())
    for group in context.get("header_buttons", []):
        if group.get("label") != "download-buttons":
            continue
        kept = [b for b in group.get("buttons", []) if b.get("label") == "download-pdf-button"]
        if live:
            url = f"{context['pathto'](STUDENT_DIR, 1)}/{Path(pagename).name}.ipynb"
            kept.insert(
                0,
                {
                    "type": "link",
                    "url": url,
                    "text": ".ipynb",
                    "icon": "fas fa-code",
                    "tooltip": "Download the exercises as a notebook (no solutions)",
                    "label": "download-notebook-button",
                },
            )
        group["buttons"] = kept


#: myst-nb's keys for a page's ipywidgets state and the widget manager's scripts.
WIDGET_JS_KEYS = re.compile(r"ipywidgets_(state|\d+)$")


def drop_widget_state(js_files: dict) -> dict:
    """A page's scripts (myst-nb's ``js_files``) without the widgets' saved state.

    The static site draws no widget (each follows a static figure, and the widget
    manager is never loaded), yet myst-nb writes every widget's state into the page:
    39-75 % of a chapter's HTML.

    >>> drop_widget_state({"ipywidgets_state": (None, {}), "ipywidgets_0": ("w.js", {}),
    ...                    "other": ("o.js", {})})
    {'other': ('o.js', {})}
    """
    return {key: value for key, value in js_files.items() if not WIDGET_JS_KEYS.match(key)}


def _on_env_updated(app, env) -> None:
    for data in getattr(env, "nb_metadata", {}).values():
        if "js_files" in data:
            data["js_files"] = drop_widget_state(data["js_files"])


#: Runs before MathJax starts: the hidden-MathML component sets an option of the context
#: menu, which the pages do not load, and MathJax would warn of an invalid option.
MATHJAX_READY = (
    "MathJax.startup = Object.assign(MathJax.startup || {}, {ready() {"
    " delete (MathJax.config.options || {}).menuOptions; MathJax.startup.defaultReady(); }});"
)


def _page_has_maths(body: str) -> bool:
    """Whether a page's body holds maths for MathJax (Sphinx's and myst-nb's math markup).

    >>> _page_has_maths('<span class="math notranslate nohighlight">x</span>')
    True
    >>> _page_has_maths('<section class="tex2jax_ignore mathjax_ignore"><p>x</p></section>')
    False
    """
    return re.search(r'class="math\b', body) is not None


def _drop_mathjax(app, scripts) -> None:
    """Remove MathJax and its configuration from a page without maths: myst-nb asks for
    it on every notebook page, and it is most of a text page's weight."""
    path = f"_static/{app.config.mathjax_path}"

    def mathjax(script) -> bool:
        body = str(getattr(script, "attributes", {}).get("body", "") or "")
        return str(getattr(script, "filename", "") or "") == path or "window.MathJax" in body

    scripts[:] = [s for s in scripts if not mathjax(s)]


def _mathjax_ready(app, scripts) -> None:
    """Add :data:`MATHJAX_READY` to a page that loads MathJax (Sphinx adds it to pages with
    maths only, as ``_static/`` + ``mathjax_path``)."""
    path = f"_static/{app.config.mathjax_path}"
    if any(str(getattr(s, "filename", "") or "") == path for s in scripts):
        app.builder.add_js_file("", body=MATHJAX_READY)


def _on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    """Launch buttons to the live notebook (:func:`live_launch_url`), and two fixes to
    the theme's pages, so they load without console errors.

    * sphinx-thebe and sphinx-togglebutton register their inline configuration
      scripts twice under Jupyter Book 1.0.4 (``const THEBE_JS_URL`` declared
      twice is a SyntaxError in the browser): keep the first of identical scripts.
    * pydata-sphinx-theme reads its colour mode from ``default_mode``, which no
      one sets here; an empty mode is reported as an error. Use "light".
    * MathJax would warn of the context menu's option (:data:`MATHJAX_READY`).

    The body's bibliography entries get a role screen readers know (:func:`accessible_body`),
    and its folded boxes fold without JavaScript too (:func:`fold_dropdowns`).
    """
    if isinstance(context.get("body"), str):
        context["body"] = fold_dropdowns(accessible_body(context["body"]))
    scripts = context.get("script_files")
    if scripts:
        seen, unique = set(), []
        for script in scripts:
            attributes = getattr(script, "attributes", {})
            key = (getattr(script, "filename", None) or "", repr(sorted(attributes.items())))
            if key not in seen:
                seen.add(key)
                unique.append(script)
        scripts[:] = unique
        if isinstance(context.get("body"), str) and not _page_has_maths(context["body"]):
            _drop_mathjax(app, scripts)
        _mathjax_ready(app, scripts)
    if not context.get("default_mode"):
        context["default_mode"] = "light"
    _point_launch_buttons(app, pagename, context)
    _student_download(app, pagename, context)


def setup(app):
    app.connect("html-page-context", _on_html_page_context, priority=900)
    app.connect("builder-inited", _on_builder_inited)
    app.connect("env-updated", _on_env_updated)
    app.connect("build-finished", _on_build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
