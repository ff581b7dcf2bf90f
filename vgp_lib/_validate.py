"""Argument checks shared by the public functions.

The public functions of vgp_lib (those a chapter or a reader calls) validate their inputs with
these helpers, so bad input fails early with a ``ValueError``/``TypeError`` that names the
parameter and the allowed range, instead of a NaN, a deep traceback or a call that fills the
memory. Private helpers, result classes and inner loops take their inputs as given.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
import numbers
import reprlib
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
MAX_ITEMS = 10**6  # items of a sequence argument, counted before it is materialised

#: Memory a single public call may allocate for its arrays, in bytes. Each limit above is
#: generous on its own; together (a wide layer times many seeds times a long grid) they can still
#: ask for tens of gigabytes, so a call estimates its arrays' size and is refused above this
#: budget. The book's largest call needs well under a tenth of it.
MEMORY_BUDGET = 4 * 10**9


def describe(value) -> str:
    """A short text for ``value`` in an error message.

    Integers of more than 30 digits are described by their size: ``str()`` of an integer over
    4,300 digits raises its own error, and a thousand digits help nobody.

    >>> describe(10**5000)
    'an integer of 5001 digits'
    >>> describe("swish")
    "'swish'"
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_)):
        value = int(value)
        if abs(value) >= 10**30:
            return f"an integer of {_digits(abs(value))} digits"
    try:
        return reprlib.repr(value)
    except ValueError:  # a container holding an integer beyond str()'s limit
        return f"a {type(value).__name__}"


def _digits(n: int) -> int:
    """The number of decimal digits of ``n`` > 0, without converting it to a string."""
    d = max(1, int(n.bit_length() * math.log10(2)))
    return d + 1 if n >= 10**d else d


def check_int(name: str, value, *, lo=None, hi=None, why: str = "") -> int:
    """Return ``value`` as an ``int`` if it is an integer in ``[lo, hi]``; ``why`` names what a
    bound depends on (``" for depth=4"``).

    >>> check_int("n", 3, lo=1)
    3
    >>> check_int("n", 0, lo=1)
    Traceback (most recent call last):
    ...
    ValueError: n must be an integer >= 1, got 0
    """
    rng = _range_text(lo, hi) + why
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be an integer{rng}, got {type(value).__name__} {describe(value)}"
        )
    if not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer{rng}, got {describe(value)}")
    value = int(value)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name} must be an integer{rng}, got {describe(value)}")
    return value


def check_memory(name: str, n_bytes: float, *, budget: float = MEMORY_BUDGET) -> None:
    """Refuse a call whose arrays would take more than ``budget`` bytes, naming ``name``, the
    parameter that sets the size (``"a and b"`` for two).

    >>> check_memory("sizes", 8 * 100_000 * 100_000)
    Traceback (most recent call last):
    ...
    ValueError: sizes asks for about 80 GB of memory, over the 4 GB budget; choose smaller sizes
    """
    if n_bytes > budget:
        raise ValueError(
            f"{name} {'ask' if ' and ' in name else 'asks'} for about {n_bytes / 1e9:.3g} GB of "
            f"memory, over the {budget / 1e9:.3g} GB budget; choose smaller {name}"
        )


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
        raise TypeError(
            f"{name} must be a real number, got {type(value).__name__} {describe(value)}"
        )
    try:
        value = float(value)
    except OverflowError:  # an integer beyond the float range, e.g. 10**400
        raise ValueError(f"{name} must be a finite real number, got {describe(value)}") from None
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


def check_choice(name: str, value, choices: Iterable):
    """Return ``value`` if it is one of ``choices`` (strings, or other values of one type such as
    torch dtypes); a value of another type is a ``TypeError``.

    >>> check_choice("activation", "relu", ["sigmoid", "relu"])
    'relu'
    >>> check_choice("activation", "swish", ["sigmoid", "relu"])
    Traceback (most recent call last):
    ...
    ValueError: activation must be one of 'sigmoid', 'relu'; got 'swish'
    """
    choices = list(choices)
    allowed = ", ".join(repr(c) for c in choices)
    if not isinstance(value, tuple({type(c) for c in choices}) or str):
        raise TypeError(
            f"{name} must be one of {allowed}; got {type(value).__name__} {describe(value)}"
        )
    if value not in choices:
        raise ValueError(f"{name} must be one of {allowed}; got {describe(value)}")
    return value


def as_numpy(value, name: str = "value"):
    """``value`` with any torch tensor (also one with ``requires_grad=True``) turned into a NumPy
    array; anything else unchanged. Torch is not imported for this. A ``range`` of more than
    :data:`MAX_GRID` numbers is refused, naming ``name``, before NumPy materialises it."""
    if isinstance(value, range):
        check_sequence(name, value, what="numbers", max_len=MAX_GRID)
    if callable(getattr(value, "detach", None)) and hasattr(value, "numpy"):
        return value.detach().cpu().numpy()
    return value


def check_array(
    name: str, value, *, ndim: int | None = None, finite: bool = True, keep_dtype: bool = False
) -> np.ndarray:
    """Return ``value`` as a float64 array, rejecting non-numbers, NaN and inf. With
    ``keep_dtype``, integer and float arrays keep their dtype (float32 pixels, integer labels).

    Strings, booleans, complex numbers and ``None`` are not real numbers, so they
    are refused rather than converted (``'7'`` would otherwise become 7.0 and
    ``1+2j`` would lose its imaginary part). Torch tensors are detached and copied.

    >>> check_array("w", [1, 2]).dtype
    dtype('float64')
    >>> check_array("w", [1.0, float("inf")])
    Traceback (most recent call last):
    ...
    ValueError: w must contain only finite numbers (found nan or inf)
    """
    what = f"{name} must be an array of real numbers"
    try:
        raw = np.asarray(as_numpy(value, name))
    except (TypeError, ValueError, OverflowError):  # ragged nesting, unconvertible objects
        raise TypeError(f"{what}, got {type(value).__name__}") from None
    if raw.dtype.kind not in "iuf" and not (raw.dtype.kind == "O" and _all_real(raw)):
        raise TypeError(f"{what}, got {type(value).__name__} of dtype {raw.dtype}")
    try:
        arr = raw if keep_dtype and raw.dtype.kind in "iuf" else raw.astype(np.float64)
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
        raise TypeError(
            f"{name} must be True or False, got {type(value).__name__} {describe(value)}"
        )
    return bool(value)


def check_sequence(
    name: str, value, *, what: str = "values", min_len: int = 1, max_len: int = MAX_ITEMS
) -> tuple:
    """Return ``value`` as a tuple if it is a sequence (list, tuple, range, 1-D array) of
    ``min_len`` to ``max_len`` items. The length is checked before the items are copied, so
    ``range(10**12)`` is refused at once.

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
            f"{name} must be a sequence of {what}, got {type(value).__name__} {describe(value)}"
        )
    try:
        n = len(value)
    except TypeError:  # an iterator or generator: take one item more than allowed
        value = tuple(itertools.islice(value, max_len + 1))
        n = len(value)
    except OverflowError:  # len() beyond sys.maxsize, e.g. range(10**30)
        n = math.inf
    if n < min_len or n > max_len:
        size = "more than sys.maxsize" if n == math.inf else describe(n)
        raise ValueError(f"{name} must hold between {min_len} and {max_len:,} {what}, got {size}")
    return tuple(value)


def check_labelled(
    x_name: str, x, y_name: str, y, *, n_classes: int | None = None, width: int | None = None
):
    """``x`` (n, ...) of finite real numbers and ``y`` (n,) of integer labels, as arrays; with
    ``width``, ``x`` must be (n, width).

    >>> x, y = check_labelled("x", [[0.5], [1.0]], "y", [0, 1])
    >>> x.shape, y.dtype.kind
    ((2, 1), 'i')
    """
    x = np.asarray(as_numpy(x, x_name))
    y = np.asarray(as_numpy(y, y_name))
    if x.dtype.kind not in "iuf":
        raise TypeError(f"{x_name} must be an array of real numbers, got dtype {x.dtype}")
    if y.dtype.kind not in "iu":
        raise TypeError(f"{y_name} must hold integer class labels, got dtype {y.dtype}")
    if (
        x.ndim < 2
        or y.ndim != 1
        or len(x) != len(y)
        or len(x) == 0
        or (width is not None and x.shape[1:] != (width,))
    ):
        raise ValueError(
            f"{x_name} must be (n, {'...' if width is None else width}) and {y_name} (n,) with "
            f"the same n >= 1, got shapes {x.shape} and {y.shape}"
        )
    if not np.isfinite(x).all():
        raise ValueError(f"{x_name} must contain only finite numbers (found nan or inf)")
    top = "" if n_classes is None else f", {n_classes - 1}"
    if y.min() < 0 or (n_classes is not None and y.max() >= n_classes):
        raise ValueError(f"{y_name} must hold class labels in [0{top or ', ...'}]")
    return x, y


def check_reals(name: str, values, *, max_len: int = MAX_ITEMS, **bounds) -> np.ndarray:
    """``values``, a sequence of real numbers each within ``bounds`` (keywords of
    :func:`check_real`), as a float64 array.

    >>> check_reals("steps", [0.1, 1], lo=0, lo_open=True)
    array([0.1, 1. ])
    """
    values = check_sequence(name, values, what="numbers", max_len=max_len)
    return np.array([check_real(name, v, **bounds) for v in values])


def check_arrays(name: str, values, *, keep_dtype: bool = False) -> list:
    """``values``, a sequence of arrays (e.g. one gradient per parameter), as float64 arrays
    (or their own dtypes, with ``keep_dtype``).

    >>> check_arrays("grads", [[1, 2], [3]])
    [array([1., 2.]), array([3.])]
    """
    if isinstance(values, np.ndarray):
        raise TypeError(f"{name} must be a sequence of arrays, got one array")
    values = check_sequence(name, values, what="arrays")
    return [check_array(f"{name}[{i}]", v, keep_dtype=keep_dtype) for i, v in enumerate(values)]


def check_seeds(name: str, seed) -> tuple:
    """``seed`` (a non-negative integer or a sequence of them) as a tuple of ints, one per run.

    >>> check_seeds("seed", 3), check_seeds("seeds", range(2))
    ((3,), (0, 1))
    """
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        seed = (seed,)
    seeds = check_sequence(name, seed, what="seeds", max_len=MAX_SEEDS)
    return tuple(check_int(name, s, lo=0, hi=MAX_SEED) for s in seeds)


def check_sgd(eta, lmbda, n) -> tuple:
    """``(eta, lmbda, n)`` of L2-regularised SGD: a step size ``eta`` > 0, a weight decay ``lmbda``
    >= 0 and a training-set size ``n`` >= 1 whose decay factor 1 - eta lmbda / n is not negative.

    >>> check_sgd(0.1, 5.0, 1000)
    (0.1, 5.0, 1000)
    """
    eta = check_real("eta", eta, lo=0, lo_open=True)
    lmbda = check_real("lmbda", lmbda, lo=0)
    n = check_int("n", n, lo=1, hi=10**9)
    if eta * lmbda / n > 1:
        raise ValueError(
            f"eta * lmbda / n must be at most 1 (the weight decay factor 1 - eta lmbda / n "
            f"would be negative), got eta = {eta:g}, lmbda = {lmbda:g}, n = {n}"
        )
    return eta, lmbda, n


def check_pair(name: str, data, **kwargs):
    """A pair ``(x, y)`` of examples and labels, checked by :func:`check_labelled` under the
    pair's name (``kwargs`` as there)."""
    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(
            f"{name} must be a pair (x, y) of examples and labels, got {type(data).__name__}"
        )
    return check_labelled(name, data[0], name, data[1], **kwargs)


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
    except TypeError:  # an unknown name is a bad value, anything else a bad type
        error = ValueError if isinstance(dtype, str) else TypeError
        raise error(
            f"{name} must be one of {allowed}; got {type(dtype).__name__} {describe(dtype)}"
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


def check_instance(name: str, value, kind, what: str | None = None):
    """Return ``value`` if it is a ``kind`` (a class or a tuple of classes, e.g. a result class of
    a compute module); otherwise raise ``TypeError`` naming the parameter ``name`` and ``what``
    it must be (by default the class's full name), before the value is used.

    >>> check_instance("n", 3.0, int)
    Traceback (most recent call last):
    ...
    TypeError: n must be a builtins.int, got float
    """
    if not isinstance(value, kind):
        what = what or f"a {kind.__module__}.{kind.__name__}"
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def check_instances(name: str, values, kind: type) -> list:
    """Return ``values`` as a list if it is a non-empty sequence of ``kind`` results."""
    values = check_sequence(name, values, what=f"{kind.__name__} results")
    return [check_instance(name, value, kind) for value in values]


def checked(*joint, **rules):
    """Decorator: check the arguments before the function runs, so that a function the book
    prints starts with its mathematics.

    A rule is a class (the argument must be an instance of it) or a function
    ``rule(name, value)`` returning the value to use, e.g. :func:`check_array` or
    ``functools.partial(check_real, lo=0)``; defaults pass the same rule. A ``joint`` rule
    checks arguments against each other: it is called with all of them by name, after the
    others, and returns ``None`` or a dict of converted values.

    >>> @checked(n=check_int)
    ... def double(n):
    ...     return 2 * n
    >>> double("3")
    Traceback (most recent call last):
    ...
    TypeError: n must be an integer, got str '3'
    """

    def decorate(function):
        signature = inspect.signature(function)

        @functools.wraps(function)
        def with_checks(*args, **kwargs):
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            for name, value in bound.arguments.items():
                rule = rules.get(name)
                if isinstance(rule, type):
                    check_instance(name, value, rule)
                elif rule is not None:
                    bound.arguments[name] = rule(name, value)
            for rule in joint:
                bound.arguments.update(rule(**bound.arguments) or {})
            return function(*bound.args, **bound.kwargs)

        return with_checks

    return decorate
