"""A graph lesson's data and results as the printed formats show them.

The data, as a textbook states the problem: the nodes, each by its formula (the forward
steps' own formulas, so the page writes them as the steps do: e = a·b), the inputs with their
values and α, and a sentence naming the output and the inputs the descent step moves. With
two graphs (``split: [operations, functions]``) each lists its own nodes under its name.

The results: a table per graph, a row per node (the inputs first, then the computed nodes in
order), its value, its gradient ∂OUT/∂node, and after the descent step its new value (the
new inputs, and every node computed again with them, the output moving last).
"""

from __future__ import annotations

from dataclasses import replace

from babel.lists import format_list

from stepper.graph_timeline import by_node, split_title
from stepper.i18n import label
from stepper.notation import Sym
from stepper.printers.data import Cell, Given, Table, givens
from stepper.steps import Solution


def graph_data(solution: Solution) -> tuple[Given, ...]:
    """What a graph lesson gives: the inputs and α, each graph's nodes by their formulas,
    and which node is the output and which inputs the step moves."""
    shape = solution.graph
    assert shape is not None
    lang = solution.language
    found = _given_by_symbol(solution)
    first = shape.runs[0]
    inputs = [n for n in first.nodes if n.is_input]
    values = [(n.sym, found.pop(n.sym)) for n in inputs if n.sym in found]
    values += list(found.items())  # α
    groups = []
    for run in shape.runs:
        forward = by_node(solution, run).get("val", {})
        steps = tuple(forward[n.name] for n in run.nodes if n.name in forward)
        title = split_title(run, lang) if len(shape.runs) > 1 else None
        title = title[:1].upper() + title[1:] if title else None
        groups.append(Given(title, (), formulas=steps))
    output = first.node(first.output).sym.unicode()
    if shape.learning_rate is None:
        note = label("data.graph.note", lang, output=output)
    else:
        moved = format_list([n.sym.unicode() for n in inputs if n.trainable], locale=lang)
        note = label("data.graph.note.step", lang, output=output, inputs=moved)
    if len(groups) == 1:  # one graph: its nodes, then the numbers and what is asked
        return (replace(groups[0], values=tuple(values), note=note),)
    # Two graphs: each one's nodes under its name, then the numbers and what is asked, so the
    # statement ends where the first graph's part begins.
    return (*groups, Given(None, tuple(values), note=note))


def graph_results(solution: Solution) -> tuple[Table, ...]:
    """A table per graph: each node's value, its gradient and, after the step, its new
    value."""
    shape = solution.graph
    assert shape is not None
    lang = solution.language
    tables = []
    given = _given_by_symbol(solution)
    for run in shape.runs:
        steps = by_node(solution, run)
        after = {**steps.get("check", {}), **steps.get("new", {})}
        head: tuple[Cell, ...] = (label("data.graph.value", lang), label("data.graph.grad", lang))
        if after:
            head += (label("data.graph.after", lang),)
        rows = []
        for node in run.nodes:
            forward = steps.get("val", {}).get(node.name)
            value = forward.shown if forward is not None else given.get(node.sym, "")
            grad = steps.get("grad", {}).get(node.name)
            row = [value, grad.shown if grad is not None else ""]
            if after:
                moved = after.get(node.name)
                row.append(moved.shown if moved is not None else "")
            rows.append(tuple(row))
        side = tuple(n.sym for n in run.nodes)
        title = label("data.graph.results", lang)
        if len(shape.runs) > 1:  # which graph's
            title = f"{title} · {split_title(run, lang)}"
        tables.append(Table(title, tuple(rows), head, side, label("data.graph.node", lang)))
    return tuple(tables)


def graph_nodes(solution: Solution, *, worksheet: bool = False) -> tuple[Table, ...]:
    """The graph as a table, where a page of plain text has no room for its picture (the
    Markdown): a row per node, the inputs first, its formula, its value and its gradient
    (only the inputs' values on a worksheet)."""
    shape = solution.graph
    assert shape is not None
    lang = solution.language
    given = _given_by_symbol(solution)
    tables = []
    for run in shape.runs:
        steps = by_node(solution, run)
        rows = []
        for node in run.nodes:
            forward = steps.get("val", {}).get(node.name)
            grad = steps.get("grad", {}).get(node.name)
            value = forward.shown if forward is not None else given.get(node.sym, "")
            if worksheet:
                value, grad = ("" if forward is not None else value), None
            rows.append((node.formula, value, grad.shown if grad is not None else ""))
        head: tuple[Cell, ...] = tuple(
            label(f"data.graph.{name}", lang) for name in ("formula", "value", "grad")
        )
        title = label("html.picture.graph", lang)
        if len(shape.runs) > 1:
            title = f"{title} · {split_title(run, lang)}"
        side = tuple(n.sym for n in run.nodes)
        tables.append(Table(title, tuple(rows), head, side, label("data.graph.node", lang)))
    return tuple(tables)


def _given_by_symbol(solution: Solution) -> dict[Sym, str]:
    """Every number the lesson gives (the inputs, α), shown, by its symbol: each graph of a
    lesson that works two reads the same inputs."""
    return {q.sym: q.shown for q in givens(solution).values()}
