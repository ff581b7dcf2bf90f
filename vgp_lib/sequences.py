"""A task that needs a long memory, and training recurrent cells on it.

The *sign memory* task: a sequence of ``length`` steps with two input channels. At the first
step channel 0 holds a sign ``s = ±1``, afterwards 0; channel 1 holds N(0, ``noise``²) noise at
every step. After the last step a linear read-out of the hidden state must tell ``s``
(logistic loss; guessing gives ln 2). The only information about ``s`` is ``length`` steps back,
so the gradient that could teach the cell to keep it has to cross ``length - 1`` step Jacobians
(equation ``eq-bptt-product``) :cite:p:`hochreiter1997,bengio1994`.

:func:`train_memory` trains one cell of :func:`vgp_lib.recurrent.make_cell` with a linear
read-out, optionally clipping the gradient by its global norm (equation ``eq-clip-global``)
before each step. A run whose loss or gradient stops being finite, or whose loss exceeds
:data:`DIVERGED_LOSS`, is stopped and recorded as diverged; it does not raise.

>>> x, y = memory_batch(3, length=4, seed=0)
>>> tuple(x.shape), [float(v) for v in x[1:, :, 0].flatten()] == [0.0] * 9
((4, 3, 2), True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validate import check_choice, check_int, check_real
from .recurrent import ALL_CELLS, make_cell
from .rng import torch_generator
from .threads import single_thread

#: A loss above this (chance is ln 2 ≈ 0.69) counts as diverged and stops the run.
DIVERGED_LOSS = 100.0
#: Examples in the fresh batch :func:`train_memory` measures its accuracy on.
TEST_BATCH = 1000
#: Most work of a run, ``steps * batch * length * hidden`` (a few seconds on one core).
MAX_WORK = 5 * 10**7
OPTIMIZERS = ("adam", "sgd")


def memory_batch(n: int, *, length: int, noise: float = 1.0, seed: int):
    """``(x, y)``: inputs (length x n x 2, float64 torch) and targets (n, 1 for s = +1 else 0)."""
    import torch

    length = check_int("length", length, lo=1, hi=10**4)
    n = check_int("n", n, lo=1, hi=min(10**5, 10**7 // length), why=f" for length={length}")
    noise = check_real("noise", noise, lo=0.0, hi=100.0)
    g = torch_generator(seed)
    s = torch.randint(0, 2, (n,), generator=g).double()
    x = torch.zeros(length, n, 2, dtype=torch.float64)
    x[0, :, 0] = 2 * s - 1
    x[:, :, 1] = noise * torch.randn(length, n, generator=g, dtype=torch.float64)
    return x, s


@dataclass(frozen=True)
class MemoryRun:
    """One training run on the sign-memory task.

    ``losses[k]`` and ``grad_norms[k]`` (the global norm before any clipping) belong to step k;
    after a divergence they are NaN. ``diverged_at`` is the step whose loss or gradient blew up
    (None if none did); ``accuracy`` is measured on a fresh batch after training (NaN after a
    divergence).
    """

    cell: str
    losses: np.ndarray
    grad_norms: np.ndarray
    accuracy: float
    diverged_at: int | None = None
    max_norm: float | None = None

    @property
    def final_loss(self) -> float:
        """Mean loss of the last tenth of the steps (NaN if the run diverged)."""
        tail = self.losses[-max(1, len(self.losses) // 10) :]
        return float(np.mean(tail))

    def trained(self, loss_below: float) -> bool:
        """Whether the run did not diverge and ended with a :attr:`final_loss` below
        ``loss_below`` (chance is ln 2 ≈ 0.69).

        >>> losses = np.array([0.7, 0.3, 0.05])
        >>> MemoryRun("rnn", losses, np.ones(3), 1.0).trained(0.1)
        True
        >>> MemoryRun("rnn", losses, np.ones(3), float("nan"), diverged_at=2).trained(0.1)
        False
        """
        return self.diverged_at is None and self.final_loss < loss_below


def train_memory(
    cell: str,
    *,
    length: int = 50,
    hidden: int = 16,
    gate_bias: float = 3.0,
    recurrent_scale: float | None = None,
    optimizer: str = "adam",
    lr: float = 0.01,
    steps: int = 400,
    batch: int = 64,
    noise: float = 1.0,
    max_norm: float | None = None,
    clip=None,
    seed: int,
) -> MemoryRun:
    """Train ``make_cell(cell, ...)`` and a linear read-out on the sign-memory task.

    Each step draws a fresh batch, computes the logistic loss of the read-out of the last
    hidden state, and takes one ``optimizer`` step (``"adam"``, or ``"sgd"``: plain gradient
    descent). With ``max_norm`` set, the gradient of all parameters is first clipped by its
    global norm (equation ``eq-clip-global``) by ``clip(parameters, max_norm)``, by default
    :func:`vgp_lib.clipping.clip_grads_`; a ``clip`` of your own must rescale the ``.grad`` of
    the listed tensors in place.
    """
    import torch

    cell = check_choice("cell", cell, ALL_CELLS)
    length = check_int("length", length, lo=1, hi=1000)
    hidden = check_int("hidden", hidden, lo=1, hi=256)
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    lr = check_real("lr", lr, lo=0.0, lo_open=True, hi=100.0)
    batch = check_int("batch", batch, lo=1, hi=4096)
    # steps * batch * length * hidden <= MAX_WORK
    most = min(10**5, max(1, MAX_WORK // (batch * length * hidden)))
    why = f" for batch={batch}, length={length}, hidden={hidden}"
    steps = check_int("steps", steps, lo=1, hi=most, why=why)
    noise = check_real("noise", noise, lo=0.0, hi=100.0)
    if max_norm is not None:
        max_norm = check_real("max_norm", max_norm, lo=0.0, lo_open=True)
    if clip is not None and not callable(clip):
        raise TypeError(
            f"clip must be a function clip(parameters, max_norm), got {type(clip).__name__}"
        )
    if clip is not None and max_norm is None:
        raise ValueError("clip needs max_norm: give the threshold it clips to")
    if clip is None:
        from .clipping import clip_grads_ as clip
    module, head = _model(
        cell,
        n_in=2,
        hidden=hidden,
        seed=seed,
        recurrent_scale=recurrent_scale,
        gate_bias=gate_bias,
        length=length,
    )
    params = list(module.parameters()) + list(head.parameters())
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(params, lr=lr)
    losses = np.full(steps, np.nan)
    norms = np.full(steps, np.nan)
    diverged = None
    with single_thread():
        for k in range(steps):
            x, y = memory_batch(batch, length=length, noise=noise, seed=(seed + 3 + k) % 2**64)
            loss = _loss(module, head, x, y)
            opt.zero_grad()
            loss.backward()
            norm = math.sqrt(sum(float(torch.sum(p.grad**2)) for p in params))
            losses[k], norms[k] = loss.item(), norm
            if not (math.isfinite(losses[k]) and math.isfinite(norm)) or losses[k] > DIVERGED_LOSS:
                diverged = k
                break
            if max_norm is not None:
                clip(params, max_norm)
            opt.step()
        accuracy = math.nan
        if diverged is None:
            x, y = memory_batch(TEST_BATCH, length=length, noise=noise, seed=(seed + 1) % 2**64)
            with torch.no_grad():
                logits = _logits(module, head, x)
            accuracy = float(((logits > 0).double() == y).double().mean())
    return MemoryRun(cell, losses, norms, accuracy, diverged, max_norm)


def _model(cell, *, n_in, hidden, seed, recurrent_scale, gate_bias, length):
    """The cell of :func:`vgp_lib.recurrent.make_cell` and a seeded linear read-out."""
    import torch

    del length  # the model does not depend on the sequence length
    module = make_cell(
        cell,
        n_in=n_in,
        hidden=hidden,
        seed=seed,
        recurrent_scale=recurrent_scale,
        gate_bias=gate_bias,
    )
    g = torch_generator((seed + 2) % 2**64)
    head = torch.nn.Linear(hidden, 1, dtype=torch.float64)
    bound = 1.0 / math.sqrt(hidden)
    with torch.no_grad():
        for p in head.parameters():
            p.copy_((torch.rand(p.shape, generator=g, dtype=torch.float64) * 2 - 1) * bound)
    return module, head


def _logits(module, head, x):
    import torch

    h = torch.zeros(x.shape[1], module.hidden_size, dtype=x.dtype)
    c = torch.zeros_like(h)
    for xt in x:
        if isinstance(module, torch.nn.LSTMCell):
            h, c = module(xt, (h, c))
        else:
            h = module(xt, h)
    return head(h).squeeze(-1)


def _loss(module, head, x, y):
    import torch

    with np.errstate(all="ignore"):
        return torch.nn.functional.binary_cross_entropy_with_logits(_logits(module, head, x), y)


def memory_gradient(
    cell: str,
    *,
    length: int = 50,
    hidden: int = 16,
    gate_bias: float = 3.0,
    recurrent_scale: float | None = None,
    batch: int = 64,
    noise: float = 1.0,
    seed: int,
) -> tuple[np.ndarray, ...]:
    """The gradient of :func:`train_memory`'s first step, one array per parameter (the cell's,
    then the read-out's), before any clipping.
    """

    run_args = dict(
        length=length, hidden=hidden, gate_bias=gate_bias, recurrent_scale=recurrent_scale
    )
    train_memory(cell, steps=1, batch=1, noise=noise, seed=seed, **run_args)  # checks the args
    module, head = _model(cell, n_in=2, seed=seed, **run_args)
    batch = check_int("batch", batch, lo=1, hi=4096)
    x, y = memory_batch(batch, length=length, noise=noise, seed=(seed + 3) % 2**64)
    with single_thread():
        _loss(module, head, x, y).backward()
    return tuple(p.grad.detach().numpy().copy() for p in (*module.parameters(), *head.parameters()))
