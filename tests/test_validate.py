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
