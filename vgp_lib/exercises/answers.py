"""Reading a student's answer safely: a number, a pair, a short description, never an exception.

Every reader here returns what it read or a phrase saying what the answer is instead;
whatever an answer's own methods raise (``__repr__``, ``__float__``, ``__len__``,
SystemExit included) becomes that phrase. Only :data:`~vgp_lib.exercises.sandbox.LET_THROUGH`
goes through.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._validate import check_int
from .sandbox import LET_THROUGH

#: Reading a student's value: called by the checks, not by a chapter or a reader.
__all__: list[str] = []


def short_repr(obj, limit: int = 60) -> str:
    """A short ``repr`` of a student's value that never raises (a broken ``__repr__`` included)."""
    if type(limit) is not int:
        limit = check_int("limit", limit, lo=1)
    elif limit < 1:
        raise ValueError(f"limit must be an integer >= 1, got {limit}")
    try:
        text = repr(obj)
        if type(text) is not str:  # a str subclass may redefine len() and slicing
            text = str.__str__(text) if isinstance(text, str) else f"<{type_name(obj)} object>"
    except LET_THROUGH:
        raise
    except BaseException:  # noqa: BLE001 - SystemExit from a reader's __repr__ is their error too
        text = f"<{type_name(obj)} object>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def type_name(obj) -> str:
    """The name of ``obj``'s class, read without running any of the student's code."""
    name = type.__dict__["__name__"].__get__(type(obj))
    return name if type(name) is str else "object"


def read_number(x) -> tuple[float | None, str | None]:
    """``(value, None)`` for a finite real number, else ``(None, what x is instead)``.

    Accepts ints, floats, NumPy and torch scalars, 0-d arrays and numeric
    strings such as ``"45"``; refuses booleans, complex numbers, arrays with
    more than one element, NaN and infinities, with a phrase saying which.

    >>> read_number("4.0"), read_number(True)
    ((4.0, None), (None, 'the boolean True'))
    >>> read_number(10**400)[1]
    'a number too large in size for a float (about 10^400)'
    """
    if isinstance(x, (bool, np.bool_)):
        return None, f"the boolean {bool(x)!r}"
    if isinstance(x, (bytes, bytearray, memoryview)):  # float(b"8") is 8.0, but bytes are no answer
        return None, f"{type(x).__name__} {short_repr(x)}"
    if isinstance(x, (complex, np.complexfloating)) or (
        isinstance(x, np.ndarray) and x.dtype.kind == "c"
    ):
        return None, f"the complex number {short_repr(x)}"
    if isinstance(x, np.ndarray) and x.ndim > 0:
        return None, f"an array of shape {x.shape} (the answer is a single number)"
    if (
        isinstance(x, int) and int.bit_length(x) > 1024
    ):  # int's own method: a subclass may redefine abs()
        return (
            None,
            "a number too large in size for a float (about "
            f"10^{round(int.bit_length(x) * math.log10(2))})",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter(
                "error"
            )  # e.g. NumPy's ComplexWarning: refuse rather than drop a part
            value = float(x)
    except OverflowError:
        return None, "a number too large in size for a float"
    except LET_THROUGH:
        raise
    except BaseException:  # noqa: BLE001 - SystemExit from a reader's __float__ is their error
        return None, f"{type_name(x)} {short_repr(x)}"
    if math.isnan(value):
        return None, "NaN (not a number)"
    if math.isinf(value):
        return None, f"{'-' if value < 0 else ''}infinity"
    return value, None


#: Floating-point types coarser than float64: about how many significant digits each keeps,
#: and its unit roundoff (the largest relative error of rounding a number to it).
LOW_PRECISION = {"float32": (7, 2.0**-24), "float16": (3, 2.0**-11), "bfloat16": (2, 2.0**-8)}


def low_precision(x) -> str | None:
    """``"float32"`` (or ``"float16"``, ``"bfloat16"``) if ``x`` is a NumPy or torch number or
    array of that type, else None; never raises.
    """
    try:
        dtype = (
            getattr(x, "dtype", None)
            if isinstance(x, (np.generic, np.ndarray)) or (type(x).__module__ == "torch")
            else None
        )
        name = str(dtype).removeprefix("torch.") if dtype is not None else None
    except LET_THROUGH:
        raise
    except BaseException:  # noqa: BLE001 - a reader's object may raise anything
        return None
    return name if name in LOW_PRECISION else None


def read_pair(answer) -> tuple[tuple[float, float] | None, str | None]:
    """``((a, b), None)`` for a pair of finite real numbers, else ``(None, what is wrong)``.

    Tuples, lists, arrays and tensors of two numbers pass (each read by
    :func:`read_number`); strings, dicts and anything whose ``len``, indexing or
    attribute look-ups raise get a phrase instead, never an exception.

    >>> read_pair((1, "2.5")), read_pair([1.0])
    (((1.0, 2.5), None), (None, 'got 1 item(s)'))
    """
    try:  # len() and indexing of a hostile object may raise anything
        if isinstance(answer, (str, bytes, dict)):
            raise TypeError
        n = len(answer)
        items = [answer[0], answer[1]] if n == 2 else None
    except LET_THROUGH:
        raise
    except BaseException:  # noqa: BLE001 - SystemExit from a reader's __len__ is their error
        return None, f"got {type_name(answer)} {short_repr(answer)}"
    if items is None:
        return None, f"got {n} item(s)"
    values = []
    for name, v in zip(("the first", "the second"), items):
        value, problem = read_number(v)
        if problem:
            return None, f"{name} item is {problem}"
        values.append(value)
    return (values[0], values[1]), None
