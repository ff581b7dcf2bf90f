"""The site serves each figure's phone drawing to phones: ``booktools.sphinx_figures``
turns a PNG that carries one into a ``<picture>``, inside its numbered, captioned figure."""

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from booktools.sphinx_figures import picture, png_size
from vgp_lib.plots import figure
from vgp_lib.plots.display import png_bytes
from vgp_lib.plots.png import split_drawings
from vgp_lib.plots.scrub import compress_png
from vgp_lib.plots.style import COLUMN_PX, MIN_TEXT_KEY, PHONE_COLUMN_PX, PHONE_KEY, PHONE_MEDIA

ROOT = Path(__file__).resolve().parents[2]


def _png():
    fig, axes = figure(1, 2, height=2.5)
    for ax in axes:
        ax.plot(np.linspace(0, 1, 5), np.linspace(0, 1, 5) ** 2)
    return png_bytes(fig)[0]


def _attr(tag, name):
    return re.search(rf'\s{name}="([^"]*)"', tag).group(1)


def test_a_picture_serves_the_phone_drawing_under_the_media_condition():
    data = _png()
    written = {}
    html = picture(
        data,
        alt='A "line" & a curve.',
        classes=["align-center"],
        page_dir="chapters",
        write=written.__setitem__,
    )
    desktop, phone = (compress_png(png) for png in split_drawings(data))
    assert set(written.values()) == {desktop, phone}  # the site's desktop PNG carries no phone
    assert len(desktop) < len(split_drawings(data)[0])  # palette PNGs, as slider frames
    names = {content: name for name, content in written.items()}
    source = re.search(r"<source [^>]*>", html).group(0)
    img = re.search(r"<img [^>]*>", html).group(0)
    assert html.startswith('<picture class="vgp-figure">') and html.endswith("</picture>")
    assert html.index("<source") < html.index("<img")  # the first source that matches wins
    assert _attr(source, "media") == PHONE_MEDIA
    assert _attr(source, "srcset") == f"../_images/{names[phone]}"  # relative to the page
    assert _attr(img, "src") == f"../_images/{names[desktop]}"
    assert (_attr(source, "width"), _attr(source, "height")) == (
        str(PHONE_COLUMN_PX),
        str(png_size(phone)[1] // 2),
    )
    assert (_attr(img, "width"), _attr(img, "height")) == (
        str(COLUMN_PX),
        str(png_size(desktop)[1] // 2),
    )
    assert _attr(img, "alt") == "A &quot;line&quot; &amp; a curve."
    assert _attr(img, "class") == "align-center"
    assert _attr(img, "loading") == "lazy" and _attr(img, "decoding") == "async"
    for content in (desktop, phone):
        with Image.open(io.BytesIO(content)) as image:
            assert image.mode == "P" and float(image.text[MIN_TEXT_KEY]) == 12.0
            assert PHONE_KEY not in image.text
    root = picture(data, alt="x", classes=[], page_dir="", write=lambda *a: None)
    assert 'srcset="_images/' in root and 'src="_images/' in root and "class=" not in root[30:]


def test_a_png_without_a_phone_drawing_is_left_alone():
    desktop, _ = split_drawings(_png())
    assert picture(desktop, alt="x", classes=[], page_dir="", write=pytest.fail) is None
    with pytest.raises(TypeError, match="data must be"):
        picture("not bytes", alt="x", classes=[], page_dir="", write=pytest.fail)
    with pytest.raises(ValueError, match="data must be"):
        png_size(b"GIF89a")


def test_the_built_page_keeps_the_figure_its_number_and_caption(tmp_path):
    """A real Sphinx build: the figure directive's image becomes a picture inside the figure."""
    from sphinx.application import Sphinx

    src = tmp_path / "src"
    src.mkdir()
    (src / "plot.png").write_bytes(_png())
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "extensions = ['booktools.sphinx_figures']\n"
        "numfig = True\n"
    )
    (src / "index.rst").write_text(
        "Title\n=====\n\n"
        ".. figure:: plot.png\n   :alt: Two panels of a curve.\n   :name: fig-plot\n\n"
        "   The caption.\n\n"
        ".. image:: other.png\n   :alt: A plain image.\n"
    )
    Image.new("RGB", (8, 8)).save(src / "other.png")
    app = Sphinx(
        src,
        src,
        tmp_path / "out",
        tmp_path / "doctrees",
        "html",
        status=None,
        warning=None,
        freshenv=True,
    )
    app.build()
    html = (tmp_path / "out" / "index.html").read_text()
    figure_html = re.search(r'<figure[^>]*id="fig-plot".*?</figure>', html, re.S).group(0)
    assert re.search(
        r"<picture class=\"vgp-figure\"><source [^>]*><img [^>]*></picture>", figure_html
    )
    assert '<span class="caption-number">Fig. 1 </span>' in figure_html
    assert "The caption." in figure_html and 'alt="Two panels of a curve."' in figure_html
    for url in re.findall(r'(?:srcset|src)="([^"]+)"', figure_html):
        assert (tmp_path / "out" / url).is_file() and not url.startswith("/")
    assert "image-reference" not in figure_html  # no link to a 1344-px PNG around it
    plain = re.search(r'<img [^>]*alt="A plain image."[^>]*>', html).group(0)
    assert 'loading="lazy"' in plain  # every image below the fold loads when it is near


def test_the_extension_is_listed_in_the_book_config():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    path = config["sphinx"]["local_extensions"]["booktools.sphinx_figures"]
    assert (ROOT / path / "booktools" / "sphinx_figures.py").is_file()
