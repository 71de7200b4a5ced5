"""The contract under mutation: no lesson file gets a traceback, a hang or an unlocated message.

Hypothesis takes a built-in lesson, changes its structure (a value of another type, a list
emptied or grown, a key dropped or invented, an extreme number, a YAML tag, odd Unicode) or its
text (cut short, bytes that are not UTF-8, a line repeated or lost), and runs ``check``,
``solve -o`` and ``lesson --plain`` on it in-process through ``stepper.cli.main``. Each must
exit 0 or 2; on 2, every stderr line is ``PATH:LINE:COL: message`` and no output file is left;
nothing raises; each run ends within the time limit.

The default run is small (FUZZ_EXAMPLES examples, well under a minute). For a real fuzzing
session, ask for more:

    STEPPER_FUZZ_EXAMPLES=5000 python -m pytest -p no:cacheprovider tests/test_fuzz.py

A failure prints the mutated lesson (hypothesis shrinks it first); add it to
tests/test_hostile.py as a regression test when it is fixed.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepper.catalog import builtin_folder, builtin_ids
from stepper.cli import main
from stepper.i18n import label
from stepper.lesson.yamlsafe import parse

FUZZ_EXAMPLES = int(os.environ.get("STEPPER_FUZZ_EXAMPLES", "25"))
#: Seconds one command may take on a mutant (the contract's 10 s, with room for a busy machine).
LIMIT = float(os.environ.get("STEPPER_FUZZ_LIMIT", "20"))

LESSONS = {name: (builtin_folder() / f"{name}.yaml").read_text("utf-8") for name in builtin_ids()}
DATA = {name: parse(name, text)[0] for name, text in LESSONS.items()}

Path_ = tuple[Hashable, ...]


# --- Writing data back as YAML, with room for tags -----------------------------------------------


class Tagged:
    """A scalar written with an explicit tag: ``!!int 0.5``, ``!!python/object:os.system``."""

    def __init__(self, tag: str, text: str) -> None:
        self.tag = tag
        self.text = text


class Raw:
    """Text written into the YAML as it is (a plain scalar such as .nan or a long number)."""

    def __init__(self, text: str) -> None:
        self.text = text


def scalar(value: Any) -> str:
    if isinstance(value, Tagged):
        return f"{value.tag} {value.text}"
    if isinstance(value, Raw):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    # A JSON string is a YAML double-quoted scalar; a lone surrogate becomes its \u escape.
    text = json.dumps(str(value), ensure_ascii=False)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def dump(value: Any, indent: int = 0) -> str:
    """Block mappings, block lists of structures, flow lists of scalars (as lessons are written)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            head = f"{pad}{scalar(key)}:"
            if isinstance(item, dict | list) and item and not _flat(item):
                lines.append(f"{head}\n{dump(item, indent + 2)}")
            else:
                lines.append(f"{head} {dump(item, 0)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if _flat(value):
            return "[" + ", ".join(scalar(v) for v in value) + "]"
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                body = dump(item, indent + 2)
                lines.append(f"{pad}- {body.lstrip()}")
            else:
                lines.append(f"{pad}- {dump(item, indent + 2).lstrip()}")
        return "\n".join(lines)
    return scalar(value)


def _flat(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)


# --- Mutations ----------------------------------------------------------------------------------


def paths(value: Any, here: Path_ = ()) -> list[Path_]:
    """Every place in the data: mapping values and list items, depth first."""
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*here, key))
    elif isinstance(value, list):
        for k, item in enumerate(value):
            found += paths(item, (*here, k))
    return found


def get(value: Any, path: Path_) -> Any:
    for step in path:
        value = value[step]
    return value


def put(value: Any, path: Path_, new: Any) -> Any:
    """A copy of ``value`` with ``new`` at ``path`` (a missing ``new`` deletes the entry)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if rest or new is not _DELETE:
            out[head] = put(value[head], rest, new)
        else:
            del out[head]
        return out
    out_list = list(value)
    assert isinstance(head, int)
    if rest or new is not _DELETE:
        out_list[head] = put(value[head], rest, new)
    else:
        del out_list[head]
    return out_list


_DELETE = object()

EXTREME_NUMBERS = st.sampled_from(
    [
        0,
        -0.0,
        -1,
        1e308,
        -1e308,
        1e-308,
        5e-324,
        1e15,
        2**63,
        10**300,
        0.5,
        1.0000000000000002,
        float("nan"),
        float("inf"),
        float("-inf"),
        100_000,
        1_000_001,
    ]
)
HUGE_INTEGERS = st.integers(300, 6_000).map(lambda n: Raw("9" * n))
TAGS = st.sampled_from(
    [
        "!!int",
        "!!float",
        "!!bool",
        "!!null",
        "!!str",
        "!!binary",
        "!!set",
        "!!timestamp",
        "!!python/object/apply:os.system",
        "!!python/name:builtins.eval",
        "!custom",
        "!",
    ]
)
ODD_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "\ud800",
            "a\udfffb",
            "\x00",
            "\u202e\u2066rtl",
            "🧠" * 30,
            "Ω" * 500,
            "e\u0301\u0302\u0303",
            "",
            " ",
            "x**2 + y**2" * 80,
            "*" * 40 + "Q",
            "u[1,*]",
            "tanh(" * 30 + "x" + ")" * 30,
            "+".join(["x"] * 400),
            "__import__('os').system('true')",
            "1e999",
            "9" * 990 + " * x",
        ]
    ),
)
SCALARS = st.one_of(
    EXTREME_NUMBERS,
    HUGE_INTEGERS,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.none(),
    ODD_TEXT,
    st.builds(Tagged, TAGS, st.sampled_from(["0.5", "x", "1", "true", "[1]", "''", "abc"])),
)


@st.composite
def new_value(draw: st.DrawFn, old: Any) -> Any:
    """Something to put where ``old`` was: another type, a size change, an odd scalar."""
    choices: list[Callable[[], Any]] = [
        lambda: draw(SCALARS),
        list,
        dict,
        lambda: [draw(SCALARS)],
        lambda: {draw(st.sampled_from(["x", "weights", "kind", "???", "1"])): draw(SCALARS)},
        lambda: _DELETE,
    ]
    if isinstance(old, list) and old:
        count = draw(st.integers(2, 60))
        choices += [
            lambda: old * count,  # a list grown (rows repeated: longer, or more of them)
            lambda: old[: draw(st.integers(0, len(old) - 1))],  # cut short
            lambda: [old],  # nested one level deeper
        ]
    if isinstance(old, int | float) and not isinstance(old, bool):
        scale = draw(st.integers(1, 400))
        larger = old * 10**scale if isinstance(old, int) else Raw(f"{old!r}e{scale}")
        choices += [lambda: -old, lambda: larger, lambda: str(old)]
    if isinstance(old, dict):
        choices.append(lambda: {**old, draw(st.sampled_from(["epochs", "bogus", "pool"])): 3})
        if old:
            key = draw(st.sampled_from(sorted(old, key=str)))
            renamed = draw(st.sampled_from([f"{key}s", str(key).upper(), "", "\ud800", "1e5"]))
            choices.append(lambda: {(renamed if k == key else k): v for k, v in old.items()})
    return draw(st.sampled_from(choices))()


@st.composite
def mutant(draw: st.DrawFn) -> tuple[str, bytes]:
    """A built-in lesson's name and a mutated file: one to three structural changes, then
    maybe one change of the text itself."""
    name = draw(st.sampled_from(sorted(LESSONS)))
    data: Any = DATA[name]
    for _ in range(draw(st.integers(1, 3))):
        places = paths(data)
        if not places:
            break
        path = draw(st.sampled_from(places))
        data = put(data, path, draw(new_value(get(data, path))))
    text = dump(data) + "\n" if data is not _DELETE else ""
    raw = text.encode("utf-8", "surrogatepass")
    edit = draw(st.sampled_from(["none", "none", "cut", "bytes", "repeat", "drop"]))
    if edit == "cut" and raw:
        raw = raw[: draw(st.integers(0, len(raw) - 1))]
    elif edit == "bytes" and raw:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    elif edit in ("repeat", "drop"):
        lines = raw.split(b"\n")
        k = draw(st.integers(0, len(lines) - 1))
        lines[k:k] = [lines[k]] * draw(st.integers(1, 3)) if edit == "repeat" else []
        if edit == "drop":
            del lines[k]
        raw = b"\n".join(lines)
    return name, raw


# --- The contract -------------------------------------------------------------------------------

USAGE = re.compile(r"^(usage: |stepper( \w+)?: error: |  )")


def run(argv: list[str], stdin: bytes = b"") -> tuple[int, str, float]:
    """``main(argv)`` in-process: its status, its stderr, and how long it took. Whatever it
    raises (but SystemExit, which argparse uses for usage errors) fails the test."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 2
    finally:
        sys.stdin = saved
    return code, err.getvalue(), time.perf_counter() - start


def assert_contract(lesson: Path, argv: list[str], stdin: bytes = b"") -> int:
    code, err, took = run(argv, stdin)
    assert code in (0, 2), (argv, code, err)
    assert "Traceback" not in err
    assert took < LIMIT, (argv, took)
    # A problem of the whole file (it is empty) has no line to point at; it is said in the
    # language the options ask for, so either catalogue's words are the contract's.
    empty = "|".join(re.escape(label("load.empty", lang)) for lang in ("es", "en"))
    located = re.compile(rf"^{re.escape(str(lesson))}(:\d+:\d+: \S|: ({empty}))")
    for line in err.splitlines():
        assert located.match(line) or USAGE.match(line), (argv, line)
    if code == 2:
        assert err.strip(), argv
    return code


@pytest.mark.slow  # CI runs it (the whole suite); `-m "not slow"` leaves it out of a quick run
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,  # nothing written outside the temporary folders
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    case=mutant(),
    options=st.sampled_from(
        [[], ["--format", "md"], ["--format", "tex", "--worksheet"], ["--lang", "en"]]
    ),
)
def test_a_mutated_lesson_keeps_the_contract(
    case: tuple[str, bytes], options: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    name, raw = case
    folder = tmp_path_factory.mktemp("fuzz")
    lesson = folder / f"{name}.yaml"
    lesson.write_bytes(raw)
    output = folder / "out.json"
    checked = assert_contract(lesson, ["check", str(lesson)])
    solved = assert_contract(lesson, ["solve", str(lesson), "-o", str(output), *options])
    if solved == 2:
        assert not output.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [lesson.name] + (["out.json"] if solved == 0 else [])
    )
    typed = b"next\nnext\nshow u[1,1]\ngoto 3\nback\n\xff\xfe\nall\nquit\n"
    plain = assert_contract(lesson, ["lesson", str(lesson), "--plain"], typed)
    # A lesson that loads loads everywhere: check, solve and the REPL agree on what is bad input
    # (solve may also refuse numbers that only solving finds, such as an overflow).
    if checked == 2:
        assert solved == 2
    assert plain == solved


def test_the_dump_writes_back_what_it_was_given() -> None:
    """The mutations start from the lessons as they are: each built-in, dumped and read
    again, is the same data."""
    for name, data in DATA.items():
        again, _, problems = parse(name, dump(data) + "\n")
        assert problems == [], name
        assert again == data, name
