"""``stepper serve``: a real server on a free local port, its page fetched and its websocket
opened as a browser does, the title screen's text arriving from the app it starts; what the
server runs is fixed when it starts (the browser's requests name nothing), it listens on
127.0.0.1 unless told otherwise and warns when others can reach it, and bad input is exit 2
before anything listens."""

from __future__ import annotations

import asyncio
import os
import re
import select
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from stepper.cli import main
from stepper.serve import app_command, is_local, public_url

aiohttp = pytest.importorskip("aiohttp", reason="the serve extra is not installed")
pytest.importorskip("textual_serve", reason="the serve extra is not installed")

STEPPER = [sys.executable, "-m", "stepper"]

#: The escapes of a terminal's output (colours, cursor moves), dropped to read its text.
ESCAPE = re.compile(r"\x1b\[[0-9;?$]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>]")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _env() -> dict[str, str]:
    """The server's environment, which its apps inherit: the formula cache off (nothing
    written outside the test's folder), no colour variables."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return {**env, "STEPPER_CACHE_DIR": ""}


def _read_until(stream: object, needle: str, timeout: float) -> str:
    """What ``stream`` (a child's pipe) printed up to a line holding ``needle``."""
    seen = ""
    fd = stream.fileno()  # type: ignore[attr-defined]
    while needle not in seen:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            raise AssertionError(f"no {needle!r} in {timeout} s; printed: {seen!r}")
        line = stream.readline()  # type: ignore[attr-defined]
        if not line:
            raise AssertionError(f"the server ended before {needle!r}; printed: {seen!r}")
        seen += line
    return seen


def _wait_for(port: int) -> None:
    """Until the server accepts connections (it tells its address just before it binds)."""
    for _ in range(600):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after 30 s")


@contextmanager
def served(*args: str, cwd: Path) -> Iterator[tuple[int, subprocess.Popen[str], str]]:
    """``stepper serve ARGS --port P`` running, with what it printed once it listens."""
    port = _free_port()
    server = subprocess.Popen(
        [*STEPPER, "serve", *args, "--port", str(port)],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        printed = _read_until(server.stdout, "stepper serve:", timeout=60)
        _wait_for(port)
        yield port, server, printed
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _screen_text(url: str, needles: tuple[str, ...], keys: str = "") -> str:
    """Open the app's websocket as textual-serve's page does, type ``keys``, and read the
    screen's text until every needle has arrived (or 60 s have passed)."""
    text = ""
    async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
        for key in keys:
            await ws.send_json(["stdin", key])

        async def read() -> None:
            nonlocal text
            async for message in ws:
                if message.type == aiohttp.WSMsgType.BINARY:
                    text += ESCAPE.sub("", message.data.decode("utf-8", "replace"))
                if all(needle in text for needle in needles):
                    return

        await asyncio.wait_for(read(), timeout=60)
    return text


def test_the_page_and_its_websocket_bring_the_title_screen(tmp_path: Path) -> None:
    with served("backprop-1", cwd=tmp_path) as (port, _, printed):
        base = f"http://127.0.0.1:{port}"
        assert f"{base} " in printed  # the address is told, in the lesson's language
        assert "Red de una capa con una neurona lineal y una tgh" in printed
        with urllib.request.urlopen(f"{base}/", timeout=30) as response:
            page = response.read().decode()
        assert f"ws://127.0.0.1:{port}/ws" in page
        assert "<div>Red de una capa con una neurona lineal y una tgh</div>" in page  # its intro
        ws = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        text = asyncio.run(_screen_text(ws, ("Red de una capa", "empezar", "x₁")))
        assert re.search(r"x₁ ?= ?0\.1", text), text  # the lesson's network, as in a terminal


def test_each_tab_its_own_app_and_the_same_keys(tmp_path: Path) -> None:
    """Two tabs: one pressed Enter and space and is on its first step, the other still
    shows the title screen's prompt; the browser's extra query names no lesson."""
    with served("backprop-1", "--lang", "en", cwd=tmp_path) as (port, _, _):
        ws = f"ws://127.0.0.1:{port}/ws?width=80&height=24"

        async def two_tabs() -> tuple[str, str]:
            return await asyncio.gather(
                _screen_text(ws, ("Step 1 of 28",), keys="\r"),
                _screen_text(f"{ws}&lesson=xor-1", ("One-layer network", "start")),
            )

        walked, waiting = asyncio.run(two_tabs())
        assert "u₁ = w₁₀" in walked.replace(" ", " ")
        assert "XOR" not in waiting


def test_without_a_lesson_it_serves_the_list(tmp_path: Path) -> None:
    with served("--lang", "en", cwd=tmp_path) as (port, _, printed):
        assert "the lessons" in printed
        ws = f"ws://127.0.0.1:{port}/ws?width=80&height=24"
        text = asyncio.run(_screen_text(ws, ("Choose a lesson", "regression-1")))
        assert "The neuron and the network" in text


def test_another_address_is_warned_about(tmp_path: Path) -> None:
    """Told to listen on every address, the server says so on stderr before it listens, and
    sends browsers to this computer's name."""
    args = ("pool-1", "--lang", "en", "--host", "0.0.0.0")
    with served(*args, cwd=tmp_path) as (port, server, printed):
        warning = _read_until(server.stderr, "warning", timeout=60)
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
            env=_env(),
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
