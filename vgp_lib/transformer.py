"""Deep transformers: where layer norm sits decides whether the gradient reaches the bottom.

A block of a transformer :cite:p:`vaswani2017` does two things to the *residual stream*
``x`` (one vector of ``width`` numbers per position): attention mixes information
between positions, and a small MLP transforms each position on its own. Each step is a
*branch* whose output is added to the stream. The layouts differ in where layer norm
``LN`` sits (equation ``eq-tf-layouts``):

* ``"post"`` (the original): ``x <- LN(x + F(x))``, layer norm on the stream after
  every addition, so the identity path is divided by the stream's spread at every step;
* ``"pre"``: ``x <- x + F(LN(x))``, layer norm inside the branch, the identity path
  untouched :cite:p:`xiong2020`;
* ``"rezero"``: ``x <- x + α F(x)`` with a learned scalar ``α`` that starts at 0 and
  no layer norm, so every block starts as the identity :cite:p:`bachlechner2021`;
* ``"deepnorm"``: post-LN with the stream up-weighted, ``x <- LN(c x + F(x))`` with
  ``c = (2N)^{1/4}`` for ``N`` blocks, and the branches' value, output and MLP
  weights scaled down by ``(8N)^{-1/4}`` at initialisation :cite:p:`wang2022`.

The task is one the book makes: sort a sequence of digits (:func:`sort_batch`). The
model sees all positions at once (no causal mask) and predicts, at position ``i``, the
``i``-th smallest digit; guessing gives a loss of ``ln(vocab)``.

>>> model = build_transformer(depth=2, layout="pre", seed=0)
>>> x, y = sort_batch(4, seed=1)
>>> model(x).shape
torch.Size([4, 8, 10])
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch
from torch import nn

from ._validate import check_choice, check_int, check_real, check_seeds, checked
from .mixed import cast_counts
from .rng import torch_generator
from .threads import single_thread

__all__ = [
    "LAYOUTS",
    "TrainingRun",
    "block_gradient_norms",
    "InitProfile",
    "StreamBudget",
    "build_transformer",
    "init_profile",
    "output_change",
    "stream_budget",
    "sort_batch",
    "stream_norms",
    "train_sorting",
]

LAYOUTS = ("post", "pre", "rezero", "deepnorm")
#: Largest sizes the public functions take (a 2-core CPU trains width 64 in seconds).
MAX_BLOCKS, MAX_TF_WIDTH, MAX_LENGTH, MAX_VOCAB, MAX_BATCH = 64, 256, 64, 64, 1024


def _float_dtype(name: str, value):
    if value not in (torch.float32, torch.float64):
        raise TypeError(f"{name} must be torch.float32 or torch.float64, got {value!r}")
    return value


def sort_batch(n: int, *, length: int = 8, vocab: int = 10, seed: int):
    """``n`` sequences of ``length`` random digits below ``vocab``, and their sorted copies.

    >>> x, y = sort_batch(2, length=5, seed=0)
    >>> bool((y == torch.sort(x, dim=1).values).all())
    True
    """
    n = check_int("n", n, lo=1, hi=100_000)
    length = check_int("length", length, lo=2, hi=MAX_LENGTH)
    vocab = check_int("vocab", vocab, lo=2, hi=MAX_VOCAB)
    x = torch.randint(0, vocab, (n, length), generator=torch_generator(seed))
    return x, torch.sort(x, dim=1).values


class Attention(nn.Module):
    """Multi-head self-attention over all positions (no mask)."""

    def __init__(self, width: int, heads: int, dtype):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, dtype=dtype)
        self.out = nn.Linear(width, width, dtype=dtype)

    def forward(self, x):
        n, t, d = x.shape
        q, k, v = self.qkv(x).view(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        weights = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads), dim=-1)
        return self.out((weights @ v).transpose(1, 2).reshape(n, t, d))


class Block(nn.Module):
    """One block: an attention branch, then an MLP branch, joined to the stream by ``layout``."""

    def __init__(self, width: int, heads: int, layout: str, n_blocks: int, dtype):
        super().__init__()
        self.layout = layout
        self.attention = Attention(width, heads, dtype)
        self.mlp = nn.Sequential(
            nn.Linear(width, 4 * width, dtype=dtype),
            nn.GELU(),
            nn.Linear(4 * width, width, dtype=dtype),
        )
        if layout == "rezero":
            self.alpha = nn.Parameter(torch.zeros((), dtype=dtype))
        else:
            self.norm1 = nn.LayerNorm(width, dtype=dtype)
            self.norm2 = nn.LayerNorm(width, dtype=dtype)
        self.stream_weight = (2.0 * n_blocks) ** 0.25 if layout == "deepnorm" else 1.0

    def forward(self, x):
        if self.layout == "pre":
            x = x + self.attention(self.norm1(x))
            return x + self.mlp(self.norm2(x))
        if self.layout == "rezero":
            x = x + self.alpha * self.attention(x)
            return x + self.alpha * self.mlp(x)
        c = self.stream_weight  # post and deepnorm
        x = self.norm1(c * x + self.attention(x))
        return self.norm2(c * x + self.mlp(x))


class Transformer(nn.Module):
    """Embedding, ``depth`` blocks, (a final layer norm for pre-LN), a linear read-out."""

    def __init__(self, *, depth, width, heads, layout, vocab, length, dtype):
        super().__init__()
        self.layout = layout
        self.embed = nn.Embedding(vocab, width, dtype=dtype)
        self.position = nn.Parameter(torch.zeros(length, width, dtype=dtype))
        self.blocks = nn.ModuleList(Block(width, heads, layout, depth, dtype) for _ in range(depth))
        self.final = nn.LayerNorm(width, dtype=dtype) if layout == "pre" else nn.Identity()
        self.head = nn.Linear(width, vocab, dtype=dtype)

    def stream(self, tokens):
        """The residual stream entering each block and leaving the last, ``depth + 1`` tensors."""
        x = self.embed(tokens) + self.position[: tokens.shape[1]]
        out = [x]
        for block in self.blocks:
            x = block(x)
            out.append(x)
        return out

    def additions(self, tokens):
        """Pre-LN only: the stream before each addition and the branch output added to it."""
        x = self.embed(tokens) + self.position[: tokens.shape[1]]
        out = []
        for block in self.blocks:
            for norm, branch in ((block.norm1, block.attention), (block.norm2, block.mlp)):
                f = branch(norm(x))
                out.append((x, f))
                x = x + f
        return out, x

    def forward(self, tokens):
        return self.head(self.final(self.stream(tokens)[-1]))


def _initialise(model: Transformer, generator) -> None:
    """Weights N(0, 1/fan_in), biases 0, embeddings N(0, 1/2) so the stream starts at variance 1;
    DeepNet scales the branches' value, output and MLP weights by ``(8N)^{-1/4}``."""
    depth = len(model.blocks)
    beta = (8.0 * depth) ** -0.25 if model.layout == "deepnorm" else 1.0
    with torch.no_grad():
        for p in (model.embed.weight, model.position):
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * math.sqrt(0.5))
        for module in model.modules():
            if isinstance(module, nn.Linear):
                n_in = module.weight.shape[1]
                module.weight.copy_(
                    torch.randn(module.weight.shape, generator=generator, dtype=module.weight.dtype)
                    / math.sqrt(n_in)
                )
                module.bias.zero_()
        if beta != 1.0:
            for block in model.blocks:
                width = block.attention.out.weight.shape[0]
                block.attention.qkv.weight[2 * width :].mul_(beta)  # the values
                block.attention.out.weight.mul_(beta)
                block.mlp[0].weight.mul_(beta)
                block.mlp[2].weight.mul_(beta)


@checked(
    depth=partial(check_int, lo=1, hi=MAX_BLOCKS),
    width=partial(check_int, lo=4, hi=MAX_TF_WIDTH),
    heads=partial(check_int, lo=1, hi=16),
    layout=partial(check_choice, choices=LAYOUTS),
    dtype=_float_dtype,
)
def build_transformer(
    *,
    depth: int,
    layout: str,
    width: int = 64,
    heads: int = 4,
    vocab: int = 10,
    length: int = 8,
    dtype=torch.float64,
    seed: int,
) -> Transformer:
    """A transformer of ``depth`` blocks in ``layout`` (one of :data:`LAYOUTS`), seeded.

    >>> len(build_transformer(depth=3, layout="post", seed=0).blocks)
    3
    """
    if width % heads:
        raise ValueError(f"width must be a multiple of heads ({heads}), got {width}")
    vocab = check_int("vocab", vocab, lo=2, hi=MAX_VOCAB)
    length = check_int("length", length, lo=2, hi=MAX_LENGTH)
    model = Transformer(
        depth=depth,
        width=width,
        heads=heads,
        layout=layout,
        vocab=vocab,
        length=length,
        dtype=dtype,
    )
    _initialise(model, torch_generator(seed))
    return model


def _tokens(name: str, value):
    """A batch of token sequences: a 2-D integer tensor (as :func:`sort_batch` makes)."""
    if not isinstance(value, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of digits, got {type(value).__name__}")
    if value.dtype.is_floating_point or value.dtype.is_complex or value.dtype == torch.bool:
        raise TypeError(f"{name} must hold integers (token ids), got {value.dtype}")
    if value.ndim != 2 or 0 in value.shape:
        raise ValueError(
            f"{name} must be a non-empty (batch, length) tensor, got {tuple(value.shape)}"
        )
    return value


def _fits(model, x, y=None, **_):
    """The tokens are ids the model knows, at most as many positions as it has."""
    vocab, length = model.embed.num_embeddings, model.position.shape[0]
    for name, t in (("x", x), ("y", y)):
        if t is not None and (int(t.min()) < 0 or int(t.max()) >= vocab):
            raise ValueError(f"{name} must hold token ids from 0 to {vocab - 1}")
    if x.shape[1] > length:
        raise ValueError(f"x must have at most {length} positions, got {x.shape[1]}")
    if y is not None and y.shape != x.shape:
        raise ValueError(f"y must have the shape of x {tuple(x.shape)}, got {tuple(y.shape)}")


def _loss(model, x, y):
    logits = model(x)
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


@checked(_fits, model=Transformer, x=_tokens, y=_tokens)
def block_gradient_norms(model: Transformer, x, y) -> np.ndarray:
    """The norm of the loss's gradient over each block's parameters, bottom block first.

    >>> x, y = sort_batch(4, seed=1)
    >>> block_gradient_norms(build_transformer(depth=2, layout="post", seed=0), x, y).shape
    (2,)
    """
    model.zero_grad()
    _loss(model, x, y).backward()
    return _block_norms(model)


def _block_norms(model) -> np.ndarray:
    return np.array(
        [
            math.sqrt(sum(float((p.grad**2).sum()) for p in b.parameters() if p.grad is not None))
            for b in model.blocks
        ]
    )


def stream_gradient_norms(model: Transformer, x, y) -> np.ndarray:
    """The norm of the loss's gradient with respect to the stream entering each block and
    leaving the last (Nielsen's ``‖δ^l‖`` for a transformer), bottom first."""
    model.zero_grad()
    stream = model.stream(x)
    for s in stream:
        s.retain_grad()
    logits = model.head(model.final(stream[-1]))
    nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).backward()
    return np.array([float(s.grad.norm()) for s in stream])


@checked(
    _fits, model=Transformer, x=_tokens, step=partial(check_real, lo=0.0, lo_open=True, hi=1.0)
)
def output_change(model: Transformer, x, *, step: float = 1e-3, seed: int) -> float:
    """Move every parameter by ``±step`` (random signs: the size of Adam's first step with
    learning rate ``step``, equation ``eq-tf-adam``) and return the root-mean-square change
    of the logits.

    >>> model = build_transformer(depth=2, layout="pre", seed=0)
    >>> 0 < output_change(model, sort_batch(4, seed=1)[0], seed=2) < 1
    True
    """
    moved = copy.deepcopy(model)
    signs = torch_generator(seed)
    with torch.no_grad():
        for p in moved.parameters():
            sign = torch.randint(0, 2, p.shape, generator=signs).to(p.dtype) * 2 - 1
            p.add_(step * sign)
        return float((moved(x) - model(x)).pow(2).mean().sqrt())


@checked(_fits, model=Transformer, x=_tokens)
def stream_norms(model: Transformer, x) -> np.ndarray:
    """The root-mean-square size of the stream's entries entering each block and after the last.

    >>> stream_norms(build_transformer(depth=2, layout="rezero", seed=0), sort_batch(4, seed=1)[0])
    array([0.99..., 0.99..., 0.99...])
    """
    with torch.no_grad():
        return np.array([float(s.pow(2).mean().sqrt()) for s in model.stream(x)])


@dataclass(frozen=True)
class InitProfile:
    """Gradients and stream of one layout and depth at initialisation, over seeds (rows)."""

    layout: str
    depth: int
    #: ‖∂C/∂θ‖ over each block's parameters, ``[seed, block]``, bottom block first
    block_grad: np.ndarray
    #: root-mean-square entry of the stream entering each block and leaving the last
    stream: np.ndarray
    #: ‖∂C/∂x‖ for the stream entering each block and leaving the last
    stream_grad: np.ndarray
    #: root-mean-square change of the logits when every parameter moves by ±1e-3
    output_change: np.ndarray

    @property
    def median_grad(self) -> np.ndarray:
        """The median over seeds of each block's gradient norm."""
        return np.median(self.block_grad, axis=0)

    @property
    def top_over_bottom(self) -> np.ndarray:
        """Per seed, the top block's gradient norm over the bottom block's."""
        return self.block_grad[:, -1] / self.block_grad[:, 0]


@checked(
    depth=partial(check_int, lo=1, hi=MAX_BLOCKS),
    layout=partial(check_choice, choices=LAYOUTS),
    seeds=check_seeds,
    batch=partial(check_int, lo=1, hi=MAX_BATCH),
)
def init_profile(
    depth: int, layout: str, *, seeds=(0, 1, 2, 3, 4), width: int = 64, batch: int = 64
) -> InitProfile:
    """Measure a freshly initialised transformer of ``depth`` blocks in ``layout`` once per
    seed, in float64, on one batch of the sorting task (equation ``eq-tf-layouts``).

    >>> p = init_profile(4, "pre", seeds=(0, 1))
    >>> p.block_grad.shape, p.stream.shape
    ((2, 4), (2, 5))
    """
    rows = []
    with single_thread():
        for seed in seeds:
            model = build_transformer(depth=depth, layout=layout, width=width, seed=seed)
            x, y = sort_batch(batch, seed=seed + 10_000)
            rows.append(
                (
                    block_gradient_norms(model, x, y),
                    stream_norms(model, x),
                    stream_gradient_norms(model, x, y),
                    output_change(model, x, seed=seed + 20_000),
                )
            )
    grad, stream, stream_grad, change = (np.array(c) for c in zip(*rows))
    return InitProfile(layout, depth, grad, stream, stream_grad, change)


@dataclass(frozen=True)
class StreamBudget:
    """Pre-LN's stream, addition by addition: its variance and the variance each branch adds."""

    #: the variance of the stream before addition k, and after the last (``2 depth + 1``)
    stream_var: np.ndarray
    #: the variance of the branch output added at addition k (``2 depth``)
    branch_var: np.ndarray

    @property
    def predicted(self) -> np.ndarray:
        """Equation ``eq-tf-stream-growth``: the first variance plus the branches' so far."""
        return self.stream_var[0] + np.concatenate([[0.0], np.cumsum(self.branch_var)])


@checked(
    depth=partial(check_int, lo=1, hi=MAX_BLOCKS), batch=partial(check_int, lo=1, hi=MAX_BATCH)
)
def stream_budget(depth: int, *, width: int = 64, batch: int = 64, seed: int) -> StreamBudget:
    """The variance of a pre-LN stream after each addition beside the sum of what the branches
    added (equation ``eq-tf-stream-growth``): equal when the branches are uncorrelated with
    the stream.

    >>> b = stream_budget(3, seed=0)
    >>> len(b.stream_var), len(b.branch_var)
    (7, 6)
    """
    with single_thread(), torch.no_grad():
        model = build_transformer(depth=depth, layout="pre", width=width, seed=seed)
        pairs, last = model.additions(sort_batch(batch, seed=seed + 10_000)[0])
    stream = [float(x.var()) for x, _ in pairs] + [float(last.var())]
    return StreamBudget(np.array(stream), np.array([float(f.var()) for _, f in pairs]))


@dataclass(frozen=True)
class TrainingRun:
    """One training run on the sorting task: loss per step, and the accuracy at the end."""

    layout: str
    depth: int
    warmup: int
    lr: float
    loss: np.ndarray
    accuracy: float
    #: the per-block gradient norms (rows: steps 0, every, 2 every, ...; columns: blocks)
    gradient_norms: np.ndarray
    every: int
    #: per block, the share of the last step's nonzero gradient entries that float16
    #: rounds to zero (equation ``eq-tf-fp16-range``)
    fp16_lost: np.ndarray


def train_sorting(
    *,
    depth: int,
    layout: str,
    lr: float = 1e-3,
    warmup: int = 0,
    steps: int = 300,
    batch: int = 64,
    width: int = 64,
    heads: int = 4,
    clip: float | None = None,
    record_every: int | None = None,
    seed: int,
) -> TrainingRun:
    """Train on :func:`sort_batch` with AdamW (weight decay 0.01), the learning rate rising
    linearly over ``warmup`` steps (:math:`\\eta_t = \\eta \\min(1, t/W)`), optionally clipping
    the gradient's global norm at ``clip``, in float32 on one thread. Record the loss at every
    step and each block's gradient norm every ``record_every`` steps (by default about 30
    times in the run); measure the accuracy on 1,000 new sequences at the end.

    >>> run = train_sorting(depth=1, layout="pre", steps=3, width=8, heads=2, seed=0)
    >>> run.loss.shape, run.gradient_norms.shape
    ((3,), (3, 1))
    """
    depth = check_int("depth", depth, lo=1, hi=MAX_BLOCKS)
    layout = check_choice("layout", layout, LAYOUTS)
    lr = check_real("lr", lr, lo=0.0, lo_open=True, hi=1.0)
    steps = check_int("steps", steps, lo=1, hi=100_000)
    warmup = check_int("warmup", warmup, lo=0, hi=100_000)
    batch = check_int("batch", batch, lo=1, hi=MAX_BATCH)
    if clip is not None:
        clip = check_real("clip", clip, lo=0.0, lo_open=True)
    if record_every is not None:
        record_every = check_int("record_every", record_every, lo=1, hi=steps)
    with single_thread(flush_denormal=True):
        model = build_transformer(
            depth=depth, layout=layout, width=width, heads=heads, dtype=torch.float32, seed=seed
        )
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        data = torch_generator(seed + 1)
        losses = np.empty(steps)
        every = record_every or max(1, steps // 30)
        norms = []
        for step in range(steps):
            for group in opt.param_groups:
                group["lr"] = lr * min(1.0, (step + 1) / warmup) if warmup else lr
            x = torch.randint(0, 10, (batch, 8), generator=data)
            y = torch.sort(x, dim=1).values
            loss = _loss(model, x, y)
            opt.zero_grad()
            loss.backward()
            if step % every == 0:
                norms.append(_block_norms(model))
            if clip is not None:
                nn.utils.clip_grad_norm_(model.parameters(), clip)
            if step == steps - 1:
                fp16_lost = _fp16_lost(model)
            opt.step()
            losses[step] = loss.item()
        x, y = sort_batch(1000, seed=seed + 2)
        with torch.no_grad():
            accuracy = float((model(x).argmax(-1) == y).float().mean())
    return TrainingRun(
        layout, depth, warmup, lr, losses, accuracy, np.array(norms), every, fp16_lost
    )


def _fp16_lost(model) -> np.ndarray:
    """Per block, the share of nonzero gradient entries that round to 0 in float16."""
    shares = []
    for block in model.blocks:
        g = np.concatenate([p.grad.detach().double().numpy().ravel() for p in block.parameters()])
        counts = cast_counts(g, "float16")
        shares.append(counts.zero / counts.nonzero if counts.nonzero else 0.0)
    return np.array(shares)
