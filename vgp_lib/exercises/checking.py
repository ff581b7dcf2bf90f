"""The check decorator: a check states its precision and never shows the reader a traceback."""

from __future__ import annotations

import functools
import inspect
import warnings

import numpy as np

from .feedback import INCORRECT, Feedback
from .rules import Precision
from .sandbox import LET_THROUGH, raised

#: What an exercise's author calls (see the package's docstring).
__all__ = ["check"]


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
    ``booktools.references``.
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
