"""SVG snapshots of what must fit at 80×24 and 60×20: the step's text scrolled by the arrows,
the help over the title screen, the edit dialog refusing a value, the labelled loss chart.

Each docstring says what the picture must show (see ``tests/test_snapshots.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui_helpers import SnapCompare, make_app, settle

pytestmark = pytest.mark.slow

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")]


async def ready(pilot: Pilot[Any]) -> None:
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_long_explanation_marked(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """backprop-2 at γ₂ (step 11): the formula, its substitution and −0.27865 at the top of the
    step pane, the explanation cut by the pane with "↓ más" at its foot, no scrollbar glyphs;
    the footer starts with ␣ siguiente, ← atrás, ? ayuda, q salir, ↑↓ texto."""
    assert snap_compare(
        make_app("backprop-2"),
        terminal_size=size,
        run_before=ready,
        press=["enter", "g", "1", "1", "enter"],
    )


@pytest.mark.parametrize("size", SIZES)
def test_long_note_scrolled(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """conv-1 at c₁₁ (step 4) after ↓ pressed until the end: the pane shows the end of the
    yellow note on the slide's +1 ("… el valor de la diapositiva.") and no "↓ más"."""
    assert snap_compare(
        make_app("conv-1"),
        terminal_size=size,
        run_before=ready,
        press=["enter", "g", "4", "enter", *["down"] * 20],
    )


@pytest.mark.parametrize("size", SIZES)
def test_help_on_the_title_screen(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """? on backprop-1's title screen: the help box inside the screen with "Teclas", the
    title's keys (⏎/␣ empezar, ? ayuda, q salir) under "En la portada", the walk's first keys
    under "En la lección", and "↑↓ desplazar · Esc cerrar" on its frame."""
    assert snap_compare(make_app(), terminal_size=size, run_before=ready, press=["question_mark"])


@pytest.mark.parametrize("size", SIZES)
def test_help_scrolled_to_the_end(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """The walk's help scrolled to its end: the last keys, PgUp/PgDn for what is revealed,
    r restaurar and Esc dejar la respuesta, on screen inside the box."""
    assert snap_compare(
        make_app(), terminal_size=size, run_before=ready, press=["enter", "question_mark", "end"]
    )


@pytest.mark.parametrize("size", SIZES)
def test_edit_refuses_with_a_reason(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """backprop-1's edit dialog inside the screen, α chosen and "abc" typed: the list of
    numbers above (α = 0.1 first), "Nuevo valor de α:", the typed text, and in red "«abc» no
    es un número: escribe, por ejemplo, 0.5 o −0.25…"; "⏎ elegir y aplicar · Esc cancelar"
    on the frame."""
    assert snap_compare(
        make_app(),
        terminal_size=size,
        run_before=ready,
        press=["enter", "e", "enter", *["backspace"] * 3, *"abc", "enter"],
    )


@pytest.mark.parametrize("size", SIZES)
def test_labelled_loss_chart(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """regression-1 at its last step: the status row holds "Paso … de …" and the progress bar
    full, then at 80×24 "pérdida" and the falling bars of the four iterations' losses (at
    60×20 there is no room for them, and the footer ends, whole, with w por qué)."""
    assert snap_compare(
        make_app("regression-1"), terminal_size=size, run_before=ready, press=["enter", "end"]
    )


@pytest.mark.parametrize("size", SIZES)
def test_optimizers_without_a_stray_bar(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """optimizers-1 at its last step: the contour plot with the five paths and its own "f por
    iteración" chart; the status row has the progress bar alone, no unlabelled bars."""
    assert snap_compare(
        make_app("optimizers-1"), terminal_size=size, run_before=ready, press=["enter", "end"]
    )


@pytest.mark.parametrize("size", SIZES)
def test_long_summary_marked(
    snap_compare: SnapCompare, size: tuple[int, int], tmp_path: Path
) -> None:
    """A title card whose summary (sixty short sentences) is longer than the screen: the title
    "Red 3-2-1", the first sentences, "↓ más" on the frame's foot and no scrollbar; the start
    hint and the footer (⏎ empezar, ? ayuda, q salir) below the card."""
    from stepper.lesson.load import load_lesson
    from stepper.tui.app import StepperApp
    from tests.test_tui_fit import NET_321

    sentences = " ".join(f"Frase número {k} del resumen." for k in range(1, 61))
    lesson = tmp_path / "long.yaml"
    lesson.write_text(NET_321.replace("language: es\n", f"language: es\nsummary: {sentences}\n"))
    assert snap_compare(
        StepperApp(load_lesson(lesson, "long")), terminal_size=size, run_before=ready
    )


@pytest.mark.parametrize("size", SIZES)
def test_two_starts_on_the_curve(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """minima-1 at the second start's first derivative (step 27 of 50): the curve f(w) with
    the first start's whole path (1, in its colour) down to the global minimum, the second
    start's point at 0.5 lit as 2 (another colour), ★ on the local minimum; the legend "1 Desde
    −0.5" with its full sparkline and f = −1.5148, "2 Desde 0.5" with one bar and −0.1875,
    "○ salida de cada uno" and "★ mín ≈ −1.06, 0.93"."""
    assert snap_compare(
        make_app("minima-1"),
        terminal_size=size,
        run_before=ready,
        press=["enter", "g", *"start2.f", "enter", "n"],
    )
