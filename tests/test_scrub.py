"""Scrubbable figures: one frame per result, a slider, and nothing fetched from a CDN."""

import re

import pytest

from vgp_lib.plots.scrub import offline_jshtml, scrubber


def _draw(fig, value):
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, value])


def test_scrubber_embeds_every_frame_and_a_slider():
    html = scrubber(_draw, [1, 2, 3]).data
    assert 'type="range"' in html
    frames = re.findall(r"data:image/png;base64,", html)
    assert len(frames) == 3
    assert "<img" in html


def test_scrubber_output_is_offline():
    html = scrubber(_draw, [1, 2]).data
    assert "font-awesome" not in html
    assert "http://" not in html and "https://" not in html
    assert 'class="fa' not in html


def test_offline_jshtml_replaces_icons():
    html = '<link rel="stylesheet"\nhref="https://cdn/font-awesome.min.css"><i class="fa fa-play"></i>'
    assert offline_jshtml(html) == "\u25b6"


def test_scrubber_rejects_empty_and_uncallable():
    with pytest.raises(ValueError, match="frames"):
        scrubber(_draw, [])
    with pytest.raises(TypeError, match="draw"):
        scrubber("not a function", [1])


def test_scrubber_keeps_its_arrow_keys_inside_jupyterlab():
    """JupyterLab's notebook shortcuts skip elements under data-lm-suppress-shortcuts."""
    html = scrubber(_draw, [1, 2]).data
    controls = re.findall(r"<(?:input|button)\b[^>]*>", html)
    assert controls and any('type="range"' in c for c in controls)
    assert all('data-lm-suppress-shortcuts="true"' in c for c in controls)
