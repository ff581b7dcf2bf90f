"""Per-layer updates: what SGD and AdamW do with a layer's small gradient.

The chapters before this one watch the gradient ``g = dC/dW`` of each layer: when
it is tiny, the layer learns slowly. That holds for plain SGD, whose step is
``Delta W = -lr g``. Adam :cite:p:`kingma2015` (and AdamW, its variant with
decoupled weight decay :cite:p:`loshchilov2019`) divides each parameter's step by
a running size of that parameter's own gradient (equation ``eq-tf-adam``)::

    m <- b1 m + (1 - b1) g,     v <- b2 v + (1 - b2) g^2,
    theta <- theta - lr (m_hat / (sqrt(v_hat) + eps) + wd theta),

with ``m_hat = m / (1 - b1^t)`` and ``v_hat = v / (1 - b2^t)`` at step ``t``. At
the first step ``m_hat = g`` and ``v_hat = g^2``, so every entry with a nonzero
gradient moves by ``lr g / (|g| + eps)``, about ``lr``, however small ``g`` is
(:func:`adam_first_step`). A layer whose gradient has vanished still moves.

So the number to watch is not the gradient but the *update ratio*
(equation ``eq-tf-update-ratio``), how far each layer's weights move in one step
relative to their size::

    r_l = ||W_l(after) - W_l(before)|| / ||W_l(before)||.

Under SGD it is ``lr ||g_l|| / ||W_l||`` and inherits the vanishing gradient; under
Adam's first step it is about ``lr sqrt(n_l) / ||W_l||`` for ``n_l`` entries with a
nonzero gradient, whatever ``||g_l||`` is. :func:`update_ratios` measures both on the
book's deep sigmoid network.

>>> rng = np.random.default_rng(0)
>>> x, y = rng.standard_normal((40, 5)), rng.integers(0, 3, 40)
>>> rec = update_ratios(x, y, depth=3, optimizer="adamw", lr=1e-3, steps=4, width=8, seed=0)
>>> rec.names
('1', '2', '3', 'out')
>>> rec.gradient_norm.shape, rec.update_ratio.shape, rec.loss.shape
((4, 4), (4, 4), (4,))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from ._validate import (
    MAX_DEPTH,
    MAX_SEED,
    MAX_WIDTH,
    check_array,
    check_choice,
    check_int,
    check_labelled,
    check_real,
    checked,
)
from .rng import torch_generator
from .threads import single_thread

__all__ = ["OPTIMIZERS", "UpdateRecord", "adam_first_step", "update_ratios"]

#: The optimizers :func:`update_ratios` compares.
OPTIMIZERS = ("sgd", "adamw")
#: Adam's constants, torch's defaults (``betas`` and ``eps`` of ``torch.optim.AdamW``).
BETAS, EPS = (0.9, 0.999), 1e-8
#: Most steps :func:`update_ratios` takes (the chapter's longest run takes 1,000).
MAX_STEPS = 100_000


@dataclass(frozen=True)
class UpdateRecord:
    """What :func:`update_ratios` measured: one row per step, one column per layer.

    ``names[l]`` is layer l in the text's numbering (``"1"`` .. ``"L"`` for the hidden
    layers, ``"out"`` for the output layer). At step ``s`` (0-based), before the
    optimizer moves the weights, ``gradient_norm[s, l]`` is ``||dC/dW_l||`` of that
    step's mini-batch (of the loss times ``loss_scale``, the gradient the optimizer
    saw) and ``weight_norm[s, l]`` is ``||W_l||``; ``update_ratio[s, l]``
    is ``||W_l(after) - W_l(before)|| / ||W_l(before)||``. ``loss[s]`` is the
    mini-batch's cross-entropy before the step, ``final_loss`` the mean
    cross-entropy over all of ``x`` after the last step.
    """

    optimizer: str
    lr: float
    weight_decay: float
    names: tuple[str, ...]
    gradient_norm: np.ndarray
    weight_norm: np.ndarray
    update_ratio: np.ndarray
    loss: np.ndarray
    final_loss: float

    def spread(self, field: str = "update_ratio", step: int = 0) -> float:
        """Largest over smallest layer of ``field`` at ``step``: 1 means every layer alike."""
        row = getattr(self, field)[step]
        return float(row.max() / row.min())


@checked(grad=check_array, lr=partial(check_real, lo=0.0, lo_open=True))
def adam_first_step(grad, *, lr: float, eps: float = EPS) -> np.ndarray:
    """Adam's first step for gradient ``grad`` (no weight decay): ``-lr g / (|g| + eps)``.

    At step 1 the bias-corrected moments are ``m_hat = g`` and ``v_hat = g^2``
    (equation ``eq-tf-adam``), so each entry moves by ``lr`` against the sign of its
    gradient, unless ``|g|`` is near ``eps`` or smaller. A zero gradient gives no step.

    >>> adam_first_step(np.array([2.0, -1e-6, 0.0]), lr=1e-3).round(6).tolist()
    [-0.001, 0.00099, -0.0]
    """
    eps = check_real("eps", eps, lo=0.0, lo_open=True)
    return -lr * grad / (np.abs(grad) + eps)


def _check_data(x, y, batch, **_):
    x, y = check_labelled("x", x, "y", y)
    if x.ndim != 2:
        raise ValueError(f"x must hold one example per row (2-D), got shape {x.shape}")
    return {"x": x, "y": y, "batch": check_int("batch", batch, lo=1, hi=len(x))}


@checked(
    _check_data,
    depth=partial(check_int, lo=1, hi=MAX_DEPTH),
    optimizer=partial(check_choice, choices=OPTIMIZERS),
    lr=partial(check_real, lo=0.0, lo_open=True, hi=100.0),
    steps=partial(check_int, lo=1, hi=MAX_STEPS),
    width=partial(check_int, lo=1, hi=MAX_WIDTH),
    weight_decay=partial(check_real, lo=0.0, hi=1.0),
    loss_scale=partial(check_real, lo=1e-30, hi=1e30),
    seed=partial(check_int, lo=0, hi=MAX_SEED),
)
def update_ratios(
    x,
    y,
    *,
    depth: int,
    optimizer: str,
    lr: float,
    steps: int,
    width: int = 30,
    batch: int = 10,
    weight_decay: float = 0.01,
    loss_scale: float = 1.0,
    seed: int,
) -> UpdateRecord:
    """Train the book's deep sigmoid net on ``(x, y)`` for ``steps`` mini-batches, recording
    each layer's gradient norm and update ratio (equation ``eq-tf-update-ratio``).

    The net is :func:`vgp_lib.models.build_mlp` with ``depth`` sigmoid hidden layers of
    ``width`` neurons and Nielsen's initialisation, as many outputs as classes in ``y``,
    in float64: the closed forms of the tests then hold to about 1e-12, and a net this
    small costs nothing more. The loss is the mean cross-entropy of the logits over a
    mini-batch of ``batch`` rows, times ``loss_scale`` (which multiplies every gradient,
    as a vanishing gradient would); the batches run through a fresh permutation of
    ``x`` on every pass (rows left over at the end of a pass wait for the next), drawn
    from ``seed``, which also draws the weights.

    ``optimizer`` is ``"sgd"``, Nielsen's plain step ``W <- W - lr g``, or ``"adamw"``,
    ``torch.optim.AdamW`` with torch's ``betas = (0.9, 0.999)``, ``eps = 1e-8`` and
    decoupled ``weight_decay`` (0.01, torch's default) :cite:p:`loshchilov2019`.
    Plain SGD has no weight decay: it does not use ``weight_decay``.
    Only weights are recorded (the biases are trained but not watched), one thread.
    """
    import torch

    from .models import build_mlp
    from .monitor import watched_layers

    xt = torch.as_tensor(x, dtype=torch.float64)
    yt = torch.as_tensor(y, dtype=torch.int64)
    n_classes = max(2, int(yt.max()) + 1)
    model = build_mlp(
        n_in=xt.shape[1],
        width=width,
        n_out=n_classes,
        depth=depth,
        activation="sigmoid",
        init="nielsen",
        seed=seed,
    )
    layers = watched_layers(model)
    weights = [module.weight for _, module in layers]
    names = tuple(str(j + 1) for j in range(depth)) + ("out",)
    if optimizer == "sgd":
        step = torch.optim.SGD(model.parameters(), lr=lr)
    else:
        step = torch.optim.AdamW(
            model.parameters(), lr=lr, betas=BETAS, eps=EPS, weight_decay=weight_decay
        )
    generator = torch_generator(seed)
    n = len(xt)
    grad_norm, weight_norm, ratio = (np.empty((steps, len(weights))) for _ in range(3))
    loss = np.empty(steps)
    order, start = torch.randperm(n, generator=generator), 0
    with single_thread():
        for s in range(steps):
            if start + batch > n:  # a new pass through x
                order, start = torch.randperm(n, generator=generator), 0
            idx = order[start : start + batch]
            start += batch
            before = [w.detach().clone() for w in weights]
            cost = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            step.zero_grad()
            (loss_scale * cost).backward()
            step.step()
            loss[s] = float(cost.detach())
            with torch.no_grad():
                for j, (w, b) in enumerate(zip(weights, before)):
                    grad_norm[s, j] = float(w.grad.norm())
                    weight_norm[s, j] = float(b.norm())
                    ratio[s, j] = float((w - b).norm()) / weight_norm[s, j]
        with torch.no_grad():
            final = float(torch.nn.functional.cross_entropy(model(xt), yt))
    wd = weight_decay if optimizer == "adamw" else 0.0
    return UpdateRecord(optimizer, lr, wd, names, grad_norm, weight_norm, ratio, loss, final)
