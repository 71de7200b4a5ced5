"""The network picture: what it shows at each position of a walk, and that it fits the screen.

The scene is drawn in the terminal's cells (``render_rich``) and read back as text and styles,
as the learner sees it.
"""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console, RenderableType
from rich.segment import Segment

from stepper.catalog import resolve
from stepper.engine import solve
from stepper.lesson.load import load_lesson
from stepper.numbers import given, pretty
from stepper.pictures.network import ROW_BUDGET, ROW_SLACK, network_scene
from stepper.pictures.render_rich import CURRENT_STYLE, READ_STYLE, UPDATED_STYLE
from stepper.pictures.render_rich import render as draw
from stepper.pictures.scene import Label
from stepper.steps import Phase, Solution
from tests.conftest import builtin_ids_of, positions

ROW_LIMIT = ROW_BUDGET + ROW_SLACK


def network_picture(
    solution: Solution, revealed: int, current: int | None, lang: str, width: int
) -> RenderableType:
    return draw(network_scene(solution, revealed, current, lang, width))


def big_lesson(path: Path) -> None:
    """The benchmark's generator of a 784-32-10 lesson (benchmarks/ is not a package)."""
    file = Path(__file__).parent.parent / "benchmarks" / "bench_solve.py"
    spec = importlib.util.spec_from_file_location("bench_solve", file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.big_lesson(path)


def render(picture: RenderableType, width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(picture)
    return console.export_text()


def picture(solution: Solution, revealed: int, current: int | None, width: int = 80) -> str:
    return render(network_picture(solution, revealed, current, solution.language, width), width)


def segments(solution: Solution, revealed: int, current: int | None) -> list[Segment]:
    console = Console(width=80, file=io.StringIO())
    pic = network_picture(solution, revealed, current, solution.language, 80)
    return [seg for line in console.render_lines(pic, pad=False) for seg in line]


def style_of(segs: list[Segment], text: str) -> object:
    """The style of the one segment that holds ``text``."""
    found = [seg.style for seg in segs if text in seg.text]
    assert len(found) == 1, (text, [seg.text for seg in segs])
    return found[0]


def index_of(solution: Solution, key: str, nth: int = 0) -> int:
    return [k for k, st in enumerate(solution.steps) if st.key == key][nth]


@pytest.fixture(scope="module")
def bp1(builtin: dict[str, Solution]) -> Solution:
    return builtin["backprop-1"]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Solution:
    """The benchmark's 784-32-10 network (51,037 steps): a few seconds, once."""
    path = tmp_path_factory.mktemp("big") / "big.yaml"
    big_lesson(path)
    return solve(load_lesson(path, "big"))


# --- what it shows ------------------------------------------------------------------------------


def test_inputs_with_the_bias_input(bp1: Solution) -> None:
    text = picture(bp1, 0, None)
    for needle in ("x₀ = 1", "x₁ = 0.1", "x₂ = 0.7", "entradas", "capa 1"):
        assert needle in text


def test_every_initial_weight_before_the_update(bp1: Solution) -> None:
    first_update = index_of(bp1, "w[1,1,0]")
    for revealed in (0, 4, first_update):
        text = picture(bp1, revealed, revealed)
        for q in bp1.given:
            assert f"{q.sym.unicode()} = {pretty(given(q.value))}" in text, (revealed, q.key)
        assert "→" not in text


def test_updated_weights_replace_the_old_ones(bp1: Solution) -> None:
    text = picture(bp1, len(bp1.steps), None)
    assert "w₁₀ → 0.082" in text
    assert "w₂₂ → −0.47848" in text
    for q in bp1.given:
        assert f"{q.sym.unicode()} = " not in text, q.key
    # Half-way through the update: the first neuron's weights are new, the second's still old.
    half = index_of(bp1, "w[1,1,2]") + 1
    text = picture(bp1, half, half)
    assert "w₁₂ → 0.2874" in text
    assert "w₁₂ = 0.3" not in text
    assert "w₂₀ = 0.5" in text
    assert "w₂₀ →" not in text


def test_updated_weights_are_styled(bp1: Solution) -> None:
    segs = segments(bp1, len(bp1.steps), None)
    assert style_of(segs, "w₁₀ → 0.082") == UPDATED_STYLE


def test_revealed_values_appear_and_the_others_do_not(bp1: Solution) -> None:
    text = picture(bp1, 2, 2)  # u₁ and ỹ₁ revealed, u₂ being computed
    assert "u₁ = 0.29" in text
    assert "ỹ₁ = 0.29" in text
    assert "u₂ = ?" in text
    assert "0.12" not in text  # u₂
    assert "0.11943" not in text  # ỹ₂
    assert "ε₁ = " not in text
    text = picture(bp1, 4, 4)
    assert "u₂ = 0.12" in text
    assert "ỹ₂ = 0.11943" in text
    assert "ε₁ = ?" in text
    text = picture(bp1, 9, 9)
    for needle in ("ε₁ = −0.09", "ε₂ = 0.88057", "δ₁ = −0.09", "δ₂ = 0.86801"):
        assert needle in text
    assert "y₁ = 0.2" in text  # the wanted output, a given number
    assert "α = 0.1" in text


def test_the_check_phase_shows_the_values_computed_again(bp1: Solution) -> None:
    """In the check phase each neuron shows its values computed with the new weights (u₁ =
    ỹ₁ = 0.263, ε₂ = 0.63694, ε² = 0.40966), the new weights stay on their synapses, and the
    forward pass's values (u₁ = 0.29, ε² = 0.78351) are gone, the δ that made the update
    stays; the quantity computed is lit."""
    end = len(bp1.steps)
    text = picture(bp1, end, end - 1)
    for shown in ("u₁ = 0.263", "ỹ₁ = 0.263", "ε₂ = 0.63694", "ε² = 0.40966", "w₂₂ → −0.47848"):
        assert shown in text, shown
    assert "0.29" not in text and "0.78351" not in text
    assert "δ₁ = −0.09" in text  # the δ that made the update: none is computed again
    assert style_of(segments(bp1, end, end - 1), "ε² = 0.40966") == CURRENT_STYLE
    first = index_of(bp1, "check.u[1,1]")
    text = picture(bp1, first, first)  # computing u₁ again: its old value is not shown
    assert "u₁ = ?" in text and "u₁ = 0.29" not in text and "ε² = 0.78351" not in text


def test_numbers_use_the_unicode_minus(builtin: dict[str, Solution]) -> None:
    for solution in builtin.values():
        for revealed in (0, len(solution.steps) // 2, len(solution.steps)):
            assert not re.search(r"-\d", picture(solution, revealed, None, 120))


def test_the_current_neuron_and_what_it_reads_are_highlighted(bp1: Solution) -> None:
    current = index_of(bp1, "u[1,2]")
    segs = segments(bp1, current, current)
    assert style_of(segs, "(2 tgh)") == CURRENT_STYLE
    assert not style_of(segs, "(1 lineal)")
    assert style_of(segs, "u₂ = ?") == CURRENT_STYLE
    for needle in ("w₂₀ = 0.5", "w₂₁ = 0.4", "w₂₂ = −0.6", "x₀ = 1", "x₁ = 0.1", "x₂ = 0.7"):
        assert style_of(segs, needle) == READ_STYLE, needle
    assert not style_of(segs, "w₁₁ = −0.2")

    current = index_of(bp1, "dw[1,2,1]")  # Δw₂₁ = 2α x₁ δ₂, drawn on the synapse w₂₁
    segs = segments(bp1, current, current)
    assert style_of(segs, "(2 tgh)") == CURRENT_STYLE
    assert style_of(segs, "w₂₁ = 0.4") == CURRENT_STYLE
    for needle in ("x₁ = 0.1", "δ₂ = 0.86801", "α = 0.1"):
        assert style_of(segs, needle) == READ_STYLE, needle
    assert not style_of(segs, "x₂ = 0.7")

    segs = segments(bp1, 0, None)  # the title screen: nothing is being computed
    assert all(seg.style not in (CURRENT_STYLE, READ_STYLE) for seg in segs)


def test_hidden_delta_reads_the_next_layer(builtin: dict[str, Solution]) -> None:
    bp2 = builtin["backprop-2"]
    current = index_of(bp2, "d[1,2]")  # γ₂ = (1 − z₂²) δ₃ t₃₂
    segs = segments(bp2, current, current)
    assert style_of(segs, "(2 tgh)") == CURRENT_STYLE
    for needle in ("z₂", "δ₃", "t₃₂"):
        assert any(needle in seg.text and seg.style == READ_STYLE for seg in segs), needle
    text = picture(bp2, current, current)
    assert "γ₁" in text
    assert "0.32522" in text  # γ₁, revealed
    assert "t₃₁" in text
    assert "z₀" in text  # the hidden layer's bias input


def test_lecture_letters(builtin: dict[str, Solution]) -> None:
    text = picture(builtin["backprop-2"], 0, None, 120)
    for needle in ("t₃₀ = 0.2", "(3 lineal)", "z₁", "ỹ₁", "γ₁", "δ₃", "(1 tgh)"):
        assert needle in text
    text = picture(builtin["forward-1"], 0, None, 120)
    for needle in ("v₀ = 1", "v₃", "t₅₃ = 0.2", "(5 lineal)"):
        assert needle in text
    assert "δ" not in text  # forward only: nothing is propagated back


def test_each_sample_shows_its_own_values(builtin: dict[str, Solution]) -> None:
    reg = builtin["regression-1"]
    second = index_of(reg, "e[1]", 1)  # iteration 1, pair 2
    text = picture(reg, second, second)
    # regression-1 normalises: the picture shows what the network sees, x′ and y′ of pair 2
    # (26 years → 2·6/18 − 1, 5.5 M€ → 2·0.3/0.7 − 1).
    assert "x′₁ = −0.3333" in text
    assert "y′₁ = −0.1429" in text
    assert "par 2" in text
    assert "ε₁ = ?" in text
    assert "x′₁ = −1" not in text and "y′₁ = −1" not in text  # pair 1's
    # Iteration 2: the weights of iteration 1's update are the weights now, with no mark.
    start = next(k for k, st in enumerate(reg.steps) if st.iteration == 2)
    text = picture(reg, start, start)
    assert "w₁₀ = 0.0714" in text
    assert "→" not in text
    assert "δ₁ = " not in text  # iteration 1's deltas belong to iteration 1


def test_english_labels(builtin: dict[str, Solution]) -> None:
    bp1 = builtin["backprop-1"]
    text = render(network_picture(bp1, 0, None, "en", 80))
    assert "inputs" in text
    assert "layer 1" in text
    assert "(1 linear)" in text


def test_pure_function_of_its_arguments(builtin: dict[str, Solution]) -> None:
    bp2 = builtin["backprop-2"]
    before = picture(bp2, 9, 9)
    for revealed in range(len(bp2.steps) + 1):
        picture(bp2, revealed, revealed if revealed < len(bp2.steps) else None)
    picture(builtin["regression-1"], 50, 50)
    assert picture(bp2, 9, 9) == before


def test_no_network_no_picture(bp1: Solution) -> None:
    from dataclasses import replace

    assert render(network_picture(replace(bp1, network=None), 0, None, "es", 80)).strip() == ""


# --- that it fits ------------------------------------------------------------------------------


@pytest.mark.parametrize("lesson_id", builtin_ids_of("dense"))
@pytest.mark.parametrize("width", [78, 80, 120])
def test_fits_the_width(builtin: dict[str, Solution], lesson_id: str, width: int) -> None:
    """78 is what the walk screen gives at 80 columns, where the picture has 12 rows."""
    solution = builtin[lesson_id]
    for revealed, current in positions(solution):
        lines = picture(solution, revealed, current, width).splitlines()
        assert max(len(line) for line in lines) <= width, (revealed, current)
        assert len(lines) <= ROW_BUDGET, (revealed, current)


def test_fits_even_narrow(bp1: Solution) -> None:
    for width in (30, 50, 60, 70):
        lines = picture(bp1, 5, 5, width).splitlines()
        assert max(len(line) for line in lines) <= width


def test_layout_does_not_jump_while_walking(builtin: dict[str, Solution]) -> None:
    """Every neuron's junction stays in the same column from the first step to the last."""
    for lesson_id in ("backprop-1", "backprop-2", "forward-1"):
        solution = builtin[lesson_id]
        columns = set()
        for revealed, current in positions(solution):
            text = picture(solution, revealed, current)
            columns.add(tuple(line.find("┼") for line in text.splitlines()))
        assert len(columns) == 1, lesson_id


# --- a 784-32-10 network -----------------------------------------------------------------------


@pytest.mark.slow
def test_big_network_is_elided_and_fits(big: Solution) -> None:
    update = next(k for k, st in enumerate(big.steps) if st.phase is Phase.UPDATE)
    for revealed, current in ((0, None), (3, 3), (100, 100), (update + 20000, update + 20000)):
        pic = network_picture(big, revealed, current, "es", 80)
        lines = render(pic).splitlines()
        assert max(len(line) for line in lines) <= 80
        assert len(lines) <= ROW_LIMIT
        assert len(render(network_picture(big, revealed, current, "es", 78)).splitlines()) <= 12
        text = "\n".join(lines)
        assert "x₀ = 1" in text
        assert "más" in text
    for width in (100, 120, 200):
        lines = render(network_picture(big, 100, 100, "es", width), width).splitlines()
        assert max(len(line) for line in lines) <= width
        assert len(lines) <= ROW_LIMIT


@pytest.mark.slow
def test_big_network_shows_the_synapse_being_updated(big: Solution) -> None:
    current = next(k for k, st in enumerate(big.steps) if st.key == "dw[1,19,471]")
    text = render(network_picture(big, current, current, "es", 80))
    assert "w₁₉‚₄₇₁ = " in text
    assert "x₄₇₁ = " in text
    assert "(19 tgh)" in text


# --- headless ----------------------------------------------------------------------------------


def test_imports_no_textual() -> None:
    code = "import sys, stepper.pictures.terminal; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("width", range(40, 56))
def test_a_picture_too_narrow_for_every_layout_never_cuts_a_value(width: int) -> None:
    """normalize-1's title card at 60×20 gives the picture 48 columns and 5 rows, where no
    layout fits and the narrowest one is cropped. Its input line once ran one column past the
    edge and the crop cut "α=10⁻⁸" to "α=1", a different number. A label either fits whole or
    is left out."""
    solution = solve(load_lesson(resolve("normalize-1").path, "normalize-1"))
    scene = network_scene(solution, 0, None, "es", width, rows=5)
    alphas = [i.text for i in scene.items if isinstance(i, Label) and i.text.startswith("α")]
    assert all(text == "α=10⁻⁸" for text in alphas), (width, alphas)
    assert all(i.x + i.width <= width for i in scene.items if isinstance(i, Label)), width
