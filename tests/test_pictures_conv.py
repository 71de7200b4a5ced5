"""The conv picture: image ∗ kernel = map on the blackboard, at each position of a walk.

Scene-level checks (nothing overlaps, it fits, the current cell and its window) run on the
layout itself; what the terminal shows is checked through the Rich renderer."""

from __future__ import annotations

import io
import itertools
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console, RenderableType
from rich.style import Style
from textual.pilot import Pilot

from stepper.engine import solve
from stepper.lesson.load import load_lesson
from stepper.numbers import given, pretty
from stepper.pictures.conv import ROW_BUDGET, WINNER_MARK, conv_scene, print_scene
from stepper.pictures.conv_print import PRINT_CELLS, PRINT_KERNELS, PRINT_WIDTH
from stepper.pictures.render_rich import (
    CURRENT_STYLE,
    PENDING_STYLE,
    READ_STYLE,
    UPDATED_STYLE,
)
from stepper.pictures.render_rich import (
    render as render_scene,
)
from stepper.pictures.scene import Frame, Label, Role, Scene, Shape
from stepper.steps import CHECK, Phase, Solution
from tests.conftest import builtin_ids_of, positions
from tests.tui_helpers import SnapCompare, make_app, settle

# --- rendering ---------------------------------------------------------------------------------


def render(picture: RenderableType, width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(picture)
    return console.export_text()


def conv_picture(
    solution: Solution, revealed: int, current: int | None, lang: str, width: int
) -> RenderableType:
    return render_scene(conv_scene(solution, revealed, current, lang, width))


def picture(solution: Solution, revealed: int, current: int | None, width: int = 80) -> str:
    return render(conv_picture(solution, revealed, current, solution.language, width), width)


Styled = list[tuple[str, Style | None]]


def styled_lines(solution: Solution, revealed: int, current: int | None) -> list[Styled]:
    """The picture at 80 columns, each line as (character, style) pairs."""
    console = Console(width=80, file=io.StringIO())
    pic = conv_picture(solution, revealed, current, solution.language, 80)
    lines = []
    for line in console.render_lines(pic, pad=False):
        chars: Styled = []
        for seg in line:
            chars += [(ch, seg.style) for ch in seg.text]
        lines.append(chars)
    return lines


_TOKEN = re.compile(r"−?\d+(?:\.\d+)?|[^\s]")


def tokens(line: Styled) -> Styled:
    """The numbers and signs of a line, each with the style of its first character."""
    text = "".join(ch for ch, _ in line)
    return [(m.group(), line[m.start()][1]) for m in _TOKEN.finditer(text)]


def numbers(line: Styled) -> Styled:
    return [(t, s) for t, s in tokens(line) if re.fullmatch(r"−?\d+(?:\.\d+)?", t)]


def cells(line: Styled) -> Styled:
    """The cells of the grids on a line: numbers, ? (being computed) and · (still pending)."""
    return [(t, s) for t, s in tokens(line) if t in "?·" or re.fullmatch(r"−?\d[\d.]*", t)]


def index_of(solution: Solution, key: str) -> int:
    return next(k for k, st in enumerate(solution.steps) if st.key == key)


@pytest.fixture(scope="module")
def conv1(builtin: dict[str, Solution]) -> Solution:
    return builtin["conv-1"]


@pytest.fixture(scope="module")
def cnn1(builtin: dict[str, Solution]) -> Solution:
    return builtin["cnn-1"]


# --- the convolution ---------------------------------------------------------------------------

IMAGE = [[7, 2, 3, 3, 8], [4, 5, 3, 8, 4], [3, 3, 2, 8, 4], [2, 8, 7, 2, 7], [5, 4, 4, 5, 4]]


def test_first_cell_shows_image_kernel_and_empty_map(conv1: Solution) -> None:
    at = index_of(conv1, "conv[1,1,1]")
    text = picture(conv1, at, at)
    lines = text.splitlines()
    assert "imagen x 5×5" in text and "kernel k 3×3" in text and "mapa c 3×3" in text
    styled = styled_lines(conv1, at, at)
    for r, row in enumerate(IMAGE):
        assert [t for t, _ in numbers(styled[r + 1])][:5] == [str(v) for v in row]
    assert sum("1  0 −1" in line for line in lines) == 3
    assert "∗" in text and "=" in text
    assert "?" in text  # the cell being computed
    assert "-" not in text  # the Unicode minus, never a hyphen


def test_the_window_is_framed_and_what_it_reads_is_lit(conv1: Solution) -> None:
    at = index_of(conv1, "conv[1,1,1]")
    lines = styled_lines(conv1, at, at)
    rows = [numbers(line) for line in lines[1:6]]
    for r, row in enumerate(rows):
        image = row[:5]
        assert [s == READ_STYLE for _, s in image] == [r < 3] * 3 + [False] * 2, r
    kernel = [row[5:8] for row in rows[1:4]]
    assert all(s == READ_STYLE for row in kernel for _, s in row)
    assert [t for t, _ in kernel[0]] == ["1", "0", "−1"]
    frame = "".join(ch for line in lines[1:4] for ch, _ in line)
    assert "┌" in frame and "│" in frame and "└" in frame
    assert "┐" in frame and "┘" in frame
    first = [(t, s) for t, s in tokens(lines[2]) if t == "?"]
    assert first == [("?", CURRENT_STYLE)]


def test_the_window_moves_with_the_cell(conv1: Solution) -> None:
    at = index_of(conv1, "conv[1,2,3]")
    lines = styled_lines(conv1, at, at)
    lit = [
        [int(t) for t, s in numbers(line)[:5] if s == READ_STYLE] for line in lines[1:6]
    ]  # rows 2–4, columns 3–5
    assert lit == [[], [3, 8, 4], [2, 8, 4], [7, 2, 7], []]


def test_the_map_fills_in_cell_by_cell(conv1: Solution) -> None:
    last = index_of(conv1, "conv[1,3,3]")
    lines = styled_lines(conv1, last + 1, last)
    maps = [[t for t, _ in cells(line)[-3:]] for line in lines[2:5]]
    assert maps == [["6", "−9", "−8"], ["−3", "−2", "−3"], ["−3", "0", "−2"]]
    middle = index_of(conv1, "conv[1,2,2]")
    lines = styled_lines(conv1, middle, middle)
    maps = [[t for t, _ in cells(line)[-3:]] for line in lines[2:5]]
    assert maps == [["6", "−9", "−8"], ["−3", "?", "·"], ["·", "·", "·"]]
    assert cells(lines[3])[-2] == ("?", CURRENT_STYLE)
    assert cells(lines[3])[-1] == ("·", PENDING_STYLE)


def test_before_the_first_step(conv1: Solution) -> None:
    text = picture(conv1, 0, None)
    assert "imagen x 5×5" in text and "kernel: bordes verticales" in text
    assert "?" not in text and "┌" not in text


def test_padding_zeros_are_drawn_and_lit_when_read() -> None:
    solution = _solve_text(LESSON_SAME)
    at = index_of(solution, "conv[1,1,1]")  # the window over the top-left corner
    lines = styled_lines(solution, at, at)
    top = numbers(lines[1])
    assert [t for t, _ in top[:6]] == ["0"] * 6  # the ring of zeros around the 4×4 image
    assert [s for _, s in top[:3]] == [READ_STYLE] * 3
    assert top[3][1] == PENDING_STYLE
    assert [(t, s) for t, s in numbers(lines[2])[:3]] == [
        ("0", READ_STYLE),
        ("1", READ_STYLE),
        ("2", READ_STYLE),
    ]
    assert "relleno p = 1" in picture(solution, at, at)


LESSON_SAME = """\
id: same
kind: conv
image: [[1, 2, 3, 4], [5, 6, 7, 8], [9, 8, 7, 6], [5, 4, 3, 2]]
kernels:
  - weights: [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
padding: same
"""


def test_an_rgb_image_shows_the_channel_read() -> None:
    solution = _solve_text(LESSON_RGB)
    at = index_of(solution, "chan[1,2,1,2]")
    text = picture(solution, at, at)
    assert "channel G" in text
    assert "x⁽²⁾" in text
    assert "sum: " in text and "= ?" in text  # the channel sums of the cell, one being computed
    text = picture(solution, at + 1, at + 1)
    assert "channel B" in text


# --- ReLU, pooling -----------------------------------------------------------------------------


def test_relu_shows_both_maps(cnn1: Solution) -> None:
    at = index_of(cnn1, "relu[1,2,2]")
    text = picture(cnn1, at, at)
    assert "mapa c 4×4" in text and "activación a 4×4" in text and "ReLU →" in text


def test_pooling_frames_the_window_and_marks_the_winner(cnn1: Solution) -> None:
    at = index_of(cnn1, "pool[1,2,1]")
    step = cnn1.steps[at]
    before = picture(cnn1, at, at)
    assert WINNER_MARK not in before and "┌" in before
    after = picture(cnn1, at + 1, at)
    marked = [line for line in after.splitlines() if WINNER_MARK in line]
    assert len(marked) == 1
    assert re.search(rf"{re.escape(pretty(step.shown))}{WINNER_MARK}", marked[0])
    assert "máx 2×2 →" in after and "pooling m 2×2" in after


# --- the head ----------------------------------------------------------------------------------


def test_softmax_bars(cnn1: Solution) -> None:
    at = index_of(cnn1, "y[1,2]")
    text = picture(cnn1, at + 1, at)
    bars = {}
    for i in (1, 2):
        p = cnn1.steps[index_of(cnn1, f"y[1,{i}]")]
        line = next(line for line in text.splitlines() if f"clase {i}" in line)
        assert f"ỹ{'₁₂'[i - 1]} = {pretty(p.shown)}" in line
        bars[i] = len(re.findall(r"[█▏▎▍▌▋▊▉]", line))
    assert bars[1] > 3 * bars[2] > 0
    assert "m₁₁" in text and "aplanado" in text  # the flattened values over the weights
    before = picture(cnn1, index_of(cnn1, "y[1,1]"), index_of(cnn1, "y[1,1]"))
    assert "█" not in before


def test_loss_and_deltas(cnn1: Solution) -> None:
    at = index_of(cnn1, "d[1,2]")
    text = picture(cnn1, at + 1, at)
    assert "y₁ = 1" in text and "δ₂ = −0.1736" in text and "L = " in text


# --- the way back ------------------------------------------------------------------------------


def test_error_maps_fill_in(cnn1: Solution) -> None:
    at = index_of(cnn1, "drelu[1,2,2]")
    text = picture(cnn1, at, at)
    assert "error δᵃ 4×4" in text and "error δᵐ 2×2" in text and "activación a 4×4" in text
    assert "┌" in text  # the pooling window the cell belongs to
    at = index_of(cnn1, "dconv[1,4,4]")
    text = picture(cnn1, at + 1, at)
    assert "error δᶜ 4×4" in text and "·" not in text


def test_new_kernel_values_replace_the_old_ones(cnn1: Solution) -> None:
    first = index_of(cnn1, "k[1,1,1,1]")
    text = picture(cnn1, first, first)
    assert "k antes" in text and "k después" in text and "+" in text
    end = 1 + max(k for k, s in enumerate(cnn1.steps) if s.phase is Phase.UPDATE)
    lines = styled_lines(cnn1, end, end - 1)
    shown = {t: s for line in lines for t, s in numbers(line)}
    for m in (1, 2, 3):
        for n in (1, 2, 3):
            new = cnn1.steps[index_of(cnn1, f"k[1,1,{m},{n}]")]
            assert shown.get(pretty(new.shown)) == UPDATED_STYLE, (m, n)
    mid = index_of(cnn1, "k[1,1,2,2]")
    lines = styled_lines(cnn1, mid, mid)
    after = [cells(line)[-3:] for line in lines[1:4]]
    assert after[2] == [("0.5", PENDING_STYLE), ("0", PENDING_STYLE), ("−0.5", PENDING_STYLE)]
    assert after[1][1] == ("?", CURRENT_STYLE)


def test_the_check_phase_convolves_with_the_new_kernel(cnn1: Solution) -> None:
    """check.conv[1,1,2]: the board shows the kernel after its update (0.6016 … −0.4904) and
    the new bias b₁ = 0.2042, the map filling in with the values computed again (1.7207); at
    check.loss the table shows ỹ and y but no δ (the check computes none)."""
    k = index_of(cnn1, "check.conv[1,1,2]")
    text = picture(cnn1, k + 1, k)
    assert "k después" in text and "0.6016" in text and "−0.4904" in text
    assert "b₁ = 0.2042" in text and "1.7207" in text and "1.2 " not in text
    end = len(cnn1.steps)
    text = picture(cnn1, end, end - 1)
    assert "L = 0.0441" in text and "ỹ₁ = 0.9569" in text and "δ" not in text


# --- the sizes ---------------------------------------------------------------------------------


def test_sizes_as_revealed(builtin: dict[str, Solution]) -> None:
    solution = builtin["shape-1"]
    text = picture(solution, 0, 0)
    assert "28×28×1" in text and "32 kernels 3×3" in text and "784 px" in text
    assert "32 × ?×?" in text and "25088" not in text
    text = picture(solution, len(solution.steps), None)
    assert "32 × 28×28" in text and "32 × 14×14" in text
    assert "V = 25088" in text and "W = 6272" in text and "P = 320" in text


# --- that it fits ------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", builtin_ids_of("conv"))
@pytest.mark.parametrize("width", [58, 78, 80, 120])
def test_fits_the_width(builtin: dict[str, Solution], lesson_id: str, width: int) -> None:
    """78 is what the walk screen gives at 80 columns (58 at its smallest, 60)."""
    solution = builtin[lesson_id]
    for revealed, current in positions(solution):
        lines = picture(solution, revealed, current, width).splitlines()
        assert max((len(line) for line in lines), default=0) <= width, (revealed, current)
        assert len(lines) <= ROW_BUDGET, (revealed, current)


@pytest.mark.parametrize("lesson_id", builtin_ids_of("conv"))
def test_whole_at_80_columns(builtin: dict[str, Solution], lesson_id: str) -> None:
    """The built-in lessons need no windowing at 80×24: no row or column is left out, except
    in the check phase's convolution (cnn-1's new kernel carries four decimals: the board is
    90 columns wide, and the image shows the columns around the window, as
    ``test_the_check_phase_shows_every_number_it_reads`` requires)."""
    solution = builtin[lesson_id]
    for revealed, current in positions(solution):
        if current is not None and solution.steps[current].key.startswith("check.conv["):
            continue
        scene = conv_scene(solution, revealed, current, solution.language, 78)
        cut = [i for i in scene.labels() if i.role == Role.MORE and i.text in ("…", "⋮")]
        assert not cut, (revealed, current)


@pytest.mark.parametrize("lesson_id", builtin_ids_of("conv"))
def test_the_check_phase_shows_every_number_it_reads(
    builtin: dict[str, Solution], lesson_id: str
) -> None:
    """At 80×24, each step of the check phase shows every number its substitution uses: the
    pixels under the window and the new kernel, or the whole head's row of new weights and
    pooled values (the bars of ỹ go before any of them would)."""
    solution = builtin[lesson_id]
    for k, step in enumerate(solution.steps):
        if step.phase is not Phase.CHECK:
            continue
        scene = conv_scene(solution, k + 1, k, solution.language, 78)
        shown = {label.key for label in scene.labels() if label.key}
        missing = [q.key for q in step.operands if not {q.key, CHECK + q.key} & shown]
        assert not missing, (step.key, missing)


@pytest.mark.parametrize("lesson_id", builtin_ids_of("conv"))
def test_numbers_use_the_unicode_minus(builtin: dict[str, Solution], lesson_id: str) -> None:
    solution = builtin[lesson_id]
    for revealed, current in positions(solution):
        text = picture(solution, revealed, current)
        assert not re.search(r"-\d", text), (revealed, current)


def test_the_board_does_not_shift_while_the_map_fills(cnn1: Solution) -> None:
    columns = set()
    for k, step in enumerate(cnn1.steps):
        if step.key.startswith("conv["):
            for revealed in (k, k + 1):
                lines = picture(cnn1, revealed, k).splitlines()
                columns.add(tuple(line.find("∗") for line in lines))
    assert len(columns) == 1


def test_pure_function_of_its_arguments(cnn1: Solution, conv1: Solution) -> None:
    before = picture(cnn1, 40, 40)
    for revealed, current in positions(conv1):
        picture(conv1, revealed, current)
    picture(cnn1, 100, 100)
    assert picture(cnn1, 40, 40) == before


def test_does_not_keep_a_solution_alive() -> None:
    import gc
    import weakref

    solution = _solve_text(LESSON_SAME)
    picture(solution, 3, 3)
    ref = weakref.ref(solution)
    del solution
    gc.collect()
    assert ref() is None


def test_english(builtin: dict[str, Solution]) -> None:
    from tests.conftest import solved

    solution = solved("cnn-1", "en")
    at = index_of(solution, "conv[1,1,1]")
    text = picture(solution, at, at)
    assert "image x 6×6" in text and "map c 4×4" in text and "vertical edges" in text


# --- a 28×28 image with 32 kernels -------------------------------------------------------------


def big_lesson(classes: int = 3) -> str:
    """The lecture's example with numbers: 28×28×1, 32 kernels 3×3 (same), ReLU, max 2×2, and
    a dense head of ``classes`` classes over the 6,272 pooled values, with a training step."""
    rnd = random.Random(28)

    def matrix(rows: int, cols: int, lo: float, hi: float) -> str:
        return "[" + ", ".join(
            "[" + ", ".join(f"{rnd.uniform(lo, hi):.1f}" for _ in range(cols)) + "]"
            for _ in range(rows)
        ) + "]"  # fmt: skip

    lines = [
        "id: big-conv",
        "kind: conv",
        "title: {es: 28×28 con 32 kernels, en: 28×28 with 32 kernels}",
        "display: {decimals: 3}",
        f"image: {matrix(28, 28, 0, 1)}",
        "kernels:",
    ]
    for _ in range(32):
        lines += [f"  - weights: {matrix(3, 3, -1, 1)}", f"    bias: {rnd.uniform(-1, 1):.1f}"]
    lines += [
        "padding: same",
        "activation: relu",
        "pool: {kind: max, size: 2}",
        f"dense: {{weights: {matrix(classes, 32 * 14 * 14 + 1, -0.1, 0.1)}}}",
        f"target: [1{', 0' * (classes - 1)}]",
        "learning_rate: 0.1",
    ]
    return "\n".join(lines) + "\n"


def _solve_text(text: str, name: str = "lesson") -> Solution:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return solve(load_lesson(path, name))


@pytest.fixture(scope="module")
def big() -> Solution:
    """151,000 steps: a few seconds, once."""
    return _solve_text(big_lesson(), "big")


BIG_KEYS = [
    "size",
    "conv[1,1,1]",
    "conv[7,14,15]",
    "conv[32,28,28]",
    "relu[3,28,28]",
    "pool[32,7,9]",
    "u[1,2]",
    "y[1,3]",
    "loss",
    "d[1,2]",
    "dpool[2,3,4]",
    "drelu[5,10,11]",
    "dconv[5,1,1]",
    "dw[1,2,4000]",
    "w[1,3,6272]",
    "dk[5,1,2,2]",
    "k[5,1,2,2]",
    "db[32]",
    "b[32]",
]


@pytest.mark.slow
def test_big_image_is_windowed_and_fits(big: Solution) -> None:
    for width in (58, 80, 120, 200):
        for key in BIG_KEYS:
            at = index_of(big, key)
            lines = picture(big, at + 1, at, width).splitlines()
            assert max(len(line) for line in lines) <= width, (key, width)
            assert len(lines) <= ROW_BUDGET, (key, width)
    at = index_of(big, "conv[7,14,15]")
    text = picture(big, at, at, 80)
    assert "imagen x 28×28" in text and "mapa c⁽⁷⁾ 28×28" in text and "kernel 7 de 32" in text
    assert "…" in text and "⋮" in text and "┌" in text and "?" in text


# --- headless ----------------------------------------------------------------------------------


def test_imports_no_textual() -> None:
    code = "import sys, stepper.pictures.conv; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the app -----------------------------------------------------------------------------------


async def ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_snapshot_mid_convolution(snap_compare: SnapCompare) -> None:
    """conv-1 at c₂₂ with its substitution shown: the 5×5 image with the 3×3 window framed
    over rows 2–4 and columns 2–4 (5 3 8 / 3 2 8 / 8 7 2), the kernel 1 0 −1 three times,
    the map with 6, −9, −8 and −3 written in, c₂₂ highlighted as ? and the last four cells
    dots; under them the kernel's name, and step 8 of 12 in the forward phase."""
    assert snap_compare(
        make_app("conv-1"),
        terminal_size=(80, 24),
        run_before=ready,
        press=["enter", "g", *"conv[1,2,2]", "enter", "p"],
    )


LESSON_RGB = """\
id: rgb
kind: conv
title: RGB
language: en
display: {decimals: 2}
image:
  - [[1, 2, 0, 1, 3], [0, 1, 2, 3, 1], [1, 0, 1, 2, 2], [2, 1, 0, 1, 0], [1, 1, 2, 0, 1]]
  - [[0, 1, 1, 0, 2], [1, 0, 0, 1, 1], [2, 1, 1, 0, 0], [0, 0, 1, 1, 2], [1, 2, 0, 1, 0]]
  - [[2, 0, 1, 1, 0], [1, 1, 0, 0, 2], [0, 2, 1, 1, 1], [1, 0, 2, 0, 1], [0, 1, 1, 2, 0]]
kernels:
  - name: one
    weights:
      - [[1, 0, -1], [1, 0, -1], [1, 0, -1]]
      - [[0, 1, 0], [0, 1, 0], [0, 1, 0]]
      - [[-1, -1, -1], [0, 0, 0], [1, 1, 1]]
    bias: 1
  - weights:
      - [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5]]
      - [[1, 1, 1], [0, 0, 0], [0, 0, 0]]
      - [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
padding: 1
stride: 2
activation: relu
pool: {kind: average, size: 2, stride: 1}
dense:
  weights:
    - [0.1, 0.2, -0.1, 0.3, 0.1, 0.2, -0.2, 0.1, 0.05]
    - [0.2, -0.1, 0.1, -0.2, 0.2, 0.1, 0.1, -0.1, 0.3]
    - [0.0, 0.1, 0.1, 0.1, -0.1, 0.0, 0.2, 0.2, -0.1]
target: [0, 1, 0]
learning_rate: 0.5
"""


@pytest.mark.slow
def test_every_position_of_an_rgb_lesson_fits() -> None:
    solution = _solve_text(LESSON_RGB)
    for width in (58, 80):
        for revealed, current in positions(solution):
            lines = picture(solution, revealed, current, width).splitlines()
            assert max(len(line) for line in lines) <= width, (revealed, current)
            assert len(lines) <= ROW_BUDGET, (revealed, current)


# --- the scene ---------------------------------------------------------------------------------


def sample_positions(solution: Solution, count: int = 40) -> list[tuple[int, int | None]]:
    """The title screen, the end, and ``count`` positions spread over the walk (each step
    being computed and with its value shown), always including every phase's first step."""
    n = len(solution.steps)
    at = {round(k * (n - 1) / max(1, count - 1)) for k in range(count)}
    at |= {k for k in range(n) if k == 0 or solution.steps[k].phase != solution.steps[k - 1].phase}
    return [(0, None), (n, None), *((k, k) for k in sorted(at)), *((k + 1, k) for k in sorted(at))]


def overlaps(scene: Scene) -> list[tuple[Label, Label]]:
    """Pairs of labels that share a cell."""
    rows: dict[float, list[Label]] = {}
    for item in scene.labels():
        rows.setdefault(item.y, []).append(item)
    out = []
    for items in rows.values():
        items.sort(key=lambda i: i.x)
        out += [(a, b) for a, b in itertools.pairwise(items) if a.x + a.width > b.x]
    return out


def frame_cells(scene: Scene) -> set[tuple[int, int]]:
    """The cells where the bracket frames draw their edges."""
    cells = set()
    for f in scene.items:
        if isinstance(f, Frame) and f.shape is Shape.BRACKET:
            for row in range(int(f.y), int(f.y + f.h)):
                cells |= {(int(f.x), row), (int(f.x + f.w) - 1, row)}
    return cells


@pytest.mark.parametrize("lesson_id", builtin_ids_of("conv"))
@pytest.mark.parametrize("width", [80, 60])
def test_scene_has_no_overlap_and_fits(
    builtin: dict[str, Solution], lesson_id: str, width: int
) -> None:
    """No two labels share a cell, no label sits on a frame's edge, and everything lies within
    ``width`` × ROW_BUDGET, at every sampled position."""
    solution = builtin[lesson_id]
    for revealed, current in sample_positions(solution):
        scene = conv_scene(solution, revealed, current, solution.language, width)
        where = (lesson_id, width, revealed, current)
        assert scene.width <= width and scene.height <= ROW_BUDGET, where
        assert not overlaps(scene), (where, overlaps(scene)[:2])
        edges = frame_cells(scene)
        for item in scene.labels():
            assert item.x >= 0 and item.x + item.width <= scene.width, (where, item)
            assert 0 <= item.y < scene.height, (where, item)
            assert not {(int(item.x) + d, int(item.y)) for d in range(item.width)} & edges, item
        for f in scene.items:
            if isinstance(f, Frame):
                assert f.x >= 0 and f.x + f.w <= scene.width, (where, f)
                assert f.y >= 0 and f.y + f.h <= scene.height, (where, f)


def _window_cells(scene: Scene, frame: Frame) -> list[Label]:
    return [
        i
        for i in scene.labels()
        if frame.y <= i.y < frame.y + frame.h and frame.x < i.x < frame.x + frame.w - 1
    ]


@pytest.mark.parametrize("lesson_id", ["conv-1", "conv-2", "kernels-1", "cnn-1", "rgb-1"])
@pytest.mark.parametrize("width", [80, 60])
def test_current_cell_and_its_window(
    builtin: dict[str, Solution], lesson_id: str, width: int
) -> None:
    """At each cell of a map: one CURRENT label (and its slot among an RGB image's channel
    sums), ``?`` until revealed and the value after; the kernel's window over the
    image is a Frame around its k × k pixels, READ when the step reads them."""
    solution = builtin[lesson_id]
    assert solution.conv is not None
    for k, step in enumerate(solution.steps):
        if not (step.key.startswith("conv[") or step.key.startswith("chan[")):
            continue
        for revealed in (k, k + 1):
            scene = conv_scene(solution, revealed, k, solution.language, width)
            current = [i.text for i in scene.labels() if i.role is Role.CURRENT]
            shown = pretty(step.shown) if revealed > k else "?"
            if len(solution.conv.image) == 1:
                assert current == [shown], (step.key, revealed)
            else:  # the map's cell, and the channel sums' slot under the board
                assert current and all(t.endswith(shown) for t in current), (step.key, current)
            frames = [f for f in scene.items if isinstance(f, Frame)]
            read = [q for q in step.operands if q.key.startswith("x[") or q.key == "pad"]
            # a sum of an RGB image's channels reads no pixel: its window is drawn dim
            assert len(frames) == 1, step.key
            assert frames[0].role is (Role.READ if read else Role.MORE), step.key
            inside = _window_cells(scene, frames[0])
            assert len(inside) == len(solution.conv.kernels[0][0]) ** 2, step.key
            assert [i.role is Role.READ for i in inside] == [bool(read)] * len(inside), step.key


def test_pooling_window_is_a_frame_around_the_winner(cnn1: Solution) -> None:
    """Max pooling: the window is a Frame over the 2×2 cells it reads, and once the pooled value
    is revealed the winner (the largest of them) carries the ◂ mark just right of it."""
    for k, step in enumerate(cnn1.steps):
        if not step.key.startswith("pool["):
            continue
        scene = conv_scene(cnn1, k + 1, k, "es", 80)
        frames = [f for f in scene.items if isinstance(f, Frame)]
        assert len(frames) == 1, step.key
        inside = [i for i in _window_cells(scene, frames[0]) if i.role is not Role.MARK]
        assert sorted(i.text for i in inside) == sorted(pretty(q.shown) for q in step.operands)
        marks = [i for i in scene.labels() if i.role is Role.MARK]
        assert len(marks) == 1 and marks[0].text == WINNER_MARK, step.key
        winner = next(i for i in inside if i.y == marks[0].y and i.x + i.width == marks[0].x)
        assert winner.text == pretty(step.shown), step.key


def test_big_image_scene_is_windowed(big: Solution) -> None:
    """28×28 with 32 kernels: at 80 and 60 columns the scene fits, nothing overlaps, and the
    map cell in focus is still the CURRENT one."""
    for width in (80, 60):
        for key in BIG_KEYS:
            at = index_of(big, key)
            scene = conv_scene(big, at, at, "es", width)
            assert scene.width <= width and scene.height <= ROW_BUDGET, (key, width)
            assert not overlaps(scene), (key, width)
            current = [i for i in scene.labels() if i.role is Role.CURRENT]
            assert current, (key, width)


def test_not_a_conv_lesson_gives_an_empty_scene(builtin: dict[str, Solution]) -> None:
    scene = conv_scene(builtin["forward-1"], 0, None, "es", 80)
    assert scene.items == () and scene.width == scene.height == 0


# --- print ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", builtin_ids_of("conv"))
@pytest.mark.parametrize("worksheet", [False, True])
def test_print_scene_fits_without_overlap(
    builtin: dict[str, Solution], lesson_id: str, worksheet: bool
) -> None:
    solution = builtin[lesson_id]
    scene = print_scene(solution, solution.language, 120, worksheet=worksheet)
    assert scene.width <= 120 and not overlaps(scene)
    assert all(0 <= i.y < scene.height for i in scene.labels())
    assert bool(scene.items) == bool(solution.conv and solution.conv.image)


@pytest.mark.parametrize("lesson_id", ["conv-1", "conv-2", "kernels-1", "pool-1", "cnn-1", "rgb-1"])
def test_printed_solution_shows_every_map_and_the_worksheet_none(
    builtin: dict[str, Solution], lesson_id: str
) -> None:
    """A solution's picture holds each cell of each conv, ReLU and pooled map, in the map's
    cell (its label carries that value); a worksheet's holds none of the computed values that
    the lesson does not also give, and no map."""
    solution = builtin[lesson_id]
    conv = solution.conv
    assert conv is not None
    texts = [i.text for i in print_scene(solution, "es", 120, worksheet=False).labels()]
    maps = [s for s in solution.steps if re.fullmatch(r"(conv|relu|pool)\[\d+,\d+,\d+\]", s.key)]
    assert maps
    missing = [s.key for s in maps if pretty(s.shown) not in texts]
    assert not missing, missing
    worksheet = print_scene(solution, "es", 120, worksheet=True).labels()
    givens = {pretty(given(v)) for m in conv.image for row in m for v in row}
    givens |= {pretty(given(v)) for k in conv.kernels for m in k for row in m for v in row}
    givens |= {pretty(given(v)) for v in conv.biases} | {"0"}
    leaked = {s.key for s in maps if pretty(s.shown) in {i.text for i in worksheet}}
    leaked = {
        k for k in leaked if pretty(solution.steps[index_of(solution, k)].shown) not in givens
    }
    assert not leaked, leaked
    assert not any(i.text.startswith(("mapa", "pooling", "ReLU")) for i in worksheet)


def test_big_print_is_cut_to_the_page(big: Solution) -> None:
    """28×28 with 32 kernels in print: grids show their corner (⋮ and …), the first
    PRINT_KERNELS kernels are drawn and the rest counted, and it all fits the print width."""
    for worksheet in (False, True):
        scene = print_scene(big, "es", PRINT_WIDTH, worksheet=worksheet)
        assert scene.width <= PRINT_WIDTH and not overlaps(scene), worksheet
        texts = [i.text for i in scene.labels()]
        captions = [t for t in texts if re.fullmatch(r"kernel \d+ de 32", t)]
        assert len(captions) == PRINT_KERNELS, worksheet
        assert f"kernels: … {32 - PRINT_KERNELS} más" in texts, worksheet
        assert "⋮" in texts and "…" in texts
        rows: dict[float, int] = {}
        for item in scene.labels():
            if re.fullmatch(r"−?\d+(\.\d+)?", item.text):
                rows[item.y] = rows.get(item.y, 0) + 1
        assert max(rows.values()) <= 3 * PRINT_CELLS, worksheet  # image, kernel and map


# --- labels name the quantity they write ------------------------------------------------------


def test_the_first_cell_names_its_quantities(conv1: Solution) -> None:
    """The cell being computed, the pixels and weights it reads carry their keys."""
    at = index_of(conv1, "conv[1,1,1]")
    labels = conv_scene(conv1, at, at, "es", 78).labels()
    by_key = {label.key: label for label in labels if label.key is not None}
    assert by_key["conv[1,1,1]"].role is Role.CURRENT
    for r, row in enumerate(IMAGE, 1):
        for c, value in enumerate(row, 1):
            pixel = by_key[f"x[1,{r},{c}]"]
            assert pixel.text == str(value)
            assert (pixel.role is Role.READ) == (r <= 3 and c <= 3)  # the 3×3 window
    assert {f"k[1,1,{r},{c}]" for r in (1, 2, 3) for c in (1, 2, 3)} <= set(by_key)


@pytest.mark.parametrize("lesson_id", builtin_ids_of("conv"))
def test_a_keyed_label_writes_its_quantity(builtin: dict[str, Solution], lesson_id: str) -> None:
    """A label with a key names a quantity of the solution and, once that is known, writes
    its value; every step's key is written by some label at some position."""
    solution = builtin[lesson_id]
    steps: dict[str, set[str]] = {}
    givens: dict[str, set[str]] = {}  # a size's p or N may differ from kernel to kernel
    for st in solution.steps:
        steps.setdefault(st.key, set()).add(pretty(st.shown))
        for q in st.operands:
            if q.step is None:
                givens.setdefault(q.key, set()).update({pretty(given(q.value)), q.shown})
    written: set[str] = set()
    for revealed, current in positions(solution):
        for label in conv_scene(solution, revealed, current, "es", 120).labels():
            key = label.key
            if key is None:
                continue
            written.add(key)
            assert key in steps or key in givens, key
            if label.role in (Role.PENDING, Role.CURRENT):
                continue
            values = steps.get(key, set()) | givens.get(key, set())
            assert values & set(label.text.split()), (key, label.text, values)
    assert set(steps) <= written, set(steps) - written


# --- nothing given away before it is asked -----------------------------------------------------

#: The labels that write a cell of a map (conv, ReLU, pooling, their errors, a channel's sum).
_MAP_CELL = re.compile(r"^(?:d?(?:conv|relu|pool)|chan)\[")


def _given_sides(solution: Solution) -> set[int]:
    """The sides a lesson gives (the image, the kernels, the pooling window): a picture may
    write them at any time."""
    conv = solution.conv
    assert conv is not None
    sides = {len(ch) for ch in conv.image} | {len(ch[0]) for ch in conv.image if ch}
    sides |= {len(ch) for kernel in conv.kernels for ch in kernel}
    return sides | ({conv.pool[1]} if conv.pool is not None else set())


@pytest.mark.parametrize("width", [80, 60])
def test_no_size_shown_before_its_step(builtin: dict[str, Solution], width: int) -> None:
    """Until a size step (O = (D − N + 2p)/s + 1, the pooled side Q) is revealed, no picture of
    the walk writes its value: not as the map's header (mapa z 4×4), not in the slot of the
    step, and no map is drawn with its cells (which would count the side out)."""
    checked = 0
    for lesson_id in builtin_ids_of("conv"):
        solution = builtin[lesson_id]
        sides = [
            (k, step)
            for k, step in enumerate(solution.steps)
            if step.phase == Phase.SHAPE and step.key.partition("[")[0] in ("size", "pool_size")
        ]
        givens = _given_sides(solution)
        for revealed in range(max((k for k, _ in sides), default=-1) + 1):
            for current in (None, revealed):
                scene = conv_scene(solution, revealed, current, solution.language, width)
                texts = [label.text for label in scene.labels()]
                pending = [step for k, step in sides if k >= revealed]
                where = (lesson_id, revealed, current)
                cells = [i.key for i in scene.labels() if i.key and _MAP_CELL.match(i.key)]
                assert not cells, where
                for step in pending:
                    n = step.shown
                    slot = [i.text for i in scene.labels() if i.key == step.key]
                    assert not any(re.search(rf"(?<![\d.]){n}(?![\d.])", t) for t in slot), where
                    if int(float(n)) not in givens:
                        side = re.compile(rf"(?<!\d){n}×{n}(?!\d)")
                        assert not any(side.search(t) for t in texts), (*where, n)
                checked += 1
    assert checked > 20


def test_sizes_name_what_each_symbol_counts(builtin: dict[str, Solution]) -> None:
    """The sizes picture writes each count as the formula's symbol with what it counts
    (P parámetros, V = ? valores, W = 6272 valores), never a bare letter at the end of a row."""
    for lesson_id in ("shape-1", "cnn-1"):
        solution = builtin[lesson_id]
        for lang, words in (("es", ("parámetros", "valores")), ("en", ("parameters", "values"))):
            for revealed in range(len(solution.steps) + 1):
                step = solution.steps[revealed] if revealed < len(solution.steps) else None
                if step is not None and step.phase != Phase.SHAPE:
                    break
                current = None if step is None else revealed
                text = render(conv_picture(solution, revealed, current, lang, 80), 80)
                rows = text.splitlines()[:5]
                for row in rows[1:]:
                    if not row.lstrip().startswith("↓ max"):
                        assert row.rstrip().endswith(words), (lesson_id, lang, revealed, row)
                assert rows[1].count(words[0]) == 1 and rows[2].count(words[1]) == 1


def test_the_relu_map_does_not_read_as_relu_to(cnn1: Solution) -> None:
    """The ReLU map is called the activation map (activación a 4×4), not "ReLU a 4×4", which
    reads as "ReLU to 4×4"."""
    at = index_of(cnn1, "relu[1,1,1]")
    for lang, word in (("es", "activación a 4×4"), ("en", "activation a 4×4")):
        text = render(conv_picture(cnn1, at, at, lang, 80), 80)
        assert word in text and "ReLU a " not in text


def test_a_narrow_board_narrows_a_kernel_before_hiding_its_columns(
    builtin: dict[str, Solution],
) -> None:
    """The gallery's kernels share the widest one's cell width (0.0625) so that the board does
    not shift; at 58 columns an integer kernel is drawn at its own width instead, and every
    weight its step reads is on screen (the box blur's 0.1111 cannot be narrowed)."""
    solution = builtin["kernels-1"]
    for k, st in enumerate(solution.steps):
        kernel = int(st.key[len("conv[")]) if st.key.startswith("conv[") else 0
        if kernel in (1, 2, 5, 6):
            labels = conv_scene(solution, k, k, "es", 58).labels()
            shown = {label.key for label in labels if (label.key or "").startswith("k[")}
            assert len(shown) == 9, (st.key, sorted(shown))
