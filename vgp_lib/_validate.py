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


#: Largest seed a function that derives seeds ``seed + k`` accepts (torch seeds are 64-bit).
MAX_SEED = 2**62


def check_bool(name: str, value) -> bool:
    """Return ``value`` if it is ``True`` or ``False`` (not 1, "yes" or None).

    >>> check_bool("align", True)
    True
    >>> check_bool("align", "yes")
    Traceback (most recent call last):
    ...
    TypeError: align must be True or False, got str 'yes'
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_sequence(name: str, value, *, what: str = "values", min_len: int = 1) -> tuple:
    """Return ``value`` as a tuple if it is a sequence (list, tuple, range, 1-D array) of items.

    >>> check_sequence("depths", range(2, 4))
    (2, 3)
    >>> check_sequence("depths", 3)
    Traceback (most recent call last):
    ...
    TypeError: depths must be a sequence of values, got int 3
    """
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__iter__") or (
            isinstance(value, np.ndarray) and value.ndim != 1):
        raise TypeError(f"{name} must be a sequence of {what}, got {type(value).__name__} {value!r}"[:200])
    items = tuple(value)
    if len(items) < min_len:
        raise ValueError(f"{name} must hold at least {min_len} {what}, got {len(items)}")
    return items


def check_labelled(x_name: str, x, y_name: str, y, *, n_classes: int | None = None):
    """``x`` (n, ...) of finite real numbers and ``y`` (n,) of integer labels, as arrays.

    >>> x, y = check_labelled("x", [[0.5], [1.0]], "y", [0, 1])
    >>> x.shape, y.dtype.kind
    ((2, 1), 'i')
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.dtype.kind not in "iuf":
        raise TypeError(f"{x_name} must be an array of real numbers, got dtype {x.dtype}")
    if y.dtype.kind not in "iu":
        raise TypeError(f"{y_name} must hold integer class labels, got dtype {y.dtype}")
    if x.ndim < 2 or y.ndim != 1 or len(x) != len(y) or len(x) == 0:
        raise ValueError(f"{x_name} must be (n, ...) and {y_name} (n,) with the same n >= 1, "
                         f"got shapes {x.shape} and {y.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{x_name} must contain only finite numbers (found nan or inf)")
    top = "" if n_classes is None else f", {n_classes - 1}"
    if y.min() < 0 or (n_classes is not None and y.max() >= n_classes):
        raise ValueError(f"{y_name} must hold class labels in [0{top or ', ...'}]")
    return x, y


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
