"""The classic mistakes of the chain rule on a computational graph.

Like ``stepper.quiz.mistakes``, each is the step computed again the way a learner making it
would, read off the step itself (its key, its operands) and the graph's shape (what a node
computes), and tried only where it can happen:

- a gradient that is the local derivative alone, never multiplied by the gradient arriving
  from above (the chain rule's upstream factor forgotten);
- at a fork, one contribution taken for the whole gradient (gradients add where a value is
  used twice);
- the sign of a local derivative lost where the operand enters with a minus (a − b, −x);
- the input put where the output belongs in a derivative written with the output
  (1 − tanh², σ(1 − σ): 1 − m² instead of 1 − n²);
- the descent step that adds α·grad instead of subtracting it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from stepper import formulas
from stepper.graph_timeline import key_parts
from stepper.quiz.recompute import evaluate
from stepper.steps import GraphRun, Solution, Step

if TYPE_CHECKING:
    from stepper.quiz.mistakes import Diagnosis

Found = Iterator[tuple["Diagnosis", float | None]]

#: Nodes whose local derivative is written with their own output: the function's name as a
#: node's ``op`` or formula starts, and the rule a hint quotes (n the output).
_BY_OUTPUT = {"tanh": "1 − {n}²", "σ": "{n}·(1 − {n})", "sigmoid": "{n}·(1 − {n})"}


def _kind(key: str) -> str:
    parts = key_parts(key)
    return parts[0] if parts is not None else ""


def graph_mistakes(solution: Solution, step: Step, values: Sequence[float]) -> Found:
    """(mistake, the value it gives) for each graph mistake that can happen at ``step``
    (none in a lesson of another kind)."""
    shape = solution.graph
    parts = key_parts(step.key)
    if shape is None or parts is None:
        return
    what, args = parts
    run = shape.run_of(step.key)
    kinds = [_kind(q.key) for q in step.operands]
    names = {n.name for n in run.nodes}
    if what in ("grad", "contrib") and "local" in kinds:
        yield from _no_upstream(step, values, kinds)
    if what == "grad" and kinds.count("contrib") > 1:
        yield from _one_contribution(step, values, kinds)
    if what in ("local", "grad", "contrib"):
        yield from _sign(solution, run, step, values, kinds)
    if what == "local" and len(args) == 2 and set(args) <= names:
        yield from _input_for_output(run, step, values, args[0], args[1])
    if what == "new" and len(args) == 1 and args[0] in names:
        yield from _added_step(run, step, values, args[0])


def _no_upstream(step: Step, values: Sequence[float], kinds: list[str]) -> Found:
    """∂OUT/∂m as ∂n/∂m alone: the gradient from above left out."""
    from stepper.quiz.mistakes import Diagnosis

    local = kinds.index("local")
    above = [q for k, q in enumerate(step.operands) if k != local and q.step is not None]
    if not above:
        return
    fields = (("local", step.operands[local].sym.unicode()), ("upstream", above[0].sym.unicode()))
    yield Diagnosis("no_upstream", fields), values[local]


def _one_contribution(step: Step, values: Sequence[float], kinds: list[str]) -> Found:
    """A fork's gradient as one of its contributions."""
    from stepper.quiz.mistakes import Diagnosis

    count = str(kinds.count("contrib"))
    for k, q in enumerate(step.operands):
        if kinds[k] == "contrib":
            fields = (("part", q.sym.unicode()), ("m", step.sym.unicode()), ("count", count))
            yield Diagnosis("one_contribution", fields), values[k]


def _minus(run: GraphRun, local: Step) -> tuple[tuple[str, str], ...] | None:
    """Where ``local`` (∂n/∂m) carries a minus because m enters n with one (a − b, −x,
    −c·b): the hint's fields; else None."""
    parts = key_parts(local.key)
    if parts is None or parts[0] != "local" or len(parts[1]) != 2:
        return None
    n, m = parts[1]
    names = {node.name for node in run.nodes}
    if n not in names or m not in names:
        return None
    node = run.node(n)
    signed = "−" in node.formula or "-" in node.formula
    if not signed or "−" not in formulas.rhs_formula(local, "unicode"):
        return None
    return (
        ("formula", f"{node.sym.unicode()} = {node.formula}"),
        ("m", run.node(m).sym.unicode()),
        ("local", local.sym.unicode()),
    )


def _sign(
    solution: Solution, run: GraphRun, step: Step, values: Sequence[float], kinds: list[str]
) -> Found:
    """The minus of ∂n/∂m lost: in the local derivative itself, or in the gradient it
    passes on (a constant −1 is shown at once and never asked; what it multiplies is)."""
    from stepper.quiz.mistakes import Diagnosis

    local = step
    if _kind(step.key) != "local":
        made = [q.step for k, q in enumerate(step.operands) if kinds[k] == "local"]
        if not made or made[0] is None or not 0 < made[0] <= len(solution.steps):
            return
        local = solution.steps[made[0] - 1]
    fields = _minus(run, local)
    right = evaluate(step, values)
    if fields is not None and right:
        yield Diagnosis("sign_local", fields), -right


def _input_for_output(run: GraphRun, step: Step, values: Sequence[float], n: str, m: str) -> Found:
    """A tanh's or σ's local derivative with the input m where the output n belongs."""
    from stepper.quiz.mistakes import Diagnosis

    node, operand = run.node(n), run.node(m)
    function = next((f for f in _BY_OUTPUT if node.op == f or node.formula.startswith(f)), None)
    own = [k for k, q in enumerate(step.operands) if q.sym == node.sym]
    if function is None or not own:
        return
    swapped = [operand.value if k in own else v for k, v in enumerate(values)]
    name = node.sym.unicode()
    fields = (
        ("m", operand.sym.unicode()),
        ("n", name),
        ("f", "σ" if function == "sigmoid" else function),
        ("rule", _BY_OUTPUT[function].format(n=name)),
    )
    yield Diagnosis("input_for_output", fields), evaluate(step, swapped)


def _added_step(run: GraphRun, step: Step, values: Sequence[float], x: str) -> Found:
    """x + α·∂OUT/∂x for x − α·∂OUT/∂x: uphill."""
    from stepper.quiz.mistakes import Diagnosis

    sym = run.node(x).sym
    at = next((k for k, q in enumerate(step.operands) if q.sym == sym and q.step is None), None)
    right = evaluate(step, values)
    if at is None or right is None:
        return
    fields = (("formula", formulas.formula(step, "unicode")),)
    yield Diagnosis("added_step", fields), 2 * values[at] - right
