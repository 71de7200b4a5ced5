"""The optimize picture as a scene: f's contour lines, the iterates' paths on them, the loss curves.

The layout is checked on the scene itself (labels, wires, roles, positions), against what the
steps say independently of the picture: which points are revealed, which step is current, the
values the engine computed. What the terminal shows is checked through ``render_rich``.
"""

from __future__ import annotations

import gc
import io
import pickle
import re
import shutil
import subprocess
import sys
import weakref
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console, RenderableType

from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.numbers import pretty
from stepper.pictures import render_rich
from stepper.pictures.contour import HEIGHT, TALL_HEIGHT, contour_scene
from stepper.pictures.contour_panel import AHEAD_MARK, MIN_MARK, SPARKS, START_MARK
from stepper.pictures.scene import Label, Raster, Role, Scene, Wire
from stepper.pictures.terminal import picture as terminal_picture
from stepper.steps import Solution
from tests.conftest import builtin_ids_of, compile_latex, positions, solved

# --- reading a scene ---------------------------------------------------------------------------


def scene(solution: Solution, revealed: int, current: int | None, width: int = 80) -> Scene:
    return contour_scene(solution, revealed, current, solution.language, width)


def text(picture: Scene) -> str:
    """What the terminal shows."""
    return "\n".join(line.plain for line in render_rich.render_lines(picture))


def picture(solution: Solution, revealed: int, current: int | None, width: int = 80) -> str:
    return text(scene(solution, revealed, current, width))


class Plot:
    """The plot of a scene: where its axes are, their round values, and the marks inside it."""

    def __init__(self, picture: Scene) -> None:
        self.scene = picture
        axis = next(w for w in picture.items if isinstance(w, Wire) and w.role is Role.AXIS)
        (left, top), (_, bottom), (right, _) = axis.points
        assert top == 0
        self.left, self.rows, self.cols = int(left) + 1, int(bottom), int(right - left)
        labels = picture.labels()
        self.y_ticks = {
            lab.text: int(lab.y)
            for lab in labels
            if lab.role is Role.AXIS
            and lab.x + lab.width == left
            and any(t.text == "┤" and t.x == left and t.y == lab.y for t in labels)
        }
        self.x_ticks: dict[str, int] = {}
        for tick in labels:
            if tick.text == "┬" and tick.y == bottom:
                value = next(
                    lab
                    for lab in labels
                    if lab.y == bottom + 1 and lab.x <= tick.x < lab.x + lab.width
                )
                self.x_ticks[value.text] = int(tick.x) - self.left
        self.marks = [
            lab
            for lab in labels
            if self.left <= lab.x < self.left + self.cols and 0 <= lab.y < self.rows
        ]

    def find(self, char: str) -> list[tuple[int, int]]:
        """(row, column) of every mark showing ``char``."""
        return [(int(m.y), int(m.x) - self.left) for m in self.marks if m.text == char]

    def at(self, row: int, col: int) -> Label:
        return next(m for m in self.marks if (m.y, m.x - self.left) == (row, col))

    def wires(self) -> list[Wire]:
        """The optimisers' paths."""
        return [w for w in self.scene.items if isinstance(w, Wire) and w.series is not None]

    def text(self) -> str:
        """The plot's cells as the terminal draws them."""
        lines = text(self.scene).split("\n")[: self.rows]
        return "\n".join(line[self.left : self.left + self.cols] for line in lines)


def index_of(solution: Solution, key: str, iteration: int | None = None) -> int:
    return next(
        k
        for k, st in enumerate(solution.steps)
        if st.key == key and (iteration is None or st.iteration == iteration)
    )


@pytest.fixture(scope="module")
def gradient1(builtin: dict[str, Solution]) -> Solution:
    return builtin["gradient-1"]


@pytest.fixture(scope="module")
def descent1(builtin: dict[str, Solution]) -> Solution:
    return builtin["descent-1"]


@pytest.fixture(scope="module")
def optimizers1(builtin: dict[str, Solution]) -> Solution:
    return builtin["optimizers-1"]


# --- what every scene keeps to, for every optimize lesson at every position -------------------


def revealed_points(solution: Solution, prefix: str, revealed: int) -> int:
    """How many points of the optimiser with key ``prefix`` have every coordinate revealed,
    read from the steps alone (the start is always known)."""
    assert solution.optimize is not None
    names = {prefix + v for v in solution.optimize.variables}
    last: dict[int, int] = {}
    for k, st in enumerate(solution.steps):
        if st.key in names:
            last[st.iteration] = k
    count = 1
    while count in last and last[count] < revealed:
        count += 1
    return count


def check_scene(solution: Solution, picture: Scene, revealed: int, current: int | None) -> None:
    labels = picture.labels()
    cells: dict[tuple[int, int], Label] = {}
    for lab in labels:
        assert lab.text and lab.text == lab.text.strip(), lab
        assert lab.x >= 0 and lab.x + lab.width <= picture.width, lab
        assert 0 <= lab.y < picture.height, lab
        for c in range(int(lab.x), int(lab.x) + lab.width):
            other = cells.setdefault((c, int(lab.y)), lab)
            assert other is lab, f"{lab} overlaps {other}"
    for item in picture.items:
        if isinstance(item, Wire):
            assert all(0 <= x < picture.width and 0 <= y < picture.height for x, y in item.points)
        if isinstance(item, Raster):
            assert item.x >= 0 and item.y + len(item.levels) <= picture.height
            assert all(item.x + len(row) <= picture.width for row in item.levels)
    assert solution.optimize is not None
    optimizers = solution.optimize.optimizers
    many = len(optimizers) > 1
    lit = [lab for lab in labels if lab.role is Role.CURRENT]
    if current is None:
        assert not lit
    else:
        step = solution.steps[current]
        k, owner = next((k, o) for k, o in enumerate(optimizers) if step.key.startswith(o.prefix))
        expected = str(k + 1) if many else None
        assert lit, "the current iterate is lit"
        if many:
            assert any(lab.text == expected and lab.series == k for lab in lit)
        elif len(solution.optimize.variables) <= 2:
            t = revealed_points(solution, owner.prefix, revealed) - 1
            points = solution.optimize.iterations + 1
            mark = str(t) if points <= 10 else ("0" if t == 0 else "•")
            assert any(lab.text == mark for lab in lit), (mark, lit)
    if len(solution.optimize.variables) == 2:
        plot = Plot(picture)
        for wire in plot.wires():
            if wire.role is Role.PLAIN:
                prefix = optimizers[wire.series or 0].prefix
                assert len(wire.points) == revealed_points(solution, prefix, revealed)


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
@pytest.mark.parametrize("width", [60, 80])
def test_every_position_fits_without_overlap(
    builtin: dict[str, Solution], lesson_id: str, width: int
) -> None:
    solution = builtin[lesson_id]
    every = max(1, len(solution.steps) // 40)
    for revealed, current in positions(solution, every):
        picture = scene(solution, revealed, current, width)
        assert (picture.width, picture.height) == (width, HEIGHT)
        check_scene(solution, picture, revealed, current)


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
@pytest.mark.parametrize("width", [40, 58, 78, 120])
def test_fits_the_terminal(builtin: dict[str, Solution], lesson_id: str, width: int) -> None:
    """78 is what the walk screen gives at 80 columns (58 at its smallest, 60)."""
    solution = builtin[lesson_id]
    for revealed, current in positions(solution, max(1, len(solution.steps) // 40)):
        picture = scene(solution, revealed, current, width)
        check_scene(solution, picture, revealed, current)
        lines = render_rich.render_lines(picture)
        assert len(lines) <= HEIGHT and max(line.cell_len for line in lines) <= width


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
def test_taller_when_given_the_rows(builtin: dict[str, Solution], lesson_id: str) -> None:
    solution = builtin[lesson_id]
    tall = contour_scene(solution, 5, 5, "es", 118, height=TALL_HEIGHT)
    check_scene(solution, tall, 5, 5)
    used = max(int(item.y) for item in tall.labels())
    assert HEIGHT <= used < TALL_HEIGHT


def rows(picture: RenderableType, width: int, height: int | None) -> list[str]:
    console = Console(width=width, height=height, record=True, file=io.StringIO())
    console.print(picture)
    return console.export_text().rstrip("\n").split("\n")


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
def test_the_app_draws_it_taller_on_a_big_screen(
    builtin: dict[str, Solution], lesson_id: str
) -> None:
    """The app's picture is the layout drawn in Rich cells, as tall as the screen allows."""
    solution = builtin[lesson_id]
    drawn = terminal_picture(solution, 5, 5, "es", 118)
    assert HEIGHT < len(rows(drawn, 118, 40)) <= TALL_HEIGHT
    assert len(rows(drawn, 118, 24)) <= HEIGHT  # 120×24: no room
    assert len(rows(terminal_picture(solution, 5, 5, "es", 78), 78, 40)) <= HEIGHT
    expected = render_rich.render(contour_scene(solution, 5, 5, "es", 78)).plain.rstrip("\n")
    assert "\n".join(rows(terminal_picture(solution, 5, 5, "es", 78), 78, 24)) == expected


# --- one step of gradient descent ---------------------------------------------------------------


def test_the_start_is_marked_at_1_2(gradient1: Solution) -> None:
    picture = scene(gradient1, 0, 0)
    plot = Plot(picture)
    assert plot.find("0") == [(plot.y_ticks["2"], plot.x_ticks["1"])]
    # the minimum of x² + y², at the origin
    assert plot.find(MIN_MARK) == [(plot.y_ticks["0"], plot.x_ticks["0"])]
    assert plot.at(*plot.find(MIN_MARK)[0]).role is Role.MARK
    # the table of iterates: t = 0 at (1, 2), f being computed
    shown = text(picture)
    assert re.search(r"t\s+x\s+y\s+f", shown)
    assert re.search(r"\b0\s+1\s+2\s+·", shown)
    # the point being worked at is lit
    assert plot.at(*plot.find("0")[0]).role is Role.CURRENT


def test_the_new_point_appears_once_revealed(gradient1: Solution) -> None:
    y = index_of(gradient1, "y", 1)
    before = scene(gradient1, y, y)  # x is known, y is being computed
    assert Plot(before).find("1") == []
    assert "0.8" in text(before)
    after = scene(gradient1, y + 1, y + 1)
    plot = Plot(after)
    [(r0, c0)] = plot.find("0")
    [(r1, c1)] = plot.find("1")
    assert r1 > r0 and c1 < c0  # down and to the left: towards the minimum
    assert re.search(r"\b1\s+0\.8\s+1\.6\b", text(after))
    # the two points are joined by a line, from one to the other
    [wire] = plot.wires()
    assert [(y, x - plot.left) for x, y in wire.points] == [(r0, c0), (r1, c1)]
    assert re.search(r"[─│╱╲]", plot.text())


def test_title_screen_lights_nothing(gradient1: Solution) -> None:
    assert not [lab for lab in scene(gradient1, 0, None).labels() if lab.role is Role.CURRENT]


def test_the_gradient_points_downhill_until_the_step_is_taken(gradient1: Solution) -> None:
    """∇f(1, 2) = [2, 4]: once both derivatives are known, −∇f is drawn from (1, 2), down and
    to the left, towards the minimum; the new point replaces it."""
    gy = index_of(gradient1, "grad[y]", 1)
    assert "−∇f" not in picture(gradient1, gy, gy)  # ∂f/∂y still being computed
    assert not [w for w in scene(gradient1, gy, gy).items if isinstance(w, Wire) and w.arrow]
    drawn = scene(gradient1, gy + 1, gy + 1)
    plot = Plot(drawn)
    [arrow] = [w for w in drawn.items if isinstance(w, Wire) and w.arrow]
    (ac, ar), (hc, hr) = arrow.points
    [(r0, c0)] = plot.find("0")
    [(rm, cm)] = plot.find(MIN_MARK)
    assert (ar, ac - plot.left) == (r0, c0)  # from the point being worked from
    assert r0 < hr < rm and cm < hc - plot.left < c0  # towards the minimum
    shown = Plot(drawn).text()
    [(r, c)] = [
        (r, c) for r, line in enumerate(shown.split("\n")) for c, ch in enumerate(line) if ch == "↙"
    ]
    assert (r, c) == (hr, hc - plot.left)
    assert "↙ −∇f: máximo descenso" in text(drawn)
    y = index_of(gradient1, "y", 1)
    after = scene(gradient1, y + 1, y + 1)
    assert "−∇f" not in text(after) and "↙" not in text(after)


# --- the zig-zag --------------------------------------------------------------------------------


def test_descent_zig_zags_across_the_valley(descent1: Solution) -> None:
    ys = [st.value for st in descent1.steps if st.key == "y"]
    xs = [st.value for st in descent1.steps if st.key == "x"]
    assert len(ys) == 5
    assert all(a * b < 0 for a, b in zip([1.5, *ys], ys, strict=False))  # y changes sign
    n = len(descent1.steps)
    plot = Plot(scene(descent1, n, None))
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
    [wire] = plot.wires()
    assert [(y, x - plot.left) for x, y in wire.points] == spots  # joined in order
    assert "╱" in plot.text() and "╲" in plot.text()


def test_the_path_grows_as_it_is_revealed(descent1: Solution) -> None:
    seen = []
    for k, st in enumerate(descent1.steps):
        if st.key == "f":
            plot = Plot(scene(descent1, k, k))
            seen.append(sum(len(plot.find(str(t))) for t in range(6)))
    assert seen == [1, 2, 3, 4, 5, 6]


def test_the_table_fills_in_value_by_value(descent1: Solution) -> None:
    x = index_of(descent1, "x", 1)
    assert re.search(r"\b1\s+3\.28\s+·\s+·", picture(descent1, x + 1, x + 1))
    assert re.search(r"\b1\s+3\.28\s+−1\.2\s+·", picture(descent1, x + 2, x + 2))
    pending = [
        lab
        for lab in scene(descent1, x + 1, x + 1).labels()
        if lab.text == "·" and lab.y == 2 and lab.x > 50
    ]
    assert len(pending) == 2 and all(lab.role is Role.PENDING for lab in pending)


# --- several optimisers -------------------------------------------------------------------------

NAMES = ["Momento", "Nesterov", "Adagrad", "AdaDelta", "Adam"]


def legend(shown: str, name: str) -> str:
    """The optimiser's line of the legend, from its mark on."""
    return next(m.group() for m in re.finditer(rf"\d {name} .*", shown))


def test_a_legend_and_a_curve_per_optimizer(optimizers1: Solution) -> None:
    n = len(optimizers1.steps)
    drawn = scene(optimizers1, n, None)
    shown = text(drawn)
    assert "f por iteración" in shown
    prefixes = ["momentum", "nesterov", "adagrad", "adadelta", "adam"]
    for k, (name, prefix) in enumerate(zip(NAMES, prefixes, strict=True)):
        line = legend(shown, name)
        assert line.split()[0] == str(k + 1)
        curve = re.search(rf"[{SPARKS}]+", line)
        assert curve is not None and len(curve.group()) == 4, name  # f at t = 0…3
        last = next(st for st in reversed(optimizers1.steps) if st.key == f"{prefix}.f")
        assert line.rstrip().endswith(pretty(last.shown)), name
        assert Plot(drawn).find(str(k + 1)), name  # every path is drawn
        marks = [lab for lab in Plot(drawn).marks if lab.text == str(k + 1)]
        assert all(lab.series == k for lab in marks)
    assert f"{START_MARK} salida (−1.5, 2)" in shown


def test_curves_fill_in_optimizer_by_optimizer(optimizers1: Solution) -> None:
    at = index_of(optimizers1, "adagrad.f", 1)
    drawn = scene(optimizers1, at + 1, at + 1)
    shown = text(drawn)
    plot = Plot(drawn)
    curves = {name: re.findall(rf"[{SPARKS}·]", legend(shown, name)) for name in NAMES}
    assert all(ch != "·" for ch in curves["Momento"] + curves["Nesterov"])
    assert [ch == "·" for ch in curves["Adagrad"]] == [False, False, True, True]
    assert curves["AdaDelta"] == ["·"] * 4 and curves["Adam"] == ["·"] * 4
    assert plot.find("1") and plot.find("2") and plot.find("3")
    assert not plot.find("4") and not plot.find("5")  # they have not left the start yet
    assert plot.find(START_MARK)


def test_the_current_optimizer_is_lit(optimizers1: Solution) -> None:
    at = index_of(optimizers1, "adadelta.f", 0)
    drawn = scene(optimizers1, at, at)
    plot = Plot(drawn)
    [(r, c)] = plot.find("4")  # AdaDelta at the start, lit
    assert plot.at(r, c).role is Role.CURRENT and plot.at(r, c).series == 3
    row = next(k for k, line in enumerate(text(drawn).split("\n")) if "AdaDelta" in line)
    [mark] = [lab for lab in drawn.labels() if lab.y == row and lab.text == "4"]
    assert mark.x >= plot.left + plot.cols and mark.role is Role.CURRENT


def test_the_minimum_far_away_is_pointed_at(optimizers1: Solution) -> None:
    drawn = scene(optimizers1, 0, 0)
    assert f"{MIN_MARK} mín ≈ (1, 1) ↘" in text(drawn)
    assert not Plot(drawn).find(MIN_MARK)  # (1, 1) is off the paths' box


def test_nesterov_looks_ahead(optimizers1: Solution) -> None:
    at = index_of(optimizers1, "nesterov.grad[x]", 2)
    drawn = scene(optimizers1, at, at)
    assert Plot(drawn).find(AHEAD_MARK)
    assert "(x⁺, y⁺) mira adelante" in text(drawn)
    after = index_of(optimizers1, "nesterov.f", 2)
    assert not Plot(scene(optimizers1, after, after)).find(AHEAD_MARK)


def test_english() -> None:
    solution = solved("optimizers-1", "en")
    shown = picture(solution, 0, 0)
    assert "f per iteration" in shown and "Momentum" in shown and "start (−1.5, 2)" in shown
    assert "min ≈ (1, 1)" in shown


@pytest.mark.parametrize("lesson_id", builtin_ids_of("optimize"))
def test_numbers_use_the_unicode_minus(builtin: dict[str, Solution], lesson_id: str) -> None:
    solution = builtin[lesson_id]
    for revealed, current in positions(solution):
        assert not re.search(r"-\d", picture(solution, revealed, current)), (revealed, current)


# --- what the layout reads, and what it keeps ---------------------------------------------------


def test_reads_the_function_from_the_solution(descent1: Solution, tmp_path: Path) -> None:
    """The field is f over the plot, computed from ``Solution.optimize`` alone: a Solution
    unpickled in another process (where no formula was ever registered) draws the same scene,
    and the shades rise away from the valley."""
    source = tmp_path / "solution.pickle"
    source.write_bytes(pickle.dumps(descent1))
    code = (
        "import pickle, sys; from stepper.pictures.contour import contour_scene; "
        "s = pickle.loads(open(sys.argv[1], 'rb').read()); "
        "sys.stdout.buffer.write(pickle.dumps(contour_scene(s, 7, 7, 'es', 80)))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(source)], capture_output=True, check=True, timeout=60
    )
    drawn = pickle.loads(run.stdout)
    assert drawn == scene(descent1, 7, 7)
    [raster] = [r for r in drawn.items if isinstance(r, Raster) and len(r.levels) > 1]
    floor = Plot(drawn).y_ticks["0"]
    middle = [level for level in raster.levels[floor] if level is not None]
    top = max(level for row in raster.levels for level in row if level is not None)
    assert min(middle) == 0 and raster.levels[0][-1] == top


def test_pure_function_of_its_arguments(optimizers1: Solution, descent1: Solution) -> None:
    before = scene(optimizers1, 40, 40)
    for revealed, current in positions(descent1):
        scene(descent1, revealed, current, 120)
    scene(optimizers1, 100, 100, 58)
    assert scene(optimizers1, 40, 40) == before


def test_does_not_keep_a_solution_alive() -> None:
    solution = solved("gradient-1")
    scene(solution, 3, 3)
    ref = weakref.ref(solution)
    del solution
    gc.collect()
    assert ref() is None


def test_imports_neither_textual_nor_sympy() -> None:
    code = (
        "import sys, stepper.pictures.contour; "
        "print('textual' in sys.modules, 'sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_other_kinds_give_an_empty_scene(builtin: dict[str, Solution]) -> None:
    other = next(s for s in builtin.values() if s.kind != "optimize")
    assert contour_scene(other, 0, 0, "es", 80) == Scene(80, 0)


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
    drawn = scene(solution, n, None)
    plot = Plot(drawn)
    spots = [plot.find(str(t)) for t in range(5)]
    assert all(len(s) == 1 for s in spots)
    rows = [s[0][0] for s in spots]
    assert rows[0] < rows[1]  # f falls: the first step goes down the curve
    curve = [w for w in drawn.items if isinstance(w, Wire) and w.role is Role.PLAIN]
    assert curve and len(curve[0].points) > plot.cols // 2  # the curve, one point a column
    shown = text(drawn)
    assert f"{MIN_MARK} min ≈ 1.13" in shown  # the local minimum the path heads to
    assert re.search(r"t\s+x\s+f", shown)
    for revealed, current in positions(solution):
        check_scene(solution, scene(solution, revealed, current, 60), revealed, current)


def test_three_variables_give_the_table() -> None:
    solution = lesson("x**2 + 2*y**2 + 3*z**2", "x, y, z", "1, 1, 1", GD + ADAM, 2)
    at = index_of(solution, "adam.f", 1)
    drawn = scene(solution, at + 1, at + 1)
    shown = text(drawn)
    assert not [w for w in drawn.items if isinstance(w, Wire)]  # no plot
    assert re.search(r"x\s+y\s+z\s+f", shown)
    gd = next(line for line in shown.split("\n") if "Descent" in line)
    assert re.search(r"0\.81\s+0\.64\s+0\.49\s+", gd)  # each coordinate times 1 − 2·0.05·k
    adam = next(line for line in shown.split("\n") if "Adam" in line)
    assert re.search(r"0\.9\s+0\.9\s+0\.9\s+4\.86", adam)
    for revealed, current in positions(solution):
        check_scene(solution, scene(solution, revealed, current, 60), revealed, current)


def test_a_long_run_is_windowed() -> None:
    solution = lesson("(1 - x)**2 + 100*(y - x**2)**2", "x, y", "-1.2, 1", ADAM, 40)
    for width in (58, 80, 120):
        for revealed, current in positions(solution, every=23):
            drawn = scene(solution, revealed, current, width)
            check_scene(solution, drawn, revealed, current)
            assert max(line.cell_len for line in render_rich.render_lines(drawn)) <= width
    at = index_of(solution, "f", 30)
    shown = picture(solution, at, at)
    assert "⋮" in shown and re.search(rf"f [{SPARKS}·]{{20,}}", shown)
    assert re.search(r"\b30\s+−?\d", shown)  # the row being computed is shown


def test_no_minimum_when_f_keeps_falling() -> None:
    solution = lesson("x + y**2", "x, y", "1, 1", GD, 3)
    drawn = scene(solution, 5, 5)
    assert MIN_MARK not in text(drawn)
    assert Plot(drawn).find("0")


def test_an_optimizer_named_by_its_id() -> None:
    named = "  - {name: gradient_descent, id: slow, learning_rate: 0.01}\n"
    solution = lesson("x**2 + y**2", "x, y", "1, 1", named + GD, 2)
    assert "1 slow" in picture(solution, 0, 0)


def test_a_wide_table_is_cut_at_the_edge() -> None:
    """Six variables and a long id do not fit 40 columns: each row is cut at the edge."""
    long = "  - {name: momentum, id: averyveryverylongname, learning_rate: 0.01}\n"
    solution = lesson(
        "x1**2 + x2**2 + x3**2 + x4**2 + x5**2 + x6**2",
        "x1, x2, x3, x4, x5, x6",
        "1.123, 2.234, 3.345, 4.456, 5.567, 6.678",
        ADAM + long,
        3,
    )
    for revealed, current in positions(solution, every=7):
        drawn = scene(solution, revealed, current, 40)
        check_scene(solution, drawn, revealed, current)
    rows = text(scene(solution, 0, 0, 40)).split("\n")
    assert rows[2] == "2 averyveryverylongname 1.123  2.234  3."


# --- every medium -----------------------------------------------------------------------------


def final_scenes(builtin: dict[str, Solution]) -> list[Scene]:
    """The last picture of descent-1 and of optimizers-1, and one with −∇f and the look-ahead."""
    descent, several = builtin["descent-1"], builtin["optimizers-1"]
    ahead = index_of(several, "nesterov.v[x]", 2)
    return [
        scene(descent, len(descent.steps), None),
        scene(several, len(several.steps), None),
        scene(several, ahead, ahead),
    ]


def disjoint(boxes: list[tuple[float, float, float]]) -> None:
    """(left, right, row) of every text: none shares a row and a stretch of it with another."""
    for k, (a0, a1, row) in enumerate(boxes):
        for b0, b1, other in boxes[k + 1 :]:
            assert row != other or a1 <= b0 + 0.01 or b1 <= a0 + 0.01, ((a0, a1), (b0, b1), row)


def test_svg_puts_every_label_where_the_scene_does(builtin: dict[str, Solution]) -> None:
    from stepper.pictures import render_svg
    from stepper.pictures.vector import DEJAVU

    for drawn in final_scenes(builtin):
        texts = ET.fromstring(render_svg.render(drawn)).findall("text")  # inline SVG: no xmlns
        labels = drawn.labels()
        assert [t.text for t in texts] == [lab.text for lab in labels]
        boxes = []
        for t, lab in zip(texts, labels, strict=True):
            x, length = float(t.get("x", "nan")), float(t.get("textLength", "nan"))
            assert abs(x - lab.x * DEJAVU.advance) < 0.01
            assert abs(float(t.get("y", "nan")) - DEJAVU.baseline(lab.y)) < 0.01
            assert x + length <= drawn.width * DEJAVU.advance + 0.01
            boxes.append((x, x + length, float(t.get("y", "nan"))))
        disjoint(boxes)


_TIKZ_NODE = re.compile(r"\\node\[anchor=base west[^]]*\] at \(([\d.]+),([\d.]+)\) \{(.*)\};")


def test_tikz_puts_every_label_where_the_scene_does(builtin: dict[str, Solution]) -> None:
    from stepper.pictures import render_tikz
    from stepper.pictures.vector import CMTT

    for drawn in final_scenes(builtin):
        nodes = _TIKZ_NODE.findall(render_tikz.render(drawn))
        labels = drawn.labels()
        assert len(nodes) == len(labels)
        boxes = []
        for (x, y, _), lab in zip(nodes, labels, strict=True):
            assert abs(float(x) - lab.x * CMTT.advance) < 0.01
            assert abs(float(y) - CMTT.baseline(lab.y)) < 0.01
            boxes.append((float(x), float(x) + lab.width * CMTT.advance, float(y)))
        disjoint(boxes)


_TYPST_TEXT = re.compile(
    r'#place\(top \+ left, dx: ([\d.]+)pt, dy: ([\d.]+)pt, box\(.*, "(.*)"\)\)\)\)'
)


def test_typst_puts_every_label_where_the_scene_does(builtin: dict[str, Solution]) -> None:
    import typst

    from stepper.pictures import render_typst
    from stepper.pictures.vector import DEJAVU

    for drawn in final_scenes(builtin):
        source = render_typst.render(drawn)
        found = _TYPST_TEXT.findall(source)
        labels = drawn.labels()
        assert [text for _, _, text in found] == [lab.text for lab in labels]
        boxes = []
        for (x, y, _), lab in zip(found, labels, strict=True):
            assert abs(float(x) - lab.x * DEJAVU.advance) < 0.01
            assert abs(float(y) - lab.y * DEJAVU.line) < 0.01
            boxes.append((float(x), float(x) + lab.width * DEJAVU.advance, float(y)))
        disjoint(boxes)
        page = "#set page(width: auto, height: auto, margin: 4pt)\n" + source
        assert typst.compile(page.encode(), format="pdf", ignore_system_fonts=True)[:4] == b"%PDF"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_tikz_compiles(builtin: dict[str, Solution], tmp_path: Path) -> None:
    from stepper.pictures import render_tikz
    from stepper.printers.latex import preamble
    from stepper.printers.latex import text as latex_text

    body = "\n\n".join(render_tikz.render(s, latex_text) for s in final_scenes(builtin))
    source = tmp_path / "contour.tex"
    source.write_text(preamble() + "\\begin{document}\n" + body + "\n\\end{document}\n")
    compile_latex(source)


def test_the_solution_describes_the_lesson() -> None:
    """``Solution.optimize`` holds what the lesson says: variables, start, iterations, and each
    optimiser's family, id, key prefix and settings (defaults filled in)."""
    named = "  - {name: momentum, id: slow, learning_rate: 0.01, momentum: 0.5}\n"
    solution = lesson("x1**2 + 3*x2**2", "x1, x2", "1, -2", named + ADAM, 2)
    shape = solution.optimize
    assert shape is not None
    assert (shape.variables, shape.names) == (("x1", "x2"), ("x₁", "x₂"))
    assert (shape.starts, shape.iterations) == (((1.0, -2.0),), 2)
    assert shape.function.value((2.0, 1.0)) == 7.0
    slow, adam = shape.optimizers
    assert (slow.family, slow.id, slow.prefix) == ("momentum", "slow", "slow.")
    assert (slow.start, slow.origin, adam.start, adam.origin) == ((1.0, -2.0), 0, (1.0, -2.0), 0)
    assert dict(slow.settings) == {"learning_rate": 0.01, "momentum": 0.5}
    assert (adam.family, adam.id, adam.prefix) == ("adam", None, "adam.")
    assert dict(adam.settings)["learning_rate"] == 0.1
    assert {"beta1", "beta2", "epsilon"} <= set(dict(adam.settings))
    assert {st.key.split(".")[0] for st in solution.steps} == {"slow", "adam"}


def test_a_solution_survives_pickling(descent1: Solution) -> None:
    """Plain data: another process (a printer's worker) gets an equal Solution."""
    copy = pickle.loads(pickle.dumps(descent1))
    assert copy == descent1 and copy.optimize == descent1.optimize
