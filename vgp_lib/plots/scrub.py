"""Labelled parameter sliders for the static site and JupyterLab.

A slider figure is a short, pre-rendered sweep: one frame per parameter value,
each drawn in the house style at the column's width, and a real
``<input type="range">`` with a visible label and the current value
("|w| = 6.9"). It needs no kernel: the frames travel with the output, and a few
lines of inline JavaScript swap the image, its alt text and the value shown.

In a notebook (JupyterLab) the frames are data URIs inside the output. On the
site, the book's Sphinx extension ``booktools.sphinx_frames`` (beside the package)
moves them into ``_images/`` so the page only links them; the same JavaScript then loads a frame
when the slider reaches it and prefetches its neighbours when the browser is idle.

The markup (the browser test relies on it)::

    <div class="vgp-slider" id="vgp-slider-<hash>">
      <img class="vgp-slider-frame" src="..." alt="..." width="688" height="...">
      <div class="vgp-slider-controls">
        <label class="vgp-slider-label" for="vgp-slider-<hash>-input">
          <span class="vgp-slider-name">|w|</span> =
          <output class="vgp-slider-value">6.9</output></label>
        <input type="range" class="vgp-slider-input" id="vgp-slider-<hash>-input"
               min="0" max="N-1" step="1" value="<start>" aria-valuetext="|w| = 6.9"
               data-lm-suppress-shortcuts="true">
      </div>
      <script type="application/json" class="vgp-slider-data">{"labels", "alts", "frames"}</script>
      <script>...</script>
    </div>
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import io
import json
import numbers
from collections.abc import Callable, Sequence

#: Image format of the frames (palette PNG: the smallest crisp format measured;
#: it keeps the ``vgp:min-text-css-px`` text chunk that the browser test reads).
FRAME_MIME = "image/png"
#: Colours of the palette a frame is quantised to.
PALETTE_COLOURS = 256

# `data-lm-suppress-shortcuts` on the input: JupyterLab's notebook shortcuts (arrow
# keys move between cells) skip an event whose target carries it, so the focused
# slider keeps its arrow keys inside JupyterLab too.
_JS = """(function () {
  var script = document.currentScript;
  var root = (script && script.closest('.vgp-slider')) || document.getElementById(%(id)s);
  if (!root || root.getAttribute('data-vgp-wired')) return;
  root.setAttribute('data-vgp-wired', '1');
  var data = JSON.parse(root.querySelector('.vgp-slider-data').textContent);
  var img = root.querySelector('.vgp-slider-frame');
  var input = root.querySelector('.vgp-slider-input');
  var value = root.querySelector('.vgp-slider-value');
  var name = root.querySelector('.vgp-slider-name').textContent;
  var n = data.frames.length, loaded = {};
  var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 200); };
  function load(i) {
    if (i < 0 || i >= n || loaded[i]) return;
    loaded[i] = new Image();
    loaded[i].src = data.frames[i];
  }
  function prefetch(i) {
    idle(function () { [1, -1, 2, -2].forEach(function (d) { load(i + d); }); });
  }
  function show() {
    var i = Math.max(0, Math.min(n - 1, parseInt(input.value, 10) || 0));
    if (img.getAttribute('src') !== data.frames[i]) img.setAttribute('src', data.frames[i]);
    img.setAttribute('alt', data.alts[i]);
    value.textContent = data.labels[i];
    input.setAttribute('aria-valuetext', name + ' = ' + data.labels[i]);
    prefetch(i);
  }
  input.addEventListener('input', show);
  input.addEventListener('change', show);
  if ('IntersectionObserver' in window) {
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) {
        seen.disconnect();
        prefetch(parseInt(input.value, 10) || 0);
      }
    }, {rootMargin: '200px'});
    seen.observe(root);
  } else {
    prefetch(parseInt(input.value, 10) || 0);
  }
})();"""

_STYLE_ROOT = "max-width:688px;margin:0 auto;"
_STYLE_IMG = "display:block;width:100%;max-width:100%;height:auto;margin:0 auto;"
_STYLE_CONTROLS = "display:flex;flex-direction:column;gap:0.2em;margin:0.4em 0 0;"
_STYLE_LABEL = "font-weight:600;"
_STYLE_INPUT = "display:block;width:100%;max-width:100%;margin:0;min-height:1.75em;cursor:pointer;"


def compress_png(data: bytes) -> bytes:
    """Quantise a PNG (RGBA from matplotlib) to a palette PNG, keeping its text chunks."""
    from PIL import Image, PngImagePlugin

    if not isinstance(data, bytes) or not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise TypeError(f"data must be the bytes of a PNG image, got {type(data).__name__}")
    with Image.open(io.BytesIO(data)) as image:
        info = PngImagePlugin.PngInfo()
        for key, text in image.text.items():
            info.add_text(key, text)
        rgb = image.convert("RGB")
    palette = rgb.quantize(
        colors=PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True, pnginfo=info)
    return out.getvalue()


def render_frame(draw: Callable, item, *, height: float) -> tuple[bytes, int, int]:
    """Draw ``item`` on a new house-style figure; its compressed PNG and CSS width and height.

    Raises ``ValueError`` (from :func:`vgp_lib.plots.style.png_bytes`) if the frame has
    text under 9 pt or a legend over data.
    """
    from .style import CSS_PX_PER_IN, blank_figure, house_style, png_bytes

    if not callable(draw):
        raise TypeError(f"draw must be a callable draw(fig, item), got {type(draw).__name__}")
    with house_style():
        fig = blank_figure(height)
        draw(fig, item)
        data, width_css = png_bytes(fig)
    return compress_png(data), width_css, round(height * CSS_PX_PER_IN)


def _label_text(fmt, value) -> str:
    text = fmt(value) if callable(fmt) else fmt.format(value)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(
            f"fmt must turn every value into non-empty text, got {text!r} for {value!r}"
        )
    return text


def _data_json(payload: dict) -> str:
    """JSON safe inside ``<script>`` (no ``</script>``, no HTML-significant characters)."""
    text = json.dumps(payload, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def slider(
    draw: Callable,
    frames: Sequence,
    *,
    values: Sequence,
    label: str,
    alt,
    fmt="{:g}",
    start: int = 0,
    height: float = 3.4,
):
    """A figure with a labelled slider: one pre-rendered frame per item of ``frames``.

    Parameters
    ----------
    draw : callable
        ``draw(fig, item)`` draws one pre-computed result on a new, empty house-style
        figure of the column's width (it adds its own axes; no ``tight_layout``: the
        figure's constrained layout places them).
    frames : sequence
        The pre-computed results, one per frame (at least one).
    values : sequence
        ``values[i]`` is the parameter value of frame ``i`` (shown as ``label = value``).
    label : str
        The parameter's name, e.g. ``"|w|"`` or ``"weight scale s"``.
    alt : callable or sequence of str
        Alt text of each frame: ``alt(value, item) -> str``, or one string per frame.
        It describes what that frame shows.
    fmt : str or callable
        Formats a value for the label: a ``str.format`` pattern or ``fmt(value) -> str``.
    start : int
        Index of the frame the figure opens on (choose an informative one).
    height : float
        Height of every frame in inches (the width is the column's).

    Returns
    -------
    IPython.display.HTML
        The slider's markup (see the module docstring), with every frame inline.
    """
    from IPython.display import HTML

    if not callable(draw):
        raise TypeError(f"draw must be a callable draw(fig, item), got {type(draw).__name__}")
    if isinstance(frames, (str, bytes)) or not hasattr(frames, "__iter__"):
        raise TypeError(
            f"frames must be a sequence of pre-computed results, got {type(frames).__name__}"
        )
    frames = list(frames)
    if not frames:
        raise ValueError("frames must contain at least one pre-computed result")
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(
            f"values must be a sequence of parameter values, got {type(values).__name__}"
        )
    values = list(values)
    if len(values) != len(frames):
        raise ValueError(
            f"values must have one value per frame: {len(values)} values for {len(frames)} frames"
        )
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"label must be the parameter's name (non-empty text), got {label!r}")
    if not (isinstance(fmt, str) or callable(fmt)):
        raise TypeError(f"fmt must be a format string or a callable, got {type(fmt).__name__}")
    if isinstance(start, bool) or not isinstance(start, int):
        raise TypeError(f"start must be a frame index (int), got {type(start).__name__}")
    if not 0 <= start < len(frames):
        raise ValueError(f"start must be a frame index from 0 to {len(frames) - 1}, got {start}")
    if (
        isinstance(height, bool)
        or not isinstance(height, (int, float))
        or not 1.0 <= height <= 12.0
    ):
        raise ValueError(f"height must be a number of inches from 1 to 12, got {height!r}")
    if callable(alt):
        alts = [alt(v, item) for v, item in zip(values, frames)]
    elif isinstance(alt, (str, bytes)) or not hasattr(alt, "__iter__"):
        raise TypeError(
            "alt must be a callable alt(value, item) or a list of strings, got "
            f"{type(alt).__name__}"
        )
    else:
        alts = list(alt)
        if len(alts) != len(frames):
            raise ValueError(
                f"alt must have one text per frame: {len(alts)} texts for {len(frames)} frames"
            )
    for i, text in enumerate(alts):
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"alt must describe every frame in words; frame {i} has {text!r}")
    labels = []
    for i, v in enumerate(values):
        if isinstance(v, numbers.Complex) and not isinstance(v, numbers.Real):
            raise TypeError(
                f"values[{i}] must be a real parameter value or text, got complex {v!r}"
            )
        try:
            labels.append(_label_text(fmt, v))
        except (ValueError, TypeError, OverflowError) as error:
            if str(error).startswith("fmt"):  # _label_text's own message names fmt
                raise
            raise TypeError(f"values[{i}] cannot be written with fmt {fmt!r}: {error}") from None

    uris, width_css, height_css = [], 0, 0
    for i, item in enumerate(frames):
        try:
            png, width_css, height_css = render_frame(draw, item, height=float(height))
        except (ValueError, TypeError) as error:
            raise type(error)(f"frames[{i}] ({label} = {labels[i]}): {error}") from error
        uris.append(f"data:{FRAME_MIME};base64," + base64.b64encode(png).decode("ascii"))

    digest = hashlib.sha256()
    for part in [label, *labels, *alts, *uris]:
        digest.update(part.encode("utf-8") + b"\0")
    ident = "vgp-slider-" + digest.hexdigest()[:12]
    esc = _html.escape
    name, current = esc(label), esc(labels[start])
    markup = (
        f'<div class="vgp-slider" id="{ident}" style="{_STYLE_ROOT}">\n'
        f'<img class="vgp-slider-frame" src="{uris[start]}" alt="{esc(alts[start])}" '
        f'width="{width_css}" height="{height_css}" style="{_STYLE_IMG}">\n'
        f'<div class="vgp-slider-controls" style="{_STYLE_CONTROLS}">\n'
        f'<label class="vgp-slider-label" for="{ident}-input" style="{_STYLE_LABEL}">'
        f'<span class="vgp-slider-name">{name}</span> = '
        f'<output class="vgp-slider-value">{current}</output></label>\n'
        f'<input type="range" class="vgp-slider-input" id="{ident}-input" '
        f'min="0" max="{len(frames) - 1}" step="1" value="{start}" '
        f'aria-valuetext="{name} = {current}" data-lm-suppress-shortcuts="true" '
        f'style="{_STYLE_INPUT}">\n'
        "</div>\n"
        '<script type="application/json" class="vgp-slider-data">'
        + _data_json({"labels": labels, "alts": alts, "frames": uris})
        + "</script>\n"
        "<script>" + _JS % {"id": json.dumps(ident)} + "</script>\n"
        "</div>"
    )
    return HTML(markup)
