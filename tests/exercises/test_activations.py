"""Self-checks of the chapter *Activation functions*: reference answers pass, the references
agree with computations that do not use the library, typical slips get their own hint, and no
wrong answer passes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from booktools.variants import variants
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.activations import (
    N_EXAMPLES,
    SHIFT,
    WEIGHT_NORM,
    check_dead_fraction,
    check_dead_share,
    check_relu_factor,
    dead_fraction,
    relu_factor,
)


def _phi(u):
    return 0.5 * (1 + math.erf(u / math.sqrt(2)))


# --------------------------------------------------------------------------- independent references


def test_relu_factor_is_root_of_one_third_times_one_half():
    assert relu_factor() == pytest.approx(math.sqrt(1 / 3 * 1 / 2), rel=1e-12)


def test_relu_factor_agrees_with_a_monte_carlo_layer():
    """One wide ReLU layer with U(-1/sqrt(n), 1/sqrt(n)) weights, error pushed down by hand."""
    rng = np.random.default_rng(0)
    n, batch = 1000, 200
    w = rng.uniform(-1, 1, (n, n)) / np.sqrt(n)
    z = rng.standard_normal((batch, n))
    delta_up = rng.standard_normal((batch, n))
    delta = (delta_up @ w) * (z > 0)
    ratio = np.linalg.norm(delta) / np.linalg.norm(delta_up)
    assert ratio == pytest.approx(relu_factor(), rel=0.01)


def test_dead_fraction_agrees_with_a_simulation():
    rng = np.random.default_rng(1)
    units = 400_000
    z = WEIGHT_NORM * rng.standard_normal((N_EXAMPLES, units)) - SHIFT
    simulated = np.mean(np.all(z <= 0, axis=0))
    assert simulated == pytest.approx(dead_fraction(), abs=0.003)
    assert dead_fraction() == pytest.approx(_phi(SHIFT / WEIGHT_NORM) ** N_EXAMPLES, rel=1e-12)


# ------------------------------------------------------------------- ex-activations-relu-factor


def test_relu_factor_reference_passes():
    assert check_relu_factor(relu_factor()).status == CORRECT
    assert check_relu_factor(round(relu_factor(), 2)).status == CORRECT
    assert check_relu_factor(np.float32(relu_factor())).status == CORRECT


@pytest.mark.parametrize(
    "answer, hint",
    [
        (1 / 6, "squared norm"),
        (math.sqrt(1 / 3), "f′(z) = 1 for every unit"),
        (1 / 3, "n Var(W) alone"),
        (0.5, "E[f′(z)²] alone"),
        (math.sqrt(0.5), "leaves out n Var(W)"),
        (math.sqrt(1 / 3) / 2, "You halved the norm"),
        (1.0, "He's initialisation"),
    ],
)
def test_relu_factor_slips_get_their_hint(answer, hint):
    fb = check_relu_factor(answer)
    assert fb.status == INCORRECT and hint in fb.hint


@pytest.mark.parametrize("answer", [0.0, 0.39, 0.42, -0.41, 4.1, 41])
def test_relu_factor_wrong_answers_fail_without_the_answer(answer):
    fb = check_relu_factor(answer)
    assert fb.status == INCORRECT
    assert "0.408" not in fb.message + fb.hint and "0.41" not in fb.hint


def test_relu_factor_not_attempted():
    assert check_relu_factor(...).status == NOT_ATTEMPTED


# ------------------------------------------------------------------- ex-activations-dead-fraction


def test_dead_fraction_reference_passes():
    assert check_dead_fraction(dead_fraction()).status == CORRECT
    assert check_dead_fraction(float(f"{dead_fraction():.2g}")).status == CORRECT


@pytest.mark.parametrize(
    "answer, hint",
    [
        (_phi(SHIFT / WEIGHT_NORM), "on one example"),
        (1 - _phi(SHIFT / WEIGHT_NORM) ** N_EXAMPLES, "alive"),
        (_phi(SHIFT) ** N_EXAMPLES, "standard deviation 1"),
        (_phi(SHIFT / WEIGHT_NORM**2) ** N_EXAMPLES, "variance of z"),
        ((1 - _phi(SHIFT / WEIGHT_NORM)) ** N_EXAMPLES, "Check the sign"),
        (0.5**N_EXAMPLES, "leaves out the bias"),
    ],
)
def test_dead_fraction_slips_get_their_hint(answer, hint):
    fb = check_dead_fraction(answer)
    assert fb.status == INCORRECT and hint in fb.hint, fb


@pytest.mark.parametrize("answer", [0.0, 0.1, 0.2, 1.0, 12.8, "0.9"])
def test_dead_fraction_wrong_answers_fail(answer):
    fb = check_dead_fraction(answer)
    assert fb.status == INCORRECT
    assert f"{dead_fraction():.3f}" not in fb.message + fb.hint


def test_dead_fraction_not_attempted():
    assert check_dead_fraction(None).status == NOT_ATTEMPTED


def test_dead_fraction_variants_have_their_own_answers():
    """A course may vary the shift, the batch or both: every pair the chapter lists gives an
    answer of its own, which the check accepts with the pair's numbers and nowhere else."""
    shifts, batches = variants("activations", "SHIFT"), variants("activations", "N_EXAMPLES")
    assert (shifts[0], batches[0]) == (SHIFT, N_EXAMPLES)
    rule = check_dead_fraction.rule
    answers = {}
    for shift, n in itertools.product(shifts, batches):
        below = 0.5 * math.erfc(-shift / WEIGHT_NORM / math.sqrt(2))  # the chapter's solution
        answers[shift, n] = below**n
        assert check_dead_fraction(below**n, shift=shift, n_examples=n).status == CORRECT
        one = check_dead_fraction(below, shift=shift, n_examples=n)
        assert one.status == INCORRECT and "on one example" in one.hint, (shift, n)
        for fb in (one, check_dead_fraction(0.0, shift=shift, n_examples=n)):
            assert f"{below**n:.2g}" not in fb.message + fb.hint, (shift, n)
    for (c1, a1), (c2, a2) in itertools.combinations(answers.items(), 2):
        assert not rule.accepts(a1, a2) and not rule.accepts(a2, a1), (c1, c2)
    assert "n_examples must" in check_dead_fraction(0.1, n_examples=1).message
    assert "shift must" in check_dead_fraction(0.1, shift=-1.0).message


# ------------------------------------------------------------------- ex-activations-dead-share


def _loops(z):
    """Dead units by two loops, for an independent reference."""
    z = np.asarray(z)
    dead = 0
    for j in range(z.shape[1]):
        if all(z[i, j] <= 0 for i in range(z.shape[0])):
            dead += 1
    return dead / z.shape[1]


def test_dead_share_reference_agrees_with_loops_and_passes():
    from vgp_lib.exercises.activations import _test_batches, dead_share_reference

    for z in _test_batches():
        assert dead_share_reference(z) == pytest.approx(_loops(z), abs=1e-15)
    assert check_dead_share(dead_share_reference).status == CORRECT
    assert check_dead_share(_loops).status == CORRECT


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda z: float(np.mean(np.any(z <= 0, axis=0))), "on some example"),
        (lambda z: float(np.mean(np.all(z < 0, axis=0))), "z = 0"),
        (lambda z: float(np.mean(np.all(z <= 0, axis=1))), "Rows are examples"),
        (lambda z: float(np.sum(np.all(z <= 0, axis=0))), "number of dead units"),
        (lambda z: 7.0, "between 0 and 1"),
    ],
)
def test_dead_share_slips_get_their_hint(fn, hint):
    fb = check_dead_share(fn)
    assert fb.status == INCORRECT and hint in fb.hint, fb


def test_dead_share_refuses_non_functions_crashes_and_endless_loops():
    assert check_dead_share(...).status == NOT_ATTEMPTED
    assert check_dead_share(lambda z: ...).status == NOT_ATTEMPTED
    assert check_dead_share(0.5).status == INCORRECT
    assert "raised" in check_dead_share(lambda z: 1 / 0).message

    def forever(z):
        while True:
            pass

    assert "did not return" in check_dead_share(forever).message


def test_a_float32_dead_share_is_exact_up_to_its_rounding():
    """ "Exact up to rounding": a share computed in float32 (NumPy or torch) is rounded to
    float32, and passes; a wrong share in float32 still gets its hint."""
    import torch

    from vgp_lib.exercises.activations import dead_share_reference

    for cast in (np.float32, lambda v: torch.tensor(v, dtype=torch.float32)):
        assert check_dead_share(lambda z, cast=cast: cast(dead_share_reference(z))).correct
    fb = check_dead_share(lambda z: np.float32(np.mean(np.any(z <= 0.0, axis=0))))
    assert fb.status == INCORRECT and "some example" in fb.hint
    off = check_dead_share(lambda z: np.float32(dead_share_reference(z) + 1e-3))
    assert off.status == INCORRECT
