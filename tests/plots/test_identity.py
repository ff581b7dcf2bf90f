"""What :mod:`vgp_lib.plots.identity` draws is the identity neuron's error curve.

Each test builds a real (tiny) result with the compute call its chapter uses, draws it on
a house-style figure and reads the artists back (helpers in ``tests/plotcheck.py``).
"""

import numpy as np

from tests.plotcheck import (
    _labelled,
    _line,
    _render,
    _xy,
)
from vgp_lib import identity
from vgp_lib.plots import figure
from vgp_lib.plots import identity as pidentity


def test_identity_error_draws_measured_and_taylor_and_the_best():
    c = identity.error_curve(1e-5, 4.0, n=12)
    fig, ax = figure()
    pidentity.plot_identity_error(c, ax)
    np.testing.assert_allclose(_xy(_line(ax, "measured worst error on [0, 1]")), (c.w1, c.error))
    np.testing.assert_allclose(_xy(_line(ax, r"Taylor estimate $w_1^2/96$")), (c.w1, c.taylor))
    i = int(np.argmin(c.error))
    best = [ln for ln in _labelled(ax) if ln.get_label().startswith("best:")]
    np.testing.assert_allclose(_xy(best[0]), ([c.w1[i]], [c.error[i]]))
    assert ax.get_xscale() == ax.get_yscale() == "log"
    _render(fig)
