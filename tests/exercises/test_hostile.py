"""No answer makes a check raise, not even one whose methods raise SystemExit.

An answer is any object a reader's cell can make, and its special methods run
inside the check: ``float(answer)``, ``len(answer)``, ``repr(answer)`` in a
message... A method that raises ``SystemExit`` or ``GeneratorExit`` (which
``except Exception`` does not catch) must still give a :class:`Feedback`,
status "incorrect"; only ``KeyboardInterrupt``, the reader's stop button, goes
through. The checks are every function of ``vgp_lib.exercises.*`` that carries
``.exercise``.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import vgp_lib.exercises as exercises
from tests.exercises.conftest import CONTEXT  # noqa: E402
from vgp_lib.exercises import INCORRECT, Feedback

CHECKS = {
    f"{module.__name__}.{name}": obj
    for module in (
        importlib.import_module(f"vgp_lib.exercises.{m.name}")
        for m in pkgutil.iter_modules(exercises.__path__)
    )
    for name, obj in vars(module).items()
    if inspect.isfunction(obj) and hasattr(obj, "exercise") and obj.__module__ == module.__name__
}

#: Special methods a check may call on an answer (or on what a function answer returns).
DUNDERS = [
    "__float__",
    "__int__",
    "__index__",
    "__complex__",
    "__len__",
    "__getitem__",
    "__iter__",
    "__repr__",
    "__str__",
    "__format__",
    "__eq__",
    "__ne__",
    "__lt__",
    "__gt__",
    "__hash__",
    "__bool__",
    "__abs__",
    "__neg__",
    "__add__",
    "__radd__",
    "__sub__",
    "__rsub__",
    "__mul__",
    "__rmul__",
    "__truediv__",
    "__rtruediv__",
    "__pow__",
    "__call__",
    "__getattr__",
    "__array__",
    "__contains__",
]


def hostile(dunder: str, error: type[BaseException]):
    """An object whose ``dunder`` raises ``error``; every other method is an ordinary object's."""

    def boom(self, *args, **kwargs):
        raise error(f"{dunder} says no")

    return type(f"Hostile{dunder.strip('_').title()}", (), {dunder: boom})()


def call(check, answer):
    before, after = CONTEXT.get(check.__name__, ((), ()))
    kwargs = {"time_limit": 0.2} if "time_limit" in inspect.signature(check).parameters else {}
    return check(*before, answer, *after, **kwargs)


def test_checks_are_found():
    assert len(CHECKS) >= 18, sorted(CHECKS)


@pytest.mark.parametrize("error", [SystemExit, GeneratorExit, BaseException])
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_a_hostile_answer_never_escapes_a_check(name, error):
    check = CHECKS[name]
    for dunder in DUNDERS:
        answer = hostile(dunder, error)
        fb = call(check, answer)
        assert isinstance(fb, Feedback), (name, dunder, fb)
        assert fb.status == INCORRECT, (name, dunder, str(fb))


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_a_function_returning_a_hostile_object_never_escapes_a_check(name):
    check = CHECKS[name]
    for dunder in ("__float__", "__len__", "__iter__", "__repr__", "__eq__", "__bool__"):

        def function(*args, dunder=dunder, **kwargs):
            return hostile(dunder, SystemExit)

        fb = call(check, function)
        assert isinstance(fb, Feedback) and fb.status == INCORRECT, (name, dunder, str(fb))


def test_the_readers_stop_button_still_stops_a_check():
    check = CHECKS["vgp_lib.exercises.exploding.check_balanced_weight"]
    with pytest.raises(KeyboardInterrupt):
        check(hostile("__float__", KeyboardInterrupt))
