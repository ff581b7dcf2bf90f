"""Deep random networks of real width: the gradient as a product of random matrices.

Longer than most modules (about 570 lines): every measurement of the wide-network chapter
(the error's flow, the phase, nearby inputs, the Jacobian's spectrum) runs on the one
forward pass and layout defined here, with its autograd cross-check beside it.

In a chain of single neurons each layer multiplies the gradient by a number
w_j sigma'(z_j). In a layer of width n the number becomes a matrix: with
pre-activations h^l = W^l a^{l-1} + b^l and a^l = phi(h^l), the error
delta^l = dC/dh^l = dC/db^l obeys (equation ``eq-wide-delta``)

.. math::

    \\delta^l = \\Phi'(h^l)\\, (W^{l+1})^{\\mathsf T} \\delta^{l+1},

with Phi'(h^l) the diagonal matrix of phi'(h^l_i). Its norm changes per layer by
the mean-field multiplier chi on average (:mod:`vgp_lib.meanfield`); how the
input-output Jacobian D_L W_L ... D_1 W_1 spreads its singular values decides
whether every direction gets through :cite:p:`saxe2014,pennington2017`.

>>> net = random_network(width=4, depth=3, activation="tanh", sigma_w2=1.0, sigma_b2=0.0, seed=0)
>>> x, y = np.ones(4), np.zeros(4)
>>> bool(np.allclose(delta_chain(net, x, y), delta_autograd(net, x, y), rtol=1e-12))
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from . import activations
from ._validate import (
    MAX_DEPTH,
    MAX_SEED,
    MAX_SEEDS,
    check_array,
    check_choice,
    check_int,
    check_real,
    check_sequence,
    checked,
)
from .meanfield import (
    SETTING_RULES,
    check_variance_grid,
    correlation_map,
    fixed_point,
    mean_field,
)
from .rng import make_rng
from .threads import on_one_thread

__all__ = [
    "WEIGHT_KINDS",
    "RandomNetwork",
    "random_network",
    "LayerValues",
    "forward",
    "delta_chain",
    "delta_autograd",
    "input_output_jacobian",
    "GradientFlow",
    "gradient_flow",
    "Spectrum",
    "spectrum",
    "PhaseMeasurement",
    "measured_phase",
    "NearbyInputs",
    "nearby_inputs",
]

#: How the weight matrices are drawn: i.i.d. Gaussian, or a scaled Haar-random orthogonal matrix.
WEIGHT_KINDS = ("gaussian", "orthogonal")
_WEIGHTS = partial(check_choice, choices=WEIGHT_KINDS)
_VECTOR = partial(check_array, ndim=1)
#: Widest layer accepted (a depth-1000 stack of 1000 x 1000 matrices is 8 GB already).
MAX_NET_WIDTH = 1000
#: Largest width x width x depth accepted: about a second of work and 0.8 GB of weights.
MAX_ENTRIES = 10**8


@dataclass(frozen=True)
class RandomNetwork:
    """A deep square network: ``weights[l]`` is W^{l+1} (n x n), ``biases[l]`` is b^{l+1}."""

    activation: str
    sigma_w2: float
    sigma_b2: float
    weights_kind: str
    weights: np.ndarray
    biases: np.ndarray
    seed: int

    @property
    def depth(self) -> int:
        return int(self.weights.shape[0])

    @property
    def width(self) -> int:
        return int(self.weights.shape[1])


#: Rules of :func:`~vgp_lib._validate.checked` for the sizes and seeds of the experiments.
SIZE_RULES = {
    "width": partial(check_int, lo=1, hi=MAX_NET_WIDTH),
    "depth": partial(check_int, lo=1, hi=MAX_DEPTH),
    "n_seeds": partial(check_int, lo=1, hi=MAX_SEEDS),
}
_SEED = partial(check_int, lo=0, hi=MAX_SEED)


def _weights_fit(width, depth, **_) -> None:
    """The rule that ``depth`` matrices of ``width`` x ``width`` fit in MAX_ENTRIES numbers."""
    check_int("width^2 x depth", width * width * depth, hi=MAX_ENTRIES)


def _haar_orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    """A Haar-random orthogonal matrix: QR of a Gaussian matrix, signs fixed by R's diagonal."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


@checked(_weights_fit, **SETTING_RULES, weights=_WEIGHTS, **SIZE_RULES)
def random_network(
    *,
    width: int,
    depth: int,
    activation: str,
    sigma_w2: float,
    sigma_b2: float,
    weights: str = "gaussian",
    seed: int,
) -> RandomNetwork:
    """Weights N(0, sigma_w2 / n) or sqrt(sigma_w2) times a random orthogonal matrix.

    Biases are N(0, sigma_b2); all of it drawn from ``seed``.

    >>> net = random_network(width=3, depth=2, activation="relu", sigma_w2=2.0, sigma_b2=0.0,
    ...                      weights="orthogonal", seed=1)
    >>> bool(np.allclose(net.weights[0] @ net.weights[0].T, 2.0 * np.eye(3)))
    True
    """
    kind = weights
    rng = make_rng(seed)
    if kind == "gaussian":
        w = rng.standard_normal((depth, width, width)) * math.sqrt(sigma_w2 / width)
    else:
        w = np.stack([_haar_orthogonal(rng, width) for _ in range(depth)]) * math.sqrt(sigma_w2)
    b = rng.standard_normal((depth, width)) * math.sqrt(sigma_b2)
    return RandomNetwork(activation, sigma_w2, sigma_b2, kind, w, b, int(seed))


@dataclass(frozen=True)
class LayerValues:
    """Pre-activations ``h[l]`` = h^{l+1} and activations ``a[l]`` = phi(h^{l+1}) of every layer."""

    h: np.ndarray
    a: np.ndarray


@checked(net=RandomNetwork, x=_VECTOR)
def forward(net: RandomNetwork, x) -> LayerValues:
    """h^l = W^l a^{l-1} + b^l and a^l = phi(h^l) for one input x (a^0 = x).

    >>> net = random_network(
    ...     width=2, depth=3, activation="tanh", sigma_w2=1.0, sigma_b2=0.0, seed=0
    ... )
    >>> forward(net, [1.0, -1.0]).h.shape
    (3, 2)
    """
    if x.size != net.width:
        raise ValueError(f"x must have the network's width {net.width}, got {x.size}")
    phi, _ = activations.get(net.activation)
    h = np.empty((net.depth, net.width))
    a = np.empty((net.depth, net.width))
    prev = x
    for l in range(net.depth):
        h[l] = net.weights[l] @ prev + net.biases[l]
        a[l] = phi(h[l])
        prev = a[l]
    return LayerValues(h, a)


def _net_width(net: RandomNetwork, x, y) -> None:
    """The rule that the vectors ``x`` and ``y`` have the width of ``net``."""
    for name, v in (("x", x), ("y", y)):
        if isinstance(v, np.ndarray) and v.size != net.width:
            raise ValueError(f"{name} must have the network's width {net.width}, got {v.size}")


@checked(_net_width, net=RandomNetwork, y=_VECTOR)
def delta_chain(net: RandomNetwork, x, y) -> np.ndarray:
    """delta^l = dC/db^l for C = ||a^L - y||^2 / 2, by the matrix chain (eq. ``eq-wide-delta``).

    Row ``l`` is delta^{l+1}. Going down, each layer multiplies by the
    transposed weights and then by the diagonal of phi'(h).
    """
    fwd = forward(net, x)
    _, phi_prime = activations.get(net.activation)
    slopes = phi_prime(fwd.h)  # row l: the diagonal of Sigma'(h^l)
    delta = np.empty_like(fwd.h)
    delta[-1] = slopes[-1] * (fwd.a[-1] - y)
    for l in range(net.depth - 2, -1, -1):
        back = net.weights[l + 1].T @ delta[l + 1]
        delta[l] = slopes[l] * back
    return delta


@checked(_net_width, net=RandomNetwork, x=_VECTOR, y=_VECTOR)
def delta_autograd(net: RandomNetwork, x, y) -> np.ndarray:
    """The same delta^l as :func:`delta_chain`, by PyTorch's autograd in float64."""
    import torch

    f = activations.torch_function(net.activation)
    weights = torch.tensor(net.weights, dtype=torch.float64)
    biases = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in net.biases]
    a = torch.tensor(x, dtype=torch.float64)
    for w, b in zip(weights, biases):
        a = f(w @ a + b)
    cost = 0.5 * ((a - torch.tensor(y, dtype=torch.float64)) ** 2).sum()
    grads = torch.autograd.grad(cost, biases)
    return np.stack([g.numpy() for g in grads])


@checked(net=RandomNetwork)
def input_output_jacobian(net: RandomNetwork, x) -> np.ndarray:
    """da^L/dx = Phi'(h^L) W^L ... Phi'(h^1) W^1 at the input x.

    >>> net = random_network(width=3, depth=4, activation="tanh", sigma_w2=1e-12, sigma_b2=0.0,
    ...                      weights="orthogonal", seed=0)
    >>> s = np.linalg.svd(input_output_jacobian(net, np.zeros(3)), compute_uv=False)
    >>> bool(np.allclose(s, 1e-24))  # tanh'(0) = 1: four orthogonal layers scaled by 1e-6
    True
    """
    fwd = forward(net, x)
    _, phi_prime = activations.get(net.activation)
    jac = np.eye(net.width)
    for l in range(net.depth):
        jac = phi_prime(fwd.h[l])[:, None] * (net.weights[l] @ jac)
    return jac


def _input_variance(activation, sigma_w2, sigma_b2) -> float:
    """The fixed-point variance q* (ReLU beyond sigma_w2 = 2 has none: then 1)."""
    try:
        return fixed_point(activation, sigma_w2, sigma_b2)
    except ValueError:
        return 1.0


@dataclass(frozen=True)
class GradientFlow:
    """‖delta^l‖ per layer over several random networks of one setting.

    ``norms[s, l]`` is ‖delta^{l+1}‖ of draw ``s``. ``measured_chi`` is the median,
    over draws and over the layers after a burn-in of a fifth of the depth, of
    ‖delta^l‖^2 / ‖delta^{l+1}‖^2; ``predicted_chi`` is the mean-field chi.
    """

    config: dict
    norms: np.ndarray
    measured_chi: float
    predicted_chi: float


@on_one_thread()
@checked(_weights_fit, **SETTING_RULES, weights=_WEIGHTS, **SIZE_RULES, seed=_SEED)
def gradient_flow(
    *,
    activation: str,
    sigma_w2: float,
    sigma_b2: float,
    width: int,
    depth: int,
    weights: str = "gaussian",
    n_seeds: int,
    seed: int,
) -> GradientFlow:
    """Measure the per-layer multiplier of ‖delta‖^2 on ``n_seeds`` random networks.

    Draw ``s`` uses seed ``seed + s`` for the network and for its input, drawn
    with the fixed-point variance q* so that every layer starts at the fixed
    point; the error entering the top layer is a random unit vector.

    >>> f = gradient_flow(activation="relu", sigma_w2=2.0, sigma_b2=0.0, width=200, depth=20,
    ...                   n_seeds=2, seed=0)
    >>> abs(f.measured_chi - 1.0) < 0.2, f.predicted_chi
    (True, 1.0)
    """
    check_int("depth", depth, lo=3)  # the top fifth is burn-in: at least one ratio must remain
    q = _input_variance(activation, sigma_w2, sigma_b2)
    _, phi_prime = activations.get(activation)
    norms = np.empty((n_seeds, depth))
    for s in range(n_seeds):
        net = random_network(
            width=width,
            depth=depth,
            activation=activation,
            sigma_w2=sigma_w2,
            sigma_b2=sigma_b2,
            weights=weights,
            seed=seed + s,
        )
        rng = make_rng(seed + s).spawn(1)[0]
        x = rng.standard_normal(width) * math.sqrt(q)
        fwd = forward(net, x)
        delta = rng.standard_normal(width)
        delta /= np.linalg.norm(delta)
        norms[s, -1] = 1.0
        for l in range(depth - 2, -1, -1):
            delta = phi_prime(fwd.h[l]) * (net.weights[l + 1].T @ delta)
            norms[s, l] = np.linalg.norm(delta)
    burn = max(1, depth // 5)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = (norms[:, :-1] / norms[:, 1:]) ** 2
    kept = ratios[:, : depth - 1 - burn]  # the layers far enough below the top
    kept = kept[np.isfinite(kept) & (kept > 0)]
    if kept.size == 0:
        raise ValueError("the gradient vanished to exactly 0: choose a larger sigma_w2 or depth")
    config = dict(
        activation=activation,
        sigma_w2=sigma_w2,
        sigma_b2=sigma_b2,
        width=width,
        depth=depth,
        weights=weights,
    )
    predicted = sigma_w2 / 2.0 if activation == "relu" else None
    if predicted is None:
        predicted = mean_field(activation, sigma_w2, sigma_b2).chi
    return GradientFlow(config, norms, float(np.median(kept)), float(predicted))


@dataclass(frozen=True)
class Spectrum:
    """Singular values of the input-output Jacobian at several depths of one network.

    ``spread[i]`` is the variance of the squared singular values over their squared
    mean at ``depths[i]``: 0 when every direction is scaled alike (dynamical
    isometry), 1 when half the directions are zeroed and the rest kept.
    """

    config: dict
    depths: tuple[int, ...]
    singular_values: tuple[np.ndarray, ...]
    spread: np.ndarray

    def zero_floor(self, i: int = -1) -> float:
        """Below this, float64 cannot tell a singular value at ``depths[i]`` from 0:
        :math:`s_{\\max}\\, n\\, \\varepsilon`, NumPy's rank tolerance."""
        s = self.singular_values[i]
        return float(s.max() * s.size * np.finfo(float).eps)

    def n_zero(self, i: int = -1) -> int:
        """How many singular values at ``depths[i]`` are numerically 0 (below
        :meth:`zero_floor`).
        """
        return int(np.sum(self.singular_values[i] < self.zero_floor(i)))

    def orders_of_magnitude(self, i: int = -1) -> float:
        """log10 of the largest over the smallest singular value at ``depths[i]``, the smallest
        raised to :meth:`zero_floor`: a lower bound when some are numerically 0.

        >>> sp = Spectrum({}, (5,), (np.array([1.0, 1e-3, 0.0]),), np.zeros(1))
        >>> sp.n_zero(), round(sp.orders_of_magnitude(), 1)
        (1, 15.2)
        """
        s = self.singular_values[i]
        return float(np.log10(s.max() / max(s.min(), self.zero_floor(i))))


@on_one_thread()
@checked(**SETTING_RULES, weights=_WEIGHTS, **SIZE_RULES, seed=_SEED)
def spectrum(
    *,
    activation: str,
    sigma_w2: float,
    sigma_b2: float,
    width: int,
    depths,
    weights: str,
    seed: int,
) -> Spectrum:
    """The Jacobian's singular values after each depth in ``depths`` (one network, its prefixes).

    The input is drawn with the fixed-point variance q*. With orthogonal
    weights and a linear activation every singular value would be exactly
    sqrt(sigma_w2)^depth; tanh near q* = 0 comes close, ReLU cannot (it zeroes
    about half of every layer's directions).

    >>> sp = spectrum(activation="tanh", sigma_w2=1.0, sigma_b2=0.0, width=50, depths=(1, 10),
    ...               weights="orthogonal", seed=0)
    >>> [float(v.round(6)) for v in sp.spread]
    [0.0, 0.0]
    """
    depths = tuple(
        check_int("depths", d, lo=1, hi=MAX_DEPTH)
        for d in check_sequence("depths", depths, what="depths")
    )
    if list(depths) != sorted(set(depths)):
        raise ValueError(f"depths must be increasing without repeats, got {depths}")
    _weights_fit(width, depths[-1])
    net = random_network(
        width=width,
        depth=depths[-1],
        activation=activation,
        sigma_w2=sigma_w2,
        sigma_b2=sigma_b2,
        weights=weights,
        seed=seed,
    )
    x = make_rng(seed).spawn(1)[0].standard_normal(width)
    x *= math.sqrt(_input_variance(activation, sigma_w2, sigma_b2))
    fwd = forward(net, x)
    _, phi_prime = activations.get(activation)
    jac = np.eye(width)
    values, spread = [], []
    for l in range(depths[-1]):
        jac = phi_prime(fwd.h[l])[:, None] * (net.weights[l] @ jac)
        if l + 1 in depths:
            s = np.linalg.svd(jac, compute_uv=False)
            values.append(s)
            s2 = (s / s[0]) ** 2 if s[0] > 0 else s  # scale-free: relative to the largest
            spread.append(float(np.var(s2) / np.mean(s2) ** 2) if s2.any() else 0.0)
    config = dict(
        activation=activation,
        sigma_w2=sigma_w2,
        sigma_b2=sigma_b2,
        width=width,
        weights=weights,
    )
    return Spectrum(config, depths, tuple(values), np.array(spread))


@dataclass(frozen=True)
class PhaseMeasurement:
    """log10 ‖delta^1‖/‖delta^L‖ measured on one deep random network per grid point."""

    activation: str
    depth: int
    sigma_w2s: np.ndarray
    sigma_b2s: np.ndarray
    log_ratio: np.ndarray

    def predicted_chi(self) -> np.ndarray:
        """The mean-field χ of every grid point, shaped like ``log_ratio``."""
        return np.array(
            [
                [mean_field(self.activation, w2, b2).chi for w2 in self.sigma_w2s]
                for b2 in self.sigma_b2s
            ]
        )

    def disagreements(self) -> np.ndarray:
        """Where the measurement and the mean-field theory put a grid point on different
        sides of χ = 1: the gradient grew on the way down (``log_ratio >= 0``) though
        χ < 1, or shrank though χ >= 1.

        >>> m = PhaseMeasurement("tanh", 10, np.array([0.5, 4.0]), np.array([0.0]),
        ...                      np.array([[1.0, 1.0]]))
        >>> m.predicted_chi().round(1), m.disagreements()
        (array([[0.5, 1.4]]), array([[ True, False]]))
        """
        return (self.predicted_chi() >= 1) != (self.log_ratio >= 0)


@on_one_thread()
@checked(_weights_fit, activation=SETTING_RULES["activation"], **SIZE_RULES, seed=_SEED)
def measured_phase(activation: str, sigma_w2s, sigma_b2s, *, width: int, depth: int, seed: int):
    """The sign of the gradient's change over ``depth`` layers on a (sigma_w2, sigma_b2) grid.

    ``log_ratio[i, j]`` belongs to ``sigma_b2s[i]`` and ``sigma_w2s[j]``: negative
    where the gradient vanished on the way down, positive where it exploded.
    """
    sigma_w2s, sigma_b2s = check_variance_grid(sigma_w2s, sigma_b2s)
    if sigma_w2s.size * sigma_b2s.size * width * width * depth > 20 * MAX_ENTRIES:
        raise ValueError("sigma_w2s x sigma_b2s x width^2 x depth is too large (about 20 s)")
    out = np.empty((sigma_b2s.size, sigma_w2s.size))
    for i, b2 in enumerate(sigma_b2s):
        for j, w2 in enumerate(sigma_w2s):
            flow = gradient_flow(
                activation=activation,
                sigma_w2=float(w2),
                sigma_b2=float(b2),
                width=width,
                depth=depth,
                n_seeds=1,
                seed=seed,
            )
            ratio = flow.norms[0, 0] / flow.norms[0, -1]
            # -inf: the gradient vanished below float64's smallest number on the way down
            out[i, j] = math.log10(ratio) if ratio > 0 else -math.inf
    return PhaseMeasurement(activation, depth, sigma_w2s, sigma_b2s, out)


@dataclass(frozen=True)
class NearbyInputs:
    """How far apart two nearby inputs are in every layer of deep random networks.

    ``distance[s, l]`` is 1 - c for the correlation c of the two inputs' weighted inputs
    z^{l+1} in network ``s``; ``predicted[l]`` is the mean-field path
    (:func:`vgp_lib.meanfield.correlation_map`) started from the first layer's measured
    distance, averaged over the networks.
    """

    config: dict
    distance: np.ndarray
    predicted: np.ndarray
    chi: float


def _correlation(u: np.ndarray, v: np.ndarray) -> float:
    return float(u @ v / math.sqrt((u @ u) * (v @ v)))


@on_one_thread()
@checked(_weights_fit, **SETTING_RULES, **SIZE_RULES, seed=_SEED)
def nearby_inputs(
    *,
    activation: str,
    sigma_w2: float,
    sigma_b2: float,
    width: int,
    depth: int,
    distance: float,
    n_seeds: int,
    seed: int,
) -> NearbyInputs:
    """Send two nearby inputs through ``n_seeds`` random networks and measure 1 - c per layer.

    The inputs have the fixed-point variance q* in every component and the correlation
    1 - ``distance``. Where chi > 1 (the chaotic phase) their weighted inputs drift apart
    layer by layer; where chi < 1 (the ordered phase) they merge. Draw ``s`` uses seed
    ``seed + s``.

    >>> far = nearby_inputs(activation="tanh", sigma_w2=3.0, sigma_b2=0.05, width=100, depth=20,
    ...                     distance=1e-3, n_seeds=1, seed=0)
    >>> bool(far.distance[0, -1] > 10 * far.distance[0, 0])  # chaotic: pulled apart
    True
    """
    distance = check_real("distance", distance, lo=0.0, lo_open=True, hi=1.0)
    q = _input_variance(activation, sigma_w2, sigma_b2)
    scale = math.sqrt(q) if q > 0 else 1.0
    c0 = 1.0 - distance
    out = np.empty((n_seeds, depth))
    for s in range(n_seeds):
        net = random_network(
            width=width,
            depth=depth,
            activation=activation,
            sigma_w2=sigma_w2,
            sigma_b2=sigma_b2,
            seed=seed + s,
        )
        rng = make_rng(seed + s).spawn(1)[0]
        x, e = rng.standard_normal((2, width)) * scale
        x2 = c0 * x + math.sqrt(1.0 - c0 * c0) * e
        h1, h2 = forward(net, x).h, forward(net, x2).h
        out[s] = [1.0 - _correlation(h1[l], h2[l]) for l in range(depth)]
    c = 1.0 - float(np.mean(out[:, 0]))
    predicted = [1.0 - c]
    for _ in range(depth - 1):
        c = correlation_map(min(1.0, max(-1.0, c)), activation, sigma_w2, sigma_b2)
        predicted.append(1.0 - c)
    config = dict(
        activation=activation,
        sigma_w2=sigma_w2,
        sigma_b2=sigma_b2,
        width=width,
        depth=depth,
        weights="gaussian",
        distance=distance,
    )
    return NearbyInputs(
        config, out, np.array(predicted), float(mean_field(activation, sigma_w2, sigma_b2).chi)
    )
