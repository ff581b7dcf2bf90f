"""The per-layer factor of the backward pass: predicted before drawing a weight, then measured.

Going down one hidden layer of width n, the error vector delta = dC/dz is
multiplied by the transposed weights and by f'(z). Its variance changes by
n Var(W) E[f'(z)^2] (equation ``eq-init-variance``), so its norm changes by

.. math::

    \\text{factor} = \\sqrt{n\\,\\operatorname{Var}(W)\\;\\mathbb{E}\\big[f'(z)^2\\big]},

with the expectation over the weighted inputs z of a deep layer, whose
variance q* is the fixed point of the variance map of :mod:`vgp_lib.meanfield`.
The initialisations fix n Var(W) (``sigma_w2``) and the bias variance:

* ``"pytorch"``: W, b ~ U(-1/sqrt(n), 1/sqrt(n)), so n Var(W) = 1/3 and Var(b) = 1/(3n);
* ``"xavier"``: n Var(W) = 1 for a square layer, b = 0 :cite:p:`glorot2010`;
* ``"he"``: n Var(W) = 2, b = 0 :cite:p:`he2015`.

(Uniform weights have the same variance as Gaussian ones; the sum over n inputs
makes z Gaussian either way.) :func:`layer_factor` measures the factor on deep
networks from :func:`vgp_lib.profiles.gradient_profile`. Layers are 1..L in the
text and 0-based in code.

>>> round(predicted_factor("relu", "he", width=64), 12)
1.0
>>> round(predicted_factor("relu", "pytorch", width=64) ** 2, 12)  # 1/3 times 1/2
0.166666666667
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import activations
from ._validate import MAX_SEED, MAX_SEEDS, check_choice, check_instance, check_int, checked
from .meanfield import MEANFIELD_ACTIVATIONS, mean_field, variance_map
from .profiles import GradientProfile, gradient_profile
from .variance import weight_variance

__all__ = [
    "FACTOR_INITS",
    "predicted_factor",
    "LayerFactor",
    "layer_factor",
    "measured_factor",
    "first_layer_ratio",
]

#: Initialisations whose weight and bias variances the prediction knows.
FACTOR_INITS = ("pytorch", "xavier", "he")
#: Widest layer the functions accept (the book uses 64 to 128).
MAX_FACTOR_WIDTH = 4096
_ACTIVATION = partial(check_choice, choices=MEANFIELD_ACTIVATIONS)
_WIDTH = partial(check_int, lo=1, hi=MAX_FACTOR_WIDTH)
#: Checks of the arguments that :func:`predicted_factor` and :func:`layer_factor` share.
_RULES = dict(
    activation=_ACTIVATION, init=partial(check_choice, choices=FACTOR_INITS), width=_WIDTH
)


def _sigma2(init: str, width: int) -> tuple[float, float]:
    """``(n Var(W), Var(b))`` of a square layer of ``width`` units under ``init``, the two
    variances the mean-field map of :mod:`vgp_lib.meanfield` takes."""
    n_var_w = width * weight_variance(init, width, width)
    return n_var_w, (n_var_w / width if init == "pytorch" else 0.0)  # PyTorch draws b like W


@checked(**_RULES)
def predicted_factor(activation: str, init: str = "pytorch", *, width: int) -> float:
    """sqrt(n Var(W) E[f'(z)^2]) at the deep layers' variance q* (equation ``eq-init-variance``).

    >>> round(predicted_factor("sigmoid", "pytorch", width=64), 2)
    0.14
    """
    sigma_w2, sigma_b2 = _sigma2(init, width)
    return math.sqrt(mean_field(activation, sigma_w2, sigma_b2).chi)


@dataclass(frozen=True)
class LayerFactor:
    """Predicted and measured per-layer factor of ``||delta||`` for one activation and init.

    ``delta_norm[l]`` is the median over draws of ``||delta||`` at hidden layer l+1
    (input side first); ``measured`` is the geometric mean of
    ``delta_norm[l] / delta_norm[l+1]`` over the hidden layers from ``burn_in`` on.
    """

    activation: str
    init: str
    width: int
    predicted: float
    measured: float
    delta_norm: np.ndarray
    burn_in: int

    @property
    def gap(self) -> float:
        """measured / predicted - 1: the relative error of the prediction."""
        return self.measured / self.predicted - 1.0


@checked(**_RULES)
def layer_factor(
    activation: str,
    init: str = "pytorch",
    *,
    depth: int = 20,
    width: int = 64,
    n_seeds: int = 3,
    burn_in: int = 3,
    seed: int,
) -> LayerFactor:
    """Measure the per-layer factor of ``||delta||`` on ``depth``-layer nets, beside its prediction.

    The first ``burn_in`` hidden layers are left out of the measurement: the
    input's variance (1) is not yet the deep layers' q*, which the prediction
    assumes. Draw ``s`` uses seed ``seed + s``; the cost is the cross-entropy of
    a random batch with random labels (:func:`vgp_lib.profiles.gradient_profile`).

    >>> f = layer_factor("relu", "he", depth=6, width=16, n_seeds=1, burn_in=1, seed=0)
    >>> f.predicted, len(f.delta_norm)
    (1.0, 6)
    """
    burn_in = check_int("burn_in", burn_in, lo=0, hi=100)
    depth = check_int("depth", depth, lo=burn_in + 2, hi=200, why=f" for burn_in={burn_in}")
    n_seeds = check_int("n_seeds", n_seeds, lo=1, hi=min(MAX_SEEDS, 50))
    seed = check_int("seed", seed, lo=0, hi=MAX_SEED)
    profile = gradient_profile(
        depth=depth,
        activation=activation,
        init=init,
        width=width,
        n_in=width,
        n_seeds=n_seeds,
        seed=seed,
    )
    measured = measured_factor(profile, burn_in=burn_in)
    delta = np.asarray(profile.delta_norm[:depth], dtype=float)  # hidden layers; the head left out
    return LayerFactor(
        activation,
        init,
        width,
        predicted_factor(activation, init, width=width),
        measured,
        delta,
        burn_in,
    )


def measured_factor(profile, *, burn_in: int = 3) -> float:
    """The geometric mean of ``||delta^l|| / ||delta^(l+1)||`` over the hidden layers of a
    :class:`vgp_lib.profiles.GradientProfile`, leaving out the first ``burn_in``.

    Works for any activation (:func:`layer_factor` uses it); 0 when no error reached
    the layers at all.

    >>> p = gradient_profile(depth=5, activation="gelu", width=16, n_in=16, seed=0)
    >>> 0.2 < measured_factor(p, burn_in=1) < 0.4
    True
    """
    check_instance("profile", profile, GradientProfile)
    depth = profile.config["depth"]
    burn_in = check_int("burn_in", burn_in, lo=0, hi=max(depth - 2, 0))
    if depth < burn_in + 2:
        raise ValueError(f"profile must have at least burn_in + 2 hidden layers, got {depth}")
    delta = np.asarray(profile.delta_norm[:depth], dtype=float)  # the head left out
    if delta[depth - 1] > 0 and delta[burn_in] > 0:
        return float((delta[burn_in] / delta[depth - 1]) ** (1.0 / (depth - 1 - burn_in)))
    return 0.0  # no error reached the layers (a narrow ReLU net with every unit dead)


def _slope_moment(activation: str, q: float) -> float:
    """E[f'(z)^2] for z ~ N(0, q), by Gauss-Hermite quadrature (exactly 1/2 for the ReLU)."""
    if activation == "relu":
        return 0.5
    nodes, weights = np.polynomial.hermite_e.hermegauss(101)
    slope = activations.get(activation)[1](math.sqrt(q) * nodes)
    return float(np.dot(weights, slope**2) / math.sqrt(2.0 * math.pi))


@checked(activation=_ACTIVATION, other=_ACTIVATION, n_in=_WIDTH, width=_WIDTH)
def first_layer_ratio(
    activation: str, other: str = "relu", *, n_in: int = 100, width: int = 128, depth: int = 3
) -> float:
    """Predicted ratio of the first layer's gradient norm with ``activation`` to that with
    ``other``, in the same net under PyTorch's default (the demonstration of
    :func:`vgp_lib.profiles.activation_comparison`: inputs x ~ N(0, 1)).

    On its way from the head to the first layer's weights the error meets the derivative
    of every hidden layer, so its norm carries the product over the ``depth`` hidden
    layers of sqrt(E[f'(z_l)^2]) (equation ``eq-init-variance``), with Var(z_l) followed
    layer by layer from the inputs by the variance map. The weights and the head are the
    same for both activations and cancel in the ratio.

    >>> round(first_layer_ratio("relu"), 12)
    1.0
    >>> 2.0 < first_layer_ratio("tanh") < 2.3
    True
    """
    depth = check_int("depth", depth, lo=1, hi=200)

    def log_gain(act: str) -> float:
        q = 1.0 / 3.0 + 1.0 / (3.0 * n_in)  # Var(z_1): n Var(W) = 1/3, Var(b) = 1/(3 n_in)
        total = 0.0
        for _ in range(depth):
            total += 0.5 * math.log(_slope_moment(act, q))
            q = variance_map(q, act, 1.0 / 3.0, 1.0 / (3.0 * width))
        return total

    return math.exp(log_gain(activation) - log_gain(other))
