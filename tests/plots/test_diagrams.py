"""The diagrams draw the objects they are given: read
each drawing back and compare it with the object."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch

from vgp_lib import chain, circuits, models, recurrent, speeds
from vgp_lib.network import init_params
from vgp_lib.plots import diagrams, figure
from vgp_lib.plots.display import png_bytes
from vgp_lib.plots.legibility import smallest_text_pt
from vgp_lib.plots.style import MIN_TEXT_PT


def _value(text: str) -> float:
    """A number as format_number writes it (true minus
    sign, mathtext powers of ten) back to a float."""
    s = text.replace("\N{MINUS SIGN}", "-").strip("$")
    m = re.fullmatch(r"(-?[\d.]+)\\times10\^\{(-?\d+)\}", s)
    return float(m.group(1)) * 10.0 ** int(m.group(2)) if m else float(s)


def _by_gid(ax, kind=None):
    """Artists of ``ax`` (texts, patches, lines, collections) keyed by their gid."""
    artists = {}
    for artist in [*ax.texts, *ax.patches, *ax.lines, *ax.collections]:
        gid = artist.get_gid()
        if gid is not None and (kind is None or isinstance(artist, kind)):
            artists.setdefault(gid, []).append(artist)
    return artists


def _texts(ax):
    from matplotlib.text import Text

    return {gid: found[0].get_text() for gid, found in _by_gid(ax, Text).items()}


@pytest.mark.parametrize(
    "value, text",
    [
        (0.085193, "0.0852"),
        (-0.0323, "\N{MINUS SIGN}0.0323"),
        (-9.862e-06, r"$-9.86\times10^{-6}$"),
        (9.9996e-5, r"$1.00\times10^{-4}$"),
        (0.0, "0"),
    ],
)
def test_format_number(value, text):
    assert diagrams.format_number(value) == text
    assert _value(text) == pytest.approx(value, rel=5e-3, abs=1e-12)


# --------------------------------------------------------------------------- the chain


@pytest.mark.parametrize("depth, seed", [(4, 0), (6, 3)])
def test_chain_diagram_writes_the_librarys_factors_and_gradients(depth, seed):
    result = chain.analyse(chain.random_chain(depth, seed=seed))
    _fig, ax = figure(height=1.9)
    assert diagrams.plot_chain_diagram(result, ax) is ax
    texts = _texts(ax)
    for j in range(depth):
        assert _value(texts[f"factor-{j + 1}"]) == pytest.approx(result.factors[j], rel=5e-3)
        assert _value(texts[f"grad-{j + 1}"]) == pytest.approx(result.grad[j], rel=5e-3)
        weight = texts[f"weight-{j + 1}"].split("=")[1]
        assert _value(weight) == pytest.approx(result.chain.weights[j], rel=5e-2)
    assert f"factor-{depth + 1}" not in texts
    assert _value(texts["grad-output"]) == pytest.approx(result.a[-1] - result.chain.y, rel=5e-3)
    assert len([p for p in _by_gid(ax) if p.startswith("neuron-")]) == depth


def test_chain_diagram_follows_the_chain():
    a = chain.analyse(chain.constant_chain(3, w=0.5, b=0.0))
    b = chain.analyse(chain.constant_chain(3, w=2.0, b=0.0))
    ta, tb = _texts(diagrams.plot_chain_diagram(a)), _texts(diagrams.plot_chain_diagram(b))
    assert ta["factor-2"] != tb["factor-2"]
    assert _value(tb["factor-2"]) == pytest.approx(b.factors[1], rel=5e-3)


# --------------------------------------------------------------------------- circuits


@pytest.mark.parametrize("build", [circuits.two_layer_parity, circuits.deep_parity])
@pytest.mark.parametrize("n", [3, 4])
def test_circuit_diagram_draws_every_gate_and_wire(build, n):
    circuit = build(n)
    ax = diagrams.plot_circuit_diagram(circuit)
    found = _by_gid(ax)
    drawn = tuple(len(found[f"gates-{i + 1}"][0].get_offsets()) for i in range(circuit.depth))
    assert drawn == circuit.gates_per_layer
    assert f"gates-{circuit.depth + 1}" not in found
    assert len(found["wire"]) == circuit.n_wires
    # every gate has as many wires ending at it as it has inputs
    ends = [tuple(np.round(line.get_xydata()[-1], 6)) for line in found["wire"]]
    for i, layer in enumerate(circuit.layers):
        for (x, y), gate in zip(found[f"gates-{i + 1}"][0].get_offsets(), layer):
            assert ends.count((round(x, 6), round(y, 6))) == int((gate >= 0).sum())
    assert f"{circuit.n_gates} NAND gates, depth {circuit.depth}" in ax.get_title()


def test_two_layer_circuit_reads_negated_inputs_and_the_deep_one_does_not():
    shallow = _texts(diagrams.plot_circuit_diagram(circuits.two_layer_parity(3)))
    deep = _texts(diagrams.plot_circuit_diagram(circuits.deep_parity(3)))
    assert sum(k.startswith("input-") for k in shallow) == 6
    assert sum(k.startswith("input-") for k in deep) == 3
    assert shallow["input-3"] == r"$\neg x_1$"


# --------------------------------------------------------------------------- the network's bars


def _data(n=10, n_in=784, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, n_in)) / 256, rng.integers(0, 10, n)


def test_bars_are_proportional_to_the_first_neurons_gradients_on_one_scale():
    x, y = _data()
    result = speeds.neuron_gradients(x, y, sizes=(784, 8, 8, 10), seed=2, n_neurons=6)
    full = speeds.bias_gradients(init_params((784, 8, 8, 10), seed=2), x, y)
    ax = diagrams.plot_network_bars(result)
    found = _by_gid(ax)
    lengths, expected = [], []
    for l in (1, 2):
        for k in range(1, 7):
            lengths.append(found[f"bar-{l}-{k}"][0].get_width())
            expected.append(abs(full[l - 1][0, k - 1]))  # neuron k of hidden layer l, from the top
            assert f"neuron-{l}-{k}" in found
        assert f"bar-{l}-7" not in found and f"neuron-{l}-7" not in found
    lengths, expected = np.array(lengths), np.array(expected)
    scale = lengths / expected
    np.testing.assert_allclose(scale, scale[0], rtol=1e-12)  # one scale across both layers
    key = found["bar-scale"][0].get_width()
    label = _texts(ax)["bar-scale-label"].split("=")[-1]
    assert key == pytest.approx(_value(label.strip()) * scale[0], rel=1e-12)
    texts = " ".join(_texts(ax).values()) + " ".join(t.get_text() for t in ax.texts)
    assert "784 pixels" in texts and "8 neurons" in texts and "10 digits" in texts


# --------------------------------------------------------------------------- residual block and GRU


def test_residual_block_labels_come_from_the_block():
    net = models.build_mlp(
        n_in=5, width=7, n_out=3, depth=3, activation="tanh", norm="layer", residual=True, seed=0
    )
    texts = _texts(diagrams.plot_residual_block(net.blocks[1]))
    assert texts["box-linear"] == "linear\n7 \N{RIGHTWARDS ARROW} 7"
    assert texts["box-norm"] == "layer norm"
    assert texts["box-activation"] == "tanh"
    assert texts["output"] == "$a + F(a)$" and "skip-label" in texts

    ax = diagrams.plot_residual_block(net.blocks[0])  # the first block is never residual
    assert "skip" not in _by_gid(ax) and "sum" not in _by_gid(ax)
    assert _texts(ax)["box-linear"] == "linear\n5 \N{RIGHTWARDS ARROW} 7"
    assert _texts(ax)["output"] == "$F(a)$"

    plain = models.build_mlp(
        n_in=4, width=6, n_out=2, depth=2, activation="sigmoid", residual=True, seed=1
    )
    texts = _texts(diagrams.plot_residual_block(plain.blocks[1]))
    assert texts["box-activation"] == "sigmoid" and "box-norm" not in texts


@pytest.mark.parametrize("gate_bias", [0.0, 2.5])
def test_gru_diagram_reads_sizes_and_update_bias_from_the_cell(gate_bias):
    cell = recurrent.make_cell("gru", n_in=3, hidden=5, seed=0, gate_bias=gate_bias)
    texts = _texts(diagrams.plot_gru_cell(cell))
    assert texts["hidden-size"] == "$h_{t-1}$ (5)"
    assert texts["input-size"] == "$x_t$ (3)"
    bias = float((cell.bias_ih[5:10] + cell.bias_hh[5:10]).detach().mean())
    shown = texts["gate-z"].split("bias")[1]
    assert _value(shown) == pytest.approx(bias, abs=0.051)
    assert texts["gate-r"].startswith("reset $r$") and texts["gate-n"].startswith("candidate $n$")


# ------------------------------------------------------------------------ house style and bad input


def _all_diagrams():
    x, y = _data(n=6)
    yield diagrams.plot_chain_diagram, chain.analyse(chain.random_chain(4, seed=0)), 1.9
    yield diagrams.plot_circuit_diagram, circuits.deep_parity(4), 3.4
    yield (
        diagrams.plot_network_bars,
        speeds.neuron_gradients(x, y, sizes=(784, 30, 30, 10), n_neurons=6),
        3.6,
    )
    net = models.build_mlp(n_in=8, width=8, n_out=2, depth=2, residual=True, seed=0)
    yield diagrams.plot_residual_block, net.blocks[1], 2.0
    yield diagrams.plot_gru_cell, recurrent.make_cell("gru", n_in=4, hidden=32, seed=0), 3.0


def test_every_diagram_passes_the_house_checks():
    for draw, obj, height in _all_diagrams():
        fig, ax = figure(height=height)
        draw(obj, ax)
        assert smallest_text_pt(fig) >= MIN_TEXT_PT
        data, width = png_bytes(fig)  # raises on small text or a legend over data
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and width == 672  # style.COLUMN_PX


@pytest.mark.parametrize(
    "call, name, error",
    [
        (lambda: diagrams.plot_chain_diagram(chain.random_chain(3, seed=0)), "result", TypeError),
        (
            lambda: diagrams.plot_chain_diagram(
                chain.analyse(chain.random_chain(3, seed=0, n_chains=2))
            ),
            "result",
            ValueError,
        ),
        (
            lambda: diagrams.plot_chain_diagram(chain.analyse(chain.random_chain(9, seed=0))),
            "result",
            ValueError,
        ),
        (lambda: diagrams.plot_circuit_diagram("parity"), "circuit", TypeError),
        (
            lambda: diagrams.plot_circuit_diagram(circuits.two_layer_parity(6)),
            "circuit",
            ValueError,
        ),
        (lambda: diagrams.plot_network_bars(np.ones(6)), "result", TypeError),
        (
            lambda: diagrams.plot_network_bars(
                speeds.neuron_gradients(*_data(n=3, n_in=5), sizes=(5, 12, 12, 10), n_neurons=12)
            ),
            "result",
            ValueError,
        ),
        (lambda: diagrams.plot_residual_block(torch.nn.Linear(3, 3)), "block", TypeError),
        (lambda: diagrams.plot_gru_cell(torch.nn.LSTMCell(3, 4)), "cell", TypeError),
    ],
)
def test_bad_input_names_the_parameter(call, name, error):
    with pytest.raises(error, match=name):
        call()
