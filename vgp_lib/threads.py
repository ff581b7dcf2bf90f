"""One switch for the CPU threads every experiment runs on.

The book's arrays are small (a mini-batch of 10, a 64-wide layer): a second
thread gains little and, on a machine whose cores are busy with other work,
costs a lot (threads wait for each other) and makes timings noisy. So every
experiment runs inside :func:`single_thread`, which limits

* the BLAS and OpenMP pools NumPy and torch load (through ``threadpoolctl``,
  which finds them whichever build is installed), and
* torch's own intra-op pool (``torch.set_num_threads``), when torch is in use,

and restores both on exit, also after an error.

``flush_denormal=True`` also makes torch flush subnormal floats to zero. A
vanishing gradient is full of numbers below float32's normal range, and CPU
arithmetic on subnormals is many times slower; the flag reaches only the
calling thread, which is one more reason to stay on one thread. PyTorch cannot
report the previous setting, so on exit flushing is switched off (its default).

>>> with single_thread():
...     pass
"""

from __future__ import annotations

import functools
import sys
from contextlib import contextmanager

from threadpoolctl import threadpool_limits

__all__ = ["single_thread", "on_one_thread"]


def single_thread(*, flush_denormal: bool = False):
    """Run the block on one CPU thread (BLAS, OpenMP and torch); restore the counts after."""
    if not isinstance(flush_denormal, bool):
        raise TypeError(
            f"flush_denormal must be True or False, got {type(flush_denormal).__name__}"
        )
    return _single_thread(flush_denormal)


@contextmanager
def _single_thread(flush_denormal: bool):
    torch = sys.modules.get(
        "torch"
    )  # torch code has imported it already; numpy code needs no torch
    with threadpool_limits(limits=1):
        if torch is None:
            yield
            return
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        if flush_denormal:
            torch.set_flush_denormal(True)
        try:
            yield
        finally:
            if flush_denormal:
                torch.set_flush_denormal(False)
            torch.set_num_threads(before)


def on_one_thread(*, flush_denormal: bool = False):
    """Decorator: the function runs inside :func:`single_thread`."""
    if not isinstance(flush_denormal, bool):
        raise TypeError(
            f"flush_denormal must be True or False, got {type(flush_denormal).__name__}"
        )

    def wrap(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with single_thread(flush_denormal=flush_denormal):
                return func(*args, **kwargs)

        return wrapper

    return wrap
