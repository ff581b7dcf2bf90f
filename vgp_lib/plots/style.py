"""The house style of every figure: one style sheet, one column width, one way to show.

Figures are drawn :data:`COLUMN_IN` inches wide, the width of the page's content
column at 96 CSS px per inch, with the sizes of ``vgp.mplstyle``. :func:`show`
renders a figure at twice that resolution (crisp on high-density screens) and
displays it at its column width, so a 9 pt tick label is 12 CSS px on the page.
It refuses a figure with text smaller than :data:`MIN_TEXT_PT`, and writes the
smallest text size into the PNG (``vgp:min-text-css-px``), which the browser test
reads back.

The style is applied only inside :func:`house_style` (every plotting function of
:mod:`vgp_lib.plots` draws inside it); matplotlib's global ``rcParams`` are never
changed.
"""

from __future__ import annotations

import functools
import io
import numbers
from contextlib import contextmanager
from pathlib import Path

STYLE_SHEET = Path(__file__).with_name("vgp.mplstyle")
#: Width of the content column at a 1280 px window, in CSS px (measured in Chromium).
COLUMN_PX = 688
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
    """Every visible, non-empty text artist of ``fig`` (tick labels, legends, titles, notes)."""
    from matplotlib.text import Text

    _check_figure(fig)
    fig.draw_without_rendering()  # tick labels and the layout exist only after a draw
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and _drawn(t)]


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
    import numpy as np
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Rectangle

    fig.draw_without_rendering()
    problems = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        box = legend.get_window_extent().padded(-1.0)
        hidden = 0
        for line in ax.get_lines():
            if not line.get_visible():
                continue
            xy = line.get_xydata()
            if xy.size == 0:
                continue
            transform = line.get_transform()
            points = transform.transform(np.asarray(xy, dtype=float))
            ok = np.isfinite(points).all(axis=1)
            hidden += sum(box.contains(px, py) for px, py in points[ok])
        for collection in ax.collections:
            if isinstance(collection, PathCollection) and collection.get_visible():
                offsets = collection.get_offset_transform().transform(collection.get_offsets())
                hidden += sum(
                    box.contains(px, py) for px, py in offsets if np.isfinite([px, py]).all()
                )
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_visible() and patch.get_height() != 0:
                extent = patch.get_window_extent()
                if extent.overlaps(box):
                    hidden += 1
        if hidden:
            where = ax.get_title() or ax.get_ylabel() or "an axes"
            problems.append(f"the legend of {where!r} covers {hidden} data point(s)")
    return problems


def png_bytes(fig) -> tuple[bytes, int]:
    """``fig`` as PNG bytes at :data:`RESOLUTION` times its CSS size, and its CSS width.

    The PNG carries two text chunks: the size of its smallest text in CSS px
    (:data:`MIN_TEXT_KEY`) and every text drawn on it (:data:`TEXT_KEY`), so a test can
    read what a figure says without looking at its pixels.

    Raises ``ValueError`` if any text is smaller than :data:`MIN_TEXT_PT`.
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    texts = visible_texts(fig)
    small = min((t.get_fontsize() for t in texts), default=float("inf"))
    if small < MIN_TEXT_PT:
        raise ValueError(
            f"fig has text of {small:g} pt; the house style's smallest is {MIN_TEXT_PT:g} pt "
            "(set no font size below it)"
        )
    covered = covered_data(fig)
    if covered:
        raise ValueError("fig: " + "; ".join(covered) + " (move the legend off the data)")
    dpi = CSS_PX_PER_IN * RESOLUTION
    css_px = small * CSS_PX_PER_IN / 72 if small != float("inf") else 0.0
    buffer = io.BytesIO()
    metadata = {MIN_TEXT_KEY: f"{css_px:.2f}", TEXT_KEY: "\n".join(t.get_text() for t in texts)}
    fig.savefig(buffer, format="png", dpi=dpi, metadata=metadata)
    width_css = round(fig.get_figwidth() * CSS_PX_PER_IN)
    return buffer.getvalue(), width_css


def show(fig) -> None:
    """Display ``fig`` at its column width, rendered at twice the resolution."""
    from IPython.display import Image, display

    data, width_css = png_bytes(fig)
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
