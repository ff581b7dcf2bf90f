"""Mixed precision: where float16's range ends, loss scaling, and what bfloat16 costs.

A number format with ``p`` significand digits (the leading one included) and
exponents down to ``e_min`` holds, besides 0 and ``inf``, normal numbers
from :math:`2^{e_{\\min}}` up to its largest, and below them *subnormal* numbers in
steps of :math:`2^{e_{\\min} - p + 1}`. For float16 (equation ``eq-tf-fp16-range``)

.. math::

    2^{-24} \\approx 6.0\\times10^{-8} \\;\\text{(smallest subnormal)},\\quad
    2^{-14} \\approx 6.1\\times10^{-5} \\;\\text{(smallest normal)},\\quad
    65504 \\;\\text{(largest)}.

Rounding to nearest (ties to even) sends every :math:`|x| \\le 2^{-25}` to 0 and every
:math:`|x| \\ge 65520` to ``inf`` (:func:`zero_threshold`, :func:`overflow_threshold`).
bfloat16 keeps float32's exponents (down to :math:`2^{-133}`, up to
:math:`3.4\\times10^{38}`) but only 8 significand digits :cite:p:`kalamkar2019`.

A vanishing gradient is small, so in float16 the early layers' gradients round to 0.
*Loss scaling* :cite:p:`micikevicius2018` multiplies the loss by :math:`s = 2^k` before the
backward pass, so every gradient is :math:`s\\,g` (equation ``eq-tf-loss-scale``), and
divides by :math:`s` afterwards in float32, where the small values fit. A power of two
changes no digit. Too large an :math:`s` turns the largest gradients into ``inf``.

:func:`cast_counts` and :func:`scale_bounds` count this on any array of numbers;
:func:`layer_underflow` runs the float16 backward pass of the book's sigmoid networks for
real, :func:`scale_sweep` at a range of loss scales; :func:`train_mixed` trains one with
each recipe, dynamic loss scaling included.

>>> format_limits("float16").largest
65504.0
>>> cast_counts([1e-9, 1e-6, 1e5], "float16")
CastCounts(n=3, nonzero=3, zero=1, subnormal=1, overflow=1)
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch
from torch import nn

from ._validate import (
    MAX_DEPTH,
    MAX_EPOCHS,
    MAX_WIDTH,
    check_array,
    check_choice,
    check_int,
    check_labelled,
    check_real,
    check_sequence,
    checked,
)
from .models import build_mlp
from .rng import torch_generator
from .threads import single_thread

__all__ = [
    "FORMATS",
    "MODES",
    "FormatLimits",
    "format_limits",
    "zero_threshold",
    "overflow_threshold",
    "round_to_format",
    "CastCounts",
    "cast_counts",
    "scale_bounds",
    "LayerUnderflow",
    "layer_underflow",
    "ScaleSweep",
    "scale_sweep",
    "MixedRun",
    "train_mixed",
]

FORMATS = ("float16", "bfloat16", "float32")
#: How :func:`train_mixed` runs the forward and backward pass (see there).
MODES = ("float32", "float16", "float16-static", "float16-dynamic", "bfloat16")
_TORCH_DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}
#: Largest loss scale :func:`train_mixed` takes or grows to (float16 overflows from about 2^17).
MAX_SCALE = 2.0**64
#: Largest |pixel| the networks take (images are in [0, 1]).
MAX_INPUT = 1e4
N_CLASSES = 10

_FORMAT = partial(check_choice, choices=FORMATS)
_SCALE = partial(check_real, lo=0.0, lo_open=True)


@dataclass(frozen=True)
class FormatLimits:
    """The range of a number format: its smallest subnormal and normal numbers, its largest
    number and its significand digits (the leading one included)."""

    name: str
    smallest_subnormal: float
    smallest_normal: float
    largest: float
    digits: int


@checked(dtype=_FORMAT)
def format_limits(dtype="float16") -> FormatLimits:
    """The limits of ``dtype`` (equation ``eq-tf-fp16-range``), from ``torch.finfo``.

    The spacing of the numbers just above 1 is :math:`2^{1-p}` for ``p`` digits, and the
    subnormals are spaced like the numbers just above the smallest normal one.

    >>> lim = format_limits("bfloat16")
    >>> lim.digits, lim.smallest_subnormal == 2.0**-133
    (8, True)
    """
    info = torch.finfo(_TORCH_DTYPES[dtype])
    digits = 1 - round(math.log2(info.eps))
    return FormatLimits(
        name=dtype,
        smallest_subnormal=info.smallest_normal * info.eps,
        smallest_normal=info.smallest_normal,
        largest=info.max,
        digits=digits,
    )


@checked(dtype=_FORMAT)
def zero_threshold(dtype="float16") -> float:
    """The largest :math:`|x|` that rounds to 0 in ``dtype``: half the smallest subnormal.

    Exactly half lies midway between 0 and the smallest subnormal, and a tie goes to the
    number whose last digit is even, here 0 (equation ``eq-tf-fp16-range``).

    >>> zero_threshold("float16") == 2.0**-25
    True
    """
    return format_limits(dtype).smallest_subnormal / 2


@checked(dtype=_FORMAT)
def overflow_threshold(dtype="float16") -> float:
    """The smallest :math:`|x|` that rounds to ``inf`` in ``dtype``: the largest number plus
    half the spacing of the numbers at the top.

    That midpoint is a tie between the largest number (last digit odd) and the next power of
    two, which does not exist and so becomes ``inf`` (equation ``eq-tf-fp16-range``).

    >>> overflow_threshold("float16")
    65520.0
    """
    lim = format_limits(dtype)
    top_exponent = math.frexp(lim.largest)[1] - 1
    return lim.largest + math.ldexp(1.0, top_exponent - lim.digits)


def _round(values: np.ndarray, dtype: str) -> np.ndarray:
    """``values`` (float64) rounded once to ``dtype``, as float64.

    Torch turns float64 into float16 through float32: two roundings, which differ from one
    at some ties (:math:`2^{-25}(1 + 2^{-24})` becomes :math:`2^{-25}` and then 0). Rounding
    to float32 *to odd* first (truncate, then set the last bit if anything was cut off)
    keeps the information the second rounding needs, so the result is the correctly rounded
    one (float32 has at least two digits more than float16 and bfloat16).
    """
    with np.errstate(over="ignore"):
        near = values.astype(np.float32)
    if dtype == "float32":
        return near.astype(np.float64)
    back = near.astype(np.float64)
    inexact = back != values
    beyond = inexact & (np.abs(back) > np.abs(values))  # rounded away from 0: step back
    near[beyond] = np.nextafter(near[beyond], np.float32(0))
    near.view(np.uint32)[inexact] |= np.uint32(1)
    return torch.from_numpy(near).to(_TORCH_DTYPES[dtype]).to(torch.float64).numpy()


@checked(values=check_array, dtype=_FORMAT)
def round_to_format(values, dtype="float16") -> np.ndarray:
    """``values`` rounded to the nearest ``dtype`` number (ties to even), returned as float64.

    Numbers at or beyond :func:`overflow_threshold` become ``inf``, numbers at or below
    :func:`zero_threshold` become 0 (equation ``eq-tf-fp16-range``). Each value is rounded
    once, as the format's definition says.

    >>> round_to_format([0.1, 1e-7, 3e-8, 7e4], "float16").tolist()
    [0.0999755859375, 1.1920928955078125e-07, 5.960464477539063e-08, inf]
    """
    return _round(values, dtype)


@dataclass(frozen=True)
class CastCounts:
    """What casting ``n`` numbers to a format did: of the ``nonzero`` ones, ``zero`` became 0,
    ``subnormal`` became subnormal (fewer digits), ``overflow`` became ``inf``."""

    n: int
    nonzero: int
    zero: int
    subnormal: int
    overflow: int

    @property
    def lost(self) -> int:
        """Entries lost: rounded to 0 or to ``inf``."""
        return self.zero + self.overflow


@checked(values=check_array, dtype=_FORMAT, scale=_SCALE)
def cast_counts(values, dtype="float16", scale: float = 1.0) -> CastCounts:
    """Count what storing ``scale * values`` in ``dtype`` does to them (equations
    ``eq-tf-fp16-range`` and ``eq-tf-loss-scale``).

    The product is formed in float64 (exact for a power of two) and rounded once to
    ``dtype``. With ``scale = 2**k`` an entry survives exactly when
    :math:`|v|\\,2^k` lies above :func:`zero_threshold` and below
    :func:`overflow_threshold`.

    >>> g = [2e-8, 1e-6, 0.5]
    >>> cast_counts(g, "float16").zero, cast_counts(g, "float16", scale=2.0**8).zero
    (1, 0)
    """
    with np.errstate(over="ignore"):
        scaled = values.ravel() * scale
    cast = _round(scaled, dtype)
    nonzero = scaled != 0
    lim = format_limits(dtype)
    return CastCounts(
        n=int(scaled.size),
        nonzero=int(nonzero.sum()),
        zero=int((nonzero & (cast == 0)).sum()),
        subnormal=int(((cast != 0) & (np.abs(cast) < lim.smallest_normal)).sum()),
        overflow=int(np.isinf(cast).sum()),
    )


@checked(values=check_array, dtype=_FORMAT)
def scale_bounds(values, dtype="float16") -> tuple[int, int]:
    """``(k_min, k_max)``: the loss scales :math:`2^k` that lose nothing (equation
    ``eq-tf-loss-scale``).

    ``k_min`` is the smallest :math:`k \\ge 0` with :math:`\\min|v|\\,2^k` above
    :func:`zero_threshold` (no nonzero entry rounds to 0); ``k_max`` the largest :math:`k`
    with :math:`\\max|v|\\,2^k` below :func:`overflow_threshold` (no entry overflows; it is
    negative if even :math:`k = 0` overflows). When ``k_min > k_max`` no single scale
    keeps every entry: the values span more than the format's range. The bounds come from
    the logarithms and are then settled by exact comparisons (a power of two scales a
    float64 exactly).

    >>> scale_bounds([1e-9, 1e-3], "float16")
    (5, 25)
    """
    magnitudes = np.abs(values[values != 0])
    if magnitudes.size == 0:
        raise ValueError("values must hold at least one nonzero number")
    low, high = float(magnitudes.min()), float(magnitudes.max())
    zero, top = zero_threshold(dtype), overflow_threshold(dtype)
    k_min = max(0, math.floor(math.log2(zero / low)))
    while math.ldexp(low, k_min) <= zero:
        k_min += 1
    while k_min > 0 and math.ldexp(low, k_min - 1) > zero:
        k_min -= 1
    k_max = math.floor(math.log2(top / high))
    while math.ldexp(high, k_max) >= top:
        k_max -= 1
    while math.ldexp(high, k_max + 1) < top:
        k_max += 1
    return k_min, k_max


# -- the book's deep networks, backward pass in low precision --------------------------------------
def _check_images(x, y, **_):
    """``x`` (n, pixels) of finite numbers up to :data:`MAX_INPUT` and labels ``y`` in 0..9."""
    x, y = check_labelled("x", x, "y", y, n_classes=N_CLASSES)
    if x.ndim != 2:
        raise ValueError(f"x must hold one image per row, got shape {x.shape}")
    if np.abs(x).max() > MAX_INPUT:
        raise ValueError(f"x must hold numbers of size at most {MAX_INPUT:g} (pixels)")
    return {"x": x.astype(np.float64), "y": y.astype(np.int64)}


def _weight_grads(model, x, y, scale: float = 1.0) -> list:
    """Weight gradients of the mean cross-entropy of ``model`` on ``(x, y)``, divided by
    ``scale`` in float64; the loss is computed from the logits in float32 (float64 for a
    float64 model) and multiplied by ``scale`` before the backward pass."""
    model.zero_grad()
    logits = model(x)
    loss_dtype = torch.float64 if logits.dtype == torch.float64 else torch.float32
    loss = nn.functional.cross_entropy(logits.to(loss_dtype), y)
    (loss * scale).backward()
    return [lin.weight.grad.detach().to(torch.float64).numpy() / scale for lin in model.linears()]


@dataclass(frozen=True)
class LayerUnderflow:
    """Per layer (hidden layers 1..depth, then the output layer): the share of weight-gradient
    entries a low-precision backward pass loses.

    ``zero_fraction``: nonzero in float64, exactly 0 after the backward pass in ``dtype``;
    ``overflow_fraction``: of all entries, ``inf`` or ``nan`` there; ``lost_fraction``:
    nonzero in float64, 0, ``inf`` or ``nan`` there; ``cast_zero_fraction``: the storage model,
    the float64 gradient times ``scale`` rounded to ``dtype`` gives 0;
    ``relative_error``: median of :math:`|g_{dtype}/g - 1|` over the entries that survived;
    ``gradient_sizes``: the float64 :math:`|g|` of every entry, one array per layer.
    """

    depth: int
    dtype: str
    scale: float
    zero_fraction: np.ndarray
    overflow_fraction: np.ndarray
    lost_fraction: np.ndarray
    cast_zero_fraction: np.ndarray
    relative_error: np.ndarray
    gradient_sizes: tuple[np.ndarray, ...]

    @property
    def layers(self) -> np.ndarray:
        """Layer numbers 1..depth + 1 (the last is the output layer)."""
        return np.arange(1, self.depth + 2)


def _share(part: np.ndarray, whole: np.ndarray) -> float:
    return float(part.sum() / whole.sum()) if whole.any() else 0.0


@checked(
    _check_images,
    depth=partial(check_int, lo=1, hi=MAX_DEPTH),
    width=partial(check_int, lo=1, hi=1024),
    dtype=_FORMAT,
    scale=_SCALE,
)
def layer_underflow(
    x, y, *, depth: int, width: int = 30, seed: int, dtype="float16", scale: float = 1.0
) -> LayerUnderflow:
    """Run the backward pass of Nielsen's sigmoid network in ``dtype`` and count, layer by
    layer, the weight gradients it loses (equations ``eq-tf-fp16-range``, ``eq-tf-loss-scale``).

    The network is ``build_mlp(n_in, width, 10, depth, activation="sigmoid",
    init="nielsen", seed=seed)``, the cost the mean cross-entropy of its logits on the
    mini-batch ``(x, y)``. The exact gradients come from a float64 pass. Then the same
    network and inputs are cast to ``dtype``; the forward and backward passes run there,
    except the loss, which is computed in float32 from the logits (as automatic mixed
    precision does), multiplied by ``scale`` and its gradient passed back into the
    ``dtype`` network. The gradients are divided by ``scale`` in float64.

    >>> x, y = np.random.default_rng(0).random((4, 6)), np.array([0, 1, 2, 3])
    >>> r = layer_underflow(x, y, depth=2, width=5, seed=0)
    >>> r.layers.tolist(), float(r.overflow_fraction.max())
    ([1, 2, 3], 0.0)
    """
    model = build_mlp(
        n_in=x.shape[1],
        width=width,
        n_out=N_CLASSES,
        depth=depth,
        activation="sigmoid",
        init="nielsen",
        seed=seed,
    )
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    low_dtype = _TORCH_DTYPES[dtype]
    with single_thread():
        exact = _weight_grads(model, xt, yt)
        low = copy.deepcopy(model).to(low_dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            lossy = _weight_grads(low, xt.to(low_dtype), yt, scale)
    zero, over, lost, stored, error = [], [], [], [], []
    for g, h in zip(exact, lossy):
        g, h = g.ravel(), h.ravel()
        nonzero = g != 0
        zero.append(_share(nonzero & (h == 0), nonzero))
        over.append(float((~np.isfinite(h)).mean()))
        lost.append(_share(nonzero & ((h == 0) | ~np.isfinite(h)), nonzero))
        with np.errstate(over="ignore"):
            stored.append(_share(nonzero & (_round(g * scale, dtype) == 0), nonzero))
        kept = nonzero & (h != 0) & np.isfinite(h)
        rel = np.abs(h[kept] / g[kept] - 1)
        error.append(float(np.median(rel)) if rel.size else 0.0)
    return LayerUnderflow(
        depth=depth,
        dtype=dtype,
        scale=scale,
        zero_fraction=np.array(zero),
        overflow_fraction=np.array(over),
        lost_fraction=np.array(lost),
        cast_zero_fraction=np.array(stored),
        relative_error=np.array(error),
        gradient_sizes=tuple(np.abs(g).ravel() for g in exact),
    )


@dataclass(frozen=True)
class ScaleSweep:
    """:func:`layer_underflow` at each loss scale :math:`2^k`, ``k`` in ``exponents``: the
    arrays are ``(len(exponents), depth + 1)``, one row per ``k``, one column per layer."""

    depth: int
    dtype: str
    exponents: np.ndarray
    zero_fraction: np.ndarray
    overflow_fraction: np.ndarray
    lost_fraction: np.ndarray

    @property
    def smallest_saving(self) -> int | None:
        """The smallest ``k`` at which no layer loses an entry, to 0 or to ``inf``/``nan``
        (None if there is none: the gradients span more than the format's range)."""
        ok = ~self.lost_fraction.any(axis=1)
        return int(self.exponents[ok].min()) if ok.any() else None

    @property
    def first_overflow(self) -> int | None:
        """The smallest ``k`` at which some gradient entry is ``inf`` or ``nan`` (or None)."""
        bad = self.overflow_fraction.any(axis=1)
        return int(self.exponents[bad].min()) if bad.any() else None


def _check_exponents(name, exponents):
    values = check_sequence(name, exponents, what="integers", max_len=200)
    return np.array([check_int(name, k, lo=-100, hi=100) for k in values])


@checked(
    _check_images,
    depth=partial(check_int, lo=1, hi=MAX_DEPTH),
    width=partial(check_int, lo=1, hi=1024),
    exponents=_check_exponents,
    dtype=_FORMAT,
)
def scale_sweep(
    x, y, *, depth: int, exponents=range(0, 25), width: int = 30, seed: int, dtype="float16"
) -> ScaleSweep:
    """:func:`layer_underflow` of one network at each loss scale :math:`2^k` (equation
    ``eq-tf-loss-scale``): where the scale saves the early layers, and where it overflows.

    >>> x, y = np.random.default_rng(0).random((4, 6)), np.array([0, 1, 2, 3])
    >>> sweep = scale_sweep(x, y, depth=2, width=5, exponents=[0, 30], seed=0)
    >>> sweep.smallest_saving, sweep.first_overflow
    (0, 30)
    """
    runs = [
        layer_underflow(x, y, depth=depth, width=width, seed=seed, dtype=dtype, scale=2.0 ** int(k))
        for k in exponents
    ]
    return ScaleSweep(
        depth=depth,
        dtype=dtype,
        exponents=exponents,
        zero_fraction=np.stack([r.zero_fraction for r in runs]),
        overflow_fraction=np.stack([r.overflow_fraction for r in runs]),
        lost_fraction=np.stack([r.lost_fraction for r in runs]),
    )


# -- training with each recipe ---------------------------------------------------------------------
@dataclass(frozen=True)
class MixedRun:
    """One training run of :func:`train_mixed`.

    Per step: the mini-batch ``loss`` (float32, before the step), the loss ``scale`` used and
    whether the step was ``skipped`` (its gradient held ``inf`` or ``nan``). Per layer
    (hidden layers 1..depth, then the output layer): ``layer_change``, the norm
    :math:`\\lVert W_{\\text{final}} - W_{\\text{initial}}\\rVert` of the float32 master
    weights, and ``lost_update_fraction``, the share of nonzero weight updates that would
    vanish if the weights themselves were stored in the mode's format (``w + Δw`` rounds
    back to ``w``), pooled over the steps taken. ``final_loss``: the mean cross-entropy on
    all of ``x`` at the end, in float64.
    """

    mode: str
    loss: np.ndarray
    scale: np.ndarray
    skipped: np.ndarray
    layer_change: np.ndarray
    lost_update_fraction: np.ndarray
    final_loss: float

    @property
    def first_layer_change(self) -> float:
        """:math:`\\lVert W^1_{\\text{final}} - W^1_{\\text{initial}}\\rVert`."""
        return float(self.layer_change[0])


def _mode_dtype(mode: str) -> torch.dtype:
    return torch.float32 if mode == "float32" else _TORCH_DTYPES[mode.split("-")[0]]


@checked(
    _check_images,
    depth=partial(check_int, lo=1, hi=MAX_DEPTH),
    mode=partial(check_choice, choices=MODES),
    steps=partial(check_int, lo=1, hi=MAX_EPOCHS),
    batch=partial(check_int, lo=1, hi=MAX_WIDTH),
    lr=partial(check_real, lo=0.0, lo_open=True, hi=100.0),
    width=partial(check_int, lo=1, hi=1024),
    init_scale=partial(check_real, lo=1.0, hi=MAX_SCALE),
    growth_interval=partial(check_int, lo=1, hi=MAX_EPOCHS),
)
def train_mixed(
    x,
    y,
    *,
    depth: int,
    mode: str,
    steps: int,
    batch: int = 10,
    lr: float = 0.5,
    width: int = 30,
    seed: int,
    init_scale: float = 2.0**16,
    growth_interval: int = 50,
) -> MixedRun:
    """Train Nielsen's sigmoid network (as in :func:`layer_underflow`) by SGD, with the
    forward and backward passes in low precision (equation ``eq-tf-loss-scale``).

    The weights are kept in float32 (the *master* copy); each step copies them to the
    mode's format, runs the mini-batch forward and backward there (the loss in float32),
    divides the gradient by the loss scale in float32 and updates the master weights:

    * ``"float32"``: everything in float32, no scaling;
    * ``"float16"``: float16, no scaling;
    * ``"float16-static"``: float16, the loss times the fixed scale ``init_scale``; a step
      whose gradient holds ``inf`` or ``nan`` is skipped;
    * ``"float16-dynamic"``: the standard scaler :cite:p:`micikevicius2018`: start at
      ``init_scale``; on ``inf`` or ``nan`` skip the step and halve the scale; after
      ``growth_interval`` good steps in a row double it;
    * ``"bfloat16"``: bfloat16, no scaling :cite:p:`kalamkar2019`.

    Mini-batches of ``batch`` images are drawn without replacement, a new order each
    epoch, from a generator seeded with ``seed``; the same seed gives every mode the same
    initial weights and the same mini-batches.

    >>> x, y = np.random.default_rng(0).random((8, 6)), np.arange(8) % 4
    >>> run = train_mixed(x, y, depth=2, mode="float16-dynamic", steps=3, batch=4, seed=0)
    >>> run.scale.tolist(), run.skipped.tolist()
    ([65536.0, 65536.0, 65536.0], [False, False, False])
    """
    low_dtype = _mode_dtype(mode)
    master = build_mlp(
        n_in=x.shape[1],
        width=width,
        n_out=N_CLASSES,
        depth=depth,
        activation="sigmoid",
        init="nielsen",
        seed=seed,
        dtype=torch.float32,
    )
    initial = [lin.weight.detach().clone() for lin in master.linears()]
    low = copy.deepcopy(master).to(low_dtype)
    xt, yt = torch.from_numpy(x).to(low_dtype), torch.from_numpy(y)
    generator = torch_generator(seed)
    batch = min(batch, len(x))
    scaled = mode in ("float16-static", "float16-dynamic")
    scale, good = (init_scale if scaled else 1.0), 0
    losses, scales, skipped = np.empty(steps), np.empty(steps), np.zeros(steps, dtype=bool)
    lost = np.zeros(depth + 1)
    moved = np.zeros(depth + 1)
    order = torch.empty(0, dtype=torch.long)
    with single_thread():
        for t in range(steps):
            if order.numel() < batch:
                order = torch.randperm(len(x), generator=generator)
            idx, order = order[:batch], order[batch:]
            with torch.no_grad():
                for p_low, p in zip(low.parameters(), master.parameters()):
                    p_low.copy_(p)
            low.zero_grad()
            loss = nn.functional.cross_entropy(low(xt[idx]).to(torch.float32), yt[idx])
            (loss * scale).backward()
            grads = [p.grad.to(torch.float32) / scale for p in low.parameters()]
            losses[t], scales[t] = float(loss.detach()), scale
            if scaled and not all(bool(torch.isfinite(g).all()) for g in grads):
                skipped[t] = True
                if mode == "float16-dynamic":
                    scale, good = scale / 2, 0
                continue
            with torch.no_grad():
                for l, (lin, lin_low) in enumerate(zip(master.linears(), low.linears())):
                    w, update = lin.weight, -lr * lin_low.weight.grad.to(torch.float32) / scale
                    stored = w.to(low_dtype)  # the weights, were they kept in the mode's format
                    kept = (stored.to(torch.float32) + update).to(low_dtype) == stored
                    lost[l] += int(((update != 0) & kept).sum())
                    moved[l] += int((update != 0).sum())
                for p, g in zip(master.parameters(), grads):
                    p.add_(g, alpha=-lr)
            if mode == "float16-dynamic":
                good += 1
                if good == growth_interval:
                    scale, good = min(scale * 2, MAX_SCALE), 0
        with torch.no_grad():
            final = master.to(torch.float64)
            final_loss = float(
                nn.functional.cross_entropy(final(torch.from_numpy(x)), torch.from_numpy(y))
            )
    change = [
        float((lin.weight.detach() - w0.to(torch.float64)).norm())
        for lin, w0 in zip(final.linears(), initial)
    ]
    return MixedRun(
        mode=mode,
        loss=losses,
        scale=scales,
        skipped=skipped,
        layer_change=np.array(change),
        lost_update_fraction=np.divide(lost, moved, out=np.zeros_like(lost), where=moved > 0),
        final_loss=final_loss,
    )
