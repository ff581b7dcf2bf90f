"""Argument checks shared by the public functions.

Every public function of vgp_lib validates its inputs with these helpers so
bad input fails early with a ``ValueError``/``TypeError`` that names the
parameter and the allowed range, instead of a NaN or a deep traceback.
"""

from __future__ import annotations

import math
import numbers
from typing import Iterable

import numpy as np

# Upper limits on sizes that set how long a call runs: a typo such as 10**30 epochs is refused up
# front with the limit in the message, instead of a call that never returns. They are far above
# anything the book runs (at most 30 epochs, 50 layers, 256 units, 20 seeds).
MAX_EPOCHS = 10_000
MAX_SEEDS = 1_000
MAX_DEPTH = 1_000
MAX_WIDTH = 100_000
MAX_PARAMETERS = 10**8


def check_int(name: str, value, *, lo: int | None = None, hi: int | None = None) -> int:
    """Return ``value`` as an ``int`` if it is an integer in ``[lo, hi]``.

    >>> check_int("n", 3, lo=1)
    3
    >>> check_int("n", 0, lo=1)
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer >= 1, got 0
    """
    rng = _range_text(lo, hi)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be an integer{rng}, got {type(value).__name__} {value!r}")
    if not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer{rng}, got {value!r}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be an integer{rng}, got {value}")
    return value


def check_real(
    name: str,
    value,
    *,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hi_open: bool = False,
) -> float:
    """Return ``value`` as a finite ``float`` inside the given bounds.

    >>> check_real("eta", 0.1, lo=0, lo_open=True)
    0.1
    >>> check_real("eta", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: eta must be a finite real number, got nan
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    try:
        value = float(value)
    except OverflowError:  # an integer beyond the float range, e.g. 10**400
        raise ValueError(f"{name} must be a finite real number, got an integer of "
                         f"{len(str(abs(int(value))))} digits") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    too_low = lo is not None and (value <= lo if lo_open else value < lo)
    too_high = hi is not None and (value >= hi if hi_open else value > hi)
    if too_low or too_high:
        left = "(" if lo_open else "["
        right = ")" if hi_open else "]"
        lo_s = "-inf" if lo is None else f"{lo:g}"
        hi_s = "inf" if hi is None else f"{hi:g}"
        raise ValueError(f"{name} must lie in {left}{lo_s}, {hi_s}{right}, got {value!r}")
    return value


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (strings).

    >>> check_choice("activation", "relu", ["sigmoid", "relu"])
    'relu'
    >>> check_choice("activation", "swish", ["sigmoid", "relu"])
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'sigmoid', 'relu'; got 'swish'
    """
    choices = list(choices)
    allowed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {allowed}; got {type(value).__name__} {value!r}")
    if value not in choices:
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def check_array(name: str, value, *, ndim: int | None = None, finite: bool = True) -> np.ndarray:
    """Return ``value`` as a float64 array, rejecting non-numbers, NaN and inf.

    Strings, booleans, complex numbers and ``None`` are not real numbers, so they
    are refused rather than converted (``'7'`` would otherwise become 7.0 and
    ``1+2j`` would lose its imaginary part).

    >>> check_array("w", [1, 2]).dtype
    dtype('float64')
    >>> check_array("w", [1.0, float("inf")])
    Traceback (most recent call last):
    ...
    ValueError: w must contain only finite numbers (found nan or inf)
    """
    what = f"{name} must be an array of real numbers"
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError, OverflowError):  # ragged nesting, unconvertible objects
        raise TypeError(f"{what}, got {type(value).__name__}") from None
    if raw.dtype.kind not in "iuf" and not (raw.dtype.kind == "O" and _all_real(raw)):
        raise TypeError(f"{what}, got {type(value).__name__} of dtype {raw.dtype}")
    try:
        arr = raw.astype(np.float64)
    except OverflowError:  # Python integers beyond the float range
        raise ValueError(f"{name} must contain only finite numbers (found a number beyond 1.8e308)") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (found nan or inf)")
    return arr


def _all_real(arr: np.ndarray) -> bool:
    """True if every element of the object array ``arr`` is a real number (not a bool)."""
    return all(isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in arr.flat)


FLOAT_DTYPES = ("float32", "float64")


def check_float_dtype(name: str, dtype) -> np.dtype:
    """Return ``dtype`` (a name or a NumPy type) as float32 or float64.

    >>> check_float_dtype("dtype", "float32")
    dtype('float32')
    >>> check_float_dtype("dtype", np.float16)
    Traceback (most recent call last):
    ...
    ValueError: dtype must be one of float32, float64; got float16
    """
    allowed = ", ".join(FLOAT_DTYPES)
    try:
        dt = np.dtype(dtype)
    except TypeError:
        error = ValueError if isinstance(dtype, str) else TypeError  # an unknown name is a bad value
        raise error(f"{name} must be one of {allowed}; got {type(dtype).__name__} {dtype!r}") from None
    if dt.name not in FLOAT_DTYPES:
        raise ValueError(f"{name} must be one of {allowed}; got {dt.name}")
    return dt


def _range_text(lo, hi) -> str:
    if lo is not None and hi is not None:
        return f" in [{lo}, {hi}]"
    if lo is not None:
        return f" >= {lo}"
    if hi is not None:
        return f" <= {hi}"
    return ""


def check_instance(name: str, value, kind: type):
    """Return ``value`` if it is a ``kind`` (e.g. a result class of a compute module); otherwise
    raise ``TypeError`` naming the parameter ``name``, before matplotlib sees the value."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__module__}.{kind.__name__}, "
                        f"got {type(value).__name__}")
    return value


def check_instances(name: str, values, kind: type) -> list:
    """Return ``values`` as a list if it is a non-empty sequence of ``kind`` results."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a sequence of {kind.__name__} results, "
                        f"got {type(values).__name__}")
    values = list(values)
    if not values:
        raise ValueError(f"{name} must hold at least one {kind.__name__}, got none")
    for value in values:
        if not isinstance(value, kind):
            raise TypeError(f"{name} must hold {kind.__module__}.{kind.__name__} results, "
                            f"got a {type(value).__name__}")
    return values
