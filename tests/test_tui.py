"""The app driven by Textual's Pilot: every key, the quiz, the picture and the small window."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rich.console import Console
from textual.widgets import Static

from stepper.i18n import label
from stepper.tui.app import StepperApp
from stepper.tui.keys import WALK_KEYS
from stepper.walking import VALUE
from tests.tui_helpers import history_text, make_app, settle, shown_text

Scenario = Callable[[StepperApp, object], Awaitable[None]]


def run(
    app: StepperApp, scenario: Callable[..., Awaitable[None]], size: tuple[int, int] = (100, 30)
) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(main())


text = shown_text


def position(app: StepperApp) -> tuple[int, int]:
    assert app.walk is not None
    return app.walk.index, app.walk.stage


def test_title_screen_then_three_stages() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        assert "Red de una capa" in text(app, "#title")
        assert "x₀ = 1" in text(app, "#title-picture")
        await pilot.press("enter")
        await pilot.pause()
        assert position(app) == (0, 1)
        assert "u₁ = w₁₀ · x₀ + w₁₁ · x₁ + w₁₂ · x₂" in text(app, "#step-text")
        assert "0.3 · 0.7" not in text(app, "#step-text")
        await pilot.press("space")
        assert "= 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7" in text(app, "#step-text")
        await pilot.press("n")
        assert "= 0.29" in text(app, "#step-text")
        await pilot.press("right")  # ỹ₁ = u₁ has nothing to compute: shown whole at once
        assert position(app) == (1, VALUE)
        assert text(app, "#step-text").split() == ["ỹ₁", "=", "u₁", "=", "0.29"]
        await pilot.press("right")
        assert position(app) == (2, 1)

    run(make_app(), scenario)


@pytest.mark.slow
def test_back_keys_never_lose_anything() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        # u₁ in three stages, ỹ₁ = u₁ in one, then u₂'s formula and substitution
        await pilot.press("enter", "n", "n", "n", "n", "n")
        assert position(app) == (2, 2)
        await pilot.press("left")
        assert position(app) == (2, 1)
        await pilot.press("p")
        assert position(app) == (1, 3)
        await pilot.press("backspace")  # ỹ₁ has no stage to hide: back to u₁, whole
        assert position(app) == (0, 3)
        assert "= 0.29" in text(app, "#step-text")
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert position(app) == (2, 1)
        await pilot.press("left_square_bracket")
        assert position(app) == (1, 3)

    run(make_app(), scenario)


def test_home_end_and_reveal_phase() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("space", "a")
        assert app.walk is not None
        assert app.walk.step.key == "y[1,2]" and app.walk.stage == VALUE  # the forward phase
        await pilot.press("end")  # the last step: the loss again, after the update
        assert app.walk.step.key == "check.loss" and app.walk.stage == VALUE
        assert "0.40966" in text(app, "#step-text") and "0.78351" in text(app, "#explanation")
        await pilot.press(*"[" * 7)  # back over the check phase's 7 steps: the last weight
        assert app.walk.step.key == "w[1,2,2]" and app.walk.stage == VALUE
        assert "−0.47848" in text(app, "#step-text")
        assert "0.4782" in text(app, "#explanation")  # the note on the slide's slip
        assert "w₂₂ → −0.47848" in history_text(app)
        await pilot.press("home")
        assert position(app) == (0, 1)

    run(make_app(), scenario)


@pytest.mark.slow
def test_goto_with_a_key_and_return() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "space", "g")
        await pilot.press(*"d[1,2]", "enter")
        assert app.walk is not None
        assert app.walk.step.key == "d[1,2]" and app.walk.stage == VALUE
        await pilot.press("b")
        assert position(app) == (0, 2)
        await pilot.press("g", *"99", "enter")
        assert "99" in str(app.screen.query_one("#goto-error", Static).content)
        await pilot.press("escape")
        assert position(app) == (0, 2)

    run(make_app(), scenario)


@pytest.mark.slow
def test_why_traces_delta_back_to_its_inputs() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "g", *"d[1,2]", "enter", "w")
        listing = app.screen.query_one("#why-list")
        options = [
            str(listing.get_option_at_index(i).prompt)  # type: ignore[attr-defined]
            for i in range(listing.option_count)
        ]  # type: ignore[attr-defined]
        assert any(o.startswith("ε₂ = 0.88057") for o in options)
        assert any(o.startswith("ỹ₂ = 0.11943") for o in options)
        await pilot.press("down", "enter")  # ỹ₂, computed at step 4
        assert app.walk is not None and app.walk.step.key == "y[1,2]"
        await pilot.press("w", "enter")  # u₂
        assert app.walk.step.key == "u[1,2]"
        await pilot.press("b", "b")
        assert app.walk.step.key == "d[1,2]"

    run(make_app(), scenario)


@pytest.mark.slow
def test_edit_alpha_recomputes_and_restore() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "end", *"[" * 7)  # the last weight, before the check
        await pilot.press("e", "enter")  # α is the first number listed
        field = app.screen.query_one("#edit-input")
        field.value = ""  # type: ignore[attr-defined]
        await pilot.press(*"0.5", "enter")
        await pilot.pause()
        assert app.modified and "modificada" in app.title
        assert position(app) == (20, 3)  # the position is kept
        # w22 with α = 0.5: −0.6 + 2 · 0.5 · 0.7 · δ₂
        assert "0.00761" in text(app, "#step-text")
        await pilot.press("r")
        assert not app.modified and "−0.47848" in text(app, "#step-text")

    run(make_app(), scenario)


@pytest.mark.slow
def test_edit_refuses_a_bad_value() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "e", "enter")
        app.screen.query_one("#edit-input").value = ""  # type: ignore[attr-defined]
        await pilot.press(*"-1", "enter")
        assert "la tasa de aprendizaje debe ser > 0" in str(  # the lesson's Spanish
            app.screen.query_one("#edit-error", Static).content
        )
        await pilot.press("escape")
        assert not app.modified

    run(make_app(), scenario)


def test_help_lists_every_key() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "question_mark")
        console = Console(width=100, record=True, file=io.StringIO())
        console.print(app.screen.query_one("#help-table", Static).content)
        shown = console.export_text()
        for key in WALK_KEYS:
            assert label(key.label, "es") in shown
            assert key.display in shown
        await pilot.press("escape")

    run(make_app(), scenario)


def test_english_labels() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        assert "Press Enter" in text(app, "#start")
        await pilot.press("enter")
        assert "Net input of neuron 1" in text(app, "#explanation")
        assert "Step 1 of 28" in str(app.screen.query_one("#progress-label").content)  # type: ignore[attr-defined]

    run(make_app(lang="en"), scenario)


def test_quit_key() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "q")
        await pilot.pause()
        assert app.return_value == 0

    run(make_app(), scenario)


def test_small_window_says_so() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        assert app.screen.has_class("-too-small")
        assert "demasiado pequeña" in text(app, "#too-small")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")

    run(make_app(), scenario, size=(50, 15))


def test_loss_chart_for_several_iterations() -> None:
    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "end")
        chart = app.screen.query_one("#loss")
        assert chart.has_class("-shown")
        data = list(chart.data)  # type: ignore[attr-defined]
        assert len(data) == 4 and data == sorted(data, reverse=True)

    run(make_app("regression-1"), scenario)


@pytest.mark.slow
def test_quiz_right_wrong_diagnosed_hints_and_save(tmp_path: Path) -> None:
    save = tmp_path / "answers.json"

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        assert "u₁ = ?" in text(app, "#step-text")
        await pilot.press(*"0.3", "enter")
        assert "✗" in text(app, "#feedback")
        await pilot.press("h", "enter")
        assert "u₁ = w₁₀ · x₀" in text(app, "#step-text")
        await pilot.press("h", "enter")
        assert "0.3 · 0.7" in text(app, "#step-text")
        await pilot.press(*"0,29", "enter")
        assert "✓" in text(app, "#feedback")
        assert position(app) == (0, 3)
        await pilot.press("space")  # ỹ₁ = u₁: nothing to compute, shown whole, not asked
        assert position(app) == (1, VALUE)
        assert "= 0.29" in text(app, "#step-text")
        assert not app.screen.query_one("#answer").has_class("-asking")
        await pilot.press("space")
        await pilot.press(*"-0.38", "enter")  # u₂ without the bias
        assert "sesgo" in text(app, "#feedback")
        await pilot.press("r", "enter")
        assert "0.12" in text(app, "#feedback")
        await pilot.press("space", *"0.11943", "enter")  # ỹ₂, first try
        assert "✓" in text(app, "#feedback")
        await pilot.press("q")
        await pilot.pause()

    run(make_app(quiz=True, save=str(save)), scenario)
    data = json.loads(save.read_text())
    assert data["asked"] == 3 and data["right_first_try"] == 1


def test_long_sums_are_elided_in_the_middle(tmp_path: Path) -> None:
    """A neuron with 100 inputs in the step pane (46 cells): its 101-term formula and its
    substitution each keep the same first and last terms, name how many they leave out, fit
    the pane, and the value follows under the same =."""
    from stepper.engine import solve
    from stepper.lesson.load import load_lesson
    from stepper.tui.widgets.equation import MAX_LINES, Equation

    weights = ", ".join(["0.01"] * 101)
    inputs = ", ".join(["0.5"] * 100)
    lesson = tmp_path / "wide.yaml"
    lesson.write_text(
        "title: wide\nlanguage: en\nnetwork:\n  inputs: 100\n  layers:\n"
        f"    - activation: linear\n      weights: [[{weights}]]\n"
        f"training:\n  samples:\n    - x: [{inputs}]\n"
    )
    step = solve(load_lesson(lesson)).steps[0]
    console = Console(width=46, record=True, file=io.StringIO())
    console.print(Equation(step, VALUE, "en"))
    lines = console.export_text().rstrip("\n").split("\n")
    formula = [line for line in lines if "w" in line]
    numbers = [line for line in lines if "w" not in line][:-1]
    assert all(len(line) <= 46 for line in lines)
    assert len(formula) <= MAX_LINES + 1 and len(numbers) <= MAX_LINES + 1
    hidden = [int(n) for n in re.findall(r"… (\d+) more", "\n".join(lines))]
    assert len(hidden) == 2 and hidden[0] == hidden[1]
    assert " ".join(formula).count(" · ") + hidden[0] == 101
    assert " ".join(numbers).count(" · ") + hidden[0] == 101
    # 100 · 0.01 · 0.5 + 0.01 · 1 = 0.51
    assert lines[0].startswith("u₁ = w₁₀ · x₀ + ") and lines[-1] == "   = 0.51"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lesson_id", "key"),
    [("backprop-2", "u[1,1]"), ("backprop-2", "u[2,1]"), ("conv-2", "conv[2,3,3]")],
)
def test_a_short_screen_shows_what_the_step_computes(lesson_id: str, key: str) -> None:
    """At 60×20 the picture gets 8 rows, fewer than a two-layer network or a padded image
    takes: it is laid out in them (the image's rows around the window) or shows the rows of
    the step's quantity (drawn reversed), and no row is cut by the screen."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "g", *key, "enter")
        await pilot.pause()
        assert app.walk is not None and app.walk.step.key == key
        picture = app.screen.query_one("#picture", Static)
        region = picture.content_region
        console = Console(width=region.width, file=io.StringIO())
        lines = console.render_lines(
            picture.content, console.options.update(height=region.height), pad=False
        )
        assert len(lines) == region.height <= 8
        assert any(seg.style is not None and seg.style.reverse for line in lines for seg in line)

    run(make_app(lesson_id), scenario, size=(60, 20))


def test_a_short_picture_is_drawn_whole() -> None:
    """A picture shorter than the room (softmax-1's three classes) is given the rows it was
    measured in and drawn as laid out, not laid out anew in them (which windowed it to ⋮)."""

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter")
        await pilot.pause()
        shown = text(app, "#picture")
        assert all(f"clase {k}" in shown for k in (1, 2, 3)), shown
        assert "⋮" not in shown

    run(make_app("softmax-1"), scenario, size=(80, 24))


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_the_walk_picture_always_shows_the_current_step(size: tuple[int, int]) -> None:
    """At 80×24 and 60×20 the walk's picture fits the rows it has and, in them, shows the
    quantity being computed: δ₃ and w₃₂ of the third of three softmax neurons, δ₃ of the
    second layer of backprop-2 (below the first layer's two neurons)."""
    cases = [("classify-1", "d[1,3]"), ("classify-1", "w[1,3,2]"), ("backprop-2", "d[2,1]")]
    for lesson_id, key in cases:

        async def scenario(app: StepperApp, pilot, key: str = key) -> None:  # type: ignore[no-untyped-def]
            await pilot.press("enter", "g", *key, "enter")
            await pilot.pause()
            assert app.walk is not None and app.walk.step.key == key
            picture = app.screen.query_one("#picture", Static)
            shown = shown_text(app, "#picture").rstrip("\n").splitlines()
            assert len(shown) <= picture.content_size.height, (key, size, len(shown))
            sym = app.walk.step.sym.unicode()
            assert any(sym in line for line in shown), (key, size, shown)

        run(make_app(lesson_id), scenario, size)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
def test_the_title_picture_fits_the_card(size: tuple[int, int]) -> None:
    """The title card's picture is laid out for the rows under the summary, so the card has no
    scrollbar; with fewer than a few rows it is left out rather than cut. At 80×24 every
    lesson shows its picture, the contour plot of an optimize lesson too."""
    from textual.containers import VerticalScroll

    from stepper.catalog import builtin_ids
    from stepper.tui.screens.title import FEWEST_ROWS

    for lesson_id in builtin_ids():

        async def scenario(app: StepperApp, pilot, lesson_id: str = lesson_id) -> None:  # type: ignore[no-untyped-def]
            await pilot.pause()
            box = app.screen.query_one("#title-box", VerticalScroll)
            picture = app.screen.query_one("#title-picture", Static)
            summary = app.screen.query_one("#summary", Static)
            room = box.scrollable_content_region.height - picture.virtual_region.y
            where = (lesson_id, size)
            if (
                summary.virtual_region.bottom + 1 + FEWEST_ROWS
                > box.scrollable_content_region.height
            ):
                assert not picture.display, where
                return
            lines = shown_text(app, "#title-picture").rstrip("\n").splitlines()
            assert picture.display and lines, where
            assert len(lines) <= room and not box.show_vertical_scrollbar, (*where, len(lines))
            if size == (80, 24) and app.solution is not None and app.solution.optimize:
                assert any("★" in line for line in lines), where

        run(make_app(lesson_id), scenario, size)


def test_a_decimal_comma_lesson_writes_no_decimal_point(tmp_path: Path) -> None:
    """backprop-1 with ``decimal_comma: true``, at 80×24 on ỹ₂ = tanh(u₂) with its value: the
    substitution tgh(0,12), the value 0,11943, the note on the slide's rounding, the picture
    (w₁₁ = −0,2, u₁ = 0,29) and the history (u₁ = 0,29) all write a decimal comma, and none of
    them writes a decimal point."""
    from stepper.catalog import builtin_folder
    from stepper.lesson.load import load_lesson
    from stepper.tui.widgets.history import History

    source = (builtin_folder() / "backprop-1.yaml").read_text(encoding="utf-8")
    path = tmp_path / "comma.yaml"
    path.write_text(source.replace("display:\n", "display:\n  decimal_comma: true\n", 1))
    app = StepperApp(load_lesson(path), lang="es")

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "g", *"y[1,2]", "enter")
        await pilot.pause()
        step, words = text(app, "#step-text"), text(app, "#explanation")
        picture = text(app, "#picture")
        history = app.screen.query_one(History)
        console = Console(width=history.size.width, record=True, file=io.StringIO())
        console.print(history.render())
        listed = console.export_text()
        assert "tgh(0,12)" in step and "= 0,11943" in step
        assert "0,11943" in words  # the note: con más decimales es 0,11943
        assert "w₁₁ = −0,2" in picture and "u₁ = 0,29" in picture
        assert "u₁ = 0,29" in listed
        for shown in (step, words, picture, listed):
            assert not re.search(r"\d\.\d", shown), shown

    run(app, scenario, size=(80, 24))


def test_edit_writes_numbers_as_a_decimal_comma_lesson_does(tmp_path: Path) -> None:
    """In a lesson written with decimal commas the edit dialog lists α = 0,1, offers 0,1 to
    change, and takes 0,5 back."""
    from stepper.catalog import resolve
    from stepper.lesson.load import load_lesson

    source = resolve("backprop-1").path.read_text()
    path = tmp_path / "comma.yaml"
    path.write_text(source.replace("display:\n", "display:\n  decimal_comma: true\n"))

    async def scenario(app: StepperApp, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "e")
        listed = app.screen.query_one("#edit-list").get_option_at_index(0).prompt  # type: ignore[attr-defined]
        assert str(listed) == "α = 0,1"
        await pilot.press("enter")
        field = app.screen.query_one("#edit-input")
        assert field.value == "0,1"  # type: ignore[attr-defined]
        field.value = ""  # type: ignore[attr-defined]
        await pilot.press(*"0,5", "enter")
        await pilot.pause()
        assert app.modified and app.lesson.training.learning_rate == 0.5  # type: ignore[union-attr]

    run(StepperApp(load_lesson(path)), scenario)
