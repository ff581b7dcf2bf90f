"""Parity circuits: exhaustive equality with parity, gate counts vs closed forms, bad n."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vgp_lib import circuits


@pytest.mark.parametrize("n", range(1, 13))
def test_both_circuits_equal_parity_on_every_input(n):
    inputs = np.array(list(itertools.product((0, 1), repeat=n)))
    # evaluate() orders inputs by the integer they encode, bit i = x_i
    order = (inputs * (1 << np.arange(n))).sum(axis=1)
    expected = np.empty(2**n, dtype=np.int64)
    expected[order] = inputs.sum(axis=1) % 2
    for build in (circuits.two_layer_parity, circuits.deep_parity):
        c = build(n)
        assert np.array_equal(circuits.evaluate(c), expected)
        assert circuits.verify_parity(c)


def test_sixteen_bits_verified_exhaustively():
    assert circuits.verify_parity(circuits.deep_parity(16))
    assert circuits.verify_parity(circuits.two_layer_parity(16))


def test_verify_detects_a_broken_circuit():
    c = circuits.deep_parity(6)
    last = c.layers[-1].copy()
    last[0, 1] = last[0, 0]  # rewire one input of the output gate
    broken = circuits.Circuit(c.name, c.n_inputs, c.layers[:-1] + (last,), c.output)
    assert not circuits.verify_parity(broken)


@pytest.mark.parametrize("n", range(1, circuits.MAX_BUILD_BITS + 1))
def test_gate_counts_match_closed_forms(n):
    shallow, deep = circuits.two_layer_parity(n), circuits.deep_parity(n)
    assert (shallow.n_gates, deep.n_gates) == circuits.gate_counts_closed_form(n)
    assert (shallow.depth, deep.depth) == circuits.depths_closed_form(n)
    assert shallow.n_wires == n * 2 ** (n - 1) + 2 ** (n - 1)
    assert deep.n_wires == 2 * deep.n_gates


def test_gate_counts_table_is_built_from_circuits():
    t = circuits.gate_counts(range(1, 9))
    assert t.n.tolist() == list(range(1, 9))
    assert t.two_layer.tolist() == [2 ** (n - 1) + 1 for n in range(1, 9)]
    assert t.deep.tolist() == [4 * (n - 1) for n in range(1, 9)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=1, max_size=64))
def test_parity_is_xor_of_bits(bits):
    assert circuits.parity(bits) == np.bitwise_xor.reduce(bits)


@pytest.mark.parametrize("bad", [0, -3, circuits.MAX_BUILD_BITS + 1])
def test_out_of_range_n_is_a_clear_value_error(bad):
    for build in (circuits.two_layer_parity, circuits.deep_parity):
        with pytest.raises(ValueError, match=r"n must be an integer in \[1, 20\]"):
            build(bad)


@pytest.mark.parametrize("bad", [2.5, 3.0, float("nan")])
def test_non_integer_n_is_a_value_error(bad):
    with pytest.raises(ValueError, match="n must be an integer"):
        circuits.deep_parity(bad)


@pytest.mark.parametrize("bad", ["8", None, True])
def test_non_numeric_n_is_a_type_error(bad):
    with pytest.raises(TypeError, match="n must be an integer"):
        circuits.two_layer_parity(bad)


def test_evaluation_is_limited_to_sixteen_bits():
    with pytest.raises(ValueError, match=r"n_inputs must be an integer in \[1, 16\]"):
        circuits.verify_parity(circuits.deep_parity(17))


def test_counts_beyond_build_limit_use_exact_integers():
    assert circuits.gate_counts_closed_form(100) == (2**99 + 1, 396)
    with pytest.raises(ValueError, match="n must be an integer"):
        circuits.gate_counts_closed_form(0)


def test_parity_rejects_non_bits():
    with pytest.raises(ValueError, match="bits"):
        circuits.parity([0, 2])


@pytest.mark.parametrize("bad", [None, 3, "deep", circuits.gate_counts([2])])
def test_evaluate_and_verify_refuse_what_is_not_a_circuit(bad):
    # Issue 12: these failed with "'NoneType' object has no attribute 'n_inputs'".
    for f in (circuits.evaluate, circuits.verify_parity):
        with pytest.raises(TypeError, match=r"^circuit must be a vgp_lib.circuits.Circuit"):
            f(bad)


@pytest.mark.parametrize(
    "bad,error",
    [
        ("7", TypeError),
        (None, TypeError),
        (5.0, TypeError),
        ([2, 2.5], ValueError),
        ([2, True], TypeError),
        (np.array([2.0, 3.0]) + 1j, TypeError),
        ([2, 10**400], ValueError),
        ([[2], [3]], TypeError),
        ([2, 21], ValueError),
    ],
)
def test_gate_counts_names_ns(bad, error):
    # Issue 12: the message named "n", a parameter gate_counts does not have.
    with pytest.raises(error, match=r"^ns must"):
        circuits.gate_counts(bad)


# --------------------------------------------------------------------------- ReLU sawtooths


@pytest.mark.parametrize("depth", range(1, 9))
def test_stacked_tents_make_two_to_the_depth_pieces_from_two_units_a_layer(depth):
    net = circuits.deep_sawtooth(depth)
    assert net.depth == depth and net.n_units == 2 * depth
    pieces = circuits.linear_pieces(net, 16 * 2**depth)
    assert pieces.n_pieces == 2**depth
    assert pieces.piece[0] == 0 and pieces.piece[-1] == 2**depth - 1


@pytest.mark.parametrize("depth", range(1, 9))
def test_one_hidden_layer_draws_the_same_sawtooth_with_a_unit_per_bend(depth):
    deep, shallow = circuits.deep_sawtooth(depth), circuits.shallow_sawtooth(depth)
    assert shallow.depth == 1 and shallow.n_units == 2**depth
    n = 16 * 2**depth
    a, b = circuits.linear_pieces(deep, n), circuits.linear_pieces(shallow, n)
    assert a.n_pieces == b.n_pieces == 2**depth
    np.testing.assert_allclose(a.y, b.y, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(a.piece, b.piece)  # the same bends, in the same places


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(1, 6), x=st.floats(0, 1))
def test_the_deep_sawtooth_is_the_tent_map_iterated(depth, x):
    y = x
    for _ in range(depth):
        y = 2 * y if y <= 0.5 else 2 - 2 * y
    assert circuits.evaluate_relu(circuits.deep_sawtooth(depth), [x])[0] == pytest.approx(y)


def test_one_hidden_layer_of_k_units_has_at_most_k_plus_one_pieces():
    rng = np.random.default_rng(0)
    for k in (1, 3, 10):
        net = circuits.ReluNet(
            "random",
            (rng.normal(size=(k, 1)),),
            (rng.normal(size=k),),
            rng.normal(size=k),
            0.0,
        )
        assert circuits.linear_pieces(net, 4096).n_pieces <= k + 1


def test_a_coarse_grid_can_only_miss_pieces():
    net = circuits.deep_sawtooth(6)
    assert circuits.linear_pieces(net, 16).n_pieces <= 16 < 2**6


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: circuits.deep_sawtooth(0), ValueError, r"^depth must"),
        (lambda: circuits.shallow_sawtooth(circuits.MAX_SAWTOOTH_DEPTH + 1), ValueError, r"^depth"),
        (lambda: circuits.deep_sawtooth("3"), TypeError, r"^depth must"),
        (lambda: circuits.linear_pieces(circuits.deep_parity(3)), TypeError, r"^net must"),
        (lambda: circuits.linear_pieces(circuits.deep_sawtooth(2), 0), ValueError, r"^n_points"),
        (lambda: circuits.evaluate_relu(circuits.deep_sawtooth(2), [[0.5]]), ValueError, r"^x "),
        (lambda: circuits.evaluate_relu(circuits.deep_sawtooth(2), [np.nan]), ValueError, r"^x "),
    ],
)
def test_sawtooth_functions_name_their_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()
