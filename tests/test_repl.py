"""The plain REPL through stdin and stdout, as a screen reader or a script uses it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from stepper.repl import run_plain
from tests.conftest import solved


def plain(lines: str, lesson: str = "backprop-1", lang: str | None = None, **kw: object) -> str:
    solution = solved(lesson, lang)
    out = io.StringIO()
    run_plain(solution, lang or solution.language, io.StringIO(lines), out, **kw)  # type: ignore[arg-type]
    return out.getvalue()


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
    for n in range(1, 22):
        assert f"[{n}/21 " in out
    assert "u₁ = w₁₀ · x₀ + w₁₁ · x₁ + w₁₂ · x₂" in out
    assert "= 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7" in out
    assert "= −0.47848" in out
    assert "0.4784" in out  # the note on the slide's slip
    assert out.rstrip().endswith("Fin de la lección.")


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
    out = plain("\n\nback\n").splitlines()
    i = next(k for k, line in enumerate(out) if line.startswith("[1/21"))
    assert out[i + 2] == "    = 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7"
    assert out[i + 3] == "    = 0.29"
    assert out[i + 4].startswith("← [1/21")
    assert out[i + 5] == "    = 0.1 · 1 + (−0.2) · 0.1 + 0.3 · 0.7"


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
    out = plain("0.3\nh\n0.29\n0,29\nr\n", lang="en", quiz=True, save=str(save))
    assert "u₁ = ?" in out
    assert "✗ 0.3 is not it" in out
    assert "Hint: u₁ = w₁₀ · x₀ + w₁₁ · x₁ + w₁₂ · x₂" in out
    assert "✓ right: 0.29" in out  # u₁, second try
    assert "ỹ₁ = ?" in out and out.count("✓ right: 0.29") == 2  # ỹ₁ with a comma, first try
    assert "It was 0.12" in out  # u₂ revealed
    assert "Score: 1 of 3 at the first try" in out
    data = json.loads(save.read_text())
    assert data["asked"] == 3 and data["right_first_try"] == 1
    assert data["steps"][0]["answers"] == ["0.3", "0.29"]
    assert not list(tmp_path.glob(".*tmp"))


def test_quiz_names_the_mistake() -> None:
    out = plain("0.29\n0.29\n0.12\n0.11943\n0.09\n", lang="en", quiz=True)
    assert "sign swapped" in out


def test_show_of_an_unknown_key_says_so() -> None:
    out = plain("show q[9]\nquit\n", lang="en")
    assert "There is no step with key “q[9]”" in out


def test_rounded_lesson_shows_the_unrounded_value() -> None:
    out = plain("all\n", lesson="forward-1", lang="en")
    # u₄ on paper: 0.2 + 0.1 · 0.06 − 0.1 · 0.464 − 0.1 · 0.63 = 0.0966 -> 0.097; unrounded the
    # inputs give 0.2 + 0.1 tanh(0.06) − 0.1 tanh(0.502) − 0.1 tanh(0.742) = 0.096589.
    assert "= 0.097    (unrounded: 0.096589)" in out
    lines_without_drift = [line for line in out.splitlines() if line.startswith("    = 0.502")]
    assert lines_without_drift == ["    = 0.502"]
