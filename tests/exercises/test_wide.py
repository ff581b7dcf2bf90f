"""Self-checks of the chapter *Wide networks*: reference answers pass, the references agree
with computations that do not use the library, typical mistakes get their own hint, and
no wrong answer passes or is told the answer."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest

from booktools.variants import variants
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.wide import (
    CRITICAL_SIGMA_B2,
    HE_BIAS_LAYERS,
    HE_BIAS_SIGMA_B2,
    check_nielsen_shrink,
    check_relu_chi,
    check_tanh_critical,
    he_with_biases,
    nielsen_shrink,
    relu_chis,
    tanh_critical_sigma_w,
)


def _shows(value, fb, precision) -> bool:
    """Whether the feedback ``fb`` writes a number equal to ``value`` at ``precision``."""
    shown = re.findall(r"\d+\.?\d*", fb.message + fb.hint)
    return any(precision.accepts(float(n), value) for n in shown)


# --------------------------------------------------------------------------- independent references


def _sigmoid(u):
    return 1 / (1 + np.exp(-u))


def _mc_fixed_point(phi, sigma_w2, sigma_b2, z, iterations=50):
    """q* by iterating the variance map, with expectations as Monte Carlo means over z."""
    q = 1.0
    for _ in range(iterations):
        q = sigma_w2 * np.mean(phi(np.sqrt(q) * z) ** 2) + sigma_b2
    return q


@pytest.fixture(scope="module")
def z():
    return np.random.default_rng(0).standard_normal(1_000_000)


def test_tanh_critical_sigma_w_at_zero_bias_is_one():
    assert math.isclose(tanh_critical_sigma_w()[0], 1.0, rel_tol=1e-6)


def test_tanh_critical_point_with_bias_has_chi_one_by_monte_carlo(z):
    sigma_w2 = tanh_critical_sigma_w()[1] ** 2
    q = _mc_fixed_point(np.tanh, sigma_w2, CRITICAL_SIGMA_B2, z)
    chi = sigma_w2 * np.mean((1 - np.tanh(np.sqrt(q) * z) ** 2) ** 2)
    assert chi == pytest.approx(1.0, rel=5e-3)
    assert tanh_critical_sigma_w()[1] > 1.0  # a bias pushes the critical line to larger weights


def test_nielsen_shrink_matches_monte_carlo(z):
    q = _mc_fixed_point(_sigmoid, 1.0, 1.0, z)
    s = _sigmoid(np.sqrt(q) * z)
    chi = np.mean((s * (1 - s)) ** 2)
    assert nielsen_shrink() == pytest.approx(1 / math.sqrt(chi), rel=2e-3)


# --------------------------------------------------------------------------- ex-wide-relu-he


def test_he_with_biases_is_chi_one_and_ten_biases_added():
    chi, q = he_with_biases()
    assert chi == 1.0
    assert q == pytest.approx(1.0 + HE_BIAS_LAYERS * HE_BIAS_SIGMA_B2, rel=1e-12)


def test_he_with_biases_variance_matches_monte_carlo(z):
    q = 1.0
    for _ in range(HE_BIAS_LAYERS):
        q = 2.0 * np.mean(np.maximum(0.0, np.sqrt(q) * z) ** 2) + HE_BIAS_SIGMA_B2
    assert he_with_biases()[1] == pytest.approx(q, rel=2e-2)  # sampling error, ten steps


def test_relu_reference_passes():
    assert check_relu_chi((1.0, 2.0)).status == CORRECT
    assert check_relu_chi(np.array([1.0, 2.0], dtype=np.float32)).status == CORRECT
    assert check_relu_chi(he_with_biases()).status == CORRECT


@pytest.mark.parametrize(
    "answer, hint",
    [
        ((2.0, 2.0), "only where z > 0"),
        ((0.5, 2.0), "E[σ′(z)²] alone"),
        ((math.sqrt(2) / 2, 2.0), "not σ_w"),
        ((1.0, 1.0), "leaves out the biases"),
        ((1.0, 1.1**10), "do not multiply"),
        ((1.0, 2.1), "runs 10 times, not 11"),
        ((1.0, 1.9), "runs 10 times, not 9"),
        ((1.0, 1126.3), "negative half"),
    ],
)
def test_relu_typical_mistakes_get_specific_hints(answer, hint):
    fb = check_relu_chi(answer)
    assert fb.status == INCORRECT and hint in fb.hint


def test_relu_other_wrong_answers_get_a_direction_but_not_the_answer():
    big, small = check_relu_chi((3.0, 2.0)), check_relu_chi((0.8, 2.0))
    q_big, q_small = check_relu_chi((1.0, 5.0)), check_relu_chi((1.0, 1.5))
    assert big.status == small.status == q_big.status == q_small.status == INCORRECT
    assert "too large" in big.message and "too small" in small.message
    assert "too large" in q_big.message and "too small" in q_small.message
    for fb in (big, small, q_big, q_small):
        assert "χ = 1" not in fb.hint and "expected" not in fb.message + fb.hint
        assert "2.0" not in fb.message + fb.hint and " 2 " not in fb.message + fb.hint


def test_relu_not_attempted_and_junk():
    assert check_relu_chi(...).status == NOT_ATTEMPTED
    for junk in ("1.0", 1.0, None, [1.0], (math.nan, 2.0), (10**400, 2.0), (True, 2.0)):
        assert check_relu_chi(junk).status != CORRECT, junk


def test_relu_chis_of_he_and_xavier_are_one_and_one_half():
    assert relu_chis() == (1.0, 0.5)


def test_relu_he_variants_have_their_own_answers():
    """A course may vary the bias variance, the number of layers or both: every pair the chapter
    lists gives a variance of its own, which the check accepts with the pair's numbers only."""
    b2s, layers = variants("wide", "HE_BIAS_SIGMA_B2"), variants("wide", "HE_BIAS_LAYERS")
    assert (b2s[0], layers[0]) == (HE_BIAS_SIGMA_B2, HE_BIAS_LAYERS)
    rule = check_relu_chi.rule
    answers = {}
    for b2, n in itertools.product(b2s, layers):
        q = 1.0
        for _ in range(n):
            q = 2.0 * q / 2 + b2  # the chapter's solution
        answers[b2, n] = (1.0, q)
        assert he_with_biases(b2, n) == pytest.approx((1.0, q), rel=1e-12)
        assert check_relu_chi((1.0, q), sigma_b2=b2, layers=n).status == CORRECT, (b2, n)
        fb = check_relu_chi((1.0, q + b2), sigma_b2=b2, layers=n)
        assert fb.status == INCORRECT and f"runs {n} times, not {n + 1}" in fb.hint, (b2, n)
        assert f"layer {n + 1}" in fb.hint and not _shows(q, fb, rule.second)
        fb = check_relu_chi((1.0, (1 + b2) ** n), sigma_b2=b2, layers=n)
        assert fb.status == INCORRECT and "do not multiply" in fb.hint, (b2, n)
    for (c1, a1), (c2, a2) in itertools.combinations(answers.items(), 2):
        assert not rule.accepts(a1, a2) and not rule.accepts(a2, a1), (c1, c2)
    assert "layers must" in check_relu_chi((1.0, 2.0), layers=1).message
    assert "sigma_b2 must" in check_relu_chi((1.0, 2.0), sigma_b2=0.0).message


# --------------------------------------------------------------------------- ex-wide-tanh-critical


def test_tanh_critical_reference_passes_in_any_pair_form():
    ref = tanh_critical_sigma_w()
    assert check_tanh_critical(ref).status == CORRECT
    assert check_tanh_critical(list(ref)).status == CORRECT
    assert check_tanh_critical(np.array(ref)).status == CORRECT
    rounded = (float(f"{ref[0]:.3g}"), float(f"{ref[1]:.3g}"))
    assert check_tanh_critical(rounded).status == CORRECT


def test_tanh_critical_first_item_mistakes():
    ref_b = tanh_critical_sigma_w()[1]
    for wrong, hint in ((math.sqrt(2), "He's σ_w"), (2.0, "He's σ_w²"), (4.0, "sigmoid")):
        fb = check_tanh_critical((wrong, ref_b))
        assert fb.status == INCORRECT and hint in fb.hint, (wrong, fb)
    assert "chaotic" in check_tanh_critical((1.5, ref_b)).hint
    assert "vanish" in check_tanh_critical((0.5, ref_b)).hint


def test_tanh_critical_second_item_mistakes():
    ref0, ref_b = tanh_critical_sigma_w()
    squared = check_tanh_critical((ref0, ref_b**2))
    assert squared.status == INCORRECT and "σ_w², the weights' variance" in squared.hint
    same = check_tanh_critical((ref0, ref0))
    assert same.status == INCORRECT and "changes" in same.hint
    from vgp_lib.meanfield import critical_sigma_w2

    as_sd = check_tanh_critical((ref0, math.sqrt(critical_sigma_w2("tanh", CRITICAL_SIGMA_B2**2))))
    assert as_sd.status == INCORRECT and "variance of the biases" in as_sd.hint


def test_tanh_critical_never_tells_the_answer():
    ref0, ref_b = tanh_critical_sigma_w()
    for answer in ((1.0, 3.0), (1.0, 1.01), (0.9, ref_b), (1.0, 0.2)):
        fb = check_tanh_critical(answer)
        assert fb.status == INCORRECT
        assert f"{ref_b:.3g}" not in fb.message + fb.hint


def test_tanh_critical_variants_have_their_own_answers():
    """Every bias variance the chapter lists gives a critical σ_w of its own, found by the
    chapter's bisection, which the check accepts with that variance only."""
    book, *others = variants("wide", "CRITICAL_SIGMA_B2")
    assert book == CRITICAL_SIGMA_B2
    from vgp_lib.meanfield import mean_field

    rule = check_tanh_critical.rule
    answers = {}
    for b2 in (book, *others):
        lo, hi = 1.0, 2.0  # the chapter's solution
        assert mean_field("tanh", lo**2, b2).chi < 1 < mean_field("tanh", hi**2, b2).chi
        while hi - lo > 1e-9:
            mid = (lo + hi) / 2
            lo, hi = (lo, mid) if mean_field("tanh", mid**2, b2).chi > 1 else (mid, hi)
        answers[b2] = (1.0, (lo + hi) / 2)
        assert tanh_critical_sigma_w(b2) == pytest.approx(answers[b2], rel=1e-6)
        assert check_tanh_critical(answers[b2], sigma_b2=b2).status == CORRECT, b2
        fb = check_tanh_critical((1.0, 1.0), sigma_b2=b2)
        assert fb.status == INCORRECT and "changes" in fb.hint, b2
        fb = check_tanh_critical((1.0, answers[b2][1] ** 2), sigma_b2=b2)
        assert fb.status == INCORRECT and not _shows(answers[b2][1], fb, rule.second)
        if b2 != book:
            assert check_tanh_critical(answers[book], sigma_b2=b2).status == INCORRECT, b2
        assert f"{b2:g})" in check_tanh_critical(..., sigma_b2=b2).message
    for (c1, a1), (c2, a2) in itertools.combinations(answers.items(), 2):
        assert not rule.accepts(a1, a2) and not rule.accepts(a2, a1), (c1, c2)
    assert "sigma_b2 must" in check_tanh_critical((1.0, 1.3), sigma_b2=0.0).message


def test_tanh_critical_not_attempted_and_junk():
    assert check_tanh_critical(...).status == NOT_ATTEMPTED
    for junk in (1.0, "1, 1.1", (1.0,), (1.0, 2.0, 3.0), (1.0, "x"), {1.0, 2.0}, np.ones((2, 2))):
        fb = check_tanh_critical(junk)
        assert fb.status == INCORRECT and "pair" in fb.message, junk


# --------------------------------------------------------------------------- ex-wide-nielsen-shrink


def test_nielsen_shrink_reference_passes_and_monte_carlo_is_good_enough(z):
    assert check_nielsen_shrink(nielsen_shrink()).status == CORRECT
    assert check_nielsen_shrink(nielsen_shrink() * 1.008).status == CORRECT
    assert check_nielsen_shrink(nielsen_shrink() * 1.02).status == INCORRECT


@pytest.mark.parametrize(
    "make, hint",
    [
        (lambda s: 1 / s**2, "That is χ"),
        (lambda s: s**2, "squared norm"),
        (lambda s: 1 / s, "a multiplier"),
        (lambda s: 4.0, "sits at 0"),
    ],
)
def test_nielsen_shrink_typical_mistakes_get_specific_hints(make, hint):
    fb = check_nielsen_shrink(make(nielsen_shrink()))
    assert fb.status == INCORRECT and hint in fb.hint


def test_nielsen_shrink_wrong_variance_is_named():
    from vgp_lib.meanfield import mean_field

    no_bias = check_nielsen_shrink(mean_field("sigmoid", 1.0, 0.0).shrink)
    assert no_bias.status == INCORRECT and "leaves out the biases" in no_bias.hint
    z, w = np.polynomial.hermite_e.hermegauss(101)
    s = _sigmoid(z)
    at_one = 1 / math.sqrt(np.sum(w * (s * (1 - s)) ** 2) / math.sqrt(2 * math.pi))
    fb = check_nielsen_shrink(at_one)
    assert fb.status == INCORRECT and "variance 1" in fb.hint


def test_nielsen_shrink_not_attempted_and_junk():
    assert check_nielsen_shrink(...).status == NOT_ATTEMPTED
    for junk in ("five", [5.0], math.inf, -nielsen_shrink()):
        assert check_nielsen_shrink(junk).status == INCORRECT


def test_every_check_states_its_precision():
    assert check_relu_chi.precision == "each number to 3 significant figures"
    assert check_tanh_critical.precision == "each σ_w to 3 significant figures"
    assert check_nielsen_shrink.precision == "within 1 %"
