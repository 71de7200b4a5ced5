"""The lesson format as pydantic models: strict types, no unknown fields, finite numbers.

Strict mode means a quoted "0.3" is not silently taken for a number and ``true`` is not 1:
an instructor who typed it that way made a mistake and should hear about it. Whatever the
models cannot say (row lengths, layers that chain, limits) ``stepper.lesson.checks`` says.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Language = Literal["es", "en"]
Activation = Literal["linear", "identity", "tanh", "sigmoid", "relu", "softmax"]
Loss = Literal["sse", "half_sse", "cross_entropy"]
Letter = Annotated[str, StringConstraints(pattern=r"^[a-zA-Z]$")]
Number = float

#: Text in one language, or one text per language ({es: ..., en: ...}).
Localized = str | dict[Language, str]


class Strict(BaseModel):
    """Base of every lesson model: strict, closed and finite."""

    model_config = ConfigDict(strict=True, extra="forbid", allow_inf_nan=False, frozen=True)


class Display(Strict):
    decimals: int = Field(default=4, ge=0, le=12)
    round_intermediate: bool = False


class Layer(Strict):
    activation: Activation | list[Activation]
    weights: list[list[Number]]
    symbol: Letter | None = None
    output_symbol: Letter | None = None

    def activations(self) -> list[str]:
        """One activation per neuron, ``identity`` spelled ``linear``."""
        names = (
            self.activation
            if isinstance(self.activation, list)
            else ([self.activation] * len(self.weights))
        )
        return ["linear" if a == "identity" else a for a in names]


class Network(Strict):
    inputs: int = Field(ge=1)
    layers: list[Layer] = Field(min_length=1)


class Sample(Strict):
    x: list[Number]
    y: list[Number] | None = None


class Training(Strict):
    learning_rate: Number | None = None
    loss: Loss = "sse"
    samples: list[Sample] = Field(min_length=1)
    batch_size: int = Field(default=1, ge=1)
    epochs: int = Field(default=1, ge=1)


class LessonBase(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")] | None = None
    title: Localized | None = None
    language: Language = "es"
    summary: Localized | None = None
    display: Display = Display()
    notes: dict[str, Localized] = Field(default_factory=dict)


class DenseLesson(LessonBase):
    kind: Literal["dense"] = "dense"
    network: Network
    training: Training


Lesson = DenseLesson


def localized(text: Localized | None, lang: str, fallback: str) -> str | None:
    """``text`` in ``lang``; a one-language text serves every language."""
    if text is None:
        return None
    if isinstance(text, str):
        return text
    return text.get(lang) or text.get(fallback) or next(iter(text.values()), None)  # type: ignore[call-overload]


#: Every model of the format, for messages that suggest a field name and for the docs test.
MODELS: tuple[type[Strict], ...] = (
    Display,
    Layer,
    Network,
    Sample,
    Training,
    LessonBase,
    DenseLesson,
)
