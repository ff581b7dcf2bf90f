"""Every figure drawn a second time, for a phone's column.

A phone's column (:data:`~vgp_lib.plots.style.PHONE_IN` inches) is half as wide as the
desktop's, so :func:`~vgp_lib.plots.display.show` draws every figure a second time that
wide: the same figure laid out again (:func:`phone_layout`: panels side by side stacked,
legends from the side to below), or a layout of the figure's own (:func:`on_phone`).
Text keeps its size in points, so it is 12 CSS px there too. The site serves the
phone's drawing to narrow screens.
"""

from __future__ import annotations

import weakref

from .legibility import points_under
from .style import PHONE_IN, house_style

#: Called by the house style, not by a chapter or a reader: no public surface.
__all__: list[str] = []

#: The phone layout a figure was given with :func:`on_phone` (figure -> layout).
PHONE_LAYOUTS = weakref.WeakKeyDictionary()
#: A panel stacked under another keeps this share of its desktop height, and at least
#: _STACKED_MIN_IN inches (or all it had): the figure and the slider under it fit a screen.
_STACKED_SHARE = 0.75
_STACKED_MIN_IN = 2.4


def on_phone(fig, layout):
    """Give ``fig`` a phone layout of its own; returns ``fig``.

    ``layout(phone_fig)`` gets a copy of ``fig`` (desktop size) and either lays it out
    again in place, :data:`PHONE_IN` inches wide (it may call :func:`phone_layout` and
    adjust what it did), or returns a new figure drawn for the phone.
    :func:`~vgp_lib.plots.display.show`, :func:`~vgp_lib.plots.display.png_bytes` and slider
    frames use it instead of :func:`phone_layout`.
    """
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


def phone_copy(fig, layout):
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
        if points_under(ax, legend.get_window_extent(renderer).padded(-1.0)):
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
