"""One dense lesson trained several ways side by side: ``training.runs``.

Each run starts from the lesson's own weights and trains with the lesson's ``training``, except
for the fields the run gives (batch size, epochs, learning rate, ...). Its steps are the usual
ones, with keys that start with the run's id and a dot, as an optimize lesson's optimisers
prefix theirs (``sgd.w[1,1,0]``, ``batch.check.batch_loss``), and its iterations count from 1.

After a run's last update its check passes every sample forward again, not only the last
batch, and gives their mean loss: then every run is measured on the same data, and the runs'
ends (``stepper.ending``, the printed comparison) can be set side by side: the weights each
reached, and the loss there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stepper.lesson.schema import Normalize, Run, Training, localized
from stepper.steps import RunShape

if TYPE_CHECKING:
    from stepper.engine.dense import DenseRun


def training_of(run: Run, training: Training) -> Training:
    """The lesson's training with the fields ``run`` sets."""
    return training.model_copy(update=run.changes())


def train_runs(engine: DenseRun, training: Training) -> tuple[RunShape, ...]:
    """Every run of ``training``, one after the other, each from the lesson's weights."""
    runs = training.runs or []
    fields = list(dict.fromkeys(name for run in runs for name in run.changes()))
    shapes = []
    for run in runs:
        prefix = run.id + "."
        own = training_of(run, training)
        engine.begin(own, prefix)
        engine.train(check_all=True)
        title = localized(run.title, engine.lang, engine.lesson.language) or run.id
        settings = tuple((name, _setting(getattr(own, name))) for name in fields)
        shapes.append(RunShape(run.id, title, prefix, settings))
    engine.begin(training)
    return tuple(shapes)


def _setting(value: object) -> int | float | str | None:
    """A training field's value as a run's settings list it: a normalisation by its method."""
    if isinstance(value, Normalize):
        return value.method
    return value  # type: ignore[return-value]  # the fields a run sets: numbers, words, None
