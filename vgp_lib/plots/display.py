"""A figure on the page: drawn for the desktop and for a phone, checked, displayed.

:func:`show` renders a figure at :data:`~vgp_lib.plots.style.RESOLUTION` times its
column width (crisp on high-density screens) and displays it at that width, so a 9 pt
tick label is 12 CSS px on the page. It draws the figure twice (:func:`drawings`: the
desktop's and the phone's, :mod:`.phone`), checks both (:mod:`.legibility`) and sends
one PNG carrying the other (:mod:`.png`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .legibility import checked_png
from .phone import phone_copy
from .png import with_phone
from .style import CSS_PX_PER_IN, PHONE_COLUMN_PX, PHONE_IN, house_style

#: What a chapter calls; the other names serve the site's build and its tests.
__all__ = ["show"]


@dataclass(frozen=True)
class Drawings:
    """A figure drawn twice: PNG bytes and CSS size of the desktop and of the phone drawing."""

    desktop: bytes
    width: int
    height: int
    phone: bytes
    phone_width: int
    phone_height: int


def drawings(fig, *, phone=None) -> Drawings:
    """``fig`` drawn for the desktop column and for a phone's, each checked by the house style.

    The phone drawing is made from a copy of ``fig`` (``fig`` itself is left as it is):
    ``phone`` may be a figure already drawn for the phone (:data:`PHONE_IN` inches wide),
    a callable ``phone(fig_copy)`` as for :func:`~vgp_lib.plots.phone.on_phone`, or None for
    the layout given with :func:`~vgp_lib.plots.phone.on_phone` or else
    :func:`~vgp_lib.plots.phone.phone_layout`.

    Raises ``ValueError``, saying which drawing, if either has text under
    :data:`MIN_TEXT_PT`, a legend over data, texts over each other or cut by the edge.
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not (phone is None or callable(phone) or isinstance(phone, Figure)):
        raise TypeError(
            "phone must be a figure drawn for the phone, a callable phone(fig) or None, got "
            f"{type(phone).__name__}"
        )
    desktop = checked_png(fig, "")
    with house_style():
        drawn = phone if isinstance(phone, Figure) else phone_copy(fig, phone)
    if abs(drawn.get_figwidth() - PHONE_IN) > 0.01:
        raise ValueError(
            f"phone must draw the figure {PHONE_IN:.4g} inches wide (PHONE_IN), got "
            f"{drawn.get_figwidth():.4g}"
        )
    small = checked_png(drawn, f" at phone width ({PHONE_COLUMN_PX} px)")
    return Drawings(
        desktop=desktop,
        width=round(fig.get_figwidth() * CSS_PX_PER_IN),
        height=round(fig.get_figheight() * CSS_PX_PER_IN),
        phone=small,
        phone_width=PHONE_COLUMN_PX,
        phone_height=round(drawn.get_figheight() * CSS_PX_PER_IN),
    )


def png_bytes(fig, *, phone=None) -> tuple[bytes, int]:
    """``fig`` as PNG bytes at :data:`RESOLUTION` times its CSS size, and its CSS width.

    The PNG is the desktop drawing and carries the phone drawing (:func:`drawings`,
    :func:`~vgp_lib.plots.png.with_phone`). Each carries two text chunks: the size of its
    smallest text in CSS px (:data:`~vgp_lib.plots.style.MIN_TEXT_KEY`) and every text drawn
    on it (:data:`~vgp_lib.plots.style.TEXT_KEY`), so a test can read what a figure says
    without looking at its pixels.

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
