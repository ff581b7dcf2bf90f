"""Gradient clipping by global norm :cite:p:`pascanu2013`.

All gradient arrays of a model are treated as one long vector g. If its norm
exceeds ``max_norm``, every array is multiplied by the same factor
``max_norm / ||g||`` (equation ``eq-clip-global``):

.. math:: g \\leftarrow g \\cdot \\min\\left(1, \\frac{c}{\\lVert g \\rVert}\\right)

so the clipped gradient has norm at most ``c`` and points in exactly the same
direction. Clipping each array separately would change the direction.

>>> out = clip_by_global_norm([np.array([3.0, 0.0]), np.array([4.0])], max_norm=2.5)
>>> float(out.norm_before), float(out.norm_after), [g.tolist() for g in out.grads]
(5.0, 2.5, [[1.5, 0.0], [2.0]])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from ._validate import check_arrays, check_instance, check_real, check_sequence, checked

_POSITIVE = partial(check_real, lo=0.0, lo_open=True)


@dataclass(frozen=True)
class Clipped:
    """The clipped arrays, the global norm before and after, and the factor applied."""

    grads: tuple[np.ndarray, ...]
    norm_before: float
    norm_after: float
    scale: float


def global_norm(grads) -> float:
    """Euclidean norm of all arrays in ``grads`` taken together."""
    grads = check_arrays("grads", grads, keep_dtype=True)
    with np.errstate(over="ignore", invalid="ignore"):
        norm = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads)))
    if not np.isfinite(norm):
        raise ValueError(
            "grads must hold finite numbers whose sum of squares fits in float64 "
            "(clip_by_global_norm rescales huge gradients first)"
        )
    return norm


@checked(grads=check_arrays, max_norm=_POSITIVE)
def clip_by_global_norm(grads, max_norm: float) -> Clipped:
    """Scale ``grads`` (a sequence of arrays) so their global norm is at most ``max_norm``.

    The global norm is computed after dividing by the largest absolute entry,
    so gradients of size 1e200 clip without overflowing.
    """
    big = max(float(np.max(np.abs(g))) if g.size else 0.0 for g in grads)
    if big == 0.0:
        return Clipped(tuple(g.copy() for g in grads), 0.0, 0.0, 1.0)
    norm = big * global_norm([g / big for g in grads])
    scale = min(1.0, max_norm / norm)
    clipped = tuple(g * scale for g in grads)
    return Clipped(clipped, norm, min(norm, norm * scale), scale)


def clip_grads_(parameters, max_norm: float) -> Clipped:
    """Clip the ``.grad`` of torch ``parameters`` in place by their global norm; return the
    record.
    """
    import torch

    what = "torch tensors (e.g. model.parameters())"
    if isinstance(parameters, torch.Tensor):  # not one tensor: it would be taken as its rows
        raise TypeError(f"parameters must be a sequence of {what}, got one Tensor")
    parameters = check_sequence("parameters", parameters, what=what)
    parameters = [check_instance("parameters", p, torch.Tensor, what) for p in parameters]
    params = [p for p in parameters if p.grad is not None]
    if not params:
        raise ValueError("parameters must include a tensor with a .grad (call backward first)")
    out = clip_by_global_norm([p.grad.detach().double().cpu().numpy() for p in params], max_norm)
    with torch.no_grad():
        for p in params:
            p.grad.mul_(out.scale)
    return out


@checked(grads=check_arrays, max_norm=_POSITIVE)
def clip_per_tensor(grads, max_norm: float) -> tuple[np.ndarray, ...]:
    """Clip every array of ``grads`` by its *own* norm to at most ``max_norm``.

    Unlike :func:`clip_by_global_norm` this multiplies the arrays by different factors, so the
    whole gradient turns (measure it with :func:`cosine`).

    >>> out = clip_per_tensor([np.array([3.0, 4.0]), np.array([0.5])], 1.0)
    >>> [np.round(g, 12).tolist() for g in out]
    [[0.6, 0.8], [0.5]]
    """
    return tuple(clip_by_global_norm([g], max_norm).grads[0] for g in grads)


def cosine(grads, other) -> float:
    """Cosine of the angle between two gradients, each a sequence of arrays taken as one vector.

    >>> cosine([np.array([1.0, 0.0])], [np.array([2.0, 0.0])])
    1.0
    """
    a, b = check_arrays("grads", grads), check_arrays("other", other)
    if len(a) != len(b) or any(x.shape != y.shape for x, y in zip(a, b)):
        raise ValueError("other must hold arrays of the same shapes as grads (at least one)")
    big_a = max(float(np.max(np.abs(x))) if x.size else 0.0 for x in a)
    big_b = max(float(np.max(np.abs(y))) if y.size else 0.0 for y in b)
    if big_a == 0.0 or big_b == 0.0:
        raise ValueError("grads and other must both be non-zero (a zero vector has no direction)")
    x = np.concatenate([g.ravel() / big_a for g in a])
    y = np.concatenate([g.ravel() / big_b for g in b])
    return float(np.clip(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)), -1.0, 1.0))
