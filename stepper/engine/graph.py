"""Backpropagation on a computational graph, node by node, as micrograd's ``backward`` does it.

Forward, each node's value from its operands' (``val[n]``). Backward, from the output: its
gradient is 1 (``grad[OUT]``); then, for each node in the reverse of the computing order and
each operand m it reads, the local derivative ∂n/∂m (``local[n,m]``, derived by sympy:
``graph_local``) times the node's own gradient gives m's. An operand read by one node gets its
gradient there (``grad[m]``); one read by several gets a contribution from each
(``contrib[n,m]``, written (dL/dm)⁽ⁿ⁾) and, after the last, their sum. Only the nodes on a
path to the output take part. With a learning rate, one descent step moves the trainable
inputs (``new[x]``: x → x − α·dL/dx) and every node is computed again with them
(``check.val[n]``). A lesson split both ways works two graphs, their keys prefixed
``operations.`` and ``functions.``. The keys are docs/lessons.md's "Step keys of a graph
lesson".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from stepper.activations import tanh_written
from stepper.engine.base import Recorder
from stepper.engine.graph_local import Local, Numeric, derive
from stepper.engine.graph_split import Node, given_nodes, split
from stepper.explain import explain
from stepper.formulas import register_expression, rhs_formula
from stepper.lesson.errors import NumberProblem, msg
from stepper.lesson.formula import NumericError
from stepper.lesson.schema import GraphLesson
from stepper.notation import Sym, named
from stepper.numbers import given, parse_shown, pretty, shown
from stepper.steps import GraphNode, GraphRun, GraphShape, Phase, Quantity, Solution


def partial(of: str, by: str) -> Sym:
    """The local derivative ∂of/∂by as a symbol."""
    return replace(named(by), of=named(of))


def gradient(of: str, by: str, via: str | None = None) -> Sym:
    """The gradient d(of)/d(by) as a symbol (a total derivative, written with d apart from a
    local ∂); with ``via``, the part of it that comes back through that node."""
    return replace(named(by), of=named(of), via=named(via) if via else None, total=True)


class GraphPass(Recorder):
    """One pass over a graph lesson: each granularity's graph forward, back and updated."""

    def check_words(self, words: str) -> str:
        """The descent step moves inputs, not weights."""
        return explain("check.step.graph", self.lang, words=words)

    def __init__(self, lesson: GraphLesson, lang: str, *, rounding: bool) -> None:
        super().__init__(lesson, lang, rounding=rounding)
        self.lesson = lesson
        self.inputs = tuple(lesson.inputs)
        self.out = ""
        self.tgh = tanh_written(lesson.display.tanh, lang) == "tgh"
        #: The gradients known so far, the nodes that read each name, and the contributions
        #: to a name read by several nodes gathered so far (one graph's backward pass).
        self.grads: dict[str, Quantity] = {}
        self.readers: dict[str, list[str]] = {}
        self.parts: dict[str, list[Quantity]] = {}
        #: Each node's formula in Unicode (``d·f``), for the words of its local derivatives.
        self.written: dict[str, str] = {}

    def solution(self) -> Solution:
        lesson = self.lesson
        splits = lesson.splits()
        runs = []
        for how in splits:
            self.run_prefix = f"{how}." if len(splits) > 1 else ""
            runs.append(self.work(how))
        return self.finish(
            lesson,
            "graph",
            graph=GraphShape(
                tuple(runs),
                float(lesson.learning_rate) if lesson.learning_rate is not None else None,
            ),
        )

    def nodes(self, how: str) -> list[Node]:
        """The graph's computed nodes in order (the loader has checked every formula, and
        that an expression has an operation to split at)."""
        lesson = self.lesson
        if lesson.nodes is not None:
            return given_nodes(lesson.nodes, self.inputs)
        assert lesson.expression is not None
        return split(lesson.expression, self.inputs, lesson.output or "f", how)

    # One graph ---------------------------------------------------------------------------------

    def work(self, how: str) -> GraphRun:
        nodes = self.nodes(how)
        self.written = {}
        # With nodes, the output is the lesson's (default: the last); an expression's is its
        # root, which the split named by ``output``.
        given_out = self.lesson.output if self.lesson.nodes is not None else None
        self.out = given_out or nodes[-1].name
        trainable = set(self.lesson.trainable or self.inputs)
        values = {
            x: Quantity(named(x), self.run_prefix + x, float(v), given(float(v)))
            for x, v in self.lesson.inputs.items()
        }
        forward = self.forward(nodes, values)
        grads = self.backward(nodes, forward)
        if self.lesson.learning_rate is not None:
            moved = self.update(trainable, values, grads)
            with self.checking():
                self.forward(nodes, {**values, **moved})
        shown = [
            GraphNode(x, named(x), value=q.value, trainable=x in trainable)
            for x, q in values.items()
        ]
        steps = {s.key: s for s in self.steps}
        for n in nodes:
            step = steps[f"{self.run_prefix}val[{n.name}]"]
            shown.append(
                GraphNode(
                    n.name,
                    named(n.name),
                    n.operands,
                    rhs_formula(step, "unicode"),
                    "tgh" if self.tgh and n.op == "tanh" else n.op,
                    step.value,
                )
            )
        return GraphRun(how, self.run_prefix, tuple(shown), self.out)

    def forward(self, nodes: list[Node], values: dict[str, Quantity]) -> dict[str, Quantity]:
        """Each node's value, from its operands' (kept in ``values``)."""
        values = dict(values)
        for n in nodes:
            operands = [values[m] for m in n.operands]
            value = self.at(n.name, n.formula.value, operands)
            values[n.name] = self.emit(
                f"val[{n.name}]",
                Phase.FORWARD,
                None,
                template="expression",
                params=(derive(n, tgh=self.tgh).template,),
                sym=named(n.name),
                operands=operands,
                value=value,
                explanation=self.forward_words(n.name, operands, value),
            )
            self.written.setdefault(n.name, rhs_formula(self.steps[-1], "unicode"))
        return values

    def forward_words(self, name: str, operands: Sequence[Quantity], value: float) -> str:
        """Why a node is computed; in the check phase, the output says whether the step
        lowered it (compared as shown: what the learner sees)."""
        node = named(name).unicode()
        if self.before is None:
            listed = ", ".join(q.sym.unicode() for q in operands)
            return explain(
                "graph.val.out" if name == self.out else "graph.val",
                self.lang,
                node=node,
                operands=listed,
            )
        if name != self.out:
            return explain("graph.check", self.lang, node=node)
        before = next(s for s in self.steps if s.key == f"{self.run_prefix}val[{name}]")
        old, new = parse_shown(before.shown), parse_shown(shown(value, self.decimals))
        verdict = "lower" if new < old else "higher" if new > old else "same"
        return explain(f"graph.check.{verdict}", self.lang, out=node, before=pretty(before.shown))

    def at(self, name: str, fn: Numeric, operands: Sequence[Quantity]) -> float:
        """A formula's value at its operands' values, or the lesson's problem where it is
        undefined there: the loader checked the given values, so what is left is a local
        derivative undefined where its node is not (√u at 0) or a node the descent step
        moved out of its domain (blamed on the learning rate)."""
        try:
            return fn([q.value for q in operands])
        except NumericError as exc:
            where = ", ".join(f"{q.sym.unicode()} = {q.shown}" for q in operands)
            place: tuple[str, ...] = ("expression",)
            if self.before is not None:
                place = ("learning_rate",)
            elif self.lesson.nodes is not None:
                place = ("nodes", name)
            raise NumberProblem(
                self.lesson_id,
                msg("engine.graph_value", node=named(name).unicode(), where=where, why=exc),
                place,
            ) from None

    def local_words(self, kind: str, local: Local, **fields: str) -> str:
        """Why a local derivative is what it is; a rule whose own words do not say it adds
        that the derivative is written with the node's value."""
        words = explain(f"graph.local.{kind}", self.lang, **fields)
        if local.own and kind not in _OWN and kind not in ("own", "any"):
            words += explain("graph.local.written_own", self.lang, node=fields["node"])
        return words

    def backward(self, nodes: list[Node], values: dict[str, Quantity]) -> dict[str, Quantity]:
        """The chain rule from the output back: each edge's local derivative, then the
        operand's gradient (or its contribution, where it feeds several nodes)."""
        out = self.out
        by_name = {n.name: n for n in nodes}
        reached = {out}
        for n in reversed(nodes):
            if n.name in reached:
                reached.update(n.operands)
        path = [n for n in nodes if n.name in reached]
        readers: dict[str, list[str]] = {}
        for n in path:
            for m in n.operands:
                readers.setdefault(m, []).append(n.name)
        one = self.emit(
            f"grad[{out}]",
            Phase.BACKWARD,
            None,
            template="expression",
            params=(_one(),),
            sym=gradient(out, out),
            operands=[],
            value=1.0,
            explanation=explain("graph.grad.out", self.lang, out=named(out).unicode()),
        )
        self.grads, self.readers, self.parts = {out: one}, readers, {}
        for n in reversed(path):
            for local in derive(by_name[n.name], tgh=self.tgh).locals:
                self.edge(n, local, values)
        return self.grads

    def edge(self, n: Node, local: Local, values: dict[str, Quantity]) -> None:
        """One edge m → n: ∂n/∂m, then m's gradient or its contribution through n."""
        grads, readers, parts = self.grads, self.readers, self.parts
        m, out = local.operand, self.out
        node, var = named(n.name).unicode(), named(m).unicode()
        reads = [values[v] for v in local.reads]
        op = _kind(n, local)
        slope = self.emit(
            f"local[{n.name},{m}]",
            Phase.BACKWARD,
            None,
            template="expression",
            params=(local.template,),
            sym=partial(n.name, m),
            operands=reads,
            value=self.at(n.name, local.value, reads),
            explanation=self.local_words(
                op, local, node=node, var=var, formula=self.written[n.name]
            ),
        )
        upstream = grads[n.name]
        fields = {
            "node": node,
            "var": var,
            "out": named(out).unicode(),
            "upstream": upstream.sym.unicode(),
            "local": slope.sym.unicode(),
        }
        if len(readers[m]) == 1:
            grads[m] = self.emit(
                f"grad[{m}]",
                Phase.BACKWARD,
                None,
                template="product",
                params=(),
                sym=gradient(out, m),
                operands=[upstream, slope],
                value=upstream.value * slope.value,
                explanation=explain(
                    "graph.grad.chain.out" if n.name == out else "graph.grad.chain",
                    self.lang,
                    **fields,
                ),
            )
            return
        readers_text = ", ".join(named(r).unicode() for r in readers[m])
        share = self.emit(
            f"contrib[{n.name},{m}]",
            Phase.BACKWARD,
            None,
            template="product",
            params=(),
            sym=gradient(out, m, n.name),
            operands=[upstream, slope],
            value=upstream.value * slope.value,
            explanation=explain("graph.contrib", self.lang, readers=readers_text, **fields),
        )
        mine = parts.setdefault(m, [])
        mine.append(share)
        if len(mine) == len(readers[m]):
            grads[m] = self.emit(
                f"grad[{m}]",
                Phase.BACKWARD,
                None,
                template="sum",
                params=(),
                sym=gradient(out, m),
                operands=mine,
                value=math.fsum(q.value for q in mine),
                explanation=explain("graph.grad.fork", self.lang, readers=readers_text, **fields),
            )

    def update(
        self, trainable: set[str], values: dict[str, Quantity], grads: dict[str, Quantity]
    ) -> dict[str, Quantity]:
        """One descent step on each trainable input, x → x − α·dL/dx."""
        rate = float(self.lesson.learning_rate or 0)
        alpha = Quantity(Sym("alpha"), self.run_prefix + "alpha", rate, given(rate))
        moved = {}
        for x in self.inputs:
            if x not in trainable:
                continue
            old, g = values[x], grads[x]
            moved[x] = self.emit(
                f"new[{x}]",
                Phase.UPDATE,
                None,
                template="opt_descent",
                params=(),
                sym=old.sym,
                operands=[old, alpha, g],
                value=old.value - alpha.value * g.value,
                explanation=explain(
                    "graph.new",
                    self.lang,
                    var=old.sym.unicode(),
                    grad=g.sym.unicode(),
                    out=named(self.out).unicode(),
                ),
                relation="→",
            )
        return moved


#: The explanation of a local derivative by the node's operation (``graph.local.KIND``),
#: for a node that is one operation on distinct names.
_KINDS = {
    "+": "sum",
    "−": "difference",
    "·": "product",
    "/": "quotient",
    "−x": "negation",
    "1/x": "reciprocal",
    "exp": "exp",
    "tanh": "tanh",
    "σ": "sigmoid",
    "relu": "relu",
    "max": "max",
    "log": "log",
    "sqrt": "sqrt",
    "sin": "sin",
    "cos": "cos",
}
#: The operations whose explanation already says the derivative is written with the node's
#: own value (the rest add that it is, when sympy's form was longer).
_OWN = frozenset({"exp", "tanh", "sigmoid", "reciprocal", "sqrt"})


def _kind(n: Node, local: Local) -> str:
    """Which explanation a local derivative gets: its operation's rule for a simple node,
    else the general one (written with the node's value, or as sympy derived it)."""
    if n.simple:
        kind = "power" if n.op.startswith("^") else _KINDS.get(n.op)
        if kind is not None:
            return kind
    return "own" if local.own else "any"


def _one() -> str:
    """The template of dL/dL = 1."""
    import sympy

    return register_expression(sympy.Integer(1), [])
