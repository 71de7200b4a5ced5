"""Samples given as a category: the index, the one-hot vector, the lookup, the gradient.

Every number here is checked against something worked out in the test itself: the lecture's
own tables (the colour table, the tokenizer's ids), numpy one-hot vectors and matrix products,
central finite differences of the loss (the independent forward pass of ``test_gradients``,
fed the one-hot vectors built here) and torch's ``nn.Embedding`` where torch is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepper.cli import main
from stepper.engine import solve
from stepper.formulas import evaluate, formula, substituted
from stepper.lesson.checks import check_dense
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import DenseLesson
from stepper.pictures.network_state import Position
from stepper.printers.data import build_data
from stepper.quiz import recompute
from stepper.steps import Phase, Solution, Step
from tests.conftest import solved
from tests.test_gradients import ABS, REL, gradient

COLOURS = ["Red", "Yellow", "Green"]
#: The lecture's colour table, row by row, and its one-hot table (columns Red, Yellow, Green).
TABLE = ["Red", "Red", "Yellow", "Green", "Yellow"]
ONE_HOT = [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]
#: The second PADDING slide's vocabulary: 0 is the padding, 1 the out-of-vocabulary token.
SECOND = {"today": 2, "is": 3, "a": 4, "sunny": 5, "day": 6, "rainy": 7, "it": 8}
#: The first TOKENIZAR slide's, without an OOV token.
FIRST = {"today": 1, "is": 2, "a": 3, "sunny": 4, "day": 5, "rainy": 6, "it": 7}
PADDED = [0, 0, 0, 0, 3, 8, 5, 2]  # 'Is it sunny today?' padded to 8, as on the slide


def by_sample(solution: Solution, key: str) -> dict[int, Step]:
    return {s.sample: s for s in solution.steps if s.key == key and s.sample is not None}


def lesson_weights(lesson_id: str) -> np.ndarray:
    text = (Path(__file__).parent.parent / "lessons" / f"{lesson_id}.yaml").read_text()
    lesson = lesson_from_text(text, lesson_id)
    assert isinstance(lesson, DenseLesson)
    return np.array(lesson.network.layers[0].weights, dtype=float)


# onehot-1: the lecture's colour table ---------------------------------------------------------


def test_onehot_1_is_the_lectures_table() -> None:
    solution = solved("onehot-1")
    index = by_sample(solution, "index")
    assert [index[s].value for s in range(1, 6)] == [COLOURS.index(c) + 1 for c in TABLE]
    for s, row in enumerate(ONE_HOT, 1):
        got = [by_sample(solution, f"x[{j}]")[s].value for j in (1, 2, 3)]
        assert got == row, TABLE[s - 1]
    assert all(s.phase == Phase.INPUT for s in solution.steps if s.key in ("index", "x[1]"))


def test_onehot_1_first_layer_reads_one_column() -> None:
    """u = W·[1, x] with numpy; with the biases 0 it is exactly column k of W (bit for bit:
    0·1 + w·1 is w), and both Reds give the same u."""
    solution = solved("onehot-1")
    w = lesson_weights("onehot-1")
    assert (w[:, 0] == 0).all()
    for s, row in enumerate(ONE_HOT, 1):
        expected = w @ np.array([1.0, *row])
        column = w[:, 1 + row.index(1)]
        for i in (1, 2):
            u = by_sample(solution, f"u[1,{i}]")[s]
            assert u.value == expected[i - 1] == column[i - 1]
            k = row.index(1) + 1
            keys = [q.key for q in u.operands]
            assert keys == [f"w[1,{i},0]", "x[0]", f"w[1,{i},{k}]", f"x[{k}]"]
    params = next(s for s in solution.steps if s.key == "params")
    assert params.value == 3 * 2 and params.phase == Phase.SHAPE


# embedding-1: the tokenised, padded sentence ---------------------------------------------------


def test_embedding_1_ids_are_the_slides() -> None:
    """The ids of the padded sentence are the second slide's, each the first slide's plus one
    (the OOV token took id 1), and each is looked up as input id + 1."""
    assert all(SECOND[w] == FIRST[w] + 1 for w in FIRST)
    words = {v: k for k, v in SECOND.items()}
    sentence = [words.get(i, "PAD") for i in PADDED]
    assert sentence[4:] == ["is", "it", "sunny", "today"]
    solution = solved("embedding-1", "en")
    index = by_sample(solution, "index")
    assert [index[s].operands[0].value for s in range(1, 9)] == PADDED
    assert [index[s].value for s in range(1, 9)] == [i + 1 for i in PADDED]
    note = next(s for s in solution.steps if s.key == "params").note or ""
    assert "OOV" in note and "padding" in note


def test_embedding_1_looks_up_the_embedding_matrix() -> None:
    """Each token's output is row id of the embedding matrix E = W[:, 1:]ᵀ (16 × 2)."""
    solution = solved("embedding-1")
    w = lesson_weights("embedding-1")
    embedding = w[:, 1:].T
    assert embedding.shape == (16, 2)
    for s, ident in enumerate(PADDED, 1):
        onehot = np.eye(16)[ident]
        assert [by_sample(solution, f"x[{j}]")[s].value for j in range(1, 17)] == list(onehot)
        got = [by_sample(solution, f"y[1,{i}]")[s].value for i in (1, 2)]
        assert got == list(embedding[ident]) == list(onehot @ embedding)
    params = next(s for s in solution.steps if s.key == "params")
    assert params.value == 16 * 2


def test_the_steps_explain_the_lookup() -> None:
    solution = solved("onehot-1", "en")
    u = by_sample(solution, "u[1,1]")
    assert "embedding lookup" in u[1].explanation and "exactly" in u[1].explanation
    assert "embedding lookup" not in u[2].explanation  # said once
    index = by_sample(solution, "index")[3]
    assert "'Yellow' has id 1" in index.explanation and "k = id + 1" in index.explanation


# The formulas: text that evaluates, printed in every form ---------------------------------------


def test_the_formulas_of_the_input_steps() -> None:
    solution = solved("embedding-1")
    k = by_sample(solution, "index")[7]  # sunny: id 5
    assert formula(k, "unicode") == "k = id + 1"
    assert substituted(k, "text") == "5 + 1"
    hot = by_sample(solution, "x[6]")[7]
    cold = by_sample(solution, "x[2]")[7]
    assert formula(hot, "unicode") == "x₆ = [k = 6]"
    assert substituted(hot, "latex") == r"\left[6 = 6\right]"
    assert substituted(cold, "text") == "equal(6, 2)"
    for step in (k, hot, cold):
        numbers = [q.value for q in step.operands]
        assert evaluate(step, numbers) == step.value
        assert recompute.evaluate(step, numbers) == step.value
    # a learner who got k wrong is followed through: x₆ = [5 = 6] = 0
    assert recompute.evaluate(hot, [5.0, 6.0]) == 0.0


# Training: a sample trains only its own column --------------------------------------------------

TRAINED = """
language: en
network:
  inputs: 3
  layers:
    - activation: tanh
      weights: [[0.1, 0.2, -0.5, 0.8], [-0.3, 0.6, 0.1, -0.3]]
    - activation: linear
      weights: [[0.2, 0.5, -0.4]]
training:
  learning_rate: 0.1
  samples:
    - x: {category: gato, of: [perro, gato, pájaro]}
      y: [1]
"""


def test_only_the_categorys_column_learns() -> None:
    solution = solve(lesson_from_text(TRAINED, "trained"))
    dw = {s.key: s.value for s in solution.steps if s.key.startswith("dw[1,")}
    assert dw["dw[1,1,1]"] == dw["dw[1,1,3]"] == dw["dw[1,2,1]"] == dw["dw[1,2,3]"] == 0
    assert dw["dw[1,1,2]"] != 0 and dw["dw[1,1,2]"] == dw["dw[1,1,0]"]  # x₂ = x₀ = 1
    # the bias is not 0 here: u is the bias plus the column, and the words say so
    u = by_sample(solution, "u[1,1]")[1]
    assert u.value == pytest.approx(0.1 + -0.5) and "would be exactly" in u.explanation


def test_torch_embedding_agrees() -> None:
    """torch's nn.Embedding looks up the same vectors, and autograd through a one-hot linear
    layer gives the engine's increments (Δw = −α ∂ε²/∂w)."""
    torch = pytest.importorskip("torch")
    w = lesson_weights("embedding-1")
    table = torch.nn.Embedding(16, 2)
    with torch.no_grad():
        table.weight.copy_(torch.tensor(w[:, 1:].T))
    looked = table(torch.tensor(PADDED)).detach().numpy()
    solution = solved("embedding-1")
    for s in range(1, 9):
        got = [by_sample(solution, f"u[1,{i}]")[s].value for i in (1, 2)]
        assert got == pytest.approx(list(looked[s - 1]), abs=1e-15)

    lesson = lesson_from_text(TRAINED, "trained")
    assert isinstance(lesson, DenseLesson)
    w1 = torch.tensor(lesson.network.layers[0].weights, dtype=torch.float64, requires_grad=True)
    w2 = torch.tensor(lesson.network.layers[1].weights, dtype=torch.float64, requires_grad=True)
    x = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)  # x₀ = 1, then gato's one-hot
    z = torch.tanh(w1 @ x)
    out = w2 @ torch.cat([torch.ones(1, dtype=torch.float64), z])
    loss = ((1.0 - out) ** 2).sum()
    loss.backward()
    steps = {s.key: s.value for s in solve(lesson).steps if s.key.startswith("dw[")}
    assert w1.grad is not None and w2.grad is not None
    for l, grad in ((1, w1.grad), (2, w2.grad)):
        for i in range(grad.shape[0]):
            for j in range(grad.shape[1]):
                expected = -0.1 * float(grad[i, j])
                assert steps[f"dw[{l},{i + 1},{j}]"] == pytest.approx(expected, abs=1e-12)


# The property: every increment is a gradient step, with categorical inputs --------------------

NAMES = st.text(alphabet="abcdefgh<>áé", min_size=1, max_size=4)
unit = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False, allow_infinity=False)


@st.composite
def categorical_lessons(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(NAMES, min_size=1, max_size=5, unique=True))
    sizes = [len(names)] + [draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, 2)))]
    layers = [
        {
            "activation": draw(st.sampled_from(["linear", "tanh", "sigmoid"])),
            "weights": [
                draw(st.lists(unit, min_size=sizes[l - 1] + 1, max_size=sizes[l - 1] + 1))
                for _ in range(sizes[l])
            ],
        }
        for l in range(1, len(sizes))
    ]
    count = draw(st.integers(1, 4))
    samples = [
        {
            "x": {"category": draw(st.sampled_from(names)), "of": names},
            "y": draw(st.lists(unit, min_size=sizes[-1], max_size=sizes[-1])),
        }
        for _ in range(count)
    ]
    return {
        "network": {"inputs": len(names), "layers": layers},
        "training": {
            "learning_rate": draw(st.floats(0.01, 1.0)),
            "loss": draw(st.sampled_from(["sse", "half_sse"])),
            "samples": samples,
            "batch_size": draw(st.sampled_from([1, count])) if count > 1 else 1,
        },
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(categorical_lessons())
def test_increments_are_gradient_steps_with_categories(data: dict[str, Any]) -> None:
    """The first iteration's increments against central differences of its mean loss,
    computed by test_gradients' own forward pass on one-hot vectors built here with numpy."""
    lesson = DenseLesson.model_validate(data)
    assert check_dense(lesson) == []
    solution = solve(lesson)
    training = data["training"]
    names = data["network"]["layers"]
    weights = [np.array(layer["weights"], dtype=float) for layer in names]
    acts = [[layer["activation"]] * len(layer["weights"]) for layer in names]
    chunk = training["samples"][: training["batch_size"]]
    of = chunk[0]["x"]["of"]
    x = np.array([np.eye(len(of))[of.index(s["x"]["category"])] for s in chunk])
    y = np.array([s["y"] for s in chunk], dtype=float)
    fd = gradient(weights, acts, training["loss"], x, y)
    alpha = training["learning_rate"]
    applied = {
        s.key: s.value
        for s in solution.steps
        if s.iteration == 1 and s.key.startswith("dw[") and (len(chunk) == 1 or s.sample is None)
    }
    assert len(applied) == len(fd)
    for (l, i, j), g in fd.items():
        assert applied[f"dw[{l},{i},{j}]"] == pytest.approx(-alpha * g, rel=REL, abs=ABS)
    for s, sample in enumerate(chunk, 1):
        k = of.index(sample["x"]["category"]) + 1
        assert by_sample(solution, "index")[s].value == k
        assert all(
            by_sample(solution, f"x[{j}]")[s].value == (1.0 if j == k else 0.0)
            for j in range(1, len(of) + 1)
        )


# What the printers and the picture show --------------------------------------------------------


def test_the_data_gives_the_category_not_its_vector() -> None:
    """The worksheet's data is the lesson's: the category and its id; the one-hot vector is
    for the learner to work out."""
    (data,) = build_data(solved("embedding-1"))
    table = data.tables[0]
    assert [row[0] for row in table.rows] == ["PAD"] * 4 + ["is", "it", "sunny", "today"]
    assert [row[1] for row in table.rows] == [str(i) for i in PADDED]
    assert len(table.rows[0]) == 2  # no x₁ … x₁₆ columns
    assert not any(sym.letter in ("id",) or sym.letter.isdigit() for sym, _ in data.values)


def test_the_picture_shows_an_input_once_computed() -> None:
    solution = solved("onehot-1")
    assert solution.network is not None
    x2 = next(s for s in solution.steps if s.key == "x[2]" and s.sample == 3)

    def shown(revealed: int, current: int | None = None) -> str:
        from stepper.pictures.network import _input

        assert solution.network is not None
        pos = Position.build(solution, solution.network, revealed, current, "es")
        return _input(pos, 2, 1.0).text

    assert shown(x2.n - 1) == "x₂"  # not yet computed
    assert shown(x2.n - 1, x2.n - 1) == "x₂ = ?"  # being computed
    assert shown(x2.n) == "x₂ = 1"


# Hostile input: every wrong value is located ---------------------------------------------------

HEAD = """network:
  inputs: 3
  layers:
    - activation: linear
      weights: [[0, 0.2, -0.5, 0.8]]
training:
  samples:
"""


@pytest.mark.parametrize(
    ("sample", "where", "words"),
    [
        ("    - x: {category: azul, of: [rojo, verde, amarillo]}", "9:21", "'azul' is not one"),
        ("    - x: {category: rojo, of: [rojo, rojo, verde]}", "9:38", "twice"),
        ("    - x: {category: rojo, of: []}", "9:31", "at least 1"),
        ("    - x: {category: rojo, of: [rojo, verde]}", "9:31", "3 inputs"),
        ("    - x: {category: 3, of: [rojo, verde, azul]}", "9:21", "text"),
        ("    - x: {category: '', of: [rojo, verde, azul]}", "9:21", "the text is empty"),
        ("    - x: {category: rojo, of: [rojo, '', azul]}", "9:38", "the text is empty"),
        ("    - x: {category: rojo, of: [rojo, 2, azul]}", "9:38", "text"),
        ("    - x: {category: rojo, of: rojo}", "9:31", "list"),
        ("    - x: {category: rojo}", "9:7", "'of'"),
        ("    - x: {category: rojo, of: [rojo, verde, azul], colour: 1}", "9:52", "colour"),
        ("    - x: {categroy: rojo, of: [rojo, verde, azul]}", "9:11", "category"),
        ("    - x: {category: [rojo], of: [rojo, verde, azul]}", "9:21", "text"),
    ],
)
def test_wrong_categories_are_located(
    sample: str,
    where: str,
    words: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("language: en\n" + HEAD + sample + "\n")
    out = tmp_path / "out.pdf"
    for argv in (["check", str(path)], ["solve", str(path), "--format", "pdf", "-o", str(out)]):
        assert main(argv) == 2
        _, err = capsys.readouterr()
        assert "Traceback" not in err
        first = err.splitlines()[0]
        assert first.startswith(f"{path}:{where}: "), err
        assert words in first, err
    assert not out.exists()


def test_every_sample_lists_the_same_categories(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "language: en\n"
        + HEAD
        + "    - x: {category: rojo, of: [rojo, verde, azul]}\n"
        + "    - x: {category: rojo, of: [verde, rojo, azul]}\n"
        + "    - x: [1, 0, 0]\n"
    )
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{path}:10:31: sample 2 lists other categories, or the same in another order, than "
        "sample 1: every sample lists the same ones, one input each"
    ]


def test_categories_are_not_normalised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "language: en\n"
        + HEAD.replace("training:\n", "training:\n  normalize: minmax\n")
        + "    - x: {category: rojo, of: [rojo, verde, azul]}\n"
    )
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"{path}:10:7: sample 1 is a category"), err


def test_a_note_on_an_input_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Notes may name the new keys; one beyond the inputs is refused where it is written."""
    text = "language: en\n" + HEAD + "    - x: {category: rojo, of: [rojo, verde, azul]}\n"
    ok = text + "notes:\n  index: the first\n  x[3]: the last\n  params: three\n"
    lesson = lesson_from_text(ok, "notes")
    solution = solve(lesson)
    assert next(s for s in solution.steps if s.key == "x[3]").note == "the last"
    path = tmp_path / "bad.yaml"
    path.write_text(text + "notes:\n  x[4]: nowhere\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:11:3: " in err and "the network has 3 inputs" in err
