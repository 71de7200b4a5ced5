"""The optimize picture: f's contour lines, the iterates' paths on them, and the loss curves."""

from __future__ import annotations

import gc
import io
import re
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator

import pytest
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.style import Style

from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.numbers import pretty
from stepper.picture import network_picture
from stepper.picture_optimize import (
    AHEAD_MARK,
    HEIGHT,
    MIN_MARK,
    SPARKS,
    START_MARK,
    TALL_HEIGHT,
    optimize_picture,
)
from stepper.steps import Solution
from tests.conftest import builtin_ids_of, solved

# --- rendering ---------------------------------------------------------------------------------


def render(picture: RenderableType, width: int = 80, height: int | None = None) -> str:
    console = Console(width=width, height=height, record=True, file=io.StringIO())
    console.print(picture)
    return console.export_text()


def picture(solution: Solution, revealed: int, current: int | None, width: int = 80) -> str:
    return render(optimize_picture(solution, revealed, current, solution.language, width), width)


def raw_lines(solution: Solution, revealed: int, current: int | None, width: int) -> list[str]:
    """The lines as drawn, on a console wide enough not to crop them."""
    pic = optimize_picture(solution, revealed, current, solution.language, width)
    return render(pic, 400).rstrip("\n").split("\n")


Styled = list[tuple[str, Style | None]]


def styled_lines(solution: Solution, revealed: int, current: int | None) -> list[Styled]:
    console = Console(width=80, file=io.StringIO())
    pic = optimize_picture(solution, revealed, current, solution.language, 80)
    lines = []
    for line in console.render_lines(pic, pad=False):
        chars: Styled = []
        for seg in line:
            chars += [(ch, seg.style) for ch in seg.text]
        lines.append(chars)
    return lines


class Plot:
    """The plot of a picture: its cells, and where its axes put round values."""

    def __init__(self, text: str) -> None:
        lines = text.split("\n")
        self.axis = next(k for k, line in enumerate(lines) if "└" in line)
        axis = lines[self.axis]
        self.left = axis.index("└") + 1
        run = re.match(r"[─┬]+", axis[self.left :])
        assert run is not None
        self.cols = len(run.group())
        self.rows = [line[self.left : self.left + self.cols] for line in lines[: self.axis]]
        self.x_ticks: dict[str, int] = {}
        labels = lines[self.axis + 1]
        for c in range(self.cols):
            if axis[self.left + c] == "┬":
                token = next(
                    m.group()
                    for m in re.finditer(r"−?\d+(?:\.\d+)?", labels)
                    if m.start() <= self.left + c < m.end()
                )
                self.x_ticks[token] = c
        self.y_ticks = {
            line[: self.left - 1].strip(): r
            for r, line in enumerate(lines[: self.axis])
            if line[self.left - 1 : self.left] == "┤"
        }

    def find(self, char: str) -> list[tuple[int, int]]:
        """(row, column) of every cell showing ``char``."""
        return [(r, c) for r, row in enumerate(self.rows) for c, ch in enumerate(row) if ch == char]

    def text(self) -> str:
        return "\n".join(self.rows)


def index_of(solution: Solution, key: str, iteration: int | None = None) -> int:
    return next(
        k
        for k, st in enumerate(solution.steps)
        if st.key == key and (iteration is None or st.iteration == iteration)
    )


def positions(solution: Solution, every: int = 1) -> Iterator[tuple[int, int | None]]:
    """Positions of a walk: each step being computed, then with its value shown."""
    n = len(solution.steps)
    yield 0, None
    for k in range(0, n, every):
        yield k, k
        yield k + 1, k
    yield n, None


@pytest.fixture(scope="module")
def gradient1(builtin: dict[str, Solution]) -> Solution:
    return builtin["gradient-1"]


@pytest.fixture(scope="module")
def descent1(builtin: dict[str, Solution]) -> Solution:
    return builtin["descent-1"]


@pytest.fixture(scope="module")
def optimizers1(builtin: dict[str, Solution]) -> Solution:
    return builtin["optimizers-1"]


# --- one step of gradient descent ---------------------------------------------------------------


def test_the_start_is_marked_at_1_2(gradient1: Solution) -> None:
    text = picture(gradient1, 0, 0)
    plot = Plot(text)
    assert plot.find("0") == [(plot.y_ticks["2"], plot.x_ticks["1"])]
    # the minimum of x² + y², at the origin
    assert plot.find(MIN_MARK) == [(plot.y_ticks["0"], plot.x_ticks["0"])]
    # the table of iterates: t = 0 at (1, 2), f being computed
    assert re.search(r"t\s+x\s+y\s+f", text)
    assert re.search(r"\b0\s+1\s+2\s+·", text)
    # the point being worked at is lit
    lines = styled_lines(gradient1, 0, 0)
    r, c = plot.find("0")[0]
    ch, style = lines[r][plot.left + c]
    assert ch == "0" and style is not None and style.reverse


def test_the_new_point_appears_once_revealed(gradient1: Solution) -> None:
    y = index_of(gradient1, "y", 1)
    before = Plot(picture(gradient1, y, y))  # x is known, y is being computed
    assert before.find("1") == []
    assert "0.8" in picture(gradient1, y, y)
    text = picture(gradient1, y + 1, y + 1)
    after = Plot(text)
    [(r0, c0)] = after.find("0")
    [(r1, c1)] = after.find("1")
    assert r1 > r0 and c1 < c0  # down and to the left: towards the minimum
    assert re.search(r"\b1\s+0\.8\s+1\.6\b", text)
    # the two points are joined by a line
    assert re.search(r"[─│╱╲]", after.text())


def test_title_screen_lights_nothing(gradient1: Solution) -> None:
    for line in styled_lines(gradient1, 0, None):
        assert not any(style is not None and style.reverse for _, style in line)


# --- the zig-zag --------------------------------------------------------------------------------


def test_descent_zig_zags_across_the_valley(descent1: Solution) -> None:
    ys = [st.value for st in descent1.steps if st.key == "y"]
    xs = [st.value for st in descent1.steps if st.key == "x"]
    assert len(ys) == 5
    assert all(a * b < 0 for a, b in zip([1.5, *ys], ys, strict=False))  # y changes sign
    n = len(descent1.steps)
    plot = Plot(picture(descent1, n, None))
    floor = plot.y_ticks["0"]
    spots = []
    for t in range(6):
        found = plot.find(str(t))
        assert len(found) == 1, t
        spots.append(found[0])
    sides = [r - floor for r, _ in spots]
    for t, (side, y) in enumerate(zip(sides, [1.5, *ys], strict=True)):
        assert side != 0 and (side < 0) == (y > 0), t  # above the axis when y > 0
    columns = [c for _, c in spots]
    assert columns == sorted(columns, reverse=True)  # x creeps towards 0
    assert all(a > b for a, b in zip([4.0, *xs], xs, strict=False))
    assert "╱" in plot.text() and "╲" in plot.text()


def test_the_path_grows_as_it_is_revealed(descent1: Solution) -> None:
    seen = []
    for k, st in enumerate(descent1.steps):
        if st.key == "f":
            plot = Plot(picture(descent1, k, k))
            seen.append(sum(len(plot.find(str(t))) for t in range(6)))
    assert seen == [1, 2, 3, 4, 5, 6]


def test_the_table_fills_in_value_by_value(descent1: Solution) -> None:
    x = index_of(descent1, "x", 1)
    text = picture(descent1, x + 1, x + 1)
    assert re.search(r"\b1\s+3\.28\s+·\s+·", text)
    text = picture(descent1, x + 2, x + 2)
    assert re.search(r"\b1\s+3\.28\s+−1\.2\s+·", text)


# --- several optimisers -------------------------------------------------------------------------

NAMES = ["Momento", "Nesterov", "Adagrad", "AdaDelta", "Adam"]


def legend(text: str, name: str) -> str:
    """The optimiser's line of the legend, from its mark on."""
    return next(m.group() for m in re.finditer(rf"\d {name} .*", text))


def test_a_legend_and_a_curve_per_optimizer(optimizers1: Solution) -> None:
    n = len(optimizers1.steps)
    text = picture(optimizers1, n, None)
    assert "f por iteración" in text
    prefixes = ["momentum", "nesterov", "adagrad", "adadelta", "adam"]
    for k, (name, prefix) in enumerate(zip(NAMES, prefixes, strict=True)):
        line = legend(text, name)
        assert line.split()[0] == str(k + 1)
        curve = re.search(rf"[{SPARKS}]+", line)
        assert curve is not None and len(curve.group()) == 4, name  # f at t = 0…3
        last = next(st for st in reversed(optimizers1.steps) if st.key == f"{prefix}.f")
        assert line.rstrip().endswith(pretty(last.shown)), name
        assert Plot(text).find(str(k + 1)), name  # every path is drawn
    assert f"{START_MARK} salida (−1.5, 2)" in text


def test_curves_fill_in_optimizer_by_optimizer(optimizers1: Solution) -> None:
    at = index_of(optimizers1, "adagrad.f", 1)
    text = picture(optimizers1, at + 1, at + 1)
    plot = Plot(text)
    curves = {name: re.findall(rf"[{SPARKS}·]", legend(text, name)) for name in NAMES}
    assert all(ch != "·" for ch in curves["Momento"] + curves["Nesterov"])
    assert [ch == "·" for ch in curves["Adagrad"]] == [False, False, True, True]
    assert curves["AdaDelta"] == ["·"] * 4 and curves["Adam"] == ["·"] * 4
    assert plot.find("1") and plot.find("2") and plot.find("3")
    assert not plot.find("4") and not plot.find("5")  # they have not left the start yet
    assert plot.find(START_MARK)


def test_the_current_optimizer_is_lit(optimizers1: Solution) -> None:
    at = index_of(optimizers1, "adadelta.f", 0)
    text = picture(optimizers1, at, at)
    lines = styled_lines(optimizers1, at, at)
    plot = Plot(text)
    [(r, c)] = plot.find("4")  # AdaDelta at the start, lit
    assert lines[r][plot.left + c][1] is not None and lines[r][plot.left + c][1].reverse
    row = next(k for k, line in enumerate(text.split("\n")) if "AdaDelta" in line)
    mark = next((ch, s) for ch, s in lines[row][plot.left + plot.cols :] if ch == "4")
    assert mark[1] is not None and mark[1].reverse


def test_the_minimum_far_away_is_pointed_at(optimizers1: Solution) -> None:
    text = picture(optimizers1, 0, 0)
    assert f"{MIN_MARK} mín ≈ (1, 1) ↘" in text
    assert not Plot(text).find(MIN_MARK)  # (1, 1) is off the paths' box


def test_nesterov_looks_ahead(optimizers1: Solution) -> None:
    at = index_of(optimizers1, "nesterov.grad[x]", 2)
    text = picture(optimizers1, at, at)
    assert Plot(text).find(AHEAD_MARK)
    assert "(x̃, ỹ) mira adelante" in text
    after = index_of(optimizers1, "nesterov.f", 2)
    assert not Plot(picture(optimizers1, after, after)).find(AHEAD_MARK)


def test_english() -> None:
    solution = solved("optimizers-1", "en")
    text = render(network_picture(solution, 0, 0, "en", 80))
    assert "f per iteration" in text and "Momentum" in text and "start (−1.5, 2)" in text
    assert "min ≈ (1, 1)" in text


# --- every lesson, every size --------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
@pytest.mark.parametrize("width", [40, 58, 78, 80, 120])
def test_fits_the_width(builtin: dict[str, Solution], lesson_id: str, width: int) -> None:
    """78 is what the walk screen gives at 80 columns (58 at its smallest, 60)."""
    solution = builtin[lesson_id]
    for revealed, current in positions(solution):
        lines = raw_lines(solution, revealed, current, width)
        assert max(cell_len(line) for line in lines) <= width, (revealed, current)
        assert len(lines) <= HEIGHT, (revealed, current)


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
def test_taller_on_a_big_screen(builtin: dict[str, Solution], lesson_id: str) -> None:
    solution = builtin[lesson_id]
    pic = optimize_picture(solution, 5, 5, solution.language, 118)
    tall = render(pic, 118, 40).rstrip("\n").split("\n")
    assert HEIGHT < len(tall) <= TALL_HEIGHT
    assert len(render(pic, 118, 24).rstrip("\n").split("\n")) <= HEIGHT  # 120×24: no room
    assert len(render(optimize_picture(solution, 5, 5, "es", 78), 78, 40).split("\n")) <= HEIGHT + 1


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
def test_numbers_use_the_unicode_minus(builtin: dict[str, Solution], lesson_id: str) -> None:
    solution = builtin[lesson_id]
    for revealed, current in positions(solution):
        assert not re.search(r"-\d", picture(solution, revealed, current)), (revealed, current)


def test_fast() -> None:
    for lesson_id in builtin_ids_of("optimize"):
        solution = solved(lesson_id)  # a new solution: nothing of it is cached yet
        # CPU time: a busy machine (other processes, a second test worker) does not count.
        start = time.process_time()
        render(optimize_picture(solution, 0, 0, "es", 78))
        assert time.process_time() - start < 0.1, lesson_id
        start = time.process_time()
        for k in range(len(solution.steps)):
            render(optimize_picture(solution, k + 1, k, "es", 78))
        assert (time.process_time() - start) / len(solution.steps) < 0.02, lesson_id


def test_network_picture_draws_optimize_lessons(optimizers1: Solution) -> None:
    at = index_of(optimizers1, "adam.x", 2)
    assert render(network_picture(optimizers1, at, at, "es", 80)) == picture(optimizers1, at, at)


def test_pure_function_of_its_arguments(optimizers1: Solution, descent1: Solution) -> None:
    before = picture(optimizers1, 40, 40)
    for revealed, current in positions(descent1):
        picture(descent1, revealed, current, 120)
    picture(optimizers1, 100, 100, 58)
    assert picture(optimizers1, 40, 40) == before


def test_does_not_keep_a_solution_alive() -> None:
    solution = solved("gradient-1")
    picture(solution, 3, 3)
    ref = weakref.ref(solution)
    del solution
    gc.collect()
    assert ref() is None


def test_imports_neither_textual_nor_sympy() -> None:
    code = (
        "import sys, stepper.picture_optimize; "
        "print('textual' in sys.modules, 'sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


# --- other shapes of lesson ----------------------------------------------------------------------


def lesson(function: str, variables: str, start: str, optimizers: str, iterations: int) -> Solution:
    return solve(
        lesson_from_text(
            f"kind: optimize\nlanguage: en\nfunction: {function}\nvariables: [{variables}]\n"
            f"start: [{start}]\niterations: {iterations}\noptimizers:\n{optimizers}",
            "test",
        )
    )


GD = "  - {name: gradient_descent, learning_rate: 0.05}\n"
ADAM = "  - {name: adam, learning_rate: 0.1}\n"


def test_one_variable_draws_the_curve() -> None:
    solution = lesson("x**4 - 3*x**2 + x", "x", "2", GD, 4)
    n = len(solution.steps)
    text = picture(solution, n, None)
    plot = Plot(text)
    spots = [plot.find(str(t)) for t in range(5)]
    assert all(len(s) == 1 for s in spots)
    rows = [s[0][0] for s in spots]
    assert rows[0] < rows[1]  # f falls: the first step goes down the curve
    assert "·" in plot.text()  # the curve
    assert f"{MIN_MARK} min ≈ 1.13" in text  # the local minimum the path heads to
    assert re.search(r"t\s+x\s+f", text)


def test_three_variables_give_the_table() -> None:
    solution = lesson("x**2 + 2*y**2 + 3*z**2", "x, y, z", "1, 1, 1", GD + ADAM, 2)
    at = index_of(solution, "adam.f", 1)
    text = picture(solution, at + 1, at + 1)
    assert "└" not in text  # no plot
    assert re.search(r"x\s+y\s+z\s+f", text)
    gd = next(line for line in text.split("\n") if "Descent" in line)
    assert re.search(r"0\.81\s+0\.64\s+0\.49\s+", gd)  # each coordinate times 1 − 2·0.05·k
    adam = next(line for line in text.split("\n") if "Adam" in line)
    assert re.search(r"0\.9\s+0\.9\s+0\.9\s+4\.86", adam)


def test_a_long_run_is_windowed() -> None:
    solution = lesson("(1 - x)**2 + 100*(y - x**2)**2", "x, y", "-1.2, 1", ADAM, 40)
    for width in (58, 80, 120):
        for revealed, current in positions(solution, every=23):
            lines = raw_lines(solution, revealed, current, width)
            assert max(cell_len(line) for line in lines) <= width
            assert len(lines) <= HEIGHT
    at = index_of(solution, "f", 30)
    text = picture(solution, at, at)
    assert "⋮" in text and re.search(rf"f [{SPARKS}·]{{20,}}", text)
    assert re.search(r"\b30\s+−?\d", text)  # the row being computed is shown


def test_no_minimum_when_f_keeps_falling() -> None:
    solution = lesson("x + y**2", "x, y", "1, 1", GD, 3)
    text = picture(solution, 5, 5)
    assert MIN_MARK not in text
    assert Plot(text).find("0")


def test_the_gradient_points_downhill_until_the_step_is_taken(gradient1: Solution) -> None:
    """∇f(1, 2) = [2, 4]: once both derivatives are known, −∇f is drawn from (1, 2), down and
    to the left, towards the minimum; the new point replaces it."""
    gy = index_of(gradient1, "grad[y]", 1)
    assert "−∇f" not in picture(gradient1, gy, gy)  # ∂f/∂y still being computed
    text = picture(gradient1, gy + 1, gy + 1)
    plot = Plot(text)
    [(r, c)] = plot.find("↙")
    [(r0, c0)] = plot.find("0")
    [(rm, cm)] = plot.find(MIN_MARK)
    assert r0 < r < rm and cm < c < c0
    assert "↙ −∇f: máximo descenso" in text
    y = index_of(gradient1, "y", 1)
    after = picture(gradient1, y + 1, y + 1)
    assert "−∇f" not in after and not Plot(after).find("↙")
