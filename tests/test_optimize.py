"""Optimize lessons: each optimiser's steps against its published update rule.

The rules are written again here, independently, with plain numpy and a hand-written gradient
(Polyak's momentum; Nesterov as in Sutskever et al. 2013; Adagrad, Duchi et al. 2011, in
torch's form √G + ε; AdaDelta, Zeiler 2012; Adam, Kingma & Ba 2015), and, where torch
happens to be installed, against torch.optim itself. Then the lecture's numbers, the step
keys, the lesson checks, and what happens when an optimiser diverges.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.errors import LessonError
from stepper.lesson.formula import step_count, step_keys
from stepper.lesson.load import lesson_from_text
from stepper.printers import typst_math
from stepper.printers.json_printer import step_record
from stepper.steps import Phase, Solution
from tests.conftest import solved

#: The messages matched here are the English ones (see tests.conftest.english_problems).
pytestmark = pytest.mark.usefixtures("english_problems")

Vector = np.ndarray[Any, np.dtype[np.float64]]


def rosenbrock(p: Vector) -> Vector:
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def bowl(p: Vector) -> Vector:
    """The gradient of x1² + 2·x2² + 3·x3² + x1·x2."""
    x1, x2, x3 = p
    return np.array([2 * x1 + x2, 4 * x2 + x1, 6 * x3])


FUNCTIONS: dict[str, tuple[str, list[str], list[float], Callable[[Vector], Vector]]] = {
    "rosenbrock": ("(1 - x)**2 + 100*(y - x**2)**2", ["x", "y"], [-1.2, 1.0], rosenbrock),
    "bowl": ("x1**2 + 2*x2**2 + 3*x3**2 + x1*x2", ["x1", "x2", "x3"], [1.0, -2.0, 0.5], bowl),
}

#: Each optimiser with hyper-parameters that make it move visibly in a few iterations.
OPTIMIZERS: dict[str, dict[str, float]] = {
    "gradient_descent": {"learning_rate": 0.001},
    "momentum": {"learning_rate": 0.001, "momentum": 0.8},
    "nesterov": {"learning_rate": 0.001, "momentum": 0.8},
    "adagrad": {"learning_rate": 0.3, "epsilon": 1e-10},
    "adadelta": {"learning_rate": 1.0, "rho": 0.9, "epsilon": 1e-6},
    "adadelta-alpha": {"learning_rate": 0.5, "rho": 0.95, "epsilon": 1e-3},
    "adam": {"learning_rate": 0.05, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
}
ITERATIONS = 8


def reference(
    name: str, h: dict[str, float], grad: Callable[[Vector], Vector], start: list[float], n: int
) -> list[dict[str, Vector]]:
    """The published rules, iteration by iteration: what each iteration computes."""
    x = np.array(start, dtype=np.float64)
    zero = np.zeros_like(x)
    v, acc, eg2, edx2, m, s = zero, zero, zero, zero, zero, zero
    out = []
    for t in range(1, n + 1):
        r: dict[str, Vector] = {}
        if name == "gradient_descent":
            r["grad"] = g = grad(x)
            x = x - h["learning_rate"] * g
        elif name in ("momentum", "nesterov"):
            at = x
            if name == "nesterov":
                r["ahead"] = at = x + h["momentum"] * v
            r["grad"] = g = grad(at)
            r["v"] = v = h["momentum"] * v - h["learning_rate"] * g
            x = x + v
        elif name == "adagrad":
            r["grad"] = g = grad(x)
            r["G"] = acc = acc + g * g
            x = x - h["learning_rate"] * g / (np.sqrt(acc) + h["epsilon"])
        elif name == "adadelta":
            rho, eps = h["rho"], h["epsilon"]
            r["grad"] = g = grad(x)
            r["Eg2"] = eg2 = rho * eg2 + (1 - rho) * g * g
            r["delta"] = dx = -(np.sqrt(edx2 + eps) / np.sqrt(eg2 + eps)) * g
            r["Edx2"] = edx2 = rho * edx2 + (1 - rho) * dx * dx
            x = x + h["learning_rate"] * dx
        elif name == "adam":
            b1, b2 = h["beta1"], h["beta2"]
            r["grad"] = g = grad(x)
            r["m"] = m = b1 * m + (1 - b1) * g
            r["v"] = s = b2 * s + (1 - b2) * g * g
            r["mhat"] = mhat = m / (1 - b1**t)
            r["vhat"] = vhat = s / (1 - b2**t)
            x = x - h["learning_rate"] * mhat / (np.sqrt(vhat) + h["epsilon"])
        r["x"] = x
        out.append(r)
    return out


def lesson_text(
    function: str, variables: list[str], start: list[float], optimizers: str, iterations: int
) -> str:
    return (
        f"kind: optimize\nfunction: {function}\nvariables: [{', '.join(variables)}]\n"
        f"start: {start!r}\niterations: {iterations}\noptimizers:\n{optimizers}"
    )


def one_optimizer(name: str, h: dict[str, float]) -> str:
    fields = ", ".join(f"{k}: {v!r}" for k, v in h.items())
    return f"  - {{name: {name.split('-', maxsplit=1)[0]}, {fields}}}\n"


def by_iteration(solution: Solution) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for step in solution.steps:
        out.setdefault(step.iteration, {})[step.key] = step.value
    return out


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_updates_follow_the_published_rule(function: str, optimizer: str) -> None:
    formula, variables, start, grad = FUNCTIONS[function]
    h = OPTIMIZERS[optimizer]
    text = lesson_text(formula, variables, start, one_optimizer(optimizer, h), ITERATIONS)
    steps = by_iteration(solve(lesson_from_text(text, "rule")))
    expected = reference(optimizer.split("-", maxsplit=1)[0], h, grad, start, ITERATIONS)
    for t, want in enumerate(expected, 1):
        for quantity, values in want.items():
            for name, value in zip(variables, values, strict=True):
                key = name if quantity == "x" else f"{quantity}[{name}]"
                assert steps[t][key] == pytest.approx(value, rel=1e-9, abs=1e-12), (t, key)
    assert set(steps[0]) == {"f"}


def torch_optimizer(torch: Any, name: str, h: dict[str, float], params: list[Any]) -> Any:
    """The same optimiser in torch.optim (its defaults replaced by the lesson's numbers)."""
    lr = h["learning_rate"]
    if name in ("gradient_descent", "momentum", "nesterov"):
        momentum = h.get("momentum", 0.0)
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=name == "nesterov")
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=h["epsilon"])
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=lr, rho=h["rho"], eps=h["epsilon"])
    betas = (h["beta1"], h["beta2"])
    return torch.optim.Adam(params, lr=lr, betas=betas, eps=h["epsilon"])


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
@pytest.mark.slow
def test_updates_match_torch_optim(optimizer: str) -> None:
    torch = pytest.importorskip("torch")
    formula, variables, start, _ = FUNCTIONS["rosenbrock"]
    h = OPTIMIZERS[optimizer]
    name = optimizer.split("-", maxsplit=1)[0]
    text = lesson_text(formula, variables, start, one_optimizer(optimizer, h), ITERATIONS)
    steps = by_iteration(solve(lesson_from_text(text, "torch")))
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(torch, name, h, [p])
    for t in range(1, ITERATIONS + 1):
        opt.zero_grad()
        loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
        loss.backward()
        opt.step()
        ours = np.array([steps[t]["x"], steps[t]["y"]])
        if name == "nesterov":  # torch keeps the look-ahead point θ + βv as its parameters
            ours = ours + h["momentum"] * np.array([steps[t]["v[x]"], steps[t]["v[y]"]])
        assert ours == pytest.approx(p.detach().numpy(), rel=1e-9, abs=1e-12), t


# --- The lecture's example and the built-in lessons ----------------------------------------------


def test_the_lecture_gradient_at_1_2() -> None:
    """f(x, y) = x² + y²: ∂f/∂x = 2x, ∂f/∂y = 2y, ∇f(1, 2) = [2, 4]; then w → w − α ∂F/∂w."""
    solution = solved("gradient-1")
    records = {s.key: step_record(s) for s in solution.steps if s.iteration == 1}
    assert records["grad[x]"]["formula_unicode"] == "g₁ = 2 · x"
    assert records["grad[y]"]["formula_unicode"] == "g₂ = 2 · y"
    assert (records["grad[x]"]["value"], records["grad[y]"]["value"]) == (2, 4)
    assert records["grad"]["substituted_text"] == "sqrt(2**2 + 4**2)"
    assert records["x"]["formula_unicode"] == "x → x − α · g₁"
    assert records["x"]["substituted_text"] == "1 - 0.1*2"
    assert records["x"]["value"] == pytest.approx(0.8)
    assert records["y"]["value"] == pytest.approx(1.6)
    assert records["f"]["value"] == pytest.approx(3.2)
    assert solution.steps[0].key == "f"
    assert solution.steps[0].iteration == 0
    assert solution.steps[0].value == 5
    assert solution.kind == "optimize"


def test_descent_zig_zags_across_the_valley() -> None:
    solution = solved("descent-1")
    ys = [s.value for s in solution.steps if s.key == "y"]
    xs = [s.value for s in solution.steps if s.key == "x"]
    fs = [s.value for s in solution.steps if s.key == "f"]
    assert len(ys) == 5
    assert all(a * b < 0 for a, b in itertools.pairwise(ys))  # y changes sign each time
    assert all(0 < b < a for a, b in itertools.pairwise(xs))  # x creeps towards 0
    assert all(b < a for a, b in itertools.pairwise(fs))


def test_e_in_a_derivative_is_written_e_and_computed_as_exp_1() -> None:
    """sympy turns the derivative of exp(1)·x² into 2·E·x: the text writes that number as
    exp(1) (its language has no constant E), every other form as e."""
    text = lesson_text(
        "exp(1)*x**2", ["x"], [1.0], one_optimizer("gradient_descent", {"learning_rate": 0.1}), 1
    )
    steps = {s.key: s for s in solve(lesson_from_text(text, "e")).steps}
    record = step_record(steps["grad[x]"])
    assert record["substituted_text"] == "2*exp(1)*1"
    assert record["formula_unicode"] == "g = 2 · e · x"
    assert record["substituted"] == "2 \\cdot e \\cdot 1"
    step = steps["grad[x]"]
    assert typst_math.compiled(step.template, step.params, 1).parts[0] == "2 dot e dot "
    assert steps["grad[x]"].value == pytest.approx(2 * np.e, rel=1e-15)


def test_optimizers_start_from_the_same_point() -> None:
    solution = solved("optimizers-1")
    starts = [s for s in solution.steps if s.iteration == 0]
    assert [s.key for s in starts] == [
        f"{name}.f" for name in ("momentum", "nesterov", "adagrad", "adadelta", "adam")
    ]
    assert len({s.value for s in starts}) == 1
    # Each optimiser's first x step reads the same given start.
    firsts = [s for s in solution.steps if s.key.endswith(".x") and s.iteration == 1]
    assert {s.operands[0].value for s in firsts} == {-1.5}
    assert all(s.operands[0].step is None for s in firsts)


@pytest.mark.parametrize("lesson_id", ["gradient-1", "descent-1", "optimizers-1"])
def test_keys_and_count_are_as_documented(lesson_id: str) -> None:
    solution = solved(lesson_id)
    lesson = lesson_from_text(
        (Path(__file__).parent.parent / "lessons" / f"{lesson_id}.yaml").read_text(), lesson_id
    )
    assert {s.key for s in solution.steps} == step_keys(lesson.variables, lesson.optimizers)
    names = [o.name for o in lesson.optimizers]
    assert len(solution.steps) == step_count(names, len(lesson.variables), lesson.iterations)
    for step in solution.steps:
        grad = step.key.split(".")[-1].startswith(("f", "grad"))
        assert step.phase == (Phase.FORWARD if grad else Phase.UPDATE), step.key
        assert step.sample is None


def test_one_variable_has_no_indices_and_no_length() -> None:
    text = lesson_text("x**4 - 3*x", ["x"], [2.0], one_optimizer("adam", {"learning_rate": 0.1}), 2)
    solution = solve(lesson_from_text(text, "one"))
    keys = [s.key for s in solution.steps]
    assert "grad" not in keys
    unicode = [step_record(s)["formula_unicode"] for s in solution.steps]
    assert unicode[1] == "g = −3 + 4 · x³"
    assert "m → β₁ · m + (1 − β₁) · g" in unicode
    assert "m̂ = m/(1 − β₁^n)" in unicode


def test_variables_with_digits_read_as_indices() -> None:
    formula, variables, start, _ = FUNCTIONS["bowl"]
    text = lesson_text(
        formula, variables, start, one_optimizer("nesterov", OPTIMIZERS["nesterov"]), 1
    )
    unicode = [step_record(s)["formula_unicode"] for s in solve(lesson_from_text(text, "d")).steps]
    assert "x⁺₂ = x₂ + β · Δx₂" in unicode
    assert "x₃ → x₃ + Δx₃" in unicode


def test_round_intermediate_computes_from_the_shown_numbers() -> None:
    solution = solved("optimizers-1")
    assert solution.round_intermediate
    for step in solution.steps:
        assert step.exact is not None
        for q in step.operands:
            assert q.value == float(q.shown), (step.key, q.key)


def test_json_names_the_kind_and_iteration_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "gradient-1", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["lesson"]["kind"] == "optimize"
    steps = document["steps"]
    assert steps[0]["iteration"] == 0 and steps[0]["key"] == "f"
    assert [r["n"] for r in steps] == list(range(1, len(steps) + 1))


# --- Checks of the lesson ----------------------------------------------------------------------

BASE = """\
kind: optimize
function: x**2 + y**2
variables: [x, y]
start: [1, 2]
optimizers:
  - name: momentum
    learning_rate: 0.1
"""


def problems(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    path = tmp_path / "lesson.yaml"
    path.write_text(text, encoding="utf-8")
    code = main(["check", str(path)])
    err = capsys.readouterr().err
    assert code == (2 if err else 0)
    assert "Traceback" not in err
    return [line.removeprefix(f"{path}:") for line in err.splitlines()]


def test_the_base_lesson_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(BASE, tmp_path, capsys) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("start: [1, 2]", "start: [1, 2, 3]"), "4:8: the start point has 3 numbers; the"),
        (("variables: [x, y]", "variables: [x, x]"), "3:16: the variable 'x' is declared twice"),
        (("variables: [x, y]", "variables: [x, xy]"), "3:16: variables[2]: the text 'xy' is not a"),
        (("variables: [x, y]", "variables: [x, f]"), "3:16: f names the function"),
        (
            ("    learning_rate: 0.1", "    learning_rate: 0"),
            "7:20: optimizers[1].learning_rate: must",
        ),
        (("    learning_rate: 0.1", "    momentum: 0.5"), "6:5: momentum needs a learning_rate"),
        (
            ("    learning_rate: 0.1", "    learning_rate: 0.1\n    rho: 0.9"),
            "8:5: momentum has no",
        ),
        (
            ("    learning_rate: 0.1", "    learning_rate: 0.1\n    momentum: 1"),
            "8:15: optimizers[1]",
        ),
        (("    learning_rate: 0.1", "    learning_rate: 0.1\n    beta: 0.9"), "8:5: unknown field"),
        (("name: momentum", "name: adamw"), "6:11: optimizers[1].name: the text 'adamw'"),
        (("function: x**2 + y**2", "function: log(x - 1)"), "4:8: the function cannot be"),
        (("function: x**2 + y**2", "function: ''"), "2:11: function: the formula is empty"),
        ((BASE, BASE + "iterations: 0\n"), "8:13: iterations: must be ≥ 1"),
        ((BASE, BASE + "iterations: 10001\n"), "8:13: iterations: must be ≤ 10000"),
        ((BASE, BASE + "notes:\n  v[z]: hola\n"), "9:3: 'v[z]' is not a step key"),
        ((BASE, BASE + "network: {inputs: 1}\n"), "8:1: the field 'network' does not belong"),
        ((BASE, BASE + "variants: {saturate: true}\n"), "8:1: exam variants are for dense"),
    ],
)
def test_located_problems(
    change: tuple[str, str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    found = problems(BASE.replace(*change), tmp_path, capsys)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_two_optimisers_of_a_name_need_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    twice = BASE + "  - {name: momentum, learning_rate: 0.01}\n"
    assert problems(twice, tmp_path, capsys)[0].startswith("8:5: optimisers 1 and 2 are both")
    ids = twice.replace("  - name: momentum\n", "  - name: momentum\n    id: fast\n").replace(
        "learning_rate: 0.01}", "learning_rate: 0.01, id: slow}"
    )
    assert problems(ids, tmp_path, capsys) == []
    keys = {s.key for s in solve(lesson_from_text(ids, "ids")).steps}
    assert {"fast.x", "slow.x", "fast.v[y]", "slow.f"} <= keys


def test_the_step_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    many = BASE.replace("variables: [x, y]", "variables: [x, y, z, w, u, s, r, q, p, o]")
    many = many.replace("start: [1, 2]", "start: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]")
    many = many.replace("x**2 + y**2", "x**2 + y**2 + z + w + u + s + r + q + p + o")
    many += "  - {name: adam, learning_rate: 0.1}\n" * 4 + "iterations: 10000\n"
    many = many.replace("  - {name: adam", "  - {id: a1, name: adam", 1)
    for k in (2, 3, 4):
        many = many.replace("  - {name: adam", f"  - {{id: a{k}, name: adam", 1)
    found = problems(many, tmp_path, capsys)
    assert len(found) == 1 and "steps; the limit is 1,000,000" in found[0], found


def test_divergence_is_bad_input_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "diverge.yaml"
    path.write_text(BASE.replace("0.1", "3") + "iterations: 200\n")
    assert main(["check", str(path)]) == 0
    assert main(["solve", str(path), "--format", "json", "--lang", "en"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "momentum, iteration" in err and "diverges" in err and "learning rate" in err
    assert "Traceback" not in err


def test_a_point_where_f_is_undefined_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace("x**2 + y**2", "sqrt(x) + y**2").replace("0.1", "1") + "iterations: 5\n"
    with pytest.raises(LessonError) as refused:
        solve(lesson_from_text(text, "sqrt"), "en")
    message = str(refused.value)
    assert "square root of" in message and "iteration 2" in message
