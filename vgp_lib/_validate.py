"""Argument checks shared by the public functions.

Every public function of vgp_lib validates its inputs with these helpers so
bad input fails early with a ``ValueError``/``TypeError`` that names the
parameter and the allowed range, instead of a NaN or a deep traceback.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

# Upper limits on sizes that set how long a call runs: a typo such as 10**30 epochs is refused up
# front with the limit in the message, instead of a call that never returns. They are far above
# anything the book runs (at most 30 epochs, 50 layers, 256 units, 20 seeds).
MAX_EPOCHS = 10_000
MAX_SEEDS = 1_000
MAX_DEPTH = 1_000
MAX_WIDTH = 100_000
MAX_PARAMETERS = 10**8
MAX_GRID = 10**7  # points of an evaluation grid (the book's largest has 200,001)


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
        shown = f"an integer of {len(str(abs(value)))} digits" if abs(value) >= 10**30 else value
        raise ValueError(f"{name} must be an integer{rng}, got {shown}")
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
        raise ValueError(
            f"{name} must be a finite real number, got an integer of "
            f"{len(str(abs(int(value))))} digits"
        ) from None
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
        raise ValueError(
            f"{name} must contain only finite numbers (found a number beyond 1.8e308)"
        ) from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (found nan or inf)")
    return arr


def _all_real(arr: np.ndarray) -> bool:
    """True if every element of the object array ``arr`` is a real number (not a bool)."""
    return all(
        isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)) for v in arr.flat
    )


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
    if (
        isinstance(value, (str, bytes, dict))
        or not hasattr(value, "__iter__")
        or (isinstance(value, np.ndarray) and value.ndim != 1)
    ):
        raise TypeError(
            f"{name} must be a sequence of {what}, got {type(value).__name__} {value!r}"[:200]
        )
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
        raise ValueError(
            f"{x_name} must be (n, ...) and {y_name} (n,) with the same n >= 1, "
            f"got shapes {x.shape} and {y.shape}"
        )
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
        error = (
            ValueError if isinstance(dtype, str) else TypeError
        )  # an unknown name is a bad value
        raise error(
            f"{name} must be one of {allowed}; got {type(dtype).__name__} {dtype!r}"
        ) from None
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
        raise TypeError(
            f"{name} must be a {kind.__module__}.{kind.__name__}, got {type(value).__name__}"
        )
    return value


def check_instances(name: str, values, kind: type) -> list:
    """Return ``values`` as a list if it is a non-empty sequence of ``kind`` results."""
    if isinstance(values, (str, bytes, dict)) or not hasattr(values, "__iter__"):
        raise TypeError(
            f"{name} must be a sequence of {kind.__name__} results, got {type(values).__name__}"
        )
    values = list(values)
    if not values:
        raise ValueError(f"{name} must hold at least one {kind.__name__}, got none")
    for value in values:
        if not isinstance(value, kind):
            raise TypeError(
                f"{name} must hold {kind.__module__}.{kind.__name__} results, "
                f"got a {type(value).__name__}"
            )
    return values


# -- result classes --------------------------------------------------------------------------------
# Every frozen result dataclass derives from Result: once an object is built, __post_init__ checks
# each field against its annotation and raises TypeError/ValueError naming ``Class.field``. The
# check never converts or copies a value. How a class takes part (one line, plus metadata where a
# field may legitimately hold nan or inf):
#
#     @dataclass(frozen=True)
#     class Profile(Result):
#         sizes: tuple[int, ...]          # a tuple, every item an integer (not a bool)
#         speeds: np.ndarray              # a float ndarray, every entry finite
#         counts: NDArray[np.integer]     # an integer ndarray (numpy.typing.NDArray[scalar type])
#         log10: np.ndarray = field(metadata=nonfinite("-inf"))  # -inf allowed, nan and +inf not
#         scale: float                    # a real number (not a bool, not complex), finite
#         net: Params                     # any other class: isinstance
#         ends: np.ndarray | None         # a union: None or a float ndarray
#
# A subclass that defines its own __post_init__ calls super().__post_init__() first.

_NONFINITE = ("nan", "inf", "-inf")
_KIND_NAMES = {
    "b": "booleans",
    "i": "integers",
    "u": "integers",
    "f": "floats",
    "c": "complex numbers",
}


def nonfinite(*values: str) -> dict:
    """Field metadata letting a :class:`Result` field hold some of ``"nan"``, ``"inf"``, ``"-inf"``.

    Use as ``x: np.ndarray = dataclasses.field(metadata=nonfinite("inf", "-inf"))``; it applies
    to the float arrays and floats of that field (also inside a tuple).
    """
    bad = [v for v in values if v not in _NONFINITE]
    if bad or not values:
        raise ValueError(f"values must be some of 'nan', 'inf', '-inf', got {values!r}")
    return {"nonfinite": frozenset(values)}


class Result:
    """Base of vgp_lib's frozen result dataclasses: every field is checked against its
    annotation.
    """

    __slots__ = ()

    def __post_init__(self) -> None:
        cls = type(self)
        checks = _RESULT_CHECKS.get(cls)
        if checks is None:
            checks = _RESULT_CHECKS[cls] = _compile_result(cls)
        for name, label, check in checks:
            check(label, getattr(self, name))


_RESULT_CHECKS: dict = {}


def _compile_result(cls) -> tuple:
    """``(field name, 'Class.field', check)`` for every field of the dataclass ``cls``."""
    import dataclasses
    import typing

    hints = typing.get_type_hints(cls)
    return tuple(
        (
            f.name,
            f"{cls.__name__}.{f.name}",
            _compile(hints[f.name], f.metadata.get("nonfinite", frozenset()))[1],
        )
        for f in dataclasses.fields(cls)
    )


def _compile(tp, allowed: frozenset):
    """``(description, check(label, value))`` for the annotation ``tp``."""
    import types
    import typing

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is typing.Any or tp is object:
        return "anything", lambda label, value: None
    if origin in (typing.Union, types.UnionType):
        return _compile_union(args, allowed)
    if tp is float:
        return _compile_float(allowed)
    if tp is int:
        return "an integer", _check_integer
    if tp is bool:
        return "True or False", _check_bool
    if tp is np.ndarray:
        return _compile_array("f", allowed)
    if origin is np.ndarray:  # numpy.typing.NDArray[scalar type]
        scalar = typing.get_args(args[1])[0]
        scalar = typing.get_origin(scalar) or scalar  # np.integer[Any] -> np.integer
        kinds = "".join(
            k
            for k, t in (
                ("b", np.bool_),
                ("i", np.int64),
                ("u", np.uint64),
                ("f", np.float64),
                ("c", np.complex128),
            )
            if issubclass(t, scalar)
        )
        return _compile_array(kinds, allowed)
    if tp is tuple or origin is tuple:
        return _compile_tuple(args, allowed)
    if tp is dict or origin is dict:
        return _compile_dict(args, allowed)
    if isinstance(tp, type):
        what = f"a {tp.__name__}"

        def check_instance(label, value):
            if not isinstance(value, tp):
                raise TypeError(f"{label} must be {what}, got {type(value).__name__}")

        return what, check_instance
    raise TypeError(f"Result fields take classes, unions, tuple[...] or dict[...], got {tp!r}")


def _compile_union(args, allowed):
    options = [_compile(a, allowed) for a in args if a is not type(None)]
    takes_none = type(None) in args
    what = " or ".join([w for w, _ in options] + (["None"] if takes_none else []))

    def check_union(label, value):
        if value is None and takes_none:
            return
        wrong_value = None
        for _, check in options:
            try:
                check(label, value)
                return
            except ValueError as err:  # the right type with a bad value: report that
                wrong_value = wrong_value or err
            except TypeError:
                pass
        if wrong_value is not None:
            raise wrong_value
        raise TypeError(f"{label} must be {what}, got {type(value).__name__}")

    return what, check_union


def _compile_float(allowed):
    what = "a real number" if allowed else "a finite real number"

    def check_float(label, value):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{label} must be {what}, got {type(value).__name__} {value!r}"[:200])
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer beyond the float range
            raise ValueError(
                f"{label} must be {what}, got an integer of {len(str(abs(int(value))))} digits"
            ) from None
        if not finite and _nonfinite_kind(value) not in allowed:
            raise ValueError(f"{label} must be {what}{_also(allowed)}, got {value!r}")

    return what, check_float


def _check_integer(label, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{label} must be an integer, got {type(value).__name__} {value!r}"[:200])


def _check_bool(label, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"{label} must be True or False, got {type(value).__name__} {value!r}"[:200]
        )


def _compile_array(kinds: str, allowed: frozenset):
    names = dict.fromkeys(_KIND_NAMES[k] for k in kinds)
    what = f"an array of {' or '.join(names)}"

    def check_ndarray(label, value):
        if not isinstance(value, np.ndarray):
            raise TypeError(f"{label} must be {what} (a numpy.ndarray), got {type(value).__name__}")
        if value.dtype.kind not in kinds:
            raise TypeError(f"{label} must be {what}, got an array of dtype {value.dtype}")
        if value.dtype.kind in "fc" and allowed != _ALL_NONFINITE:
            with np.errstate(over="ignore", invalid="ignore"):
                total = np.add.reduce(value, axis=None)  # finite sum => every entry finite
            if not np.isfinite(total):
                found = [
                    k
                    for k, test in (("nan", np.isnan), ("inf", np.isposinf), ("-inf", np.isneginf))
                    if test(value).any()
                ]
                bad = [k for k in found if k not in allowed]
                if bad:
                    raise ValueError(
                        f"{label} must contain only finite numbers{_also(allowed)}, "
                        f"found {' and '.join(bad)}"
                    )

    return what, check_ndarray


_ALL_NONFINITE = frozenset(_NONFINITE)


def _compile_tuple(args, allowed):
    if not args:
        return "a tuple", _instance_check(tuple, "a tuple")
    if len(args) == 2 and args[1] is Ellipsis:
        item_what, item = _compile(args[0], allowed)
        what = f"a tuple (each item {item_what})"

        def check_items(label, value):
            if not isinstance(value, tuple):
                raise TypeError(f"{label} must be {what}, got {type(value).__name__}")
            for i, v in enumerate(value):
                item(f"{label}[{i}]", v)

        return what, check_items
    parts = [_compile(a, allowed)[1] for a in args]
    what = f"a tuple of {len(parts)} items"

    def check_fixed(label, value):
        if not isinstance(value, tuple):
            raise TypeError(f"{label} must be {what}, got {type(value).__name__}")
        if len(value) != len(parts):
            raise ValueError(f"{label} must be {what}, got {len(value)}")
        for i, (check, v) in enumerate(zip(parts, value)):
            check(f"{label}[{i}]", v)

    return what, check_fixed


def _compile_dict(args, allowed):
    if not args:
        return "a dict", _instance_check(dict, "a dict")
    key, val = (_compile(a, allowed)[1] for a in args)

    def check_mapping(label, value):
        if not isinstance(value, dict):
            raise TypeError(f"{label} must be a dict, got {type(value).__name__}")
        for k, v in value.items():
            key(f"{label} key", k)
            val(f"{label}[{k!r}]", v)

    return "a dict", check_mapping


def _instance_check(cls, what):
    def check_instance(label, value):
        if not isinstance(value, cls):
            raise TypeError(f"{label} must be {what}, got {type(value).__name__}")

    return check_instance


def _nonfinite_kind(value) -> str:
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _also(allowed) -> str:
    return f" or {', '.join(sorted(allowed))}" if allowed else ""
