"""Broken lesson files: every problem is reported where it is, in plain words, and nothing runs.

Why these tests: lessons are written by hand, by instructors who are not YAML experts, and
they are read from files that may come from anyone. The contract (shared/CONTRACT.md) promises
that ``stepper check`` and ``stepper solve`` answer a bad file with one
``PATH:LINE:COL: message`` line per problem on stderr (``PATH: message`` when there is no
place to point at, as for a missing or empty file), exit status 2 and never a Python
traceback; that all of a file's problems are reported, not only the first; that no YAML tag
constructs Python objects; that sizes past the stated limits are refused quickly; and that bad
input never leaves a partial output file behind.

Each case is a small broken lesson, written inline below and saved to ``tmp_path``, with the
line (and, where it is clear, the column) the message must point at and a phrase it must
contain. The CLI runs in-process through ``stepper.cli.main``; one test runs it as a real
subprocess (``python -m stepper``) to show that no traceback reaches a terminal.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepper.catalog import builtin_folder, builtin_ids
from stepper.cli import main
from stepper.engine import solve
from stepper.lesson import checks
from stepper.lesson.checks import step_count
from stepper.lesson.errors import LessonError
from stepper.lesson.load import MAX_PROBLEMS, lesson_from_text, load_lesson
from stepper.lesson.normalize_checks import normalization_steps
from stepper.lesson.schema import Category, DenseLesson
from stepper.steps import Solution
from tests.conftest import check_refuses, cpu_clock

#: The messages matched here are the English ones (see tests.conftest.english_problems).
pytestmark = pytest.mark.usefixtures("english_problems")

BAD_INPUT = 2

# The valid lesson most cases start from; its line numbers are the ones the cases refer to.
#   1 title            5 activation      9 training        13 x
#   2 network          6 weights         10 learning_rate  14 y
#   3 inputs           7 row 1           11 loss
#   4 layers           8 row 2           12 samples
VALID = dedent("""\
    title: t
    network:
      inputs: 2
      layers:
        - activation: [linear, tanh]
          weights:
            - [0.1, -0.2, 0.3]
            - [0.5, 0.4, -0.6]
    training:
      learning_rate: 0.1
      loss: sse
      samples:
        - x: [0.1, 0.7]
          y: [0.2, 1.0]
    """)


def lesson(text: str) -> str:
    """A lesson written inline: dedented, and "→" stands for a tab (dedent cannot keep one)."""
    return dedent(text).replace("→", "\t")


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def located(path: Path) -> re.Pattern[str]:
    """One problem line with a place: PATH:LINE:COL: message."""
    return re.compile(rf"^{re.escape(str(path))}:\d+:\d+: .+$")


def unlocated(path: Path) -> re.Pattern[str]:
    """One problem line without a place: PATH: message."""
    return re.compile(rf"^{re.escape(str(path))}: .+$")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@dataclass(frozen=True)
class Broken:
    """A broken lesson and what ``stepper check`` must say about it."""

    text: str | bytes
    line: int
    col: int | None  # None where the column is YAML's guess rather than a clear spot
    phrase: str
    problems: int | None = 1  # how many lines in all; None: not counted


def case(id_: str, text: str | bytes, line: int, col: int | None, phrase: str, **kw: Any) -> Any:
    return pytest.param(Broken(text, line, col, phrase, **kw), id=id_)


# --- The table of broken lessons -------------------------------------------------------------

SYNTAX = [
    case(
        "indentation-key-too-deep",
        lesson("""\
            network:
              inputs: 2
               layers:
                - activation: tanh
            """),
        3,
        None,
        "indentation",
    ),
    case(
        "indentation-y-not-under-x",
        VALID.replace("      y: [0.2, 1.0]", "     y: [0.2, 1.0]"),
        14,
        6,
        "indentation",
    ),
    case(
        "tab-used-for-indentation",
        lesson("""\
            title: t
            network:
            →inputs: 2
            """),
        3,
        1,
        "tab",
    ),
    case(
        "list-not-closed",
        VALID.replace("[0.5, 0.4, -0.6]", "[0.5, 0.4, -0.6"),
        9,
        None,
        "list is not closed",
    ),
    case(
        "quote-not-closed",
        VALID.replace("title: t", "title: 'Backprop"),
        15,
        None,
        "quoted text is not closed",
    ),
    case(
        "two-documents",
        VALID + "---\ntitle: second\n",
        15,
        1,
        "one YAML document",
    ),
    case(
        "alias-to-no-anchor",
        VALID.replace("learning_rate: 0.1", "learning_rate: *alpha"),
        10,
        18,
        "*alpha refers to no anchor",
    ),
    case(
        "control-character",
        VALID.replace("title: t", "title: a\x07b"),
        1,
        9,
        "U+0007",
    ),
    case(
        "not-utf8",
        VALID.replace("title: t", "title: caf\udce9").encode("utf-8", "surrogateescape"),
        1,
        11,
        "not UTF-8",
    ),
    case(
        "duplicate-key",
        VALID.replace("  loss: sse\n", "  loss: sse\n  loss: half_sse\n"),
        12,
        3,
        "duplicate key 'loss': it is already given on line 11",
    ),
    case(
        "duplicate-keys-each-reported",
        VALID + "title: again\ntraining: {}\n",
        15,
        1,
        "duplicate key 'title'",
        problems=2,
    ),
]

TYPES = [
    case(
        "short-weights-row",
        VALID.replace("[0.5, 0.4, -0.6]", "[0.5, 0.4]"),
        8,
        11,
        "weights row 2 of layer 1 has 2 values; expected 3: the bias w_20 and one per input",
    ),
    case(
        "string-where-a-number-goes",
        VALID.replace("learning_rate: 0.1", "learning_rate: fast"),
        10,
        18,
        "training.learning_rate: expected a number, got the text 'fast'",
    ),
    case(
        "quoted-number",
        VALID.replace("learning_rate: 0.1", 'learning_rate: "0.3"'),
        10,
        18,
        "a number in quotes",
    ),
    case(
        "quoted-number-in-a-weights-row",
        VALID.replace("[0.5, 0.4, -0.6]", "[0.5, '0.4', -0.6]"),
        8,
        17,
        "network.layers[1].weights[2][2]: expected a number, got the text '0.4'",
    ),
    case(
        "decimal-comma",
        VALID.replace("learning_rate: 0.1", "learning_rate: 0,1"),
        10,
        18,
        "with a comma",
    ),
    case(
        "boolean-where-a-number-goes",
        VALID.replace("learning_rate: 0.1", "learning_rate: true"),
        10,
        18,
        "expected a number, got the truth value true",
    ),
    case(
        "boolean-in-a-weights-row",
        VALID.replace("[0.1, -0.2, 0.3]", "[0.1, false, 0.3]"),
        7,
        17,
        "got the truth value false",
    ),
    case(
        "number-too-large-for-a-float",
        VALID.replace("learning_rate: 0.1", "learning_rate: 1" + "0" * 400),
        10,
        18,
        "too large",
    ),
    case(
        "whole-number-expected",
        VALID + "  epochs: 2.5\n",
        15,
        11,
        "training.epochs: expected a whole number, got 2.5",
    ),
    case(
        "list-expected",
        VALID.replace("x: [0.1, 0.7]", "x: 0.1"),
        13,
        10,
        "training.samples[1].x: expected a list",
    ),
    case(
        "a-list-not-a-mapping",
        lesson("""\
            - title: t
            - network: {}
            """),
        1,
        1,
        "a lesson is a mapping of fields",
    ),
    case(
        "key-that-is-not-a-name",
        VALID + "1: one\n",
        15,
        1,
        "a key must be a name, not the number 1",
    ),
    case(
        "missing-network",
        lesson("""\
            title: t
            training:
              samples:
                - x: [1, 2]
            """),
        1,
        1,
        "missing field 'network'",
    ),
]

NAMES = [
    case(
        "unknown-activation-in-a-list",
        VALID.replace("[linear, tanh]", "[linear, tanhh]"),
        5,
        28,
        "'tanhh' is not allowed; expected one of 'linear', 'identity', 'tanh'",
    ),
    case(
        "unknown-activation-suggests",
        VALID.replace("[linear, tanh]", "sigmoidd"),
        5,
        19,
        "did you mean 'sigmoid'?",
    ),
    case(
        "unknown-loss",
        VALID.replace("loss: sse", "loss: mse"),
        11,
        9,
        "'mse' is not allowed; expected one of 'sse', 'half_sse' or 'cross_entropy'",
    ),
    case(
        "unknown-field-typo",
        VALID.replace("learning_rate: 0.1", "learning_rat: 0.1"),
        10,
        3,
        "unknown field 'learning_rat'; did you mean 'learning_rate'?",
    ),
    case(
        "unknown-field-typo-of-a-required-field",
        VALID.replace("      weights:", "      weigths:"),
        6,
        7,
        "unknown field 'weigths'; did you mean 'weights'?",
    ),
    case(
        "field-in-the-wrong-place",
        VALID.replace("  inputs: 2\n", "  inputs: 2\n  epochs: 3\n"),
        4,
        3,
        "'epochs' does not belong here; it goes under training",
        problems=None,
    ),
    case(
        "unknown-field-lists-the-fields",
        VALID + "zzz: 1\n",
        15,
        1,
        "the fields here are display, exam, explanations, id, kind, language",
    ),
    case(
        "unknown-language-key",
        VALID.replace("title: t", "title: {es: hola, fr: salut}"),
        1,
        19,
        "the key 'fr' is not allowed; expected one of 'es' or 'en'",
    ),
    case(
        "unknown-kind",
        lesson("""\
            kind: lstm
            """),
        1,
        7,
        "kind",
    ),
    case(
        "kind-unknown",
        VALID + "kind: lattice\n",
        15,
        7,
        "'lattice' is not a lesson kind",
    ),
    case(
        "kind-as-a-list",
        VALID + "kind: [conv]\n",
        15,
        7,
        "a list is not a lesson kind",
    ),
]

TAGS = [
    case(
        "custom-tag",
        VALID.replace("learning_rate: 0.1", "learning_rate: !foo 0.1"),
        10,
        18,
        "the tag !foo is not allowed",
    ),
    case(
        "custom-tag-on-a-mapping",
        VALID + "display: !foo {decimals: 3}\n",
        15,
        10,
        "the tag !foo is not allowed",
    ),
    case(
        "custom-tag-on-an-unknown-field",
        VALID + "sumary: !foo bar\n",
        15,
        1,
        "unknown field 'sumary'; did you mean 'summary'?",
        problems=2,  # and the tag, at 15:9
    ),
    case(
        "binary-tag",
        VALID + "summary: !!binary aGVsbG8=\n",
        15,
        10,
        "the tag !!binary is not allowed",
    ),
    case(
        "set-tag",
        VALID + "summary: !!set {a, b}\n",
        15,
        10,
        "the tag !!set is not allowed",
    ),
]

VALUES = [
    case(
        "infinite-learning-rate",
        VALID.replace("learning_rate: 0.1", "learning_rate: .inf"),
        10,
        18,
        "expected a finite number, got inf",
    ),
    case(
        "nan-weight",
        VALID.replace("[0.5, 0.4, -0.6]", "[0.5, .nan, -0.6]"),
        8,
        17,
        "expected a finite number, got nan",
    ),
    case(
        "minus-infinity-input",
        VALID.replace("x: [0.1, 0.7]", "x: [-.inf, 0.7]"),
        13,
        11,
        "finite",
    ),
    case(
        "learning-rate-zero",
        VALID.replace("learning_rate: 0.1", "learning_rate: 0"),
        10,
        18,
        "the learning rate must be > 0, got 0",
    ),
    case(
        "learning-rate-negative",
        VALID.replace("learning_rate: 0.1", "learning_rate: -0.1"),
        10,
        18,
        "the learning rate must be > 0, got -0.1",
    ),
    case(
        "learning-rate-missing-with-targets",
        VALID.replace("  learning_rate: 0.1\n", ""),
        9,
        1,
        "training with targets y needs a learning_rate",
    ),
    case(
        "learning-rate-empty-with-targets",
        VALID.replace("learning_rate: 0.1", "learning_rate:"),
        10,
        3,
        "needs a learning_rate α; this one is empty",
    ),
    case(
        "decimals-out-of-range",
        VALID + "display:\n  decimals: 40\n",
        16,
        13,
        "display.decimals: must be ≤ 12, got 40",
    ),
    case(
        "batch-size-zero",
        VALID + "  batch_size: 0\n",
        15,
        15,
        "training.batch_size: must be ≥ 1, got 0",
    ),
    case(
        "no-samples",
        VALID.split("  samples:")[0] + "  samples: []\n",
        12,
        12,
        "training.samples: needs at least 1",
    ),
]

SIZES = [
    case(
        "sample-x-wrong-length",
        VALID.replace("x: [0.1, 0.7]", "x: [0.1]"),
        13,
        10,
        "sample 1 has 1 input x; the network has 2 inputs",
    ),
    case(
        "sample-y-wrong-length",
        VALID.replace("y: [0.2, 1.0]", "y: [0.2, 1.0, 0.5]"),
        14,
        10,
        "sample 1 has 3 targets y; the network has 2 outputs",
    ),
    case(
        "layers-do-not-chain",
        lesson("""\
            network:
              inputs: 2
              layers:
                - activation: tanh
                  weights:
                    - [0.1, -0.2, 0.3]
                    - [0.5, 0.4, -0.6]
                - activation: linear
                  weights:
                    - [0.2, 0.3, -0.1, 0.4]
            training:
              learning_rate: 0.1
              samples:
                - x: [0.1, 0.7]
                  y: [0.5]
            """),
        10,
        11,
        "weights row 1 of layer 2 has 4 values; expected 3: the bias w_10 and one per neuron "
        "of layer 1 (it has 2)",
    ),
    case(
        "activations-one-per-neuron",
        VALID.replace("[linear, tanh]", "[linear, tanh, relu]"),
        5,
        19,
        "layer 1 lists 3 activations for 2 neurons",
    ),
    case(
        "layer-without-neurons",
        lesson("""\
            network:
              inputs: 2
              layers:
                - activation: tanh
                  weights: []
            training:
              samples:
                - x: [0.1, 0.7]
            """),
        5,
        16,
        "layer 1 has no neurons",
    ),
    case(
        "huge-epochs",
        VALID + "  epochs: 1000000000\n",
        15,
        11,
        "this lesson would take 21,000,000,007 steps; the limit is 1,000,000",
    ),
    case(
        "huge-inputs-rows-do-not-match",
        VALID.replace("inputs: 2", "inputs: 2000000"),
        7,
        11,
        "weights row 1 of layer 1 has 3 values; expected 2,000,001",
        problems=3,  # both rows and the sample's x
    ),
]

TRAINING = [
    case(
        "softmax-not-in-the-last-layer",
        lesson("""\
            network:
              inputs: 2
              layers:
                - activation: softmax
                  weights:
                    - [0.1, -0.2, 0.3]
                    - [0.5, 0.4, -0.6]
                - activation: linear
                  weights:
                    - [0.2, 0.3, -0.1]
            training:
              learning_rate: 0.1
              samples:
                - x: [0.1, 0.7]
                  y: [0.5]
            """),
        4,
        19,
        "softmax can only be the activation of the whole last layer",
    ),
    case(
        "softmax-mixed-in-the-last-layer",
        VALID.replace("[linear, tanh]", "[softmax, tanh]"),
        5,
        19,
        "softmax can only be the activation of the whole last layer",
    ),
    case(
        "cross-entropy-without-softmax",
        VALID.replace("loss: sse", "loss: cross_entropy").replace("y: [0.2, 1.0]", "y: [0, 1]"),
        11,
        9,
        "cross_entropy needs a softmax last layer",
    ),
    case(
        "softmax-with-sse",
        VALID.replace("[linear, tanh]", "softmax").replace("y: [0.2, 1.0]", "y: [0, 1]"),
        11,
        9,
        "a softmax last layer is trained with loss cross_entropy, not sse",
    ),
    case(
        "cross-entropy-targets-not-probabilities",
        VALID.replace("[linear, tanh]", "softmax").replace("loss: sse", "loss: cross_entropy"),
        14,
        10,
        "cross-entropy targets are probabilities",
    ),
    case(
        "note-on-a-key-that-is-not-a-step",
        VALID + "notes:\n  weights: the first row is the bias\n",
        16,
        3,
        "'weights' is not a step key",
    ),
    case(
        "note-on-a-neuron-the-network-lacks",
        VALID + "notes:\n  u[1,3]: there is no third neuron\n",
        16,
        3,
        "the note on u[1,3] is for no step: layer 1 has 2 neurons",
    ),
]

CASES = [*SYNTAX, *TYPES, *NAMES, *TAGS, *VALUES, *SIZES, *TRAINING]


@pytest.mark.parametrize("broken", CASES)
def test_check_locates_the_problem(
    broken: Broken, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "lesson.yaml", broken.text)
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert lines, "no problem reported"
    assert all(located(path).match(line) for line in lines), err
    place = f"{path}:{broken.line}:" + (f"{broken.col}:" if broken.col else "")
    assert any(line.startswith(place) and broken.phrase in line for line in lines), err
    if broken.problems is not None:
        assert len(lines) == broken.problems, err


@pytest.mark.parametrize("broken", CASES)
def test_solve_refuses_the_same_way_and_writes_nothing(
    broken: Broken, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "lesson.yaml", broken.text)
    _, _, check_err = run_cli(capsys, "check", str(path))
    target = tmp_path / "out.json"
    code, out, err = run_cli(capsys, "solve", str(path), "-o", str(target))
    assert code == BAD_INPUT
    assert (out, err) == ("", check_err)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson.yaml"]


# --- Every problem of a file, not only the first ------------------------------------------------


def test_independent_problems_are_all_reported_in_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = lesson("""\
        title: three mistakes
        network:
          inputs: 2
          layers:
            - activation: [linear, tanhh]
              weights:
                - [0.1, -0.2, 0.3]
                - [0.5, 0.4]
        training:
          learning_rat: 0.1
          samples:
            - x: [0.1, 0.7]
              y: [0.2, 1.0]
        """)
    path = write(tmp_path, "three.yaml", text)
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert err.splitlines() == [
        f"{path}:5:28: network.layers[1].activation[2]: the text 'tanhh' is not allowed; "
        "expected one of 'linear', 'identity', 'tanh', 'sigmoid', 'relu' or 'softmax'; "
        "did you mean 'tanh'?",
        f"{path}:8:11: weights row 2 of layer 1 has 2 values; expected 3: the bias w_20 and "
        "one per input",
        f"{path}:10:3: unknown field 'learning_rat'; did you mean 'learning_rate'?",
    ]


def test_refused_tag_does_not_hide_other_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = VALID.replace("[0.5, 0.4, -0.6]", "[0.5, 0.4]") + "summary: !foo bar\n"
    path = write(tmp_path, "two.yaml", text)
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith(f"{path}:8:11: weights row 2 of layer 1 has 2 values")
    assert lines[1].startswith(f"{path}:15:10: the tag !foo is not allowed")


def test_many_problems_are_capped_with_a_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = "".join(f"        - [0.{i % 10}, 0.5]\n" for i in range(300))
    text = VALID.split("      weights:\n")[0] + "      weights:\n" + rows
    text += VALID.split("- [0.5, 0.4, -0.6]\n")[1]
    path = write(tmp_path, "many.yaml", text.replace("[linear, tanh]", "tanh"))
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    lines = err.splitlines()
    assert len(lines) == MAX_PROBLEMS + 1
    assert all(located(path).match(line) for line in lines)
    assert "more problems from here on, not shown" in lines[-1]


# --- Missing and empty files: no place to point at ---------------------------------------------


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nowhere.yaml"
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert out == ""
    assert err.splitlines() == [f"{path}: no such file"]


@pytest.mark.parametrize("text", ["", "\n\n", "   \n", "# only a comment\n", "---\n"], ids=repr)
def test_empty_file(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "empty.yaml", text)
    code, out, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert unlocated(path).match(lines[0])
    assert "empty" in lines[0]


def test_folder_instead_of_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "lesson.yaml"
    folder.mkdir()
    code, _, err = run_cli(capsys, "check", str(folder))
    assert code == BAD_INPUT
    assert err.splitlines() == [f"{folder}: this is a folder, not a lesson file"]


def test_unknown_lesson_id(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "check", "no-such-lesson")
    assert code == BAD_INPUT
    assert err.startswith("no-such-lesson: no built-in lesson with this id and no such file")


# --- No tag constructs anything --------------------------------------------------------------

#: Ways to write a tag that would run os.system under an unsafe loader, and the line of the
#: tag. {marker} is a file the command would create.
_APPLY = '!!python/object/apply:os.system ["touch {marker}"]'
PYTHON_TAGS = {
    "object-apply": (VALID + f"summary: {_APPLY}\n", 15),
    "object-new": (VALID + 'summary: !!python/object/new:os.system ["touch {marker}"]\n', 15),
    "name": (VALID + "summary: !!python/name:os.system\n", 15),
    "verbatim": (
        VALID + 'summary: !<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]\n',
        15,
    ),
    "tag-directive": (
        "%TAG !py! tag:yaml.org,2002:python/\n---\n"
        + VALID
        + 'summary: !py!object/apply:os.system ["touch {marker}"]\n',
        17,
    ),
    "in-a-weights-row": (VALID.replace("[0.5, 0.4, -0.6]", f"[0.5, {_APPLY}, -0.6]"), 8),
}


@pytest.mark.parametrize("spelling", PYTHON_TAGS)
def test_python_tags_are_refused_and_nothing_runs(
    spelling: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "marker"
    template, line = PYTHON_TAGS[spelling]
    path = write(tmp_path, "evil.yaml", template.format(marker=marker))
    output = tmp_path / "out.json"
    for command in (["check", str(path)], ["solve", str(path), "-o", str(output)]):
        code, out, err = run_cli(capsys, *command)
        assert code == BAD_INPUT
        assert out == ""
        assert "Traceback" not in err
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert located(path).match(lines[0])
        assert lines[0].startswith(f"{path}:{line}:")
        assert "python/" in lines[0]
        assert "is not allowed" in lines[0]
    assert not marker.exists()
    assert not output.exists()


# --- Things that must be refused quickly ----------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 10) -> str:
    """The classic alias bomb: each level is ``width`` aliases of the one before."""
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        aliases = ", ".join([f"*a{level - 1}"] * width)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("where", ["top-level", "in-notes"])
def test_alias_bomb_is_refused_quickly(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bomb = billion_laughs()
    if where == "in-notes":
        bomb = VALID + "notes:\n" + "".join(f"  {line}\n" for line in bomb.splitlines())
    path = write(tmp_path, "bomb.yaml", bomb)
    start = cpu_clock()
    code, out, err = run_cli(capsys, "check", str(path))
    elapsed = time.process_time() - start
    assert code == BAD_INPUT
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert located(path).match(lines[0])
    assert "aliases repeat more than" in lines[0]
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


@pytest.mark.parametrize("opening", ["[", "{a: "])
def test_deep_nesting_is_refused_quickly(
    opening: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    closing = "]" if opening == "[" else "}"
    path = write(tmp_path, "deep.yaml", "title: " + opening * 5000 + closing * 5000 + "\n")
    start = cpu_clock()
    code, _, err = run_cli(capsys, "check", str(path))
    elapsed = time.process_time() - start
    assert code == BAD_INPUT
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert re.match(rf"^{re.escape(str(path))}:1:\d+: the lists and mappings nest more", lines[0])
    assert elapsed < 1.0, f"took {elapsed:.2f} s"


def test_the_limits_are_at_least_the_contracts(tmp_path: Path) -> None:
    """At least 10^6 weights and 10^6 steps are accepted; one epoch past the step limit is not.

    The VALID lesson makes 21 steps an epoch (u, y of 2 neurons; e of 2, the loss, d of 2;
    dw and w of 6 weights) and 7 more once, the check after the last update (u, y of 2
    neurons; e of 2, the loss), so 47,618 epochs are 999,985 steps and 47,619 are 1,000,006.
    """
    assert checks.MAX_WEIGHTS >= 10**6
    assert checks.MAX_STEPS >= 10**6
    at_limit = VALID + f"  epochs: {(checks.MAX_STEPS - 7) // 21}\n"
    assert lesson_from_text(at_limit, "ok.yaml").training.epochs == 47_618
    with pytest.raises(LessonError) as info:
        lesson_from_text(VALID + f"  epochs: {(checks.MAX_STEPS - 7) // 21 + 1}\n", "big.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.col) == (15, 11)
    assert "1,000,006 steps; the limit is 1,000,000" in problem.message


def test_weight_limit_is_located_at_network(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The limit is lowered to show it on a small file (10^6 weights: tests/test_fastrows.py)."""
    monkeypatch.setattr(checks, "MAX_WEIGHTS", 5)
    path = write(tmp_path, "wide.yaml", VALID)
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert err.splitlines() == [f"{path}:2:1: the network has 6 weights; the limit is 5"]


def test_step_count_agrees_with_the_engine(builtin: dict[str, Solution]) -> None:
    """The step limit is computed from the sizes before solving: it must count what the
    engine makes (before ``phases`` hides some, as activations-1's do), or the limit would
    refuse the wrong lessons."""
    for lesson_id in builtin:
        lesson = load_lesson(builtin_folder() / f"{lesson_id}.yaml", lesson_id)
        if not isinstance(lesson, DenseLesson):
            continue
        solution = solve(lesson.model_copy(update={"phases": None}))
        layers = lesson.network.layers
        lowest = next(l for l, layer in enumerate(layers) if layer.trainable)  # freeze-1: 1
        weights = sum(len(row) for layer in layers for row in layer.weights)
        expected = 0
        runs = lesson.training.runs
        for run in runs or [None]:  # each run trains the lesson again, with its own fields
            training = lesson.training.model_copy(update=run.changes() if run else {})
            expected += step_count(
                [len(layer.weights) for layer in layers],
                weights,
                [sample.y is not None for sample in training.samples],
                training.batch_size,
                training.epochs,
                trains=training.learning_rate is not None,
                check_all=bool(runs),
                learned=sum(
                    len(row) for layer in layers if layer.trainable for row in layer.weights
                ),
                backward=sum(len(layer.weights) for layer in layers[lowest:]),
                # linear-1: the product W, one row per output and one column per input and bias
                product=len(layers[-1].weights) * (lesson.network.inputs + 1)
                if lesson.network.collapse
                else 0,
                dropped=sum(len(layer.weights) for layer in layers if layer.dropout),
                categories=[
                    len(s.x.of) if isinstance(s.x, Category) else 0 for s in training.samples
                ],
            )
            expected += normalization_steps(
                training.model_dump(), lesson.network.inputs, len(layers[-1].weights), weights
            )
        assert len(solution.steps) == expected, lesson_id


# --- What must load -------------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", builtin_ids())
def test_builtin_lessons_pass_check(lesson_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "check", lesson_id) == (0, "", "")
    path = builtin_folder() / f"{lesson_id}.yaml"
    assert run_cli(capsys, "check", str(path)) == (0, "", "")


def test_every_builtin_lesson_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(capsys, "check", *builtin_ids()) == (0, "", "")


@pytest.mark.parametrize("spelling", ["1e-1", "1E-1", "1.0e-1", ".1", "+0.1"])
def test_yaml_1_2_exponent_is_a_number(
    spelling: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """YAML 1.2 reads 1e-1 as a number (YAML 1.1, as PyYAML reads it, would make it text)."""
    path = write(tmp_path, "lesson.yaml", VALID.replace("0.1\n", f"{spelling}\n", 1))
    assert f"learning_rate: {spelling}\n" in path.read_text()
    assert run_cli(capsys, "check", str(path)) == (0, "", "")
    assert load_lesson(path).training.learning_rate == pytest.approx(0.1)


def test_yaml_1_2_no_is_text_not_false(tmp_path: Path) -> None:
    path = write(tmp_path, "lesson.yaml", VALID.replace("title: t", "title: no"))
    assert load_lesson(path).title == "no"


def test_merge_keys_work_and_problems_point_into_the_merged_mapping(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = lesson("""\
        network:
          inputs: 2
          layers:
            - &hidden
              activation: tanh
              weights:
                - [0.1, -0.2, 0.3]
                - [0.5, 0.4]
            - <<: *hidden
              activation: linear
        training:
          samples:
            - x: [0.1, 0.7]
        """)
    path = write(tmp_path, "merge.yaml", text)
    code, _, err = run_cli(capsys, "check", str(path))
    assert code == BAD_INPUT
    assert all(located(path).match(line) for line in err.splitlines()), err
    assert f"{path}:8:11: weights row 2 of layer 1 has 2 values" in err
    # Layer 2 reuses layer 1's rows, written on lines 7-8, and is reported there.
    assert f"{path}:8:11: weights row 2 of layer 2 has 2 values" in err
    fixed = write(tmp_path, "fixed.yaml", text.replace("[0.5, 0.4]", "[0.5, 0.4, -0.6]"))
    assert run_cli(capsys, "check", str(fixed)) == (0, "", "")


# --- Several files, output files, and a real terminal -----------------------------------------


def test_check_reports_only_the_bad_files_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.yaml", VALID)
    bad = write(tmp_path, "bad.yaml", VALID.replace("x: [0.1, 0.7]", "x: [0.1]"))
    code, out, err = run_cli(capsys, "check", str(good), str(bad), "backprop-1")
    assert code == BAD_INPUT
    assert out == ""
    assert err.splitlines() == [f"{bad}:13:10: sample 1 has 1 input x; the network has 2 inputs"]


def test_solve_bad_file_keeps_an_existing_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.yaml", VALID.replace("[0.5, 0.4, -0.6]", "[0.5, 0.4]"))
    target = write(tmp_path, "out.json", "sentinel: the previous solution\n")
    code, out, err = run_cli(capsys, "solve", str(bad), "-o", str(target))
    assert code == BAD_INPUT
    assert out == ""
    assert err.startswith(f"{bad}:8:11: ")
    assert target.read_text() == "sentinel: the previous solution\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "out.json"]


def test_solve_good_file_writes_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.json"
    assert run_cli(capsys, "solve", "backprop-1", "-o", str(target)) == (0, "", "")
    assert json.loads(target.read_text())["lesson"]["id"] == "backprop-1"


def test_solve_into_a_missing_folder(capsys: pytest.CaptureFixture[str]) -> None:
    target = "/nonexistent-dir/x.json"
    code, out, err = run_cli(capsys, "solve", "backprop-1", "-o", target)
    assert code == BAD_INPUT
    assert out == ""
    assert err.splitlines() == [
        f"{target}: cannot write the file: the folder /nonexistent-dir does not exist"
    ]


def test_solve_onto_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "solve", "backprop-1", "-o", str(tmp_path))
    assert code == BAD_INPUT
    assert err.splitlines() == [f"{tmp_path}: cannot write the file: this is a folder"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_no_traceback_reaches_a_real_terminal(tmp_path: Path) -> None:
    """``python -m stepper check`` in a subprocess, over files that broke earlier versions."""
    marker = tmp_path / "marker"
    files = {
        "evil.yaml": VALID + f'summary: !!python/object/apply:os.system ["touch {marker}"]\n',
        "bomb.yaml": billion_laughs(),
        "merge.yaml": "base: &b {inputs: 2}\n" + VALID.replace("  inputs: 2", "  <<: *b"),
        "kind.yaml": VALID + "kind: [conv]\n",
        "empty-layer.yaml": VALID.replace(
            "      weights:\n        - [0.1, -0.2, 0.3]\n        - [0.5, 0.4, -0.6]\n",
            "      weights: []\n",
        ).replace("[linear, tanh]", "tanh"),
        "control.yaml": VALID.replace("title: t", "title: a\x00b"),
        "huge.yaml": VALID.replace("learning_rate: 0.1", "learning_rate: 1" + "0" * 400),
    }
    paths = [write(tmp_path, name, text) for name, text in files.items()]
    good = write(tmp_path, "good.yaml", VALID)
    result = check_refuses(str(good), *map(str, paths), timeout=60)
    lines = result.stderr.splitlines()
    for path in paths:
        mine = [line for line in lines if line.startswith(f"{path}:")]
        assert mine, f"nothing reported for {path.name}"
        assert all(located(path).match(line) for line in mine), mine
    assert not any(line.startswith(f"{good}:") for line in lines)
    assert not marker.exists()


# --- Whatever a file holds, the answer is problems, never a crash ----------------------------

_PLAIN = re.compile(r"^f\.yaml(:\d+:\d+)?: \S.*$")
_ODD_VALUES: list[Any] = [
    None,
    True,
    -1,
    0,
    2,
    10**400,
    1e308,
    "x",
    "0.3",
    "softmax",
    "cross_entropy",
    [],
    {},
    [[]],
    [1],
    [[1, 2, 3]],
    {"a": 1},
    float("nan"),
    float("inf"),
    list(range(12)),
    "u[9,9]",
    "w[1,1,9]",
    10**9,
]


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*here, i))
    return out


def _replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {k: (_replaced(v, rest, value) if k == head else v) for k, v in node.items()}
    return [_replaced(v, rest, value) if i == head else v for i, v in enumerate(node)]


def _dump(data: Any) -> str:
    import io

    from ruamel.yaml import YAML

    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.dump(data, stream)
    return stream.getvalue()


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.data())
@pytest.mark.slow
def test_mutated_lessons_give_problems_not_crashes(data: st.DataObject) -> None:
    from ruamel.yaml import YAML

    lesson_id = data.draw(st.sampled_from(builtin_ids()))
    tree = YAML(typ="safe", pure=True).load((builtin_folder() / f"{lesson_id}.yaml").read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(tree)))
        tree = _replaced(tree, path, data.draw(st.sampled_from(_ODD_VALUES)))
    text = _dump(tree)
    if data.draw(st.booleans()):  # and a typing slip
        at = data.draw(st.integers(0, len(text)))
        text = text[:at] + data.draw(st.sampled_from(list(" \t\n-:[]{}#&*!'\","))) + text[at:]
    try:
        lesson_from_text(text, "f.yaml")
    except LessonError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert _PLAIN.match(str(problem)), str(problem)
            assert problem.line is None or 1 <= problem.line <= text.count("\n") + 1
