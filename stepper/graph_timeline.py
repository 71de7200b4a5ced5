"""Where a step of a graph lesson sits: its graph, its phase, and going back, its node.

A graph lesson reads like a textbook's worked chain rule: the forward pass at once, then the
backward pass node by node, each node with its edges (``hacia atrás · nodo d``: the local
derivative ∂d/∂m and the gradient it passes to each operand m), then the descent step and
the check. The readers (the app's history, status line and ``a`` key, ``--plain``'s headers,
the printed sections) group the steps by ``block`` and name the group with ``where_in_graph``.

The node is read from the key and the graph's shape (``GraphShape``), never from a step's
place in the list: ``local[n,m]`` and ``contrib[n,m]`` are n's edges; ``grad[OUT]`` = 1
opens the output's group; ``grad[m]`` is known once the last of m's consumers has passed its
gradient back, which, going back in the nodes' reverse order, is the first consumer in the
graph's order (among those that lead to the output) -- so it closes that node's group.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stepper.i18n import label
from stepper.steps import GraphRun, GraphShape, Phase, Solution, Step

_KEY = re.compile(r"^(?:[\w-]+\.)*(\w+)\[([^\]]*)\]$")


def key_parts(key: str) -> tuple[str, list[str]] | None:
    """A graph key's quantity and arguments: ``operations.local[n3,x1]`` -> (local, [n3, x1])."""
    found = _KEY.match(key)
    if found is None:
        return None
    return found.group(1), [a.strip() for a in found.group(2).split(",")]


@lru_cache(maxsize=256)
def _consumer(run: GraphRun, name: str) -> str | None:
    """The node whose edge last passes a gradient back to ``name``: the first, in the graph's
    order, of the nodes that read it and lead to the output."""
    feeds: dict[str, list[str]] = {}
    for node in run.nodes:
        for m in node.operands:
            feeds.setdefault(m, []).append(node.name)
    leads = {run.output}
    for node in reversed(run.nodes):
        if any(n in leads for n in feeds.get(node.name, ())):
            leads.add(node.name)
    return next((n for n in feeds.get(name, ()) if n in leads), None)


def node_of(step: Step, shape: GraphShape) -> str | None:
    """The node whose part of the backward pass ``step`` is (None outside it)."""
    if step.phase != Phase.BACKWARD:
        return None
    parts = key_parts(step.key)
    if parts is None:
        return None
    name, args = parts
    if name in ("local", "contrib") and args:
        return args[0]
    if name == "grad" and args:
        run = shape.run_of(step.key)
        return args[0] if args[0] == run.output else _consumer(run, args[0])
    return None


def by_node(solution: Solution, run: GraphRun) -> dict[str, dict[str, Step]]:
    """A graph's steps by quantity and node: ``val``, ``grad``, ``new`` and, in the check
    phase, ``check``, each by its node's name (the first step of each)."""
    shape = solution.graph
    assert shape is not None
    found: dict[str, dict[str, Step]] = {}
    for step in solution.steps:
        if shape.run_of(step.key) is not run:
            continue
        parts = key_parts(step.key)
        if parts is None or len(parts[1]) != 1:
            continue
        name = "check" if step.phase == Phase.CHECK else parts[0]
        found.setdefault(name, {}).setdefault(parts[1][0], step)
    return found


def block(step: Step, shape: GraphShape) -> tuple[object, ...]:
    """What one group of steps shares: the graph, the phase, and going back, the node."""
    return shape.run_of(step.key).prefix, step.phase, node_of(step, shape)


def split_title(run: GraphRun, lang: str) -> str:
    """A graph's name when the lesson works two (``grafo de operaciones``)."""
    return label(f"graph.split.{run.split}", lang)


def node_label(step: Step, shape: GraphShape, lang: str) -> str | None:
    """Going back, the node whose edges ``step`` follows, as a heading names it (``nodo d``)."""
    node = node_of(step, shape)
    if node is None:
        return None
    return label("graph.node", lang, node=shape.run_of(step.key).node(node).sym.unicode())


def where_in_graph(step: Step, shape: GraphShape, lang: str) -> list[str]:
    """How a heading names the step's place after its phase: going back, the node
    (``nodo d``); then, when the lesson works two graphs, which one."""
    node = node_label(step, shape, lang)
    parts = [node] if node is not None else []
    if len(shape.runs) > 1:
        parts.append(split_title(shape.run_of(step.key), lang))
    return parts
