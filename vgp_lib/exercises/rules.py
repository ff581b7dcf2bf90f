"""How close an answer must come: the precision rules a check states and applies.

Each rule is a small frozen dataclass with a ``phrase`` the exercise's text tells the
reader (``"3 significant figures"``); numeric rules also give ``tolerance(reference)``,
``accepts(got, reference)`` and ``near(got, reference)``. Their methods take numbers
already read by :mod:`vgp_lib.exercises.answers` and check nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._validate import check_bool, check_int, check_real

#: What an exercise's author builds (see the package's docstring).
__all__ = ["Criterion", "Exactly", "Pair", "Precision", "Relative", "SignificantFigures", "Within"]


class Precision:
    """How close an answer must come to count as correct.

    ``phrase`` is what the exercise tells the reader; numeric rules also give
    the absolute ``tolerance(reference)`` and ``accepts(got, reference)``.
    ``near`` is a looser test (one significant figure fewer when at least
    three are asked for, three times the tolerance otherwise): the answer is
    close, perhaps rounded too early.
    """

    phrase = ""
    numeric = False

    def __post_init__(self) -> None:
        """Refuse a ``phrase`` that is not a str, an ``either_sign`` that is not a bool."""
        fields = getattr(self, "__dataclass_fields__", {})
        if "phrase" in fields and not isinstance(self.phrase, str):
            raise TypeError(f"phrase must be a str, got {type(self.phrase).__name__}")
        if "either_sign" in fields:
            check_bool("either_sign", self.either_sign)

    def accepts(self, got, reference) -> bool:
        raise NotImplementedError(f"{type(self).__name__} compares no numbers")

    def near(self, got, reference) -> bool:
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
        if reference == 0 or not math.isfinite(reference):
            return 0.0
        return 0.5 * 10.0 ** (math.floor(math.log10(abs(reference))) - self.digits + 1)

    def rounded(self, reference: float) -> float:
        return float(f"{reference:.{self.digits - 1}e}")

    def accepts(self, got, reference) -> bool:
        return any(
            math.isfinite(r) and (got == self.rounded(r) or abs(got - r) <= self.tolerance(r))
            for r in _signs(reference, self.either_sign)
        )

    def near(self, got, reference) -> bool:
        return self.digits > 2 and SignificantFigures(self.digits - 1, self.either_sign).accepts(
            got, reference
        )


@dataclass(frozen=True)
class Exactly(Precision):
    """Correct only when equal to the reference: counts, depths, whole numbers."""

    phrase: str = "exact (a whole number)"
    numeric = True

    def tolerance(self, reference: float) -> float:
        return 0.0

    def accepts(self, got, reference) -> bool:
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
        return self.tol

    def accepts(self, got, reference) -> bool:
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
        check_real("rtol", self.rtol, lo=0)

    @property
    def phrase(self) -> str:
        return f"within {100 * self.rtol:g} %"

    def tolerance(self, reference: float) -> float:
        return self.rtol * abs(reference) if math.isfinite(reference) else 0.0

    def accepts(self, got, reference) -> bool:
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
            rule = getattr(self, name)
            if not (isinstance(rule, Precision) and rule.numeric):
                raise ValueError(
                    f"{name} must be a numeric rule (e.g. Within), got {type(rule).__name__}"
                )

    def accepts(self, got, reference) -> bool:
        (g1, g2), (r1, r2) = got, reference
        return self.first.accepts(g1, r1) and self.second.accepts(g2, r2)


def _signs(reference, either_sign):
    return (reference, -reference) if either_sign else (reference,)
