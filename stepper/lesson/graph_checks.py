"""The rules of a graph lesson that a schema cannot state: formulas the whitelist takes, names
that exist and come in order, every input used, every node on the way to the output, and values
the functions are defined at.

The checks read the plain data (as the optimize kind's do), so they run where the schema found
problems elsewhere; each looks only at values of the shape it needs. A problem inside a formula
is a ``FormulaFound``: the loader puts it at the character where it starts (the undeclared name,
the forward reference, the ``log`` whose argument is not positive). A mistake is told once:
past the first problem of a formula nothing more is said of it, and the rules that need the
whole graph (the inputs used, the nodes that reach the output, the values) wait until every
formula is read.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from stepper.lesson.checks import Found
from stepper.lesson.errors import msg
from stepper.lesson.formula import (
    GRAPH_FUNCTIONS,
    Formula,
    FormulaError,
    FormulaFound,
    parse_formula,
)
from stepper.lesson.graph_keys import Run, check_keys, keys_of
from stepper.lesson.graph_values import Outside, value
from stepper.lesson.schema import VARIABLE, GraphLesson

#: The most nodes a graph may have, written as ``nodes`` (the schema's bound) or as the nodes an
#: ``expression`` splits into: a graph wider than this does not fit a screen even scrolled, and
#: its steps (four or so per edge) are no longer read one by one.
MAX_NODES = 60
#: The most parts (numbers, names, operations) all of a lesson's formulas may hold together.
#: sympy derives each node's local derivative for each of its operands, and its time grows with
#: the parts: 60 nodes of the 200 parts a formula may have (11,400) solve in 24 s, 20 such nodes
#: (3,800) in 5 s; at this bound the worst graph solves in about 2 s, and a chain of 60 nodes
#: of 11 parts (660) in 2 s (benchmarks/bench_graph_limit.py).
MAX_PARTS = 2_000
#: The expression's inner nodes are n1, n2, … (docs/lessons.md, "kind: graph").
RESERVED = re.compile(r"^n[0-9]{1,2}$")
#: The output of an expression is called this unless ``output`` says otherwise.
DEFAULT_OUTPUT = "f"


@dataclass(frozen=True, slots=True)
class Node:
    """A node of a ``nodes`` lesson, read: its name, its formula and the names it uses, each
    once, in the order the formula first names them."""

    name: str
    formula: Formula
    operands: tuple[str, ...]


def check_graph(data: dict[str, Any]) -> list[Found]:
    """Every problem of a graph lesson's data that the schema does not report."""
    found, runs = _checked(data)
    if not found and runs:
        found += check_keys(data, runs, _inputs(data.get("inputs")).names)
    return found


def lesson_keys(data: dict[str, Any]) -> set[str]:
    """Every step key of a valid graph lesson, from its formulas alone (no sympy, no solving):
    what its notes and explanations may name."""
    found, runs = _checked(data)
    assert not found, found
    return keys_of(data, runs, _inputs(data.get("inputs")).names)


def _checked(data: dict[str, Any]) -> tuple[list[Found], list[Run]]:
    """The problems past the schema, and the graphs the lesson works (when it is whole)."""
    found: list[Found] = []
    inputs = _inputs(data.get("inputs"))
    nodes, expression = data.get("nodes"), data.get("expression")
    if nodes is not None and expression is not None:
        found.append(Found(("expression",), msg("graph.both"), True))
    elif nodes is None and expression is None and set(data) <= set(GraphLesson.model_fields):
        # (with a field the schema does not know, that is the typo, and it says so)
        found.append(Found((), msg("graph.neither"), missing="nodes"))
    if nodes is not None and "split" in data:
        found.append(Found(("split",), msg("graph.split_with_nodes"), True))
    found += _check_trainable(data, inputs)
    found += _check_variants(data.get("variants"))
    found += _check_phases(data.get("phases"), data.get("learning_rate") is not None)
    runs: list[Run] = []
    if isinstance(nodes, dict) and nodes:
        runs = _check_nodes(nodes, inputs, data, found)
    elif isinstance(expression, str) and nodes is None:
        runs = _check_expression(expression, inputs, data, found)
    return found, runs


@dataclass(frozen=True, slots=True)
class Inputs:
    """The declared inputs: their names that are names, in order; their values as floats
    (None when one is not a real number: the schema says so, and no value is computed); and
    whether every key is a name (else a formula's unknown name may be one the schema refused,
    and is not told again)."""

    names: list[str]
    numbers: dict[str, float] | None
    complete: bool


def _inputs(given: Any) -> Inputs:
    if not isinstance(given, dict):
        return Inputs([], None, False)
    names = [n for n in given if isinstance(n, str) and re.fullmatch(VARIABLE, n)]
    numbers = {name: _real(given[name]) for name in names}
    real = {name: v for name, v in numbers.items() if v is not None}
    return Inputs(names, real if len(real) == len(numbers) else None, len(names) == len(given))


def _real(given: Any) -> float | None:
    if isinstance(given, bool) or not isinstance(given, int | float):
        return None
    try:
        number = float(given)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _close(name: str, names: list[str]) -> str:
    """ "; did you mean 'a'?" for the name ``name`` is probably a typo of, else nothing."""
    same = [n for n in names if n.lower() == name.lower()]
    close = same or difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    return msg("schema.did_you_mean", close=close[0]) if close else ""


def _listed(names: list[str]) -> str:
    return ", ".join(names) if names else msg("graph.none")


def _check_variants(variants: Any) -> list[Found]:
    """A graph's exam variants draw its inputs and α: weights and targets it has none."""
    if not isinstance(variants, dict):
        return []
    return [
        Found(("variants", field), msg("graph.variants_field", field=field), True)
        for field in ("weights", "targets")
        if variants.get(field) is not None
    ]


def _check_phases(phases: Any, trains: bool) -> list[Found]:
    """A phase a graph lesson has not (error, shape, …; update and check without a rate)."""
    if not isinstance(phases, list):
        return []
    has = ["forward", "backward", *(["update", "check"] if trains else [])]
    return [
        Found(("phases", k), msg("graph.phase", phase=phase, phases=", ".join(has)))
        for k, phase in enumerate(phases)
        if isinstance(phase, str) and phase not in has
    ]


# --- trainable ---------------------------------------------------------------------------------


def _check_trainable(data: dict[str, Any], inputs: Inputs) -> list[Found]:
    trainable = data.get("trainable")
    if not isinstance(trainable, list):
        return []
    found: list[Found] = []
    if data.get("learning_rate") is None:
        found.append(Found(("trainable",), msg("graph.trainable_without_rate"), True))
    given = data.get("nodes")
    nodes = given if isinstance(given, dict) else {}
    for k, name in enumerate(trainable):
        if not isinstance(name, str) or not re.fullmatch(VARIABLE, name):
            continue  # the schema says it is no name
        if name in trainable[:k]:
            found.append(Found(("trainable", k), msg("graph.trainable_twice", name=name)))
        elif name in nodes and name not in inputs.names:
            found.append(
                Found(
                    ("trainable", k),
                    msg("graph.trainable_node", name=name, inputs=_listed(inputs.names)),
                )
            )
        elif name not in inputs.names and inputs.complete:
            found.append(
                Found(
                    ("trainable", k),
                    msg(
                        "graph.trainable_unknown",
                        name=name,
                        close=_close(name, inputs.names),
                        inputs=_listed(inputs.names),
                    ),
                )
            )
    return found


# --- nodes -------------------------------------------------------------------------------------


def _check_nodes(
    nodes: dict[Any, Any], inputs: Inputs, data: dict[str, Any], found: list[Found]
) -> list[Run]:
    """Each node's name and formula, then the graph they make (as the one run its keys come
    from, when it is whole)."""
    if len(nodes) > MAX_NODES:
        return []  # the schema says so; nothing is read past it
    names = [n for n in nodes if isinstance(n, str) and re.fullmatch(VARIABLE, n)]
    uses = _uses(nodes, names, inputs)
    read: dict[str, Node] = {}
    broken = False  # a formula not read: who uses what is not known
    for k, name in enumerate(names):
        if name in inputs.names:
            found.append(Found(("nodes", name), msg("graph.shadow", node=name), True))
            broken = True
        text = nodes[name]
        if not isinstance(text, str):
            broken = True
            continue  # the schema says it is no formula
        above = names[:k]
        try:
            formula = parse_formula(text, [*inputs.names, *above], GRAPH_FUNCTIONS)
        except FormulaError as exc:
            broken = True
            if exc.name is None or inputs.complete or exc.name in names:
                found.append(_refused(exc, name, list(inputs.names), names, uses))
            continue  # else maybe an input whose name the schema refused
        node = Node(name, formula, _names_in(formula.tree))
        problem = _trivial(node)
        if problem is not None:
            found.append(problem)
            broken = True
        read[name] = node
    if broken or len(read) != len(nodes):
        return []
    found += _check_parts([node.formula for node in read.values()], ("nodes",))
    graph = list(read.values())
    output = _check_output(data.get("output"), graph, inputs, found)
    if output is None:
        return []
    found += _unreached(graph, output)
    found += _unused(inputs, {m for node in graph for m in node.operands}, found)
    if not found and inputs.numbers is not None:
        found += _node_values(graph, inputs.numbers)
    return [Run("", tuple((node.name, node.operands) for node in graph), output)]


def _uses(nodes: dict[Any, Any], names: list[str], inputs: Inputs) -> dict[str, tuple[str, ...]]:
    """The names each formula reads, read over every name of the lesson whatever its place:
    where a node uses one below it, whether that one comes back to it (a cycle)."""
    everything = [*inputs.names, *names]
    out: dict[str, tuple[str, ...]] = {}
    for name in names:
        with contextlib.suppress(FormulaError, TypeError):
            out[name] = _names_in(parse_formula(nodes[name], everything, GRAPH_FUNCTIONS).tree)
    return out


def _refused(
    exc: FormulaError,
    node: str,
    inputs: list[str],
    names: list[str],
    uses: dict[str, tuple[str, ...]],
) -> FormulaFound:
    """A formula the whitelist refused, told in a graph's own words where the trouble is a
    name: the node itself, a node below it (a cycle, with its chain, or a forward reference),
    or a name no input and no node has."""
    path = ("nodes", node)
    above = names[: names.index(node)]
    if exc.name is None:
        why = msg("graph.node_formula", node=node, why=exc.message)
    elif exc.name == node:
        why = msg("graph.itself", node=node)
    elif exc.name in names:
        chain = _chain(exc.name, node, uses)
        if chain is not None:
            why = msg("graph.cycle", chain=" → ".join([node, *chain]))
        else:
            why = msg("graph.forward", node=node, name=exc.name)
    else:
        why = msg(
            "graph.unknown_name",
            name=exc.name,
            node=node,
            close=_close(exc.name, [*inputs, *above]),
            inputs=_listed(inputs),
            above=_listed(above),
        )
    return FormulaFound(path, why, offset=exc.offset)


def _names_in(tree: ast.AST) -> tuple[str, ...]:
    """The names a formula uses, each once, in the order it first names them."""
    return tuple(dict.fromkeys(n.id for n in _walk(tree) if isinstance(n, ast.Name)))


def _walk(tree: ast.AST) -> Iterator[ast.AST]:
    """The tree's nodes in the order they are written (ast.walk goes breadth first), without
    the names of the functions called."""
    yield tree
    for child in ast.iter_child_nodes(tree):
        if not (isinstance(tree, ast.Call) and child is tree.func):
            yield from _walk(child)


def _trivial(node: Node) -> Found | None:
    """A node that is a number (it names nothing: it would read as an input) or a copy of one
    name (nothing to compute)."""
    tree = node.formula.tree
    while isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.UAdd):
        tree = tree.operand
    path = ("nodes", node.name)
    if not node.operands:
        return Found(path, msg("graph.constant_node", node=node.name))
    if isinstance(tree, ast.Name):
        return Found(path, msg("graph.copy_node", node=node.name, name=tree.id))
    return None


def _chain(start: str, goal: str, uses: dict[str, tuple[str, ...]]) -> list[str] | None:
    """The names from ``start`` to ``goal`` along the nodes' operands (breadth first, so the
    shortest), or None when ``goal`` is not reached."""
    before: dict[str, str | None] = {start: None}
    todo = [start]
    while todo:
        here = todo.pop(0)
        if here == goal:
            out: list[str] = []
            step: str | None = here
            while step is not None:
                out.append(step)
                step = before[step]
            return out[::-1]
        for operand in uses.get(here, ()):
            if operand not in before:
                before[operand] = here
                todo.append(operand)
    return None


def _check_parts(formulas: list[Formula], path: tuple[Any, ...]) -> list[Found]:
    """The graph refused at once when its formulas hold more parts than sympy derives in
    moments (``MAX_PARTS``)."""
    parts = sum(
        1 for formula in formulas for n in ast.walk(formula.tree) if isinstance(n, ast.expr)
    )
    if parts <= MAX_PARTS:
        return []
    return [Found(path, msg("graph.parts", parts=parts, limit=MAX_PARTS), True)]


def _check_output(given: Any, graph: list[Node], inputs: Inputs, found: list[Found]) -> str | None:
    """The output node: the one named, or the last."""
    names = [node.name for node in graph]
    if given is None:
        return names[-1]
    if not isinstance(given, str) or not re.fullmatch(VARIABLE, given):
        return None  # the schema says so
    if given in names:
        return given
    if given in inputs.names:
        found.append(
            Found(("output",), msg("graph.output_input", name=given, nodes=_listed(names)))
        )
    else:
        found.append(
            Found(
                ("output",),
                msg(
                    "graph.output_unknown",
                    name=given,
                    close=_close(given, names),
                    nodes=_listed(names),
                ),
            )
        )
    return None


def _unreached(graph: list[Node], output: str) -> list[Found]:
    """The nodes the output does not depend on: computed for nothing."""
    by_name = {node.name: node for node in graph}
    reached = {output}
    for node in reversed(graph):
        if node.name in reached:
            reached.update(node.operands)
    return [
        Found(("nodes", node.name), msg("graph.unreached", node=node.name, output=output), True)
        for node in graph
        if node.name not in reached and node.name in by_name
    ]


def _unused(inputs: Inputs, used: set[str], found: list[Found]) -> list[Found]:
    """The inputs no formula names (one used only by a node computed for nothing, or whose
    name is refused, is not told again: that node or that name is)."""
    if any(item.path[:1] == ("nodes",) for item in found):
        return []
    told = {item.path for item in found}
    return [
        Found(("inputs", name), msg("graph.unused", name=name), True)
        for name in inputs.names
        if name not in used and ("inputs", name) not in told
    ]


# --- expression --------------------------------------------------------------------------------


def _check_expression(
    expression: str, inputs: Inputs, data: dict[str, Any], found: list[Found]
) -> list[Run]:
    """The expression, then the graphs it splits into (the runs its keys come from, when
    nothing is wrong with it)."""
    before = len(found)
    found += _reserved(inputs.names, data)
    try:
        formula = parse_formula(expression, inputs.names, GRAPH_FUNCTIONS)
    except FormulaError as exc:
        if exc.name is not None and not inputs.complete:
            return []  # maybe an input whose name the schema refused
        if exc.name is None:
            message = msg("graph.expression", why=exc.message)
        else:
            message = msg(
                "graph.unknown_in_expression",
                name=exc.name,
                close=_close(exc.name, inputs.names),
                inputs=_listed(inputs.names),
            )
        found.append(FormulaFound(("expression",), message, offset=exc.offset))
        return []
    tree = formula.tree
    while isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.UAdd):
        tree = tree.operand
    if _is_number(tree) or isinstance(tree, ast.Name):
        what = formula.text.strip()
        found.append(Found(("expression",), msg("graph.trivial", what=what)))
        return []
    found += _check_split(data.get("split"))
    found += _unused(inputs, set(_names_in(formula.tree)), found[before:])
    splits = _splits(data.get("split"))
    if len(found) > before or splits is None:
        return []
    output = data.get("output")
    try:
        runs = _split_runs(
            expression, inputs.names, output if isinstance(output, str) else DEFAULT_OUTPUT, splits
        )
    except FormulaError as exc:  # a node of the split the whitelist refuses: the expression's
        found.append(FormulaFound(("expression",), msg("graph.expression", why=exc.message)))
        return []
    count = max(len(run.nodes) for run in runs)
    if count > MAX_NODES:
        found.append(
            Found(("expression",), msg("graph.expression_nodes", n=count, limit=MAX_NODES))
        )
        return []
    if inputs.numbers is not None:
        try:
            value(formula, formula.tree, dict(inputs.numbers))
        except Outside as exc:
            found.append(FormulaFound(("expression",), exc.message, offset=exc.offset))
            return []
    return runs


def _splits(given: Any) -> list[str] | None:
    """The granularities a lesson works, in order (None: the schema refuses the field)."""
    if given is None:
        return ["operations"]
    chosen = [given] if isinstance(given, str) else given
    if not isinstance(chosen, list) or not all(s in ("operations", "functions") for s in chosen):
        return None
    return list(dict.fromkeys(chosen))


def _split_runs(expression: str, inputs: list[str], output: str, splits: list[str]) -> list[Run]:
    """The graphs the engine splits the expression into, one per granularity (its own split,
    so that the keys and the count are the ones the lesson will have)."""
    from stepper.engine.graph_split import split

    runs = []
    for how in splits:
        nodes = split(expression, inputs, output, how)
        prefix = f"{how}." if len(splits) > 1 else ""
        runs.append(Run(prefix, tuple((n.name, n.operands) for n in nodes), output))
    return runs


def _check_split(split: Any) -> list[Found]:
    """A granularity listed twice (a typo for the other, most likely)."""
    if not isinstance(split, list) or not all(isinstance(s, str) for s in split):
        return []
    for k, how in enumerate(split):
        if how in split[:k]:
            return [Found(("split", k), msg("graph.split_twice", split=how))]
    return []


def _reserved(inputs: list[str], data: dict[str, Any]) -> list[Found]:
    """Names the split takes: an input called n1, n2, …, and the output's name (``f`` unless
    ``output`` says otherwise) when an input has it."""
    found = [
        Found(("inputs", name), msg("graph.reserved_input", name=name), True)
        for name in inputs
        if RESERVED.match(name)
    ]
    output = data.get("output")
    if isinstance(output, str):
        if RESERVED.match(output):
            found.append(Found(("output",), msg("graph.reserved_output", name=output)))
        elif output in inputs:
            found.append(Found(("output",), msg("graph.output_is_input", name=output)))
    elif output is None and DEFAULT_OUTPUT in inputs:
        found.append(Found(("inputs", DEFAULT_OUTPUT), msg("graph.default_output_input"), True))
    return found


def _is_number(tree: ast.expr) -> bool:
    """A number, maybe signed: a constant, not a node."""
    while isinstance(tree, ast.UnaryOp):
        tree = tree.operand
    return isinstance(tree, ast.Constant)


# --- values ------------------------------------------------------------------------------------


def _node_values(graph: list[Node], inputs: dict[str, float]) -> list[Found]:
    """Each node's value in order, from the given inputs; the first that cannot be computed
    (or whose slope is infinite there) is told at its place, naming the operand and its value."""
    values = dict(inputs)
    for node in graph:
        try:
            values[node.name] = value(node.formula, node.formula.tree, values)
        except Outside as exc:
            message = msg("graph.in_node", node=node.name, why=exc.message)
            return [FormulaFound(("nodes", node.name), message, offset=exc.offset)]
    return []


def squashing(data: dict[str, Any]) -> list[float]:
    """The argument of every tanh and sigmoid in a checked lesson's formulas at its inputs,
    in order: an exam variant whose argument is beyond ±2 would teach a flat function."""
    inputs = _inputs(data.get("inputs"))
    assert inputs.numbers is not None  # a checked lesson's
    values = dict(inputs.numbers)
    nodes = data.get("nodes") or {}
    formulas = [
        (name, parse_formula(text, [*inputs.names, *list(nodes)[:k]], GRAPH_FUNCTIONS))
        for k, (name, text) in enumerate(nodes.items())
    ] or [(None, parse_formula(data["expression"], inputs.names, GRAPH_FUNCTIONS))]
    out = []
    for name, formula in formulas:
        for part in _walk(formula.tree):
            func = part.func if isinstance(part, ast.Call) else None
            if isinstance(func, ast.Name) and func.id in ("tanh", "sigmoid"):
                assert isinstance(part, ast.Call)
                out.append(value(formula, part.args[0], values))
        if name is not None:
            values[name] = value(formula, formula.tree, values)
    return out
