"""Inputs given as a category: the index, the one-hot vector, and the lookup it makes of u.

A sample may name a category of a list (``x: {category: gato, of: [perro, gato, pájaro]}``)
instead of giving numbers. The network still reads numbers: one input per category, 1 at the
category's place k and 0 elsewhere (the one-hot vector). These steps come before the forward
pass (``Phase.INPUT``): k = id + 1, from the category's id counted from 0 as a tokenizer
counts (the inputs count from 1, x₀ = 1 being the bias's), then x_j = [k = j] for j = 1 … K.

Then the first layer's sum u_i = Σ_j w_ij x_j keeps two products: the bias's and w_ik·1,
since every other x_j is 0. u is the bias plus column k of W, and exactly column k when the
biases are 0 (an embedding layer has none): multiplying by a one-hot vector is reading one
column of W, which is all an embedding layer does, with K · n numbers to learn (K
categories, n neurons). The increments show the other half of it: Δw_ij = c·α·x_j·δ_i is 0
for every j ≠ k, so a sample trains only the column of its own category.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stepper.explain import explain
from stepper.lesson.schema import Category, Sample
from stepper.notation import Sym
from stepper.steps import Phase, Quantity

if TYPE_CHECKING:
    from stepper.engine.dense import DenseRun


def prepare(run: DenseRun, s: int, sample: Sample) -> None:
    """Before sample s goes forward: the first time it comes, if it is a category, its input
    steps, and before the first such sample the size of the table it is looked up in."""
    if s in run.encoded or not isinstance(sample.x, Category):
        return
    if not run.encoded:
        parameters(run, sample.x)
    run.encoded[s] = encode(run, s, sample.x)


def parameters(run: DenseRun, first: Category) -> None:
    """P = K · n, the size of the table the first layer looks categories up in."""
    categories, size = len(first.of), run.sizes[1]
    run.emit(
        "params",
        Phase.SHAPE,
        None,
        template="product",
        params=(),
        sym=Sym("P"),
        operands=[_size("K", categories), _size("n", size)],
        value=float(categories * size),
        explanation=explain(
            "params.embedding",
            run.lang,
            categories=categories,
            size=size,
            biases=size,
        ),
    )


def _size(letter: str, value: int) -> Quantity:
    return Quantity(Sym(letter), letter, float(value), str(value))


def _place(j: int) -> Quantity:
    """The number j of input x_j, as the one-hot entry compares it with k: written as the
    number itself, a constant of the formula x_j = [k = j] rather than a quantity to look up."""
    return Quantity(Sym(str(j)), f"j[{j}]", float(j), str(j))


def encode(run: DenseRun, s: int, x: Category) -> list[Quantity]:
    """The steps that turn sample s's category into inputs; its x₀ … x_K."""
    k = x.index()
    ident = Quantity(Sym("id"), "id", float(k - 1), str(k - 1))
    index = run.emit(
        "index",
        Phase.INPUT,
        s,
        template="place",
        params=(),
        sym=Sym("k"),
        operands=[ident],
        value=float(k),
        explanation=explain(
            "index", run.lang, name=x.category, id=k - 1, count=len(x.of), of=", ".join(x.of)
        ),
    )
    inputs = [Quantity(Sym("x", (0,)), "x[0]", 1.0, "1")]
    for j in range(1, len(x.of) + 1):
        value = 1.0 if j == k else 0.0
        inputs.append(
            run.emit(
                f"x[{j}]",
                Phase.INPUT,
                s,
                template="onehot",
                params=(),
                sym=Sym("x", (j,)),
                operands=[index, _place(j)],
                value=value,
                explanation=explain(
                    "onehot", run.lang, x=Sym("x", (j,)).unicode(), name=x.of[j - 1]
                ),
            )
        )
    return inputs


def lookup(
    run: DenseRun, i: int, row: list[Quantity], xs: list[Quantity], k: int
) -> tuple[list[Quantity], float, str]:
    """Neuron i's u in the first layer for a one-hot input with its 1 at x_k: the operands
    (the bias's product and w_ik·x_k, the others being 0), the value and the words."""
    operands = [row[0], xs[0], row[k], xs[k]]
    value = row[0].value * xs[0].value + row[k].value * xs[k].value
    w = row[k].sym.unicode()
    bias = row[0].sym.unicode()
    words = run.once("lookup", explain("u.lookup", run.lang, i=run.neuron(1, i), k=k, w=w))
    words += explain(
        "u.lookup.exact" if row[0].value == 0 else "u.lookup.bias", run.lang, w=w, bias=bias
    )
    return operands, value, words
