"""Regression tests for the inputs a mutation fuzzer found escaping the contract (issue 10, §4).

Each input once gave a traceback, a hang or a message with no place. Each test builds the
smallest lesson that reproduces it and asserts what the contract promises instead: exit status
2, one ``PATH:LINE:COL: message`` line per problem pointing at the value to change, no output
file, and an answer well within the time limit.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stepper.catalog import builtin_folder
from stepper.cli import main

#: The messages matched here are the English ones (see tests.conftest.english_problems).
pytestmark = pytest.mark.usefixtures("english_problems")

BAD_INPUT = 2


def builtin_text(lesson_id: str) -> str:
    """A built-in lesson's text, declared English: its problems are told in the English these
    tests match (same lines and columns as the Spanish original)."""
    text = (builtin_folder() / f"{lesson_id}.yaml").read_text(encoding="utf-8")
    return text.replace("\nlanguage: es\n", "\nlanguage: en\n", 1)


def edited(lesson_id: str, old: str, new: str) -> str:
    """A built-in lesson with one piece of text replaced (which must be there)."""
    text = builtin_text(lesson_id)
    assert old in text, old
    return text.replace(old, new, 1)


def refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    place: tuple[int, int],
    phrase: str,
    *,
    limit: float = 10.0,
) -> None:
    """``check`` and ``solve -o`` both refuse ``text`` with one located line at ``place``
    that says ``phrase``, quickly, and write nothing."""
    lesson = tmp_path / "hostile.yaml"
    lesson.write_text(text, encoding="utf-8", errors="surrogatepass")
    output = tmp_path / "out.json"
    for argv in (["check", str(lesson)], ["solve", str(lesson), "-o", str(output)]):
        start = time.perf_counter()
        code = main(argv)
        took = time.perf_counter() - start
        _, err = capsys.readouterr()
        lines = err.splitlines()
        assert code == BAD_INPUT, (argv, err)
        assert lines, argv
        for line in lines:
            assert re.fullmatch(rf"{re.escape(str(lesson))}:\d+:\d+: \S.*", line), line
        assert f"{lesson}:{place[0]}:{place[1]}: " in lines[0], (lines, place)
        assert phrase in err, err
        assert took < limit, (argv, took)
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["hostile.yaml"]


def refused_solve(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    place: tuple[int, int],
    phrase: str,
) -> None:
    """A lesson that ``check`` accepts (its fields are all valid) but whose numbers cannot be
    worked out: ``solve`` refuses it at ``place``, the number to change, and writes nothing."""
    lesson = tmp_path / "hostile.yaml"
    lesson.write_text(text, encoding="utf-8")
    assert main(["check", str(lesson)]) == 0, capsys.readouterr().err
    output = tmp_path / "out.json"
    start = time.perf_counter()
    code = main(["solve", str(lesson), "-o", str(output)])
    _, err = capsys.readouterr()
    assert code == BAD_INPUT, err
    assert time.perf_counter() - start < 10
    assert err.startswith(f"{lesson}:{place[0]}:{place[1]}: "), (err, place)
    assert len(err.splitlines()) == 1
    assert phrase in err, err
    assert not output.exists()


# --- The YAML layer: tags, huge numbers, lone surrogates ---------------------------------------


@pytest.mark.parametrize(
    ("tagged", "phrase"),
    [
        ("!!int 0.5", "the tag !!int needs a whole number, not '0.5'"),
        ("!!int two", "the tag !!int needs a whole number"),
        ("!!float two", "the tag !!float needs a number"),
        ("!!bool 2", "the tag !!bool needs true or false"),
        ("!!null 2", "the tag !!null needs null"),
    ],
)
def test_a_plain_tag_on_a_value_it_does_not_fit(
    tagged: str, phrase: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was a ValueError (!!int 0.5) or a KeyError (!!bool) from ruamel's constructors."""
    text = edited("backprop-1", "  inputs: 2", f"  inputs: {tagged}")
    refused(tmp_path, capsys, text, (22, 11), phrase)


def test_a_bool_tag_on_the_function(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Was a KeyError traceback in ``check``."""
    text = edited("gradient-1", "function: x**2", "function: !!bool x**2")
    refused(tmp_path, capsys, text, (18, 11), "the tag !!bool needs true or false")


def test_a_fitting_plain_tag_still_reads() -> None:
    from stepper.lesson.load import lesson_from_text

    text = edited("backprop-1", "  inputs: 2", "  inputs: !!int 2")
    text = text.replace("learning_rate: 0.1", "learning_rate: !!float 0.1")
    lesson = lesson_from_text(text, "tagged.yaml")
    assert lesson.training.learning_rate == 0.1


@pytest.mark.parametrize("digits", [401, 4_301, 10_000])
def test_a_whole_number_with_too_many_digits_as_a_size(
    digits: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Past 4,300 digits Python refuses to convert a number: was a ValueError traceback."""
    text = edited("backprop-1", "  inputs: 2", "  inputs: " + "9" * digits)
    refused(tmp_path, capsys, text, (22, 11), f"it has {digits:,} digits")


def test_a_whole_number_with_too_many_digits_as_a_notes_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = "7" * 5_000
    text = edited("backprop-1", "  y[1,2]:", f"  ? {big}\n  : {{es: a}}\n  y[1,2]:")
    refused(tmp_path, capsys, text, (35, 5), "it has 5,000 digits")


def test_a_number_of_400_digits_is_a_number_that_is_too_large(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Below the digit limit the number reaches the schema, which says it is too large."""
    text = edited("backprop-1", "learning_rate: 0.1", "learning_rate: " + "9" * 400)
    refused(tmp_path, capsys, text, (29, 18), "too large")


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff"])
def test_a_lone_surrogate_in_a_title(
    escape: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A surrogate escape in quotes is no character: ``solve`` could not encode it
    (UnicodeEncodeError)."""
    text = edited(
        "backprop-1",
        "  en: One-layer network with a linear and a tanh neuron",
        f'  en: "{escape} One-layer"',
    )
    refused(tmp_path, capsys, text, (6, 7), f"the escape {escape}")


def test_a_lone_surrogate_in_a_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = edited("backprop-1", "  y[1,2]:", '  "y\\ud800":\n    es: a\n  y[1,2]:')
    refused(tmp_path, capsys, text, (35, 3), "the escape \\ud800")


# --- Conv lessons: a head that has nothing to read -----------------------------------------------


@pytest.mark.parametrize(
    ("extra", "phrase"),
    [
        ("logits: [1, 2, 3, 4]\n", "this lesson has logits"),
        ("shape: {input: [6, 6, 1], kernels: 1, kernel_size: 3}\n", "this lesson has no image"),
    ],
)
def test_a_dense_head_without_an_image(
    extra: str, phrase: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With logits or a shape and no image, the head read maps that do not exist: IndexError."""
    text = builtin_text("cnn-1")
    image = text[text.index("image:") : text.index("dense:")]
    text = text.replace(image, "") + extra
    line = text[: text.index("\ndense:")].count("\n") + 2
    refused(tmp_path, capsys, text, (line, 1), phrase)


# --- Optimize formulas: long sums and deep nests -------------------------------------------------


def optimize_with(function: str) -> str:
    return edited("gradient-1", "function: x**2 + y**2", f"function: {function}")


@pytest.mark.parametrize("terms", [300, 490])
def test_a_long_sum_is_refused_by_its_size(
    terms: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sum of a few hundred terms was a RecursionError."""
    text = optimize_with("+".join(["x"] * terms) + " + y")
    refused(tmp_path, capsys, text, (18, 11), "the limit is 200")


@pytest.mark.parametrize("depth", [4, 10, 60])
def test_a_deep_nest_of_functions_is_refused_where_it_goes_too_deep(
    depth: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """tanh(tanh(...)) ten deep took 18 s in sympy's derivative, twenty deep did not end."""
    text = optimize_with("tanh(" * depth + "x" + ")" * depth + " + y**2")
    refused(tmp_path, capsys, text, (18, 11 + 15), "functions inside functions are limited to 3")


@pytest.mark.slow
def test_the_largest_formulas_allowed_solve_in_time(tmp_path: Path) -> None:
    """At the limits (3 levels of functions, 200 parts) a formula still solves in seconds."""
    from stepper.engine import solve
    from stepper.lesson.load import lesson_from_text

    function = "*".join(f"tanh({k}*x*tanh({k}*x*tanh({k}*x*y)))" for k in range(1, 10))
    lesson = lesson_from_text(optimize_with(function), "big.yaml")
    start = time.perf_counter()
    steps = solve(lesson).steps
    assert time.perf_counter() - start < 10
    assert [s.key for s in steps][:3] == ["f", "grad[x]", "grad[y]"]


# --- explanations patterns: matched in linear time ---------------------------------------------


def reference_match(pattern: str, key: str) -> bool:
    """Glob with * only, by dynamic programming over (pattern, key) prefixes: independent of
    the engine's matcher, and quadratic at worst, never exponential."""
    reach = [True] + [False] * len(key)  # which key prefixes the pattern so far matches
    for ch in pattern:
        if ch == "*":
            for j in range(1, len(key) + 1):
                reach[j] = reach[j] or reach[j - 1]
        else:
            reach = [False] + [reach[j] and key[j] == ch for j in range(len(key))]
    return reach[-1]


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.text(alphabet="ab*[],1", max_size=12),
    key=st.text(alphabet="ab[],1", max_size=12),
)
def test_a_pattern_matches_as_a_glob_would(pattern: str, key: str) -> None:
    from stepper.engine.base import matches

    assert matches(pattern, key) == reference_match(pattern, key)


def test_a_pattern_of_many_stars_is_matched_quickly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'*' * 40 + 'Q' was a regex of forty '.*' that backtracked for minutes on every key."""
    patterns = (
        "explanations:\n"
        f'  "{"*" * 40}Q": {{replace: {{es: no, en: no}}}}\n'
        '  "*w[*,*,0]": {append: {es: sí, en: yes}}\n'
    )
    lesson = tmp_path / "stars.yaml"
    lesson.write_text(builtin_text("backprop-1") + patterns, encoding="utf-8")
    start = time.perf_counter()
    assert main(["solve", str(lesson), "--lang", "en"]) == 0
    assert time.perf_counter() - start < 10
    steps = {s["key"]: s["explanation"] for s in json.loads(capsys.readouterr().out)["steps"]}
    assert steps["dw[1,1,0]"].endswith(" yes")  # the bias weights: the second pattern
    assert steps["w[1,2,0]"].endswith(" yes")
    assert not steps["dw[1,1,1]"].endswith(" yes")
    assert not any(e == "no" for e in steps.values())  # no key ends in Q


# --- The plain REPL: bytes that are not UTF-8, a step number of 10,000 digits -----------------


def plain_session(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], typed: bytes
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(typed), encoding="utf-8"))
    code = main(["lesson", "backprop-1", "--plain", "--lang", "en"])
    out, err = capsys.readouterr()
    return code, out, err


def test_plain_reads_bytes_that_are_not_utf8_as_an_unknown_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was a UnicodeDecodeError traceback."""
    code, out, err = plain_session(monkeypatch, capsys, b"next\n\xff\xfe bad\nnext\nquit\n")
    assert (code, err) == (0, "")
    assert "Unknown command “\ufffd\ufffd bad”" in out
    assert out.index("bad”") < out.index("= 0.29")  # the session went on after the bad line


def test_plain_goto_a_number_of_ten_thousand_digits(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """int() of more than 4,300 digits raised ValueError."""
    typed = f"goto {'9' * 10_000}\ngoto 0003\nquit\n".encode()
    code, out, err = plain_session(monkeypatch, capsys, typed)
    assert (code, err) == (0, "")
    assert "There is no step 99999" in out and "the steps are 1–28" in out
    assert "[3/28 · forward" in out


# --- Numbers that overflow or underflow: located at the number to change ------------------------


def test_weights_of_1e308_overflow_at_the_largest_weight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Was exit 2 with 'backprop-1: step 1 ... is inf', naming no place in the file."""
    text = edited("backprop-1", "- [0.5, 0.4, -0.6]", "- [0.5, 0.4, -1e308]")
    text = text.replace("- [0.1, -0.2, 0.3]", "- [0.1, 1e308, 1e308]")
    # Row 1 overflows first (u[1,1]); its first 1e308 is the largest number met first.
    lines = text.splitlines()
    row = next(n for n, line in enumerate(lines, 1) if "1e308, 1e308" in line)
    refused_solve(tmp_path, capsys, text, (row, lines[row - 1].index("1e308") + 1), "overflows")


def test_training_that_diverges_is_blamed_on_the_learning_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edited("backprop-1", "learning_rate: 0.1", "learning_rate: 1000")
    text = text.replace("  loss: sse", "  loss: sse\n  epochs: 100")
    refused_solve(tmp_path, capsys, text, (29, 18), "a smaller learning rate")


def test_an_optimiser_that_diverges_points_at_its_learning_rate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = edited("gradient-1", "learning_rate: 0.1", "learning_rate: 100000")
    text = text.replace("iterations: 1", "iterations: 30")
    refused_solve(tmp_path, capsys, text, (24, 20), "the optimiser diverges")


def test_cross_entropy_of_a_probability_that_is_exactly_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Logits 0 and 800: the softmax gives the target class exp(-800) = 0 in double precision,
    and log 0 was a ValueError traceback. It is refused, at the number that drives the logits
    apart (computing the loss as a log-softmax would give 800, but the step shows log ỹ with
    the ỹ of the step before, which is 0)."""
    text = edited(
        "cnn-1",
        "    - [0.1, 0.5, -0.2, 0.4, 0.3]\n    - [0.2, -0.3, 0.1, -0.2, 0.2]",
        "    - [0, 0, 0, 0, 0]\n    - [800, 0, 0, 0, 0]",
    )
    refused_solve(tmp_path, capsys, text, (45, 8), "ỹ₁ is 0 in double precision")


def test_cross_entropy_of_a_probability_that_is_exactly_zero_from_logits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "kind: conv\nlogits: [0, 800]\ntarget: [1, 0]\nlanguage: en\n"
    refused_solve(tmp_path, capsys, text, (2, 13), "ỹ₁ is 0 in double precision")


def test_a_huge_size_in_a_conv_shape_is_refused_by_its_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 10^300 side made the sizes overflow, with no place in the message."""
    huge = "1" + "0" * 300
    text = edited("shape-1", "input: [28, 28, 1]", f"input: [{huge}, {huge}, 1]")
    refused(tmp_path, capsys, text, (20, 11), "must be ≤ 1000000")


def test_the_largest_conv_shape_allowed_is_quick(tmp_path: Path) -> None:
    from stepper.engine import solve
    from stepper.lesson.load import lesson_from_text

    text = edited("shape-1", "input: [28, 28, 1]", "input: [1000000, 1000000, 1000000]")
    text = text.replace("kernels: 32", "kernels: 100000").replace(
        "kernel_size: 3", "kernel_size: 999"
    )
    start = time.perf_counter()
    steps = {s.key: s.value for s in solve(lesson_from_text(text, "max.yaml")).steps}
    assert time.perf_counter() - start < 10
    side = 1_000_000 - 999 + 2 * 499 + 1  # same padding: (N - 1)/2 a side, so O = D
    assert side == 1_000_000
    assert steps["params"] == 100_000 * (999 * 999 * 1_000_000 + 1)


# --- Softmax over many outputs: refused by a stated limit ----------------------------------------


@pytest.mark.parametrize("classes", [101, 20_000, 100_000])
def test_softmax_over_too_many_logits(
    classes: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """20,000 logits took minutes (every probability's step names every logit: quadratic);
    100,000 ran out of memory."""
    text = f"kind: conv\nlogits: [{', '.join(['0.5'] * classes)}]\n"
    refused(tmp_path, capsys, text, (2, 1), f"a softmax over {classes:,} outputs; the limit is 100")


def test_a_dense_softmax_layer_over_too_many_neurons(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = "".join("        - [0.1, 0.2]\n" for _ in range(101))
    text = (
        "network:\n  inputs: 1\n  layers:\n    - activation: softmax\n      weights:\n"
        f"{rows}training:\n  loss: cross_entropy\n  learning_rate: 0.1\n  samples:\n"
        f"    - x: [1]\n      y: [1{', 0' * 100}]\n"
    )
    refused(tmp_path, capsys, text, (5, 7), "a softmax over 101 outputs")


def test_a_softmax_at_the_limit_solves_in_time(tmp_path: Path) -> None:
    from stepper.engine import solve
    from stepper.lesson.load import lesson_from_text

    logits = [k / 10 for k in range(100)]
    text = f"kind: conv\nlogits: {logits}\ntarget: [1{', 0' * 99}]\n"
    start = time.perf_counter()
    steps = {s.key: s.value for s in solve(lesson_from_text(text, "wide.yaml")).steps}
    assert time.perf_counter() - start < 10
    total = sum(math.exp(u) for u in logits)
    assert steps["y[1,1]"] == pytest.approx(math.exp(0) / total, rel=1e-12)
    assert steps["loss"] == pytest.approx(math.log(total), rel=1e-12)


# --- Large but legal inputs: refused up front by a stated limit, or quick ------------------------


def test_a_710_by_710_image_is_refused_by_the_step_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = "[" + ", ".join(str(k % 10) for k in range(710)) + "]"
    text = "kind: conv\nimage:\n" + f"  - {row}\n" * 710
    text += "kernels:\n  - weights: [[1, 0, -1], [1, 0, -1], [1, 0, -1]]\n"
    refused(tmp_path, capsys, text, (2, 1), "steps; the limit is 1,000,000")


def test_a_64_by_64_kernel_with_padding_64_is_refused_by_the_product_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its 129×129 map of 4,096 products a cell took minutes and gigabytes to write out."""
    row = "[" + ", ".join(str(k % 10) for k in range(64)) + "]"
    text = "kind: conv\nimage:\n" + f"  - {row}\n" * 64 + "kernels:\n  - weights:\n"
    text += f"      - {row}\n" * 64 + "padding: 64\n"
    refused(tmp_path, capsys, text, (67, 1), "68,161,536 products")


def test_many_samples_are_refused_by_the_value_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """50,000 samples, some 450,000 values for ruamel's pure-Python reader, took over 20 s;
    past MAX_VALUES the reading stops with the limit. (Shown here with the limit lowered to
    2,000 and 500 samples, to keep the test quick; 50,000 samples take about 6 s of CPU.)"""
    from stepper.lesson import yamlsafe

    monkeypatch.setattr(yamlsafe, "MAX_VALUES", 2_000)
    head = builtin_text("backprop-1")
    head = head[: head.index("    - x: [0.1, 0.7]")]
    sample = "    - x: [0.{}, 0.7]\n      y: [0.2, 1.0]\n"
    text = head + "".join(sample.format(k % 9 + 1) for k in range(500))
    refused(tmp_path, capsys, text, (465, 10), "the file has more than 2,000 values")


def test_a_million_weights_in_rows_are_not_counted_as_values() -> None:
    """The value limit does not touch the contract's 10^6 weights: a row read by the fast
    path is one value."""
    from stepper.lesson.yamlsafe import parse

    row = "[" + ", ".join(["0.5"] * 1001) + "]"
    text = "network:\n  inputs: 1000\n  layers:\n    - activation: linear\n      weights:\n"
    text += f"        - {row}\n" * 999
    data, _, problems = parse("big.yaml", text)
    assert problems == []
    assert len(data["network"]["layers"][0]["weights"]) == 999


# --- Found by tests/test_fuzz.py -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["[]", "{a: 1}", "[gradient_descent]"])
def test_an_optimiser_name_that_is_not_text(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list or mapping as the name was looked up in a dict: TypeError (unhashable)."""
    text = edited("gradient-1", "  - name: gradient_descent", f"  - name: {name}")
    refused(tmp_path, capsys, text, (23, 11), "optimizers[1].name")


def test_empty_logits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """logits: [] made a lesson of no steps, and --plain then failed on its first step
    (IndexError)."""
    refused(tmp_path, capsys, "kind: conv\nlogits: []\n", (2, 9), "logits: needs at least 1")


def test_phases_that_leave_no_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = edited("forward-1", "display:", "phases: [backward]\ndisplay:")
    line = text[: text.index("phases:")].count("\n") + 1
    refused_solve(tmp_path, capsys, text, (line, 9), "leave no step")


def test_a_conv_lesson_that_computes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An image with no kernels, no ReLU, no pool and no head made no steps, which the REPL
    and the app cannot step through; it is refused at the kernels."""
    text = "kind: conv\nimage: [[1, 2], [3, 4]]\nkernels: []\n"
    refused(tmp_path, capsys, text, (3, 1), "computes nothing")


@pytest.mark.parametrize(
    ("function", "column"), [("9" * 900 + " * x", 11), ("x**" + "9" * 900, 14)]
)
def test_a_formula_number_too_large_for_a_float(
    function: str, column: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whole number of hundreds of digits in the function: math.isfinite raised
    OverflowError (int too large to convert to float) in ``check``."""
    refused(tmp_path, capsys, optimize_with(function), (18, column), "too large")
