"""Training comparisons: several architectures trained on one budget, over several seeds.

:func:`training_comparison` trains every configuration with
:func:`vgp_lib.monitor.train_watched` on the same data, the same number of
epochs, the same batch size and learning rate and, for a given seed, the same
batch order, and reports the validation accuracy of every run with the
per-layer gradient norms of the first seed's run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._env import progress
from ._validate import MAX_EPOCHS, MAX_SEEDS, check_int
from .models import build_mlp
from .monitor import model_accuracy, train_watched
from .threads import single_thread

__all__ = ["TrainingComparison", "training_comparison"]


@dataclass(frozen=True)
class TrainingComparison:
    """``accuracy[i, s]``: validation accuracy of config ``names[i]`` after the budget, seed ``seed + s``.

    ``weight_norm[i]`` is that config's median (over the steps of the first
    seed) weight-gradient norm per layer, input side first; ``losses[i]`` the
    first seed's loss per step.
    """

    names: tuple
    accuracy: np.ndarray
    weight_norm: tuple
    losses: tuple
    budget: dict

    def median_accuracy(self, name: str) -> float:
        return float(np.median(self.accuracy[self.names.index(name)]))


def training_comparison(configs: dict, x_train, y_train, x_val, y_val, *, epochs: int, batch_size: int,
                        lr: float, n_seeds: int, seed: int, width: int = 64, dtype=None) -> TrainingComparison:
    """Train every configuration (``name -> build_mlp keyword arguments``) ``n_seeds`` times.

    All runs share the data, the budget (``epochs`` of mini-batch SGD with
    ``batch_size`` and ``lr``) and, for a given seed, the batch order.
    ``dtype`` defaults to ``x_train``'s floating dtype (float32 or float64).
    """
    import torch

    n_seeds = check_int("n_seeds", n_seeds, lo=1, hi=MAX_SEEDS)
    if not configs:
        raise ValueError("configs must name at least one architecture")
    check_int("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    x_train = np.asarray(x_train)
    if dtype is None:
        dtype = torch.float32 if x_train.dtype == np.float32 else torch.float64
    n_in = x_train.shape[1]
    n_out = int(max(np.max(y_train), np.max(y_val))) + 1
    names = tuple(configs)
    acc = np.zeros((len(names), n_seeds))
    norms, losses = [], []
    runs = [(i, s) for i in range(len(names)) for s in range(n_seeds)]
    for i, s in progress(runs, desc="training runs"):
        net = build_mlp(n_in=n_in, width=width, n_out=n_out, seed=seed + s, dtype=dtype, **configs[names[i]])
        trace = train_watched(net, x_train, y_train, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed + s)
        with single_thread(flush_denormal=True):
            acc[i, s] = model_accuracy(net, x_val, y_val)
        if s == 0:
            norms.append(np.nanmedian(trace.record.weight_norm, axis=0))
            losses.append(trace.losses)
    budget = dict(n_train=len(x_train), n_val=len(x_val), epochs=epochs, batch_size=batch_size, lr=lr,
                  n_seeds=n_seeds, width=width)
    return TrainingComparison(names, acc, tuple(norms), tuple(losses), budget)
