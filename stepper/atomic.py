"""Writing output files atomically: a temporary file beside the target, then a rename.

A failure at any point leaves no half-written file and never destroys an existing one. A
device or a pipe given as the output (/dev/stdout) is written into, never replaced.

The temporary file (``.NAME.XXXX.tmp``) is removed however the writing stops, short of SIGKILL:
on an error, on Ctrl-C (SIGINT raises KeyboardInterrupt), and on SIGTERM or SIGHUP, which would
otherwise end the process where it stands; while the file exists they raise SystemExit with the
shell's status for the signal (128 + its number), so the cleanup runs first.

The temporary file is made private (0600) by ``mkstemp``; before the rename it gets the mode
the target would have had if written in place: the old file's mode when it replaces one, else
what a new file gets under the process's umask (0644 under the usual 022).
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType

#: Signals that end the process by default and can be caught.
_ENDING = (signal.SIGTERM, signal.SIGHUP)


def write_atomic(path: str | Path, data: str | bytes | Iterable[str]) -> None:
    """Write ``data`` (or its pieces, in order) to ``path`` so that readers see the old file
    or the whole new one."""
    target = Path(path)
    pieces = [data] if isinstance(data, str | bytes) else data
    if target.exists() and not target.is_file() and not target.is_dir():
        # A device or a pipe (/dev/null, /dev/stdout, a FIFO): write into it. Renaming a file
        # over it would replace the device itself.
        with target.open("wb") as handle:
            for piece in pieces:
                handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
        return
    with _signals_raise():
        with _held(signal.SIGINT, *_ENDING):  # no signal between creating and owning the file
            fd, temp = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or "."
            )
        try:
            os.fchmod(fd, _mode(target))
            with os.fdopen(fd, "wb") as handle:
                for piece in pieces:
                    handle.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
            raise


#: umask can only be read by setting it; threads writing at once must not see it at 0.
_UMASK = threading.Lock()


def _mode(target: Path) -> int:
    """The permissions ``target`` ends with: those of the file it replaces, else a new
    file's (0666 less the umask)."""
    with contextlib.suppress(OSError):
        if target.is_file():
            return stat.S_IMODE(target.stat().st_mode)
    with _UMASK:
        umask = os.umask(0o077)
        os.umask(umask)
    return 0o666 & ~umask


def _exit(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit for the time being, where they would end the
    process at once (a handler someone else set, or an ignored signal, stays as it is).
    Python runs handlers in the main thread only, so elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in _ENDING}
    for s, handler in previous.items():
        if handler is signal.SIG_DFL:
            signal.signal(s, _exit)
    try:
        yield
    finally:
        for s, handler in previous.items():
            if handler is signal.SIG_DFL:
                signal.signal(s, handler)


@contextlib.contextmanager
def _held(*signals: signal.Signals) -> Iterator[None]:
    """Delay ``signals`` until the block ends (they are delivered then, not lost)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
