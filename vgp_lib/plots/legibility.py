"""What no figure of the book may do: text too small, a legend over data, texts clashing.

The house style refuses a figure (:func:`checked_png`, on every drawing
:func:`~vgp_lib.plots.display.show` makes) whose text is smaller than
:data:`~vgp_lib.plots.style.MIN_TEXT_PT`, whose legend covers data points, or whose
texts print over each other or are cut by the figure's edge. Each PNG it makes carries
its smallest text size (:data:`~vgp_lib.plots.style.MIN_TEXT_KEY`) and its texts
(:data:`~vgp_lib.plots.style.TEXT_KEY`), which the browser test reads back. The other
functions measure one of these on a figure.
"""

from __future__ import annotations

import io
from pathlib import Path

from .png import PNG_SIGNATURE, png_chunk, png_chunks
from .style import CSS_PX_PER_IN, MIN_TEXT_KEY, MIN_TEXT_PT, RESOLUTION, TEXT_KEY, restart_layout

#: Called by the house style, not by a chapter or a reader: no public surface.
__all__: list[str] = []


def visible_texts(fig):
    """Every text ``fig`` draws: visible, non-empty text artists (tick labels, legends,
    titles, notes), without the tick labels matplotlib keeps for ticks outside the view."""
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
    sizes = [t.get_fontsize() for t in visible_texts(fig)]
    return min(sizes) if sizes else float("inf")


def covered_data(fig) -> list[str]:
    """Where a legend covers data in ``fig``: one description per legend that hides points.

    A legend covers data if a plotted point (a vertex of a line, a marker, a scatter
    point) lies inside its box, or if a bar or other patch reaches into it.
    """
    fig.draw_without_rendering()
    return _covered(fig)


def _covered(fig) -> list[str]:
    """:func:`covered_data` of a figure just drawn."""
    problems = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or not legend.get_visible():
            continue
        hidden = points_under(ax, legend.get_window_extent().padded(-1.0))
        if hidden:
            where = ax.get_title() or ax.get_ylabel() or "an axes"
            problems.append(f"the legend of {where!r} covers {hidden} data point(s)")
    return problems


def points_under(ax, box) -> int:
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


def checked_png(fig, where: str) -> bytes:
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
    restart_layout(fig)  # so a figure drawn again comes out byte for byte the same
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
    chunks = png_chunks(buffer.getvalue())
    for key, text in (
        (MIN_TEXT_KEY, f"{css_px:.2f}"),
        (TEXT_KEY, "\n".join(t.get_text() for t in texts)),
    ):
        chunks.insert(
            len(chunks) - 1, (b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + text.encode("utf-8"))
        )
    return PNG_SIGNATURE + b"".join(png_chunk(kind, body) for kind, body in chunks)


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
