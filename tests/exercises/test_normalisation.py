"""The checks of the chapter *Normalisation*: references agree with independent computations,
typical slips get their hint, wrong answers fail.
"""

import itertools
import math
import re

import numpy as np
import pytest
import torch

from booktools.variants import variants
from vgp_lib.exercises import normalisation as ex


def test_small_batch_reference_agrees_with_autograd():
    y = torch.tensor(ex.SMALL_Y, dtype=torch.float64, requires_grad=True)
    bn = torch.nn.BatchNorm1d(1, eps=1e-30, dtype=torch.float64)  # eps = 0 is refused
    g = torch.tensor(ex.SMALL_G, dtype=torch.float64)
    bn(y[:, None]).backward(g[:, None])
    expected = float(y.grad.norm() / g.norm())
    assert ex.small_batch_scale() == pytest.approx(expected, rel=1e-12)
    assert ex.check_small_batch(expected).correct
    assert ex.check_small_batch(round(expected, 2)).correct


@pytest.mark.parametrize(
    "slip, words",
    [
        (1 / np.std(ex.SMALL_Y), "division by σ_B alone"),
        (ex._small(ex.SMALL_Y, ex.SMALL_G, ddof=1), "unbiased estimate"),
        (ex._small(ex.SMALL_Y, ex.SMALL_G, keep=("one",)), "along x̂"),
        (np.std(ex.SMALL_Y), "σ_B itself"),
    ],
)
def test_small_batch_slips_get_their_hint(slip, words):
    fb = ex.check_small_batch(slip)
    assert not fb.correct
    assert words in fb.hint


def test_small_batch_wrong_answers_fail_without_the_answer():
    ref = ex.small_batch_scale()
    for wrong in (0.0, -1.0, 2 * ref, ref / 2, "abc", float("nan"), [1, 2]):
        fb = ex.check_small_batch(wrong)
        assert not fb.correct
        assert f"{ref:.3g}" not in fb.message + fb.hint


def _autograd_factor(y, g):
    """The chapter's check of its solution: PyTorch's batch norm, eps negligible."""
    yt = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    bn = torch.nn.BatchNorm1d(1, eps=1e-30, dtype=torch.float64)
    gt = torch.tensor(g, dtype=torch.float64)
    bn(yt[:, None]).backward(gt[:, None])
    return float(yt.grad.norm() / gt.norm())


def test_small_batch_variants_have_their_own_answers():
    """A course may vary the batch, the error or both: every pair the chapter lists gives a
    factor of its own, which the check accepts with the pair's numbers and nowhere else."""
    ys, gs = variants("normalisation", "SMALL_Y"), variants("normalisation", "SMALL_G")
    assert (ys[0], gs[0]) == (ex.SMALL_Y, ex.SMALL_G)
    rule = ex.check_small_batch.rule
    book = ex.small_batch_scale()
    answers = {}
    for y, g in itertools.product(ys, gs):
        assert len(y) == len(g) == 4  # the exercise's title: a batch of four
        answers[y, g] = factor = _autograd_factor(y, g)
        assert ex.small_batch_scale(y, g) == pytest.approx(factor, rel=1e-9)
        assert ex.check_small_batch(factor, y=list(y), g=np.array(g)).correct  # as handed in
        assert np.std(y) < 0.25  # the hint "far below 1" holds
        slip = ex.check_small_batch(1 / np.std(y), y=y, g=g)  # g not orthogonal to 1 and x_hat
        assert not slip.correct and "division by σ_B alone" in slip.hint, (y, g)
        along = ex.check_small_batch(ex._small(y, g, keep=("one",)), y=y, g=g)
        assert not along.correct and "along x̂" in along.hint, (y, g)
        for fb in (slip, along, ex.check_small_batch(0.0, y=y, g=g)):
            shown = re.findall(r"\d+\.?\d*", fb.message + fb.hint)
            assert not any(rule.accepts(float(n), factor) for n in shown), (y, g, fb)
        if (y, g) != (ys[0], gs[0]):
            assert not ex.check_small_batch(book, y=y, g=g).correct, (y, g)
    for (c1, a1), (c2, a2) in itertools.combinations(answers.items(), 2):
        assert not rule.accepts(a1, a2) and not rule.accepts(a2, a1), (c1, c2)
    assert "4 numbers" in ex.check_small_batch(1.0, y=(0.1, 0.2, 0.3)).message
    assert "y must vary" in ex.check_small_batch(1.0, y=(0.2,) * 4).message
    assert "g must" in ex.check_small_batch(1.0, g=(0.0,) * 4).message


def test_predict_reference_agrees_with_the_sigmoid_of_a_unit_normal():
    z = np.random.default_rng(0).standard_normal(400_000)
    s = 1 / (1 + np.exp(-z))
    rms = math.sqrt(np.mean((s * (1 - s)) ** 2))
    scale = 1 / (math.sqrt(1 / 3) * s.std())
    ref_rms, ref_scale = ex.batch_norm_factors()
    assert ref_rms == pytest.approx(rms, rel=0.05)
    assert ref_scale == pytest.approx(scale, rel=0.1)
    assert ex.check_predict((rms, scale)).correct


@pytest.mark.parametrize(
    "answer, words",
    [
        ((0.25, 8.5), "peak"),
        ((0.245, 8.5), "without normalisation"),
        ((0.21, 1.0), "before it is normalised"),
        ((0.21, math.sqrt(3)), "spread of a = σ(z) to be 1"),
    ],
)
def test_predict_slips_get_their_hint(answer, words):
    fb = ex.check_predict(answer)
    assert not fb.correct
    assert words in fb.hint


def test_predict_refuses_non_pairs_and_wrong_pairs():
    for wrong in ((0.1, 8.5), (0.21, 20.0), (0.21,), "0.21, 8.5", 3.0, (0.21, "x")):
        assert not ex.check_predict(wrong).correct
    assert ex.check_predict(...).status == "not attempted"


def test_predict_survives_an_answer_whose_attribute_lookup_raises():
    class Hostile:
        def __getattr__(self, name):
            raise RuntimeError("hostile")

    fb = ex.check_predict(Hostile())
    assert not fb.correct
    assert "could not evaluate" not in fb.message
