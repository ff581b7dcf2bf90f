"""Identity neurons and a hidden layer that does nothing (chapter *Unstable gradients*).

A sigmoid neuron with a small input weight works in the nearly straight middle
of the sigmoid. Write :math:`x = 1/2 + \\Delta` and choose :math:`b = -w_1/2`,
so that :math:`w_1 x + b = w_1\\Delta`. The Taylor series
:math:`\\sigma(u) = \\tfrac12 + \\tfrac{u}{4} - \\tfrac{u^3}{48} + O(u^5)` gives
(equation ``eq-identity-neuron``)

.. math::

    w_2\\,\\sigma(w_1 x + b) + c = x - \\frac{w_1^2\\Delta^3}{12} + O(w_1^4)
    \\quad\\text{with}\\quad w_2 = \\frac{4}{w_1},\\; c = \\frac12 - \\frac{2}{w_1}.

The constant :math:`c` is the bias of whatever reads the neuron's output: no
choice of :math:`w_1, b, w_2` alone makes :math:`w_2\\sigma(w_1x+b)` close to
:math:`x` itself, because :math:`\\sigma(z)/\\sigma'(z) = 1 + e^{z} \\ge 1`
ties the output at :math:`x = 0` to the slope there. The worst error on
:math:`[0, 1]` is about :math:`w_1^2/96`, until rounding takes over: the output
is the difference of two numbers of size :math:`2/w_1`, so it carries an
error of order :math:`\\varepsilon/w_1`.

>>> n = identity_neuron(0.01)
>>> float(n.b), float(n.w2), float(n.c)
(-0.005, 400.0, -199.5)
>>> bool(max_error(n) < 0.01 ** 2 / 96 * 1.01)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validate import MAX_GRID, check_array, check_instance, check_int, check_real
from .activations import sigmoid

__all__ = [
    "IdentityNeuron",
    "identity_neuron",
    "neuron_output",
    "max_error",
    "ErrorCurve",
    "error_curve",
    "IdentityLayer",
    "identity_layer",
    "layer_output",
    "layer_max_error",
]


#: Allowed range of ``|w1|``. Outside it ``w2 = 4/w1`` and ``c`` (or ``w1**2``) leave float64, and
#: the neuron's output becomes inf - inf = NaN. The book's smallest ``w1`` is 1e-7.
W1_MIN = 1e-150
W1_MAX = 1e150
#: Most points of :func:`error_curve` (each is a :func:`max_error` on 2001 points; 10,000 take about
#: a second). The book draws 61.
MAX_CURVE_POINTS = 10_000
#: Widest :func:`identity_layer`: it holds two ``n x n`` matrices (2000 take 64 MB).
MAX_LAYER_WIDTH = 2_000
#: Most multiply-adds of :func:`layer_max_error`, ``m * n**2`` for ``m`` points through a layer of
#: ``n`` inputs (about a second).
MAX_LAYER_WORK = 10**9


@dataclass(frozen=True)
class IdentityNeuron:
    """Parameters of :math:`x \\mapsto w_2\\sigma(w_1x+b) + c`."""

    w1: float
    b: float
    w2: float
    c: float


def identity_neuron(w1: float) -> IdentityNeuron:
    """The identity neuron of equation ``eq-identity-neuron`` for input weight ``w1``.

    ``|w1|`` must lie in [:data:`W1_MIN`, :data:`W1_MAX`] (so not 0, nor subnormal).
    """
    w1 = check_real("w1", w1)
    if not W1_MIN <= abs(w1) <= W1_MAX:  # outside it 4/w1 or w1**2 leaves float64
        raise ValueError(f"w1 must satisfy {W1_MIN:g} <= |w1| <= {W1_MAX:g}, got {w1!r}")
    return IdentityNeuron(w1=w1, b=-w1 / 2.0, w2=4.0 / w1, c=0.5 - 2.0 / w1)


def neuron_output(neuron: IdentityNeuron, x):
    """:math:`w_2\\sigma(w_1x+b) + c` for an array of inputs ``x``."""
    check_instance("neuron", neuron, IdentityNeuron, "an IdentityNeuron (from identity_neuron)")
    x = check_array("x", x)
    return neuron.w2 * sigmoid(neuron.w1 * x + neuron.b) + neuron.c


def max_error(neuron: IdentityNeuron, *, n: int = 2001) -> float:
    """:math:`\\max_{x\\in[0,1]} |w_2\\sigma(w_1x+b) + c - x|` on a grid of ``n`` points."""
    x = np.linspace(0.0, 1.0, check_int("n", n, lo=2, hi=MAX_GRID))
    return float(np.max(np.abs(neuron_output(neuron, x) - x)))


@dataclass(frozen=True)
class ErrorCurve:
    """Worst error of the identity neuron on [0, 1] for each ``w1``, with the Taylor estimate
    ``w1**2/96``.
    """

    w1: np.ndarray
    error: np.ndarray
    taylor: np.ndarray


def error_curve(w1_min: float = 1e-6, w1_max: float = 4.0, *, n: int = 61) -> ErrorCurve:
    """The identity neuron's worst error as ``w1`` shrinks (log-spaced ``w1``).

    >>> c = error_curve(0.01, 1.0, n=3)
    >>> bool(np.allclose(c.error, c.taylor, rtol=0.05))
    True
    """
    w1_min = check_real("w1_min", w1_min, lo=W1_MIN, hi=W1_MAX)
    w1_max = check_real("w1_max", w1_max, lo=w1_min, lo_open=True, hi=W1_MAX)
    w1 = np.geomspace(w1_min, w1_max, check_int("n", n, lo=2, hi=MAX_CURVE_POINTS))
    error = np.array([max_error(identity_neuron(float(v))) for v in w1])
    return ErrorCurve(w1=w1, error=error, taylor=w1**2 / 96.0)


@dataclass(frozen=True)
class IdentityLayer:
    """A hidden layer of ``n`` identity neurons: :math:`W_2\\sigma(W_1x+b) + c`.

    ``W1`` and ``W2`` are ``(n, n)``; ``b`` and ``c`` have length ``n``. The
    vector ``c`` is the next layer's bias.
    """

    W1: np.ndarray
    b: np.ndarray
    W2: np.ndarray
    c: np.ndarray


def identity_layer(n: int, w1: float = 0.01) -> IdentityLayer:
    """A layer that does nothing: neuron ``i`` copies input ``i`` (diagonal weights).

    >>> layer = identity_layer(3)
    >>> x = np.array([[0.0, 0.5, 1.0]])
    >>> bool(np.abs(layer_output(layer, x) - x).max() < 1e-5)
    True
    """
    n = check_int("n", n, lo=1, hi=MAX_LAYER_WIDTH)
    neuron = identity_neuron(w1)
    eye = np.eye(n)
    return IdentityLayer(
        W1=neuron.w1 * eye,
        b=np.full(n, neuron.b),
        W2=neuron.w2 * eye,
        c=np.full(n, neuron.c),
    )


def _layer_parts(layer):
    """Accept an :class:`IdentityLayer` or a tuple ``(W1, b, W2, c)``; return float arrays."""
    if isinstance(layer, IdentityLayer):
        layer = (layer.W1, layer.b, layer.W2, layer.c)
    if not isinstance(layer, (tuple, list)) or len(layer) != 4:
        raise TypeError("layer must be an IdentityLayer or a tuple (W1, b, W2, c)")
    W1 = check_array("W1", layer[0], ndim=2)
    b = check_array("b", layer[1], ndim=1)
    W2 = check_array("W2", layer[2], ndim=2)
    c = check_array("c", layer[3], ndim=1)
    if b.shape != W1.shape[:1] or W2.shape[1:] != b.shape or c.shape != W2.shape[:1]:
        shapes = f"{W1.shape}, {b.shape}, {W2.shape}, {c.shape}"
        raise ValueError(f"layer must be W1 (h, n), b (h,), W2 (k, h), c (k,); got {shapes}")
    return W1, b, W2, c


def layer_output(layer, X):
    """:math:`W_2\\sigma(W_1x+b) + c` for each row ``x`` of ``X`` (shape ``(m, n)``)."""
    W1, b, W2, c = _layer_parts(layer)
    X = check_array("X", X, ndim=2)
    if X.shape[1] != W1.shape[1]:
        raise ValueError(
            f"X must have {W1.shape[1]} columns (the columns of W1), got shape {X.shape}"
        )
    return sigmoid(X @ W1.T + b) @ W2.T + c


def layer_max_error(layer, *, m: int = 2000, seed: int = 0) -> float:
    """Worst :math:`|W_2\\sigma(W_1x+b)+c - x|` over ``m`` random points of :math:`[0,1]^n`
    and the corners.

    ``m`` is limited so the points fit in :data:`~vgp_lib._validate.MAX_GRID` numbers and the
    work, ``m`` times the size of ``W1``, stays within :data:`MAX_LAYER_WORK`.
    """
    from .rng import make_rng

    W1, b, W2, c = _layer_parts(layer)
    n = W1.shape[1]
    if W2.shape[0] != n:
        raise ValueError(f"W2 must have {n} rows (the size of the input), got shape {W2.shape}")
    # the points take m * n numbers, the two products m * n * h multiply-adds
    most = max(1, min(MAX_GRID // n, MAX_LAYER_WORK // (n * W1.shape[0])))
    m = check_int(
        "m", m, lo=1, hi=most, why=f" for a layer of {n} inputs and {W1.shape[0]} neurons"
    )
    X = make_rng(seed).random((m, n))
    X = np.vstack([X, np.zeros(n), np.ones(n)])
    return float(np.max(np.abs(layer_output((W1, b, W2, c), X) - X)))
