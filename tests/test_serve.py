"""``stepper serve``: a real server on a free local port, its page fetched and its websocket
opened as a browser does, the title screen's text arriving from the app it starts; what the
server runs is fixed when it starts (the browser's requests name nothing), it listens on
127.0.0.1 unless told otherwise and warns when others can reach it, and bad input is exit 2
before anything listens."""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import socket
import subprocess
import urllib.request
from pathlib import Path

import pytest

from stepper.cli import main
from stepper.serve import app_command, is_local, public_url

pytest.importorskip("textual_serve", reason="the serve extra is not installed")

from tests.conftest import child_env
from tests.serve_client import (
    STEPPER,
    read_until,
    screen_text,
    served,
)


def test_the_page_and_its_websocket_bring_the_title_screen(tmp_path: Path) -> None:
    with served("backprop-1", cwd=tmp_path) as (port, server, printed):
        base = f"http://127.0.0.1:{port}"
        assert f"{base} " in printed  # the address is told, in the lesson's language
        assert "Red de una capa con una neurona lineal y una tgh" in printed
        with urllib.request.urlopen(f"{base}/", timeout=30) as response:
            page = response.read().decode()
        assert f"ws://127.0.0.1:{port}/ws" in page
        assert "<div>Red de una capa con una neurona lineal y una tgh</div>" in page  # its intro
        assert "<title>Red de una capa con una neurona lineal y una tgh</title>" in page
        ws = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        text = asyncio.run(screen_text(ws, ("Red de una capa", "empezar", "x₁")))
        server.terminate()
        rest, problems = server.communicate(timeout=30)
        assert "GET" not in rest + problems  # no line per request: problems only
        assert re.search(r"x₁ ?= ?0\.1", text), text  # the lesson's network, as in a terminal


def test_each_tab_its_own_app_and_the_same_keys(tmp_path: Path) -> None:
    """Two tabs: one pressed Enter and space and is on its first step, the other still
    shows the title screen's prompt; the browser's extra query names no lesson."""
    with served("backprop-1", "--lang", "en", cwd=tmp_path) as (port, _, _):
        ws = f"ws://127.0.0.1:{port}/ws?width=80&height=24"

        async def two_tabs() -> tuple[str, str]:
            return await asyncio.gather(
                screen_text(ws, ("Step 1 of 28",), keys="\r"),
                screen_text(f"{ws}&lesson=xor-1", ("One-layer network", "start")),
            )

        walked, waiting = asyncio.run(two_tabs())
        assert "u₁ = w₁₀" in walked.replace(" ", " ")
        assert "XOR" not in waiting


def test_without_a_lesson_it_serves_the_list(tmp_path: Path) -> None:
    with served("--lang", "en", cwd=tmp_path) as (port, _, printed):
        assert "the lessons" in printed
        ws = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        text = asyncio.run(screen_text(ws, ("Choose a lesson", "regression-1")))
        assert "The neuron and the network" in text


def test_another_address_is_warned_about(tmp_path: Path) -> None:
    """Told to listen on every address, the server says so on stderr before it listens, and
    sends browsers to this computer's name."""
    args = ("pool-1", "--lang", "en", "--host", "0.0.0.0")
    with served(*args, cwd=tmp_path) as (port, server, printed):
        warning = read_until(server.stderr, "warning", timeout=60)
        assert "0.0.0.0" in warning and "other computers" in warning
        assert f"http://{socket.gethostname()}:{port}" in printed


def test_the_default_is_this_computer_alone() -> None:
    assert is_local("127.0.0.1") and is_local("localhost") and is_local("::1")
    assert is_local("127.0.0.2")
    assert not is_local("0.0.0.0") and not is_local("::") and not is_local("192.168.1.10")
    assert not is_local("example.org")
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert public_url("127.0.0.1", 80) == "http://127.0.0.1:80"


def test_the_command_is_fixed_and_quoted(tmp_path: Path) -> None:
    """A file name with spaces, quotes or a leading dash reaches each tab's process as one
    argument after ``--``, never as an option or as shell syntax."""
    odd = str(tmp_path / "-a lesson; rm 'x'.yaml")
    words = shlex.split(app_command(odd, lang="en", quiz=True))
    assert words == [*STEPPER, "lesson", "--app", "--quiz", "--lang", "en", "--", odd]
    assert shlex.split(app_command(None, lang=None, quiz=False))[-1] == "--app"


def test_a_relative_path_is_served_as_the_file_it_named(tmp_path: Path) -> None:
    from stepper.catalog import builtin_folder
    from stepper.serve import prepare

    (tmp_path / "mine.yaml").write_text((builtin_folder() / "pool-1.yaml").read_text())
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        plan = prepare("mine.yaml", lang=None, quiz=False, host="127.0.0.1", port=8000, url=None)
    finally:
        os.chdir(here)
    assert shlex.split(plan.command)[-1] == str(tmp_path.resolve() / "mine.yaml")
    assert plan.url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["nope-1"], "nope-1: "),
        (["pool-1", "--port", "0"], "--port: "),
        (["pool-1", "--port", "70000"], "--port: "),
    ],
)
def test_bad_input_is_exit_2_before_listening(
    args: list[str], where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", *args, "--lang", "en"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(where)


def test_a_port_in_use_is_exit_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [*STEPPER, "serve", "pool-1", "--lang", "en", "--port", str(port)],
            cwd=tmp_path,
            env=child_env(),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith(f"--port: cannot listen on 127.0.0.1 port {port}: ")
    assert "Traceback" not in run.stderr


def test_without_the_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "textual_serve" else real(name, *a),
    )
    assert main(["serve", "pool-1", "--lang", "en"]) == 2
    assert "pip install 'stepper[serve]'" in capsys.readouterr().err


def test_lesson_app_and_plain_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["lesson", "pool-1", "--app", "--plain"])
    assert stop.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
