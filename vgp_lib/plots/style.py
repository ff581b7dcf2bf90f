"""The house style of every figure: one style sheet, one column width, one way to show.

Figures are drawn :data:`COLUMN_IN` inches wide, the width of a figure in the page's
content column at 96 CSS px per inch, with the sizes of ``vgp.mplstyle``. :func:`show`
renders a figure at twice that resolution (crisp on high-density screens) and
displays it at its column width, so a 9 pt tick label is 12 CSS px on the page.

A phone's column is half as wide, so :func:`show` draws every figure a second time,
:data:`PHONE_IN` inches wide: the same figure laid out again (:func:`phone_layout`:
panels side by side stacked, legends from the side to below), or a layout of the
figure's own (:func:`on_phone`). Text keeps its size in points, so it is 12 CSS px
there too. The phone's PNG travels inside the desktop PNG (:func:`with_phone`); the
site serves it to narrow screens (``booktools/sphinx_figures.py``).

Both drawings are checked (:func:`drawings`): a figure with text smaller than
:data:`MIN_TEXT_PT`, a legend over data, or texts printed over each other or cut by
the figure's edge is refused. Each PNG carries its smallest text size
(``vgp:min-text-css-px``) and its texts (``vgp:text``), which the browser test reads back.

The style is applied only inside :func:`house_style` (every plotting function of
:mod:`vgp_lib.plots` draws inside it); matplotlib's global ``rcParams`` are never
changed.
"""

from __future__ import annotations

import base64
import functools
import io
import numbers
import struct
import weakref
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .._validate import Result

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
#: padding): every figure is drawn a second time this wide (see :func:`drawings`).
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
    if not callable(function):
        raise TypeError(f"function must be a plotting function, got {type(function).__name__}")

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
    display it with :func:`show`. ``kwargs`` go to ``Figure.subplots``.
    """
    for name, value in (("nrows", nrows), ("ncols", ncols)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 6:
            raise ValueError(f"{name} must be an integer from 1 to 6, got {value!r}")
    _check_inches(height=height, width=width)
    with house_style():
        fig = blank_figure(height, width=width)
        axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


def _check_inches(**sizes) -> None:
    for name, value in sizes.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not 1.0 <= value <= 12.0
        ):
            raise ValueError(f"{name} must be a number of inches from 1 to 12, got {value!r}")


def _check_axes(ax) -> None:
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be matplotlib Axes, got {type(ax).__name__}")


def _check_figure(fig) -> None:
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")


def blank_figure(height: float, *, width: float = COLUMN_IN):
    """An empty figure ``width`` by ``height`` inches with constrained layout and an Agg
    canvas, not registered with pyplot (nothing shows it twice or leaks it). Make it and
    draw into it inside :func:`house_style`; :func:`figure` also adds axes.
    """
    _check_inches(height=height, width=width)
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
    _check_figure(fig)
    if not isinstance(key, str) or not key:
        raise TypeError(f"key must be a non-empty string, got {key!r}")
    if not callable(make):
        raise TypeError(f"make must be a callable make(fig), got {type(make).__name__}")
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
    for part in (fig, *_subfigures(fig)):
        if any(getattr(part, name, None) for name in ("_suptitle", "_supxlabel", "_supylabel")):
            return False  # (their room in the layout would stay)
        for group in (part.legends, part.texts, part.lines, part.patches, part.images):
            for artist in list(group):
                artist.remove()
        if part.artists:
            return False
    if not all(_empty_axes(ax) for ax in fig.axes):
        return False
    _restart_layout(fig)
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


def legend_above(ax, *, ncol: int = 1, centred: bool = False, **kwargs):
    """A legend just above the axes, where it cannot cover data.

    By default in rows from the axes' left edge, without a frame; ``centred`` puts it,
    framed, in the middle (a ``title`` then goes on the legend: an axes title would sit
    under it). ``kwargs`` go to ``Axes.legend``.
    """
    _check_axes(ax)
    if isinstance(ncol, bool) or not isinstance(ncol, numbers.Integral) or not 1 <= ncol <= 12:
        raise ValueError(f"ncol must be an integer from 1 to 12, got {ncol!r}")
    if not isinstance(centred, bool):
        raise TypeError(f"centred must be True or False, got {type(centred).__name__}")
    if centred:
        place = {"loc": "lower center", "bbox_to_anchor": (0.5, 1.02)}
    else:
        place = {"loc": "lower left", "bbox_to_anchor": (0.0, 1.01), "frameon": False}
    return ax.legend(ncol=ncol, borderaxespad=0.0, **place, **kwargs)


def legend_beside(ax, **kwargs):
    """A legend to the right of the axes, where it cannot cover data."""
    _check_axes(ax)
    return ax.legend(
        loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, borderaxespad=0.0, **kwargs
    )


def integer_x(ax) -> None:
    """Ticks only at whole numbers on the x axis (layers, epochs, depths)."""
    from matplotlib.ticker import MaxNLocator

    _check_axes(ax)
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
    if isinstance(i, bool) or not isinstance(i, numbers.Integral) or i < 0:
        raise ValueError(f"i must be an integer >= 0, got {i!r}")
    return LAYER_COLOURS[int(i) % len(LAYER_COLOURS)]


def visible_texts(fig):
    """Every text ``fig`` draws: visible, non-empty text artists (tick labels, legends,
    titles, notes), without the tick labels matplotlib keeps for ticks outside the view."""
    _check_figure(fig)
    fig.draw_without_rendering()  # tick labels and the layout exist only after a draw
    return _drawn_texts(fig)


def _drawn_texts(fig):
    """:func:`visible_texts` of a figure just drawn."""
    from matplotlib.text import Text

    spare = _undrawn_tick_labels(fig)
    return [
        t
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and _drawn(t) and id(t) not in spare
    ]


def _undrawn_tick_labels(fig) -> set[int]:
    """Ids of the tick labels of ``fig`` that the last draw left out (outside the view)."""
    spare, drawn = set(), set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            # (vars: reading axis.majorTicks would make ticks an undrawn axis never had)
            for tick in [*vars(axis).get("majorTicks", ()), *vars(axis).get("minorTicks", ())]:
                spare.update((id(tick.label1), id(tick.label2)))
            if ax.axison and axis.get_visible():
                for tick in axis._update_ticks():  # the ticks a draw puts on the axis
                    drawn.update((id(tick.label1), id(tick.label2)))
    return spare - drawn


def _drawn(text) -> bool:
    """A text artist is drawn if it and every parent artist are visible."""
    artist = text
    while artist is not None:
        if not artist.get_visible():
            return False
        artist = getattr(artist, "axes", None) if artist is text else None
    return True


def smallest_text_pt(fig) -> float:
    """The size in points of the smallest visible text in ``fig``."""
    _check_figure(fig)
    sizes = [t.get_fontsize() for t in visible_texts(fig)]
    return min(sizes) if sizes else float("inf")


def covered_data(fig) -> list[str]:
    """Where a legend covers data in ``fig``: one description per legend that hides points.

    A legend covers data if a plotted point (a vertex of a line, a marker, a scatter
    point) lies inside its box, or if a bar or other patch reaches into it.
    """
    _check_figure(fig)
    fig.draw_without_rendering()
    return _covered(fig)


def _covered(fig) -> list[str]:
    """:func:`covered_data` of a figure just drawn."""
    problems = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        hidden = _points_under(ax, legend.get_window_extent().padded(-1.0))
        if hidden:
            where = ax.get_title() or ax.get_ylabel() or "an axes"
            problems.append(f"the legend of {where!r} covers {hidden} data point(s)")
    return problems


def _points_under(ax, box) -> int:
    """How many data points (line vertices, markers, scatter points, bars) of ``ax`` lie in
    ``box`` (display coordinates). A point clipped away (outside the axes) is not drawn."""
    import numpy as np
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox

    clipped = Bbox.intersection(box, ax.get_window_extent())

    def area(artist):
        return clipped if artist.get_clip_on() else box

    hidden = 0
    for line in ax.get_lines():
        xy = line.get_xydata()
        if not line.get_visible() or xy.size == 0 or area(line) is None:
            continue
        points = line.get_transform().transform(np.asarray(xy, dtype=float))
        ok = np.isfinite(points).all(axis=1)
        hidden += sum(area(line).contains(px, py) for px, py in points[ok])
    for collection in ax.collections:
        if (
            isinstance(collection, PathCollection)
            and collection.get_visible()
            and area(collection) is not None
        ):
            offsets = collection.get_offset_transform().transform(collection.get_offsets())
            ok = np.isfinite(offsets).all(axis=1)
            hidden += sum(area(collection).contains(px, py) for px, py in offsets[ok])
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_visible() and patch.get_height() != 0:
            if area(patch) is not None and patch.get_window_extent().overlaps(area(patch)):
                hidden += 1
    return hidden


def text_problems(fig) -> list[str]:
    """Texts of ``fig`` a reader cannot read whole: two texts printed over each other, or a
    text cut by the figure's edge. One description per problem (empty if there is none).

    Texts overlap when their boxes share more than 1 pt each way; a text turned by an angle
    other than a multiple of 90 degrees is left out of the comparison (its box is not its shape).
    """
    _check_figure(fig)
    return _clashes(fig, visible_texts(fig))


def _clashes(fig, texts) -> list[str]:
    """:func:`text_problems` among ``texts`` of a figure just drawn."""
    renderer = fig._get_renderer()  # at the figure's dpi (a text keeps the last draw's)
    tol = fig.dpi / 72  # 1 pt in display pixels
    width, height = fig.bbox.width, fig.bbox.height
    boxes = []
    problems = []
    for t in texts:
        box = t.get_window_extent(renderer)
        if box.x0 < -tol or box.y0 < -tol or box.x1 > width + tol or box.y1 > height + tol:
            problems.append(f"{_quote(t)} is cut by the figure's edge")
        if t.get_rotation() % 90 == 0:
            boxes.append((box, t))
    boxes.sort(key=lambda pair: pair[0].x0)
    for i, (a, ta) in enumerate(boxes):
        for b, tb in boxes[i + 1 :]:
            if b.x0 >= a.x1 - tol:
                break
            across = min(a.x1, b.x1) - max(a.x0, b.x0)
            up = min(a.y1, b.y1) - max(a.y0, b.y0)
            if across > tol and up > tol:
                problems.append(f"{_quote(ta)} and {_quote(tb)} print over each other")
    return problems


def _quote(text) -> str:
    words = " ".join(text.get_text().split())
    return repr(words if len(words) <= 40 else words[:39] + "…")


def _checked_png(fig, where: str) -> bytes:
    """``fig`` as a PNG at :data:`RESOLUTION` times its CSS size, after the house checks.

    ``where`` names the drawing in the messages ("" or " at phone width (342 px)").
    """
    dpi = fig.dpi
    fig.dpi = CSS_PX_PER_IN * RESOLUTION
    try:  # one draw: the checks measure the image's own layout and ticks, at its dpi
        return _checked_drawing(fig, where)
    finally:
        fig.dpi = dpi


def _checked_drawing(fig, where: str) -> bytes:
    buffer = io.BytesIO()
    _restart_layout(fig)  # so a figure drawn again comes out byte for byte the same
    fig.savefig(buffer, format="png", dpi=fig.dpi)  # (dpi="figure" is the original dpi)
    texts = _drawn_texts(fig)
    small = min((t.get_fontsize() for t in texts), default=float("inf"))
    problems = []
    if small < MIN_TEXT_PT:
        problems.append(
            f"fig{where} has text of {small:g} pt; the house style's smallest is "
            f"{MIN_TEXT_PT:g} pt (set no font size below it)"
        )
    covered = _covered(fig)
    if covered:
        problems.append(f"fig{where}: " + "; ".join(covered) + " (move the legend off the data)")
    clashes = _clashes(fig, texts)
    if clashes:
        problems.append(
            f"fig{where}: "
            + "; ".join(clashes[:4])
            + (" ..." if len(clashes) > 4 else "")
            + " (give the texts room, or the figure a phone layout of its own: on_phone)"
        )
    if problems and not _survey(problems, texts):
        raise ValueError(problems[0])
    css_px = small * CSS_PX_PER_IN / 72 if small != float("inf") else 0.0
    chunks = _png_chunks(buffer.getvalue())
    for key, text in (
        (MIN_TEXT_KEY, f"{css_px:.2f}"),
        (TEXT_KEY, "\n".join(t.get_text() for t in texts)),
    ):
        chunks.insert(
            len(chunks) - 1, (b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + text.encode("utf-8"))
        )
    return _PNG_SIGNATURE + b"".join(_png_chunk(kind, body) for kind, body in chunks)


def _restart_layout(fig) -> None:
    """Put every panel of ``fig`` back where its grid puts it, before constrained layout.

    The layout starts from where the panels are and takes a few draws to settle to the
    last bit (a legend beside an axes moves it by a millionth): starting each drawing
    from the grid makes every drawing of a figure the same as its first."""
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    if not isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine):
        return  # panels placed by hand stay where they were put
    for sub in _subfigures(fig):
        sub._redo_transform_rel_fig()
    for ax in fig.axes:
        spec = ax.get_subplotspec()
        if spec is not None:
            ax._set_position(spec.get_position(ax.get_figure(root=False)))


def _subfigures(fig):
    for sub in fig.subfigs:
        yield sub
        yield from _subfigures(sub)


def _survey(problems: list[str], texts) -> bool:
    """Note ``problems`` in the file named by ``VGP_FIGURE_SURVEY`` and go on (True), or
    say there is no survey (False: the problems are raised).

    For a survey of a whole chapter's figures in one build (the book's build never sets
    it): each line names the code that showed the figure, its first texts and the problem.
    """
    import inspect
    import os

    path = os.environ.get("VGP_FIGURE_SURVEY")
    if not path:
        return False
    here = Path(__file__).resolve().parent.parent
    caller = "?"
    for info in inspect.stack()[1:]:
        if not Path(info.filename).resolve().is_relative_to(here):
            caller = f"{info.filename}:{info.lineno}: {(info.code_context or ['?'])[0].strip()}"
            break
    first = " | ".join(t.get_text() for t in texts if len(t.get_text()) > 3)[:120]
    with open(path, "a", encoding="utf-8") as out:
        for problem in problems:
            line = "\t".join(" ".join(part.split()) for part in (caller, first, problem))
            out.write(line + "\n")
    return True


# --- the phone's drawing -----------------------------------------------------------------------
#
# Every figure is drawn twice: for the desktop column (COLUMN_PX wide) and for a phone's
# column (PHONE_COLUMN_PX wide). Text keeps its size in points, so it keeps its size in CSS
# px on both; what changes is the layout. The generic phone layout (phone_layout) stacks
# panels side by side into one column and moves legends from beside the axes to below them;
# a figure that needs a layout of its own gets one with on_phone (or show's phone=).

#: The phone layout a figure was given with :func:`on_phone` (figure -> layout).
PHONE_LAYOUTS = weakref.WeakKeyDictionary()
#: A panel stacked under another keeps this share of its desktop height, and at least
#: _STACKED_MIN_IN inches (or all it had): the figure and the slider under it fit a screen.
_STACKED_SHARE = 0.75
_STACKED_MIN_IN = 2.4


@dataclass(frozen=True)
class Drawings(Result):
    """A figure drawn twice: PNG bytes and CSS size of the desktop and of the phone drawing."""

    desktop: bytes
    width: int
    height: int
    phone: bytes
    phone_width: int
    phone_height: int


def on_phone(fig, layout):
    """Give ``fig`` a phone layout of its own; returns ``fig``.

    ``layout(phone_fig)`` gets a copy of ``fig`` (desktop size) and either lays it out
    again in place, :data:`PHONE_IN` inches wide (it may call :func:`phone_layout` and
    adjust what it did), or returns a new figure drawn for the phone. :func:`show`,
    :func:`png_bytes` and slider frames use it instead of :func:`phone_layout`.
    """
    _check_figure(fig)
    if not callable(layout):
        raise TypeError(
            f"layout must be a callable layout(fig) for the phone, got {type(layout).__name__}"
        )
    PHONE_LAYOUTS[fig] = layout
    return fig


def phone_layout(fig, *, height: float | None = None) -> None:
    """Lay ``fig`` out again, in place, for a phone's column (:data:`PHONE_IN` inches wide).

    Panels side by side go one under another (each keeps most of its height, so the
    figure grows, up to 12 inches);
    a legend beside its axes moves below them, in as many columns as fit; a legend inside
    the axes that would cover data at the phone's width moves below them too; a figure
    legend at the side moves below the figure. Text keeps its size in points.
    ``height`` (inches) fixes the height instead (slider frames share one).
    """
    _check_figure(fig)
    if height is not None:
        _check_inches(height=height)
    with house_style():
        fig.draw_without_rendering()  # the desktop layout: where each legend sits
        moves = _legends_to_move(fig)
        grown = _stack_panels(fig)
        fig.set_size_inches(PHONE_IN, min(fig.get_figheight() * grown, 12.0))
        extra = _move_legends(fig, moves)
        if any(ax.get_legend() for ax in fig.axes):  # only an axes' legend can cover its data
            fig.set_size_inches(PHONE_IN, min(fig.get_figheight() + extra, 12.0))
            fig.draw_without_rendering()
            extra += _move_legends(fig, _legends_on_data(fig))
        fig.set_size_inches(PHONE_IN, height or min(fig.get_figheight() + extra, 12.0))


def _axes_legends(fig):
    """``(ax, legend)`` for every visible axes of ``fig`` with a visible legend."""
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_visible() and ax.get_visible():
            yield ax, legend


def _legends_to_move(fig) -> list:
    """The legends of ``fig`` (just drawn at desktop width) the phone needs elsewhere:
    ``(legend, ax or None, depth, left)``, one per legend beside its axes or wider than
    the phone gives it. ``depth``: inches from the axes' bottom to below its x axis'
    labels; ``left``: inches its y axis' labels take left of it."""
    renderer = fig._get_renderer()
    moves = []
    for ax, legend in _axes_legends(fig):
        box, frame = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
        depth, left = _room(ax, renderer)
        outside = box.x0 >= frame.x1 - 1 or box.x1 <= frame.x0 + 1
        inside = not outside and box.y0 < frame.y1 - 1 and box.y1 > frame.y0 + 1
        if outside or (not inside and box.width / fig.dpi > PHONE_IN - left - 0.15):
            moves.append((legend, ax, depth if outside else None, left))
    for legend in _figure_legends(fig):
        side = getattr(legend, "_outside_loc", None)
        if side in ("left", "right") or legend.get_window_extent(renderer).width > (
            0.95 * PHONE_IN * fig.dpi
        ):
            moves.append((legend, None, None, 0.0))
    return moves


def _legends_on_data(fig) -> list:
    """The legends inside an axes of ``fig`` (just drawn) that cover data, as for
    :func:`_legends_to_move`."""
    renderer = fig._get_renderer()
    moves = []
    for ax, legend in _axes_legends(fig):
        if _points_under(ax, legend.get_window_extent(renderer).padded(-1.0)):
            moves.append((legend, ax, *_room(ax, renderer)))
    return moves


def _room(ax, renderer) -> tuple[float, float]:
    """Inches from ``ax``'s bottom to below its x axis' labels (and a 4-pt gap), and inches
    its y axis' labels take left of it."""
    dpi = ax.get_figure(root=True).dpi
    frame = ax.get_window_extent(renderer)
    below, beside = ax.xaxis.get_tightbbox(renderer), ax.yaxis.get_tightbbox(renderer)
    depth = (frame.y0 - below.y0 if below is not None else 0.0) / dpi + 4 / 72
    return depth, (frame.x0 - beside.x0 if beside is not None else 0.0) / dpi


def _move_legends(fig, moves) -> float:
    """Put each legend of ``moves`` below its axes (``depth`` given) or keep it where it is,
    in as many columns as fit the phone. Returns the height (inches) the figure must grow."""
    renderer = fig._get_renderer()
    grow = 0.0
    for legend, ax, depth, left in moves:
        before = 0.0 if depth is not None else legend.get_window_extent(renderer).height
        if ax is None:  # a figure legend: at the side, it goes below the figure
            if getattr(legend, "_outside_loc", None) in ("left", "right"):
                legend.set_loc("outside lower center")
                before = 0.0
            width = 0.95 * PHONE_IN
        else:
            if depth is not None:
                _place_below(ax, legend, depth)
            width = PHONE_IN - left - 0.15
        _fit_columns(legend, width * fig.dpi, renderer)
        grow += legend.get_window_extent(renderer).height - before
        if depth is not None:
            grow += 4 * fig.dpi / 72
    return max(grow, 0.0) / fig.dpi


def _stack_panels(fig) -> float:
    """Put the panels of every grid of ``fig`` (and of its subfigures) one under another.

    A panel keeps three quarters of its height (a phone's screen is short), at least
    :data:`_STACKED_MIN_IN` inches, and never more than it had. Returns how much taller
    the figure must be."""
    from matplotlib.figure import SubFigure
    from matplotlib.gridspec import GridSpec

    cells: dict = {}  # gridspec -> {(rows, cols): [axes or subfigures]}
    for member in [*fig.axes, *fig.subfigs]:
        if isinstance(member, SubFigure):
            spec = member._subplotspec  # (a SubFigure has no getter)
        else:
            if member.get_figure(root=False) is not fig:
                continue  # an axes of a subfigure moves with it
            spec = member.get_subplotspec()
            spec = spec.get_topmost_subplotspec() if spec is not None else None
        if spec is None:
            continue
        key = (spec.rowspan, spec.colspan)
        cells.setdefault(spec.get_gridspec(), {}).setdefault(key, []).append(member)
    grown = 1.0
    tall = fig.bbox.height / fig.get_figure(root=True).dpi  # inches, as drawn for the desktop
    for grid, members in cells.items():
        nrows, ncols = grid.get_geometry()
        if ncols == 1:
            continue
        ratios = grid.get_height_ratios() or [1.0] * nrows
        order = sorted(members, key=lambda key: (key[0].start, key[1].start))
        rows = [tall * sum(ratios[r] for r in span) / sum(ratios) for span, _ in order]
        heights = [max(_STACKED_SHARE * r, min(r, _STACKED_MIN_IN)) for r in rows]
        stacked = GridSpec(len(order), 1, figure=fig, height_ratios=heights)
        for i, key in enumerate(order):
            for member in members[key]:
                _move_to(member, stacked[i], first_column=key[1].start == 0)
        grown = max(grown, sum(heights) / tall)
    for sub in fig.subfigs:
        grown_inside = _stack_panels(sub)
        grown = max(grown, grown * grown_inside)
    return grown


def _move_to(member, spec, *, first_column: bool) -> None:
    from matplotlib.figure import SubFigure

    if isinstance(member, SubFigure):
        member._subplotspec = spec  # SubFigure has no setter; its layout reads this
        member._redo_transform_rel_fig()
        return
    own = member.get_subplotspec()
    if own.get_gridspec() is own.get_topmost_subplotspec().get_gridspec():
        member.set_subplotspec(spec)
    else:  # an axes of a nested grid: move the whole nested grid
        own.get_gridspec()._subplot_spec = spec
    if not first_column and not member.yaxis.get_tick_params().get("labelleft", True):
        # a shared y axis hid the labels of the inner columns: alone in its row, it needs them
        siblings = member.get_shared_y_axes().get_siblings(member)
        if len(siblings) > 1:
            member.tick_params(axis="y", labelleft=True)
            if not member.get_ylabel():
                member.set_ylabel(next((a.get_ylabel() for a in siblings if a.get_ylabel()), ""))


def _figure_legends(fig):
    yield from fig.legends
    for sub in fig.subfigs:
        yield from _figure_legends(sub)


def _place_below(ax, legend, depth_in: float) -> None:
    """Anchor ``legend``'s top left corner ``depth_in`` inches below ``ax``'s bottom left."""
    from matplotlib.transforms import ScaledTranslation

    fig = ax.get_figure(root=True)
    legend.set_loc("upper left")
    legend.set_bbox_to_anchor(
        (0.0, 0.0), transform=ax.transAxes + ScaledTranslation(0, -depth_in, fig.dpi_scale_trans)
    )
    legend.borderaxespad = 0.0


def _fit_columns(legend, width_px: float, renderer) -> None:
    """Lay ``legend``'s entries out in the most columns (up to one row) that fit ``width_px``."""
    handles = list(legend.legend_handles)
    labels = [t.get_text() for t in legend.texts]
    if not handles or len(handles) != len(labels):
        return
    title = legend.get_title()
    text, size, shown = title.get_text(), title.get_fontproperties(), title.get_visible()
    for ncols in range(len(labels), 0, -1):
        legend.set_ncols(ncols)
        legend._init_legend_box(handles, labels)  # rebuild the entries in ncols columns
        legend._legend_box.set_offset(legend._findoffset)  # as Legend.__init__ does
        legend.set_title(text if shown else None, prop=size)
        if legend.get_window_extent(renderer).width <= width_px:
            return


def drawings(fig, *, phone=None) -> Drawings:
    """``fig`` drawn for the desktop column and for a phone's, each checked by the house style.

    The phone drawing is made from a copy of ``fig`` (``fig`` itself is left as it is):
    ``phone`` may be a figure already drawn for the phone (:data:`PHONE_IN` inches wide),
    a callable ``phone(fig_copy)`` as for :func:`on_phone`, or None for the layout given
    with :func:`on_phone` or else :func:`phone_layout`.

    Raises ``ValueError``, saying which drawing, if either has text under
    :data:`MIN_TEXT_PT`, a legend over data, texts over each other or cut by the edge.
    """
    from matplotlib.figure import Figure

    _check_figure(fig)
    if not (phone is None or callable(phone) or isinstance(phone, Figure)):
        raise TypeError(
            "phone must be a figure drawn for the phone, a callable phone(fig) or None, got "
            f"{type(phone).__name__}"
        )
    desktop = _checked_png(fig, "")
    with house_style():
        drawn = phone if isinstance(phone, Figure) else _phone_copy(fig, phone)
    if abs(drawn.get_figwidth() - PHONE_IN) > 0.01:
        raise ValueError(
            f"phone must draw the figure {PHONE_IN:.4g} inches wide (PHONE_IN), got "
            f"{drawn.get_figwidth():.4g}"
        )
    small = _checked_png(drawn, f" at phone width ({PHONE_COLUMN_PX} px)")
    return Drawings(
        desktop=desktop,
        width=round(fig.get_figwidth() * CSS_PX_PER_IN),
        height=round(fig.get_figheight() * CSS_PX_PER_IN),
        phone=small,
        phone_width=PHONE_COLUMN_PX,
        phone_height=round(drawn.get_figheight() * CSS_PX_PER_IN),
    )


def _phone_copy(fig, layout):
    """A copy of ``fig`` laid out for the phone by ``layout``, the figure's own or the generic."""
    import pickle

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    layout = layout or PHONE_LAYOUTS.get(fig) or phone_layout
    try:
        copy = pickle.loads(pickle.dumps(fig))
    except Exception:  # an artist that cannot be copied: lay out the figure itself
        copy = fig
    FigureCanvasAgg(copy)
    drawn = layout(copy)
    if isinstance(drawn, Figure):
        if not isinstance(drawn.canvas, FigureCanvasAgg):
            FigureCanvasAgg(drawn)
        return drawn
    return copy


def with_phone(desktop: bytes, phone: bytes) -> bytes:
    """The PNG ``desktop`` carrying the PNG ``phone`` in a compressed text chunk
    (:data:`PHONE_KEY`, base64): one image for a notebook, two for the site."""
    for name, data in (("desktop", desktop), ("phone", phone)):
        if not isinstance(data, bytes) or not data.startswith(_PNG_SIGNATURE):
            raise TypeError(f"{name} must be the bytes of a PNG image, got {type(data).__name__}")
    body = PHONE_KEY.encode("latin-1") + b"\0\0" + zlib.compress(base64.b64encode(phone), 9)
    chunks = [c for c in _png_chunks(desktop) if not _is_phone_chunk(c)]
    chunks.insert(len(chunks) - 1, (b"zTXt", body))  # before IEND
    return _PNG_SIGNATURE + b"".join(_png_chunk(kind, body) for kind, body in chunks)


def split_drawings(data: bytes) -> tuple[bytes, bytes | None]:
    """The desktop PNG of ``data`` without its :data:`PHONE_KEY` chunk, and the phone PNG it
    carried (None if it carries none)."""
    if not isinstance(data, bytes) or not data.startswith(_PNG_SIGNATURE):
        raise TypeError(f"data must be the bytes of a PNG image, got {type(data).__name__}")
    chunks = _png_chunks(data)
    phone = next((c for c in chunks if _is_phone_chunk(c)), None)
    if phone is None:
        return data, None
    desktop = _PNG_SIGNATURE + b"".join(
        _png_chunk(kind, body) for kind, body in chunks if not _is_phone_chunk((kind, body))
    )
    text = phone[1][len(PHONE_KEY) + 2 :]
    return desktop, base64.b64decode(zlib.decompress(text))


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    chunks, at = [], len(_PNG_SIGNATURE)
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _is_phone_chunk(chunk) -> bool:
    kind, body = chunk
    return kind == b"zTXt" and body.startswith(PHONE_KEY.encode("latin-1") + b"\0")


def png_bytes(fig, *, phone=None) -> tuple[bytes, int]:
    """``fig`` as PNG bytes at :data:`RESOLUTION` times its CSS size, and its CSS width.

    The PNG is the desktop drawing and carries the phone drawing (:func:`drawings`,
    :func:`with_phone`). Each carries two text chunks: the size of its smallest text in
    CSS px (:data:`MIN_TEXT_KEY`) and every text drawn on it (:data:`TEXT_KEY`), so a test
    can read what a figure says without looking at its pixels.

    Raises ``ValueError`` if either drawing has text smaller than :data:`MIN_TEXT_PT`, a
    legend over data, or texts over each other or cut by the figure's edge.
    """
    both = drawings(fig, phone=phone)
    return with_phone(both.desktop, both.phone), both.width


def show(fig, *, phone=None) -> None:
    """Display ``fig`` at its column width, rendered at twice the resolution, with its phone
    drawing inside (the site serves that one to narrow screens). ``phone``: as for
    :func:`drawings`."""
    from IPython.display import Image, display

    data, width_css = png_bytes(fig, phone=phone)
    display(Image(data=data, format="png", width=width_css))


def show_source(function) -> None:
    """Display the source of ``function`` as a highlighted code block, without its docstring.

    The prose around it says what the docstring says; the reader sees only the code.
    """
    import ast
    import inspect
    import textwrap

    from IPython.display import Markdown, display

    if not callable(function):
        raise TypeError(f"function must be a function or class, got {type(function).__name__}")
    source = textwrap.dedent(inspect.getsource(function))
    tree = ast.parse(source)
    node = tree.body[0]
    lines = source.splitlines()
    body = getattr(node, "body", [])
    if (
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(getattr(body[0], "value", None), ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        doc = body[0]
        del lines[doc.lineno - 1 : doc.end_lineno]
    display(Markdown("```python\n" + "\n".join(lines).rstrip() + "\n```"))
