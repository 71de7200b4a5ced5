"""What the readers make of a recurrent lesson: the printed data (the sequence, each gate's
matrix, the output's), the results (the states through time, the new weights by gate), the
sections by time step and gate, the headings of --plain and of the history, the end of the
lesson, and the quiz's recurrent mistakes.

The numbers expected are the lessons' own (read from the YAML here) or worked from the
operands of a step by hand, never the printers' output fed back."""

from __future__ import annotations

import math

import pytest

from stepper.catalog import resolve
from stepper.ending import summarize
from stepper.ending_text import lines
from stepper.engine import solve
from stepper.lesson.load import lesson_from_text, load_lesson
from stepper.lesson.schema import RecurrentLesson
from stepper.notation import Sym
from stepper.printers import REGISTRY, Options
from stepper.printers.data import Table, build_data, build_results
from stepper.printers.document import build_document
from stepper.quiz.marking import judge
from stepper.quiz.typed import read
from stepper.repl import header
from stepper.steps import Solution, Step
from stepper.timeline import gate_of, time_of

LSTM = """
id: lstm-t
kind: recurrent
language: es
title: {es: Una LSTM}
cell: lstm
inputs: 1
hidden: 1
sequence: [[0.1], [0.7]]
initial: {h: [0.2], c: [0.5]}
gates:
  f: [[0.1, 0.5, 0.3]]
  i: [[0.0, 0.4, 0.2]]
  g: [[0.0, 0.6, -0.1]]
  o: [[0.1, 0.3, 0.2]]
output: {activation: linear, weights: [[0.0, 1.0]]}
targets: [[1.0]]
training: {learning_rate: 0.1, loss: sse}
display: {decimals: 4}
"""

GRU = """
id: gru-t
kind: recurrent
language: en
title: {en: A GRU}
cell: gru
inputs: 2
hidden: 2
sequence: [[0.1, 0.2], [0.7, -0.3], [0.4, 0.5]]
gates:
  r: [[0.1, 0.5, 0.3, 0.2, -0.1], [0.0, -0.2, 0.1, 0.3, 0.2]]
  z: [[0.0, 0.4, 0.2, 0.1, 0.1], [0.1, 0.2, -0.3, 0.2, 0.0]]
  n: [[0.0, 0.6, -0.1, 0.3, 0.2], [0.2, 0.1, 0.4, -0.2, 0.1]]
output: {activation: sigmoid, weights: [[0.0, 1.0, -0.5]], every_step: true}
targets: [[1.0], [0.0], [1.0]]
training: {learning_rate: 0.1, loss: half_sse}
display: {decimals: 4}
"""


def rnn1() -> Solution:
    return solve(load_lesson(resolve("rnn-1").path, "rnn-1"))


def lstm() -> Solution:
    return solve(lesson_from_text(LSTM, "lstm-t.yaml"))


def gru() -> Solution:
    return solve(lesson_from_text(GRU, "gru-t.yaml"))


def step(solution: Solution, key: str) -> Step:
    return next(s for s in solution.steps if s.key == key)


def table(tables: tuple[Table, ...], title: str) -> Table:
    return next(t for t in tables if t.title == title)


def text(cell: object) -> str:
    return cell.unicode() if isinstance(cell, Sym) else str(cell)


# -- where a key sits ------------------------------------------------------------------------


def test_time_and_gate_are_read_off_the_keys() -> None:
    assert [time_of(k) for k in ("u[f,2,1]", "h[3,2]", "dh[1,1]", "d[z,2,1]", "c[0,1]")] == [
        2,
        3,
        1,
        2,
        0,
    ]
    assert time_of("check.h[2,1]") == 2 and time_of("y[2,1]") == 2
    for timeless in ("y[1]", "d[y,1]", "dw[f,1,0]", "w[f,1,0]", "t[1,0]", "dt[1,1]", "loss"):
        assert time_of(timeless) is None, timeless
    assert [gate_of(k) for k in ("u[f,2,1]", "dw[z,1,0]", "w[n,2,3]", "f[2,1]", "t[1,0]")] == [
        "f",
        "z",
        "n",
        None,
        None,
    ]


# -- the data and the results --------------------------------------------------------------


def test_rnn1_data_states_the_lessons_numbers_in_their_shapes() -> None:
    lesson = load_lesson(resolve("rnn-1").path, "rnn-1")
    assert isinstance(lesson, RecurrentLesson)
    (given,) = build_data(rnn1())
    sequence = table(given.tables, "Secuencia")
    assert sequence.side == ("t = 1", "t = 2")
    assert [float(text(row[0])) for row in sequence.rows] == [x[0] for x in lesson.sequence]
    cell = table(given.tables, "Celda: pesos iniciales")
    assert [text(h) for h in cell.head] == ["1", "x", "h"]
    assert lesson.gates.h is not None
    assert [[float(text(v)) for v in row] for row in cell.rows] == lesson.gates.h
    assert lesson.output is not None
    out = table(given.tables, "Salida: pesos iniciales")
    assert [text(h) for h in out.head] == ["1", "h"]
    assert [[float(text(v)) for v in row] for row in out.rows] == lesson.output.weights
    assert {text(sym): value for sym, value in given.values} == {"h₀": "0", "y₂": "1", "α": "0.1"}
    assert "hₜ₋₁" in (given.note or "")


def test_a_gru_with_outputs_at_every_step_lists_each_steps_targets_by_its_inputs() -> None:
    (given,) = build_data(gru())
    sequence = table(given.tables, "Sequence")
    assert [text(h) for h in sequence.head] == ["x₁", "x₂", "y"]
    assert sequence.rows == (("0.1", "0.2", "1"), ("0.7", "-0.3", "0"), ("0.4", "0.5", "1"))
    titles = [t.title for t in given.tables]
    assert titles == [
        "Sequence",
        "Reset gate: initial weights",
        "Update gate: initial weights",
        "Candidate state: initial weights",
        "Output: initial weights",
    ]
    update = table(given.tables, "Update gate: initial weights")
    assert [text(h) for h in update.head] == ["1", "x₁", "x₂", "h₁", "h₂"]
    assert update.rows == (("0", "0.4", "0.2", "0.1", "0.1"), ("0.1", "0.2", "-0.3", "0.2", "0"))
    # The targets are in the sequence's table, not again as pairs; h₀ is zeros by default.
    assert {text(sym) for sym, _ in given.values} == {"h₀‚₁", "h₀‚₂", "α"}
    assert "rₜ ⊙ hₜ₋₁" in (given.note or "")


def test_results_are_the_passes_through_time_and_each_gates_new_weights() -> None:
    solution = lstm()
    tables = build_results(solution)
    states = table(tables, "Los estados a lo largo del tiempo")
    assert states.side == ("t = 1", "t = 2")
    letters = [text(h) for h in states.head]
    assert letters[-2:] == ["c", "h"] and len(letters) == 6
    for t in (1, 2):
        row = dict(zip(letters, states.rows[t - 1], strict=True))
        assert row["c"] == step(solution, f"c[{t},1]").shown
        assert row["h"] == step(solution, f"h[{t},1]").shown
    forget = table(tables, "Puerta de olvido: pesos nuevos")
    assert forget.rows == (tuple(step(solution, f"w[f,1,{j}]").shown for j in range(3)),)
    # Each new weight is the old one plus its increment, as the table shows it.
    for j, old in enumerate((0.1, 0.5, 0.3)):
        increment = step(solution, f"dw[f,1,{j}]").value
        assert float(forget.rows[0][j]) == pytest.approx(old + increment, abs=1e-4)
    errors = table(tables, "Los errores hacia atrás en el tiempo")
    assert [text(h) for h in errors.head] == ["εʰ", "εᶜ", "δᶠ", "δⁱ", "δᵍ", "δᵒ"]
    for t in (1, 2):
        assert errors.rows[t - 1][1] == step(solution, f"dc[{t},1]").shown
        assert errors.rows[t - 1][2] == step(solution, f"d[f,{t},1]").shown
    assert [t.title for t in tables][2:] == [
        "Puerta de olvido: pesos nuevos",
        "Puerta de entrada: pesos nuevos",
        "Candidato a memoria: pesos nuevos",
        "Puerta de salida: pesos nuevos",
        "Salida: pesos nuevos",
    ]


# -- the printed sections ---------------------------------------------------------------------


def test_sections_go_forward_by_time_back_from_the_last_step_and_update_gate_by_gate() -> None:
    titles = [s.title for s in build_document(rnn1()).sections]
    assert titles == [
        "Hacia delante · t = 1",
        "Hacia delante · t = 2",
        "Hacia delante · salida",
        "Error",
        "Hacia atrás · t = 2",
        "Hacia atrás · t = 1",
        "Actualización · salida",
        "Actualización · celda",
        "Comprobación · t = 1",
        "Comprobación · t = 2",
        "Comprobación · salida",
    ]
    gru_titles = [s.title for s in build_document(gru()).sections]
    assert gru_titles[gru_titles.index("Error") - 1] == "Forward · t = 3"
    assert [t for t in gru_titles if t.startswith("Update")] == [
        "Update · output",
        "Update · reset gate",
        "Update · update gate",
        "Update · candidate state",
    ]


def test_every_section_holds_the_steps_of_its_time_step() -> None:
    for section in build_document(lstm()).sections:
        if "t = " in section.title:
            t = int(section.title.rsplit("= ", 1)[1])
            assert {time_of(s.key) for s in section.steps} == {t}, section.title


@pytest.mark.parametrize("fmt", ["md", "tex", "html", "json"])
@pytest.mark.parametrize("make", [rnn1, lstm, gru])
def test_every_text_format_prints_the_data_and_the_new_weights(fmt: str, make) -> None:  # type: ignore[no-untyped-def]
    solution = make()
    out = REGISTRY[fmt].render(solution, Options())
    assert isinstance(out, str)
    last = solution.steps[-1]
    if fmt == "json":
        assert f'"key": "{last.key}"' in out
        return
    words = {"es": ("Secuencia", "Salida: pesos nuevos"), "en": ("Sequence", "Output: new weights")}
    for word in words[solution.language]:
        assert word in out, word
    worksheet = REGISTRY[fmt].render(solution, Options(blank="values"))
    assert isinstance(worksheet, str)
    assert words[solution.language][1] not in worksheet  # a worksheet gives no results


def test_the_pdf_prints_every_cell() -> None:
    for solution in (rnn1(), lstm(), gru()):
        pdf = REGISTRY["pdf"].render(solution, Options())
        assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF")


# -- --plain, the end ---------------------------------------------------------------------


def test_plain_headers_say_the_time_step_not_the_iteration() -> None:
    solution = rnn1()
    u2 = step(solution, "u[h,2,1]")
    assert header(u2, 28, "es", solution) == "[3/28 · hacia delante · t = 2 · u[h,2,1]]"
    dw = step(solution, "dw[h,1,0]")
    assert "celda" in header(dw, 28, "es", solution)


def test_the_end_compares_the_loss_and_lists_the_new_weights_by_gate() -> None:
    solution = lstm()
    summary = summarize(solution)
    (loss,) = summary.losses
    assert loss.before == step(solution, "loss").shown
    assert loss.after == step(solution, "check.loss").shown
    titles = [m.title.split(":")[0] for m in summary.weights]
    assert titles == [
        "Puerta de olvido",
        "Puerta de entrada",
        "Candidato a memoria",
        "Puerta de salida",
        "Salida",
    ]
    forget = summary.weights[0]
    assert forget.old == (("0.1", "0.5", "0.3"),)
    assert forget.new == (tuple(step(solution, f"w[f,1,{j}]").shown for j in range(3)),)
    shown = "\n".join(line.text for line in lines(summary, "es", 58))
    assert "Puerta de olvido: wᶠ₁₀ … wᶠ₁₂" in shown


# -- the quiz -------------------------------------------------------------------------------


def diagnosis(solution: Solution, key: str, value: float) -> str | None:
    typed = read(f"{value:.6f}")
    assert typed is not None
    judged, found = judge(solution, step(solution, key), typed, {})
    assert judged == "wrong"
    return found.name if found else None


def test_the_error_reaching_h1_without_what_comes_back_from_step_2() -> None:
    solution = rnn1()
    # No output at t = 1: without the term from step 2 nothing reaches h₁.
    assert diagnosis(solution, "dh[1,1]", 0.0) == "no_future"
    typed = read("0")
    assert typed is not None
    assert judge(solution, step(solution, "dh[1,1]"), typed, {})[1].name == "no_future"  # type: ignore[union-attr]


def test_an_lstm_memory_error_without_the_forget_gates_path_from_t_plus_1() -> None:
    solution = lstm()
    dc1 = step(solution, "dc[1,1]")
    eh, o, c = (q.value for q in dc1.operands[:3])
    alone = eh * o * (1 - math.tanh(c) ** 2)
    assert diagnosis(solution, "dc[1,1]", alone) == "no_future"


def test_a_gates_delta_with_the_other_activations_derivative() -> None:
    solution = lstm()
    forget = step(solution, "d[f,2,1]")  # δᶠ = εᶜ·c₁·f(1 − f)
    ec, c1, f = (q.value for q in forget.operands)
    assert diagnosis(solution, "d[f,2,1]", ec * c1 * (1 - f * f)) == "sigmoid_as_tanh"
    candidate = step(solution, "d[g,2,1]")  # δᵍ = εᶜ·i·(1 − g²)
    ec, i, g = (q.value for q in candidate.operands)
    assert diagnosis(solution, "d[g,2,1]", ec * i * g * (1 - g)) == "tanh_as_sigmoid"


def test_a_gru_state_with_z_and_one_minus_z_swapped() -> None:
    solution = gru()
    h = step(solution, "h[2,1]")
    z, n, before = (q.value for q in h.operands)
    assert diagnosis(solution, "h[2,1]", z * n + (1 - z) * before) == "gru_swapped"


def test_an_increment_from_the_last_time_steps_term_alone() -> None:
    solution = rnn1()
    # Δw₁₁ = 2α(x₁δ₁ + x₂δ₂): the last term alone is 2·0.1·0.7·δ₂.
    d2 = step(solution, "d[h,2,1]").value
    assert diagnosis(solution, "dw[h,1,1]", 2 * 0.1 * 0.7 * d2) == "one_step"


def test_an_output_delta_with_its_sign_flipped() -> None:
    solution = gru()  # a sigmoid output at every step: its δ is a step of its own
    do = step(solution, "do[2,1]")
    assert diagnosis(solution, "do[2,1]", -do.value) == "sign_delta"


def test_an_lstm_memory_without_what_the_forget_gate_keeps() -> None:
    solution = lstm()
    c2 = step(solution, "c[2,1]")  # c₂ = f₂·c₁ + i₂·g₂
    f, c1, i, g = (q.value for q in c2.operands)
    assert diagnosis(solution, "c[2,1]", i * g) == "no_memory"
    assert c1 != 0 and f != 0


def test_a_gates_net_input_without_its_bias() -> None:
    solution = lstm()
    u = step(solution, "u[o,1,1]")  # uᵒ₁ = wᵒ₁₀ + wᵒ₁₁·x₁ + wᵒ₁₂·h₀ with x₁ = 0.1, h₀ = 0.2
    assert diagnosis(solution, "u[o,1,1]", 0.3 * 0.1 + 0.2 * 0.2) == "bias"
    assert u.value == pytest.approx(0.1 + 0.3 * 0.1 + 0.2 * 0.2)
