"""The fast path for rows of numbers reads exactly what ruamel reads, and says it at the same place.

Why these tests: a lesson of 10^6 weights is read by ``stepper.lesson.fastrows`` instead of
ruamel's scanner, for speed; nothing else may change. Each test reads a file both ways, with
the fast path and with ruamel alone (the fast path switched off), and compares the data and the
position of every number, or checks a message's PATH:LINE:COL against the place of the bad
number found in the text by hand.
"""

from __future__ import annotations

import math
import random
import time
from pathlib import Path
from typing import Any

import pytest

from stepper.cli import main
from stepper.lesson import fastrows
from stepper.lesson.errors import LessonError
from stepper.lesson.load import lesson_from_text
from stepper.lesson.yamlsafe import locate, parse

#: The messages matched here are the English ones (see tests.conftest.english_problems).
pytestmark = pytest.mark.usefixtures("english_problems")

BAD_INPUT = 2

#: Numbers in every form a row may hold: those the fast path reads and those it leaves to ruamel.
FORMS = [
    "0", "-0", "7", "-12", "123456789012345678", "1234567890123456789012", "0.5", "-0.25",
    "0.0", "-0.0", "1.25e-3", "-2.5E+2", "1e5", "-3e-2", "1e400", "-1e400", "4.9e-330",
    "0.1000000000000000055511151231257827", "+1", ".5", "-.5", "1.", "0x1F", "0o17", "012",
    "1_000", ".inf", "-.inf", ".nan", "true", "null", "~", "a", '"0.5"', "'1'", "1e", "--1",
]  # fmt: skip


def both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, Any, Any]:
    """(data, tree) read with the fast path, then (data, tree) read by ruamel alone."""
    fast_data, fast_tree, fast_found = parse("f.yaml", text)
    with monkeypatch.context() as m:
        m.setattr(fastrows, "mask", lambda text: (text, {}))
        slow_data, slow_tree, slow_found = parse("f.yaml", text)
    assert fast_found == slow_found
    return fast_data, fast_tree, slow_data, slow_tree


def same(a: Any, b: Any) -> bool:
    """Equal, with the type (1 is not 1.0), the sign of zero and nan counted."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return type(a) is type(b) and a == b


def test_rows_of_every_form_read_as_ruamel_reads_them(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(10)
    rows = []
    for _ in range(300):
        items = [rng.choice(FORMS) for _ in range(rng.randint(1, 14))]
        if rng.random() < 0.7:  # mostly rows the fast path takes whole
            items = [rng.choice(FORMS[:17]) for _ in range(rng.randint(8, 14))]
        gaps = [rng.choice(["", " ", "  "]) for _ in items]
        row = ",".join(
            f"{g}{item}{rng.choice(['', ' '])}" for g, item in zip(gaps, items, strict=True)
        )
        rows.append(f"  - [{row}]")
    text = "rows:\n" + "\n".join(rows) + "\nflow: {a: [1, 2, 3, 4, 5, 6, 7, 8.5], b: 2}\n"
    fast, fast_tree, slow, slow_tree = both(text, monkeypatch)
    assert same(fast["rows"], slow["rows"]) and same(fast["flow"]["a"], slow["flow"]["a"])
    for r, row in enumerate(slow["rows"]):
        for i in range(len(row)):
            path = ("rows", r, i)
            assert locate(fast_tree, path) == locate(slow_tree, path), path
    for i in range(8):
        assert locate(fast_tree, ("flow", "a", i)) == locate(slow_tree, ("flow", "a", i))
    assert any(isinstance(row.lc.data, fastrows.Places) for row in fast_tree["rows"])


@pytest.mark.parametrize(
    "text",
    [
        'title: "[1, 2, 3, 4, 5, 6, 7, 8]"\nw: [1, 2, 3, 4, 5, 6, 7, 8]\n',
        "title: >\n  [1, 2, 3, 4, 5, 6, 7, 8]\nw: [1, 2, 3, 4, 5, 6, 7, 8]\n",
        "# [1, 2, 3, 4, 5, 6, 7, 8]\nw: [1, 2, 3, 4, 5, 6, 7, 8]\n",
        "title: a [1, 2, 3, 4, 5, 6, 7, 8]\nw: [1, 2, 3, 4, 5, 6, 7, 8]\n",
        "w: !!python/tuple [1, 2, 3, 4, 5, 6, 7, 8]\n",
        "w: &a [1, 2, 3, 4, 5, 6, 7, 8]\nv: *a\n",
        "? [1, 2, 3, 4, 5, 6, 7, 8]\n: key\n",
        "w: [[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]]\n",
    ],
    ids=["quoted", "block", "comment", "plain", "tag", "alias", "key", "nested"],
)
def test_rows_that_are_not_plain_sequences_read_as_before(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row inside a text, a comment or a key, or under a tag: the data do not change."""
    try:
        fast, _, slow, _ = both(text, monkeypatch)
    except LessonError as exc:  # a file ruamel refuses is refused the same way
        with monkeypatch.context() as m, pytest.raises(LessonError) as slow_exc:
            m.setattr(fastrows, "mask", lambda text: (text, {}))
            parse("f.yaml", text)
        assert exc.problems == slow_exc.value.problems
        return
    assert repr(fast) == repr(slow)


def wide_lesson(bad_row: int, bad_col: int, bad: str, rows: int = 300, width: int = 400) -> str:
    """One tanh layer of ``rows`` neurons over ``width`` - 1 inputs, one sample passed forward
    (no target: within the step limit even at 10^6 weights), one number replaced by ``bad``."""
    rng = random.Random(3)
    lines = ["title: wide", "network:", f"  inputs: {width - 1}", "  layers:"]
    lines += ["    - activation: tanh", "      weights:"]
    for r in range(rows):
        items = [f"{rng.uniform(-1, 1):.4f}" for _ in range(width)]
        if r == bad_row:
            items[bad_col] = bad
        lines.append(f"        - [{', '.join(items)}]")
    lines += ["training:", "  samples:", f"    - x: [{', '.join(['0.5'] * (width - 1))}]"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("bad", "phrase"),
    [
        ("0.5x", "expected a number, got the text '0.5x'"),
        ("1e400", "expected a finite number"),
        ('"0.5"', "a number in quotes"),
        ("!!str 0.5", "expected a number"),
    ],
)
def test_a_bad_number_deep_in_a_matrix_is_located(
    bad: str, phrase: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Row 200, item 317 of a 300×400 matrix: the message points at that number."""
    text = wide_lesson(199, 316, bad)
    line = text.splitlines().index(next(t for t in text.splitlines() if bad in t)) + 1
    col = text.splitlines()[line - 1].index(bad) + 1
    path = tmp_path / "wide.yaml"
    path.write_text(text)
    assert main(["check", str(path)]) == BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:{line}:{col}: network.layers[1].weights[200][317]"), err
    assert phrase in err


def test_a_row_in_a_comment_or_a_text_leaves_the_others_fast(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A commented-out row, or one quoted in a title, is read as written; the real rows are
    still read by the fast path (120,000 numbers, past what ruamel may read one by one)."""
    row = "[" + ", ".join(["0.5"] * 10) + "]"
    text = wide_lesson(-1, 0, "").replace("title: wide", f'title: "{row}"  # {row}')
    text = text.replace("      weights:", f"      weights:  # {row}\n      # {row}")
    data, tree, _ = parse("f.yaml", text)
    assert data["title"] == row
    weights = tree["network"]["layers"][0]["weights"]
    assert all(isinstance(r.lc.data, fastrows.Places) for r in weights)
    path = tmp_path / "commented.yaml"
    path.write_text(text)
    assert main(["check", str(path)]) == 0, capsys.readouterr().err


def test_the_alias_budget_counts_the_numbers_of_a_row() -> None:
    """An anchored long row repeated by aliases is an alias bomb like any other."""
    row = "[" + ", ".join(["1"] * 1000) + "]"
    text = f"a: &a {row}\nb: [{', '.join(['*a'] * 200)}]\n"
    with pytest.raises(LessonError) as info:
        parse("bomb.yaml", text)
    (problem,) = info.value.problems
    assert "aliases repeat more than" in problem.message
    assert (problem.line, problem.col) < (2, len(text))


@pytest.mark.slow
def test_a_million_weights_load_in_seconds() -> None:
    """The contract accepts 10^6 weights; reading them took about a minute through ruamel."""
    text = wide_lesson(-1, 0, "", rows=1000, width=1000)
    start = time.perf_counter()
    lesson = lesson_from_text(text, "million.yaml")
    took = time.perf_counter() - start
    weights = lesson.network.layers[0].weights
    assert len(weights) * len(weights[0]) == 10**6
    assert weights[999][999] == float(text.splitlines()[1005].rsplit(",", 1)[1].strip(" ]"))
    assert took < 20, f"took {took:.1f} s"
