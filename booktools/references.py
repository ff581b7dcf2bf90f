"""The function computing each exercise's answer, by exercise label: for the tests and the
leak check only.

A check does not carry its reference (a reader could call ``check.reference()`` and copy
the answer); the book's tests look it up here, e.g. ``REFERENCES["ex-chain-vanish-depth"]()``,
with the same extra arguments as the check (``REFERENCES["ex-circuits-chain"](16)``).
It lives beside the book's tools, not in ``vgp_lib``, so nothing a reader imports holds it.
"""

from __future__ import annotations

from vgp_lib.exercises import (
    activations,
    chain,
    circuits,
    exploding,
    initialisation,
    mnist,
    normalisation,
    recurrent,
    residual,
    transformers,
    unstable,
    wide,
)

REFERENCES = {
    "ex-activations-relu-factor": activations.relu_factor,
    "ex-activations-dead-fraction": activations.dead_fraction,
    "ex-activations-dead-share": activations.dead_share_reference,
    "ex-chain-four-layer": chain.four_layer_gradient,
    "ex-chain-vanish-depth": chain.vanish_depth,
    "ex-circuits-chain": circuits.chain_depth,
    "ex-exploding-float32": exploding.float32_overflow_depth,
    "ex-exploding-balance": exploding.balanced_weight,
    "ex-initialisation-equal-units": initialisation.equal_start_units,
    "ex-initialisation-pytorch-factor": initialisation.pytorch_sigmoid_factor,
    "ex-mnist-shrink": mnist.shrink_factor,
    "ex-mnist-ratio": mnist.speed_ratio,
    "ex-normalisation-small-batch": normalisation.small_batch_scale,
    "ex-normalisation-predict": normalisation.batch_norm_factors,
    "ex-recurrent-carousel": recurrent.carousel_left,
    "ex-recurrent-half-life": recurrent.half_life_gate,
    "ex-residual-paths": residual.path_count,
    "ex-residual-stream": residual.stream_variances,
    "ex-transformers-warmup": transformers.deep_post_ln_trains,
    "ex-transformers-underflow": transformers.underflow_fraction,
    "ex-transformers-scale": transformers.scale_range,
    "ex-unstable-best-weight": unstable.best_weight,
    "ex-unstable-widest": unstable.widest,
    "ex-unstable-tanh-window": unstable.tanh_widest,
    "ex-unstable-larger-derivative": unstable.deeper_balance,
    "ex-wide-relu-he": wide.he_with_biases,
    "ex-wide-tanh-critical": wide.tanh_critical_sigma_w,
    "ex-wide-nielsen-shrink": wide.nielsen_shrink,
}
