"""Handing answers in as data (vgp_lib.exercises.handin), as the graded course does.

The grader rebuilds each answer from the data and calls the book's check on it, in its
own process. These tests hold the promise that makes that fair: for every form of an
answer a check can be given, the check says the same of the rebuilt answer as of the
original, so an honest answer in an odd form still scores and a wrong one still does not.
"""

from __future__ import annotations

import decimal
import fractions
import inspect
import json
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from booktools.references import REFERENCES
from vgp_lib.exercises import Pair, chain, recurrent, unstable
from vgp_lib.exercises.handin import _answer_data, from_data, hand_in, to_data


def _through_json(data):
    return json.loads(json.dumps(data))


def _rebuilt(value):
    return from_data(_through_json(to_data(value)))


def _checks():
    """Every check of the book, by exercise label."""
    import importlib
    import pkgutil

    import vgp_lib.exercises as package

    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, fn in vars(module).items():
            if name.startswith("check_") and callable(fn) and hasattr(fn, "exercise"):
                found[fn.exercise] = fn
    return found


CHECKS = _checks()

plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(plain)
def test_plain_values_come_back_equal_and_of_the_same_type(value):
    back = _rebuilt(value)
    assert back == value and type(back) is type(value)


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.int32).reshape(2, 3),
        np.array([0.1, -2.5], dtype=np.float32),
        np.float32(0.25),
        np.int64(7),
        np.array(3.5),
        decimal.Decimal("0.30000000000000004"),
        fractions.Fraction(1, 3),
        {1, 2, 3},
        frozenset({"a"}),
        1 + 2j,
        float("inf"),
        10**400,
        Ellipsis,
    ],
)
def test_numpy_values_and_other_numbers_keep_their_type_and_value(value):
    back = _rebuilt(value)
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    else:
        assert back == value


def test_tensors_keep_their_dtype_shape_and_values():
    for value in (torch.tensor([1.5, -2.0]), torch.tensor(3, dtype=torch.int64), torch.ones(2, 2)):
        back = _rebuilt(value)
        assert back.dtype == value.dtype and torch.equal(back, value)


class _Hostile:
    def __float__(self):
        raise SystemExit("no")

    def __repr__(self):
        raise SystemExit("no")


class _Eight:
    def __float__(self):
        return 8.0


def test_other_objects_are_described_without_running_their_methods_twice():
    back = _rebuilt(_Hostile())
    with pytest.raises(TypeError, match="float"):
        float(back)
    assert float(_rebuilt(_Eight())) == 8.0


def test_data_no_hand_in_makes_is_refused_naming_it():
    for bad in ({"ndarray": {"dtype": "object", "shape": [1], "data": [1]}}, {"x": 1}, [1], {}):
        with pytest.raises(ValueError, match="data must be"):
            from_data(bad)


def _forms(r):
    """Ways a student may write the number ``r``."""
    forms = [r, float(r), repr(float(r)), f"{float(r):.17g}", decimal.Decimal(repr(float(r)))]
    forms += [np.float64(r), np.array(float(r)), torch.tensor(float(r), dtype=torch.float64)]
    forms += [torch.tensor([float(r)], dtype=torch.float64), np.array([float(r)])]
    forms += [np.float32(r), f"{float(r):.3g}", -float(r), 10 * float(r), "four", None, True]
    if float(r).is_integer():
        forms += [int(r), str(int(r)), np.int64(int(r)), fractions.Fraction(int(r))]
    return forms


def _simple_numeric_checks():
    """Label, check and reference answer of every check of one number (or pair) whose only
    required argument is the answer."""
    out = []
    for label, check in sorted(CHECKS.items()):
        required = [
            p
            for p in inspect.signature(check).parameters.values()
            if p.default is inspect.Parameter.empty
        ]
        if len(required) != 1 or label not in REFERENCES or not check.rule.numeric:
            continue
        out.append((label, check, REFERENCES[label]()))
    return out


@pytest.mark.parametrize("label, check, reference", _simple_numeric_checks())
def test_every_form_the_check_judges_is_judged_the_same_after_handing_in(label, check, reference):
    if isinstance(check.rule, Pair):
        a, b = reference
        forms = [
            (a, b),
            [a, b],
            np.array([a, b]),
            torch.tensor([a, b]),
            (repr(a), repr(b)),
            (b, a),
            (a,),
            "a, b",
        ]
    else:
        forms = _forms(reference)
    accepted = 0
    for form in forms:
        direct = check(form)
        graded = check(_rebuilt(form))
        assert graded.status == direct.status, (label, form, str(direct), str(graded))
        accepted += direct.correct
    assert accepted >= 1, f"{label}: no form of the reference answer was accepted"


def test_a_function_answer_is_judged_the_same_from_its_record():
    def width(w):
        m = abs(w)
        if m <= 4:
            return 0.0
        s = math.sqrt(1 - 4 / m)
        return 2 * math.log((1 + s) / (1 - s)) / m

    def forgets_abs(w):
        return width(w) if w > 0 else 0.0

    def raises(w):
        raise ZeroDivisionError("oops")

    for fn in (width, forgets_abs, raises):
        width.__module__ = forgets_abs.__module__ = raises.__module__ = "__main__"
        data = _through_json(
            _answer_data(
                unstable.check_width_formula,
                lambda width: unstable.check_width_formula(width),
                {"width": fn},
            )
        )
        replayed = unstable.check_width_formula(from_data(data["width"]))
        assert replayed.status == unstable.check_width_formula(fn).status


def test_a_function_that_changes_its_arguments_is_replayed_with_the_change():
    def clip(grads, max_norm):  # clips in place, as torch's clip_grad_norm_ does
        total = math.sqrt(sum(float((g**2).sum()) for g in grads))
        if total > max_norm:
            for g in grads:
                g *= max_norm / total
        return grads

    def wrong(grads, max_norm):
        return [g * 0 for g in grads]

    for fn in (clip, wrong):
        fn.__module__ = "__main__"
        data = _through_json(
            _answer_data(
                recurrent.check_clip, lambda clip: recurrent.check_clip(clip), {"clip": fn}
            )
        )
        assert (
            recurrent.check_clip(from_data(data["clip"])).status == recurrent.check_clip(fn).status
        )


def test_a_function_that_changes_grads_in_place_is_replayed_through_a_training_run():
    def clip_step(params, max_norm):  # the ex-recurrent-clip-run answer: .grad in place
        total = torch.sqrt(sum((p.grad**2).sum() for p in params))
        if total > max_norm:
            for p in params:
                p.grad.mul_(max_norm / total)

    def returns_new(params, max_norm):  # leaves .grad alone: the run still diverges
        return [p.grad * 0 for p in params]

    for fn in (clip_step, returns_new):
        fn.__module__ = "__main__"
        call = lambda clip_step: recurrent.check_clip_run(clip_step)  # noqa: E731
        data = _through_json(_answer_data(recurrent.check_clip_run, call, {"clip_step": fn}))
        replayed = recurrent.check_clip_run(from_data(data["clip_step"]))
        assert replayed.status == recurrent.check_clip_run(fn).status


def test_the_librarys_own_function_is_no_answer():
    from vgp_lib.bound import interval_width

    data = _answer_data(unstable.check_width_formula, lambda width: None, {"width": interval_width})
    assert "not defined in this notebook" in data["width"]["problem"]


def test_a_question_the_record_cannot_answer_fails():
    def four(w):
        return 4.0

    four.__module__ = "__main__"
    data = _answer_data(unstable.check_width_formula, lambda width: width(1.0), {"width": four})
    assert not unstable.check_width_formula(from_data(_through_json(data["width"]))).correct


def test_hand_in_shows_what_was_handed_in_and_never_a_verdict(capsys):
    check = chain.check_vanish_depth
    hand_in("ex-chain-vanish-depth", check, lambda answer: check(answer), answer=_Hostile())
    hand_in("ex-chain-vanish-depth", check, lambda answer: check(answer), answer=...)
    hand_in("ex-chain-vanish-depth", check, lambda answer: check(answer), answer=12)
    out = capsys.readouterr().out
    assert out.count("Handed in") == 3 and "not attempted" in out
    assert "correct" not in out and "too large" not in out and "too small" not in out
