"""Nielsen's network: the vectorised update equals the per-example loop, gradients equal autograd's.

All on tiny synthetic data, in float64.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vgp_lib import activations, network
from vgp_lib.network import init_params, one_hot, sgd_step, train
from vgp_lib.rng import make_rng

SIZES = (6, 5, 4, 3)


def _data(n=9, n_in=6, n_out=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.random((n, n_in)), rng.integers(0, n_out, n)


# --- the same algorithm written the slow way: one example at a time -------------


def _f(name, z):
    return activations.get(name)[0](z)


def _f_prime(name, z):
    return activations.get(name)[1](z)


def _per_example_gradients(weights, biases, x, target, activation):
    """Backprop for one example with column vectors (Nielsen's ``backprop``)."""
    a, zs, acts = x[:, None], [], [x[:, None]]
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = w @ a + b[:, None]
        zs.append(z)
        a = _f("sigmoid" if l == len(weights) - 1 else activation, z)
        acts.append(a)
    delta = acts[-1] - target[:, None]
    nb, nw = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        nb[l], nw[l] = delta[:, 0], delta @ acts[l].T
        if l > 0:
            delta = (weights[l].T @ delta) * _f_prime(activation, zs[l - 1])
    return nw, nb


def _per_example_step(params, k, x, y, eta, lmbda, n):
    weights = [w[k].copy() for w in params.weights]
    biases = [b[k].copy() for b in params.biases]
    sum_w = [np.zeros_like(w) for w in weights]
    sum_b = [np.zeros_like(b) for b in biases]
    for xi, yi in zip(x, one_hot(y, params.sizes[-1])):
        nw, nb = _per_example_gradients(weights, biases, xi, yi, params.activation)
        sum_w = [s + g for s, g in zip(sum_w, nw)]
        sum_b = [s + g for s, g in zip(sum_b, nb)]
    m = len(x)
    weights = [(1 - eta * lmbda / n) * w - eta / m * g for w, g in zip(weights, sum_w)]
    biases = [b - eta / m * g for b, g in zip(biases, sum_b)]
    return weights, biases


@pytest.mark.parametrize("activation", network.HIDDEN_ACTIVATIONS)
def test_vectorised_update_equals_per_example_accumulation(activation):
    x, y = _data()
    params = init_params(SIZES, seed=[3, 4], activation=activation)
    new = sgd_step(params, x, y, eta=0.7, lmbda=2.0, n=40)
    for k in range(2):
        weights, biases = _per_example_step(params, k, x, y, 0.7, 2.0, 40)
        for l in range(len(weights)):
            np.testing.assert_allclose(new.weights[l][k], weights[l], rtol=0, atol=1e-12)
            np.testing.assert_allclose(new.biases[l][k], biases[l], rtol=0, atol=1e-12)
    # the input is left untouched
    assert not np.array_equal(new.weights[0], params.weights[0])


def test_one_epoch_of_train_equals_the_per_example_loop_in_the_documented_order():
    x, y = _data(n=23)
    params = init_params(SIZES, seed=5)
    result = train(
        params, x, y, epochs=1, mini_batch_size=4, eta=0.5, lmbda=1.0, seed=5, show_progress=False
    )
    order = make_rng(5).spawn(1)[0].permutation(23)  # the shuffle train() documents
    current = params
    for start in range(0, 23, 4):  # the last mini-batch has 3 examples
        idx = order[start : start + 4]
        weights, biases = _per_example_step(current, 0, x[idx], y[idx], 0.5, 1.0, 23)
        current = network.Params(
            SIZES, tuple(w[None] for w in weights), tuple(b[None] for b in biases)
        )
    for a, b in zip(result.params.weights + result.params.biases, current.weights + current.biases):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def _torch_cost(params, k, x, y, activation):
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    ws = [torch.tensor(w[k], dtype=torch.float64, requires_grad=True) for w in params.weights]
    bs = [torch.tensor(b[k], dtype=torch.float64, requires_grad=True) for b in params.biases]
    a = torch.tensor(x, dtype=torch.float64)
    for l, (w, b) in enumerate(zip(ws, bs)):
        z = a @ w.T + b
        a = torch.sigmoid(z) if l == len(ws) - 1 else act(z)
    t = torch.tensor(one_hot(y, params.sizes[-1]), dtype=torch.float64)
    cost = torch.nn.functional.binary_cross_entropy(
        a, t, reduction="sum"
    )  # Nielsen's cross-entropy, summed
    cost.backward()
    return [w.grad.numpy() for w in ws], [b.grad.numpy() for b in bs]


@pytest.mark.parametrize("activation", network.HIDDEN_ACTIVATIONS)
def test_backprop_equals_autograd(activation):
    x, y = _data(n=11)
    params = init_params((6, 7, 7, 7, 3), seed=[0, 9], activation=activation, init="xavier")
    grads = network.backprop(params, x, y)
    for k in range(2):
        tw, tb = _torch_cost(params, k, x, y, activation)
        for l in range(len(tw)):
            np.testing.assert_allclose(grads.nabla_w[l][k], tw[l], rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(grads.nabla_b[l][k], tb[l], rtol=1e-10, atol=1e-14)


def test_backprop_equals_finite_differences_on_a_small_net():
    x, y = _data(n=4)
    params = init_params((6, 3, 3), seed=2)
    t = one_hot(y, 3)

    def cost(p):
        a = network.feedforward(p, x)[0]
        return -np.sum(t * np.log(a) + (1 - t) * np.log(1 - a))

    grads = network.backprop(params, x, y)
    h = 1e-6
    for l, j, i in [(0, 1, 2), (1, 2, 0), (0, 0, 5)]:
        plus, minus = params.copy(), params.copy()
        plus.weights[l][0, j, i] += h
        minus.weights[l][0, j, i] -= h
        fd = (cost(plus) - cost(minus)) / (2 * h)
        assert fd == pytest.approx(grads.nabla_w[l][0, j, i], rel=1e-6, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False))
def test_the_fast_sigmoid_equals_the_stable_one(z):
    fast = network._activate(np.array([z]), "sigmoid")[0]
    assert abs(fast - activations.sigmoid(z)) <= 1e-15
    assert 0.0 <= fast <= 1.0


def test_seeds_reproduce_and_differ():
    x, y = _data(n=30)
    p = init_params(SIZES, seed=[1, 2])

    def run(seeds):
        return train(
            init_params(SIZES, seed=seeds),
            x,
            y,
            epochs=2,
            mini_batch_size=5,
            eta=0.3,
            lmbda=0.5,
            seed=seeds,
            show_progress=False,
            evaluation=(x, y),
        )

    a, b = run([1, 2]), run([1, 2])
    for u, v in zip(a.params.weights, b.params.weights):
        np.testing.assert_array_equal(u, v)
    assert not np.allclose(p.weights[0][0], p.weights[0][1])
    assert not np.allclose(a.params.weights[0][0], a.params.weights[0][1])
    assert a.accuracy.shape == (2, 2)
    # a network trained in a stack equals the same seed trained alone
    alone = run([2])
    for u, v in zip(a.params.weights, alone.params.weights):
        np.testing.assert_allclose(u[1], v[0], rtol=0, atol=1e-13)


def test_initialisation_scales():
    big = (400, 300, 200)
    nielsen = init_params(big, seed=0)
    assert np.std(nielsen.weights[0]) == pytest.approx(1 / np.sqrt(400), rel=0.02)
    assert np.std(nielsen.biases[0]) == pytest.approx(1.0, rel=0.15)
    xavier = init_params(big, seed=0, init="xavier")
    assert np.std(xavier.weights[1]) == pytest.approx(np.sqrt(2 / 500), rel=0.02)
    assert not np.any(xavier.biases[0])
    he = init_params(big, seed=0, init="he")
    assert np.std(he.weights[0]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert init_params(big, seed=0, dtype=np.float32).weights[0].dtype == np.float32


def test_accuracy_counts_argmax_hits():
    params = init_params((2, 2), seed=0)
    w = np.array([[[10.0, 0.0], [0.0, 10.0]]])
    p = network.Params((2, 2), (w,), (np.zeros((1, 2)),))
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert network.accuracy(p, x, np.array([0, 1, 1]))[0] == pytest.approx(2 / 3)
    assert params.n_hidden == 0


def test_depth_experiment_shapes():
    rng = np.random.default_rng(0)
    x, y = rng.random((40, 6)).astype(np.float32), rng.integers(0, 10, 40)
    result = network.depth_experiment(
        (x, y),
        (x, y),
        hidden_layers=(1, 2),
        width=4,
        epochs=2,
        mini_batch_size=8,
        seeds=(0, 1),
        show_progress=False,
    )
    assert result.hidden_layers == (1, 2) and result.final().shape == (2, 2)
    assert all(a.shape == (2, 2) for a in result.accuracy)
    assert np.all((0 <= result.final()) & (result.final() <= 1))


def _train(params=None, **change):
    """``train`` on the tiny data with valid settings, except those in ``change``."""
    args = dict(epochs=1, mini_batch_size=2, eta=0.1, lmbda=0, seed=0) | change
    return train(init_params([6, 3], seed=0) if params is None else params, *_data(), **args)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: init_params([784], seed=0), "sizes"),
        (lambda: init_params([784, 0, 10], seed=0), r"sizes\[1\]"),
        (lambda: init_params([4, 3], seed=0, activation="swish"), "activation"),
        (lambda: init_params([4, 3], seed=0, init="lecun"), "init"),
        (lambda: init_params([4, 3], seed=-1), "seed"),
        (lambda: init_params([4, 3], seed=0, dtype=np.int64), "dtype"),
        (lambda: sgd_step(init_params([6, 3], seed=0), *_data(), eta=0.0), "eta"),
        (lambda: sgd_step(init_params([6, 3], seed=0), *_data(), eta=0.1, lmbda=-1), "lmbda"),
        (lambda: _train(mini_batch_size=10), "mini_batch_size"),
        (lambda: _train(epochs=0), "epochs"),
        (lambda: _train(eta=-0.1), "eta"),
        (lambda: _train(params=init_params([6, 3], seed=[0, 1])), "seed"),
        (lambda: network.feedforward(init_params([6, 3], seed=0), np.zeros((2, 5))), "x"),
        (lambda: one_hot([0, 10], 10), "y"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


def test_train_and_depth_experiment_refuse_epochs_beyond_the_limit():  # once 10**9 epochs hung
    x, y = _data()
    with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 10000\]"):
        network.train(
            network.init_params([6, 3], seed=0),
            x,
            y,
            epochs=10**9,
            mini_batch_size=3,
            eta=0.1,
            lmbda=0.0,
            seed=0,
            show_progress=False,
        )
    with pytest.raises(ValueError, match=r"epochs must be an integer in \[1, 10000\]"):
        network.depth_experiment(
            (x, y), (x, y), hidden_layers=(1,), width=3, epochs=10**9, show_progress=False
        )


# --- regression tests for silent wrong results ---------------------


def test_train_refuses_nan_pixels():
    # Issue 12: NaN pixels trained silently and reported accuracy 0.5.
    params = init_params((4, 3, 2), seed=0)
    x = np.zeros((6, 4))
    x[2, 1] = np.nan
    y = np.array([0, 1, 0, 1, 0, 1])
    with pytest.raises(ValueError, match=r"\bx must contain only finite"):
        train(
            params,
            x,
            y,
            epochs=1,
            mini_batch_size=2,
            eta=0.1,
            lmbda=0.0,
            seed=0,
            show_progress=False,
        )
    good = np.zeros((6, 4))
    with pytest.raises(ValueError, match=r"\bevaluation must contain only finite"):
        train(
            params,
            good,
            y,
            epochs=1,
            mini_batch_size=2,
            eta=0.1,
            lmbda=0.0,
            seed=0,
            show_progress=False,
            evaluation=(x, y),
        )


@pytest.mark.parametrize("chunk", [0, -1])
def test_accuracy_refuses_chunk_below_one(chunk):
    # Issue 12: chunk=-1 skipped every example and returned accuracy 0.0.
    params = init_params((2, 2), seed=0)
    with pytest.raises(ValueError, match=r"\bchunk must be an integer >= 1"):
        network.accuracy(params, np.zeros((3, 2)), np.array([0, 1, 1]), chunk=chunk)


@pytest.mark.parametrize("labels", [[True, False], [1.0, 0.0], np.array([0.5])])
def test_one_hot_refuses_bool_and_float_labels(labels):
    # Issue 12: [True, False] indexed as a mask (shape (1, 2)); floats gave an unnamed IndexError.
    with pytest.raises(TypeError, match=r"\by must hold integer labels"):
        one_hot(labels, 2)


def test_one_hot_still_takes_no_labels_and_unsigned_labels():
    assert one_hot([], 3).shape == (0, 3)
    assert one_hot(np.array([2, 0], dtype=np.uint8), 3).tolist() == [[0, 0, 1], [1, 0, 0]]


@pytest.mark.parametrize(
    "call",
    [
        lambda p: network.accuracy(p, np.zeros((1, 2)), [0]),
        lambda p: train(
            p,
            np.zeros((2, 2)),
            [0, 1],
            epochs=1,
            mini_batch_size=1,
            eta=0.1,
            lmbda=0.0,
            seed=0,
            show_progress=False,
        ),
    ],
)
@pytest.mark.parametrize("bad", [None, "params", {"weights": []}])
def test_network_functions_check_the_params_object(call, bad):
    with pytest.raises(TypeError, match=r"\bparams must be a vgp_lib.network.Params"):
        call(bad)


# --- the readable backprop and the fast step ----------------------------------------
@pytest.mark.parametrize("activation", network.HIDDEN_ACTIVATIONS)
def test_the_fast_step_equals_backprop_followed_by_the_sgd_rule(activation):
    x, y = _data()
    params = init_params(SIZES, seed=[3, 4], activation=activation)
    eta, lmbda, n = 0.7, 2.0, 40
    grads = network.backprop(params, x, y)
    fast = sgd_step(params, x, y, eta=eta, lmbda=lmbda, n=n)
    m = len(x)
    for l in range(len(SIZES) - 1):
        w = (1 - eta * lmbda / n) * params.weights[l] - eta / m * grads.nabla_w[l]
        b = params.biases[l] - eta / m * grads.nabla_b[l]
        np.testing.assert_allclose(fast.weights[l], w, rtol=0, atol=1e-12)
        np.testing.assert_allclose(fast.biases[l], b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", network.HIDDEN_ACTIVATIONS)
def test_backprop_equals_the_per_example_gradients(activation):
    x, y = _data()
    params = init_params(SIZES, seed=[3, 4], activation=activation)
    grads = network.backprop(params, x, y)
    for k in range(2):
        weights = [w[k] for w in params.weights]
        biases = [b[k] for b in params.biases]
        sums_w = [np.zeros_like(w) for w in weights]
        sums_b = [np.zeros_like(b) for b in biases]
        for xi, yi in zip(x, one_hot(y, SIZES[-1])):
            nw, nb = _per_example_gradients(weights, biases, xi, yi, activation)
            sums_w = [s + g for s, g in zip(sums_w, nw)]
            sums_b = [s + g for s, g in zip(sums_b, nb)]
        for l in range(len(weights)):
            np.testing.assert_allclose(grads.nabla_w[l][k], sums_w[l], rtol=0, atol=1e-12)
            np.testing.assert_allclose(grads.nabla_b[l][k], sums_b[l], rtol=0, atol=1e-12)


def test_forward_and_backward_are_the_parts_of_backprop():
    x, y = _data()
    params = init_params(SIZES, seed=[1, 2], activation="tanh")
    xb, yb = network.prepare_batch(params, x, y)
    acts = network.forward(params, xb)
    assert [a.shape[-1] for a in acts] == list(SIZES)
    np.testing.assert_array_equal(acts[-1], network.feedforward(params, x))
    deltas = network.backward(params, acts, yb)
    grads = network.backprop(params, x, y)
    for delta, nabla_b in zip(deltas, grads.nabla_b):
        np.testing.assert_array_equal(delta.sum(axis=-2), nabla_b)


@pytest.mark.parametrize("activation", network.HIDDEN_ACTIVATIONS)
def test_prime_from_output_is_the_activations_derivative(activation):
    z = np.linspace(-3, 3, 13) + 0.01  # no z = 0, where relu' is a convention
    a = _f(activation, z)
    np.testing.assert_allclose(
        network.prime_from_output(a, activation), _f_prime(activation, z), rtol=1e-12, atol=1e-15
    )


@pytest.mark.parametrize(
    "change, name",
    [
        (dict(weights="w"), "weights"),
        (dict(biases=[]), "biases"),
        (dict(x=np.zeros((4, 5))), "x"),
        (dict(y=np.zeros((9, 2))), "y"),
        (dict(scale=float("nan")), "scale"),
        (dict(decay=1.5), "decay"),
        (dict(activation="swish"), "activation"),
    ],
)
def test_the_public_fast_step_checks_its_arguments(change, name):
    x, y = _data()
    params = init_params(SIZES, seed=0)
    args = (
        dict(
            weights=list(params.weights),
            biases=list(params.biases),
            x=x,
            y=one_hot(y, 3),
            scale=0.1,
            decay=1.0,
            activation="sigmoid",
        )
        | change
    )
    with pytest.raises((ValueError, TypeError), match=rf"\b{name}"):
        network.update_mini_batch(**args)


def test_backward_checks_the_activations_and_targets():
    params = init_params(SIZES, seed=0)
    x, y = network.prepare_batch(params, *_data())
    acts = network.forward(params, x)
    with pytest.raises(TypeError, match="acts"):
        network.backward(params, acts[:-1], y)
    with pytest.raises(ValueError, match=r"\by must"):
        network.backward(params, acts, y[..., :2])


# --- the per-example backprop the chapter prints next to the batched one ----------


@pytest.mark.parametrize("activation", network.HIDDEN_ACTIVATIONS)
def test_backprop_per_example_equals_the_batched_backprop(activation):
    x, y = _data()
    params = init_params(SIZES, seed=[3, 4], activation=activation)
    slow, fast = network.backprop_per_example(params, x, y), network.backprop(params, x, y)
    assert slow.max_abs_difference(fast) < 1e-12
    for got, want in zip(slow.nabla_w + slow.nabla_b, fast.nabla_w + fast.nabla_b):
        assert got.shape == want.shape and got.dtype == want.dtype


def test_backprop_per_example_equals_the_test_suites_own_loop():
    x, y = _data()
    params = init_params(SIZES, seed=[5], activation="tanh")
    grads = network.backprop_per_example(params, x, y)
    weights, biases = [w[0] for w in params.weights], [b[0] for b in params.biases]
    per_example = [
        _per_example_gradients(weights, biases, xi, yi, "tanh")
        for xi, yi in zip(x, one_hot(y, SIZES[-1]))
    ]
    for l in range(len(weights)):
        np.testing.assert_allclose(
            grads.nabla_w[l][0], sum(nw[l] for nw, _ in per_example), atol=1e-12
        )
        np.testing.assert_allclose(
            grads.nabla_b[l][0], sum(nb[l] for _, nb in per_example), atol=1e-12
        )


def test_backprop_per_example_takes_a_stack_of_inputs_and_one_hot_labels():
    x, y = _data(n=4)
    params = init_params(SIZES, seed=[1, 2])
    stacked = np.stack([x, x[::-1]])
    labels = np.stack([one_hot(y, SIZES[-1]), one_hot(y[::-1], SIZES[-1])])
    slow = network.backprop_per_example(params, stacked, labels)
    assert slow.max_abs_difference(network.backprop(params, stacked, labels)) < 1e-12
    # the examples' order does not matter to a sum
    assert slow.max_abs_difference(network.backprop_per_example(params, x, y)) < 1e-12


def test_backprop_per_example_keeps_single_precision():
    x, y = _data()
    params = init_params(SIZES, seed=0, dtype=np.float32)
    slow = network.backprop_per_example(params, x, y)
    assert all(g.dtype == np.float32 for g in slow.nabla_w + slow.nabla_b)
    assert slow.max_abs_difference(network.backprop(params, x, y)) < 1e-5


def test_backprop_per_example_refuses_what_backprop_refuses():
    params = init_params(SIZES, seed=0)
    with pytest.raises(ValueError, match="x"):
        network.backprop_per_example(params, np.ones((3, SIZES[0] + 1)), [0, 1, 2])
    with pytest.raises(ValueError, match="y"):
        network.backprop_per_example(params, np.ones((3, SIZES[0])), [0, 1, SIZES[-1]])


def test_max_abs_difference_finds_the_largest_entry_anywhere():
    x, y = _data()
    grads = network.backprop(init_params(SIZES, seed=0), x, y)
    assert grads.max_abs_difference(grads) == 0.0
    nabla_b = list(grads.nabla_b)
    nabla_b[-1] = nabla_b[-1] + np.array([[0.0, -0.25, 0.0]])
    moved = network.Gradients(grads.nabla_w, tuple(nabla_b))
    assert moved.max_abs_difference(grads) == pytest.approx(0.25)
