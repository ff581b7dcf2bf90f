"""Figures of symmetry breaking: what each hidden unit of a small trained network computes.

:func:`plot_symmetry_run` draws a :class:`vgp_lib.symmetry.SymmetryRun` on an optional
``ax`` and returns the axes, in the book's house style (:mod:`vgp_lib.plots.style`).
"""

from __future__ import annotations

import math

import numpy as np

from .._validate import check_instance, check_int
from ..symmetry import SymmetryRun
from . import get_axes, styled

#: Colours of the two classes (inside the circle, outside it).
_INSIDE, _OUTSIDE = "C0", "C1"


def unit_lines(run: SymmetryRun) -> list[np.ndarray]:
    """For each hidden unit j, two points of its line w^1_j · x + b^1_j = 0 (where its z is 0
    and its output crosses one half), or an empty array when the line misses the square
    [-1, 1]²."""
    check_instance("run", run, SymmetryRun)
    out = []
    for (w_a, w_b), b in zip(run.w1, run.b1):
        points = []
        for x0 in (-1.0, 1.0):  # crossings of the vertical edges
            if w_b != 0:
                y0 = -(b + w_a * x0) / w_b
                if -1 <= y0 <= 1:
                    points.append((x0, y0))
        for y0 in (-1.0, 1.0):  # crossings of the horizontal edges
            if w_a != 0:
                x0 = -(b + w_b * y0) / w_a
                if -1 <= x0 <= 1:
                    points.append((x0, y0))
        points = sorted(set(points))
        out.append(np.array([points[0], points[-1]]) if len(points) >= 2 else np.empty((0, 2)))
    return out


@styled
def plot_symmetry_run(run, ax=None, *, grid: int = 121):
    """The data, the network's decision (shaded where its output exceeds one half), the
    circle it should find (dashed) and one thin line per hidden unit where that unit's
    z^1_j = 0. Units that are equal draw on top of each other.
    """
    check_instance("run", run, SymmetryRun)
    grid = check_int("grid", grid, lo=11, hi=1001)
    ax = get_axes(ax, (3.4, 3.4))
    u = np.linspace(-1.0, 1.0, grid)
    gx, gy = np.meshgrid(u, u)
    out = run.output(np.column_stack([gx.ravel(), gy.ravel()])).reshape(gx.shape)
    ax.contourf(gx, gy, out, levels=[0.5, 1.0], colors=[_INSIDE], alpha=0.18)
    inside = run.y > 0.5
    ax.plot(*run.x[inside].T, "o", ms=3, color=_INSIDE, label="inside")
    ax.plot(*run.x[~inside].T, "x", ms=3.5, color=_OUTSIDE, label="outside")
    t = np.linspace(0, 2 * np.pi, 200)
    r = math.sqrt(2 / math.pi)
    ax.plot(r * np.cos(t), r * np.sin(t), "--", color="grey", lw=1.0, label="_circle")
    for k, line in enumerate(unit_lines(run)):
        if len(line):
            ax.plot(*line.T, "-", color="black", lw=1.0, alpha=0.8, label="_unit" if k else "unit")
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax
