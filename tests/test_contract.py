"""One contract for every public vgp_lib callable.

Bad input raises ``ValueError``/``TypeError`` naming the parameter, within 5 s; otherwise the
result is finite. The cases and the harness live in ``booktools/contract.py``; this file asserts them.

There is no list of tolerated exceptions: every generated bad call keeps the contract. To see
every case and its outcome, run ``.venv/bin/python -m booktools.contract --out F.json``.
"""

from __future__ import annotations

import pytest

from booktools import contract


def test_every_public_callable_is_covered():
    public = set(contract.public_callables())
    covered = {n for n, make in contract.VALID.items() if make is not None}
    missing = sorted(public - covered - set(contract.SKIPPED))
    assert not missing, f"public callables with no valid call in booktools/contract.py VALID: {missing}"
    stale = sorted((set(contract.VALID) | set(contract.SKIPPED)) - public)
    assert not stale, f"listed but not public (renamed or removed?): {stale}"


def test_a_message_names_a_parameter_as_a_whole_word():
    assert contract.names("y", "y must hold labels in [0, 9]")
    assert not contract.names("y", "ufunc did not contain a loop with signature matching types")
    assert contract.names("n", "n must be an integer >= 1, got 0")


@pytest.fixture(scope="module")
def results():
    return contract.run_all()


@pytest.mark.contract
def test_valid_calls_return_finite_results(results):
    broken = [
        (r["name"], r["kind"], r["message"])
        for r in results
        if r["param"] is None and r["kind"] != "accepted"
    ]
    assert not broken


@pytest.mark.contract
def test_every_bad_call_keeps_the_contract(results):
    gaps = sorted(
        f"{r['name']}({r['param']}={r['value']}): {r['kind']}: {r['message'][:120]}"
        for r in results
        if r["param"] is not None and r["kind"] not in contract.KEPT
    )
    assert not gaps, f"{len(gaps)} contract violations:\n" + "\n".join(gaps[:60])


@pytest.mark.contract
def test_no_call_runs_longer_than_the_limit(results):
    slow = [(r["name"], r["param"], r["value"]) for r in results if r["kind"] == "timeout"]
    assert not slow, f"calls over {contract.LIMIT_S} s: {slow}"
