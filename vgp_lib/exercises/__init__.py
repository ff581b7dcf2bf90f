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
  the tests find it in the table ``booktools.references``.
* **It never raises on an answer.** Strings, arrays, huge integers, objects
  whose ``__float__`` raises, functions that crash or never return: each gets
  a :class:`Feedback`. A student's function (or model) runs under a time limit
  (:func:`~vgp_lib.exercises.sandbox.run_limited`). Students' notebooks start with ``answer = ...``
  (Ellipsis), which every check reports as *not attempted yet*.

The machinery is cut by idea: :mod:`.feedback` (what a check says), :mod:`.rules` (the
precision rules), :mod:`.checking` (the ``check`` decorator), :mod:`.answers` (reading a
student's value safely) and :mod:`.sandbox` (running a student's code under a time limit).
Its names are gathered here, so a chapter's exercise module imports them from the package.
"""

# The chapters' exercise modules import the helpers here too (marked noqa: not the surface).
from .answers import (  # noqa: F401
    LOW_PRECISION,
    low_precision,
    read_number,
    read_pair,
    short_repr,
    type_name,
)
from .checking import check
from .feedback import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    VERDICTS,
    Feedback,
    as_number,
    close_to,
    how_far,
    not_attempted,
    out_of_time,  # noqa: F401
    pending,  # noqa: F401
)
from .rules import Criterion, Exactly, Pair, Precision, Relative, SignificantFigures, Within
from .sandbox import (  # noqa: F401
    LET_THROUGH,
    MAX_SECONDS,
    TIME_LIMIT,
    Outcome,
    raised,
    run_limited,
)

#: What an exercise's author uses (the checks themselves live in the chapters' modules).
#: The other names above are imported by those modules but are no public surface: reading a
#: student's value (:mod:`.answers`), running a student's code (:mod:`.sandbox`) and the
#: feedback for a placeholder or a timeout.
__all__ = [
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "VERDICTS",
    "Criterion",
    "Exactly",
    "Feedback",
    "Pair",
    "Precision",
    "Relative",
    "SignificantFigures",
    "Within",
    "as_number",
    "check",
    "close_to",
    "how_far",
    "not_attempted",
]
