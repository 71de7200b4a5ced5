"""torch autograd in float64 as the third witness of a recurrent lesson's numbers: every forward
value, error reaching a state, δ, increment, new weight and check-phase value of the engine's
steps equals torch's, on the built-in recurrent lessons and the randomised ones of
test_recurrent_numbers.py; and the numpy reference (BPTT by hand) equals torch too. A module of
its own so that the rest of the recurrent tests run where torch is not installed.
"""

from __future__ import annotations

import pytest

from tests import recurrent_reference as ref
from tests.conftest import builtin_ids_of
from tests.test_recurrent_numbers import (
    BACKWARD,
    CLOSE,
    FORWARD,
    RANDOM,
    UPDATE,
    builtin_case,
    compare,
    random_case,
    random_net,
    shown,
)

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.slow  # torch's import alone takes a second


def by_torch(net: ref.Net) -> ref.Values:
    """Every key of the lesson, with torch's forward values and its gradients."""
    taped = ref.torch_values(torch, net)
    forward = {k: v for k, v in taped.items() if k in ref.forward(net)}
    increments = {k: v for k, v in taped.items() if k not in forward}
    if net.targets is None:
        return forward
    return forward | increments | ref.new_weights(net, increments) | ref.check(net, increments)


@pytest.mark.parametrize(("cell", "n"), RANDOM)
def test_the_reference_agrees_with_torch(cell: str, n: int) -> None:
    """The numpy cell and its BPTT by hand give torch's numbers, key for key, also the output
    layer's pre-activation (v) and δ (do)."""
    net = random_net(cell, n)
    taped = ref.torch_values(torch, net)
    mine = ref.forward(net) | (ref.backward(net) if net.targets is not None else {})
    assert mine.keys() == taped.keys()
    wrong = [
        (key, mine[key], value)
        for key, value in taped.items()
        if mine[key] != pytest.approx(value, rel=CLOSE[0], abs=CLOSE[1])
    ]
    assert wrong == [], "(key, reference, torch)"


@pytest.mark.parametrize("lesson_id", builtin_ids_of("recurrent"))
def test_builtin_lesson_agrees_with_torch(lesson_id: str) -> None:
    net, solution = builtin_case(lesson_id)
    assert compare(solution, shown(net, by_torch(net)), CLOSE, FORWARD | BACKWARD | UPDATE) > 0


@pytest.mark.parametrize(("cell", "n"), RANDOM)
def test_random_lesson_agrees_with_torch(cell: str, n: int) -> None:
    net, solution = random_case(cell, n)
    assert compare(solution, shown(net, by_torch(net)), CLOSE, FORWARD | BACKWARD | UPDATE) > 0
