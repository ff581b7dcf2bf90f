"""How fast each hidden layer learns: Nielsen's probe ‖δ^l‖ and the experiments built on it.

Nielsen measures the *speed of learning* of hidden layer ``l`` by the length
of the bias gradient :math:`\\delta^l = \\partial C/\\partial b^l`, where ``C``
is the cost averaged over the examples (equation ``eq-mnist-speed`` in the
chapter *Seeing the problem in MNIST*): the norm of the **mean** gradient, not
the mean of per-example norms. The output layer is left out, so layers of the
same width are compared. Layers are 1..L in the text and 0-based in code:
``speeds[..., 0]`` is hidden layer 1.

>>> from vgp_lib.network import init_params
>>> p = init_params([4, 3, 3, 2], seed=0)
>>> layer_speeds(p, np.eye(4), [0, 1, 1, 0]).shape
(1, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._env import progress
from ._validate import (
    MAX_DEPTH,
    MAX_EPOCHS,
    MAX_WIDTH,
    as_numpy,
    check_array,
    check_bool,
    check_instance,
    check_instances,
    check_int,
    check_labelled,
    check_memory,
    check_seeds,
    check_sequence,
    check_sgd,
    checked,
)
from .network import (
    Params,
    as_batch,
    as_seeds,
    backward,
    check_sizes,
    forward,
    init_params,
    one_hot,
    params_bytes,
    prime_from_output,
    update_mini_batch,
)
from .threads import single_thread

__all__ = [
    "bias_gradients",
    "layer_speeds",
    "sigma_prime_rms",
    "SpeedProfile",
    "speed_profile",
    "InitSpeeds",
    "speeds_at_init",
    "NeuronGradients",
    "neuron_gradients",
    "TrainingSpeeds",
    "speeds_during_training",
    "first_out_of_order",
]


@checked(as_batch)
def bias_gradients(params: Params, x, y) -> tuple:
    """Mean bias gradient :math:`\\partial C/\\partial b^l` of every layer, ``(K, n_l)`` each.

    Backpropagation without the weight gradients (eqs. ``eq-mnist-delta-out``
    and ``eq-mnist-delta``): start from the output error a^L - y of the
    sigmoid + cross-entropy output, pull it back through each ``w^T`` and
    multiply by f'(z^l); the bias gradient of layer l is the mean of δ^l over
    the examples (the L2 term does not involve biases).

    >>> from vgp_lib.network import init_params
    >>> [g.shape for g in bias_gradients(init_params([4, 3, 2], seed=0), np.eye(4), [0, 1, 1, 0])]
    [(1, 3), (1, 2)]
    """
    deltas = backward(params, forward(params, x), y)
    return tuple(delta.mean(axis=-2) for delta in deltas)


def _without_blank_pixels(params: Params, x):
    """Drop input pixels that are 0 in every image, and the weights that read them.

    Such a pixel adds nothing to any z, so every activation and every bias
    gradient is unchanged; only the work shrinks (about a fifth of MNIST's
    pixels are blank in 1,000 images).
    """
    used = np.flatnonzero(np.any(x != 0, axis=tuple(range(x.ndim - 1))))
    w0 = np.ascontiguousarray(params.weights[0][..., used])
    sizes = (len(used),) + tuple(params.sizes[1:])
    return Params(sizes, (w0,) + tuple(params.weights[1:]), params.biases, params.activation), x[
        ..., used
    ]


def layer_speeds(params: Params, x, y) -> np.ndarray:
    """Speed of learning ‖δ^l‖ of each hidden layer, shape ``(K, n_hidden)`` (eq.
    ``eq-mnist-speed``).
    """
    grads = bias_gradients(params, x, y)[:-1]
    return np.stack([np.linalg.norm(g, axis=-1) for g in grads], axis=-1)


def sigma_prime_rms(params: Params, x) -> np.ndarray:
    """Root-mean-square of f'(z^l) over neurons and examples, per hidden layer: ``(K, n_hidden)``.

    The backward pass multiplies by ``w^T`` and then by ``f'(z^l)`` element-wise
    (eq. ``eq-mnist-delta``); with N(0, 1/n) weights between equal-width layers
    the first step keeps the length on average, so the second shrinks it by
    about this factor per layer (eq. ``eq-mnist-shrink``).

    >>> from vgp_lib.network import init_params
    >>> r = sigma_prime_rms(init_params([4, 3, 3, 2], seed=0), np.eye(4))
    >>> bool(np.all((0 < r) & (r <= 0.25)))
    True
    """
    return _sigma_prime_rms(params, forward(params, x))


def _sigma_prime_rms(params: Params, acts: list) -> np.ndarray:
    hidden = acts[1:-1]
    return np.stack(
        [
            np.sqrt(np.mean(prime_from_output(a, params.activation) ** 2, axis=(-2, -1)))
            for a in hidden
        ],
        axis=-1,
    )


@dataclass(frozen=True)
class SpeedProfile:
    """Speeds ‖δ^l‖ at initialisation of one architecture over several seeds: ``speeds`` is
    ``(seeds, n_hidden)``.
    """

    sizes: tuple[int, ...]
    activation: str
    init: str
    seeds: tuple[int, ...]
    speeds: np.ndarray
    sigma_prime_rms: np.ndarray  # (seeds, n_hidden): RMS of f'(z^l)

    def median(self) -> np.ndarray:
        return np.median(self.speeds, axis=0)

    def quantiles(self, q=(0.25, 0.75)) -> np.ndarray:
        """``(len(q), n_hidden)`` quantiles over seeds; ``q`` is one probability or a list of
        them.
        """
        probs = check_array("q", q)
        if probs.ndim > 1 or np.any((probs < 0) | (probs > 1)):
            raise ValueError(f"q must be a probability in [0, 1] or a list of them, got {q!r}")
        return np.quantile(self.speeds, probs, axis=0)


def speed_profile(
    x,
    y,
    *,
    hidden_layers: int = 2,
    width: int = 30,
    activation: str = "sigmoid",
    init: str = "nielsen",
    seed=0,
    dtype=np.float64,
) -> SpeedProfile:
    """‖δ^l‖ per hidden layer of freshly initialised ``[784, width × hidden_layers, 10]`` nets, one
    per seed.

    This is the widget's compute call and the building block of
    :func:`speeds_at_init` (eq. ``eq-mnist-speed``).
    """
    hidden_layers = check_int("hidden_layers", hidden_layers, lo=1, hi=MAX_DEPTH)
    width = check_int("width", width, lo=1, hi=MAX_WIDTH)
    x = check_array("x", x, keep_dtype=True)
    if x.ndim not in (2, 3):
        raise ValueError(f"x must hold images as rows, got shape {x.shape}")
    sizes = check_sizes([x.shape[-1]] + [width] * hidden_layers + [10])
    check_memory("width and hidden_layers", params_bytes(sizes, len(as_seeds(seed))))
    params = init_params(sizes, seed=seed, activation=activation, init=init, dtype=dtype)
    x, y = as_batch(params, x, y).values()
    small, x = _without_blank_pixels(params, x)
    with single_thread():
        acts = forward(small, x)  # one forward pass for both
        grads = [delta.mean(axis=-2) for delta in backward(small, acts, y)[:-1]]
        speeds = np.stack([np.linalg.norm(g, axis=-1) for g in grads], axis=-1)
        return SpeedProfile(
            sizes, params.activation, init, as_seeds(seed), speeds, _sigma_prime_rms(small, acts)
        )


@dataclass(frozen=True)
class InitSpeeds:
    """One :class:`SpeedProfile` per depth (Nielsen's 2, 3 and 4 hidden layers)."""

    profiles: tuple[SpeedProfile, ...]

    @property
    def hidden_layers(self) -> tuple:
        return tuple(len(p.sizes) - 2 for p in self.profiles)


def speeds_at_init(
    x, y, *, hidden_layers=(2, 3, 4), width: int = 30, seeds=range(20), **kwargs
) -> InitSpeeds:
    """Speed profiles at initialisation for several depths over the same seeds."""
    seeds = check_seeds("seeds", seeds)
    hidden_layers = tuple(
        check_int("hidden_layers", h, lo=1, hi=MAX_DEPTH)
        for h in check_sequence("hidden_layers", hidden_layers, what="depths")
    )
    width = check_int("width", width, lo=1, hi=MAX_WIDTH)
    return InitSpeeds(
        tuple(
            speed_profile(x, y, hidden_layers=h, width=width, seed=seeds, **kwargs)
            for h in hidden_layers
        )
    )


@dataclass(frozen=True)
class NeuronGradients:
    """∂C/∂b of the first ``n`` neurons of each hidden layer of one network at initialisation."""

    sizes: tuple[int, ...]
    seed: int
    gradients: tuple[np.ndarray, ...]  # one (n,) array per hidden layer
    speeds: np.ndarray  # (n_hidden,): ‖δ^l‖ over all neurons of each hidden layer


def neuron_gradients(
    x, y, *, sizes=(784, 30, 30, 10), seed: int = 0, n_neurons: int = 6
) -> NeuronGradients:
    """Nielsen's bar diagram: mean ∂C/∂b_j for neurons j < ``n_neurons`` of each hidden layer."""
    sizes = check_sizes(sizes)
    n_neurons = check_int("n_neurons", n_neurons, lo=1, hi=min(sizes[1:-1]))
    params = init_params(sizes, seed=seed)
    grads = bias_gradients(params, x, y)[:-1]
    return NeuronGradients(
        sizes,
        int(seed),
        tuple(g[0, :n_neurons] for g in grads),
        np.array([np.linalg.norm(g[0]) for g in grads]),
    )


@dataclass(frozen=True)
class TrainingSpeeds:
    """‖δ^l‖ recorded before every full-batch step: ``speeds`` is ``(seeds, steps, n_hidden)``."""

    sizes: tuple[int, ...]
    seeds: tuple[int, ...]
    eta: float
    lmbda: float
    speeds: np.ndarray

    def ratio(self) -> np.ndarray:
        """Last over first hidden layer's speed, ``(seeds, steps)``."""
        return self.speeds[..., -1] / self.speeds[..., 0]

    def out_of_order(self) -> np.ndarray:
        """``(seeds, steps)``: True where some hidden layer is not strictly slower than the
        layer above it.
        """
        return ~np.all(np.diff(self.speeds, axis=2) > 0, axis=2)

    def order_changes(self) -> np.ndarray:
        """Per run, the number of steps at which the layers are out of order (0: never)."""
        return np.count_nonzero(self.out_of_order(), axis=1)


def speeds_during_training(
    x,
    y,
    *,
    hidden_layers: int = 2,
    width: int = 30,
    steps: int = 500,
    eta: float = 0.1,
    lmbda: float = 5.0,
    seeds=(0,),
    dtype=np.float64,
    show_progress: bool = True,
) -> TrainingSpeeds:
    """Full-batch gradient descent on ``x, y`` (one step = one epoch), recording ‖δ^l‖ before each
    step.

    Nielsen's setting: the first 1,000 training images, mini-batch = all of
    them, η = 0.1, λ = 5.0 (so the weight decay uses n = len(x)), 500 steps.
    The speeds come from the very gradient each step applies. All seeds train
    together on the shared images.
    """
    hidden_layers = check_int("hidden_layers", hidden_layers, lo=1, hi=MAX_DEPTH)
    width = check_int("width", width, lo=1, hi=MAX_WIDTH)
    steps = check_int("steps", steps, lo=1, hi=MAX_EPOCHS)
    show_progress = check_bool("show_progress", show_progress)
    x = as_numpy(x, "x")  # np.shape would materialise a range
    x, y = check_labelled("x", x, "y", y, n_classes=10, width=np.shape(x)[-1] if np.ndim(x) else 1)
    n = x.shape[0]
    eta, lmbda, n = check_sgd(eta, lmbda, n)
    seeds = check_seeds("seeds", seeds)
    sizes = check_sizes([x.shape[1]] + [width] * hidden_layers + [10])
    check_memory("width and hidden_layers", params_bytes(sizes, len(seeds)))
    params = init_params(sizes, seed=seeds, dtype=dtype)
    weights, biases = list(params.weights), list(params.biases)
    dt = weights[0].dtype.type
    # Pixels that are 0 in every image neither change the forward pass nor get a gradient
    # (their weights only decay), so leaving them out changes no speed and saves work.
    used = np.flatnonzero((x != 0).any(axis=0))
    xs = x[:, used].astype(dt)
    weights[0] = np.ascontiguousarray(weights[0][:, :, used])
    ys = one_hot(y, 10, dt)
    record = np.empty((len(seeds), steps, hidden_layers))
    with single_thread():
        for t in progress(
            range(steps), desc=f"{hidden_layers} hidden layers", disable=not show_progress
        ):
            steps_b = update_mini_batch(
                weights, biases, xs, ys, dt(eta / n), dt(1 - eta * lmbda / n), params.activation
            )
            for l in range(hidden_layers):  # the bias update is -eta times the mean bias gradient
                record[:, t, l] = np.linalg.norm(steps_b[l], axis=-1) / eta
    return TrainingSpeeds(sizes, seeds, eta, lmbda, record)


def first_out_of_order(runs: dict):
    """The first ``(key, run)`` of ``runs`` (``key -> TrainingSpeeds``, in their order) whose
    layers are out of order at some step, or None when the order never changes.

    >>> def run(speeds):  # speeds of hidden layers 1 and 2, (runs, steps, layers)
    ...     return TrainingSpeeds((4, 3, 3, 2), (0,) * len(speeds), 0.1, 0.0, np.array(speeds))
    >>> first_out_of_order({2: run([[[1.0, 2.0]]])}) is None
    True
    >>> first_out_of_order({2: run([[[1.0, 2.0]]]), 3: run([[[1.0, 2.0]], [[2.0, 1.0]]])})
    (3, 1)
    """
    check_instance("runs", runs, dict, "a dict of TrainingSpeeds (from speeds_during_training)")
    check_instances("runs", runs.values(), TrainingSpeeds)
    for key, run in runs.items():
        changed = np.flatnonzero(run.order_changes())
        if changed.size:
            return key, int(changed[0])
    return None
