"""The shared argument checks name the parameter and the allowed values."""

from functools import partial

import numpy as np
import pytest

from vgp_lib import bound, network, profiles
from vgp_lib._validate import (
    MEMORY_BUDGET,
    check_array,
    check_float_dtype,
    check_int,
    check_labelled,
    check_memory,
    check_real,
    check_sequence,
    checked,
    describe,
)


@pytest.mark.parametrize(
    "given, expected", [("float32", np.float32), (np.float64, np.float64), ("f8", np.float64)]
)
def test_float_dtype_accepts_names_and_types(given, expected):
    assert check_float_dtype("dtype", given) == np.dtype(expected)


def test_the_float_dtype_check_names_what_it_refuses():
    check = partial(check_float_dtype, "dtype")
    with pytest.raises(ValueError, match="dtype must be one of float32, float64; got float16"):
        check("float16")
    with pytest.raises(ValueError, match="dtype must be one of float32, float64; got str 'foo'"):
        check("foo")
    with pytest.raises(TypeError, match="dtype must be one of float32, float64; got int 3"):
        check(3)


# an OverflowError once escaped
def test_integers_beyond_the_float_range_are_a_named_value_error():
    from vgp_lib._validate import check_array, check_real

    with pytest.raises(ValueError, match="eta must be a finite real number"):
        check_real("eta", 10**400)
    with pytest.raises(ValueError, match="w must contain only finite numbers"):
        check_array("w", [1, 10**400])


# strings, bools and complex numbers were once converted
def test_check_array_takes_only_real_numbers():
    from vgp_lib._validate import check_array

    for bad in ("7", ["1", "2"], [True], np.array([1 + 2j]), None, [[1, 2], [3]]):
        with pytest.raises(TypeError, match="w must be an array of real numbers"):
            check_array("w", bad)
    assert check_array("w", np.float32([1.5])).dtype == np.float64
    assert check_array("w", np.array([1, 2], dtype=object)).tolist() == [1.0, 2.0]


def test_check_int_shortens_huge_integers_in_its_message():
    # a 400-digit number in an error message hides the message; its length is what matters
    from vgp_lib._validate import check_int

    with pytest.raises(ValueError, match=r"^n must be .* got an integer of 401 digits$"):
        check_int("n", 10**400, lo=1, hi=20)
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1, got -5$"):
        check_int("n", -5, lo=1)


# -- the edge: sizes, huge sequences and integers, tensors ---------------------------------------
@pytest.mark.parametrize("sign", [1, -1])
def test_integers_beyond_str_limit_give_a_clean_value_error(sign):
    # str() refuses integers over 4,300 digits; the message must not
    n = sign * 10**5000
    assert describe(n) == "an integer of 5001 digits"
    with pytest.raises(
        ValueError, match=r"n must be an integer in \[1, 20\], got an integer of 5001"
    ):
        check_int("n", n, lo=1, hi=20)
    with pytest.raises(ValueError, match="x must be a finite real number, got an integer of 5001"):
        check_real("x", n)
    with pytest.raises(ValueError, match="seed must be"):
        network.init_params([2, 2], seed=n)


def test_describe_survives_a_container_of_huge_integers():
    assert describe([10**5000]) == "a list"


@pytest.mark.parametrize("huge", [range(10**12), range(10**30)])
def test_a_huge_sequence_is_refused_before_it_is_copied(huge):
    with pytest.raises(ValueError, match="depths must hold between 1 and"):
        check_sequence("depths", huge, what="depths")


def test_an_endless_iterator_is_refused_after_max_len_items():
    import itertools

    with pytest.raises(ValueError, match="seeds must hold between 1 and 5 values, got 6"):
        check_sequence("seeds", itertools.count(), max_len=5)
    assert check_sequence("seeds", iter([1, 2]), max_len=5) == (1, 2)


def test_check_memory_names_the_parameter_and_the_budget():
    check_memory("sizes", MEMORY_BUDGET)  # at the budget: accepted
    with pytest.raises(ValueError, match=r"^sizes asks for about 80 GB .* choose smaller sizes$"):
        check_memory("sizes", 8e10)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: network.init_params((100_000, 100_000), seed=0), "sizes"),
        (
            lambda: profiles.activation_comparison(
                n_seeds=1, seed=0, sizes=(100_000, 100_000, 100_000, 10)
            ),
            "sizes",
        ),
        (
            lambda: profiles.gradient_profile(depth=10, width=50_000, n_in=100, batch=10, seed=0),
            "width",
        ),
        (
            lambda: profiles.gradient_profile(
                depth=100, width=1_000, n_in=100, batch=100_000, seed=0
            ),
            "batch",
        ),
    ],
)
def test_a_call_over_the_memory_budget_is_refused_before_it_allocates(call, name):
    # refused by the estimate, before any array exists: no clock needed to see it
    with pytest.raises(ValueError, match=f"^{name} asks for about .* GB of memory"):
        call()


def test_tensors_that_require_grad_are_accepted_as_arrays():
    torch = pytest.importorskip("torch")
    w = torch.tensor([6.9, 3.0], dtype=torch.float64, requires_grad=True)
    assert check_array("w", w).tolist() == [6.9, 3.0]
    assert bound.interval_width(w).tolist() == bound.interval_width([6.9, 3.0]).tolist()
    x, y = check_labelled("x", torch.ones(2, 3, requires_grad=True), "y", torch.tensor([0, 1]))
    assert x.shape == (2, 3) and y.tolist() == [0, 1]
    params = network.init_params([3, 2], seed=0)
    assert network.accuracy(params, torch.ones(4, 3, requires_grad=True), [0, 1, 0, 1]).shape == (
        1,
    )


def test_checked_converts_named_arguments_and_defaults():
    @checked(n=partial(check_int, lo=1), w=check_array)
    def scaled(n, w=(1, 2)):
        return n * w

    assert scaled(2).tolist() == [2.0, 4.0]  # the default went through check_array too
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        scaled(0)
    with pytest.raises(TypeError, match="w must be an array of real numbers"):
        scaled(1, w="x")


def test_checked_keeps_the_source_a_page_prints():
    import inspect

    source = inspect.getsource(bound.interval_width)
    assert source.startswith("@checked(w=check_array)\ndef interval_width(w):")
    body = source.split('"""')[-1].strip().splitlines()
    assert body[0].startswith("m = np.maximum(np.abs(w), 4.0)")
