"""The lesson's data and results as the printed documents show them (stepper.printers.data):
checked against the lesson files themselves, read here with a plain YAML parser, and against
the defaults docs/lessons.md states; then that every format prints them."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from stepper.catalog import builtin_folder
from stepper.notation import Sym
from stepper.printers import REGISTRY, Options
from stepper.printers.data import ELIDED, LIMIT, Table, build_data, build_results, grid
from stepper.steps import Solution
from tests.conftest import solved


def _lesson(lesson_id: str) -> Any:
    path = Path(builtin_folder()) / f"{lesson_id}.yaml"
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _numbers(rows: tuple[tuple[Sym | str, ...], ...]) -> list[list[float]]:
    return [[float(c) for c in row if isinstance(c, str)] for row in rows]


def _values(solution: Solution, title: str | None) -> dict[str, float]:
    (group,) = [g for g in build_data(solution) if g.title == title]
    return {sym.unicode(): float(shown) for sym, shown in group.values}


def test_optimizers_1_gives_each_optimisers_own_parameters() -> None:
    """The review: the PDF listed only α = 0.0005 and ξ = 10⁻¹⁰, the HTML every α and ξ without
    saying whose. Each optimiser's group has its own, from the lesson or the documented
    defaults (Adagrad ξ = 10⁻¹⁰, Adam β₁ = 0.9, β₂ = 0.999, ξ = 10⁻⁸)."""
    solution = solved("optimizers-1")
    lesson = _lesson("optimizers-1")
    assert _values(solution, None) == {"x": -1.5, "y": 2.0}
    assert lesson["start"] == [-1.5, 2]
    expected = {
        "Momento": {"α": 0.0005, "β": 0.9, "Δx": 0, "Δy": 0},
        "Nesterov": {"α": 0.0005, "β": 0.9, "Δx": 0, "Δy": 0},
        "Adagrad": {"α": 0.1, "ξ": 1e-10, "G₁": 0, "G₂": 0},
        "AdaDelta": {"ρ": 0.9, "ξ": 0.001, "E[g²]₁": 0, "E[g²]₂": 0, "E[Δx²]": 0, "E[Δy²]": 0},
        "Adam": {
            "α": 0.1,
            "β₁": 0.9,
            "β₂": 0.999,
            "ξ": 1e-8,
            "n": 1,
            "m₁": 0,
            "m₂": 0,
            "r₁": 0,
            "r₂": 0,
        },
    }
    for title, values in expected.items():
        assert _values(solution, title) == values, title
    # The learning rate first, as the lecture writes the update.
    assert next(iter(_values(solution, "Adam"))) == "α"


def test_dense_weights_are_each_layers_matrix_as_the_lesson_writes_it() -> None:
    """backprop-2: W of layer 1 (w, 2×3) and the vector t of layer 2, each row the lesson's
    row [bias, w_i1, …], headed by the net input it feeds and the inputs it multiplies."""
    solution = solved("backprop-2")
    lesson = _lesson("backprop-2")
    network = lesson["network"]
    assert isinstance(network, dict)
    layers = network["layers"]
    (group,) = build_data(solution)
    weights = [t for t in group.tables if t.corner in (Sym("w"), Sym("t"))]
    assert [t.corner for t in weights] == [Sym("w"), Sym("t")]
    for table, layer in zip(weights, layers, strict=True):
        assert _numbers(table.rows) == [[float(w) for w in row] for row in layer["weights"]]
    assert weights[0].head == (Sym("x", (0,)), Sym("x", (1,)), Sym("x", (2,)))
    assert weights[0].side == (Sym("u", (1,)), Sym("u", (2,)))
    assert weights[1].head == (Sym("z", (0,)), Sym("z", (1,)), Sym("z", (2,)))
    assert weights[1].side == (Sym("u", (3,)),)
    samples = group.tables[0]
    assert samples.head == (Sym("x", (1,)), Sym("x", (2,)), Sym("y", (1,)))
    sample = lesson["training"]["samples"][0]
    assert _numbers(samples.rows) == [[*sample["x"], *sample["y"]]]
    assert {s.unicode(): float(v) for s, v in group.values} == {"α": 0.1}


def test_new_weights_follow_the_layers() -> None:
    """The results: each layer's new W in the shape of its old one, each cell the last value
    the update steps give that weight (not rows of four pairs with empty cells)."""
    solution = solved("backprop-2")
    last = {s.key: s.shown for s in solution.steps if s.relation == "→"}
    new = [t for t in build_results(solution) if t.corner]
    assert [t.corner for t in new] == [Sym("w"), Sym("t")]
    assert new[0].rows == tuple(tuple(last[f"w[1,{i},{j}]"] for j in range(3)) for i in (1, 2))
    assert new[1].rows == (tuple(last[f"w[2,1,{j}]"] for j in range(3)),)
    # Hand-worked in the lecture's example: t₃₀ = 0.2 + 2·0.1·1·δ₃ with δ₃ = 0.7067.
    assert float(new[1].rows[0][0]) == pytest.approx(0.2 + 2 * 0.1 * 0.7067, abs=1e-4)


def test_cnn_1_image_kernel_and_head_as_grids() -> None:
    solution = solved("cnn-1")
    lesson = _lesson("cnn-1")
    (group,) = build_data(solution)
    image, kernel, head = group.tables
    assert _numbers(image.rows) == [[float(v) for v in row] for row in lesson["image"]]
    kernels = lesson["kernels"]
    assert isinstance(kernels, list)
    assert _numbers(kernel.rows) == [[float(v) for v in row] for row in kernels[0]["weights"]]
    dense = lesson["dense"]
    assert isinstance(dense, dict)
    assert _numbers(head.rows) == [[float(v) for v in row] for row in dense["weights"]]
    # The head's columns are the bias input and the pooled cells it multiplies.
    assert [h.unicode() for h in head.head if isinstance(h, Sym)] == [
        "f₀",
        "m₁₁",
        "m₁₂",
        "m₂₁",
        "m₂₂",
    ]
    values = {s.unicode(): float(v) for s, v in group.values}
    assert values["α"] == lesson["learning_rate"]
    assert values["b₁"] == kernels[0]["bias"]
    assert [values["y₁"], values["y₂"]] == lesson["target"]
    new_kernel = [t for t in build_results(solution) if len(t.rows) == 3 and len(t.rows[0]) == 3]
    assert len(new_kernel) == 1  # a 3×3 grid, as the kernel is


def test_a_large_matrix_keeps_its_first_and_last_rows_and_columns() -> None:
    cells = {(r, c): f"{r}.{c}" for r in range(1, 31) for c in range(785)}
    table = grid("W", cells, Sym("w"))
    assert len(table.rows) == LIMIT and len(table.head) == LIMIT
    assert table.rows[0][0] == "1.0" and table.rows[-1][-1] == "30.784"
    assert table.head[-2] == ELIDED and table.side[-2] == ELIDED
    assert all(c == ELIDED for c in table.rows[-2])


def _text(document: str | bytes) -> str:
    assert isinstance(document, str)
    return unescape(re.sub(r"<[^>]+>", " ", document))


@pytest.mark.parametrize("fmt", ["md", "tex", "html"])
def test_every_format_prints_the_data_per_optimiser(fmt: str) -> None:
    """Each optimiser's name heads its data in the Datos section, before the first step."""
    document = _text(REGISTRY[fmt].render(solved("optimizers-1"), Options()))
    given = document[document.index("Datos") : document.index("punto de partida")]
    names = ["Momento", "Nesterov", "Adagrad", "AdaDelta", "Adam"]
    at = [given.find(name) for name in names]
    assert all(k >= 0 for k in at) and at == sorted(at)


@pytest.mark.parametrize("fmt", ["md", "tex", "html"])
def test_every_format_prints_the_weight_matrices(fmt: str) -> None:
    document = REGISTRY[fmt].render(solved("backprop-2"), Options())
    assert isinstance(document, str)
    assert "Capa 1: pesos iniciales" in document and "Capa 2: pesos nuevos" in document


def test_pairs_are_told_from_matrices() -> None:
    assert Table("t", ((Sym("b", (1,)), "0.2"),)).pairs
    assert not grid("g", {(1, 1): "1", (1, 2): "2"}).pairs


def test_the_image_and_kernels_are_set_once_where_the_picture_shows_them() -> None:
    """cnn-1's picture draws the image and the kernel as grids of their numbers: the HTML does
    not set them again, while the LaTeX source keeps them as tables to edit."""
    solution = solved("cnn-1")
    (group,) = build_data(solution)
    assert [t.drawn for t in group.tables] == [True, True, False]
    html = REGISTRY["html"].render(solution, Options())
    latex = REGISTRY["tex"].render(solution, Options())
    assert isinstance(html, str) and isinstance(latex, str)
    assert "<figcaption>Imagen</figcaption>" not in html
    assert "<figcaption>Capa densa: pesos iniciales</figcaption>" in html
    given = latex[latex.index("Datos") : latex.index("Tamaños")]
    assert "{Imagen}" in given and "{Kernel 1: bordes verticales}" in given
