"""Output files are written atomically, and a device or pipe given as output is written into,
never replaced by a file (renaming over /dev/null would destroy the device)."""

from __future__ import annotations

import os
import stat
import threading
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
