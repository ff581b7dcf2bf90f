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

from ._validate import (
    MAX_WIDTH,
    check_choice,
    check_instance,
    check_int,
    check_real,
    check_sequence,
)
from .rng import torch_generator
from .threads import single_thread

CELLS = ("rnn", "lstm", "gru")
#: Every cell :func:`make_cell` builds: the three above and ``"irnn"``, the ReLU RNN whose
#: recurrent matrix starts as the identity :cite:p:`le2015`.
ALL_CELLS = CELLS + ("irnn",)
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
_GATES = {"rnn": 1, "lstm": 4, "gru": 3, "irnn": 1}


@dataclass(frozen=True)
class TimeGradient:
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
    ``"irnn"`` is an ``nn.RNNCell`` with the ReLU whose recurrent matrix is
    ``recurrent_scale`` (default 1) times the identity :cite:p:`le2015`.
    ``gate_bias`` is added to the bias of the gate that keeps memory: the LSTM's
    forget gate (the classic forget-bias initialisation) and the GRU's update gate.
    """
    import torch
    from torch import nn

    cell = check_choice("cell", cell, ALL_CELLS)
    hidden = check_int("hidden", hidden, lo=1, hi=MAX_HIDDEN)
    most = MAX_CELL_WEIGHTS // (_GATES[cell] * hidden) - hidden  # gates * hidden * (n_in + hidden)
    n_in = check_int(
        "n_in", n_in, lo=1, hi=max(1, min(MAX_WIDTH, most)), why=f" for hidden={hidden}"
    )
    if recurrent_scale is not None:
        recurrent_scale = check_real("recurrent_scale", recurrent_scale, lo=0.0, lo_open=True)
    gate_bias = check_real("gate_bias", gate_bias)
    g = torch_generator(seed)
    if cell == "irnn":
        module = nn.RNNCell(n_in, hidden, nonlinearity="relu", dtype=torch.float64)
    else:
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
        if cell == "irnn":
            scale = 1.0 if recurrent_scale is None else recurrent_scale
            module.weight_hh.copy_(scale * torch.eye(hidden, dtype=torch.float64))
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

    cells = (torch.nn.RNNCell, torch.nn.LSTMCell, torch.nn.GRUCell)
    check_instance("module", module, cells, "a torch RNNCell, LSTMCell or GRUCell (see make_cell)")
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
    most = max(1, min(5000, MAX_UNIT_STEPS // hidden, MAX_TIME_WORK // hidden**2))
    steps = check_int("steps", steps, lo=1, hi=most, why=f" for hidden={hidden}")
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


# --------------------------------------------------------------------------- the spectral radius


@dataclass(frozen=True)
class RadiusSweep:
    """``||dh_T/dh_{T-k}||`` for recurrent matrices ``W = rho * Q`` (Q orthogonal), one row per
    ``rho``: ``linear`` for ``h_t = W h_{t-1} + U x_t`` (exactly ``rho**k``), ``tanh`` for the
    tanh RNN on the same weights and inputs (at most ``rho**k``). ``lags[k] = k``.
    """

    rhos: np.ndarray
    lags: NDArray[np.integer]
    linear: np.ndarray
    tanh: np.ndarray

    def per_step(self, lag: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The factor per step, ``norm[lag] ** (1 / lag)`` (default: the longest lag), for the
        linear and the tanh RNN, one entry per ``rho``.
        """
        most = int(self.lags[-1])
        lag = most if lag is None else check_int("lag", lag, lo=1, hi=max(1, most))
        if most < 1:
            raise ValueError("lag must be at least 1, but the sweep has only lag 0 (steps=1)")
        with np.errstate(divide="ignore"):
            return tuple(
                np.exp(np.log(np.maximum(n[:, lag], 1e-300)) / lag)
                for n in (self.linear, self.tanh)
            )


def _jacobian_norms(weight: np.ndarray, states: np.ndarray) -> np.ndarray:
    """``||J_T J_{T-1} ... J_{T-k+1}||_2`` for k = 0 .. steps - 1 (equation ``eq-bptt-product``).

    ``J_s = diag(tanh'(z_s)) W = diag(1 - h_s**2) W`` for the tanh RNN with states ``h_s`` (rows
    of ``states``); rows of ones in ``states``' place give ``J_s = W``, the linear RNN.
    """
    product = np.eye(weight.shape[0])
    norms = [1.0]
    for k in range(1, len(states)):
        with np.errstate(over="ignore", invalid="ignore"):
            product = product @ (states[-k][:, None] * weight)
        if not np.isfinite(product).all():  # past float64's range: the norm is infinite from here
            norms += [np.inf] * (len(states) - k)
            break
        norms.append(float(np.linalg.norm(product, ord=2)))
    return np.array(norms)


def radius_sweep(
    rhos, *, hidden: int = 32, steps: int = 100, n_in: int = 4, seed: int
) -> RadiusSweep:
    """How ``||dh_T/dh_t||`` depends on the scale ``rho`` of the recurrent matrix (equation
    ``eq-bptt-product``) :cite:p:`pascanu2013`.

    For each ``rho`` the tanh RNN of :func:`make_cell` (``recurrent_scale=rho``: every singular
    value of W equals rho) reads the N(0, 1) input sequence of :func:`gradient_through_time`;
    the product of the step Jacobians ``diag(tanh'(z_s)) W`` is multiplied out in float64, and
    so is the product ``W**k`` of the linear RNN on the same W, whose norm is ``rho**k``
    exactly. Every ``rho`` uses the same Q.

    >>> r = radius_sweep([0.5, 2.0], hidden=4, steps=5, seed=0)
    >>> [round(float(x), 6) for x in r.linear[:, 4]], bool(np.all(r.tanh <= r.linear * (1 + 1e-12)))
    ([0.0625, 16.0], True)
    """
    import torch

    rhos = check_sequence("rhos", rhos, max_len=50)
    rhos = np.array([check_real("rhos", r, lo=0.0, lo_open=True, hi=10.0) for r in rhos])
    hidden = check_int("hidden", hidden, lo=1, hi=256)
    most = max(1, min(2000, 5 * 10**7 // (len(rhos) * hidden**2)))  # len(rhos) steps hidden^2
    steps = check_int(
        "steps", steps, lo=1, hi=most, why=f" for hidden={hidden} and {len(rhos)} rhos"
    )
    n_in = check_int("n_in", n_in, lo=1, hi=256)
    linear, tanh = [], []
    with single_thread():
        for rho in rhos:
            module = make_cell("rnn", n_in=n_in, hidden=hidden, seed=seed, recurrent_scale=rho)
            g = torch_generator((seed + 1) % 2**64)  # make_cell has checked the seed
            xs = torch.randn(steps, 1, n_in, generator=g, dtype=torch.float64)
            with torch.no_grad():
                h = np.array([h[0].numpy() for h in run_cell(module, xs)])
            w = module.weight_hh.detach().numpy()
            linear.append(_jacobian_norms(w, np.ones_like(h)))
            tanh.append(_jacobian_norms(w, 1 - h**2))
    return RadiusSweep(rhos, np.arange(steps), np.array(linear), np.array(tanh))


# --------------------------------------------------------------------------- the LSTM's carousel


def lstm_step(module, x, h, c):
    """One LSTM step written out: ``(h_t, c_t, (i, f, g, o))`` for inputs ``x`` and the state
    ``(h, c)``; the same numbers as ``module(x, (h, c))``.

    .. math:: c_t = f_t \\odot c_{t-1} + i_t \\odot g_t, \\qquad h_t = o_t \\odot \\tanh(c_t)

    The gates read ``x`` and ``h`` only, so with ``h`` fixed ``dc_t/dc_{t-1} = diag(f_t)``.
    """
    import torch

    check_instance("module", module, torch.nn.LSTMCell, "a torch LSTMCell (see make_cell)")
    for name, value, size in (
        ("x", x, module.input_size),
        ("h", h, module.hidden_size),
        ("c", c, module.hidden_size),
    ):
        want = f"a {module.weight_ih.dtype} tensor whose last dimension is {size}"
        if not isinstance(value, torch.Tensor) or value.dtype != module.weight_ih.dtype:
            got = type(value).__name__ if not isinstance(value, torch.Tensor) else value.dtype
            raise TypeError(f"{name} must be {want}, got {got}")
        if value.ndim == 0 or value.shape[-1] != size:
            raise ValueError(f"{name} must be {want}, got shape {tuple(value.shape)}")
    z = x @ module.weight_ih.T + module.bias_ih + h @ module.weight_hh.T + module.bias_hh
    i, f, g, o = z.chunk(4, dim=-1)  # PyTorch's gate order
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c = f * c + i * g
    return o * torch.tanh(c), c, (i, f, g, o)


#: A cell state beyond this size saturates ``tanh``: ``tanh'(2) = 0.071``.
SATURATED_CELL = 2.0


@dataclass(frozen=True)
class Carousel:
    """The LSTM's forget gates on one input sequence and what they do to the gradient.

    ``forget[s, j]`` is unit j's forget gate at step s + 1; ``carousel[k]`` is
    ``||dc_T/dc_{T-k}||`` with every gate held fixed, the product of ``k`` diagonal matrices
    ``diag(f)`` (so the largest product of one unit's gates); ``full[k]`` is
    ``||dh_T/dh_{T-k}||`` of the same cell with nothing held fixed
    (:func:`gradient_through_time`). ``cell[s, j]`` is unit j's cell state after step s + 1.
    """

    gate_bias: float
    lags: NDArray[np.integer]
    forget: np.ndarray
    carousel: np.ndarray
    full: np.ndarray
    cell: np.ndarray

    @property
    def mean_forget(self) -> float:
        """The forget gates' mean over all steps and units."""
        return float(self.forget.mean())

    @property
    def cell_state_rms(self) -> float:
        """Root-mean-square of the last cell state ``c_T`` over the units: the content the
        carousel has added up."""
        return float(np.sqrt(np.mean(self.cell[-1] ** 2)))

    @property
    def saturated(self) -> float:
        """Share of the units whose last cell state has ``|c_T| > SATURATED_CELL``, where
        ``tanh'(c_T) < 0.071``: the factor ``o_T * tanh'(c_T)`` through which the cell state's
        gradient reaches ``h_T`` is nearly 0 there."""
        return float(np.mean(np.abs(self.cell[-1]) > SATURATED_CELL))

    def predicted(self) -> np.ndarray:
        """``mean_forget ** k`` for every lag k: every gate replaced by the mean."""
        return self.mean_forget ** self.lags.astype(float)


def carousel(
    *, gate_bias: float = 1.0, hidden: int = 32, steps: int = 100, n_in: int = 4, seed: int
) -> Carousel:
    """Forget gates and the carousel's gradient ``prod diag(f)`` of :func:`make_cell`'s LSTM.

    The cell reads the same N(0, 1) input sequence as :func:`gradient_through_time` with the
    same ``seed``; ``gate_bias`` is added to the forget gate's bias.

    >>> r = carousel(gate_bias=5.0, hidden=4, steps=6, seed=0)
    >>> bool(0.98 < r.mean_forget < 1), bool(r.carousel[5] <= r.carousel[1])
    (True, True)
    """
    import torch

    full = gradient_through_time(
        "lstm", hidden=hidden, steps=steps, n_in=n_in, seed=seed, gate_bias=gate_bias
    )
    module = make_cell("lstm", n_in=n_in, hidden=hidden, seed=seed, gate_bias=gate_bias)
    xs = torch.randn(
        steps, 1, n_in, generator=torch_generator((seed + 1) % 2**64), dtype=torch.float64
    )
    h = torch.zeros(1, hidden, dtype=torch.float64)
    c = torch.zeros_like(h)
    forget, cells = [], []
    with torch.no_grad(), single_thread():
        for x in xs:
            h, c, (_, f, _, _) = lstm_step(module, x, h, c)
            forget.append(f[0].numpy())
            cells.append(c[0].numpy().copy())
    forget = np.array(forget)
    products = np.cumprod(forget[::-1], axis=0)  # row k - 1: the last k steps' gates
    carousel_norms = np.concatenate([[1.0], products.max(axis=1)[: steps - 1]])
    return Carousel(
        float(gate_bias), np.arange(steps), forget, carousel_norms, full.norms, np.array(cells)
    )
