"""The network's scene, checked as data and as each medium draws it.

At every position of every built-in dense lesson, at 80 and 60 columns: no two labels share a
cell, everything lies inside the scene, and the quantity being computed is the one label with
Role.CURRENT besides its neuron. Then each medium is parsed back: the terminal's lines fit the
width, and SVG, TikZ and typst put each label at the column and row the scene gives it.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator

import pytest

from stepper.catalog import builtin_ids
from stepper.numbers import given, pretty
from stepper.pictures import render_rich, render_svg, render_tikz, render_typst
from stepper.pictures.network import network_scene, print_scene
from stepper.pictures.scene import Role, Scene, Wire
from stepper.pictures.vector import CMTT, DEJAVU
from stepper.printers.data import build_data
from stepper.steps import Phase, Solution, run_of
from tests.conftest import positions, solved
from tests.scene_checks import check_scene


@functools.cache
def solution_of(lesson_id: str) -> Solution:
    return solved(lesson_id)


DENSE = [
    name
    for name in builtin_ids()
    if solution_of(name).network is not None and solution_of(name).conv is None
]


def test_there_are_dense_lessons() -> None:
    assert {"backprop-1", "backprop-2", "classify-1", "forward-1", "regression-1"} <= set(DENSE)


@pytest.mark.parametrize("width", [80, 60])
@pytest.mark.parametrize("lesson_id", DENSE)
def test_no_overlap_inside_and_current_highlighted(lesson_id: str, width: int) -> None:
    solution = solution_of(lesson_id)
    for revealed, current in positions(solution):
        scene = network_scene(solution, revealed, current, solution.language, width)
        check_scene(scene, width)
        currents = [label for label in scene.labels() if label.role is Role.CURRENT]
        if current is None:
            assert not currents, (revealed, [c.text for c in currents])
            continue
        step = solution.steps[current]
        key = step.key[1:] if step.key.startswith("dw[") else step.key  # Δw is on its synapse
        keyed = [label for label in currents if label.key is not None]
        if any(label.key == key for label in scene.labels()):
            assert [label.key for label in keyed] == [key], (revealed, current)
        if step.layer is not None:  # its neuron too, as the glyph (1 lineal)
            assert any(label.key is None and label.text.startswith("(") for label in currents)


@pytest.mark.parametrize("lesson_id", DENSE)
def test_what_the_step_reads_is_read(lesson_id: str) -> None:
    solution = solution_of(lesson_id)
    for k, step in enumerate(solution.steps):
        scene = network_scene(solution, k, k, solution.language, 80)
        roles = {label.key: label.role for label in scene.labels() if label.key}
        for q in step.operands:
            key = q.key[1:] if q.key.startswith("dw[") else q.key
            if key in roles and key != step.key:
                assert roles[key] in (Role.READ, Role.CURRENT), (k, key, roles[key])


@pytest.mark.parametrize("lesson_id", DENSE)
def test_a_worksheet_shows_no_computed_value(lesson_id: str) -> None:
    solution = solution_of(lesson_id)
    scene = print_scene(solution, solution.language, worksheet=True)
    computed = {step.key for step in solution.steps}
    for label in scene.labels():
        if label.key in computed and not label.key.startswith("w["):
            assert "=" not in label.text, label  # only its symbol: the learner's to find


@pytest.mark.parametrize("lesson_id", DENSE)
def test_print_shows_the_given_weights_and_the_first_pass(lesson_id: str) -> None:
    solution = solution_of(lesson_id)
    scene = print_scene(solution, solution.language)
    check_scene(scene, 100)
    texts = {label.key: label.text for label in scene.labels() if label.key}
    weights = [q for q in solution.given if q.key.startswith("w[")]
    drawn = [q for q in weights if q.key in texts]
    assert drawn
    if len(drawn) < len(weights):  # a long layer is elided: the data's tables give them all
        (data,) = build_data(solution)
        cells = Counter(c for t in data.tables for row in t.rows for c in row)
        assert not Counter(q.shown for q in weights) - cells
    for q in drawn:  # as the lesson gives them, not as the update leaves them
        assert texts[q.key] == f"{q.sym.unicode()} = {pretty(given(q.value))}"
    # The first pass is revealed: the first forward step's quantity (after the input phase of
    # a lesson that normalises or encodes categories), as the last pass before the update
    # leaves it (xor-1 passes three points forward before the one it trains on; a run's keys
    # are drawn without the run's prefix).
    first = next(s for s in solution.steps if s.phase is Phase.FORWARD)
    update = next((k for k, s in enumerate(solution.steps) if s.phase is Phase.UPDATE), None)
    latest = [s for s in solution.steps[:update] if s.key == first.key][-1]
    assert texts[run_of(first.key, solution.runs)[1]].endswith(" = " + pretty(latest.shown))


# --- each medium --------------------------------------------------------------------------------


def medium_scenes() -> Iterator[tuple[str, Scene]]:
    for lesson_id in DENSE:
        solution = solution_of(lesson_id)
        yield lesson_id, print_scene(solution, solution.language)
        n = len(solution.steps) // 2
        yield lesson_id, network_scene(solution, n, n, solution.language, 60)


@pytest.mark.parametrize("width", [80, 60, 40])
@pytest.mark.parametrize("lesson_id", DENSE)
def test_terminal_lines_fit_the_width(lesson_id: str, width: int) -> None:
    solution = solution_of(lesson_id)
    for revealed, current in positions(solution):
        scene = network_scene(solution, revealed, current, solution.language, width)
        lines = render_rich.render_lines(scene)
        assert len(lines) == scene.height
        assert all(line.cell_len <= width for line in lines), (revealed, current)


def test_svg_places_every_label_of_the_network() -> None:
    for lesson_id, scene in medium_scenes():
        root = ET.fromstring(render_svg.render(scene))
        texts = root.findall("text")
        labels = scene.labels()
        assert [t.text for t in texts] == [label.text for label in labels], lesson_id
        for t, label in zip(texts, labels, strict=True):
            assert abs(float(t.get("x", "nan")) - label.x * DEJAVU.advance) < 0.01
            assert abs(float(t.get("y", "nan")) - DEJAVU.baseline(label.y)) < 0.01


_TIKZ_AT = re.compile(r"\\node\[anchor=base west[^]]*\] at \(([\d.]+),([\d.]+)\)")


_TIKZ_NODE = re.compile(r"\\node\[draw=[^]]*rounded corners[^]]*\] at \(([\d.]+),([\d.]+)\)")


def test_tikz_places_every_label_of_the_network() -> None:
    """Each label at its cell's baseline; a neuron ("(1 tanh)", a wire ending on its left
    edge) as a round box centred on the cells its label spans."""
    for lesson_id, scene in medium_scenes():
        tikz = render_tikz.render(scene)
        neurons = [
            label
            for label in scene.labels()
            if label.text.startswith("(")
            and label.text.endswith(")")
            and any(
                (label.x - 0.5, label.y) in w.points for w in scene.items if isinstance(w, Wire)
            )
        ]
        labels = [label for label in scene.labels() if label not in neurons]
        found = _TIKZ_AT.findall(tikz)
        assert len(found) == len(labels), lesson_id
        for (x, y), label in zip(found, labels, strict=True):
            assert abs(float(x) - label.x * CMTT.advance) < 0.01
            assert abs(float(y) - CMTT.baseline(label.y)) < 0.01
        boxes = _TIKZ_NODE.findall(tikz)
        assert len(boxes) == len(neurons) > 0, lesson_id
        for (x, y), label in zip(boxes, neurons, strict=True):
            assert abs(float(x) - (label.x + label.width / 2) * CMTT.advance) < 0.01
            assert abs(float(y) - (label.y + 0.5) * CMTT.line) < 0.01


_TYPST_AT = re.compile(
    r'#place\(top \+ left, dx: ([\d.]+)pt, dy: ([\d.]+)pt, box\(.*"(.*)"\)\)\)\)'
)


def test_typst_places_every_label_of_the_network() -> None:
    for lesson_id, scene in medium_scenes():
        found = _TYPST_AT.findall(render_typst.render(scene))
        labels = scene.labels()
        assert [text for _, _, text in found] == [label.text for label in labels], lesson_id
        for (x, y, _), label in zip(found, labels, strict=True):
            assert abs(float(x) - label.x * DEJAVU.advance) < 0.01
            assert abs(float(y) - label.y * DEJAVU.line) < 0.01


def test_the_pictures_package_imports_no_textual() -> None:
    """Every module of stepper.pictures, in a fresh interpreter: the core stays headless."""
    code = (
        "import importlib, pkgutil, sys, stepper.pictures as p\n"
        "for m in pkgutil.iter_modules(p.__path__):\n"
        "    importlib.import_module(f'{p.__name__}.{m.name}')\n"
        "print(sorted(n for n in sys.modules if n == 'textual' or n.startswith('textual.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


#: The columns and rows the walk screen gives the picture at 80×24 and at 60×20.
WALK_ROOM = [(78, 11), (58, 8)]


@pytest.mark.parametrize(("width", "rows"), WALK_ROOM)
@pytest.mark.parametrize("lesson_id", DENSE)
def test_the_current_quantity_is_always_drawn(lesson_id: str, width: int, rows: int) -> None:
    """Within the rows the walk screen has, the picture always shows what the step computes:
    its value's slot (or its synapse, for Δw) and its neuron, lit; never a picture cut off by
    the screen below them."""
    solution = solution_of(lesson_id)
    for revealed, current in positions(solution):
        scene = network_scene(solution, revealed, current, solution.language, width, rows=rows)
        check_scene(scene, width)
        assert scene.height <= rows, (revealed, current, scene.height)
        if current is None:
            continue
        step = solution.steps[current]
        key = step.key[1:] if step.key.startswith("dw[") else step.key
        whole = network_scene(solution, revealed, current, solution.language, 200, rows=100)
        currents = [label for label in scene.labels() if label.role is Role.CURRENT]
        if any(label.key == key for label in whole.labels()):
            assert [label.key for label in currents if label.key] == [key], (revealed, step.key)
        if step.layer is not None:
            assert any(label.text.startswith("(") for label in currents), (revealed, step.key)
