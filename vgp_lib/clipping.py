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

import numpy as np

from ._validate import Result, check_array, check_real

_NOT_A_SEQUENCE = "grads must be a sequence of arrays (one per parameter), e.g. [dW1, db1]"


@dataclass(frozen=True)
class Clipped(Result):
    """The clipped arrays, the global norm before and after, and the factor applied."""

    grads: tuple[np.ndarray, ...]
    norm_before: float
    norm_after: float
    scale: float


def global_norm(grads) -> float:
    """Euclidean norm of all arrays in ``grads`` taken together."""
    if isinstance(grads, (np.ndarray, str, bytes)) or not hasattr(grads, "__iter__"):
        raise TypeError(_NOT_A_SEQUENCE)
    grads = list(grads)
    for i, g in enumerate(grads):
        try:
            kind = np.asarray(g).dtype.kind
        except (TypeError, ValueError):  # ragged nesting
            kind = "O"
        if kind not in "iuf":
            raise TypeError(f"grads[{i}] must be an array of real numbers, got {type(g).__name__}")
    with np.errstate(over="ignore", invalid="ignore"):
        norm = float(np.sqrt(sum(float(np.sum(np.square(g))) for g in grads)))
    if not np.isfinite(norm):
        raise ValueError(
            "grads must hold finite numbers whose sum of squares fits in float64 "
            "(clip_by_global_norm rescales huge gradients first)"
        )
    return norm


def clip_by_global_norm(grads, max_norm: float) -> Clipped:
    """Scale ``grads`` (a sequence of arrays) so their global norm is at most ``max_norm``.

    The global norm is computed after dividing by the largest absolute entry,
    so gradients of size 1e200 clip without overflowing.
    """
    max_norm = check_real("max_norm", max_norm, lo=0.0, lo_open=True)
    if isinstance(grads, np.ndarray) or not hasattr(grads, "__iter__"):
        raise TypeError(_NOT_A_SEQUENCE)
    arrays = [check_array(f"grads[{i}]", g) for i, g in enumerate(grads)]
    if not arrays:
        raise ValueError("grads must contain at least one array")
    big = max(float(np.max(np.abs(a))) if a.size else 0.0 for a in arrays)
    if big == 0.0:
        return Clipped(tuple(a.copy() for a in arrays), 0.0, 0.0, 1.0)
    norm = big * global_norm([a / big for a in arrays])
    scale = min(1.0, max_norm / norm)
    clipped = tuple(a * scale for a in arrays)
    return Clipped(clipped, norm, min(norm, norm * scale), scale)


def clip_grads_(parameters, max_norm: float) -> Clipped:
    """Clip the ``.grad`` of torch ``parameters`` in place by their global norm; return the
    record.
    """
    import torch

    if isinstance(parameters, (str, bytes, torch.Tensor)) or not hasattr(parameters, "__iter__"):
        raise TypeError(
            f"parameters must be an iterable of torch tensors (e.g. "
            f"model.parameters()), got {type(parameters).__name__}"
        )
    parameters = list(parameters)
    for p in parameters:
        if not isinstance(p, torch.Tensor):
            raise TypeError(
                f"parameters must hold torch tensors, got an element of type {type(p).__name__}"
            )
    params = [p for p in parameters if p.grad is not None]
    if not params:
        raise ValueError(
            "parameters must include at least one tensor with a .grad (call backward first)"
        )
    out = clip_by_global_norm([p.grad.detach().double().cpu().numpy() for p in params], max_norm)
    with torch.no_grad():
        for p in params:
            p.grad.mul_(out.scale)
    return out
