"""vgp_lib.threads: one switch for the BLAS, OpenMP and torch thread pools."""

import numpy as np
import pytest
import torch
from threadpoolctl import threadpool_info

from vgp_lib.threads import on_one_thread, single_thread


def _blas_threads():
    return {(p["internal_api"], p["filepath"]): p["num_threads"] for p in threadpool_info()}


def test_every_pool_runs_one_thread_inside_and_is_restored_after_an_error():
    torch_before, pools_before = torch.get_num_threads(), _blas_threads()
    with pytest.raises(KeyError):
        with single_thread():
            assert torch.get_num_threads() == 1
            assert set(_blas_threads().values()) == {1}
            raise KeyError("x")
    assert torch.get_num_threads() == torch_before
    assert _blas_threads() == pools_before


def test_flush_denormal_flushes_inside_and_not_after():
    tiny = torch.tensor([1e-320], dtype=torch.float64)  # a subnormal float64
    with single_thread(flush_denormal=True):
        assert float(tiny * 1.0) == 0.0
    assert float(tiny * 1.0) > 0.0


def test_the_decorator_runs_the_function_inside_the_switch():
    @on_one_thread()
    def threads():
        return torch.get_num_threads(), set(_blas_threads().values())

    assert threads() == (1, {1})


def test_numpy_results_do_not_depend_on_the_thread_count():
    a = np.random.default_rng(0).standard_normal((300, 200))
    with single_thread():
        one = a @ a.T
    np.testing.assert_allclose(one, a @ a.T, rtol=1e-12)


@pytest.mark.parametrize("flag", [None, "yes", 1])
def test_flush_denormal_must_be_a_bool(flag):
    with pytest.raises(TypeError, match="flush_denormal"):
        with single_thread(flush_denormal=flag):
            pass
    with pytest.raises(TypeError, match="flush_denormal"):
        on_one_thread(flush_denormal=flag)
