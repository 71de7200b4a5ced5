"""``stepper serve``: the full-screen app in a browser tab, through textual-serve.

textual-serve starts one process per browser tab and relays its screen and the tab's keys over
a websocket. What that process runs is fixed here, once, when the server starts: ``stepper
lesson --app`` on the one lesson given (checked before anything listens), or on none, which is
the list of built-in lessons. A browser sends keys and its window's size and nothing else, so
no file name or command ever comes from it.

Safe by default: the server listens on 127.0.0.1, this computer alone, and says so on stderr
when it is told to listen on an address that others can reach.
"""

from __future__ import annotations

import html
import ipaddress
import logging
import os
import shlex
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stepper.lesson.errors import LessonError, Problem, msg

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000

#: The addresses that mean "every interface": no browser can be sent to them.
_WILDCARDS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class Served:
    """What every tab runs, and what the server says about itself."""

    command: str
    title: str
    url: str


def is_local(host: str) -> bool:
    """Whether only this computer can reach ``host`` (a loopback address or ``localhost``)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_command(lesson: str | None, *, lang: str | None, quiz: bool) -> str:
    """The shell command each tab's process runs: this Python's stepper, its app forced on
    (the process's output is textual-serve's pipe, not a terminal), the lesson last, after
    ``--``, so that no name is read as an option."""
    words = [sys.executable, "-m", "stepper", "lesson", "--app"]
    if quiz:
        words.append("--quiz")
    if lang:
        words += ["--lang", lang]
    if lesson is not None:
        words += ["--", lesson]
    return subprocess.list2cmdline(words) if os.name == "nt" else shlex.join(words)


def public_url(host: str, port: int) -> str:
    """The address a browser is sent to (the page's websocket too): the host as given, or, for
    a wildcard address, this computer's name, which the other computers can look up."""
    name = socket.gethostname() if host in _WILDCARDS else host
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"  # an IPv6 address in a URL
    return f"http://{name}:{port}"


def prepare(
    lesson: str | None, *, lang: str | None, quiz: bool, host: str, port: int, url: str | None
) -> Served:
    """Check everything a tab will need before anything listens: the lesson loads (its
    problems are the CLI's, exit 2), the port is one a server can take."""
    if not 1 <= port <= 65535:
        raise LessonError([Problem("--port", msg("serve.bad_port", port=port))])
    if lesson is None:
        served, title = None, msg("serve.title_list")
    else:
        from stepper.api import load
        from stepper.catalog import resolve
        from stepper.lesson.schema import localized

        loaded = load(lesson, lang=lang)
        source = resolve(lesson)
        served = lesson if source.builtin else str(Path(source.path).resolve())
        title = localized(loaded.title, lang or loaded.language, loaded.language) or lesson
    return Served(
        command=app_command(served, lang=lang, quiz=quiz),
        title=title,
        url=url or public_url(host, port),
    )


def serve(served: Served, *, host: str, port: int) -> None:
    """Listen until Ctrl+C. A port that cannot be taken is bad input, told as ``--port``."""
    from aiohttp import web
    from textual_serve.server import Server

    class _Server(Server):
        """textual-serve's server, announcing the lesson and its address in stepper's words
        rather than with its logo and the long command line, and quiet but for problems: an
        instructor's terminal is not flooded with a line per request and browser."""

        def initialize_logging(self) -> None:
            super().initialize_logging()
            logging.getLogger().setLevel(logging.WARNING)

        async def on_startup(self, app: web.Application) -> None:
            print(msg("serve.listening", title=served.title, url=served.url), flush=True)

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            """textual-serve's page, with the lesson's title in the browser's tab (its
            template has no ``<title>``, so a projector's tab would read ``127.0.0.1:8000``)."""
            page = await super().handle_index(request)
            if isinstance(page, web.Response) and page.text and "<title>" not in page.text:
                title = f"<head>\n    <title>{html.escape(served.title)}</title>"
                page.text = page.text.replace("<head>", title, 1)
            return page

    if not is_local(host):
        print(msg("serve.exposed", host=host, port=port), file=sys.stderr)
    server = _Server(served.command, host=host, port=port, title=served.title)
    server.public_url = served.url
    try:
        server.serve()
    except OSError as exc:
        problem = msg("serve.cannot_listen", host=host, port=port, reason=exc.strerror or exc)
        raise LessonError([Problem("--port", problem)]) from None


def run(args: Any) -> None:
    """``stepper serve``'s arguments, checked, then served."""
    from importlib.util import find_spec

    if find_spec("textual_serve") is None:
        raise LessonError([Problem("stepper serve", msg("serve.needs_extra"))])
    served = prepare(
        args.lesson,
        lang=args.lang,
        quiz=args.quiz,
        host=args.host,
        port=args.port,
        url=args.public_url,
    )
    serve(served, host=args.host, port=args.port)
