"""Self-checks for the exercises of the chapter *Deep transformers and mixed precision*.

The references come from the library: :func:`vgp_lib.transformer.train_sorting` for the
prediction about a deep post-LN stack, and :mod:`vgp_lib.mixed` for what float16 does to the
gradient of Nielsen's sigmoid network on a few MNIST images
(:func:`~vgp_lib.mixed.layer_underflow`, :func:`~vgp_lib.mixed.scale_bounds`). The wrong
values the hints recognise (all entries counted, subnormals counted as lost, bfloat16, ...)
are computed here from the same float64 gradients, so that a slip is named only when the
answer matches it to the stated precision.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from .._validate import check_int
from ..data import MNISTCorruptError, MNISTNotInstalledError, load_mnist
from ..mixed import cast_counts, layer_underflow, overflow_threshold, scale_bounds
from ..models import build_mlp
from ..threads import single_thread
from ..transformer import MAX_BLOCKS, train_sorting
from . import (
    CORRECT,
    INCORRECT,
    Criterion,
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
    short_repr,
    type_name,
)

# --------------------------------------------------------------------------- predict first: warmup

#: The post-LN stack of ``ex-transformers-warmup`` and its run: AdamW at 1e-3, no warmup, seed 0,
#: as in the chapter's figure, where 8 blocks train.
WARMUP_DEPTH, WARMUP_STEPS, WARMUP_SEED = 12, 300, 0
#: What "it trains" means in the question: at least this share of the digits right at the end.
TRAINED_ACCURACY = 0.5
#: What :func:`deep_post_ln_trains` measured for the book's stack (the tests run it again): the
#: check does not train a transformer for half a minute each time a reader asks.
_BOOK_STACK_TRAINS = False


def deep_post_ln_trains(depth: int = WARMUP_DEPTH, steps: int = WARMUP_STEPS) -> bool:
    """Whether a post-LN stack of ``depth`` blocks, trained ``steps`` steps on the sorting task
    with AdamW at 1e-3 and no warmup (seed 0), gets at least half the digits right (the
    reference of ``ex-transformers-warmup``, which asks about 12 blocks and 300 steps;
    equation ``eq-tf-layouts``).
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_BLOCKS)
    steps = check_int("steps", steps, lo=1, hi=100_000)
    run = train_sorting(depth=depth, layout="post", warmup=0, steps=steps, seed=WARMUP_SEED)
    return bool(run.accuracy >= TRAINED_ACCURACY)


def _read_bool(answer) -> tuple[bool | None, str | None]:
    """``(True or False, None)`` for a boolean (NumPy's too), else ``(None, what it is)``."""
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer), None
    if type(answer) is np.ndarray and answer.dtype == np.bool_ and answer.ndim == 0:
        return bool(answer.item()), None
    if type(answer) is torch.Tensor and answer.dtype == torch.bool and answer.ndim == 0:
        return bool(answer.item()), None
    if isinstance(answer, str):
        return None, f"the string {short_repr(str.__str__(answer))} (write True or False, unquoted)"
    return None, f"{type_name(answer)} {short_repr(answer)}"


@check("ex-transformers-warmup", Criterion("True or False"))
def check_warmup(answer) -> Feedback:
    """Check the prediction: does a post-LN stack of 12 blocks train without warmup, with the
    learning rate and the 300 steps under which 8 blocks train? ``True`` (at least half the
    digits right after training) or ``False``.

    >>> check_warmup("maybe").correct
    False
    """
    ex = "ex-transformers-warmup"
    if not_attempted(answer):
        return pending(ex, "True (it trains) or False (it does not)")
    said, problem = _read_bool(answer)
    if problem:
        return Feedback(ex, INCORRECT, f"the answer should be True or False, not {problem}.")
    if said == _BOOK_STACK_TRAINS:
        return Feedback(
            ex,
            CORRECT,
            f"{said}: with {WARMUP_DEPTH} post-LN blocks and no warmup the run stalls far "
            "below half the digits; the figure after the exercise shows the run, and what a "
            "warmup changes.",
        )
    return Feedback(
        ex,
        INCORRECT,
        f"{said} is not what the run does.",
        "Look again at how much one Adam-sized step moves the output of a post-LN stack as "
        "the stack deepens (the table above).",
    )


# --------------------------------------------------------------------------- float16's range

#: The network of ``ex-transformers-underflow`` and ``ex-transformers-scale``: Nielsen's sigmoid
#: network with this many hidden layers (a course may vary it) of ``UNDERFLOW_WIDTH`` units,
#: seed ``UNDERFLOW_SEED``, on the first ``UNDERFLOW_IMAGES`` MNIST training images.
UNDERFLOW_DEPTH = 7
#: Its range: from 6 to 9 layers a fraction of layer 1's gradient, neither none nor all of it,
#: rounds to 0 in float16; from 10 on, no single loss scale keeps every entry.
MIN_UNDERFLOW_DEPTH, MAX_UNDERFLOW_DEPTH = 2, 20
UNDERFLOW_WIDTH, UNDERFLOW_IMAGES, UNDERFLOW_SEED = 30, 10, 0


def _depth(depth) -> int:
    return check_int("depth", depth, lo=MIN_UNDERFLOW_DEPTH, hi=MAX_UNDERFLOW_DEPTH)


@functools.cache
def _images() -> tuple[np.ndarray, np.ndarray]:
    mnist = load_mnist()
    x, y = mnist.train.x[:UNDERFLOW_IMAGES], mnist.train.y[:UNDERFLOW_IMAGES]
    x.flags.writeable = y.flags.writeable = False
    return x, y


@functools.cache
def _gradients(depth: int) -> tuple[np.ndarray, ...]:
    """The float64 weight gradients, layer by layer (read-only: they are cached)."""
    x, y = _images()
    model = build_mlp(
        n_in=x.shape[1],
        width=UNDERFLOW_WIDTH,
        n_out=10,
        depth=depth,
        activation="sigmoid",
        init="nielsen",
        seed=UNDERFLOW_SEED,
    )
    with single_thread():
        logits = model(torch.from_numpy(np.array(x)))
        loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(np.array(y)))
        loss.backward()
    grads = tuple(lin.weight.grad.detach().numpy().copy() for lin in model.linears())
    for g in grads:
        g.flags.writeable = False
    return grads


def underflow_gradients(depth: int = UNDERFLOW_DEPTH) -> list[np.ndarray]:
    """The exact (float64) weight gradients of the exercises' network, one array per layer:
    hidden layers 1 to ``depth``, then the output layer.

    The network is Nielsen's sigmoid network (:func:`vgp_lib.models.build_mlp` with
    ``activation="sigmoid"``, ``init="nielsen"``) of ``depth`` hidden layers of 30 units,
    seed 0; the cost is the mean cross-entropy of its logits on the first 10 MNIST training
    images. The chapter hands these to the reader for ``ex-transformers-underflow`` and
    ``ex-transformers-scale`` (equation ``eq-tf-fp16-range``).
    """
    return [g.copy() for g in _gradients(_depth(depth))]


@functools.cache
def _underflow(depth: int):
    x, y = _images()
    return layer_underflow(
        x, y, depth=depth, width=UNDERFLOW_WIDTH, seed=UNDERFLOW_SEED, dtype="float16"
    )


def underflow_fraction(depth: int = UNDERFLOW_DEPTH) -> float:
    """The fraction of the nonzero entries of layer 1's weight gradient that round to 0 in
    float16, for the network of :func:`underflow_gradients` (the reference of
    ``ex-transformers-underflow``; equation ``eq-tf-fp16-range``).
    """
    return float(_underflow(_depth(depth)).cast_zero_fraction[0])


def scale_range(depth: int = UNDERFLOW_DEPTH) -> tuple[int, int]:
    """``(k_min, k_max)``: the loss scales 2^k that lose no entry of the whole weight gradient of
    the network of :func:`underflow_gradients` in float16, the smallest (k >= 0) and the largest
    (the reference of ``ex-transformers-scale``; equation ``eq-tf-loss-scale``).
    """
    sizes = np.concatenate(_underflow(_depth(depth)).gradient_sizes)
    return scale_bounds(sizes, "float16")


def _no_mnist(ex: str, err: Exception) -> Feedback:
    return Feedback(
        ex,
        INCORRECT,
        f"the check needs the MNIST images and could not read them ({type(err).__name__}).",
        str(err),
    )


# ------------------------------------------------------------------ ex-transformers-underflow

#: float16's smallest normal and smallest subnormal numbers.
_SMALLEST_NORMAL, _SMALLEST_SUBNORMAL = 2.0**-14, 2.0**-24


#: The hint of two slips that give nearly the same value: subnormal results counted as lost, and
#: the smallest normal number taken as the edge.
_BELOW_NORMAL = (
    "That counts every entry below float16's smallest normal number as lost; below it come "
    "the subnormal numbers, which keep fewer digits but are not 0."
)


def _share(mask: np.ndarray, nonzero: np.ndarray) -> float:
    return float((mask & nonzero).sum() / nonzero.sum()) if nonzero.any() else 0.0


def _layer_share(g: np.ndarray) -> float:
    """Of the nonzero entries of ``g``, the fraction that rounds to 0 in float16."""
    counts = cast_counts(g, "float16")
    return counts.zero / counts.nonzero if counts.nonzero else 0.0


@functools.cache
def _underflow_slips(depth: int) -> tuple[tuple[float, str], ...]:
    """The values of the usual slips, with their hints."""
    grads = _gradients(depth)
    g = grads[0].ravel()
    size, nonzero = np.abs(g), g != 0
    counts = cast_counts(g, "float16")
    every = np.concatenate([a.ravel() for a in grads])
    ref = underflow_fraction(depth)
    low = cast_counts(g, "bfloat16").zero / max(counts.nonzero, 1)
    return (
        (
            counts.zero / counts.n,
            "That divides by all the entries of the layer; the question asks about the nonzero "
            "ones (a pixel that is 0 in every image gives its weights a zero gradient).",
        ),
        (
            (counts.zero + counts.subnormal) / counts.nonzero,
            _BELOW_NORMAL,
        ),
        (_share(size < _SMALLEST_NORMAL, nonzero), _BELOW_NORMAL),
        (
            _share(size < _SMALLEST_SUBNORMAL, nonzero),
            "That cuts every entry below the smallest subnormal number; a cast rounds to the "
            "nearest float16 number, which for some of them is that subnormal, not 0.",
        ),
        (
            low,
            "That is what bfloat16 (or float32) gives: their exponents reach far below these "
            "gradients. The question is about float16.",
        ),
        (
            float(_underflow(depth).zero_fraction[0]),
            "That runs the backward pass itself in float16; the question rounds the exact "
            "float64 gradient to float16.",
        ),
        (
            _layer_share(grads[1]),
            "That is layer 2 (grads[1]); layer 1, the first hidden layer, is grads[0].",
        ),
        (
            _layer_share(every),
            "That counts the entries of every layer; the question asks about layer 1 only.",
        ),
        (100 * ref, "That is a percentage; the question asks for a fraction between 0 and 1."),
        (1 - ref, "That is the share of the nonzero entries that survive, not of those lost."),
    )


@check("ex-transformers-underflow", SignificantFigures(2))
def check_underflow(answer, depth: int = UNDERFLOW_DEPTH) -> Feedback:
    """Check the fraction of the nonzero entries of layer 1's weight gradient that round to 0 in
    float16, for the network of :func:`underflow_gradients` with ``depth`` hidden layers (the
    chapter passes ``UNDERFLOW_DEPTH``). The check computes the gradient itself: it does not
    take the reader's.
    """
    ex = "ex-transformers-underflow"
    depth = _depth(depth)
    value, problem = as_number(ex, answer, "a fraction between 0 and 1")
    if problem:
        return problem
    try:
        reference, hints = underflow_fraction(depth), list(_underflow_slips(depth))
    except (MNISTNotInstalledError, MNISTCorruptError) as err:
        return _no_mnist(ex, err)
    return close_to(
        ex,
        value,
        reference,
        precision=check_underflow.rule,
        what="fraction rounded to 0",
        hints=hints,
        too_large="Too large: an entry is lost only when the float16 number nearest to it is 0.",
        too_small="Too small: compare the sizes of layer 1's entries with float16's smallest "
        "positive number, about 6e-8, and with what rounds to it.",
    )


# ---------------------------------------------------------------------- ex-transformers-scale


def _smallest_k(low: float, edge: float, *, strict: bool) -> int:
    """The smallest k >= 0 with low 2^k above ``edge`` (at or above it unless ``strict``)."""
    k = 0
    while (math.ldexp(low, k) <= edge) if strict else (math.ldexp(low, k) < edge):
        k += 1
    return k


def _largest_k(high: float, edge: float, *, strict: bool) -> int:
    """The largest k with high 2^k below ``edge`` (at or below it unless ``strict``)."""
    k = math.floor(math.log2(edge / high)) + 2
    while (math.ldexp(high, k) >= edge) if strict else (math.ldexp(high, k) > edge):
        k -= 1
    return k


@functools.cache
def _scale_slips(depth: int) -> tuple[tuple, tuple]:
    """``(slips of k_min, slips of k_max)``, each a tuple of (value, hint)."""
    grads = _gradients(depth)
    sizes = np.concatenate([np.abs(g.ravel()) for g in grads])
    sizes = sizes[sizes != 0]
    first = np.abs(grads[0][grads[0] != 0])
    low, high = float(sizes.min()), float(sizes.max())
    k_min, _ = scale_range(depth)
    top = overflow_threshold("float16")
    lows = [
        (
            _smallest_k(low, _SMALLEST_SUBNORMAL, strict=False),
            "That asks every entry to reach float16's smallest subnormal number; rounding to "
            "nearest already keeps an entry a little below it.",
        ),
        (
            _smallest_k(low, _SMALLEST_NORMAL, strict=False),
            "That asks every entry to reach float16's smallest normal number; the subnormal "
            "numbers below it are not 0 (they keep fewer digits).",
        ),
        (
            scale_bounds(first, "float16")[0],
            "That looks at layer 1 alone; the smallest entry of the whole gradient decides.",
        ),
    ]
    if k_min > 0:
        lows.append(
            (
                0,
                "Without scaling, entries of layer 1 round to 0 in float16 (the previous "
                "exercise counted them).",
            )
        )
    highs = [
        (
            _largest_k(high, 65504.0, strict=False),
            "float16's largest number is 65504, but a cast rounds: a number a little above it "
            "still rounds to 65504, not to inf.",
        ),
        (
            _largest_k(float(first.max()), top, strict=True),
            "That looks at layer 1 alone; the largest entry of the whole gradient overflows "
            "first, and it sits in another layer.",
        ),
        (
            _largest_k(high, float(torch.finfo(torch.bfloat16).max), strict=False),
            "That is the limit of bfloat16 (or float32), whose exponents reach far higher; "
            "the question is about float16.",
        ),
    ]
    return tuple(lows), tuple(highs)


@check(
    "ex-transformers-scale",
    Pair(Exactly(), Exactly(), "each k exact (a whole number)"),
)
def check_scale(answer, depth: int = UNDERFLOW_DEPTH) -> Feedback:
    """Check ``(k_min, k_max)``: the smallest k >= 0 such that the loss scale 2^k leaves no
    nonzero entry of the whole weight gradient rounded to 0 in float16, and the largest k before
    an entry overflows, for the network of :func:`underflow_gradients` (the chapter passes
    ``UNDERFLOW_DEPTH``).
    """
    ex = "ex-transformers-scale"
    depth = _depth(depth)
    if not_attempted(answer):
        return pending(ex, "a pair of whole numbers (k_min, k_max)")
    pair, problem = read_pair(answer)
    if problem:
        return Feedback(
            ex,
            INCORRECT,
            f"the answer should be a pair of whole numbers (k_min, k_max), {problem}.",
        )
    if any(v != int(v) for v in pair):
        return Feedback(
            ex,
            INCORRECT,
            f"k_min and k_max are whole numbers (exponents of 2), got {pair[0]:g} and {pair[1]:g}.",
        )
    try:
        (ref_min, ref_max), (lows, highs) = scale_range(depth), _scale_slips(depth)
    except (MNISTNotInstalledError, MNISTCorruptError) as err:
        return _no_mnist(ex, err)
    rule = check_scale.rule
    got_min, got_max = pair
    if rule.accepts(pair, (ref_min, ref_max)):
        return Feedback(
            ex,
            CORRECT,
            f"k_min = {got_min:.0f} and k_max = {got_max:.0f}: every scale 2^k in between keeps "
            "the whole gradient in float16's range.",
        )
    if (got_min, got_max) == (ref_max, ref_min) and ref_min != ref_max:
        return Feedback(
            ex,
            INCORRECT,
            "the pair is in the wrong order.",
            "The question asks for (k_min, k_max): first the smallest k, then the largest.",
        )
    if got_min < 0:
        return Feedback(
            ex,
            INCORRECT,
            f"k_min = {got_min:.0f} is below 0; the question asks for k >= 0.",
        )
    if not rule.first.accepts(got_min, ref_min):
        return close_to(
            ex,
            got_min,
            ref_min,
            precision=rule.first,
            what="k_min",
            hints=list(lows),
            too_small="At that scale some nonzero entries still round to 0 in float16.",
            too_large="A smaller power of two already keeps every nonzero entry; the question "
            "asks for the smallest.",
        )
    return close_to(
        ex,
        got_max,
        ref_max,
        precision=rule.second,
        what="k_max",
        hints=list(highs),
        too_large="At that scale the largest entries overflow to inf in float16.",
        too_small="A larger power of two still keeps every entry finite; the question asks "
        "for the largest.",
    )
