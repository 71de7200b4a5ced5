"""Two linear layers are one: the lecture's u = w²w¹x, worked as steps (``network.collapse``).

With every neuron linear, the second layer's u is t·(w·x) = (t·w)·x. The product W = t·w is
a matrix like any layer's, with the biases folded in: w is taken with the extra row
(1, 0, …, 0) of the hidden bias input z₀ = 1, so that

    W_i0 = t_i0·z₀ + Σ_k t_ik w_k0        (every bias, carried to the output)
    W_ij = Σ_k t_ik w_kj                   (j ≥ 1)

Each entry is one step ``W[i,j]``, after the first sample's forward pass; then, for every
sample, the single layer's ``single.u[i]`` = Σ_j W_ij x_j, the same number as ``u[2,i]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stepper.explain import explain
from stepper.notation import Sym
from stepper.steps import Phase, Quantity

if TYPE_CHECKING:
    from stepper.engine.dense import DenseRun

#: The key of the single layer's u, beside the two layers' u[2,i].
SINGLE = "single."


def product(run: DenseRun, hidden_bias: Quantity) -> list[list[Quantity]]:
    """W = t·w entry by entry, row i of the output layer, column j of the inputs."""
    w, t = run.weights
    rows = []
    for i, t_row in enumerate(t, 1):
        row = []
        for j in range(len(w[0])):
            # Column j of w extended with the bias row: z₀ = 1 into the bias, 0 elsewhere.
            pairs = [(t_row[0], hidden_bias)] if j == 0 else []
            pairs += [(t_row[k], w[k - 1][j]) for k in range(1, len(t_row))]
            value = 0.0
            for a, b in pairs:
                value += a.value * b.value
            sym = Sym("W", (run.neuron(2, i), j))
            words = explain(
                "collapse.bias" if j == 0 else "collapse.weight",
                run.lang,
                W=sym.unicode(),
                t=run.letters[1],
                w=run.letters[0],
                bias=hidden_bias.sym.unicode(),
            )
            row.append(
                run.emit(
                    f"W[{i},{j}]",
                    Phase.FORWARD,
                    None,
                    template="sum_products",
                    params=(),
                    sym=sym,
                    operands=[q for pair in pairs for q in pair],
                    value=value,
                    explanation=words,
                )
            )
        rows.append(row)
    return rows


def single_layer(run: DenseRun, s: int, big_w: list[list[Quantity]], x: list[Quantity]) -> None:
    """The one layer with weights W on sample s's inputs: the same u as the two layers."""
    for i, row in enumerate(big_w, 1):
        value = 0.0
        for a, b in zip(row, x, strict=True):
            value += a.value * b.value
        sym = Sym("u", (run.neuron(2, i),))
        run.emit(
            f"{SINGLE}u[{i}]",
            Phase.FORWARD,
            s,
            template="sum_products",
            params=(),
            sym=sym,
            operands=[q for pair in zip(row, x, strict=True) for q in pair],
            value=value,
            explanation=explain(
                "collapse.u", run.lang, u=sym.unicode(), t=run.letters[1], w=run.letters[0]
            ),
        )
