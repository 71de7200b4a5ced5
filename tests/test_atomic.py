"""Output files are written atomically, and a device or pipe given as output is written into,
never replaced by a file (renaming over /dev/null would destroy the device)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from stepper.atomic import write_atomic


def test_a_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    write_atomic(target, iter(["new ", "text"]))
    assert target.read_text() == "new text"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def pieces():  # type: ignore[no-untyped-def]
        yield "half"
        raise RuntimeError("the printer broke")

    with pytest.raises(RuntimeError):
        write_atomic(target, pieces())
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


# --- Signals during a solve: the temporary file goes with the process ---------------------------

#: ``stepper solve backprop-1 -o FILE``, with the JSON printer slowed down so that the output
#: is still being written when the signal comes (a fake of a big lesson's long write).
SLOW_SOLVE = """
import dataclasses, sys, time
from stepper import printers
from stepper.cli import main

printers.REGISTRY["json"]  # loads the built-in printers
real = printers.REGISTRY["json"]

def slow(solution, options):
    for piece in real.stream(solution, options):
        yield piece
        time.sleep(0.05)

printers.REGISTRY["json"] = dataclasses.replace(real, stream=slow)
sys.exit(main(["solve", "backprop-1", "-o", sys.argv[1]]))
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("signum", "status"),
    [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, 128 + signal.SIGINT)],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_signal_during_the_write_removes_the_temporary_file(
    signum: int, status: int, tmp_path: Path
) -> None:
    """A solve killed while writing left a hidden .NAME.tmp beside the output."""
    out = tmp_path / "solution.json"
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_SOLVE, str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".solution.json.*.tmp")):
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the write never started"
        time.sleep(0.02)
    time.sleep(0.2)  # well inside the write (about a hundred pieces, 0.05 s each)
    assert child.poll() is None
    child.send_signal(signum)
    _, err = child.communicate(timeout=30)
    assert child.returncode == status, err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_the_signal_handlers_are_given_back(tmp_path: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    write_atomic(tmp_path / "out.txt", "text")
    assert signal.getsignal(signal.SIGTERM) is before


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_a_new_file_gets_the_mode_the_umask_gives(umask: int, tmp_path: Path) -> None:
    """Not mkstemp's private 0600: what `open` would have made (0644 under 022)."""
    before = os.umask(umask)
    try:
        write_atomic(tmp_path / "out.md", "x")
    finally:
        os.umask(before)
    assert stat.S_IMODE((tmp_path / "out.md").stat().st_mode) == 0o666 & ~umask


def test_a_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
