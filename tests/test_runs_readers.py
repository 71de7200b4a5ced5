"""Every reader of a lesson trained several ways (batch-1): the end screen and ``--plain``'s
end, the network picture of each run, the printed document's parts, data and results, the
app's status and history, exam variants.

The numbers compared are gradient descent written here in numpy (tests.test_runs.descend),
the runs' titles and settings those of lessons/batch-1.yaml.
"""

from __future__ import annotations

import asyncio
import re

import numpy as np
import pytest
from rich.cells import cell_len

from stepper.ending import summarize
from stepper.ending_text import lines
from stepper.lesson.load import lesson_from_text
from stepper.numbers import shown
from stepper.printers.document import build_document
from stepper.runs import compare, view
from stepper.steps import Phase, Solution
from stepper.variation import make_variant
from tests.conftest import solved
from tests.test_pictures_network import picture
from tests.test_runs import descend, lesson_text
from tests.tui_helpers import history_text, make_app, screen_lines, settle

TITLES = {"es": ["SGD (lote de 1)", "Mini-lote de 2", "Lote de 4"],
          "en": ["SGD (batch of 1)", "Mini-batch of 2", "Batch of 4"]}  # fmt: skip


@pytest.fixture(scope="module")
def batch1() -> Solution:
    return solved("batch-1")


def numpy_ends() -> list[tuple[int, list[str], str]]:
    """Each run's updates, final weights and mean loss, shown with batch-1's 4 decimals."""
    out = []
    for batch in (1, 2, 4):
        w, updates, loss = descend(np.zeros(2), batch, 1, 0.5)
        out.append((updates, [shown(float(v), 4) for v in w], shown(loss, 4)))
    return out


def test_the_comparison_is_numpys(batch1: Solution) -> None:
    compared = compare(batch1)
    assert compared is not None
    assert compared.side == ("inicio", *TITLES["es"])
    assert compared.rows[0] == ("", "0", "0", "")
    for row, (updates, weights, loss) in zip(compared.rows[1:], numpy_ends(), strict=True):
        assert row == (str(updates), *weights, loss)
    # the lecture's point: the same data seen once, more updates reach a lower loss
    losses = [float(row[-1]) for row in compared.rows[1:]]
    assert losses == sorted(losses) and len(set(losses)) == 3


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("width", [76, 56, 36])
def test_the_end_compares_the_runs_within_the_width(lang: str, width: int) -> None:
    summary = summarize(solved("batch-1", lang))
    text = [line.text for line in lines(summary, lang, width)]
    assert all(cell_len(t) <= width for t in text), text
    joined = "\n".join(text)
    for title in TITLES[lang]:
        assert title in joined
    for _, weights, loss in numpy_ends():
        assert all(w in joined for w in weights) and loss in joined
    # nothing of a lesson without runs is left half-empty
    assert summary.losses == () and summary.weights == () and summary.results == ()


def test_plain_ends_with_the_comparison(capsys: pytest.CaptureFixture[str]) -> None:
    import io
    import sys

    from stepper.cli import main

    stdin = sys.stdin
    sys.stdin = io.StringIO("all\n")
    try:
        assert main(["lesson", "batch-1", "--plain", "--lang", "en"]) == 0
    finally:
        sys.stdin = stdin
    out = capsys.readouterr().out
    end = out[out.index("End of the lesson.") :]
    assert "The runs compared" in end
    assert re.search(r"SGD \(batch of 1\)\s+4\s+0\.3883\s+0\.1686\s+0\.0022", end), end


def _at(solution: Solution, key: str) -> int:
    return next(k for k, s in enumerate(solution.steps) if s.key == key)


def test_each_runs_picture_starts_from_the_lessons_weights(batch1: Solution) -> None:
    """After SGD has updated w₁₀ to 0.52, the mini-batch's first step still shows w₁₀ = 0,
    and its first new weight shows the mini-batch's value."""
    k = _at(batch1, "minibatch.u[1,1]")
    text = picture(batch1, k, k)
    assert "w₁₀ = 0 " in text and "w₁₁ = 0 " in text and "w₁₀ → 0.52" not in text
    k = _at(batch1, "minibatch.w[1,1,0]")
    assert "w₁₀ → 0.535" in picture(batch1, k + 1, k)
    k = _at(batch1, "sgd.check.u[1,1]")
    text = picture(batch1, k + 1, k)
    assert "w₁₀ = 0.3883" in text or "w₁₀ → 0.3883" in text, text


def test_each_runs_picture_shows_its_own_learning_rate() -> None:
    runs = "    - {id: slow, learning_rate: 0.05}\n    - {id: fast, learning_rate: 0.9}"
    solution = solved_lesson(lesson_text(runs))
    for key, alpha in (("slow.u[1,1]", "α = 0.05"), ("fast.dw[1,1,0]", "α = 0.9")):
        k = _at(solution, key)
        assert alpha in picture(solution, k + 1, k)


def solved_lesson(text: str) -> Solution:
    from stepper.engine import solve

    return solve(lesson_from_text(text, "runs.yaml"))


def test_a_view_is_a_run_keyed_as_a_lesson_without_runs(batch1: Solution) -> None:
    for run in batch1.runs:
        one = view(batch1, run)
        assert one.runs == ()
        assert all("." not in s.key.split("[")[0].removeprefix("check.") for s in one.steps)
        assert any(q.key == "alpha" for s in one.steps for q in s.operands)


def test_the_document_has_a_part_per_run_with_its_data_and_the_comparison(
    batch1: Solution,
) -> None:
    doc = build_document(batch1)
    assert [p.title for p in doc.parts] == TITLES["es"]
    assert all([q.shown for q in p.settings] == ["0.5"] for p in doc.parts)
    for part in doc.parts:  # every section of a part is titled with its run
        later = [p.first for p in doc.parts if p.first > part.first]
        end = min(later, default=len(doc.sections))
        assert all(s.title.startswith(part.title + " · ") for s in doc.sections[part.first : end])
    assert sum(len(s.steps) for s in doc.sections) == len(batch1.steps)
    (given,) = doc.data
    runs = next(t for t in given.tables if t.title == "Las formas de entrenar")
    assert runs.side == tuple(TITLES["es"]) and runs.rows == (("1",), ("2",), ("4",))
    assert not given.values  # each run's α is in its part's heading, not three α's in a list
    (compared,) = doc.tables
    assert compared.title == "Las formas de entrenar, comparadas"
    assert compared.rows[1][1:3] == tuple(numpy_ends()[0][1])
    worksheet = build_document(batch1, blank="values")
    assert worksheet.tables == () and [p.title for p in worksheet.parts] == TITLES["es"]


def test_the_app_says_whose_step_this_is() -> None:
    async def run() -> None:
        app = make_app("batch-1")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("enter", "g", *"minibatch.dw[1,1,0]", "enter")
            await pilot.pause()
            status = "\n".join(screen_lines(app)[-3:])
            assert "minibatch" in status and "actualización" in status
            assert "Mini-lote de 2" in history_text(app)
            assert "SGD (lote de 1)" not in history_text(app).split("Mini-lote de 2")[-1]

    asyncio.run(run())


def test_variants_of_a_lesson_with_runs() -> None:
    text = lesson_text().replace(
        "training:", "variants:\n  weights: {min: -0.5, max: 0.5, step: 0.1}\ntraining:"
    )
    lesson = lesson_from_text(text, "runs.yaml")
    variant = make_variant(lesson, "a1b2")
    from stepper.engine import solve

    solution = solve(variant)
    assert [r.id for r in solution.runs] == ["sgd", "minibatch", "batch"]
    w = np.array(variant.network.layers[0].weights[0])
    expected, _, _ = descend(w, 2, 2, 0.5)
    got = [s.value for s in solution.steps if s.key.startswith("minibatch.w[")][-2:]
    assert got == pytest.approx(expected.tolist(), rel=1e-12)
    assert all(s.phase is not Phase.INPUT for s in solution.steps)


def test_the_json_lists_the_runs(batch1: Solution) -> None:
    import json

    from stepper.printers import Options
    from stepper.printers.json_printer import render

    document = json.loads(render(batch1, Options()))
    runs = document["lesson"]["runs"]
    assert [(r["id"], r["prefix"], r["settings"]) for r in runs] == [
        ("sgd", "sgd.", {"batch_size": 1}),
        ("minibatch", "minibatch.", {"batch_size": 2}),
        ("batch", "batch.", {"batch_size": 4}),
    ]
    assert all(s["key"].startswith(tuple(r["prefix"] for r in runs)) for s in document["steps"])
