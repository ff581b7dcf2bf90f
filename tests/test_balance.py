"""vgp_lib.balance: statistics over random chains agree with chain-by-chain computation."""

import numpy as np
import pytest

from vgp_lib import balance, chain


def test_layer_ratios_match_single_chains():
    s = balance.layer_ratios(50, seed=3, depth=5, lower=2, upper=4)
    stack = chain.random_chain(5, seed=3, n_chains=50)
    for k in range(50):
        g = chain.grad_b_analytic(chain.make_chain(stack.weights[k], stack.biases[k]))
        assert np.isclose(s.log10_ratio[k], np.log10(abs(g[3] / g[1])), rtol=1e-12)


def test_most_random_sigmoid_chains_lose_a_factor_16_over_two_layers():
    s = balance.layer_ratios(20_000, seed=0)
    assert s.fraction_factors_below_quarter > 0.7
    assert s.fraction_at_least_16 > 0.8 and s.median_ratio > 16


def test_balance_study_ratio_is_first_over_last_gradient():
    st = balance.balance_study(("sigmoid", "tanh"), [0.5, 3.0], depth=6, n_chains=20, seed=1)
    base = chain.random_chain(6, seed=1, n_chains=20)
    for i, name in enumerate(st.activations):
        for k, s in enumerate(st.weight_scales):
            c = chain.make_chain(s * base.weights, base.biases, activation=name)
            g = chain.grad_b_analytic(c)
            np.testing.assert_allclose(
                st.log10_ratio[i, k], np.log10(np.abs(g[:, 0] / g[:, -1])), rtol=1e-10
            )


def test_larger_derivative_does_not_buy_balance_at_depth():
    st = balance.balance_study(("sigmoid", "tanh", "identity"), depth=30, n_chains=1000, seed=0)
    assert st.best("sigmoid")[1] < 0.05 and st.best("tanh")[1] < 0.05
    # even derivative 1 everywhere leaves most chains unbalanced
    assert st.best("identity")[1] < 0.5
    deeper = balance.balance_study(("identity",), depth=60, n_chains=1000, seed=0)
    assert deeper.best("identity")[1] < st.best("identity")[1]


def test_relu_zeros_count_as_unbalanced():
    st = balance.balance_study(("relu",), [1.5], depth=20, n_chains=200, seed=0)
    assert np.isneginf(st.log10_ratio).any() and st.balanced_fraction[0, 0] < 0.05


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda: balance.layer_ratios(0, seed=0), "n_chains"),
        (lambda: balance.layer_ratios(10, seed=0, depth=4, lower=3, upper=2), "upper"),
        (lambda: balance.balance_study(("swish",), seed=0), "activation"),
        (lambda: balance.balance_study(weight_scales=[-1.0], seed=0), "weight_scales"),
        (lambda: balance.balance_study(depth=1, seed=0), "depth"),
        (lambda: balance.balance_study(tolerance=0.5, seed=0), "tolerance"),
    ],
)
def test_bad_input_names_the_parameter(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weight_scale": 0.0},
        {"weight_scale": 1e-310},
        {"weight_scale": 1e300},
        {"bias_scale": 1e300},
    ],
)
def test_layer_ratios_refuses_scales_that_make_the_ratio_nan(kwargs):
    # Issue 12: weight_scale=0 gave 0/0 gradients and a silent NaN ratio.
    with pytest.raises(ValueError, match="weight_scale"):
        balance.layer_ratios(5, seed=0, **kwargs)


def test_balance_study_holds_minus_inf():  # a switched-off ReLU: -inf
    st = balance.balance_study(("relu",), [1.0], depth=6, n_chains=50, seed=0)
    assert np.isneginf(st.log10_ratio).any()


@pytest.mark.parametrize(
    "bad,error",
    [
        (None, TypeError),
        (3, TypeError),
        ("sigmoid", TypeError),
        (("no-such-name",), ValueError),
        ((), ValueError),
    ],
)
def test_balance_study_names_activation_names(bad, error):
    # Issue 12: None/3 gave "'NoneType' object is not iterable", unknown names "activation must".
    with pytest.raises(error, match=r"^activation_names must"):
        balance.balance_study(bad, [1.0], depth=3, n_chains=5, seed=0)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(depth=10**9), r"^depth must be an integer in \[2, 1000\]"),
        (dict(n_chains=10**30), r"^n_chains must be an integer in \[1, 333333\]"),
        (dict(n_chains=10**6), r"^n_chains must be an integer in \[1, 333333\]"),
        (dict(weight_scales=[1e300]), r"^weight_scales must lie in \(0, 1000\]"),
        (dict(bias_scale=1e300), r"^bias_scale must lie in \[0, 1000\]"),
    ],
)
def test_balance_study_refuses_sizes_and_scales_beyond_the_limits(kwargs, match):
    # Issue 12: these ran out of memory or returned ratios of -inf/nan from underflowed factors.
    args = (
        dict(
            activation_names=("sigmoid", "tanh"), weight_scales=[1.0], depth=30, n_chains=5, seed=0
        )
        | kwargs
    )
    with pytest.raises(ValueError, match=match):
        balance.balance_study(**args)


def test_balance_study_names_weight_scales_when_the_forward_pass_overflows():
    with pytest.raises(ValueError, match=r"^weight_scales must keep the weighted inputs within"):
        balance.balance_study(("identity",), [1000.0], depth=200, n_chains=5, seed=0)


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (
            dict(n_chains=None),
            TypeError,
            r"^n_chains must be an integer in \[1, 10000000\], got NoneType",
        ),
        (dict(n_chains=10**9), ValueError, r"^n_chains must be an integer in \[1, 10000000\]"),
        (dict(n_chains=10, depth=10**9), ValueError, r"^depth must be an integer in \[2, 1000\]"),
    ],
)
def test_layer_ratios_refuses_missing_or_huge_sizes(kwargs, error, match):
    # Issue 12: n_chains=None gave an IndexError, huge sizes a MemoryError.
    with pytest.raises(error, match=match):
        balance.layer_ratios(**(dict(seed=0) | kwargs))


# --- chains switched off, and activations never balanced -----------------------------


def _study(log10_ratio, activations=("relu", "tanh")):
    log10_ratio = np.asarray(log10_ratio, dtype=float)  # (activations, scales, chains)
    return balance.BalanceStudy(
        activations,
        np.linspace(1, 2, log10_ratio.shape[1]),
        5,
        10.0,
        log10_ratio,
        np.ones(len(activations)),
    )


def test_zero_fraction_counts_chains_with_a_factor_of_exactly_zero():
    study = _study(
        [
            [[-np.inf, -np.inf, 0.0, -30.0], [-np.inf, 1.0, 2.0, 3.0]],
            [[-40.0, -40.0, -40.0, -40.0], [0.0, 0.0, 0.0, 0.0]],
        ]
    )
    np.testing.assert_array_equal(study.zero_fraction, [[0.5, 0.25], [0.0, 0.0]])


def test_never_balanced_needs_every_named_activation_unbalanced_at_every_scale():
    study = _study([[[-np.inf, -5.0], [-3.0, 2.0]], [[-2.0, -2.0], [-1.0, -3.0]]])
    assert study.never_balanced("relu")
    assert not study.never_balanced("tanh")  # one chain at -1.0 is within the factor 10
    assert not study.never_balanced("relu", "tanh")
    edge = _study([[[1.0, 5.0]], [[-1.0000001, 9.0]]])
    assert not edge.never_balanced("relu")  # a ratio of exactly 10 is balanced
    assert edge.never_balanced("tanh")


def test_orders_below_band_uses_the_highest_median_chain_over_the_named_activations():
    # tolerance 10: the band starts at log10 ratio -1
    study = _study([[[-9.0, -8.0, -7.0], [-6.0, -5.2, -4.0]], [[-3.0, -2.5, -2.0], [-8, -8, -8]]])
    assert study.orders_below_band("relu") == 4  # -(-5.2) - 1 = 4.2
    assert study.orders_below_band("relu", "tanh") == 1  # -(-2.5) - 1 = 1.5
    even = _study([[[-4.0, -5.0], [-9.0, -9.0]], [[0.0, 0.0], [0.0, 0.0]]])
    assert even.orders_below_band("relu") == 4  # a chain's own value, -5, not the mean -4.5
