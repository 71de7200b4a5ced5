"""The picker of ``stepper lesson`` with no LESSON: its data, the plain list and the app's.

The index the picker reads (titles and lengths) is checked against the lessons themselves,
loaded and solved; the topics against the lessons folder (every built-in lesson once) and the
catalogues (every topic named in every language).
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
from typing import Any

import pytest
from textual.widgets import OptionList, Static

from stepper import messages
from stepper.catalog import builtin_folder, builtin_ids
from stepper.picker import choose, listing
from stepper.syllabus import INDEX, build_index, numbered, syllabus, topic_ids
from stepper.tui.app import StepperApp
from stepper.tui.screens.end import EndScreen
from stepper.tui.screens.help import HelpScreen
from stepper.tui.screens.picker import PickerScreen
from stepper.tui.screens.title import TitleScreen
from stepper.tui.screens.walk import WalkScreen
from tests.conftest import builtin_lesson
from tests.tui_helpers import SnapCompare, screen_lines, settle


@pytest.mark.slow
def test_the_index_holds_each_lessons_title_and_number_of_steps() -> None:
    """Every lesson loaded and solved, compared with what the picker reads. After a change to
    the lessons: ``STEPPER_WRITE_INDEX=1 python -m pytest -n 0 tests/test_syllabus.py -k index``."""
    expected = build_index()
    path = builtin_folder() / INDEX
    if os.environ.get("STEPPER_WRITE_INDEX"):
        path.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n", "utf-8")
    assert json.loads(path.read_text("utf-8")) == expected
    assert expected["backprop-1"]["steps"] == 28  # the 21 steps and the check's 7
    assert expected["softmax-1"]["titles"]["en"] == "Softmax of the logits 2.0, 1.0 and 0.1"


def test_every_built_in_lesson_is_in_exactly_one_topic() -> None:
    listed = [lesson for _, lessons in topic_ids() for lesson in lessons]
    assert sorted(listed) == builtin_ids()
    assert len(set(listed)) == len(listed)


def test_every_topic_is_named_in_every_language() -> None:
    for lang in messages.languages():
        names = [topic.name(lang) for topic in syllabus()]
        assert all(name and not name.startswith("topic.") for name in names)
        assert len(set(names)) == len(names)
    assert syllabus()[0].name("en") == "The neuron and the network"


def test_topics_follow_the_lecture() -> None:
    """The lecture's order: the neuron, gradient descent, backpropagation, ..., CNN, ...,
    recurrent networks; the graphs, which it does not have, last."""
    order = [topic.id for topic in syllabus()]
    assert order[:3] == ["neuron", "descent", "backprop"]
    assert order.index("cnn") < order.index("recurrent") < order.index("graph") == len(order) - 1
    assert [e.id for e in syllabus()[2].lessons] == ["backprop-1", "backprop-2"]


def test_the_plain_list_is_numbered_across_topics() -> None:
    text = listing("en")
    lines = text.splitlines()
    assert lines[0] == "The neuron and the network"
    assert lines[1] == "  1  regression-1   Salary by age with one linear neuron · 163 steps"
    assert (
        "  9  backprop-1     One-layer network with a linear and a tanh neuron · 28 steps" in lines
    )
    assert f" {len(numbered())}  graph-4 " in text
    assert "Redes recurrentes\n 28  rnn-1 " in listing("es")


def test_choose_asks_again_after_nonsense_and_takes_a_number_or_an_id() -> None:
    out = io.StringIO()
    assert choose(io.StringIO("zz\n0\n\n36\n9\n"), out, "en") == "backprop-1"
    said = out.getvalue()
    assert "zz: neither a number of the list (1–35) nor a built-in lesson's id" in said
    assert "0: neither" in said and "36: neither" in said
    assert said.count("neither") == 3  # an empty line is asked again, without a word
    assert choose(io.StringIO(" conv-1 \n"), io.StringIO(), "en") == "conv-1"


def test_choose_returns_none_at_the_end_of_input() -> None:
    out = io.StringIO()
    assert choose(io.StringIO("nonsense\n"), out, "es") is None
    assert "Lección (número o id" not in out.getvalue()  # no prompt through a pipe


def stepper(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stepper", "lesson", *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.slow
def test_the_plain_picker_runs_the_chosen_lesson() -> None:
    proc = stepper("--lang", "en", stdin="what\n9\nall\nquit\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert out.startswith("The neuron and the network\n  1  regression-1 ")
    assert "what: neither a number" in out
    assert "One-layer network with a linear and a tanh neuron\n" in out  # the lesson's title
    assert "[28/28 " in out


@pytest.mark.slow
def test_the_plain_picker_leaves_quietly_at_the_end_of_input() -> None:
    proc = stepper("--plain", stdin="")
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == listing("es") + "\n"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--watch"], "--watch: needs the lesson file to watch"),
        (["--quiz", "--save", "answers.json"], "--save: needs the lesson whose answers"),
    ],
)
def test_no_lesson_with_watch_or_save_is_bad_input(args: list[str], said: str) -> None:
    proc = stepper(*args, "--lang", "en", stdin="1\n")
    assert proc.returncode == 2
    assert proc.stderr.startswith(said) and proc.stderr.count("\n") == 1
    assert proc.stdout == ""


def run_picker(scenario: Any, size: tuple[int, int] = (80, 24), lang: str | None = None) -> int:
    app = StepperApp(None, lang=lang)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(app, pilot)

    asyncio.run(main())
    return app.return_code or 0


@pytest.mark.slow
def test_j_and_enter_open_a_lesson_and_q_comes_back_to_the_same_row() -> None:
    async def scenario(app: StepperApp, pilot: Any) -> None:
        assert isinstance(app.screen, PickerScreen)
        listed = app.screen.query_one(OptionList)
        await pilot.press("j", "j", "j", "k", "j", "j")  # past the topic's name, 4 lessons down
        assert listed.get_option_at_index(listed.highlighted or 0).id == "descent-1"
        shown = str(app.screen.query_one("#picker-title", Static).content)
        assert shown == "Descenso por gradiente en un valle alargado, f(x, y) = x² + 10y²"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TitleScreen) and app.lesson.id == "descent-1"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WalkScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen) and app.title == "Elige una lección"
        assert listed.get_option_at_index(listed.highlighted or 0).id == "descent-1"
        await pilot.press("q")
        await pilot.pause()

    assert run_picker(scenario) == 0


@pytest.mark.slow
def test_the_end_screens_q_comes_back_and_a_second_lesson_starts_afresh() -> None:
    async def scenario(app: StepperApp, pilot: Any) -> None:
        await pilot.press("end", "enter")  # graph-4, the last lesson
        await settle(pilot)
        await pilot.press("enter", "end", "n")
        await pilot.pause()
        assert isinstance(app.screen, EndScreen)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("home", "enter")
        await settle(pilot)
        assert app.lesson.id == "regression-1" and app.walk is not None
        assert app.walk.index == 0 and app.solution is not None
        await pilot.press("ctrl+q")

    assert run_picker(scenario, lang="en") == 0


@pytest.mark.slow
def test_in_a_lesson_from_the_list_q_says_it_goes_back_to_the_list() -> None:
    """The footer of the title, walk and end screens and the walk's help name q's return to
    the list, not "quit", when the lesson was opened from the list."""

    def footer(app: StepperApp) -> str:
        return screen_lines(app)[-1]

    async def scenario(app: StepperApp, pilot: Any) -> None:
        await pilot.press("enter")  # regression-1
        await settle(pilot)
        assert "q the list" in footer(app) and "quit" not in footer(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "q the list" in footer(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert any("q" in line and "the list" in line for line in screen_lines(app)), screen_lines(
            app
        )
        await pilot.press("escape", "end", "n")
        await pilot.pause()
        assert isinstance(app.screen, EndScreen) and "q the list" in footer(app)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen) and "q quit" in footer(app)
        await pilot.press("q")

    assert run_picker(scenario, lang="en") == 0


def test_a_lesson_given_by_name_still_quits_with_q() -> None:
    app = StepperApp(builtin_lesson("pool-1"), lang="en")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "q quit" in screen_lines(app)[-1]

    asyncio.run(main())


@pytest.mark.slow
def test_help_lists_the_pickers_keys() -> None:
    async def scenario(app: StepperApp, pilot: Any) -> None:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(screen_lines(app))
        for key, words in [
            ("⏎", "open the lesson"),
            ("↑/k", "previous lesson"),
            ("↓/j", "next lesson"),
            ("?", "help"),
            ("q", "quit"),
        ]:
            assert any(key in line and words in line for line in text.splitlines()), key
        await pilot.press("escape", "q")

    assert run_picker(scenario, lang="en") == 0


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
def test_snapshot_picker(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    """The list at its top: "Elige una lección" in the header, the first topics' names in the
    accent colour, each lesson on one row (its id, its title cut with … where it does not fit,
    its number of steps aligned on the right), regression-1 highlighted and its whole title
    under the list, and the footer's ⏎ abrir, ↑↓ mover, ? ayuda, q salir."""
    assert snap_compare(StepperApp(None), terminal_size=size)
