"""Deep MLPs in PyTorch with every remedy as a switch.

One builder, :func:`build_mlp`, makes the networks of the chapters of part 2
(*What to do about it*): a stack of ``depth`` hidden layers of the same ``width``, each

    z = W a + b,   (optional batch or layer norm of z),   a' = f(z),

and an output layer without activation (logits). With ``residual=True`` every
hidden layer after the first becomes a block ``a' = a + f(norm(W a + b))``
(equation ``eq-residual-block``), so the identity path carries the gradient
past ``f'`` and ``W`` :cite:p:`he2016`.

Layers are numbered 1..L in the text and 0-based in code: ``model.blocks[0]``
is hidden layer 1, ``model.head`` is the output layer.

Initialisations (equation ``eq-init-variance``; ``n_in``/``n_out`` are the
layer's fan-in/fan-out, biases are 0 unless stated):

* ``"pytorch"``: PyTorch's default for ``nn.Linear``, W and b ~ U(-1/sqrt(n_in), 1/sqrt(n_in));
* ``"nielsen"``: W ~ N(0, 1/n_in), b ~ N(0, 1) :cite:p:`nielsen2015`;
* ``"xavier"``: W ~ N(0, 2/(n_in + n_out)) :cite:p:`glorot2010`;
* ``"he"``: W ~ N(0, 2/n_in) :cite:p:`he2015`;
* ``"small"``: W ~ N(0, 0.01^2), the "small random numbers" of early practice;
* ``"orthogonal"``: W a random matrix with orthonormal rows or columns (Haar-distributed),
  the initialisation of dynamical isometry :cite:p:`saxe2014,pennington2017`.

``gain`` multiplies every weight's standard deviation (the exercise on a
balanced tanh net turns it). All randomness comes from one ``torch.Generator``
made from ``seed``, so the same seed gives the same network.

>>> net = build_mlp(n_in=4, width=8, n_out=3, depth=2, activation="tanh", init="xavier", seed=0)
>>> net(torch.zeros(5, 4, dtype=torch.float64)).shape
torch.Size([5, 3])
>>> len(net.linears())
3
"""

from __future__ import annotations

import math

import torch
from torch import nn

from ._validate import (
    MAX_DEPTH,
    MAX_PARAMETERS,
    MAX_WIDTH,
    check_bool,
    check_choice,
    check_instance,
    check_int,
    check_real,
)
from .rng import torch_generator

# MLP is left out: only build_mlp builds one (people call build_mlp).
__all__ = ["MODEL_ACTIVATIONS", "MODEL_INITS", "NORMS", "Block", "init_linear_", "build_mlp"]

MODEL_ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu")
MODEL_INITS = ("pytorch", "nielsen", "xavier", "he", "small", "orthogonal")
NORMS = ("none", "batch", "layer")
#: The keys of :attr:`MLP.config`: the arguments of :func:`build_mlp` except ``seed`` and ``dtype``.
CONFIG_KEYS = ("n_in", "width", "n_out", "depth", "activation", "init", "norm", "residual", "gain")
DTYPES = (torch.float32, torch.float64)
#: Largest weight gain (the book's largest is 8): beyond, a few layers overflow to inf - inf = nan.
MAX_GAIN = 1000.0

_ACTIVATION_MODULES = {
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "gelu": nn.GELU,
}


class Block(nn.Module):
    """One hidden layer: ``f(norm(W a + b))``, plus ``a`` itself when ``residual``."""

    def __init__(self, n_in: int, n_out: int, activation: str, norm: str, residual: bool, dtype):
        super().__init__()
        n_in = check_int("n_in", n_in, lo=1, hi=MAX_WIDTH)
        n_out = check_int("n_out", n_out, lo=1, hi=MAX_WIDTH)
        if n_in * n_out > MAX_PARAMETERS:
            raise ValueError(
                f"n_in * n_out must be at most {MAX_PARAMETERS:.0e} weights, got "
                f"n_in={n_in}, n_out={n_out}"
            )
        activation = check_choice("activation", activation, MODEL_ACTIVATIONS)
        norm = check_choice("norm", norm, NORMS)
        check_bool("residual", residual)
        check_choice("dtype", dtype, DTYPES)
        if residual and n_in != n_out:
            raise ValueError(f"residual blocks need n_in == n_out, got {n_in} and {n_out}")
        self.linear = nn.Linear(n_in, n_out, dtype=dtype)
        if norm == "batch":
            self.norm = nn.BatchNorm1d(n_out, dtype=dtype)
        elif norm == "layer":
            self.norm = nn.LayerNorm(n_out, dtype=dtype)
        else:
            self.norm = nn.Identity()
        self.act = _ACTIVATION_MODULES[activation]()
        self.residual = residual

    def forward(self, a):
        out = self.act(self.norm(self.linear(a)))
        return a + out if self.residual else out


class MLP(nn.Module):
    """``depth`` hidden :class:`Block` s and a linear output layer ``head``."""

    def __init__(self, blocks, head, config: dict):
        super().__init__()
        self.blocks = nn.ModuleList(blocks)
        self.head = head
        self.config = dict(config)

    def forward(self, x):
        check_instance("x", x, torch.Tensor, "a torch.Tensor")
        for block in self.blocks:
            x = block(x)
        return self.head(x)

    def linears(self) -> list:
        """The ``nn.Linear`` layers in order, input side first (hidden layers, then the head)."""
        return [b.linear for b in self.blocks] + [self.head]


def init_linear_(
    linear: nn.Linear, init: str, *, generator: torch.Generator, gain: float = 1.0
) -> None:
    """Overwrite ``linear``'s weight and bias in place with scheme ``init`` (see module docstring).

    >>> lin = nn.Linear(400, 300, dtype=torch.float64)
    >>> init_linear_(lin, "he", generator=torch_generator(0))
    >>> round(float(lin.weight.detach().std()) * math.sqrt(400 / 2), 1)
    1.0
    """
    check_instance("linear", linear, nn.Linear, "a torch.nn.Linear")
    init = check_choice("init", init, MODEL_INITS)
    check_instance(
        "generator", generator, torch.Generator, "a torch.Generator (see torch_generator)"
    )
    gain = check_real("gain", gain, lo=0.0, lo_open=True, hi=MAX_GAIN)
    n_out, n_in = linear.weight.shape
    w, b = linear.weight, linear.bias
    opts = {"generator": generator, "dtype": w.dtype}
    with torch.no_grad():
        if init == "pytorch":
            bound = 1.0 / math.sqrt(n_in)
            w.copy_((torch.rand(w.shape, **opts) * 2 - 1) * bound * gain)
            if b is not None:
                b.copy_((torch.rand(b.shape, **opts) * 2 - 1) * bound)
            return
        if init == "orthogonal":  # gain x a random matrix with orthonormal rows or columns
            a = torch.randn((max(n_out, n_in), min(n_out, n_in)), **opts)
            q, r = torch.linalg.qr(a)
            q = q * torch.sign(torch.diagonal(r))  # Haar-random, not biased by the QR's signs
            w.copy_((q if n_out >= n_in else q.T) * gain)
            if b is not None:
                b.zero_()
            return
        std = {
            "nielsen": 1.0 / math.sqrt(n_in),
            "xavier": math.sqrt(2.0 / (n_in + n_out)),
            "he": math.sqrt(2.0 / n_in),
            "small": 0.01,
        }[init]
        w.copy_(torch.randn(w.shape, **opts) * std * gain)
        if b is not None:
            if init == "nielsen":
                b.copy_(torch.randn(b.shape, **opts))
            else:
                b.zero_()


def build_mlp(
    *,
    n_in: int,
    width: int,
    n_out: int,
    depth: int,
    activation: str = "sigmoid",
    init: str = "pytorch",
    norm: str = "none",
    residual: bool = False,
    gain: float = 1.0,
    seed: int,
    dtype=torch.float64,
) -> MLP:
    """Build a deep MLP ``n_in -> width x depth -> n_out`` (see the module docstring).

    Parameters
    ----------
    depth : int
        Number of hidden layers (>= 1). The first hidden layer maps ``n_in`` to
        ``width`` and is never residual (the shapes differ); with
        ``residual=True`` the other ``depth - 1`` are ``x + F(x)`` blocks.
    activation : str
        One of :data:`MODEL_ACTIVATIONS`.
    init : str
        One of :data:`MODEL_INITS`; the output layer uses the same scheme.
    norm : str
        ``"none"``, ``"batch"`` (``BatchNorm1d`` on z :cite:p:`ioffe2015`) or
        ``"layer"`` (``LayerNorm`` on z :cite:p:`ba2016`).
    gain : float
        Multiplies the weights' standard deviation (> 0).
    seed : int
        Seed of the generator that draws every weight.
    """
    n_in = check_int("n_in", n_in, lo=1, hi=MAX_WIDTH)
    width = check_int("width", width, lo=1, hi=MAX_WIDTH)
    n_out = check_int("n_out", n_out, lo=1, hi=MAX_WIDTH)
    depth = check_int("depth", depth, lo=1, hi=MAX_DEPTH)
    n_params = n_in * width + (depth - 1) * width * width + width * n_out
    if n_params > MAX_PARAMETERS:
        raise ValueError(
            f"width and depth give {n_params:.3g} weights; at most {MAX_PARAMETERS:.0e} "
            f"are allowed (n_in={n_in}, width={width}, depth={depth}, n_out={n_out})"
        )
    check_bool("residual", residual)  # Block checks activation, norm and dtype, init_linear_ init
    generator = torch_generator(seed)
    blocks = [Block(n_in, width, activation, norm, False, dtype)]
    blocks += [Block(width, width, activation, norm, residual, dtype) for _ in range(depth - 1)]
    head = nn.Linear(width, n_out, dtype=dtype)
    config = dict(
        n_in=n_in,
        width=width,
        n_out=n_out,
        depth=depth,
        activation=activation,
        init=init,
        norm=norm,
        residual=residual,
        gain=gain,
    )
    model = MLP(blocks, head, config)
    for linear in model.linears():
        init_linear_(linear, init, generator=generator, gain=gain)
    return model
