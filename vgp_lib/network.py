"""Nielsen's network, vectorised over the mini-batch and over a stack of seeds.

The module is longer than most (about 700 lines) because it is one idea: the parameters,
the forward and backward passes (batched, and one example at a time as Nielsen wrote them),
SGD and the measurements of a run all share the stacked-seed layout described below;
splitting them would separate that layout from half of its users.

The network of *Neural Networks and Deep Learning* (``network2.py``): sigmoid
neurons, the cross-entropy cost, weights drawn from N(0, 1/n_in) and biases from
N(0, 1), trained by mini-batch SGD with L2 regularisation,

.. math::  w \\leftarrow \\left(1-\\frac{\\eta\\lambda}{n}\\right) w
           - \\frac{\\eta}{m}\\sum_x \\nabla_w C_x, \\qquad
           b \\leftarrow b - \\frac{\\eta}{m}\\sum_x \\nabla_b C_x

(equation ``eq-mnist-sgd`` in the chapter *Seeing the problem in MNIST*);
biases are not decayed, ``n`` is the size of the training set and ``m`` of the
mini-batch. The data are reshuffled every epoch from the seed.

Layout. Layers are numbered 1..L in the text (layer 0 is the input) and
0-based in code: ``weights[l]`` and ``biases[l]`` feed layer ``l + 1``. One
:class:`Params` holds ``K`` networks of the same shape, one per seed, stacked on
a leading axis, so K seeds train together in one batched matrix product:

* ``weights[l]``: ``(K, n_{l+1}, n_l)``, entry ``[k, j, i]`` is Nielsen's
  :math:`w^{l+1}_{ji}` of network ``k``;
* ``biases[l]``: ``(K, n_{l+1})``;
* activations: ``(K, m, n_l)``, one row per example (input ``x`` may be a
  shared ``(m, n_0)`` array).

So ``z = a @ w.T + b`` is the book's :math:`z = w a + b` for a batch of rows.

>>> p = init_params([784, 30, 10], seed=[0, 1])
>>> p.n_nets, [w.shape for w in p.weights]
(2, [(2, 30, 784), (2, 10, 30)])
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
    check_arrays,
    check_bool,
    check_choice,
    check_float_dtype,
    check_instance,
    check_int,
    check_labelled,
    check_memory,
    check_pair,
    check_real,
    check_seeds,
    check_sequence,
    check_sgd,
    checked,
)
from .rng import make_rng
from .threads import single_thread

__all__ = [
    "HIDDEN_ACTIVATIONS",
    "NETWORK_INITS",
    "Params",
    "Gradients",
    "TrainResult",
    "DepthResult",
    "check_sizes",
    "as_seeds",
    "init_params",
    "prepare_batch",
    "forward",
    "backward",
    "prime_from_output",
    "feedforward",
    "backprop",
    "backprop_per_example",
    "sgd_step",
    "update_mini_batch",
    "accuracy",
    "train",
    "depth_experiment",
    "one_hot",
]

#: Activations the hidden layers may use (the output layer is always sigmoid).
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
#: Weight initialisations: Nielsen's N(0, 1/n_in) with N(0, 1) biases;
#: Xavier (Glorot) N(0, 2/(n_in + n_out)) and He N(0, 2/n_in), both with zero biases.
NETWORK_INITS = ("nielsen", "xavier", "he")


@dataclass(frozen=True)
class Params:
    """Weights and biases of ``K`` networks with the same ``sizes`` (one per seed)."""

    sizes: tuple[int, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    activation: str = "sigmoid"

    @property
    def n_nets(self) -> int:
        return int(self.biases[0].shape[0])

    @property
    def n_hidden(self) -> int:
        return len(self.sizes) - 2

    def copy(self) -> Params:
        return Params(
            self.sizes,
            tuple(w.copy() for w in self.weights),
            tuple(b.copy() for b in self.biases),
            self.activation,
        )


@dataclass(frozen=True)
class Gradients:
    """Cost gradients summed over a batch: ``nabla_w[l]`` ``(K, n_{l+1}, n_l)``, ``nabla_b[l]``
    ``(K, n_{l+1})``.
    """

    nabla_w: tuple[np.ndarray, ...]
    nabla_b: tuple[np.ndarray, ...]

    def max_abs_difference(self, other: Gradients) -> float:
        """The largest absolute difference between any entry of these gradients and ``other``'s.

        >>> g = backprop(init_params([3, 2], seed=0), np.ones((4, 3)), [0, 1, 1, 0])
        >>> g.max_abs_difference(g)
        0.0
        """
        pairs = zip(self.nabla_w + self.nabla_b, other.nabla_w + other.nabla_b)
        return float(max(np.abs(mine - theirs).max() for mine, theirs in pairs))


@dataclass(frozen=True)
class TrainResult:
    """Trained parameters and, per network and epoch, the evaluation accuracy (fraction correct)."""

    params: Params
    accuracy: np.ndarray  # (K, epochs); empty second axis without evaluation data


@dataclass(frozen=True)
class DepthResult:
    """Validation accuracy (fraction) of each depth: ``accuracy[d]`` is ``(seeds, epochs)``."""

    hidden_layers: tuple[int, ...]
    seeds: tuple[int, ...]
    epochs: int
    accuracy: tuple[np.ndarray, ...]

    def final(self) -> np.ndarray:
        """``(depths, seeds)`` accuracy after the last epoch."""
        return np.array([a[:, -1] for a in self.accuracy])


def check_sizes(sizes) -> tuple:
    """Validate layer widths: at least 2 layers, each an integer >= 1.

    >>> check_sizes([784, 30, 10])
    (784, 30, 10)
    >>> check_sizes([784])
    Traceback (most recent call last):
    ...
    ValueError: sizes must hold between 2 and 1,002 layer widths, got 1
    """
    sizes = check_sequence("sizes", sizes, what="layer widths", min_len=2, max_len=MAX_DEPTH + 2)
    return tuple(check_int(f"sizes[{i}]", n, lo=1, hi=MAX_WIDTH) for i, n in enumerate(sizes))


def as_seeds(seed) -> tuple:
    """``seed`` (a non-negative int or a sequence of them) as a tuple of ints, one per network.

    >>> as_seeds(3), as_seeds(range(2))
    ((3,), (0, 1))
    """
    return check_seeds("seed", seed)


def params_bytes(sizes, n_seeds: int) -> int:
    """Bytes :func:`init_params` takes for ``n_seeds`` networks of layer widths ``sizes``: float64
    draws for every network, then the stacked copy.

    >>> params_bytes((784, 30, 10), 1)
    381760
    """
    return 2 * 8 * n_seeds * sum(n_in * n_out + n_out for n_in, n_out in zip(sizes, sizes[1:]))


def init_params(
    sizes, *, seed, activation: str = "sigmoid", init: str = "nielsen", dtype=np.float64
) -> Params:
    """Random weights and biases for one network per seed (``seed`` an int or a sequence).

    ``init="nielsen"`` draws like ``network2.py``: biases N(0, 1), then weights
    N(0, 1/n_in). Network ``k`` depends only on ``seed[k]``, so a seed gives the
    same network alone or in a stack.

    >>> a = init_params([3, 2], seed=[5, 6]).weights[0][1]
    >>> b = init_params([3, 2], seed=6).weights[0][0]
    >>> bool(np.array_equal(a, b))
    True
    """
    sizes = check_sizes(sizes)
    activation = check_choice("activation", activation, HIDDEN_ACTIVATIONS)
    init = check_choice("init", init, NETWORK_INITS)
    dtype = check_float_dtype("dtype", dtype).type
    seeds = as_seeds(seed)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    check_memory("sizes", params_bytes(sizes, len(seeds)))
    ws, bs = [], []
    for s in seeds:
        rng = make_rng(s)
        if init == "nielsen":
            b = [rng.standard_normal(n_out) for _, n_out in pairs]
            w = [rng.standard_normal((n_out, n_in)) / np.sqrt(n_in) for n_in, n_out in pairs]
        else:
            b = [np.zeros(n_out) for _, n_out in pairs]
            var = (
                (lambda n_in, n_out: 2.0 / (n_in + n_out))
                if init == "xavier"
                else (lambda n_in, n_out: 2.0 / n_in)
            )
            w = [
                rng.standard_normal((n_out, n_in)) * np.sqrt(var(n_in, n_out))
                for n_in, n_out in pairs
            ]
        ws.append(w)
        bs.append(b)
    weights = tuple(np.stack([w[l] for w in ws]).astype(dtype) for l in range(len(pairs)))
    biases = tuple(np.stack([b[l] for b in bs]).astype(dtype) for l in range(len(pairs)))
    return Params(sizes, weights, biases, activation)


def one_hot(y, n_classes: int = 10, dtype=np.float64) -> np.ndarray:
    """Integer labels ``(..., )`` -> one-hot rows ``(..., n_classes)``.

    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    n_classes = check_int("n_classes", n_classes, lo=1, hi=MAX_WIDTH)
    dtype = check_float_dtype("dtype", dtype)
    y = np.asarray(as_numpy(y, "y"))
    if y.size == 0 and y.dtype.kind == "f":  # [] is float64 to NumPy: no labels, no type to refuse
        y = y.astype(np.intp)
    if y.dtype.kind not in "iu":  # bools would index as a mask, floats not at all
        raise TypeError(f"y must hold integer labels in [0, {n_classes - 1}], got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"y must hold labels in [0, {n_classes - 1}]")
    check_memory("n_classes", y.size * n_classes * dtype.itemsize)
    out = np.zeros(y.shape + (n_classes,), dtype=dtype)
    np.put_along_axis(out, y[..., None], 1, axis=-1)
    return out


# --- activations, in place and dtype-preserving -----------------------------
# The hot loop keeps float32 arrays float32 and allocates nothing it can avoid,
# so it uses the identity sigma(z) = (1 + tanh(z/2)) / 2: like
# vgp_lib.activations.sigmoid it never overflows (tanh saturates), and the
# tests check the two agree. Every derivative is computed from the activation.


def _activate(z: np.ndarray, name: str) -> np.ndarray:
    """Overwrite ``z`` with f(z); return it."""
    if name == "sigmoid":
        z *= 0.5
        np.tanh(z, out=z)
        z *= 0.5
        z += 0.5
    elif name == "tanh":
        np.tanh(z, out=z)
    else:
        np.maximum(z, 0, out=z)
    return z


def prime_from_output(a, activation: str) -> np.ndarray:
    """f'(z) of a hidden layer, computed from its output a = f(z): a(1-a), 1-a^2 or [a > 0].

    >>> prime_from_output(np.array([0.5]), "sigmoid")
    array([0.25])
    """
    activation = check_choice("activation", activation, HIDDEN_ACTIVATIONS)
    a = check_array("a", a)
    if a.ndim == 0:
        raise ValueError("a must be an array of a layer's activations, got a scalar")
    lo, hi = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, np.inf)}[activation]
    if a.size and (a.min() < lo or a.max() > hi):
        raise ValueError(f"a must hold outputs of {activation}, in [{lo:g}, {hi:g}]")
    return _prime(a, activation)


def _prime(a: np.ndarray, name: str) -> np.ndarray:
    """f'(z) written in terms of a = f(z): a(1-a), 1-a^2 or [a > 0]."""
    if name == "sigmoid":
        out = 1 - a
        out *= a
    elif name == "tanh":
        out = a * a
        np.subtract(1, out, out=out)
    else:
        out = (a > 0).astype(a.dtype)
    return out


def _forward(weights, biases, x, activation) -> list:
    """Activations ``[a^0, ..., a^L]``; hidden layers use ``activation``, the output sigmoid."""
    acts = [x]
    a = x
    last = len(weights) - 1
    for l, (w, b) in enumerate(zip(weights, biases)):
        if (
            a.ndim == 2
        ):  # input shared by all K networks: one product with their weights side by side
            k, n_out, n_in = w.shape
            z = (a @ w.reshape(k * n_out, n_in).T).reshape(a.shape[0], k, n_out).transpose(1, 0, 2)
        else:
            z = np.matmul(a, w.swapaxes(-1, -2))
        z += b[:, None, :]
        a = _activate(z, "sigmoid" if l == last else activation)
        acts.append(a)
    return acts


def _inputs(params: Params, x) -> np.ndarray:
    """``x`` checked as in :func:`prepare_batch` and in the parameters' dtype."""
    n_in, k = params.sizes[0], params.n_nets
    x = check_array("x", x, keep_dtype=True)
    if x.ndim not in (2, 3) or x.shape[-1] != n_in or (x.ndim == 3 and x.shape[0] != k):
        raise ValueError(f"x must have shape (m, {n_in}) or ({k}, m, {n_in}), got {x.shape}")
    return x.astype(params.weights[0].dtype, copy=False)


@checked(params=Params)
def prepare_batch(params: Params, x, y):
    """``x`` and ``y`` ready for :func:`forward` and :func:`backward`.

    ``x`` holds one example per row, ``(m, n_0)`` shared by all networks or
    ``(K, m, n_0)``; it is converted to the parameters' dtype. ``y`` holds integer
    labels or one-hot rows and comes back one-hot.
    """
    n_out, dt = params.sizes[-1], params.weights[0].dtype
    x = _inputs(params, x)
    y = check_array("y", y, keep_dtype=True)
    if y.shape == x.shape[:-1]:  # integer labels
        y = one_hot(y, n_out, dt)
    if y.ndim == 0 or y.shape[-1] != n_out or y.shape[:-1] != x.shape[:-1]:
        raise ValueError(
            f"y must be labels {x.shape[:-1]} or one-hot rows ({n_out} wide), got {y.shape}"
        )
    return x, y.astype(dt, copy=False)


def as_batch(params: Params, x, y) -> dict:
    """:func:`prepare_batch` as a rule of :func:`vgp_lib._validate.checked`: ``{"x": x, "y": y}``
    checked and ready for :func:`forward` and :func:`backward`."""
    return dict(zip("xy", prepare_batch(params, x, y)))


def feedforward(params: Params, x) -> np.ndarray:
    """Output activations ``(K, m, n_L)`` of every network for inputs ``x`` (eq.
    ``eq-mnist-forward``).

    >>> feedforward(init_params([4, 3, 2], seed=0), np.zeros((5, 4))).shape
    (1, 5, 2)
    """
    return forward(params, x)[-1]


@checked(params=Params)
def forward(params: Params, x) -> list:
    """Activations ``[a^0, a^1, ..., a^L]`` of every network (eq. ``eq-mnist-forward``).

    ``x`` is as for :func:`prepare_batch`; each ``a^l`` is ``(K, m, n_l)`` (``a^0``
    is ``x`` itself). Hidden layers use ``params.activation``, the output layer the
    sigmoid.
    """
    x = _inputs(params, x)
    return _forward(params.weights, params.biases, x, params.activation)


def _acts_and_targets(params: Params, acts, y) -> dict:
    """The rule :func:`backward` checks its arguments with: ``acts`` from :func:`forward` and
    ``y`` from :func:`prepare_batch`, both for ``params``."""
    n_layers = len(params.sizes)
    if not isinstance(acts, (list, tuple)) or len(acts) != n_layers:
        raise TypeError(f"acts must be the list of {n_layers} arrays forward returns")
    for l, (a, n) in enumerate(zip(acts, params.sizes)):
        if not isinstance(a, np.ndarray) or a.dtype.kind != "f" or a.shape[-1] != n:
            raise TypeError(f"acts[{l}] must be a float array with {n} columns (from forward)")
    y = check_array("y", y, keep_dtype=True)
    if y.shape[-2:] != acts[-1].shape[-2:]:
        raise ValueError(f"y must hold one-hot rows of shape {acts[-1].shape[-2:]}, got {y.shape}")
    return {"y": y}


@checked(_acts_and_targets, params=Params)
def backward(params: Params, acts, y) -> list:
    """The errors ``[delta^1, ..., delta^L]``, one row per example (eqs. ``eq-mnist-delta-out``,
    ``eq-mnist-delta``).

    ``acts`` is what :func:`forward` returned and ``y`` the one-hot targets (from
    :func:`prepare_batch`). With a sigmoid output and the cross-entropy cost the
    output error is :math:`a^L - y`; each layer below takes the error of the
    layer above back through its weights and scales it by :math:`f'(z^l)`.

    >>> p = init_params([4, 3, 2], seed=0)
    >>> x, y = prepare_batch(p, np.ones((5, 4)), [0, 1, 1, 0, 1])
    >>> [d.shape for d in backward(p, forward(p, x), y)]
    [(1, 5, 3), (1, 5, 2)]
    """
    delta = acts[-1] - y  # the output error
    deltas = [delta]
    for l in range(len(params.weights) - 1, 0, -1):  # weights[l] feeds l + 1
        back = delta @ params.weights[l]
        delta = back * _prime(acts[l], params.activation)
        deltas.append(delta)
    return deltas[::-1]


@checked(as_batch)
def backprop(params: Params, x, y) -> Gradients:
    """Gradients of the cross-entropy cost, summed over the batch (eqs. ``eq-mnist-delta-out``,
    ``eq-mnist-delta``).

    The bias gradient of layer l is :math:`\\delta^l` and the weight gradient
    :math:`\\delta^l (a^{l-1})^T`, both summed over the examples. ``y`` holds
    labels or one-hot rows. The L2 term is left out here (:func:`sgd_step`
    applies it to the weights).

    >>> g = backprop(init_params([4, 3, 2], seed=0), np.ones((5, 4)), [0, 1, 1, 0, 1])
    >>> g.nabla_w[0].shape, g.nabla_b[1].shape
    ((1, 3, 4), (1, 2))
    """
    acts = forward(params, x)
    deltas = backward(params, acts, y)
    nabla_b = [delta.sum(axis=-2) for delta in deltas]
    nabla_w = [_outer_sum(delta, a) for delta, a in zip(deltas, acts[:-1])]
    return Gradients(tuple(nabla_w), tuple(nabla_b))


def _outer_sum(delta: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Σ_x δ_x a_x^T for every network: ``(K, m, n_out)``, ``(K, m, n_in)`` or shared ``(m, n_in)``
    -> ``(K, n_out, n_in)``.
    """
    if a.ndim == 2:  # shared input: one product for all K networks
        k, m, n_out = delta.shape
        return (delta.transpose(1, 0, 2).reshape(m, k * n_out).T @ a).reshape(k, n_out, a.shape[1])
    return np.matmul(delta.swapaxes(-1, -2), a)


def backprop_per_example(params: Params, x, y) -> Gradients:
    """The gradients of :func:`backprop`, computed as Nielsen's ``network2.py`` does: one
    example at a time, each with its own forward and backward pass, the results summed
    (eqs. ``eq-mnist-forward``, ``eq-mnist-delta-out``, ``eq-mnist-delta``).

    ``x`` and ``y`` are as for :func:`backprop`; each network of the stack goes through
    :func:`backprop_one_network` in turn.

    >>> p = init_params([4, 3, 2], seed=[0, 1])
    >>> x, y = np.linspace(0, 1, 20).reshape(5, 4), [0, 1, 1, 0, 1]
    >>> backprop_per_example(p, x, y).max_abs_difference(backprop(p, x, y)) < 1e-15
    True
    """
    x, y = prepare_batch(params, x, y)
    k_nets = params.n_nets
    xs = np.broadcast_to(x, (k_nets, *x.shape[-2:]))
    ys = np.broadcast_to(y, (k_nets, *y.shape[-2:]))
    per_net = [
        backprop_one_network(
            [w[k] for w in params.weights],
            [b[k] for b in params.biases],
            xs[k],
            ys[k],
            params.activation,
        )
        for k in range(k_nets)
    ]
    layers = range(len(params.weights))
    return Gradients(
        tuple(np.stack([nabla_w[l] for nabla_w, _ in per_net]) for l in layers),
        tuple(np.stack([nabla_b[l] for _, nabla_b in per_net]) for l in layers),
    )


def backprop_one_network(weights, biases, x, y, activation="sigmoid"):
    """Nielsen's backprop for one network, written for reading: ``(nabla_w, nabla_b)``, the
    gradients summed over the examples, one list entry per layer.

    ``weights[l]`` is ``(n_{l+1}, n_l)`` and ``biases[l]`` ``(n_{l+1},)``: they feed layer
    ``l + 1`` (the text's layer l is the code's ``weights[l - 1]``); ``x`` holds one example
    per row and ``y`` its one-hot target. An example is a vector, ``w @ a + b`` is the book's
    :math:`w a + b`, and the error goes down as :math:`((w^{l+1})^T \\delta^{l+1}) \\odot
    f'(z^l)`. Slow: :func:`backprop` does the same for all the examples at once. Called by
    :func:`backprop_per_example`, which checks the arguments.
    """
    nabla_w = [np.zeros_like(w) for w in weights]
    nabla_b = [np.zeros_like(b) for b in biases]
    fs = [activation] * (len(weights) - 1) + ["sigmoid"]  # output: sigmoid
    for a, target in zip(x, y):  # one example at a time
        acts = [a]  # forward: a^0, a^1, ..., a^L
        for w, b, f in zip(weights, biases, fs):
            acts.append(_activate(w @ acts[-1] + b, f))
        delta = acts[-1] - target  # the output error
        for l in reversed(range(len(weights))):  # backward
            nabla_b[l] += delta
            nabla_w[l] += np.outer(delta, acts[l])
            if l > 0:
                delta = (weights[l].T @ delta) * _prime(acts[l], activation)
    return nabla_w, nabla_b


def update_mini_batch(weights, biases, x, y, scale, decay, activation) -> list:
    """One SGD step (eq. ``eq-mnist-sgd``) for every network, in place, on a whole mini-batch at
    once.

    ``weights``/``biases`` are lists of stacked arrays (modified in place),
    ``x`` holds the mini-batch as rows (``(K, m, n_0)``, or ``(m, n_0)`` shared
    by all networks) and ``y`` the one-hot targets; ``scale`` is η/m and
    ``decay`` is 1 - ηλ/n. Instead of a loop over the m examples, each layer
    does one matrix product for all of them.

    The output error δ^L = a^L - y is multiplied by -η/m once: the backward
    pass is linear in it, so every product below is then already the update.
    Returns each layer's bias update, -(η/m) Σ_x δ^l: divided by -η it is the
    mean bias gradient before the step, which :mod:`vgp_lib.speeds` records as
    the speed of learning.

    This fast step is what :func:`train` repeats; the tests check it against
    :func:`backprop` followed by equation ``eq-mnist-sgd``. Arguments are checked
    once here (shapes and kinds); :func:`train` calls the unchecked step.
    """
    weights = check_arrays("weights", weights, keep_dtype=True)  # the same arrays, in a list
    biases = check_arrays("biases", biases, keep_dtype=True)
    if len(biases) != len(weights) or any(
        w.ndim != 3 or b.shape != w.shape[:2] or w.dtype.kind != "f" or b.dtype != w.dtype
        for w, b in zip(weights, biases)
    ):
        raise ValueError(
            "weights and biases must be (K, n_out, n_in) and (K, n_out) floats per layer"
        )
    (k, _, n_in), n_out, dt = weights[0].shape, weights[-1].shape[1], weights[0].dtype
    x = check_array("x", x, keep_dtype=True)
    if x.ndim not in (2, 3) or x.shape[-1] != n_in or (x.ndim == 3 and x.shape[0] != k):
        raise ValueError(f"x must have shape (m, {n_in}) or ({k}, m, {n_in}), got {x.shape}")
    y = check_array("y", y, keep_dtype=True)
    if y.ndim < 2 or y.shape[-1] != n_out or y.shape[-2] != x.shape[-2]:
        raise ValueError(
            f"y must hold one one-hot row of width {n_out} per row of x, got {y.shape}"
        )
    if x.dtype != dt or y.dtype != dt:
        raise TypeError(f"x and y must have the weights' dtype {dt}, got {x.dtype} and {y.dtype}")
    check_real("scale", scale, lo=0, lo_open=True)
    check_real("decay", decay, lo=0, hi=1)
    check_choice("activation", activation, HIDDEN_ACTIVATIONS)
    return _update_mini_batch(weights, biases, x, y, scale, decay, activation)


def _update_mini_batch(weights, biases, x, y, scale, decay, activation) -> list:
    """:func:`update_mini_batch` without the argument checks."""
    acts = _forward(weights, biases, x, activation)
    delta = acts[-1] - y
    delta *= -scale
    steps_b = [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):  # weights[l] feeds layer l + 1
        step_b = delta.sum(axis=-2)  # -(η/m) Σ_x δ
        step_w = _outer_sum(delta, acts[l])  # -(η/m) Σ_x δ a^T
        if l > 0:  # δ of the layer below, with w before its update
            delta = np.matmul(delta, weights[l])
            delta *= _prime(acts[l], activation)
        weights[l] *= decay
        weights[l] += step_w
        biases[l] += step_b
        steps_b[l] = step_b
    return steps_b


def _refuse_overflow(weights, eta) -> None:
    """Refuse a run whose weights overflowed: the step size was too large for the arithmetic."""
    if not all(np.isfinite(w).all() for w in weights):
        raise ValueError(
            f"eta = {eta:g} made the weights overflow to inf or nan; eta must be smaller"
        )


def sgd_step(
    params: Params, x, y, *, eta: float, lmbda: float = 0.0, n: int | None = None
) -> Params:
    """One step of L2-regularised mini-batch SGD (eq. ``eq-mnist-sgd``) on the batch ``x, y``;
    returns new params.

    ``n`` is the training-set size in the weight decay (default: the batch size).
    """
    x, y = prepare_batch(params, x, y)
    m = x.shape[-2]
    eta, lmbda, n = check_sgd(eta, lmbda, m if n is None else n)
    new = params.copy()
    dt = new.weights[0].dtype.type
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, by name
        _update_mini_batch(
            list(new.weights),
            list(new.biases),
            x,
            y,
            dt(eta / m),
            dt(1 - eta * lmbda / n),
            new.activation,
        )
    _refuse_overflow(new.weights, eta)
    return new


def accuracy(params: Params, x, y, *, chunk: int = 10_000) -> np.ndarray:
    """Fraction of ``x`` each network classifies correctly (argmax of the output), shape
    ``(K,)``.
    """
    check_instance("params", params, Params)
    chunk = check_int("chunk", chunk, lo=1)
    x, y = check_labelled("x", x, "y", y, n_classes=params.sizes[-1], width=params.sizes[0])
    correct = np.zeros(params.n_nets)
    for i in range(0, len(y), chunk):
        out = feedforward(params, x[i : i + chunk])
        correct += (out.argmax(axis=-1) == y[i : i + chunk]).sum(axis=-1)
    return correct / max(len(y), 1)


def train(
    params: Params,
    x,
    y,
    *,
    epochs: int,
    mini_batch_size: int,
    eta: float,
    lmbda: float,
    seed,
    evaluation=None,
    show_progress: bool = True,
    desc: str = "epochs",
) -> TrainResult:
    """Mini-batch SGD (eq. ``eq-mnist-sgd``) for every network in ``params`` at once.

    Each network ``k`` shuffles the training data every epoch with its own
    generator, derived from ``seed[k]`` (an int for one network) and independent
    of the stream :func:`init_params` drew the weights from. Mini-batches are
    consecutive slices of the shuffled data (the last one may be shorter), as in
    ``network2.py``. ``evaluation=(x_val, y_val)`` records the accuracy after
    every epoch. ``params`` is not modified.
    """
    check_instance("params", params, Params)
    epochs = check_int("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    shape = dict(n_classes=params.sizes[-1], width=params.sizes[0])
    x, y = check_labelled("x", x, "y", y, **shape)
    if evaluation is not None:
        evaluation = check_pair("evaluation", evaluation, **shape)
    show_progress = check_bool("show_progress", show_progress)
    check_instance("desc", desc, str, "a string (the progress bar's label)")
    n = x.shape[0]
    m = check_int("mini_batch_size", mini_batch_size, lo=1, hi=n)
    eta, lmbda, n = check_sgd(eta, lmbda, n)
    seeds = as_seeds(seed)
    if len(seeds) != params.n_nets:
        raise ValueError(f"seed must give one seed per network ({params.n_nets}), got {len(seeds)}")
    new = params.copy()
    weights, biases = list(new.weights), list(new.biases)
    dt = weights[0].dtype.type
    x = x.astype(dt, copy=False)
    targets = one_hot(y, params.sizes[-1], dt)
    shufflers = [make_rng(s).spawn(1)[0] for s in seeds]
    decay = dt(1 - eta * lmbda / n)
    history = []
    with single_thread(), np.errstate(over="ignore", invalid="ignore"):  # overflow: reported below
        for _ in progress(range(epochs), desc=desc, disable=not show_progress):
            order = np.stack([r.permutation(n) for r in shufflers])  # (K, n)
            for start in range(0, n, m):
                idx = order[:, start : start + m]
                _update_mini_batch(
                    weights,
                    biases,
                    x[idx],
                    targets[idx],
                    dt(eta / idx.shape[1]),
                    decay,
                    new.activation,
                )
            if evaluation is not None:
                history.append(accuracy(new, *evaluation))
    _refuse_overflow(new.weights, eta)
    acc = np.array(history).T if history else np.zeros((new.n_nets, 0))
    return TrainResult(new, acc)


def depth_experiment(
    train_data,
    validation_data,
    *,
    hidden_layers=(1, 2, 3, 4),
    width: int = 30,
    epochs: int = 30,
    mini_batch_size: int = 10,
    eta: float = 0.1,
    lmbda: float = 5.0,
    seeds=(0, 1, 2),
    dtype=np.float32,
    show_progress: bool = True,
) -> DepthResult:
    """Nielsen's depth experiment: validation accuracy of [784, 30, ..., 30, 10] nets after each
    epoch.

    ``train_data`` and ``validation_data`` are ``(x, y)`` pairs (e.g.
    ``mnist.train.x, mnist.train.y``). All seeds of one depth train together.
    """
    width = check_int("width", width, lo=1, hi=MAX_WIDTH)
    depths = tuple(
        check_int("hidden_layers", h, lo=1, hi=MAX_DEPTH)
        for h in check_sequence("hidden_layers", hidden_layers, what="depths")
    )
    check_int("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    seeds = check_seeds("seeds", seeds)
    show_progress = check_bool("show_progress", show_progress)
    x, y = check_pair("train_data", train_data, n_classes=10)
    validation_data = check_pair(
        "validation_data", validation_data, n_classes=10, width=x.shape[-1]
    )
    results = []
    for h in depths:
        sizes = [x.shape[1]] + [width] * h + [10]
        params = init_params(sizes, seed=seeds, dtype=dtype)
        run = train(
            params,
            x,
            y,
            epochs=epochs,
            mini_batch_size=mini_batch_size,
            eta=eta,
            lmbda=lmbda,
            seed=seeds,
            evaluation=validation_data,
            show_progress=show_progress,
            desc=f"{h} hidden layer{'s' if h > 1 else ''}",
        )
        results.append(run.accuracy)
    return DepthResult(depths, seeds, epochs, tuple(results))
