"""How rarely a sigmoid layer passes the gradient on undiminished (chapter *Unstable gradients*).

Each layer of a one-neuron chain multiplies the gradient by
:math:`|w\\sigma'(wa+b)|`, where :math:`a` is the layer's input activation.
This module answers three questions about that factor:

1. How large can it be? At most :math:`|w|/4` (since :math:`\\sigma' \\le 1/4`),
   so :math:`|w\\sigma'(wa+b)| \\ge 1` needs :math:`|w| \\ge 4`
   (:func:`max_factor`).
2. For which inputs :math:`a` is it at least 1? An interval whose width is
   (equation ``eq-interval-width``)

   .. math::

       W(w) = \\frac{2}{|w|}\\,\\ln\\!\\Big(\\frac{|w|\\,(1+\\sqrt{1-4/|w|})}{2} - 1\\Big)
       \\quad (|w| \\ge 4), \\qquad W(w) = 0 \\quad (|w| < 4),

   computed in closed form (:func:`interval_width`) and by counting grid points
   (:func:`interval_width_grid`). It does not depend on :math:`b`, which only
   moves the interval.
3. How wide can that interval get? :func:`widest_interval` maximises
   :math:`W` over :math:`|w|`.

>>> round(float(interval_width(6.9)), 4)
0.4477
>>> float(interval_width(3.0))
0.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import MAX_GRID, check_array, check_int, check_real, checked
from .activations import sigmoid_prime

__all__ = [
    "factor",
    "max_factor",
    "interval_width",
    "interval_endpoints",
    "interval_width_grid",
    "FactorInterval",
    "factor_interval",
    "WidthCurve",
    "widest_interval",
    "width_curve",
]

#: The golden ratio's reciprocal, for the section search in :func:`widest_interval`.
_INV_PHI = (math.sqrt(5.0) - 1.0) / 2.0


def factor(w, a, b=0.0):
    """The factor :math:`|w\\,\\sigma'(wa+b)|` a layer applies to the gradient (array over ``a``).

    >>> float(factor(4.0, 0.0))
    1.0
    """
    w = check_real("w", w)
    b = check_real("b", b)
    a = check_array("a", a)
    return np.abs(w) * sigmoid_prime(w * a + b)


def max_factor(w) -> float:
    """:math:`\\max_{a,b}|w\\sigma'(wa+b)| = |w|/4`, reached where :math:`wa+b = 0`.

    So the factor can reach 1 only if :math:`|w| \\ge 4`.

    >>> max_factor(-2.0)
    0.5
    """
    return abs(check_real("w", w)) / 4.0


@checked(w=check_array)
def interval_width(w):
    """Width of :math:`\\{a : |w\\sigma'(wa+b)| \\ge 1\\}`, equation ``eq-interval-width``.

    :math:`\\sigma'(z) \\ge 1/|w|` holds for :math:`|z| \\le z^*`, and
    :math:`z = wa+b` maps an interval of length :math:`2z^*` in :math:`z` to
    one of length :math:`2z^*/|w|` in :math:`a`. For :math:`|w| < 4` the set
    is empty and the width is 0 (at :math:`|w| = 4` it is the single point
    where :math:`wa+b = 0`, also width 0). Accepts an array of weights.

    >>> np.round(interval_width([-6.9, 4.0, 100.0]), 4)
    array([0.4477, 0.    , 0.0917])
    """
    m = np.maximum(np.abs(w), 4.0)  # |w| <= 4: z* = 0, width 0
    z_star = np.log(m * (1.0 + np.sqrt(1.0 - 4.0 / m)) / 2.0 - 1.0)
    width = 2.0 * z_star / m
    return width[()] if width.ndim == 0 else width


def interval_endpoints(w, b=0.0):
    """The ends :math:`a_\\pm = (\\pm z^* - b)/w` of the interval (sorted), or ``None`` if it is
    empty.

    >>> np.round(interval_endpoints(8.0, -4.0), 4)
    array([0.2797, 0.7203])
    """
    w = check_real("w", w)
    b = check_real("b", b)
    if abs(w) < 4.0:
        return None
    m = abs(w)
    z_star = np.log(m * (1.0 + np.sqrt(1.0 - 4.0 / m)) / 2.0 - 1.0)  # as in interval_width
    return np.sort(np.array([(-z_star - b) / w, (z_star - b) / w], dtype=np.float64))


def interval_width_grid(
    w, b=0.0, *, n: int = 200_001, a_lo: float | None = None, a_hi: float | None = None
):
    """Brute-force width: grid spacing times the number of grid points where the factor is
    :math:`\\ge 1`.

    The grid has ``n`` points on ``[a_lo, a_hi]`` (by default the centre
    :math:`-b/w` plus or minus 1, enough for every :math:`|w| \\ge 4`, or
    :math:`[-1, 1]` when :math:`|w| < 4`); the
    count differs from the true width by at most one spacing.

    >>> bool(abs(interval_width_grid(6.9) - interval_width(6.9)) < 1e-5)
    True
    """
    w = check_real("w", w)
    b = check_real("b", b)
    n = check_int("n", n, lo=2, hi=MAX_GRID)
    # the set, if not empty, is centred where wa + b = 0; for |w| < 4 it is empty
    # everywhere and -b/w may be huge, so any grid will do
    centre = -b / w if abs(w) >= 4.0 else 0.0
    span = 2.0 if a_lo is None and a_hi is None else None
    a_lo = centre - 1.0 if a_lo is None else check_real("a_lo", a_lo)
    a_hi = centre + 1.0 if a_hi is None else check_real("a_hi", a_hi)
    if not (a_hi > a_lo or span):
        raise ValueError(f"a_hi must be larger than a_lo, got a_lo={a_lo!r}, a_hi={a_hi!r}")
    # float64 rounds wa + b by up to eps*(|wa| + |b|), which moves the window's edges by that over
    # |w|; once it reaches the grid spacing the count is meaningless (b=1e17 once gave 3.0, true
    # 0.4477). For |w| < 4 the factor is below 1 everywhere, so any b gives the exact 0.
    if abs(w) >= 4.0:
        eps = np.finfo(np.float64).eps
        spacing = (span or a_hi - a_lo) / (n - 1)
        if not 4.0 * eps * (abs(w) * max(abs(a_lo), abs(a_hi)) + abs(b)) <= abs(w) * spacing:
            raise ValueError(
                f"b must satisfy |b| <= about {abs(w) * spacing / (8.0 * eps):.3g} for w={w!r} and "
                f"n={n} (with a_lo, a_hi within about |b/w| + 1): beyond it float64 rounding of "
                f"w*a + b exceeds the grid spacing {spacing:.3g}; got b={b!r}"
            )
    a, step = np.linspace(a_lo, a_hi, n, retstep=True)
    return float(np.count_nonzero(factor(w, a, b) >= 1.0) * step)


@dataclass(frozen=True)
class FactorInterval:
    """The factor :math:`|w\\sigma'(wa+b)|` on a grid of ``a``, with the interval where it is
    :math:`\\ge 1`.
    """

    w: float
    b: float
    a: np.ndarray
    factor: np.ndarray
    endpoints: np.ndarray | None
    width: float
    width_grid: float
    peak: float


def factor_interval(
    w: float = 6.9, b: float = 0.0, *, a_lo: float = -1.0, a_hi: float = 2.0, n: int = 1201
) -> FactorInterval:
    """Everything the *Unstable gradients* explorer draws for one ``(w, b)``.

    >>> r = factor_interval(6.9, -3.45)
    >>> round(r.width, 4), round(r.peak, 3)
    (0.4477, 1.725)
    """
    w, b = check_real("w", w), check_real("b", b)
    a_lo, a_hi = check_real("a_lo", a_lo), check_real("a_hi", a_hi)
    if not a_hi > a_lo:
        raise ValueError(f"a_hi must be larger than a_lo, got a_lo={a_lo!r}, a_hi={a_hi!r}")
    a = np.linspace(a_lo, a_hi, check_int("n", n, lo=2, hi=MAX_GRID))
    return FactorInterval(
        w=w,
        b=b,
        a=a,
        factor=factor(w, a, b),
        endpoints=interval_endpoints(w, b),
        width=float(interval_width(w)),
        width_grid=interval_width_grid(w, b),
        peak=max_factor(w),
    )


def widest_interval(
    lo: float = 4.0, hi: float = 40.0, *, tol: float = 1e-10
) -> tuple[float, float]:
    """``(|w|*, W(|w|*))``: where the width of ``eq-interval-width`` peaks, by golden-section
    search.

    :math:`W` is 0 at :math:`|w| = 4`, rises, and decays like
    :math:`2\\ln|w|/|w|`; it has a single maximum, so the section search
    converges to it.

    >>> w_star, width = widest_interval()
    >>> round(w_star, 2), round(width, 4)
    (6.89, 0.4477)
    """
    lo = check_real("lo", lo, lo=0)
    hi = check_real("hi", hi)
    if not hi > lo:
        raise ValueError(f"hi must be larger than lo, got lo={lo!r}, hi={hi!r}")
    # The bracket cannot shrink below the spacing of floats near hi: a smaller tol would never be
    # met.
    finest = 64 * np.finfo(float).eps * hi
    tol = check_real("tol", tol, lo=0, lo_open=True)
    if tol < finest:
        raise ValueError(f"tol must be at least {finest:.3g} (64 float64 steps at hi={hi:g})")
    x1 = hi - _INV_PHI * (hi - lo)
    x2 = lo + _INV_PHI * (hi - lo)
    f1, f2 = float(interval_width(x1)), float(interval_width(x2))
    while hi - lo > tol:
        if f1 < f2:  # the maximum lies right of x1
            lo, x1, f1 = x1, x2, f2
            x2 = lo + _INV_PHI * (hi - lo)
            f2 = float(interval_width(x2))
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - _INV_PHI * (hi - lo)
            f1 = float(interval_width(x1))
    w_star = (lo + hi) / 2.0
    return w_star, float(interval_width(w_star))


@dataclass(frozen=True)
class WidthCurve:
    """Width :math:`W(|w|)` on a grid of ``|w|`` values, with its maximum."""

    w: np.ndarray
    width: np.ndarray
    w_star: float
    width_max: float


def width_curve(w_max: float = 30.0, *, n: int = 600) -> WidthCurve:
    """Width against :math:`|w|` on ``[0, w_max]`` and the location of its maximum.

    >>> c = width_curve(10.0, n=11)
    >>> c.width[:5].tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0]
    """
    w_max = check_real("w_max", w_max, lo=0, lo_open=True)
    w = np.linspace(0.0, w_max, check_int("n", n, lo=2, hi=MAX_GRID))
    w_star, width_max = widest_interval()
    return WidthCurve(w=w, width=interval_width(w), w_star=w_star, width_max=width_max)
