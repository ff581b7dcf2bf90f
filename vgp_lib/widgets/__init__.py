"""Widget layer: controls wired to a compute call and a plot call, no maths.

:class:`LiveFigure` is the one pattern every chapter uses: a dict of ipywidgets
controls, a ``compute(**values)`` function from a compute module and a
``draw(fig, result)`` function from :mod:`vgp_lib.plots`. Moving a control
recomputes and redraws; ``.result`` holds the latest result so tests can drive
a widget headless (set ``controls[name].value`` and inspect ``.result``).

While the static site is built (``VGP_STATIC_BUILD=1``) a widget displays
nothing, rather than a view that would be dead without a kernel: the page shows the
cell's code alone. Every widget in the book is preceded by a static figure from the
same compute call, and by a sentence telling the reader how to run it live.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from .._env import static_build
from .._validate import check_bool, check_real


class LiveFigure:
    """Controls -> ``compute`` -> ``draw``, redrawn whenever a control moves.

    Parameters
    ----------
    controls : dict
        Name -> ipywidgets control; the names are ``compute``'s keyword arguments.
    compute : callable
        ``compute(**values) -> result`` (from a compute module).
    draw : callable
        ``draw(fig, result)`` (from :mod:`vgp_lib.plots`); adds its own axes.
    describe : callable, optional
        ``describe(result) -> str`` shown as text under the figure.
    height : float
        Height of the figure in inches. Its width is the page's column
        (:data:`vgp_lib.plots.style.COLUMN_IN`); it is drawn in the house style,
        rendered at twice the resolution and shown at the column's width, like every
        static figure (so its text is as legible).
    reuse : bool
        False: every result is drawn on a new figure. True: on the figure the last one was
        drawn on, which ``draw`` must expect: it gets its panels with
        :func:`vgp_lib.plots.style.reuse_panels`, which keeps the axes and their ticks
        (the slow part of a redraw) and empties them. ``.figure`` is the figure last drawn.
    """

    def __init__(
        self,
        controls: dict,
        compute: Callable,
        draw: Callable,
        *,
        describe=None,
        height: float = 3.6,
        reuse: bool = False,
    ):
        import ipywidgets as widgets

        from ..plots.style import COLUMN_PX

        if (
            not isinstance(controls, dict)
            or not controls
            or not all(isinstance(c, widgets.ValueWidget) for c in controls.values())
        ):
            raise TypeError("controls must be a non-empty dict name -> ipywidgets control")
        if not (callable(compute) and callable(draw) and (describe is None or callable(describe))):
            raise TypeError("compute, draw and describe (or None) must be callables")
        self.controls = dict(controls)
        self.compute = compute
        self.draw = draw
        self.describe = describe
        self.height = check_real("height", height, lo=1.0, hi=12.0)  # inches
        self.reuse = check_bool("reuse", reuse)
        self.figure = None  # the figure last drawn on
        self.result = None
        self.seconds = []  # wall time of each compute + draw
        self.render_seconds = []  # and of turning the drawn figure into PNG bytes
        # The figure is shown as PNG bytes in an Image widget. (Capturing display()
        # calls in an Output widget, with clear_output(wait=True), now and then left
        # a kernel run by nbclient waiting forever for the cell to finish.)
        self.image = widgets.Image(
            format="png", layout=widgets.Layout(width="100%", max_width=f"{COLUMN_PX}px")
        )
        self.text = widgets.HTML()
        for control in self.controls.values():
            control.observe(self._update, names="value")
            if hasattr(control, "style") and hasattr(control.style, "description_width"):
                # room for the whole label ("weight scale", not "weight sc...")
                control.style.description_width = "initial"
        self.box = widgets.VBox(
            [
                widgets.HBox(
                    list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
                ),
                self.image,
                self.text,
            ]
        )
        self._update()

    def values(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    def _update(self, change=None) -> None:
        from ..plots.style import CSS_PX_PER_IN, RESOLUTION, blank_figure, house_style

        start = time.perf_counter()
        self.result = self.compute(**self.values())
        dpi = CSS_PX_PER_IN * RESOLUTION
        with house_style():
            fig = self.figure
            if fig is None or not self.reuse:
                fig = blank_figure(self.height)  # not registered with pyplot: nothing to close
                fig.set_dpi(dpi)  # laid out at the dpi it is rendered at, as savefig would
            self.draw(fig, self.result)
            self.figure = fig
            drawn = time.perf_counter()
            png = _png(fig)
        self.image.value = png
        if self.describe is not None:
            self.text.value = self.describe(self.result)
        self.seconds.append(drawn - start)
        self.render_seconds.append(time.perf_counter() - drawn)

    def _ipython_display_(self) -> None:
        show_live(self.box)


def _png(fig) -> bytes:
    """``fig`` as PNG bytes at its dpi, as ``savefig`` makes them, drawn once.

    (``savefig`` draws a figure with a layout engine twice: once, not rendered, to lay it
    out, once to render it. Here the layout runs on its own, then one draw renders.)
    """
    import matplotlib.image

    engine = fig.get_layout_engine()
    if engine is not None:
        if fig.axes:  # as Figure.draw lays a figure out (one placed by hand: no-op)
            try:
                engine.execute(fig)
            except ValueError:
                pass
        fig.set_layout_engine("none")
    try:
        fig.canvas.draw()
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)
    buffer = io.BytesIO()
    matplotlib.image.imsave(
        buffer, fig.canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi
    )
    return buffer.getvalue()


def show_live(widget) -> None:
    """Display ``widget`` live; in the static build, nothing (there is no kernel to drive
    it, and a note in its place would be plumbing on the page: the chapter's prose says
    how to run it live)."""
    import ipywidgets as widgets
    from IPython.display import display

    if not isinstance(widget, (widgets.Widget, LiveFigure)):
        raise TypeError(
            f"widget must be an ipywidgets widget or a LiveFigure, got {type(widget).__name__}"
        )

    if not static_build():
        display(widget)
