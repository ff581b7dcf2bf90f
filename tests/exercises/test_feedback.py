"""The shared machinery of the self-checks: reading numbers,
precisions, feedback that does not tell, time limits."""

from __future__ import annotations

import html
import inspect
import math
import re
import signal
import threading
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from booktools.references import REFERENCES

# The same enumeration of every check, and the extra arguments some take, as the fuzz test.
from tests.exercises.conftest import CHECKS, CONTEXT  # noqa: E402
from vgp_lib.exercises import (
    CORRECT,
    INCORRECT,
    Criterion,
    Exactly,
    Feedback,
    Pair,
    Relative,
    SignificantFigures,
    Within,
    check,
    close_to,
    how_far,
    read_number,
    run_limited,
)

#: Numeric checks whose answer is one number (check_widest takes a pair and is tested on its own).
SCALAR = sorted(n for n, c in CHECKS.items() if c.rule.numeric and not isinstance(c.rule, Pair))


def call(name, answer):
    before, after = CONTEXT.get(name, ((), ()))
    return CHECKS[name](*before, answer, *after)


def reference(name):
    before, after = CONTEXT.get(name, ((), ()))
    return REFERENCES[CHECKS[name].exercise](*before, *after)


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text`` ("1,000" is one number)."""
    return [float(m) for m in NUMBER.findall(re.sub(r"(?<=\d),(?=\d{3})", "", text))]


# --------------------------------------------------------------------------- reading numbers


@pytest.mark.parametrize(
    "answer, value",
    [
        (4, 4.0),
        ("45", 45.0),
        (" 4.5 ", 4.5),
        (np.float32(0.5), 0.5),
        (np.int64(8), 8.0),
        (np.array(2.0), 2.0),
    ],
)
def test_numbers_are_read(answer, value):
    assert read_number(answer) == (value, None)


@pytest.mark.parametrize(
    "answer, words",
    [
        (True, "boolean"),
        (np.False_, "boolean"),
        (3 + 0j, "complex"),
        (np.complex128(1), "complex"),
        (np.array([1.0]), "shape (1,)"),
        (10**400, "too large"),
        (-(10**400), "too large"),
        pytest.param(10**5000, "10^5000", id="10**5000"),  # past str()'s 4300 digits
        (math.nan, "NaN"),
        (-math.inf, "-infinity"),
        ("four", "str"),
        (b"8", "bytes"),
        ([4], "list"),
    ],
)
def test_everything_else_is_named_not_raised(answer, words):
    value, problem = read_number(answer)
    assert value is None and words in problem


def test_an_object_whose_float_and_repr_raise_is_named():
    class Hostile:
        def __float__(self):
            raise RuntimeError("float")

        def __repr__(self):
            raise RuntimeError("repr")

    value, problem = read_number(Hostile())
    assert value is None and "Hostile" in problem


@pytest.mark.parametrize("name", SCALAR)
@pytest.mark.parametrize("answer", [10**400, -(10**400)])
def test_no_numeric_check_overflows_on_a_huge_integer(name, answer):
    """Regression: every numeric check raised OverflowError on 10**400."""
    fb = call(name, answer)
    assert fb.status == INCORRECT and "too large in size for a float" in fb.message


# --------------------------------------------------------------------------- precisions


def test_significant_figures():
    rule = SignificantFigures(3)
    assert rule.phrase == "3 significant figures"
    assert rule.tolerance(-0.000771787) == pytest.approx(5e-7)
    assert rule.rounded(-0.000771787) == -0.000772
    assert rule.accepts(-0.000772, -0.000771787) and rule.accepts(-0.0007714, -0.000771787)
    assert not rule.accepts(-0.00077, -0.000771787) and not rule.accepts(0.000772, -0.000771787)
    assert rule.near(-0.00077, -0.000771787)  # right to 2 figures: "close, but ..."
    assert rule.accepts(10.0, 9.996)  # rounding that carries into a new decade
    assert SignificantFigures(2).accepts(-0.00077, -0.000771787)
    assert SignificantFigures(3, either_sign=True).accepts(-4.0, 4.0)


def test_the_other_rules():
    assert Exactly().accepts(45.0, 45) and not Exactly().accepts(46, 45)
    assert Within(0.05).accepts(6.94, 6.8942) and not Within(0.05).accepts(6.95, 6.8942)
    assert Within(0.05, either_sign=True).accepts(-6.9, 6.8942)
    assert Relative(0.03).phrase == "within 3 %" and Relative(0.03).accepts(4.76, 4.8077)
    assert not Relative(0.03).accepts(5.0, 4.8077)
    pair = Pair(Within(0.05), SignificantFigures(3), "both")
    assert pair.accepts((6.9, 0.448), (6.8942, 0.44774)) and not pair.accepts(
        (6.9, 0.449), (6.8942, 0.44774)
    )
    with pytest.raises(NotImplementedError):
        Criterion("in words").accepts(1, 1)
    assert str(Criterion("in words")) == "in words"


def test_every_check_states_its_precision():
    assert len(CHECKS) >= 18
    for name, fn in CHECKS.items():
        assert isinstance(fn.precision, str) and 5 <= len(fn.precision) <= 120, name
        assert fn.precision == fn.rule.phrase
        assert fn.exercise.startswith("ex-") and fn.exercise in inspect.getsource(
            inspect.unwrap(fn)
        ), name


# --------------------------------------------------------------------------- teach, do not tell


@pytest.mark.parametrize(
    "got, expected, words",
    [
        (-0.0000012, -0.000771787, "about 1,000 times too small in size"),
        (90, 45, "is too large"),
        (3, 45, "about 10 times too small"),
        (0.0007, -0.000771787, "wrong sign (its size is of the right order"),
        (1e10, -0.000771787, "wrong sign and is about 10^13 times too large"),
        (0.0, 4.0, "is 0"),
    ],
)
def test_how_far_says_which_way_in_whole_powers_of_ten(got, expected, words):
    assert words in how_far(got, expected)


def test_close_to_gives_the_nearest_slip_and_no_reference():
    rule = SignificantFigures(2)
    fb = close_to(
        "ex-t", 2.02, 1.0, precision=rule, what="x", hints=[(2.0, "doubled"), (2.03, "other")]
    )
    assert fb.status == INCORRECT and fb.hint == "other"  # both match at 2 figures; 2.03 is nearer
    assert "1" not in fb.message.replace("x = 2.02", "")
    fb = close_to("ex-t", 0.5, 1.0, precision=rule, what="x", too_small="more", too_large="less")
    assert fb.hint == "more" and "too small" in fb.message


def _leaks(fb: Feedback, ref: float, got: float, tol: float) -> list[float]:
    """Numbers in the feedback that give away the
    reference beyond ``tol``, or the exact ratio to it."""
    found = []
    for x in numbers_in(fb.message + " " + fb.hint):
        if got and math.isclose(x, got, rel_tol=1e-5):
            continue  # the reader's own value
        if abs(x - ref) <= tol / 10 or abs(x + ref) <= tol / 10 and ref:
            found.append(x)
    verdict = fb.message.split(f"{got:.6g}", 1)[-1]  # what follows "<what> = <answer>"
    for x in numbers_in(verdict):
        if (
            ref and got and x and not math.log10(abs(x)).is_integer()
        ):  # a rounded power of ten is allowed
            if math.isclose(x, got / ref, rel_tol=1e-3) or math.isclose(x, ref / got, rel_tol=1e-3):
                found.append(x)
    return found


@pytest.mark.parametrize("name", SCALAR)
@settings(max_examples=60, deadline=None, database=None)
@given(factor=st.one_of(st.floats(-1e4, -1e-4), st.floats(1e-4, 1e4)), shift=st.integers(-50, 50))
def test_wrong_answers_never_reveal_the_reference(name, factor, shift):
    rule, ref = CHECKS[name].rule, reference(name)
    got = ref + shift if isinstance(rule, Exactly) else ref * factor
    if isinstance(rule, Exactly) and got < 0:
        got = ref + abs(shift)
    fb = call(name, got)
    if fb.correct:
        return  # shift 0 or a factor near 1 (or -1 where either sign is right)
    tol = max(rule.tolerance(ref), 1e-12 * abs(ref))
    assert not _leaks(fb, ref, got, tol), (name, got, fb)
    assert "expected" not in fb.message


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_stub_hears_a_plain_sentence(name):
    """Under an untouched stub the box a reader sees says "not attempted", points at the
    cell above, and shows no label, no Markdown backticks and no reference."""
    fb = call(name, ...)
    assert fb.status == "not attempted", fb
    shown = html.unescape(re.sub(r"<[^>]+>", "", fb._repr_html_()))
    assert shown.startswith("Not attempted yet: replace the ... in the cell above with "), shown
    assert shown.endswith(", then run both cells."), shown
    assert "`" not in shown and "ex-" not in shown and "expected" not in shown, shown
    assert f'data-exercise="{CHECKS[name].exercise}"' in fb._repr_html_()  # kept, out of sight
    assert "[" + CHECKS[name].exercise + "] not attempted:" in str(fb)  # the graders' plain text


@pytest.mark.parametrize("name", sorted(CHECKS))
@pytest.mark.parametrize("answer", [True, "seven", [1, 2, 3], None.__class__, np.nan])
def test_an_answer_of_the_wrong_kind_hears_what_it_should_be(name, answer):
    fb = call(name, answer)
    words = fb.message + " " + fb.hint
    assert "expected" not in words and "`" not in words, (name, fb)


@pytest.mark.parametrize("name", SCALAR)
def test_a_right_answer_hears_no_more_digits_than_it_gave(name):
    rule, ref = CHECKS[name].rule, reference(name)
    answer = {
        SignificantFigures: lambda: rule.rounded(ref),
        Relative: lambda: ref * (1 + rule.rtol / 2),
    }.get(type(rule), lambda: ref)()
    fb = call(name, answer)
    assert fb.correct, fb
    for x in numbers_in(fb.message + " " + fb.hint):
        if not math.isclose(x, answer, rel_tol=1e-5):  # the reader's own value may be repeated
            assert abs(x - ref) > rule.tolerance(ref) / 10, (name, x, fb.message)


def test_integer_answers_hear_too_large_or_too_small_only():
    from vgp_lib.exercises.chain import check_vanish_depth, vanish_depth

    depth = vanish_depth()
    below, above = check_vanish_depth(depth - 1), check_vanish_depth(depth + 1)
    assert "too small" in below.message and "too large" in above.message
    assert (
        check_vanish_depth(depth - 3).hint == below.hint
    )  # the same words for every answer on that side
    assert check_vanish_depth(depth + 2).hint == above.hint
    for fb in (below, above):
        assert "one" not in (fb.message + fb.hint).lower().replace("done", "")


# --------------------------------------------------------------------------- the check decorator


def test_a_bug_in_a_check_becomes_feedback_but_a_wrong_call_still_raises():
    @check("ex-t-bug", Criterion("anything"))
    def check_bug(answer):
        return 1 / 0

    fb = check_bug(1)
    assert isinstance(fb, Feedback) and fb.status == INCORRECT and "ZeroDivisionError" in fb.message
    assert check_bug.precision == "anything" and check_bug.exercise == "ex-t-bug"
    with pytest.raises(TypeError):
        check_bug(1, 2)


def test_checks_silence_warnings_inside():
    @check("ex-t-warn", Criterion("anything"))
    def check_warn(answer):
        np.float64(1.0) / np.float64(0.0)
        return Feedback("ex-t-warn", CORRECT, "fine")

    assert check_warn(1).correct


# --------------------------------------------------------------------------- time limits


def test_run_limited_returns_values_and_errors():
    assert run_limited(lambda: 42, 1.0).value == 42
    out = run_limited(lambda: [][1], 1.0)
    assert isinstance(out.error, IndexError) and not out.timed_out
    assert isinstance(run_limited(lambda: exit(3), 1.0).error, SystemExit)


@pytest.mark.parametrize("body", ["spin", "sleep", "retry"])
def test_run_limited_stops_code_that_never_returns(body):
    def spin():
        while True:
            pass

    def retry():
        while True:
            try:
                spin()
            except Exception:  # a reader's retry loop: the time limit is not an Exception
                continue

    thunk = {"spin": spin, "sleep": lambda: time.sleep(3600), "retry": retry}[body]
    assert run_limited(thunk, 0.2).timed_out  # without the limit, none of these returns


def test_run_limited_restores_an_outer_timer():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: fired.append(time.monotonic()))
    try:
        start = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        assert run_limited(lambda: sum(range(10)), 1.0).value == 45
        assert run_limited(lambda: time.sleep(3600), 0.1).timed_out
        assert signal.getsignal(signal.SIGALRM) is not None and not fired
        while not fired and time.monotonic() - start < 30:  # the outer timer still fires,
            time.sleep(0.05)  # once, and not before it was due
        assert len(fired) == 1 and fired[0] - start >= 0.5
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_off_the_main_thread_a_daemon_thread_is_abandoned():
    release = threading.Event()
    results = {}

    def worker():
        results["ok"] = run_limited(lambda: 7, 1.0).value
        results["slow"] = run_limited(release.wait, 0.2).timed_out  # never returns within the limit
        results["error"] = type(run_limited(lambda: 1 / 0, 1.0).error).__name__

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(5)
    release.set()  # let the abandoned call finish, so no thread outlives the test
    assert results == {"ok": 7, "slow": True, "error": "ZeroDivisionError"}


def test_a_check_on_another_thread_still_reports_a_function_that_never_returns():
    from vgp_lib.exercises.circuits import check_xor_from_nand

    release = threading.Event()
    box = {}
    thread = threading.Thread(
        target=lambda: box.update(
            fb=check_xor_from_nand(lambda a, b, nand: release.wait(), time_limit=0.2)
        )
    )
    thread.start()
    thread.join(5)
    release.set()
    assert "did not return within 0.2 s" in box["fb"].message


# ----------------------------------------------------------------------- the helpers' own arguments
# (Feedback and Outcome are results the library builds, and a rule's methods take numbers
# already read: neither checks its arguments.)
@pytest.mark.parametrize(
    "call, param",
    [
        (lambda: how_far(math.nan, 1.0), "got"),
        (lambda: close_to("ex", 1.0, math.inf, precision=Within(0.1), what="x"), "expected"),
        (lambda: close_to("ex", 1.0, 2.0, precision=Criterion("c"), what="x"), "precision"),
        (
            lambda: close_to("ex", 1.0, 2.0, precision=Within(0.1), what="x", hints=[(1.0,)]),
            "hints",
        ),
        (lambda: close_to("ex", 1.0, 2.0, precision=Within(0.1), what=None), "what"),
    ],
)
def test_matching_helpers_refuse_bad_arguments_by_name(call, param):
    with pytest.raises((TypeError, ValueError), match=rf"\b{param} must"):
        call()


@pytest.mark.parametrize(
    "make, param",
    [
        (lambda: SignificantFigures("3"), "digits"),
        (lambda: SignificantFigures(0), "digits"),
        (lambda: Within(-1.0), "tol"),
        (lambda: Within(math.nan), "tol"),
        (lambda: Relative(None), "rtol"),
        (lambda: Pair(None, Within(0.1), "p"), "first"),
        (lambda: Pair(Within(0.1), Criterion("c"), "p"), "second"),
    ],
)
def test_the_rules_check_their_fields(make, param):
    with pytest.raises((TypeError, ValueError), match=rf"\b{param} must"):
        make()


def test_matching_still_takes_numpy_and_torch_scalars():
    torch = pytest.importorskip("torch")
    rule = SignificantFigures(3)
    for got in (np.float32(1.23), np.array(1.23), torch.tensor(1.23, dtype=torch.float64), 1.23):
        assert rule.accepts(got, 1.234)
    assert Pair(Within(0.1), Within(0.1)).accepts(np.array([1.0, 2.0]), (1.05, 2.05))
    assert not Within(0.1).accepts(math.nan, 1.0) and not Within(0.1).accepts(1.0, math.nan)


def test_a_tiny_time_limit_times_out_instead_of_escaping():
    # the timer was armed outside the try: with 1e-310 s, _OutOfTime escaped run_limited
    for _ in range(20):
        out = run_limited(lambda: sum(range(10**5)), 1e-310)
        assert out.timed_out or out.value == sum(range(10**5))
    with pytest.raises(TypeError, match=r"\bthunk must be"):
        run_limited(3, 1.0)
    with pytest.raises(ValueError, match=r"\bseconds must be"):
        run_limited(lambda: 1, math.inf)
