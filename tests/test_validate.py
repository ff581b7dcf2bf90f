"""The shared argument checks name the parameter and the allowed values."""

from dataclasses import dataclass, field

import numpy as np
import pytest
from numpy.typing import NDArray

from vgp_lib import chain, network
from vgp_lib._validate import Result, check_float_dtype, nonfinite


@pytest.mark.parametrize(
    "given, expected", [("float32", np.float32), (np.float64, np.float64), ("f8", np.float64)]
)
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


# -- Result: every field of a result dataclass checked against its annotation --------------------
@dataclass(frozen=True)
class _Inner(Result):
    k: int


@dataclass(frozen=True)
class _Sample(Result):
    x: float
    n: int
    name: str
    flag: bool
    a: np.ndarray
    counts: NDArray[np.integer]
    items: tuple[int, ...]
    arrays: tuple[np.ndarray, ...]
    inner: _Inner
    ends: np.ndarray | None
    table: dict[str, float]
    log: np.ndarray = field(metadata=nonfinite("-inf"))


def _sample(**change):
    good = {
        "x": 1.5,
        "n": 3,
        "name": "s",
        "flag": True,
        "a": np.array([1.0, 2.0], dtype=np.float32),
        "counts": np.array([1, 2]),
        "items": (1, 2),
        "arrays": (np.zeros(2),),
        "inner": _Inner(1),
        "ends": None,
        "table": {"a": 1.0},
        "log": np.array([-np.inf, 0.0]),
    }
    return _Sample(**{**good, **change})


def test_a_result_keeps_its_values_as_given():  # checked, never converted or copied
    a, log = np.array([1.0, 2.0], dtype=np.float32), np.array([-np.inf, 0.0])
    r = _sample(a=a, log=log, x=np.float32(0.5), n=np.int64(2))
    assert r.a is a and r.a.dtype == np.float32 and r.log is log
    assert type(r.x) is np.float32 and type(r.n) is np.int64


@pytest.mark.parametrize(
    "field_name, bad",
    [
        ("x", "1.0"),
        ("x", None),
        ("x", True),
        ("x", 1 + 1j),
        ("n", 2.0),
        ("n", True),
        ("n", "3"),
        ("name", 3),
        ("flag", 1),
        ("a", [1.0, 2.0]),
        ("a", np.array(["a"])),
        ("a", np.array([1j])),
        ("a", np.array([True])),
        ("a", np.array([10**400] * 2, dtype=object)),
        ("counts", np.zeros(2)),
        ("items", [1, 2]),
        ("items", (1, 2.5)),
        ("arrays", (np.zeros(2), "x")),
        ("inner", {}),
        ("inner", _sample()),
        ("ends", "x"),
        ("table", {"a": "1"}),
        ("table", {1: 1.0}),
        ("log", None),
    ],
)
def test_a_field_of_the_wrong_type_is_a_type_error_naming_it(field_name, bad):
    with pytest.raises(TypeError, match=rf"^_Sample\.{field_name}\b"):
        _sample(**{field_name: bad})


@pytest.mark.parametrize(
    "field_name, bad",
    [
        ("x", float("nan")),
        ("x", float("-inf")),
        ("x", 10**400),
        ("a", np.array([1.0, np.nan])),
        ("a", np.array([np.inf, -np.inf])),
        ("a", np.array([1.0, np.inf])),
        ("arrays", (np.array([np.nan]),)),
        ("ends", np.array([0.0, np.inf])),
        ("log", np.array([np.nan, 0.0])),
        ("log", np.array([np.inf])),
        ("table", {"a": float("nan")}),
    ],
)
def test_a_non_finite_value_is_a_value_error_naming_the_field(field_name, bad):
    with pytest.raises(ValueError, match=rf"^_Sample\.{field_name}\b"):
        _sample(**{field_name: bad})


def test_huge_finite_arrays_whose_sum_overflows_are_still_accepted():
    big = np.full(4, 1e308)
    assert _sample(a=big).a is big


def test_nonfinite_metadata_allows_only_what_it_names():
    r = _sample(log=np.array([-np.inf, -np.inf]))
    assert np.isneginf(r.log).all()
    with pytest.raises(
        ValueError, match=r"_Sample\.log must contain only finite numbers or -inf, found nan"
    ):
        _sample(log=np.array([-np.inf, np.nan]))
    with pytest.raises(ValueError, match="values must be some of"):
        nonfinite("NaN")


def test_a_subclass_post_init_runs_after_the_field_checks():
    @dataclass(frozen=True)
    class Pair(Result):
        lo: float
        hi: float

        def __post_init__(self):
            super().__post_init__()
            if self.hi < self.lo:
                raise ValueError("Pair.hi must be >= Pair.lo")

    assert Pair(1, 2.0).lo == 1
    with pytest.raises(TypeError, match="Pair.lo must be a finite real number"):
        Pair(None, 2.0)
    with pytest.raises(ValueError, match="Pair.hi must be >= Pair.lo"):
        Pair(3.0, 2.0)


def test_check_int_shortens_huge_integers_in_its_message():
    # a 400-digit number in an error message hides the message; its length is what matters
    from vgp_lib._validate import check_int

    with pytest.raises(ValueError, match=r"^n must be .* got an integer of 401 digits$"):
        check_int("n", 10**400, lo=1, hi=20)
    with pytest.raises(ValueError, match=r"^n must be an integer >= 1, got -5$"):
        check_int("n", -5, lo=1)
