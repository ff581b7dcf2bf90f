"""Sphinx extension: the theme's dead weight left out of the written site.

sphinx-book-theme and pydata-sphinx-theme ship a whole framework for every page: all of
Bootstrap's and the theme's style rules (400 kB, most for components this book never
shows) and Font Awesome's complete web fonts (270 kB, for the dozen icons of the header).
Three extensions add a script or a style sheet to every page whether it uses them or not.
This module, run by Sphinx on every HTML build, trims each after the pages are written:

* :func:`purge_css` keeps a style rule only if some page could match it: a rule stays when
  every class and id of one of its selectors occurs in a written page, or as a word in a
  script the site serves (Bootstrap and the theme add ``show``, ``active``... as the reader
  clicks). Element selectors, ``:root`` and every at-rule stay (an ``@media`` block loses
  only the style rules it holds that were dropped). What sits inside ``:not()``, ``:is()``
  or an attribute selector is never required, so a doubtful rule is kept.
* :func:`subset_fonts` cuts the Font Awesome web fonts to the glyphs the kept rules name
  (every character in a string of a kept rule: ``content: "\\f09b"``), under the same file
  names, so the style sheet still finds them.
* :func:`_drop_unused_assets` leaves sphinx-togglebutton's script and style sheet, and
  sphinx-design's tab script and style sheet, off a page none of whose elements they act
  on (the solutions fold with ``<details>``, which needs neither).

Listed under ``sphinx: local_extensions`` in ``_config.yml``. Tested by
``tests/booktools/test_sphinx_weight.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import tinycss2

#: Style sheets purged (paths under ``_static``; ``*`` as in glob): the themes' and the
#: extensions' own. The book's style sheets stay whole.
PURGED = (
    "styles/pydata-sphinx-theme.css",
    "styles/sphinx-book-theme.css",
    "sphinx-design.min.css",
    "mystnb.*.css",
    "basic.css",
    "pygments.css",
    "togglebutton.css",
)

#: Class prefixes of elements built in the reader's browser by code the site does not
#: serve (thebe's live kernel and its widgets, loaded from a CDN): always present.
LIVE_PREFIXES = ("thebe", "jp-", "jupyter-", "widget-", "lm-", "p-", "cm-", "CodeMirror")

FONT_DIR = "vendor/fontawesome/webfonts"

_ATTR = re.compile(r"""\b(class|id)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_WORD = re.compile(r"[A-Za-z_][\w-]*")
# the style rules inside these at-rules are purged; every other at-rule (@font-face,
# @keyframes, @charset, @import...) is kept whole
_NESTED = {"media", "supports", "layer", "container"}


def page_names(html: str) -> set[str]:
    """The class names and ids of a page's elements, and every word of its scripts."""
    names = set()
    for match in _ATTR.finditer(html):
        value = match.group(2) if match.group(2) is not None else match.group(3)
        names.update(value.split())
    for script in _SCRIPT.findall(html):
        names.update(_WORD.findall(script))
    return names


def script_names(js: str) -> set[str]:
    """Every word of a script: the class names it may add to the page."""
    return set(_WORD.findall(js))


def _selectors(prelude):
    """A rule's selector list, split at its top-level commas (lists of tokens)."""
    selectors, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append(current)
            current = []
        else:
            current.append(token)
    selectors.append(current)
    return selectors


def required(selector) -> set[str]:
    """The classes and ids an element needs for `selector` to match something on a page.

    Only top-level ``.class`` and ``#id`` count: what sits in a function (``:not(.x)``,
    ``:is(.x, .y)``) or an attribute selector (``[class*=col-]``) is not required."""
    needs = set()
    for before, token in zip([None, *selector], selector):
        if token.type == "hash":
            needs.add(token.value)
        elif token.type == "ident" and before is not None and before.type == "literal":
            if before.value == ".":
                needs.add(token.value)
    return needs


def _present(name: str, names: set[str]) -> bool:
    return name in names or name.startswith(LIVE_PREFIXES)


def _prefixed_pseudo(selector) -> bool:
    """Does a selector use a vendor pseudo-class (``::-moz-...``)? A browser drops a whole
    selector list it cannot parse, so such a list is kept or dropped whole."""
    return any(
        t.type == "ident"
        and t.value.startswith("-")
        and b is not None
        and b.type == "literal"
        and b.value == ":"
        for b, t in zip([None, *selector], selector)
    )


def _keep_rule(rule, names: set[str]) -> str | None:
    """A style rule with only the selectors some page can match, or None if none can."""
    selectors = _selectors(rule.prelude)
    matches = [all(_present(n, names) for n in required(s)) for s in selectors]
    if not any(matches):
        return None
    if not any(_prefixed_pseudo(s) for s in selectors):
        selectors = [s for s, m in zip(selectors, matches) if m]
    prelude = ",".join(tinycss2.serialize(s).strip() for s in selectors)
    return prelude + "{" + tinycss2.serialize(rule.content).strip() + "}"


def _purge_rules(rules, names: set[str]) -> list[str]:
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            text = _keep_rule(rule, names)
            if text is not None:
                kept.append(text)
        elif rule.type == "at-rule":
            if rule.content is not None and rule.lower_at_keyword in _NESTED:
                inner = tinycss2.parse_rule_list(rule.content, skip_comments=True)
                body = _purge_rules(inner, names)
                if not body:
                    continue
                head = "@" + rule.at_keyword + tinycss2.serialize(rule.prelude).rstrip()
                kept.append(head + "{" + "".join(body) + "}")
            else:
                kept.append(tinycss2.serialize([rule]).strip())
        elif rule.type == "comment" and rule.value.startswith("!"):
            kept.append("/*" + rule.value + "*/")  # licences stay; source maps do not
    return kept


def purge_css(css: str, names: set[str]) -> str:
    """The style sheet `css` without the style rules no element named in `names` matches."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=True)
    return "\n".join(_purge_rules(rules, names)) + "\n"


def css_strings(css: str) -> str:
    """Every character of every string in a style sheet (where its icons' code points sit)."""
    found = []

    def walk(tokens):
        for token in tokens:
            if token.type == "string":
                found.append(token.value)
            for attr in ("content", "prelude", "arguments"):
                inner = getattr(token, attr, None)
                if isinstance(inner, list):
                    walk(inner)

    walk(tinycss2.parse_stylesheet(css, skip_comments=True))
    return "".join(found)


def subset_font(path: Path, characters: str) -> None:
    """Rewrite the web font at `path` with only the glyphs of `characters` it has."""
    import logging

    from fontTools import subset
    from fontTools.ttLib import TTFont

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its timings fill the build log
    font = TTFont(path)
    flavor = font.flavor
    cmap = font.getBestCmap() or {}
    options = subset.Options()
    options.flavor = flavor
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted({ord(c) for c in characters} & set(cmap)))
    subsetter.subset(font)
    font.flavor = flavor
    font.save(path)


def subset_fonts(static: Path, characters: str) -> None:
    """Cut every Font Awesome web font under `static` to the glyphs of `characters`."""
    for path in sorted((static / FONT_DIR).glob("*.woff2")):
        subset_font(path, characters)


def site_names(outdir: Path) -> set[str]:
    """The names any page of the site can hold: its elements' classes and ids, and the
    words of every script it serves."""
    names = set()
    for path in outdir.rglob("*.html"):
        names |= page_names(path.read_text(encoding="utf-8", errors="replace"))
    for path in outdir.rglob("*.js"):
        names |= script_names(path.read_text(encoding="utf-8", errors="replace"))
    return names


def trim_site(outdir: Path) -> None:
    """Purge the theme's style sheets and subset its icon fonts in a written site."""
    static = outdir / "_static"
    names = site_names(outdir)
    for pattern in PURGED:
        for path in static.glob(pattern):
            css = path.read_text(encoding="utf-8")
            path.write_text(purge_css(css, names), encoding="utf-8")
    characters = "".join(css_strings(p.read_text(encoding="utf-8")) for p in static.rglob("*.css"))
    subset_fonts(static, characters)


def _classes(html: str) -> set[str]:
    return {
        name
        for m in _ATTR.finditer(html)
        if m.group(1) == "class"
        for name in (m.group(2) if m.group(2) is not None else m.group(3)).split()
    }


def unused_assets(body: str) -> set[str]:
    """The optional scripts and style sheets (file names) a page with this body can do
    without: sphinx-togglebutton's when nothing on it folds the extension's way,
    sphinx-design's when it has no sphinx-design element (tabs: its script)."""
    classes = _classes(body)
    unused = set()
    toggles = {"toggle", "toggle-details", "dropdown"} & classes
    if not toggles:
        unused |= {"togglebutton.js", "togglebutton.css"}
    if "sd-tab-set" not in classes:
        unused.add("design-tabs.js")
    if not any(c.startswith("sd-") for c in classes):
        unused.add("sphinx-design.min.css")
    return unused


def _drop_unused_assets(app, pagename, templatename, context, doctree) -> None:
    """Leave the optional scripts and style sheets a page does not use off it (with the
    inline settings sphinx-togglebutton writes beside its script)."""
    unused = unused_assets(context.get("body", ""))
    if not unused:
        return

    def used(asset) -> bool:
        name = asset.filename
        if name:
            return Path(str(name)).name not in unused
        body = asset.attributes.get("body", "")
        return not ("togglebutton.js" in unused and re.search(r"\btoggle\w*\s*=", body))

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if used(a)]


def _on_build_finished(app, exception) -> None:
    if exception is None and app.builder.format == "html":
        trim_site(Path(app.outdir))


def setup(app):
    app.connect("html-page-context", _drop_unused_assets, priority=950)
    # after booktools.sphinx_ext has copied MathJax (whose scripts add classes too)
    app.connect("build-finished", _on_build_finished, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
