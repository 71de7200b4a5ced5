"""A graph lesson's numbers are right: every value, gradient, local derivative, contribution,
new input and checked value of the engine's steps, key by key and in the design's order,
against this test's own reading of the lesson (tests/graph_reference.py: its own split of an
expression, derivatives by central finite differences, and torch autograd in float64 where
torch is installed); every substitution evaluates to its value, and every shown number is the
value rounded.

The lessons: the four built-in ones with the issue's published numbers as literals (graph-4's
step against backprop-1's, solved here), and random ones drawn by hypothesis
(tests/graph_synthetic.py), ``expression`` and ``nodes``, split both ways, with forks and a
descent step, written as YAML text and loaded as a user's file is.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from stepper import formulas
from stepper.catalog import builtin_folder
from stepper.engine import solve
from stepper.lesson import graph_checks
from stepper.lesson.load import lesson_from_text
from stepper.lesson.yamlsafe import parse
from stepper.printers.json_printer import step_record
from stepper.quiz.recompute import evaluate as recompute
from stepper.steps import Phase, Solution, Step
from tests import graph_reference as ref
from tests.conftest import builtin_lesson
from tests.graph_synthetic import LARGEST, expression_lessons, node_lessons

#: The engine against torch: the same float64 operations in another order.
EXACT = 1e-9
#: The engine against the five-point differences (which agree with torch to ~1e-10).
FD = 1e-7
BUILTIN = ("graph-1", "graph-2", "graph-3", "graph-4")


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        return None
    return torch


def close(got: float, want: float, tolerance: float) -> bool:
    return abs(got - want) <= tolerance * max(1.0, abs(want))


def builtin_data(lesson_id: str) -> dict[str, Any]:
    """A built-in lesson's plain data, read from its file."""
    path = builtin_folder() / f"{lesson_id}.yaml"
    data, _, problems = parse(str(path), path.read_text(encoding="utf-8"))
    assert not problems and isinstance(data, dict)
    return data


def by_key(solution: Solution) -> dict[str, Step]:
    return {s.key: s for s in solution.steps}


# --- What every solution must satisfy ---------------------------------------------------------


def check_keys(solution: Solution, graphs: list[ref.Graph]) -> None:
    """The steps are the design's, in its order: per graph, forward, backward from the
    output (a fork's gradient after its last contribution), update, check."""
    want = [key for g in graphs for key in ref.keys(g)]
    got = [(s.key, s.phase.value) for s in solution.steps]
    assert got == want
    assert all(s.sample is None and s.iteration == 1 for s in solution.steps)


def check_numbers(solution: Solution, graphs: list[ref.Graph], torch: Any = None) -> None:
    """Every step's value against the finite differences, and against torch when given. A
    lesson rounded on paper computes each step from the shown numbers: there the exact value
    it keeps beside it is compared."""
    steps = by_key(solution)
    for g in graphs:
        witnesses = [(ref.by_finite_differences(g), FD, "differences")]
        if torch is not None:
            witnesses.append((ref.by_autograd(g, torch), EXACT, "torch"))
        for numbers, tolerance, name in witnesses:
            for key, want in numbers.items():
                got = steps[key].exact if solution.round_intermediate else steps[key].value
                assert got is not None, key
                assert close(got, want, tolerance), f"{key}: {got!r}, {name} {want!r}"


def check_shown(solution: Solution) -> None:
    """Each shown number is its value rounded to the lesson's decimals."""
    d = solution.decimals
    for step in solution.steps:
        assert float(step.shown) == float(f"{step.value:.{d}f}"), (step.key, step.shown)
        assert len(step.shown.partition(".")[2]) <= d, (step.key, step.shown)


def check_substitutions(solution: Solution) -> None:
    """Each step's substituted_text (the JSON's, the engine's text) evaluates to its value:
    its formula with the operands' full values gives the value to ~1e-12, and with the shown
    numbers it is off by no more than their rounding moves it (each computed operand moved by
    half a unit of the last shown place, to first order, plus a second-order allowance), or,
    rounded on paper, not at all."""
    eta = 0.5 * 10.0**-solution.decimals
    for step in solution.steps:
        text = step_record(step)["substituted_text"]
        assert text == formulas.substituted(step, "text")
        full = recompute(step, [q.value for q in step.operands])
        assert full is not None and close(full, step.value, 1e-11), (step.key, full, step.value)
        got = ref.evaluate(ref.formula_tree(text), {}, SUBSTITUTION_CALLS)
        shown = [float(q.shown) for q in step.operands]
        moved = {
            k for k, q in enumerate(step.operands) if q.step is not None and shown[k] != q.value
        }
        bound = 0.0
        for k in {k for k in moved if step.operands[k].key not in _seen(step, k)}:
            swings = []
            for sign in (1, -1):
                values = [
                    v + sign * eta if step.operands[j].key == step.operands[k].key else v
                    for j, v in enumerate(shown)
                ]
                again = recompute(step, values)
                assert again is not None, step.key
                swings.append(abs(again - got))
            bound += max(swings)
        scale = max(1.0, abs(step.value))
        bound = bound * (1 + 1e-9) + 10 * (len(moved) * eta) ** 2 * scale + 1e-12 * scale
        if solution.round_intermediate:  # on paper the text is the computation
            bound = 1e-12 * scale
        assert abs(got - step.value) <= bound, f"{step.key}: {text} = {got!r}, {step.value!r}"


def _seen(step: Step, k: int) -> set[str]:
    """The keys of the operands before the k-th (an operand read twice moves once)."""
    return {q.key for q in step.operands[:k]}


#: The functions substituted_text may call: the contract's, nothing else.
SUBSTITUTION_CALLS: dict[str, Callable[..., float]] = {
    **{name: ref.MATH[name] for name in ("exp", "log", "sqrt", "tanh", "sin", "cos", "max")},
    "min": min,
    "abs": abs,
    "heaviside": lambda x: 1.0 if x > 0 else 0.0,
}


def check_shape(solution: Solution, graphs: list[ref.Graph]) -> None:
    """The graph the picture draws is the reference's: nodes, operands, output, and the
    values of the steps (the lesson's for an input)."""
    shape = solution.graph
    steps = by_key(solution)
    assert shape is not None
    assert len(shape.runs) == len(graphs)
    for run, g in zip(shape.runs, graphs, strict=True):
        assert (run.prefix, run.output) == (g.prefix, g.output)
        assert [n.name for n in run.nodes] == g.names
        operands = {n.name: n.operands for n in g.nodes}
        for node in run.nodes:
            assert node.operands == operands.get(node.name, ()), node.name
            value = g.inputs.get(node.name)
            if value is None:
                value = steps[f"{g.prefix}val[{node.name}]"].value
            assert node.value == value, node.name
            if g.learning_rate is not None and node.is_input:
                assert node.trainable == (node.name in g.trainable), node.name
        assert shape.run_of(f"{g.prefix}val[{g.output}]") is run
    assert shape.learning_rate == graphs[0].learning_rate


#: The functions whose derivative the design writes with the node's own value n: 1 − n²,
#: n(1 − n), n.
OWN_TERMS = frozenset({"tanh", "sigmoid", "exp"})


def check_own_terms(solution: Solution, graphs: list[ref.Graph]) -> None:
    """The local derivative of n = tanh(m), σ(m) or exp(m) reads n's value and nothing else."""
    steps = by_key(solution)
    for g in graphs:
        for node in g.nodes:
            tree = node.tree
            if (
                isinstance(tree, ast.Call)
                and isinstance(tree.func, ast.Name)
                and tree.func.id in OWN_TERMS
                and isinstance(tree.args[0], ast.Name)
            ):
                local = steps[f"{g.prefix}local[{node.name},{tree.args[0].id}]"]
                assert [q.key for q in local.reads] == [f"{g.prefix}val[{node.name}]"], local.key


def check_all(solution: Solution, data: dict[str, Any], torch: Any = None) -> None:
    graphs = ref.graphs(data)
    check_keys(solution, graphs)
    check_numbers(solution, graphs, torch)
    check_shown(solution)
    check_substitutions(solution)
    check_shape(solution, graphs)
    check_own_terms(solution, graphs)


# --- The reference itself -------------------------------------------------------------------


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(expression_lessons() | node_lessons())
def test_the_two_witnesses_agree(text: str) -> None:
    """Finite differences and torch autograd give the same derivatives on random lessons to
    1e-9, so either is a witness (and the strategies stay where both are defined)."""
    torch = pytest.importorskip("torch")
    for g in ref.graphs(parse("lesson", text)[0]):
        differences, autograd = ref.by_finite_differences(g), ref.by_autograd(g, torch)
        assert differences.keys() == autograd.keys()
        for key, want in autograd.items():
            assert close(differences[key], want, 1e-9), (key, differences[key], want)


def test_the_split_is_the_designs() -> None:
    """An expression splits into one node per operation, children first, numbers not nodes,
    the root named by ``output``; a sigmoid becomes CS231n's four gates only with
    ``operations``."""
    data = {
        "expression": "sigmoid(w0*x0 + w1*x1 + w2) * -2 + x0",
        "split": ["operations", "functions"],
        "inputs": {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
        "output": "L",
    }
    operations, functions = ref.graphs(data)
    written = [(n.name, ast.unparse(n.tree)) for n in operations.nodes]
    assert written == [
        ("n1", "w0 * x0"),
        ("n2", "w1 * x1"),
        ("n3", "n1 + n2"),
        ("n4", "n3 + w2"),
        ("n5", "-n4"),
        ("n6", "exp(n5)"),
        ("n7", "1 + n6"),
        ("n8", "1 / n7"),
        ("n9", "n8 * -2"),
        ("L", "n9 + x0"),
    ]
    written = [(n.name, ast.unparse(n.tree)) for n in functions.nodes][4:]
    assert written == [("n5", "sigmoid(n4)"), ("n6", "n5 * -2"), ("L", "n6 + x0")]
    assert (operations.prefix, functions.prefix) == ("operations.", "functions.")
    # x0 feeds n1 and the root: its gradient comes after its second contribution.
    order = [k for k, _ in ref.keys(operations) if k.endswith((",x0]", "[x0]"))]
    assert order == [
        "operations.local[L,x0]",
        "operations.contrib[L,x0]",
        "operations.local[n1,x0]",
        "operations.contrib[n1,x0]",
        "operations.grad[x0]",
    ]


# --- The built-in lessons -----------------------------------------------------------------------


@cache
def solved(lesson_id: str) -> Solution:
    return solve(builtin_lesson(lesson_id), "en")


@pytest.mark.parametrize("lesson_id", BUILTIN)
def test_builtin_lessons_match_the_reference(lesson_id: str) -> None:
    check_all(solved(lesson_id), builtin_data(lesson_id))


@pytest.mark.slow
@pytest.mark.parametrize("lesson_id", BUILTIN)
def test_builtin_lessons_match_torch(lesson_id: str) -> None:
    torch = pytest.importorskip("torch")
    check_numbers(solved(lesson_id), ref.graphs(builtin_data(lesson_id)), torch)


def test_graph_1_is_micrographs_example() -> None:
    """L = −8; a, b, c, f, e, d have gradients 6, −4, −2, 4, −2, −2 (the issue's numbers)."""
    steps = by_key(solved("graph-1"))
    assert steps["val[L]"].value == -8
    grads = {name: steps[f"grad[{name}]"].value for name in "abcfed"}
    assert grads == {"a": 6, "b": -4, "c": -2, "f": 4, "e": -2, "d": -2}


def test_graph_2_is_cs231ns_neuron_at_both_granularities() -> None:
    """f = 0.73106, ∂f/∂w = [−0.19661, −0.39322, 0.19661], ∂f/∂x = [0.39322, −0.58984], with
    the sigmoid as four gates and as one node, whose local derivative is σ(1 − σ) written with
    the node's own value."""
    solution = solved("graph-2")
    steps = by_key(solution)
    graphs = ref.graphs(builtin_data("graph-2"))
    assert [g.prefix for g in graphs] == ["operations.", "functions."]
    published = {
        "w0": -0.19661,
        "w1": -0.39322,
        "w2": 0.19661,
        "x0": 0.39322,
        "x1": -0.58984,
    }
    for g in graphs:
        p = g.prefix
        assert round(steps[f"{p}val[{g.output}]"].value, 5) == 0.73106
        assert {x: round(steps[f"{p}grad[{x}]"].value, 5) for x in published} == published
        assert {x: steps[f"{p}grad[{x}]"].shown for x in published} == {
            x: str(v) for x, v in published.items()
        }
    functions = graphs[1]
    (operand,) = functions.node(functions.output).operands
    sigma = steps[f"functions.val[{functions.output}]"]
    local = steps[f"functions.local[{functions.output},{operand}]"]
    assert [q.key for q in local.reads] == [sigma.key]
    assert close(local.value, sigma.value * (1 - sigma.value), 1e-15)
    # The gates' chain gives the same number as σ(1 − σ): the gradient reaching the sum.
    assert close(steps[f"operations.grad[{operand}]"].value, local.value, 1e-12)


def test_graph_3_adds_at_the_fork() -> None:
    """f = x·y + x: x feeds two nodes, its gradient is the sum of its two contributions,
    y + 1, and the step reads both contributions."""
    steps = by_key(solved("graph-3"))
    (g,) = ref.graphs(builtin_data("graph-3"))
    forks = [m for m in g.names if len(g.consumers(m)) > 1]
    assert forks
    for m in forks:
        parts = [steps[f"contrib[{n},{m}]"] for n in g.consumers(m)]
        total = steps[f"grad[{m}]"]
        assert {q.key for q in total.reads} == {s.key for s in parts}
        assert close(total.value, sum(s.value for s in parts), 1e-15)
    if g.inputs.keys() >= {"x", "y"}:
        assert close(steps["grad[x]"].value, g.inputs["y"] + 1, 1e-12)


def test_graph_4_is_backprop_1s_step() -> None:
    """−α·∂ε²/∂w₂ⱼ of the graph equals backprop-1's Δw₂ⱼ, and the new weights are its new
    weights (the lecture's δ is −½ ∂ε²/∂u)."""
    steps = by_key(solved("graph-4"))
    (g,) = ref.graphs(builtin_data("graph-4"))
    lecture = by_key(solve(builtin_lesson("backprop-1"), "en"))
    assert g.learning_rate == 0.1
    for j in range(3):
        w = f"w2{j}"
        assert w in g.trainable
        step = -g.learning_rate * steps[f"grad[{w}]"].value
        assert close(step, lecture[f"dw[1,2,{j}]"].value, 1e-12), w
        assert close(steps[f"new[{w}]"].value, lecture[f"w[1,2,{j}]"].value, 1e-12), w
    assert close(steps[f"val[{g.output}]"].value, lecture["e[2]"].value ** 2, 1e-12)


# --- Random lessons ---------------------------------------------------------------------------


def _solve_random(text: str) -> Solution:
    return solve(lesson_from_text(text, "random.yaml"), "en")


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(expression_lessons())
def test_random_expressions_match_the_reference(text: str) -> None:
    check_all(_solve_random(text), parse("random.yaml", text)[0], _torch())


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(node_lessons())
def test_random_nodes_match_the_reference(text: str) -> None:
    check_all(_solve_random(text), parse("random.yaml", text)[0], _torch())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LARGEST))
def test_the_largest_graphs_match_the_reference(name: str) -> None:
    """The benchmark's lessons, at the limits (60 nodes, 2,000 parts, 20 inputs, calls three
    deep), are as right as the small ones."""
    text = LARGEST[name]()
    check_all(_solve_random(text), parse(name, text)[0], _torch())


def test_the_largest_graphs_are_at_the_limits() -> None:
    """The benchmark times what the checks let through, no less: the most nodes, nearly the
    most parts, the most inputs (if a limit moves, so must these lessons)."""
    data = {name: parse(name, write())[0] for name, write in LARGEST.items()}
    parts = {
        name: sum(
            isinstance(n, ast.expr)
            for formula in (d.get("nodes") or {"f": d.get("expression")}).values()
            for n in ast.walk(ref.formula_tree(formula))
        )
        for name, d in data.items()
    }
    assert len(data["many-nodes"]["nodes"]) == graph_checks.MAX_NODES
    assert graph_checks.MAX_PARTS - 60 <= parts["many-nodes"] <= graph_checks.MAX_PARTS
    # no room for one more node at a formula's limit (199 parts)
    assert graph_checks.MAX_PARTS - 199 < parts["deep-nodes"] <= graph_checks.MAX_PARTS
    assert all(len(d["inputs"]) == 20 for d in data.values())
    assert len(ref.graphs(data["sigmoid-layer"])[0].nodes) <= graph_checks.MAX_NODES


def test_e_is_written_alike_alone_and_in_a_product() -> None:
    """sympy makes e of exp(1) in a derivative: exp(1) in the text (which has no constant
    E), e in Unicode, whether the local derivative is e alone or e times something."""
    text = "kind: graph\nnodes: {p: a*exp(1), q: p*exp(1)*a}\ninputs: {a: 0.5}\n"
    steps = by_key(_solve_random(text))
    alone, product = steps["local[p,a]"], steps["local[q,p]"]
    assert formulas.substituted(alone, "text") == "exp(1)"
    assert formulas.substituted(product, "text") == "exp(1)*0.5"
    assert formulas.substituted(alone, "unicode") == "e"
    assert formulas.substituted(product, "unicode") == "e · 0.5"


def test_a_sigmoid_written_out_keeps_its_parentheses() -> None:
    """The text writes σ(u) as 1/(1 + exp(-u)): under a bar and under a power it is one
    quantity, 0.5/(1/(1 + exp(-0.2))), not 0.5/1/(1 + exp(-0.2)), which is σ(0.2)/2."""
    text = "kind: graph\nnodes: {p: a/sigmoid(b) + sigmoid(b)**-2}\ninputs: {a: 0.5, b: 0.2}\n"
    data = parse("s", text)[0]
    solution = _solve_random(text)
    check_substitutions(solution)
    check_numbers(solution, ref.graphs(data))
    val = by_key(solution)["val[p]"]
    assert formulas.substituted(val, "text") == (
        "0.5/(1/(1 + exp(-0.2))) + (1/(1 + exp(-0.2)))**(-2)"
    )
    assert formulas.substituted(val, "unicode") == "0.5/σ(0.2) + σ(0.2)^(−2)"


def test_the_checks_fail_on_a_wrong_number() -> None:
    """The checks are not vacuous: one gradient off in the last place of its display, or a
    step out of order, is caught."""
    text = "kind: graph\nexpression: 'x*y + x'\ninputs: {x: 1.5, y: -2}\nlearning_rate: 0.1\n"
    solution = _solve_random(text)
    data = parse("t", text)[0]
    graphs = ref.graphs(data)
    check_all(solution, data)
    steps = list(solution.steps)
    k = next(i for i, s in enumerate(steps) if s.key == "grad[x]")
    off = replace(steps[k], value=steps[k].value + 10.0**-solution.decimals)
    with pytest.raises(AssertionError):
        check_numbers(replace(solution, steps=(*steps[:k], off, *steps[k + 1 :])), graphs)
    swapped = (*steps[:k], steps[k + 1], steps[k], *steps[k + 2 :])
    with pytest.raises(AssertionError):
        check_keys(replace(solution, steps=swapped), graphs)
    assert {s.phase for s in steps} == {Phase.FORWARD, Phase.BACKWARD, Phase.UPDATE, Phase.CHECK}
