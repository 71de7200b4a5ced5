"""The plain REPL through stdin and stdout, as a screen reader or a script uses it."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stepper.engine import solve
from stepper.repl import COMMANDS, COMMANDS_WITH_TEXT, QUIT, run_plain
from tests.conftest import builtin_lesson


def plain(
    lines: str,
    lesson: str = "backprop-1",
    lang: str | None = None,
    source: type[io.StringIO] = io.StringIO,
    **kw: object,
) -> str:
    """What the REPL prints for ``lines`` typed into ``source`` (a pipe unless told)."""
    given = builtin_lesson(lesson)
    solution = solve(given, lang)
    out = io.StringIO()
    run_plain(solution, lang or solution.language, source(lines), out, lesson=given, **kw)  # type: ignore[arg-type]
    return out.getvalue()


class Terminal(io.StringIO):
    """Lines typed at a terminal: a stream that says it is one."""

    def isatty(self) -> bool:
        return True


@pytest.mark.slow
def test_all_prints_every_step_through_a_pipe() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "stepper", "lesson", "backprop-1", "--plain"],
        input="all\nquit\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Traceback" not in proc.stderr
    for n in range(1, 29):  # 21 steps, then the 7 of the check after the update
        assert f"[{n}/28 " in out
    assert "u₁ = w₁₀ · x₀ + w₁₁ · x₁ + w₁₂ · x₂" in out
    assert "= 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7" in out
    assert "= −0.47848" in out
    assert "0.4784" in out  # the note on the slide's slip
    end = out[out.index("Fin de la lección.") :].splitlines()
    # The end's summary: the weights as the layer's matrix, old → new (the lecture's values).
    assert "  [ 0.1  −0.2   0.3 ] → [  0.082  −0.2018    0.2874 ]" in end
    assert "  [ 0.5   0.4  −0.6 ]   [ 0.6736  0.41736  −0.47848 ]" in end


@pytest.mark.slow
def test_plain_is_implied_when_stdout_is_not_a_terminal() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "stepper", "lesson", "backprop-1"],
        input="all\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "= 0.29" in proc.stdout


def test_one_stage_per_line_and_back() -> None:
    """The header, the explanation and the formula, then one line a stage, each = under the
    formula's; back shows the step again as far as it is now revealed."""
    out = plain("\n\nback\n").splitlines()
    i = next(k for k, line in enumerate(out) if line.startswith("[1/28"))
    assert out[i + 1].startswith("    Entrada neta de la neurona 1")
    assert out[i + 2] == "    u₁ = w₁₀ · x₀ + w₁₁ · x₁ + w₁₂ · x₂"
    assert out[i + 3] == "       = 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7"
    assert out[i + 4] == "       = 0.29"
    assert out[i + 5].startswith("← [1/28")
    assert out[i + 6] == out[i + 1]
    assert out[i + 7 :] == [
        "    u₁ = w₁₀ · x₀ + w₁₁ · x₁ + w₁₂ · x₂",
        "       = 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7",
    ]


def test_an_identity_step_is_one_reveal_saying_its_value_once() -> None:
    """ỹ₁ = u₁ of the linear neuron: one Enter shows it whole, 0.29 written once, and the
    next Enter starts u₂."""
    out = plain("\n\n\n\nquit\n", lang="en").splitlines()
    i = out.index("[2/28 · forward · iteration 1 · sample 1 · y[1,1]]")
    assert out[i + 2 : i + 4] == ["    ỹ₁ = u₁", "       = 0.29"]
    assert out[i + 4] == ""
    assert out[i + 5].startswith("[3/28 ")
    assert sum(line.count("0.29") for line in out[i:]) == 1


def test_a_terminal_wraps_long_formulas_at_an_operator_and_a_pipe_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Plain's width rule: on a terminal (here 40 columns) a long formula wraps after an
    operator, the continuation under the formula's right side; through a pipe each part is
    one line, whole, for scripts and grep."""
    import os
    import shutil

    from stepper.repl import Plain

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(shutil, "get_terminal_size", lambda *a: os.terminal_size((40, 24)))
    solution = solve(builtin_lesson("conv-1"), "en")
    out = Tty()
    Plain(solution, "en", out).show("conv[1,1,1]")
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 40 for line in lines[1:])  # the header excepted
    at = next(k for k, line in enumerate(lines) if line.startswith("    c₁₁ = "))
    assert all(line.startswith("    ") for line in lines[1:at])  # the explanation, wrapped
    equation = lines[at:]
    assert equation[0].endswith(" +")
    assert equation[1].startswith(" " * 10) and not equation[1].startswith(" " * 11)
    piped = io.StringIO()
    Plain(solution, "en", piped).show("conv[1,1,1]")
    assert len(piped.getvalue().splitlines()) == 5


def test_show_key_and_english() -> None:
    out = plain("show d[1,2]\nquit\n", lang="en")
    assert "δ₂ = ε₂ · (1 − ỹ₂²)" in out
    assert "= 0.88057 · (1 − 0.11943²)" in out
    assert "= 0.86801" in out
    assert "derivative of tanh" in out


def test_unknown_command_is_said_not_fatal() -> None:
    out = plain("frobnicate\nquit\n", lang="en")
    assert "Unknown command “frobnicate”" in out


def test_quiz_reads_answers_hints_and_saves(tmp_path: Path) -> None:
    save = tmp_path / "answers.json"
    out = plain("0.3\nh\n0.29\n0,12\nr\n", lang="en", quiz=True, save=str(save))
    assert "u₁ = ?" in out
    assert "✗ 0.3 is not it" in out
    assert "Hint: u₁ = w₁₀ · x₀ + w₁₁ · x₁ + w₁₂ · x₂" in out
    assert "✓ right: 0.29" in out  # u₁, second try
    # ỹ₁ = u₁ has nothing to compute: shown whole, not asked, and on to u₂
    assert "ỹ₁ = ?" not in out and "    ỹ₁ = u₁" in out
    assert "✓ right: 0.12" in out  # u₂ with a comma, first try
    assert "It was 0.11943" in out  # ỹ₂ revealed
    assert "Score: 1 of 3 at the first try" in out
    data = json.loads(save.read_text())
    assert data["asked"] == 3 and data["right_first_try"] == 1
    assert [a["text"] for a in data["questions"][0]["answers"]] == ["0.3", "0.29"]
    assert not list(tmp_path.glob(".*tmp"))


def test_quiz_names_the_mistake() -> None:
    out = plain("0.29\n0.29\n0.12\n0.11943\n0.09\n", lang="en", quiz=True)
    assert "sign swapped" in out


def test_show_of_an_unknown_key_says_so() -> None:
    out = plain("show q[9]\nquit\n", lang="en")
    assert "There is no step with key “q[9]”" in out


def test_rounded_lesson_shows_the_unrounded_value() -> None:
    out = plain("all\n", lesson="forward-1", lang="en")
    # u₄ on paper: 0.2 + 0.1 · 0.06 − 0.1 · 0.46 − 0.1 · 0.63 = 0.097; unrounded the
    # inputs give 0.2 + 0.1 tanh(0.06) − 0.1 tanh(0.497) − 0.1 tanh(0.742) = 0.096982.
    assert "= 0.097   (unrounded: 0.096982)" in out
    lines_without_drift = [line for line in out.splitlines() if line.endswith("= 0.497")]
    assert lines_without_drift == ["       = 0.497"]


# --- Parity with the app: why, edit, restore, goto, the prompt, the commands named ----------


def test_why_lists_what_the_step_reads_and_where_it_comes_from() -> None:
    """u₁ reads the lesson's weights and inputs; ỹ₂ (step 4) reads u₂ of step 3."""
    out = plain("why\ngoto 4\nw\nquit\n", lang="en").splitlines()
    at = out.index("u₁ reads:")
    assert [line.split() for line in out[at + 1 : at + 7]] == [
        ["w₁₀", "=", "0.1", "(given", "by", "the", "lesson)"],
        ["x₀", "=", "1", "(given", "by", "the", "lesson)"],
        ["w₁₁", "=", "−0.2", "(given", "by", "the", "lesson)"],
        ["x₁", "=", "0.1", "(given", "by", "the", "lesson)"],
        ["w₁₂", "=", "0.3", "(given", "by", "the", "lesson)"],
        ["x₂", "=", "0.7", "(given", "by", "the", "lesson)"],
    ]
    # u₂ = 0.5 + 0.4 · 0.1 − 0.6 · 0.7 = 0.12, computed in step 3
    assert out[out.index("ỹ₂ reads:") + 1].split() == ["u₂", "=", "0.12", "(step", "3)"]


def test_edit_changes_a_number_solves_again_and_keeps_the_place() -> None:
    """w₁₂ from 0.3 to 0.5: u₁ = 0.1 · 1 + (−0.2) · 0.1 + 0.5 · 0.7 = 0.43; restore gives
    0.29 back. Both keep the learner on step 1."""
    out = plain("edit w12 0.5\n\n\nrestore\n\n\nquit\n", lang="en")
    edited, restored = out.split("w₁₂ = 0.5: the lesson is solved again")[1].split(
        "The original lesson is back"
    )
    assert "[1/28 " in edited.splitlines()[1]
    assert "    = 0.1 · 1 + (−0.2) · 0.1 + 0.5 · 0.7" in edited
    assert "    = 0.43" in edited
    assert "[1/28 " in restored.splitlines()[1]
    assert "    = 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7" in restored
    assert "    = 0.29" in restored


def test_edit_by_place_in_the_list_and_the_list_itself() -> None:
    """edit lists α, the six weights, the inputs and the targets; edit 1 0.5 changes α, so
    Δw₁₀ = 2 · α · δ₁ · x₀ = 2 · 0.5 · (−0.09) · 1 = −0.09 (δ₁ = ε₁ = 0.2 − 0.29)."""
    out = plain("edit\nedit x\nedit 1 0.5\nshow dw[1,1,0]\nquit\n", lang="en").splitlines()
    at = out.index("Numbers you may change (edit N VALUE or edit NAME VALUE):")
    assert [line.strip() for line in out[at + 1 : at + 12]] == [
        "1. α = 0.1",
        "2. w₁₀ = 0.1",
        "3. w₁₁ = -0.2",
        "4. w₁₂ = 0.3",
        "5. w₂₀ = 0.5",
        "6. w₂₁ = 0.4",
        "7. w₂₂ = -0.6",
        "8. x₁ = 0.1",
        "9. x₂ = 0.7",
        "10. y₁ = 0.2",
        "11. y₂ = 1",
    ]
    narrowed = out.index("Numbers you may change (edit N VALUE or edit NAME VALUE):", at + 1)
    assert [line.strip() for line in out[narrowed + 1 : narrowed + 3]] == [
        "8. x₁ = 0.1",
        "9. x₂ = 0.7",
    ]
    assert "         = −0.09" in out  # under the = of Δw₁₀


def test_edit_refuses_what_a_file_could_not_hold_and_keeps_the_lesson() -> None:
    """α = 0 fails the lesson's own check (learning rate > 0); a word is not a number; a name
    that is no number of the lesson says so. u₁ is still 0.29 after all of them."""
    out = plain("edit 1 0\nedit w12 abc\nedit q7 1\nrestore\n\n\nquit\n", lang="en")
    assert "“0” is not a valid number here: " in out
    assert "learning rate must be > 0" in out
    assert "“abc” is not a number" in out
    assert "No number of the lesson is named “q7”" in out
    assert "Nothing to restore: no number has been changed" in out
    assert "    = 0.29" in out


def test_goto_takes_a_number_a_key_and_a_symbol_as_seen_or_typed() -> None:
    """δ₂ is step 9 of backprop-1 by number, key, symbol and its keyboard spelling; dw12 finds
    Δw₁₂; a number past the last step says the range."""
    out = plain("goto 9\ng d[1,2]\ngoto δ₂\ng d2\ng dw12\ngoto 29\nquit\n", lang="en")
    assert out.count("[9/28 · backward · iteration 1 · sample 1 · d[1,2]]\n") == 4
    assert out.count("    δ₂ = ε₂ · (1 − ỹ₂²)\n") == 4
    assert " · dw[1,1,2]]\n" in out and "    Δw₁₂ = 2 · α · x₂ · δ₁\n" in out
    assert "1–28" in out


def test_a_terminal_gets_a_prompt_and_a_pipe_none() -> None:
    """On a terminal each line is asked for after "N/28> " (N where the learner is); through
    a pipe the output is the same lesson, without a single prompt."""
    typed = plain("\n\n\n\nquit\n", lang="en", source=Terminal)
    piped = plain("\n\n\n\nquit\n", lang="en")
    # u₁ takes three lines, ỹ₁ = u₁ one (it is shown whole), then u₂ is asked for
    assert [typed.count(f"{n}/28> ") for n in (1, 2, 3)] == [3, 1, 1]
    assert "> " not in piped
    assert typed.replace("1/28> ", "").replace("2/28> ", "").replace("3/28> ", "") == piped


def test_end_of_input_on_a_terminal_ends_the_line() -> None:
    typed = plain("", lang="en", source=Terminal)
    assert typed.endswith("1/28> \n")


def test_the_start_line_and_help_name_every_command() -> None:
    """Each command the REPL takes is named in help; the start line names each command's main
    word (the aliases are help's)."""
    out = plain("help\nquit\n", lang="en").splitlines()
    at = next(k for k, line in enumerate(out) if line.startswith("Commands: "))
    intro = " ".join(out[at : out.index("", at)])
    assert all(len(line) < 80 for line in out[at : out.index("", at)])
    help_text = "\n".join(out[out.index("Commands:") :])
    named = {
        word.strip()
        for line in help_text.splitlines()[1:]
        for word in line[:22].replace("|", " ").split(",")
    }
    every = set(COMMANDS) | set(COMMANDS_WITH_TEXT) | set(QUIT)
    assert every - {""} <= {w.split()[0] for w in named if w}
    for word in ("next", "back", "goto", "show", "why", "edit", "restore", "all", "help", "quit"):
        assert f"“{word}" in intro, word


@pytest.mark.slow
def test_a_real_terminal_gets_the_prompt_and_line_editing() -> None:
    """Through a pseudo-terminal, as a learner at a terminal: the start line, then the prompt;
    a line typed with a backspace in it is edited (n, Backspace, why = why); Ctrl+D leaves."""
    import os
    import pty
    import select

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "stepper", "lesson", "backprop-1", "--plain", "--lang", "en"],
        stdin=follower,
        stdout=follower,
        stderr=subprocess.PIPE,
        env={**os.environ, "TERM": "dumb"},
    )
    os.close(follower)

    def read_until(marker: str) -> str:
        seen = b""
        while marker.encode() not in seen:
            ready, _, _ = select.select([leader], [], [], 30)
            assert ready, seen.decode(errors="replace")
            seen += os.read(leader, 4096)
        return seen.decode()

    try:
        assert "Commands: Enter or “next”" in read_until("1/28> ")
        os.write(leader, b"n\x7fwhy\n")
        assert "u₁ reads:" in read_until("1/28> ")
        os.write(leader, b"\x04")
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        os.close(leader)
    assert proc.stderr is not None and proc.stderr.read() == b""


def test_why_and_goto_are_commands_while_the_quiz_asks() -> None:
    """While u₁ is asked for, why lists what it reads (no "not a number"), and an answer
    after it is still judged."""
    out = plain("why\n0.29\nquit\n", lang="en", quiz=True)
    assert "u₁ reads:" in out and "is not a number" not in out
    assert "✓ right: 0.29" in out


def test_a_decimal_comma_lesson_prints_no_decimal_point(tmp_path: Path) -> None:
    """backprop-1 with decimal_comma through a pipe: the substitutions, the values and the
    notes all write a decimal comma (0,29, 0,11943), and no step writes a decimal point."""
    from stepper.catalog import builtin_folder
    from stepper.lesson.load import load_lesson

    source = (builtin_folder() / "backprop-1.yaml").read_text(encoding="utf-8")
    path = tmp_path / "comma.yaml"
    path.write_text(source.replace("display:\n", "display:\n  decimal_comma: true\n", 1))
    lesson = load_lesson(path)
    out = io.StringIO()
    run_plain(solve(lesson), "es", io.StringIO("all\n"), out, lesson=lesson)
    # the steps: after the title, summary and commands, before the end's summary
    steps = out.getvalue().split("\n\n", 1)[1].split("Fin de la lección.")[0]
    assert "       = 0,1 · 1 + (−0,2) · 0,1 + 0,3 · 0,7" in steps
    assert "       = 0,29" in steps and "0,11943" in steps
    assert not re.search(r"\d\.\d", steps)
