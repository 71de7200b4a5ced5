"""What the readers make of a graph lesson: the sections (forward at once, back node by node
with its edges, update, check; two graphs as two parts), the headings of --plain, the `a`
key's group, the printed data (the nodes by their formulas, the inputs, α) and results (a row
per node: value, gradient, after the step), the end of the lesson, the JSON's lesson block,
every format, and the quiz's graph mistakes.

The numbers expected are worked here by hand from the lessons below (micrograd's example is
the issue's: L = −8, gradients of a, b, c, f, e, d = 6, −4, −2, 4, −2, −2), never the
printers' output fed back."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from stepper import formulas
from stepper.ending import summarize
from stepper.ending_text import lines
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.notation import Sym
from stepper.printers import REGISTRY, Options
from stepper.printers.data import Table, build_data, build_results
from stepper.printers.document import build_document
from stepper.quiz.marking import judge
from stepper.quiz.typed import read
from stepper.repl import header
from stepper.steps import Solution, Step
from stepper.walking import VALUE, Walk
from tests.conftest import compile_latex

MICRO = """
id: micro
kind: graph
language: es
title: {es: El ejemplo de micrograd}
nodes:
  e: a*b
  d: e + c
  L: d*f
inputs: {a: 2, b: -3, c: 10, f: -2}
output: L
learning_rate: 0.01
trainable: [a, b, c, f]
display: {decimals: 4}
"""

#: x feeds two nodes: its gradient is the sum of two contributions.
FORK = """
id: fork
kind: graph
language: en
title: {en: A value used twice}
nodes:
  p: x*y
  f: p + x
inputs: {x: 3, y: -2}
"""

#: A difference (b enters u with a minus) and a tanh (its slope written with its output).
NEURON = """
id: neuron
kind: graph
language: en
title: {en: A tanh neuron}
nodes:
  u: w*x - b
  h: tanh(u)
inputs: {w: 0.5, x: 2, b: 0.3}
learning_rate: 0.1
trainable: [w, b]
display: {decimals: 5}
"""

#: CS231n's sigmoid neuron, worked at both granularities.
TWO = """
id: two
kind: graph
language: es
title: {es: La neurona sigmoide de CS231n}
expression: sigmoid(w0*x0 + w1*x1 + w2)
split: [operations, functions]
inputs: {w0: 2, x0: -1, w1: -3, x1: -2, w2: -3}
display: {decimals: 5}
"""


def solved(text: str) -> Solution:
    return solve(lesson_from_text(text, "graph-t.yaml"))


def step(solution: Solution, key: str) -> Step:
    return next(s for s in solution.steps if s.key == key)


def titles_and_keys(solution: Solution) -> list[tuple[str, set[str]]]:
    doc = build_document(solution)
    return [(s.title, {st.key for st in s.steps}) for s in doc.sections]


# -- sections, headings, the `a` key -------------------------------------------------------------


def test_micrograd_reads_forward_then_node_by_node_back_then_update_and_check() -> None:
    """Each node's group holds its edges (∂n/∂m and the gradient it passes back) and grad[L],
    where the chain rule starts, opens L's."""
    sections = titles_and_keys(solved(MICRO))
    assert sections == [
        ("Hacia delante", {"val[e]", "val[d]", "val[L]"}),
        ("Hacia atrás · nodo L", {"grad[L]", "local[L,d]", "grad[d]", "local[L,f]", "grad[f]"}),
        ("Hacia atrás · nodo d", {"local[d,e]", "grad[e]", "local[d,c]", "grad[c]"}),
        ("Hacia atrás · nodo e", {"local[e,a]", "grad[a]", "local[e,b]", "grad[b]"}),
        ("Actualización", {"new[a]", "new[b]", "new[c]", "new[f]"}),
        ("Comprobación", {"check.val[e]", "check.val[d]", "check.val[L]"}),
    ]


def test_a_fork_s_sum_closes_the_group_of_the_first_node_that_reads_it() -> None:
    """x feeds p = x·y and f = p + x: going back f passes its part first, p last, so
    ∂f/∂x (the sum) is known in p's group."""
    sections = titles_and_keys(solved(FORK))
    assert sections == [
        ("Forward", {"val[p]", "val[f]"}),
        ("Backward · node f", {"grad[f]", "local[f,p]", "grad[p]", "local[f,x]", "contrib[f,x]"}),
        ("Backward · node p", {"local[p,x]", "contrib[p,x]", "grad[x]", "local[p,y]", "grad[y]"}),
    ]


def test_plain_headers_name_the_node_going_back() -> None:
    solution = solved(MICRO)
    total = len(solution.steps)
    local = step(solution, "local[d,c]")
    assert header(local, total, "es", solution) == (
        f"[{local.n}/{total} · hacia atrás · nodo d · local[d,c]]"
    )
    new = step(solution, "new[a]")
    assert header(new, total, "es", solution) == f"[{new.n}/{total} · actualización · new[a]]"


def test_a_reveals_the_rest_of_the_node_s_group() -> None:
    """From grad[L], `a` stops at the last step of L's group, not at the end of the pass."""
    solution = solved(MICRO)
    walk = Walk(solution)
    walk.index = solution.steps.index(step(solution, "grad[L]"))
    walk.reveal_phase()
    group = {"grad[L]", "local[L,d]", "grad[d]", "local[L,f]", "grad[f]"}
    last = max(solution.steps.index(step(solution, k)) for k in group)
    assert (walk.index, walk.stage) == (last, VALUE)
    walk.next()  # the first step of d's group
    walk.reveal_phase()
    last_d = max(solution.steps.index(step(solution, k)) for k in ("grad[e]", "grad[c]"))
    assert walk.index == last_d


def test_two_graphs_are_two_parts_each_heading_its_sections() -> None:
    solution = solved(TWO)
    doc = build_document(solution)
    assert [p.title for p in doc.parts] == ["Grafo de operaciones", "Grafo de funciones"]
    second = doc.parts[1].first
    assert doc.sections[0].title == "Grafo de operaciones · Hacia delante"
    assert doc.sections[second].title == "Grafo de funciones · Hacia delante"
    assert all(st.key.startswith("functions.") for s in doc.sections[second:] for st in s.steps)
    # The sigmoid as one node: its own group going back, named by the output f.
    assert "Grafo de funciones · Hacia atrás · nodo f" in {s.title for s in doc.sections}
    first = next(s for s in solution.steps if s.key.startswith("functions.local["))
    assert header(first, len(solution.steps), "es", solution).endswith(
        f"hacia atrás · nodo f · grafo de funciones · {first.key}]"
    )


# -- data, results, end ----------------------------------------------------------------------


def test_data_give_the_nodes_by_their_formulas_the_inputs_and_alpha() -> None:
    solution = solved(MICRO)
    (given,) = build_data(solution)
    assert [s.key for s in given.formulas] == ["val[e]", "val[d]", "val[L]"]
    assert [(sym.unicode(), shown) for sym, shown in given.values] == [
        ("a", "2"),
        ("b", "-3"),
        ("c", "10"),
        ("f", "-2"),
        ("α", "0.01"),
    ]
    assert given.note is not None and "L" in given.note and "a, b, c y f" in given.note


def cell(text: Sym | str) -> str:
    return text.unicode() if isinstance(text, Sym) else text


def by_node(table: Table) -> dict[str, list[float]]:
    """A results table's rows as numbers, by the node's symbol."""
    pairs = zip(table.side, table.rows, strict=True)
    return {cell(s): [float(cell(v)) for v in row] for s, row in pairs}


def test_results_give_every_node_s_value_gradient_and_new_value() -> None:
    solution = solved(MICRO)
    (table,) = build_results(solution)
    assert [cell(s) for s in table.side] == ["a", "b", "c", "f", "e", "d", "L"]
    rows = by_node(table)
    a, b, c, f, alpha = 2.0, -3.0, 10.0, -2.0, 0.01
    grads = {"a": 6, "b": -4, "c": -2, "f": 4, "e": -2, "d": -2, "L": 1}  # the issue's
    new = {"a": a - alpha * 6, "b": b + alpha * 4, "c": c + alpha * 2, "f": f - alpha * 4}
    new["e"] = new["a"] * new["b"]
    new["d"] = new["e"] + new["c"]
    new["L"] = new["d"] * new["f"]
    values = {"a": a, "b": b, "c": c, "f": f, "e": -6, "d": 4, "L": -8}
    for name, row in rows.items():
        assert row[0] == values[name]
        assert row[1] == grads[name]
        assert row[2] == pytest.approx(new[name], abs=5e-5)


def test_results_without_a_step_have_no_after_column() -> None:
    (table,) = build_results(solved(FORK))
    assert len(table.head) == 2
    rows = by_node(table)
    assert rows["x"][1] == -2 + 1  # ∂f/∂x = y + 1, the two contributions added
    assert rows["y"][1] == 3


def test_the_end_shows_the_output_moving_and_the_new_inputs() -> None:
    solution = solved(MICRO)
    text = "\n".join(line.text for line in lines(summarize(solution), "es", 76))
    after = step(solution, "check.val[L]").shown.replace("-", "−")
    assert f"L: −8 → {after}" in text and "baja" in text
    assert "a: 2 → 1.94" in text and "f: −2 → −2.04" in text


def test_the_end_without_a_step_gives_the_output_s_gradient_for_each_input() -> None:
    solution = solved(FORK)
    text = "\n".join(line.text for line in lines(summarize(solution), "en", 76))
    for name, value in (("x", "−1"), ("y", "3")):
        assert f"{step(solution, f'grad[{name}]').sym.unicode()} = {value}" in text


def test_two_graphs_that_end_alike_end_once() -> None:
    """Both splits of CS231n's neuron give the issue's gradients: listed once, untitled."""
    solution = solved(TWO)
    text = "\n".join(line.text for line in lines(summarize(solution), "es", 76))
    assert "Grafo" not in text
    expected = {"w0": "−0.19661", "x0": "0.39322", "w1": "−0.39322", "x1": "−0.58984"}
    expected["w2"] = "0.19661"
    for name, value in expected.items():
        sym = step(solution, f"functions.grad[{name}]").sym.unicode()
        assert text.count(f"{sym} = {value}") == 1


# -- printing --------------------------------------------------------------------------------


LESSONS = {"micro": MICRO, "fork": FORK, "neuron": NEURON, "two": TWO}


@pytest.mark.parametrize("lesson", list(LESSONS.values()), ids=list(LESSONS))
@pytest.mark.parametrize("fmt", ["md", "tex", "html", "json"])
def test_every_text_format_prints_a_graph_lesson(lesson: str, fmt: str) -> None:
    solution = solved(lesson)
    for options in (Options(), Options(blank="values")):
        out = REGISTRY[fmt].render(solution, options)
        assert isinstance(out, str) and out


@pytest.mark.slow
@pytest.mark.parametrize("lesson", [MICRO, TWO], ids=["micro", "two"])
def test_the_pdf_of_a_graph_lesson(lesson: str) -> None:
    out = REGISTRY["pdf"].render(solved(lesson), Options())
    assert isinstance(out, bytes) and out.startswith(b"%PDF")


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.slow
@pytest.mark.parametrize("lesson", [MICRO, TWO], ids=["micro", "two"])
def test_the_latex_of_a_graph_lesson_compiles(lesson: str, tmp_path: Path) -> None:
    solution = solved(lesson)
    for blank in ("none", "values"):
        source = tmp_path / f"graph-{blank}.tex"
        source.write_text(str(REGISTRY["tex"].render(solution, Options(blank=blank))))
        compile_latex(source)
        assert source.with_suffix(".pdf").exists()


def test_json_lists_the_graph_a_script_needs() -> None:
    solution = solved(MICRO)
    lesson = json.loads(REGISTRY["json"].render(solution, Options()))["lesson"]
    graph = lesson["graph"]
    assert graph["learning_rate"] == 0.01
    (run,) = graph["runs"]
    assert (run["prefix"], run["output"]) == ("", "L")
    nodes = {n["name"]: n for n in run["nodes"]}
    assert [n["name"] for n in run["nodes"]] == ["a", "b", "c", "f", "e", "d", "L"]
    assert sorted(nodes["e"]["operands"]) == ["a", "b"] and nodes["L"]["value"] == -8
    assert nodes["a"]["input"] and nodes["a"]["trainable"] and nodes["a"]["value"] == 2
    sheet = json.loads(REGISTRY["json"].render(solution, Options(blank="values")))["lesson"]
    values = {n["name"]: n["value"] for n in sheet["graph"]["runs"][0]["nodes"]}
    assert values["a"] == 2 and values["e"] is None  # a computed node's value is an answer


def test_the_exam_sheet_gives_the_node_formulas() -> None:
    from stepper.exam.sheet import markdown

    solution = solved(MICRO)
    sheet = markdown([(solution, Options(blank="values"))])
    for key in ("val[e]", "val[d]", "val[L]"):
        assert f"${formulas.formula(step(solution, key), 'latex')}$" in sheet
    assert "$a = 2$" in sheet


def test_the_moodle_question_gives_each_graph_s_node_formulas() -> None:
    from stepper.exam.moodle import question_html

    solution = solved(TWO)
    text = question_html(solution, Options())
    assert "Grafo de operaciones: " in text and "Grafo de funciones: " in text
    for s in solution.steps:
        if s.key.endswith("]") and s.key.split(".")[-1].startswith("val["):
            assert rf"\({formulas.formula(s, 'latex')}\)" in text


# -- the quiz --------------------------------------------------------------------------------


def diagnosis(solution: Solution, key: str, value: float) -> str | None:
    """The mistake the quiz names for ``value`` typed to the lesson's decimals."""
    typed = read(f"{value:.{solution.decimals}f}")
    assert typed is not None
    judged, found = judge(solution, step(solution, key), typed, {})
    assert judged == "wrong"
    return found.name if found else None


def test_the_local_derivative_alone_forgets_the_gradient_from_above() -> None:
    """∂L/∂a = ∂L/∂e · ∂e/∂a = −2 · b: b = −3 alone is the local derivative."""
    assert diagnosis(solved(MICRO), "grad[a]", -3.0) == "no_upstream"


def test_one_contribution_at_a_fork_is_not_the_gradient() -> None:
    """∂f/∂x = 1 (through f = p + x) + y (through p = x·y) = 1 − 2: either part alone."""
    solution = solved(FORK)
    assert diagnosis(solution, "grad[x]", 1.0) == "one_contribution"
    assert diagnosis(solution, "grad[x]", -2.0) == "one_contribution"


def test_the_minus_of_a_difference_lost_on_the_way_back() -> None:
    """h = tanh(u), u = w·x − b: ∂h/∂b = (1 − h²)·(−1); without the minus, 1 − h²."""
    solution = solved(NEURON)
    u = 0.5 * 2 - 0.3
    slope = 1 - math.tanh(u) ** 2
    assert diagnosis(solution, "grad[b]", slope) == "sign_local"


def test_tanh_s_slope_with_the_input_for_the_output() -> None:
    solution = solved(NEURON)
    u = 0.5 * 2 - 0.3
    assert diagnosis(solution, "local[h,u]", 1 - u * u) == "input_for_output"


def test_the_descent_step_taken_uphill() -> None:
    """w − α·∂h/∂w with ∂h/∂w = (1 − h²)·x; w + α·∂h/∂w is uphill."""
    solution = solved(NEURON)
    u = 0.5 * 2 - 0.3
    grad = (1 - math.tanh(u) ** 2) * 2
    assert diagnosis(solution, "new[w]", 0.5 + 0.1 * grad) == "added_step"
