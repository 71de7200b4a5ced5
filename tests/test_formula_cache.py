"""The formula cache on disk gives back exactly what sympy prints, and is never required.

Why these tests: ``stepper solve`` skips importing sympy when the per-user cache holds the
printed templates (stepper/formula_cache.py). A cache that gave back anything else than sympy
prints would change every output, so the documents of every built-in lesson are written
once with templates printed by sympy and once from the cache alone (printing made to fail),
and compared. A cache file may be damaged, written by two programs at once or unwritable:
none of it may stop a solve.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stepper import formula_cache, formulas
from stepper.catalog import builtin_ids
from stepper.printers import REGISTRY, Options
from stepper.steps import Solution


def fresh_run() -> None:
    """Forget what this process printed or read, as a new run of the program would."""
    formulas.compiled.cache_clear()
    formulas._by_hand.cache_clear()  # built from compiled(), which it would not ask again
    formula_cache._loaded.cache_clear()
    formula_cache._entries.clear()
    formula_cache._new.clear()


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of this test's own, and no seed."""
    monkeypatch.setenv("STEPPER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(formula_cache, "SEED", None)
    fresh_run()
    yield tmp_path / "cache"
    fresh_run()


def documents(
    builtin: dict[str, Solution], formats: tuple[str, ...] = ("json", "md", "tex")
) -> dict[str, str]:
    return {
        f"{lesson_id}.{fmt}": REGISTRY[fmt].render(builtin[lesson_id], Options())
        for lesson_id in builtin_ids()
        for fmt in formats
    }


def test_cached_templates_print_exactly_what_sympy_prints(
    cache: Path, builtin: dict[str, Solution], monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = documents(builtin)
    formula_cache.save()
    (file,) = cache.iterdir()
    assert file.name.startswith("formulas-")
    fresh_run()

    def no_sympy(*args: object) -> None:
        raise AssertionError(f"printed again instead of read from the cache: {args}")

    monkeypatch.setattr(formulas, "_compile", no_sympy)
    assert documents(builtin) == printed


def test_a_warm_solve_does_not_import_sympy(cache: Path) -> None:
    """The point of the cache: start-up without sympy's third of a second."""
    code = (
        "import sys\n"
        "from stepper import formula_cache\n"
        "formula_cache.SEED = None\n"
        "from stepper.cli import main\n"
        "main(['solve', 'backprop-1', '-o', sys.argv[1]])\n"
        "print('sympy' in sys.modules)\n"
    )
    env = {**os.environ, "STEPPER_CACHE_DIR": str(cache)}
    runs = []
    for k in range(2):
        out = cache.parent / f"out{k}.json"
        result = subprocess.run(
            [sys.executable, "-c", code, str(out)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        runs.append((result.stdout.strip(), out.read_text()))
    assert [imported for imported, _ in runs] == ["True", "False"]
    assert runs[0][1] == runs[1][1]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\xff garbage",
        b'{"shape": "stepper-formulas-1", "entries": {"k": ',
        b"[1, 2, 3]",
        b'{"shape": "stepper-formulas-0", "entries": {}}',
        b'{"shape": "stepper-formulas-1", "entries": []}',
        b'{"shape": "stepper-formulas-1", "entries": {"a": [1, true, []], "b": ["{0}", 1, []],'
        b' "c": ["{0}", true, [true]], "d": ["{0}", true]}}',
        b"[" * 100_000,
    ],
    ids=["empty", "binary", "truncated", "list", "old", "entries", "bad-entries", "deep"],
)
def test_a_damaged_file_is_ignored_and_replaced(
    content: bytes, cache: Path, builtin: dict[str, Solution]
) -> None:
    cache.mkdir()
    first = documents(builtin)
    formula_cache.save()
    (file,) = cache.iterdir()
    whole = json.loads(file.read_text())
    fresh_run()
    file.write_bytes(content)
    assert documents(builtin) == first
    formula_cache.save()
    assert json.loads(file.read_text()) == whole


def test_good_entries_survive_beside_bad_ones(cache: Path) -> None:
    cache.mkdir()
    key = json.dumps(["sum", [], 2, "text"])
    formula_cache.store(key, ("{0} + {1}", False, frozenset()))
    formula_cache.save()
    (file,) = cache.iterdir()
    document = json.loads(file.read_text())
    document["entries"]["bad"] = ["{0}", "yes", []]
    file.write_text(json.dumps(document))
    fresh_run()
    assert formula_cache.lookup(key) == ("{0} + {1}", False, frozenset())
    assert formula_cache.lookup("bad") is None


def test_a_pattern_that_does_not_fit_its_template_is_printed_again(
    cache: Path, builtin: dict[str, Solution]
) -> None:
    """A damaged entry that is still well-formed JSON (a slot past the template's arity, a
    lone brace) is printed again by sympy rather than failing the solve."""
    printed = documents(builtin)
    formula_cache.save()
    (file,) = cache.iterdir()
    document = json.loads(file.read_text())
    for n, entry in enumerate(document["entries"].values()):
        entry[0] = "{99}" if n % 2 else "{"
    file.write_text(json.dumps(document))
    fresh_run()
    assert documents(builtin) == printed


def test_two_runs_merge_what_they_printed(cache: Path) -> None:
    """Runs that print different templates each add theirs; neither loses the other's."""
    formula_cache.store("a", ("{0}", True, frozenset()))
    formula_cache._loaded.cache_clear()  # a second run, started before the first one saved
    formula_cache._entries.clear()
    formula_cache.save()
    fresh_run()
    formula_cache.store("b", ("{0} + {1}", False, frozenset({1})))
    formula_cache.save()
    fresh_run()
    assert formula_cache.lookup("a") == ("{0}", True, frozenset())
    assert formula_cache.lookup("b") == ("{0} + {1}", False, frozenset({1}))


WRITER = """
import sys
from stepper import formula_cache
for k in range(40):
    formula_cache.store(f"{sys.argv[1]}-{k}", ("{0}" * 200, True, frozenset({0})))
    formula_cache.save()
"""


def test_concurrent_writers_never_leave_a_broken_file(cache: Path) -> None:
    """Four programs save at once, forty times each: a reader sees a whole file every time."""
    cache.mkdir()
    env = {**os.environ, "STEPPER_CACHE_DIR": str(cache)}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(n)], env=env) for n in range(4)]
    while any(w.poll() is None for w in writers):
        for file in cache.glob("formulas-*.json"):
            try:
                text = file.read_text()
            except FileNotFoundError:
                continue
            json.loads(text)  # never half-written
    assert [w.wait() for w in writers] == [0] * 4
    (file,) = cache.glob("formulas-*.json")
    entries = json.loads(file.read_text())["entries"]
    # The last save keeps its own entry; another's may be lost in a race, and printed again.
    assert {f"{n}-39" for n in range(4)} & set(entries)
    assert all(value == ["{0}" * 200, True, [0]] for value in entries.values())
    assert not list(cache.glob(".*.tmp"))


def test_an_unwritable_or_absent_cache_is_no_obstacle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builtin: dict[str, Solution]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for setting in (str(blocker / "cache"), ""):
        monkeypatch.setenv("STEPPER_CACHE_DIR", setting)
        fresh_run()
        assert documents(builtin)
        formula_cache.save()  # nothing to write into: no error
    assert formula_cache.folder() is None  # STEPPER_CACHE_DIR= turns the cache off
    assert blocker.read_text() == "not a folder"
    fresh_run()


def test_the_folder_is_the_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STEPPER_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert formula_cache.folder() == tmp_path / "xdg" / "stepper"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert formula_cache.folder() == tmp_path / "home" / ".cache" / "stepper"


def test_the_shipped_seed_is_what_sympy_prints(cache: Path, builtin: dict[str, Solution]) -> None:
    """The seed holds exactly the templates of the built-in lessons' text documents, as this
    code and this sympy print them. After a change to the printing code, or a new sympy:
    ``STEPPER_WRITE_SEED=1 python -m pytest -n 0 tests/test_formula_cache.py -k seed``."""
    documents(builtin, ("json", "md", "tex", "html"))
    expected = formula_cache.seed_text(dict(formula_cache._new))
    assert formula_cache.SEED is None  # the fixture's: the templates above were printed
    seed = Path(formula_cache.__file__).with_name("formula_seed.json")
    if os.environ.get("STEPPER_WRITE_SEED"):
        seed.write_text(expected, encoding="utf-8")
    assert seed.read_text(encoding="utf-8") == expected, "the seed is stale: see the docstring"


def test_a_first_solve_after_install_does_not_import_sympy(cache: Path) -> None:
    """With the seed, even an empty per-user cache starts without sympy."""
    code = (
        "import sys\n"
        "from stepper.cli import main\n"
        "main(['solve', 'backprop-1', '-o', sys.argv[1]])\n"
        "print('sympy' in sys.modules)\n"
    )
    out = cache.parent / "out.json"
    result = subprocess.run(
        [sys.executable, "-c", code, str(out)],
        env={**os.environ, "STEPPER_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
