"""Broken recurrent lessons: each problem is reported where it is, in plain words, and nothing runs.

Issue 14 §5 asks for located errors for ragged sequences, a gate matrix of the wrong shape, a
missing gate, a gate that does not belong to the cell, and ``c`` given for a non-LSTM cell;
whatever else the schema and the recurrent checks (stepper/lesson/recurrent_checks.py) refuse
must reach the author the same way: one ``PATH:LINE:COL: message`` line per problem on stderr,
exit status 2, no traceback and no output file (as tests/test_conv_loading.py does for conv).
Each case is a valid lesson with one mistake, the line and column the message must point at, a
phrase it must contain, and how many problems the file has. Then the same in Spanish, the
mistakes told once where one field explains many, and mutated lessons that must give problems
or solve, never a crash.
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
from stepper.lesson.errors import LessonError, NumberProblem
from stepper.lesson.load import lesson_from_text
from stepper.lesson.recurrent_limits import products
from stepper.lesson.schema import CELL_GATES, RecurrentLesson
from tests.conftest import check_refuses

#: The messages matched here are the English ones (see tests.conftest.english_problems).
pytestmark = pytest.mark.usefixtures("english_problems")

BAD_INPUT = 2

# The LSTM, one unit, two steps; its line numbers are the ones the cases refer to.
#   1 kind    6 sequence      10 gates    15 output
#   2 title   7-8 x_1, x_2    11 f        16 activation
#   3 cell    9 initial       12 i        17 weights
#   4 inputs                  13 g        18 every_step
#   5 hidden                  14 o        19 targets
#                                         20 training
LSTM = dedent("""\
    kind: recurrent
    title: t
    cell: lstm
    inputs: 1
    hidden: 1
    sequence:
      - [0.1]
      - [0.7]
    initial: {h: [0.2], c: [0.5]}
    gates:
      f: [[0.1, 0.5, 0.3]]
      i: [[0.0, 0.4, 0.2]]
      g: [[0.0, 0.6, -0.1]]
      o: [[0.1, 0.3, 0.2]]
    output:
      activation: linear
      weights: [[0.0, 1.0]]
      every_step: false
    targets: [[1.0]]
    training: {learning_rate: 0.1, loss: sse}
    """)

# A GRU of two units over two inputs, three steps, an output at every step.
#   1 kind    5 sequence   9 gates        19 output
#   2 cell    6-8 x_1..3   10 r, 11-12    20 activation
#   3 inputs               13 z, 14-15    21 weights
#   4 hidden               16 n, 17-18    22 every_step
#                                         23 targets
#                                         24 training
GRU = dedent("""\
    kind: recurrent
    cell: gru
    inputs: 2
    hidden: 2
    sequence:
      - [0.1, 0.2]
      - [0.3, 0.4]
      - [0.5, 0.6]
    gates:
      r:
        - [0.1, 0.2, 0.3, 0.4, 0.5]
        - [0.5, 0.4, 0.3, 0.2, 0.1]
      z:
        - [0.0, 0.1, 0.0, 0.1, 0.0]
        - [0.1, 0.0, 0.1, 0.0, 0.1]
      n:
        - [0.2, 0.2, 0.2, 0.2, 0.2]
        - [0.3, 0.3, 0.3, 0.3, 0.3]
    output:
      activation: tanh
      weights: [[0.0, 1.0, -1.0]]
      every_step: true
    targets: [[0.1], [0.2], [0.3]]
    training: {learning_rate: 0.5, loss: half_sse}
    """)

# rnn-1's numbers, compact (line 5 the sequence, 7 the gate, 8 the output, 9 targets).
RNN = dedent("""\
    kind: recurrent
    cell: rnn
    inputs: 1
    hidden: 1
    sequence: [[0.1], [0.7]]
    gates:
      h: [[0.1, 0.5, 0.8]]
    output: {activation: linear, weights: [[0.0, 1.0]]}
    targets: [[1.0]]
    training: {learning_rate: 0.1, loss: sse}
    """)

STARTS = {"lstm": LSTM, "gru": GRU, "rnn": RNN}


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
    # --- issue 14 §5 ---------------------------------------------------------------------
    case(
        "ragged-sequence",
        LSTM.replace("  - [0.7]", "  - [0.7, 0.2]"),
        8,
        5,
        "x_2 has 2 numbers; every time step needs 1, one per input (inputs: 1)",
    ),
    case(
        "ragged-sequence-of-two-inputs",
        GRU.replace("  - [0.3, 0.4]", "  - [0.3]"),
        7,
        5,
        "x_2 has 1 number; every time step needs 2, one per input (inputs: 2)",
    ),
    case(
        "gate-row-too-short",
        LSTM.replace("o: [[0.1, 0.3, 0.2]]", "o: [[0.1, 0.3]]"),
        14,
        7,
        "this row of gate o has 2 numbers; it needs 3: the bias, 1 for x_t and 1 for h_{t−1}",
    ),
    case(
        "gate-row-without-its-bias-in-a-wider-cell",
        GRU.replace("- [0.5, 0.4, 0.3, 0.2, 0.1]", "- [0.4, 0.3, 0.2, 0.1]"),
        12,
        7,
        "this row of gate r has 4 numbers; it needs 5: the bias, 2 for x_t and 2 for h_{t−1}",
    ),
    case(
        "gate-with-a-row-too-many",
        LSTM.replace("g: [[0.0, 0.6, -0.1]]", "g: [[0.0, 0.6, -0.1], [0.0, 0.6, -0.1]]"),
        13,
        6,
        "gate g has 2 rows; it needs one per hidden unit (1)",
    ),
    case(
        "gate-with-a-row-too-few",
        without(GRU, "    - [0.3, 0.3, 0.3, 0.3, 0.3]"),
        17,
        5,
        "gate n has 1 row; it needs one per hidden unit (2)",
    ),
    case(
        "missing-gate",
        without(LSTM, "  i: "),
        10,
        1,
        "the lstm cell needs the gate i: 1 row (one per hidden unit) of 3 numbers [bias,",
    ),
    case(
        "missing-gate-of-two-units",
        without(GRU, "  z:", "    - [0.0, 0.1", "    - [0.1, 0.0"),
        9,
        1,
        "the gru cell needs the gate z: 2 rows (one per hidden unit) of 5 numbers",
    ),
    case(
        "gate-of-another-cell",
        LSTM.replace("  o: [[0.1, 0.3, 0.2]]", "  o: [[0.1, 0.3, 0.2]]\n  r: [[0.1, 0.3, 0.2]]"),
        15,
        3,
        "the lstm cell has no gate r; its gates are f, i, g, o",
    ),
    case(
        "rnn-gate-h-on-an-lstm-instead-of-f",
        LSTM.replace("  f: [[", "  h: [["),
        11,
        3,
        "the lstm cell has no gate h; its gates are f, i, g, o",
        problems=2,  # and f is missing
    ),
    case(
        "initial-c-on-a-gru",
        GRU.replace("gates:\n", "initial: {h: [0, 0], c: [0, 0]}\ngates:\n"),
        9,
        22,
        "only the lstm cell has a cell state c; the gru cell starts from h alone",
    ),
    case(
        "initial-c-on-an-rnn",
        RNN.replace("gates:\n", "initial:\n  h: [0.5]\n  c: [0.5]\ngates:\n"),
        8,
        3,
        "only the lstm cell has a cell state c; the rnn cell starts from h alone",
    ),
    # --- told once, at the field that explains the rest ----------------------------------
    case(
        "every-gate-another-cells",
        LSTM.replace("cell: lstm", "cell: gru"),
        3,
        7,
        "the gates f, i, g, o are the lstm cell's; the gru cell has r, z, n: write cell: lstm",
    ),
    case(
        "the-rnn-gate-on-an-lstm",
        RNN.replace("cell: rnn", "cell: lstm"),
        2,
        7,
        "the gate h is the rnn cell's; the lstm cell has f, i, g, o: write cell: rnn",
    ),
    case(
        "hidden-that-no-matrix-has",
        GRU.replace("hidden: 2", "hidden: 3"),
        4,
        9,
        "hidden: 3, but every gate has 2 rows (one per hidden unit) of 5 numbers: write hidden: 2",
    ),
    case(
        "inputs-that-no-x-has",
        GRU.replace("inputs: 2", "inputs: 1"),
        3,
        9,
        "inputs: 1, but every x_t has 2 numbers, and so do the gates' rows expect: write inputs: 2",
    ),
    # --- bad sizes elsewhere ---------------------------------------------------------------
    case(
        "initial-h-too-long",
        LSTM.replace("{h: [0.2], c: [0.5]}", "{h: [0.2, 0.1], c: [0.5]}"),
        9,
        14,
        "initial.h has 2 numbers; it needs one per hidden unit (1)",
    ),
    case(
        "initial-c-too-short",
        GRU.replace("cell: gru", "cell: lstm")
        .replace("  r:", "  f:")
        .replace("  z:", "  i:")
        .replace("  n:", "  g:")
        .replace("output:", "  o: [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]\ninitial: {c: [1]}\noutput:"),
        20,
        14,
        "initial.c has 1 number; it needs one per hidden unit (2)",
    ),
    case(
        "output-row-too-long",
        LSTM.replace("weights: [[0.0, 1.0]]", "weights: [[0.0, 1.0, 2.0]]"),
        17,
        13,
        "this row of output.weights has 3 numbers; it needs 2: the bias and one weight per hidden",
    ),
    case(
        "output-row-too-short-for-two-units",
        GRU.replace("weights: [[0.0, 1.0, -1.0]]", "weights: [[0.0, 1.0]]"),
        21,
        13,
        "this row of output.weights has 2 numbers; it needs 3",
    ),
    case(
        "two-targets-without-every-step",
        LSTM.replace("targets: [[1.0]]", "targets: [[1.0], [0.5]]"),
        19,
        10,
        "targets has 2 lists; it needs one, y after the last step (or output.every_step: true",
    ),
    case(
        "one-target-with-every-step",
        GRU.replace("targets: [[0.1], [0.2], [0.3]]", "targets: [[0.1]]"),
        23,
        10,
        "targets has 1 list; with output.every_step it needs one per time step (3)",
    ),
    case(
        "a-target-too-long",
        LSTM.replace("targets: [[1.0]]", "targets: [[1.0, 0.0]]"),
        19,
        11,
        "this target has 2 numbers; it needs 1, one per output (a row of output.weights)",
    ),
    case(
        "a-target-of-every-step-too-short",
        GRU.replace("[[0.1], [0.2], [0.3]]", "[[0.1], [], [0.3]]"),
        23,
        18,
        "targets[2]: needs at least 1 item",
    ),
    case(
        "a-target-of-every-step-too-long",
        GRU.replace("[[0.1], [0.2], [0.3]]", "[[0.1], [0.2, 0.1], [0.3]]"),
        23,
        18,
        "this target has 2 numbers; it needs 1, one per output",
    ),
    case(
        "a-target-for-h-without-output",
        without(RNN, "output:").replace("targets: [[1.0]]", "targets: [[1.0, 2.0]]"),
        8,
        11,
        "without an output layer it is compared with h, so it needs 1, one per hidden unit",
    ),
    case(
        "training-without-targets",
        without(RNN, "targets:"),
        9,
        1,
        "training without targets: there is nothing to compare the outputs with",
    ),
    # --- the schema: types, names, counts ------------------------------------------------
    case(
        "bad-cell-name",
        LSTM.replace("cell: lstm", "cell: lsmt"),
        3,
        7,
        "cell: the text 'lsmt' is not allowed; expected one of 'rnn', 'lstm' or 'gru'; did you",
    ),
    case(
        "cell-in-capitals",
        LSTM.replace("cell: lstm", "cell: LSTM"),
        3,
        7,
        "did you mean 'lstm'?",
    ),
    case(
        "no-cell",
        without(LSTM, "cell:"),
        1,
        1,
        "missing field 'cell'",
    ),
    case(
        "misspelt-gate",
        LSTM.replace("  o: [[", "  oo: [["),
        14,
        3,
        "unknown field 'oo'; did you mean 'o'?",  # and not that o is missing besides
    ),
    case(
        "a-number-as-text",
        LSTM.replace("[0.1, 0.5, 0.3]", "[0.1, '0.5', 0.3]"),
        11,
        13,
        "gates.f[1][2]: expected a number, got the text '0.5' (a number in quotes",
    ),
    case(
        "a-word-in-the-sequence",
        LSTM.replace("  - [0.7]", "  - [seven]"),
        8,
        6,
        "sequence[2][1]: expected a number, got the text 'seven'",
    ),
    case(
        "a-gate-given-as-one-row",
        LSTM.replace("f: [[0.1, 0.5, 0.3]]", "f: [0.1, 0.5, 0.3]"),
        11,
        6,
        "gates.f: one list per row, even for a single row: write [[0.1, 0.5, 0.3]]",
    ),
    case(
        "a-sequence-of-numbers",
        RNN.replace("sequence: [[0.1], [0.7]]", "sequence: [0.1, 0.7]"),
        5,
        11,
        "sequence: one list per time step, x_1 … x_T, even for a single input: write [[0.1], "
        "[0.7]]",
    ),
    case(
        "targets-as-one-list",
        RNN.replace("targets: [[1.0]]", "targets: [1.0]"),
        9,
        10,
        "targets: one list per row, even for a single row: write [[1.0]]",
    ),
    case(
        "targets-of-every-step-as-one-list",
        GRU.replace("targets: [[0.1], [0.2], [0.3]]", "targets: [0.1, 0.2, 0.3]"),
        23,
        10,
        "targets: one list, y after the last step: write [[0.1, 0.2, 0.3]] (with "
        "output.every_step one list per step: [[0.1], [0.2], [0.3]])",
    ),
    case(
        "inputs-as-text",
        LSTM.replace("inputs: 1", "inputs: one"),
        4,
        9,
        "inputs: expected a whole number, got the text 'one'",
    ),
    case(
        "hidden-zero",
        LSTM.replace("hidden: 1", "hidden: 0"),
        5,
        9,
        "hidden: must be ≥ 1, got 0",
    ),
    case(
        "hidden-too-many",
        LSTM.replace("hidden: 1", "hidden: 65"),
        5,
        9,
        "hidden: must be ≤ 64, got 65",
    ),
    case(
        "every-step-as-text",
        LSTM.replace("every_step: false", "every_step: 'no'"),
        18,
        15,
        "output.every_step: expected true or false, got the text 'no'",
    ),
    case(
        "output-activation-relu",
        LSTM.replace("activation: linear", "activation: relu"),
        16,
        15,
        "output.activation: the text 'relu' is not allowed",
    ),
    case(
        "loss-cross-entropy",
        LSTM.replace("loss: sse", "loss: cross_entropy"),
        20,
        38,
        "training.loss: the text 'cross_entropy' is not allowed; expected one of 'sse' or",
    ),
    case(
        "learning-rate-zero",
        LSTM.replace("learning_rate: 0.1", "learning_rate: 0"),
        20,
        27,
        "training.learning_rate: must be > 0.0, got 0",
    ),
    case(
        "a-dense-field-in-training",
        LSTM.replace("loss: sse}", "loss: sse, epochs: 3}"),
        20,
        43,
        "unknown field 'epochs'; the fields here are learning_rate, loss",
    ),
    case(
        "a-dense-field-at-the-top",
        LSTM + "network: {inputs: 1}\n",
        21,
        1,
        "the field 'network' does not belong here: it is a field of a dense lesson, not of a "
        "recurrent lesson; the fields here are cell,",
    ),
    case(
        "an-infinite-weight",
        LSTM.replace("[0.0, 0.6, -0.1]", "[0.0, .inf, -0.1]"),
        13,
        13,
        "gates.g[1][2]: expected a finite number, got inf",
    ),
    case(
        "empty-sequence",
        RNN.replace("sequence: [[0.1], [0.7]]", "sequence: []"),
        5,
        11,
        "sequence: needs at least 1 item",
    ),
    case(
        "an-empty-time-step",
        RNN.replace("sequence: [[0.1], [0.7]]", "sequence: [[0.1], []]"),
        5,
        19,
        "sequence[2]: needs at least 1 item",
    ),
    case(
        "an-empty-gate",
        RNN.replace("h: [[0.1, 0.5, 0.8]]", "h: []"),
        7,
        6,
        "gates.h: needs at least 1 item",
    ),
    case(
        "sequence-too-long",
        RNN.replace("sequence: [[0.1], [0.7]]", "sequence: [" + ", ".join(["[0.1]"] * 101) + "]"),
        5,
        11,
        "sequence: takes at most 100 items",
    ),
    case(
        "no-gates",
        without(RNN, "gates:", "  h:"),
        1,
        1,
        "missing field 'gates'",
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


@pytest.mark.parametrize("cell", sorted(STARTS))
def test_the_starting_lessons_are_valid(
    cell: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = STARTS[cell]
    assert run_cli(capsys, "check", str(write(tmp_path, text))) == (0, "", "")
    lesson = lesson_from_text(text, "start")
    assert isinstance(lesson, RecurrentLesson)
    assert lesson.cell == cell


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


@pytest.mark.parametrize("broken", CASES[:12])
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
        LSTM.replace("  - [0.7]", "  - [0.7, 0.2]")
        .replace("o: [[0.1, 0.3, 0.2]]", "o: [[0.1, 0.3]]")
        .replace("targets: [[1.0]]", "targets: [[1.0], [2.0]]")
    )
    path = write(tmp_path, text)
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert err.splitlines() == [
        f"{path}:8:5: x_2 has 2 numbers; every time step needs 1, one per input (inputs: 1)",
        f"{path}:14:7: this row of gate o has 2 numbers; it needs 3: the bias, 1 for x_t and 1 "
        "for h_{t−1}",
        f"{path}:19:10: targets has 2 lists; it needs one, y after the last step (or "
        "output.every_step: true for one per step)",
    ]


# --- notes and explanations name steps the lesson has ------------------------------------

KEYED = [
    case(
        "a-note-past-the-last-step",
        LSTM + "notes:\n  h[3,1]: tarde\n",
        22,
        3,
        "the note on h[3,1] would never be shown: no step of this lesson has that key; its keys "
        "are u[G,t,i], f[t,i], i[t,i], g[t,i], o[t,i], c[t,i], h[t,i], y[k], e[k], loss",
    ),
    case(
        "a-note-on-c-of-a-gru",
        GRU + "notes:\n  c[1,1]: no\n",
        26,
        3,
        "(G: r, z, n; t: 1–3; i: 1–2; k: 1; j: 0–4; m: 0–2)",
    ),
    case(
        "a-note-on-an-output-of-a-lesson-without-one",
        without(RNN, "output:") + "notes:\n  y[1]: no\n",
        11,
        3,
        "its keys are u[G,t,i], h[t,i], e[i], loss, dh[t,i], d[G,t,i], dw[G,i,j], w[G,i,j], "
        "check.… (G: h; t: 1–2; i: 1; j: 0–2)",
    ),
    case(
        "a-note-on-an-update-without-a-learning-rate",
        without(RNN, "training:") + "notes:\n  w[h,1,0]: no\n",
        11,
        3,
        "the note on w[h,1,0]",
    ),
    case(
        "an-explanation-of-a-gate-the-cell-lacks",
        LSTM + "explanations:\n  'u[h,*]': {append: x}\n",
        22,
        3,
        "the explanation for u[h,*] would never be read: no step of this lesson has that key",
    ),
    case(
        "an-explanation-of-a-unit-past-the-last",
        GRU + "explanations:\n  'd[z,*,3]': {append: x}\n",
        26,
        3,
        "the explanation for d[z,*,3] would never be read",
    ),
    case(
        "an-explanation-key-that-is-no-key",
        LSTM + "explanations:\n  'u[f,1,1]]': {append: x}\n",
        22,
        3,
        "explanations: the text 'u[f,1,1]]' is not a step key, nor a pattern of keys with *",
    ),
]


@pytest.mark.parametrize("broken", KEYED)
def test_notes_and_explanations_name_steps_of_the_lesson(
    broken: Broken, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    test_check_locates_the_problem(broken, tmp_path, capsys)


def test_gate_patterns_and_gradients_may_be_explained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The keys of issue 14 with a gate letter (u[f,*,1]), the gradients through time
    (dh[2,1]), the update and the check phase, in notes and explanations."""
    text = LSTM + dedent("""\
        notes:
          dh[1,1]: la parte que llega desde t = 2
          w[o,1,0]: el sesgo de la puerta de salida
          t[1,1]: peso de salida
        explanations:
          'u[f,*,1]': {append: la puerta de olvido}
          'dh[2,1]': {replace: el error en la última h}
          'dc[*]': {append: c}
          'check.loss': {append: menor}
          'd[*,2,*]': {append: paso 2}
        """)
    assert run_cli(capsys, "check", str(write(tmp_path, text))) == (0, "", "")


# --- limits ------------------------------------------------------------------------------------


def _huge(cell: str, steps: int, hidden: int, inputs: int = 1) -> str:
    """A lesson of ``steps`` steps and ``hidden`` units whose gates are all zeros."""
    row = "[" + ", ".join(["0.0"] * (1 + inputs + hidden)) + "]"
    matrix = "[" + ", ".join([row] * hidden) + "]"
    gates = "".join(f"  {g}: {matrix}\n" for g in CELL_GATES[cell])
    x = "[" + ", ".join(["0.5"] * inputs) + "]"
    out = "[" + ", ".join(["0.1"] * (1 + hidden)) + "]"
    return (
        f"kind: recurrent\ncell: {cell}\ninputs: {inputs}\nhidden: {hidden}\n"
        f"sequence: [{', '.join([x] * steps)}]\ngates:\n{gates}"
        f"output: {{weights: [{out}]}}\ntargets: [[1.0]]\ntraining: {{learning_rate: 0.1}}\n"
    )


def test_a_huge_lesson_is_refused_at_its_sequence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """100 steps of an LSTM with 64 units: refused before anything is solved, at ``sequence``,
    with the sizes that make it big."""
    path = write(tmp_path, _huge("lstm", 100, 64))
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert out == ""
    assert err.startswith(f"{path}:5:1: this lesson would write out 5,068,800 products (100 steps")
    assert "4 gates × 64 hidden units × 66 numbers per row" in err
    assert "the limit is 250,000: use a shorter sequence or fewer hidden units" in err
    assert len(err.splitlines()) == 1


def test_the_largest_lesson_within_the_limit_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Under the limit: 100 steps of 12 units (4·12·14·100·3 = 201,600 products, some 2 s to
    solve); over it: 14 units (268,800)."""
    assert products(lesson_from_text(_huge("lstm", 100, 12), "x")) == 201_600
    assert run_cli(capsys, "check", str(write(tmp_path, _huge("lstm", 100, 12)))) == (0, "", "")
    code, _, err = run_cli(capsys, "check", str(write(tmp_path, _huge("lstm", 100, 14))))
    assert code == BAD_INPUT
    assert "products" in err


SPANISH = [
    (
        LSTM.replace("  - [0.7]", "  - [0.7, 0.2]"),
        "9:5: x_2 tiene 2 números; cada paso de tiempo necesita 1, uno por entrada (inputs: 1)",
    ),
    (
        LSTM.replace("o: [[0.1, 0.3, 0.2]]", "o: [[0.1]]"),
        "15:7: esta fila de la puerta o tiene 1 número; necesita 3: el sesgo, 1 para x_t y 1 "
        "para h_{t−1}",
    ),
    (
        without(LSTM, "  i: "),
        "11:1: la celda lstm necesita la puerta i: 1 fila (una por unidad oculta) de 3 números "
        "[sesgo, w_x…, w_h…]",
    ),
    (
        LSTM.replace("  o: [[0.1, 0.3, 0.2]]", "  o: [[0.1, 0.3, 0.2]]\n  n: [[0, 0, 0]]"),
        "16:3: la celda lstm no tiene la puerta n; sus puertas son f, i, g, o",
    ),
    (
        RNN.replace("gates:\n", "initial: {c: [0.5]}\ngates:\n"),
        "7:11: solo la celda lstm tiene estado de celda c; la celda rnn parte solo de h",
    ),
    (
        LSTM.replace("cell: lstm", "cell: rnn"),
        "4:7: las puertas f, i, g, o son de la celda lstm; la celda rnn tiene h: escribe cell: "
        "lstm, o da las puertas h",
    ),
    (
        GRU.replace("hidden: 2", "hidden: 1"),
        "5:9: hidden: 1, pero cada puerta tiene 2 filas (una por unidad oculta) de 5 números: "
        "escribe hidden: 2",
    ),
    (
        GRU.replace("targets: [[0.1], [0.2], [0.3]]", "targets: [[0.1]]"),
        "24:10: targets tiene 1 lista; con output.every_step necesita una por paso de tiempo (3)",
    ),
    (
        without(RNN, "targets:"),
        "10:1: training sin targets: no hay con qué comparar las salidas, así que nada que "
        "aprender; da targets, o quita training para recorrer la secuencia solo hacia delante",
    ),
]


@pytest.mark.parametrize(("text", "told"), SPANISH)
def test_a_spanish_lesson_hears_its_problems_in_spanish(
    text: str, told: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A lesson that declares ``language: es`` (one line more: every line moves down one)."""
    path = write(tmp_path, "language: es\n" + text)
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert err.splitlines() == [f"{path}:{told}"]


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


# --- Whatever a recurrent file holds: problems, or a lesson that solves -----------------------

_ODD: list[Any] = [
    None,
    True,
    0,
    -1,
    2,
    0.5,
    "x",
    "lstm",
    "gru",
    [],
    [[]],
    [[[]]],
    [1],
    [[1]],
    [[1, 2], [3]],
    [[0.1, 0.2, 0.3]],
    [[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]],
    {},
    {"h": [0.0]},
    {"c": [0.0, 0.0]},
    float("nan"),
    10**9,
]


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
def test_mutated_recurrent_lessons_give_problems_or_solve(data: st.DataObject) -> None:
    yaml = YAML(typ="safe", pure=True)
    tree = yaml.load(data.draw(st.sampled_from(list(STARTS.values()))))
    for _ in range(data.draw(st.integers(1, 2))):
        # Half the time a list or mapping: the shapes are where recurrent lessons break.
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
    assert isinstance(lesson, RecurrentLesson)
    try:
        solution = solve(lesson)
    except NumberProblem as exc:  # numbers that overflow: told, located, never a crash
        assert exc.problems
        return
    assert solution.steps
