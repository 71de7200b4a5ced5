"""Writing output files atomically: a temporary file beside the target, then a rename.

A failure at any point leaves no half-written file and never destroys an existing one. A
device or a pipe given as the output (/dev/stdout) is written into, never replaced.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


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
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    try:
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
