"""The graph engine against numbers worked by hand: micrograd's example (graph-1), CS231n's
sigmoid neuron split into its gates, a fork where the gradients add, and the step keys of
docs/lessons.md's table. The finite-difference and torch comparisons are in their own tests."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from stepper import formulas
from stepper.catalog import builtin_folder
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text, load_lesson
from stepper.steps import Phase, Solution

CS231N = """
kind: graph
expression: sigmoid(w0*x0 + w1*x1 + w2)
split: {split}
inputs: {{w0: 2, x0: -1, w1: -3, x1: -2, w2: -3}}
display: {{decimals: 5}}
"""


def _solved(text: str, lang: str = "en") -> Solution:
    return solve(lesson_from_text(text, "test.yaml"), lang)


def _values(solution: Solution) -> dict[str, float]:
    return {s.key: s.value for s in solution.steps}


def test_graph_1_is_micrographs_example_worked_by_hand() -> None:
    """L = (a·b + c)·f at a = 2, b = −3, c = 10, f = −2: e = −6, d = 4, L = −8, and the
    gradients micrograd prints: a 6, b −4, c −2, f 4, e −2, d −2."""
    solution = solve(load_lesson(builtin_folder() / "graph-1.yaml"), "es")
    v = _values(solution)
    assert (v["val[e]"], v["val[d]"], v["val[L]"]) == (-6, 4, -8)
    grads = {m: v[f"grad[{m}]"] for m in "abcfed"}
    assert grads == {"a": 6, "b": -4, "c": -2, "f": 4, "e": -2, "d": -2}
    assert v["grad[L]"] == 1
    # One descent step with α = 0.01: a = 2 − 0.06, ..., and L again with them.
    assert v["new[a]"] == pytest.approx(1.94) and v["new[f]"] == pytest.approx(-2.04)
    assert v["check.val[L]"] == pytest.approx((1.94 * -2.96 + 10.02) * -2.04)
    assert [s.phase for s in solution.steps][-1] == Phase.CHECK


def test_graph_1_goes_back_node_by_node_operand_by_operand() -> None:
    """The backward steps in the design's order: L's operands d then f, d's e then c, e's a
    then b, each local derivative before the gradient it gives."""
    solution = solve(load_lesson(builtin_folder() / "graph-1.yaml"), "en")
    back = [s.key for s in solution.steps if s.phase == Phase.BACKWARD]
    assert back == [
        "grad[L]",
        "local[L,d]",
        "grad[d]",
        "local[L,f]",
        "grad[f]",
        "local[d,e]",
        "grad[e]",
        "local[d,c]",
        "grad[c]",
        "local[e,a]",
        "grad[a]",
        "local[e,b]",
        "grad[b]",
    ]
    sym = {s.key: s.sym for s in solution.steps}
    assert sym["grad[a]"].unicode() == "dL/da"
    assert sym["local[e,a]"].latex() == r"\frac{\partial e}{\partial a}"
    assert sym["grad[a]"].text() == "dL_da"


def test_cs231n_neuron_split_into_its_eight_gates() -> None:
    """CS231n's circuit: w0·x0, w1·x1, their sum, + w2, ·(−1), exp, +1, 1/x; n4 = 1 and
    f = 0.73106, ∂f/∂w = [−0.19661, −0.39322, 0.19661], ∂f/∂x = [0.39322, −0.58984]."""
    solution = _solved(CS231N.format(split="operations"))
    v = _values(solution)
    assert solution.graph is not None
    (run,) = solution.graph.runs
    computed = [n for n in run.nodes if not n.is_input]
    assert [n.name for n in computed] == ["n1", "n2", "n3", "n4", "n5", "n6", "n7", "f"]
    assert [n.op for n in computed] == ["·", "·", "+", "+", "−x", "exp", "+", "1/x"]
    assert [v[f"val[{n.name}]"] for n in computed[:5]] == [-2, 6, 4, 1, -1]
    assert v["val[n6]"] == pytest.approx(math.exp(-1))
    f = 1 / (1 + math.exp(-1))
    assert v["val[f]"] == pytest.approx(f) and f"{v['val[f]']:.5f}" == "0.73106"
    slope = f * (1 - f)
    expected = {"w0": -slope, "w1": -2 * slope, "w2": slope, "x0": 2 * slope, "x1": -3 * slope}
    for name, g in expected.items():
        assert v[f"grad[{name}]"] == pytest.approx(g, rel=1e-12)
    assert [round(v[f"grad[{w}]"], 5) for w in ("w0", "w1", "w2")] == [-0.19661, -0.39322, 0.19661]
    assert [round(v[f"grad[{x}]"], 5) for x in ("x0", "x1")] == [0.39322, -0.58984]


def test_the_1_over_x_gate_is_written_with_its_own_value() -> None:
    """∂(1/u)/∂u = −1/u² is −f² with f = 1/u, shorter: written so, read with f's value."""
    solution = _solved(CS231N.format(split="operations"))
    step = next(s for s in solution.steps if s.key == "local[f,n7]")
    assert formulas.rhs_formula(step, "unicode") == "−f²"
    f = 1 / (1 + math.exp(-1))
    assert step.value == pytest.approx(-(f**2))


def test_sigmoid_as_one_node_has_the_derivative_sigma_one_minus_sigma() -> None:
    solution = _solved(CS231N.format(split="functions"))
    keys = [s.key for s in solution.steps if s.phase == Phase.FORWARD]
    assert keys == ["val[n1]", "val[n2]", "val[n3]", "val[n4]", "val[f]"]
    step = next(s for s in solution.steps if s.key == "local[f,n4]")
    assert formulas.rhs_formula(step, "unicode") == "f · (1 − f)"
    assert formulas.substituted(step, "text") == "0.73106*(1 - 0.73106)"
    f_step = next(s for s in solution.steps if s.key == "val[f]")
    assert formulas.rhs_formula(f_step, "unicode") == "σ(n₄)"
    assert formulas.substituted(f_step, "text") == "1/(1 + exp(-1))"


def test_two_splits_are_two_graphs_with_prefixed_keys() -> None:
    solution = _solved(CS231N.format(split="[operations, functions]"))
    assert solution.graph is not None
    assert [(r.split, r.prefix) for r in solution.graph.runs] == [
        ("operations", "operations."),
        ("functions", "functions."),
    ]
    v = _values(solution)
    assert v["operations.grad[w0]"] == pytest.approx(v["functions.grad[w0]"], rel=1e-12)
    assert "operations.val[n7]" in v and "functions.val[n7]" not in v


FORK = """
kind: graph
expression: x*y + x
inputs: {x: 3, y: -2}
learning_rate: 0.1
"""


def test_a_value_used_twice_adds_its_contributions() -> None:
    """f = x·y + x: ∂f/∂x = y + 1 = −1 as the sum of the parts through n1 (y = −2) and f
    (1); y is read once, ∂f/∂y = x = 3."""
    solution = _solved(FORK)
    v = _values(solution)
    assert v["contrib[f,x]"] == 1 and v["contrib[n1,x]"] == -2
    assert v["grad[x]"] == -1 and v["grad[y]"] == 3
    assert "contrib[n1,y]" not in v
    keys = [s.key for s in solution.steps]
    assert keys.index("grad[x]") == keys.index("contrib[n1,x]") + 1
    step = next(s for s in solution.steps if s.key == "contrib[n1,x]")
    assert step.sym.unicode() == "df/dx⁽ⁿ¹⁾"
    total = next(s for s in solution.steps if s.key == "grad[x]")
    assert formulas.substituted(total, "text") == "1 + (-2)"
    assert v["check.val[f]"] == pytest.approx(3.1 * -2.3 + 3.1)


def test_a_square_in_one_node_is_one_edge() -> None:
    """x·x written in one node is one edge whose local derivative is 2x, not a fork."""
    solution = _solved("kind: graph\nnodes: {s: x*x}\ninputs: {x: 1.5}\n")
    v = _values(solution)
    assert v["local[s,x]"] == 3 and v["grad[x]"] == 3
    assert not any(k.startswith("contrib") for k in v)


def test_relu_and_max_take_the_step_zero_at_zero() -> None:
    """relu'(0) = 0, and at a tie max's local derivatives are both 0 (the documented choice,
    so that max(0, u) and relu(u) agree)."""
    text = "kind: graph\nnodes:\n  r: relu(u)\n  m: max(u, v)\n  o: r + m\ninputs: {u: 0, v: 0}\n"
    v = _values(_solved(text))
    assert (v["local[r,u]"], v["local[m,u]"], v["local[m,v]"]) == (0, 0, 0)
    v = _values(_solved(text.replace("u: 0", "u: 2")))
    assert (v["local[r,u]"], v["local[m,u]"], v["local[m,v]"]) == (1, 1, 0)
    assert v["grad[u]"] == 2


def _every_solution() -> list[Solution]:
    return [
        solve(load_lesson(builtin_folder() / "graph-1.yaml"), "es"),
        _solved(CS231N.format(split="[operations, functions]")),
        _solved(FORK),
        _solved("kind: graph\nnodes: {t: tanh(w*x), l: log(t + 2)}\ninputs: {w: 0.5, x: 1.2}\n"),
    ]


def test_every_substitution_evaluates_to_its_value() -> None:
    for solution in _every_solution():
        for step in solution.steps:
            numbers = [q.value for q in step.operands]
            worked = formulas.evaluate(step, numbers)
            assert worked == pytest.approx(step.value, abs=1e-12), step.key


def _documented_keys() -> list[re.Pattern[str]]:
    """The key patterns of docs/lessons.md's "Step keys of a graph lesson" table."""
    docs = (Path(__file__).parent.parent / "docs" / "lessons.md").read_text(encoding="utf-8")
    table = docs.split("### Step keys of a graph lesson", 1)[1].split("\n#", 1)[0]
    keys = re.findall(r"^\| `([^`]+)`", table, re.M)
    assert "val[n]" in keys and "contrib[n,m]" in keys
    patterns = []
    for key in keys:
        if key.startswith("SPLIT"):
            continue
        head, args = re.fullmatch(r"([\w.]+)\[(.*)\]", key).groups()  # type: ignore[union-attr]
        names = ",".join(r"[A-Za-z][0-9]{0,2}" for _ in args.split(","))
        pattern = rf"{re.escape(head)}\[{names}\]"
        patterns.append(re.compile(rf"(?:(?:operations|functions)\.)?{pattern}"))
    return patterns


def test_every_key_is_one_of_the_documented_ones() -> None:
    patterns = _documented_keys()
    for solution in _every_solution():
        for step in solution.steps:
            assert any(p.fullmatch(step.key) for p in patterns), step.key


def test_a_step_that_leaves_a_functions_domain_is_blamed_on_the_learning_rate() -> None:
    """log u at u = 0.5 has slope 2; α = 1 moves u to −1.5, where the check cannot take the
    logarithm: the lesson's problem, at its learning rate."""
    from stepper.lesson.errors import NumberProblem

    text = "kind: graph\nnodes: {r: log(u)}\ninputs: {u: 0.5}\nlearning_rate: 1\n"
    with pytest.raises(NumberProblem) as caught:
        _solved(text)
    assert caught.value.where == ("learning_rate",) and "u = -1.5" in caught.value.message


def test_a_node_x_times_2_and_a_derivative_2x_print_each_in_its_order() -> None:
    """sympy's srepr sorts factors; the templates' ids must not, or the formula cache gives
    one the other's printing (2·x for x·2, or x·2 for the derivative 2·x)."""
    solution = _solved("kind: graph\nnodes: {p: x*2, q: x*x + p}\ninputs: {x: 0.5}\n")
    step = {s.key: s for s in solution.steps}
    assert formulas.rhs_formula(step["val[p]"], "unicode") == "x · 2"
    assert formulas.rhs_formula(step["local[q,x]"], "unicode") == "2 · x"


def test_tanh_is_written_tgh_in_spanish_as_the_lecture_does() -> None:
    """display.tanh, or the lecture's tgh in Spanish; the text form keeps tanh, which a
    program evaluates; the local derivative reads the node's own value, 1 − t²."""
    text = "kind: graph\nnodes: {t: tanh(u)}\ninputs: {u: 0.5}\n"
    for lang, written in (("es", "tgh(u)"), ("en", "tanh(u)")):
        solution = _solved(text, lang)
        step = {s.key: s for s in solution.steps}
        assert formulas.rhs_formula(step["val[t]"], "unicode") == written
        assert formulas.substituted(step["val[t]"], "text") == "tanh(0.5)"
        assert formulas.rhs_formula(step["local[t,u]"], "unicode") == "1 − t²"
        assert solution.graph is not None
        assert solution.graph.runs[0].node("t").op == written[:-3]


def test_max_keeps_its_arguments_in_the_order_written() -> None:
    """sympy's Max sorts its arguments; a graph's max(v, u) reads as written, and its slope
    with respect to u is [u − v > 0]."""
    text = "kind: graph\nnodes:\n  m: max(v, u)\ninputs: {u: 2, v: 1}\n"
    step = {s.key: s for s in _solved(text).steps}
    assert formulas.rhs_formula(step["val[m]"], "unicode") == "max(v, u)"
    assert formulas.substituted(step["val[m]"], "text") == "max(1, 2)"
    assert formulas.rhs_formula(step["local[m,u]"], "unicode") == "[u − v > 0]"
    assert (step["local[m,u]"].value, step["local[m,v]"].value) == (1, 0)
