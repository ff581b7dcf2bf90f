"""Every self-check against thousands of adversarial
answers, and every numeric check at its precision.

The checks are found by walking the modules of ``vgp_lib.exercises``, so a new
check is fuzzed without touching this file; one whose call needs more than the
answer must be given its other arguments in :data:`CONTEXT`, or
:func:`test_every_check_is_covered` fails.

Two properties:

* **Junk is never right and never crashes.** None, strings, booleans,
  ``10**400``, NaN, infinities, complex numbers, arrays of every wrong shape and
  dtype, containers of the wrong length, objects whose ``__eq__``,
  ``__float__``, ``__len__``, ``__iter__`` or ``__array__`` raise, functions
  that raise, return junk or never return, torch models with missing parts:
  each gets a :class:`Feedback` that is not "correct", and no exception.
  Numbers in the junk stay far (|x| >= 1e6 or <= 1e-6) from every reference,
  so none of them is right by luck.
* **The stated precision is the judged precision.** For each numeric check,
  an answer within ``check.rule`` of the reference is correct and one outside
  it is not.
"""

from __future__ import annotations

import decimal
import fractions
import inspect
import itertools
import math
import signal
import time

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch import nn

import vgp_lib.exercises as exercises
from booktools.references import REFERENCES
from tests.exercises.conftest import CHECKS, CONTEXT
from vgp_lib.exercises import CORRECT, Exactly, Feedback, Pair, SignificantFigures
from vgp_lib.exercises.diagnosing import true_stuck
from vgp_lib.models import build_mlp

#: The other arguments of checks that take more than the answer: (before the answer, after it).
#: Answers that are right without being numbers near a
#: reference (the fuzz must not count them as accepted junk).
RIGHT: dict = {
    # a prediction is True or False: either boolean is an answer, not junk
    "check_warmup": lambda a: isinstance(a, (bool, np.bool_)),
}
FUZZ_TIME_LIMIT = 0.2  # seconds, for the checks that run the reader's code
WATCHDOG = 20.0  # seconds any single check may take before the test fails instead of hanging
BROKEN_CHECK = (
    "the check could not evaluate"  # the guard's words: a bug in a check, never acceptable here
)
COUNTS = {"cases": 0, "exceptions": 0, "accepted": 0}
FUZZ = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)


class Watchdog(BaseException):
    """A check took longer than :data:`WATCHDOG` seconds."""


def call(name: str, answer) -> Feedback:
    """Call check ``name`` with ``answer``, its context and a short time limit, under a watchdog."""
    check = CHECKS[name]
    before, after = CONTEXT.get(name, ((), ()))
    kwargs = (
        {"time_limit": FUZZ_TIME_LIMIT}
        if "time_limit" in inspect.signature(check).parameters
        else {}
    )

    def bark(signum, frame):
        raise Watchdog(f"{name} took more than {WATCHDOG:g} s")

    previous = signal.signal(signal.SIGALRM, bark)
    signal.setitimer(signal.ITIMER_REAL, WATCHDOG)
    try:
        return check(*before, answer, *after, **kwargs)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def reference(name: str):
    before, after = CONTEXT.get(name, ((), ()))
    return REFERENCES[CHECKS[name].exercise](*before, *after)


def assert_rejected(name: str, answer) -> None:
    """The junk property: a Feedback, not "correct", not from the guard, and no exception."""
    COUNTS["cases"] += 1
    try:
        fb = call(name, answer)
    except Exception:
        COUNTS["exceptions"] += 1
        raise
    assert isinstance(fb, Feedback), f"{name} returned {type(fb).__name__}"
    if fb.status == CORRECT and not RIGHT.get(name, lambda a: False)(answer):
        COUNTS["accepted"] += 1
        raise AssertionError(f"{name} accepted junk {exercises.short_repr(answer)}: {fb}")
    assert BROKEN_CHECK not in fb.message, f"{name} broke on {exercises.short_repr(answer)}: {fb}"
    str(fb), fb._repr_html_()  # the notebook displays it: that must not fail either


# --------------------------------------------------------------------------- junk


def _far_number_types(x):
    """``x`` in the types a reader's code may produce: int,
    float, NumPy, 0-d arrays, torch, Fraction, Decimal."""
    out = [x]
    try:
        f = float(x)
    except OverflowError:
        return out + [decimal.Decimal(x), -x]
    out += [
        np.float64(f),
        np.array(f),
        decimal.Decimal(repr(f)),
        str(x),
        torch.tensor(f, dtype=torch.float64),
    ]
    if math.isfinite(f):
        out += [fractions.Fraction(f), np.array([[f]])]
    if isinstance(x, int) and abs(x) < 2**63:
        out += [np.int64(x)]
    return out


def _not_a_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return True
    return False


FAR = st.one_of(
    st.floats(min_value=1e6, allow_infinity=False),
    st.floats(max_value=-1e6, allow_infinity=False),
    st.floats(min_value=-1e-6, max_value=1e-6),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, 0.0, -0.0]),
    st.integers(min_value=10**6, max_value=10**500),
    st.integers(min_value=-(10**500), max_value=-(10**6)),
    st.sampled_from([400, 5000]).map(
        lambda k: 10**k
    ),  # 10**5000 is past str()'s 4300 digits: no repr
).flatmap(lambda x: st.sampled_from(_far_number_types(x)))

DTYPES = st.one_of(
    hnp.integer_dtypes(),
    hnp.unsigned_integer_dtypes(),
    hnp.floating_dtypes(),
    hnp.complex_number_dtypes(),
    hnp.boolean_dtypes(),
    hnp.unicode_string_dtypes(),
    hnp.byte_string_dtypes(),
    hnp.datetime64_dtypes(),
)
ARRAYS = hnp.arrays(DTYPES, hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))

EXCEPTIONS = st.sampled_from(
    [
        ValueError,
        TypeError,
        ZeroDivisionError,
        RecursionError,
        RuntimeError,
        KeyError,
        StopIteration,
        AttributeError,
        MemoryError,
        SystemExit,
        GeneratorExit,
    ]
)


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("__str__ of an exception")


class Bare(BaseException):
    """Not an Exception: an ``except Exception`` in a check would miss it."""


DUNDERS = [
    "__eq__",
    "__ne__",
    "__lt__",
    "__hash__",
    "__bool__",
    "__float__",
    "__int__",
    "__index__",
    "__complex__",
    "__len__",
    "__iter__",
    "__array__",
    "__repr__",
    "__str__",
    "__format__",
    "__getattr__",
    "__getitem__",
    "__contains__",
    "__abs__",
    "__neg__",
    "__call__",
    "__round__",
]


def hostile(names, error, base=object):
    """An object (of ``base``) whose methods ``names`` all raise ``error``."""

    def boom(self, *args, **kwargs):
        raise error("hostile " + base.__name__)

    namespace = {n: boom for n in names}
    if "__hash__" not in names and base is object:
        namespace["__hash__"] = object.__hash__
    cls = type("Hostile" + base.__name__.capitalize(), (base,), namespace)
    args = {
        object: (),
        float: (3e7,),
        int: (10**7,),
        str: ("inp",),
        list: ([1e7, 1e7],),
        tuple: ((1e7, 1e-7),),
    }[base]
    return cls(*args)


HOSTILE = st.builds(
    hostile,
    st.sets(st.sampled_from(DUNDERS), min_size=1),
    st.sampled_from([RuntimeError, ValueError, TypeError, OverflowError, Unprintable]),
    st.sampled_from([object, float, int, str, list, tuple]),
)

LEAVES = st.one_of(
    st.none(),
    st.just(Ellipsis),
    st.booleans(),
    st.sampled_from([np.True_, np.False_]),
    FAR,
    st.complex_numbers(),
    st.builds(np.complex128, st.complex_numbers()),
    st.text(max_size=12).filter(_not_a_number),
    st.sampled_from(["1e400", "nan", "-inf", "1e9", "", " ", "8 layers"]),
    st.binary(max_size=8),
    ARRAYS,
    HOSTILE,
    st.builds(lambda n: torch.ones(n, 3), st.integers(0, 3)),
    st.sampled_from(
        [object(), int, math.sin, itertools.count(), {"a": 1}, {1, 2}, range(3), slice(1)]
    ),
)


def object_array(items):
    """A 1-d object array holding ``items`` as they are (np.array would look inside them)."""
    a = np.empty(len(items), dtype=object)
    for i, v in enumerate(items):
        a[i] = v
    return a


NAMES = [n for n in ("inp", *[f"hidden.{i}" for i in range(10)], "out")]
CONTAINERS = st.one_of(
    st.lists(LEAVES, max_size=6),
    st.lists(LEAVES, max_size=6).map(tuple),
    st.lists(
        st.sampled_from(NAMES), max_size=len(true_stuck()) - 1
    ),  # real names, never the full stuck set
    st.lists(FAR, min_size=2, max_size=5).map(tuple),
    st.builds(lambda n: itertools.repeat("inp", n), st.integers(0, 50)),
    st.builds(lambda x: object_array(x), st.lists(LEAVES, min_size=1, max_size=4)),
)


def function(behaviour, payload, error):
    """A reader's function gone wrong: it raises, returns
    junk, echoes an argument, or takes the wrong arguments."""
    if behaviour == "raise":

        def f(*args, **kwargs):
            raise error
    elif behaviour == "return":

        def f(*args, **kwargs):
            return payload
    elif behaviour == "echo":

        def f(*args, **kwargs):
            return args[0] if args else payload
    elif behaviour == "no arguments":

        def f():
            return payload
    elif behaviour == "generator":

        def f(*args, **kwargs):
            yield payload
    elif behaviour == "nand of junk":

        def f(*args, **kwargs):
            return args[-1](payload) if args and callable(args[-1]) else payload
    else:  # "list of junk"

        def f(*args, **kwargs):
            return [payload, payload]

    return f


FUNCTIONS = st.builds(
    function,
    st.sampled_from(
        ["raise", "return", "echo", "no arguments", "generator", "nand of junk", "list of junk"]
    ),
    LEAVES,
    st.one_of(EXCEPTIONS.map(lambda e: e("student bug")), st.builds(Unprintable), st.builds(Bare)),
)


# ------------------------------------------------------------------------ models with missing parts


class Forwardless(nn.Module):
    """No forward at all: calling it raises NotImplementedError."""


class Constant(nn.Module):
    def forward(self, x):
        return torch.zeros(len(x), 10, dtype=x.dtype)


class OnlyBias(nn.Module):
    def __init__(self):
        super().__init__()
        self.b = nn.Parameter(torch.zeros(10, dtype=torch.float64))

    def forward(self, x):
        return torch.zeros(len(x), 10, dtype=torch.float64) + self.b


class Wrapped(nn.Module):
    """A 12-layer MLP whose output ``how`` breaks."""

    def __init__(self, how):
        super().__init__()
        self.how = how
        self.net = build_mlp(
            n_in=32, width=48, n_out=10, depth=11, activation="relu", init="he", seed=0
        )

    def forward(self, x):
        if self.how == "no_grad":
            with torch.no_grad():
                return self.net(x)
        out = self.net(x)
        return {
            "detach": lambda: out.detach(),
            "tuple": lambda: (out, out),
            "wrong shape": lambda: out[:, :5],
            "transposed": lambda: out.T,
            "nan": lambda: out * math.nan,
            "inf": lambda: out * math.inf,
            "int": lambda: out.long(),
            "numpy": lambda: out.detach().numpy(),
            "raise": lambda: 1 / 0,
            "first layer only": lambda: self.net[0](x)[:, :10],
            "none": lambda: None,
        }[self.how]()


class Unused(nn.Module):
    """Twelve layers, only one of them in forward."""

    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(32, 32, dtype=torch.float64) for _ in range(11))
        self.out = nn.Linear(32, 10, dtype=torch.float64)

    def forward(self, x):
        return self.out(x)


class BadParameters(nn.Module):
    def parameters(self, recurse=True):
        raise RuntimeError("parameters() is broken")

    def forward(self, x):
        return torch.zeros(len(x), 10)


MODELS = [
    Forwardless,
    Constant,
    OnlyBias,
    Unused,
    BadParameters,
    nn.Identity,
    nn.Sequential,
    lambda: nn.Linear(32, 10),
    lambda: nn.Linear(5, 10),
    lambda: build_mlp(n_in=32, width=48, n_out=10, depth=2, activation="relu", init="he", seed=0),
    lambda: build_mlp(
        n_in=32, width=48, n_out=10, depth=11, activation="sigmoid", seed=0
    ),  # still stuck
    lambda: build_mlp(
        n_in=32, width=48, n_out=10, depth=11, activation="tanh", init="he", gain=2.5, seed=0
    ),
    lambda: build_mlp(n_in=31, width=48, n_out=10, depth=11, activation="relu", init="he", seed=0),
    lambda: build_mlp(n_in=32, width=48, n_out=9, depth=11, activation="relu", init="he", seed=0),
    *[
        (lambda how=how: Wrapped(how))
        for how in [
            "no_grad",
            "detach",
            "tuple",
            "wrong shape",
            "transposed",
            "nan",
            "inf",
            "int",
            "numpy",
            "raise",
            "first layer only",
            "none",
        ]
    ],
]
MODEL_ANSWERS = st.sampled_from(MODELS).map(lambda make: make())

JUNK = st.one_of(LEAVES, CONTAINERS, FUNCTIONS, MODEL_ANSWERS)


# -------------------------------------------------------------------------- never-returning answers


def spin(*args, **kwargs):
    while True:
        pass


def sleep(*args, **kwargs):
    time.sleep(3600)


def retry(*args, **kwargs):
    while True:  # a reader's retry loop: it swallows every Exception, but not the time limit
        try:
            spin()
        except Exception:
            continue


class SpinningModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(32, 10)

    def forward(self, x):
        spin()


def endless():
    return itertools.count()


# --------------------------------------------------------------------------- the tests


def test_every_check_is_covered():
    assert len(CHECKS) >= 18, sorted(CHECKS)
    for name, check in CHECKS.items():
        required = [
            p
            for p in inspect.signature(check).parameters.values()
            if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        assert len(required) == 1 or name in CONTEXT, (
            f"{name} needs {[p.name for p in required]}: add its other arguments to CONTEXT"
        )
        assert isinstance(check.precision, str) and check.precision, f"{name} states no precision"
        if check.rule.numeric:
            assert check.exercise in REFERENCES, f"{name} has a numeric precision but no reference"
        assert not hasattr(check, "reference"), f"{name} hands its answer to the reader"
    assert set(CONTEXT) <= set(CHECKS), (
        f"CONTEXT names checks that no longer exist: {set(CONTEXT) - set(CHECKS)}"
    )


FIXED = [
    None,
    ...,
    True,
    False,
    np.True_,
    0,
    -0.0,
    10**400,
    -(10**400),
    10**5000,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    5e-324,
    1e-300,
    1e300,
    3 + 4j,
    np.complex128(1j),
    "",
    "abc",
    "1e400",
    "nan",
    b"8",
    np.array([]),
    np.zeros((2, 3)),
    np.array(["inp"]),
    object_array([None, 1.0]),
    np.array([1 + 1j]),
    [],
    (),
    [None] * 5,
    (1e9,),
    (1e9, 1e9, 1e9),
    {"w1": 1},
    itertools.count(),
    endless(),
    object(),
    hostile(DUNDERS, RuntimeError),
    hostile(DUNDERS, Unprintable, list),
    hostile(DUNDERS, RuntimeError, tuple),
    hostile(DUNDERS, RuntimeError, float),
    hostile(DUNDERS, RuntimeError, int),
    hostile(DUNDERS, ValueError, str),
    *[
        function(b, 1e9, Bare())
        for b in ["raise", "return", "echo", "no arguments", "generator", "nand of junk"]
    ],
    spin,
    sleep,
    retry,
    *[make() for make in MODELS],
    SpinningModel(),
]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_fixed_junk_is_never_right_and_never_crashes(name):
    for answer in FIXED:
        start = time.monotonic()
        assert_rejected(name, answer)
        assert time.monotonic() - start < FUZZ_TIME_LIMIT + 5, (
            f"{name} took too long on {exercises.short_repr(answer)}"
        )


@pytest.mark.parametrize("name", sorted(CHECKS))
@FUZZ
@given(answer=JUNK)
def test_random_junk_is_never_right_and_never_crashes(name, answer):
    assert_rejected(name, answer)


def test_the_fuzz_threw_enough(request):
    """At least 2,000 junk answers in all (when the whole file runs), none raised, none accepted."""
    print(
        f"\nexercise fuzz: {COUNTS['cases']} cases, {COUNTS['exceptions']} exceptions, "
        f"{COUNTS['accepted']} wrong answers accepted"
    )
    if COUNTS["cases"] < len(CHECKS) * (len(FIXED) + FUZZ.max_examples):
        pytest.skip("only part of the fuzz ran")
    assert COUNTS["cases"] >= 2000 and COUNTS["exceptions"] == 0 and COUNTS["accepted"] == 0


# ----------------------------------------------------------- precision: inside right, outside wrong

NUMERIC = sorted(name for name, check in CHECKS.items() if check.rule.numeric)


def _refs(rule, r):
    return (r, -r) if getattr(rule, "either_sign", False) else (r,)


def _inside(data, rule, r):
    """A value within ``rule`` of reference ``r``: a shade
    inside the tolerance, or the rounded reference."""
    q = data.draw(st.sampled_from(_refs(rule, r)))
    if isinstance(rule, Exactly):
        return data.draw(
            st.sampled_from([int(q), float(q), np.int64(q), np.float64(q), str(int(q))])
        )
    if isinstance(rule, SignificantFigures) and data.draw(st.booleans()):
        return rule.rounded(q)
    return q + data.draw(st.floats(-0.999, 0.999)) * rule.tolerance(q)


def _outside(data, rule, r):
    """A value beyond ``rule``'s tolerance from every accepted reference."""
    if isinstance(rule, Exactly):
        step = data.draw(st.one_of(st.integers(1, 10**6), st.floats(0.001, 0.999)))
        return r + data.draw(st.sampled_from([-1, 1])) * step
    tol = rule.tolerance(r)
    x = r + data.draw(st.sampled_from([-1, 1])) * tol * (1.001 + data.draw(st.floats(0, 1e6)))
    return (
        x
        if all(abs(x - q) > 1.001 * rule.tolerance(q) for q in _refs(rule, r))
        else r + 2 * abs(r) + 1
    )


@pytest.mark.parametrize("name", NUMERIC)
@settings(max_examples=80, deadline=None, database=None)
@given(data=st.data())
def test_answers_within_the_stated_precision_are_right_and_beyond_it_wrong(name, data):
    rule, r = CHECKS[name].rule, reference(name)
    if isinstance(rule, Pair):
        inside = [data.draw(st.booleans()), data.draw(st.booleans())]
        rules = (rule.first, rule.second)
        parts = [
            (_inside if ok else _outside)(data, sub, ref) for ok, sub, ref in zip(inside, rules, r)
        ]
        fb = call(name, tuple(parts))
        assert fb.correct == all(inside), (parts, r, fb)
        return
    if data.draw(st.booleans()):
        x = _inside(data, rule, r)
        fb = call(name, x)
        assert fb.correct, (
            f"{name}: {x!r} is within {rule.phrase} of the reference but judged wrong",
            fb,
        )
    else:
        x = _outside(data, rule, r)
        fb = call(name, x)
        assert not fb.correct, (f"{name}: {x!r} is beyond {rule.phrase} but judged right", fb)


def test_the_tanh_scale_is_right_exactly_when_the_net_is_balanced():
    from vgp_lib.exercises.initialisation import BALANCE_BAND, balance_ratio, check_tanh_scale

    for scale in (0.9, 1.0, 1.1, 1.15, 1.2, 1.25, 1.3, 1.35, 1.4, 1.45, 1.5, 2.0):
        ratio = balance_ratio(scale)
        assert check_tanh_scale(scale).correct == (1 / BALANCE_BAND <= ratio <= BALANCE_BAND), scale
