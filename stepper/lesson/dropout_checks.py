"""The rules of a layer's ``dropout`` that its schema cannot state: where it may act, and
masks that fit the layer and the samples.

Like ``stepper.lesson.checks``, these read the plain data, so that they are reported together
with whatever else is wrong in the file, and they look only at values of the shape they need
(the schema reports any other shape).
"""

from __future__ import annotations

from typing import Any

from stepper.lesson.errors import msg, msg_count

#: A problem: its path in the data, the message, whether to point at the key.
Problem = tuple[tuple[Any, ...], str, bool]


def _plural(n: int, word: str) -> str:
    return msg_count(f"count.{word}", n)


def dropout_problems(data: dict[str, Any], neurons: list[int | None]) -> list[Problem]:
    """Every problem of the layers' ``dropout``, given the neurons of each layer (None where
    the data do not say): on the output layer, a mask of the wrong length, one list per
    sample for a different number of samples, a mask that drops a neuron of a sample without
    y, a rate of 0 with a neuron dropped."""
    found: list[Problem] = []
    net = data.get("network")
    layers = net.get("layers") if isinstance(net, dict) else None
    if not isinstance(layers, list):
        return found
    training = data.get("training")
    samples = training.get("samples") if isinstance(training, dict) else None
    samples = samples if isinstance(samples, list) else None
    for l, layer in enumerate(layers, 1):
        dropout = layer.get("dropout") if isinstance(layer, dict) else None
        if not isinstance(dropout, dict):
            continue
        here = ("network", "layers", l - 1, "dropout")
        if l == len(layers):
            found.append((here, msg("check.dropout_last", l=l), True))
            continue
        size = neurons[l - 1] if l - 1 < len(neurons) else None
        mask = dropout.get("mask")
        if not isinstance(mask, list) or not mask:
            continue
        if any(isinstance(row, list) for row in mask):
            _per_sample(here, mask, size, samples, found)
        elif size is not None and len(mask) != size:
            neurons_text = _plural(size, "neuron")
            values = _plural(len(mask), "value")
            message = msg("check.dropout_mask", l=l, values=values, neurons=neurons_text)
            found.append(((*here, "mask"), message, False))
        rate = dropout.get("rate")
        rows = [row for row in mask if isinstance(row, list)] or [mask]
        if rate == 0 and any(0 in row for row in rows):
            found.append(((*here, "rate"), msg("check.dropout_rate_zero", l=l), False))
    return found


def _per_sample(
    here: tuple[Any, ...],
    mask: list[Any],
    size: int | None,
    samples: list[Any] | None,
    found: list[Problem],
) -> None:
    """A mask with one list per sample: as many lists as samples, each one per neuron, and
    all 1s for a sample without y (it only passes forward, where dropout does not act).
    ``here`` is the dropout's path, which holds the layer's position."""
    l = here[2] + 1
    if samples is not None and len(mask) != len(samples):
        message = msg("check.dropout_masks", l=l, masks=len(mask), samples=len(samples))
        found.append(((*here, "mask"), message, False))
        return
    for k, row in enumerate(mask, 1):
        if not isinstance(row, list):
            continue
        if size is not None and len(row) != size:
            values = _plural(len(row), "value")
            neurons_text = _plural(size, "neuron")
            message = msg("check.dropout_row", k=k, l=l, values=values, neurons=neurons_text)
            found.append(((*here, "mask", k - 1), message, False))
            continue
        sample = samples[k - 1] if samples is not None else None
        if isinstance(sample, dict) and sample.get("y") is None and 0 in row:
            found.append(((*here, "mask", k - 1), msg("check.dropout_forward", k=k), False))
