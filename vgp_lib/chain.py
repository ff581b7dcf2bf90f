"""The one-neuron-per-layer chain (chapters *The single-neuron chain* and *Exploding gradients*).

A chain of depth :math:`L` has one neuron per layer. Layer :math:`j` has a
weight :math:`w_j` and a bias :math:`b_j`; with input activation :math:`a_0`,

.. math::

    z_j = w_j a_{j-1} + b_j, \\qquad a_j = \\sigma(z_j), \\qquad C = \\tfrac12 (a_L - y)^2 .

The gradient with respect to a bias is a product with one factor per later
layer (equation ``eq-chain-product``):

.. math::

    \\frac{\\partial C}{\\partial b_j} = \\sigma'(z_j)\\,
    \\big[w_{j+1}\\sigma'(z_{j+1})\\big] \\cdots \\big[w_L\\sigma'(z_L)\\big]\\,
    \\frac{\\partial C}{\\partial a_L}.

Layers are numbered 1..L in the text and 0..L-1 in code: ``weights[j]`` is
:math:`w_{j+1}`, ``z[j]`` is :math:`z_{j+1}`, ``grad[j]`` is
:math:`\\partial C/\\partial b_{j+1}`. Every function also accepts a *stack* of
chains (weights and biases of shape ``(n_chains, L)``) and works on each row
independently, so statistics over many random chains need no Python loop.

Three routes to the same gradient: :func:`grad_b_analytic` (the product),
:func:`grad_b_autograd` (PyTorch) and :func:`grad_b_fd` (central finite
differences).

>>> c = constant_chain(3, w=0.5, b=0.0, a0=1.0)
>>> g = grad_b_analytic(c)
>>> bool(np.allclose(g, grad_b_autograd(c), rtol=1e-12))
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from . import activations
from ._validate import (
    FLOAT_DTYPES,
    MAX_DEPTH,
    check_array,
    check_choice,
    check_float_dtype,
    check_int,
    check_real,
    checked,
)
from .rng import make_rng

__all__ = [
    "Chain",
    "Forward",
    "ChainGradients",
    "make_chain",
    "constant_chain",
    "random_chain",
    "aligned_chain",
    "forward",
    "grad_b_analytic",
    "grad_w_analytic",
    "grad_b_autograd",
    "grad_b_fd",
    "factors",
    "analyse",
    "GradientRoutes",
    "three_routes",
    "chain_profile",
]

#: The precisions a chain can be computed in.
DTYPES = FLOAT_DTYPES

#: Most numbers (``n_chains * depth`` weights) a stack of random chains may hold: 10**7 take about
#: a second to build and analyse; the book's largest stack is 100,000 chains of depth 4.
MAX_CHAIN_ENTRIES = 10**7


@dataclass(frozen=True)
class Chain:
    """Parameters of one chain (or a stack of chains, one per row).

    ``weights`` and ``biases`` have shape ``(L,)`` or ``(n_chains, L)``;
    ``a0`` is the input activation and ``y`` the target in
    :math:`C = (a_L - y)^2 / 2`.
    """

    weights: np.ndarray
    biases: np.ndarray
    a0: float
    y: float
    activation: str

    @property
    def depth(self) -> int:
        return int(self.weights.shape[-1])


@dataclass(frozen=True)
class Forward:
    """Weighted inputs ``z`` and activations ``a`` of every layer (``a0`` not included)."""

    z: np.ndarray
    a: np.ndarray
    cost: np.ndarray | float  # a NumPy scalar for one chain


@dataclass(frozen=True)
class ChainGradients:
    """A chain with its forward pass, its factors :math:`w_j\\sigma'(z_j)` and its bias
    gradients.
    """

    chain: Chain
    z: np.ndarray
    a: np.ndarray
    factors: np.ndarray
    grad: np.ndarray

    def last_over_first(self) -> float:
        """:math:`|\\partial C/\\partial b_L \\,/\\, \\partial C/\\partial b_1|`: how many
        times smaller the first neuron's bias gradient is than the last one's."""
        return float(abs(self.grad[-1] / self.grad[0]))

    def first_compared(self) -> str:
        """The first neuron's bias gradient against the last one's, in words: ``"larger"``
        (:meth:`last_over_first` below 1/2), ``"about the same size"`` (up to 2), ``"a few
        times smaller"`` (up to 1,000) or ``"more than a thousand times smaller"``.

        >>> analyse(make_chain([1.0, 1.0], [0.0, 0.0])).first_compared()
        'a few times smaller'
        """
        ratio = self.last_over_first()
        if ratio >= 1_000:
            return "more than a thousand times smaller"
        if ratio >= 2:
            return "a few times smaller"
        if ratio >= 0.5:
            return "about the same size"
        return "larger"


def make_chain(weights, biases, *, a0=1.0, y=0.0, activation: str = "sigmoid") -> Chain:
    """Validate and store a chain's parameters.

    >>> make_chain([1.0, 2.0], [0.0]).depth
    Traceback (most recent call last):
    ...
    ValueError: biases must have the same shape as weights (2,), got (1,)
    """
    w = check_array("weights", weights)
    b = check_array("biases", biases)
    if w.ndim not in (1, 2):
        raise ValueError(f"weights must be 1-D (one chain) or 2-D (a stack), got shape {w.shape}")
    if w.shape[-1] < 1:
        raise ValueError("weights must hold at least one layer (depth >= 1), got 0 layers")
    if b.shape != w.shape:
        raise ValueError(f"biases must have the same shape as weights {w.shape}, got {b.shape}")
    return Chain(
        weights=w,
        biases=b,
        a0=check_real("a0", a0),
        y=check_real("y", y),
        activation=check_choice("activation", activation, activations.ACTIVATIONS),
    )


def constant_chain(
    depth: int, *, w: float, b: float = 0.0, a0=1.0, y=0.0, activation: str = "sigmoid"
) -> Chain:
    """A chain whose weights all equal ``w`` and biases all equal ``b``.

    >>> constant_chain(4, w=0.17).weights
    array([0.17, 0.17, 0.17, 0.17])
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_DEPTH)
    w, b = check_real("w", w), check_real("b", b)
    return make_chain(np.full(depth, w), np.full(depth, b), a0=a0, y=y, activation=activation)


def random_chain(
    depth: int,
    *,
    seed,
    n_chains: int | None = None,
    weight_scale: float = 1.0,
    bias_scale: float = 1.0,
    a0=1.0,
    y=0.0,
    activation: str = "sigmoid",
) -> Chain:
    """Weights :math:`\\sim N(0, \\text{weight\\_scale}^2)`, biases
    :math:`\\sim N(0, \\text{bias\\_scale}^2)`.

    With ``n_chains`` set, returns a stack of that many independent chains
    (``n_chains * depth`` at most :data:`MAX_CHAIN_ENTRIES`).

    >>> random_chain(5, seed=0, n_chains=3).weights.shape
    (3, 5)
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_DEPTH)
    weight_scale = check_real("weight_scale", weight_scale, lo=0)
    bias_scale = check_real("bias_scale", bias_scale, lo=0)
    if n_chains is None:
        shape = (depth,)
    else:
        # n_chains * depth <= MAX_CHAIN_ENTRIES
        why = f" for depth={depth}"
        n_chains = check_int("n_chains", n_chains, lo=1, hi=MAX_CHAIN_ENTRIES // depth, why=why)
        shape = (n_chains, depth)
    rng = make_rng(seed)
    w = weight_scale * rng.standard_normal(shape)
    b = bias_scale * rng.standard_normal(shape)
    return make_chain(w, b, a0=a0, y=y, activation=activation)


@checked(
    depth=partial(check_int, lo=1, hi=MAX_DEPTH),
    w=check_real,
    a0=check_real,
    activation=partial(check_choice, choices=activations.ACTIVATIONS),
)
def aligned_chain(
    depth: int,
    *,
    w: float = 100.0,
    a0=0.5,
    y=0.0,
    activation: str = "sigmoid",
) -> Chain:
    """Every weight ``w``, every bias chosen so that every :math:`z_j = 0` (chapter *Exploding
    gradients*).

    :math:`b_j = -w\\,a_{j-1}` cancels the weighted input, so each factor
    :math:`w\\sigma'(z_j)` is :math:`w\\sigma'(0) = w/4` for the sigmoid.

    >>> c = aligned_chain(3)
    >>> c.biases
    array([-50., -50., -50.])
    >>> forward(c).z
    array([0., 0., 0.])
    """
    f, _ = activations.get(activation)
    biases = np.empty(depth)
    a_prev = a0
    for j in range(depth):
        biases[j] = -w * a_prev
        a_prev = float(f(0.0))  # z_j = 0, so a_j = f(0)
    weights = np.full(depth, w)
    return make_chain(weights, biases, a0=a0, y=y, activation=activation)


@checked(chain=Chain, dtype=check_float_dtype)
def forward(chain: Chain, *, dtype="float64") -> Forward:
    """Forward pass: :math:`z_j = w_j a_{j-1} + b_j`, :math:`a_j = \\sigma(z_j)`, and the cost.

    ``dtype`` ("float32" or "float64") is the precision of every operation.

    >>> fwd = forward(constant_chain(2, w=0.0, b=0.0))
    >>> fwd.a, float(fwd.cost)
    (array([0.5, 0.5]), 0.125)
    """
    f, _ = activations.get(chain.activation)
    w, b = chain.weights.astype(dtype), chain.biases.astype(dtype)
    z = np.empty_like(w)
    a = np.empty_like(w)
    a_prev = np.full(w.shape[:-1], chain.a0, dtype=dtype)
    for j in range(chain.depth):
        z[..., j] = w[..., j] * a_prev + b[..., j]
        a[..., j] = f(z[..., j]).astype(dtype)  # activations compute in float64; round back
        a_prev = a[..., j]
    cost = 0.5 * (a[..., -1] - dtype.type(chain.y)) ** 2
    return Forward(z=z, a=a, cost=cost)


@checked(chain=Chain)
def factors(chain: Chain) -> np.ndarray:
    """The factors :math:`w_j \\sigma'(z_j)`, one per layer (``eq-chain-product``).

    >>> factors(aligned_chain(3, w=100.0))
    array([25., 25., 25.])
    """
    _, f_prime = activations.get(chain.activation)
    return chain.weights * f_prime(forward(chain).z)


@checked(chain=Chain)
def grad_b_analytic(chain: Chain) -> np.ndarray:
    """:math:`\\partial C/\\partial b_j` for every layer as the product of equation
    ``eq-chain-product``.

    Walking down from the output, ``tail`` holds
    :math:`[w_{j+1}\\sigma'(z_{j+1})]\\cdots[w_L\\sigma'(z_L)]\\,\\partial C/\\partial a_L`;
    the gradient of layer ``j`` is :math:`\\sigma'(z_j)` times it.

    >>> grad_b_analytic(constant_chain(2, w=0.0, b=0.0))  # w_2 = 0 cuts layer 1 off
    array([0.   , 0.125])
    """
    _, sigma_prime = activations.get(chain.activation)
    fwd = forward(chain)
    s = sigma_prime(fwd.z)  # sigma'(z_j) for every layer
    tail = fwd.a[..., -1] - chain.y  # dC/da_L for C = (a_L - y)^2 / 2
    grad = np.empty_like(fwd.z)
    for j in reversed(range(chain.depth)):
        grad[..., j] = s[..., j] * tail  # dC/db_j = sigma'(z_j) * tail
        # pick up the factor w_j sigma'(z_j) on the way down
        tail = (chain.weights[..., j] * s[..., j]) * tail
    return grad


@checked(chain=Chain)
def grad_w_analytic(chain: Chain) -> np.ndarray:
    """:math:`\\partial C/\\partial w_j = a_{j-1}\\,\\partial C/\\partial b_j` for every layer.

    A weight and a bias enter :math:`z_j = w_j a_{j-1} + b_j` the same way, except
    that the weight is multiplied by the layer's input, so the weight gradient is
    the bias gradient times that input (:math:`a_0` for the first layer).

    >>> grad_w_analytic(aligned_chain(3, w=100.0, a0=1.0)) / grad_b_analytic(
    ...     aligned_chain(3, w=100.0, a0=1.0)
    ... )
    array([1. , 0.5, 0.5])
    """
    a = forward(chain).a
    inputs = np.concatenate([np.full(a.shape[:-1] + (1,), chain.a0), a[..., :-1]], axis=-1)
    return inputs * grad_b_analytic(chain)


@checked(chain=Chain)
def grad_b_autograd(chain: Chain) -> np.ndarray:
    """:math:`\\partial C/\\partial b_j` by PyTorch autograd in float64 (an independent check).

    >>> c = random_chain(4, seed=1)
    >>> bool(np.allclose(grad_b_autograd(c), grad_b_analytic(c), rtol=1e-12, atol=0))
    True
    """
    import torch

    f = activations.torch_function(chain.activation)
    w = torch.tensor(chain.weights, dtype=torch.float64)
    b = torch.tensor(chain.biases, dtype=torch.float64, requires_grad=True)
    a = torch.full(w.shape[:-1], chain.a0, dtype=torch.float64)
    for j in range(chain.depth):
        a = f(w[..., j] * a + b[..., j])
    cost = 0.5 * (a - chain.y) ** 2
    cost.sum().backward()  # rows are independent chains, so the sum separates
    return b.grad.numpy().copy()


@checked(chain=Chain, h=partial(check_real, lo=0, lo_open=True))
def grad_b_fd(chain: Chain, *, h: float = 1e-6) -> np.ndarray:
    """:math:`\\partial C/\\partial b_j` by central differences :math:`(C(b_j+h) - C(b_j-h))/2h`.

    Accurate to about ``h**2`` plus rounding ``eps*C/h``; once the true gradient
    falls below that rounding level the estimate is noise or exactly 0.

    >>> c = constant_chain(2, w=1.0, b=0.5)
    >>> bool(np.allclose(grad_b_fd(c), grad_b_analytic(c), rtol=1e-8))
    True
    """
    grad = np.empty(chain.weights.shape)
    for j in range(chain.depth):
        cost = []
        for step in (h, -h):
            b = chain.biases.copy()
            b[..., j] += step
            shifted = Chain(chain.weights, b, chain.a0, chain.y, chain.activation)
            cost.append(forward(shifted).cost)
        grad[..., j] = (cost[0] - cost[1]) / (2 * h)
    return grad


@checked(chain=Chain)
def analyse(chain: Chain) -> ChainGradients:
    """Forward pass, factors and analytic bias gradients of a chain, in one result."""
    fwd = forward(chain)
    return ChainGradients(
        chain=chain, z=fwd.z, a=fwd.a, factors=factors(chain), grad=grad_b_analytic(chain)
    )


@dataclass(frozen=True)
class GradientRoutes:
    """:math:`\\partial C/\\partial b_j` of one chain by the three routes, layer by layer."""

    analytic: np.ndarray
    autograd: np.ndarray
    fd: np.ndarray

    @property
    def layers(self) -> np.ndarray:
        """Layer numbers 1..L, as in the text."""
        return np.arange(1, self.analytic.shape[-1] + 1)

    @property
    def max_rel_autograd(self) -> float:
        """Largest relative difference between the product and autograd."""
        return _max_rel(self.autograd, self.analytic)

    @property
    def max_rel_fd(self) -> float:
        """Largest relative difference between the product and finite differences."""
        return _max_rel(self.fd, self.analytic)

    def blind_layers(self) -> np.ndarray:
        """Layer numbers (1..L) where finite differences see no change at all and return
        exactly 0: the cost moved by less than its rounding.

        >>> r = GradientRoutes(np.array([1e-20, 1e-3]), np.array([1e-20, 1e-3]),
        ...                    np.array([0.0, 1e-3]))
        >>> r.blind_layers()
        array([1])
        """
        return np.flatnonzero(self.fd == 0) + 1


def _max_rel(x: np.ndarray, ref: np.ndarray) -> float:
    scale = np.where(ref != 0, np.abs(ref), 1.0)
    return float(np.max(np.abs(x - ref) / scale))


def three_routes(chain: Chain, *, h: float = 1e-6) -> GradientRoutes:
    """The product, PyTorch autograd and central differences for the same chain.

    >>> r = three_routes(constant_chain(4, w=0.5, b=0.1))
    >>> r.max_rel_autograd < 1e-12, r.max_rel_fd < 1e-6
    (True, True)
    """
    return GradientRoutes(
        analytic=grad_b_analytic(chain), autograd=grad_b_autograd(chain), fd=grad_b_fd(chain, h=h)
    )


def chain_profile(
    depth: int = 10,
    weight_scale: float = 1.0,
    bias: float = 0.0,
    activation: str = "sigmoid",
    *,
    seed: int = 0,
    a0=1.0,
) -> ChainGradients:
    """One random chain for the chapter's explorer: weights ``weight_scale`` times N(0, 1) draws,
    all biases ``bias``.

    The draws depend only on ``seed``, so moving ``weight_scale`` rescales the
    same weights.

    >>> r = chain_profile(5, 1.0, 0.0, seed=0)
    >>> r.grad.shape, r.factors.shape
    ((5,), (5,))
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_DEPTH)
    weight_scale = check_real("weight_scale", weight_scale)
    bias = check_real("bias", bias)
    w = weight_scale * make_rng(seed).standard_normal(depth)
    return analyse(make_chain(w, np.full(depth, bias), a0=a0, activation=activation))


# --- finite precision -------------------------------------------------------------
