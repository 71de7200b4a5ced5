"""Frozen layers (``trainable: false``): transfer learning, as the lecture's last slides tell it.

A pretrained network is reused by keeping the weights of its first layers and training only
the new ones. A frozen layer gets no Δw and no new weight. Its δ (γ) is still computed when a
layer below it learns, because that layer's γ is made from it; below the lowest layer that
learns no δ is computed at all, since nothing would read it. The words that say so are
appended once per lesson, where each thing first happens.
"""

from __future__ import annotations

from collections.abc import Sequence

from stepper.engine.base import Recorder
from stepper.explain import explain, explain_count


def lowest_learning(trainable: Sequence[bool]) -> int:
    """The 1-based number of the first layer that learns (len + 1 when none does): every
    layer from it up needs its δ, every layer below it does not."""
    return next((l for l, t in enumerate(trainable, 1) if t), len(trainable) + 1)


def _layers(numbers: Sequence[int], lang: str) -> str:
    """Layer numbers as a list in words: 1; 1 y 2; 1, 2 y 3."""
    names = [str(n) for n in numbers]
    if len(names) == 1:
        return names[0]
    return explain("frozen.and", lang, first=", ".join(names[:-1]), last=names[-1])


def delta_words(run: Recorder, trainable: Sequence[bool], l: int, words: str) -> str:
    """A δ of layer l, with, the first time a frozen layer has one, why it still does."""
    if trainable[l - 1] or "frozen.kept" in run.said:
        return words
    run.said.add("frozen.kept")
    return words + explain("frozen.kept", run.lang, l=l)


def below_words(run: Recorder, trainable: Sequence[bool], words: str) -> str:
    """The first time the backward pass stops above frozen layers: why they get no γ."""
    lowest = lowest_learning(trainable)
    if lowest == 1 or "frozen.below" in run.said:
        return words
    run.said.add("frozen.below")
    below = list(range(1, lowest))
    return (
        words
        + " "
        + explain_count("frozen.below", len(below), run.lang, layers=_layers(below, run.lang))
    )


def update_words(run: Recorder, trainable: Sequence[bool], words: str) -> str:
    """The first increment of a lesson with frozen layers, preceded by which layers keep their
    weights and that this is how a pretrained network is reused."""
    frozen = [l for l, t in enumerate(trainable, 1) if not t]
    if not frozen or "frozen.update" in run.said:
        return words
    run.said.add("frozen.update")
    first = explain_count("frozen.update", len(frozen), run.lang, layers=_layers(frozen, run.lang))
    return f"{first} {words}"  # first: it is what the update phase begins with
