"""Labelled parameter sliders for the static site and JupyterLab.

A slider figure is a short, pre-rendered sweep: one frame per parameter value,
each drawn in the house style at the column's width and again for a phone's column
(:func:`vgp_lib.plots.display.drawings`), and a real ``<input type="range">`` with a
visible label and the current value ("|w| = 6.9"). It needs no kernel: the frames
travel with the output, and a few lines of inline JavaScript swap the image (both
drawings: a ``<picture>`` serves the phone's under :data:`~vgp_lib.plots.style.PHONE_MEDIA`),
its alt text and the value shown. When the slider rests, a polite live region says
what changed in the frame (the parts of its alt text that differ from frame to frame),
with the value too unless the slider has focus (a screen reader then already reads the
new value from ``aria-valuetext``), so nothing is announced twice.

In a notebook (JupyterLab) the frames are data URIs inside the output. On the
site, the book's Sphinx extension ``booktools.sphinx_frames`` (beside the package)
moves them into ``_images/`` so the page only links them; the same JavaScript then loads a frame
(of the drawing the screen uses) when the slider reaches it and prefetches its neighbours
when the browser is idle.

The markup (the browser test relies on it)::

    <div class="vgp-slider" id="vgp-slider-<hash>">
      <picture class="vgp-slider-picture">
        <source class="vgp-slider-phone" media="(max-width: 640px)" srcset="..."
                width="342" height="...">
        <img class="vgp-slider-frame" src="..." alt="..." width="672" height="...">
      </picture>
      <div class="vgp-slider-controls">
        <label class="vgp-slider-label" for="vgp-slider-<hash>-input">
          <span class="vgp-slider-name">|w|</span> =
          <output class="vgp-slider-value" aria-live="off">6.9</output></label>
        <input type="range" class="vgp-slider-input" id="vgp-slider-<hash>-input"
               min="0" max="N-1" step="1" value="<start>" aria-valuetext="|w| = 6.9"
               data-lm-suppress-shortcuts="true">
      </div>
      <p class="vgp-slider-status" role="status" aria-live="polite" aria-atomic="true"></p>
      <script type="application/json" class="vgp-slider-data">
        {"labels", "alts", "notes", "frames", "phone"}</script>
      <script>...</script>
    </div>

(``<output>`` is a live region of its own by default: ``aria-live="off"`` leaves the
announcing to the status line.)
"""

from __future__ import annotations

import base64
import hashlib
import html as _html
import io
import json
import numbers
from collections.abc import Callable, Sequence

from .._validate import check_int, check_real, check_sequence
from .style import COLUMN_PX

__all__ = ["slider"]

#: Image format of the frames (palette PNG: the smallest crisp format measured;
#: it keeps the ``vgp:min-text-css-px`` text chunk that the browser test reads).
FRAME_MIME = "image/png"
#: Most frames a slider renders (each is drawn twice, desktop and phone; the book's have <= 12).
MAX_FRAMES = 100
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
  var source = root.querySelector('.vgp-slider-phone');
  var input = root.querySelector('.vgp-slider-input');
  var value = root.querySelector('.vgp-slider-value');
  var status = root.querySelector('.vgp-slider-status');
  var name = root.querySelector('.vgp-slider-name').textContent;
  var n = data.frames.length, loaded = {}, timer = null;
  var narrow = source && data.phone && window.matchMedia ?
    window.matchMedia(source.getAttribute('media')) : null;
  var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 200); };
  function load(i) {
    if (i < 0 || i >= n) return;
    var url = (narrow && narrow.matches ? data.phone : data.frames)[i];
    if (loaded[url]) return;
    loaded[url] = new Image();
    loaded[url].src = url;
  }
  function prefetch(i) {
    idle(function () { [1, -1, 2, -2].forEach(function (d) { load(i + d); }); });
  }
  function announce(i) {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var note = data.notes[i];
      var text = document.activeElement === input ? note :
        name + ' = ' + data.labels[i] + (note ? ': ' + note : '');
      if (text) status.textContent = text;
    }, 400);
  }
  function show() {
    var i = Math.max(0, Math.min(n - 1, parseInt(input.value, 10) || 0));
    if (source && source.getAttribute('srcset') !== data.phone[i]) {
      source.setAttribute('srcset', data.phone[i]);
    }
    if (img.getAttribute('src') !== data.frames[i]) img.setAttribute('src', data.frames[i]);
    img.setAttribute('alt', data.alts[i]);
    if (value.textContent !== data.labels[i]) {
      value.textContent = data.labels[i];
      input.setAttribute('aria-valuetext', name + ' = ' + data.labels[i]);
      announce(i);
    }
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

_STYLE_ROOT = f"max-width:{COLUMN_PX}px;margin:0 auto;position:relative;"
_STYLE_PICTURE = "display:block;"
_STYLE_IMG = "display:block;width:100%;max-width:100%;height:auto;margin:0 auto;"
# visually hidden, still read (the usual "sr-only" rule)
_STYLE_STATUS = (
    "position:absolute;width:1px;height:1px;margin:-1px;padding:0;border:0;"
    "overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;"
)
#: The longest note the status line reads when the slider rests (characters).
NOTE_CHARS = 160
_STYLE_CONTROLS = "display:flex;flex-direction:column;gap:0.2em;margin:0.4em 0 0;"
_STYLE_LABEL = "font-weight:600;"
_STYLE_INPUT = "display:block;width:100%;max-width:100%;margin:0;min-height:1.75em;cursor:pointer;"


def compress_png(data: bytes) -> bytes:
    """Quantise a PNG (RGBA from matplotlib) to a palette PNG, keeping its text chunks."""
    from PIL import Image, PngImagePlugin

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


def render_frame(
    draw: Callable, item, *, height: float, phone_height: float | None = None
) -> tuple[bytes, int, int]:
    """Draw ``item`` on a new house-style figure; its PNG and CSS width and height.

    The PNG is the desktop frame, a palette PNG, carrying the phone's frame (also a palette
    PNG) as :func:`vgp_lib.plots.display.png_bytes` does
    (:func:`~vgp_lib.plots.png.split_drawings` takes them apart). The phone's frame follows
    the figure's own phone layout if ``draw`` gave it one
    (:func:`~vgp_lib.plots.phone.on_phone`), else the generic one, ``phone_height`` inches
    high if given.

    Raises ``ValueError`` (from :func:`vgp_lib.plots.display.drawings`) if either frame has
    text under 9 pt, a legend over data, or texts over each other or cut by the edge.
    """
    from .display import drawings
    from .phone import PHONE_LAYOUTS, phone_layout
    from .png import with_phone
    from .style import blank_figure, house_style

    with house_style():
        fig = blank_figure(height)
        draw(fig, item)
        own = fig in PHONE_LAYOUTS  # draw gave the frame a phone layout of its own: kept
        both = drawings(
            fig,
            phone=None
            if phone_height is None or own
            else lambda copy: phone_layout(copy, height=float(phone_height)),
        )
    return with_phone(compress_png(both.desktop), compress_png(both.phone)), both.width, both.height


def _png_height(data: bytes) -> int:
    """The height in pixels of a PNG (from its header)."""
    return int.from_bytes(data[20:24], "big")


def _notes(alts: list[str]) -> list[str]:
    """What each frame's alt text says that not every frame's does: the sentences that
    change from frame to frame, cut to :data:`NOTE_CHARS` at a sentence or word."""
    import re

    split = [re.split(r"(?<=[.!?])\s+(?=[A-Z0-9(])", alt.strip()) for alt in alts]
    common = set.intersection(*(set(s) for s in split)) if len(split) > 1 else set()
    notes = []
    for sentences in split:
        changing = [s for s in sentences if s not in common] or sentences
        note = ""
        for sentence in changing:
            if len(note) + len(sentence) + 1 > NOTE_CHARS:
                break
            note = f"{note} {sentence}".strip()
        if not note:  # one long sentence: cut at a word
            note = changing[0][: NOTE_CHARS - 1].rsplit(" ", 1)[0] + "…"
        notes.append(note)
    return notes


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

    from .png import split_drawings
    from .style import PHONE_COLUMN_PX, PHONE_MEDIA, RESOLUTION

    if not (callable(draw) and (isinstance(fmt, str) or callable(fmt))):
        raise TypeError("draw must be a callable draw(fig, item) and fmt a str or a callable")
    frames = check_sequence("frames", frames, what="pre-computed results", max_len=MAX_FRAMES)
    n = len(frames)
    values = check_sequence("values", values, what="values, one per frame", min_len=n, max_len=n)
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"label must be the parameter's name (non-empty text), got {label!r}")
    start = check_int("start", start, lo=0, hi=n - 1)
    height = check_real("height", height, lo=1.0, hi=12.0)  # inches
    if callable(alt):
        alts = [alt(v, item) for v, item in zip(values, frames)]
    else:
        alts = check_sequence("alt", alt, what="texts, one per frame", min_len=n, max_len=n)
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

    drawn, width_css, height_css = [], 0, 0
    for i, item in enumerate(frames):
        try:
            png, width_css, height_css = render_frame(draw, item, height=height)
        except (ValueError, TypeError) as error:
            raise type(error)(f"frames[{i}] ({label} = {labels[i]}): {error}") from error
        drawn.append(split_drawings(png))
    # one height for every phone frame, so the page does not jump as the slider moves
    tallest = max(_png_height(phone) for _, phone in drawn)
    for i, item in enumerate(frames):
        if _png_height(drawn[i][1]) != tallest:
            png, _, _ = render_frame(
                draw, item, height=height, phone_height=tallest / (96 * RESOLUTION)
            )
            drawn[i] = split_drawings(png)
    uris = [f"data:{FRAME_MIME};base64," + base64.b64encode(d).decode("ascii") for d, _ in drawn]
    phones = [f"data:{FRAME_MIME};base64," + base64.b64encode(p).decode("ascii") for _, p in drawn]
    phone_height = round(_png_height(drawn[start][1]) / RESOLUTION)
    notes = _notes(alts)

    digest = hashlib.sha256()
    for part in [label, *labels, *alts, *uris, *phones]:
        digest.update(part.encode("utf-8") + b"\0")
    ident = "vgp-slider-" + digest.hexdigest()[:12]
    esc = _html.escape
    name, current = esc(label), esc(labels[start])
    markup = (
        f'<div class="vgp-slider" id="{ident}" style="{_STYLE_ROOT}">\n'
        f'<picture class="vgp-slider-picture" style="{_STYLE_PICTURE}">'
        f'<source class="vgp-slider-phone" media="{PHONE_MEDIA}" srcset="{phones[start]}" '
        f'width="{PHONE_COLUMN_PX}" height="{phone_height}">\n'
        f'<img class="vgp-slider-frame" src="{uris[start]}" alt="{esc(alts[start])}" '
        f'width="{width_css}" height="{height_css}" style="{_STYLE_IMG}"></picture>\n'
        f'<div class="vgp-slider-controls" style="{_STYLE_CONTROLS}">\n'
        f'<label class="vgp-slider-label" for="{ident}-input" style="{_STYLE_LABEL}">'
        f'<span class="vgp-slider-name">{name}</span> = '
        f'<output class="vgp-slider-value" aria-live="off">{current}</output></label>\n'
        f'<input type="range" class="vgp-slider-input" id="{ident}-input" '
        f'min="0" max="{len(frames) - 1}" step="1" value="{start}" '
        f'aria-valuetext="{name} = {current}" data-lm-suppress-shortcuts="true" '
        f'style="{_STYLE_INPUT}">\n'
        "</div>\n"
        f'<p class="vgp-slider-status" role="status" aria-live="polite" aria-atomic="true" '
        f'style="{_STYLE_STATUS}"></p>\n'
        '<script type="application/json" class="vgp-slider-data">'
        + _data_json(
            {"labels": labels, "alts": alts, "notes": notes, "frames": uris, "phone": phones}
        )
        + "</script>\n"
        "<script>" + _JS % {"id": json.dumps(ident)} + "</script>\n"
        "</div>"
    )
    return HTML(markup)
