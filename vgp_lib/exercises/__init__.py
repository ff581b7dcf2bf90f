"""Self-checks for the book's exercises.

Each exercise with a computable answer has a checking function in a module of
this package named after its chapter (``vgp_lib.exercises.circuits``, ...).
Three promises hold for every check:

* **It teaches, it does not tell.** A wrong answer hears what is off — the
  sign, the order of magnitude, too large or too small, the usual mistake it
  matches — and gets a hint, but never the expected value nor an exact ratio
  to it (from either the answer would be one division away).
* **It states its precision.** Every check carries ``check.precision``, a
  short phrase such as ``"3 significant figures"`` that the exercise's text
  tells the reader, and an answer within that precision is correct. The rule
  behind the phrase is ``check.rule`` (a :class:`Precision`). The function
  computing each answer is kept away from the check (a reader could call it):
  the tests find it in the private table ``vgp_lib.exercises._references``.
* **It never raises on an answer.** Strings, arrays, huge integers, objects
  whose ``__float__`` raises, functions that crash or never return: each gets
  a :class:`Feedback`. A student's function (or model) runs under a time limit
  (:func:`run_limited`). Students' notebooks start with ``answer = ...``
  (Ellipsis), which every check reports as *not attempted yet*.
"""

from __future__ import annotations

import functools
import html
import inspect
import math
import numbers
import signal
import threading
import time
import warnings
from dataclasses import dataclass

import numpy as np

from .._validate import Result, check_choice, check_instance, check_int, check_real

CORRECT, INCORRECT, NOT_ATTEMPTED = "correct", "incorrect", "not attempted"
#: What the feedback box says first, for each status.
VERDICTS = {CORRECT: "Correct", INCORRECT: "Incorrect", NOT_ATTEMPTED: "Not attempted yet"}
#: Seconds a student's function may run, in all, during one check.
TIME_LIMIT = 3.0
#: Longest time limit :func:`run_limited` takes (a day; a student's code needs seconds).
MAX_SECONDS = 86_400.0


def _text(name: str, value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__} {show(value)}")
    return value


def _number(name: str, x):
    """``x`` itself if it is a real number (or a 0-d real array or tensor); nan and inf pass."""
    if type(x) is float:
        return x
    if type(x) is int or (isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))):
        if int(x).bit_length() > 1024:
            raise ValueError(
                f"{name} must be a real number within the float range, "
                f"got an integer of {len(str(abs(int(x))))} digits"
            )
        return x
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_)):
        return x
    if getattr(x, "ndim", None) == 0 and hasattr(x, "item"):  # a 0-d NumPy array, a torch scalar
        try:
            item = x.item()
        except Exception:
            item = None
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            return x
    raise TypeError(f"{name} must be a real number, got {type(x).__name__} {show(x)}")


def _finite_number(name: str, x):
    """``x`` itself if it is a finite real number (see :func:`_number`)."""
    _number(name, x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite real number, got {x!r}")
    return x


@dataclass(frozen=True)
class Feedback(Result):
    """The outcome of a self-check: ``status``, an explanation and a hint."""

    exercise: str
    status: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        check_choice("Feedback.status", self.status, (CORRECT, INCORRECT, NOT_ATTEMPTED))

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        icon = {CORRECT: "✔", INCORRECT: "✘", NOT_ATTEMPTED: "…"}[self.status]
        text = f"{icon} [{self.exercise}] {self.status}: {self.message}"
        return text + (f"\n  hint: {self.hint}" if self.hint else "")

    def _repr_html_(self) -> str:
        """The box a reader sees under the check: a verdict in words, then the message.

        The exercise's label stays out of sight (in ``data-exercise``): the box sits
        right under the exercise it answers.
        """
        colour = {CORRECT: "#1a7f37", INCORRECT: "#b3261e", NOT_ATTEMPTED: "#6e6e6e"}[self.status]
        hint = f"<br><em>Hint:</em> {html.escape(self.hint)}" if self.hint else ""
        return (
            f'<div class="vgp-feedback vgp-{self.status.replace(" ", "-")}" '
            f'data-exercise="{html.escape(self.exercise)}" '
            f'style="border-left:4px solid {colour};padding:0.3em 0.8em">'
            f"<strong>{html.escape(VERDICTS[self.status])}:</strong> "
            f"{html.escape(self.message)}{hint}</div>"
        )


def not_attempted(answer) -> bool:
    """True for the placeholders students start from: ``...`` or ``None``."""
    return answer is Ellipsis or answer is None


def pending(exercise: str, what: str) -> Feedback:
    """Feedback for an answer that is still the placeholder (the check cell follows the
    exercise's cell, which holds the ``...``)."""
    _text("what", what)
    return Feedback(
        exercise,
        NOT_ATTEMPTED,
        f"replace the ... in the cell above with {what}, then run both cells.",
    )


# --------------------------------------------------------------------------- reading answers safely


def show(obj, limit: int = 60) -> str:
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
        return None, f"{type(x).__name__} {show(x)}"
    if isinstance(x, (complex, np.complexfloating)) or (
        isinstance(x, np.ndarray) and x.dtype.kind == "c"
    ):
        return None, f"the complex number {show(x)}"
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
        return None, f"{type_name(x)} {show(x)}"
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
        return None, f"got {type_name(answer)} {show(answer)}"
    if items is None:
        return None, f"got {n} item(s)"
    values = []
    for name, v in zip(("the first", "the second"), items):
        value, problem = read_number(v)
        if problem:
            return None, f"{name} item is {problem}"
        values.append(value)
    return (values[0], values[1]), None


def as_number(exercise: str, answer, what: str):
    """``(float, None)`` for a real number, or ``(None, Feedback)`` explaining the problem."""
    _text("exercise", exercise)
    _text("what", what)
    if not_attempted(answer):
        return None, pending(exercise, what)
    value, problem = read_number(answer)
    if problem:
        return None, Feedback(
            exercise, INCORRECT, f"the answer should be {what}, but it is {problem}."
        )
    return value, None


# --------------------------------------------------------------------------- precisions


class Precision(Result):
    """How close an answer must come to count as correct.

    ``phrase`` is what the exercise tells the reader; numeric rules also give
    the absolute ``tolerance(reference)`` and ``accepts(got, reference)``.
    ``near`` is a looser test (one significant figure fewer when at least
    three are asked for, three times the tolerance otherwise): the answer is
    close, perhaps rounded too early.
    """

    phrase = ""
    numeric = False

    def accepts(self, got, reference) -> bool:
        raise NotImplementedError(f"{type(self).__name__} compares no numbers")

    def near(self, got, reference) -> bool:
        _number("got", got)
        _number("reference", reference)
        return False

    def __str__(self) -> str:
        return self.phrase


@dataclass(frozen=True)
class Criterion(Precision):
    """The acceptance rule of a non-numeric exercise, in words (e.g. "largest error at most
    1e-3").
    """

    phrase: str


@dataclass(frozen=True)
class SignificantFigures(Precision):
    """Correct when equal to the reference rounded to ``digits`` significant figures, or within
    half a unit of its last one (``either_sign`` also accepts the negated reference).

    >>> rule = SignificantFigures(2)
    >>> rule.accepts(-0.00077, -0.000771787), rule.accepts(-0.00078, -0.000771787)
    (True, False)
    """

    digits: int
    either_sign: bool = False
    numeric = True

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int("digits", self.digits, lo=1, hi=17)

    @property
    def phrase(self) -> str:
        return f"{self.digits} significant figure{'s' if self.digits > 1 else ''}"

    def tolerance(self, reference: float) -> float:
        _number("reference", reference)
        if reference == 0 or not math.isfinite(reference):
            return 0.0
        return 0.5 * 10.0 ** (math.floor(math.log10(abs(reference))) - self.digits + 1)

    def rounded(self, reference: float) -> float:
        _finite_number("reference", reference)
        return float(f"{reference:.{self.digits - 1}e}")

    def accepts(self, got, reference) -> bool:
        _number("got", got)
        _number("reference", reference)
        return any(
            math.isfinite(r) and (got == self.rounded(r) or abs(got - r) <= self.tolerance(r))
            for r in _signs(reference, self.either_sign)
        )

    def near(self, got, reference) -> bool:
        _number("got", got)
        _number("reference", reference)
        return self.digits > 2 and SignificantFigures(self.digits - 1, self.either_sign).accepts(
            got, reference
        )


@dataclass(frozen=True)
class Exactly(Precision):
    """Correct only when equal to the reference: counts, depths, whole numbers."""

    phrase: str = "exact (a whole number)"
    numeric = True

    def tolerance(self, reference: float) -> float:
        _number("reference", reference)
        return 0.0

    def accepts(self, got, reference) -> bool:
        _number("got", got)
        _number("reference", reference)
        return got == reference


@dataclass(frozen=True)
class Within(Precision):
    """Correct within an absolute distance ``tol`` of the reference (of ``±reference`` with
    ``either_sign``).
    """

    tol: float
    either_sign: bool = False
    numeric = True

    def __post_init__(self) -> None:
        super().__post_init__()
        check_real("tol", self.tol, lo=0)

    @property
    def phrase(self) -> str:
        return f"within {self.tol:g}"

    def tolerance(self, reference: float) -> float:
        _number("reference", reference)
        return self.tol

    def accepts(self, got, reference) -> bool:
        _number("got", got)
        _number("reference", reference)
        return any(
            math.isfinite(r) and abs(got - r) <= self.tol
            for r in _signs(reference, self.either_sign)
        )

    def near(self, got, reference) -> bool:
        return Within(3 * self.tol, self.either_sign).accepts(got, reference)


@dataclass(frozen=True)
class Relative(Precision):
    """Correct within a fraction ``rtol`` of the reference's size, e.g. 3 %."""

    rtol: float
    numeric = True

    def __post_init__(self) -> None:
        super().__post_init__()
        check_real("rtol", self.rtol, lo=0)

    @property
    def phrase(self) -> str:
        return f"within {100 * self.rtol:g} %"

    def tolerance(self, reference: float) -> float:
        _number("reference", reference)
        return self.rtol * abs(reference) if math.isfinite(reference) else 0.0

    def accepts(self, got, reference) -> bool:
        _number("got", got)
        _number("reference", reference)
        return math.isfinite(reference) and abs(got - reference) <= self.tolerance(reference)

    def near(self, got, reference) -> bool:
        return Relative(3 * self.rtol).accepts(got, reference)


@dataclass(frozen=True)
class Pair(Precision):
    """Two numbers, each with its own rule: ``accepts((g1, g2), (r1, r2))``."""

    first: Precision
    second: Precision
    phrase: str
    numeric = True

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("first", "second"):
            if not getattr(self, name).numeric:
                raise ValueError(
                    f"{name} must be a numeric rule (e.g. Within), "
                    f"got {type(getattr(self, name)).__name__}"
                )

    def accepts(self, got, reference) -> bool:
        g1, g2 = _two("got", got)
        r1, r2 = _two("reference", reference)
        return self.first.accepts(g1, r1) and self.second.accepts(g2, r2)


def _two(name: str, x) -> tuple:
    """The two real numbers of the pair ``x`` (a tuple, list or 1-D array of two)."""
    if (
        isinstance(x, (str, bytes, dict))
        or not hasattr(x, "__getitem__")
        or getattr(x, "ndim", 1) != 1
    ):
        raise TypeError(f"{name} must be a pair of real numbers, got {type(x).__name__} {show(x)}")
    if len(x) != 2:
        raise ValueError(f"{name} must be a pair of real numbers, got {len(x)} values")
    return _number(name, x[0]), _number(name, x[1])


def _signs(reference, either_sign):
    return (reference, -reference) if either_sign else (reference,)


# --------------------------------------------------------------------------- the check decorator


def check(exercise: str, precision: Precision):
    """Declare ``fn`` the check of ``exercise`` with its stated ``precision``.

    Attaches ``fn.exercise``, ``fn.precision`` (the phrase) and ``fn.rule``, and
    guards the call: warnings are silenced, and an exception escaping the check
    itself (a bug in the check, since every answer-related problem is reported
    explicitly) becomes a Feedback rather than a traceback in the reader's
    notebook. So does a SystemExit, GeneratorExit or other BaseException that an
    answer's own methods raise (``__float__``, ``__len__``...): only
    KeyboardInterrupt, the reader's stop button, goes through. Calling a check
    with the wrong arguments still raises TypeError: that is the chapter's
    mistake, not the reader's. The functions computing the answers are not
    attached to the check (a reader would call them): the tests find them in
    ``vgp_lib.exercises._references``.
    """

    def decorate(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            signature.bind(*args, **kwargs)
            try:
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    return fn(*args, **kwargs)
            except LET_THROUGH:
                raise
            except BaseException as err:  # noqa: BLE001 - e.g. SystemExit from an answer's method
                what = raised("the check", err).removeprefix("the check raised ")
                if not isinstance(err, Exception):  # SystemExit & co. come from the answer's code
                    return Feedback(
                        exercise,
                        INCORRECT,
                        f"reading this answer raised {what}.",
                        "Give a plain value (a number, a list, an array, a function or a model) "
                        "whose methods do not stop the program.",
                    )
                return Feedback(
                    exercise,
                    INCORRECT,
                    f"the check could not evaluate this answer ({what}).",
                    "This is a bug in the check: please report it together with your answer.",
                )

        guarded.exercise = exercise
        guarded.precision = precision.phrase
        guarded.rule = precision
        return guarded

    return decorate


# --------------------------------------------------------------------------- comparing numbers


def how_far(got: float, expected: float) -> str:
    """How ``got`` misses ``expected`` — sign, whole powers of ten, direction — without revealing
    it.

    >>> how_far(-0.0000012, -0.000771787)
    'is about 1,000 times too small in size'
    >>> how_far(0.0007, -0.000771787)
    'has the wrong sign (its size is of the right order of magnitude)'
    """
    _finite_number("got", got)
    _finite_number("expected", expected)
    if expected == 0:
        return "is too large" if got > 0 else "is too small"
    if got == 0:
        return "is 0, too small in size"
    wrong_sign = (got > 0) != (expected > 0)
    decades = round(math.log10(abs(got)) - math.log10(abs(expected)))
    size = "too large" if abs(got) > abs(expected) else "too small"
    if expected < 0 or wrong_sign:
        size += " in size"
    if decades:
        factor = f"{10 ** abs(decades):,}" if abs(decades) <= 6 else f"10^{abs(decades)}"
        size = f"about {factor} times {size}"
    if not wrong_sign:
        return f"is {size}"
    if decades:
        return f"has the wrong sign and is {size}"
    return "has the wrong sign (its size is of the right order of magnitude)"


def close_to(
    exercise: str,
    got: float,
    expected: float,
    *,
    precision: Precision,
    what: str,
    hints=(),
    too_small: str = "",
    too_large: str = "",
) -> Feedback:
    """Judge a number against the reference at the stated ``precision``, without revealing it.

    ``hints`` is a sequence of ``(wrong_value, advice)``: when ``got`` matches
    a wrong value at the same precision, the advice becomes the hint (the
    nearest wrong value's, when several match).
    ``too_small`` and ``too_large`` are the hints for any other answer on
    that side (``got`` above or below ``expected``): the same words for every
    such answer, so they pin nothing down.
    """
    _text("exercise", exercise)
    _finite_number("got", got)
    _finite_number("expected", expected)
    check_instance("precision", precision, Precision)
    if not precision.numeric:
        raise ValueError(f"precision must be a numeric rule, got {type(precision).__name__}")
    _text("what", what)
    _text("too_small", too_small)
    _text("too_large", too_large)
    _hints(hints)
    if precision.accepts(got, expected):
        return Feedback(exercise, CORRECT, f"{what} = {got:.6g}: correct ({precision.phrase}).")
    miss = f"{what} = {got:.6g} {how_far(got, expected)}"
    matches = [
        (abs(got - float(wrong)), advice)
        for wrong, advice in hints
        if math.isfinite(float(wrong)) and precision.accepts(got, float(wrong))
    ]
    if matches:  # two slips can agree to the stated precision: name the nearer one
        return Feedback(exercise, INCORRECT, miss + ".", min(matches, key=lambda m: m[0])[1])
    if precision.near(got, expected):
        return Feedback(
            exercise,
            INCORRECT,
            f"{miss}: close, but not to {precision.phrase}.",
            f"Keep every digit until the end (do not round intermediate results), "
            f"then compare at {precision.phrase}.",
        )
    return Feedback(exercise, INCORRECT, miss + ".", too_large if got > expected else too_small)


def _hints(hints) -> None:
    """Refuse ``hints`` unless it is a sequence of ``(wrong value, advice)`` pairs."""
    what = "hints must be a sequence of (wrong value, advice) pairs"
    if isinstance(hints, (str, bytes, dict)) or not isinstance(hints, (list, tuple)):
        raise TypeError(f"{what}, got {type(hints).__name__} {show(hints)}")
    for item in hints:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ValueError(f"{what}, got an item {show(item)}")
        _number("hints", item[0])
        if not isinstance(item[1], str):
            raise TypeError(f"{what} (advice a str), got {type(item[1]).__name__} {show(item[1])}")


# ------------------------------------------------------------------------- running a student's code


class _OutOfTime(BaseException):
    """Raised into a student's function when its time is up (a BaseException, so
    ``except Exception`` lets it pass).
    """


#: What reading an answer lets through: the reader's stop button and :func:`run_limited`'s
#: timer. Anything else an answer's methods raise, SystemExit included, is the answer's fault.
#: What a check lets through from a student's code: the reader's stop, and the time limit.
LET_THROUGH = (KeyboardInterrupt, _OutOfTime)


@dataclass(frozen=True)
class Outcome(Result):
    """What running a student's code gave: a ``value``, the ``error`` it raised, or ``timed_out``.

    ``value`` is whatever the code returned: any object, NaN included.
    """

    value: object = None
    error: BaseException | None = None
    timed_out: bool = False


def run_limited(thunk, seconds: float) -> Outcome:
    """Call ``thunk()`` but give up after ``seconds``; never raises (KeyboardInterrupt aside).

    On the main thread (where a Jupyter kernel and pytest run code) a SIGALRM
    timer interrupts the call, with an exception that ``except Exception``
    does not catch, raised again every 10 ms until the call gives up; any
    timer already running is restored afterwards. Elsewhere the call runs in
    a daemon thread that is abandoned, still running, when its time is up.
    (An endless loop around a bare ``except:`` swallows every interruption,
    Jupyter's own stop button included; nothing in-process can end it.)

    >>> run_limited(lambda: 1 + 1, 1.0).value
    2
    >>> run_limited(lambda: 1 / 0, 1.0).error.__class__.__name__
    'ZeroDivisionError'
    """
    if not callable(thunk):
        raise TypeError(f"thunk must be a function of no arguments, got {type(thunk).__name__}")
    if type(seconds) is not float or not -MAX_SECONDS <= seconds <= MAX_SECONDS:
        seconds = check_real("seconds", seconds, hi=MAX_SECONDS)
    if seconds <= 0:
        return Outcome(timed_out=True)
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _run_with_alarm(thunk, seconds)
    return _run_in_thread(thunk, seconds)


def _run_with_alarm(thunk, seconds: float) -> Outcome:
    active = [True]

    def on_alarm(signum, frame):
        if active[0]:
            signal.setitimer(signal.ITIMER_REAL, 0.01)  # again soon, in case the code swallows it
            raise _OutOfTime

    start = time.monotonic()
    try:
        previous = signal.signal(signal.SIGALRM, on_alarm)
    except ValueError:  # signals unavailable here (e.g. a sub-interpreter): use a thread instead
        return _run_in_thread(thunk, seconds)
    outer_delay, outer_interval = signal.getitimer(signal.ITIMER_REAL)
    try:
        try:  # armed inside the try: a very short limit can go off before the next line
            signal.setitimer(signal.ITIMER_REAL, seconds)
            return Outcome(value=thunk())
        finally:
            active[0] = False
    except _OutOfTime:
        return Outcome(timed_out=True)
    except KeyboardInterrupt:  # the reader pressed stop: stop
        raise
    except BaseException as err:  # noqa: BLE001 - SystemExit and the like are the student's error too
        return Outcome(error=err)
    finally:
        active[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)
        if outer_delay > 0:  # somebody else's timer was running: let it go off when it would have
            left = max(outer_delay - (time.monotonic() - start), 1e-3)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def _run_in_thread(thunk, seconds: float) -> Outcome:
    box = {}

    def target():
        try:
            box["value"] = thunk()
        except BaseException as err:  # noqa: BLE001 - reported to the caller, whatever it is
            box["error"] = err

    worker = threading.Thread(target=target, name="vgp-exercise-check", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        return Outcome(timed_out=True)
    if "error" in box:
        return Outcome(error=box["error"])
    return Outcome(value=box.get("value"))


def raised(call: str, err: BaseException) -> str:
    """``"f(1) raised ValueError: ..."``, safe against exceptions whose ``__str__`` raises."""
    _text("call", call)
    check_instance("err", err, BaseException)
    try:
        text = str(err)
        text = str.__str__(text) if isinstance(text, str) else ""
    except LET_THROUGH:
        raise
    except BaseException:  # noqa: BLE001 - an exception's __str__ may raise anything
        text = ""
    text = text if len(text) <= 120 else text[:119] + "…"
    return f"{call} raised {type(err).__name__}" + (f": {text}" if text else "")


def out_of_time(exercise: str, call: str, seconds: float) -> Feedback:
    """Feedback for a student's function that did not return in time."""
    _text("call", call)
    check_real("seconds", seconds, lo=0)
    return Feedback(
        exercise,
        INCORRECT,
        f"{call} did not return within {seconds:g} s.",
        "Look for a loop that never ends, e.g. a while loop whose condition never changes; "
        "the check needs only a few quick calls.",
    )
