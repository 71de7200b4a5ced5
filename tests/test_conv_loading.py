"""Broken conv lessons: each problem is reported where it is, in plain words, and nothing runs.

The contract (shared/CONTRACT.md, "kind: conv") says what a conv lesson may hold; whatever the
schema and the conv checks refuse must reach the author as one ``PATH:LINE:COL: message`` line
per problem on stderr, exit status 2, no traceback and no output file, exactly as for dense
lessons (tests/test_loading.py, whose style this follows). Each case below is the valid lesson
VALID with one mistake, the line and column the message must point at, and a phrase it must
contain. The last test feeds mutated conv lessons to the loader: the answer is problems, or a
lesson that solves, never a crash.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.errors import LessonError
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import ConvLesson
from tests.conftest import check_refuses

#: The messages matched here are the English ones (see tests.conftest.english_problems).
pytestmark = pytest.mark.usefixtures("english_problems")

BAD_INPUT = 2

# A whole small CNN; its line numbers are the ones the cases refer to. 5×5 image, a 3×3
# kernel (valid) gives 3×3 maps, a 2×2 pool of stride 1 gives 2×2: 4 flattened values, so a
# head row is the bias and 4 weights.
#   1 kind            9 kernels         17 dense
#   2 title          10 name            18 weights
#   3 image          11 weights         19 row 1
#   4-8 rows 1-5     12 bias            20 row 2
#                    13 padding         21 target
#                    14 stride          22 learning_rate
#                    15 activation
#                    16 pool
VALID = dedent("""\
    kind: conv
    title: t
    image:
      - [0.1, 0.2, 0.3, 0.4, 0.5]
      - [0.6, 0.7, 0.8, 0.9, 1.0]
      - [1.1, 1.2, 1.3, 1.4, 1.5]
      - [1.6, 1.7, 1.8, 1.9, 2.0]
      - [2.1, 2.2, 2.3, 2.4, 2.5]
    kernels:
      - name: a
        weights: [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
        bias: 0.1
    padding: valid
    stride: 1
    activation: relu
    pool: {kind: max, size: 2, stride: 1}
    dense:
      weights:
        - [0.1, 0.2, 0.3, 0.4, 0.5]
        - [0.5, 0.4, 0.3, 0.2, 0.1]
    target: [1, 0]
    learning_rate: 0.5
    """)

KERNEL = "weights: [[1, 0, -1], [1, 0, -1], [1, 0, -1]]"
ROW_2 = "  - [0.6, 0.7, 0.8, 0.9, 1.0]"

# Three channels of 4×4 and one kernel over all three (lines 3-6: the image, 8: the weights).
RGB = dedent("""\
    kind: conv
    image:
      - [[1, 2, 3, 4], [5, 6, 7, 8], [9, 8, 7, 6], [5, 4, 3, 2]]
      - [[0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0]]
      - [[2, 2, 2, 2], [3, 3, 3, 3], [4, 4, 4, 4], [5, 5, 5, 5]]
    kernels:
      - name: rgb
        weights: [[[1, 0], [0, 1]], [[1, 1], [0, 0]], [[0, 0], [1, 1]]]
    """)

SHAPE = dedent("""\
    kind: conv
    shape:
      input: [28, 28, 1]
      kernels: 32
      kernel_size: 3
    padding: same
    activation: relu
    pool: {kind: max, size: 2}
    """)


def without(text: str, *lines: str) -> str:
    """``text`` with the lines that start with one of ``lines`` left out."""
    return "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith(tuple(lines))
    )


@dataclass(frozen=True)
class Broken:
    text: str
    line: int
    col: int
    phrase: str
    problems: int = 1


def case(id_: str, text: str, line: int, col: int, phrase: str, *, problems: int = 1) -> Any:
    return pytest.param(Broken(text, line, col, phrase, problems), id=id_)


CASES = [
    case(
        "image-rows-of-unequal-length",
        VALID.replace(ROW_2, "  - [0.6, 0.7, 0.8, 0.9]"),
        5,
        5,
        "image row 2 has 4 values; expected 5, like the first row",
    ),
    case(
        "rgb-channel-with-a-short-row",
        RGB.replace("[5, 4, 3, 2]", "[5, 4, 3]"),
        3,
        48,
        "image row 4 has 3 values; expected 4",
    ),
    case(
        "kernel-not-square",
        VALID.replace(KERNEL, "weights: [[1, 0, -1], [1, 0, -1]]"),
        11,
        14,
        "kernel 1 (channel 1) is not square: every kernel is N×N",
    ),
    case(
        "kernel-with-two-channels-on-a-grey-image",
        VALID.replace(KERNEL, "weights: [[[1, 0], [0, 1]], [[1, 0], [0, 1]]]"),
        11,
        14,
        "kernel 1 has 2 channels; the image has 1: give one matrix per channel",
    ),
    case(
        "kernel-with-one-channel-on-an-rgb-image",
        RGB.replace("[[[1, 0], [0, 1]], [[1, 1], [0, 0]], [[0, 0], [1, 1]]]", "[[1, 0], [0, 1]]"),
        8,
        14,
        "kernel 1 has 1 channel; the image has 3",
    ),
    case(
        "same-padding-with-an-even-kernel",
        VALID.replace(KERNEL, "weights: [[1, 0], [0, -1]]").replace(
            "padding: valid", "padding: same"
        ),
        13,
        10,
        "same padding needs an odd kernel and stride 1 (kernel 1 is 2×2, stride 1)",
    ),
    case(
        "same-padding-of-one-kernel-even",
        VALID.replace(KERNEL, "weights: [[1, 0], [0, -1]]\n    padding: same"),
        12,
        14,
        "same padding needs an odd kernel and stride 1 (kernel 1 is 2×2",
    ),
    case(
        "same-padding-with-stride-2",
        VALID.replace("padding: valid", "padding: same").replace("stride: 1\n", "stride: 2\n"),
        13,
        10,
        "same padding needs an odd kernel and stride 1 (kernel 1 is 3×3, stride 2)",
    ),
    case(
        # One problem: the pool that cannot fit in a map that does not exist is not another.
        "kernel-larger-than-the-image",
        VALID.replace(KERNEL, "weights: [" + ", ".join(["[1, 0, 0, 0, 0, -1]"] * 6) + "]"),
        11,
        14,
        "kernel 1 (6×6) does not fit in the 5×5 image",
    ),
    case(
        "pool-that-does-not-fit",
        VALID.replace("size: 2, stride: 1", "size: 4, stride: 1"),
        16,
        25,
        "a 4×4 pool does not fit in map 1 (3×3)",
    ),
    case(
        "head-row-of-the-wrong-length",
        VALID.replace("- [0.5, 0.4, 0.3, 0.2, 0.1]", "- [0.5, 0.4, 0.3, 0.2, 0.1, 0.0]"),
        20,
        7,
        "head row 2 has 6 values; expected 5: the bias and one per flattened value (4:",
    ),
    case(
        "head-rows-for-maps-without-the-pool",
        without(VALID, "pool:"),
        18,
        7,
        "head row 1 has 5 values; expected 10: the bias and one per flattened value (9:",
        problems=2,
    ),
    case(
        "target-of-the-wrong-length",
        VALID.replace("target: [1, 0]", "target: [1, 0, 0]"),
        21,
        9,
        "the target has 3 values; there are 2 classes",
    ),
    case(
        "target-that-does-not-sum-to-1",
        VALID.replace("target: [1, 0]", "target: [0.5, 0.2]"),
        21,
        9,
        "a target is a probability distribution, usually one-hot like [0, 1, 0]",
    ),
    case(
        "target-with-a-negative-value",
        VALID.replace("target: [1, 0]", "target: [1.5, -0.5]"),
        21,
        9,
        "a target is a probability distribution",
    ),
    case(
        "learning-rate-without-a-target",
        without(VALID, "target:"),
        21,
        1,
        "a training step needs a dense head and a target",
    ),
    case(
        "learning-rate-without-a-head",
        without(VALID, "dense:", "  weights:", "    - [", "target:"),
        17,
        1,
        "a training step needs a dense head and a target",
    ),
    case(
        "target-without-a-head",
        without(VALID, "dense:", "  weights:", "    - [", "learning_rate:"),
        17,
        1,
        "a target needs a dense head (or logits)",
    ),
    case(
        "learning-rate-zero",
        VALID.replace("learning_rate: 0.5", "learning_rate: 0"),
        22,
        16,
        "the learning rate must be > 0, got 0",
    ),
    case(
        "learning-rate-negative",
        VALID.replace("learning_rate: 0.5", "learning_rate: -0.1"),
        22,
        16,
        "the learning rate must be > 0, got -0.1",
    ),
    case(
        "unknown-field-in-a-kernel",
        VALID.replace("    bias: 0.1", "    bais: 0.1"),
        12,
        5,
        "unknown field 'bais'; did you mean 'bias'?",
    ),
    case(
        "misspelt-kernel-weights",
        VALID.replace(KERNEL, KERNEL.replace("weights", "weigths")),
        11,
        5,
        "unknown field 'weigths'; did you mean 'weights'?",
    ),
    case(
        "padding-full",
        VALID.replace("padding: valid", "padding: full"),
        13,
        10,
        "the text 'full' is not allowed",
    ),
    case(
        "padding-full-in-a-kernel",
        VALID.replace("    bias: 0.1", "    bias: 0.1\n    padding: full"),
        13,
        14,
        "kernels[1].padding: the text 'full' is not allowed",
    ),
    case(
        "a-string-in-the-image",
        VALID.replace("[0.1, 0.2, 0.3, 0.4, 0.5]", "[0.1, abc, 0.3, 0.4, 0.5]", 1),
        4,
        11,
        "image[1][2]: expected a number, got the text 'abc'",
    ),
    case(
        "a-quoted-number-in-the-image",
        VALID.replace("[0.1, 0.2, 0.3, 0.4, 0.5]", "[0.1, '0.2', 0.3, 0.4, 0.5]", 1),
        4,
        11,
        "image[1][2]: expected a number, got the text '0.2' (a number in quotes",
    ),
    case(
        "a-string-in-an-rgb-image",
        RGB.replace("[5, 5, 5, 5]]", "[5, 5, five, 5]]"),
        5,
        55,
        "image[3][4][3]: expected a number, got the text 'five'",
    ),
    case(
        "a-string-in-a-kernel",
        VALID.replace(KERNEL, "weights: [[1, 0, -1], [1, zero, -1], [1, 0, -1]]"),
        11,
        31,
        "kernels[1].weights[2][2]: expected a number, got the text 'zero'",
    ),
    case(
        "an-empty-image-row",
        VALID.replace(ROW_2, "  - []"),
        5,
        5,
        "image[2]: needs at least 1 item",
    ),
    case(
        "an-empty-kernel",
        VALID.replace(KERNEL, "weights: [[]]"),
        11,
        15,
        "kernels[1].weights[1]: needs at least 1 item",
    ),
    case(
        "shape-input-not-square",
        SHAPE.replace("[28, 28, 1]", "[28, 20, 1]"),
        3,
        10,
        "the sizing example is for a square input D×D×C; got 28×20",
    ),
    case(
        "shape-input-zero",
        SHAPE.replace("[28, 28, 1]", "[28, 28, 0]"),
        3,
        19,
        "shape.input[3]: must be ≥ 1, got 0",
    ),
    case(
        "shape-kernel-larger-than-the-input",
        SHAPE.replace("[28, 28, 1]", "[3, 3, 1]")
        .replace("kernel_size: 3", "kernel_size: 5")
        .replace("padding: same", "padding: valid"),
        5,
        16,
        "a 5×5 kernel does not fit in the 3×3 input",
    ),
    case(
        "shape-pool-larger-than-the-maps",
        SHAPE.replace("size: 2", "size: 40"),
        8,
        25,
        "a 40×40 pool does not fit in the 28×28 maps",
    ),
    case(
        "shape-same-padding-with-an-even-kernel",
        SHAPE.replace("kernel_size: 3", "kernel_size: 4"),
        6,
        10,
        "same padding needs an odd kernel and stride 1 (the kernel is 4×4, stride 1)",
    ),
]


def write(folder: Path, text: str, name: str = "lesson.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("text", [VALID, RGB, SHAPE], ids=["valid", "rgb", "shape"])
def test_the_starting_lessons_are_valid(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "check", str(write(tmp_path, text))) == (0, "", "")
    lesson = lesson_from_text(text, "start")
    assert isinstance(lesson, ConvLesson)
    assert solve(lesson).steps


@pytest.mark.parametrize("broken", CASES)
def test_check_locates_the_problem(
    broken: Broken, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, broken.text)
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    shape = re.compile(rf"^{re.escape(str(path))}:\d+:\d+: .+$")
    assert lines, "no problem reported"
    assert all(shape.match(line) for line in lines), err
    place = f"{path}:{broken.line}:{broken.col}: "
    assert any(line.startswith(place) and broken.phrase in line for line in lines), err
    assert len(lines) == broken.problems, err


@pytest.mark.parametrize("broken", CASES)
def test_solve_refuses_the_same_way_and_writes_nothing(
    broken: Broken, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, broken.text)
    _, _, check_err = run_cli(capsys, "check", str(path))
    target = tmp_path / "out.json"
    code, out, err = run_cli(capsys, "solve", str(path), "-o", str(target))
    assert code == BAD_INPUT
    assert (out, err) == ("", check_err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.yaml"]


def test_all_of_a_files_problems_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Independent mistakes in one file: every one, in file order."""
    text = (
        VALID.replace("    bias: 0.1", "    bais: 0.1")
        .replace("padding: valid", "padding: full")
        .replace("target: [1, 0]", "target: [1, 'x']")
    )
    path = write(tmp_path, text)
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert err.splitlines() == [
        f"{path}:12:5: unknown field 'bais'; did you mean 'bias'?",
        f"{path}:13:10: padding: the text 'full' is not allowed; expected one of 'valid' or 'same'",
        f"{path}:21:13: target[2]: expected a number, got the text 'x'",
    ]


@pytest.mark.slow
def test_no_traceback_reaches_a_real_terminal(tmp_path: Path) -> None:
    """``python -m stepper check`` in a subprocess over every broken lesson at once."""
    paths = [
        str(write(tmp_path, param.values[0].text, f"{param.id}.yaml"))  # type: ignore[attr-defined]
        for param in CASES
    ]
    result = check_refuses(*paths)
    named = {line.split(":", 1)[0] for line in result.stderr.splitlines()}
    assert named == set(paths)


# --- Whatever a conv file holds: problems, or a lesson that solves ---------------------------

_ODD: list[Any] = [
    None,
    True,
    0,
    -1,
    3,
    0.5,
    "x",
    "same",
    "full",
    [],
    [[]],
    [[[]]],
    [1],
    [[1]],
    [[1, 2], [3]],
    [[[1]], [[2]]],
    [[1, 2], [[3], [4]]],
    {},
    {"kind": "max", "size": 9},
    float("nan"),
    10**9,
]
_START = [VALID, RGB, SHAPE, "kind: conv\nlogits: [2.0, 1.0, 0.1]\ntarget: [0, 1, 0]\n"]


def _paths(node: Any, here: tuple[Any, ...] = (), *, lists: bool = False) -> list[tuple[Any, ...]]:
    """Every place in the tree (with ``lists``, only lists and mappings: the shapes)."""
    out = [here] if not lists or isinstance(node, dict | list) else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*here, key), lists=lists)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*here, i), lists=lists)
    return out


def _replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {k: (_replaced(v, rest, value) if k == head else v) for k, v in node.items()}
    return [_replaced(v, rest, value) if i == head else v for i, v in enumerate(node)]


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.data())
@pytest.mark.slow
def test_mutated_conv_lessons_give_problems_or_solve(data: st.DataObject) -> None:
    yaml = YAML(typ="safe", pure=True)
    tree = yaml.load(data.draw(st.sampled_from(_START)))
    for _ in range(data.draw(st.integers(1, 2))):
        # Half the time a list or mapping: the shapes are where conv lessons break.
        path = data.draw(st.sampled_from(_paths(tree, lists=data.draw(st.booleans()))[1:]))
        tree = _replaced(tree, path, data.draw(st.sampled_from(_ODD)))
    stream = io.StringIO()
    yaml.dump(tree, stream)
    text = stream.getvalue()
    try:
        lesson = lesson_from_text(text, "f.yaml")
    except LessonError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert re.match(r"^f\.yaml(:\d+:\d+)?: \S.*$", str(problem)), str(problem)
        return
    assert isinstance(lesson, ConvLesson)
    solve(lesson)
