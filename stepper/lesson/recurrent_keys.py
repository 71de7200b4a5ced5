"""The step keys of a recurrent lesson, from its sizes alone, and the check that the lesson's
``notes`` and ``explanations`` name some of them.

A note on a key no step has would never be shown, and an explanation whose pattern matches no
step would never be read: both are mistakes the author cannot see, so they are told at the key.
The families below are the engine's (``stepper.engine.recurrent``; docs/lessons.md, "Step keys"):
a test solves lessons of every cell and compares the keys it emits with ``step_keys``.
"""

from __future__ import annotations

from collections.abc import Iterator

from stepper.engine.base import matches
from stepper.lesson.checks import Found
from stepper.lesson.errors import msg
from stepper.lesson.schema import CELL_GATES, RecurrentLesson

#: The index letters of a family's key, as the message that lists the families writes them.
Family = tuple[str, tuple[str, ...]]


def families(lesson: RecurrentLesson) -> list[Family]:
    """The lesson's key families in step order: a name and the letters of its indices (G a
    gate, t a time step, i a hidden unit, k an output, j a column of a gate's row: the bias,
    then x, then h; J one of an output's row: the bias, then h, shown as m)."""
    cell = lesson.cell
    out = lesson.output
    every = out is not None and out.every_step
    targets = lesson.targets is not None
    trains = targets and lesson.training is not None and lesson.training.learning_rate is not None
    state = ("c",) if cell == "lstm" else ()
    gates = tuple(g for g in CELL_GATES[cell] if g != "h")  # an rnn's gate is h itself
    output: tuple[str, ...] = ("t", "k") if every else ("k",)
    forward: list[Family] = [("u", ("G", "t", "i"))]
    forward += [(g, ("t", "i")) for g in gates]
    forward += [(s, ("t", "i")) for s in state]
    forward += [("h", ("t", "i"))]
    if out is not None:
        forward += [("y", output)]
    found: list[Family] = list(forward)
    if not targets:
        return found
    error = output if out is not None else ("i",)
    found += [("e", error), ("loss", ())]
    if out is not None and out.activation in ("tanh", "sigmoid"):
        found += [("do", output)]  # the output's δ: ε times s'(u); a linear one's is ε itself
    found += [("dh", ("t", "i"))] + [(f"d{s}", ("t", "i")) for s in state]
    found += [("d", ("G", "t", "i"))]
    if not trains:
        return found
    found += [("dw", ("G", "i", "j")), ("w", ("G", "i", "j"))]
    if out is not None:
        found += [("dt", ("k", "J")), ("t", ("k", "J"))]
    found += [(f"check.{name}", idx) for name, idx in [*forward, ("e", error), ("loss", ())]]
    return found


def step_keys(lesson: RecurrentLesson) -> Iterator[str]:
    """Every step key of the lesson, family by family."""
    ranges = _ranges(lesson)
    for name, letters in families(lesson):
        if not letters:
            yield name
            continue
        yield from (f"{name}[{','.join(idx)}]" for idx in _product(letters, ranges))


def _ranges(lesson: RecurrentLesson) -> dict[str, list[str]]:
    outputs = len(lesson.output.weights) if lesson.output is not None else 0
    return {
        "G": list(CELL_GATES[lesson.cell]),
        "t": [str(t) for t in range(1, len(lesson.sequence) + 1)],
        "i": [str(i) for i in range(1, lesson.hidden + 1)],
        "k": [str(k) for k in range(1, outputs + 1)],
        "j": [str(j) for j in range(lesson.inputs + lesson.hidden + 1)],
        "J": [str(j) for j in range(lesson.hidden + 1)],
    }


def _product(letters: tuple[str, ...], ranges: dict[str, list[str]]) -> Iterator[list[str]]:
    """Every index tuple of a family, the first index slowest."""
    if not letters:
        yield []
        return
    head, *rest = letters
    for value in ranges[head]:
        for tail in _product(tuple(rest), ranges):
            yield [value, *tail]


def _shapes(lesson: RecurrentLesson) -> str:
    """The families as a reader would write them (u[G,t,i], loss; an output row's column is
    m), and the ranges of the letters they use, for a message."""
    found = families(lesson)
    forms = [f"{n}[{','.join(idx).replace('J', 'm')}]" if idx else n for n, idx in found]
    forms = [f for f in forms if not f.startswith("check.")] + (
        ["check.…"] if any(f.startswith("check.") for f in forms) else []
    )
    outputs = len(lesson.output.weights) if lesson.output is not None else 0
    texts = {
        "G": f"G: {', '.join(CELL_GATES[lesson.cell])}",
        "t": _range("t", 1, len(lesson.sequence)),
        "i": _range("i", 1, lesson.hidden),
        "k": _range("k", 1, outputs),
        "j": _range("j", 0, lesson.inputs + lesson.hidden),
        "J": _range("m", 0, lesson.hidden),
    }
    used = {letter for _, idx in found for letter in idx}
    ranges = "; ".join(text for letter, text in texts.items() if letter in used)
    return msg("recurrent.key_forms", forms=", ".join(forms), ranges=ranges)


def _range(letter: str, first: int, last: int) -> str:
    return f"{letter}: {first}" if first == last else f"{letter}: {first}–{last}"


def check_keys(lesson: RecurrentLesson) -> list[Found]:
    """Each note on a key that is no step's, and each explanation that matches no step."""
    if not lesson.notes and not lesson.explanations:
        return []
    keys = set(step_keys(lesson))
    found: list[Found] = []
    for key in lesson.notes:
        if key not in keys:
            found.append(
                Found(
                    ("notes", key), msg("recurrent.note_key", key=key, forms=_shapes(lesson)), True
                )
            )
    for pattern in lesson.explanations:
        hit = pattern in keys if "*" not in pattern else any(matches(pattern, k) for k in keys)
        if not hit:
            found.append(
                Found(
                    ("explanations", pattern),
                    msg("recurrent.explanation_key", key=pattern, forms=_shapes(lesson)),
                    True,
                )
            )
    return found
