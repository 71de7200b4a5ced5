"""The built-in graph lessons graph-2, graph-3 and graph-4, worked by hand.

Each lesson's numbers are computed here node by node, the way a student fills in CS231n's
circuit on paper, and never with the engine: forward, then the chain rule from the output back
(upstream gradient times local derivative, contributions added at a fork), then the descent
step. graph-3's numbers are exact Fractions; where a function leaves the rationals (exp, tanh)
math.exp and math.tanh are written out. The solution must agree to 1e-12, and with the numbers
the issue quotes to 5 decimals. The tests also pin what each lesson is for: the same gradients
at both granularities of graph-2, two visibly different contributions at graph-3's fork, and
graph-4's −α·∂ε²/∂w equal to backprop-1's Δw, which the engine computes the lecture's way
(Δw = 2αxδ), with δ = −½ ∂ε²/∂u.
"""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from stepper.lesson.schema import localized
from stepper.steps import Solution
from tests.conftest import builtin_lesson, solved

TOL = 1e-12


def values(solution: Solution) -> dict[str, float]:
    """The value of each key (the check phase's keys are prefixed, so none repeats)."""
    return {step.key: step.value for step in solution.steps}


def agree(found: dict[str, float], expected: dict[str, float | Fraction]) -> None:
    """Every expected key is in the solution, with the value worked here."""
    for key, value in expected.items():
        assert key in found, key
        assert found[key] == pytest.approx(float(value), abs=TOL), key


# --- graph-2: CS231n's sigmoid neuron, w = [2, −3, −3], x = [−1, −2] ---------------------------

W0, X0, W1, X1, W2 = 2, -1, -3, -2, -3


def neuron_by_operations() -> dict[str, float]:
    """CS231n's circuit gate by gate: two products, two sums, then σ as ·(−1), exp, +1, 1/x.
    Backward, each gate's local derivative times the gradient coming from its right."""
    s: dict[str, float] = {}
    s["w0x0"] = W0 * X0  # −2
    s["w1x1"] = W1 * X1  # 6
    s["sum"] = s["w0x0"] + s["w1x1"]  # 4
    s["u"] = s["sum"] + W2  # 1
    s["neg"] = -s["u"]  # −1
    s["exp"] = math.exp(s["neg"])  # 0.36788
    s["plus1"] = 1 + s["exp"]  # 1.36788
    s["f"] = 1 / s["plus1"]  # 0.73106
    # backward: 1/x has local derivative −1/x², exp its own value, ·(−1) is −1
    s["d_plus1"] = -1 / s["plus1"] ** 2  # −0.53444
    s["d_exp"] = s["d_plus1"] * 1
    s["d_neg"] = s["d_exp"] * s["exp"]  # −0.19661
    s["d_u"] = s["d_neg"] * -1  # 0.19661
    s["d_sum"] = s["d_u"] * 1
    s["d_w2"] = s["d_u"] * 1
    s["d_w0x0"] = s["d_sum"] * 1
    s["d_w1x1"] = s["d_sum"] * 1
    s["d_w0"], s["d_x0"] = s["d_w0x0"] * X0, s["d_w0x0"] * W0
    s["d_w1"], s["d_x1"] = s["d_w1x1"] * X1, s["d_w1x1"] * W1
    return s


def neuron_by_functions() -> dict[str, float]:
    """The same neuron with σ one node: f = σ(u), ∂f/∂u = f(1 − f), then the products."""
    s: dict[str, float] = {}
    s["u"] = W0 * X0 + W1 * X1 + W2  # 1
    s["f"] = 1 / (1 + math.exp(-s["u"]))
    s["local_sigma"] = s["f"] * (1 - s["f"])  # σ(1 − σ) = 0.19661
    s["d_u"] = s["local_sigma"]
    s["d_w0"], s["d_x0"] = s["d_u"] * X0, s["d_u"] * W0
    s["d_w1"], s["d_x1"] = s["d_u"] * X1, s["d_u"] * W1
    s["d_w2"] = s["d_u"]
    return s


#: The numbers issue 15 quotes from CS231n, to 5 decimals.
CS231N = {
    "f": 0.73106,
    "d_w0": -0.19661,
    "d_w1": -0.39322,
    "d_w2": 0.19661,
    "d_x0": 0.39322,
    "d_x1": -0.58984,
}


@pytest.mark.parametrize("worked", [neuron_by_operations, neuron_by_functions])
def test_the_sigmoid_neuron_by_hand_gives_cs231n_numbers(worked) -> None:  # type: ignore[no-untyped-def]
    """Both granularities, worked by hand, give CS231n's f, ∂f/∂w and ∂f/∂x to 5 decimals."""
    s = worked()
    for name, quoted in CS231N.items():
        assert round(s[name], 5) == quoted, name


def test_the_gates_of_sigma_give_sigma_times_one_minus_sigma() -> None:
    """The four gates' local derivatives chained, (−1/n²)·1·eⁿ·(−1), are σ(1 − σ): the
    functions granularity's one local derivative."""
    ops, fun = neuron_by_operations(), neuron_by_functions()
    assert ops["d_u"] == pytest.approx(fun["local_sigma"], abs=TOL)
    assert round(ops["d_plus1"], 5) == -0.53445  # CS231n's −0.53 at the 1/x gate
    assert round(ops["d_neg"], 5) == -0.19661  # its −0.20 after exp


@pytest.mark.parametrize("split", ["operations", "functions"])
def test_graph_2_agrees_with_the_hand_at_each_granularity(split: str) -> None:
    """graph-2's output and every input's gradient, at both granularities, are the hand's."""
    worked = (neuron_by_operations if split == "operations" else neuron_by_functions)()
    found = values(solved("graph-2"))
    agree(
        found,
        {
            f"{split}.val[f]": worked["f"],
            f"{split}.grad[f]": 1,
            **{f"{split}.grad[{name}]": worked[f"d_{name}"] for name in ("w0", "x0", "w1")},
            **{f"{split}.grad[{name}]": worked[f"d_{name}"] for name in ("x1", "w2")},
        },
    )


def test_graph_2_splits_sigma_into_cs231n_gates_and_keeps_it_whole_by_functions() -> None:
    """By operations the circuit has CS231n's eight gates, whose values are the hand's; by
    functions five nodes, σ the last, with local derivative σ(1 − σ)."""
    solution = solved("graph-2")
    assert solution.graph is not None
    runs = {run.split: run for run in solution.graph.runs}
    assert list(runs) == ["operations", "functions"]
    ops, fun = neuron_by_operations(), neuron_by_functions()
    gates = [node.value for node in runs["operations"].nodes if not node.is_input]
    hand = ["w0x0", "w1x1", "sum", "u", "neg", "exp", "plus1", "f"]
    assert gates == pytest.approx([ops[name] for name in hand], abs=TOL)
    computed = [node for node in runs["functions"].nodes if not node.is_input]
    assert len(computed) == 5
    u = computed[-2].name
    found = values(solution)
    assert found[f"functions.val[{u}]"] == pytest.approx(fun["u"], abs=TOL)
    assert found[f"functions.local[f,{u}]"] == pytest.approx(fun["local_sigma"], abs=TOL)


# --- graph-3: f = x·y + x, x = 2, y = −3, α = 0.1 ----------------------------------------------

X, Y, ALPHA3 = Fraction(2), Fraction(-3), Fraction(1, 10)


def fork() -> dict[str, Fraction]:
    """f = p + x with p = x·y, exactly. x feeds p and f: two contributions, added."""
    s: dict[str, Fraction] = {}
    s["val[p]"] = X * Y  # −6
    s["val[f]"] = s["val[p]"] + X  # −4
    s["grad[f]"] = Fraction(1)
    s["local[f,p]"] = Fraction(1)  # ∂(p + x)/∂p
    s["grad[p]"] = s["grad[f]"] * s["local[f,p]"]
    s["local[f,x]"] = Fraction(1)  # ∂(p + x)/∂x
    s["contrib[f,x]"] = s["grad[f]"] * s["local[f,x]"]  # 1: the direct path
    s["local[p,x]"] = Y  # ∂(x·y)/∂x
    s["contrib[p,x]"] = s["grad[p]"] * s["local[p,x]"]  # −3: the path through p
    s["grad[x]"] = s["contrib[f,x]"] + s["contrib[p,x]"]  # −2
    s["local[p,y]"] = X
    s["grad[y]"] = s["grad[p]"] * s["local[p,y]"]  # 2
    s["new[x]"] = X - ALPHA3 * s["grad[x]"]  # 11/5
    s["new[y]"] = Y - ALPHA3 * s["grad[y]"]  # −16/5
    s["check.val[p]"] = s["new[x]"] * s["new[y]"]
    s["check.val[f]"] = s["check.val[p]"] + s["new[x]"]  # −121/25
    return s


def test_the_fork_by_hand() -> None:
    """The two paths give 1 and y = −3, visibly different (one even of the other sign), and
    ∂f/∂x = y + 1 = −2; the step moves f from −4 down to −4.84."""
    s = fork()
    assert [s["contrib[f,x]"], s["contrib[p,x]"], s["grad[x]"]] == [1, -3, -2]
    assert s["grad[x]"] == Y + 1
    assert (s["new[x]"], s["new[y]"]) == (Fraction(11, 5), Fraction(-16, 5))
    assert s["check.val[f]"] == Fraction(-121, 25) < s["val[f]"]


def test_graph_3_agrees_with_the_hand() -> None:
    """Every step of graph-3 has the hand's value, and x's gradient is written as the sum of
    its two contributions, not as one of them."""
    solution = solved("graph-3")
    found = values(solution)
    assert set(found) == set(fork()), set(found) ^ set(fork())
    agree(found, dict(fork()))
    contributions = [step for step in solution.steps if step.key.startswith("contrib[")]
    assert [step.key for step in contributions] == ["contrib[f,x]", "contrib[p,x]"]
    grad_x = next(step for step in solution.steps if step.key == "grad[x]")
    assert {q.key for q in grad_x.operands} == {"contrib[f,x]", "contrib[p,x]"}


# --- graph-4: backprop-1's tanh neuron (neuron 2), x = [1, 0.1, 0.7], y₂ = 1, α = 0.1 ---------

WEIGHTS = {"w20": 0.5, "w21": 0.4, "w22": -0.6}
INPUTS = {"x0": 1.0, "x1": 0.1, "x2": 0.7}
ALPHA4 = 0.1


def neuron_2() -> dict[str, float]:
    """backprop-1's second neuron as a graph, node by node, with math.tanh written out."""
    s: dict[str, float] = {}
    s["val[u2]"] = 0.5 * 1 + 0.4 * 0.1 + -0.6 * 0.7  # 0.12
    s["val[a2]"] = math.tanh(s["val[u2]"])  # 0.11943
    s["val[e2]"] = 1 - s["val[a2]"]  # 0.88057
    s["val[E2]"] = s["val[e2]"] ** 2
    s["grad[E2]"] = 1.0
    s["local[E2,e2]"] = 2 * s["val[e2]"]
    s["grad[e2]"] = s["grad[E2]"] * s["local[E2,e2]"]
    s["local[e2,a2]"] = -1.0
    s["grad[a2]"] = s["grad[e2]"] * s["local[e2,a2]"]
    s["local[a2,u2]"] = 1 - s["val[a2]"] ** 2  # the lecture's ∂ỹ/∂u = 1 − ỹ²
    s["grad[u2]"] = s["grad[a2]"] * s["local[a2,u2]"]  # −2δ₂
    for j in "012":
        s[f"local[u2,w2{j}]"] = INPUTS[f"x{j}"]  # the lecture's vⱼ = ∂uᵢ/∂wᵢⱼ
        s[f"grad[w2{j}]"] = s["grad[u2]"] * INPUTS[f"x{j}"]
        s[f"new[w2{j}]"] = WEIGHTS[f"w2{j}"] - ALPHA4 * s[f"grad[w2{j}]"]
    return s


def test_neuron_2_by_hand_is_the_lectures_delta() -> None:
    """δ₂ = ε₂(1 − ỹ₂²) is −½ ∂ε₂²/∂u₂, and the new weights are the lecture's (0.6736,
    0.41736, −0.47848 unrounded; the slide's 0.674 and 0.4174 round δ₂ to 0.87)."""
    s = neuron_2()
    delta = s["val[e2]"] * (1 - s["val[a2]"] ** 2)
    assert -s["grad[u2]"] / 2 == pytest.approx(delta, abs=TOL)
    assert round(delta, 5) == 0.86801
    new = [round(s[f"new[w2{j}]"], 5) for j in "012"]
    assert new == [0.6736, 0.41736, -0.47848]


def test_graph_4_agrees_with_the_hand() -> None:
    """Every forward, backward and update step of graph-4 that the hand worked has its value."""
    agree(values(solved("graph-4")), dict(neuron_2()))


def test_graph_4_is_backprop_1s_update() -> None:
    """−α·∂ε₂²/∂w₂ⱼ from graph-4 is backprop-1's Δw₂ⱼ = 2αxⱼδ₂ (its keys dw[1,2,j]), the new
    weights are its w[1,2,j], and −½ ∂ε₂²/∂u₂ is its δ₂ (d[1,2]); the forward values are its
    u₂, ỹ₂, ε₂."""
    graph, lecture = values(solved("graph-4")), values(solved("backprop-1"))
    for j in "012":
        assert -ALPHA4 * graph[f"grad[w2{j}]"] == pytest.approx(lecture[f"dw[1,2,{j}]"], abs=TOL)
        assert graph[f"new[w2{j}]"] == pytest.approx(lecture[f"w[1,2,{j}]"], abs=TOL)
    assert -graph["grad[u2]"] / 2 == pytest.approx(lecture["d[1,2]"], abs=TOL)
    pairs = {"val[u2]": "u[1,2]", "val[a2]": "y[1,2]", "val[e2]": "e[2]"}
    for key, theirs in pairs.items():
        assert graph[key] == pytest.approx(lecture[theirs], abs=TOL)
    assert graph["check.val[E2]"] == pytest.approx(lecture["check.e[2]"] ** 2, abs=TOL)


@pytest.mark.parametrize("lang", ["es", "en"])
def test_graph_4_says_that_delta_is_minus_half_the_gradient(lang: str) -> None:
    """The lesson says what the test above checks: its summary writes δ = −½·∂ε²/∂u and
    names backprop-1's Δw, and so do the steps where it happens: ∂E₂/∂u₂ and each new w₂ⱼ."""
    summary = localized(builtin_lesson("graph-4").summary, lang, "es") or ""
    assert "−½·∂ε²/∂u" in summary
    assert "backprop-1" in summary and "Δw₂ⱼ = 2αxⱼδ₂" in summary
    steps = {step.key: step for step in solved("graph-4", lang).steps}
    assert "= −2δ₂" in steps["grad[u2]"].explanation
    assert "−½ · dE₂/du₂" in steps["grad[u2]"].explanation
    for j in "012":
        assert "w₂ⱼ + 2αxⱼδ₂" in steps[f"new[w2{j}]"].explanation
