"""Self-checks for the exercises of the chapter *Wide networks: the gradient as a product of
random matrices*.

The references come from :mod:`vgp_lib.meanfield`; the wrong values the hints recognise
(a forgotten square root, weighted inputs of variance 1 instead of q*, ...) are computed
here by the same Gauss–Hermite quadrature, so that a slip is named only when the answer
matches it to the stated precision.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .. import activations
from .._validate import check_int, check_real
from ..meanfield import critical_sigma_w2, mean_field, phase_grid, variance_map
from . import (
    CORRECT,
    INCORRECT,
    Feedback,
    Pair,
    Relative,
    SignificantFigures,
    as_number,
    check,
    close_to,
    not_attempted,
    pending,
    read_pair,
)

#: The bias variance of the second point asked for on tanh's critical line (a course may vary
#: it), and the range it may take: below it the critical σ_w hardly moves from 1, above it the
#: chapter's phase diagram stops.
CRITICAL_SIGMA_B2 = 0.05
MIN_CRITICAL_SIGMA_B2, MAX_CRITICAL_SIGMA_B2 = 0.01, 0.5
#: Nielsen's initialisation in mean-field terms: weights N(0, 1/n_in), biases N(0, 1).
NIELSEN_SIGMA_W2, NIELSEN_SIGMA_B2 = 1.0, 1.0
#: Nodes of the quadrature behind the hints (the references use the library's).
_NODES = 101


def _mean_square_prime(activation: str, q: float) -> float:
    """E[σ'(√q z)²] for z ~ N(0, 1), by Gauss–Hermite quadrature (probabilists' weights)."""
    z, w = np.polynomial.hermite_e.hermegauss(_NODES)
    prime = activations.get(activation)[1]
    return float(np.sum(w * prime(math.sqrt(q) * z) ** 2) / math.sqrt(2 * math.pi))


# --------------------------------------------------------------------------- ReLU with He


#: σ_w² of He's initialisation (variance 2/n) and of Xavier's for a square layer (1/n).
HE_SIGMA_W2, XAVIER_SIGMA_W2 = 2.0, 1.0
#: The bias variance added to He's rule in ``ex-wide-relu-he``, and the layers it asks about
#: (a course may vary both); their ranges keep every slip the hints recognise a float.
HE_BIAS_SIGMA_B2, HE_BIAS_LAYERS = 0.1, 10
MAX_HE_BIAS_SIGMA_B2, MAX_HE_BIAS_LAYERS = 1.0, 100


def relu_chis() -> tuple[float, float]:
    """χ of a ReLU network with He's and with Xavier's initialisation, biases 0 (eq.
    ``eq-wide-chi``): the reason He's rule works, stated in the text after ``ex-wide-relu-he``.
    """
    return tuple(float(mean_field("relu", w2, 0.0).chi) for w2 in (HE_SIGMA_W2, XAVIER_SIGMA_W2))


def _he_numbers(sigma_b2, layers) -> tuple[float, int]:
    sigma_b2 = check_real("sigma_b2", sigma_b2, lo=0.0, lo_open=True, hi=MAX_HE_BIAS_SIGMA_B2)
    return sigma_b2, check_int("layers", layers, lo=2, hi=MAX_HE_BIAS_LAYERS)


def he_with_biases(
    sigma_b2: float = HE_BIAS_SIGMA_B2, layers: int = HE_BIAS_LAYERS
) -> tuple[float, float]:
    """``(χ, q^{1+layers})`` for a ReLU network with He's weights and biases of variance
    ``sigma_b2``, whose first layer's weighted inputs have variance 1 (the reference of
    ``ex-wide-relu-he``, whose book asks for 0.1 and 10 layers; eqs. ``eq-wide-qmap`` and
    ``eq-wide-chi``).
    """
    sigma_b2, layers = _he_numbers(sigma_b2, layers)
    # no fixed point here (the variance grows without bound), but chi needs none for the ReLU
    chi = float(phase_grid("relu", [HE_SIGMA_W2], [sigma_b2]).chi[0, 0])
    q = 1.0
    for _ in range(layers):
        q = variance_map(q, "relu", HE_SIGMA_W2, sigma_b2)
    return chi, float(q)


def _relu_q(sigma_w2: float, sigma_b2: float, steps: int, *, half: float = 0.5) -> float:
    """q after ``steps`` layers of q -> sigma_w2 * half * q + sigma_b2, from 1 (for the slips)."""
    q = 1.0
    for _ in range(steps):
        q = sigma_w2 * half * q + sigma_b2
    return q


_HALF = "the ReLU passes the gradient only where z > 0. How often is that, for z symmetric about 0?"
_SQUARE = "σ′ of the ReLU is 0 or 1, so σ′² = σ′, and χ = σ_w² E[σ′(z)²]."


@check(
    "ex-wide-relu-he",
    Pair(SignificantFigures(3), SignificantFigures(3), "each number to 3 significant figures"),
)
def check_relu_chi(
    answer, sigma_b2: float = HE_BIAS_SIGMA_B2, layers: int = HE_BIAS_LAYERS
) -> Feedback:
    """Check ``(χ, q after layers layers)`` for a ReLU network with He's weights and biases of
    variance ``sigma_b2`` (the chapter passes ``HE_BIAS_SIGMA_B2`` and ``HE_BIAS_LAYERS``).

    >>> check_relu_chi((2.0, 1.0)).correct  # sigma_w2 alone forgets the ReLU's zeros
    False
    """
    ex = "ex-wide-relu-he"
    sigma_b2, steps = _he_numbers(sigma_b2, layers)
    if not_attempted(answer):
        return pending(ex, "a pair (chi, q)")
    pair, problem = read_pair(answer)
    if problem:
        return Feedback(
            ex, INCORRECT, f"the answer should be a pair of numbers (chi, q), {problem}."
        )
    rule = check_relu_chi.rule
    (chi, q), (ref_chi, ref_q) = pair, he_with_biases(sigma_b2, steps)
    if rule.accepts(pair, (ref_chi, ref_q)):
        return Feedback(
            ex,
            CORRECT,
            f"χ = {chi:.4g} and q = {q:.4g} after {steps} layers ({rule.phrase}): the "
            "biases make the forward variance drift, and leave the gradient's multiplier alone.",
        )
    if not rule.first.accepts(chi, ref_chi):
        return close_to(
            ex,
            chi,
            ref_chi,
            precision=rule.first,
            what="χ",
            hints=[
                (HE_SIGMA_W2, "That takes σ′(z) = 1 for every unit; " + _HALF),
                (0.5, "That is E[σ′(z)²] alone, or σ_w² times its square; " + _SQUARE),
                (
                    math.sqrt(HE_SIGMA_W2) / 2,
                    "He's rule sets σ_w², the weights' variance, not σ_w.",
                ),
            ],
            too_large="χ ≤ σ_w² max σ′²; the ReLU's σ′ is 0 on half of the weighted inputs.",
            too_small="The biases change q, but does E[σ′(z)²] of the ReLU depend on the variance "
            "of z? Count how often σ′(z) is 1.",
        )
    top = steps + 1  # the layer the question asks about
    return close_to(
        ex,
        q,
        ref_q,
        precision=rule.second,
        what=f"q after {steps} layers",
        hints=[
            (1.0, "That leaves out the biases: every layer adds σ_b² to the variance."),
            (
                (1.0 + sigma_b2) ** steps,
                "The biases add σ_b² to the variance in each layer; they do not multiply it.",
            ),
            (
                _relu_q(HE_SIGMA_W2, sigma_b2, steps + 1),
                f"From layer 1 to layer {top} the map runs {steps} times, not {steps + 1}.",
            ),
            (
                _relu_q(HE_SIGMA_W2, sigma_b2, steps - 1),
                f"From layer 1 to layer {top} the map runs {steps} times, not {steps - 1}.",
            ),
            (
                _relu_q(XAVIER_SIGMA_W2, sigma_b2, steps),
                "That uses Xavier's σ_w²; the question keeps He's weights.",
            ),
            (
                _relu_q(HE_SIGMA_W2, sigma_b2, steps, half=1.0),
                "That forgets that the ReLU sets the negative half of z to 0: what is "
                "E[max(0, z)²] for z of variance q?",
            ),
        ],
        too_large="Run the variance map one layer at a time: what is E[max(0, z)²] for z of "
        "variance q?",
        too_small="Run the variance map one layer at a time: the biases add to the variance in "
        "every layer.",
    )


# --------------------------------------------------------------------------- tanh's critical line


def _critical_b2(sigma_b2) -> float:
    return check_real("sigma_b2", sigma_b2, lo=MIN_CRITICAL_SIGMA_B2, hi=MAX_CRITICAL_SIGMA_B2)


def tanh_critical_sigma_w(sigma_b2: float = CRITICAL_SIGMA_B2) -> tuple[float, float]:
    """``(σ_w at σ_b² = 0, σ_w at σ_b² = sigma_b2)`` on tanh's critical line χ = 1 (the
    reference of ``ex-wide-tanh-critical``, whose book asks for σ_b² = 0.05).
    """
    return _tanh_critical(_critical_b2(sigma_b2))


@functools.cache
def _tanh_critical(sigma_b2: float) -> tuple[float, float]:
    return tuple(math.sqrt(critical_sigma_w2("tanh", b2)) for b2 in (0.0, sigma_b2))


@functools.cache
def _critical_sigma_w_at_sd(sigma_b2: float) -> float:
    """The critical σ_w for σ_b = sigma_b2, the slip of taking the variance for σ_b."""
    return math.sqrt(critical_sigma_w2("tanh", sigma_b2**2))


@check(
    "ex-wide-tanh-critical",
    Pair(
        SignificantFigures(3),
        SignificantFigures(3),
        "each σ_w to 3 significant figures",
    ),
)
def check_tanh_critical(answer, sigma_b2: float = CRITICAL_SIGMA_B2) -> Feedback:
    """Check ``(σ_w at σ_b = 0, σ_w at σ_b² = sigma_b2)`` on tanh's critical line χ = 1 (the
    chapter passes ``CRITICAL_SIGMA_B2``)."""
    ex = "ex-wide-tanh-critical"
    sb2 = _critical_b2(sigma_b2)
    if not_attempted(answer):
        return pending(ex, f"a pair (sigma_w at sigma_b2 = 0, sigma_w at sigma_b2 = {sb2:g})")
    pair, problem = read_pair(answer)
    if problem:
        return Feedback(
            ex,
            INCORRECT,
            f"the answer should be a pair of numbers (sigma_w_0, sigma_w_b), {problem}.",
        )
    rule = check_tanh_critical.rule
    (got0, got_b), (ref0, ref_b) = pair, tanh_critical_sigma_w(sb2)
    if rule.accepts(pair, (ref0, ref_b)):
        return Feedback(
            ex,
            CORRECT,
            f"σ_w = {got0:.4g} at σ_b = 0 and {got_b:.4g} at σ_b² = {sb2:g}: "
            f"both on the critical line ({rule.phrase}).",
        )
    if not rule.first.accepts(got0, ref0):
        return close_to(
            ex,
            got0,
            ref0,
            precision=rule.first,
            what="σ_w at σ_b = 0",
            hints=[
                (
                    math.sqrt(2.0),
                    "√2 is He's σ_w for the ReLU, which passes only half of the gradient. With "
                    "σ_b = 0, where does tanh's q* sit, and what is tanh′ there?",
                ),
                (2.0, "2 is He's σ_w² for the ReLU; tanh passes the whole gradient near h = 0."),
                (
                    4.0,
                    "4 = 1/σ′(0) belongs to the sigmoid; this exercise is about tanh, whose "
                    "derivative at 0 is 1.",
                ),
            ],
            too_large="At that σ_w, χ > 1: the network is chaotic. With σ_b = 0, where does "
            "the variance map's fixed point q* sit, and what is tanh′ there?",
            too_small="At that σ_w, χ < 1: gradients still vanish. Work out χ at the fixed point "
            "q* of the variance map.",
        )
    squared = ref_b**2
    return close_to(
        ex,
        got_b,
        ref_b,
        precision=rule.second,
        what=f"σ_w at σ_b² = {sb2:g}",
        hints=[
            (
                squared,
                "That is σ_w², the weights' variance; the question asks for σ_w itself.",
            ),
            (
                ref0,
                "A bias of non-zero variance moves q* away from 0, where tanh′ is smaller: "
                "the critical σ_w changes.",
            ),
            (
                _critical_sigma_w_at_sd(sb2),
                f"That takes σ_b = {sb2:g}; {sb2:g} is σ_b², the variance of the biases.",
            ),
        ],
        too_large=f"At that σ_w, χ > 1 for σ_b² = {sb2:g}: the network is on the chaotic side.",
        too_small=f"At that σ_w, χ < 1 for σ_b² = {sb2:g}: gradients still vanish.",
    )


# --------------------------------------------------------------------------- Nielsen's network


def nielsen_shrink() -> float:
    """The per-layer shrink 1/√χ of ‖δ‖ that mean-field theory predicts for Nielsen's sigmoid
    network, σ_w² = 1 and σ_b² = 1 (the reference of ``ex-wide-nielsen-shrink``).
    """
    return float(mean_field("sigmoid", NIELSEN_SIGMA_W2, NIELSEN_SIGMA_B2).shrink)


@check("ex-wide-nielsen-shrink", Relative(0.01))
def check_nielsen_shrink(answer) -> Feedback:
    """Check the predicted per-layer shrink of ‖δ‖ in Nielsen's sigmoid network.

    The reference is 1/√χ with χ at the fixed point q* of σ_w² = σ_b² = 1; answers within 1 % pass
    (a Monte Carlo estimate with a million samples is good enough).
    """
    ex = "ex-wide-nielsen-shrink"
    value, problem = as_number(
        ex, answer, "the factor by which ‖δ‖ shrinks per layer (a number > 1)"
    )
    if problem:
        return problem
    field = mean_field("sigmoid", NIELSEN_SIGMA_W2, NIELSEN_SIGMA_B2)
    chi = field.chi
    at_one = NIELSEN_SIGMA_W2 * _mean_square_prime("sigmoid", 1.0)
    no_bias = mean_field("sigmoid", NIELSEN_SIGMA_W2, 0.0).shrink
    return close_to(
        ex,
        value,
        field.shrink,
        precision=check_nielsen_shrink.rule,
        what="predicted shrink per layer",
        hints=[
            (
                chi,
                "That is χ, the multiplier of the squared norm; the question asks by what "
                "factor the norm itself shrinks.",
            ),
            (
                1 / chi,
                "That is the shrink of the squared norm ‖δ‖², not of the norm ‖δ‖ the question "
                "asks about.",
            ),
            (
                math.sqrt(chi),
                "That is the factor ‖δ‖ is multiplied by going down a layer, a multiplier; the "
                "question asks for the shrink, how many times smaller ‖δ‖ gets.",
            ),
            (
                4.0,
                "4 = 1/σ′(0) assumes every weighted input sits at 0; they spread with variance q*.",
            ),
            (
                1 / math.sqrt(at_one),
                "That averages σ′² over weighted inputs of variance 1; in the network they have "
                "the variance q* of the fixed point of the variance map.",
            ),
            (
                no_bias,
                "That leaves out the biases: they add σ_b² = 1 to the variance of every "
                "weighted input.",
            ),
        ],
        too_large="σ′ is not that small on average: check E[σ′(h)²] at the fixed point q*.",
        too_small="The shrink is 1/√χ, and χ = σ_w² E[σ′(h)²] is well below 1 for the sigmoid.",
    )
