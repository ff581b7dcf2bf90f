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
from ._validate import (
    MAX_EPOCHS,
    MAX_SEED,
    MAX_SEEDS,
    MAX_WIDTH,
    check_choice,
    check_instance,
    check_int,
    check_labelled,
    check_sequence,
)
from .models import build_mlp
from .monitor import model_accuracy, train_watched
from .threads import single_thread

__all__ = ["TrainingComparison", "training_comparison"]


@dataclass(frozen=True)
class TrainingComparison:
    """``accuracy[i, s]``: validation accuracy of config ``names[i]`` after the budget, seed
    ``seed + s``.

    ``weight_norm[i]`` is that config's median (over the steps of the first
    seed) weight-gradient norm per layer, input side first; ``losses[i]`` the
    first seed's loss per step. The methods :meth:`better`, :meth:`overlap` and
    :meth:`learned` decide what a page may say about the runs:

    >>> runs = TrainingComparison(("a", "b"), np.array([[0.5, 0.7], [0.6, 0.9]]), (), (), {})
    >>> runs.better("a", "b"), runs.overlap("a", "b"), runs.learned(["a"], above=0.8)
    ('b', True, False)
    >>> runs.n_better_than(["b"], "a")
    1
    """

    names: tuple[str, ...]
    accuracy: np.ndarray
    weight_norm: tuple[np.ndarray, ...]
    losses: tuple[np.ndarray, ...]
    budget: dict

    def median_accuracy(self, name: str) -> float:
        return float(
            np.median(self.accuracy[self.names.index(check_choice("name", name, self.names))])
        )

    def runs(self, name: str) -> np.ndarray:
        """The validation accuracy of config ``name``, one per seed."""
        return self.accuracy[self.names.index(name)]

    def better(self, first: str, second: str) -> str:
        """The one of two configs whose median run is more accurate (``first`` on a tie)."""
        return second if np.median(self.runs(second)) > np.median(self.runs(first)) else first

    def overlap(self, first: str, second: str) -> bool:
        """Whether the runs of two configs overlap: neither's worst run beats the other's best."""
        a, b = self.runs(first), self.runs(second)
        return bool(min(a.max(), b.max()) >= max(a.min(), b.min()))

    def learned(self, names, *, above: float) -> bool:
        """Whether the best run of any config in ``names`` is more accurate than ``above``
        (a fraction: for ten classes guessing gives about 0.1).
        """
        return bool(max(self.runs(name).max() for name in names) > above)

    def n_better_than(self, names, reference: str) -> int:
        """How many configs in ``names`` have a more accurate median run than ``reference``."""
        bar = np.median(self.runs(reference))
        return int(sum(np.median(self.runs(name)) > bar for name in names))


def training_comparison(
    configs: dict,
    x_train,
    y_train,
    x_val,
    y_val,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    n_seeds: int,
    seed: int,
    width: int = 64,
    dtype=None,
) -> TrainingComparison:
    """Train every configuration (``name -> build_mlp keyword arguments``) ``n_seeds`` times.

    All runs share the data, the budget (``epochs`` of mini-batch SGD with
    ``batch_size`` and ``lr``) and, for a given seed, the batch order.
    ``dtype`` defaults to ``x_train``'s floating dtype (float32 or float64).
    """
    import torch

    n_seeds = check_int("n_seeds", n_seeds, lo=1, hi=MAX_SEEDS)
    seed = check_int("seed", seed, lo=0, hi=MAX_SEED)
    what = "a dict: name -> dict of build_mlp keyword arguments"
    check_instance("configs", configs, dict, what)
    for config in check_sequence("configs", configs.values()):  # at least one architecture
        check_instance("configs", config, dict, what)
    check_int("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    width = check_int("width", width, lo=1, hi=MAX_WIDTH)
    # a label sets n_out, the width of the output layer
    x_train, y_train = check_labelled("x_train", x_train, "y_train", y_train, n_classes=MAX_WIDTH)
    x_val, y_val = check_labelled("x_val", x_val, "y_val", y_val, n_classes=MAX_WIDTH)
    if x_val.shape[1:] != x_train.shape[1:]:
        raise ValueError(f"x_val must have the columns of x_train {x_train.shape[1:]}")
    if dtype is not None and dtype not in (torch.float32, torch.float64):
        raise TypeError(f"dtype must be None, torch.float32 or torch.float64, got {dtype!r}")
    if dtype is None:
        dtype = torch.float32 if x_train.dtype == np.float32 else torch.float64
    n_in = x_train.shape[1]
    n_out = int(max(np.max(y_train), np.max(y_val))) + 1
    names = tuple(configs)
    acc = np.zeros((len(names), n_seeds))
    norms, losses = [], []
    runs = [(i, s) for i in range(len(names)) for s in range(n_seeds)]
    for i, s in progress(runs, desc="training runs"):
        net = build_mlp(
            n_in=n_in, width=width, n_out=n_out, seed=seed + s, dtype=dtype, **configs[names[i]]
        )
        try:
            trace = train_watched(
                net, x_train, y_train, epochs=epochs, batch_size=batch_size, lr=lr, seed=seed + s
            )
        except ValueError as exc:
            if "diverged" not in str(exc):
                raise
            raise ValueError(
                f"{names[i]!r} diverged to inf or nan: lr = {lr:g} must be smaller, "
                "or x_train of a smaller scale"
            ) from None
        with single_thread(flush_denormal=True):
            acc[i, s] = model_accuracy(net, x_val, y_val)
        if s == 0:
            norms.append(np.nanmedian(trace.record.weight_norm, axis=0))
            losses.append(trace.losses)
    budget = dict(
        n_train=len(x_train),
        n_val=len(x_val),
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        n_seeds=n_seeds,
        width=width,
    )
    return TrainingComparison(names, acc, tuple(norms), tuple(losses), budget)
