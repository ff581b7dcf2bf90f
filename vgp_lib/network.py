"""Nielsen's network, vectorised over the mini-batch and over a stack of seeds.

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

import numbers
from dataclasses import dataclass

import numpy as np

from ._env import progress
from ._validate import (
    MAX_DEPTH,
    MAX_EPOCHS,
    MAX_SEED,
    MAX_SEEDS,
    MAX_WIDTH,
    Result,
    check_array,
    check_bool,
    check_choice,
    check_float_dtype,
    check_int,
    check_real,
    check_sequence,
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
class Params(Result):
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
class Gradients(Result):
    """Cost gradients summed over a batch: ``nabla_w[l]`` ``(K, n_{l+1}, n_l)``, ``nabla_b[l]``
    ``(K, n_{l+1})``.
    """

    nabla_w: tuple[np.ndarray, ...]
    nabla_b: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class TrainResult(Result):
    """Trained parameters and, per network and epoch, the evaluation accuracy (fraction correct)."""

    params: Params
    accuracy: np.ndarray  # (K, epochs); empty second axis without evaluation data


@dataclass(frozen=True)
class DepthResult(Result):
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
    ValueError: sizes must list at least 2 layer widths (input and output), got [784]
    """
    if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
        raise TypeError(f"sizes must be a sequence of layer widths, got {type(sizes).__name__}")
    if len(sizes) < 2:
        raise ValueError(
            f"sizes must list at least 2 layer widths (input and output), got {list(sizes)}"
        )
    return tuple(check_int(f"sizes[{i}]", n, lo=1, hi=MAX_WIDTH) for i, n in enumerate(sizes))


def as_seeds(seed) -> tuple:
    """``seed`` (a non-negative int or a sequence of them) as a tuple of ints, one per network.

    >>> as_seeds(3), as_seeds(range(2))
    ((3,), (0, 1))
    """
    return _seeds(seed, "seed")


def _seeds(seed, name: str) -> tuple:
    what = f"{name} must be a non-negative integer or a sequence of them"
    if isinstance(seed, np.ndarray) and seed.dtype.kind not in "iu":
        raise TypeError(f"{what}, got an array of dtype {seed.dtype}")
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        seeds = (seed,)
    elif isinstance(seed, (str, bytes, dict)) or not hasattr(seed, "__iter__"):
        raise TypeError(f"{what}, got {type(seed).__name__}")
    else:
        seeds = tuple(seed)
    if not seeds or len(seeds) > MAX_SEEDS:
        raise ValueError(f"{name} must name between 1 and {MAX_SEEDS} seeds, got {len(seeds)}")
    return tuple(check_int(name, s, lo=0, hi=MAX_SEED) for s in seeds)


def _check_dtype(dtype):
    return check_float_dtype("dtype", dtype).type


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
    dtype = _check_dtype(dtype)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    ws, bs = [], []
    for s in as_seeds(seed):
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
    y = np.asarray(y)
    if y.size == 0 and y.dtype.kind == "f":  # [] is float64 to NumPy: no labels, no type to refuse
        y = y.astype(np.intp)
    if y.dtype.kind not in "iu":  # bools would index as a mask, floats not at all
        raise TypeError(f"y must hold integer labels in [0, {n_classes - 1}], got dtype {y.dtype}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"y must hold labels in [0, {n_classes - 1}]")
    return np.eye(n_classes, dtype=dtype)[y]


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


def prepare_batch(params: Params, x, y):
    """``x`` and ``y`` ready for :func:`forward` and :func:`backward`.

    ``x`` holds one example per row, ``(m, n_0)`` shared by all networks or
    ``(K, m, n_0)``; it is converted to the parameters' dtype. ``y`` holds integer
    labels or one-hot rows and comes back one-hot.
    """
    _check_params("params", params)
    if y is None:
        raise TypeError("y must hold integer labels or one-hot rows, got None")
    return _as_batch(params, x, y)


def _as_batch(params: Params, x, y=None):
    x = _check_pixels("x", x)
    if x.ndim not in (2, 3) or x.shape[-1] != params.sizes[0]:
        raise ValueError(
            f"x must have shape (m, {params.sizes[0]}) or (K, m, {params.sizes[0]}), got {x.shape}"
        )
    if x.ndim == 3 and x.shape[0] != params.n_nets:
        raise ValueError(f"x has {x.shape[0]} stacks, expected one per network ({params.n_nets})")
    x = x.astype(params.weights[0].dtype, copy=False)
    if y is None:
        return x
    n_out = params.sizes[-1]
    y = _check_pixels("y", y)
    if y.shape == x.shape[:-1]:  # integer labels
        y = one_hot(y, n_out, params.weights[0].dtype)
    if y.ndim == 0 or y.shape[-1] != n_out or y.shape[:-1] != x.shape[:-1]:
        raise ValueError(
            f"y must hold labels of shape {x.shape[:-1]} or one-hot rows of width {n_out}, got "
            f"{y.shape}"
        )
    return x, y.astype(params.weights[0].dtype, copy=False)


def feedforward(params: Params, x) -> np.ndarray:
    """Output activations ``(K, m, n_L)`` of every network for inputs ``x`` (eq.
    ``eq-mnist-forward``).

    >>> feedforward(init_params([4, 3, 2], seed=0), np.zeros((5, 4))).shape
    (1, 5, 2)
    """
    _check_params("params", params)
    return _forward(params.weights, params.biases, _as_batch(params, x), params.activation)[-1]


def forward(params: Params, x) -> list:
    """Activations ``[a^0, a^1, ..., a^L]`` of every network (eq. ``eq-mnist-forward``).

    ``x`` is as for :func:`prepare_batch`; each ``a^l`` is ``(K, m, n_l)`` (``a^0``
    is ``x`` itself). Hidden layers use ``params.activation``, the output layer the
    sigmoid.
    """
    _check_params("params", params)
    return _forward(params.weights, params.biases, _as_batch(params, x), params.activation)


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
    acts, y = _check_backward_args(params, acts, y)
    delta = acts[-1] - y  # the output error
    deltas = [delta]
    for l in range(len(params.weights) - 1, 0, -1):  # weights[l] feeds l + 1
        back = delta @ params.weights[l]
        delta = back * _prime(acts[l], params.activation)
        deltas.append(delta)
    return deltas[::-1]


def _check_backward_args(params: Params, acts, y):
    _check_params("params", params)
    if not isinstance(acts, (list, tuple)) or len(acts) != len(params.sizes):
        raise TypeError(
            f"acts must be the list of {len(params.sizes)} activation arrays that forward "
            f"returns, got {type(acts).__name__}"
        )
    for l, (a, n) in enumerate(zip(acts, params.sizes)):
        if not isinstance(a, np.ndarray) or a.dtype.kind != "f" or a.shape[-1] != n:
            raise TypeError(f"acts[{l}] must be a float array with {n} columns (from forward)")
    y = _check_pixels("y", y)
    if y.shape[-2:] != acts[-1].shape[-2:]:
        raise ValueError(
            f"y must hold one-hot rows of shape {acts[-1].shape[-2:]} (see prepare_batch), "
            f"got {y.shape}"
        )
    return list(acts), y


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
    x, y = prepare_batch(params, x, y)
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
    _check_step_args(weights, biases, x, y, scale, decay, activation)
    return _update_mini_batch(weights, biases, x, y, scale, decay, activation)


def _check_step_args(weights, biases, x, y, scale, decay, activation) -> None:
    for name, arrays in (("weights", weights), ("biases", biases)):
        if not isinstance(arrays, list) or not arrays:
            raise TypeError(
                f"{name} must be a non-empty list of stacked arrays (modified in place), "
                f"got {type(arrays).__name__}"
            )
        for l, arr in enumerate(arrays):
            if (
                not isinstance(arr, np.ndarray)
                or arr.dtype.kind != "f"
                or not np.isfinite(arr).all()
            ):
                raise TypeError(f"{name}[{l}] must be an array of finite floats")
    if len(biases) != len(weights) or any(
        w.ndim != 3 or b.shape != w.shape[:2] for w, b in zip(weights, biases)
    ):
        raise ValueError(
            "weights and biases must hold one (K, n_out, n_in) and one (K, n_out) array per layer"
        )
    dt = weights[0].dtype
    k, n_in = weights[0].shape[0], weights[0].shape[2]
    x = _check_pixels("x", x)
    if x.ndim not in (2, 3) or x.shape[-1] != n_in or (x.ndim == 3 and x.shape[0] != k):
        raise ValueError(f"x must have shape (m, {n_in}) or ({k}, m, {n_in}), got {x.shape}")
    y = _check_pixels("y", y)
    if y.ndim < 2 or y.shape[-1] != weights[-1].shape[1] or y.shape[-2] != x.shape[-2]:
        raise ValueError(
            f"y must hold one one-hot row of width {weights[-1].shape[1]} per row of x, "
            f"got {y.shape}"
        )
    if x.dtype != dt or y.dtype != dt:
        raise TypeError(f"x and y must have the weights' dtype {dt}, got {x.dtype} and {y.dtype}")
    check_real("scale", scale, lo=0, lo_open=True)
    check_real("decay", decay, lo=0, hi=1)
    check_choice("activation", activation, HIDDEN_ACTIVATIONS)


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


def _check_hyper(eta, lmbda, n):
    eta = check_real("eta", eta, lo=0, lo_open=True)
    lmbda = check_real("lmbda", lmbda, lo=0)
    n = check_int("n", n, lo=1, hi=10**9)
    if eta * lmbda / n > 1:
        raise ValueError(
            f"eta * lmbda / n must be at most 1 (the weight decay factor 1 - eta lmbda / n "
            f"would be negative), got eta = {eta:g}, lmbda = {lmbda:g}, n = {n}"
        )
    return eta, lmbda, n


def _check_finite_after(weights, eta) -> None:
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
    eta, lmbda, n = _check_hyper(eta, lmbda, m if n is None else n)
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
    _check_finite_after(new.weights, eta)
    return new


def _check_params(name: str, params) -> None:
    """Raise ``TypeError`` naming ``name`` unless ``params`` is a :class:`Params`."""
    if not isinstance(params, Params):
        raise TypeError(f"{name} must be a Params (from init_params), got {type(params).__name__}")


def _check_pixels(name: str, x) -> np.ndarray:
    """``x`` as an array, refused unless it holds real, finite numbers (NaN pixels train to
    garbage).
    """
    x = np.asarray(x)
    if x.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an array of real numbers, got dtype {x.dtype}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} must contain only finite numbers (found nan or inf)")
    return x


def _check_labelled(x_name: str, x, y_name: str, y, n_in: int, n_classes: int):
    """``x`` (n, n_in) of finite pixels and ``y`` (n,) of integer labels, checked by their names."""
    x = _check_pixels(x_name, x)
    if x.ndim != 2 or x.shape[1] != n_in:
        raise ValueError(f"{x_name} must hold images as rows, shape (n, {n_in}), got {x.shape}")
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(
            f"{y_name} must hold integer labels in [0, {n_classes - 1}], got dtype {y.dtype}"
        )
    if y.shape != (x.shape[0],):
        raise ValueError(
            f"{y_name} must hold one label per image, shape ({x.shape[0]},), got {y.shape}"
        )
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"{y_name} must hold labels in [0, {n_classes - 1}]")
    return x, y


def _check_pair(name: str, data, n_in: int, n_classes: int):
    """A pair ``(x, y)`` of images and labels, checked under the pair's name."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(
            f"{name} must be a pair (x, y) of images and labels, got {type(data).__name__}"
        )
    return _check_labelled(name, data[0], name, data[1], n_in, n_classes)


def accuracy(params: Params, x, y, *, chunk: int = 10_000) -> np.ndarray:
    """Fraction of ``x`` each network classifies correctly (argmax of the output), shape
    ``(K,)``.
    """
    _check_params("params", params)
    chunk = check_int("chunk", chunk, lo=1)
    x, y = _check_labelled("x", x, "y", y, params.sizes[0], params.sizes[-1])
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
    _check_params("params", params)
    epochs = check_int("epochs", epochs, lo=1, hi=MAX_EPOCHS)
    x, y = _check_labelled("x", x, "y", y, params.sizes[0], params.sizes[-1])
    if evaluation is not None:
        evaluation = _check_pair("evaluation", evaluation, params.sizes[0], params.sizes[-1])
    show_progress = check_bool("show_progress", show_progress)
    if not isinstance(desc, str):
        raise TypeError(
            f"desc must be a string (the progress bar's label), got {type(desc).__name__}"
        )
    n = x.shape[0]
    m = check_int("mini_batch_size", mini_batch_size, lo=1, hi=n)
    eta, lmbda, n = _check_hyper(eta, lmbda, n)
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
    _check_finite_after(new.weights, eta)
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
    seeds = _seeds(seeds, "seeds")
    show_progress = check_bool("show_progress", show_progress)
    n_in = (
        np.shape(train_data[0])[-1]
        if isinstance(train_data, (tuple, list)) and train_data and np.ndim(train_data[0]) == 2
        else 0
    )
    x, y = _check_pair("train_data", train_data, n_in, 10)
    validation_data = _check_pair("validation_data", validation_data, n_in, 10)
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
