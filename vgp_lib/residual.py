"""Residual connections: the gradient as a sum over paths, and the variance of the stream.

A residual block adds its branch to its input, ``a^l = a^{l-1} + F_l(a^{l-1})``, so its
Jacobian is ``I + J_l`` with ``J_l = dF_l/da^{l-1}`` (equation ``eq-residual-block``).
Through ``k`` blocks the product ``(I + J_k) ... (I + J_1)`` expands into a sum of
``2^k`` products, one per *path*: each block is either skipped (``I``) or gone through
(``J_l``) :cite:p:`veit2016`. This module

* sums the paths by their length, the number of branches they go through
  (:func:`path_sums`, :func:`path_counts`);
* splits the gradient of a real residual network, linearised at one batch, the
  same way (:func:`path_gradients`);
* measures how the variance of the residual stream grows from block to block, with
  and without normalisation in the branch and with the branch scaled by ``alpha``
  (:func:`stream_variance`).

Blocks are numbered 1..k in the text and 0-based in code.

>>> path_counts(4).tolist()
[1.0, 4.0, 6.0, 4.0, 1.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from ._validate import (
    MAX_SEED,
    check_array,
    check_bool,
    check_choice,
    check_int,
    check_real,
    checked,
)
from .models import MODEL_ACTIVATIONS, MODEL_INITS, build_mlp
from .profiles import random_batch
from .rng import make_rng
from .threads import on_one_thread

__all__ = [
    "path_sums",
    "path_counts",
    "PathGradients",
    "path_gradients",
    "ErrorShare",
    "error_share",
    "StreamVariance",
    "stream_variance",
]

#: Most blocks and units the path computations take (they cost k^2 n^3).
MAX_BLOCKS, MAX_UNITS = 200, 512
_UNITS = partial(check_int, lo=1, hi=MAX_UNITS)
#: The checks of the network arguments that :func:`path_gradients` and :func:`error_share` share.
_NET_RULES = dict(
    depth=partial(check_int, lo=2, hi=MAX_BLOCKS + 1),
    activation=partial(check_choice, choices=MODEL_ACTIVATIONS),
    init=partial(check_choice, choices=MODEL_INITS),
    width=_UNITS,
    n_in=_UNITS,
    n_classes=_UNITS,
    batch=_UNITS,
)


def path_sums(jacobians) -> np.ndarray:
    """The sum of all paths through exactly ``j`` branches, for ``j = 0, ..., k``.

    ``jacobians[l]`` is block ``l + 1``'s branch Jacobian ``J`` (square, ``n x n``).
    Entry ``j`` of the result is the sum, over the ``C(k, j)`` sets of ``j``
    blocks, of the product of their ``J`` in the order of the network (later
    blocks on the left); the entries add up to ``(I + J_k) ... (I + J_1)``
    (equation ``eq-residual-block``). Going through one more block either keeps
    a path's length (the block is skipped) or adds one (its branch is taken):

        S_j  <-  S_j + J_l S_{j-1}.

    >>> s = path_sums([[[0.5]], [[0.2]]])
    >>> s[:, 0, 0].round(6).tolist()   # 1, 0.5 + 0.2, 0.2 * 0.5; they sum to 1.5 * 1.2
    [1.0, 0.7, 0.1]
    """
    J = check_array("jacobians", jacobians, ndim=3)
    k, n, m = J.shape
    if n != m:
        raise ValueError(f"jacobians must be square matrices, got shape {n} x {m}")
    check_int("jacobians", k, lo=1, hi=MAX_BLOCKS)
    check_int("jacobians", n, lo=1, hi=MAX_UNITS)
    S = np.zeros((k + 1, n, n))
    S[0] = np.eye(n)
    with np.errstate(over="raise", invalid="raise"):
        try:
            for layer in range(k):  # block layer + 1
                for j in range(layer + 1, 0, -1):  # longest first: S[j - 1] is still the old one
                    S[j] = S[j] + J[layer] @ S[j - 1]
        except FloatingPointError:
            raise ValueError(
                "jacobians are too large: their path sums overflow the float range"
            ) from None
    return S


def path_counts(k: int) -> np.ndarray:
    """How many of the ``2^k`` paths through ``k`` blocks go through exactly ``j`` branches.

    It is :func:`path_sums` with every ``J`` the number 1, so each path counts once;
    the result is the binomial coefficient ``C(k, j)``.

    >>> path_counts(3).tolist()
    [1.0, 3.0, 3.0, 1.0]
    """
    k = check_int("k", k, lo=1, hi=MAX_BLOCKS)
    return path_sums(np.ones((k, 1, 1)))[:, 0, 0]


# -- a real residual network, linearised --------------------------------------------------------
@dataclass(frozen=True)
class PathGradients:
    """The gradient at the input of the first residual block, split by path length.

    ``norms[j]``: norm (over the whole batch) of the part carried by the paths through
    exactly ``j`` branches; ``total_norm``: norm of the whole gradient, the sum of the
    parts; ``remainder[j]``: how much of the gradient the paths of length at most ``j``
    leave out, ``||g - (g_0 + ... + g_j)|| / ||g||``; ``counts[j]``: the number of
    such paths; ``branch_gains[l]``: how much block ``l + 1``'s branch alone scales the
    error at the top, ``||g_0 J_l|| / ||g_0||`` (the one path through that branch only).
    """

    config: dict
    norms: np.ndarray
    total_norm: float
    remainder: np.ndarray
    counts: np.ndarray
    branch_gains: np.ndarray

    @property
    def relative(self) -> np.ndarray:
        """``norms / total_norm``: each length's part as a fraction of the whole gradient."""
        return self.norms / self.total_norm

    @property
    def label(self) -> str:
        c = self.config
        return f"{c['activation']} branches, {c['init']} init"

    def peak_length(self) -> int:
        """The number of branches of the paths that carry the largest part (0: the identity
        path)."""
        return int(np.argmax(self.norms))

    def grows(self) -> bool:
        """Whether the whole gradient is larger than the identity path's part, the error at
        the top carried straight down.

        >>> split = PathGradients({}, np.array([1.0, 1.5, 0.2]), 2.1, np.zeros(3), np.ones(3),
        ...                       np.array([0.4]))
        >>> split.peak_length(), split.grows()
        (1, True)
        """
        return bool(self.total_norm > self.norms[0])


@on_one_thread(flush_denormal=True)
@checked(**_NET_RULES, seed=partial(check_int, lo=0, hi=MAX_SEED))
def path_gradients(
    *,
    depth: int = 20,
    activation: str = "sigmoid",
    init: str = "pytorch",
    width: int = 64,
    n_in: int = 64,
    n_classes: int = 10,
    batch: int = 64,
    seed: int,
) -> PathGradients:
    """Split the gradient of a residual network (``build_mlp(residual=True)``) by path length.

    The network has ``depth`` hidden layers: the first maps the input to ``width``
    units, the other ``k = depth - 1`` are blocks ``a + F(a)``. One random batch
    (``x ~ N(0, 1)``, random labels, cross-entropy) goes forward; the error
    ``g = dC/da`` at the output of the last block then goes down through the blocks,
    and at each block every partial sum of paths either skips it or goes through the
    branch (a vector-Jacobian product with ``J_l`` at this batch):

        g_j  <-  g_j + g_{j-1} J_l,

    which is :func:`path_sums` applied to ``g``. The parts add up to the gradient at
    the input of block 2 (code: ``blocks[1]``) that autograd computes. The first step
    at each block, ``g_0 J_l``, is also kept: its norm over ``||g_0||`` is that
    branch's gain.

    >>> pg = path_gradients(depth=4, width=8, n_in=4, n_classes=2, batch=4, seed=0)
    >>> len(pg.norms), len(pg.branch_gains)
    (4, 3)
    """
    import torch

    net = build_mlp(
        n_in=n_in,
        width=width,
        n_out=n_classes,
        depth=depth,
        activation=activation,
        init=init,
        residual=True,
        seed=seed,
    )
    x, y = random_batch(batch, n_in, n_classes, seed=seed)
    a = net.blocks[0](x).detach().requires_grad_(True)
    inputs, branches = [], []
    h = a
    for block in net.blocks[1:]:
        inputs.append(h)
        branches.append(block.act(block.norm(block.linear(h))))
        h = h + branches[-1]
    cost = torch.nn.functional.cross_entropy(net.head(h), y)
    (top,) = torch.autograd.grad(cost, h, retain_graph=True)
    (whole,) = torch.autograd.grad(cost, a, retain_graph=True)
    k = depth - 1
    parts = [top] + [torch.zeros_like(top) for _ in range(k)]
    gains = np.zeros(k)
    top_norm = float(top.norm())
    for layer in range(k - 1, -1, -1):  # from the last block down to the first
        taken = k - layer  # the paths above this block go through at most this many branches
        for j in range(taken, 0, -1):
            (vjp,) = torch.autograd.grad(
                branches[layer], inputs[layer], grad_outputs=parts[j - 1], retain_graph=True
            )
            parts[j] = parts[j] + vjp
            if j == 1:  # parts[0] is the error at the top, untouched
                gains[layer] = float(vjp.norm()) / top_norm if top_norm > 0 else 0.0
    parts = np.stack([p.detach().numpy() for p in parts])
    total = whole.detach().numpy()
    total_norm = float(np.linalg.norm(total))
    cumulative = np.cumsum(parts, axis=0)
    remainder = np.array([np.linalg.norm(total - c) for c in cumulative]) / total_norm
    return PathGradients(
        dict(net.config),
        np.array([np.linalg.norm(p) for p in parts]),
        total_norm,
        remainder,
        path_counts(k),
        gains,
    )


@dataclass(frozen=True)
class ErrorShare:
    """The share of the output layer's error that reaches hidden layer 1 of a residual
    network, ``||dC/dz^1|| / ||dC/dz^out||``, split into three factors per draw (``n_seeds``
    values each):

    ``head``: ``||dC/da^L|| / ||dC/dz^out||``, the output layer's weights taking the error
    into the residual stream; ``stream``: ``||dC/da^1|| / ||dC/da^L||``, the blocks carrying
    it down the stream; ``first``: ``||dC/dz^1|| / ||dC/da^1||``, hidden layer 1's own
    ``f'``. Their product is the share, draw by draw.
    """

    config: dict
    head: np.ndarray
    stream: np.ndarray
    first: np.ndarray

    @property
    def ratio(self) -> np.ndarray:
        """The share that reaches layer 1 in each draw: ``head * stream * first``."""
        return self.head * self.stream * self.first


@on_one_thread(flush_denormal=True)
@checked(
    **_NET_RULES,
    n_seeds=partial(check_int, lo=1, hi=20),
    seed=partial(check_int, lo=0, hi=MAX_SEED - 20),
)
def error_share(
    *,
    depth: int = 20,
    activation: str = "sigmoid",
    init: str = "pytorch",
    width: int = 64,
    n_in: int = 64,
    n_classes: int = 10,
    batch: int = 64,
    n_seeds: int = 1,
    seed: int,
) -> ErrorShare:
    """Split the error that reaches layer 1 of ``build_mlp(residual=True)`` into three factors.

    Draw ``s`` uses the network and random batch of seed ``seed + s``, the same as
    :func:`vgp_lib.profiles.gradient_profile`, so ``ratio`` equals that profile's
    ``ratio`` draw by draw. Inside the blocks the error meets ``I + J_l`` (equation
    ``eq-residual-block``); the output layer's weights and layer 1's derivative are
    outside every block's identity path.

    >>> r = error_share(depth=3, width=8, n_in=4, n_classes=2, batch=4, seed=0)
    >>> bool(0 < r.first[0] <= 0.25)   # a sigmoid's f' is at most 1/4
    True
    """
    import torch

    head, stream, first = [], [], []
    for s in range(n_seeds):
        net = build_mlp(
            n_in=n_in,
            width=width,
            n_out=n_classes,
            depth=depth,
            activation=activation,
            init=init,
            residual=True,
            seed=seed + s,
        )
        x, y = random_batch(batch, n_in, n_classes, seed=seed + s)
        z1 = net.blocks[0].linear(x)
        a1 = net.blocks[0].act(net.blocks[0].norm(z1))
        h = a1
        for block in net.blocks[1:]:
            h = block(h)
        logits = net.head(h)
        cost = torch.nn.functional.cross_entropy(logits, y)
        d_out, d_top, d_a1, d_z1 = torch.autograd.grad(cost, (logits, h, a1, z1))
        norms = [float(t.norm()) for t in (d_out, d_top, d_a1, d_z1)]
        if min(norms) <= 0:
            raise ValueError("seed gives a batch with no error to split; choose another seed")
        head.append(norms[1] / norms[0])
        stream.append(norms[2] / norms[1])
        first.append(norms[3] / norms[2])
    return ErrorShare(dict(net.config), np.array(head), np.array(stream), np.array(first))


# -- the variance of the residual stream -------------------------------------------------------
@dataclass(frozen=True)
class StreamVariance:
    """Variance of the residual stream ``a^l`` (``var_stream[l]``, l = 0..L) and of what
    block ``l`` adds to it, ``alpha F_l`` (``var_branch[l - 1]``), over the batch and the
    units; ``predicted[l]``: the variance the rule of the chapter predicts before any
    weight is drawn (see :func:`stream_variance`).
    """

    alpha: float
    prenorm: bool
    var_stream: np.ndarray
    var_branch: np.ndarray
    predicted: np.ndarray

    @property
    def additive(self) -> np.ndarray:
        """``Var(a^0) + Var(alpha F_1) + ... + Var(alpha F_l)``: the stream's variance if the
        branches add variance and nothing else (each independent of the stream it reads).
        """
        return self.var_stream[0] + np.concatenate([[0.0], np.cumsum(self.var_branch)])

    @property
    def label(self) -> str:
        norm = "pre-norm" if self.prenorm else "no norm"
        return f"{norm}, α = {self.alpha:.2g}"

    def end_ratio(self) -> float:
        """The stream's variance after the last block over the predicted one."""
        return float(self.var_stream[-1] / self.predicted[-1])

    def follows_prediction(self, within: float = 0.25) -> bool:
        """Whether the stream ends within ``within`` (a fraction) of its predicted variance.

        >>> sv = StreamVariance(1.0, False, np.array([1.0, 1.6]), np.array([0.6]),
        ...                     np.array([1.0, 2.0]))
        >>> sv.end_ratio(), sv.follows_prediction(), sv.follows_prediction(within=0.1)
        (0.8, True, False)
        """
        return bool(abs(self.end_ratio() - 1) < within)

    def end_compared(self) -> str:
        """How far below its prediction the stream ends, by :meth:`end_ratio`: ``"close"``
        above 0.8, ``"about half"`` above 0.35, else ``"far"``.

        >>> [StreamVariance(1.0, False, np.array([1.0, v]), np.array([v - 1]),
        ...                 np.array([1.0, 2.0])).end_compared() for v in (1.9, 1.0, 0.5)]
        ['close', 'about half', 'far']
        """
        ratio = self.end_ratio()
        if ratio > 0.8:
            return "close"
        return "about half" if ratio > 0.35 else "far"


@on_one_thread()
def stream_variance(
    *,
    depth: int = 20,
    alpha: float = 1.0,
    prenorm: bool = False,
    width: int = 256,
    batch: int = 256,
    seed: int,
) -> StreamVariance:
    """Send a ``N(0, 1)`` batch through ``depth`` blocks ``a + alpha F(u)`` and record variances.

    Each branch is two layers, ``F(u) = W2 relu(W1 u)`` with ``W1 ~ N(0, 2/n)`` (He's
    initialisation) and ``W2 ~ N(0, 1/n)``, fresh for every block, so that on average
    ``Var(F(u)) = E[u^2]``: the branch passes on the size of what it reads. It reads
    the stream itself, ``u = a`` (``prenorm=False``), or the stream normalised for
    each example to mean 0 and variance 1 over its units (``prenorm=True``, layer
    normalisation without learned scale).

    A branch whose weights are drawn independently of the stream is uncorrelated with
    it, so the variances add, ``Var(a^l) = Var(a^{l-1}) + alpha^2 Var(F_l)``. The
    prediction follows: with pre-norm each block adds ``alpha^2``, so
    ``Var(a^L) = 1 + L alpha^2`` (linear in L); without, each block multiplies the
    stream's variance by ``1 + alpha^2``, so ``Var(a^L) = (1 + alpha^2)^L``.

    >>> r = stream_variance(depth=3, width=8, batch=4, seed=0)
    >>> r.predicted.tolist()
    [1.0, 2.0, 4.0, 8.0]
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_BLOCKS)
    alpha = check_real("alpha", alpha, lo=0.0, hi=10.0)
    prenorm = check_bool("prenorm", prenorm)
    width = check_int("width", width, lo=2, hi=2048)
    batch = check_int("batch", batch, lo=1, hi=2048)
    seed = check_int("seed", seed, lo=0, hi=MAX_SEED)
    if not prenorm and depth * math.log10(1.0 + alpha**2) > 200:
        raise ValueError(
            f"alpha and depth must keep (1 + alpha^2)^depth below 1e200 without pre-norm, "
            f"got alpha={alpha:g}, depth={depth}"
        )
    rng = make_rng(seed)
    a = rng.standard_normal((batch, width))
    var_stream, var_branch = [a.var()], []
    for _ in range(depth):
        W1 = rng.standard_normal((width, width)) * math.sqrt(2.0 / width)
        W2 = rng.standard_normal((width, width)) * math.sqrt(1.0 / width)
        u = a
        if prenorm:
            u = (a - a.mean(axis=1, keepdims=True)) / a.std(axis=1, keepdims=True)
        added = alpha * (np.maximum(u @ W1.T, 0.0) @ W2.T)
        a = a + added
        var_branch.append(added.var())
        var_stream.append(a.var())
    layers = np.arange(depth + 1)
    predicted = 1.0 + layers * alpha**2 if prenorm else (1.0 + alpha**2) ** layers
    return StreamVariance(
        float(alpha), prenorm, np.array(var_stream), np.array(var_branch), predicted.astype(float)
    )
