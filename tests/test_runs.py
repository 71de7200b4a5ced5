"""``training.runs``: one dense lesson trained several ways side by side (issue 13, batch-1).

The weights each run reaches are checked against gradient descent written here in numpy (and
in torch, where it is installed), never against the engine; the keys, the iterations and the
check over every sample against the rules docs/lessons.md states; every wrong value of the new
fields against a located message.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from stepper.cli import main
from stepper.engine import solve
from stepper.lesson.checks import step_count
from stepper.lesson.errors import LessonError
from stepper.lesson.load import lesson_from_text
from stepper.steps import Phase, Solution, run_of

pytestmark = pytest.mark.usefixtures("english_problems")

#: regression-1's data: salary by age, normalised.
X = [0.5, 0.65, 0.8, 0.95]
Y = [0.52, 0.55, 0.57, 0.59]

LESSON = """\
id: runs-test
language: en
network:
  inputs: 1
  layers:
    - activation: linear
      weights:
        - [{w0}, {w1}]
training:
  learning_rate: {alpha}
  loss: sse
  epochs: {epochs}
  runs:
{runs}
  samples:
"""
SAMPLES = "".join(f"    - {{x: [{x}], y: [{y}]}}\n" for x, y in zip(X, Y, strict=True))

RUNS = """\
    - {id: sgd, batch_size: 1}
    - {id: minibatch, batch_size: 2}
    - {id: batch, batch_size: 4}"""


def lesson_text(
    runs: str = RUNS, *, alpha: float = 0.5, epochs: int = 2, w: tuple[float, float] = (0, 0)
) -> str:
    return LESSON.format(runs=runs, alpha=alpha, epochs=epochs, w0=w[0], w1=w[1]) + SAMPLES


def solved_text(text: str) -> Solution:
    return solve(lesson_from_text(text, "runs.yaml"))


def descend(w: np.ndarray, batch: int, epochs: int, alpha: float) -> tuple[np.ndarray, int, float]:
    """A linear neuron ỹ = w₀ + w₁x trained on the lesson's data with the lecture's ε², batch
    by batch: w → w − α · mean over the batch of ∂ε²/∂w. Returns the weights, the number of
    updates and the mean ε² over every sample with those weights."""
    x = np.column_stack([np.ones(len(X)), np.array(X)])
    y = np.array(Y)
    w = w.astype(np.float64).copy()
    updates = 0
    for _ in range(epochs):
        for start in range(0, len(X), batch):
            xb, yb = x[start : start + batch], y[start : start + batch]
            error = yb - xb @ w
            gradient = (-2 * error[:, None] * xb).mean(axis=0)
            w = w - alpha * gradient
            updates += 1
    loss = float(((y - x @ w) ** 2).mean())
    return w, updates, loss


def final(solution: Solution, prefix: str, name: str) -> float:
    """The value of a run's last step of key ``prefix + name``."""
    return [s for s in solution.steps if s.key == prefix + name][-1].value


@pytest.mark.parametrize("epochs", [1, 2, 3])
@pytest.mark.parametrize("alpha", [0.5, 0.1])
@pytest.mark.parametrize("w", [(0.0, 0.0), (0.3, -0.2)])
def test_each_run_reaches_numpys_weights(epochs: int, alpha: float, w: tuple[float, float]) -> None:
    solution = solved_text(lesson_text(alpha=alpha, epochs=epochs, w=w))
    for run, batch in zip(solution.runs, (1, 2, 4), strict=True):
        expected, updates, loss = descend(np.array(w), batch, epochs, alpha)
        got = [final(solution, run.prefix, f"w[1,1,{j}]") for j in range(2)]
        assert got == pytest.approx(expected.tolist(), rel=1e-12, abs=1e-14)
        iterations = {s.iteration for s in solution.steps if s.key.startswith(run.prefix)}
        assert iterations == set(range(1, updates + 1))
        assert final(solution, run.prefix, "check.batch_loss") == pytest.approx(loss, rel=1e-12)


def test_sgd_minibatch_and_batch_differ_and_sgd_gets_furthest_in_one_epoch() -> None:
    """The point of the lesson: the same samples seen once, SGD updates four times, mini-batch
    twice, batch once; from w = 0 with α = 0.5 more updates reach a lower loss."""
    solution = solved_text(lesson_text(epochs=1))
    losses = [final(solution, r.prefix, "check.batch_loss") for r in solution.runs]
    assert losses[0] < losses[1] < losses[2]
    ends = {
        tuple(final(solution, r.prefix, f"w[1,1,{j}]") for j in range(2)) for r in solution.runs
    }
    assert len(ends) == 3


def test_torch_agrees_on_every_run() -> None:
    torch = pytest.importorskip("torch")
    solution = solved_text(lesson_text(alpha=0.1, epochs=2, w=(0.3, -0.2)))
    x = torch.tensor(X, dtype=torch.float64)
    y = torch.tensor(Y, dtype=torch.float64)
    for run, batch in zip(solution.runs, (1, 2, 4), strict=True):
        w = torch.tensor([0.3, -0.2], dtype=torch.float64, requires_grad=True)
        optimizer = torch.optim.SGD([w], lr=0.1)
        for _ in range(2):
            for start in range(0, 4, batch):
                optimizer.zero_grad()
                xb, yb = x[start : start + batch], y[start : start + batch]
                ((yb - (w[0] + w[1] * xb)) ** 2).mean().backward()
                optimizer.step()
        got = [final(solution, run.prefix, f"w[1,1,{j}]") for j in range(2)]
        assert got == pytest.approx(w.detach().tolist(), rel=1e-12)


def test_keys_are_prefixed_and_each_run_starts_from_the_lessons_weights() -> None:
    solution = solved_text(lesson_text(w=(0.3, -0.2)))
    assert [r.id for r in solution.runs] == ["sgd", "minibatch", "batch"]
    assert [r.settings for r in solution.runs] == [
        (("batch_size", 1),),
        (("batch_size", 2),),
        (("batch_size", 4),),
    ]
    owners = [run_of(s.key, solution.runs)[0] for s in solution.steps]
    assert all(owner is not None for owner in owners)
    # the runs come one after the other, each a block of steps
    order = [o.id for k, o in enumerate(owners) if o is not None and (k == 0 or owners[k - 1] != o)]
    assert order == ["sgd", "minibatch", "batch"]
    for run in solution.runs:
        first_u = next(s for s in solution.steps if s.key == run.prefix + "u[1,1]")
        weights = [q for q in first_u.operands if q.key.startswith("w[")]
        assert [(q.key, q.value, q.step) for q in weights] == [
            ("w[1,1,0]", 0.3, None),
            ("w[1,1,1]", -0.2, None),
        ]
        dw = next(s for s in solution.steps if s.key.startswith(run.prefix + "dw["))
        assert next(q.key for q in dw.operands) == run.prefix + "alpha"


def test_a_run_that_changes_nothing_trains_as_the_lesson_does() -> None:
    """One run with no field of its own: the same updates as the lesson without runs, with its
    keys prefixed; only its check passes every sample, not only the last batch."""
    plain = solved_text(lesson_text().replace("  runs:\n" + RUNS + "\n", "  batch_size: 2\n"))
    one = solved_text(
        lesson_text("    - {id: only}").replace("epochs: 2", "epochs: 2\n  batch_size: 2")
    )
    trained = [s for s in plain.steps if s.phase is not Phase.CHECK]
    ran = [s for s in one.steps if s.phase is not Phase.CHECK]
    assert ["only." + s.key for s in trained] == [s.key for s in ran]
    assert [s.value for s in trained] == [s.value for s in ran]
    checked = {s.sample for s in one.steps if s.key == "only.check.loss"}
    assert checked == {1, 2, 3, 4}
    assert {s.sample for s in plain.steps if s.key == "check.loss"} == {3, 4}


def test_a_run_overrides_learning_rate_and_epochs() -> None:
    runs = """\
    - {id: slow, learning_rate: 0.05, epochs: 1}
    - {id: fast, epochs: 3}"""
    solution = solved_text(lesson_text(runs))
    for run, (alpha, epochs) in zip(solution.runs, ((0.05, 1), (0.5, 3)), strict=True):
        expected, _, _ = descend(np.zeros(2), 1, epochs, alpha)
        got = [final(solution, run.prefix, f"w[1,1,{j}]") for j in range(2)]
        assert got == pytest.approx(expected.tolist(), rel=1e-12)
        alphas = {
            q.value for s in solution.steps for q in s.operands if q.key == run.prefix + "alpha"
        }
        assert alphas == {alpha}


def test_the_check_of_a_run_compares_the_batch_loss_only_with_the_same_batch() -> None:
    """The mini-batch's last iteration is samples 3-4: its loss before the update is no
    comparison for the mean over every sample after it; the batch run's is."""
    solution = solved_text(lesson_text())
    mini = next(s for s in solution.steps if s.key == "minibatch.check.batch_loss")
    whole = next(s for s in solution.steps if s.key == "batch.check.batch_loss")
    before = [s for s in solution.steps if s.key == "batch.batch_loss"][-1]
    assert before.shown in whole.explanation
    assert not re.search(r"\d\.\d+ → ", mini.explanation)


def test_step_count_agrees_with_the_engine_for_runs() -> None:
    solution = solved_text(lesson_text(epochs=3))
    expected = sum(
        step_count([1], 2, [True] * 4, batch, 3, trains=True, check_all=True) for batch in (1, 2, 4)
    )
    assert len(solution.steps) == expected


def test_notes_and_explanations_name_prefixed_keys() -> None:
    text = lesson_text().replace(
        "training:",
        'notes:\n  sgd.w[1,1,0]: "First SGD update"\nexplanations:\n'
        '  "*.check.batch_loss": {append: "Compare the runs."}\ntraining:',
    )
    solution = solved_text(text)
    first = next(s for s in solution.steps if s.key == "sgd.w[1,1,0]")
    assert first.note == "First SGD update"
    for run in solution.runs:
        step = next(s for s in solution.steps if s.key == run.prefix + "check.batch_loss")
        assert step.explanation.endswith("Compare the runs.")


# -- hostile input -------------------------------------------------------------------------------


def problems(text: str) -> list[str]:
    with pytest.raises(LessonError) as caught:
        lesson_from_text(text, "runs.yaml")
    return str(caught.value).splitlines()


def place_of(text: str, needle: str, nth: int = 0) -> str:
    """``LINE:COL`` of the ``nth`` ``needle`` in ``text`` (1-based)."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"{line}:{col}"


@pytest.mark.parametrize(
    ("runs", "needle", "nth", "phrase"),
    [
        (
            "    - {id: a, batch_size: 1}\n    - {id: a, batch_size: 2}",
            "a, batch_size: 2",
            0,
            "runs 1 and 2 are both called 'a'",
        ),
        ("    - {id: check}", "check}", 0, "cannot be a run's id"),
        ("    - {batch_size: 2}", "{batch_size", 0, "'id'"),
        ("    - {id: a.b}", "a.b", 0, "id"),
        ("    - {id: 1a}", "1a", 0, "id"),
        ("    - {id: a, batch_size: 0}", "0}", 0, "≥ 1"),
        ("    - {id: a, epochs: 0}", "0}", 0, "≥ 1"),
        ("    - {id: a, learning_rate: 0}", "0}", 0, "> 0"),
        ("    - {id: a, learning_rate: .nan}", ".nan", 0, "finite"),
        ("    - {id: a, batch_size: 1.5}", "1.5", 0, "whole"),
        ("    - {id: a, batch_size: '2'}", "'2'", 0, ""),
        ("    - {id: a, loss: sse}", "loss: sse}", 0, "'loss' does not belong here"),
        ("    - {id: a, batchsize: 2}", "batchsize", 0, "did you mean 'batch_size'"),
        ("    - 3", "3", 0, ""),
        ("    []", "[]", 0, ""),
    ],
)
def test_a_wrong_run_is_located(runs: str, needle: str, nth: int, phrase: str) -> None:
    text = lesson_text(runs)
    found = problems(text)
    where = place_of(text, needle, nth)
    assert any(line.startswith(f"runs.yaml:{where}: ") and phrase in line for line in found), (
        found,
        where,
    )


def test_too_many_runs_are_refused() -> None:
    runs = "\n".join(f"    - {{id: r{k}}}" for k in range(11))
    found = problems(lesson_text(runs))
    assert any("runs" in line and "10" in line for line in found), found


def test_a_run_without_a_learning_rate_is_located() -> None:
    text = lesson_text("    - {id: a, learning_rate: 0.1}\n    - {id: b}").replace(
        "  learning_rate: 0.5\n", ""
    )
    found = problems(text)
    assert found == [
        f"runs.yaml:{place_of(text, '{id: b}')}: run b needs a learning_rate α: "
        "give it in the run or in training"
    ]


def test_runs_need_a_target_on_every_sample() -> None:
    text = lesson_text().replace("    - {x: [0.8], y: [0.57]}", "    - {x: [0.8]}")
    found = problems(text)
    assert any("sample 3 has no target" in line for line in found), found


@pytest.mark.parametrize(
    ("key", "phrase"),
    [
        ("w[1,1,0]", "starts with a run's id (sgd, minibatch, batch)"),
        ("other.w[1,1,0]", "run 'other', which the lesson does not have"),
        ("sgd.w[1,1,7]", "is for no step"),
        ("sgd.q[1]", "is not a step key"),
    ],
)
def test_a_note_must_name_a_runs_key(key: str, phrase: str) -> None:
    text = lesson_text().replace("training:", f"notes:\n  {key}: hello\ntraining:")
    found = problems(text)
    assert len(found) == 1 and phrase in found[0], found
    assert found[0].startswith(f"runs.yaml:{place_of(text, key)}: ")


def test_the_step_limit_counts_every_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = "\n".join(f"    - {{id: r{k}, epochs: 30000}}" for k in range(10))
    lesson = tmp_path / "big.yaml"
    lesson.write_text(lesson_text(runs), encoding="utf-8")
    assert main(["check", str(lesson)]) == 2
    err = capsys.readouterr().err
    assert "steps" in err and "1000000" in err.replace(",", "").replace(" ", ""), err
