"""After an edit, a note that quotes the lesson's numbers is marked as about the original
lesson (and a note that quotes none stays as it is); restoring brings the plain note back."""

from __future__ import annotations

import pytest

from stepper.notes import after_edit
from tests.conftest import solved
from tests.test_repl import plain
from tests.test_tui import run
from tests.tui_helpers import make_app, shown_text


def notes(lesson: str) -> dict[str, str]:
    return {s.key: s.note for s in after_edit(solved(lesson), "en").steps if s.note}


def test_notes_quoting_numbers_are_marked() -> None:
    """backprop-1's six notes quote the slide's numbers (0.12, 0.88, 0.87, 0.674, 0.4174,
    −0.4784): all marked, their words kept."""
    marked = notes("backprop-1")
    assert set(marked) == {"y[1,2]", "e[2]", "d[1,2]", "w[1,2,0]", "w[1,2,1]", "w[1,2,2]"}
    prefix = "[about the original lesson's numbers, before your change] "
    assert marked["y[1,2]"].startswith(prefix)
    assert "tgh(0.12) ≈ 0.12" in marked["y[1,2]"]
    assert all(note.startswith(prefix) for note in marked.values())


def test_a_note_quoting_no_number_is_left_alone() -> None:
    """backprop-2's note on γ₁ (t₃₁ is read before its update) holds for any numbers: its
    subscripts are names, not numbers."""
    before = {s.key: s.note for s in solved("backprop-2").steps if s.note}
    assert notes("backprop-2") == before


def test_a_lesson_without_numbers_in_its_notes_is_the_same_solution() -> None:
    solution = solved("backprop-2")
    if any(s.note and any(c.isdigit() and c.isascii() for c in s.note) for s in solution.steps):
        pytest.fail("backprop-2 was expected to have no note quoting a number")
    assert after_edit(solution, "es") is solution


@pytest.mark.slow
def test_in_the_app_an_edit_marks_the_note_and_restore_unmarks_it() -> None:
    """At ỹ₂ with its value shown, the note on the slide's tgh(0.12) ≈ 0.12 reads as the
    lesson's; after x₁ is changed it says it is about the original numbers; r brings it back
    as it was."""

    async def scenario(app, pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("enter", "g", *"y2", "enter")
        assert "Nota: La diapositiva redondea tgh(0.12)" in shown_text(app, "#explanation")
        lesson = app.lesson
        sample = lesson.training.samples[0].model_copy(update={"x": [0.3, 0.7]})
        training = lesson.training.model_copy(update={"samples": [sample]})
        app.change_lesson(lesson.model_copy(update={"training": training}))
        await pilot.pause()
        words = " ".join(shown_text(app, "#explanation").split())
        assert "Nota: [sobre los números de la lección original, antes de tu cambio] La" in words
        await pilot.press("r")
        words = " ".join(shown_text(app, "#explanation").split())
        assert "Nota: La diapositiva redondea" in words and "originales" not in words

    run(make_app(), scenario, (80, 24))


def test_in_plain_an_edit_marks_the_note_and_restore_unmarks_it() -> None:
    """plain shows ỹ₂'s note as the lesson's; after edit x1 it is marked (shown with the new
    value and again by show); after restore it is plain again (with the value and by show)."""
    out = plain("goto y2\nedit x1 0.3\nshow y[1,2]\nrestore\nshow y[1,2]\nquit\n", lang="en")
    notes = [line for line in out.splitlines() if "The slide rounds tanh(0.12)" in line]
    marked = "(Note: [about the original lesson's numbers, before your change] The slide rounds"
    assert [marked in line for line in notes] == [False, True, True, False, False]
