"""Diagrams of the objects the chapters compute with: a chain, two circuits, a network, two cells.

Each function takes the object itself (a result of :mod:`vgp_lib.chain`, a
:class:`vgp_lib.circuits.Circuit`, a result of :func:`vgp_lib.speeds.neuron_gradients`,
a :class:`vgp_lib.models.Block`, a ``torch.nn.GRUCell``, a transformer block), draws it on an
optional ``ax`` in the house style and returns the axes. Every number and
label in a diagram is read from that object, so the picture cannot drift from
the computation: change the object and the diagram changes.

Artists that carry a value have a ``gid`` (for example ``"factor-2"`` for the
text over neuron 2 of a chain, ``"gate-1-3"`` for gate 3 of circuit layer 1),
which the tests use to read the drawing back. Layers are numbered 1..L in the
text and in the ``gid`` s, 0-based in code.
"""

from .chain import plot_chain_diagram
from .circuits import plot_circuit_diagram
from .network import plot_network_bars
from .parts import format_number  # noqa: F401  (kept importable; a helper, not the surface)
from .recurrent import plot_gru_cell
from .residual import plot_residual_block
from .transformer import plot_transformer_block, plot_transformer_blocks

__all__ = [
    "plot_chain_diagram",
    "plot_circuit_diagram",
    "plot_gru_cell",
    "plot_network_bars",
    "plot_residual_block",
    "plot_transformer_block",
    "plot_transformer_blocks",
]
