"""Gradient through time: vanilla tanh RNN vs LSTM vs GRU.

A recurrent net applies the same cell at every time step, so the Jacobian
:math:`\\partial h_T/\\partial h_t` is a product of ``T - t`` step Jacobians
(equation ``eq-bptt-product``). For a vanilla RNN,
:math:`h_{s} = \\tanh(W h_{s-1} + U x_s + b)`, each factor is
:math:`\\operatorname{diag}(\\tanh'(\\cdot))\\,W`, and the product shrinks
geometrically when W's scale is small (or grows when it is large)
:cite:p:`bengio1994,pascanu2013`. LSTM :cite:p:`hochreiter1997` and GRU
:cite:p:`cho2014` cells add a gated, additive path (the cell state, or the
update gate's ``z * h``) whose factor is close to 1 while the gate stays open.

:func:`gradient_through_time` measures ``||dh_T/dh_t||`` (spectral norm of the
full Jacobian) for every lag ``T - t`` with autograd in float64.

>>> r = gradient_through_time("rnn", hidden=8, steps=10, seed=0)
>>> r.lags[:3], bool(r.norms[0] == 1.0)
(array([0, 1, 2]), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._validate import MAX_WIDTH, Result, check_choice, check_int, check_real
from .rng import torch_generator
from .threads import single_thread

CELLS = ("rnn", "lstm", "gru")
#: Widest cell :func:`make_cell` builds (the RNN's orthogonal recurrent matrix comes from a QR
#: factorisation of a ``hidden x hidden`` matrix). The book's cells have 32 units.
MAX_HIDDEN = 1024
#: Most weights of a cell, ``gates * hidden * (n_in + hidden)`` (80 MB in float64).
MAX_CELL_WEIGHTS = 10**7
#: Most work of :func:`gradient_through_time`: ``hidden`` backward passes through ``steps`` steps,
#: each step costing a fixed overhead plus ``hidden**2``. Within both limits a run takes at most a
#: few seconds; the book's (32 units, 100 steps) is a sixth of the first and a fifth of the second.
MAX_UNIT_STEPS = 2 * 10**4  # hidden * steps
MAX_TIME_WORK = 5 * 10**5  # hidden**2 * steps
_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


@dataclass(frozen=True)
class TimeGradient(Result):
    """``norms[k] = ||dh_T/dh_{T-k}||`` for lag ``k = lags[k]`` (``norms[0]`` is 1)."""

    cell: str
    lags: NDArray[np.integer]
    norms: np.ndarray


def make_cell(
    cell: str,
    *,
    n_in: int,
    hidden: int,
    seed: int,
    recurrent_scale: float | None = None,
    gate_bias: float = 1.0,
):
    """A float64 ``nn.RNNCell`` (tanh) / ``nn.LSTMCell`` / ``nn.GRUCell`` with seeded weights.

    Every weight starts as PyTorch's default U(-1/sqrt(hidden), 1/sqrt(hidden)).
    If ``recurrent_scale`` is given, the RNN's recurrent matrix becomes
    ``recurrent_scale * Q`` for a random orthogonal ``Q`` (so every singular
    value equals ``recurrent_scale``); it is ignored by the gated cells.
    ``gate_bias`` is added to the bias of the gate that keeps memory: the LSTM's
    forget gate (the classic forget-bias initialisation) and the GRU's update gate.
    """
    import torch
    from torch import nn

    cell = check_choice("cell", cell, CELLS)
    n_in = check_int("n_in", n_in, lo=1, hi=MAX_WIDTH)
    hidden = check_int("hidden", hidden, lo=1, hi=MAX_HIDDEN)
    weights = _GATES[cell] * hidden * (n_in + hidden)
    if weights > MAX_CELL_WEIGHTS:
        most = MAX_CELL_WEIGHTS // (_GATES[cell] * hidden) - hidden
        raise ValueError(
            f"n_in must be at most {most:,} for a {cell} cell of hidden={hidden} "
            f"(at most {MAX_CELL_WEIGHTS:.0e} weights), got {n_in:,}"
        )
    if recurrent_scale is not None:
        recurrent_scale = check_real("recurrent_scale", recurrent_scale, lo=0.0, lo_open=True)
    gate_bias = check_real("gate_bias", gate_bias)
    g = torch_generator(seed)
    module = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[cell](
        n_in, hidden, dtype=torch.float64
    )
    bound = 1.0 / np.sqrt(hidden)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_((torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 - 1) * bound)
        if cell == "rnn" and recurrent_scale is not None:
            q, _ = torch.linalg.qr(torch.randn(hidden, hidden, generator=g, dtype=torch.float64))
            module.weight_hh.copy_(recurrent_scale * q)
        if cell == "lstm":  # gate order i, f, g, o
            module.bias_hh[hidden : 2 * hidden] += gate_bias
        elif cell == "gru":  # gate order r, z, n; h' = (1 - z) n + z h
            module.bias_hh[hidden : 2 * hidden] += gate_bias
    return module


def run_cell(module, xs):
    """Run ``module`` over inputs ``xs`` (steps x batch x n_in) from a zero state; return all
    h_t.
    """
    import torch

    if not isinstance(module, (torch.nn.RNNCell, torch.nn.LSTMCell, torch.nn.GRUCell)):
        raise TypeError(
            f"module must be a torch RNNCell, LSTMCell or GRUCell (see make_cell), "
            f"got {type(module).__name__}"
        )
    want = f"a {module.weight_ih.dtype} tensor of shape (steps, batch, {module.input_size})"
    if not isinstance(xs, torch.Tensor) or xs.dtype != module.weight_ih.dtype:
        got = f"{xs.dtype} tensor" if isinstance(xs, torch.Tensor) else type(xs).__name__
        raise TypeError(f"xs must be {want}, got {got}")
    if xs.ndim != 3 or xs.shape[2] != module.input_size or xs.numel() == 0:
        raise ValueError(f"xs must be {want} with at least one step, got shape {tuple(xs.shape)}")
    hidden = module.hidden_size
    h = torch.zeros(xs.shape[1], hidden, dtype=xs.dtype)
    c = torch.zeros_like(h)
    hs = []
    for x in xs:
        if isinstance(module, torch.nn.LSTMCell):
            h, c = module(x, (h, c))
        else:
            h = module(x, h)
        hs.append(h)
    return hs


def gradient_through_time(
    cell: str,
    *,
    hidden: int = 32,
    steps: int = 100,
    n_in: int = 4,
    seed: int,
    recurrent_scale: float | None = None,
    gate_bias: float = 1.0,
) -> TimeGradient:
    """``||dh_T/dh_t||`` for every ``t`` of one random input sequence (equation
    ``eq-bptt-product``).

    The inputs are N(0, 1); the spectral norm of each ``hidden x hidden``
    Jacobian comes from ``hidden`` vector-Jacobian products (one per unit of
    ``h_T``). For the LSTM, ``h_t`` is perturbed with the cell state ``c_t``
    held fixed; the gradient still flows through ``c`` from step t + 1 on.
    ``hidden * steps`` is at most :data:`MAX_UNIT_STEPS` and ``hidden**2 * steps``
    at most :data:`MAX_TIME_WORK`, so a run ends within seconds.
    """
    import torch

    hidden = check_int("hidden", hidden, lo=1, hi=512)
    steps = check_int("steps", steps, lo=1, hi=5000)
    most = max(1, min(MAX_UNIT_STEPS // hidden, MAX_TIME_WORK // hidden**2))
    if steps > most:
        raise ValueError(
            f"steps must be at most {most:,} for hidden={hidden} (hidden * steps <= "
            f"{MAX_UNIT_STEPS:.0e} and hidden**2 * steps <= {MAX_TIME_WORK:.0e}), "
            f"got {steps:,}"
        )
    module = make_cell(
        cell,
        n_in=n_in,
        hidden=hidden,
        seed=seed,
        recurrent_scale=recurrent_scale,
        gate_bias=gate_bias,
    )
    g = torch_generator((seed + 1) % 2**64)  # make_cell has checked seed: an int in [0, 2**64 - 1]
    xs = torch.randn(steps, 1, n_in, generator=g, dtype=torch.float64)
    with single_thread():
        hs = run_cell(module, xs)
        jac = np.zeros((steps, hidden, hidden))
        for k in range(hidden):
            grads = torch.autograd.grad(hs[-1][0, k], hs, retain_graph=True, allow_unused=True)
            for t, gr in enumerate(grads):
                if gr is not None:
                    jac[t, k] = gr[0].numpy()
    norms = np.linalg.norm(jac, ord=2, axis=(1, 2))[::-1].copy()
    return TimeGradient(cell, np.arange(steps), norms)
