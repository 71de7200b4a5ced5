"""A client of ``stepper serve`` as a browser is one: the server started on a free local port
and waited for, the app's websocket opened as textual-serve's page opens it, and the screen's
text read out of the terminal output it carries. The tests and benchmarks/bench_serve.py use
it."""

from __future__ import annotations

import asyncio
import re
import select
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp

from tests.conftest import child_env

STEPPER = [sys.executable, "-m", "stepper"]

#: The escapes of a terminal's output (colours, cursor moves), dropped to read its text.
ESCAPE = re.compile(r"\x1b\[[0-9;?$]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\x1b[=>]")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def read_until(stream: object, needle: str, timeout: float) -> str:
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


def wait_for(port: int) -> None:
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
    port = free_port()
    server = subprocess.Popen(
        [*STEPPER, "serve", *args, "--port", str(port)],
        cwd=cwd,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        printed = read_until(server.stdout, "stepper serve:", timeout=60)
        wait_for(port)
        yield port, server, printed
    finally:
        server.terminate()
        server.wait(timeout=30)


async def screen_text(
    url: str,
    needles: tuple[str, ...],
    keys: str = "",
    hold: Callable[[], Awaitable[None]] | None = None,
) -> str:
    """Open the app's websocket as textual-serve's page does, type ``keys``, and read the
    screen's text until every needle has arrived (or 60 s have passed); then, with ``hold``,
    keep the tab open until it returns (to measure a class of tabs open at once)."""
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
        if hold is not None:
            await hold()
    return text
