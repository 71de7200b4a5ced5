"""What a step's ``iteration`` counts: weight updates, as the contract says."""

from __future__ import annotations

from stepper.catalog import resolve
from stepper.engine import solve
from stepper.lesson.load import load_lesson


def test_forward_only_samples_start_no_iteration() -> None:
    """The contract: ``iteration`` counts weight updates. xor-1 passes three points forward
    and trains on the fourth: all four are iteration 1 (they were 1 to 4); onehot-1 trains on
    nothing: all five of its samples are iteration 1."""

    for lesson_id, samples in (("xor-1", 4), ("onehot-1", 5)):
        solution = solve(load_lesson(resolve(lesson_id).path, lesson_id))
        seen = {(s.sample, s.iteration) for s in solution.steps if s.sample is not None}
        assert {s for s, _ in seen} == set(range(1, samples + 1)), lesson_id
        assert {i for _, i in seen} == {1}, (lesson_id, seen)
