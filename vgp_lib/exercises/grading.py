"""What a graded notebook's hidden tests run: an answer compared with the reference value.

The nbgrader course that ``make course`` writes (``booktools/course.py``, beside the
package) records each exercise's reference answer as a Python literal, computed once
by running the instructor's notebook with :func:`print_expected`. Each assignment's
graded test cell then checks a student's answer against that literal with
:func:`assert_within_stated_precision` (the precision the exercise states, the rule of
its check) or :func:`assert_matches`; a function answer is compared by what it returns
on the check's own inputs (:func:`record_calls`). The notebooks import these from here,
so grading needs only the book's package, installed as students install it.

>>> assert_matches([0, 1, 1, 0], [0, 1, 1, 0], "xor")
"""

from __future__ import annotations

import ast
import functools
import inspect
import json
import math
import numbers
import warnings

from .._validate import check_int, check_real
from . import Pair, Precision

#: Tolerance of the hidden tests' comparisons of real numbers.
RTOL, ATOL = 1e-6, 1e-12
#: Largest number of values a hidden test writes out for one answer.
MAX_VALUES = 10_000
#: First words of the line :func:`print_expected` prints (the course reads it back).
EXPECTED_MARK = "VGP-COURSE-EXPECTED "


class NotLiteral(ValueError):
    """A value that has no short Python literal (see :func:`to_literal`)."""


def to_literal(value, budget: int = MAX_VALUES):
    """``value`` as plain Python (numbers, str, bool, None, lists, tuples, dicts), for ``repr``.

    NumPy scalars and arrays and torch tensors become numbers and lists.

    >>> import numpy as np
    >>> to_literal({"w": np.float64(4.0), "depths": np.arange(3)})
    {'w': 4.0, 'depths': [0, 1, 2]}
    """
    if type(budget) is not int or budget < 1:
        check_int("budget", budget, lo=1)
    left = [budget]

    def plain(x):
        left[0] -= 1
        if left[0] < 0:
            raise NotLiteral(f"more than {budget} values")
        if x is None or isinstance(x, (bool, str)):
            return x
        if isinstance(x, numbers.Integral):
            return int(x)
        if isinstance(x, numbers.Real):
            if not math.isfinite(float(x)):
                raise NotLiteral(f"{float(x)!r} has no literal")
            return float(x)
        if hasattr(x, "detach") and hasattr(x, "cpu"):  # a torch tensor
            x = x.detach().cpu().numpy()
        if hasattr(x, "dtype") and hasattr(x, "tolist"):  # NumPy arrays and scalars
            if x.dtype.kind not in "biuf":
                raise NotLiteral(f"an array of dtype {x.dtype}")
            return plain(x.tolist()) if getattr(x, "ndim", 0) else plain(x.item())
        if isinstance(x, (list, tuple)):
            return (
                type(x)(plain(v) for v in x) if type(x) in (list, tuple) else [plain(v) for v in x]
            )
        if isinstance(x, dict) and all(isinstance(k, (str, int)) for k in x):
            return {k: plain(v) for k, v in x.items()}
        raise NotLiteral(f"a {type(x).__name__} has no literal")

    return plain(value)


class CallRecord:
    """A stand-in for a function that records what each call returns (in ``results``)."""

    def __init__(self, function):
        if not callable(function):
            raise TypeError(f"function must be callable, got {type(function).__name__}")
        self.function = function
        self.results = []
        functools.update_wrapper(self, function)

    def __call__(self, *args, **kwargs):
        result = self.function(*args, **kwargs)
        self.results.append(result)
        return result


def record_calls(function) -> CallRecord:
    """Wrap ``function`` so that a check can call it and the results can be compared."""
    return CallRecord(function)


def _mismatch(got, expected, rtol: float, atol: float):
    """Why ``got`` differs from the literal ``expected`` (None if it does not)."""
    try:
        got = to_literal(got, budget=10 * MAX_VALUES)
    except NotLiteral:
        pass
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        ok = type(got) is type(expected) and got == expected
        return None if ok else f"got {got!r:.200}, expected {expected!r}"
    if isinstance(expected, (int, float)):
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            return f"got {got!r:.200}, expected the number {expected!r}"
        if isinstance(expected, int):
            return None if got == expected else f"got {got!r}, expected {expected!r}"
        if not math.isfinite(expected):
            raise ValueError(f"expected must hold finite numbers, got {expected!r}")
        try:
            close = math.isclose(float(got), expected, rel_tol=rtol, abs_tol=atol)
        except OverflowError:  # an integer beyond the float range
            close = False
        return (
            None if close else f"got {got!r}, expected {expected!r} (relative tolerance {rtol:g})"
        )
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            return f"got {got!r:.200}, expected {len(expected)} values: {expected!r:.200}"
        for i, (g, e) in enumerate(zip(got, expected)):
            if (problem := _mismatch(g, e, rtol, atol)) is not None:
                return f"[{i}]: {problem}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"got {got!r:.200}, expected the keys {sorted(expected, key=str)!r}"
        for key in expected:
            if (problem := _mismatch(got[key], expected[key], rtol, atol)) is not None:
                return f"[{key!r}]: {problem}"
        return None
    raise TypeError(f"expected must be a literal, got {type(expected).__name__}")


def assert_matches(
    got, expected, what: str = "the answer", *, rtol: float = RTOL, atol: float = ATOL
) -> None:
    """Assert that ``got`` equals the literal ``expected``: whole numbers, strings and flags
    exactly, real numbers within ``rtol`` (relative) or ``atol``, lists element by element.

    >>> assert_matches(4.0000000001, 4.0)
    >>> assert_matches([0, 1, 1, 0], [0, 1, 1, 0], "xor")
    >>> assert_matches(-4.0, 4.0, "answer")
    Traceback (most recent call last):
    ...
    AssertionError: answer: got -4.0, expected 4.0 (relative tolerance 1e-06)
    """
    _text("what", what)
    check_real("rtol", rtol, lo=0)
    check_real("atol", atol, lo=0)
    problem = _mismatch(got, expected, rtol, atol)
    if problem is not None:
        raise AssertionError(f"{what}: {problem}")


def assert_within_stated_precision(check, got, expected, what: str = "the answer") -> None:
    """Hidden test of a value: ``got`` equals the reference ``expected`` within the precision
    the exercise states (the rule of the book's ``check``), so an answer the visible check
    calls right is not failed by a stricter hidden test. Checks without a numeric rule
    fall back to :func:`assert_matches`.
    """
    rule = getattr(check, "rule", None)
    if not callable(check) or not isinstance(rule, Precision):
        raise TypeError(
            f"check must be one of the book's checks (a function with a .rule), "
            f"got {type(check).__name__}"
        )
    if not rule.numeric:
        assert_matches(got, expected, what)
        return
    _text("what", what)
    _reference(expected, pair=isinstance(rule, Pair))
    try:
        ok = bool(rule.accepts(got, expected))
    except Exception:  # an answer of the wrong kind is simply not right
        ok = False
    if not ok:
        raise AssertionError(f"{what}: not within {rule.phrase} of the reference answer")


def _text(name: str, value) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")


def _reference(expected, *, pair: bool) -> None:
    """Refuse a reference answer that is not a finite real number (a pair of them for a Pair)."""
    what = "a pair of finite real numbers" if pair else "a finite real number"
    items = expected if pair and isinstance(expected, (list, tuple)) else (expected,)
    if pair and len(items) != 2 or not pair and isinstance(expected, (list, tuple)):
        raise TypeError(f"expected must be {what}, got {type(expected).__name__} {expected!r:.100}")
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"expected must be {what}, got {type(v).__name__} {v!r:.100}")
        try:
            finite = math.isfinite(v)
        except OverflowError:
            finite = False
        if not finite:
            raise ValueError(f"expected must be {what}, got {v!r:.100}")


def print_expected(label: str, values: dict, checks: dict) -> None:
    """Print the literal expected value of each answer (run in the kernel, by the course).

    ``values`` maps each answer name to the reference solution's value, ``checks`` to a
    function that runs the check with another value in its place. A function answer is
    recorded by what it returns when the check calls it.
    """
    _text("label", label)
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise TypeError(
            f"values must be a dict from answer names to values, got {type(values).__name__}"
        )
    if not values:
        raise ValueError("values must name at least one answer, got an empty dict")
    if not isinstance(checks, dict):
        raise TypeError(
            f"checks must be a dict from answer names to checks, got {type(checks).__name__}"
        )
    missing = [name for name in values if not callable(checks.get(name))]
    if missing:
        raise ValueError(f"checks must give a function for every answer, missing {missing!r}")

    def results(function):
        record = record_calls(function)
        with warnings.catch_warnings(action="ignore"):
            feedback = checks[name](record)
        if not getattr(feedback, "correct", False):
            raise NotLiteral(f"the check does not pass a stand-in that records calls: {feedback}")
        return record.results

    out = {}
    for name, value in values.items():
        try:
            kind = (
                "results"
                if inspect.isroutine(value) or isinstance(value, functools.partial)
                else "value"
            )
            literal = repr(to_literal(results(value) if kind == "results" else value))
            # the hidden test must pass for the reference itself: as written, and run again
            again = results(value) if kind == "results" else value
            if (problem := _mismatch(again, ast.literal_eval(literal), RTOL, ATOL)) is not None:
                raise NotLiteral(f"the reference does not give its own value again: {problem}")
            out[name] = {"kind": kind, "literal": literal}
        except NotLiteral as err:
            out[name] = {"skip": str(err)}
        except Exception as err:  # recording changed how the check runs: leave it to the check
            out[name] = {"skip": f"recording its calls failed: {type(err).__name__}: {err}"}
    print(EXPECTED_MARK + json.dumps({"label": label, "expected": out}))
