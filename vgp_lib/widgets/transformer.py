"""Explorer of a deep transformer's first training steps: layout, depth and warmup -> each
block's gradient norm after a number of AdamW steps, and the loss so far."""

from __future__ import annotations

from .._validate import check_bool, check_choice, check_int
from ..plots.transformer import LAYOUT_NAMES, draw_warmup_explorer
from ..transformer import LAYOUTS, train_sorting
from . import LiveFigure

#: The warmup the explorer switches on, in steps (the chapter's runs use the same).
WARMUP_STEPS = 75
#: Largest depth and number of steps the explorer offers (a redraw stays within a few seconds).
MAX_EXPLORER_DEPTH, MAX_EXPLORER_STEPS = 16, 20


def _compute(*, layout, depth, warmup, steps, seed):
    return train_sorting(
        depth=depth,
        layout=layout,
        warmup=WARMUP_STEPS if warmup else 0,
        steps=steps + 1,  # the gradient after `steps` updates is measured at step steps + 1
        record_every=1,
        seed=seed,
    )


def _describe(run) -> str:
    norms = run.gradient_norms[-1]
    return (
        f"{LAYOUT_NAMES[run.layout]}, {run.depth} blocks: after {run.loss.size - 1} steps the "
        f"bottom block's gradient is {norms[0] / norms[-1]:.2g} × the top block's; "
        f"loss {run.loss[-1]:.3g}."
    )


def warmup_explorer(
    *,
    layout: str = "post",
    depth: int = 12,
    warmup: bool = False,
    steps: int = 10,
    seed: int = 0,
) -> LiveFigure:
    """Controls for layout, depth, warmup on/off and the number of AdamW steps (learning rate
    1e-3) -> each block's gradient norm after those steps, and the loss on the way."""
    import ipywidgets as widgets

    layout = check_choice("layout", layout, LAYOUTS)
    depth = check_int("depth", depth, lo=1, hi=MAX_EXPLORER_DEPTH)
    warmup = check_bool("warmup", warmup)
    steps = check_int("steps", steps, lo=0, hi=MAX_EXPLORER_STEPS)
    seed = check_int("seed", seed, lo=0, hi=2**32 - 1)
    controls = {  # a slider first: the live test presses a key on the first control
        "depth": widgets.IntSlider(
            value=depth, min=1, max=MAX_EXPLORER_DEPTH, description="blocks"
        ),
        "layout": widgets.Dropdown(
            options=[(LAYOUT_NAMES[k], k) for k in LAYOUTS], value=layout, description="layout"
        ),
        "warmup": widgets.Checkbox(value=warmup, description=f"warmup ({WARMUP_STEPS} steps)"),
        "steps": widgets.IntSlider(value=steps, min=0, max=MAX_EXPLORER_STEPS, description="steps"),
    }
    return LiveFigure(
        controls,
        lambda **v: _compute(seed=seed, **v),
        draw_warmup_explorer,
        describe=_describe,
        height=3.4,
        reuse=True,
    )
