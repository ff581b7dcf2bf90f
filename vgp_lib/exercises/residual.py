"""Self-checks for the exercises of the chapter *Residual connections, and the remedies
together*.

The references come from :mod:`vgp_lib.residual` (the path counts) and from the variance
rule of the chapter; the wrong values the hints recognise (all paths instead of those of
one length, ordered choices, a scale not squared, a stream that does not grow) are
computed here, so a slip is named only when the answer matches it exactly or to the
stated precision.
"""

from __future__ import annotations

import math

from .._validate import check_int, check_real
from ..residual import path_counts
from . import (
    CORRECT,
    INCORRECT,
    Exactly,
    Feedback,
    Pair,
    SignificantFigures,
    as_number,
    check,
    close_to,
    not_attempted,
    pending,
    read_pair,
)

#: Blocks in the path-count exercise, and the branches a path goes through.
PATH_BLOCKS, PATH_BRANCHES = 12, 4
#: The stream-variance exercise: blocks, branch scale, variance of the stream at the start.
STREAM_BLOCKS, STREAM_ALPHA, STREAM_START = 24, 0.3, 1.0
#: Most blocks the path count takes (its counts stay exact in a float), and the stream.
MAX_PATH_BLOCKS, MAX_STREAM_BLOCKS = 40, 200
#: Largest branch scale of the stream exercise ((1 + alpha^2)^L stays a float).
MAX_STREAM_ALPHA = 2.0


def _path_numbers(blocks, branches) -> tuple[int, int]:
    blocks = check_int("blocks", blocks, lo=1, hi=MAX_PATH_BLOCKS)
    return blocks, check_int("branches", branches, lo=0, hi=blocks)


def path_count(blocks: int = PATH_BLOCKS, branches: int = PATH_BRANCHES) -> float:
    """Paths through exactly ``branches`` of ``blocks`` branches (ex-residual-paths; the book
    asks for 4 of 12).
    """
    blocks, branches = _path_numbers(blocks, branches)
    return float(path_counts(blocks)[branches])


@check("ex-residual-paths", Exactly())
def check_path_count(answer, blocks: int = PATH_BLOCKS, branches: int = PATH_BRANCHES) -> Feedback:
    """Check the number of paths through exactly ``branches`` of ``blocks`` residual blocks'
    branches (the chapter passes ``PATH_BLOCKS`` and ``PATH_BRANCHES``).

    >>> check_path_count(4096).correct  # every path, of every length
    False
    """
    ex = "ex-residual-paths"
    k, j = _path_numbers(blocks, branches)
    value, problem = as_number(ex, answer, "a whole number of paths")
    if problem:
        return problem
    if value != int(value):
        return Feedback(ex, INCORRECT, f"{value:g} is not a whole number; a count of paths is.")
    return close_to(
        ex,
        value,
        path_count(k, j),
        precision=check_path_count.rule,
        what="the number of paths",
        hints=[
            (
                2.0**k,
                "That counts every path, whatever its length; the question asks for the "
                f"paths that go through exactly {j} branches.",
            ),
            (
                float(k**j),
                "That lets a path go through the same block twice. A path visits "
                "each block once, and either skips it or goes through its branch.",
            ),
            (
                float(math.perm(k, j)),
                "That counts the order in which the branches are chosen; "
                "the order of a path is fixed by the network.",
            ),
            (
                float(math.comb(k + 1, j)),
                f"There are {k} blocks, not {k + 1}: count only the "
                "blocks whose branch a path can take.",
            ),
            (
                float(k * j),
                "Choosing the branches is not one choice per branch among all the "
                "blocks; think of a path as a set of blocks.",
            ),
        ],
        too_small="Too few: count the ways to pick which blocks' branches the path takes.",
        too_large="Too many: count the ways to pick which blocks' branches the path takes.",
    )


def _stream_numbers(blocks, alpha) -> tuple[int, float]:
    blocks = check_int("blocks", blocks, lo=1, hi=MAX_STREAM_BLOCKS)
    return blocks, check_real("alpha", alpha, lo=0, hi=MAX_STREAM_ALPHA, lo_open=True)


def stream_variances(
    blocks: int = STREAM_BLOCKS, alpha: float = STREAM_ALPHA
) -> tuple[float, float]:
    """``(Var(a^L) with pre-norm, Var(a^L) without)`` for the exercise ``ex-residual-stream``,
    with ``blocks`` blocks whose branches are scaled by ``alpha`` (the book's are 24 and 0.3).

    Each block adds ``alpha^2 Var(F)``; a branch passes on the variance it reads, which
    is 1 with pre-norm and the stream's own ``Var(a^{l-1})`` without.
    """
    blocks, alpha = _stream_numbers(blocks, alpha)
    L, a2, v0 = blocks, alpha**2, STREAM_START
    return (v0 + L * a2, v0 * (1 + a2) ** L)


@check(
    "ex-residual-stream",
    Pair(SignificantFigures(3), SignificantFigures(3), "each variance to 3 significant figures"),
)
def check_stream_variance(
    answer, blocks: int = STREAM_BLOCKS, alpha: float = STREAM_ALPHA
) -> Feedback:
    """Check ``(Var(a^L) with pre-norm, Var(a^L) without)`` after ``blocks`` blocks whose
    branches are scaled by ``alpha`` (the chapter passes ``STREAM_BLOCKS`` and ``STREAM_ALPHA``).

    >>> check_stream_variance((8.2, 8.2)).correct  # the scale not squared
    False
    """
    ex = "ex-residual-stream"
    blocks, alpha = _stream_numbers(blocks, alpha)
    if not_attempted(answer):
        return pending(ex, "a pair (variance with pre-norm, variance without)")
    pair, problem = read_pair(answer)
    if problem:
        return Feedback(
            ex,
            INCORRECT,
            f"the answer should be a pair of numbers (with pre-norm, without): {problem}.",
        )
    rule = check_stream_variance.rule
    (pre, plain), (ref_pre, ref_plain) = pair, stream_variances(blocks, alpha)
    L, v0 = blocks, STREAM_START
    a2 = alpha**2
    if rule.accepts(pair, (ref_pre, ref_plain)):
        return Feedback(
            ex,
            CORRECT,
            f"Var(a^{L}) = {pre:.4g} with pre-norm and {plain:.4g} without ({rule.phrase}).",
        )
    not_squared = "α scales the branch's output; its variance scales by the square of α."
    if not rule.first.accepts(pre, ref_pre):
        return close_to(
            ex,
            pre,
            ref_pre,
            precision=rule.first,
            what="the variance with pre-norm",
            hints=[
                (v0 + L * alpha, not_squared),
                (L * a2, "The stream starts with a variance of its own, and it stays."),
                (v0 + (L - 1) * a2, f"Count the blocks: there are {L}, each adds its branch."),
                (
                    v0 * (1 + a2) ** L,
                    "With pre-norm the branch reads a normalised stream: what it adds does not "
                    "grow with the stream.",
                ),
            ],
            too_small="Too small: each block adds the variance of its scaled branch, and the "
            "stream keeps what it had.",
            too_large="Too large: with pre-norm each block adds the same amount, whatever the "
            "stream's size.",
        )
    return close_to(
        ex,
        plain,
        ref_plain,
        precision=rule.second,
        what="the variance without normalisation",
        hints=[
            (
                v0 + L * a2,
                "Without normalisation the branch reads the stream as it has grown: what a "
                "block adds is proportional to the stream's variance so far.",
            ),
            (v0 * (1 + alpha) ** L, not_squared),
            (v0 * (1 + a2) ** (L - 1), f"Count the blocks: there are {L}, each multiplies."),
            (v0 * 2.0**L, "The branch is scaled by α before it is added to the stream."),
        ],
        too_small="Too small: without normalisation each block multiplies the stream's "
        "variance by the same factor.",
        too_large="Too large: the factor per block is 1 plus the variance the scaled branch "
        "adds per unit of stream variance.",
    )


__all__ = [
    "PATH_BLOCKS",
    "PATH_BRANCHES",
    "STREAM_BLOCKS",
    "STREAM_ALPHA",
    "STREAM_START",
    "path_count",
    "check_path_count",
    "stream_variances",
    "check_stream_variance",
]
