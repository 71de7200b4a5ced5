"""A recurrent lesson's numbers are right: every forward value, every error reaching a state,
every δ, increment and new weight of the engine's steps, key by key, against this test's own
cell (tests/recurrent_reference.py: numpy from issue 14's equations, BPTT by hand) and against
central finite differences of its loss. torch autograd is the third witness, in
test_recurrent_torch.py, so that these run without torch.

The lessons: the built-in recurrent ones and randomised ones of every cell (1–3 inputs and
hidden units, 1–5 time steps, no output / an output after the last step / one at every step,
sse and half_sse, initial states given or not, forward only), written as YAML text and loaded
as a user's file is.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from functools import cache

import numpy as np
import pytest

from stepper.engine import solve
from stepper.lesson.load import lesson_from_text
from stepper.lesson.schema import CELL_GATES, RecurrentLesson
from stepper.steps import Solution, Step
from tests import recurrent_reference as ref
from tests.conftest import builtin_ids_of, builtin_lesson
from tests.test_substitution import check_substitutions

#: The engine's values against the same equations in float64, summed in another order.
CLOSE = (1e-10, 1e-12)  # relative, absolute
# Central differences with h = 1e-6 (as tests/test_gradients.py): truncation ≈ 1e-12 and
# rounding ≈ 1e-10 for these losses; a wrong factor, sign or missing term is far larger.
FD = (1e-5, 1e-6)

#: The issue's four lessons.
ISSUE_LESSONS = ("rnn-1", "lstm-1", "gru-1", "rnn-2")

#: Each randomised lesson's shape, cycled through by its number so that every cell meets every
#: output (none, after the last step, at every step) with both losses, with and without
#: initial states (numbers 0–11); then two without targets (worked forward only), two without
#: a learning rate (no update) and one rounded on paper (``round_intermediate``).
OUTPUTS = ("none", "last", "every")
LOSSES = ("sse", "half_sse")
ACTIVATIONS = ("linear", "tanh", "sigmoid", "identity")
FORWARD_ONLY, NO_RATE, ROUNDED = (12, 13), (14, 15), 16
DISPLAY = {False: "decimals: 5", True: "decimals: 4, round_intermediate: true"}
RANDOM = [(cell, n) for cell in CELL_GATES for n in range(17)]


def _row(rng: random.Random, size: int) -> str:
    return "[" + ", ".join(repr(round(rng.uniform(-1, 1), 2)) for _ in range(size)) + "]"


def random_lesson(cell: str, n: int) -> str:
    """A lesson as YAML text: number ``n`` picks output, loss and initial states, or one of the
    variants after them (see ``OUTPUTS``); its numbers come from a generator seeded by cell
    and n."""
    rng = random.Random(f"{cell}-{n}")
    output, loss = OUTPUTS[n % 3], LOSSES[n // 3 % 2]
    initial = n // 6 % 2 == 1
    inputs, hidden, steps = rng.randint(1, 3), 1 + n % 3 if n % 4 else 3, 1 + n % 5
    width = 1 + inputs + hidden
    lines = [
        f"id: random-{cell}-{n}",
        "kind: recurrent",
        f"cell: {cell}",
        f"inputs: {inputs}",
        f"hidden: {hidden}",
        f"display: {{{DISPLAY[n == ROUNDED]}}}",
        "sequence:",
        *(f"  - {_row(rng, inputs)}" for _ in range(steps)),
    ]
    if initial:  # an LSTM's h₀ alone (7), c₀ alone (8), or both
        states = [f"h: {_row(rng, hidden)}"] if cell != "lstm" or n != 8 else []
        if cell == "lstm" and n != 7:
            states.append(f"c: {_row(rng, hidden)}")
        lines.append(f"initial: {{{', '.join(states)}}}")
    lines.append("gates:")
    for gate in CELL_GATES[cell]:
        lines.append(f"  {gate}: [{', '.join(_row(rng, width) for _ in range(hidden))}]")
    size = hidden
    if output != "none":
        size = rng.randint(1, 2)
        lines += [
            "output:",
            f"  activation: {ACTIVATIONS[n % 4]}",
            f"  weights: [{', '.join(_row(rng, 1 + hidden) for _ in range(size))}]",
            f"  every_step: {str(output == 'every').lower()}",
        ]
    if n not in FORWARD_ONLY:
        lines.append("targets:")
        lines += [f"  - {_row(rng, size)}" for _ in range(steps if output == "every" else 1)]
        rate = round(rng.uniform(0.05, 1.0), 2)
        lines.append(
            f"training: {{{'' if n in NO_RATE else f'learning_rate: {rate}, '}loss: {loss}}}"
        )
    return "\n".join(lines) + "\n"


def net_of(lesson: RecurrentLesson) -> ref.Net:
    """The reference's cell with a lesson's numbers (zeros for states it does not give)."""
    hidden = lesson.hidden
    initial = lesson.initial
    zeros = [0.0] * hidden
    output = lesson.output
    training = lesson.training
    return ref.Net(
        cell=lesson.cell,
        gates={name: np.array(m, dtype=float) for name, m in lesson.gates.given().items()},
        sequence=np.array(lesson.sequence, dtype=float),
        h0=np.array((initial and initial.h) or zeros, dtype=float),
        c0=np.array((initial and initial.c) or zeros, dtype=float),
        output=None if output is None else np.array(output.weights, dtype=float),
        activation="linear" if output is None else output.activation,
        every_step=output is not None and output.every_step,
        targets=None if lesson.targets is None else np.array(lesson.targets, dtype=float),
        loss="sse" if training is None else training.loss,
        alpha=None
        if training is None or training.learning_rate is None
        else training.learning_rate,
    )


def random_loaded(cell: str, n: int) -> RecurrentLesson:
    lesson = lesson_from_text(random_lesson(cell, n), f"random-{cell}-{n}.yaml")
    assert isinstance(lesson, RecurrentLesson)
    return lesson


def random_net(cell: str, n: int) -> ref.Net:
    return net_of(random_loaded(cell, n))


@cache
def random_case(cell: str, n: int) -> tuple[ref.Net, Solution]:
    lesson = random_loaded(cell, n)
    return net_of(lesson), solve(lesson)


@cache
def builtin_case(lesson_id: str) -> tuple[ref.Net, Solution]:
    lesson = builtin_lesson(lesson_id)
    assert isinstance(lesson, RecurrentLesson)
    return net_of(lesson), solve(lesson)


# Comparing by key ------------------------------------------------------------------------------

#: The keys the brief names, by their name before "[": the check phase's are these again.
FORWARD = {"u", "h", "c", "f", "i", "g", "o", "r", "z", "n", "y", "e", "loss"}
BACKWARD = {"do", "dh", "dc", "d", "dw", "dt"}
UPDATE = {"w", "t"}


def name_of(key: str) -> str:
    return key.removeprefix("check.").split("[")[0]


def full_value(step: Step) -> float:
    """The step's value in full precision: the exact one when the lesson rounds on paper."""
    return step.exact if step.exact is not None else step.value


def compare(
    solution: Solution, expected: ref.Values, tolerance: tuple[float, float], names: Iterable[str]
) -> int:
    """Every step whose key's name is in ``names`` has the expected value, and every expected
    key of those names is a step; the count of steps compared (so a test sees it is not 0)."""
    names = set(names)
    steps = {s.key: s for s in solution.steps if name_of(s.key) in names}
    wanted = {key for key in expected if name_of(key) in names}
    assert sorted(steps.keys() - wanted) == [], "steps the reference does not know"
    assert sorted(wanted - steps.keys()) == [], "keys the solution has no step for"
    wrong = [
        (key, full_value(step), expected[key])
        for key, step in steps.items()
        if full_value(step) != pytest.approx(expected[key], rel=tolerance[0], abs=tolerance[1])
    ]
    assert wrong == [], "(key, engine, expected)"
    return len(steps)


def shown(net: ref.Net, values: ref.Values) -> ref.Values:
    """The values a solution shows: an output's δ (``do``) only where the output squashes (a
    linear output's δ is its ε); the output's pre-activation (``v``) never, ỹ being one step."""
    linear = net.activation in ("linear", "identity")
    return {
        key: value
        for key, value in values.items()
        if name_of(key) != "v" and not (linear and name_of(key) == "do")
    }


def check_against_reference(net: ref.Net, solution: Solution) -> None:
    """Forward, backward, update and check phase against the reference by hand; every
    backward key and new weight against finite differences too."""
    if net.targets is None:
        assert compare(solution, shown(net, ref.forward(net)), CLOSE, FORWARD) > 0
        assert not [s.key for s in solution.steps if name_of(s.key) in BACKWARD | UPDATE]
        return
    everything = shown(net, ref.everything(net, ref.backward(net)))
    assert compare(solution, everything, CLOSE, FORWARD | BACKWARD | UPDATE) > 0
    differences = ref.finite_differences(net)
    by_differences = shown(net, differences | ref.new_weights(net, differences))
    assert compare(solution, by_differences, FD, BACKWARD | UPDATE) > 0


# The reference itself --------------------------------------------------------------------------


def test_the_reference_works_rnn_1_by_hand() -> None:
    """The issue's rnn-1, by hand: h₁ = tanh(0.1 + 0.5·0.1), h₂ = tanh(0.1 + 0.5·0.7 + 0.8·h₁),
    ỹ = h₂, ε = 1 − ỹ; δ₂ = ε(1 − h₂²), and δ₁ = 0.8·δ₂·(1 − h₁²), the term from step 2."""
    net = ref.Net(
        cell="rnn",
        gates={"h": np.array([[0.1, 0.5, 0.8]])},
        sequence=np.array([[0.1], [0.7]]),
        h0=np.zeros(1),
        c0=np.zeros(1),
        output=np.array([[0.0, 1.0]]),
        targets=np.array([[1.0]]),
        alpha=0.1,
    )
    h1 = np.tanh(0.15)
    h2 = np.tanh(0.45 + 0.8 * h1)
    e = 1 - h2
    d2 = e * (1 - h2**2)
    d1 = 0.8 * d2 * (1 - h1**2)
    values = ref.everything(net, ref.backward(net))
    assert values["h[1,1]"] == pytest.approx(h1, rel=1e-15)
    assert values["h[2,1]"] == pytest.approx(h2, rel=1e-15)
    assert values["loss"] == pytest.approx(e**2, rel=1e-15)
    assert values["d[h,2,1]"] == pytest.approx(d2, rel=1e-14)
    assert values["d[h,1,1]"] == pytest.approx(d1, rel=1e-14)
    assert values["dh[1,1]"] == pytest.approx(0.8 * d2, rel=1e-14)
    assert values["dw[h,1,1]"] == pytest.approx(2 * 0.1 * (0.1 * d1 + 0.7 * d2), rel=1e-14)
    assert values["w[h,1,2]"] == pytest.approx(0.8 + 2 * 0.1 * h1 * d2, rel=1e-14)
    assert values["dt[1,1]"] == pytest.approx(2 * 0.1 * h2 * e, rel=1e-14)
    assert values["check.loss"] < values["loss"]


@pytest.mark.parametrize(("cell", "n"), RANDOM)
def test_the_reference_agrees_with_finite_differences(cell: str, n: int) -> None:
    """BPTT by hand in the reference is the loss's slope, for every cell and shape (so a
    reference mistake cannot hide behind an engine with the same one)."""
    net = random_net(cell, n)
    if net.targets is None:
        return
    by_hand, differences = ref.backward(net), ref.finite_differences(net)
    assert by_hand.keys() == differences.keys()
    for key, value in differences.items():
        assert by_hand[key] == pytest.approx(value, rel=FD[0], abs=FD[1]), key


def test_the_random_lessons_cover_what_the_issue_asks() -> None:
    """Every cell with several units, lengths 1 to 5, each kind of output, both losses, given
    initial states and zeros, and forward-only lessons."""
    nets = [random_net(cell, n) for cell, n in RANDOM]
    for cell in CELL_GATES:
        mine = [net for net in nets if net.cell == cell]
        assert {net.steps for net in mine} == {1, 2, 3, 4, 5}
        assert max(net.hidden for net in mine) >= 2
        assert max(net.inputs for net in mine) >= 2
        shapes = {
            ("none" if net.output is None else "every" if net.every_step else "last", net.loss)
            for net in mine
            if net.targets is not None
        }
        assert shapes == {(o, loss) for o in OUTPUTS for loss in LOSSES}
        assert {bool(net.h0.any()) for net in mine} == {True, False}
        assert any(net.targets is None for net in mine)
        assert any(net.targets is not None and net.alpha is None for net in mine)
    lstm = {(bool(net.h0.any()), bool(net.c0.any())) for net in nets if net.cell == "lstm"}
    assert lstm == {(False, False), (True, False), (False, True), (True, True)}


# The engine -----------------------------------------------------------------------------------


def test_the_issue_lessons_are_built_in() -> None:
    """The four lessons of issue 14 are among those compared below."""
    assert set(ISSUE_LESSONS) <= set(builtin_ids_of("recurrent"))


@pytest.mark.parametrize("lesson_id", builtin_ids_of("recurrent"))
def test_builtin_lesson_numbers(lesson_id: str) -> None:
    check_against_reference(*builtin_case(lesson_id))


@pytest.mark.parametrize(("cell", "n"), RANDOM)
def test_random_lesson_numbers(cell: str, n: int) -> None:
    check_against_reference(*random_case(cell, n))


#: The phase of each key's name (the brief's shared design); check.* keys are in the check phase.
PHASES = {
    **dict.fromkeys(FORWARD - {"e", "loss"}, "forward"),
    "e": "error",
    "loss": "error",
    **dict.fromkeys(BACKWARD - {"dw", "dt"}, "backward"),
    **dict.fromkeys(UPDATE | {"dw", "dt"}, "update"),
}


def _indices(key: str) -> list[str]:
    return key[key.index("[") + 1 : -1].split(",") if "[" in key else []


@pytest.mark.parametrize(("cell", "n"), RANDOM)
def test_random_lesson_steps_sit_where_the_design_puts_them(cell: str, n: int) -> None:
    """Each step's phase follows its key; no step has a sample (time is in the key); neuron is
    the unit i (a weight's row); forward runs t = 1 … T, the backward phase T … 1."""
    solution = random_case(cell, n)[1]
    times: dict[str, list[int]] = {"forward": [], "backward": []}
    for step in solution.steps:
        name = name_of(step.key)
        phase = "check" if step.key.startswith("check.") else PHASES[name]
        assert (step.key, step.phase.value, step.sample) == (step.key, phase, None)
        indices = _indices(step.key)
        unit = indices[-2 if name in UPDATE | {"dw", "dt"} else -1] if indices else None
        assert step.neuron == (None if unit is None else int(unit)), step.key
        numbers = [int(v) for v in indices if v.isdigit()]
        if phase in times and len(numbers) >= 2:
            times[phase].append(numbers[-2])
    assert times["forward"] == sorted(times["forward"])
    assert times["backward"] == sorted(times["backward"], reverse=True)


@pytest.mark.parametrize(("cell", "n"), RANDOM)
def test_random_lesson_substitutions_evaluate_to_their_values(cell: str, n: int) -> None:
    """The contract's substituted_text of every step evaluates to its value, within the
    rounding of the numbers it shows (the built-in lessons are in test_substitution.py)."""
    check_substitutions(f"random-{cell}-{n}", random_case(cell, n)[1])
