"""Scrubbable figures for the static site.

A *scrubbable* figure is a short, pre-rendered sweep: one frame per parameter
value, embedded in the page with a JavaScript slider (matplotlib's
``Animation.to_jshtml``). Readers of the static HTML can drag the slider
without a kernel; the frames are drawn from results computed by the same
compute call the live widget uses.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

# matplotlib's template links Font Awesome 4 from a CDN for its button icons;
# the site must work offline, so the link goes and the icons become text.
_CDN_LINK = re.compile(r"<link[^>]*font-awesome[^>]*>", re.S)
_ICONS = {
    "fa-minus": "\u2212",
    "fa-fast-backward": "|\u25c0",
    "fa-step-backward": "\u25c2",
    "fa-play fa-flip-horizontal": "\u25c0",
    "fa-pause": "||",
    "fa-play": "\u25b6",
    "fa-step-forward": "\u25b8",
    "fa-fast-forward": "\u25b6|",
    "fa-plus": "+",
}
_ICON = re.compile(r'<i class="fa (fa-[a-z-]+(?: fa-flip-horizontal)?)"></i>')


def offline_jshtml(html: str) -> str:
    """Strip the CDN stylesheet from matplotlib's jshtml and use text button labels.

    Every control (the slider, the buttons) also gets ``data-lm-suppress-shortcuts``:
    inside JupyterLab the notebook's own shortcuts (arrow keys move between cells)
    would otherwise take the keys from the focused control. JupyterLab skips its
    shortcuts only when the attribute sits on the focused element itself or between
    it and the element a shortcut's selector matches, and ``:focus`` selectors match
    the control itself.
    """
    html = _CDN_LINK.sub("", html)
    html = re.sub(r"<(input|button)\b", r'<\1 data-lm-suppress-shortcuts="true"', html)
    return _ICON.sub(lambda m: _ICONS.get(m.group(1), ""), html)


def scrubber(
    draw: Callable,
    frames: Sequence,
    *,
    figsize=(7.0, 3.6),
    dpi: int = 80,
    interval_ms: int = 500,
):
    """Return an HTML slider animation with one frame per item of ``frames``.

    ``draw(fig, item)`` clears nothing itself: the figure is cleared before each
    call, so ``draw`` adds axes with ``fig.add_subplot`` and draws ``item``
    (a pre-computed result, not a parameter to compute from).

    Returns an :class:`IPython.display.HTML` object; its slider is an
    ``<input type="range">`` and the frame is an ``<img>``.
    """
    import matplotlib.pyplot as plt
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    frames = list(frames)
    if not frames:
        raise ValueError("frames must contain at least one pre-computed result")
    if not callable(draw):
        raise TypeError("draw must be a callable draw(fig, item)")
    fig = plt.figure(figsize=figsize, dpi=dpi)

    def update(i):
        fig.clear()
        draw(fig, frames[i])
        return []

    anim = FuncAnimation(fig, update, frames=len(frames), interval=interval_ms, blit=False)
    try:
        html = anim.to_jshtml(fps=max(1, round(1000 / interval_ms)), default_mode="once")
    finally:
        plt.close(fig)
    return HTML(offline_jshtml(html))
