"""Self-checks of the chapter *Deep transformers and mixed precision*: the references agree with
computations that do not use the library's (a NumPy backward pass, NumPy's own float16 cast, a
search over k), the reference answers pass, typical slips get their own hint, and no wrong
answer passes or is told the answer."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch

from booktools.references import REFERENCES
from booktools.variants import assert_answers_differ, exercise_numbers, variants
from vgp_lib.data import load_mnist
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.transformers import (
    MAX_UNDERFLOW_DEPTH,
    UNDERFLOW_DEPTH,
    UNDERFLOW_IMAGES,
    UNDERFLOW_SEED,
    UNDERFLOW_WIDTH,
    WARMUP_DEPTH,
    WARMUP_STEPS,
    check_scale,
    check_underflow,
    check_warmup,
    deep_post_ln_trains,
    scale_range,
    underflow_fraction,
    underflow_gradients,
)
from vgp_lib.models import build_mlp

#: float16's smallest subnormal and normal numbers, and where it overflows, from NumPy.
TINY = float(np.finfo(np.float16).smallest_subnormal)
NORMAL = float(np.finfo(np.float16).smallest_normal)

JUNK = [
    "abc",
    "0.3 or so",
    math.nan,
    math.inf,
    10**400,
    True,
    3 + 4j,
    np.zeros(3),
    np.zeros((2, 2)),
    [0.3],
    {"a": 1},
    object(),
]


class Liar:
    """An answer that claims to equal everything, and is a huge number."""

    def __eq__(self, other):
        return True

    def __float__(self):
        return 1e9

    def __len__(self):
        raise RuntimeError("no length")


class Raiser:
    def __float__(self):
        raise ValueError("no float")

    def __eq__(self, other):
        raise ValueError("no eq")

    def __bool__(self):
        raise ValueError("no bool")


def _numbers(fb) -> list[float]:
    return [float(n) for n in re.findall(r"\d+\.?\d*(?:e-?\d+)?", fb.message + " " + fb.hint)]


# --------------------------------------------------------------------------- independent references


@pytest.fixture(scope="module")
def grads():
    return underflow_gradients()


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_the_gradients_are_the_backward_pass_of_nielsens_network_done_by_hand(grads):
    """A NumPy forward and backward pass with the network's own weights (analytic vs autograd)."""
    mnist = load_mnist()
    x, y = mnist.train.x[:UNDERFLOW_IMAGES], mnist.train.y[:UNDERFLOW_IMAGES]
    model = build_mlp(
        n_in=784,
        width=UNDERFLOW_WIDTH,
        n_out=10,
        depth=UNDERFLOW_DEPTH,
        activation="sigmoid",
        init="nielsen",
        seed=UNDERFLOW_SEED,
    )
    layers = [(lin.weight.detach().numpy(), lin.bias.detach().numpy()) for lin in model.linears()]
    acts = [x]
    for w, b in layers[:-1]:
        acts.append(_sigmoid(acts[-1] @ w.T + b))
    logits = acts[-1] @ layers[-1][0].T + layers[-1][1]
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = (p - np.eye(10)[y]) / len(y)  # dC/dlogits of the mean cross-entropy
    by_hand = []
    for i in range(len(layers) - 1, -1, -1):
        by_hand.insert(0, delta.T @ acts[i])
        if i:
            delta = (delta @ layers[i][0]) * acts[i] * (1 - acts[i])
    assert len(grads) == UNDERFLOW_DEPTH + 1
    for mine, theirs in zip(grads, by_hand):
        assert mine.dtype == np.float64 and mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-25)
    assert np.abs(grads[0][grads[0] != 0]).min() < TINY < NORMAL  # the point of the exercise


def test_the_gradients_handed_out_are_copies(grads):
    grads[0][:] = 0.0
    assert np.any(underflow_gradients()[0])
    assert check_underflow(float(f"{underflow_fraction():.2g}")).status == CORRECT


def test_the_underflow_fraction_is_a_direct_count_with_numpys_cast(grads):
    g = underflow_gradients()[0]
    nonzero = g != 0
    lost = nonzero & (g.astype(np.float16) == 0)
    assert underflow_fraction() == lost.sum() / nonzero.sum()
    assert 0.05 < underflow_fraction() < 0.95  # neither none nor all: a fraction worth asking for


def test_the_scale_range_is_a_search_over_k_with_numpys_cast(grads):
    g = np.concatenate([a.ravel() for a in underflow_gradients()])
    g = g[g != 0]
    with np.errstate(over="ignore"):  # the search runs past the overflow on purpose
        cast = [np.ldexp(g, k).astype(np.float16) for k in range(64)]
    keeps = [not np.any(c == 0) for c in cast]
    finite = [bool(np.all(np.isfinite(c))) for c in cast]
    k_min, k_max = scale_range()
    assert k_min == keeps.index(True) and all(keeps[k_min:])
    assert k_max == max(k for k in range(64) if finite[k]) and all(finite[: k_max + 1])
    assert 0 < k_min <= k_max  # the book's network has a window of scales


# -------------------------------------------------------------------- ex-transformers-underflow


def test_underflow_reference_passes_in_every_form():
    ref = underflow_fraction()
    for answer in (ref, float(f"{ref:.2g}"), np.float32(ref), f"{ref:.3f}", np.array(ref)):
        assert check_underflow(answer).status == CORRECT, answer
    assert check_underflow(ref, depth=UNDERFLOW_DEPTH).status == CORRECT
    assert REFERENCES["ex-transformers-underflow"]() == ref


def _slips(g, every, depth):
    """The slips' values, computed here with NumPy's cast (bfloat16 with torch)."""
    nonzero = g != 0
    size, cast = np.abs(g), g.astype(np.float16)
    ref = (nonzero & (cast == 0)).sum() / nonzero.sum()
    low = torch.from_numpy(g).to(torch.bfloat16).to(torch.float64).numpy()
    every16 = every.astype(np.float16)
    return {
        "all entries": ((nonzero & (cast == 0)).sum() / g.size, "divides by all the entries"),
        "subnormal lost": (
            (nonzero & (np.abs(cast) < NORMAL)).sum() / nonzero.sum(),
            "smallest normal number as lost",
        ),
        "truncated": ((nonzero & (size < TINY)).sum() / nonzero.sum(), "rounds to the nearest"),
        "bfloat16": ((nonzero & (low == 0)).sum() / nonzero.sum(), "bfloat16"),
        "percentage": (100 * ref, "a percentage"),
        "survivors": (1 - ref, "survive"),
        "every layer": (
            ((every != 0) & (every16 == 0)).sum() / (every != 0).sum(),
            "every layer",
        ),
    }


@pytest.mark.parametrize(
    "slip",
    ["all entries", "subnormal lost", "truncated", "bfloat16", "percentage", "survivors", "every"],
)
def test_underflow_slips_get_their_hints(grads, slip):
    g = underflow_gradients()[0].ravel()
    every = np.concatenate([a.ravel() for a in underflow_gradients()])
    slips = _slips(g, every, UNDERFLOW_DEPTH)
    value, words = next(v for k, v in slips.items() if k.startswith(slip))
    ref = underflow_fraction()
    assert not check_underflow.rule.accepts(value, ref)  # the slip is a different answer
    fb = check_underflow(float(f"{value:.2g}"))
    assert fb.status == INCORRECT and words in fb.hint, (slip, value, fb)
    assert f"{ref:.2g}" not in fb.message + fb.hint and "expected" not in fb.message + fb.hint


def test_underflow_layer_two_is_named():
    second = underflow_gradients()[1]
    nonzero = second != 0
    value = (nonzero & (second.astype(np.float16) == 0)).sum() / nonzero.sum()
    fb = check_underflow(float(f"{value:.2g}"))
    assert fb.status == INCORRECT and "layer 2" in fb.hint


def test_underflow_other_wrong_answers_get_a_direction_but_not_the_answer():
    ref = underflow_fraction()
    for answer in (ref * 1.3, ref * 0.7, 0.5 * ref + 0.5, 0.9999):
        fb = check_underflow(answer)
        assert fb.status == INCORRECT, answer
        assert ("too large" in fb.message) == (answer > ref), fb
        assert not any(check_underflow.rule.accepts(n, ref) for n in _numbers(fb)), fb
        assert "expected" not in fb.message + fb.hint


def test_underflow_not_attempted_junk_and_liars():
    assert check_underflow(...).status == NOT_ATTEMPTED
    for junk in [*JUNK, Liar(), Raiser(), -(10**400)]:
        fb = check_underflow(junk)
        assert fb.status == INCORRECT, junk
        assert "could not evaluate" not in fb.message, fb
    assert "depth must" in check_underflow(0.3, depth=MAX_UNDERFLOW_DEPTH + 1).message


# --------------------------------------------------------------------------- ex-transformers-scale


def test_scale_reference_passes_in_every_form():
    k_min, k_max = scale_range()
    for answer in (
        (k_min, k_max),
        [k_min, k_max],
        np.array([k_min, k_max]),
        torch.tensor([k_min, k_max]),
        (float(k_min), float(k_max)),
        (str(k_min), str(k_max)),
    ):
        assert check_scale(answer).status == CORRECT, answer
    assert REFERENCES["ex-transformers-scale"]() == (k_min, k_max)


def test_scale_slips_get_their_hints():
    k_min, k_max = scale_range()
    g = np.concatenate([a.ravel() for a in underflow_gradients()])
    low, high = np.abs(g[g != 0]).min(), np.abs(g).max()
    first = underflow_gradients()[0]
    truncated = math.ceil(math.log2(TINY / low))  # reach the smallest subnormal itself
    normal = math.ceil(math.log2(NORMAL / low))
    assert truncated == k_min + 1 and normal > truncated  # both differ from the answer here
    layer_one = math.floor(math.log2(65520 / np.abs(first).max()))
    assert layer_one > k_max
    cases = [
        ((truncated, k_max), "rounding to nearest"),
        ((normal, k_max), "smallest normal number"),
        ((0, k_max), "Without scaling"),
        ((k_min, layer_one), "layer 1 alone"),
        ((k_min, math.floor(math.log2(float(torch.finfo(torch.bfloat16).max) / high))), "bfloat16"),
        ((k_max, k_min), "wrong order"),
    ]
    for answer, words in cases:
        fb = check_scale(answer)
        assert fb.status == INCORRECT and words in fb.message + fb.hint, (answer, fb)
        assert "expected" not in fb.message + fb.hint


def test_scale_other_wrong_answers_hear_too_large_or_too_small():
    k_min, k_max = scale_range()
    below, above = check_scale((k_min - 2, k_max)), check_scale((k_min + 3, k_max))
    assert "too small" in below.message and "too large" in above.message
    assert "round to 0" in below.hint and "smallest" in above.hint
    low, high = check_scale((k_min, k_max - 3)), check_scale((k_min, k_max + 1))
    assert "too small" in low.message and "too large" in high.message
    assert "overflow" in high.hint and "largest" in low.hint
    for fb in (below, above, low, high):
        shown = fb.message.split(":")[0] + fb.hint
        assert str(k_min) not in fb.hint and str(k_max) not in fb.hint, (fb, shown)


def test_scale_not_attempted_junk_and_liars():
    assert check_scale(...).status == NOT_ATTEMPTED
    k_min, k_max = scale_range()
    for junk in [
        *JUNK,
        Liar(),
        Raiser(),
        (k_min + 0.5, k_max),
        (k_min, k_max, 3),
        (k_min,),
        (10**400, k_max),
        (True, k_max),
        (-1, k_max),
        (k_min, math.nan),
        f"{k_min}, {k_max}",
    ]:
        fb = check_scale(junk)
        assert fb.status == INCORRECT, junk
        assert "could not evaluate" not in fb.message, fb
    assert "whole numbers" in check_scale((k_min + 0.5, k_max)).message
    assert "below 0" in check_scale((-1, k_max)).message


# --------------------------------------------------------------------- the depth a course varies


def test_the_depths_a_course_may_choose_have_their_own_answers():
    """Every depth the chapter lists gives a fraction and a pair of its own, which the checks
    accept with that depth only (depths 6 to 9: a share of layer 1 neither 0 nor 1)."""
    try:
        listed = "UNDERFLOW_DEPTH" in exercise_numbers("transformers")
    except FileNotFoundError:
        listed = False
    depths = variants("transformers", "UNDERFLOW_DEPTH") if listed else (UNDERFLOW_DEPTH, 6, 7, 9)
    assert depths[0] == UNDERFLOW_DEPTH
    fractions, pairs = [], []
    for depth in depths:
        f, pair = underflow_fraction(depth), scale_range(depth)
        assert 0 < f < 1, depth
        rounded = float(f"{f:.2g}")
        assert check_underflow(rounded, depth=depth).status == CORRECT, depth
        assert check_scale(pair, depth=depth).status == CORRECT, depth
        if depth != UNDERFLOW_DEPTH:
            assert check_underflow(rounded).status == INCORRECT, depth
            assert check_scale(pair).status == INCORRECT, depth
        fractions.append(f)
        pairs.append(pair)
    assert_answers_differ(check_underflow.rule, fractions)
    assert len(set(pairs)) == len(pairs), pairs


# --------------------------------------------------------------------------- ex-transformers-warmup


def test_warmup_answers():
    assert check_warmup(False).status == CORRECT
    assert check_warmup(np.False_).status == CORRECT
    assert check_warmup(np.array(False)).status == CORRECT
    assert check_warmup(torch.tensor(False)).status == CORRECT
    wrong = check_warmup(True)
    assert wrong.status == INCORRECT and "table above" in wrong.hint
    assert check_warmup(np.True_).status == INCORRECT


def test_warmup_not_attempted_and_junk():
    assert check_warmup(...).status == NOT_ATTEMPTED
    assert check_warmup(None).status == NOT_ATTEMPTED
    for junk in [
        "False",
        "no",
        0,
        1,
        0.0,
        np.array([False]),
        torch.tensor([False]),
        math.nan,
        [False],
        Liar(),
        Raiser(),
        object(),
        10**400,
    ]:
        fb = check_warmup(junk)
        assert fb.status == INCORRECT and "True or False" in fb.message, junk


@pytest.mark.slow
def test_warmup_reference_is_the_run_and_the_check_agrees():
    """The run the question asks about (about 25 s): 12 post-LN blocks stall without warmup."""
    assert REFERENCES["ex-transformers-warmup"] is deep_post_ln_trains
    assert (WARMUP_DEPTH, WARMUP_STEPS) == (12, 300)
    trains = deep_post_ln_trains()
    assert trains is False
    assert check_warmup(trains).status == CORRECT
    assert check_warmup(not trains).status == INCORRECT


def test_every_check_states_its_precision():
    assert check_warmup.precision == "True or False"
    assert check_underflow.precision == "2 significant figures"
    assert check_scale.precision == "each k exact (a whole number)"
