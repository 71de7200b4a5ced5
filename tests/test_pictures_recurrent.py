"""The recurrent cell unrolled in time, checked as data: ``stepper.pictures.recurrent``.

At every position of a walk through each cell (synthetic solutions with the brief's step keys,
and every built-in recurrent lesson), at 80 and 60 columns and in the rows a screen gives: no
two labels share a cell, everything lies inside the scene, the quantity being computed is the
one keyed label with Role.CURRENT and its time step's heading is current too, every gate of
every box drawn is there, and every revealed value is written as the step shows it.
"""

from __future__ import annotations

import functools
import io
import re

import pytest
from rich.console import Console

from stepper.numbers import pretty
from stepper.pictures import render_rich, render_svg, render_tikz, render_typst
from stepper.pictures.recurrent import print_scene, recurrent_scene
from stepper.pictures.recurrent_state import time_of
from stepper.pictures.scene import Label, Role, Scene, Wire
from stepper.pictures.terminal import picture
from stepper.pictures.vector import DEJAVU
from stepper.steps import CHECK, Phase, Solution
from tests.conftest import builtin_ids_of, positions, solved
from tests.recurrent_synthetic import Spec, synthetic
from tests.scene_checks import check_scene

SPECS = {
    "rnn-2x1": Spec("rnn", 2, 1),
    "lstm-2x1": Spec("lstm", 2, 1),
    "gru-2x1": Spec("gru", 2, 1),
    "rnn-3x2-every": Spec("rnn", 3, 2, inputs=2, outputs=2, every_step=True),
    "lstm-3x3": Spec("lstm", 3, 3, inputs=2),
    "gru-12x2": Spec("gru", 12, 2),
    "lstm-100x1": Spec("lstm", 100, 1, check=False),
}
LESSONS = builtin_ids_of("recurrent")
CASES = [*SPECS, *LESSONS]
#: (columns, rows): the budget a picture aims at, 80×24's and 60×20's rows.
SIZES = [(80, 12), (80, 10), (60, 8)]


@functools.cache
def solution_of(case: str) -> Solution:
    return synthetic(SPECS[case]) if case in SPECS else solved(case)


def walk(solution: Solution) -> list[tuple[int, int | None]]:
    """Every position of a short lesson; of a long one, one step in seven (with the ends)."""
    every = 1 if len(solution.steps) < 400 else 7
    return list(positions(solution, every))


_TITLE = re.compile(r"t = (\d+)")


def boxes(scene: Scene) -> dict[int, Label]:
    """The time steps drawn, by their headings."""
    out = {}
    for label in scene.labels():
        found = _TITLE.fullmatch(label.text)
        if found:
            out[int(found.group(1))] = label
    return out


def time_of_step(solution: Solution, key: str) -> int | None:
    assert solution.recurrent is not None
    return time_of(key, solution.recurrent)


@pytest.mark.parametrize(("width", "rows"), SIZES)
@pytest.mark.parametrize("case", CASES)
def test_no_overlap_inside_and_current_highlighted(case: str, width: int, rows: int) -> None:
    solution = solution_of(case)
    for revealed, current in walk(solution):
        scene = recurrent_scene(solution, revealed, current, "en", width, rows=rows)
        check_scene(scene, width)
        lines = render_rich.render_lines(scene)
        assert all(line.cell_len <= width for line in lines)
        keyed = [lb for lb in scene.labels() if lb.role is Role.CURRENT and lb.key]
        titles = boxes(scene)
        if current is None:
            assert not keyed and all(lb.role is Role.HEADER for lb in titles.values())
            continue
        step = solution.steps[current]
        assert [lb.key for lb in keyed] == [step.key], (case, revealed, step.key)
        t = time_of_step(solution, step.key)
        if t is not None:  # its box is drawn, its heading current
            assert titles[t].role is Role.CURRENT, (case, step.key)


@pytest.mark.parametrize("case", CASES)
def test_the_current_quantity_fits_the_rows_a_screen_gives(case: str) -> None:
    """In the 8 rows of a 60×20 screen, the picture (cropped if it must be) shows the step's
    quantity, highlighted."""
    solution = solution_of(case)
    for revealed, current in walk(solution)[1:-1:3]:
        drawn = picture(solution, revealed, current, "en", 58, rows=8)
        console = Console(width=58, record=True, file=io.StringIO(), color_system="truecolor")
        console.print(drawn)
        text = console.export_text()
        assert len(text.rstrip("\n").split("\n")) <= 8
        assert current is not None
        step = solution.steps[current]
        sym = step.sym.unicode()
        assert sym in text, (case, step.key, text)


@pytest.mark.parametrize(("width", "rows"), SIZES)
@pytest.mark.parametrize("case", CASES)
def test_every_gate_of_every_box_drawn(case: str, width: int, rows: int) -> None:
    """Each box drawn holds a slot for every gate and state of every unit it shows, in each
    half it draws: the gate's value (or its u while the gate is computed from it) and the
    state forward; the gate's δ and the state's gradient backward."""
    solution = solution_of(case)
    shape = solution.recurrent
    assert shape is not None
    states = ("c", "h") if shape.cell == "lstm" else ("h",)
    for revealed, current in walk(solution)[::5]:
        scene = recurrent_scene(solution, revealed, current, "en", width, rows=rows)
        keys = {lb.key.removeprefix(CHECK) for lb in scene.labels() if lb.key}
        halves = [
            back
            for back in (False, True)
            if any(re.match(rf"{'d' if back else ''}h\[[1-9]", k) for k in keys)
        ]
        assert halves, (case, revealed)
        for back in halves:
            state = re.compile(rf"{'d' if back else ''}h\[[1-9]")
            units = {int(k.split(",")[-1][:-1]) for k in keys if state.match(k)}
            for t in boxes(scene):
                for i in units:
                    for g in shape.gates:
                        if back:
                            assert f"d[{g},{t},{i}]" in keys, (case, revealed, g, t, i)
                        elif shape.cell != "rnn":
                            assert {f"{g}[{t},{i}]", f"u[{g},{t},{i}]"} & keys, (case, g, t, i)
                        else:
                            assert f"u[h,{t},{i}]" in keys
                    for s in states:
                        assert f"{'d' if back else ''}{s}[{t},{i}]" in keys, (case, s, t, i)


@pytest.mark.parametrize("case", CASES)
def test_revealed_values_are_written_as_shown(case: str) -> None:
    solution = solution_of(case)
    steps = solution.steps
    for revealed, current in walk(solution)[::4]:
        scene = recurrent_scene(solution, revealed, current, "en", 80)
        for label in scene.labels():
            if not label.key:
                continue
            done = [s for s in steps[:revealed] if s.key == label.key]
            if done:
                assert label.text.endswith(pretty(done[-1].shown)), (label, done[-1].shown)
            elif label.key == (steps[current].key if current is not None else None):
                assert label.text.endswith("?"), label


@pytest.mark.parametrize("case", CASES)
def test_the_time_window_follows_the_step(case: str) -> None:
    """A long sequence shows the boxes around the current time step: on their left the
    states that enter the first box (h₀, or h and its gradient at the step before), on their
    right how many steps are left out."""
    solution = solution_of(case)
    shape = solution.recurrent
    assert shape is not None
    for k, step in enumerate(solution.steps):
        t = time_of_step(solution, step.key)
        if t is None or step.phase is Phase.CHECK:
            continue
        scene = recurrent_scene(solution, k, k, "en", 60, rows=8)
        drawn = sorted(boxes(scene))
        assert t in drawn
        assert drawn == list(range(drawn[0], drawn[-1] + 1))
        more = [lb.text for lb in scene.labels() if lb.role is Role.MORE and lb.text != "…"]
        left_out = shape.steps - drawn[-1]
        assert more == ([f"… {left_out} more"] if left_out else []), (case, step.key, more)
        edge = min(lb.x for lb in boxes(scene).values())
        entering = [
            lb.key
            for lb in scene.labels()
            if lb.key and lb.x < edge and lb.key.split("[")[0] in ("h", "c", "dh", "dc")
        ]
        assert entering or drawn[0] == 1, (case, step.key)  # no gradient left of step 1
        assert all(f"[{drawn[0] - 1}," in key for key in entering), (case, step.key, entering)


@pytest.mark.parametrize(("width", "rows"), SIZES)
@pytest.mark.parametrize("case", CASES)
def test_states_pass_right_and_gradients_left(case: str, width: int, rows: int) -> None:
    """Each arrow between boxes is on a state's row: pointing right (→) on a row of h_t or
    c_t, left (←) on a row of their gradients."""
    solution = solution_of(case)
    for revealed, current in walk(solution)[::6]:
        scene = recurrent_scene(solution, revealed, current, "en", width, rows=rows)
        rows_keys: dict[int, set[str]] = {}
        for label in scene.labels():
            if label.key and not re.match(r"\w+\[0,", label.key):  # h₀ is on either row
                rows_keys.setdefault(int(label.y), set()).add(label.key.removeprefix(CHECK))
        arrows = 0
        for wire in scene.items:
            if not isinstance(wire, Wire) or not wire.arrow:
                continue
            (x0, y0), (x1, y1) = wire.points[-2:]
            if y0 != y1 or int(y0) not in rows_keys:
                continue  # x_t's, the output's, or h₀'s into the first box
            names = {k.split("[")[0] for k in rows_keys[int(y0)]}
            assert names <= ({"dh", "dc"} if x1 < x0 else {"h", "c"}), (case, names)
            arrows += 1
        assert arrows or len(boxes(scene)) < 2, (case, revealed)


@pytest.mark.parametrize("case", CASES)
def test_print_shows_both_halves_and_each_medium_places_its_labels(case: str) -> None:
    solution = solution_of(case)
    scene = print_scene(solution, "en")
    check_scene(scene, 100)
    keys = {lb.key for lb in scene.labels() if lb.key}
    backward = any(s.phase is Phase.BACKWARD for s in solution.steps)
    assert any(k.startswith("h[") for k in keys)
    assert any(k.startswith("dh[") for k in keys) == backward
    steps = solution.steps
    update = next((k for k, s in enumerate(steps) if s.phase is Phase.UPDATE), len(steps))
    shown = {s.key: s.shown for s in solution.steps[:update]}
    for label in scene.labels():
        if label.key in shown:
            assert label.text.endswith(pretty(shown[label.key])), label
    root_svg = render_svg.render(scene)
    assert root_svg.count("<text") == len(scene.labels())
    tikz = render_tikz.render(scene)
    assert tikz.count(r"\node[anchor=base west") == len(scene.labels())
    assert render_typst.render(scene, DEJAVU).count("place(") >= len(scene.labels())


@pytest.mark.parametrize("case", CASES)
def test_a_worksheet_shows_no_computed_value(case: str) -> None:
    solution = solution_of(case)
    scene = print_scene(solution, "en", worksheet=True)
    computed = {step.key for step in solution.steps}
    for label in scene.labels():
        if label.key in computed:
            assert "=" not in label.text, label


def test_a_short_title_card_shows_the_cell_before_the_output() -> None:
    """The title card of 60×20 leaves an rnn 5 rows: the boxes and their x_t, the output line
    left out (it shows again once the walk starts, in the walk's own rows)."""
    solution = solution_of("rnn-2x1")
    scene = recurrent_scene(solution, 0, None, "en", 50, rows=5)
    assert scene.height <= 5
    keys = {label.key for label in scene.labels()}
    assert {"x[1,1]", "x[2,1]", "h[1,1]", "h[2,1]"} <= keys
    assert "y[1]" not in keys
    walking = recurrent_scene(solution, 0, 0, "en", 50, rows=8)
    assert "y[1]" in {label.key for label in walking.labels()}
