"""The function of an optimize lesson: a formula string, checked by a whitelist, never run.

Hostile strings are refused by ``stepper check`` with exit 2 and the place in the file where
the refused part starts, and nothing of them is executed: no string reaches sympify,
parse_expr, eval, exec or compile (other than ``ast.parse``), and no side effect happens. Valid
formulas are checked against Python functions written here: their values, and the engine's
symbolic partial derivatives against central finite differences.
"""

from __future__ import annotations

import ast
import builtins
import json
import math
import pickle
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.formula import FormulaError, NumericError, parse_formula, place
from stepper.lesson.load import lesson_from_text
from stepper.printers.json_printer import step_record
from tests.test_substitution import evaluate

#: The messages matched here are the English ones (see tests.conftest.english_problems).
pytestmark = pytest.mark.usefixtures("english_problems")

# --- Hostile formulas ----------------------------------------------------------------------------

#: (formula, where the refusal points in it (0-based; None: at the field), words of the message)
HOSTILE: list[tuple[str, int | None, str]] = [
    ("__import__('os').system('touch {marker}')", 16, "attribute access (.system)"),
    ("__import__('os')", 0, "calling '__import__'"),
    ("().__class__.__base__.__subclasses__()", 2, "attribute access (.__class__)"),
    ("x.__class__.__mro__", 1, "attribute access"),
    ("sin(x).real", 6, "attribute access (.real)"),
    ("open('/etc/passwd')", 0, "calling 'open'"),
    ("eval('1')", 0, "calling 'eval'"),
    ("exec('import os')", 0, "calling 'exec'"),
    ("getattr(x, 'y')", 0, "calling 'getattr'"),
    ("x(1)", 0, "calling 'x'"),
    ("lambda: 1", 0, "a lambda"),
    ("[x for x in (1, 2)]", 0, "a comprehension"),
    ("sum(t for t in (1, 2))", 0, "calling 'sum'"),
    ("{t: 1 for t in (1,)}", 0, "a comprehension"),
    ("9**9**9", 3, "an exponent must be a number"),
    ("x**100", 3, "exponent 100 is too large"),
    ("x**-11", 3, "exponent -11 is too large"),
    ("x**y", 3, "an exponent must be a number"),
    ("(((x**2)**2)**2)**2", 3, "powers of powers"),
    ("tanh(tanh(tanh(tanh(x))))", 15, "functions inside functions are limited to 3"),
    ("exp(x) + sin(cos(log(sqrt(y))))", 21, "functions inside functions are limited to 3"),
    ("1e999 * x", 0, "too large"),
    ("9" * 900 + " * x", 0, "too large"),
    ("x**" + "9" * 900, 3, "too large"),
    ("x[0]", 0, "indexing"),
    ("'a' * 3", 0, "text"),
    ("f'{x}'", 0, "f-string"),
    ("x if y else 1", 0, "if/else"),
    ("x < y", 0, "comparison"),
    ("x and y", 0, "and/or"),
    ("(x := 2)", 1, "assignment"),
    ("z + 1", 0, "unknown name 'z'"),
    ("__builtins__", 0, "unknown name '__builtins__'"),
    ("exp", 0, "exp is a function"),
    ("1j * x", 0, "1j is not allowed"),
    ("True + x", 0, "True is not allowed"),
    ("x ^ 2", 2, "write powers with **"),
    ("x % 2", 2, "operator %"),
    ("x @ y", 2, "operator @"),
    ("not x", 0, "'not'"),
    ("sqrt(x, 2)", 0, "exactly one argument"),
    ("exp(x=1)", 0, "exactly one argument"),
    ("(x, y)", 0, "a tuple"),
    ("x; y", 1, "not valid"),
    ("import os", 0, "not valid"),
    ("2x", 0, "write products with *"),
    ("(x", 0, "never closed"),
    ("x**2 # y", 5, "no comments"),
    ("-" * 300 + "x", None, "the limit is 200"),
    ("x + " * 300 + "x", None, "the limit is 1,000"),
]

LESSON = """\
kind: optimize
function: {function}
variables: [x, y]
start: [1, 2]
optimizers:
  - {{name: gradient_descent, learning_rate: 0.1}}
"""


def _quoted(function: str) -> str:
    """The formula as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(function, ensure_ascii=False)


@pytest.fixture
def no_execution(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail if any text reaches sympify, parse_expr, eval, exec or compile (but ast.parse).

    Every module of stepper is imported first: the commands import some lazily, and importing a
    module compiles and executes its own source, which is not lesson text.
    """
    import importlib
    import pkgutil

    import sympy
    import sympy.parsing.sympy_parser

    import stepper

    for found in pkgutil.walk_packages(stepper.__path__, "stepper."):
        if not found.name.endswith("__main__"):
            importlib.import_module(found.name)

    module = importlib.import_module("sympy.core.sympify")  # sympy.core.sympify is the function
    calls: list[str] = []
    real_sympify = module.sympify
    real_compile = builtins.compile

    def sympify(a: object, *args: object, **kwargs: object) -> object:
        if isinstance(a, str):
            calls.append(f"sympify({a!r})")
        return real_sympify(a, *args, **kwargs)  # type: ignore[arg-type]

    def refused(name: str) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            calls.append(f"{name}{args!r}")
            raise AssertionError(f"{name} was called")

        return run

    def compile_(source: object, *args: object, **kwargs: object) -> object:
        flags = args[2] if len(args) > 2 else kwargs.get("flags", 0)
        if not isinstance(flags, int) or not flags & ast.PyCF_ONLY_AST:
            calls.append(f"compile({source!r})")
        return real_compile(source, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(sympy, "sympify", sympify)
    monkeypatch.setattr(module, "sympify", sympify)
    monkeypatch.setattr(sympy.parsing.sympy_parser, "parse_expr", refused("parse_expr"))
    monkeypatch.setattr(builtins, "eval", refused("eval"))
    monkeypatch.setattr(builtins, "exec", refused("exec"))
    monkeypatch.setattr(builtins, "compile", compile_)
    yield calls


@pytest.mark.parametrize("case", HOSTILE, ids=[h[0][:30] for h in HOSTILE])
def test_hostile_formula_is_refused_with_its_place(
    case: tuple[str, int | None, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    no_execution: list[str],
) -> None:
    formula, at, words = case
    marker = tmp_path / "executed"
    text = formula.replace("{marker}", str(marker))
    lesson = tmp_path / "hostile.yaml"
    lesson.write_text(LESSON.format(function=_quoted(text)), encoding="utf-8")
    code = main(["check", str(lesson)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    # The value starts at column 11 with its quote: character k is at column 12 + k.
    column = 11 if at is None else 12 + at
    assert lines[0].startswith(f"{lesson}:2:{column}: function: "), (lines[0], column)
    assert words in lines[0]
    assert not marker.exists()
    assert no_execution == []


def test_the_same_refusals_through_solve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], no_execution: list[str]
) -> None:
    marker = tmp_path / "executed"
    lesson = tmp_path / "hostile.yaml"
    function = f"__import__('os').system('touch {marker}')"
    lesson.write_text(LESSON.format(function=function), encoding="utf-8")
    for command in (["solve", str(lesson)], ["lesson", str(lesson), "--plain"]):
        assert main(command) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert err.startswith(f"{lesson}:2:27: function: attribute access (.system)")
    assert not marker.exists()
    assert no_execution == []


def test_a_valid_lesson_is_solved_without_parsing_any_text(no_execution: list[str]) -> None:
    text = LESSON.format(function="tanh(x*y) + exp(-x**2)/2 + log(1 + y**2) - sqrt(x)*cos(y)")
    solution = solve(lesson_from_text(text, "valid"))
    for step in solution.steps:
        step_record(step)  # formulas printed too
    assert len(solution.steps) == 7
    assert no_execution == []


def test_place_inside_the_string() -> None:
    source = 'a: 1\nfunction: "x + y.real"\nb: |\n  log(x) +\n  y.real\n'
    assert place(source, 2, 11, "x + y.real", 5) == (2, 17)
    assert place(source, 3, 4, "log(x) +\ny.real\n", 10) == (5, 4)
    assert place(source, 3, 4, "log(x) + y.real\n", 10) == (5, 4)  # folded with >
    assert place(source, 2, 11, "something else", 5) == (2, 11)
    assert place(source, 2, 11, "x + y.real", None) == (2, 11)


def test_a_block_formula_over_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lesson = tmp_path / "block.yaml"
    lesson.write_text(
        LESSON.format(function=">\n  (1 - x)**2 +\n  100*(y - x**2)**2").replace(
            "[1, 2]", "[0.5, 0.5]"
        )
    )
    assert main(["check", str(lesson)]) == 0
    lesson.write_text(LESSON.format(function="|\n  (1 - x)**2 +\n  100*(y.imag - x**2)**2"))
    assert main(["check", str(lesson)]) == 2
    assert capsys.readouterr().err.startswith(f"{lesson}:4:9: function: attribute access (.imag)")


def test_columns_count_characters_not_bytes() -> None:
    # The exponent is checked first, after two letters of two bytes each.
    with pytest.raises(FormulaError) as refused:
        parse_formula("('ñé')**y", ["x", "y"])
    assert refused.value.offset == "('ñé')**y".index("y")


def test_a_function_undefined_at_the_start_is_located_at_the_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lesson = tmp_path / "log.yaml"
    lesson.write_text(LESSON.format(function="log(x - 1) + y").replace("[1, 2]", "[1, 3]"))
    assert main(["check", str(lesson)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{lesson}:4:8: the function cannot be computed at the start: ")
    assert "logarithm of 0" in err


@pytest.mark.slow
def test_check_imports_no_sympy() -> None:
    """Checking an optimize lesson (and listing) stays as quick as for the other kinds."""
    code = (
        "import sys\n"
        "from stepper.cli import main\n"
        "assert main(['check', 'gradient-1', 'optimizers-1']) == 0\n"
        "assert main(['list']) == 0\n"
        "print('sympy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


# --- Valid formulas: values and derivatives ------------------------------------------------------

Function = Callable[[float, float], float]
VALID: list[tuple[str, Function]] = [
    ("x**2 + y**2", lambda x, y: x**2 + y**2),
    ("x**2 + 10*y**2", lambda x, y: x**2 + 10 * y**2),
    ("(1 - x)**2 + 100*(y - x**2)**2", lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    ("0.5*x**2 - 1.5*x*y + y**4/4", lambda x, y: 0.5 * x**2 - 1.5 * x * y + y**4 / 4),
    ("x**-2 + y**0.5", lambda x, y: x**-2 + y**0.5),
    ("exp(-x**2 - y**2)", lambda x, y: math.exp(-(x**2) - y**2)),
    ("exp(1)*x + exp(y)", lambda x, y: math.e * x + math.exp(y)),
    ("log(1 + x**2) + sqrt(y)", lambda x, y: math.log(1 + x**2) + math.sqrt(y)),
    ("tanh(x*y) + sin(x) * cos(y)", lambda x, y: math.tanh(x * y) + math.sin(x) * math.cos(y)),
    ("-x/(1 + y**2) + (x - y)**3", lambda x, y: -x / (1 + y**2) + (x - y) ** 3),
    ("-(x + 2*y - 1)**2 + +x", lambda x, y: -((x + 2 * y - 1) ** 2) + x),
]
POINTS = [(0.7, 1.3), (-1.2, 0.4), (2.5, 3.1)]


@pytest.mark.parametrize(("formula", "fn"), VALID)
def test_the_formula_computes_like_python(formula: str, fn: Function) -> None:
    parsed = parse_formula(formula, ["x", "y"])
    for x, y in POINTS:
        assert parsed.value([x, y]) == pytest.approx(fn(x, y), rel=1e-13, abs=1e-13)


def test_a_used_formula_pickles_and_computes_the_same() -> None:
    """The formula compiles once for many points; a used one still pickles (a Solution goes to
    a printer's worker) and its copy computes the same numbers."""
    formula, fn = VALID[8]
    parsed = parse_formula(formula, ["x", "y"])
    grid = [(-2 + 0.1 * i, -1 + 0.15 * j) for i in range(40) for j in range(20)]
    values = [parsed.value(point) for point in grid]
    assert values == pytest.approx([fn(*point) for point in grid], rel=1e-13, abs=1e-13)
    copy = pickle.loads(pickle.dumps(parsed))
    assert copy == parsed
    assert [copy.value(point) for point in grid] == values
    with pytest.raises(ValueError, match="3 numbers for 2 variables"):
        parsed.value((1.0, 2.0, 3.0))


@pytest.mark.parametrize(
    ("formula", "point", "words"),
    [
        ("log(x) + y", (-1.0, 0.0), "logarithm of -1"),
        ("sqrt(x - y)", (0.0, 1.0), "square root of -1"),
        ("x / y", (1.0, 0.0), "division by zero"),
        ("y**-2", (1.0, 0.0), "0 to a negative power"),
        ("x**0.5 + y", (-4.0, 0.0), "fractional power"),
        ("exp(x) * y", (1000.0, 1.0), "too large"),
        ("x**10 * y**10 * x**10", (1e20, 1e20), "too large"),
    ],
)
def test_where_the_formula_is_undefined(
    formula: str, point: tuple[float, float], words: str
) -> None:
    with pytest.raises(NumericError, match=words):
        parse_formula(formula, ["x", "y"]).value(point)


def _gradient_lesson(formula: str, x: float, y: float) -> str:
    return (
        f"kind: optimize\nfunction: {_quoted(formula)}\nvariables: [x, y]\n"
        f"start: [{x!r}, {y!r}]\noptimizers:\n  - {{name: gradient_descent, learning_rate: 0.01}}\n"
    )


@pytest.mark.parametrize(("formula", "fn"), VALID)
def test_symbolic_gradient_against_central_differences(formula: str, fn: Function) -> None:
    for x, y in POINTS:
        solution = solve(lesson_from_text(_gradient_lesson(formula, x, y), "fd"))
        by_key = {s.key: s for s in solution.steps if s.iteration == 1}
        assert solution.steps[0].value == pytest.approx(fn(x, y), rel=1e-13, abs=1e-13)
        for key, (dx, dy) in (("grad[x]", (1.0, 0.0)), ("grad[y]", (0.0, 1.0))):
            h = 1e-5 * max(1.0, abs(x), abs(y))
            central = (fn(x + h * dx, y + h * dy) - fn(x - h * dx, y - h * dy)) / (2 * h)
            scale = max(1.0, abs(central))
            assert by_key[key].value == pytest.approx(central, abs=1e-6 * scale), (key, x, y)


@pytest.mark.parametrize(("formula", "fn"), VALID)
def test_derivative_formulas_read_as_text_the_contract_allows(formula: str, fn: Function) -> None:
    """The derivative's substituted_text evaluates with the contract's little language (no
    sympy names such as E or sign), to the step's value."""
    solution = solve(lesson_from_text(_gradient_lesson(formula, 0.7, 1.3), "text"))
    for step in solution.steps:
        text = step_record(step)["substituted_text"]
        got = evaluate(text)
        assert got == pytest.approx(step.value, rel=1e-3, abs=1e-3), (step.key, text)


def test_the_formula_prints_as_written() -> None:
    solution = solve(lesson_from_text(_gradient_lesson("x**2 + 10*y**2", 1, 2), "order"))
    record = step_record(solution.steps[0])
    assert record["formula"] == "f = x^{2} + 10 y^{2}"
    assert record["substituted_text"] == "1**2 + 10*2**2"
    assert record["formula_unicode"] == "f = x² + 10 · y²"
    rosenbrock = "(1 - x)**2 + 100*(y - x**2)**2"
    first = solve(lesson_from_text(_gradient_lesson(rosenbrock, -1.5, 2), "r")).steps[0]
    assert step_record(first)["substituted_text"] == "(1 - (-1.5))**2 + 100*(2 - (-1.5)**2)**2"


def test_one_over_x_is_a_fraction_and_nothing_more() -> None:
    """1/x is written \\frac{1}{x} (not 1 \\cdot \\frac{1}{x}), as a graph's 1/x gate is."""
    solution = solve(lesson_from_text(_gradient_lesson("1/(1 + x**2) + y", 1, 2), "one"))
    record = step_record(solution.steps[0])
    assert record["formula"] == "f = \\frac{1}{1 + x^{2}} + y"
    assert record["formula_unicode"] == "f = 1/(1 + x²) + y"
    assert record["substituted_text"] == "1/(1 + 1**2) + 2"


def test_a_decimal_stays_a_decimal() -> None:
    solution = solve(lesson_from_text(_gradient_lesson("0.1*x**2 + y", 1, 2), "decimal"))
    assert step_record(solution.steps[0])["formula_unicode"] == "f = 0.1 · x² + y"
    assert step_record(solution.steps[1])["formula_unicode"] == "g₁ = 0.2 · x"


def test_negative_and_fractional_powers_print_in_unicode() -> None:
    solution = solve(lesson_from_text(_gradient_lesson("x**-2 + y**1.5", 2, 4), "powers"))
    unicode = [step_record(s)["formula_unicode"] for s in solution.steps[:3]]
    assert unicode[0] == "f = x^(−2) + y^(3/2)"
    assert "·  ·" not in " ".join(unicode)


def test_a_picture_can_evaluate_f_anywhere() -> None:
    """The solution carries the lesson's checked formula (``Solution.optimize``): a reader (the
    contour picture) computes f on a grid with it, and gets the steps' own values at the
    steps' points, without sympy and without the process's registry of formulas."""
    solution = solve(
        lesson_from_text(_gradient_lesson("(1 - x)**2 + 100*(y - x**2)**2", 0, 0), "p")
    )
    assert solution.optimize is not None
    f = solution.optimize.function.value
    seen = 0
    for step in solution.steps:
        if step.key == "f":
            assert f([q.value for q in step.operands]) == step.value
            seen += 1
    assert seen > 1
    assert f([1.0, 1.0]) == 0.0
    again = solve(lesson_from_text(_gradient_lesson("(1 - x)**2 + 100*(y - x**2)**2", 2, 1), "q"))
    assert again.steps[0].params == solution.steps[0].params  # the same function, the same id
