"""The printed formula templates, kept on disk from one run to the next.

Printing a template needs sympy, which takes about a third of a second to import, and its
printers, yet what comes out is the same in every run: it depends only on the template, its
parameters and the code that prints it. So ``stepper.formulas.compiled`` asks here first, and
``stepper solve backprop-1`` does not import sympy at all once the cache holds its templates.

- Per user: the folder ``$STEPPER_CACHE_DIR``, else ``$XDG_CACHE_HOME/stepper``, else
  ``~/.cache/stepper``; ``STEPPER_CACHE_DIR=`` (empty) turns the cache off.
- Versioned: the file's name holds a digest of the code that prints templates
  (``stepper/formulas.py``, ``stepper/activations.py``), of sympy's version and of Python's,
  so changing any of them starts a new file.
- Seeded: the package ships ``formula_seed.json``, the templates of the built-in lessons as
  printed when this version was made, so that even the first run after an install needs no
  sympy. It is read only when its version is this run's (same code, sympy and Python) and the
  cache is on; ``tests/test_formula_cache.py`` checks it against sympy and rewrites it when
  asked (``STEPPER_WRITE_SEED=1``).
- Never required: a file that is missing, unreadable, corrupt or of another shape is ignored
  (entry by entry where it can be), and a folder that cannot be written is left alone.
- Safe with concurrent writers: at exit, a run that printed new templates merges them with
  the file as it is then, writes a temporary file beside it and renames it over the old one,
  so a reader always sees a whole file, old or new; what a concurrent writer adds in between
  is at worst printed again by a later run.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import sys
from functools import cache
from pathlib import Path

from stepper.atomic import write_atomic

#: One entry: the ``str.format`` pattern, whether the template is a bare slot, and the slots
#: that stand alone as a function's argument (see ``stepper.formulas.Compiled``).
Entry = tuple[str, bool, frozenset[int]]
#: Past this many entries a file starts afresh (a lesson's own formulas add entries).
MAX_ENTRIES = 20_000
_SHAPE = "stepper-formulas-1"

#: The seed shipped with the package (None: no seed, as the tests of the cache itself want).
SEED: Path | None = Path(__file__).with_name("formula_seed.json")

_entries: dict[str, Entry] = {}
_new: dict[str, Entry] = {}


def folder() -> Path | None:
    """The per-user cache folder, or None when the cache is off."""
    chosen = os.environ.get("STEPPER_CACHE_DIR")
    if chosen is not None:
        return Path(chosen) if chosen else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "stepper"


@cache
def _version() -> str:
    """A digest of everything the printed templates depend on."""
    import importlib.util

    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    here = Path(__file__).parent
    sources = [here / "formulas.py", here / "activations.py"]
    spec = importlib.util.find_spec("sympy")
    if spec is not None and spec.origin is not None:
        sources.append(Path(spec.origin).parent / "release.py")
    for source in sources:
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()[:16]


def _file() -> Path | None:
    place = folder()
    return place / f"formulas-{_version()}.json" if place is not None else None


def _document(path: Path) -> dict[str, object]:
    """The JSON object in the file at ``path`` if it is a cache file of this shape, else {}."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(document, dict) or document.get("shape") != _SHAPE:
        return {}
    return document


def _read(path: Path, version: str | None = None) -> dict[str, Entry]:
    """The entries of the file at ``path`` (of ``version``, when one is asked for); whatever
    cannot be read as an entry is skipped."""
    document = _document(path)
    if version is not None and document.get("version") != version:
        return {}
    raw = document.get("entries")
    out: dict[str, Entry] = {}
    for key, value in raw.items() if isinstance(raw, dict) else ():
        match value:
            case [str(pattern), bool(bare), list(enclosed)] if all(
                isinstance(k, int) and not isinstance(k, bool) for k in enclosed
            ):
                out[key] = (pattern, bare, frozenset(enclosed))
    return out


@cache
def _loaded() -> bool:
    path = _file()
    if path is not None:
        if SEED is not None:
            _entries.update(_read(SEED, _version()))
        _entries.update(_read(path))
    return True


def lookup(key: str) -> Entry | None:
    """The entry kept for ``key``, or None."""
    _loaded()
    return _entries.get(key)


def store(key: str, entry: Entry) -> None:
    """Keep ``entry`` for ``key``; it is written when the program ends."""
    _loaded()
    if not _new:
        atexit.register(save)
    _entries[key] = entry
    _new[key] = entry


def _as_document(entries: dict[str, Entry]) -> dict[str, object]:
    return {
        "shape": _SHAPE,
        "version": _version(),
        "entries": {k: [p, b, sorted(e)] for k, (p, b, e) in sorted(entries.items())},
    }


def seed_text(entries: dict[str, Entry]) -> str:
    """The text of a seed file holding ``entries``, for this run's version."""
    return json.dumps(_as_document(entries), ensure_ascii=False, indent=0) + "\n"


def save() -> None:
    """Write the entries printed in this run, merged with the file as it is now."""
    path = _file()
    if path is None or not _new:
        return
    merged = _read(path)
    if len(merged) + len(_new) > MAX_ENTRIES:
        merged = {}
    merged.update(_new)
    document = _as_document(merged)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, json.dumps(document, ensure_ascii=False))
    except OSError:
        return  # a cache that cannot be written is no cache: the next run prints again
    _new.clear()
