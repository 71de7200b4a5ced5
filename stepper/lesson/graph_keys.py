"""The step keys of a graph lesson, from its graph alone, and the check that the lesson's
``notes`` and ``explanations`` name some of them.

A note on a key no step has would never be shown, and an explanation whose pattern matches no
step would never be read: both are told at the key. The families are those of docs/lessons.md
("Step keys of a graph lesson"): ``val[n]`` forward; ``grad[OUT]``, then for each node from the
last back and each of its operands ``local[n,m]``, ``contrib[n,m]`` where m feeds several
nodes, and ``grad[m]``; ``new[x]`` and ``check.val[n]`` with a descent step; each key prefixed
``operations.`` or ``functions.`` when the lesson works both granularities. A test solves graph
lessons and compares the keys the engine emits with ``step_keys``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any, NamedTuple

from stepper.lesson.checks import Found
from stepper.lesson.errors import msg


class Run(NamedTuple):
    """One graph of a lesson: its key prefix, its computed nodes in order with the names each
    reads (each once, in the order its formula first names them), and its output."""

    prefix: str
    nodes: tuple[tuple[str, tuple[str, ...]], ...]
    output: str


def step_keys(run: Run, trainable: list[str], trains: bool) -> Iterator[str]:
    """Every key of one graph, in step order (a key that recurs, as grad[m], once)."""
    seen: set[str] = set()
    for key in _keys(run, trainable, trains):
        if key not in seen:
            seen.add(key)
            yield run.prefix + key


def _keys(run: Run, trainable: list[str], trains: bool) -> Iterator[str]:
    yield from (f"val[{name}]" for name, _ in run.nodes)
    yield f"grad[{run.output}]"
    uses = Counter(m for _, operands in run.nodes for m in operands)
    for name, operands in reversed(run.nodes):
        for m in operands:
            yield f"local[{name},{m}]"
            if uses[m] > 1:
                yield f"contrib[{name},{m}]"
            yield f"grad[{m}]"
    if trains:
        yield from (f"new[{x}]" for x in trainable)
        yield from (f"check.val[{name}]" for name, _ in run.nodes)


def _training(data: dict[str, Any], inputs: list[str]) -> tuple[bool, list[str]]:
    """Whether the lesson takes a descent step, and the inputs it moves."""
    return data.get("learning_rate") is not None, data.get("trainable") or inputs


def keys_of(data: dict[str, Any], runs: list[Run], inputs: list[str]) -> set[str]:
    """Every step key of the lesson's graphs."""
    trains, trainable = _training(data, inputs)
    return {key for run in runs for key in step_keys(run, trainable, trains)}


def check_keys(data: dict[str, Any], runs: list[Run], inputs: list[str]) -> list[Found]:
    """Each note on a key that is no step's, and each explanation that matches no step."""
    from stepper.engine.base import matches  # the engine only for a lesson that explains

    notes, explanations = data.get("notes"), data.get("explanations")
    if not isinstance(notes, dict) or not notes:
        notes = {}
    if not isinstance(explanations, dict) or not explanations:
        explanations = {}
    if not notes and not explanations:
        return []
    keys = keys_of(data, runs, inputs)
    forms = _forms(runs, inputs, *_training(data, inputs))
    found = [
        Found(("notes", key), msg("graph.note_key", key=key, forms=forms), True)
        for key in notes
        if key not in keys
    ]
    for pattern in explanations:
        if not isinstance(pattern, str):
            continue
        hit = pattern in keys if "*" not in pattern else any(matches(pattern, k) for k in keys)
        if not hit:
            found.append(
                Found(
                    ("explanations", pattern),
                    msg("graph.explanation_key", key=pattern, forms=forms),
                    True,
                )
            )
    return found


def _forms(runs: list[Run], inputs: list[str], trains: bool, trainable: list[str]) -> str:
    """The families as a reader would write them, and what n, m and x stand for."""
    forms = ["val[n]", "grad[m]", "local[n,m]"]
    if any(
        count > 1
        for run in runs
        for count in Counter(m for _, ops in run.nodes for m in ops).values()
    ):
        forms.append("contrib[n,m]")
    if trains:
        forms += ["new[x]", "check.val[n]"]
    prefixes = [run.prefix for run in runs if run.prefix]
    if prefixes:
        forms = [f"{prefixes[0]}{form}" for form in forms] + [f"{p}…" for p in prefixes[1:]]
    nodes = list(dict.fromkeys(name for run in runs for name, _ in run.nodes))
    ranges = [f"n: {', '.join(nodes)}", f"m: {', '.join([*inputs, *nodes[:-1]])}"]
    if trains:
        ranges.append(f"x: {', '.join(trainable)}")
    return msg("graph.key_forms", forms=", ".join(forms), ranges="; ".join(ranges))
