"""Revealing the rest of a phase in a recurrent lesson stops at the end of the time step.

A recurrent lesson's forward and backward phases hold every time step of the sequence; the
app's and the printed headings group them by time step (``Hacia delante · t = 1``), so the
key that reveals "the rest of this phase" reveals the rest of this time step's part of it.
"""

from __future__ import annotations

from stepper.walking import VALUE, Walk
from tests.conftest import solved


def revealed_keys(lesson_id: str, moves: int) -> list[str]:
    """The key each reveal ends on, stepping on to the next step after each."""
    walk = Walk(solved(lesson_id), first_stage=0)
    ends = []
    for _ in range(moves):
        walk.reveal_phase()
        assert walk.stage == VALUE
        ends.append(walk.step.key)
        walk.next_step()
    return ends


def test_rnn1_reveals_one_time_step_at_a_time() -> None:
    # forward t = 1 ends at h₁, t = 2 at h₂, then the output after the last step; the error
    # phase is one block (ε and the loss); backward t = 2 ends at δ₂, t = 1 at δ₁; the update
    # is one block (every Δ and new weight, summed over time).
    assert revealed_keys("rnn-1", 7) == [
        "h[1,1]",
        "h[2,1]",
        "y[1]",
        "loss",
        "d[h,2,1]",
        "d[h,1,1]",
        "w[h,1,2]",
    ]


def test_lstm1_forward_time_step_holds_every_gate() -> None:
    walk = Walk(solved("lstm-1"), first_stage=0)
    walk.reveal_phase()
    keys = [s.key for s in walk.steps[: walk.index + 1]]
    assert keys[-1] == "h[1,1]"
    assert {"f[1,1]", "i[1,1]", "g[1,1]", "o[1,1]", "c[1,1]"} <= set(keys)
    assert not any(",2," in k or k.endswith("[2,1]") for k in keys)


def test_a_dense_lesson_still_reveals_its_whole_phase() -> None:
    walk = Walk(solved("backprop-1"), first_stage=0)
    walk.reveal_phase()
    assert walk.step.key == "y[1,2]"  # the forward phase of the first pair, every layer
