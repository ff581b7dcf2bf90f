"""booktools/sphinx_weight.py: the theme's style rules and icon fonts cut to what pages use."""

from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

from booktools import sphinx_weight as sw


def _rules(css):
    return [r.strip() for r in css.strip().split("\n") if r.strip()]


def test_a_rule_stays_when_every_class_of_one_selector_is_on_a_page():
    css = ".a .b{color:red}.a .zz{color:blue}.zz,.b{margin:0}#main{padding:0}#gone{padding:1px}"
    kept = sw.purge_css(css, {"a", "b", "main"})
    assert ".a .b{color:red}" in kept
    assert "zz" not in kept  # the unmatched selector leaves the list, the rule stays
    assert ".b{margin:0}" in kept
    assert "#main{padding:0}" in kept and "#gone" not in kept


def test_element_root_and_attribute_selectors_always_stay():
    css = (
        ":root{--x:1}html{margin:0}body p{color:red}[data-theme=dark] p{color:#fff}"
        "[class*=col-]{flex:1}"
    )
    assert _rules(sw.purge_css(css, set())) == _rules(
        ":root{--x:1}\nhtml{margin:0}\nbody p{color:red}\n[data-theme=dark] p{color:#fff}\n"
        "[class*=col-]{flex:1}"
    )


def test_what_sits_in_not_or_is_is_never_required():
    css = "p:not(.gone){color:red}:is(.gone,.other) p{color:blue}.gone:not(.a){x:1}"
    kept = sw.purge_css(css, set())
    assert "p:not(.gone){color:red}" in kept
    assert ":is(.gone,.other) p{color:blue}" in kept
    assert ".gone:not(.a)" not in kept


def test_at_rules_stay_and_media_blocks_lose_only_dropped_rules():
    css = (
        '@charset "UTF-8";@font-face{font-family:X;src:url(x.woff2)}'
        "@keyframes spin{from{opacity:0}to{opacity:1}}"
        "@media (max-width:640px){.a{color:red}.gone{color:blue}}"
        "@media print{.gone{display:none}}"
    )
    kept = sw.purge_css(css, {"a"})
    assert '@charset "UTF-8";' in kept
    assert "@font-face{font-family:X;src:url(x.woff2)}" in kept
    assert "@keyframes spin{from{opacity:0}to{opacity:1}}" in kept
    assert "@media (max-width:640px){.a{color:red}}" in kept
    assert "print" not in kept  # an @media left empty goes


def test_licence_comments_stay_and_source_map_goes():
    css = "/*! Bootstrap (MIT) */.a{x:1}/* plain */\n/*# sourceMappingURL=t.css.map */"
    kept = sw.purge_css(css, {"a"})
    assert "/*! Bootstrap (MIT) */" in kept
    assert "plain" not in kept and "sourceMappingURL" not in kept


def test_a_vendor_pseudo_list_is_kept_or_dropped_whole():
    # Chrome drops a whole list it cannot parse: pruning `.gone::-moz-x` would make
    # `.a` apply where it never did
    css = ".gone::-moz-range-thumb,.a{x:1}"
    assert ".gone::-moz-range-thumb,.a{x:1}" in sw.purge_css(css, {"a"})


def test_classes_of_live_kernels_always_count_as_present():
    kept = sw.purge_css(".thebe-launch{x:1}.jp-OutputArea{y:2}.gone{z:3}", set())
    assert ".thebe-launch{x:1}" in kept and ".jp-OutputArea{y:2}" in kept
    assert "gone" not in kept


def test_page_names_reads_classes_ids_and_script_words():
    html = (
        '<div class="a  b" id="main"><i class=\'fa-solid fa-sun\'></i></div>'
        '<script>el.classList.add("show-me")</script>'
    )
    names = sw.page_names(html)
    assert {"a", "b", "main", "fa-solid", "fa-sun", "show-me", "classList"} <= names


def test_css_strings_finds_icon_code_points_escaped_or_literal():
    css = '.fa-github:before{content:"\\f09b"}:root{--pst-icon-info:"\uf05a"}'
    assert set(sw.css_strings(css)) == {"\uf09b", "\uf05a"}


def _font(path: Path, code_points) -> None:
    """A tiny woff2 font with one square glyph per code point."""
    names = [".notdef"] + [f"g{cp:x}" for cp in code_points]
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({cp: f"g{cp:x}" for cp in code_points})
    pen = TTGlyphPen(None)
    pen.moveTo((0, 0))
    pen.lineTo((0, 500))
    pen.lineTo((500, 500))
    pen.closePath()
    square = pen.glyph()
    fb.setupGlyf({n: square for n in names})
    fb.setupHorizontalMetrics({n: (600, 0) for n in names})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Icons", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    fb.font.flavor = "woff2"
    fb.save(str(path))


def test_subset_font_keeps_only_the_named_glyphs_under_the_same_name(tmp_path):
    path = tmp_path / "icons.woff2"
    _font(path, range(0xF000, 0xF100))
    before = path.stat().st_size
    sw.subset_font(path, "\uf09b\uf05a" + "x")  # a character the font lacks is ignored
    font = TTFont(path)
    assert font.flavor == "woff2"
    assert set(font.getBestCmap()) == {0xF09B, 0xF05A}
    assert path.stat().st_size < before


def _site(tmp_path: Path) -> Path:
    out = tmp_path / "html"
    static = out / "_static"
    (static / "styles").mkdir(parents=True)
    (static / sw.FONT_DIR).mkdir(parents=True)
    (out / "page.html").write_text(
        '<html><body class="bd-page"><i class="fa-solid fa-sun"></i><ul class="dropdown-menu">'
        '<script src="_static/app.js"></script></body></html>'
    )
    (static / "app.js").write_text('el.classList.add("show")')
    (static / "styles" / "pydata-sphinx-theme.css").write_text(
        '.fa-sun:before{content:"\\f185"}.fa-moon:before{content:"\\f186"}'
        ".dropdown-menu.show{display:block}.carousel{x:1}body{margin:0}"
    )
    (static / "vgp.css").write_text(".never-used{color:red}")
    _font(static / sw.FONT_DIR / "fa-solid-900.woff2", range(0xF180, 0xF190))
    return out


def test_trim_site_purges_theme_css_subsets_fonts_and_leaves_the_books_css(tmp_path):
    out = _site(tmp_path)
    sw.trim_site(out)
    css = (out / "_static/styles/pydata-sphinx-theme.css").read_text()
    assert ".fa-sun:before" in css and ".fa-moon" not in css
    assert ".dropdown-menu.show{display:block}" in css  # "show" is added by a script
    assert "carousel" not in css and "body{margin:0}" in css
    assert (out / "_static/vgp.css").read_text() == ".never-used{color:red}"
    font = TTFont(out / "_static" / sw.FONT_DIR / "fa-solid-900.woff2")
    assert set(font.getBestCmap()) == {0xF185}
    sw.trim_site(out)  # a second pass (an incremental build) changes nothing
    assert (out / "_static/styles/pydata-sphinx-theme.css").read_text() == css


@pytest.mark.parametrize(
    ("body", "unused"),
    [
        (
            "<p>text</p>",
            {"togglebutton.js", "togglebutton.css", "design-tabs.js", "sphinx-design.min.css"},
        ),
        ('<div class="admonition dropdown">x</div>', {"design-tabs.js", "sphinx-design.min.css"}),
        ('<div class="toggle">x</div>', {"design-tabs.js", "sphinx-design.min.css"}),
        ('<div class="sd-card">x</div>', {"togglebutton.js", "togglebutton.css", "design-tabs.js"}),
        ('<div class="sd-tab-set">x</div>', {"togglebutton.js", "togglebutton.css"}),
    ],
)
def test_unused_assets_follow_the_page_body(body, unused):
    assert sw.unused_assets(body) == unused


class _Asset:
    def __init__(self, filename, body=""):
        self.filename = filename
        self.attributes = {"body": body} if body else {}


def test_page_context_drops_the_unused_scripts_and_their_settings():
    scripts = [
        _Asset("_static/doctools.js"),
        _Asset(None, "let toggleHintShow = 'Click to show';"),
        _Asset("_static/togglebutton.js"),
        _Asset(None, "var togglebuttonSelector = '.toggle';"),
        _Asset("_static/design-tabs.js"),
        _Asset(None, "window.MathJax = {};"),
    ]
    css = [_Asset("_static/togglebutton.css"), _Asset("_static/vgp.css")]
    context = {"body": "<p>text</p>", "script_files": scripts, "css_files": css}
    sw._drop_unused_assets(None, "page", "page.html", context, None)
    assert [a.filename or a.attributes["body"] for a in context["script_files"]] == [
        "_static/doctools.js",
        "window.MathJax = {};",
    ]
    assert [a.filename for a in context["css_files"]] == ["_static/vgp.css"]
    assert len(scripts) == 6  # the builder's own lists are left alone


def test_fonts_write_woff2_with_brotli():
    # the woff2 flavour needs brotli (requirements.txt: fonttools[woff])
    import brotli

    assert brotli.decompress(brotli.compress(b"icons")) == b"icons"
