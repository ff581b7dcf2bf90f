"""Self-checks of the chapter *Recurrent networks*: reference answers pass and agree with an
independent computation, typical mistakes get their hint, wrong answers fail without being told
the answer."""

import math

import numpy as np
import pytest
import torch

from booktools.variants import assert_answers_differ, variants
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.recurrent import (
    CAROUSEL_LAG,
    CLIP_RUN,
    carousel_left,
    check_carousel,
    check_clip,
    check_clip_run,
    check_half_life,
    half_life_gate,
)
from vgp_lib.sequences import train_memory

# --------------------------------------------------------------------------- ex-recurrent-carousel


def test_carousel_reference_is_the_product_of_fifty_gates_at_sigma_one():
    f = torch.sigmoid(torch.tensor(1.0, dtype=torch.float64))
    product = torch.prod(torch.full((50,), float(f), dtype=torch.float64))
    assert carousel_left() == pytest.approx(float(product), rel=1e-12)
    assert check_carousel(carousel_left()).status == CORRECT
    assert check_carousel(float(f"{carousel_left():.2g}")).status == CORRECT


@pytest.mark.parametrize(
    "answer, hint",
    [
        (0.73**50, "rounded the gate"),
        (0.5**50, "σ(0) = 1/2"),
        (0.7311 * 50, "multiply"),
        ((1 / (1 + math.exp(-1))) ** 49, "Count the gates"),
        (1 / (1 + math.exp(-1)), "one step"),
        ((1 - 1 / (1 + math.exp(-1))) ** 50, "not 1 − f"),
    ],
)
def test_carousel_typical_mistakes_get_their_hint(answer, hint):
    fb = check_carousel(answer)
    assert fb.status == INCORRECT and hint in fb.hint


def test_carousel_other_wrong_answers_and_junk():
    assert check_carousel(...).status == NOT_ATTEMPTED
    for junk in ("small", None, [1e-7], math.nan, 10**400, True, 1e-3, 1e-12):
        fb = check_carousel(junk)
        assert fb.status != CORRECT
        assert "1.6e-07" not in fb.message + fb.hint


# --------------------------------------------------------------------------- ex-recurrent-half-life


def test_half_life_reference_keeps_half_over_fifty_steps():
    f, b = half_life_gate()
    assert f**50 == pytest.approx(0.5, rel=1e-12)
    assert float(torch.sigmoid(torch.tensor(b, dtype=torch.float64))) == pytest.approx(f, rel=1e-12)
    assert check_half_life((f, b)).status == CORRECT
    assert check_half_life([float(f"{f:.3g}"), float(f"{b:.3g}")]).status == CORRECT
    assert check_half_life(np.array([f, b])).status == CORRECT


@pytest.mark.parametrize(
    "which, wrong, hint",
    [
        (0, 0.99, "spread"),
        (0, 0.5**50, "factor of 1/2"),
        (0, 0.01, "close to 1"),
        (1, "sigmoid", "applied the sigmoid"),
        (1, "log", "not e^b"),
        (1, "log10", "base-10 logarithm"),
        (1, "minus", "sign"),
    ],
)
def test_half_life_typical_mistakes_get_their_hint(which, wrong, hint):
    f, b = half_life_gate()
    if which == 1:
        wrong = {
            "sigmoid": 1 / (1 + math.exp(-f)),
            "log": math.log(f),
            "log10": b / math.log(10),
            "minus": -b,
        }[wrong]
    answer = (wrong, b) if which == 0 else (f, wrong)
    fb = check_half_life(answer)
    assert fb.status == INCORRECT and hint in fb.hint, (answer, fb)


def test_half_life_wrong_answers_hear_a_direction_not_the_answer():
    f, b = half_life_gate()
    for answer, word in (((0.9, b), "less than half"), ((0.999, b), "more than half")):
        fb = check_half_life(answer)
        assert fb.status == INCORRECT and word in fb.hint
        assert f"{f:.3g}" not in fb.message + fb.hint and f"{b:.3g}" not in fb.message + fb.hint
    assert check_half_life(...).status == NOT_ATTEMPTED
    for junk in ("0.98", 0.98, (0.98,), (math.nan, 4.0), (True, 4.0), {"f": 1, "b": 2}):
        assert check_half_life(junk).status != CORRECT


# --------------------------------------------------------------------------- ex-recurrent-clip


def _global(grads, c):
    norm = np.sqrt(sum(float(np.sum(g**2)) for g in grads))
    return [g * min(1.0, c / norm) for g in grads]


@pytest.mark.parametrize(
    "clip, words",
    [
        (lambda g, c: [x * c / np.sqrt(sum((y**2).sum() for y in g)) for x in g], ["came back"]),
        (
            lambda g, c: [x * min(1, c / np.linalg.norm(x)) for x in g],
            ["each array", "one norm over all"],
        ),
        (lambda g, c: [np.clip(x, -c, c) for x in g], ["clipping by value"]),
        (lambda g, c: [x * c / sum(np.abs(y).sum() for y in g) for x in g], ["below max_norm"]),
        (lambda g, c: [x * 2 for x in g], ["above max_norm"]),
        (lambda g, c: g, ["unchanged"]),
        (lambda g, c: g[:1], ["one array per input array"]),
        (lambda g, c: 1 / 0, ["ZeroDivisionError"]),
        (lambda g, c: [x * np.nan for x in g], ["NaN"]),
    ],
)
def test_clip_typical_wrong_answers(clip, words):
    fb = check_clip(clip)
    assert not fb.correct
    text = fb.message + " " + fb.hint
    for word in words:
        assert word in text


def test_clip_reference_passes_and_placeholders():
    assert check_clip(_global).correct
    assert check_clip(...).status == NOT_ATTEMPTED
    assert check_clip(lambda g, c: ...).status == NOT_ATTEMPTED
    assert not check_clip(42).correct


def test_clip_that_never_returns_or_returns_an_endless_generator():
    def forever(grads, max_norm):
        while True:
            pass

    def endless(grads, max_norm):
        def gen():
            while True:
                yield grads[0]

        return gen()

    assert "did not return" in check_clip(forever, time_limit=0.2).message
    assert not check_clip(endless).correct


# --------------------------------------------------------------------------- ex-recurrent-clip-run


def _clip_step(parameters, max_norm):
    norm = math.sqrt(sum(float(torch.sum(p.grad**2)) for p in parameters))
    if norm > max_norm:
        for p in parameters:
            p.grad.mul_(max_norm / norm)


def test_the_exercise_run_diverges_without_clipping():
    run = train_memory(**CLIP_RUN)
    assert run.diverged_at is not None


def test_clip_run_reference_passes_and_trains_the_run():
    fb = check_clip_run(_clip_step)
    assert fb.correct, fb
    assert "trained" in fb.message


def _assign(parameters, max_norm):
    norm = math.sqrt(sum(float(torch.sum(p.grad**2)) for p in parameters))
    for p in parameters:
        p.grad = p.grad * min(1.0, max_norm / norm)


def test_clip_run_accepts_assigning_a_new_grad():
    assert check_clip_run(_assign).correct


@pytest.mark.parametrize(
    "clip_step, words",
    [
        (lambda ps, c: [p.grad * 0.01 for p in ps], ["unchanged", "in place"]),
        (lambda ps, c: [torch.nn.utils.clip_grad_norm_([p], c) for p in ps], ["each array"]),
        (lambda ps, c: [p.grad.clamp_(-c, c) for p in ps], ["clipping by value"]),
        (lambda ps, c: [p.grad.mul_(0.0) for p in ps], ["zero", "does not remove"]),
        (lambda ps, c: [p.grad.mul_(0.5 * c / float(p.grad.norm())) for p in ps], ["cosine"]),
        (lambda ps, c: [setattr(p, "grad", None) for p in ps], ["None"]),
        (lambda ps, c: 1 / 0, ["ZeroDivisionError"]),
    ],
)
def test_clip_run_typical_wrong_answers(clip_step, words):
    fb = check_clip_run(clip_step)
    assert not fb.correct
    for word in words:
        assert word in fb.message + " " + fb.hint, fb


def test_clip_run_placeholders_and_junk():
    assert check_clip_run(...).status == NOT_ATTEMPTED
    assert check_clip_run(lambda ps, c: ...).status == NOT_ATTEMPTED
    assert not check_clip_run("clip").correct

    def forever(ps, c):
        while True:
            pass

    assert "did not return" in check_clip_run(forever, time_limit=0.3).message


# -- course variants: every number the chapter lists gives its own answer


def test_carousel_variants_have_their_own_answers():
    book, *others = variants("recurrent", "CAROUSEL_STEPS")
    assert book == CAROUSEL_LAG
    rule = check_carousel.rule
    answers = [carousel_left(k) for k in (book, *others)]
    for k, right in zip(others, answers[1:]):
        reference = (1 / (1 + math.exp(-1))) ** k  # the chapter's reference solution
        assert reference == pytest.approx(right, rel=1e-12)
        assert check_carousel(reference, steps=k).status == CORRECT, k
        assert check_carousel(answers[0], steps=k).status == INCORRECT, k
    assert_answers_differ(rule, answers)
    assert "steps must" in check_carousel(0.1, steps=0).message


def test_half_life_variants_have_their_own_answers():
    book, *others = variants("recurrent", "HALF_LIFE_STEPS")
    assert book == CAROUSEL_LAG
    rule = check_half_life.rule
    answers = [half_life_gate(k) for k in (book, *others)]
    for k in others:
        f = 0.5 ** (1 / k)  # the chapter's reference solution
        assert check_half_life((f, math.log(f / (1 - f))), steps=k).status == CORRECT, k
        assert check_half_life(answers[0], steps=k).status == INCORRECT, k
    assert_answers_differ(rule, answers)
