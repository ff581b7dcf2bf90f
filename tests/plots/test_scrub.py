"""Labelled sliders: the markup the browser test relies
on, one frame per value (drawn for the desktop and for a phone), a polite status line,
and lazy frames on the site."""

import base64
import html as htmllib
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from booktools.sphinx_frames import externalise, frame_file
from vgp_lib.plots.scrub import slider
from vgp_lib.plots.style import COLUMN_PX, MIN_TEXT_KEY, PHONE_COLUMN_PX, PHONE_MEDIA


def _draw(fig, value):
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, value], label="line")
    ax.set_xlabel("x")


def _make(**kwargs):
    args = {
        "values": [0.5, 2.0, 4.5],
        "label": "|w|",
        "alt": lambda v, item: f"A line rising to {item} at x = 1.",
        "start": 1,
    }
    args.update(kwargs)
    return slider(_draw, [1, 2, 3], **args).data


def _data(html):
    text = re.search(
        r'<script type="application/json" class="vgp-slider-data">(.*?)</script>', html, re.DOTALL
    ).group(1)
    return json.loads(text)


def _tag(html, cls):
    return re.search(rf'<[a-z]+ [^>]*class="{cls}"[^>]*>', html).group(0)


def _attr(tag, name):
    return htmllib.unescape(re.search(rf'\s{name}="([^"]*)"', tag).group(1))


def test_markup_contract():
    html = _make()
    ident = re.match(r'<div class="vgp-slider" id="(vgp-slider-[0-9a-f]+)"', html).group(1)
    img = _tag(html, "vgp-slider-frame")
    assert img.startswith("<img ") and _attr(img, "width") == str(COLUMN_PX)
    assert "max-width:100%" in _attr(img, "style") and "height:auto" in _attr(img, "style")
    assert _attr(img, "alt") == "A line rising to 2 at x = 1."
    label = re.search(r'<label class="vgp-slider-label" for="([^"]+)"[^>]*>(.*?)</label>', html)
    assert label.group(1) == f"{ident}-input"
    assert label.group(2) == (
        '<span class="vgp-slider-name">|w|</span> = '
        '<output class="vgp-slider-value" aria-live="off">2</output>'
    )
    controls = html.index('class="vgp-slider-controls"')
    assert controls < html.index("<label") < html.index('type="range"')
    rng = _tag(html, "vgp-slider-input")
    assert rng.startswith('<input type="range"')
    for name, value in [
        ("id", f"{ident}-input"),
        ("min", "0"),
        ("max", "2"),
        ("step", "1"),
        ("value", "1"),
        ("aria-valuetext", "|w| = 2"),
        ("data-lm-suppress-shortcuts", "true"),
    ]:
        assert _attr(rng, name) == value, name
    assert "width:100%" in _attr(rng, "style")
    assert html.index("vgp-slider-data") < html.rindex("<script>") and html.endswith(
        "</script>\n</div>"
    )


def test_labels_values_and_alt_per_frame():
    html = _make(fmt="{:.1f}")
    data = _data(html)
    assert data["labels"] == ["0.5", "2.0", "4.5"]
    assert data["alts"] == [f"A line rising to {i} at x = 1." for i in (1, 2, 3)]
    assert len(data["frames"]) == 3 and len(set(data["frames"])) == 3
    assert _attr(_tag(html, "vgp-slider-frame"), "src") == data["frames"][1]
    by_list = _make(alt=["first", "second", "third"], fmt=lambda v: f"{v:g} units", start=2)
    assert _data(by_list)["alts"] == ["first", "second", "third"]
    assert '<output class="vgp-slider-value" aria-live="off">4.5 units</output>' in by_list


def _png(uri):
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))


def test_every_frame_is_also_drawn_for_the_phone_and_a_picture_serves_it():
    html = _make()
    data = _data(html)
    assert len(data["phone"]) == 3 and len(set(data["phone"])) == 3
    assert not set(data["phone"]) & set(data["frames"])
    for uri in data["phone"]:
        with _png(uri) as image:
            assert image.format == "PNG" and image.mode == "P"
            assert image.width == 2 * PHONE_COLUMN_PX  # the phone's column, at 2x
            assert float(image.text[MIN_TEXT_KEY]) >= 12.0  # 9 pt stays 12 CSS px
            assert "vgp:phone" not in image.text  # each frame travels on its own
    picture = re.search(r'<picture class="vgp-slider-picture"[^>]*>(.*?)</picture>', html, re.S)
    source = _tag(picture.group(1), "vgp-slider-phone")
    assert source.startswith("<source ") and _attr(source, "media") == PHONE_MEDIA
    assert _attr(source, "srcset") == data["phone"][1]  # the opening frame, as the <img>
    with _png(data["phone"][1]) as image:
        assert _attr(source, "width") == str(PHONE_COLUMN_PX)
        assert _attr(source, "height") == str(image.height // 2)
    assert "vgp-slider-frame" in picture.group(1)  # the <img> is the picture's fallback


def test_panels_side_by_side_are_stacked_in_the_phone_frames_all_of_one_height():
    def two_panels(fig, value):
        left, right = fig.subplots(1, 2)
        left.plot([0, 1], [0, value])
        right.plot([0, 1], [value, 0])
        if value == 3:
            right.plot([0, 1], [1, 2], label="a legend only this frame has")
            right.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))

    data = _data(slider(two_panels, [1, 2, 3], values=[1, 2, 3], label="v", alt=list("abc")).data)
    sizes = set()
    for uri, phone in zip(data["frames"], data["phone"]):
        with _png(uri) as desktop, _png(phone) as small:
            sizes.add(small.size)
            assert small.height > 1.5 * desktop.height  # two rows where the desktop has one
    assert len(sizes) == 1  # the page does not jump while the slider moves


def test_the_status_line_is_polite_and_says_what_changes_from_frame_to_frame():
    html = _make(
        alt=lambda v, item: f"A line chart. The line rises to {item} at x = 1. It is straight."
    )
    status = _tag(html, "vgp-slider-status")
    assert _attr(status, "role") == "status" and _attr(status, "aria-live") == "polite"
    assert _attr(status, "aria-atomic") == "true"
    assert "clip" in _attr(status, "style")  # read, not shown: the label shows the value
    assert re.search(r'class="vgp-slider-status"[^>]*></p>', html)  # silent until moved
    # the visible value is an <output>, a live region of its own: only one may speak
    assert html.count('aria-live="polite"') == 1 and 'aria-live="off"' in _tag(
        html, "vgp-slider-value"
    )
    assert _data(html)["notes"] == [f"The line rises to {i} at x = 1." for i in (1, 2, 3)]
    script = html[html.rindex("<script>") :]
    # one announcement when the slider rests, without the value a focused slider already says
    assert "clearTimeout(timer)" in script and "document.activeElement === input" in script
    assert "matchMedia" in script and "srcset" in script  # the phone's frame follows too


def test_frames_are_house_style_palette_pngs_with_their_smallest_text():
    for uri in _data(_make())["frames"]:
        data = base64.b64decode(uri.split(",", 1)[1])
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "PNG" and image.mode == "P"
            assert image.width == 2 * COLUMN_PX  # rendered at 2x the column width
            assert float(image.text[MIN_TEXT_KEY]) >= 12.0


def test_the_html_is_deterministic_and_ids_differ_between_sliders():
    assert _make() == _make()
    other = _make(label="n")
    ids = [re.match(r'<div class="vgp-slider" id="([^"]+)"', h).group(1) for h in (_make(), other)]
    assert ids[0] != ids[1]


def test_the_output_is_offline_and_escapes_script_text():
    html = _make(alt=lambda v, item: f"</script><b>{v}</b> & more")
    assert "http://" not in html and "https://" not in html
    assert html.count("</script>") == 2  # the data script and the wiring script, nothing injected
    assert _data(html)["alts"][0] == "</script><b>0.5</b> & more"
    assert 'alt="&lt;/script&gt;&lt;b&gt;2.0&lt;/b&gt; &amp; more"' in html


def test_a_frame_with_small_text_is_refused_naming_its_value():
    def small(fig, value):
        fig.add_subplot(1, 1, 1).set_title("tiny", fontsize=6)

    with pytest.raises(ValueError, match=r"frames\[0\] \(n = 1\).*6 pt"):
        slider(small, [1], values=[1], label="n", alt=["a title"])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"frames": []}, ValueError, "frames"),
        ({"frames": 5}, TypeError, "frames"),
        ({"draw": "not a function"}, TypeError, "draw"),
        ({"values": [1, 2]}, ValueError, "values"),
        ({"values": "abc"}, TypeError, "values"),
        ({"label": ""}, ValueError, "label"),
        ({"label": None}, ValueError, "label"),
        ({"alt": ["a", "b"]}, ValueError, "alt"),
        ({"alt": ["a", "", "c"]}, ValueError, "alt"),
        ({"alt": 3}, TypeError, "alt"),
        ({"start": 3}, ValueError, "start"),
        ({"start": -1}, ValueError, "start"),
        ({"start": 1.5}, ValueError, "start"),
        ({"frames": range(10**12)}, ValueError, "frames"),  # refused before it is listed
        ({"alt": iter(range(10**12))}, ValueError, "alt"),
        ({"fmt": 3}, TypeError, "fmt"),
        ({"fmt": lambda v: ""}, ValueError, "fmt"),
        ({"height": 0.2}, ValueError, "height"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, error, match):
    args = {
        "draw": _draw,
        "frames": [1, 2, 3],
        "values": [1, 2, 3],
        "label": "n",
        "alt": ["a", "b", "c"],
    }
    args.update(kwargs)
    with pytest.raises(error, match=match):
        slider(args.pop("draw"), args.pop("frames"), **args)


def test_the_site_hook_moves_frames_into_content_hashed_files(tmp_path):
    html = _make()
    data = _data(html)
    phone = data.pop("phone")
    page = f"<p>before</p>\n{html}\n<p>after</p>"
    written = {}

    def write(name, content):
        written[name] = content
        (tmp_path / "_images").mkdir(exist_ok=True)
        (tmp_path / "_images" / name).write_bytes(content)

    out = externalise(page, "chapters", write)
    assert "data:image" not in out and "base64" not in out
    assert out.startswith("<p>before</p>\n") and out.endswith("\n<p>after</p>")
    urls = _data(out)["frames"]
    phone_urls = _data(out)["phone"]
    assert len(written) == 6 and len(urls) == 3 and len(phone_urls) == 3
    assert phone_urls == [f"../_images/{frame_file(uri)[0]}" for uri in phone]
    assert _attr(_tag(out, "vgp-slider-phone"), "srcset") == phone_urls[1]
    for uri, url in zip(data["frames"], urls):
        name, content = frame_file(uri)
        assert url == f"../_images/{name}"
        assert re.fullmatch(r"vgp-slider-[0-9a-f]{20}\.png", name)
        page_file = tmp_path / "chapters" / "chain.html"
        assert (page_file.parent / url).resolve() == (tmp_path / "_images" / name).resolve()
        assert (
            (tmp_path / "_images" / name).read_bytes()
            == content
            == base64.b64decode(uri.split(",", 1)[1])
        )
    assert _attr(_tag(out, "vgp-slider-frame"), "src") == urls[1]
    assert _data(out)["labels"] == data["labels"] and _data(out)["alts"] == data["alts"]
    # everything but the frames is as the notebook had it
    frames = r'src="[^"]*"|srcset="[^"]*"|"(frames|phone)":\[[^]]*\]'
    assert re.sub(frames, "", out) == re.sub(frames, "", page)


def test_the_site_hook_links_from_the_root_and_leaves_other_html_alone():
    written = []
    out = externalise(_make(), "", lambda name, data: written.append(name))
    urls = _data(out)["frames"] + _data(out)["phone"]
    assert sorted(urls) == sorted(f"_images/{name}" for name in written)
    plain = '<img src="data:image/png;base64,AAAA"><script type="application/json">{}</script>'
    assert externalise(plain, "chapters", lambda *a: pytest.fail("nothing to write")) == plain
    with pytest.raises(TypeError, match="html"):
        externalise(b"<div>", "", lambda *a: None)
    with pytest.raises(ValueError, match="uri"):
        frame_file("data:text/plain;base64,AAAA")


def test_the_extension_is_listed_in_the_book_config():
    import yaml

    root = Path(__file__).resolve().parents[2]
    config = yaml.safe_load((root / "_config.yml").read_text())
    path = config["sphinx"]["local_extensions"]["booktools.sphinx_frames"]
    assert (root / path / "booktools" / "sphinx_frames.py").is_file()


def test_a_frame_can_bring_its_own_phone_layout():
    from vgp_lib.plots.phone import on_phone
    from vgp_lib.plots.style import PHONE_IN

    def own(fig, value):
        _draw(fig, value)
        on_phone(fig, lambda copy: copy.set_size_inches(PHONE_IN, 2.0 + value / 2))

    data = _data(slider(own, [1, 2], values=[1, 2], label="v", alt=["a", "b"]).data)
    heights = [_png(uri).height for uri in data["phone"]]
    assert heights == [2 * 96 * 2.5, 2 * 96 * 3.0]  # its own, not made equal
