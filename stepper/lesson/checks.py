"""The rules of a dense lesson that a schema cannot state: sizes that fit, and stated limits.

The checks read the plain data, not the validated model, so that they run even when the
schema found problems elsewhere in the file: a short weights row is reported together with a
typo in ``learning_rate``, not one fix-and-rerun later. Each check looks only at values of the
shape it needs (a list where rows go, a whole number where a size goes) and leaves any other
shape to the schema, which reports it.

Each problem is a ``Found``: the path in the file, the message, whether to point at the key
rather than the value, and, for a required field that is absent, its name (so that a typo of
it, reported as an unknown field, is not reported twice).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stepper.lesson.dropout_checks import dropout_problems
from stepper.lesson.errors import msg, msg_count
from stepper.lesson.run_checks import check_runs, note_key, run_ids, runs_of

if TYPE_CHECKING:
    from stepper.lesson.schema import DenseLesson

#: The program's stated limits (the contract asks that at least 10^6 of each be accepted).
MAX_WEIGHTS = 1_000_000
MAX_STEPS = 1_000_000
#: Most outputs of a softmax. Each probability's step names every logit (e^u_i / Σ_k e^u_k),
#: so the solution grows as the square of this: 100 classes make 10^4 terms, 20,000 made 4·10^8.
MAX_CLASSES = 100


def too_many_classes(classes: int) -> str:
    """The message for a softmax over more than MAX_CLASSES outputs."""
    return msg("check.softmax_classes", classes=classes, limit=MAX_CLASSES)


@dataclass(frozen=True, slots=True)
class Found:
    """One problem, located by its path in the data."""

    path: tuple[Any, ...]
    message: str
    on_key: bool = False
    missing: str | None = None
    suggests: str | None = None


_KEY = re.compile(
    r"^(?:(?P<one>[uyd]|drop)\[(?P<l1>\d+),(?P<i1>\d+)\]|e\[(?P<e>\d+)\]|loss|batch_loss"
    r"|(?P<norm>[xy])(?:min|max|mean|std|n)\[(?P<k>\d+)\]"
    r"|(?P<w>dw|w|w_orig)\[(?P<l2>\d+),(?P<i2>\d+),(?P<j>\d+)\]"
    r"|index|params|x\[(?P<x>\d+)\]"
    r"|W\[(?P<wi>\d+),(?P<wj>\d+)\]|single\.u\[(?P<su>\d+)\])$"
)


def _is_real(value: Any) -> bool:
    """A number that arithmetic with floats accepts (finite, not a truth value, not 10^400)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) < 10**300
    return isinstance(value, float) and math.isfinite(value)


def _is_count(value: Any) -> bool:
    """A whole number ≥ 1 (a size)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _names(activation: Any, neurons: int) -> list[str]:
    """The activation of each neuron, as far as it is text (``identity`` is ``linear``)."""
    names = activation if isinstance(activation, list) else [activation] * neurons
    return ["linear" if a == "identity" else a for a in names if isinstance(a, str)]


def _plural(n: int, word: str) -> str:
    """``n`` things named ``word``, in the catalogue's plural form for ``n``."""
    return msg_count(f"count.{word}", n)


def _row_message(i: int, l: int, row: list[Any], fan_in: int) -> str:
    """Row ``i`` of layer ``l`` does not hold the bias and one weight per input."""
    source = msg("check.source.input") if l == 1 else msg("check.source.neuron", l=l - 1, n=fan_in)
    values = _plural(len(row), "value")
    return msg("check.row", i=i, l=l, values=values, expected=fan_in + 1, source=source)


@dataclass
class _Shape:
    """The sizes read from the data; None where the data do not say (the schema reports why)."""

    inputs: int | None
    neurons: list[int | None]  # per layer
    last_softmax: bool
    collapse: bool = False  # network.collapse: the product W and the single layer's u


def check_dense(lesson: DenseLesson) -> list[tuple[tuple[Any, ...], str, bool]]:
    """Every problem of a schema-valid lesson, as (path, message, point at the key?).

    For a lesson changed in memory (the app's "what if α were 0.5?"); files go through
    ``stepper.lesson.load``, which also runs ``check_lesson``.
    """
    return [(f.path, f.message, f.on_key) for f in check_lesson(lesson.model_dump())]


def check_lesson(data: dict[str, Any]) -> list[Found]:
    """Every problem of a dense lesson's data that the schema does not report."""
    from stepper.lesson.category_checks import check_categories  # it builds on Found
    from stepper.lesson.normalize_checks import check_norm_notes, check_normalize  # builds on this

    found: list[Found] = []
    shape = _check_network(data, found)
    _check_training(data, shape, found)
    if shape.collapse:
        _check_collapse_samples(data, found)
    found += [Found(*problem) for problem in dropout_problems(data, shape.neurons)]
    check_normalize(data, shape.inputs, found)
    training = data.get("training")
    if isinstance(training, dict) and isinstance(training.get("samples"), list):
        found += check_categories(training, shape.inputs)
    _check_notes(data, shape, found)
    check_norm_notes(data, found)
    _check_limits(data, shape, found)
    return found


def _check_network(data: dict[str, Any], found: list[Found]) -> _Shape:
    net = data.get("network")
    net = net if isinstance(net, dict) else {}
    inputs: int | None = net["inputs"] if _is_count(net.get("inputs")) else None
    layers: list[Any] = net["layers"] if isinstance(net.get("layers"), list) else []
    fan_in: int | None = inputs
    neurons: list[int | None] = []
    last_softmax = False
    for l, layer in enumerate(layers, 1):
        if not isinstance(layer, dict):
            neurons.append(None)
            fan_in = None
            continue
        here = ("network", "layers", l - 1)
        # The neuron count is known only when every row is a list (else the schema reports).
        given = layer.get("weights")
        rows: list[Any] | None = (
            given
            if isinstance(given, list) and all(isinstance(row, list) for row in given)
            else None
        )
        if rows == []:
            found.append(Found((*here, "weights"), msg("check.no_neurons", l=l)))
        activation = layer.get("activation")
        if isinstance(activation, list) and rows and len(activation) != len(rows):
            found.append(
                Found(
                    (*here, "activation"),
                    msg(
                        "check.activations",
                        l=l,
                        activations=_plural(len(activation), "activation"),
                        neurons=_plural(len(rows), "neuron"),
                    ),
                )
            )
        if rows is not None and fan_in is not None:
            for i, row in enumerate(rows, 1):
                if isinstance(row, list) and len(row) != fan_in + 1:
                    found.append(Found((*here, "weights", i - 1), _row_message(i, l, row, fan_in)))
        names = _names(activation, len(rows or ()))
        if "softmax" in names and (l != len(layers) or set(names) != {"softmax"}):
            message = (
                msg("check.softmax_mixed", l=l)
                if l == len(layers)
                else msg("check.softmax_not_last", l=l, layers=len(layers))
            )
            found.append(Found((*here, "activation"), message))
        last_softmax = bool(names) and set(names) == {"softmax"} and l == len(layers)
        if last_softmax and rows is not None and len(rows) > MAX_CLASSES:
            found.append(Found((*here, "weights"), too_many_classes(len(rows)), True))
        fan_in = len(rows) if rows else None
        neurons.append(len(rows) if rows else None)
    collapse = net.get("collapse") is True
    if collapse:
        _check_collapse(layers, found)
    return _Shape(inputs, neurons, last_softmax, collapse)


def _check_collapse(layers: list[Any], found: list[Found]) -> None:
    """``collapse`` multiplies two linear layers into one: it needs exactly that."""
    if len(layers) != 2:
        found.append(
            Found(("network", "collapse"), msg("check.collapse_layers", layers=len(layers)))
        )
    for l, layer in enumerate(layers, 1):
        if not isinstance(layer, dict):
            continue
        names = layer.get("activation")
        names = names if isinstance(names, list) else [names]
        if any(name not in ("linear", "identity") for name in names):
            found.append(
                Found(("network", "layers", l - 1, "activation"), msg("check.collapse_linear", l=l))
            )


def _check_collapse_samples(data: dict[str, Any], found: list[Found]) -> None:
    """``collapse`` multiplies the given weights: a target would train them first."""
    training = data.get("training")
    samples = training.get("samples") if isinstance(training, dict) else None
    for k, sample in enumerate(samples if isinstance(samples, list) else [], 1):
        if isinstance(sample, dict) and sample.get("y") is not None:
            here = ("training", "samples", k - 1, "y")
            found.append(Found(here, msg("check.collapse_targets", k=k)))


def _check_training(data: dict[str, Any], shape: _Shape, found: list[Found]) -> None:
    training = data.get("training")
    if not isinstance(training, dict):
        return
    outputs = shape.neurons[-1] if shape.neurons else None
    loss = training.get("loss", "sse")
    samples: list[Any] = training["samples"] if isinstance(training.get("samples"), list) else []
    has_targets = False
    for k, sample in enumerate(samples, 1):
        if not isinstance(sample, dict):
            continue
        here = ("training", "samples", k - 1)
        x, y = sample.get("x"), sample.get("y")
        if isinstance(x, list) and shape.inputs is not None and len(x) != shape.inputs:
            found.append(
                Found(
                    (*here, "x"),
                    msg(
                        "check.sample_x",
                        k=k,
                        given=_plural(len(x), "input"),
                        inputs=_plural(shape.inputs, "input"),
                    ),
                )
            )
        if y is not None:
            has_targets = True
        if isinstance(y, list) and outputs is not None and len(y) != outputs:
            found.append(
                Found(
                    (*here, "y"),
                    msg(
                        "check.sample_y",
                        k=k,
                        given=_plural(len(y), "target"),
                        outputs=_plural(outputs, "output"),
                    ),
                )
            )
        if (
            loss == "cross_entropy"
            and isinstance(y, list)
            and y
            and all(_is_real(v) for v in y)
            and (min(y) < 0 or not math.isclose(sum(y), 1.0, abs_tol=1e-9))
        ):
            found.append(
                Found(
                    (*here, "y"),
                    msg("check.ce_targets", k=k),
                )
            )
    rate: Any = training.get("learning_rate")
    check_runs(training, has_targets, found)
    if has_targets and rate is None and runs_of(training) is None:
        present = "learning_rate" in training
        found.append(
            Found(
                ("training", "learning_rate") if present else ("training",),
                msg("check.rate_empty" if present else "check.rate_missing"),
                on_key=True,
                missing="learning_rate",
            )
        )
    elif _is_real(rate) and rate <= 0:
        found.append(Found(("training", "learning_rate"), msg("check.rate", rate=rate)))
    if has_targets:
        _check_frozen(data, found)
    if has_targets and loss == "cross_entropy" and not shape.last_softmax:
        found.append(
            Found(
                ("training", "loss"),
                msg("check.ce_softmax"),
            )
        )
    if has_targets and shape.last_softmax and loss in ("sse", "half_sse"):
        found.append(
            Found(
                ("training", "loss") if "loss" in training else ("training",),
                msg(
                    "check.softmax_loss" if "loss" in training else "check.softmax_loss_default",
                    loss=loss,
                ),
                on_key="loss" not in training,
            )
        )


def _check_frozen(data: dict[str, Any], found: list[Found]) -> None:
    """A lesson that trains needs a layer that learns: with every layer frozen, the targets
    would train nothing (said at the last layer's ``trainable``)."""
    net = data.get("network")
    layers = net.get("layers") if isinstance(net, dict) else None
    if not isinstance(layers, list) or not layers:
        return
    if all(isinstance(layer, dict) and layer.get("trainable") is False for layer in layers):
        here = ("network", "layers", len(layers) - 1, "trainable")
        found.append(Found(here, msg("check.all_frozen")))


def _check_notes(data: dict[str, Any], shape: _Shape, found: list[Found]) -> None:
    notes = data.get("notes")
    if not isinstance(notes, dict):
        return
    ids = run_ids(data.get("training"))
    for key in notes:
        bare = key
        if ids:
            wrong, bare = note_key(key, ids)
            if wrong is not None:
                found.append(Found(("notes", key), wrong, on_key=True))
                continue
        match = _KEY.match(bare)
        if match is None:
            found.append(
                Found(
                    ("notes", key),
                    msg("check.note_key", key=key),
                    on_key=True,
                )
            )
            continue
        beyond = _beyond(match, shape)
        if beyond:
            found.append(
                Found(("notes", key), msg("check.note_nowhere", key=key, why=beyond), on_key=True)
            )


def _beyond_input(j: int, inputs: int | None) -> str | None:
    """Why input j of a one-hot vector (``x[j]``) is none of the network's, if it is not."""
    if inputs is not None and not 1 <= j <= inputs:
        return msg("check.beyond.inputs", inputs=_plural(inputs, "input"))
    return None


def _beyond(match: re.Match[str], shape: _Shape) -> str | None:
    """Why a step key names a neuron or weight the network does not have, if it does."""
    layers = len(shape.neurons)
    if match["norm"] is not None:  # a normalisation statistic or scaled value of x_k or y_k
        count = shape.inputs if match["norm"] == "x" else (shape.neurons or [None])[-1]
        word = "input" if match["norm"] == "x" else "output"
        if count is not None and not 1 <= int(match["k"]) <= count:
            return msg("check.beyond.outputs", outputs=_plural(count, word))
        return None
    if match["e"] is not None:
        outputs = shape.neurons[-1] if shape.neurons else None
        i = int(match["e"])
        if outputs is not None and not 1 <= i <= outputs:
            return msg("check.beyond.outputs", outputs=_plural(outputs, "output"))
        return None
    if match["wi"] is not None or match["su"] is not None:
        return _beyond_product(match, shape)
    if match["x"] is not None:
        return _beyond_input(int(match["x"]), shape.inputs)
    if match["one"] is None and match["w"] is None:
        return None
    l_text, i_text = (match["l1"], match["i1"]) if match["one"] else (match["l2"], match["i2"])
    l, i = int(l_text), int(i_text)
    if layers and not 1 <= l <= layers:
        return msg("check.beyond.layers", layers=_plural(layers, "layer"))
    if not layers:
        return None
    neurons = shape.neurons[l - 1]
    if neurons is not None and not 1 <= i <= neurons:
        return msg("check.beyond.neurons", l=l, neurons=_plural(neurons, "neuron"))
    if match["w"] is not None:
        fan_in = shape.inputs if l == 1 else shape.neurons[l - 2]
        j = int(match["j"])
        if fan_in is not None and j > fan_in:
            return msg("check.beyond.weights", l=l, last=fan_in)
    return None


def _beyond_product(match: re.Match[str], shape: _Shape) -> str | None:
    """Why a key of the product W or of the single layer names no step, if it does."""
    if not shape.collapse:
        return msg("check.beyond.collapse")
    outputs = shape.neurons[-1] if shape.neurons else None
    i = int(match["wi"] or match["su"])
    if outputs is not None and not 1 <= i <= outputs:
        return msg("check.beyond.outputs", outputs=_plural(outputs, "output"))
    j = match["wj"]
    if j is not None and shape.inputs is not None and int(j) > shape.inputs:
        return msg("check.beyond.product", last=shape.inputs)
    return None


def step_count(
    neurons: list[int],
    weights: int,
    targets: list[bool],
    batch_size: int,
    epochs: int,
    *,
    trains: bool = False,
    check_all: bool = False,
    learned: int | None = None,
    backward: int | None = None,
    product: int = 0,
    dropped: int = 0,
    categories: Sequence[int] = (),
) -> int:
    """How many steps the engine makes, from the sizes alone.

    ``neurons`` per layer, ``weights`` in all, ``targets`` per sample (whether it has y),
    ``trains`` whether the lesson has a learning rate. Per sample: u and y of every neuron;
    with a target, e of each output, the loss and d of every neuron. Per update: dw and w of
    every weight, and with a batch of several trained samples, each sample's increments and
    the batch's loss. When every sample has a target and there is a learning rate, the check
    phase passes the last batch forward again: u, y, e and the loss of each of its samples,
    and the batch's loss when it has several; a run (``check_all``) passes every sample.
    With frozen layers only ``learned`` weights get dw and w, and only ``backward`` neurons
    (those of the lowest layer that learns and above) get d. With ``collapse``, the
    ``product`` entries of W once, and the single layer's u of every output per sample.
    ``dropped`` neurons (those of layers with dropout) add their output after the mask for
    each sample with a target, also in the check. ``categories``: per sample, how many
    categories it is one of (0 for numbers); such a sample adds its index and one-hot entries
    once, and the lesson the size of its lookup table.
    """
    total = sum(neurons)
    learned = weights if learned is None else learned
    backward = total if backward is None else backward
    outputs = neurons[-1]
    per_epoch = 0
    chunk: list[bool] = []
    for start in range(0, len(targets), batch_size):
        chunk = targets[start : start + batch_size]
        trained = sum(chunk)
        per_epoch += (2 * total + (outputs if product else 0)) * len(chunk)
        per_epoch += trained * (outputs + 1 + backward + dropped)
        if trained:
            per_epoch += 2 * learned + (learned * trained + 1 if trained > 1 else 0)
    check = 0
    if check_all:
        chunk = targets
    if trains and targets and all(targets):
        check = len(chunk) * (2 * total + outputs + 1 + dropped) + (1 if len(chunk) > 1 else 0)
    encoding = sum(1 + k for k in categories if k) + (1 if any(categories) else 0)
    return per_epoch * epochs + check + product + encoding


def _categories(sample: Any) -> int:
    """How many categories a sample's x is one of (0 when it gives numbers)."""
    x = sample.get("x") if isinstance(sample, dict) else None
    of = x.get("of") if isinstance(x, dict) else None
    return len(of) if isinstance(of, list) else 0


def _check_limits(data: dict[str, Any], shape: _Shape, found: list[Found]) -> None:
    net = data.get("network")
    layers = net.get("layers") if isinstance(net, dict) else None
    if not isinstance(layers, list):
        return
    weights = learned = 0
    backward: list[int] = []  # the neurons of each layer from the lowest that learns up
    for layer in layers:
        rows = layer.get("weights") if isinstance(layer, dict) else None
        if isinstance(rows, list):
            count = sum(len(row) for row in rows if isinstance(row, list))
            weights += count
            learns = not (isinstance(layer, dict) and layer.get("trainable") is False)
            learned += count if learns else 0
            if learns or backward:
                backward.append(len(rows))
    if weights > MAX_WEIGHTS:
        found.append(
            Found(
                ("network",),
                msg("check.weights", weights=weights, limit=MAX_WEIGHTS),
                on_key=True,
            )
        )
        return
    training = data.get("training")
    if not isinstance(training, dict) or not shape.neurons:
        return
    neurons = [n for n in shape.neurons if n is not None]
    samples = training.get("samples")
    if len(neurons) != len(shape.neurons) or not isinstance(samples, list) or not samples:
        return
    targets = [isinstance(s, dict) and s.get("y") is not None for s in samples]
    from stepper.lesson.normalize_checks import normalization_steps

    runs = [r for r in runs_of(training) or [] if isinstance(r, dict)]
    dropped = sum(
        n
        for n, layer in zip(neurons[:-1], layers, strict=False)
        if isinstance(layer, dict) and isinstance(layer.get("dropout"), dict)
    )
    encoded = [_categories(s) for s in samples]
    steps = 0
    for run in runs or [{}]:  # without runs, the lesson's training once
        settings = {**training, **{k: v for k, v in run.items() if v is not None}}
        batch = settings.get("batch_size", 1)
        epochs = settings.get("epochs", 1)
        batch = batch if _is_count(batch) else 1
        epochs = epochs if _is_count(epochs) else 1
        rate = settings.get("learning_rate")
        trains = isinstance(rate, int | float) and bool(rate)
        steps += step_count(
            neurons,
            weights,
            targets,
            batch,
            epochs,
            trains=trains,
            check_all=bool(runs),
            learned=learned,
            backward=sum(backward),
            product=neurons[-1] * (shape.inputs + 1) if shape.collapse and shape.inputs else 0,
            dropped=dropped,
            categories=encoded,
        )
        if shape.inputs is not None:
            steps += normalization_steps(settings, shape.inputs, neurons[-1], weights)
    if steps > MAX_STEPS:
        where = ("training", "epochs") if "epochs" in training else ("training", "samples")
        found.append(
            Found(
                where,
                msg("check.steps", steps=steps, limit=MAX_STEPS),
                on_key="epochs" not in training,
            )
        )
