"""Finite precision: what a float32 or float64 computer does with an exploding chain.

The product of equation ``eq-chain-product`` can exceed the largest number a
floating-point type holds (about 3.4e38 in float32, 1.8e308 in float64). Then
the arithmetic returns ``inf``, although the true gradient is finite.
:func:`grad_b_in_dtype` evaluates the product in a given type and marks the
layers that overflowed; :func:`log10_abs_grad_b` gives the exact size as a sum
of logarithms; :func:`power_overflow_depth` and :func:`first_overflow_depth`
find the depth at which overflow begins (chapter *Exploding gradients*).

>>> from vgp_lib.chain import aligned_chain
>>> grad_b_in_dtype(aligned_chain(40), "float64").any_overflow
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from . import activations
from ._validate import MAX_DEPTH, check_bool, check_float_dtype, check_int, check_real, checked
from .chain import Chain, aligned_chain, constant_chain, forward

__all__ = [
    "PrecisionGradient",
    "log10_abs_grad_b",
    "grad_b_in_dtype",
    "power_overflow_depth",
    "first_overflow_depth",
    "exact_overflow_depth",
    "exploding_profile",
]


@dataclass(frozen=True)
class PrecisionGradient:
    """Bias gradients computed in a given floating-point type, with overflow detected.

    ``grad`` is what the arithmetic produced (it may hold ``inf``);
    ``log10_exact`` is :math:`\\log_{10}|\\partial C/\\partial b_j|` computed as a
    sum of logarithms in float64, which never overflows; ``overflow`` marks the
    layers whose value is infinite in ``dtype``; ``largest`` is the type's
    largest finite number.
    """

    dtype: str
    grad: np.ndarray  # overflow is the point
    log10_exact: np.ndarray  # a factor of exactly 0
    overflow: NDArray[np.bool_]
    largest: float

    @property
    def any_overflow(self) -> bool:
        return bool(self.overflow.any())

    def explain(self) -> str:
        """One sentence on what happened (for a widget's caption or a check)."""
        if not self.any_overflow:
            return f"All {self.grad.size} gradients are finite in {self.dtype}."
        layers = np.flatnonzero(self.overflow) + 1
        return (
            f"In {self.dtype} the gradients of layers {layers.min()}..{layers.max()} overflowed to "
            f"inf: their true size, up to 10^{self.log10_exact.max():.1f}, exceeds the largest "
            f"{self.dtype} number, about 10^{np.log10(self.largest):.1f}."
        )


@checked(chain=Chain)
def log10_abs_grad_b(chain: Chain) -> np.ndarray:
    """:math:`\\log_{10}|\\partial C/\\partial b_j|` as a sum of logs of the factors in
    ``eq-chain-product``.

    Never overflows; a factor that is exactly 0 gives ``-inf``.

    >>> np.round(log10_abs_grad_b(aligned_chain(3)), 4)
    array([ 1.8928,  0.4949, -0.9031])
    """
    _, sigma_prime = activations.get(chain.activation)
    fwd = forward(chain)
    with np.errstate(divide="ignore"):
        log_s = np.log10(sigma_prime(fwd.z))
        log_w = np.log10(np.abs(chain.weights))
        log_end = np.log10(np.abs(fwd.a[..., -1] - chain.y))
    # log|tail_j| = sum_{k>j} (log|w_k| + log sigma'(z_k)) + log|dC/da_L|
    later = np.cumsum((log_w + log_s)[..., ::-1], axis=-1)[..., ::-1]
    tail = np.concatenate([later[..., 1:], np.zeros(later.shape[:-1] + (1,))], axis=-1)
    return log_s + tail + log_end[..., None]


@checked(chain=Chain)
def grad_b_in_dtype(chain: Chain, dtype="float32") -> PrecisionGradient:
    """The product of ``eq-chain-product`` evaluated entirely in ``dtype``, overflow detected.

    The arithmetic is the same as :func:`grad_b_analytic` and as backpropagation:
    the running ``tail`` is :math:`\\partial C/\\partial a_j`, so a layer's
    gradient also turns into ``inf`` when that intermediate overflows, even if
    :math:`\\partial C/\\partial b_j = \\sigma'(z_j)\\,\\partial C/\\partial a_j`
    itself would fit. Overflow warnings are silenced and the ``inf`` values
    reported in ``overflow`` instead.

    >>> r = grad_b_in_dtype(aligned_chain(40), "float32")
    >>> r.any_overflow, int(np.flatnonzero(~r.overflow).min()) + 1
    (True, 13)
    """
    dt = check_float_dtype("dtype", dtype)
    dtype = dt.name
    _, sigma_prime = activations.get(chain.activation)
    fwd = forward(chain, dtype=dtype)
    w = chain.weights.astype(dt)
    with np.errstate(over="ignore", invalid="ignore"):
        s = sigma_prime(fwd.z).astype(dt)
        tail = (fwd.a[..., -1] - dt.type(chain.y)).astype(dt)
        grad = np.empty_like(w)
        for j in reversed(range(chain.depth)):
            grad[..., j] = s[..., j] * tail
            tail = (w[..., j] * s[..., j]) * tail
    return PrecisionGradient(
        dtype=dtype,
        grad=grad,
        log10_exact=log10_abs_grad_b(chain),
        overflow=~np.isfinite(grad),
        largest=float(np.finfo(dt).max),
    )


_EXACT_POWER_DEPTH = 20_000  # beyond it, the log estimate (relative error ~1e-16) is the answer
MAX_SEARCH_DEPTH = 600  # first_overflow_depth's brute force takes about 5 s there


def power_overflow_depth(base: float, dtype="float32") -> int:
    """Smallest integer :math:`L` with :math:`\\text{base}^L` larger than the largest ``dtype``
    number.

    Decided in exact rational arithmetic, so no rounding enters.

    >>> power_overflow_depth(25, "float32"), power_overflow_depth(25, "float64")
    (28, 221)
    """
    base = check_real("base", base, lo=1, lo_open=True)
    top = float(np.finfo(check_float_dtype("dtype", dtype)).max)
    largest = Fraction(top)
    # An estimate from logarithms (log1p keeps a base near 1 accurate), then the exact
    # rational test on both sides of it: a base near 1 needs millions of steps one by one.
    log_base = math.log1p(base - 1.0) if base < 2.0 else math.log(base)
    depth = max(1, math.floor(math.log(top) / log_base) + 1)
    if depth > _EXACT_POWER_DEPTH:  # exact powers would have millions of digits
        return depth
    q = Fraction(base)
    while depth > 1 and q ** (depth - 1) > largest:
        depth -= 1
    while q**depth <= largest:
        depth += 1
    return depth


def first_overflow_depth(
    dtype="float32", *, w: float = 100.0, a0=0.5, y=0.0, max_depth: int = 400
) -> int | None:
    """Smallest depth at which :math:`\\partial C/\\partial b_1` of the aligned chain is ``inf`` in
    ``dtype``.

    Brute force: builds the aligned chain of every depth 1, 2, ... and evaluates
    the gradient in ``dtype``. Returns ``None`` if it stays finite up to
    ``max_depth``.

    >>> first_overflow_depth("float32")
    29
    """
    dt = check_float_dtype("dtype", dtype)
    # every depth up to max_depth is built and evaluated, so the time grows with its square
    max_depth = check_int("max_depth", max_depth, lo=1, hi=MAX_SEARCH_DEPTH)
    values = [_representable(name, v, dt) for name, v in (("w", w), ("a0", a0), ("y", y))]
    return _first_overflow_depth(dt.name, *values, max_depth)


def exact_overflow_depth(dtype="float32", *, max_depth: int = 400) -> int | None:
    """Smallest depth at which the exact :math:`|\\partial C/\\partial b_1|` of the aligned
    chain (:func:`~vgp_lib.chain.aligned_chain` with its defaults) is larger than the largest
    ``dtype`` number, from :func:`log10_abs_grad_b`, which never overflows; ``None`` if it
    stays below up to ``max_depth``.

    >>> exact_overflow_depth("float32"), exact_overflow_depth("float64")
    (30, 223)
    """
    top = np.log10(float(np.finfo(check_float_dtype("dtype", dtype)).max))
    max_depth = check_int("max_depth", max_depth, lo=1, hi=MAX_SEARCH_DEPTH)
    for depth in range(1, max_depth + 1):
        if log10_abs_grad_b(aligned_chain(depth))[0] > top:
            return depth
    return None


def _representable(name: str, value, dt: np.dtype) -> float:
    """``value`` as a float, refused when it is already beyond the largest ``dt`` number."""
    top = float(np.finfo(dt).max)
    return check_real(name, value, lo=-top, hi=top)


@lru_cache(maxsize=64)
def _first_overflow_depth(dtype: str, w: float, a0: float, y: float, max_depth: int):
    for depth in range(1, max_depth + 1):
        if grad_b_in_dtype(aligned_chain(depth, w=w, a0=a0, y=y), dtype).overflow[0]:
            return depth
    return None


def exploding_profile(
    w: float = 100.0, depth: int = 30, align: bool = True, dtype: str = "float64"
) -> PrecisionGradient:
    """Bias gradients of a chain with every weight ``w``: biases aligned (every z_j = 0) or all
    zero.

    The compute call behind the *Exploding gradients* explorer.

    >>> exploding_profile(100.0, 3, True).grad
    array([78.125,  3.125,  0.125])
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_DEPTH)
    dt = check_float_dtype("dtype", dtype)
    w = _representable("w", w, dt)
    if w == 0:
        raise ValueError(
            "w must be a nonzero real number (with w = 0 every gradient but the last is 0)"
        )
    align = check_bool("align", align)
    chain = aligned_chain(depth, w=w) if align else constant_chain(depth, w=w, b=0.0, a0=0.5)
    return grad_b_in_dtype(chain, dtype)
