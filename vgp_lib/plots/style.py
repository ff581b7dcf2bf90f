"""The house style of every figure: one style sheet, one column width, one palette.

Figures are drawn :data:`COLUMN_IN` inches wide, the width of a figure in the page's
content column at 96 CSS px per inch, with the sizes of ``vgp.mplstyle``; a phone's
column is :data:`PHONE_IN` inches wide. The style is applied only inside
:func:`house_style` (every plotting function of :mod:`vgp_lib.plots` draws inside it);
matplotlib's global ``rcParams`` are never changed. :func:`reuse_panels` lets a live
widget draw its next result on the axes it already has.

The rest of the house style lives beside this module: :mod:`.legibility` (what a
figure must not do: small text, a legend over data, texts over each other),
:mod:`.phone` (the same figure laid out for a phone), :mod:`.png` (two drawings in one
PNG) and :mod:`.display` (:func:`~vgp_lib.plots.display.show`: a figure on the page).
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from pathlib import Path

from .._validate import check_int, check_real

#: What a chapter or a reader calls; the rest serves the plotting functions.
__all__ = ["figure"]

STYLE_SHEET = Path(__file__).with_name("vgp.mplstyle")
#: Width of a figure in the content column at a 1280 px window, in CSS px (measured in
#: Chromium: the 688-px column less the 8-px padding of a ``<figure>`` on each side).
COLUMN_PX = 672
#: CSS px per figure inch (the browser's reference: 96 px to the inch).
CSS_PX_PER_IN = 96
COLUMN_IN = COLUMN_PX / CSS_PX_PER_IN
#: Pixels per CSS px in the rendered PNG (2: sharp on high-density screens).
RESOLUTION = 2
#: No text in a figure may be smaller than this (9 pt = 12 CSS px).
MIN_TEXT_PT = 9.0
#: PNG text key carrying the figure's smallest text, in CSS px at its display width.
MIN_TEXT_KEY = "vgp:min-text-css-px"
#: PNG text chunk holding every text drawn on a figure, one per line.
TEXT_KEY = "vgp:text"
#: Width of a figure on a 390-px phone, in CSS px (the 358-px column less the figure's
#: padding): every figure is drawn a second time this wide (see :mod:`.phone`).
PHONE_COLUMN_PX = 342
PHONE_IN = PHONE_COLUMN_PX / CSS_PX_PER_IN
#: The media condition under which the site serves the phone drawing.
PHONE_MEDIA = "(max-width: 640px)"
#: Compressed PNG text chunk (zTXt) of a figure's PNG that carries its phone drawing
#: (a PNG, base64): how the phone drawing travels in a notebook output to the site.
PHONE_KEY = "vgp:phone"


@contextmanager
def house_style():
    """Apply the book's style sheet inside the block (and only there)."""
    import matplotlib.pyplot as plt

    with plt.style.context(STYLE_SHEET):
        yield


def styled(function):
    """Decorator: run a plotting function inside :func:`house_style`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with house_style():
            return function(*args, **kwargs)

    return wrapper


def figure(
    nrows: int = 1, ncols: int = 1, *, height: float = 3.4, width: float = COLUMN_IN, **kwargs
):
    """A new figure of the column's width (``height`` in inches) and its axes.

    The figure is not registered with pyplot, so nothing shows it twice or leaks it:
    display it with :func:`~vgp_lib.plots.display.show`. ``kwargs`` go to ``Figure.subplots``.
    """
    nrows = check_int("nrows", nrows, lo=1, hi=6)
    ncols = check_int("ncols", ncols, lo=1, hi=6)
    height = check_real("height", height, lo=1.0, hi=12.0)
    width = check_real("width", width, lo=1.0, hi=12.0)
    with house_style():
        fig = blank_figure(height, width=width)
        axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def blank_figure(height: float, *, width: float = COLUMN_IN):
    """An empty figure ``width`` by ``height`` inches with constrained layout and an Agg
    canvas, not registered with pyplot (nothing shows it twice or leaks it). Make it and
    draw into it inside :func:`house_style`; :func:`figure` also adds axes.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def reuse_panels(fig, key: str, make):
    """The panels ``make(fig)`` adds to ``fig`` (its axes, subfigures, or a tuple of them),
    made once for ``fig`` and ``key``.

    On a figure they were made on before under the same ``key`` (a live widget drawing its
    next result), they come back emptied: no lines, bars, texts, legends or titles, linear
    scales and the unit range, each panel back where its grid puts it, and the figure's own
    legends and texts gone too. What stays is what is slow to build again: the axes and
    their tick marks. A draw function that calls this and then draws as on a new figure
    makes the same picture, without building its axes again. Otherwise (a new figure, another key,
    or something emptying cannot undo, such as a colour bar) the figure is cleared and
    ``make`` runs. Tick parameters a draw function sets with ``tick_params`` stay from one
    drawing to the next. Example::

        left, right = reuse_panels(fig, "chain-profile", lambda f: f.subplots(1, 2))
    """
    held = getattr(fig, "_vgp_panels", None)  # on the figure: gone with it
    if held is not None and held[0] == key and fig.axes == held[2]:
        with house_style():  # titles and margins as the style sheet makes them
            if _empty_figure(fig):
                return held[1]
    if fig.axes or fig.subfigs or fig.legends or fig.texts or fig.lines or fig.patches:
        fig.clear()
    panels = make(fig)
    fig._vgp_panels = (key, panels, list(fig.axes))
    return panels


def _empty_figure(fig) -> bool:
    """Empty ``fig`` for :func:`reuse_panels`, keeping its axes; False if it cannot be."""
    for part in (fig, *subfigures(fig)):
        if any(getattr(part, name, None) for name in ("_suptitle", "_supxlabel", "_supylabel")):
            return False  # (their room in the layout would stay)
        for group in (part.legends, part.texts, part.lines, part.patches, part.images):
            for artist in list(group):
                artist.remove()
        if part.artists:
            return False
    if not all(_empty_axes(ax) for ax in fig.axes):
        return False
    restart_layout(fig)
    return True


def _empty_axes(ax) -> bool:
    """Take from ``ax`` what a draw function adds and sets; False if it cannot be undone."""
    import matplotlib as mpl

    if ax.child_axes or getattr(ax, "_colorbar", None) is not None:
        return False
    for container in list(ax.containers):
        container.remove()
    for group in (ax.lines, ax.patches, ax.collections, ax.texts, ax.images, ax.artists):
        for artist in list(group):
            artist.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    for loc in ("center", "left", "right"):
        ax.set_title("", loc=loc)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xscale("linear")  # also the default tick locators and formatters again
    ax.set_yscale("linear")
    ax.set_xmargin(mpl.rcParams["axes.xmargin"])
    ax.set_ymargin(mpl.rcParams["axes.ymargin"])
    ax.relim()  # no data
    ax.set_xlim(0.0, 1.0)  # a new axes' range, not to be autoscaled until data come
    ax.set_ylim(0.0, 1.0)
    ax.set_autoscale_on(True)
    ax.set_prop_cycle(None)  # colours from C0 again
    ax.grid(False, which="both")
    ax.set_aspect("auto")
    ax.set_anchor("C")
    ax.set_axis_on()
    return True


def restart_layout(fig) -> None:
    """Put every panel of ``fig`` back where its grid puts it, before constrained layout.

    The layout starts from where the panels are and takes a few draws to settle to the
    last bit (a legend beside an axes moves it by a millionth): starting each drawing
    from the grid makes every drawing of a figure the same as its first."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        return  # panels placed by hand stay where they were put
    for sub in subfigures(fig):
        sub._redo_transform_rel_fig()
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is not None:
            ax._set_position(spec.get_position(ax.get_figure(root=False)))


def subfigures(fig):
    for sub in fig.subfigs:
        yield sub
        yield from subfigures(sub)


def legend_above(ax, *, ncol: int = 1, centred: bool = False, **kwargs):
    """A legend just above the axes, where it cannot cover data.

    By default in rows from the axes' left edge, without a frame; ``centred`` puts it,
    framed, in the middle (a ``title`` then goes on the legend: an axes title would sit
    under it). ``kwargs`` go to ``Axes.legend``.
    """
    if centred:
        place = {"loc": "lower center", "bbox_to_anchor": (0.5, 1.02)}
    else:
        place = {"loc": "lower left", "bbox_to_anchor": (0.0, 1.01), "frameon": False}
    return ax.legend(ncol=ncol, borderaxespad=0.0, **place, **kwargs)


def legend_beside(ax, **kwargs):
    return ax.legend(
        loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0.0, **kwargs
    )


def integer_x(ax) -> None:
    """Ticks only at whole numbers on the x axis (layers, epochs, depths)."""
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


#: One colour per hidden layer (or per depth), repeated after the eighth.
LAYER_COLOURS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
)


def layer_colour(i: int) -> str:
    """The colour of hidden layer (or depth) number ``i`` (0-based) in every figure."""
    return LAYER_COLOURS[int(i) % len(LAYER_COLOURS)]
