"""The shared argument checks name the parameter and the allowed values."""

import numpy as np
import pytest

from vgp_lib import chain, network
from vgp_lib._validate import check_float_dtype


@pytest.mark.parametrize("given, expected", [("float32", np.float32), (np.float64, np.float64), ("f8", np.float64)])
def test_float_dtype_accepts_names_and_types(given, expected):
    assert check_float_dtype("dtype", given) == np.dtype(expected)


@pytest.mark.parametrize("check", [chain._check_dtype, network._check_dtype])
def test_every_float_dtype_check_gives_the_same_errors(check):
    with pytest.raises(ValueError, match="dtype must be one of float32, float64; got float16"):
        check("float16")
    with pytest.raises(ValueError, match="dtype must be one of float32, float64; got str 'foo'"):
        check("foo")
    with pytest.raises(TypeError, match="dtype must be one of float32, float64; got int 3"):
        check(3)


def test_integers_beyond_the_float_range_are_a_named_value_error():  # issue 12: OverflowError escaped
    from vgp_lib._validate import check_array, check_real

    with pytest.raises(ValueError, match="eta must be a finite real number"):
        check_real("eta", 10**400)
    with pytest.raises(ValueError, match="w must contain only finite numbers"):
        check_array("w", [1, 10**400])


def test_check_array_takes_only_real_numbers():  # issue 12: strings, bools and complex were converted
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
