"""The reference: Nielsen's algorithm the way backpropagation is first taught.

One example at a time, as column vectors, with a Python loop over the
examples of every mini-batch — the structure of ``network2.py``
(``update_mini_batch`` calls ``backprop`` once per example and adds up the
gradients). Same network, cost, initial parameters, data order and update rule
as :mod:`vgp_lib.network`, so the results must agree to rounding.

Weights are plain lists of 2-D arrays: ``weights[l]`` is ``(n_{l+1}, n_l)``
and ``biases[l]`` is ``(n_{l+1}, 1)``.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """The logistic function, written overflow-free (the same identity the library uses)."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def from_params(params, k: int = 0):
    """Network ``k`` of a :class:`vgp_lib.network.Params` as lists of float64 column-layout
    arrays.
    """
    weights = [np.array(w[k], dtype=np.float64) for w in params.weights]
    biases = [np.array(b[k], dtype=np.float64)[:, None] for b in params.biases]
    return weights, biases


def backprop(weights, biases, x, y):
    """Gradients of the cross-entropy cost for ONE example ``x`` (column) with one-hot ``y``
    (column).
    """
    activation = x
    activations = [x]
    for w, b in zip(weights, biases):
        activation = sigmoid(w @ activation + b)
        activations.append(activation)
    delta = activations[-1] - y  # cross-entropy with a sigmoid output
    nabla_b = [None] * len(weights)
    nabla_w = [None] * len(weights)
    nabla_b[-1] = delta
    nabla_w[-1] = delta @ activations[-2].T
    for l in range(2, len(weights) + 1):
        a = activations[-l]
        delta = (weights[-l + 1].T @ delta) * a * (1 - a)
        nabla_b[-l] = delta
        nabla_w[-l] = delta @ activations[-l - 1].T
    return nabla_b, nabla_w


def update_mini_batch(weights, biases, xs, ys, eta, lmbda, n):
    """One L2-regularised SGD step, looping over the examples; updates in place.

    Returns the bias gradients summed over the mini-batch (before the step).
    """
    nabla_b = [np.zeros_like(b) for b in biases]
    nabla_w = [np.zeros_like(w) for w in weights]
    for x, y in zip(xs, ys):
        x = x.reshape(-1, 1)
        target = np.zeros((weights[-1].shape[0], 1))
        target[int(y)] = 1.0
        delta_b, delta_w = backprop(weights, biases, x, target)
        nabla_b = [nb + db for nb, db in zip(nabla_b, delta_b)]
        nabla_w = [nw + dw for nw, dw in zip(nabla_w, delta_w)]
    m = len(xs)
    for l in range(len(weights)):
        weights[l] = (1 - eta * lmbda / n) * weights[l] - (eta / m) * nabla_w[l]
        biases[l] = biases[l] - (eta / m) * nabla_b[l]
    return nabla_b


def sgd(weights, biases, x, y, order, mini_batch_size, eta, lmbda, n_batches=None):
    """SGD over the data in ``order`` (mini-batches are consecutive slices); stops after
    ``n_batches``.
    """
    n = len(x)
    starts = range(0, n, mini_batch_size)
    if n_batches is not None:
        starts = list(starts)[:n_batches]
    for start in starts:
        idx = order[start : start + mini_batch_size]
        update_mini_batch(weights, biases, x[idx], y[idx], eta, lmbda, n)
    return weights, biases


def speeds_during_training(weights, biases, x, y, steps, eta, lmbda):
    """Full-batch steps on ``x``; the hidden layers' ‖mean bias gradient‖ before each step,
    ``(steps, hidden)``.
    """
    n = len(x)
    record = []
    for _ in range(steps):
        sums = update_mini_batch(weights, biases, x, y, eta, lmbda, n)
        record.append([np.linalg.norm(s / n) for s in sums[:-1]])
    return np.array(record)
