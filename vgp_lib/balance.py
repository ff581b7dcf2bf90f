"""Statistics over many random chains: how often do layers learn at similar speeds?

The gradient of layer :math:`i` relative to layer :math:`j > i` of a
one-neuron chain is, by equation ``eq-chain-product``,

.. math::

    \\frac{\\partial C/\\partial b_i}{\\partial C/\\partial b_j}
    = \\frac{\\sigma'(z_i)}{\\sigma'(z_j)} \\prod_{k=i+1}^{j} w_k\\sigma'(z_k)
    = \\prod_{k=i}^{j-1} \\sigma'(z_k)\\, w_{k+1},

a product of :math:`j - i` random factors. :func:`layer_ratios` samples it
over many random chains (chapter *The single-neuron chain*);
:func:`balance_study` asks, for several activations and weight scales, how
often the first and last layers of a deep chain get gradients within a factor
10 of each other (chapter *Unstable gradients*).

>>> s = layer_ratios(1000, seed=0)
>>> bool(0.5 < s.fraction_at_least_16 <= 1.0)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations
from ._validate import MAX_DEPTH, check_choice, check_int, check_real, check_reals, check_sequence
from .chain import MAX_CHAIN_ENTRIES, Chain, factors, forward, grad_b_analytic, random_chain

__all__ = ["RatioSample", "layer_ratios", "BalanceStudy", "balance_study"]

#: Most chain layers :func:`balance_study` evaluates, ``n_activations * n_scales * n_chains *
#: depth``: about 2 s on one core. The book's largest study is a quarter of it.
MAX_STUDY_LAYERS = 2 * 10**7
#: Largest weight or bias scale of :func:`balance_study` (the book's largest weight scale is 100):
#: beyond it almost every :math:`\sigma'(z)` underflows to exactly 0, so the ratios say nothing.
MAX_SCALE = 1e3


@dataclass(frozen=True)
class RatioSample:
    """:math:`|\\partial C/\\partial b_{upper}| / |\\partial C/\\partial b_{lower}|` over random
    chains.

    ``log10_ratio`` has one entry per chain; ``abs_factors`` holds every
    :math:`|w_j\\sigma'(z_j)|` of every chain.
    """

    depth: int
    lower: int
    upper: int
    log10_ratio: np.ndarray
    abs_factors: np.ndarray

    @property
    def fraction_at_least_16(self) -> float:
        """Fraction of chains where the lower layer's gradient is at least 16 times smaller."""
        return float(np.mean(self.log10_ratio >= np.log10(16.0)))

    @property
    def median_ratio(self) -> float:
        return float(10.0 ** np.median(self.log10_ratio))

    @property
    def fraction_factors_below_quarter(self) -> float:
        return float(np.mean(self.abs_factors < 0.25))


def layer_ratios(
    n_chains: int,
    *,
    seed,
    depth: int = 4,
    lower: int = 1,
    upper: int = 3,
    weight_scale: float = 1.0,
    bias_scale: float = 1.0,
    a0: float = 1.0,
) -> RatioSample:
    """Sample the gradient ratio between layers ``upper`` and ``lower`` (1-based) over random
    sigmoid chains.

    Weights and biases are N(0, scale^2) as in :func:`vgp_lib.chain.random_chain`.
    ``weight_scale`` must be > 0: with zero weights both gradients are 0 and their ratio is
    undefined. Scales so extreme that a gradient underflows to 0 or overflows in float64 are
    refused (``ValueError``) rather than returned as a NaN or infinite ratio.
    """
    weight_scale = check_real("weight_scale", weight_scale, lo=0, lo_open=True)
    depth = check_int("depth", depth, lo=2, hi=MAX_DEPTH)
    check_int("n_chains", n_chains, lo=1, hi=MAX_CHAIN_ENTRIES)  # None: one chain, not a stack
    lower = check_int("lower", lower, lo=1, hi=depth - 1)
    upper = check_int("upper", upper, lo=lower + 1, hi=depth)
    chains = random_chain(
        depth,
        seed=seed,
        n_chains=n_chains,
        weight_scale=weight_scale,
        bias_scale=bias_scale,
        a0=a0,
    )
    grad = np.abs(grad_b_analytic(chains))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        log10_ratio = np.log10(grad[:, upper - 1]) - np.log10(grad[:, lower - 1])
    if not np.all(np.isfinite(log10_ratio)):
        raise ValueError(
            "depth, weight_scale, bias_scale and a0 must keep the gradients within float64 (a "
            f"gradient underflowed to 0 or overflowed), got depth={depth!r}, "
            f"weight_scale={weight_scale!r}, bias_scale={bias_scale!r}, a0={a0!r}"
        )
    return RatioSample(
        depth=depth,
        lower=lower,
        upper=upper,
        log10_ratio=log10_ratio,
        abs_factors=np.abs(factors(chains)).ravel(),
    )


@dataclass(frozen=True)
class BalanceStudy:
    """How often the first and last layers of random chains get similar gradients.

    ``log10_ratio[i, k]`` holds, for activation ``activations[i]`` and weight
    scale ``weight_scales[k]``,
    :math:`\\log_{10}|\\partial C/\\partial b_1 / \\partial C/\\partial b_L|`
    of every chain (``-inf`` when a factor is exactly 0, as for a ReLU
    switched off). A chain is *balanced* when that ratio lies within a factor
    ``tolerance`` of 1.
    """

    activations: tuple[str, ...]
    weight_scales: np.ndarray
    depth: int
    tolerance: float
    log10_ratio: np.ndarray  # a factor of exactly 0
    max_derivative: np.ndarray

    @property
    def balanced_fraction(self) -> np.ndarray:
        """Shape ``(n_activations, n_scales)``."""
        return np.mean(np.abs(self.log10_ratio) <= np.log10(self.tolerance), axis=-1)

    @property
    def median_log10(self) -> np.ndarray:
        return np.median(self.log10_ratio, axis=-1)

    @property
    def zero_fraction(self) -> np.ndarray:
        """Shape ``(n_activations, n_scales)``: the share of chains with a factor of exactly 0
        (a first-layer gradient of exactly 0, ``log10_ratio = -inf``).
        """
        return np.mean(self.log10_ratio == -np.inf, axis=-1)

    def never_balanced(self, *activations: str) -> bool:
        """Whether not a single chain of these activations is balanced, at any weight scale.

        >>> study = BalanceStudy(("relu", "identity"), np.array([1.0]), 3, 10.0,
        ...                      np.array([[[-np.inf, 5.0]], [[0.5, 3.0]]]), np.ones(2))
        >>> study.zero_fraction.tolist()
        [[0.5], [0.0]]
        >>> study.never_balanced("relu"), study.never_balanced("relu", "identity")
        (True, False)
        """
        return max(self.best(name)[1] for name in activations) == 0

    def orders_below_band(self, *activations: str) -> int:
        """How many whole orders of magnitude the typical ratio of these activations stays
        below the balanced band at every weight scale: the floor of
        :math:`-\\max(\\text{median}) - \\log_{10}(\\text{tolerance})`, the median one
        chain's own ratio (``method="inverted_cdf"``).

        >>> study = BalanceStudy(("tanh",), np.array([1.0, 2.0]), 3, 10.0,
        ...                      np.array([[[-9.0, -8.0, -7.0], [-6.5, -5.5, -4.0]]]), np.ones(1))
        >>> study.orders_below_band("tanh")  # highest median -5.5, band from -1
        4
        """
        highest = max(
            np.percentile(
                self.log10_ratio[self.activations.index(name)], 50, axis=-1, method="inverted_cdf"
            ).max()
            for name in activations
        )
        return int(np.floor(-highest - np.log10(self.tolerance)))

    def best(self, activation: str) -> tuple[float, float]:
        """``(weight_scale, balanced_fraction)`` at the scale where ``activation`` is balanced most
        often.
        """
        i = self.activations.index(check_choice("activation", activation, self.activations))
        k = int(np.argmax(self.balanced_fraction[i]))
        return float(self.weight_scales[k]), float(self.balanced_fraction[i, k])


def balance_study(
    activation_names=("sigmoid", "tanh", "identity"),
    weight_scales=None,
    *,
    depth: int = 30,
    n_chains: int = 2000,
    tolerance: float = 10.0,
    bias_scale: float = 1.0,
    seed,
) -> BalanceStudy:
    """For each activation and weight scale, the first-to-last gradient ratio over ``n_chains``
    random chains.

    Every activation sees the *same* standard-normal draws (only scaled), so
    the comparison isolates the activation's derivative. ``weight_scales``
    (by default 31 values from 0.1 to 100) and ``bias_scale`` are at most
    :data:`MAX_SCALE`; the study evaluates at most :data:`MAX_STUDY_LAYERS` chain
    layers (activations x scales x ``n_chains`` x ``depth``).

    >>> st = balance_study(("sigmoid", "identity"), [1.0, 4.0], depth=10, n_chains=200, seed=0)
    >>> st.balanced_fraction.shape
    (2, 2)
    """
    names = _activation_names(activation_names)
    scales = (
        np.geomspace(0.1, 100.0, 31)
        if weight_scales is None
        # beyond MAX_SCALE almost every factor underflows to 0
        else check_reals("weight_scales", weight_scales, lo=0, lo_open=True, hi=MAX_SCALE)
    )
    depth = check_int("depth", depth, lo=2, hi=MAX_DEPTH)
    # at most MAX_STUDY_LAYERS chain layers in all
    most = min(MAX_CHAIN_ENTRIES, max(1, MAX_STUDY_LAYERS // (len(names) * scales.size * depth)))
    why = f" for {len(names)} activations, {scales.size} weight_scales and depth={depth}"
    n_chains = check_int("n_chains", n_chains, lo=1, hi=most, why=why)
    tolerance = check_real("tolerance", tolerance, lo=1, lo_open=True)
    bias_scale = check_real("bias_scale", bias_scale, lo=0, hi=MAX_SCALE)
    base = random_chain(depth, seed=seed, n_chains=n_chains, bias_scale=bias_scale)
    out = np.empty((len(names), scales.size, n_chains))
    max_derivative = np.empty(len(names))
    for i, name in enumerate(names):
        _, f_prime = activations.get(name)
        max_derivative[i] = float(np.max(f_prime(np.linspace(-10.0, 10.0, 20001))))
        for k, s in enumerate(scales):
            chains = Chain(s * base.weights, base.biases, base.a0, base.y, name)
            try:
                with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused below
                    z = forward(chains).z
            except ValueError:  # a weighted input overflowed float64 (activations refuse inf)
                msg = (
                    f"weight_scales must keep the weighted inputs within float64: with {name!r} "
                    f"at depth={depth} the scale {s:g} overflows"
                )
                raise ValueError(msg) from None
            # first-to-last ratio = product over k = 1..L-1 of sigma'(z_k) w_{k+1}
            # (module docstring)
            with np.errstate(divide="ignore"):
                terms = np.log10(np.abs(f_prime(z[:, :-1]))) + np.log10(
                    np.abs(chains.weights[:, 1:])
                )
            out[i, k] = terms.sum(axis=1)
    return BalanceStudy(
        activations=names,
        weight_scales=scales,
        depth=depth,
        tolerance=tolerance,
        log10_ratio=out,
        max_derivative=max_derivative,
    )


def _activation_names(activation_names) -> tuple:
    """``activation_names`` as a non-empty tuple of known activation names."""
    names = check_sequence("activation_names", activation_names, what="activation names")
    return tuple(check_choice("activation_names", a, activations.ACTIVATIONS) for a in names)
