"""The command line's manners: ``--version``, ``stepper list --format json`` for scripts,
colour only where it is allowed (``--color``, ``NO_COLOR``, ``FORCE_COLOR``, a terminal or
not, tried on a real pseudo-terminal), and shell completion (argcomplete's protocol, and the
code ``stepper completion`` prints, run by bash, zsh and fish themselves)."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import stepper
from stepper.catalog import builtin_ids
from stepper.cli import SHELLS, main
from stepper.color import wanted
from stepper.printers import REGISTRY
from stepper.scaffold import STARTERS
from tests.conftest import child_env

ROOT = Path(__file__).parent.parent
BOLD = "\x1b[1m"


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"stepper {stepper.__version__}\n"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    dynamic = project["tool"]["setuptools"]["dynamic"]["version"]
    assert dynamic == {"attr": "stepper.__version__"}, "one version, read from the package"
    assert stepper.__version__ == "0.1.0"


def test_list_as_json_names_every_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--format", "json", "--color", "always"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in rows] == builtin_ids()
    for row in rows:
        assert {"id", "kind", "title", "language"} <= set(row), row
        assert row["kind"] in {"dense", "conv", "optimize", "recurrent", "graph"}
        assert row["title"] and row["language"] in {"es", "en"}
    first = {row["id"]: row for row in rows}["backprop-1"]
    assert first == first | {"kind": "dense", "language": "es", "topic": "backprop"}
    assert first["steps"] == len(stepper.solve("backprop-1").steps)
    assert main(["list", "--format", "json", "--lang", "en"]) == 0
    english = {row["id"]: row for row in json.loads(capsys.readouterr().out)}["backprop-1"]
    assert english["title"] != first["title"] and english["language"] == "es"


def test_list_text_colours_only_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    """Through a pipe (pytest's capture), auto and never print no escape; always does, and
    the columns stay aligned: the padding is outside the escapes."""
    assert main(["list"]) == 0
    plain = capsys.readouterr().out
    assert "\x1b" not in plain and plain.splitlines()[0].startswith("activations-1 ")
    assert main(["list", "--color", "never"]) == 0
    assert capsys.readouterr().out == plain
    assert main(["list", "--color", "always"]) == 0
    coloured = capsys.readouterr().out
    assert coloured.startswith(f"{BOLD}activations-1")
    assert _strip(coloured) == plain


def _strip(text: str) -> str:
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", text)


@pytest.mark.parametrize(
    ("mode", "tty", "env", "expected"),
    [
        ("auto", True, {}, True),
        ("auto", False, {}, False),
        ("auto", True, {"NO_COLOR": "1"}, False),
        ("auto", True, {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
        ("auto", True, {"TERM": "dumb"}, False),
        ("auto", False, {"FORCE_COLOR": "1"}, True),
        ("auto", False, {"FORCE_COLOR": ""}, False),
        ("auto", True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        ("always", False, {"NO_COLOR": "1"}, True),
        ("never", True, {"FORCE_COLOR": "1"}, False),
        ("never", True, {}, False),
    ],
)
def test_the_colour_rule(mode: str, tty: bool, env: dict[str, str], expected: bool) -> None:
    class Stream:
        def isatty(self) -> bool:
            return tty

    assert wanted(mode, Stream(), env) is expected  # type: ignore[arg-type]


def _on_a_terminal(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    """What ``stepper ARGS`` writes to a pseudo-terminal (stdin a pipe, stderr apart)."""
    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "stepper", *args],
        stdin=subprocess.PIPE,
        stdout=follower,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(follower)
    assert child.stdin is not None
    child.stdin.write(stdin.encode())
    child.stdin.close()
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert child.wait(timeout=60) == 0, child.stderr.read() if child.stderr else ""
    return b"".join(chunks).decode().replace("\r\n", "\n")


@pytest.mark.slow
def test_list_on_a_terminal_is_coloured_unless_no_color() -> None:
    coloured = _on_a_terminal(["list"], child_env())
    assert coloured.startswith(f"{BOLD}activations-1")
    assert "\x1b[2mdense" in coloured
    plain = _on_a_terminal(["list"], child_env(NO_COLOR="1"))
    assert "\x1b" not in plain and plain == _strip(coloured)
    assert "\x1b" not in _on_a_terminal(["list", "--color", "never"], child_env())


@pytest.mark.slow
def test_plain_lesson_on_a_terminal_bolds_the_headers_unless_no_color() -> None:
    """The REPL's step headers are bold on a terminal; with NO_COLOR, or through a pipe, the
    same lines carry no escape (a screen reader or a script reads text alone)."""
    args = ["lesson", "backprop-1", "--plain"]
    coloured = _on_a_terminal(args, child_env(), "next\nnext\nnext\nquit\n")
    assert f"{BOLD}[1/28 · " in coloured and f"{BOLD}[2/28 · " in coloured
    plain = _on_a_terminal(args, child_env(NO_COLOR="yes"), "next\nnext\nnext\nquit\n")
    assert "\x1b" not in plain and plain == _strip(coloured)
    piped = subprocess.run(
        [sys.executable, "-m", "stepper", *args, "--color", "always"],
        input="next\nnext\nnext\nquit\n",
        capture_output=True,
        text=True,
        env=child_env(NO_COLOR="1"),
        check=True,
    ).stdout
    assert f"{BOLD}[1/28 · " in piped, "always colours even a pipe, even with NO_COLOR"


def _argcomplete(line: str, cwd: Path, shell: str = "bash") -> list[str]:
    """The completions ``stepper`` answers for ``line`` with the cursor at its end, in the
    folder ``cwd``, asked as argcomplete's shell code asks (environment in, answers on file
    descriptor 8, here redirected to a file beside the folder)."""
    answers = cwd.parent / "answers"
    env = child_env(
        _ARGCOMPLETE="1",
        _ARGCOMPLETE_SHELL=shell,
        _ARGCOMPLETE_IFS="\n",
        _ARGCOMPLETE_STDOUT_FILENAME=str(answers),
        COMP_LINE=line,
        COMP_POINT=str(len(line.encode())),
    )
    run = subprocess.run(
        [sys.executable, "-m", "stepper"], cwd=cwd, env=env, capture_output=True, check=False
    )
    assert run.returncode == 0, run.stderr
    found = answers.read_text().split("\n")
    answers.unlink()
    return [a.rstrip(" ") for a in found if a]  # a lone answer ends in a space


@pytest.mark.slow
def test_completion_offers_commands_lessons_formats_and_kinds(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("title: t\n")
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "more").mkdir()
    assert set(_argcomplete("stepper ", tmp_path)) >= {"list", "lesson", "solve", "check"}
    assert "--version" in _argcomplete("stepper --v", tmp_path)
    assert _argcomplete("stepper lesson back", tmp_path) == ["backprop-1", "backprop-2"]
    lessons = _argcomplete("stepper solve ", tmp_path)
    assert set(builtin_ids()) | {"mine.yaml", "more/"} <= set(lessons)
    assert "notes.txt" not in lessons
    formats = _argcomplete("stepper solve backprop-1 --format ", tmp_path)
    assert formats == sorted(REGISTRY)
    assert _argcomplete("stepper new ", tmp_path)[-len(STARTERS) :] == list(STARTERS)
    assert _argcomplete("stepper list --color ", tmp_path) == ["auto", "always", "never"]
    zsh = _argcomplete("stepper lesson back", tmp_path, shell="zsh")
    assert [z.split(":")[0] for z in zsh] == ["backprop-1", "backprop-2"]


def _script(shell: str, tmp_path: Path) -> Path:
    run = subprocess.run(
        [sys.executable, "-m", "stepper", "completion", shell],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(),
    )
    assert "stepper" in run.stdout
    path = tmp_path / f"stepper.{shell}"
    path.write_text(run.stdout)
    return path


def _shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (apt-get install {name})")
    return found


@pytest.mark.slow
def test_bash_completes_a_lesson_id_with_the_printed_code(tmp_path: Path) -> None:
    """bash loads the code, then calls the function it registered for ``stepper`` as it does
    on TAB (COMP_LINE, COMP_POINT, COMP_WORDS, the command and the word as arguments)."""
    script = _script("bash", tmp_path)
    drive = (
        f'source "{script}"; '
        'fn=$(complete -p stepper | sed -E "s/.* -F ([^ ]+) .*/\\1/"); '
        'COMP_LINE="stepper lesson back"; COMP_POINT=${#COMP_LINE}; '
        "COMP_WORDS=(stepper lesson back); COMP_CWORD=2; "
        '"$fn" stepper back lesson; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    run = subprocess.run(
        [_shell("bash"), "--norc", "--noprofile", "-c", drive],
        capture_output=True,
        text=True,
        env=child_env(),
        cwd=tmp_path,
        check=True,
    )
    assert run.stdout.split() == ["backprop-1", "backprop-2"], run.stderr


@pytest.mark.slow
def test_fish_completes_a_lesson_id_with_the_printed_code(tmp_path: Path) -> None:
    fish = _shell("fish")
    script = _script("fish", tmp_path)
    subprocess.run([fish, "--no-execute", str(script)], check=True)
    run = subprocess.run(
        [fish, "--no-config", "-c", f'source "{script}"; complete -C "stepper lesson back"'],
        capture_output=True,
        text=True,
        env=child_env(
            HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path)
        ),
        cwd=tmp_path,
        check=True,
    )
    assert [line.split("\t")[0] for line in run.stdout.splitlines()] == [
        "backprop-1",
        "backprop-2",
    ], run.stderr


@pytest.mark.slow
def test_zsh_reads_the_printed_code_and_registers_it(tmp_path: Path) -> None:
    """zsh parses the code and, after compinit, binds it to ``stepper`` (the answers it then
    asks for are the protocol's, tested above with _ARGCOMPLETE_SHELL=zsh)."""
    zsh = _shell("zsh")
    script = _script("zsh", tmp_path)
    subprocess.run([zsh, "-n", str(script)], check=True)
    run = subprocess.run(
        [
            zsh,
            "-f",
            "-c",
            f'autoload -Uz compinit && compinit -u -d "{tmp_path}/zcompdump"; '
            f'source "{script}"; print -r -- $_comps[stepper]',
        ],
        capture_output=True,
        text=True,
        env=child_env(HOME=str(tmp_path)),
        cwd=tmp_path,
        check=True,
    )
    assert run.stdout.strip() == "_python_argcomplete", run.stderr


def test_completion_names_each_shell(capsys: pytest.CaptureFixture[str]) -> None:
    for shell in SHELLS:
        assert main(["completion", shell]) == 0
        code = capsys.readouterr().out
        assert "_ARGCOMPLETE" in code and "stepper" in code, shell
    with pytest.raises(SystemExit) as stop:
        main(["completion", "tcsh"])
    assert stop.value.code == 2


@pytest.mark.parametrize(
    ("mode", "env", "monochrome"),
    [
        ("auto", {}, False),
        ("auto", {"NO_COLOR": "1"}, True),
        ("auto", {"NO_COLOR": ""}, False),
        ("never", {}, True),
        ("always", {"NO_COLOR": "1"}, False),
    ],
)
def test_the_app_hears_the_same_rule(
    mode: str, env: dict[str, str], monochrome: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual turns monochrome on NO_COLOR, set to anything: ``stepper lesson`` hands it the
    decision of ``--color`` and no-color.org's rule."""
    from textual.app import App

    from stepper.cli import _app_color

    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        # Set, then removed: monkeypatch records the value from before the test and puts it
        # back at the end, whatever _app_color (which writes os.environ itself) left there;
        # a NO_COLOR left over would make every later app in this process monochrome.
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _app_color(mode)
    assert App().no_color is monochrome
