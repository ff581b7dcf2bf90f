"""The graded course's hidden-test helpers check their own arguments by name."""

from __future__ import annotations

import math

import pytest

from vgp_lib.exercises.chain import check_four_layer_gradient
from vgp_lib.exercises.grading import (
    CallRecord,
    assert_matches,
    assert_within_stated_precision,
    print_expected,
    record_calls,
    to_literal,
)


@pytest.mark.parametrize(
    "call, param",
    [
        (lambda: assert_matches(1.0, 1.0, None), "what"),
        (lambda: assert_matches(1.0, 1.0, rtol=-1.0), "rtol"),
        (lambda: assert_matches(1.0, 1.0, atol="0"), "atol"),
        (lambda: assert_matches(1.0, math.nan), "expected"),
        (lambda: assert_within_stated_precision(None, 1.0, 1.0), "check"),
        (lambda: assert_within_stated_precision(abs, 1.0, 1.0), "check"),
        (lambda: assert_within_stated_precision(check_four_layer_gradient, 1.0, "1.0"), "expected"),
        (
            lambda: assert_within_stated_precision(check_four_layer_gradient, 1.0, 10**400),
            "expected",
        ),
        (lambda: to_literal([1], budget=0), "budget"),
        (lambda: record_calls(3), "function"),
        (lambda: CallRecord(None), "function"),
        (lambda: print_expected(3, {"a": 1.0}, {"a": abs}), "label"),
        (lambda: print_expected("ex", None, {"a": abs}), "values"),
        (lambda: print_expected("ex", {}, {}), "values"),
        (lambda: print_expected("ex", {"a": 1.0}, {}), "checks"),
    ],
)
def test_grading_helpers_refuse_bad_arguments_by_name(call, param):
    with pytest.raises((TypeError, ValueError), match=rf"\b{param} must"):
        call()


@pytest.mark.parametrize("got", [10**400, "x", None, math.nan, 1 + 1j])
def test_a_wrong_answer_fails_the_hidden_test_with_an_assertion(got):
    with pytest.raises(AssertionError):
        assert_matches(got, 4.0)
    with pytest.raises(AssertionError):
        assert_within_stated_precision(check_four_layer_gradient, got, -0.000771787)
