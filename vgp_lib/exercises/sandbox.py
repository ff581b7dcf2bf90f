"""Running a student's code: a time limit, and whatever it raises kept as a value.

A student's function (or model) runs under :func:`run_limited`; what it gave comes back
as an :class:`Outcome`, never as an exception (only the reader's stop button,
``KeyboardInterrupt``, goes through). :data:`LET_THROUGH` is what every reader of an
answer lets pass.
"""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass

from .._validate import check_real

#: Running a student's code: called by the checks, not by a chapter or a reader.
__all__: list[str] = []

#: Seconds a student's function may run, in all, during one check.
TIME_LIMIT = 3.0
#: Longest time limit :func:`run_limited` takes (a day; a student's code needs seconds).
MAX_SECONDS = 86_400.0


class _OutOfTime(BaseException):
    """Raised into a student's function when its time is up (a BaseException, so
    ``except Exception`` lets it pass).
    """


#: What reading an answer lets through: the reader's stop button and :func:`run_limited`'s
#: timer. Anything else an answer's methods raise, SystemExit included, is the answer's fault.
#: What a check lets through from a student's code: the reader's stop, and the time limit.
LET_THROUGH = (KeyboardInterrupt, _OutOfTime)


@dataclass(frozen=True)
class Outcome:
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
    try:
        text = str(err)
        text = str.__str__(text) if isinstance(text, str) else ""
    except LET_THROUGH:
        raise
    except BaseException:  # noqa: BLE001 - an exception's __str__ may raise anything
        text = ""
    text = text if len(text) <= 120 else text[:119] + "…"
    return f"{call} raised {type(err).__name__}" + (f": {text}" if text else "")
