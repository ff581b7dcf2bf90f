"""The speed of learning ‖δ^l‖: equal to autograd's
bias gradients, and the experiments built on it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vgp_lib import network, speeds
from vgp_lib.network import init_params


def _data(n=12, n_in=784, seed=0, blank_columns=40):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, (n, n_in)) / 256
    x[:, :blank_columns] = 0.0  # like MNIST's border: pixels that are 0 in every image
    return x, rng.integers(0, 10, n)


def _autograd_bias_gradients(params, k, x, y):
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[params.activation]
    ws = [torch.tensor(w[k], dtype=torch.float64) for w in params.weights]
    bs = [torch.tensor(b[k], dtype=torch.float64, requires_grad=True) for b in params.biases]
    a = torch.tensor(x, dtype=torch.float64)
    for l, (w, b) in enumerate(zip(ws, bs)):
        z = a @ w.T + b
        a = torch.sigmoid(z) if l == len(ws) - 1 else act(z)
    t = torch.tensor(network.one_hot(y, 10), dtype=torch.float64)
    # the cost averaged over the examples, as in eq-mnist-speed
    torch.nn.functional.binary_cross_entropy(a, t, reduction="sum").div(len(x)).backward()
    return [b.grad.numpy() for b in bs]


@pytest.mark.parametrize(
    "activation, init", [("sigmoid", "nielsen"), ("tanh", "xavier"), ("relu", "he")]
)
def test_speeds_equal_autograds_bias_gradients(activation, init):
    x, y = _data(n=15, n_in=20, blank_columns=0)
    params = init_params((20, 8, 8, 8, 10), seed=[4, 5], activation=activation, init=init)
    grads = speeds.bias_gradients(params, x, y)
    measured = speeds.layer_speeds(params, x, y)
    assert measured.shape == (2, 3)
    for k in range(2):
        expected = _autograd_bias_gradients(params, k, x, y)
        for l in range(4):
            np.testing.assert_allclose(grads[l][k], expected[l], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(
            measured[k], [np.linalg.norm(g) for g in expected[:-1]], rtol=1e-10
        )


def test_bias_gradients_agree_with_full_backprop():
    x, y = _data(n=7, n_in=10, blank_columns=0)
    params = init_params((10, 6, 5, 10), seed=1)
    full = network.backprop(params, x, y)
    for g, nb in zip(speeds.bias_gradients(params, x, y), full.nabla_b):
        np.testing.assert_allclose(g, nb / 7, rtol=1e-12)


def test_speeds_during_training_record_the_gradient_before_each_step():
    x, y = _data(n=12, n_in=30, blank_columns=5)
    run = speeds.speeds_during_training(
        x,
        y,
        hidden_layers=3,
        width=6,
        steps=4,
        eta=0.3,
        lmbda=2.0,
        seeds=(7, 8),
        show_progress=False,
    )
    assert run.speeds.shape == (2, 4, 3)
    params = init_params((30, 6, 6, 6, 10), seed=(7, 8))
    for t in range(4):
        np.testing.assert_allclose(run.speeds[:, t], speeds.layer_speeds(params, x, y), rtol=1e-11)
        params = network.sgd_step(params, x, y, eta=0.3, lmbda=2.0, n=12)  # full batch: m = n
    np.testing.assert_allclose(run.ratio(), run.speeds[..., -1] / run.speeds[..., 0])


def test_float32_training_speeds_follow_float64():
    x, y = _data(n=20, n_in=50)
    a = speeds.speeds_during_training(
        x, y, hidden_layers=2, width=8, steps=20, seeds=(0,), show_progress=False
    )
    b = speeds.speeds_during_training(
        x, y, hidden_layers=2, width=8, steps=20, seeds=(0,), dtype=np.float32, show_progress=False
    )
    np.testing.assert_allclose(b.speeds, a.speeds, rtol=1e-4)


def test_seeds_reproduce_and_differ():
    x, y = _data()
    a = speeds.speed_profile(x, y, hidden_layers=3, width=10, seed=(0, 1))
    b = speeds.speed_profile(x, y, hidden_layers=3, width=10, seed=(0, 1))
    np.testing.assert_array_equal(a.speeds, b.speeds)
    assert not np.allclose(a.speeds[0], a.speeds[1])
    c = speeds.speed_profile(x, y, hidden_layers=3, width=10, seed=1)
    np.testing.assert_array_equal(
        c.speeds[0], a.speeds[1]
    )  # a seed gives the same net alone or in a stack


def test_sigma_prime_rms_against_a_direct_computation():
    x, y = _data(n=9, n_in=12, blank_columns=0)
    params = init_params((12, 5, 4, 10), seed=3)
    rms = speeds.sigma_prime_rms(params, x)
    w0, b0, w1, b1 = (
        params.weights[0][0],
        params.biases[0][0],
        params.weights[1][0],
        params.biases[1][0],
    )
    from vgp_lib.activations import sigmoid, sigmoid_prime

    z1 = x @ w0.T + b0
    z2 = sigmoid(z1) @ w1.T + b1
    expected = [np.sqrt(np.mean(sigmoid_prime(z1) ** 2)), np.sqrt(np.mean(sigmoid_prime(z2) ** 2))]
    np.testing.assert_allclose(rms[0], expected, rtol=1e-12)
    assert np.all((0 < rms) & (rms <= 0.25))


def test_deeper_sigmoid_layers_are_slower_at_initialisation():
    # the chapter's claim, on structured synthetic data (a tiny stand-in for MNIST)
    x, y = _data(n=200)
    result = speeds.speeds_at_init(x, y, hidden_layers=(2, 4), seeds=range(6))
    for prof in result.profiles:
        med = prof.median()
        assert np.all(np.diff(med) > 0)
        assert prof.quantiles().shape == (2, len(med))
    assert result.hidden_layers == (2, 4)


def test_neuron_gradients_are_a_slice_of_the_bias_gradients():
    x, y = _data(n=10)
    bars = speeds.neuron_gradients(x, y, sizes=(784, 8, 8, 10), seed=2, n_neurons=6)
    grads = speeds.bias_gradients(init_params((784, 8, 8, 10), seed=2), x, y)
    for l in range(2):
        np.testing.assert_array_equal(bars.gradients[l], grads[l][0, :6])
        assert bars.speeds[l] == pytest.approx(np.linalg.norm(grads[l][0]))


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda x, y: speeds.speed_profile(x, y, hidden_layers=0), "hidden_layers"),
        (lambda x, y: speeds.speed_profile(x, y, width=0), "width"),
        (lambda x, y: speeds.speed_profile(x, y, activation="softplus"), "activation"),
        (lambda x, y: speeds.speeds_during_training(x, y, steps=0), "steps"),
        (lambda x, y: speeds.speeds_during_training(x, y, steps=2, eta=0), "eta"),
        (lambda x, y: speeds.speeds_during_training(x, y[:3], steps=2), "y"),
        (lambda x, y: speeds.neuron_gradients(x, y, n_neurons=99), "n_neurons"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    x, y = _data(n=5)
    with pytest.raises((ValueError, TypeError), match=name):
        call(x, y)


def test_quantiles_take_only_probabilities():  # once numpy's error did not name q
    x, y = _data(n=6)
    profile = speeds.speed_profile(x, y, hidden_layers=1, width=3, seed=(0, 1, 2))
    assert profile.quantiles().shape == (2, 1)
    np.testing.assert_array_equal(
        profile.quantiles([0.5]), np.quantile(profile.speeds, [0.5], axis=0)
    )
    for bad in (1.5, [0.5, np.nan], [[0.5]]):
        with pytest.raises(ValueError, match=r"\bq must"):
            profile.quantiles(bad)
    for bad in ("0.5", None, [0.5j]):
        with pytest.raises(TypeError, match=r"\bq must"):
            profile.quantiles(bad)


# --- does the order of the layers' speeds change during training? ------------------


def _training_speeds(values):
    values = np.asarray(values, dtype=float)  # (runs, steps, layers)
    sizes = (4,) + (3,) * values.shape[2] + (2,)
    return speeds.TrainingSpeeds(sizes, tuple(range(len(values))), 0.1, 0.0, values)


def test_out_of_order_marks_steps_where_a_layer_is_not_slower_than_the_one_above():
    run = _training_speeds([[[1, 2, 3], [1, 3, 2], [2, 2, 3]], [[1, 2, 3], [1, 2, 3], [3, 2, 1]]])
    np.testing.assert_array_equal(run.out_of_order(), [[False, True, True], [False, False, True]])
    np.testing.assert_array_equal(run.order_changes(), [2, 1])


def test_order_changes_count_the_steps_a_brute_force_loop_finds_out_of_order():
    rng = np.random.default_rng(3)
    values = np.cumsum(rng.random((5, 20, 3)), axis=2) + rng.normal(0, 0.3, (5, 20, 3))
    by_loop = [
        sum(any(step[j] >= step[j + 1] for j in range(len(step) - 1)) for step in run)
        for run in values
    ]
    assert _training_speeds(values).order_changes().tolist() == by_loop
    assert 0 < sum(by_loop) < values.shape[0] * values.shape[1]  # the test sees both cases


def test_first_out_of_order_takes_the_first_key_then_the_first_run():
    ordered = _training_speeds([[[1, 2]], [[1, 2]]])
    swapped_second = _training_speeds([[[1, 2]], [[2, 1]], [[3, 1]]])
    swapped_first = _training_speeds([[[2, 1], [1, 2]]])
    assert speeds.first_out_of_order({2: ordered}) is None
    assert speeds.first_out_of_order({2: ordered, 3: swapped_second}) == (3, 1)
    assert speeds.first_out_of_order({4: swapped_first, 3: swapped_second}) == (4, 0)


@pytest.mark.parametrize("runs", [[1, 2], {2: np.ones((1, 2, 2))}, None])
def test_first_out_of_order_wants_a_dict_of_training_speeds(runs):
    with pytest.raises(TypeError, match="runs"):
        speeds.first_out_of_order(runs)
    with pytest.raises(ValueError, match="runs"):
        speeds.first_out_of_order({})
