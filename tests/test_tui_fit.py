"""The app at 80×24 and 60×20: every text reachable from the keyboard, the footer's essential
keys first, dialogs that fit, no scrollbar glyphs in the panes.

Each test reads the screen as the learner does (``tests.tui_helpers.screen_lines``), not the
widgets' contents, so a text that is there but cut off by the screen counts as missing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from stepper.i18n import label
from stepper.lesson.load import load_lesson
from stepper.tui.app import StepperApp
from stepper.tui.keys import TITLE_KEYS, WALK_KEYS
from tests.tui_helpers import make_app, screen_lines, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((60, 20), id="60x20")]

#: The glyphs Textual draws a scrollbar's thumb with, which read as litter in a text pane.
SCROLLBAR_GLYPHS = set("▁▂▃▄▅▆▇▊▌▐")


def run(app: StepperApp, scenario: Callable[..., Awaitable[None]], size: tuple[int, int]) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(main())


def screen(app: StepperApp) -> str:
    return "\n".join(screen_lines(app))


def middle(app: StepperApp) -> list[str]:
    """The rows of the step pane and the history, as shown."""
    region = app.screen.query_one("#middle").region
    return [row[region.x : region.right] for row in screen_lines(app)[region.y : region.bottom]]


def words(text: str) -> str:
    """``text`` with its whitespace made single, as a wrapped paragraph reads joined up."""
    return " ".join(text.split())


def pane_text(app: StepperApp) -> str:
    """The step pane's visible rows joined into one paragraph (wrapping undone)."""
    width = app.screen.query_one("#step").region.width
    return words(" ".join(row[:width].replace("│", " ") for row in middle(app)))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("lesson_id", "steps", "tail"),
    [
        ("backprop-2", 11, "multiplicados por la derivada de su activación, 1 − z₂²."),
        ("conv-1", 4, "con −1 sale 14 − 8 = 6, el valor de la diapositiva."),
    ],
)
def test_the_whole_step_text_is_reachable_with_the_arrows(
    size: tuple[int, int], lesson_id: str, steps: int, tail: str
) -> None:
    """backprop-2's step 11 (γ₂) and conv-1's step 4 (c₁₁, with its note on the slide's +1)
    are longer than the step pane: the pane's foot says "↓ más" and the end of the text is not
    yet on screen; ↓ brings the end into view (the explanation's last words, the note's last
    words) and the mark goes; ↑ goes back to the formula. No scrollbar glyph in the panes."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "g", *str(steps), "enter")
        await pilot.pause()
        assert app.walk is not None and app.walk.step.n == steps
        shown = pane_text(app)
        assert tail not in shown and "↓ más" in shown, shown
        for _ in range(20):
            await pilot.press("down")
        await pilot.pause()
        shown = pane_text(app)
        assert tail in shown and "↓ más" not in shown, shown
        assert not SCROLLBAR_GLYPHS & set("".join(middle(app)))
        for _ in range(20):
            await pilot.press("up")
        await pilot.pause()
        assert app.walk.step.sym.unicode() + " =" in pane_text(app)

    app = make_app(lesson_id)
    run(app, scenario, size)


def test_the_arrows_scroll_while_a_question_waits() -> None:
    """In the quiz at 60×20, at u₂ after a wrong answer, the diagnosis pushes the explanation
    below the pane; with the answer box still waiting, ↓ brings its last words into view, the
    footer shows ↑↓ texto, and the next answer still goes to the box."""
    tail = "la entrada x₀ = 1 multiplica al sesgo w₂₀."

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", *"0.29", "enter", "space", *"0.29", "enter", "space")
        await pilot.press(*"-0.38", "enter")
        await pilot.pause()
        assert tail not in pane_text(app)
        assert "↑↓ texto" in screen_lines(app)[-1]
        for _ in range(12):
            await pilot.press("down")
        await pilot.pause()
        assert tail in pane_text(app), pane_text(app)
        await pilot.press(*"0.12", "enter")
        assert app.walk is not None and app.walk.step.key == "u[1,2]"
        assert "✓" in pane_text(app)

    run(make_app(quiz=True), scenario, (60, 20))


@pytest.mark.parametrize("size", SIZES)
def test_the_text_pane_starts_at_the_top_of_each_step(size: tuple[int, int]) -> None:
    """Scrolled down on one step, the next step is shown from its formula, not mid-text."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "g", "1", "1", "enter", "down", "down", "down", "right")
        await pilot.pause()
        assert app.walk is not None and app.walk.step.n == 12
        assert pane_text(app).startswith("Δt₃₀ =")

    run(make_app("backprop-2"), scenario, size)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_the_footer_shows_next_back_help_and_quit_first(size: tuple[int, int], lang: str) -> None:
    """The footer's first words are next, back, help and quit, whole, in that order, at 60
    columns too; on the title screen, start, help and quit."""

    def in_order(line: str, keys: tuple[str, ...]) -> None:
        at = [line.find(f" {label(k, lang)} ") for k in keys]
        assert -1 not in at and at == sorted(at), (line, keys)

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        in_order(screen_lines(app)[-1] + " ", ("key.start", "key.help", "key.quit"))
        await pilot.press("enter")
        await pilot.pause()
        footer = screen_lines(app)[-1] + " "
        in_order(footer, ("key.next", "key.back", "key.help", "key.quit", "key.text"))
        assert footer.startswith(" ␣ ")

    run(make_app(lang=lang), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_help_scrolls_to_every_key(size: tuple[int, int]) -> None:
    """From the title screen, ? opens the help: the title's keys under "En la portada", then
    every key of the walk under "En la lección". At 60×20 it is taller than the screen: ↓
    scrolls it, and every key's description is read on screen at some point, `r restaurar`
    last. The box says how to scroll and close; Escape goes back to the title screen."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("question_mark")
        await pilot.pause()
        assert "↑↓ desplazar · Esc cerrar" in screen(app)
        seen = screen(app)
        for _ in range(30):
            await pilot.press("down")
            seen += screen(app)
        assert "En la portada" in seen and "En la lección" in seen
        for key in (*TITLE_KEYS, *WALK_KEYS):
            assert f"{key.display}" in seen and label(key.label, "es") in seen, key
        last = words(screen(app))
        assert "r restaurar" in last
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "TitleScreen"
        await pilot.press("enter")
        await pilot.pause()
        assert app.walk is not None and app.walk.index == 0

    run(make_app(), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_the_loss_chart_is_labelled_or_absent(size: tuple[int, int]) -> None:
    """At 80×24 regression-1 (four iterations) shows its losses beside the word "pérdida",
    after the progress bar and apart from it; at 60×20 the row has no room for it and the
    status row ends with the bar. optimizers-1 never shows such a chart (its picture charts f
    for each optimiser), so nothing unlabelled sits by the progress bar."""

    async def regression(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "end")
        await pilot.pause()
        status = screen_lines(app)[-2]
        chart = app.screen.query_one("#loss")
        if size[0] < 80:
            assert "pérdida" not in status and not chart.region.width, status
            return
        assert "pérdida" in status, status
        bar = app.screen.query_one("#progress").region
        assert chart.region.width and chart.region.x > bar.right, (bar, chart.region)

    async def optimizers(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "end")
        await pilot.pause()
        assert not app.screen.query_one("#loss").display
        assert "█" not in screen_lines(app)[-2]

    run(make_app("regression-1"), regression, size)
    run(make_app("optimizers-1"), optimizers, size)


@pytest.mark.parametrize("size", SIZES)
def test_the_edit_dialog_fits_and_says_why_a_value_is_refused(size: tuple[int, int]) -> None:
    """backprop-2's edit dialog lies inside the screen, keys and all, and its list scrolls to
    the last number (y₁); "abc" is refused as not a number, with an example of one; α = −1 is
    refused with the lesson's reason, in Spanish (la tasa de aprendizaje debe ser > 0)."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "e")
        await pilot.pause()
        dialog = app.screen.query_one("#edit-dialog").region
        assert dialog.bottom <= size[1] and dialog.right <= size[0]
        assert "⏎ elegir y aplicar · Esc cancelar" in screen(app)
        await pilot.press("end")
        await pilot.pause()
        assert "y₁ = 1" in screen(app)
        await pilot.press("home", "enter")
        app.screen.query_one("#edit-input").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"abc", "enter")
        await pilot.pause()
        shown = words(screen(app).replace("│", " "))
        assert "«abc» no es un número: escribe, por ejemplo, 0.5 o −0.25" in shown, shown
        app.screen.query_one("#edit-input").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"-1", "enter")
        await pilot.pause()
        shown = words(screen(app).replace("│", " "))
        assert "α = -1 no se acepta: la tasa de aprendizaje debe ser > 0" in shown, shown
        await pilot.press("escape")
        assert not app.modified

    run(make_app("backprop-2"), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_the_why_dialog_says_how_to_leave(size: tuple[int, int]) -> None:
    """w's list of what δ₂ reads says, on its frame, that Enter goes to a step and Escape or
    w closes it; w closes it."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "g", *"d[1,2]", "enter", "w")
        await pilot.pause()
        assert "⏎ ir a su paso · Esc o w cerrar" in screen(app)
        await pilot.press("w")
        await pilot.pause()
        assert type(app.screen).__name__ == "WalkScreen"

    run(make_app(), scenario, size)


NET_321 = """\
id: net-321
title: Red 3-2-1
language: es
network:
  inputs: 2
  layers:
    - activation: tanh
      weights: [[0.1, -0.2, 0.3], [0.5, 0.4, -0.6], [0.2, 0.1, 0.3]]
    - activation: tanh
      weights: [[0.1, -0.2, 0.3, 0.2], [0.5, 0.4, -0.6, 0.1]]
    - activation: linear
      weights: [[0.2, 0.5, -0.4]]
training:
  learning_rate: 0.1
  loss: sse
  samples:
    - x: [0.1, 0.7]
      y: [1.0]
"""


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
def test_a_three_layer_picture_shows_every_step_it_computes(
    size: tuple[int, int], tmp_path: Path
) -> None:
    """A 3-2-1 network is taller than the picture's rows at 80×24 and 60×20. On every one of
    its steps the picture, as the screen shows it, holds the quantity computed (Δw steps light
    the weight they change): the rows scroll to it, the last layer's included."""
    lesson = tmp_path / "net-321.yaml"
    lesson.write_text(NET_321, encoding="utf-8")

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        walk = app.walk
        assert walk is not None
        picture = app.screen.query_one("#picture", Static).region
        for index, step in enumerate(walk.steps):
            walk.jump(index)
            app.screen.redraw()  # type: ignore[attr-defined]
            await pilot.pause()
            rows = screen_lines(app)[picture.y : picture.bottom]
            shown = "\n".join(row[picture.x : picture.right] for row in rows)
            sym = step.sym.unicode().removeprefix("Δ")
            assert sym in shown, (step.n, step.key, shown)

    run(StepperApp(load_lesson(lesson, "net-321")), scenario, size)


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES)
def test_the_title_card_says_when_its_summary_goes_on(
    size: tuple[int, int], tmp_path: Path
) -> None:
    """A title card whose summary is longer than the screen (a 3-2-1 network described in 60
    sentences) says "↓ más" on its frame, draws no scrollbar, and ↓ scrolls it until the
    summary's last words are on screen and the mark goes. No built-in lesson's card needs
    it: each says nothing of the kind, and shows its summary's last words at once."""
    from stepper.catalog import builtin_ids
    from stepper.lesson.schema import localized

    sentences = " ".join(f"Frase número {k} del resumen." for k in range(1, 61))
    lesson = tmp_path / "long.yaml"
    lesson.write_text(NET_321.replace("language: es\n", f"language: es\nsummary: {sentences}\n"))

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        lesson = app.lesson
        summary = words(localized(lesson.summary, app.lang, lesson.language) or "")
        last = " ".join(summary.split()[-3:])
        flat = words(screen(app).replace("│", " "))
        assert not SCROLLBAR_GLYPHS & set(screen(app)), (lesson.id, size)
        if lesson.id in builtin_ids():
            assert "↓ más" not in flat and last in flat, (lesson.id, size)
            return
        assert "↓ más" in flat and last not in flat, flat
        for _ in range(40):
            await pilot.press("down")
        await pilot.pause()
        flat = words(screen(app).replace("│", " "))
        assert last in flat and "↓ más" not in flat, flat

    run(StepperApp(load_lesson(lesson, "long")), scenario, size)
    for lesson_id in builtin_ids():
        run(make_app(lesson_id), scenario, size)


@pytest.mark.parametrize("size", SIZES)
def test_the_quiz_footer_says_how_to_leave_the_answer_box(size: tuple[int, int]) -> None:
    """While a question waits, the footer lists the keys that still work (↑↓ texto, q salir,
    Esc salir del cuadro); after Escape it is the walk's footer again, ␣ siguiente first, and
    Esc is offered no more."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        await pilot.pause()
        footer = screen_lines(app)[-1]
        assert all(k in footer for k in ("↑↓ texto", "q salir", "Esc dejar la respuesta")), footer
        await pilot.press("escape")
        await pilot.pause()
        footer = screen_lines(app)[-1]
        assert footer.startswith(" ␣ siguiente") and "Esc" not in footer, footer

    run(make_app(quiz=True), scenario, size)
