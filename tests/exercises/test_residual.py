"""Self-checks of the chapter *Residual connections*: the references pass and agree with
computations that do not use the library, typical slips get their own hint, and no wrong
answer passes or is told the answer."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from booktools.variants import variants
from vgp_lib.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED
from vgp_lib.exercises.residual import (
    PATH_BLOCKS,
    PATH_BRANCHES,
    STREAM_ALPHA,
    STREAM_BLOCKS,
    check_path_count,
    check_stream_variance,
    path_count,
    stream_variances,
)
from vgp_lib.residual import stream_variance

# --------------------------------------------------------------------------- ex-residual-paths


def test_path_count_is_the_number_of_subsets_of_that_size():
    subsets = sum(
        1 for taken in itertools.product((0, 1), repeat=PATH_BLOCKS) if sum(taken) == PATH_BRANCHES
    )
    assert path_count() == subsets == math.comb(PATH_BLOCKS, PATH_BRANCHES)


def test_path_count_reference_passes():
    assert check_path_count(path_count()).status == CORRECT
    assert check_path_count(int(path_count())).status == CORRECT
    assert check_path_count(np.int64(path_count())).status == CORRECT


@pytest.mark.parametrize(
    "answer, hint",
    [
        (2**PATH_BLOCKS, "every path"),
        (PATH_BLOCKS**PATH_BRANCHES, "same block twice"),
        (math.perm(PATH_BLOCKS, PATH_BRANCHES), "order"),
        (math.comb(PATH_BLOCKS + 1, PATH_BRANCHES), "blocks, not"),
        (PATH_BLOCKS * PATH_BRANCHES, "set of blocks"),
    ],
)
def test_path_count_slips_get_their_hint(answer, hint):
    fb = check_path_count(answer)
    assert fb.status == INCORRECT and hint in fb.hint


@pytest.mark.parametrize("answer", [path_count() - 1, path_count() + 1, 3, 10**6, 0.5, -7])
def test_path_count_wrong_answers_fail_without_the_answer(answer):
    fb = check_path_count(answer)
    assert fb.status == INCORRECT
    assert f"{int(path_count())}" not in fb.message + fb.hint


def test_path_count_placeholder_and_junk():
    assert check_path_count(...).status == NOT_ATTEMPTED
    assert check_path_count("many").status == INCORRECT


# --------------------------------------------------------------------------- ex-residual-stream


def test_stream_references_by_iterating_the_rule():
    v_pre, v_plain = 1.0, 1.0
    for _ in range(STREAM_BLOCKS):
        v_pre += STREAM_ALPHA**2 * 1.0  # the branch reads a stream of variance 1
        v_plain += STREAM_ALPHA**2 * v_plain  # the branch reads the stream as it is
    assert stream_variances() == pytest.approx((v_pre, v_plain), rel=1e-12)


def test_stream_references_agree_with_the_measured_stream():
    pre, plain = stream_variances()
    measured_pre = stream_variance(
        depth=STREAM_BLOCKS, alpha=STREAM_ALPHA, prenorm=True, width=512, seed=0
    ).var_stream[-1]
    measured_plain = np.mean(
        [
            stream_variance(depth=STREAM_BLOCKS, alpha=STREAM_ALPHA, width=512, seed=s).var_stream[
                -1
            ]
            for s in range(3)
        ]
    )
    assert measured_pre == pytest.approx(pre, rel=0.05)
    assert measured_plain == pytest.approx(plain, rel=0.1)


def test_stream_reference_passes():
    pre, plain = stream_variances()
    assert check_stream_variance((pre, plain)).status == CORRECT
    assert check_stream_variance([round(pre, 2), round(plain, 2)]).status == CORRECT
    assert check_stream_variance(np.array([pre, plain])).status == CORRECT


@pytest.mark.parametrize(
    "which, wrong, hint",
    [
        (0, 1 + STREAM_BLOCKS * STREAM_ALPHA, "square"),
        (0, STREAM_BLOCKS * STREAM_ALPHA**2, "variance of its own"),
        (0, 1 + (STREAM_BLOCKS - 1) * STREAM_ALPHA**2, "Count the blocks"),
        (0, (1 + STREAM_ALPHA**2) ** STREAM_BLOCKS, "normalised stream"),
        (1, 1 + STREAM_BLOCKS * STREAM_ALPHA**2, "as it has grown"),
        (1, (1 + STREAM_ALPHA) ** STREAM_BLOCKS, "square"),
        (1, (1 + STREAM_ALPHA**2) ** (STREAM_BLOCKS - 1), "Count the blocks"),
        (1, 2.0**STREAM_BLOCKS, "scaled by α"),
    ],
)
def test_stream_slips_get_their_hint(which, wrong, hint):
    answer = list(stream_variances())
    answer[which] = wrong
    fb = check_stream_variance(tuple(answer))
    assert fb.status == INCORRECT and hint in fb.hint


@pytest.mark.parametrize("scale", [0.5, 0.9, 1.1, 2.0])
def test_stream_wrong_answers_fail_without_the_answer(scale):
    pre, plain = stream_variances()
    for answer in [(pre * scale, plain), (pre, plain * scale)]:
        fb = check_stream_variance(answer)
        assert fb.status == INCORRECT
        text = fb.message + fb.hint
        assert f"{pre:.3g}" not in text and f"{plain:.3g}" not in text


def test_stream_placeholder_and_junk():
    assert check_stream_variance(...).status == NOT_ATTEMPTED
    for junk in ["3, 8", (1.0,), (1.0, "x"), 3.0, (float("nan"), 1.0)]:
        assert check_stream_variance(junk).status == INCORRECT


def test_path_count_side_hints_name_no_number_and_match_on_both_sides():
    low, high = check_path_count(path_count() - 7), check_path_count(path_count() + 7)
    assert low.status == high.status == INCORRECT
    assert low.hint.split(": ", 1)[1] == high.hint.split(": ", 1)[1]
    for fb in (low, high):
        assert not any(ch.isdigit() for ch in fb.hint)


# -- course variants: every number the chapter lists gives its own answer


def test_path_count_variants_have_their_own_answers():
    ks = variants("residual", "PATH_BLOCKS")
    js = variants("residual", "PATH_BRANCHES")
    assert (ks[0], js[0]) == (PATH_BLOCKS, PATH_BRANCHES)
    book = math.comb(ks[0], js[0])
    for k, j in itertools.product(ks, js):  # a course may vary one number or both
        if (k, j) == (ks[0], js[0]):
            continue
        answer = math.comb(k, j)  # the chapter's reference solution
        assert check_path_count(answer, blocks=k, branches=j).status == CORRECT, (k, j)
        assert check_path_count(book, blocks=k, branches=j).status == INCORRECT, (k, j)
    assert "branches must" in check_path_count(1, blocks=4, branches=5).message


def test_stream_variance_variants_have_their_own_answers():
    ls = variants("residual", "STREAM_BLOCKS")
    alphas = variants("residual", "STREAM_ALPHA")
    assert (ls[0], alphas[0]) == (STREAM_BLOCKS, STREAM_ALPHA)
    rule = check_stream_variance.rule
    combos = list(itertools.product(ls, alphas))
    answers = {}
    for L, alpha in combos:
        a2 = alpha**2  # the chapter's reference solution
        answers[L, alpha] = (1.0 + L * a2, (1 + a2) ** L)
        fb = check_stream_variance(answers[L, alpha], blocks=L, alpha=alpha)
        assert fb.status == CORRECT, (L, alpha)
    for (c1, a1), (c2, a2) in itertools.combinations(answers.items(), 2):
        assert not rule.accepts(a1, a2) and not rule.accepts(a2, a1), (c1, c2)
    assert "alpha must" in check_stream_variance((1, 1), alpha=0.0).message
