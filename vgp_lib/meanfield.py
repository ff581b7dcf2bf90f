"""Mean-field theory of wide random networks (chapter *Wide networks*).

A layer of width n has weights drawn from N(0, sigma_w2 / n) and biases from
N(0, sigma_b2). When n is large, every weighted input z of layer l is close to
Gaussian with a variance q_l that follows a one-dimensional map
(equation ``eq-wide-qmap``) :cite:p:`poole2016,schoenholz2017`:

.. math::

    q_{l} = \\sigma_w^2\\, \\mathbb{E}_{u}\\big[\\sigma(\\sqrt{q_{l-1}}\\, u)^2\\big] + \\sigma_b^2,
    \\qquad u \\sim N(0, 1),

where sigma is the activation (sigmoid, tanh or ReLU). Its fixed point q* is the
variance deep layers settle at. Going down one layer, the squared norm of the error
vector delta is multiplied, on average, by

.. math::

    \\chi = \\sigma_w^2\\, \\mathbb{E}_{u}\\big[\\sigma'(\\sqrt{q^*}\\, u)^2\\big]

(equation ``eq-wide-chi``): chi < 1 and the gradient vanishes with depth, chi > 1
and it explodes; chi = 1 is the critical line. The same chi multiplies the distance
1 - c between two nearby inputs (:func:`correlation_map`). The expectations are
computed by Gauss–Hermite quadrature (ReLU, whose kink defeats quadrature, in closed
form).

>>> round(mean_field("relu", 2.0, 0.0).chi, 12)
1.0
>>> round(critical_sigma_w2("tanh", 0.0), 9)
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np

from . import activations
from ._validate import check_choice, check_real, check_reals, checked

__all__ = [
    "MEANFIELD_ACTIVATIONS",
    "variance_map",
    "fixed_point",
    "MeanField",
    "mean_field",
    "critical_sigma_w2",
    "correlation_map",
    "check_variance_grid",
    "PhaseGrid",
    "phase_grid",
]

#: Activations the mean-field functions know.
MEANFIELD_ACTIVATIONS = ("sigmoid", "tanh", "relu")

#: Largest weight and bias variance accepted (the chapter's planes stop at 4).
MAX_VARIANCE = 100.0
_QUAD_POINTS = 201  # Gauss–Hermite nodes: smooth activations to ~1e-13


@lru_cache(maxsize=1)
def _nodes():
    z, w = np.polynomial.hermite_e.hermegauss(_QUAD_POINTS)
    return z, w / math.sqrt(2.0 * math.pi)  # E[f(z)] = sum(w f(z)) for z ~ N(0, 1)


def _expect(f, q: float) -> float:
    """E[f(sqrt(q) z)] for z ~ N(0, 1)."""
    z, w = _nodes()
    return float(np.dot(w, f(math.sqrt(q) * z)))


#: The rules (see :func:`vgp_lib._validate.checked`) for the arguments that set a network's
#: statistics: its activation and the weight and bias variances.
SETTING_RULES = {
    "activation": partial(check_choice, choices=MEANFIELD_ACTIVATIONS),
    "sigma_w2": partial(check_real, lo=0.0, lo_open=True, hi=MAX_VARIANCE),
    "sigma_b2": partial(check_real, lo=0.0, hi=MAX_VARIANCE),
}


def _second_moment(activation: str, q: float) -> float:
    """E[phi(sqrt(q) z)^2]."""
    if activation == "relu":
        return q / 2.0
    phi, _ = activations.get(activation)
    return _expect(lambda h: phi(h) ** 2, q)


def _slope_moment(activation: str, q: float) -> float:
    """E[phi'(sqrt(q) z)^2]."""
    if activation == "relu":
        return 0.5
    _, phi_prime = activations.get(activation)
    return _expect(lambda h: phi_prime(h) ** 2, q)


@checked(**SETTING_RULES, q=partial(check_real, lo=0.0, hi=1e12))
def variance_map(q, activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """One step of the variance map (equation ``eq-wide-qmap``).

    >>> variance_map(1.0, "relu", 2.0, 0.0)
    1.0
    """
    return sigma_w2 * _second_moment(activation, q) + sigma_b2


@checked(**SETTING_RULES, q0=partial(check_real, lo=0.0, hi=1e6))
def fixed_point(activation: str, sigma_w2: float, sigma_b2: float, *, q0: float = 1.0) -> float:
    """The variance q* that deep layers settle at: the stable fixed point of the map.

    ReLU has it in closed form, q* = sigma_b2 / (1 - sigma_w2 / 2), for
    sigma_w2 < 2. At sigma_w2 = 2 with no bias every variance is a fixed point
    and the layers keep ``q0``; otherwise the variance grows without bound.

    >>> fixed_point("relu", 1.0, 1.0)
    2.0
    """
    if activation == "relu":
        if sigma_w2 < 2.0:
            return sigma_b2 / (1.0 - sigma_w2 / 2.0)
        if sigma_w2 == 2.0 and sigma_b2 == 0.0:
            return q0
        raise ValueError(
            f"sigma_w2 must be below 2 for ReLU (or exactly 2 with sigma_b2 = 0): with "
            f"sigma_w2 = {sigma_w2:g} the variance grows without bound"
        )
    if activation == "tanh" and sigma_b2 == 0.0 and sigma_w2 <= 1.0:
        return 0.0  # tanh(0) = 0 and tanh'(0) = 1: q = 0 is the stable fixed point
    # The nonzero root of g(q) = map(q) - q, by bisection: g > 0 just above 0 (the map's
    # value or slope there exceeds q) and g < 0 above sigma_w2 + sigma_b2 (phi^2 <= 1).
    lo, hi = 1e-300, sigma_w2 + sigma_b2 + 1.0
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if sigma_w2 * _second_moment(activation, mid) + sigma_b2 > mid:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class MeanField:
    """The fixed-point variance and the per-layer gradient multiplier of one setting."""

    activation: str
    sigma_w2: float
    sigma_b2: float
    q_star: float
    chi: float

    @property
    def shrink(self) -> float:
        """The factor by which ‖delta‖ shrinks going down one layer, 1/sqrt(chi) (< 1: grows)."""
        return 1.0 / math.sqrt(self.chi)

    @property
    def depth_scale(self) -> float:
        """Layers over which ‖delta‖^2 changes by a factor e, 1/|ln chi| (inf at chi = 1)."""
        return math.inf if self.chi == 1.0 else 1.0 / abs(math.log(self.chi))


@checked(**SETTING_RULES)
def mean_field(activation, sigma_w2, sigma_b2, *, q0=1.0) -> MeanField:
    """q* and chi = sigma_w2 E[phi'(sqrt(q*) z)^2] (equation ``eq-wide-chi``).

    >>> mf = mean_field("tanh", 1.0, 0.0)
    >>> mf.chi
    1.0
    """
    q_star = fixed_point(activation, sigma_w2, sigma_b2, q0=q0)
    chi = sigma_w2 * _slope_moment(activation, q_star)
    q_star, chi = float(q_star), float(chi)
    return MeanField(activation, sigma_w2, sigma_b2, q_star, chi)


def critical_sigma_w2(activation: str, sigma_b2: float) -> float:
    """The weight variance on the critical line chi = 1 for a given bias variance.

    Found by bisection: along a line of constant sigma_b2, chi grows with sigma_w2.

    >>> critical_sigma_w2("relu", 0.0)
    2.0
    """
    activation = check_choice("activation", activation, MEANFIELD_ACTIVATIONS)
    sigma_b2 = check_real("sigma_b2", sigma_b2, lo=0.0, hi=MAX_VARIANCE)
    if activation == "relu":
        return 2.0
    if activation == "tanh" and sigma_b2 == 0.0:
        return 1.0  # chi = sigma_w2 while q* = 0, and q* > 0 only beyond sigma_w2 = 1
    lo, hi = 1e-3, MAX_VARIANCE
    if mean_field(activation, hi, sigma_b2).chi < 1.0:
        raise ValueError(
            f"sigma_b2 = {sigma_b2:g} has no critical point below sigma_w2 = {MAX_VARIANCE:g}"
        )
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        if mean_field(activation, mid, sigma_b2).chi < 1.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _joint_mean(activation: str, q: float, c: float) -> float:
    """E[phi(u1) phi(u2)] for (u1, u2) Gaussian, each of variance q, with correlation c."""
    if activation == "relu":  # the arc-cosine kernel in closed form (Cho and Saul)
        theta = math.acos(min(1.0, max(-1.0, c)))
        return q * (math.sin(theta) + (math.pi - theta) * math.cos(theta)) / (2.0 * math.pi)
    phi, _ = activations.get(activation)
    z, w = _nodes()
    u1 = math.sqrt(q) * z
    u2 = math.sqrt(q) * (c * z[:, None] + math.sqrt(max(0.0, 1.0 - c * c)) * z[None, :])
    return float(w @ (phi(u1)[:, None] * phi(u2)) @ w)


@checked(**SETTING_RULES, c=partial(check_real, lo=-1.0, hi=1.0))
def correlation_map(c, activation: str, sigma_w2: float, sigma_b2: float) -> float:
    """One layer's step for the correlation of two inputs' weighted inputs, at the fixed point q*.

    Two inputs whose weighted inputs have the variance q* and the correlation ``c`` in one
    layer have, in the next, the correlation :cite:p:`poole2016`

    .. math::

        c_{l} = \\frac{\\sigma_w^2\\, \\mathbb{E}\\big[\\sigma(u_1)\\,\\sigma(u_2)\\big]
        + \\sigma_b^2}{q^*},

    with :math:`(u_1, u_2)` Gaussian, variance q* each and correlation ``c``. Near
    :math:`c = 1` the distance :math:`1 - c` is multiplied by :math:`\\chi` per layer: the
    same number that multiplies the gradient's squared length. For :math:`\\chi > 1`
    nearby inputs drift apart (the chaotic phase), for :math:`\\chi < 1` they merge.

    >>> round(correlation_map(1.0, "tanh", 2.0, 0.1), 9)
    1.0
    >>> correlation_map(0.99, "tanh", 3.0, 0.05) < 0.99  # chaotic: nearby inputs drift apart
    True
    """
    q = fixed_point(activation, sigma_w2, sigma_b2)
    if q == 0.0:
        return 1.0  # every weighted input is 0: the two inputs coincide
    return (sigma_w2 * _joint_mean(activation, q, c) + sigma_b2) / q


@dataclass(frozen=True)
class PhaseGrid:
    """chi over a grid of (sigma_w2, sigma_b2).

    ``chi[i, j]`` belongs to ``sigma_b2s[i]`` and ``sigma_w2s[j]``.
    """

    activation: str
    sigma_w2s: np.ndarray
    sigma_b2s: np.ndarray
    chi: np.ndarray


def check_variance_grid(sigma_w2s, sigma_b2s) -> tuple[np.ndarray, np.ndarray]:
    """The axes of a (sigma_w2, sigma_b2) grid as arrays, each 1 to 200 variances in range.

    >>> [a.tolist() for a in check_variance_grid([0.5, 1.0], [0.0])]
    [[0.5, 1.0], [0.0]]
    """
    return (
        check_reals("sigma_w2s", sigma_w2s, max_len=200, lo=0.0, lo_open=True, hi=MAX_VARIANCE),
        check_reals("sigma_b2s", sigma_b2s, max_len=200, lo=0.0, hi=MAX_VARIANCE),
    )


def phase_grid(activation: str, sigma_w2s, sigma_b2s) -> PhaseGrid:
    """chi on every point of the grid (equation ``eq-wide-chi``).

    >>> g = phase_grid("tanh", [0.5, 1.0, 2.0], [0.0])
    >>> g.chi.round(6).tolist()
    [[0.5, 1.0, 1.105529]]
    """
    activation = check_choice("activation", activation, MEANFIELD_ACTIVATIONS)
    sigma_w2s, sigma_b2s = check_variance_grid(sigma_w2s, sigma_b2s)
    chi = np.empty((sigma_b2s.size, sigma_w2s.size))
    for i, b2 in enumerate(sigma_b2s):
        for j, w2 in enumerate(sigma_w2s):
            if activation == "relu":
                chi[i, j] = w2 / 2.0  # no fixed point needed: E[phi'^2] = 1/2 at any variance
            else:
                chi[i, j] = mean_field(activation, float(w2), float(b2)).chi
    return PhaseGrid(activation, sigma_w2s, sigma_b2s, chi)
