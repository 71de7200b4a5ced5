"""Regression tests for the inputs a mutation fuzzer found escaping the contract (issue 10, §4).

Each input once gave a traceback, a hang or a message with no place. Each test builds the
smallest lesson that reproduces it and asserts what the contract promises instead: exit status
2, one ``PATH:LINE:COL: message`` line per problem pointing at the value to change, no output
file, and an answer well within the time limit.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from stepper.catalog import builtin_folder
from stepper.cli import main

BAD_INPUT = 2


def builtin_text(lesson_id: str) -> str:
    return (builtin_folder() / f"{lesson_id}.yaml").read_text(encoding="utf-8")


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
