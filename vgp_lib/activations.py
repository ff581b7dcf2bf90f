"""Activation functions and their derivatives, stable for very large |z|.

Each activation ``f`` has a derivative ``f_prime`` written beside it. All take
array_like input of finite real numbers (nan and inf are refused with a
``ValueError``) and compute in float64. None of them overflows or warns for
|z| up to 1e4 (or beyond): exponentials are only ever taken of -|z|.

The sigmoid's derivative :math:`\\sigma'(z) = \\sigma(z)(1-\\sigma(z))` peaks at
:math:`\\sigma'(0) = 1/4` (the chapter *The single-neuron chain* shows it in a figure
and uses it in the bound ``eq-chain-factor-bound``). Here it is computed as
:math:`e/(1+e)^2` with :math:`e = e^{-|z|}`, which keeps full relative precision in the tails where
the textbook form ``s*(1-s)`` rounds to zero.

>>> float(sigmoid_prime(0.0))
0.25
>>> float(sigmoid(1e4)), float(sigmoid(-1e4))
(1.0, 0.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import check_array, check_choice, check_real, check_sequence

__all__ = [
    "ACTIVATIONS",
    "get",
    "sigmoid",
    "sigmoid_prime",
    "tanh",
    "tanh_prime",
    "relu",
    "relu_prime",
    "leaky_relu",
    "leaky_relu_prime",
    "elu",
    "elu_prime",
    "gelu",
    "gelu_prime",
    "identity",
    "identity_prime",
    "torch_function",
    "DerivativeCurves",
    "derivative_curves",
]


def _out(x: np.ndarray):
    """Return 0-d results as NumPy scalars, arrays unchanged."""
    return x[()] if x.ndim == 0 else x


def sigmoid(z):
    """Logistic sigmoid :math:`\\sigma(z) = 1/(1+e^{-z})`, overflow-free."""
    z = check_array("z", z)
    e = np.exp(-np.abs(z))
    return _out(np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def sigmoid_prime(z):
    """:math:`\\sigma'(z) = \\sigma(z)(1-\\sigma(z)) = e^{-|z|}/(1+e^{-|z|})^2`; at most 1/4."""
    z = check_array("z", z)
    e = np.exp(-np.abs(z))
    # Near z = 0 rounding can land one ulp above the exact maximum 1/4; clip it.
    return _out(np.minimum(e / (1.0 + e) ** 2, 0.25))


def tanh(z):
    """Hyperbolic tangent."""
    return _out(np.tanh(check_array("z", z)))


def tanh_prime(z):
    """:math:`1-\\tanh^2 z = 4e^{-2|z|}/(1+e^{-2|z|})^2`; at most 1."""
    z = check_array("z", z)
    e = np.exp(
        -2.0 * np.minimum(np.abs(z), 400.0)
    )  # exp(-800) is already 0; avoids 2|z| overflowing
    return _out(np.minimum(4.0 * e / (1.0 + e) ** 2, 1.0))  # rounding near 0 must not exceed 1


def relu(z):
    """Rectified linear unit :math:`\\max(0, z)`."""
    z = check_array("z", z)
    return _out(np.maximum(z, 0.0))


def relu_prime(z):
    """1 for z > 0, else 0 (the value at 0 follows PyTorch's convention)."""
    z = check_array("z", z)
    return _out((z > 0).astype(np.float64))


def leaky_relu(z, slope: float = 0.01):
    """:math:`z` for z > 0, ``slope * z`` otherwise :cite:p:`maas2013`."""
    z = check_array("z", z)
    slope = check_real("slope", slope)
    return _out(np.where(z > 0, z, slope * z))


def leaky_relu_prime(z, slope: float = 0.01):
    """1 for z > 0, ``slope`` otherwise."""
    z = check_array("z", z)
    slope = check_real("slope", slope)
    return _out(np.where(z > 0, 1.0, slope))


def elu(z, alpha: float = 1.0):
    """Exponential linear unit: z for z > 0, ``alpha*(e^z - 1)`` otherwise."""
    z = check_array("z", z)
    alpha = check_real("alpha", alpha)
    return _out(np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0))))


def elu_prime(z, alpha: float = 1.0):
    """1 for z > 0, ``alpha*e^z`` otherwise."""
    z = check_array("z", z)
    alpha = check_real("alpha", alpha)
    return _out(np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(z):
    """Gaussian error linear unit :math:`z\\,\\Phi(z)` (exact, erf-based, as PyTorch's default)."""
    z = check_array("z", z)
    return _out(z * 0.5 * (1.0 + _erf(z / math.sqrt(2.0))))


def gelu_prime(z):
    """:math:`\\Phi(z) + z\\,\\varphi(z)`."""
    z = check_array("z", z)
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)))
    pdf = np.exp(-0.5 * np.minimum(np.abs(z), 1e3) ** 2) / math.sqrt(2.0 * math.pi)
    return _out(cdf + z * pdf)


def identity(z):
    """The identity :math:`f(z) = z` (a linear 'activation')."""
    return _out(check_array("z", z).copy())


def identity_prime(z):
    """Derivative of the identity: 1 everywhere."""
    return _out(np.ones_like(check_array("z", z)))


#: name -> (f, f_prime) for every activation above.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "leaky_relu": (leaky_relu, leaky_relu_prime),
    "elu": (elu, elu_prime),
    "gelu": (gelu, gelu_prime),
    "identity": (identity, identity_prime),
}


def get(name: str):
    """Return ``(f, f_prime)`` for an activation name.

    >>> f, f_prime = get("tanh")
    >>> float(f_prime(0.0))
    1.0
    >>> get("swish")  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    ValueError: name must be one of 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'gelu',
        'identity'; got 'swish'
    """
    return ACTIVATIONS[check_choice("name", name, ACTIVATIONS)]


def torch_function(name: str):
    """The PyTorch function computing the same activation (for autograd comparisons).

    torch.sigmoid's backward is y*(1-y), which loses relative precision for
    z > 12 (1 - y has few correct digits there); :func:`sigmoid_prime` does
    not. Tests demanding 1e-10 agreement keep |z| well below that.
    """
    import torch
    import torch.nn.functional as F

    table = {
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "leaky_relu": lambda z: F.leaky_relu(z, 0.01),
        "elu": F.elu,
        "gelu": F.gelu,
        "identity": lambda z: z,
    }
    return table[check_choice("name", name, table)]


# -- the derivatives side by side ---------------------------------------------------------------
@dataclass(frozen=True)
class DerivativeCurves:
    """``values[i]`` is the derivative of activation ``names[i]`` on the grid ``z``."""

    names: tuple[str, ...]
    z: np.ndarray
    values: np.ndarray


def derivative_curves(
    names=("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu"), z=None
) -> DerivativeCurves:
    """f'(z) of each named activation from :mod:`vgp_lib.activations`.

    >>> c = derivative_curves(("sigmoid",), z=[0.0])
    >>> float(c.values[0, 0])
    0.25
    """
    names = check_sequence("names", names, what="activation names")
    names = tuple(check_choice("names", n, ACTIVATIONS) for n in names)
    z = np.linspace(-6, 6, 601) if z is None else check_array("z", z, ndim=1)
    if z.size > 10**7:
        raise ValueError(f"z must hold at most 10,000,000 points, got {z.size}")
    return DerivativeCurves(names, z, np.array([ACTIVATIONS[n][1](z) for n in names]))
