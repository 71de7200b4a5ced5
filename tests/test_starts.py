"""Several start points in an optimize lesson (``start: [[...], [...]]``) and ``minima-1``.

The numbers are checked against the update rules written again here (numpy, a hand-written
derivative), against torch.optim where torch is installed, and against the roots of f' found
by numpy; then the keys, the located errors, the end screen, the pictures and the printers.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from stepper.cli import main
from stepper.edit import editable_numbers, with_number
from stepper.ending import summarize
from stepper.ending_text import lines
from stepper.engine import solve
from stepper.lesson.errors import LessonError
from stepper.lesson.formula import step_count, step_keys
from stepper.lesson.load import lesson_from_text
from stepper.pictures import render_rich
from stepper.pictures.contour import contour_scene
from stepper.pictures.contour_data import index
from stepper.pictures.contour_panel import MIN_MARK, START_MARK
from stepper.pictures.scene import Label, Role, Wire
from stepper.printers import optimize as printed
from stepper.steps import Solution
from tests.conftest import solved
from tests.test_optimize import problems

#: The messages matched here are the English ones (see tests.conftest.english_problems).
pytestmark = pytest.mark.usefixtures("english_problems")

LESSONS = Path(__file__).parent.parent / "lessons"


def f(w: float) -> float:
    """minima-1's function."""
    return w**4 - 2 * w**2 + 0.5 * w


def slope(w: float) -> float:
    """Its derivative, by hand: 4w³ − 4w + 0.5."""
    return 4 * w**3 - 4 * w + 0.5


def minima() -> tuple[float, float]:
    """The two minima of f: the roots of f' where f'' = 12w² − 4 > 0, by numpy."""
    roots = sorted(r.real for r in np.roots([4.0, 0.0, -4.0, 0.5]) if abs(r.imag) < 1e-12)
    found = [r for r in roots if 12 * r * r - 4 > 0]
    assert len(found) == 2
    return found[0], found[1]


def values(solution: Solution) -> dict[tuple[str, int], float]:
    return {(s.key, s.iteration): s.value for s in solution.steps}


# --- minima-1 ----------------------------------------------------------------------------------


def test_minima_1_follows_the_rule_from_each_start() -> None:
    """w → w − 0.1·f'(w), eight times from −0.5 and from 0.5, every value."""
    found = values(solved("minima-1"))
    for k, start in ((1, -0.5), (2, 0.5)):
        w = start
        assert found[(f"start{k}.f", 0)] == pytest.approx(f(w), abs=1e-15)
        for t in range(1, 9):
            g = slope(w)
            assert found[(f"start{k}.grad[w]", t)] == pytest.approx(g, rel=1e-13, abs=1e-15)
            w = w - 0.1 * g
            assert found[(f"start{k}.w", t)] == pytest.approx(w, rel=1e-13, abs=1e-15)
            assert found[(f"start{k}.f", t)] == pytest.approx(f(w), rel=1e-13, abs=1e-15)
    assert len(found) == 2 * (1 + 8 * 3)


def test_minima_1_matches_torch_sgd() -> None:
    torch = pytest.importorskip("torch")
    found = values(solved("minima-1"))
    for k, start in ((1, -0.5), (2, 0.5)):
        w = torch.tensor([start], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1)
        for t in range(1, 9):
            opt.zero_grad()
            loss = (w**4 - 2 * w**2 + 0.5 * w).sum()
            loss.backward()
            assert w.grad is not None
            assert found[(f"start{k}.grad[w]", t)] == pytest.approx(float(w.grad[0]), rel=1e-12)
            opt.step()
            assert found[(f"start{k}.w", t)] == pytest.approx(float(w.detach()[0]), rel=1e-12)


def test_minima_1_ends_in_two_different_minima() -> None:
    """From −0.5 the global minimum (the lower f), from 0.5 the local one; both clearly, to
    the lesson's decimals, within its eight iterations."""
    solution = solved("minima-1")
    found = values(solution)
    low, high = minima()
    assert low < 0 < high and f(low) < f(high)
    left, right = found[("start1.w", 8)], found[("start2.w", 8)]
    assert abs(left - low) < 1e-4 and abs(right - high) < 2e-3
    assert abs(left - high) > 1 and abs(right - low) > 1
    assert found[("start1.f", 8)] < found[("start2.f", 8)]
    # Each run goes downhill all the way: every f below the one before.
    for k in (1, 2):
        fs = [found[(f"start{k}.f", t)] for t in range(9)]
        assert all(b < a for a, b in itertools.pairwise(fs)), fs


def test_minima_1_says_which_minimum_is_global() -> None:
    low, high = minima()
    text = (LESSONS / "minima-1.yaml").read_text(encoding="utf-8")
    for lang in ("es", "en"):
        summary = solve(lesson_from_text(text, "minima-1"), lang).summary or ""
        assert "global" in summary and "local" in summary
        assert f"{low:.4f}".replace("-", "−") in summary and f"{high:.4f}" in summary
        assert f"{f(low):.4f}".replace("-", "−") in summary


# --- several starts and several optimisers ------------------------------------------------------

TWO_BY_TWO = """\
kind: optimize
function: (x - 1)**2 * (x + 1)**2 + 0.3*y**2 + 0.2*x
variables: [x, y]
start: [[-0.4, 1], [0.6, -1]]
iterations: 4
optimizers:
  - {name: momentum, learning_rate: 0.05, momentum: 0.8}
  - {name: adam, id: fast, learning_rate: 0.1}
"""


def grad2(p: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    x, y = p
    return np.array([2 * (x - 1) * (x + 1) ** 2 + 2 * (x - 1) ** 2 * (x + 1) + 0.2, 0.6 * y])


def test_every_optimizer_from_every_start_with_both_prefixes() -> None:
    """Start by start, optimiser by optimiser; keys ``startK.ID.…``; each run from its own
    start with its own state (momentum and Adam written again here)."""
    solution = solve(lesson_from_text(TWO_BY_TWO, "two"))
    firsts = [s.key for s in solution.steps if s.iteration == 0]
    assert firsts == ["start1.momentum.f", "start1.fast.f", "start2.momentum.f", "start2.fast.f"]
    found = values(solution)
    for k, start in ((1, [-0.4, 1.0]), (2, [0.6, -1.0])):
        x, v = np.array(start), np.zeros(2)
        for t in range(1, 5):
            g = grad2(x)
            v = 0.8 * v - 0.05 * g
            x = x + v
            for i, name in enumerate("xy"):
                assert found[(f"start{k}.momentum.v[{name}]", t)] == pytest.approx(v[i], rel=1e-12)
                assert found[(f"start{k}.momentum.{name}", t)] == pytest.approx(x[i], rel=1e-12)
        x, m, s = np.array(start), np.zeros(2), np.zeros(2)
        for t in range(1, 5):
            g = grad2(x)
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g * g
            x = x - 0.1 * (m / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
            for i, name in enumerate("xy"):
                assert found[(f"start{k}.fast.{name}", t)] == pytest.approx(x[i], rel=1e-12)
    shape = solution.optimize
    assert shape is not None and shape.starts == ((-0.4, 1.0), (0.6, -1.0))
    runs = [(r.prefix, r.start, r.origin, r.title("en")) for r in shape.optimizers]
    assert runs == [
        ("start1.momentum.", (-0.4, 1.0), 1, "Momentum from (−0.4, 1)"),
        ("start1.fast.", (-0.4, 1.0), 1, "fast from (−0.4, 1)"),
        ("start2.momentum.", (0.6, -1.0), 2, "Momentum from (0.6, −1)"),
        ("start2.fast.", (0.6, -1.0), 2, "fast from (0.6, −1)"),
    ]


def test_several_starts_match_torch() -> None:
    torch = pytest.importorskip("torch")
    found = values(solve(lesson_from_text(TWO_BY_TWO, "two")))
    for k, start in ((1, [-0.4, 1.0]), (2, [0.6, -1.0])):
        for ident in ("momentum", "fast"):
            p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
            if ident == "momentum":
                opt: Any = torch.optim.SGD([p], lr=0.05, momentum=0.8)
            else:
                opt = torch.optim.Adam([p], lr=0.1, betas=(0.9, 0.999), eps=1e-8)
            for t in range(1, 5):
                opt.zero_grad()
                x, y = p[0], p[1]
                ((x - 1) ** 2 * (x + 1) ** 2 + 0.3 * y**2 + 0.2 * x).backward()
                opt.step()
                for i, name in enumerate("xy"):
                    key = (f"start{k}.{ident}.{name}", t)
                    assert found[key] == pytest.approx(float(p.detach()[i]), rel=1e-12), key


def test_keys_and_count_agree_with_the_engine() -> None:
    for text, starts in ((TWO_BY_TWO, 2), ((LESSONS / "minima-1.yaml").read_text(), 2)):
        lesson = lesson_from_text(text, "keys")
        solution = solve(lesson)
        keys = step_keys(lesson.variables, lesson.optimizers, starts)
        assert {s.key for s in solution.steps} == keys
        names = [o.name for o in lesson.optimizers]
        count = step_count(names, len(lesson.variables), lesson.iterations, starts)
        assert len(solution.steps) == count


def test_one_start_written_as_a_list_of_one_is_one_start() -> None:
    """``start: [[1, 2]]`` is the lesson with ``start: [1, 2]``: the same keys, no prefix."""
    plain = TWO_BY_TWO.replace("start: [[-0.4, 1], [0.6, -1]]", "start: [-0.4, 1]")
    listed = TWO_BY_TWO.replace("start: [[-0.4, 1], [0.6, -1]]", "start: [[-0.4, 1]]")
    a, b = (solve(lesson_from_text(t, "one")) for t in (plain, listed))
    assert [(s.key, s.value) for s in a.steps] == [(s.key, s.value) for s in b.steps]
    assert a.steps[0].key == "momentum.f"


# --- what the learner is told -------------------------------------------------------------------


def test_the_end_compares_where_the_starts_ended() -> None:
    solution = solved("minima-1")
    summary = summarize(solution)
    assert [(d.name, d.start, d.end) for d in summary.descents] == [
        ("Desde −0.5", ("−0.5",), ("−1.0575",)),
        ("Desde 0.5", ("0.5",), ("0.9288",)),
    ]
    (ends,) = summary.ends
    assert (ends.starts, ends.points, ends.lowest, ends.f) == (2, 2, "−0.5", "−1.5148")
    text = " ".join(line.text.strip() for line in lines(summary, "es", 80))
    assert "Los 2 puntos de salida acaban en 2 puntos distintos: el más bajo, f = −1.5148, " in text
    assert "desde −0.5." in text
    english = solve(lesson_from_text((LESSONS / "minima-1.yaml").read_text(), "m"), "en")
    said = " ".join(line.text for line in lines(summarize(english), "en", 200))
    assert "The 2 starts end at 2 different points: the lowest, f = −1.5148, from −0.5." in said


def test_starts_that_meet_say_so() -> None:
    """On a bowl every start ends at its bottom: one point."""
    text = """\
kind: optimize
function: x**2
variables: [x]
start: [[-1], [2], [3]]
iterations: 1
optimizers:
  - {name: gradient_descent, learning_rate: 0.5}
"""
    summary = summarize(solve(lesson_from_text(text, "bowl"), "en"))
    (ends,) = summary.ends
    assert (ends.starts, ends.points) == (3, 1)
    said = [line.text for line in lines(summary, "en", 80)]
    assert "The 3 starts end at the same point." in said


def test_several_optimizers_compare_their_starts_each() -> None:
    summary = summarize(solve(lesson_from_text(TWO_BY_TWO, "two"), "en"))
    assert [e.optimizer for e in summary.ends] == ["Momentum", "fast"]
    assert all(e.starts == 2 for e in summary.ends)


def test_one_start_compares_nothing() -> None:
    assert summarize(solved("optimizers-1")).ends == ()
    assert printed.comparison(solved("optimizers-1")).notes == ()


def test_the_explanation_of_each_start_names_it() -> None:
    solution = solved("minima-1")
    first = [s for s in solution.steps if s.iteration == 0]
    assert [s.key for s in first] == ["start1.f", "start2.f"]
    assert "desde −0.5" in first[0].explanation and "desde 0.5" in first[1].explanation
    assert all("varios puntos" in s.explanation for s in first)


# --- the pictures --------------------------------------------------------------------------------


def test_each_start_is_its_own_path_in_its_own_colour() -> None:
    solution = solved("minima-1")
    found = index(solution)
    assert found is not None
    assert [(p.series, p.shape.prefix, len(p.points)) for p in found.paths] == [
        (0, "start1.", 9),
        (1, "start2.", 9),
    ]
    assert found.paths[0].points[0] == [-0.5] and found.paths[1].points[0] == [0.5]
    drawn = contour_scene(solution, len(solution.steps), None, "es", 80)
    marks = {item.series for item in drawn.items if isinstance(item, Label) and item.text in "12○"}
    assert {0, 1} <= marks
    text = "\n".join(line.plain for line in render_rich.render_lines(drawn))
    assert "1 Desde −0.5" in text and "2 Desde 0.5" in text
    assert f"{START_MARK} salida de cada uno" in text


def test_both_minima_are_marked() -> None:
    """A lesson comparing starts marks every valley they end in, not only the lowest."""
    solution = solved("minima-1")
    low, high = minima()
    found = index(solution)
    assert found is not None
    shown = found.minima()
    assert len(shown) == 2
    assert shown[0][0] == pytest.approx(low, abs=1e-4)
    assert shown[1][0] == pytest.approx(high, abs=1e-4)
    drawn = contour_scene(solution, 1, 1, "es", 80)  # before the paths reach them
    stars = [i for i in drawn.items if isinstance(i, Label) and i.text == MIN_MARK]
    assert len(stars) == 3  # two in the plot, one in the note
    text = "\n".join(line.plain for line in render_rich.render_lines(drawn))
    assert "mín ≈ −1.06, 0.93" in text


def test_one_start_marks_one_minimum() -> None:
    found = index(solved("descent-1"))
    assert found is not None and len(found.minima()) == 1


def test_the_paths_are_drawn_in_the_plane_too() -> None:
    solution = solve(lesson_from_text(TWO_BY_TWO, "two"))
    drawn = contour_scene(solution, len(solution.steps), None, "en", 100, height=20)
    series = {w.series for w in drawn.items if isinstance(w, Wire) and w.role is not Role.AXIS}
    assert series == {0, 1, 2, 3}


# --- the printed solution ------------------------------------------------------------------------


def test_the_printed_comparison_names_the_starts() -> None:
    table = printed.comparison(solved("minima-1"))
    assert table.title == "Dónde acaba cada punto de salida"
    assert table.head[0] == "Salida"
    assert [(r[0], r[2], r[3]) for r in table.rows] == [
        ("Desde −0.5", ("-1.0575",), "-1.5148"),
        ("Desde 0.5", ("0.9288",), "-0.5167"),
    ]
    assert table.notes == (
        "Los 2 puntos de salida acaban en 2 puntos distintos: el más bajo, f = −1.5148, "
        "desde −0.5.",
    )


@pytest.mark.parametrize("fmt", ["md", "tex", "html"])
def test_every_format_says_where_the_starts_ended(
    fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["solve", "minima-1", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert "acaban en 2 puntos distintos" in out
    assert "start1." not in out and "start2." not in out


def test_the_data_list_each_start_under_its_run() -> None:
    from stepper.printers.data import build_data

    groups = build_data(solved("minima-1"))
    assert [(g.title, [(s.unicode(), v) for s, v in g.values]) for g in groups] == [
        ("Desde −0.5", [("w", "-0.5"), ("α", "0.1")]),
        ("Desde 0.5", [("w", "0.5"), ("α", "0.1")]),
    ]


def test_the_exam_statement_gives_every_start() -> None:
    statement = printed.statement(solved("minima-1"))
    assert statement[1:] == ["w = -0.5", "w = 0.5"]


def test_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["solve", "minima-1", "--format", "json"]) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert [s["key"] for s in steps[:4]] == ["start1.f", "start1.grad[w]", "start1.w", "start1.f"]
    assert steps[25]["key"] == "start2.f" and steps[25]["iteration"] == 0


# --- editing and errors --------------------------------------------------------------------------


def test_each_start_can_be_edited() -> None:
    lesson = lesson_from_text((LESSONS / "minima-1.yaml").read_text(), "minima-1")
    numbers = editable_numbers(lesson, [], "es")
    assert [(n.path, n.name) for n in numbers][:2] == [
        (("start", 0, 0), "w⁽⁰⁾ (1)"),
        (("start", 1, 0), "w⁽⁰⁾ (2)"),
    ]
    changed = with_number(lesson, ("start", 1, 0), 1.5, "en")
    assert solve(changed).steps[25].operands[0].value == 1.5
    with pytest.raises(ValueError, match="start point 2 is start point 1 again"):
        with_number(lesson, ("start", 1, 0), -0.5, "en")


BASE = """\
kind: optimize
function: w**4 - 2*w**2 + 0.5*w
variables: [w]
start: [[-0.5], [0.5]]
optimizers:
  - name: gradient_descent
    learning_rate: 0.1
"""


def test_the_base_lesson_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems(BASE, tmp_path, capsys) == []


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        ("[[-0.5], [0.5, 1]]", "4:17: start point 2 has 2 numbers; the function has 1 variable"),
        ("[-0.5, 0.5]", "4:8: the start point has 2 numbers; the function has 1 variable (w); "),
        ("[[-0.5], [-0.5]]", "4:17: start point 2 is start point 1 again"),
        ("[[-0.5], 0.5]", "4:17: start[2]: "),
        ("[[-0.5], ['a']]", "4:18: start[2][1]: "),
        ("[[-0.5], [.nan]]", "4:18: start[2][1]: "),
        ("[[-0.5], []]", "4:17: start[2]: "),
        ("[[-0.5], {w: 1}]", "4:17: start[2]: "),
        ("[[0], [-1]]", "4:14: the function cannot be computed at the start"),
        ("[" + ", ".join(f"[{k}]" for k in range(11)) + "]", "4:8: start: "),
    ],
)
def test_located_problems(
    start: str, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("start: [[-0.5], [0.5]]", f"start: {start}")
    if start == "[[0], [-1]]":
        text = text.replace("w**4 - 2*w**2 + 0.5*w", "sqrt(w) + w")
    found = problems(text, tmp_path, capsys)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_the_flat_list_says_how_to_write_several(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("start: [[-0.5], [0.5]]", "start: [-0.5, 0.5, 1, 2]")
    (found,) = problems(text, tmp_path, capsys)
    assert found.endswith("one list per start: [[-0.5], [0.5], [1], …]"), found


def test_notes_take_the_prefixed_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok = BASE + "notes:\n  start2.w: the local minimum\n"
    assert problems(ok, tmp_path, capsys) == []
    bad = BASE + "notes:\n  start3.w: no such start\n  w: no prefix\n"
    found = problems(bad, tmp_path, capsys)
    assert [p.split(":")[0] for p in found] == ["9", "10"], found
    assert all("is not a step key" in p for p in found), found


def test_the_step_limit_counts_every_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One optimiser, 10,000 iterations: 30,001 steps a start; 10 starts of 10 Adams pass the
    limit of 1,000,000 where one start does not."""
    adams = "".join(f"  - {{name: adam, id: a{k}, learning_rate: 0.01}}\n" for k in range(10))
    one = BASE.replace("start: [[-0.5], [0.5]]", "start: [0.3]").split("optimizers:")[0]
    one += "optimizers:\n" + adams + "iterations: 10000\n"
    assert problems(one, tmp_path, capsys) == []
    ten = one.replace("start: [0.3]", "start: [" + ", ".join(f"[{k}]" for k in range(10)) + "]")
    (found,) = problems(ten, tmp_path, capsys)
    assert "steps; the limit is 1,000,000" in found


def test_divergence_names_the_start(capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace("start: [[-0.5], [0.5]]", "start: [[0.1], [3]]") + "iterations: 30\n"
    with pytest.raises(LessonError) as refused:
        solve(lesson_from_text(text, "far"), "en")
    message = str(refused.value)
    assert re.search(r"gradient_descent from start point 2, iteration \d+", message), message
    assert "diverges" in message


@pytest.mark.slow
def test_the_app_edits_a_start_and_walks_from_it() -> None:
    """In the app, the second start changed to 1.5: the lesson is solved again from there."""
    import asyncio

    from tests.tui_helpers import make_app, settle

    app = make_app("minima-1")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter", "e", "down", "enter")
            app.screen.query_one("#edit-input").value = ""  # type: ignore[attr-defined]
            await pilot.press(*"1.5", "enter")
            await settle(pilot)
            assert app.modified
            assert app.solution is not None
            firsts = [s for s in app.solution.steps if s.key == "start2.f" and s.iteration == 0]
            assert firsts[0].value == pytest.approx(f(1.5))

    asyncio.run(main())


@pytest.mark.slow
def test_the_history_names_each_start() -> None:
    """The app's history heads each block with the run it belongs to: a block of the second
    start says "Desde 0.5", one of a lesson with one run names none."""
    import asyncio

    from tests.tui_helpers import history_text, make_app, settle

    async def walk(lesson_id: str, presses: list[str]) -> str:
        app = make_app(lesson_id)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press(*presses)
            await pilot.pause()
            return history_text(app)

    second = asyncio.run(walk("minima-1", ["enter", "g", *"start2.f", "enter", "n", "n"]))
    assert "Desde 0.5 · hacia delante" in second and "Desde −0.5" not in second
    alone = asyncio.run(walk("descent-1", ["enter", "n", "n"]))
    assert "hacia delante" in alone and "Desde" not in alone and "Descenso" not in alone
